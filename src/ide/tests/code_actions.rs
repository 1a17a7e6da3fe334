//! Quick fixes: each one's edit applied gives the expected text, and the
//! diagnostic it fixes is gone when the result is checked again.

use expect_test::{Expect, expect};

use crate::analysis::diagnostics::{CheckOptions, file_diagnostics};
use crate::ide::code_actions;
use crate::ide::fixture::Fixture;
use crate::text::TextRange;

/// Runs the actions at `$0`, applies the one whose title starts with
/// `title`, checks that its diagnostic is gone, and shows the titles and
/// the changed files.
fn check(fixture: &str, title: &str, expect: Expect) {
    let f = Fixture::new(fixture);
    let (ctx, offset) = f.at_cursor();
    let diags = file_diagnostics(&f.ws, ctx.file, ctx.parse, CheckOptions::default());
    let actions = code_actions(ctx, TextRange::empty(offset), &diags);
    let mut out: String =
        actions.iter().map(|a| format!("{}{}\n", a.title, if a.is_preferred { " (preferred)" } else { "" })).collect();
    let Some(action) = actions.iter().find(|a| a.title.starts_with(title)) else {
        out.push_str("no such action\n");
        return expect.assert_eq(&out);
    };
    let fixed = &diags[action.diagnostic.unwrap()];
    out.push_str(&format!("fixes: {} {}\n", fixed.code.as_str(), fixed.message));
    out.push_str(&f.apply(&action.change));
    // Rebuild the workspace with the change applied and check again.
    let mut rebuilt = String::new();
    for (id, path, _) in &f.files {
        rebuilt.push_str(&format!("//- {path}\n{}", action.change.apply(*id, f.text(*id))));
    }
    let g = Fixture::new(&rebuilt);
    let ctx2 = g.ctx(ctx.file);
    let after = file_diagnostics(&g.ws, ctx.file, ctx2.parse, CheckOptions::default());
    assert!(
        !after.iter().any(|d| d.code == fixed.code && d.message == fixed.message),
        "still reported after the fix: {after:#?}"
    );
    expect.assert_eq(&out);
}

const REGISTRY: &str = r#"
//- /registry/people.nmk
@barack-obama: person "Barack Obama"
  aka: Obama
@xi-jinping: person "Xi Jinping"
//- /registry/small.nmk
@other: org "Other"
"#;

