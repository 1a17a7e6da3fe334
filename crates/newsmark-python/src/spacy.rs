//! `Document.to_spacy`: the spaCy record of a document computed by the
//! engine's spaCy export (`newsmark export --format spacy`), so the entity
//! layer, labels and knowledge-base ids are the CLI's.

use newsmark::nlp::conll::Labels;
use newsmark::nlp::document::{Entity, ExportDoc, Source, TagSpan};
use newsmark::nlp::spacy;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::convert::TagRow;

/// The JSON object `newsmark export --format spacy` writes for a document
/// with plain text `text` and tags `tags`; `labels` are `KIND=LABEL`
/// overrides.
#[pyfunction]
pub fn spacy_record(py: Python<'_>, text: String, tags: Vec<TagRow>, labels: Vec<String>) -> PyResult<String> {
    let labels = Labels::parse(&labels).map_err(PyValueError::new_err)?;
    py.detach(|| {
        let doc = export_doc(text, tags);
        Ok(spacy::render(&doc, &labels).to_string())
    })
}

/// An [`ExportDoc`] back from rows (byte offsets recomputed).
fn export_doc(text: String, tags: Vec<TagRow>) -> ExportDoc {
    // Byte offset of every character index, and of the end.
    let bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).chain([text.len()]).collect();
    let byte = |at: usize| bytes.get(at).copied().unwrap_or(text.len());
    let spans = tags
        .into_iter()
        .map(|(start, end, _, parent, entities, sources)| TagSpan {
            start,
            end,
            byte_start: byte(start),
            byte_end: byte(end),
            parent,
            entities: entities
                .into_iter()
                .map(|(id, kind, name, wikidata, resolved)| Entity { id, kind, name, wikidata, resolved })
                .collect(),
            sources: sources
                .into_iter()
                .map(|(id, kind, name, by, date, resolved)| Source { id, kind, name, by, date, resolved })
                .collect(),
        })
        .collect();
    ExportDoc { path: String::new(), text, spans }
}
