//! `newsmark import --from brat DIR --out DIR`: brat `.txt` + `.ann` back to
//! Newsmark articles, plus `registry/imported.nmk` with one definition per
//! distinct entity and source, and a `newsmark.toml` making the output a
//! workspace.
//!
//! * A `T` span becomes a tag over its extent (first fragment start to last
//!   fragment end); `T`s of equal extent become one tag with several
//!   references (entities first, in `.ann` order; a repeated reference is
//!   kept, so nested tags naming the same id come back). Spans that cross another
//!   span without nesting, cross a blank line, or lie outside the text are
//!   reported on stderr and left out.
//! * Entity ids: `N … Newsmark:ID` keeps ID; `N … Wikidata:Q…` and spans
//!   without a normalization get an id made from their text (lower case,
//!   other characters turned into `-`), `-q…` or `-2`, `-3`… appended on a
//!   clash. The definition's kind is the most frequent `T` type, its name
//!   the `N` line's text, else the most frequent covered text.
//! * `Attribution` spans become `^` tags: the id from the `Source`
//!   attribute (else made from the text), the kind from `SourceKind` (else
//!   `anonymous`), the name from an `AnnotatorNotes` comment.
//! * Text: `\ [ ] { }` are always escaped, `<` before `!`, and `@` / `^` at
//!   the start of a line; a first line reading `---` or a leading BOM gets a
//!   blank line before it. The plain text of the article is then the `.txt`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::brat::{ATTRIBUTION, NEWSMARK_DB, WIKIDATA_DB};
use super::document::is_wikidata;
use super::write_file;
use crate::analysis::schema::{ENTITY_KINDS, SOURCE_KINDS};
use crate::syntax::is_valid_id;

/// Kind of a source whose `.ann` gives none.
pub const DEFAULT_SOURCE_KIND: &str = "anonymous";

/// A text-bound annotation.
struct Span {
    id: String,
    kind: String,
    start: usize,
    end: usize,
}

/// One brat document, read.
struct BratDoc {
    rel: PathBuf,
    text: String,
    spans: Vec<Span>,
    /// `T` id → (DB, id, text) of its first normalization.
    norms: BTreeMap<String, (String, String, String)>,
    /// `T` id → attribute name → value.
    attrs: BTreeMap<String, BTreeMap<String, String>>,
    notes: BTreeMap<String, String>,
}

/// How a span is identified across the collection.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Newsmark(String),
    Wikidata(String),
    Text(String, String),
    Source(String),
    SourceText(String),
}

#[derive(Default)]
struct Def {
    kinds: Vec<(String, usize)>,
    texts: Vec<(String, usize)>,
    name: Option<String>,
    id: String,
}

fn count(into: &mut Vec<(String, usize)>, item: &str) {
    match into.iter_mut().find(|(k, _)| k == item) {
        Some((_, n)) => *n += 1,
        None => into.push((item.to_owned(), 1)),
    }
}

fn most_frequent(items: &[(String, usize)]) -> Option<&str> {
    let best = items.iter().map(|(_, n)| *n).max()?;
    items.iter().find(|(_, n)| *n == best).map(|(k, _)| k.as_str())
}

/// Runs the import; returns the exit code.
pub fn import(from: &Path, out: &Path) -> i32 {
    let mut code = 0;
    let mut txts = Vec::new();
    if let Err(e) = find_txt(from, from, &mut txts) {
        eprintln!("error: {}: {e}", from.display());
        return 2;
    }
    txts.sort();
    let mut docs = Vec::new();
    for rel in txts {
        match read_doc(from, &rel) {
            Ok(doc) => docs.push(doc),
            Err(e) => {
                eprintln!("error: {}: {e}", from.join(&rel).display());
                code = 1;
            }
        }
    }
    let mut defs: BTreeMap<Key, Def> = BTreeMap::new();
    for doc in &docs {
        for span in &doc.spans {
            let def = defs.entry(key_of(doc, span)).or_default();
            count(&mut def.kinds, &span_kind(doc, span));
            count(&mut def.texts, &covered(&doc.text, span));
            if def.name.is_none() {
                def.name = name_of(doc, span);
            }
        }
    }
    assign_ids(&mut defs);
    for doc in &docs {
        let (nmk, dropped) = article(doc, &defs);
        code = code.max(if dropped { 1 } else { 0 });
        let rel = doc.rel.to_string_lossy().replace('\\', "/");
        let path = out.join(super::mirrored(rel.strip_suffix(".txt").unwrap_or(&rel), "nmk"));
        if let Err((p, e)) = write_file(&path, &nmk) {
            eprintln!("error: cannot write {}: {e}", p.display());
            return 2;
        }
    }
    let (registry, extra_entity, extra_source) = registry(&defs);
    let mut written = write_file(&out.join("registry").join("imported.nmk"), &registry);
    let toml = out.join(crate::config::FILE_NAME);
    if !toml.exists() {
        written = written.and_then(|()| write_file(&toml, &config(&extra_entity, &extra_source)));
    } else if !extra_entity.is_empty() || !extra_source.is_empty() {
        eprintln!("note: add to [kinds] of {}: {extra_entity:?} {extra_source:?}", toml.display());
    }
    if let Err((p, e)) = written {
        eprintln!("error: cannot write {}: {e}", p.display());
        return 2;
    }
    code
}

