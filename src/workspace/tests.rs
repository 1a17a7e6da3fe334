//! Tests of root finding, discovery and reading, on temporary folders.

use super::*;
use std::fs;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

/// Discovered files relative to `root`, with `/` separators.
fn rel_files(root: &Path, d: &Discovery) -> Vec<String> {
    d.files.iter().map(|p| rel(root, p)).collect()
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/")
}

fn discover_default(root: &Path) -> Discovery {
    discover(root, &Config::default())
}

#[test]
fn find_root_walks_up() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "newsmark.toml", "");
    write(root, "a/b/c.nmk", "");
    write(root, "a/nested/newsmark.toml", "");
    write(root, "a/nested/d/e.nmk", "");
    assert_eq!(find_root(&root.join("a/b/c.nmk")).unwrap(), root);
    assert_eq!(find_root(&root.join("a/b")).unwrap(), root);
    assert_eq!(find_root(root).unwrap(), root);
    assert_eq!(find_root(&root.join("a/nested/d/e.nmk")).unwrap(), root.join("a/nested"));
    // A file that does not exist yet (an unsaved editor buffer) still finds its root.
    assert_eq!(find_root(&root.join("a/b/new")).unwrap(), root);
    let other = tempfile::tempdir().unwrap();
    // No newsmark.toml up to `/` (unless the machine has one above the temp dir).
    let found = find_root(other.path());
    assert!(found.is_none() || !found.unwrap().starts_with(other.path()));
}

#[test]
fn finds_nmk_files_sorted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "b.nmk", "");
    write(root, "a/z.nmk", "");
    write(root, "a/b/y.nmk", "");
    write(root, "notes.txt", "");
    write(root, "upper.NMK", "");
    write(root, "a.nmk.bak", "");
    fs::create_dir_all(root.join("dir.nmk")).unwrap();
    let d = discover_default(root);
    assert_eq!(rel_files(root, &d), ["a/b/y.nmk", "a/z.nmk", "b.nmk"]);
    assert!(d.errors.is_empty() && d.nested_roots.is_empty(), "{d:?}");
}

#[test]
fn hidden_entries_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".git/x.nmk", "");
    write(root, ".trash/y.nmk", "");
    write(root, "a/.#lock.nmk", "");
    write(root, "a/ok.nmk", "");
    assert_eq!(rel_files(root, &discover_default(root)), ["a/ok.nmk"]);
}

#[test]
fn gitignore_at_root_and_in_subfolders() {
    let dir = tempfile::tempdir().unwrap();
    let outer = dir.path();
    // An ignore file above the root does not count.
    write(outer, ".gitignore", "*.nmk\n");
    let root = &outer.join("ws");
    write(root, ".gitignore", "tmp/\nscratch-*.nmk\n");
    write(root, "tmp/a.nmk", "");
    write(root, "scratch-1.nmk", "");
    write(root, "keep.nmk", "");
    write(root, "sub/.gitignore", "local.nmk\n!scratch-2.nmk\n");
    write(root, "sub/local.nmk", "");
    write(root, "sub/scratch-2.nmk", "");
    write(root, "sub/other.nmk", "");
    write(root, "other/local.nmk", "");
    // Neither .ignore files nor .git/info/exclude count.
    write(root, ".ignore", "keep.nmk\n");
    write(root, ".git/info/exclude", "keep.nmk\n");
    let d = discover_default(root);
    assert_eq!(rel_files(root, &d), ["keep.nmk", "other/local.nmk", "sub/other.nmk", "sub/scratch-2.nmk"]);
}

#[test]
fn exclude_globs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "drafts/a.nmk", "");
    write(root, "drafts/deep/b.nmk", "");
    write(root, "articles/drafts/c.nmk", "");
    write(root, "articles/d.tmp.nmk", "");
    write(root, "articles/e.nmk", "");
    write(root, "f.nmk", "");
    let config = crate::config::parse("exclude = [\"/drafts/**\", \"*.tmp.nmk\", \"/f.nmk\"]").unwrap();
    let d = discover(root, &config);
    assert_eq!(rel_files(root, &d), ["articles/drafts/c.nmk", "articles/e.nmk"]);
    let config = crate::config::parse("exclude = [\"drafts/\"]").unwrap();
    let d = discover(root, &config);
    assert_eq!(rel_files(root, &d), ["articles/d.tmp.nmk", "articles/e.nmk", "f.nmk"]);
}