#[test]
fn create_entity_in_this_file() {
    check(
        &format!("{REGISTRY}//- /a.nmk\n[Mr. Mayorkas]{{@alejandro-mayorkas$0}} spoke.\n"),
        "Create `@alejandro-mayorkas` in this",
        expect![[r#"
            Create `@alejandro-mayorkas` in this file
            Create `@alejandro-mayorkas` in registry/people.nmk
            Suppress `undefined-reference` on this line
            Suppress `undefined-reference` in this file
            fixes: undefined-reference undefined entity `@alejandro-mayorkas`: no definition in the workspace
            //- /a.nmk
            [Mr. Mayorkas]{@alejandro-mayorkas} spoke.

            @alejandro-mayorkas: person "Alejandro Mayorkas"
              aka: Mr. Mayorkas
        "#]],
    );
}

#[test]
fn create_entity_in_registry() {
    check(
        &format!("{REGISTRY}//- /a.nmk\n[Mr. Mayorkas]{{@alejandro-mayorkas$0}} spoke.\n"),
        "Create `@alejandro-mayorkas` in registry",
        expect![[r#"
            Create `@alejandro-mayorkas` in this file
            Create `@alejandro-mayorkas` in registry/people.nmk
            Suppress `undefined-reference` on this line
            Suppress `undefined-reference` in this file
            fixes: undefined-reference undefined entity `@alejandro-mayorkas`: no definition in the workspace
            //- /registry/people.nmk
            @barack-obama: person "Barack Obama"
              aka: Obama
            @xi-jinping: person "Xi Jinping"

            @alejandro-mayorkas: person "Alejandro Mayorkas"
              aka: Mr. Mayorkas
        "#]],
    );
}

#[test]
fn create_source_with_by_from_a_nested_tag() {
    check(
        &format!("{REGISTRY}//- /a.nmk\n[[Xi]{{@xi-jinping}} said so]{{^xi-remarks$0}}\n"),
        "Create `^xi-remarks` in this",
        expect![[r#"
            Create `^xi-remarks` in this file
            Suppress `undefined-reference` on this line
            Suppress `undefined-reference` in this file
            fixes: undefined-reference undefined source `^xi-remarks`: no definition in the workspace
            //- /a.nmk
            [[Xi]{@xi-jinping} said so]{^xi-remarks}

            ^xi-remarks: statement
              by: @xi-jinping
        "#]],
    );
}

#[test]
fn change_to_suggestion() {
    check(
        &format!("{REGISTRY}//- /a.nmk\n[Obama]{{@barack-obma$0}} spoke.\n"),
        "Change to",
        expect![[r#"
            Create `@barack-obma` in this file
            Create `@barack-obma` in registry/people.nmk
            Change to `@barack-obama` (unsafe fix: review it)
            Suppress `undefined-reference` on this line
            Suppress `undefined-reference` in this file
            fixes: undefined-reference undefined entity `@barack-obma`: no definition in the workspace; did you mean `@barack-obama`?
            //- /a.nmk
            [Obama]{@barack-obama} spoke.
        "#]],
    );
}

#[test]
fn add_alias_to_existing_aka_in_another_file() {
    check(
        &format!("{REGISTRY}//- /a.nmk\n[President Obama]{{@barack-obama$0}} spoke.\n"),
        "Add",
        expect![[r#"
            Add “President Obama” to the `aka` of `@barack-obama` (unsafe fix: review it)
            Suppress `unknown-alias` on this line
            Suppress `unknown-alias` in this file
            fixes: unknown-alias “President Obama” is neither the display name nor an `aka` of `@barack-obama` (Barack Obama); add it to `aka` if it is another name of it
            //- /registry/people.nmk
            @barack-obama: person "Barack Obama"
              aka: Obama; President Obama
            @xi-jinping: person "Xi Jinping"
        "#]],
    );
}

#[test]
fn add_alias_as_new_line() {
    check(
        &format!("{REGISTRY}//- /a.nmk\n[Mr. Xi]{{@xi-jinping$0}} spoke.\n"),
        "Add",
        expect![[r#"
            Add “Mr. Xi” to the `aka` of `@xi-jinping` (unsafe fix: review it)
            Suppress `unknown-alias` on this line
            Suppress `unknown-alias` in this file
            fixes: unknown-alias “Mr. Xi” is neither the display name nor an `aka` of `@xi-jinping` (Xi Jinping); add it to `aka` if it is another name of it
            //- /registry/people.nmk
            @barack-obama: person "Barack Obama"
              aka: Obama
            @xi-jinping: person "Xi Jinping"
              aka: Mr. Xi
        "#]],
    );
}

#[test]
fn tag_untagged_mention() {
    check(
        &format!("{REGISTRY}//- /a.nmk\nToday Ob$0ama spoke.\n"),
        "Tag",
        expect![[r#"
            Tag “Obama” as `@barack-obama` (unsafe fix: review it)
            Suppress `untagged-mention` on this line
            Suppress `untagged-mention` in this file
            fixes: untagged-mention “Obama” names `@barack-obama` (Barack Obama) but is not tagged
            //- /a.nmk
            Today [Obama]{@barack-obama} spoke.
        "#]],
    );
}

#[test]
fn unknown_kind_and_invalid_value() {
    check(
        "@a: persn$0 \"A\"\n",
        "Change kind",
        expect![[r#"
            Change kind to `person` (preferred)
            Suppress `unknown-kind` on this line
            Suppress `unknown-kind` in this file
            fixes: unknown-kind unknown entity kind `persn` (known: person, org, place, event, group, work, product, other); did you mean `person`?
            //- /main.nmk
            @a: person "A"
        "#]],
    );
    check(
        "@a: person \"A\"\n^s: statement\n  by: ^a$0\n",
        "Change to",
        expect![[r#"
            Change to `@a` (preferred)
            Suppress `invalid-value` on this line
            Suppress `invalid-value` in this file
            fixes: invalid-value `by` expects an entity reference (`@id`), not the source `^a`; did you mean `@a`?
            //- /main.nmk
            @a: person "A"
            ^s: statement
              by: @a
        "#]],
    );
}

#[test]
fn create_entity_whose_tag_text_is_its_name() {
    check(
        "[Ann Lee]{@ann-lee$0} spoke.",
        "Create",
        expect![[r#"
            Create `@ann-lee` in this file
            Suppress `undefined-reference` on this line
            Suppress `undefined-reference` in this file
            fixes: undefined-reference undefined entity `@ann-lee`: no definition in the workspace
            //- /main.nmk
            [Ann Lee]{@ann-lee} spoke.

            @ann-lee: person "Ann Lee"
        "#]],
    );
}

#[test]
fn keeps_crlf_line_ends() {
    let f = Fixture::new("@a: person \"A\"\r\n\r\n[B]{@b$0}\r\n");
    let (ctx, offset) = f.at_cursor();
    let diags = file_diagnostics(&f.ws, ctx.file, ctx.parse, CheckOptions::default());
    let actions = code_actions(ctx, TextRange::empty(offset), &diags);
    let create = actions.iter().find(|a| a.title.starts_with("Create")).unwrap();
    assert_eq!(create.change.apply(ctx.file, ctx.text), "@a: person \"A\"\r\n\r\n[B]{@b}\r\n\r\n@b: person \"B\"\r\n");
}

#[test]
fn suppress_on_the_line_above() {
    check(
        &format!("{REGISTRY}//- /a.nmk\nIntro.\nToday Ob$0ama spoke.\n"),
        "Suppress `untagged-mention` on this line",
        expect![[r#"
            Tag “Obama” as `@barack-obama` (unsafe fix: review it)
            Suppress `untagged-mention` on this line
            Suppress `untagged-mention` in this file
            fixes: untagged-mention “Obama” names `@barack-obama` (Barack Obama) but is not tagged
            //- /a.nmk
            Intro.
            <!-- newsmark-disable-next-line untagged-mention -->
            Today Obama spoke.
        "#]],
    );
}

#[test]
fn suppress_on_the_first_line_at_its_end() {
    check(
        &format!("{REGISTRY}//- /a.nmk\nToday Ob$0ama spoke.\n"),
        "Suppress `untagged-mention` on this line",
        expect![[r#"
            Tag “Obama” as `@barack-obama` (unsafe fix: review it)
            Suppress `untagged-mention` on this line
            Suppress `untagged-mention` in this file
            fixes: untagged-mention “Obama” names `@barack-obama` (Barack Obama) but is not tagged
            //- /a.nmk
            Today Obama spoke.<!-- newsmark-disable-line untagged-mention -->
        "#]],
    );
}

#[test]
fn suppress_in_the_file_after_the_front_matter() {
    check(
        &format!("{REGISTRY}//- /a.nmk\n---\ntitle: T\n---\nToday Ob$0ama spoke.\n"),
        "Suppress `untagged-mention` in this file",
        expect![[r#"
            Tag “Obama” as `@barack-obama` (unsafe fix: review it)
            Suppress `untagged-mention` on this line
            Suppress `untagged-mention` in this file
            fixes: untagged-mention “Obama” names `@barack-obama` (Barack Obama) but is not tagged
            //- /a.nmk
            ---
            title: T
            ---
            <!-- newsmark-disable-file untagged-mention -->
            Today Obama spoke.
        "#]],
    );
}

#[test]
fn a_name_of_two_entities_offers_each_and_fixes_none() {
    let registry = "//- /registry.nmk\n@ann: person \"Ann Lee\"\n  aka: Lee\n@bo: person \"Bo Lee\"\n  aka: Lee\n";
    let fixture = format!("{registry}//- /a.nmk\nToday Le$0e spoke.\n");
    let f = Fixture::new(&fixture);
    let (ctx, _) = f.at_cursor();
    let diags = file_diagnostics(&f.ws, ctx.file, ctx.parse, CheckOptions::default());
    let mention = diags.iter().find(|d| d.code == crate::analysis::Code::UntaggedMention).unwrap();
    assert!(mention.fix.is_none(), "no automatic tag for a shared name");
    check(
        &fixture,
        "Tag “Lee” as `@bo`",
        expect![[r#"
            Tag “Lee” as `@ann` (unsafe fix: review it)
            Tag “Lee” as `@bo` (unsafe fix: review it)
            Suppress `untagged-mention` on this line
            Suppress `untagged-mention` in this file
            fixes: untagged-mention “Lee” names `@ann` (Ann Lee) but is not tagged; other entities have this name too
            //- /a.nmk
            Today [Lee]{@bo} spoke.
        "#]],
    );
}

#[test]
fn fix_all_applies_the_safe_fixes_only() {
    let f = Fixture::new(&format!(
        "{REGISTRY}//- /a.nmk\nToday Obama spoke.$0\n\n@a: persn \"A\"\n  rle: x\n^s: data\n  by: ^a\n"
    ));
    let (ctx, _) = f.at_cursor();
    let diags = file_diagnostics(&f.ws, ctx.file, ctx.parse, CheckOptions::default());
    let action = crate::ide::fix_all(ctx, &diags).unwrap();
    expect![[r#"
        //- /a.nmk
        Today Obama spoke.

        @a: person "A"
          role: x
        ^s: data
          by: @a
    "#]]
    .assert_eq(&f.apply(&action.change));
}

#[test]
fn a_tie_between_two_ids_gets_no_fix() {
    let f = Fixture::new(
        "//- /registry.nmk\n@ann-lee: person \"Ann Lee\"\n@ann-lea: person \"Ann Lea\"\n//- /a.nmk\n[Ann]{@ann-le$0} spoke.\n",
    );
    let (ctx, _) = f.at_cursor();
    let diags = file_diagnostics(&f.ws, ctx.file, ctx.parse, CheckOptions::default());
    let undefined = diags.iter().find(|d| d.code == crate::analysis::Code::UndefinedReference).unwrap();
    assert!(undefined.suggestion.is_some(), "the message still names the closest");
    assert!(undefined.fix.is_none(), "{:?}", undefined.fix);
    // One more letter breaks the tie: the fix is back.
    let g = Fixture::new(
        "//- /registry.nmk\n@ann-lee: person \"Ann Lee\"\n@ann-lea: person \"Ann Lea\"\n//- /a.nmk\n[Ann]{@ann-leee$0} spoke.\n",
    );
    let (ctx, _) = g.at_cursor();
    let diags = file_diagnostics(&g.ws, ctx.file, ctx.parse, CheckOptions::default());
    let undefined = diags.iter().find(|d| d.code == crate::analysis::Code::UndefinedReference).unwrap();
    assert_eq!(undefined.fix.as_ref().map(|f| f.edits[0].new_text.as_str()), Some("@ann-lee"));
}
