//! Prepare-rename and rename across files, with refusals.

use expect_test::{Expect, expect};

use crate::ide::fixture::Fixture;
use crate::ide::{prepare_rename, rename};

fn check(fixture: &str, new_id: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    let (ctx, offset) = f.at_cursor();
    let actual = match rename(ctx, offset, new_id) {
        Ok(change) => f.apply(&change),
        Err(e) => format!("error: {e}"),
    };
    expect.assert_eq(&actual);
}

fn check_prepare(fixture: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    let (ctx, offset) = f.at_cursor();
    let actual = match prepare_rename(ctx, offset) {
        Ok((range, id)) => format!("{id}\n{}", crate::ide::fixture::annotate(ctx.text, &[(range, "id".into())])),
        Err(e) => format!("error: {e}"),
    };
    expect.assert_eq(&actual);
}

const FILES: &str = r#"
//- /articles/a.nmk
---
byline: @ann; @dhs
---
[DHS]{@dhs} said [it]{@dhs $0@ann}.
//- /articles/b.nmk
[[DHS]{@dhs} said]{^st}

^st: statement
  by: @dhs
  via: @dhs
//- /registry/orgs.nmk
@dhs: org "Department of Homeland Security"
@sub: org "A part"
  part-of: @dhs
@ann: person "Ann"
^dhs: document "Not the entity"
"#;

#[test]
fn renames_across_three_files() {
    check(
        &FILES.replace("$0", "").replace("[DHS]{@dhs} said [it]", "[DHS]{@d$0hs} said [it]"),
        "homeland",
        expect![[r#"
        //- /articles/a.nmk
        ---
        byline: @ann; @homeland
        ---
        [DHS]{@homeland} said [it]{@homeland @ann}.
        //- /articles/b.nmk
        [[DHS]{@homeland} said]{^st}

        ^st: statement
          by: @homeland
          via: @homeland
        //- /registry/orgs.nmk
        @homeland: org "Department of Homeland Security"
        @sub: org "A part"
          part-of: @homeland
        @ann: person "Ann"
        ^dhs: document "Not the entity"
    "#]],
    );
}

#[test]
fn renames_from_the_header_and_accepts_a_sigil() {
    check(
        &FILES.replace("$0", "").replace("@ann: person", "@an$0n: person"),
        "@anne",
        expect![[r#"
        //- /articles/a.nmk
        ---
        byline: @anne; @dhs
        ---
        [DHS]{@dhs} said [it]{@dhs @anne}.
        //- /registry/orgs.nmk
        @dhs: org "Department of Homeland Security"
        @sub: org "A part"
          part-of: @dhs
        @anne: person "Ann"
        ^dhs: document "Not the entity"
    "#]],
    );
}

#[test]
fn refuses_invalid_and_taken_ids() {
    check(
        FILES,
        "-bad",
        expect![
            "error: `-bad` is not a valid id: it must start with a letter or digit and go on with letters, marks, digits, `-`, `_` or `.`"
        ],
    );
    check(
        FILES,
        "a b",
        expect![
            "error: `a b` is not a valid id: it must start with a letter or digit and go on with letters, marks, digits, `-`, `_` or `.`"
        ],
    );
    check(FILES, "dhs", expect!["error: `@dhs` is already defined in registry/orgs.nmk, line 1; pick another id"]);
    check(
        "[x]{@a} te$0xt\n",
        "b",
        expect!["error: put the cursor on an `@id` or `^id` (a reference or a definition header) to rename it"],
    );
}

#[test]
fn prepare() {
    check_prepare(
        FILES,
        expect![[r#"
        ann
        ---
        byline: @ann; @dhs
        ---
        [DHS]{@dhs} said [it]{@dhs @ann}.
                                    ^^^ id

    "#]],
    );
    check_prepare(
        "@a: person\n  aka: A\n  part-of: @b$0\n",
        expect![[r#"
        b
        @a: person
          aka: A
          part-of: @b
                    ^ id

    "#]],
    );
    check_prepare(
        "some $0text\n",
        expect!["error: put the cursor on an `@id` or `^id` (a reference or a definition header) to rename it"],
    );
}

#[test]
fn refuses_a_reference_interrupted_by_a_comment() {
    check(
        "[x]{@ab$0}\n[y]{@a<!-- c -->b}\n\n@ab: person \"AB\"\n",
        "cd",
        expect!["error: `@ab` in main.nmk, line 2 is interrupted by a comment; remove the comment, then rename"],
    );
}
