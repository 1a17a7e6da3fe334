//! `export --format spacy`: one JSON object per article, read by spaCy
//! (`text` + `ents` as `(start, end, label)` character offsets, the
//! training tuple format; `kb_ids` for entity linking) and by Prodigy
//! (`tokens`, `spans` with `token_start` / `token_end`).
//!
//! * `ents`: the flat entity layer (`conll::flat_entities`): outermost tag
//!   wins, the first entity of a tag with several.
//! * `kb_ids`: one per `ents` item: the Wikidata id (`Q76`) where the
//!   entity has one, else `newsmark:ID`.
//! * `spans`: every entity reference of every non-empty tag, nested and
//!   multi-reference ones included, sorted by start, longest first.
//! * `meta.sources`: every source reference with its offsets.

use serde_json::{Value, json};

use super::conll::{self, Labels};
use super::document::{Entity, ExportDoc};

/// The knowledge-base id of an entity.
pub fn kb_id(entity: &Entity) -> String {
    match &entity.wikidata {
        Some(q) => q.clone(),
        None => format!("newsmark:{}", entity.id),
    }
}

/// The JSON object of one document.
pub fn render(doc: &ExportDoc, labels: &Labels) -> Value {
    let breaks: Vec<usize> = doc.spans.iter().flat_map(|s| [s.start, s.end]).collect();
    let tokens = conll::tokenize(&doc.text, &breaks);
    let token_range = |start: usize, end: usize| {
        let first = tokens.partition_point(|t| t.start < start);
        let after = tokens.partition_point(|t| t.end <= end);
        (first, after.saturating_sub(1))
    };
    let mut ents = Vec::new();
    let mut kb_ids = Vec::new();
    for (index, label) in conll::flat_entities(doc, labels) {
        let span = &doc.spans[index];
        ents.push(json!([span.start, span.end, label]));
        kb_ids.push(Value::String(span.entities.first().map(kb_id).unwrap_or_default()));
    }
    let mut spans: Vec<(usize, usize, Value)> = Vec::new();
    let mut sources = Vec::new();
    for span in &doc.spans {
        for source in &span.sources {
            sources.push(json!({
                "start": span.start,
                "end": span.end,
                "id": source.id,
                "kind": source.kind,
                "name": source.name,
                "by": source.by,
                "date": source.date,
            }));
        }
        if span.start == span.end {
            continue;
        }
        let (token_start, token_end) = token_range(span.start, span.end);
        for entity in &span.entities {
            let Some(label) = labels.label(&entity.kind) else { continue };
            spans.push((
                span.start,
                span.end,
                json!({
                    "start": span.start,
                    "end": span.end,
                    "token_start": token_start,
                    "token_end": token_end,
                    "label": label,
                    "kind": entity.kind,
                    "id": entity.id,
                    "kb_id": kb_id(entity),
                }),
            ));
        }
    }
    spans.sort_by_key(|(start, end, _)| (*start, std::cmp::Reverse(*end)));
    let tokens: Vec<Value> = tokens
        .iter()
        .enumerate()
        .map(|(id, t)| {
            json!({
                "text": doc.text.get(t.byte_start..t.byte_end).unwrap_or(""),
                "start": t.start,
                "end": t.end,
                "id": id,
                "ws": t.ws,
            })
        })
        .collect();
    json!({
        "text": doc.text,
        "ents": ents,
        "kb_ids": kb_ids,
        "spans": spans.into_iter().map(|(_, _, v)| v).collect::<Vec<_>>(),
        "tokens": tokens,
        "meta": { "file": doc.path, "sources": sources },
    })
}