fn find_txt(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
            continue;
        }
        if path.is_dir() {
            find_txt(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "txt") {
            out.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
        }
    }
    Ok(())
}

fn read_doc(root: &Path, rel: &Path) -> Result<BratDoc, String> {
    let txt = root.join(rel);
    let text = std::fs::read_to_string(&txt).map_err(|e| e.to_string())?;
    let ann = std::fs::read_to_string(txt.with_extension("ann")).unwrap_or_default();
    let length = text.chars().count();
    let mut doc = BratDoc {
        rel: rel.to_path_buf(),
        text,
        spans: Vec::new(),
        norms: BTreeMap::new(),
        attrs: BTreeMap::new(),
        notes: BTreeMap::new(),
    };
    let name = rel.display();
    for (n, line) in ann.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut fields = line.splitn(3, '\t');
        let (Some(id), Some(data)) = (fields.next(), fields.next()) else { continue };
        let tail = fields.next().unwrap_or("");
        let words: Vec<&str> = data.split(' ').filter(|w| !w.is_empty()).collect();
        match id.chars().next() {
            Some('T') => match text_bound(id, data, length) {
                Some(span) => doc.spans.push(span),
                None => eprintln!("warning: {name}.ann:{}: span left out (bad or out-of-range offsets)", n + 1),
            },
            Some('N') if words.len() >= 3 => {
                if let Some((db, value)) = words[2].split_once(':') {
                    doc.norms.entry(words[1].to_owned()).or_insert((db.into(), value.into(), tail.trim().into()));
                }
            }
            Some('A' | 'M') if words.len() >= 2 => {
                let value = words.get(2).copied().unwrap_or("true").to_owned();
                doc.attrs.entry(words[1].to_owned()).or_default().insert(words[0].to_owned(), value);
            }
            Some('#') if words.len() >= 2 && words[0] == "AnnotatorNotes" => {
                doc.notes.insert(words[1].to_owned(), tail.trim().to_owned());
            }
            _ => {}
        }
    }
    Ok(doc)
}

/// `TYPE s e;s e` → a span over the fragments' extent.
fn text_bound(id: &str, data: &str, length: usize) -> Option<Span> {
    let (kind, offsets) = data.split_once(' ')?;
    let mut start = usize::MAX;
    let mut end = 0;
    for fragment in offsets.split(';') {
        let (s, e) = fragment.trim().split_once(' ')?;
        let (s, e): (usize, usize) = (s.parse().ok()?, e.parse().ok()?);
        if s > e || e > length {
            return None;
        }
        start = start.min(s);
        end = end.max(e);
    }
    (start <= end).then(|| Span { id: id.to_owned(), kind: kind.to_owned(), start, end })
}

fn byte_range(text: &str, span: &Span) -> (usize, usize) {
    let mut indices = text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len()));
    let start = indices.nth(span.start).unwrap_or(text.len());
    let end = if span.end == span.start { start } else { indices.nth(span.end - span.start - 1).unwrap_or(text.len()) };
    (start, end)
}

fn covered(text: &str, span: &Span) -> String {
    let (start, end) = byte_range(text, span);
    let words: Vec<&str> = text.get(start..end).unwrap_or("").split_whitespace().collect();
    words.join(" ")
}

