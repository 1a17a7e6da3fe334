//! The workspace on disk (§7): resolution across files, nested workspaces,
//! `.gitignore` and `exclude`.

use expect_test::expect;

use crate::support::{annotate_root, check, parse_fixture, write_files};

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

#[test]
fn dangling_and_looping_symlinks_are_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &parse_fixture(
            r#"
            //- /articles/a.nmk
            [x]{@nope}
            //- /registry.nmk
            @x: person "X"
            "#,
        ),
    );
    std::os::unix::fs::symlink("missing.nmk", dir.path().join("articles/dangling.nmk")).unwrap();
    std::os::unix::fs::symlink("loop.nmk", dir.path().join("loop.nmk")).unwrap();
    std::os::unix::fs::symlink("registry.nmk", dir.path().join("alias.nmk")).unwrap();
    expect![[r#"
        //- /articles/a.nmk
        [x]{@nope}
            ^^^^^ error[undefined-reference]: undefined entity `@nope`: no definition in the workspace
        //- /articles/dangling.nmk

        | error[unreadable]: cannot resolve the symbolic link: No such file or directory (os error 2)
        //- /loop.nmk

        | error[unreadable]: cannot resolve the symbolic link: Too many levels of symbolic links (os error 40)
        //- /registry.nmk
        @x: person "X"
        (no diagnostics)
    "#]]
    .assert_eq(&annotate_root(dir.path()));
}
