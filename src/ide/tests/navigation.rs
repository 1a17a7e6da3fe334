//! Go to definition, find references, document highlight.

use expect_test::{Expect, expect};

use crate::ide::fixture::Fixture;
use crate::ide::{HighlightKind, document_highlight, goto_definition, references};

fn check_definition(fixture: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    let (ctx, offset) = f.at_cursor();
    let actual = match goto_definition(ctx, offset) {
        Some(t) => f.annotate_files(&[(t.file, t.range, "definition".to_string())]),
        None => "none".to_string(),
    };
    expect.assert_eq(&actual);
}

fn check_references(fixture: &str, include_declaration: bool, expect: Expect) {
    let f = Fixture::new(fixture);
    let (ctx, offset) = f.at_cursor();
    let marks: Vec<_> = references(ctx, offset, include_declaration)
        .into_iter()
        .map(|r| (r.file, r.range, "ref".to_string()))
        .collect();
    expect.assert_eq(&f.annotate_files(&marks));
}

const FILES: &str = r#"
//- /articles/a.nmk
---
outlet: @times
---
[Obama]{@barack-obama} met [Xi]{@xi-jinping}. [The two]{@barack-obama @xi-jinping}
//- /articles/b.nmk
[[Obama]{@barack-obama} said]{^remarks}

^remarks: remarks
  by: @barack-obama
//- /registry/people.nmk
@barack-obama: person "Barack Obama"
@xi-jinping: person "Xi Jinping"
@times: org "The Times"
"#;

#[test]
fn definition_in_another_file() {
    check_definition(
        &FILES.replace("[Obama]{@barack-obama} met", "[Obama]{@barack-$0obama} met"),
        expect![[r#"
        //- /registry/people.nmk
        @barack-obama: person "Barack Obama"
        ^^^^^^^^^^^^^ definition
        @xi-jinping: person "Xi Jinping"
        @times: org "The Times"

    "#]],
    );
    // The cursor right after the id still counts.
    check_definition(
        &FILES.replace("outlet: @times", "outlet: @times$0"),
        expect![[r#"
        //- /registry/people.nmk
        @barack-obama: person "Barack Obama"
        @xi-jinping: person "Xi Jinping"
        @times: org "The Times"
        ^^^^^^ definition

    "#]],
    );
}

#[test]
fn definition_on_header_and_in_same_file() {
    check_definition(
        &FILES.replace("^remarks: remarks", "^rem$0arks: remarks"),
        expect![[r#"
        //- /articles/b.nmk
        [[Obama]{@barack-obama} said]{^remarks}

        ^remarks: remarks
        ^^^^^^^^ definition
          by: @barack-obama

    "#]],
    );
    check_definition(
        &FILES.replace("said]{^remarks}", "said]{$0^remarks}"),
        expect![[r#"
        //- /articles/b.nmk
        [[Obama]{@barack-obama} said]{^remarks}

        ^remarks: remarks
        ^^^^^^^^ definition
          by: @barack-obama

    "#]],
    );
    check_definition(&FILES.replace("[Xi]", "[X$0i]"), expect!["none"]);
}

#[test]
fn references_across_files() {
    let fixture = FILES.replace("by: @barack-obama", "by: @barack-obama$0");
    check_references(
        &fixture,
        true,
        expect![[r#"
        //- /articles/a.nmk
        ---
        outlet: @times
        ---
        [Obama]{@barack-obama} met [Xi]{@xi-jinping}. [The two]{@barack-obama @xi-jinping}
                ^^^^^^^^^^^^^ ref
                                                                ^^^^^^^^^^^^^ ref

        //- /articles/b.nmk
        [[Obama]{@barack-obama} said]{^remarks}
                 ^^^^^^^^^^^^^ ref

        ^remarks: remarks
          by: @barack-obama
              ^^^^^^^^^^^^^ ref

        //- /registry/people.nmk
        @barack-obama: person "Barack Obama"
        ^^^^^^^^^^^^^ ref
        @xi-jinping: person "Xi Jinping"
        @times: org "The Times"

    "#]],
    );
    check_references(
        &fixture,
        false,
        expect![[r#"
        //- /articles/a.nmk
        ---
        outlet: @times
        ---
        [Obama]{@barack-obama} met [Xi]{@xi-jinping}. [The two]{@barack-obama @xi-jinping}
                ^^^^^^^^^^^^^ ref
                                                                ^^^^^^^^^^^^^ ref

        //- /articles/b.nmk
        [[Obama]{@barack-obama} said]{^remarks}
                 ^^^^^^^^^^^^^ ref

        ^remarks: remarks
          by: @barack-obama
              ^^^^^^^^^^^^^ ref

    "#]],
    );
}

#[test]
fn highlight_in_one_file() {
    let f = Fixture::new("[A]{@a} [B]{@b @a$0}\n\n@a: person \"A\"\n@b: person \"B\"\n  part-of: @a\n");
    let (ctx, offset) = f.at_cursor();
    let marks: Vec<_> = document_highlight(ctx, offset)
        .into_iter()
        .map(|h| (h.range, if h.kind == HighlightKind::Write { "write" } else { "read" }.to_string()))
        .collect();
    expect![[r#"
        [A]{@a} [B]{@b @a}
            ^^ read
                       ^^ read

        @a: person "A"
        ^^ write
        @b: person "B"
          part-of: @a
                   ^^ read

    "#]]
    .assert_eq(&crate::ide::fixture::annotate(ctx.text, &marks));
}
