//! Folding ranges.

use expect_test::expect;

use crate::ide::fixture::{Fixture, annotate};
use crate::ide::folding_ranges;

#[test]
fn folds() {
    let f = Fixture::new(
        "---\ntitle: T\n---\nOne line.\n\nTwo\nlines.\n<!-- a -->\n<!-- b -->\n\n@a: person \"A\"\n  aka: AA\n@b: person \"B\"\n\ntext <!-- long\ncomment --> end\n",
    );
    let ctx = f.ctx(f.files[0].0);
    let marks: Vec<_> = folding_ranges(ctx)
        .iter()
        .map(|fold| {
            let lines = fold.range.slice(ctx.text).lines().count();
            (fold.range, format!("{:?} ({lines} lines)", fold.kind))
        })
        .collect();
    expect![[r#"
        ---
        ^^^ Region (3 lines)
        title: T
        ---
        One line.

        Two
        ^^^ Region (2 lines)
        lines.
        <!-- a -->
        ^^^^^^^^^^ Comment (2 lines)
        <!-- b -->

        @a: person "A"
        ^^^^^^^^^^^^^^ Region (2 lines)
          aka: AA
        @b: person "B"

        text <!-- long
        ^^^^^^^^^^^^^^ Region (2 lines)
             ^^^^^^^^^ Comment (2 lines)
        comment --> end

    "#]]
    .assert_eq(&annotate(ctx.text, &marks));
}
