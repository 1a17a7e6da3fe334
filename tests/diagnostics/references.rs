//! `undefined-reference` (with "did you mean" and the other sigil),
//! `duplicate-definition` across files, `unused-definition` and registry
//! files, `source-after-publication` with partial dates and date-times.

use expect_test::expect;

use crate::support::check;

#[test]
fn undefined_reference_suggests_closest_id() {
    check(
        r#"
        //- /articles/a.nmk
        [Mr. Xi]{@xi-jinpin} met [him]{@somebody-else}.
        //- /registry/people.nmk
        @xi-jinping: person "Xi Jinping"
          aka: Mr. Xi
        "#,
        expect![[r#"
            //- /articles/a.nmk
            [Mr. Xi]{@xi-jinpin} met [him]{@somebody-else}.
                     ^^^^^^^^^^ error[undefined-reference]: undefined entity `@xi-jinpin`: no definition in the workspace; did you mean `@xi-jinping`?
                                suggestion: `@xi-jinping`
                                           ^^^^^^^^^^^^^^ error[undefined-reference]: undefined entity `@somebody-else`: no definition in the workspace
            //- /registry/people.nmk
            @xi-jinping: person "Xi Jinping"
              aka: Mr. Xi
            (no diagnostics)
        "#]],
    );
}

#[test]
fn undefined_reference_in_attribute_values() {
    check(
        r#"
        //- /articles/a.nmk
        ---
        outlet: @times
        byline: @ann; @bob
        ---
        Text.
        //- /registry/sources.nmk
        ^s: statement "S"
          by: @xi
          via: @wire
        @org: org "Org"
          part-of: @parent
        "#,
        expect![[r#"
            //- /articles/a.nmk
            ---
            outlet: @times
                    ^^^^^^ error[undefined-reference]: undefined entity `@times`: no definition in the workspace
            byline: @ann; @bob
                    ^^^^ error[undefined-reference]: undefined entity `@ann`: no definition in the workspace
                          ^^^^ error[undefined-reference]: undefined entity `@bob`: no definition in the workspace
            ---
            Text.
            //- /registry/sources.nmk
            ^s: statement "S"
              by: @xi
                  ^^^ error[undefined-reference]: undefined entity `@xi`: no definition in the workspace
              via: @wire
                   ^^^^^ error[undefined-reference]: undefined entity `@wire`: no definition in the workspace
            @org: org "Org"
              part-of: @parent
                       ^^^^^^^ error[undefined-reference]: undefined entity `@parent`: no definition in the workspace
        "#]],
    );
}

#[test]
fn tag_with_wrong_sigil_says_the_id_exists_under_the_other() {
    check(
        r#"
        //- /articles/a.nmk
        [Mr. Xi]{^xi} said [“we will open up”]{@xi-remarks}.
        //- /registry.nmk
        @xi: person "Xi Jinping"
          aka: Mr. Xi
        ^xi-remarks: remarks "Remarks"
          by: @xi
        "#,
        expect![[r#"
            //- /articles/a.nmk
            [Mr. Xi]{^xi} said [“we will open up”]{@xi-remarks}.
             ^^^^^^ hint[untagged-mention]: “Mr. Xi” names `@xi` (Xi Jinping) but is not tagged
                    suggestion: `[Mr. Xi]{@xi}`
                     ^^^ error[undefined-reference]: no source `^xi` is defined, but `@xi` exists as an entity; did you mean `@xi`?
                         suggestion: `@xi`
                                                   ^^^^^^^^^^^ error[undefined-reference]: no entity `@xi-remarks` is defined, but `^xi-remarks` exists as a source; did you mean `^xi-remarks`?
                                                               suggestion: `^xi-remarks`
            //- /registry.nmk
            @xi: person "Xi Jinping"
              aka: Mr. Xi
            ^xi-remarks: remarks "Remarks"
              by: @xi
            (no diagnostics)
        "#]],
    );
}

#[test]
fn wrong_sigil_in_by_is_an_invalid_value() {
    check(
        r#"
        //- /registry.nmk
        @xi: person "Xi Jinping"
        ^remarks: remarks "Remarks"
          by: ^xi; xi; @xi
        ^other: statement "Other"
          via: ^remarks
          by: @xi
        "#,
        expect![[r#"
            //- /registry.nmk
            @xi: person "Xi Jinping"
            ^remarks: remarks "Remarks"
              by: ^xi; xi; @xi
                  ^^^ error[invalid-value]: `by` expects an entity reference (`@id`), not the source `^xi`; did you mean `@xi`?
                      suggestion: `@xi`
                       ^^ error[invalid-value]: `xi` in `by` is not a reference; write `@id`
            ^other: statement "Other"
              via: ^remarks
                   ^^^^^^^^ error[invalid-value]: `via` expects an entity reference (`@id`), not the source `^remarks`
              by: @xi
        "#]],
    );
}

#[test]
fn entities_and_sources_are_separate_namespaces() {
    check(
        r#"
        //- /registry.nmk
        @dhs: org "Department of Homeland Security"
        ^dhs: statement "DHS statement"
          by: @dhs
        "#,
        expect![[r#"
            //- /registry.nmk
            @dhs: org "Department of Homeland Security"
            ^dhs: statement "DHS statement"
              by: @dhs
            (no diagnostics)
        "#]],
    );
}

#[test]
fn ids_compare_case_sensitively() {
    check(
        r#"
        //- /a.nmk
        [Xi]{@Xi} spoke.
        //- /registry.nmk
        @xi: person "Xi"
        "#,
        expect![[r#"
            //- /a.nmk
            [Xi]{@Xi} spoke.
                 ^^^ error[undefined-reference]: undefined entity `@Xi`: no definition in the workspace; did you mean `@xi`?
                     suggestion: `@xi`
            //- /registry.nmk
            @xi: person "Xi"
            (no diagnostics)
        "#]],
    );
}

#[test]
fn duplicate_definition_across_files_names_the_other_places() {
    check(
        r#"
        //- /registry/a.nmk
        @xi: person "Xi Jinping"
        //- /registry/b.nmk
        <!-- People -->
        @xi: person "Xi"
        @xi: person "Xi again"
        @dup: person "Once"
        ^dup: document "A source with the same id is fine"
          by: @dup
        "#,
        expect![[r#"
            //- /registry/a.nmk
            @xi: person "Xi Jinping"
            ^^^ error[duplicate-definition]: `@xi` is defined 3 times; also in registry/b.nmk
                related: registry/b.nmk:2:1: `@xi` is also defined here
                related: registry/b.nmk:3:1: `@xi` is also defined here
            //- /registry/b.nmk
            <!-- People -->
            @xi: person "Xi"
            ^^^ error[duplicate-definition]: `@xi` is defined 3 times; also in registry/a.nmk, registry/b.nmk
                related: registry/a.nmk:1:1: `@xi` is also defined here
                related: registry/b.nmk:3:1: `@xi` is also defined here
            @xi: person "Xi again"
            ^^^ error[duplicate-definition]: `@xi` is defined 3 times; also in registry/a.nmk, registry/b.nmk
                related: registry/a.nmk:1:1: `@xi` is also defined here
                related: registry/b.nmk:2:1: `@xi` is also defined here
            @dup: person "Once"
            ^dup: document "A source with the same id is fine"
              by: @dup
        "#]],
    );
}

#[test]
fn unused_definition_only_outside_registry_files() {
    check(
        r#"
        //- /articles/a.nmk
        An article that defines things it never uses.

        @local: person "Local Person"
        @used: person "Used Elsewhere"
        //- /articles/b.nmk
        Here is [someone]{@used}.
        //- /registry/people.nmk
        ---
        title: A registry may have front matter
        ---
        <!-- and comments -->
        @never-referenced: person "Nobody Cites Me"
        "#,
        expect![[r#"
            //- /articles/a.nmk
            An article that defines things it never uses.

            @local: person "Local Person"
            ^^^^^^ warning[unused-definition]: `@local` is defined in an article but nothing in the workspace references it; reference it, move it to a registry file, or delete it
            @used: person "Used Elsewhere"
            //- /articles/b.nmk
            Here is [someone]{@used}.
                              ^^^^^ info[unknown-alias]: “someone” is neither the display name nor an `aka` of `@used` (Used Elsewhere); add it to `aka` if it is another name of it
            //- /registry/people.nmk
            ---
            title: A registry may have front matter
            ---
            <!-- and comments -->
            @never-referenced: person "Nobody Cites Me"
            (no diagnostics)
        "#]],
    );
}

#[test]
fn a_reference_from_an_attribute_counts_as_use() {
    check(
        r#"
        //- /articles/a.nmk
        [“A long enough quotation to need a source here”]{^s}

        ^s: statement "S"
          by: @speaker
        @speaker: person "The Speaker"
        "#,
        expect![[r#"
            //- /articles/a.nmk
            [“A long enough quotation to need a source here”]{^s}

            ^s: statement "S"
              by: @speaker
            @speaker: person "The Speaker"
            (no diagnostics)
        "#]],
    );
}

#[test]
fn source_after_publication_with_partial_dates() {
    check(
        r#"
        //- /articles/a.nmk
        ---
        published: 2015-11
        ---
        [a]{^same-month} [b]{^next-month} [c]{^year-only} [d]{^next-year} [e]{^last-day} [f]{^first-day-after}
        //- /registry/sources.nmk
        ^same-month: data "S"
          date: 2015-11
        ^next-month: data "S"
          date: 2015-12
        ^year-only: data "S"
          date: 2015
        ^next-year: data "S"
          date: 2016
        ^last-day: data "S"
          date: 2015-11-30
        ^first-day-after: data "S"
          date: 2015-12-01
        "#,
        expect![[r#"
            //- /articles/a.nmk
            ---
            published: 2015-11
            ---
            [a]{^same-month} [b]{^next-month} [c]{^year-only} [d]{^next-year} [e]{^last-day} [f]{^first-day-after}
                                 ^^^^^^^^^^^ warning[source-after-publication]: source `^next-month` is dated 2015-12, after the article's publication (2015-11)
                                                                  ^^^^^^^^^^ warning[source-after-publication]: source `^next-year` is dated 2016, after the article's publication (2015-11)
                                                                                                 ^^^^^^^^^^^^^^^^ warning[source-after-publication]: source `^first-day-after` is dated 2015-12-01, after the article's publication (2015-11)
            //- /registry/sources.nmk
            ^same-month: data "S"
              date: 2015-11
            ^next-month: data "S"
              date: 2015-12
            ^year-only: data "S"
              date: 2015
            ^next-year: data "S"
              date: 2016
            ^last-day: data "S"
              date: 2015-11-30
            ^first-day-after: data "S"
              date: 2015-12-01
            (no diagnostics)
        "#]],
    );
}

#[test]
fn source_after_publication_with_date_times() {
    check(
        r#"
        //- /articles/a.nmk
        ---
        published: 2015-11-16T09:30:00+08:00
        ---
        [a]{^earlier-instant} [b]{^later-instant} [c]{^same-day} [d]{^next-day}
        //- /registry/sources.nmk
        ^earlier-instant: data "S"
          date: 2015-11-16T01:30:00Z
        ^later-instant: data "S"
          date: 2015-11-16T01:31:00Z
        ^same-day: data "S"
          date: 2015-11-16
        ^next-day: data "S"
          date: 2015-11-17
        "#,
        expect![[r#"
            //- /articles/a.nmk
            ---
            published: 2015-11-16T09:30:00+08:00
            ---
            [a]{^earlier-instant} [b]{^later-instant} [c]{^same-day} [d]{^next-day}
                                      ^^^^^^^^^^^^^^ warning[source-after-publication]: source `^later-instant` is dated 2015-11-16T01:31:00Z, after the article's publication (2015-11-16T09:30:00+08:00)
                                                                         ^^^^^^^^^ warning[source-after-publication]: source `^next-day` is dated 2015-11-17, after the article's publication (2015-11-16T09:30:00+08:00)
            //- /registry/sources.nmk
            ^earlier-instant: data "S"
              date: 2015-11-16T01:30:00Z
            ^later-instant: data "S"
              date: 2015-11-16T01:31:00Z
            ^same-day: data "S"
              date: 2015-11-16
            ^next-day: data "S"
              date: 2015-11-17
            (no diagnostics)
        "#]],
    );
}

#[test]
fn no_source_after_publication_without_valid_dates() {
    check(
        r#"
        //- /articles/a.nmk
        ---
        published: 2015-02-30
        ---
        [a]{^s}
        //- /articles/b.nmk
        [b]{^s}
        //- /registry/sources.nmk
        ^s: data "S"
          date: 2099
        "#,
        expect![[r#"
            //- /articles/a.nmk
            ---
            published: 2015-02-30
                       ^^^^^^^^^^ error[invalid-value]: `published: 2015-02-30` is not a valid date: "2015-02-30" is not a real date: 2015-02 has 28 days
            ---
            [a]{^s}
            //- /articles/b.nmk
            [b]{^s}
            (no diagnostics)
            //- /registry/sources.nmk
            ^s: data "S"
              date: 2099
            (no diagnostics)
        "#]],
    );
}
