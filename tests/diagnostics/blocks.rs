//! Checks of definition blocks and front matter: `unknown-kind`,
//! `invalid-value`, `unknown-key`, `duplicate-key`, `missing-name`,
//! `missing-attribution`, `missing-front-matter`.

use expect_test::expect;

use crate::support::check;

#[test]
fn unknown_kind_suggests_closest() {
    check(
        r#"
        //- /registry.nmk
        @xi: persn "Xi Jinping"
        @ship: vessel "Ever Given"
        ^s: statment "S"
          by: @xi
        "#,
        expect![[r#"
            //- /registry.nmk
            @xi: persn "Xi Jinping"
                 ^^^^^ error[unknown-kind]: unknown entity kind `persn` (known: person, org, place, event, group, work, product, other); did you mean `person`?
                       suggestion: `person`
            @ship: vessel "Ever Given"
                   ^^^^^^ error[unknown-kind]: unknown entity kind `vessel` (known: person, org, place, event, group, work, product, other)
            ^s: statment "S"
                ^^^^^^^^ error[unknown-kind]: unknown source kind `statment` (known: statement, remarks, interview, document, article, post, data, anonymous, observation); did you mean `statement`?
                         suggestion: `statement`
              by: @xi
        "#]],
    );
}

#[test]
fn kinds_are_case_sensitive() {
    check(
        r#"
        //- /registry.nmk
        @xi: Person "Xi Jinping"
        "#,
        expect![[r#"
            //- /registry.nmk
            @xi: Person "Xi Jinping"
                 ^^^^^^ error[unknown-kind]: unknown entity kind `Person` (known: person, org, place, event, group, work, product, other); did you mean `person`?
                        suggestion: `person`
        "#]],
    );
}

#[test]
fn invalid_dates() {
    check(
        r#"
        //- /registry.nmk
        ^a: data "A"
          date: 2015-02-29
        ^b: data "B"
          date: 2015-13
        ^c: data "C"
          date: 15-11-16
        ^d: data "D"
          date: 2015-11-16T09:30:00
        ^e: data "E"
          date: 2016-02-29T25:00:00Z
        ^f: data "F"
          date: 2016-02-29
        ^g: data "G"
          date:
        "#,
        expect![[r#"
            //- /registry.nmk
            ^a: data "A"
              date: 2015-02-29
                    ^^^^^^^^^^ error[invalid-value]: `date: 2015-02-29` is not a valid date: "2015-02-29" is not a real date: 2015-02 has 28 days
            ^b: data "B"
              date: 2015-13
                    ^^^^^^^ error[invalid-value]: `date: 2015-13` is not a valid date: "2015-13" is not a real date: there is no month 13
            ^c: data "C"
              date: 15-11-16
                    ^^^^^^^^ error[invalid-value]: `date: 15-11-16` is not a valid date: "15-11-16" is not a date: use YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 date-time with offset such as 2015-11-16T09:30:00Z
            ^d: data "D"
              date: 2015-11-16T09:30:00
                    ^^^^^^^^^^^^^^^^^^^ error[invalid-value]: `date: 2015-11-16T09:30:00` is not a valid date: "2015-11-16T09:30:00" is a date-time without a UTC offset: add Z or ±HH:MM (for example 2015-11-16T09:30:00+08:00)
            ^e: data "E"
              date: 2016-02-29T25:00:00Z
                    ^^^^^^^^^^^^^^^^^^^^ error[invalid-value]: `date: 2016-02-29T25:00:00Z` is not a valid date: "2016-02-29T25:00:00Z" has an impossible time of day: use YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 date-time with offset such as 2015-11-16T09:30:00Z
            ^f: data "F"
              date: 2016-02-29
            ^g: data "G"
              date:
              ^^^^ error[invalid-value]: `date` is empty; it needs a date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an RFC 3339 date-time)
        "#]],
    );
}

#[test]
fn invalid_urls_wikidata_and_language_tags() {
    check(
        r#"
        //- /articles/a.nmk
        ---
        url: ftp://example.com/a
        lang: english_US
        ---
        Text.
        //- /registry.nmk
        @a: person "A"
          url: https://
          wikidata: Q076
        @b: person "B"
          url: HTTPS://example.com/a b
          wikidata: 76
        @c: person "C"
          url: HTTP://example.com/ok
          wikidata: Q76
        "#,
        expect![[r#"
            //- /articles/a.nmk
            ---
            url: ftp://example.com/a
                 ^^^^^^^^^^^^^^^^^^^ error[invalid-value]: `url: ftp://example.com/a` is not a valid URL: "ftp://example.com/a" is not a URL: it must start with http:// or https://
            lang: english_US
                  ^^^^^^^^^^ error[invalid-value]: `lang: english_US` is not a valid language tag: "english_US" is not an RFC 5646 language tag (A subtag may be eight characters in length at maximum): use a tag such as en, en-US or zh-Hans
            ---
            Text.
            //- /registry.nmk
            @a: person "A"
              url: https://
                   ^^^^^^^^ error[invalid-value]: `url: https://` is not a valid URL: "https://" is not a URL: it has no host after the scheme
              wikidata: Q076
                        ^^^^ error[invalid-value]: `wikidata: Q076` is not a valid Wikidata id: "Q076" is not a Wikidata id: use Q and digits without a leading zero, such as Q76
            @b: person "B"
              url: HTTPS://example.com/a b
                   ^^^^^^^^^^^^^^^^^^^^^^^ error[invalid-value]: `url: HTTPS://example.com/a b` is not a valid URL: "HTTPS://example.com/a b" is not a URL: it contains white space (write it as %20)
              wikidata: 76
                        ^^ error[invalid-value]: `wikidata: 76` is not a valid Wikidata id: "76" is not a Wikidata id: use Q and digits without a leading zero, such as Q76
            @c: person "C"
              url: HTTP://example.com/ok
              wikidata: Q76
        "#]],
    );
}

#[test]
fn empty_values_that_need_one() {
    check(
        r#"
        //- /articles/a.nmk
        ---
        title:
        published:
        outlet:
        byline: ;
        lang:
        url:
        ---
        Text.
        //- /registry.nmk
        @a: person "A"
          wikidata:
          part-of:
          role:
        "#,
        expect![[r#"
            //- /articles/a.nmk
            ---
            title:
            published:
            ^^^^^^^^^ error[invalid-value]: `published` is empty; it needs a date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an RFC 3339 date-time)
            outlet:
            ^^^^^^ error[invalid-value]: `outlet` is empty; it needs an entity reference (`@id`)
            byline: ;
            ^^^^^^ error[invalid-value]: `byline` is empty; it needs entity references (`@id`) separated by `;`
            lang:
            ^^^^ error[invalid-value]: `lang` is empty; it needs a language tag such as `en` or `zh-Hans`
            url:
            ^^^ error[invalid-value]: `url` is empty; it needs an `http://` or `https://` URL
            ---
            Text.
            //- /registry.nmk
            @a: person "A"
              wikidata:
              ^^^^^^^^ error[invalid-value]: `wikidata` is empty; it needs a Wikidata id such as `Q76`
              part-of:
              ^^^^^^^ error[invalid-value]: `part-of` is empty; it needs an entity reference (`@id`)
              role:
        "#]],
    );
}

#[test]
fn single_reference_key_with_several_items() {
    check(
        r#"
        //- /articles/a.nmk
        ---
        outlet: @a; @b
        ---
        Text.
        //- /registry.nmk
        @a: org "A"
          part-of: @b @c
        ^s: post "S"
          by: @a
          via: @a;;@b; @c
        @b: org "B"
        @c: org "C"
          part-of: @a; not a reference
        "#,
        expect![[r#"
            //- /articles/a.nmk
            ---
            outlet: @a; @b
                    ^^^^^^ error[invalid-value]: `outlet` takes one entity reference, found 2: `@a; @b`
            ---
            Text.
            //- /registry.nmk
            @a: org "A"
              part-of: @b @c
                       ^^^^^ error[invalid-value]: `part-of` takes one entity reference, found 2: `@b @c`
            ^s: post "S"
              by: @a
              via: @a;;@b; @c
                   ^^^^^^^^^^ error[invalid-value]: `via` takes one entity reference, found 3: `@a;;@b; @c`
            @b: org "B"
            @c: org "C"
              part-of: @a; not a reference
                           ^^^^^^^^^^^^^^^ error[invalid-value]: `not a reference` in `part-of` is not a reference; write `@id`
        "#]],
    );
}

#[test]
fn unknown_keys_suggest_and_x_keys_pass() {
    check(
        r#"
        //- /articles/a.nmk
        ---
        titel: Talks
        x-desk: foreign
        ---
        Text.
        //- /registry.nmk
        @a: person "A"
          akа: Cyrillic a in the key
          rol: typo
          by: @a
          x-internal: anything: at all
        ^s: data "S"
          aka: sources have no aka
        "#,
        expect![[r#"
            //- /articles/a.nmk
            ---
            titel: Talks
            ^^^^^ warning[unknown-key]: unknown key `titel` (known here: title, published, updated, outlet, byline, url, lang; prefix private keys with `x-`); did you mean `title`?
                  suggestion: `title`
            x-desk: foreign
            ---
            Text.
            //- /registry.nmk
            @a: person "A"
              akа: Cyrillic a in the key
              ^^^ warning[unknown-key]: unknown key `akа` (known here: aka, role, wikidata, url, part-of, note; prefix private keys with `x-`); did you mean `aka`?
                  suggestion: `aka`
              rol: typo
              ^^^ warning[unknown-key]: unknown key `rol` (known here: aka, role, wikidata, url, part-of, note; prefix private keys with `x-`); did you mean `role`?
                  suggestion: `role`
              by: @a
              ^^ warning[unknown-key]: unknown key `by` (known here: aka, role, wikidata, url, part-of, note; prefix private keys with `x-`)
              x-internal: anything: at all
            ^s: data "S"
              aka: sources have no aka
              ^^^ warning[unknown-key]: unknown key `aka` (known here: by, via, date, url, note; prefix private keys with `x-`); did you mean `via`?
                  suggestion: `via`
        "#]],
    );
}

#[test]
fn keys_are_case_sensitive() {
    check(
        r#"
        //- /registry.nmk
        @a: person "A"
          Role: Mayor
        "#,
        expect![[r#"
            //- /registry.nmk
            @a: person "A"
              Role: Mayor
              ^^^^ warning[unknown-key]: unknown key `Role` (known here: aka, role, wikidata, url, part-of, note; prefix private keys with `x-`); did you mean `role`?
                   suggestion: `role`
        "#]],
    );
}

#[test]
fn duplicate_single_value_key_first_wins_and_lists_append() {
    check(
        r#"
        //- /articles/a.nmk
        ---
        published: 2015-11
        published: 2099-01
        byline: @a
        byline: @b
        ---
        Text [cited]{^s}.
        //- /registry.nmk
        @a: person "A"
          aka: Ay
          aka: Aye
          role: Mayor
          role: Governor
        @b: person "B"
        ^s: data "S"
          date: 2015-12
        "#,
        expect![[r#"
            //- /articles/a.nmk
            ---
            published: 2015-11
            published: 2099-01
            ^^^^^^^^^ warning[duplicate-key]: `published` is given more than once; the first value wins
            byline: @a
            byline: @b
            ---
            Text [cited]{^s}.
                         ^^ warning[source-after-publication]: source `^s` is dated 2015-12, after the article's publication (2015-11)
            //- /registry.nmk
            @a: person "A"
              aka: Ay
              aka: Aye
              role: Mayor
              role: Governor
              ^^^^ warning[duplicate-key]: `role` is given more than once; the first value wins
            @b: person "B"
            ^s: data "S"
              date: 2015-12
        "#]],
    );
}

#[test]
fn missing_name_for_entities_only() {
    check(
        r#"
        //- /registry.nmk
        @a: person
        @b: person ""
        @c: person "  "
        ^s: data
        "#,
        expect![[r#"
            //- /registry.nmk
            @a: person
            ^^ warning[missing-name]: entity `@a` has no display name; add one: `@a: person "Full Name"`
            @b: person ""
            ^^ warning[missing-name]: entity `@b` has no display name; add one: `@b: person "Full Name"`
            @c: person "  "
            ^^ warning[missing-name]: entity `@c` has no display name; add one: `@c: person "Full Name"`
            ^s: data
        "#]],
    );
}

#[test]
fn missing_attribution_for_the_kinds_that_need_it() {
    check(
        r#"
        //- /registry.nmk
        ^statement: statement "S"
        ^remarks: remarks "S"
        ^interview: interview "S"
        ^document: document "S"
        ^post: post "S"
        ^article: article "S"
        ^data: data "S"
        ^anonymous: anonymous "S"
        ^observation: observation "S"
        "#,
        expect![[r#"
            //- /registry.nmk
            ^statement: statement "S"
            ^^^^^^^^^^ warning[missing-attribution]: statement `^statement` does not say who made it; add `by: @entity`
            ^remarks: remarks "S"
            ^^^^^^^^ warning[missing-attribution]: remarks `^remarks` does not say who made it; add `by: @entity`
            ^interview: interview "S"
            ^^^^^^^^^^ warning[missing-attribution]: interview `^interview` does not say who made it; add `by: @entity`
            ^document: document "S"
            ^^^^^^^^^ warning[missing-attribution]: document `^document` does not say who made it; add `by: @entity`
            ^post: post "S"
            ^^^^^ warning[missing-attribution]: post `^post` does not say who made it; add `by: @entity`
            ^article: article "S"
            ^data: data "S"
            ^anonymous: anonymous "S"
            ^observation: observation "S"
        "#]],
    );
}

#[test]
fn missing_front_matter_with_and_without_front_matter() {
    check(
        r#"
        //- /newsmark.toml
        [lint]
        required-front-matter = ["title", "published", "x-desk"]
        //- /articles/with.nmk
        ---
        title: Talks
        ---
        Text.
        //- /articles/without.nmk
        Text.
        //- /articles/bom.nmk
        ﻿Text after a BOM.
        //- /registry.nmk
        @a: person "A registry has no prose, so needs no front matter"
        "#,
        expect![[r#"
            //- /articles/bom.nmk
            Text after a BOM.
            | warning[missing-front-matter]: front matter lacks `published`, which `required-front-matter` in newsmark.toml requires
            | warning[missing-front-matter]: front matter lacks `title`, which `required-front-matter` in newsmark.toml requires
            | warning[missing-front-matter]: front matter lacks `x-desk`, which `required-front-matter` in newsmark.toml requires
            //- /articles/with.nmk
            ---
            ^^^ warning[missing-front-matter]: front matter lacks `published`, which `required-front-matter` in newsmark.toml requires
            ^^^ warning[missing-front-matter]: front matter lacks `x-desk`, which `required-front-matter` in newsmark.toml requires
            title: Talks
            ---
            Text.
            //- /articles/without.nmk
            Text.
            | warning[missing-front-matter]: front matter lacks `published`, which `required-front-matter` in newsmark.toml requires
            | warning[missing-front-matter]: front matter lacks `title`, which `required-front-matter` in newsmark.toml requires
            | warning[missing-front-matter]: front matter lacks `x-desk`, which `required-front-matter` in newsmark.toml requires
            //- /registry.nmk
            @a: person "A registry has no prose, so needs no front matter"
            (no diagnostics)
        "#]],
    );
}
