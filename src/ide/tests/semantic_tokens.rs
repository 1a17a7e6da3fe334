//! Semantic tokens as annotated source.

use expect_test::{Expect, expect};

use crate::ide::fixture::{Fixture, annotate};
use crate::ide::{TokenModifier, semantic_tokens};
use crate::text::TextRange;

fn check(text: &str, range: Option<TextRange>, expect: Expect) {
    let f = Fixture::new(text);
    let ctx = f.ctx(f.files[0].0);
    let tokens = semantic_tokens(ctx, range);
    for w in tokens.windows(2) {
        assert!(w[0].range.end <= w[1].range.start, "overlap: {w:?}");
    }
    for t in &tokens {
        assert!(!t.range.slice(ctx.text).contains(['\n', '\r']), "multi-line: {t:?}");
    }
    let marks: Vec<_> = tokens
        .iter()
        .map(|t| {
            let mods: Vec<String> = TokenModifier::ALL
                .iter()
                .filter(|m| t.modifiers & m.bit() != 0)
                .map(|m| format!("{m:?}").to_lowercase())
                .collect();
            (
                t.range,
                format!("{:?}{}", t.kind, if mods.is_empty() { String::new() } else { format!(" {}", mods.join(",")) }),
            )
        })
        .collect();
    expect.assert_eq(&annotate(ctx.text, &marks));
}

#[test]
fn small_document() {
    check(
        "---\noutlet: @t\n---\n[[Xi]{@xi} said \\[x\\]]{^s @nope} <!-- a\nb -->\n\n@xi: person \"Xi\"\n^s: remarks\n  by: @xi\n@t: org\n",
        None,
        expect![[r#"
            ---
            ^^^ Punctuation
            outlet: @t
            ^^^^^^ Key
                    ^^ Entity
            ---
            ^^^ Punctuation
            [[Xi]{@xi} said \[x\]]{^s @nope} <!-- a
            ^ Punctuation
             ^ Punctuation
                ^^ Punctuation
                  ^^^ Entity
                     ^ Punctuation
                            ^ Escape
                               ^ Escape
                                 ^^ Punctuation
                                   ^^ Source
                                      ^^^^^ Entity undefined
                                           ^ Punctuation
                                             ^^^^^^ Comment
            b -->
            ^^^^^ Comment

            @xi: person "Xi"
            ^^^ Entity declaration
                 ^^^^^^ Kind
                        ^^^^ DisplayName
            ^s: remarks
            ^^ Source declaration
                ^^^^^^^ Kind
              by: @xi
              ^^ Key
                  ^^^ Entity
            @t: org
            ^^ Entity declaration
                ^^^ Kind

        "#]],
    );
}

#[test]
fn comment_inside_a_reference_and_a_range() {
    check(
        "[x]{@a<!-- c -->b}\n[y]{@c}\n",
        None,
        expect![[r#"
        [x]{@a<!-- c -->b}
        ^ Punctuation
          ^^ Punctuation
            ^^ Entity undefined
              ^^^^^^^^^^ Comment
                        ^ Entity undefined
                         ^ Punctuation
        [y]{@c}
        ^ Punctuation
          ^^ Punctuation
            ^^ Entity undefined
              ^ Punctuation

    "#]],
    );
    check(
        "[x]{@a}\n[y]{@c}\n",
        Some(TextRange::new(8, 16)),
        expect![[r#"
        [x]{@a}
        [y]{@c}
        ^ Punctuation
          ^^ Punctuation
            ^^ Entity undefined
              ^ Punctuation

    "#]],
    );
}
