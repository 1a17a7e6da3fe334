//! Checks of the article text: `unknown-alias`, `unattributed-quote` and
//! `untagged-mention`, with name matching (§7): case, dots, apostrophes,
//! white space, possessive 's and the short-name case rule.

use expect_test::expect;

use crate::support::check;

const REGISTRY: &str = r#"
//- /registry/people.nmk
@obama: person "Barack Obama"
  aka: Obama; Mr. Obama
@us: place "United States"
  aka: US; U.S.
@xi: person "Xi Jinping"
  aka: Mr. Xi; Xi
@nameless: person
"#;

fn with_registry(article: &str) -> String {
    format!("//- /articles/a.nmk\n{}\n{REGISTRY}", article.trim())
}

#[test]
fn unknown_alias_on_the_reference() {
    check(
        &with_registry("[Barry]{@obama} and [the president]{@obama @us} and [someone]{@nameless}."),
        expect![[r#"
            //- /articles/a.nmk
            [Barry]{@obama} and [the president]{@obama @us} and [someone]{@nameless}.
                    ^^^^^^ info[unknown-alias]: “Barry” is neither the display name nor an `aka` of `@obama` (Barack Obama); add it to `aka` if it is another name of it
                                                ^^^^^^ info[unknown-alias]: “the president” is neither the display name nor an `aka` of `@obama` (Barack Obama); add it to `aka` if it is another name of it
                                                       ^^^ info[unknown-alias]: “the president” is neither the display name nor an `aka` of `@us` (United States); add it to `aka` if it is another name of it

            //- /registry/people.nmk
            @obama: person "Barack Obama"
              aka: Obama; Mr. Obama
            @us: place "United States"
              aka: US; U.S.
            @xi: person "Xi Jinping"
              aka: Mr. Xi; Xi
            @nameless: person
            ^^^^^^^^^ warning[missing-name]: entity `@nameless` has no display name; add one: `@nameless: person "Full Name"`
        "#]],
    );
}

#[test]
fn alias_matching_ignores_case_dots_apostrophes_space_and_possessive() {
    check(
        &with_registry(
            "[mr obama]{@obama} [MR. OBAMA]{@obama} [Obama’s]{@obama} [Obama's]{@obama} [barack   obama]{@obama}",
        ),
        expect![[r#"
            //- /articles/a.nmk
            [mr obama]{@obama} [MR. OBAMA]{@obama} [Obama’s]{@obama} [Obama's]{@obama} [barack   obama]{@obama}

            (no diagnostics)
            //- /registry/people.nmk
            @obama: person "Barack Obama"
              aka: Obama; Mr. Obama
            @us: place "United States"
              aka: US; U.S.
            @xi: person "Xi Jinping"
              aka: Mr. Xi; Xi
            @nameless: person
            ^^^^^^^^^ warning[missing-name]: entity `@nameless` has no display name; add one: `@nameless: person "Full Name"`
        "#]],
    );
}

#[test]
fn short_names_keep_case() {
    check(
        &with_registry("[US]{@us} [us]{@us} [u s]{@us} [U.S.]{@us} [u.s.]{@us} [XI]{@xi}"),
        expect![[r#"
        //- /articles/a.nmk
        [US]{@us} [us]{@us} [u s]{@us} [U.S.]{@us} [u.s.]{@us} [XI]{@xi}
                       ^^^ info[unknown-alias]: “us” is neither the display name nor an `aka` of `@us` (United States); add it to `aka` if it is another name of it
                                  ^^^ info[unknown-alias]: “u s” is neither the display name nor an `aka` of `@us` (United States); add it to `aka` if it is another name of it
                                                          ^^^ info[unknown-alias]: “u.s.” is neither the display name nor an `aka` of `@us` (United States); add it to `aka` if it is another name of it
                                                                    ^^^ info[unknown-alias]: “XI” is neither the display name nor an `aka` of `@xi` (Xi Jinping); add it to `aka` if it is another name of it

        //- /registry/people.nmk
        @obama: person "Barack Obama"
          aka: Obama; Mr. Obama
        @us: place "United States"
          aka: US; U.S.
        @xi: person "Xi Jinping"
          aka: Mr. Xi; Xi
        @nameless: person
        ^^^^^^^^^ warning[missing-name]: entity `@nameless` has no display name; add one: `@nameless: person "Full Name"`
    "#]],
    );
}

#[test]
fn untagged_mention_suggests_the_tag() {
    check(
        &with_registry("Barack Obama met Mr. Xi in the US; Obama's aides and us."),
        expect![[r#"
        //- /articles/a.nmk
        Barack Obama met Mr. Xi in the US; Obama's aides and us.
        ^^^^^^^^^^^^ hint[untagged-mention]: “Barack Obama” names `@obama` (Barack Obama) but is not tagged
                     suggestion: `[Barack Obama]{@obama}`
                         ^^^^^^ hint[untagged-mention]: “Mr. Xi” names `@xi` (Xi Jinping) but is not tagged
                                suggestion: `[Mr. Xi]{@xi}`
                                       ^^ hint[untagged-mention]: “US” names `@us` (United States) but is not tagged
                                          suggestion: `[US]{@us}`
                                           ^^^^^ hint[untagged-mention]: “Obama” names `@obama` (Barack Obama) but is not tagged
                                                 suggestion: `[Obama]{@obama}`

        //- /registry/people.nmk
        @obama: person "Barack Obama"
          aka: Obama; Mr. Obama
        @us: place "United States"
          aka: US; U.S.
        @xi: person "Xi Jinping"
          aka: Mr. Xi; Xi
        @nameless: person
        ^^^^^^^^^ warning[missing-name]: entity `@nameless` has no display name; add one: `@nameless: person "Full Name"`
    "#]],
    );
}

#[test]
fn untagged_mention_on_word_boundaries_only() {
    check(
        &with_registry("Obamacare, Xiamen, ObamaXi and 2Obama are not names; (Obama) is."),
        expect![[r#"
        //- /articles/a.nmk
        Obamacare, Xiamen, ObamaXi and 2Obama are not names; (Obama) is.
                                                              ^^^^^ hint[untagged-mention]: “Obama” names `@obama` (Barack Obama) but is not tagged
                                                                    suggestion: `[Obama]{@obama}`

        //- /registry/people.nmk
        @obama: person "Barack Obama"
          aka: Obama; Mr. Obama
        @us: place "United States"
          aka: US; U.S.
        @xi: person "Xi Jinping"
          aka: Mr. Xi; Xi
        @nameless: person
        ^^^^^^^^^ warning[missing-name]: entity `@nameless` has no display name; add one: `@nameless: person "Full Name"`
    "#]],
    );
}

/// Name matching removes `.` (§7), so a name written with dots is found
/// without them and the other way round, even when the prose splits the
/// first word differently from the name (`U.K` against `UK`).
#[test]
fn untagged_mention_whatever_the_dots_between_the_words() {
    check(
        "//- /articles/a.nmk\nThe UK and the U.S. met; the U.K. team and US envoys, then N.A.T.O.\n//- /registry/places.nmk\n@uk: place \"Britain\"\n  aka: U.K.\n@us: place \"America\"\n  aka: US\n@nato: org \"Alliance\"\n  aka: NATO\n",
        expect![[r#"
            //- /articles/a.nmk
            The UK and the U.S. met; the U.K. team and US envoys, then N.A.T.O.
                ^^ hint[untagged-mention]: “UK” names `@uk` (Britain) but is not tagged
                   suggestion: `[UK]{@uk}`
                           ^^^ hint[untagged-mention]: “U.S” names `@us` (America) but is not tagged
                               suggestion: `[U.S]{@us}`
                                         ^^^ hint[untagged-mention]: “U.K” names `@uk` (Britain) but is not tagged
                                             suggestion: `[U.K]{@uk}`
                                                       ^^ hint[untagged-mention]: “US” names `@us` (America) but is not tagged
                                                          suggestion: `[US]{@us}`
                                                                       ^^^^^^^ hint[untagged-mention]: “N.A.T.O” names `@nato` (Alliance) but is not tagged
                                                                               suggestion: `[N.A.T.O]{@nato}`
            //- /registry/places.nmk
            @uk: place "Britain"
              aka: U.K.
            @us: place "America"
              aka: US
            @nato: org "Alliance"
              aka: NATO
            (no diagnostics)
        "#]],
    );
}

#[test]
fn overlapping_mentions_keep_earliest_then_longest() {
    check(
        &with_registry("Mr. Obama spoke. Barack Obama spoke."),
        expect![[r#"
        //- /articles/a.nmk
        Mr. Obama spoke. Barack Obama spoke.
        ^^^^^^^^^ hint[untagged-mention]: “Mr. Obama” names `@obama` (Barack Obama) but is not tagged
                  suggestion: `[Mr. Obama]{@obama}`
                         ^^^^^^^^^^^^ hint[untagged-mention]: “Barack Obama” names `@obama` (Barack Obama) but is not tagged
                                      suggestion: `[Barack Obama]{@obama}`

        //- /registry/people.nmk
        @obama: person "Barack Obama"
          aka: Obama; Mr. Obama
        @us: place "United States"
          aka: US; U.S.
        @xi: person "Xi Jinping"
          aka: Mr. Xi; Xi
        @nameless: person
        ^^^^^^^^^ warning[missing-name]: entity `@nameless` has no display name; add one: `@nameless: person "Full Name"`
    "#]],
    );
}

#[test]
fn no_untagged_mention_inside_entity_tags_but_inside_source_tags() {
    check(
        &with_registry("[Obama said it]{@obama} and [“Xi spoke”]{^s}.\n\n^s: data \"S\"\n  by: @xi"),
        expect![[r#"
            //- /articles/a.nmk
            [Obama said it]{@obama} and [“Xi spoke”]{^s}.
                            ^^^^^^ info[unknown-alias]: “Obama said it” is neither the display name nor an `aka` of `@obama` (Barack Obama); add it to `aka` if it is another name of it
                                          ^^ hint[untagged-mention]: “Xi” names `@xi` (Xi Jinping) but is not tagged
                                             suggestion: `[Xi]{@xi}`

            ^s: data "S"
              by: @xi

            //- /registry/people.nmk
            @obama: person "Barack Obama"
              aka: Obama; Mr. Obama
            @us: place "United States"
              aka: US; U.S.
            @xi: person "Xi Jinping"
              aka: Mr. Xi; Xi
            @nameless: person
            ^^^^^^^^^ warning[missing-name]: entity `@nameless` has no display name; add one: `@nameless: person "Full Name"`
        "#]],
    );
}

#[test]
fn raw_braces_of_a_failed_tag_are_not_prose() {
    check(
        &with_registry("[Barack Obama]{Obama} and [x]{@obama Xi"),
        expect![[r#"
            //- /articles/a.nmk
            [Barack Obama]{Obama} and [x]{@obama Xi
             ^^^^^^^^^^^^ hint[untagged-mention]: “Barack Obama” names `@obama` (Barack Obama) but is not tagged
                          suggestion: `[Barack Obama]{@obama}`
                          ^^^^^^^ error[syntax]: expected a reference after '{', found 'Obama' without a sigil: write '@Obama' for an entity or '^Obama' for a source
                                         ^^^^^^^^^^ error[syntax]: expected '}' after '@obama', found 'Xi'

            //- /registry/people.nmk
            @obama: person "Barack Obama"
              aka: Obama; Mr. Obama
            @us: place "United States"
              aka: US; U.S.
            @xi: person "Xi Jinping"
              aka: Mr. Xi; Xi
            @nameless: person
            ^^^^^^^^^ warning[missing-name]: entity `@nameless` has no display name; add one: `@nameless: person "Full Name"`
        "#]],
    );
}

#[test]
fn mention_across_a_line_break_in_one_paragraph() {
    check(
        &with_registry("Barack\nObama spoke.\n\nBarack\n\nObama again."),
        expect![[r#"
        //- /articles/a.nmk
        Barack
        ^^^^^^ hint[untagged-mention] (to 2:6): “Barack Obama” names `@obama` (Barack Obama) but is not tagged
               suggestion: `[Barack
        Obama]{@obama}`
        Obama spoke.

        Barack

        Obama again.
        ^^^^^ hint[untagged-mention]: “Obama” names `@obama` (Barack Obama) but is not tagged
              suggestion: `[Obama]{@obama}`

        //- /registry/people.nmk
        @obama: person "Barack Obama"
          aka: Obama; Mr. Obama
        @us: place "United States"
          aka: US; U.S.
        @xi: person "Xi Jinping"
          aka: Mr. Xi; Xi
        @nameless: person
        ^^^^^^^^^ warning[missing-name]: entity `@nameless` has no display name; add one: `@nameless: person "Full Name"`
    "#]],
    );
}

#[test]
fn unattributed_quote_counts_words_with_a_letter_or_digit() {
    check(
        r#"
        //- /a.nmk
        “one two three four five six seven eight” and “one two three four five six seven — —”.
        «un deux trois quatre cinq six sept huit» and "one two three four five six 7 8" and "a" b "c".
        "#,
        expect![[r#"
            //- /a.nmk
            “one two three four five six seven eight” and “one two three four five six seven — —”.
            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[unattributed-quote]: quotation of 8 words is not attributed: no tag with a `^source` reference contains it; wrap it: `[“…”]{^source-id}`
            «un deux trois quatre cinq six sept huit» and "one two three four five six 7 8" and "a" b "c".
            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[unattributed-quote]: quotation of 8 words is not attributed: no tag with a `^source` reference contains it; wrap it: `[“…”]{^source-id}`
                                                          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[unattributed-quote]: quotation of 8 words is not attributed: no tag with a `^source` reference contains it; wrap it: `[“…”]{^source-id}`
        "#]],
    );
}

#[test]
fn a_quotation_stays_within_one_paragraph() {
    check(
        r#"
        //- /a.nmk
        “one two three four
        five six seven eight”

        “one two three four

        five six seven eight”
        "#,
        expect![[r#"
            //- /a.nmk
            “one two three four
            ^^^^^^^^^^^^^^^^^^^ warning[unattributed-quote] (to 2:22): quotation of 8 words is not attributed: no tag with a `^source` reference contains it; wrap it: `[“…”]{^source-id}`
            five six seven eight”

            “one two three four

            five six seven eight”
        "#]],
    );
}

#[test]
fn quotation_inside_a_source_tag_is_attributed() {
    check(
        r#"
        //- /a.nmk
        [He said “one two three four five six seven eight”]{^s}, then “one two three [four five six seven eight”]{^s}.
        [“one two three four five six seven eight”]{@xi}

        ^s: data "S"
        @xi: person "Xi"
        "#,
        expect![[r#"
            //- /a.nmk
            [He said “one two three four five six seven eight”]{^s}, then “one two three [four five six seven eight”]{^s}.
                                                                          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[unattributed-quote]: quotation of 8 words is not attributed: no tag with a `^source` reference contains it; wrap it: `[“…”]{^source-id}`
            [“one two three four five six seven eight”]{@xi}
             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[unattributed-quote]: quotation of 8 words is not attributed: no tag with a `^source` reference contains it; wrap it: `[“…”]{^source-id}`
                                                        ^^^ info[unknown-alias]: ““one two three four five six seven eight”” is neither the display name nor an `aka` of `@xi` (Xi); add it to `aka` if it is another name of it

            ^s: data "S"
            @xi: person "Xi"
        "#]],
    );
}

#[test]
fn quote_min_words_from_config() {
    check(
        r#"
        //- /newsmark.toml
        [lint]
        quote-min-words = 3
        //- /a.nmk
        “one two” and “one two three”.
        "#,
        expect![[r#"
            //- /a.nmk
            “one two” and “one two three”.
                          ^^^^^^^^^^^^^^^ warning[unattributed-quote]: quotation of 3 words is not attributed: no tag with a `^source` reference contains it; wrap it: `[“…”]{^source-id}`
        "#]],
    );
}

/// A name several entities share stands for the one of the first
/// definition naming it, by path then position: here `@y` in `a.nmk`,
/// though `@x` is defined before it in the same file (its first
/// definition lacks the name; its second, after `@y`, has it), and `@z`
/// has it in a file whose path sorts later.
#[test]
fn a_shared_name_stands_for_its_first_definition_by_path_then_position() {
    check(
        r#"
        //- /articles/a.nmk
        Then Lovelace spoke.
        //- /registry/b.nmk
        @z: person "Zed"
          aka: Lovelace
        //- /registry/a.nmk
        @x: person "Ex"
        @y: person "Why"
          aka: Lovelace
        @x: person "Ex"
          aka: Lovelace
        "#,
        expect![[r#"
            //- /articles/a.nmk
            Then Lovelace spoke.
                 ^^^^^^^^ hint[untagged-mention]: “Lovelace” names `@y` (Why) but is not tagged; other entities have this name too
            //- /registry/a.nmk
            @x: person "Ex"
            ^^ error[duplicate-definition]: `@x` is defined 2 times; also in registry/a.nmk
               related: registry/a.nmk:4:1: `@x` is also defined here
            @y: person "Why"
              aka: Lovelace
            @x: person "Ex"
            ^^ error[duplicate-definition]: `@x` is defined 2 times; also in registry/a.nmk
               related: registry/a.nmk:1:1: `@x` is also defined here
              aka: Lovelace
            //- /registry/b.nmk
            @z: person "Zed"
              aka: Lovelace
            (no diagnostics)
        "#]],
    );
}

/// `unknown-alias` for a name more entities share than the name index
/// scans for one of them (its entry is then checked against the entity's
/// own names): the shared name is known, another is not.
#[test]
fn unknown_alias_with_a_name_many_entities_share() {
    let mut fixture = String::from("//- /articles/a.nmk\n[Kelly]{@k7} met [Smith]{@k7}.\n//- /registry/k.nmk\n");
    for i in 0..40 {
        fixture.push_str(&format!("@k{i}: person \"Person {i}\"\n  aka: Kelly\n"));
    }
    let out = crate::support::annotate_workspace(&crate::support::parse_fixture(&fixture));
    let article = out.split("//- /registry").next().unwrap_or("");
    let aliases: Vec<&str> = article.lines().filter(|l| l.contains("unknown-alias")).collect();
    assert_eq!(aliases.len(), 1, "{article}");
    assert!(aliases[0].contains("“Smith”"), "{article}");
}
