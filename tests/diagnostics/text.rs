//! Text encodings and positions: CRLF and lone CR line ends, a BOM, astral
//! characters before a range, Unicode ids with combining marks, and files
//! that are not UTF-8.

use expect_test::expect;

use crate::support::{check, check_files, parse_fixture};

/// The fixture with every `\n` of the files' contents replaced by `eol`.
fn with_line_ends(fixture: &str, eol: &str) -> Vec<(String, Vec<u8>)> {
    parse_fixture(fixture)
        .into_iter()
        .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap().replace('\n', eol).into_bytes()))
        .collect()
}

const LINE_ENDS: &str = r#"
//- /a.nmk
---
published: 2015-13
---
First [line]{@nope}.
Second [line]{@nope}.

@x: persn "X"
  aka: X
  aka X
"#;

#[test]
fn crlf_line_ends() {
    check_files(
        with_line_ends(LINE_ENDS, "\r\n"),
        expect![[r#"
            //- /a.nmk
            ---
            published: 2015-13
                       ^^^^^^^ error[invalid-value]: `published: 2015-13` is not a valid date: "2015-13" is not a real date: there is no month 13
            ---
            First [line]{@nope}.
                         ^^^^^ error[undefined-reference]: undefined entity `@nope`: no definition in the workspace
            Second [line]{@nope}.
                          ^^^^^ error[undefined-reference]: undefined entity `@nope`: no definition in the workspace

            @x: persn "X"
            ^^ warning[unused-definition]: `@x` is defined in an article but nothing in the workspace references it; reference it, move it to a registry file, or delete it
                ^^^^^ error[unknown-kind]: unknown entity kind `persn` (known: person, org, place, event, group, work, product, other); did you mean `person`?
                      suggestion: `person`
              aka: X
              aka X
              ^^^^^ error[syntax]: expected 'key: value' on an indented line of a definition block, found 'aka X'; end the block with a blank line before prose
        "#]],
    );
}

#[test]
fn lone_cr_line_ends() {
    check_files(
        with_line_ends(LINE_ENDS, "\r"),
        expect![[r#"
            //- /a.nmk
            ---
            published: 2015-13
                       ^^^^^^^ error[invalid-value]: `published: 2015-13` is not a valid date: "2015-13" is not a real date: there is no month 13
            ---
            First [line]{@nope}.
                         ^^^^^ error[undefined-reference]: undefined entity `@nope`: no definition in the workspace
            Second [line]{@nope}.
                          ^^^^^ error[undefined-reference]: undefined entity `@nope`: no definition in the workspace

            @x: persn "X"
            ^^ warning[unused-definition]: `@x` is defined in an article but nothing in the workspace references it; reference it, move it to a registry file, or delete it
                ^^^^^ error[unknown-kind]: unknown entity kind `persn` (known: person, org, place, event, group, work, product, other); did you mean `person`?
                      suggestion: `person`
              aka: X
              aka X
              ^^^^^ error[syntax]: expected 'key: value' on an indented line of a definition block, found 'aka X'; end the block with a blank line before prose
        "#]],
    );
}

#[test]
fn mixed_line_ends() {
    check_files(
        vec![("/a.nmk".to_owned(), b"One [a]{@nope}\r\nTwo [b]{@nope}\rThree [c]{@nope}\n\r\n[d]{@nope}".to_vec())],
        expect![[r#"
            //- /a.nmk
            One [a]{@nope}
                    ^^^^^ error[undefined-reference]: undefined entity `@nope`: no definition in the workspace
            Two [b]{@nope}
                    ^^^^^ error[undefined-reference]: undefined entity `@nope`: no definition in the workspace
            Three [c]{@nope}
                      ^^^^^ error[undefined-reference]: undefined entity `@nope`: no definition in the workspace

            [d]{@nope}
                ^^^^^ error[undefined-reference]: undefined entity `@nope`: no definition in the workspace
        "#]],
    );
}

#[test]
fn bom_is_not_counted_in_columns() {
    check_files(
        vec![("/a.nmk".to_owned(), "\u{feff}---\ntitle: T\n---\n[x]{@nope}\n".as_bytes().to_vec())],
        expect![[r#"
            //- /a.nmk
            ---
            title: T
            ---
            [x]{@nope}
                ^^^^^ error[undefined-reference]: undefined entity `@nope`: no definition in the workspace
        "#]],
    );
}

#[test]
fn bom_before_prose_and_header() {
    check_files(
        vec![
            ("/a.nmk".to_owned(), "\u{feff}[x]{@nope}\n".as_bytes().to_vec()),
            ("/b.nmk".to_owned(), "\u{feff}@x: persn\n".as_bytes().to_vec()),
        ],
        expect![[r#"
            //- /a.nmk
            [x]{@nope}
                ^^^^^ error[undefined-reference]: undefined entity `@nope`: no definition in the workspace
            //- /b.nmk
            @x: persn
            ^^ warning[missing-name]: entity `@x` has no display name; add one: `@x: persn "Full Name"`
                ^^^^^ error[unknown-kind]: unknown entity kind `persn` (known: person, org, place, event, group, work, product, other); did you mean `person`?
                      suggestion: `person`
        "#]],
    );
}

#[test]
fn astral_characters_before_a_range() {
    check(
        r#"
        //- /a.nmk
        🇨🇳😀 𝕏 [Mr. Xi]{@xi-jinpin} — “𝟙 two three four five six seven eight”
        "#,
        expect![[r#"
            //- /a.nmk
            🇨🇳😀 𝕏 [Mr. Xi]{@xi-jinpin} — “𝟙 two three four five six seven eight”
                           ^^^^^^^^^^ error[undefined-reference]: undefined entity `@xi-jinpin`: no definition in the workspace
                                         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[unattributed-quote]: quotation of 8 words is not attributed: no tag with a `^source` reference contains it; wrap it: `[“…”]{^source-id}`
        "#]],
    );
}

#[test]
fn unicode_ids_with_combining_marks() {
    check(
        r#"
        //- /a.nmk
        [Zoë]{@zoe\u0308} [Zoë]{@zoë} [Ἀθῆναι]{@ἀθῆναι} [東京]{@東京} [x]{@١٢٣}
        //- /registry.nmk
        @zoë: person "Zoë"
        @ἀθῆναι: place "Ἀθῆναι"
        @東京: place "東京"
        @١٢٣: other "Arabic-Indic digits"
        "#
        .replace("\\u0308", "\u{0308}")
        .as_str(),
        expect![[r#"
            //- /a.nmk
            [Zoë]{@zoë} [Zoë]{@zoë} [Ἀθῆναι]{@ἀθῆναι} [東京]{@東京} [x]{@١٢٣}
                  ^^^^^ error[undefined-reference]: undefined entity `@zoë`: no definition in the workspace; did you mean `@zoë`?
                        suggestion: `@zoë`
                                                                     ^^^^ info[unknown-alias]: “x” is neither the display name nor an `aka` of `@١٢٣` (Arabic-Indic digits); add it to `aka` if it is another name of it
            //- /registry.nmk
            @zoë: person "Zoë"
            @ἀθῆναι: place "Ἀθῆναι"
            @東京: place "東京"
            @١٢٣: other "Arabic-Indic digits"
            (no diagnostics)
        "#]],
    );
}

#[test]
fn invalid_utf8_is_unreadable_and_the_rest_is_checked() {
    let mut files = parse_fixture(
        r#"
        //- /articles/good.nmk
        [Mr. Xi]{@xi} and [him]{@nope}.
        //- /registry.nmk
        @xi: person "Xi Jinping"
          aka: Mr. Xi
        "#,
    );
    files.push(("/articles/bad.nmk".to_owned(), b"[Mr. Xi]{@xi} caf\xe9\n@lost: person \"Lost\"\n".to_vec()));
    check_files(
        files,
        expect![[r#"
        //- /articles/bad.nmk

        | error[unreadable]: the file is not valid UTF-8: invalid byte sequence at byte offset 17; save it as UTF-8
        //- /articles/good.nmk
        [Mr. Xi]{@xi} and [him]{@nope}.
                                ^^^^^ error[undefined-reference]: undefined entity `@nope`: no definition in the workspace
        //- /registry.nmk
        @xi: person "Xi Jinping"
          aka: Mr. Xi
        (no diagnostics)
    "#]],
    );
}
