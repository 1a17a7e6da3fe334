//! Keeps the code base legible: every source file says what it is for in a
//! `//!` line, and the layers of ARCHITECTURE.md only import downwards.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn every_source_file_opens_with_a_doc_line() {
    let missing: Vec<String> =
        src_files().into_iter().filter(|(_, text)| !text.starts_with("//!")).map(|(rel, _)| rel).collect();
    assert!(missing.is_empty(), "files without a leading `//!` line saying what they are for: {missing:?}");
}

/// The top-level module a file belongs to (`syntax/tags.rs` → `syntax`).
fn layer(rel: &str) -> &str {
    rel.split(['/', '.']).next().unwrap_or(rel)
}

/// What each layer must not import (ARCHITECTURE.md, "Layers").
fn forbidden(layer: &str) -> &'static [&'static str] {
    match layer {
        "text" => &["syntax", "analysis", "config", "workspace", "ide", "cli", "lsp", "nlp"],
        "syntax" => &["analysis", "config", "workspace", "ide", "cli", "lsp", "nlp"],
        "analysis" | "config" => &["workspace", "ide", "cli", "lsp", "nlp"],
        "workspace" => &["ide", "cli", "lsp", "nlp"],
        "ide" => &["workspace", "cli", "lsp", "nlp"],
        "nlp" => &["lsp", "ide"],
        "cli" => &["lsp"],
        "lsp" => &["cli", "nlp"],
        _ => &[],
    }
}

#[test]
fn layers_only_import_downwards() {
    let mut violations = Vec::new();
    for (rel, text) in src_files() {
        let this = layer(&rel);
        for other in forbidden(this) {
            let needle = format!("crate::{other}");
            if text.lines().any(|l| !l.trim_start().starts_with("//") && l.contains(&needle)) {
                violations.push(format!("{rel} imports `{needle}`"));
            }
        }
    }
    assert!(violations.is_empty(), "layering violations:\n{}", violations.join("\n"));
}

#[test]
fn only_the_server_knows_the_protocol_and_the_runtime() {
    let mut violations = Vec::new();
    for (rel, text) in src_files() {
        if layer(&rel) == "lsp" {
            continue;
        }
        for name in ["tower_lsp_server", "tokio", "ropey", "lsp_types", "ls_types"] {
            if text.lines().any(|l| l.contains(&format!("{name}::"))) {
                violations.push(format!("{rel} uses `{name}`"));
            }
        }
    }
    assert!(violations.is_empty(), "protocol or runtime outside src/lsp:\n{}", violations.join("\n"));
}
