//! `syntax`: malformed tags, headers, attribute lines, front matter and
//! comments, and what is *not* a syntax error (`[sic]`, Markdown links,
//! escapes).

use expect_test::expect;

use crate::support::check;

#[test]
fn tag_without_closing_brace_runs_to_line_end() {
    check(
        r#"
        //- /a.nmk
        Said [Mr. Xi]{@xi-jinping and left.
        "#,
        expect![[r#"
            //- /a.nmk
            Said [Mr. Xi]{@xi-jinping and left.
                         ^^^^^^^^^^^^^^^^^^^^^^ error[syntax]: reference list is not closed: add `}` on the same line (write `\{` for a literal brace)
        "#]],
    );
}

#[test]
fn empty_reference_list() {
    check(
        r#"
        //- /a.nmk
        Said [Mr. Xi]{ } today.
        "#,
        expect![[r#"
            //- /a.nmk
            Said [Mr. Xi]{ } today.
                         ^^^ error[syntax]: empty reference list: write `{@id}` for an entity or `{^id}` for a source
        "#]],
    );
}

#[test]
fn reference_without_sigil() {
    check(
        r#"
        //- /a.nmk
        Said [Mr. Xi]{xi} today.
        "#,
        expect![[r#"
            //- /a.nmk
            Said [Mr. Xi]{xi} today.
                         ^^^^ error[syntax]: `xi` has no sigil: write `@xi` for an entity or `^xi` for a source
        "#]],
    );
}

#[test]
fn invalid_id_in_reference() {
    check(
        r#"
        //- /a.nmk
        Said [Mr. Xi]{@-xi} and [him]{@xi,} today.
        "#,
        expect![[r#"
            //- /a.nmk
            Said [Mr. Xi]{@-xi} and [him]{@xi,} today.
                         ^^^^^^ error[syntax]: `-xi` in `@-xi` is not a valid id: an id starts with a letter or digit and goes on with letters, marks, digits, `-`, `_` or `.`
                                         ^^^^^^ error[syntax]: `xi,` in `@xi,` is not a valid id: an id starts with a letter or digit and goes on with letters, marks, digits, `-`, `_` or `.`
        "#]],
    );
}

#[test]
fn reference_list_without_brackets() {
    check(
        r#"
        //- /a.nmk
        Mr. Xi {@xi-jinping} said.
        "#,
        expect![[r#"
            //- /a.nmk
            Mr. Xi {@xi-jinping} said.
                   ^^^^^^^^^^^^^ error[syntax]: a reference list must directly follow a tag's text in brackets: write `[text]{@id}` (or `\{` for a literal brace)
        "#]],
    );
}

#[test]
fn sic_and_markdown_links_are_text() {
    check(
        r#"
        //- /a.nmk
        He said "their [sic] plan" and [read it](https://example.com) and [never closed.
        "#,
        expect![[r#"
            //- /a.nmk
            He said "their [sic] plan" and [read it](https://example.com) and [never closed.
            (no diagnostics)
        "#]],
    );
}

#[test]
fn escapes_are_not_markup() {
    check(
        r#"
        //- /a.nmk
        Write \[x\]\{@y\} and \@handle or \^caret and \<!-- not a comment.
        \@line starts with a sigil, escaped.
        "#,
        expect![[r#"
            //- /a.nmk
            Write \[x\]\{@y\} and \@handle or \^caret and \<!-- not a comment.
            \@line starts with a sigil, escaped.
            (no diagnostics)
        "#]],
    );
}

#[test]
fn nested_tags_resolve_inside_out() {
    check(
        r#"
        //- /a.nmk
        [[Mr. Xi]{@xi} said [it]{^nope}]{^remarks}
        //- /registry.nmk
        @xi: person "Xi Jinping"
          aka: Mr. Xi
        ^remarks: remarks "Remarks"
          by: @xi
        "#,
        expect![[r#"
            //- /a.nmk
            [[Mr. Xi]{@xi} said [it]{^nope}]{^remarks}
                                     ^^^^^ error[undefined-reference]: undefined source `^nope`: no definition in the workspace
            //- /registry.nmk
            @xi: person "Xi Jinping"
              aka: Mr. Xi
            ^remarks: remarks "Remarks"
              by: @xi
            (no diagnostics)
        "#]],
    );
}

#[test]
fn malformed_definition_header_skips_its_block() {
    check(
        r#"
        //- /a.nmk
        @xi person "Xi Jinping"
          aka: Xi
        ^src: "no kind"
        "#,
        expect![[r#"
            //- /a.nmk
            @xi person "Xi Jinping"
            ^^^^^^^^^^^^^^^^^^^^^^^ error[syntax]: expected `:` right after `@xi`; a definition header must look like `@id: kind "Display Name"`; write `\@` to start a prose line with `@`
              aka: Xi
            ^src: "no kind"
            ^^^^^^^^^^^^^^^ error[syntax]: missing kind after `^src:`; write e.g. `^src: statement "Display Name"`
        "#]],
    );
}

#[test]
fn indented_line_that_is_not_an_attribute() {
    check(
        r#"
        //- /registry.nmk
        @xi: person "Xi Jinping"
          just some words
          role: President
        "#,
        expect![[r#"
            //- /registry.nmk
            @xi: person "Xi Jinping"
              just some words
            ^^^^^^^^^^^^^^^^^ error[syntax]: an indented line in a definition block must look like `key: value`; end the block with a blank line before prose
              role: President
        "#]],
    );
}

#[test]
fn unterminated_front_matter_swallows_the_file() {
    check(
        r#"
        //- /a.nmk
        ---
        title: Talks
        [Mr. Xi]{@nobody} said.
        "#,
        expect![[r#"
            //- /a.nmk
            ---
            ^^^ error[syntax]: front matter is never closed: add a line `---` after its last `key: value` line (an article whose first line must read `---` starts with a blank line)
            title: Talks
            [Mr. Xi]{@nobody} said.
            ^^^^^^^^^^^^^^^^^^^^^^^ error[syntax]: front matter lines must look like `key: value` (a key without spaces, directly followed by `:`)
        "#]],
    );
}

#[test]
fn unterminated_comment_runs_to_end_of_file() {
    check(
        r#"
        //- /a.nmk
        Text before. <!-- never closed
        [Mr. Xi]{@nobody} said.
        "#,
        expect![[r#"
            //- /a.nmk
            Text before. <!-- never closed
                         ^^^^ error[syntax]: unterminated comment: `<!--` has no closing `-->`, so the rest of the file is a comment; add `-->` where the comment ends (write `\<!--` for the literal text)
            [Mr. Xi]{@nobody} said.
        "#]],
    );
}

#[test]
fn comments_are_removed_before_reading() {
    check(
        r#"
        //- /a.nmk
        ---
        title: Talks <!-- working title -->
        <!-- published: not-a-date -->
        ---
        [Mr. Xi]{<!-- @nobody -->@xi} said.
        <!-- a transparent line -->
        @xi: person "Xi" <!-- the header goes on -->
          <!-- transparent inside a block -->
          aka: Mr. Xi
        "#,
        expect![[r#"
            //- /a.nmk
            ---
            title: Talks <!-- working title -->
            <!-- published: not-a-date -->
            ---
            [Mr. Xi]{<!-- @nobody -->@xi} said.
            <!-- a transparent line -->
            @xi: person "Xi" <!-- the header goes on -->
              <!-- transparent inside a block -->
              aka: Mr. Xi
            (no diagnostics)
        "#]],
    );
}