fn key_of(doc: &BratDoc, span: &Span) -> Key {
    if span.kind == ATTRIBUTION {
        return match doc.attrs.get(&span.id).and_then(|a| a.get("Source")).filter(|id| is_valid_id(id)) {
            Some(id) => Key::Source(id.clone()),
            None => Key::SourceText(covered(&doc.text, span)),
        };
    }
    match doc.norms.get(&span.id) {
        Some((db, id, _)) if db == NEWSMARK_DB && is_valid_id(id) => Key::Newsmark(id.clone()),
        Some((db, q, _)) if db == WIKIDATA_DB && is_wikidata(q) => Key::Wikidata(q.clone()),
        _ => Key::Text(span.kind.clone(), covered(&doc.text, span)),
    }
}

fn span_kind(doc: &BratDoc, span: &Span) -> String {
    if span.kind == ATTRIBUTION {
        let kind = doc.attrs.get(&span.id).and_then(|a| a.get("SourceKind"));
        return kind.filter(|k| !k.contains(['"', ' ', '\t'])).map_or(DEFAULT_SOURCE_KIND.to_owned(), Clone::clone);
    }
    span.kind.clone()
}

fn name_of(doc: &BratDoc, span: &Span) -> Option<String> {
    let name = if span.kind == ATTRIBUTION { doc.notes.get(&span.id) } else { doc.norms.get(&span.id).map(|n| &n.2) };
    name.filter(|n| !n.is_empty()).cloned()
}

/// A lower-case id made of the letters, marks and digits of `text`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if !matches!(c, '-' | '_' | '.') && is_valid_id(&format!("a{c}")) {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    out.trim_start_matches(|c: char| !is_valid_id(&c.to_string())).to_owned()
}

fn assign_ids(defs: &mut BTreeMap<Key, Def>) {
    let mut taken: Vec<(bool, String)> = Vec::new();
    for (key, def) in defs.iter_mut() {
        if let Key::Newsmark(id) | Key::Source(id) = key {
            def.id = id.clone();
            taken.push((matches!(key, Key::Source(_)), id.clone()));
        }
    }
    for (key, def) in defs.iter_mut() {
        let is_source = matches!(key, Key::Source(_) | Key::SourceText(_));
        let (base, suffix) = match key {
            Key::Newsmark(_) | Key::Source(_) => continue,
            Key::Wikidata(q) => {
                (slug(def.name.as_deref().or(most_frequent(&def.texts)).unwrap_or("")), q.to_lowercase())
            }
            Key::Text(kind, text) => (slug(text), slug(kind)),
            Key::SourceText(text) => (slug(text), "source".to_owned()),
        };
        let base = if base.is_empty() { suffix.clone() } else { base };
        let free = |id: &str| !taken.iter().any(|(s, t)| *s == is_source && t == id);
        let mut id = base.clone();
        if !free(&id) {
            id = format!("{base}-{suffix}");
        }
        let mut n = 2;
        while !free(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        taken.push((is_source, id.clone()));
        def.id = id;
    }
}

/// The Newsmark text of one document; `true` when spans were left out.
fn article(doc: &BratDoc, defs: &BTreeMap<Key, Def>) -> (String, bool) {
    // Group spans of equal extent into tags: (start, end, refs).
    let mut tags: Vec<(usize, usize, Vec<String>, Vec<String>)> = Vec::new();
    for span in &doc.spans {
        let Some(def) = defs.get(&key_of(doc, span)) else { continue };
        let at = match tags.iter().position(|t| t.0 == span.start && t.1 == span.end) {
            Some(at) => at,
            None => {
                tags.push((span.start, span.end, Vec::new(), Vec::new()));
                tags.len() - 1
            }
        };
        let (sigil, list) = if span.kind == ATTRIBUTION { ('^', &mut tags[at].3) } else { ('@', &mut tags[at].2) };
        list.push(format!("{sigil}{}", def.id));
    }
    tags.sort_by_key(|t| (t.0, std::cmp::Reverse(t.1)));
    let chars: Vec<char> = doc.text.chars().collect();
    let mut dropped = false;
    let mut kept: Vec<(usize, usize, String)> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for (start, end, entities, sources) in tags {
        while stack.last().is_some_and(|&top| kept[top].1 <= start) {
            stack.pop();
        }
        let crosses = stack.last().is_some_and(|&top| end > kept[top].1);
        if crosses || crosses_blank_line(&chars[start..end]) {
            let why = if crosses { "crosses another span" } else { "crosses a paragraph break" };
            eprintln!("warning: {}: span {start}–{end} left out: it {why}", doc.rel.display());
            dropped = true;
            continue;
        }
        stack.push(kept.len());
        kept.push((start, end, [entities, sources].concat().join(" ")));
    }
    (write_article(&chars, &kept), dropped)
}

fn crosses_blank_line(chars: &[char]) -> bool {
    let mut breaks = 0;
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\n' if i > 0 && chars[i - 1] == '\r' => {}
            '\n' | '\r' => {
                breaks += 1;
                if breaks >= 2 {
                    return true;
                }
            }
            ' ' | '\t' => {}
            _ => breaks = 0,
        }
    }
    false
}

