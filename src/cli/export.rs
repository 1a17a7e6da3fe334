//! `newsmark export --format text|jsonl`: the plain text of §8, and JSON
//! lines with each document's plain text, tags and referenced definitions.
//! A document with syntax errors is reported on stderr and skipped, never
//! half-exported.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::analysis::schema::{self, KeyContext};
use crate::analysis::{DefInfo, SourceFile, Workspace};
use crate::syntax::{self, Parse, PlainText, Sigil};
use crate::workspace::open::Opener;

/// Prints the plain text of each file.
pub fn text(files: &[PathBuf]) -> i32 {
    each_document(files, |_, _, _, plain, out| out.write_all(plain.text.as_bytes()))
}

/// Prints one JSON object per file.
pub fn jsonl(files: &[PathBuf]) -> i32 {
    each_document(files, |ws, file, parse, plain, out| {
        let value = document_json(ws, file, parse, plain);
        serde_json::to_writer(&mut *out, &value)?;
        out.write_all(b"\n")
    })
}

type Emit<'a> = dyn FnMut(&Workspace, &SourceFile, &Parse, &PlainText, &mut dyn Write) -> std::io::Result<()> + 'a;

fn each_document(
    files: &[PathBuf],
    mut emit: impl FnMut(&Workspace, &SourceFile, &Parse, &PlainText, &mut dyn Write) -> std::io::Result<()>,
) -> i32 {
    let emit: &mut Emit = &mut emit;
    let mut opener = Opener::default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut code = EXIT_OK;
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
        if let Some(first) = parse.errors.first() {
            eprintln!(
                "error: {}: skipped: {} syntax error(s), the first at byte {}: {}",
                path.display(),
                parse.errors.len(),
                first.range.start,
                first.message
            );
            code = code.max(EXIT_FAILURE);
            continue;
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
