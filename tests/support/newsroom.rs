//! Temporary copies of `examples/newsroom` for tests that change files.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Copies a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of examples/newsroom: (guard, root).
pub fn temp_newsroom() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("newsroom");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/newsroom"), &root);
    (dir, root)
}

/// A temporary newsroom with one more article `articles/NAME` holding
/// `text`: (guard, root, article path).
pub fn temp_newsroom_with(name: &str, text: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (dir, root) = temp_newsroom();
    let article = root.join("articles").join(name);
    std::fs::write(&article, text).unwrap();
    (dir, root, article)
}