/// Writes text and properly nested tags (`tags` sorted by start, outer
/// first).
fn write_article(chars: &[char], tags: &[(usize, usize, String)]) -> String {
    let mut out = String::with_capacity(chars.len() + tags.len() * 24);
    let first_line: String = chars.iter().take_while(|c| !matches!(c, '\n' | '\r')).collect();
    if first_line == "---" || chars.first() == Some(&'\u{feff}') {
        out.push('\n');
    }
    let mut open: Vec<usize> = Vec::new();
    let mut next = 0;
    for pos in 0..=chars.len() {
        while let Some(&top) = open.last().filter(|&&t| tags[t].1 == pos) {
            let _ = write!(out, "]{{{}}}", tags[top].2);
            open.pop();
        }
        while let Some(tag) = tags.get(next).filter(|t| t.0 == pos) {
            if tag.1 == pos {
                let _ = write!(out, "[]{{{}}}", tag.2);
            } else {
                out.push('[');
                open.push(next);
            }
            next += 1;
        }
        let Some(&c) = chars.get(pos) else { break };
        let line_start = out.is_empty() || out.ends_with(['\n', '\r']);
        let escape = match c {
            '\\' | '[' | ']' | '{' | '}' => true,
            '<' => chars.get(pos + 1) == Some(&'!'),
            '@' | '^' => line_start,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The registry text, and the kinds it uses beyond the built-in ones.
fn registry(defs: &BTreeMap<Key, Def>) -> (String, Vec<String>, Vec<String>) {
    let mut out = String::from("<!-- Definitions imported from brat standoff annotations. -->\n");
    let (mut extra_entity, mut extra_source) = (Vec::new(), Vec::new());
    let mut sorted: Vec<(&Key, &Def)> = defs.iter().collect();
    sorted.sort_by_key(|(key, def)| (matches!(key, Key::Source(_) | Key::SourceText(_)), def.id.as_str()));
    for (key, def) in sorted {
        let is_source = matches!(key, Key::Source(_) | Key::SourceText(_));
        let kind = most_frequent(&def.kinds).unwrap_or(DEFAULT_SOURCE_KIND);
        let (builtin, extra) =
            if is_source { (SOURCE_KINDS, &mut extra_source) } else { (ENTITY_KINDS, &mut extra_entity) };
        if !builtin.contains(&kind) && !extra.iter().any(|k| k == kind) {
            extra.push(kind.to_owned());
        }
        let sigil = if is_source { '^' } else { '@' };
        let name = def.name.as_deref().or(if is_source { None } else { most_frequent(&def.texts) });
        let _ = write!(out, "\n{sigil}{}: {kind}", def.id);
        if let Some(name) = name {
            let _ = write!(out, " \"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""));
        }
        out.push('\n');
        if let Key::Wikidata(q) = key {
            let _ = writeln!(out, "  wikidata: {q}");
        }
    }
    (out, extra_entity, extra_source)
}

fn config(entity: &[String], source: &[String]) -> String {
    let mut out = String::from("# Workspace of articles imported from brat.\n");
    if !entity.is_empty() || !source.is_empty() {
        let list = |kinds: &[String]| kinds.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ");
        let _ = write!(out, "\n[kinds]\nentity = [{}]\nsource = [{}]\n", list(entity), list(source));
    }
    out
}