#[test]
fn nested_workspaces_are_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "newsmark.toml", "");
    write(root, "a.nmk", "");
    write(root, "desk/newsmark.toml", "");
    write(root, "desk/b.nmk", "");
    write(root, "desk/inner/newsmark.toml", "");
    write(root, "x/y/newsmark.toml", "");
    write(root, "x/y/c.nmk", "");
    let d = discover_default(root);
    assert_eq!(rel_files(root, &d), ["a.nmk"]);
    let nested: Vec<_> = d.nested_roots.iter().map(|p| rel(root, p)).collect();
    assert_eq!(nested, ["desk", "x/y"]);
    // Discovering the nested root on its own finds its files and its own nested root.
    let d = discover_default(&root.join("desk"));
    assert_eq!(rel_files(&root.join("desk"), &d), ["b.nmk"]);
    assert_eq!(d.nested_roots, [root.join("desk/inner")]);
}

#[cfg(unix)]
#[test]
fn symlinks() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    let root = &dir.path().join("ws");
    write(&outside, "secret.nmk", "");
    write(root, "real/a.nmk", "");
    write(root, "store/b.txt", "");
    // Loops of folders and of files.
    symlink(root, root.join("real/loop")).unwrap();
    symlink("self-loop.nmk", root.join("self-loop.nmk")).unwrap();
    symlink(root.join("x2.nmk"), root.join("x1.nmk")).unwrap();
    symlink(root.join("x1.nmk"), root.join("x2.nmk")).unwrap();
    // Out of the root: a folder and a file.
    symlink(&outside, root.join("out")).unwrap();
    symlink(outside.join("secret.nmk"), root.join("secret.nmk")).unwrap();
    // A folder link inside the root is not followed (no duplicates).
    symlink(root.join("real"), root.join("alias")).unwrap();
    // File links inside the root: one to a non-discovered file is taken,
    // one to an already discovered file is not, two to one target once.
    symlink(root.join("store/b.txt"), root.join("b.nmk")).unwrap();
    symlink(root.join("store/b.txt"), root.join("c.nmk")).unwrap();
    symlink(root.join("real/a.nmk"), root.join("a-link.nmk")).unwrap();
    symlink(root.join("missing.nmk"), root.join("dangling.nmk")).unwrap();
    write(root, "desk/newsmark.toml", "");
    write(root, "desk/d.nmk", "");
    symlink(root.join("desk/d.nmk"), root.join("d.nmk")).unwrap();
    let d = discover_default(root);
    assert_eq!(rel_files(root, &d), ["b.nmk", "real/a.nmk"]);
    let errs: Vec<_> = d.errors.iter().map(|(p, _)| rel(root, p)).collect();
    assert_eq!(errs, ["dangling.nmk", "self-loop.nmk", "x1.nmk", "x2.nmk"]);
    assert!(d.errors[0].1.starts_with("cannot resolve the symbolic link: "), "{:?}", d.errors);
}

#[cfg(unix)]
#[test]
fn unreadable_folder_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "locked/a.nmk", "");
    write(root, "b.nmk", "");
    let locked = root.join("locked");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    // As root, permissions do not stop reading: then the folder is simply read.
    let enforced = fs::read_dir(&locked).is_err();
    let d = discover_default(root);
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    if enforced {
        assert_eq!(rel_files(root, &d), ["b.nmk"]);
        assert_eq!(d.errors.len(), 1, "{d:?}");
        assert_eq!(d.errors[0].0, locked);
        assert!(d.errors[0].1.contains("ermission denied"), "{:?}", d.errors);
    } else {
        assert_eq!(rel_files(root, &d), ["b.nmk", "locked/a.nmk"]);
    }
}

