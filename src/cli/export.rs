//! `newsmark export --format text|jsonl`: the plain text of §8, and JSON
//! lines with each document's plain text, tags and referenced definitions.
//! Syntax errors are reported on stderr (exit 1). Every document has a plain
//! text (§8), so `text` prints it all the same; `jsonl` skips the document,
//! so that a corpus never holds half its annotations.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::report::shown_path;
use super::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::analysis::schema::{self, KeyContext};
use crate::analysis::{DefInfo, SourceFile, Workspace};
use crate::syntax::{self, Parse, PlainText, Sigil};
use crate::text::{LineIndex, PositionEncoding};
use crate::workspace::open::Opener;

/// Prints the plain text of each file.
pub fn text(files: &[PathBuf]) -> i32 {
    each_document(files, OnSyntaxErrors::Export, |_, _, _, plain, out| out.write_all(plain.text.as_bytes()))
}

/// Prints one JSON object per file.
pub fn jsonl(files: &[PathBuf]) -> i32 {
    each_document(files, OnSyntaxErrors::Skip, |ws, file, parse, plain, out| {
        let value = document_json(ws, file, parse, plain);
        serde_json::to_writer(&mut *out, &value)?;
        out.write_all(b"\n")
    })
}

type Emit<'a> = dyn FnMut(&Workspace, &SourceFile, &Parse, &PlainText, &mut dyn Write) -> std::io::Result<()> + 'a;

/// What becomes of a document with syntax errors, once they are reported.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OnSyntaxErrors {
    Export,
    Skip,
}

fn each_document(
    files: &[PathBuf],
    on_syntax_errors: OnSyntaxErrors,
    mut emit: impl FnMut(&Workspace, &SourceFile, &Parse, &PlainText, &mut dyn Write) -> std::io::Result<()>,
) -> i32 {
    let emit: &mut Emit = &mut emit;
    let mut opener = Opener::default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut code = EXIT_OK;
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize).unwrap_or_default();
    for path in files {
        if path.exists() && !path.is_file() {
            eprintln!("error: {}: not a file", path.display());
            code = EXIT_USAGE;
            continue;
        }
        let opened = match opener.open(path, &mut |_| {}) {
            Ok(opened) => opened,
            Err(e) => {
                eprintln!("error: {e}");
                code = EXIT_USAGE;
                continue;
            }
        };
        let workspaces = opener.workspaces(opened.root);
        let found = opened.files.first().and_then(|(w, p)| {
            let ws = workspaces.get(*w)?;
            Some((ws, ws.file(ws.file_id(p)?)?))
        });
        let Some((ws, file)) = found else { continue };
        if let Some(e) = &file.read_error {
            eprintln!("error: {}: {e}", path.display());
            code = code.max(EXIT_FAILURE);
            continue;
        }
        let parse = syntax::parse(&file.text);
        if !parse.errors.is_empty() {
            let shown = shown_path(&file.path, &cwd);
            report_syntax_errors(&shown, &file.text, &parse);
            code = code.max(EXIT_FAILURE);
            if on_syntax_errors == OnSyntaxErrors::Skip {
                eprintln!("error: {shown}: not exported, as it has syntax errors");
                continue;
            }
        }
        let plain = syntax::plain_text(&file.text, &parse);
        if let Err(e) = emit(ws, file, &parse, &plain, &mut out) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return code;
            }
            eprintln!("error: cannot write: {e}");
            return EXIT_USAGE;
        }
    }
    if out.flush().is_err() {
        return EXIT_USAGE;
    }
    code
}

/// Prints each syntax error as `path:line:col: error[syntax]: message`
/// (columns in Unicode scalar values, as `check` counts them).
fn report_syntax_errors(shown: &str, text: &str, parse: &Parse) {
    let index = LineIndex::new(text);
    for error in &parse.errors {
        let at = index.line_col(text, error.range.start, PositionEncoding::Utf32);
        eprintln!("{shown}:{}:{}: error[syntax]: {}", at.line + 1, at.col + 1, error.message);
    }
}

/// The JSON line of one document (`file` names it): plain text, tags and
/// the definitions they reference.
pub fn document_json(ws: &Workspace, file: &SourceFile, parse: &Parse, plain: &PlainText) -> Value {
    let mut definitions: BTreeMap<String, Value> = BTreeMap::new();
    let mut tags = Vec::with_capacity(parse.doc.tags.len());
    for (tag, span) in parse.doc.tags.iter().zip(&plain.tags) {
        let ids =
            |sigil: Sigil| -> Vec<&str> { tag.refs.iter().filter(|r| r.sigil == sigil).map(|r| &*r.id).collect() };
        for r in &tag.refs {
            let key = format!("{}{}", r.sigil.char(), r.id);
            if !definitions.contains_key(&key)
                && let Some((_, def)) = ws.resolve(r.sigil, &r.id)
            {
                definitions.insert(key, definition_json(ws, def));
            }
        }
        tags.push(json!({
            "start": span.start,
            "end": span.end,
            "text": plain.text.get(span.byte_start as usize..span.byte_end as usize).unwrap_or(""),
            "entities": ids(Sigil::Entity),
            "sources": ids(Sigil::Source),
        }));
    }
    json!({
        "file": file.display_path,
        "text": plain.text,
        "tags": tags,
        "definitions": definitions,
    })
}

/// A definition as JSON: kind, name and attributes (list keys as arrays).
pub fn definition_json(ws: &Workspace, def: &DefInfo) -> Value {
    let ctx = KeyContext::of_definition(def.sigil);
    let mut attributes = serde_json::Map::new();
    for (key, value) in def.attrs() {
        let is_list = schema::key_spec(ctx, key).is_some_and(|s| s.value.is_list());
        if is_list {
            let items = attributes.entry(key.to_string()).or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(a) = items {
                a.extend(value.split(';').map(str::trim).filter(|s| !s.is_empty()).map(|s| Value::String(s.into())));
            }
        } else if !attributes.contains_key(key) {
            attributes.insert(key.to_string(), Value::String(value.to_string()));
        }
    }
    json!({
        "id": ws.id_text(def.id),
        "type": def.sigil.noun(),
        "kind": def.kind(),
        "name": def.name(),
        "attributes": attributes,
    })
}
