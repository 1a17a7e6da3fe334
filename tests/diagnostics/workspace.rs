//! The workspace on disk (§7): resolution across files, nested workspaces,
//! `.gitignore` and `exclude`.

use expect_test::expect;

use crate::support::check;

#[test]
fn nested_workspace_resolves_on_its_own() {
    check(
        r#"
        //- /newsmark.toml
        //- /articles/a.nmk
        [Mr. Xi]{@xi} and [Ms. Y]{@y}.
        //- /registry.nmk
        @xi: person "Xi"
          aka: Mr. Xi
        //- /desk/newsmark.toml
        [rules]
        undefined-reference = "warning"
        //- /desk/b.nmk
        [Mr. Xi]{@xi} and [Ms. Y]{@y}.
        //- /desk/registry.nmk
        @y: person "Y"
          aka: Ms. Y
        "#,
        expect![[r#"
            //- /articles/a.nmk
            [Mr. Xi]{@xi} and [Ms. Y]{@y}.
                                      ^^ error[undefined-reference]: undefined entity `@y`: no definition in the workspace; did you mean `@xi`?
                                         suggestion: `@xi`
            //- /desk/b.nmk
            [Mr. Xi]{@xi} and [Ms. Y]{@y}.
                     ^^^ warning[undefined-reference]: undefined entity `@xi`: no definition in the workspace; did you mean `@y`?
                         suggestion: `@y`
            //- /desk/registry.nmk
            @y: person "Y"
              aka: Ms. Y
            (no diagnostics)
            //- /registry.nmk
            @xi: person "Xi"
              aka: Mr. Xi
            (no diagnostics)
        "#]],
    );
}

#[test]
fn gitignore_and_exclude_leave_files_out() {
    check(
        r#"
        //- /newsmark.toml
        exclude = ["drafts/**", "*.tmp.nmk"]
        //- /.gitignore
        ignored/
        //- /articles/a.nmk
        [x]{@defined-in-ignored-file}
        //- /ignored/registry.nmk
        @defined-in-ignored-file: person "X"
        //- /drafts/d.nmk
        [x]{@nope}
        //- /articles/b.tmp.nmk
        [x]{@nope}
        //- /articles/.hidden.nmk
        [x]{@nope}
        //- /articles/notes.txt
        [x]{@nope}
        "#,
        expect![[r#"
            //- /articles/a.nmk
            [x]{@defined-in-ignored-file}
                ^^^^^^^^^^^^^^^^^^^^^^^^ error[undefined-reference]: undefined entity `@defined-in-ignored-file`: no definition in the workspace
        "#]],
    );
}

#[test]
fn first_definition_by_path_wins() {
    check(
        r#"
        //- /a.nmk
        [Xi]{@xi}
        //- /z/registry.nmk
        @xi: person "Xi Jinping"
        //- /b/registry.nmk
        @xi: person "Somebody Else"
          aka: Xi
        "#,
        expect![[r#"
            //- /a.nmk
            [Xi]{@xi}
            (no diagnostics)
            //- /b/registry.nmk
            @xi: person "Somebody Else"
            ^^^ error[duplicate-definition]: `@xi` is defined 2 times; also in z/registry.nmk
                related: z/registry.nmk:1:1: `@xi` is also defined here
              aka: Xi
            //- /z/registry.nmk
            @xi: person "Xi Jinping"
            ^^^ error[duplicate-definition]: `@xi` is defined 2 times; also in b/registry.nmk
                related: b/registry.nmk:1:1: `@xi` is also defined here
        "#]],
    );
}