#[test]
fn missing_root_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = discover_default(&dir.path().join("nope"));
    assert!(d.files.is_empty());
    assert_eq!(d.errors.len(), 1);
    assert!(d.errors[0].1.starts_with("cannot read the workspace folder: "));
}

#[test]
fn reading() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "ok.nmk", "\u{feff}hello ünïcode");
    fs::write(root.join("latin1.nmk"), b"caf\xe9 ok").unwrap();
    fs::create_dir(root.join("folder.nmk")).unwrap();
    let paths: Vec<PathBuf> =
        ["ok.nmk", "latin1.nmk", "folder.nmk", "missing.nmk"].iter().map(|p| root.join(p)).collect();
    let out = par_read_map(&paths, |p, r| (p.to_path_buf(), r.map_err(|e| e.to_string())));
    assert_eq!(out.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(), paths, "order is kept");
    assert_eq!(out[0].1.as_ref().map(String::as_str).ok(), Some("\u{feff}hello ünïcode"));
    assert_eq!(
        out[1].1.as_ref().map_err(String::as_str),
        Err("the file is not valid UTF-8: invalid byte sequence at byte offset 3; save it as UTF-8")
    );
    assert!(out[2].1.as_ref().unwrap_err().starts_with("cannot read the file: "));
    assert!(matches!(read_text(&paths[3]), Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound));
    assert!(matches!(read_text(&paths[1]), Err(ReadError::NotUtf8 { offset: 3 })));
}

#[cfg(unix)]
#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("locked.nmk");
    fs::write(&p, "text").unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).unwrap();
    let enforced = fs::File::open(&p).is_err();
    let r = read_text(&p);
    if enforced {
        let e = r.unwrap_err();
        assert!(matches!(e, ReadError::Io(_)));
        assert!(e.to_string().starts_with("cannot read the file: Permission denied"), "{e}");
    } else {
        // Running as root: permissions do not apply.
        assert_eq!(r.unwrap(), "text");
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_is_never_opened() {
    // Opening a FIFO for reading blocks until a writer comes: it must be
    // refused before it is opened.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.nmk");
    if !std::process::Command::new("mkfifo").arg(&p).status().is_ok_and(|s| s.success()) {
        return;
    }
    assert!(matches!(read_text(&p), Err(ReadError::NotAFile)));
    assert!(!admits(dir.path(), &p));
}

#[cfg(unix)]
#[test]
fn admits_follows_discovery() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let outside = dir.path().join("outside");
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::create_dir_all(&outside).unwrap();
    write(&root, "sub/a.nmk", "a");
    write(&outside, "secret.nmk", "s");
    std::os::unix::fs::symlink(outside.join("secret.nmk"), root.join("leak.nmk")).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("ext")).unwrap();
    std::os::unix::fs::symlink(root.join("sub"), root.join("twin")).unwrap();
    std::os::unix::fs::symlink(root.join("sub/a.nmk"), root.join("link.nmk")).unwrap();
    std::os::unix::fs::symlink(root.join("loop.nmk"), root.join("loop.nmk")).unwrap();
    fs::create_dir(root.join("folder.nmk")).unwrap();
    assert!(admits(&root, &root.join("sub/a.nmk")));
    assert!(admits(&root, &root.join("link.nmk")));
    assert!(!admits(&root, &root.join("leak.nmk")), "a link out of the root");
    assert!(!admits(&root, &root.join("ext/secret.nmk")), "through a linked folder out");
    assert!(!admits(&root, &root.join("twin/a.nmk")), "through a linked folder in");
    assert!(!admits(&root, &root.join("loop.nmk")));
    assert!(!admits(&root, &root.join("folder.nmk")));
    assert!(!admits(&root, &root.join("missing.nmk")));
    assert!(!admits(&root, &outside.join("secret.nmk")), "not below the root");
}

fn admits(root: &Path, path: &Path) -> bool {
    Membership::new(root, &Config::default()).unwrap().admits(path)
}

