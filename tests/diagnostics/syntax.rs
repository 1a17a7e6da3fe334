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
                         ^^^^^^^^^^^^^^^^^^^^^^ error[syntax]: expected '}' after '@xi-jinping', found 'and'
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
                         ^^^ error[syntax]: empty reference list: expected a reference ('@id' or '^id') before '}'
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
                         ^^^^ error[syntax]: expected a reference after '{', found 'xi' without a sigil: write '@xi' for an entity or '^xi' for a source
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
                         ^^^^^^ error[syntax]: '-xi' after '@' is not a valid id: an id starts with a letter or digit and goes on with letters, marks, digits, '-', '_' or '.'
                                         ^^^^^^ error[syntax]: 'xi,' after '@' is not a valid id: an id starts with a letter or digit and goes on with letters, marks, digits, '-', '_' or '.'
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
                   ^^^^^^^^^^^^^ error[syntax]: expected a tag's text in brackets before this reference list, as in '[text]{@id}', found none; write '\{' for a literal brace
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
            ^^^^^^^^^^^^^^^^^^^^^^^ error[syntax]: expected ':' right after '@xi', found a space; a line starting with '@' is a definition header, '@id: kind "Display Name"'; write '\@' to start a prose line with '@'
              aka: Xi
            ^src: "no kind"
            ^^^^^^^^^^^^^^^ error[syntax]: expected a kind after '^src:', found a display name, as in '^src: statement "Display Name"'
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
              ^^^^^^^^^^^^^^^ error[syntax]: expected 'key: value' on an indented line of a definition block, found 'just some words'; end the block with a blank line before prose
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
            ^^^ error[syntax]: expected a line '---' closing the front matter opened here, found the end of the file, so the whole file is read as front matter (an article whose first line must read '---' starts with a blank line)
            title: Talks
            [Mr. Xi]{@nobody} said.
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
                         ^^^^ error[syntax]: expected '-->' closing the comment opened here, found the end of the file, so the rest of the file is a comment (write '\<!--' for the literal text)
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

#[test]
fn a_broken_reference_list_ends_before_a_bracket_or_brace() {
    check(
        r#"
        //- /a.nmk
        [on thursday [x]{@ white house in september said]{^remarks} and [beijing]{@beijing this week [china]{@china} too.
        //- /registry.nmk
        @beijing: place "Beijing"
        @china: place "China"
        ^remarks: remarks "Remarks"
          by: @china
        "#,
        expect![[r#"
            //- /a.nmk
            [on thursday [x]{@ white house in september said]{^remarks} and [beijing]{@beijing this week [china]{@china} too.
                            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error[syntax]: expected an id after '@', found a space
                                                                             ^^^^^^^ hint[untagged-mention]: “beijing” names `@beijing` (Beijing) but is not tagged
                                                                                     suggestion: `[beijing]{@beijing}`
                                                                                     ^^^^^^^^^^^^^^^^^^^^ error[syntax]: expected '}' after '@beijing', found 'this'
            //- /registry.nmk
            @beijing: place "Beijing"
            @china: place "China"
            ^remarks: remarks "Remarks"
              by: @china
            (no diagnostics)
        "#]],
    );
}

#[test]
fn a_reference_list_stops_at_an_opening_brace() {
    check(
        r#"
        //- /a.nmk
        [a]{@a {@b} and [c]{@c]
        "#,
        expect![[r#"
            //- /a.nmk
            [a]{@a {@b} and [c]{@c]
               ^^^^ error[syntax]: expected '}' after '@a', found '{'
                   ^^^^ error[syntax]: expected a tag's text in brackets before this reference list, as in '[text]{@id}', found none; write '\{' for a literal brace
                               ^^^ error[syntax]: expected '}' after '@c', found ']'
        "#]],
    );
}

/// The article of the example newsroom is one line of about 3,900
/// characters, as scraped articles often are. Two tags broken near its
/// start must each give one error that says what was expected, and leave
/// every tag after them (among them the `^xi-remarks-2015-09` quote, 1,700
/// columns later, whose source is defined in the article itself) parsed.
#[test]
fn broken_tags_early_on_a_long_line_spare_the_tags_after_them() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/newsroom");
    let mut files = Vec::new();
    for entry in walk(&root) {
        let rel = entry.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        files.push((format!("/{rel}"), std::fs::read(&entry).unwrap()));
    }
    let article = files.iter_mut().find(|(p, _)| p.starts_with("/articles/")).unwrap();
    let original = String::from_utf8(article.1.clone()).unwrap();
    let long_line = original.lines().map(str::len).max().unwrap();
    assert!(long_line > 3000, "the example article is no longer one long line ({long_line})");
    let broken = original.replacen("[beijing]{@beijing} this week", "[beijing]{@beijing this week", 1).replacen(
        "visited the [white house]{@white-house} in september",
        "visited the [x]{@ white house in september",
        1,
    );
    assert_ne!(broken, original);
    article.1 = broken.clone().into_bytes();
    let original_tags = newsmark::syntax::parse(&original).doc.tags.len();
    let parse = newsmark::syntax::parse(&broken);
    assert_eq!(parse.doc.tags.len(), original_tags - 2, "only the two broken tags are lost");

    let dir = tempfile::tempdir().unwrap();
    crate::support::write_files(dir.path(), &files);
    let checked = crate::support::diagnose_root(dir.path()).unwrap();
    let article = checked.iter().find(|c| c.path.starts_with("articles/")).unwrap();
    let shown: Vec<String> = article
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() != "untagged-mention")
        .map(|d| format!("{} {:?}: {}", d.code.as_str(), d.range.slice(&broken), d.message))
        .collect();
    expect![[r#"
        [
            "syntax \"{@beijing this week to discuss cybersecurity concerns with the chinese ahead of a major meeting next month in the \": expected '}' after '@beijing', found 'this'",
            "syntax \"{@ white house in september and agreed to curb cyberattacks against american computer networks \": expected an id after '@', found a space",
        ]
    "#]]
    .assert_debug_eq(&shown);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out.sort();
    out
}

#[test]
fn an_unclosed_front_matter_is_one_error_and_nothing_after_it_is_checked() {
    check(
        r#"
        //- /a.nmk
        ---
        title: Talks
        published: 2015-13
          indented: line
        not an attribute
        [Mr. Xi]{@nobody} said <!-- never closed
        @x: persn
        "#,
        expect![[r#"
            //- /a.nmk
            ---
            ^^^ error[syntax]: expected a line '---' closing the front matter opened here, found the end of the file, so the whole file is read as front matter (an article whose first line must read '---' starts with a blank line)
            title: Talks
            published: 2015-13
              indented: line
            not an attribute
            [Mr. Xi]{@nobody} said <!-- never closed
            @x: persn
        "#]],
    );
}

#[test]
fn a_malformed_front_matter_line_is_marked_from_its_first_character() {
    check(
        r#"
        //- /a.nmk
        ---
          indented: value
        no colon here
        ---
        Text.
        "#,
        expect![[r#"
            //- /a.nmk
            ---
              indented: value
              ^^^^^^^^^^^^^^^ error[syntax]: expected 'key: value' at the start of the line in the front matter, found an indented line 'indented: value'
            no colon here
            ^^^^^^^^^^^^^ error[syntax]: expected 'key: value' in the front matter (a key without spaces, directly followed by ':'), found 'no colon here'
            ---
            Text.
        "#]],
    );
}
