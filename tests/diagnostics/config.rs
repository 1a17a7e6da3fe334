//! Config that changes diagnostics: `[rules]` severities and `off`, extra
//! kinds, `exclude`. (Invalid configs are tested through the CLI in
//! tests/cli.rs, and here only for how they stop loading.)

use expect_test::expect;

use crate::support::check;

#[test]
fn rules_change_severity_and_turn_codes_off() {
    check(
        r#"
        //- /newsmark.toml
        [rules]
        undefined-reference = "warning"
        missing-name = "off"
        unknown-key = "error"
        untagged-mention = "info"
        unknown-alias = "hint"
        //- /a.nmk
        [Mr. X]{@x} and [z]{@nope}; [Why]{@y} and Y again.

        @x: person
          x-ok: fine
          colour: blue
        @y: person "Y"
        "#,
        expect![[r#"
            //- /a.nmk
            [Mr. X]{@x} and [z]{@nope}; [Why]{@y} and Y again.
                                ^^^^^ warning[undefined-reference]: undefined entity `@nope`: no definition in the workspace
                                              ^^ hint[unknown-alias]: “Why” is neither the display name nor an `aka` of `@y` (Y); add it to `aka` if it is another name of it
                                                      ^ info[untagged-mention]: “Y” names `@y` (Y) but is not tagged
                                                        suggestion: `[Y]{@y}`

            @x: person
              x-ok: fine
              colour: blue
              ^^^^^^ error[unknown-key]: unknown key `colour` (known here: aka, role, wikidata, url, part-of, note; prefix private keys with `x-`)
            @y: person "Y"
        "#]],
    );
}

#[test]
fn syntax_can_be_turned_off_too() {
    check(
        r#"
        //- /newsmark.toml
        [rules]
        syntax = "off"
        //- /a.nmk
        [a]{nope}
        "#,
        expect![[r#"
            //- /a.nmk
            [a]{nope}
            (no diagnostics)
        "#]],
    );
}

#[test]
fn extra_kinds_from_config() {
    check(
        r#"
        //- /newsmark.toml
        [kinds]
        entity = ["vessel"]
        source = ["court-filing"]
        //- /registry.nmk
        @ship: vessel "Ever Given"
        @other: vesel "Typo"
        ^filing: court-filing "A filing needs no by"
        ^ship: vessel "Entity kinds are not source kinds"
        "#,
        expect![[r#"
            //- /registry.nmk
            @ship: vessel "Ever Given"
            @other: vesel "Typo"
                    ^^^^^ error[unknown-kind]: unknown entity kind `vesel` (known: person, org, place, event, group, work, product, other, vessel); did you mean `vessel`?
                          suggestion: `vessel`
            ^filing: court-filing "A filing needs no by"
            ^ship: vessel "Entity kinds are not source kinds"
                   ^^^^^^ error[unknown-kind]: unknown source kind `vessel` (known: statement, remarks, interview, document, article, post, data, anonymous, observation, court-filing)
        "#]],
    );
}

#[test]
fn invalid_config_stops_loading() {
    check(
        r#"
        //- /newsmark.toml
        [rules]
        undefined-refrence = "off"
        //- /a.nmk
        [a]{@nope}
        "#,
        expect![[r#"
            workspace not loaded: <root>/newsmark.toml: unknown rule "undefined-refrence" in [rules]; did you mean "undefined-reference"?
        "#]],
    );
}
