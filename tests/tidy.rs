//! Keeps the code base legible: every source file says what it is for in a
//! `//!` line, the layers of ARCHITECTURE.md only import downwards (in any
//! form: `crate::a::b`, grouped `use crate::{a, b}`, `super::` chains), and
//! only the server knows the protocol, in `src` and in the tests, benches
//! and fuzz targets alike.

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

/// Every `.rs` file below `dir` of the package, as (path relative to
/// `dir` with `/` separators, text).
fn files_under(dir: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
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

fn src_files() -> Vec<(String, String)> {
    files_under("src")
}

/// The tests, benches and fuzz targets: code outside `src` that uses it.
fn outside_files() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["tests", "benches", "fuzz/fuzz_targets"] {
        out.extend(files_under(dir).into_iter().map(|(rel, text)| (format!("{dir}/{rel}"), text)));
    }
    out
}

#[test]
fn every_source_file_opens_with_a_doc_line() {
    let missing: Vec<String> =
        src_files().into_iter().filter(|(_, text)| !text.starts_with("//!")).map(|(rel, _)| rel).collect();
    assert!(missing.is_empty(), "files without a leading `//!` line saying what they are for: {missing:?}");
}

/// The module path of a file of `src` (`lsp/state.rs` → `[lsp, state]`,
/// `lsp/mod.rs` → `[lsp]`, `lib.rs` → `[]`).
fn module_path(rel: &str) -> Vec<String> {
    let rel = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib" || p == "main") {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and without the contents of string
/// and char literals (so a path in a message or a doc line is not taken for
/// an import).
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            b'r' if (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                // A raw string: r"…", r#"…"#, …
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) != Some(&b'"') {
                    out.push('r');
                    i += 1;
                    continue;
                }
                let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
                j += 1;
                while j < b.len() && !b[j..].starts_with(&close) {
                    j += 1;
                }
                out.push_str("\"\"");
                i = j + close.len();
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                out.push_str("\"\"");
                i += 1;
            }
            b'\'' if b.get(i + 2) == Some(&b'\'') || (b.get(i + 1) == Some(&b'\\')) => {
                // A char literal ('x', '\n', '\u{…}'); a lifetime has no closing quote.
                let mut j = i + 1;
                while j < b.len() && b[j] != b'\'' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                out.push_str("' '");
                i = j + 1;
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

fn ident_at(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(s.len());
    (&s[..end], &s[end..])
}

/// The top-level modules a path starting at `s` (just after `crate::` or
/// the `super::` chain, with the module it resolved to as `base`) reaches:
/// one for `a::b`, several for a group `{a, b::{c}}`.
fn reached(base: &[String], s: &str, out: &mut Vec<String>) {
    let s = s.trim_start();
    if let Some(group) = s.strip_prefix('{') {
        // Split the group's items at top-level commas.
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    reached(base, &group[start..i], out);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    reached(base, &group[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return;
    }
    let (ident, _) = ident_at(s);
    if ident.is_empty() {
        return;
    }
    let top = match base.first() {
        Some(first) => first.clone(),
        None if ident == "self" => return,
        None => ident.to_string(),
    };
    out.push(top);
}

/// Every top-level module of the crate that `code` (a file of module
/// `module`) names: through `crate::`, and through `super::` chains.
fn imported_layers(module: &[String], code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for (at, _) in code.match_indices("::") {
        // The token before `::`.
        let start = code[..at].rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
        let word = &code[start..at];
        let preceded_by_path = start >= 2 && &bytes[start - 2..start] == b"::";
        if preceded_by_path {
            continue;
        }
        let mut rest = &code[at + 2..];
        let base: Vec<String> = match word {
            "crate" => Vec::new(),
            "super" => {
                let mut base = module.to_vec();
                // A file `a/b.rs` is module `a::b`; its `super` is `a`.
                base.pop();
                loop {
                    let (next, after) = ident_at(rest.trim_start());
                    if next == "super" && after.starts_with("::") {
                        base.pop();
                        rest = &after[2..];
                    } else {
                        break;
                    }
                }
                base
            }
            _ => continue,
        };
        reached(&base, rest, &mut out);
    }
    out.sort();
    out.dedup();
    out
}

/// What each layer must not import (ARCHITECTURE.md, "Layers").
fn forbidden(layer: &str) -> &'static [&'static str] {
    match layer {
        "text" => &["syntax", "codes", "analysis", "config", "workspace", "ide", "cli", "lsp", "nlp"],
        "syntax" => &["codes", "analysis", "config", "workspace", "ide", "cli", "lsp", "nlp"],
        "codes" => &["analysis", "config", "workspace", "ide", "cli", "lsp", "nlp"],
        "config" => &["analysis", "workspace", "ide", "cli", "lsp", "nlp"],
        "analysis" => &["workspace", "ide", "cli", "lsp", "nlp"],
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
        let module = module_path(&rel);
        let Some(this) = module.first() else { continue };
        for other in imported_layers(&module, &code_only(&text)) {
            if forbidden(this).contains(&other.as_str()) {
                violations.push(format!("{rel} imports `{other}`"));
            }
        }
    }
    assert!(violations.is_empty(), "layering violations:\n{}", violations.join("\n"));
}

#[test]
fn the_import_scanner_sees_every_form() {
    let module = vec!["config".to_string(), "parse".to_string()];
    let layers = |code: &str| imported_layers(&module, &code_only(code));
    assert_eq!(layers("use crate::{analysis::Code, text::TextRange};"), ["analysis", "text"]);
    assert_eq!(layers("use crate::{\n    analysis::{Code, Severity},\n    syntax,\n};"), ["analysis", "syntax"]);
    assert_eq!(layers("use super::super::ide::x;"), ["ide"]);
    assert_eq!(layers("use super::Config;"), ["config"]);
    assert_eq!(layers("let x = crate::lsp::run();"), ["lsp"]);
    assert_eq!(layers("// crate::lsp::run()\nlet s = \"crate::cli::x\";"), Vec::<String>::new());
    let lsp = vec!["lsp".to_string()];
    assert_eq!(imported_layers(&lsp, "use super::cli::x;"), ["cli"]);
}

const PROTOCOL: [&str; 5] = ["tower_lsp_server", "tokio", "ropey", "lsp_types", "ls_types"];

fn protocol_uses(text: &str) -> Vec<&'static str> {
    let code = code_only(text);
    PROTOCOL.into_iter().filter(|name| code.contains(&format!("{name}::"))).collect()
}

#[test]
fn only_the_server_knows_the_protocol_and_the_runtime() {
    let mut violations = Vec::new();
    for (rel, text) in src_files() {
        if module_path(&rel).first().is_some_and(|l| l == "lsp") {
            continue;
        }
        violations.extend(protocol_uses(&text).into_iter().map(|name| format!("src/{rel} uses `{name}`")));
    }
    // Tests, benches and fuzz targets speak to the server as a client does
    // (JSON over a pipe): none uses its protocol crates or its internals.
    for (rel, text) in outside_files() {
        if rel == "tests/tidy.rs" {
            continue;
        }
        violations.extend(protocol_uses(&text).into_iter().map(|name| format!("{rel} uses `{name}`")));
        let code = code_only(&text);
        for (at, _) in code.match_indices("newsmark::lsp::") {
            let (item, _) = ident_at(&code[at + "newsmark::lsp::".len()..]);
            if !["run", "EditableText"].contains(&item) {
                violations.push(format!("{rel} uses `newsmark::lsp::{item}`"));
            }
        }
    }
    assert!(violations.is_empty(), "protocol or runtime outside src/lsp:\n{}", violations.join("\n"));
}
