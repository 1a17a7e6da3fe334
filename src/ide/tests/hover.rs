//! Hover on references, headers, keys, kinds and undefined ids.

use expect_test::{Expect, expect};

use crate::ide::fixture::Fixture;
use crate::ide::hover;

fn check(fixture: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    let (ctx, offset) = f.at_cursor();
    let actual = match hover(ctx, offset) {
        Some(h) => format!("{}\n---\n{}", h.range.slice(ctx.text), h.markdown),
        None => "no hover".to_string(),
    };
    expect.assert_eq(&actual);
}

const REGISTRY: &str = r#"
//- /registry/people.nmk
@dhs: org "Department of Homeland Security"
  aka: DHS

@alejandro-mayorkas: person "Alejandro Mayorkas"
  aka: Mr. Mayorkas; Mayorkas
  role: Deputy Secretary of Homeland Security
  wikidata: Q4714956
  url: https://example.com/mayorkas
  part-of: @dhs
  note: Sworn in 2013.
"#;

#[test]
fn reference_in_tag_defined_in_registry() {
    check(
        &format!(
            "{REGISTRY}//- /articles/a.nmk\n[Mr. Mayorkas]{{@alejandro-mayorkas$0}} met [Mayorkas]{{@alejandro-mayorkas}}.\n"
        ),
        expect![[r#"
            @alejandro-mayorkas
            ---
            **Alejandro Mayorkas** · person · `@alejandro-mayorkas`

            - role: Deputy Secretary of Homeland Security
            - aka: Mr. Mayorkas; Mayorkas
            - part-of: Department of Homeland Security (`@dhs`)
            - wikidata: [Q4714956](https://www.wikidata.org/wiki/Q4714956)
            - url: <https://example.com/mayorkas>
            - note: Sworn in 2013.

            Defined in `registry/people.nmk`, line 4

            2 references in this document, 2 in the workspace"#]],
    );
}

#[test]
fn source_with_by_and_via() {
    check(
        &format!(
            "{REGISTRY}//- /articles/a.nmk\n[“We will go”]{{^dhs-st$0atement}}\n\n^dhs-statement: statement \"DHS statement\"\n  by: @dhs; @alejandro-mayorkas\n  via: @nobody\n  date: 2015-11\n"
        ),
        expect![[r#"
            ^dhs-statement
            ---
            **DHS statement** · statement · `^dhs-statement`

            - by: Department of Homeland Security (`@dhs`); Alejandro Mayorkas (`@alejandro-mayorkas`)
            - via: `@nobody`
            - date: 2015-11

            Defined in `articles/a.nmk`, line 3

            1 reference in this document, 1 in the workspace"#]],
    );
}

#[test]
fn header_id_and_attribute_reference() {
    check(
        &format!("{REGISTRY}//- /articles/b.nmk\n@x: person \"X\"\n  part-of: @d$0hs\n"),
        expect![[r#"
        @dhs
        ---
        **Department of Homeland Security** · org · `@dhs`

        - aka: DHS

        Defined in `registry/people.nmk`, line 1

        1 reference in this document, 2 in the workspace"#]],
    );
    check(
        &format!("{REGISTRY}//- /articles/b.nmk\n$0@x: person\n\n[X]{{@x}} [X]{{@x}}\n"),
        expect![[r#"
        @x
        ---
        **`@x`** · person (no display name)

        Defined in `articles/b.nmk`, line 1

        2 references in this document, 2 in the workspace"#]],
    );
}

#[test]
fn undefined_reference_names_the_closest_id() {
    check(
        &format!("{REGISTRY}//- /articles/a.nmk\n[him]{{@alejandro-mayorka$0}}\n"),
        expect![[r#"
        @alejandro-mayorka
        ---
        `@alejandro-mayorka` is **undefined**: no entity of this id in the workspace.

        Did you mean `@alejandro-mayorkas`?"#]],
    );
    check(
        "[x]{^dh$0s}\n\n@dhs: org \"DHS\"\n",
        expect![[r#"
        ^dhs
        ---
        `^dhs` is **undefined**: no source of this id in the workspace.

        `@dhs` exists as an entity."#]],
    );
}

#[test]
fn keys_and_kinds() {
    check(
        "---\npubl$0ished: 2015\n---\ntext\n",
        expect![[r#"
        published
        ---
        **`published`** · front-matter key

        When the article was published: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an RFC 3339 date-time."#]],
    );
    check(
        "^s: statement\n  v$0ia: @x\n",
        expect![[r#"
        via
        ---
        **`via`** · source key

        The outlet or channel that relayed it: one entity reference (`@id`)."#]],
    );
    check(
        "@s: pers$0on \"S\"\n",
        expect![[r#"
        person
        ---
        **person** · entity kind (built-in)"#]],
    );
    check("text $0here\n", expect!["no hover"]);
}

#[test]
fn unresolved_reference_while_indexing_is_not_called_undefined() {
    let f = Fixture::new("//- /articles/a.nmk\n[Mr. Xi]{@xi-jinping$0} spoke.\n");
    let (ctx, offset) = f.at_cursor();
    let indexing = crate::ide::FileContext { index_complete: false, ..ctx };
    let markdown = hover(indexing, offset).map(|h| h.markdown).unwrap_or_default();
    assert_eq!(markdown, "`@xi-jinping`: not among the definitions read so far; the workspace is still being indexed.");
    let done = hover(ctx, offset).map(|h| h.markdown).unwrap_or_default();
    assert!(done.contains("**undefined**"), "{done}");
}
