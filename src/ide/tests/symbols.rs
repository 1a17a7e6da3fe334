//! Document and workspace symbols.

use expect_test::expect;

use crate::ide::fixture::Fixture;
use crate::ide::{DocumentSymbol, document_symbols, workspace_symbols};

fn render(symbols: &[DocumentSymbol], text: &str) -> String {
    let mut out = String::new();
    let mut stack: Vec<(usize, &DocumentSymbol)> = symbols.iter().rev().map(|s| (0, s)).collect();
    while let Some((depth, s)) = stack.pop() {
        out.push_str(&format!(
            "{}{:?} {} [{}] range {:?} select {:?}\n",
            "  ".repeat(depth),
            s.kind,
            s.name,
            s.detail.as_deref().unwrap_or(""),
            s.range.slice(text).lines().next().unwrap_or(""),
            s.selection_range.slice(text)
        ));
        stack.extend(s.children.iter().rev().map(|c| (depth + 1, c)));
    }
    out
}

#[test]
fn outline() {
    let f = Fixture::new(
        "---\ntitle: T\npublished: 2015\n---\n# Top\n\ntext [A]{@a}\n\n## Sub\n\nmore\n\n@a: person \"A\"\n  aka: AA\n\n# Second\n\n^s: statement\n",
    );
    let ctx = f.ctx(f.files[0].0);
    expect![[r###"
        FrontMatter front matter [] range "---" select "---"
          Key title [T] range "title: T" select "title"
          Key published [2015] range "published: 2015" select "published"
        Heading Top [h1] range "# Top" select "# Top"
          Heading Sub [h2] range "## Sub" select "## Sub"
            Entity @a [A · person] range "@a: person \"A\"" select "@a"
        Heading Second [h1] range "# Second" select "# Second"
          Source ^s [statement] range "^s: statement" select "^s"
    "###]]
    .assert_eq(&render(&document_symbols(ctx), ctx.text));
}

#[test]
fn workspace() {
    let f = Fixture::new(
        "//- /r.nmk\n@obama: person \"Barack Obama\"\n@michelle-obama: person \"Michelle Obama\"\n@ob: org\n^obama-remarks: remarks\n  by: @obama\n",
    );
    let show = |q: &str, limit| {
        workspace_symbols(&f.ws, q, limit)
            .iter()
            .map(|s| format!("{} {:?} {}\n", s.name, s.kind, s.container.as_deref().unwrap_or("")))
            .collect::<String>()
    };
    expect![[r#"
        @ob Entity org
        @obama Entity Barack Obama · person
        ^obama-remarks Source remarks
        @michelle-obama Entity Michelle Obama · person
    "#]]
    .assert_eq(&show("ob", 10));
    expect![[r#"
        ^obama-remarks Source remarks
    "#]]
    .assert_eq(&show("^OBA", 10));
    expect![[r#"
        @obama Entity Barack Obama · person
        ^obama-remarks Source remarks
    "#]]
    .assert_eq(&show("obama", 2));
}
