//! Completion of ids, kinds and keys.

use expect_test::{Expect, expect};

use crate::config::Config;
use crate::ide::completion;
use crate::ide::fixture::Fixture;

fn render(f: &Fixture) -> String {
    let (ctx, offset) = f.at_cursor();
    let Some(list) = completion(ctx, offset) else { return "no completion".to_string() };
    let mut out = String::new();
    if list.is_incomplete {
        out.push_str("(incomplete)\n");
    }
    for item in &list.items {
        out.push_str(&format!(
            "{:?} {} [{}] {:?} -> {:?}\n",
            item.kind,
            item.label,
            item.detail.as_deref().unwrap_or(""),
            item.edit.range.slice(ctx.text),
            item.edit.new_text
        ));
    }
    out
}

fn check(fixture: &str, expect: Expect) {
    expect.assert_eq(&render(&Fixture::new(&format!("{REGISTRY}{fixture}"))));
}

const REGISTRY: &str = r#"
//- /registry.nmk
@barack-obama: person "Barack Obama"
@bank: org "A Bank"
@xi-jinping: person "Xi Jinping"
^remarks: remarks
  by: @xi-jinping
^report: document "The report"
  by: @bank
//- /article.nmk
"#;

#[test]
fn ids_in_reference_lists() {
    check(
        "[Obama]{@$0\n",
        expect![[r#"
        Entity bank [A Bank · org] "" -> "bank"
        Entity barack-obama [Barack Obama · person] "" -> "barack-obama"
        Entity xi-jinping [Xi Jinping · person] "" -> "xi-jinping"
    "#]],
    );
    check(
        "[Obama]{@ba$0\n",
        expect![[r#"
        Entity bank [A Bank · org] "ba" -> "bank"
        Entity barack-obama [Barack Obama · person] "ba" -> "barack-obama"
    "#]],
    );
    check(
        "[Obama]{@bar$0ack}\n",
        expect![[r#"
        Entity barack-obama [Barack Obama · person] "barack" -> "barack-obama"
    "#]],
    );
    check(
        "[both]{@xi-jinping @$0\n",
        expect![[r#"
        Entity bank [A Bank · org] "" -> "bank"
        Entity barack-obama [Barack Obama · person] "" -> "barack-obama"
        Entity xi-jinping [Xi Jinping · person] "" -> "xi-jinping"
    "#]],
    );
    check(
        "[he said]{^$0}\n",
        expect![[r#"
        Source remarks [remarks] "" -> "remarks"
        Source report [The report · document] "" -> "report"
    "#]],
    );
    check("no list @$0\n", expect!["no completion"]);
}

#[test]
fn ids_in_reference_values() {
    check(
        "^s: statement\n  by: @$0\n",
        expect![[r#"
        Entity bank [A Bank · org] "" -> "bank"
        Entity barack-obama [Barack Obama · person] "" -> "barack-obama"
        Entity xi-jinping [Xi Jinping · person] "" -> "xi-jinping"
    "#]],
    );
    check(
        "^s: statement\n  by: @bank; @x$0\n",
        expect![[r#"
        Entity xi-jinping [Xi Jinping · person] "x" -> "xi-jinping"
    "#]],
    );
    check(
        "^s: statement\n  via: @b$0\n",
        expect![[r#"
        Entity bank [A Bank · org] "b" -> "bank"
        Entity barack-obama [Barack Obama · person] "b" -> "barack-obama"
    "#]],
    );
    check(
        "@s: org\n  part-of: @$0\n",
        expect![[r#"
        Entity bank [A Bank · org] "" -> "bank"
        Entity barack-obama [Barack Obama · person] "" -> "barack-obama"
        Entity s [org] "" -> "s"
        Entity xi-jinping [Xi Jinping · person] "" -> "xi-jinping"
    "#]],
    );
    check(
        "---\noutlet: @$0\n---\ntext\n",
        expect![[r#"
        Entity bank [A Bank · org] "" -> "bank"
        Entity barack-obama [Barack Obama · person] "" -> "barack-obama"
        Entity xi-jinping [Xi Jinping · person] "" -> "xi-jinping"
    "#]],
    );
    check(
        "---\nbyline: @bank; @$0\n---\ntext\n",
        expect![[r#"
        Entity bank [A Bank · org] "" -> "bank"
        Entity barack-obama [Barack Obama · person] "" -> "barack-obama"
        Entity xi-jinping [Xi Jinping · person] "" -> "xi-jinping"
    "#]],
    );
    // Not a reference key.
    check("@s: org\n  note: @$0\n", expect!["no completion"]);
}

#[test]
fn kinds_in_headers() {
    check(
        "@new: p$0\n",
        expect![[r#"
        Kind person [entity kind] "p" -> "person"
        Kind place [entity kind] "p" -> "place"
        Kind product [entity kind] "p" -> "product"
    "#]],
    );
    check(
        "^new: $0 \"Name\"\n",
        expect![[r#"
        Kind statement [source kind] "" -> "statement"
        Kind remarks [source kind] "" -> "remarks"
        Kind interview [source kind] "" -> "interview"
        Kind document [source kind] "" -> "document"
        Kind article [source kind] "" -> "article"
        Kind post [source kind] "" -> "post"
        Kind data [source kind] "" -> "data"
        Kind anonymous [source kind] "" -> "anonymous"
        Kind observation [source kind] "" -> "observation"
    "#]],
    );
    let mut config = Config::default();
    config.entity_kinds_extra.push("vessel".to_string());
    let f = Fixture::with_config("@ship: v$0\n", config);
    expect![[r#"
        Kind vessel [entity kind] "v" -> "vessel"
    "#]]
    .assert_eq(&render(&f));
}

#[test]
fn keys_in_blocks_and_front_matter() {
    check(
        "@x: person \"X\"\n  role: Boss\n  aka: X\n  $0\n",
        expect![[r#"
        Key aka [entity key (list)] "" -> "aka: "
        Key wikidata [entity key] "" -> "wikidata: "
        Key url [entity key] "" -> "url: "
        Key part-of [entity key] "" -> "part-of: "
        Key note [entity key] "" -> "note: "
    "#]],
    );
    check(
        "^s: statement\n  by: @bank\n  d$0\n",
        expect![[r#"
        Key date [source key] "d" -> "date: "
    "#]],
    );
    check(
        "---\ntitle: T\n$0\n---\ntext\n",
        expect![[r#"
        Key published [front-matter key] "" -> "published: "
        Key updated [front-matter key] "" -> "updated: "
        Key outlet [front-matter key] "" -> "outlet: "
        Key byline [front-matter key (list)] "" -> "byline: "
        Key url [front-matter key] "" -> "url: "
        Key lang [front-matter key] "" -> "lang: "
    "#]],
    );
    check(
        "---\ntitle: T\nur$0: x\n---\ntext\n",
        expect![[r#"
        Key url [front-matter key] "ur" -> "url"
    "#]],
    );
    // Outside any block, or on a fence.
    check("text\n  $0\n", expect!["no completion"]);
    check("---\ntitle: T\n--$0-\ntext\n", expect!["no completion"]);
}

#[test]
fn caps_at_one_hundred_ids() {
    let mut registry = String::from("//- /registry.nmk\n");
    for i in 0..1000 {
        registry.push_str(&format!("@person-{i:04}: person \"Person {i}\"\n"));
    }
    let f = Fixture::new(&format!("{registry}//- /a.nmk\n[x]{{@person-$0\n"));
    let (ctx, offset) = f.at_cursor();
    let list = completion(ctx, offset).unwrap();
    assert!(list.is_incomplete);
    assert_eq!(list.items.len(), 100);
    assert_eq!(list.items[0].label, "person-0000");
    assert_eq!(list.items[0].detail.as_deref(), Some("Person 0 · person"));
    let f = Fixture::new(&format!("{registry}//- /a.nmk\n[x]{{@person-012$0\n"));
    let (ctx, offset) = f.at_cursor();
    let list = completion(ctx, offset).unwrap();
    assert!(!list.is_incomplete);
    assert_eq!(list.items.len(), 10);
}

#[test]
fn crlf_and_bom() {
    check(
        "^s: statement\r\n  by: @ba$0\r\n",
        expect![[r#"
        Entity bank [A Bank · org] "ba" -> "bank"
        Entity barack-obama [Barack Obama · person] "ba" -> "barack-obama"
    "#]],
    );
    let f = Fixture::new("\u{feff}@x: pl$0\n");
    expect![[r#"
        Kind place [entity kind] "pl" -> "place"
    "#]]
    .assert_eq(&render(&f));
}
