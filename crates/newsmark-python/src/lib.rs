//! `newsmark._native`: the engine for Python. `parse` and the `Workspace`
//! and `Registry` classes return plain tuples that `python/newsmark` turns
//! into documented dataclasses; `main` is the `newsmark` command.
//! Everything that takes time runs with the GIL released, on a rayon pool
//! made per process (see `pool`), so it also works after `fork`.

mod cli;
mod convert;
mod pool;
mod spacy;
mod workspace;

use std::path::PathBuf;
use std::sync::Arc;

use newsmark::analysis::{LoadedFile, Workspace};
use newsmark::config::Config;
use pyo3::prelude::*;

// The allocator of the `newsmark` binary: the engine is allocation-bound.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Where a text given without a path is placed: a workspace of its own.
const UNTITLED: &str = "untitled.nmk";

/// Parses `text` as a workspace of its own (its references resolve to the
/// definitions it holds) and returns the document row.
#[pyfunction]
#[pyo3(signature = (text, path=None))]
fn parse(py: Python<'_>, text: &str, path: Option<String>) -> convert::DocumentRow {
    py.detach(|| {
        let root = PathBuf::from("/");
        let file = root.join(path.as_deref().unwrap_or(UNTITLED));
        let mut ws = Workspace::new(root, Arc::new(Config::default()));
        let parse = newsmark::syntax::parse(text);
        let shown = path.clone().unwrap_or_else(|| UNTITLED.to_owned());
        let loaded = LoadedFile { path: file, display_path: shown, content: Ok(text.to_owned()) };
        let id = ws.set_file(loaded, Some(&parse));
        convert::document_row_of_parse(&ws, Some(id), path, text, &parse)
    })
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(cli::main, m)?)?;
    m.add_function(wrap_pyfunction!(spacy::spacy_record, m)?)?;
    m.add_function(wrap_pyfunction!(workspace::registries_built, m)?)?;
    m.add_class::<workspace::Workspace>()?;
    m.add_class::<workspace::Registry>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
