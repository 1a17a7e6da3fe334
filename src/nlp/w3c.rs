//! `export --format w3c`: per article one W3C Web Annotation
//! `AnnotationCollection` (JSON-LD, context `http://www.w3.org/ns/anno.jsonld`)
//! whose single `AnnotationPage` holds one `Annotation` per tag reference.
//!
//! * target: `source` is the article's plain text, named
//!   `urn:newsmark:text:PATH` (PATH relative to the workspace root,
//!   percent-encoded), with a `TextPositionSelector` (Unicode scalar values)
//!   and a `TextQuoteSelector` (`exact`, and up to 32 characters of
//!   `prefix` and `suffix`).
//! * entity: motivation `identifying`; bodies: the entity as a
//!   `SpecificResource` with purpose `identifying` whose source is
//!   `http://www.wikidata.org/entity/Q…` where the entity has a Wikidata id,
//!   plus always `urn:newsmark:entity:ID`; the kind as a `TextualBody`
//!   with purpose `classifying`; the display name as a `TextualBody` with
//!   purpose `describing`.
//! * source: motivation `linking`; bodies `urn:newsmark:source:ID`
//!   (`identifying`), the kind (`classifying`) and the display name
//!   (`describing`).

use serde_json::{Value, json};

use super::document::{ExportDoc, TagSpan};

/// Context characters on each side in a `TextQuoteSelector`.
pub const QUOTE_CONTEXT: usize = 32;

/// `urn:newsmark:text:PATH` for a document path.
pub fn document_iri(path: &str) -> String {
    let mut out = String::from("urn:newsmark:text:");
    for c in path.chars() {
        if c.is_ascii_alphanumeric() || "-._~/".contains(c) || !c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// The collection of one document.
pub fn render(doc: &ExportDoc) -> Value {
    let source = document_iri(&doc.path);
    let chars: Vec<(usize, char)> = doc.text.char_indices().collect();
    let byte_at = |i: usize| chars.get(i).map_or(doc.text.len(), |(b, _)| *b);
    let mut items = Vec::new();
    for (t, span) in doc.spans.iter().enumerate() {
        let target = target(doc, span, &source, &byte_at);
        for (r, entity) in span.entities.iter().enumerate() {
            let mut body = Vec::new();
            if let Some(q) = &entity.wikidata {
                body.push(identifying(&format!("http://www.wikidata.org/entity/{q}")));
            }
            body.push(identifying(&format!("urn:newsmark:entity:{}", entity.id)));
            body.push(textual(&entity.kind, "classifying"));
            if let Some(name) = &entity.name {
                body.push(textual(name, "describing"));
            }
            items.push(annotation(&source, t, r, "identifying", body, &target));
        }
        for (r, src) in span.sources.iter().enumerate() {
            let mut body =
                vec![identifying(&format!("urn:newsmark:source:{}", src.id)), textual(&src.kind, "classifying")];
            if let Some(name) = &src.name {
                body.push(textual(name, "describing"));
            }
            items.push(annotation(&source, t, span.entities.len() + r, "linking", body, &target));
        }
    }
    json!({
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": format!("{source}#annotations"),
        "type": "AnnotationCollection",
        "label": format!("Newsmark tags of {}", doc.path),
        "total": items.len(),
        "first": {
            "id": format!("{source}#page1"),
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    })
}

fn identifying(iri: &str) -> Value {
    json!({ "type": "SpecificResource", "source": iri, "purpose": "identifying" })
}

fn textual(value: &str, purpose: &str) -> Value {
    json!({ "type": "TextualBody", "value": value, "format": "text/plain", "purpose": purpose })
}

fn annotation(source: &str, tag: usize, reference: usize, motivation: &str, body: Vec<Value>, target: &Value) -> Value {
    json!({
        "id": format!("{source}#tag{tag}.{reference}"),
        "type": "Annotation",
        "motivation": motivation,
        "body": body,
        "target": target,
    })
}

fn target(doc: &ExportDoc, span: &TagSpan, source: &str, byte_at: &dyn Fn(usize) -> usize) -> Value {
    let before = byte_at(span.start.saturating_sub(QUOTE_CONTEXT));
    let after = byte_at(span.end + QUOTE_CONTEXT);
    json!({
        "source": source,
        "selector": [
            { "type": "TextPositionSelector", "start": span.start, "end": span.end },
            {
                "type": "TextQuoteSelector",
                "exact": doc.slice(span),
                "prefix": doc.text.get(before..span.byte_start).unwrap_or(""),
                "suffix": doc.text.get(span.byte_end..after).unwrap_or(""),
            },
        ],
    })
}
