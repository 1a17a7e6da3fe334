//! Suppression comments (spec §13): every directive, in prose, front
//! matter and definition blocks, with `\n`, `\r\n` and lone `\r` line
//! ends; `unused-suppression` for what silenced nothing, for unknown codes
//! and codes that cannot be suppressed, but not for codes off in the run.

use expect_test::expect;

use crate::support::{annotate_workspace, check, parse_fixture};

const EVERY_DIRECTIVE: &str = r#"
//- /registry.nmk
@obama: person "Barack Obama"
  aka: Obama
//- /a.nmk
---
tiitle: T <!-- newsmark-disable-line unknown-key -->
<!-- newsmark-disable-next-line invalid-value -->
published: 2015-13
updated: 2015-14
---
Obama spoke.<!-- newsmark-disable-line untagged-mention -->
<!-- newsmark-disable-next-line -->
Obama spoke again.
Obama is reported.
<!-- newsmark-disable untagged-mention -->
Obama, Obama.
<!-- newsmark-enable untagged-mention -->
Obama once more.

@x: persn "X" <!-- newsmark-disable-line unknown-kind -->
  <!--
    newsmark-disable-next-line unknown-key
  -->
  rle: y
  rle2: z
<!-- newsmark-disable-file unused-definition -->
<!-- newsmark-disable-next-line missing-name, no-such-code syntax -->

"#;

#[test]
fn every_directive_in_prose_front_matter_and_blocks() {
    check(
        EVERY_DIRECTIVE,
        expect![[r#"
            //- /a.nmk
            ---
            tiitle: T <!-- newsmark-disable-line unknown-key -->
            <!-- newsmark-disable-next-line invalid-value -->
            published: 2015-13
            updated: 2015-14
                     ^^^^^^^ error[invalid-value]: `updated: 2015-14` is not a valid date: "2015-14" is not a real date: there is no month 14
            ---
            Obama spoke.<!-- newsmark-disable-line untagged-mention -->
            <!-- newsmark-disable-next-line -->
            Obama spoke again.
            Obama is reported.
            ^^^^^ hint[untagged-mention]: “Obama” names `@obama` (Barack Obama) but is not tagged
                  suggestion: `[Obama]{@obama}`
            <!-- newsmark-disable untagged-mention -->
            Obama, Obama.
            <!-- newsmark-enable untagged-mention -->
            Obama once more.
            ^^^^^ hint[untagged-mention]: “Obama” names `@obama` (Barack Obama) but is not tagged
                  suggestion: `[Obama]{@obama}`

            @x: persn "X" <!-- newsmark-disable-line unknown-kind -->
              <!--
                newsmark-disable-next-line unknown-key
              -->
              rle: y
              rle2: z
              ^^^^ warning[unknown-key]: unknown key `rle2` (known here: aka, role, wikidata, url, part-of, note; prefix private keys with `x-`); did you mean `role`?
                   suggestion: `role`
            <!-- newsmark-disable-file unused-definition -->
            <!-- newsmark-disable-next-line missing-name, no-such-code syntax -->
            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[unused-suppression]: unused suppression `newsmark-disable-next-line`: `missing-name` suppressed nothing; `no-such-code` is not a Newsmark code; `syntax` cannot be suppressed

            //- /registry.nmk
            @obama: person "Barack Obama"
              aka: Obama
            (no diagnostics)
        "#]],
    );
}

/// The same diagnostics, at the same places, whatever the line ends.
#[test]
fn every_directive_with_crlf_and_lone_cr() {
    let with = |eol: &str| {
        let files: Vec<_> = parse_fixture(EVERY_DIRECTIVE)
            .into_iter()
            .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap().replace('\n', eol).into_bytes()))
            .collect();
        annotate_workspace(&files).replace("\r\n", "\n").replace('\r', "\n")
    };
    let lf = with("\n");
    assert!(lf.contains("unused-suppression"), "{lf}");
    assert_eq!(with("\r\n"), lf);
    assert_eq!(with("\r"), lf);
}

#[test]
fn codes_off_in_the_run_are_not_judged() {
    check(
        r#"
        //- /newsmark.toml
        [rules]
        untagged-mention = "off"
        //- /registry.nmk
        @obama: person "Barack Obama"
        //- /a.nmk
        Barack Obama spoke.<!-- newsmark-disable-line untagged-mention -->
        Barack Obama spoke.<!-- newsmark-disable-line untagged-mention unknown-alias -->
        "#,
        expect![[r#"
            //- /a.nmk
            Barack Obama spoke.<!-- newsmark-disable-line untagged-mention -->
            Barack Obama spoke.<!-- newsmark-disable-line untagged-mention unknown-alias -->
                               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[unused-suppression]: unused suppression `newsmark-disable-line`: `unknown-alias` suppressed nothing
            //- /registry.nmk
            @obama: person "Barack Obama"
            (no diagnostics)
        "#]],
    );
}

#[test]
fn enable_ends_a_blanket_disable_for_its_code_only() {
    check(
        r#"
        //- /registry.nmk
        @obama: person "Barack Obama"
        //- /a.nmk
        <!-- newsmark-disable -->
        Barack Obama spoke of [Barry]{@obama}.
        <!-- newsmark-enable untagged-mention -->
        Barack Obama spoke of [Barry]{@obama}.
        "#,
        expect![[r#"
            //- /a.nmk
            <!-- newsmark-disable -->
            Barack Obama spoke of [Barry]{@obama}.
            <!-- newsmark-enable untagged-mention -->
            Barack Obama spoke of [Barry]{@obama}.
            ^^^^^^^^^^^^ hint[untagged-mention]: “Barack Obama” names `@obama` (Barack Obama) but is not tagged
                         suggestion: `[Barack Obama]{@obama}`
            //- /registry.nmk
            @obama: person "Barack Obama"
            (no diagnostics)
        "#]],
    );
}