/// The walk and the one-path rule agree on every path of a tree with
/// `.gitignore` files at two levels (one re-including a file), `exclude`
/// globs, hidden entries and a nested workspace.
#[test]
fn admits_agrees_with_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".gitignore", "drafts/\n*.tmp.nmk\nold-*.nmk\n");
    write(root, "a.nmk", "");
    write(root, "x.tmp.nmk", "");
    write(root, "drafts/d.nmk", "");
    write(root, "drafts/keep/k.nmk", "");
    write(root, "news/.gitignore", "!old-keep.nmk\nlocal.nmk\n");
    write(root, "news/old-keep.nmk", "");
    write(root, "news/old-drop.nmk", "");
    write(root, "news/local.nmk", "");
    write(root, "news/b.nmk", "");
    write(root, "news/deep/local.nmk", "");
    write(root, "archive/2019/c.nmk", "");
    write(root, "archive/keep.nmk", "");
    write(root, ".hidden/h.nmk", "");
    write(root, "news/.h.nmk", "");
    write(root, "nested/newsmark.toml", "");
    write(root, "nested/n.nmk", "");
    let config = Config { exclude: vec!["archive/2019/".into()], ..Config::default() };
    let rule = Membership::new(root, &config).unwrap();
    let listed = discover(root, &config).files;
    let mut all = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else if e.path().extension().is_some_and(|x| x == "nmk") {
                all.push(e.path());
            }
        }
    }
    all.sort();
    let admitted: Vec<PathBuf> = all.iter().filter(|p| rule.admits(p)).cloned().collect();
    assert_eq!(admitted, listed);
    let names: Vec<String> = listed.iter().map(|p| rel(root, p)).collect();
    assert_eq!(names, ["a.nmk", "archive/keep.nmk", "news/b.nmk", "news/old-keep.nmk"]);
}

#[test]
fn relative_to_the_base_with_dot_dot_outside_it() {
    let base = Path::new("/ws/articles");
    assert_eq!(load::display_path(Path::new("/ws/articles/a.nmk"), base), "a.nmk");
    assert_eq!(load::display_path(Path::new("/ws/articles/x/b.nmk"), base), "x/b.nmk");
    assert_eq!(load::display_path(Path::new("/ws/registry/p.nmk"), base), "../registry/p.nmk");
    assert_eq!(load::display_path(Path::new("/other/c.nmk"), base), "../../other/c.nmk");
    assert_eq!(load::display_path(Path::new("/ws/articles"), base), "");
    assert_eq!(load::display_path(Path::new("/ws"), base), "..");
}

use proptest::strategy::Strategy as _;

proptest::proptest! {
    /// The fast order of walked paths is `Path`'s order, names with dots,
    /// dashes and spaces included (`a.b` sorts after `a/b` by component,
    /// before it by byte).
    #[test]
    fn walked_paths_sort_as_paths_do(
        names in proptest::collection::vec(
            proptest::collection::vec("[a-c. -]{1,3}".prop_filter("a name", |n| n != "." && n != ".."), 1..4),
            2..30,
        ),
    ) {
        let mut paths: Vec<PathBuf> =
            names.iter().map(|parts| Path::new("/work/root").join(parts.join("/"))).collect();
        paths.sort();
        paths.dedup();
        let want = paths.clone();
        paths.reverse();
        sort_walked(&mut paths);
        proptest::prop_assert_eq!(paths, want);
    }

    /// The shortcut for paths under the base shows every path as the walk
    /// over components does: doubled and trailing slashes, `.` and `..`,
    /// bases that end in `/`, paths that only start like the base.
    #[test]
    fn a_path_is_shown_the_same_with_or_without_the_shortcut(
        base in "(/[a-c.]{1,2}){0,3}/?",
        rest in "[a-c./]{0,8}",
    ) {
        let base = if base.is_empty() { "/".to_owned() } else { base };
        let path = format!("{base}{rest}");
        let (path, base) = (Path::new(&path), Path::new(&base));
        proptest::prop_assert_eq!(load::display_path(path, base), load::display_path_by_components(path, base));
    }
}
