//! Corpus formats for NLP: `newsmark export --format brat|conll|spacy|w3c`
//! and `newsmark import --from brat`. Every export starts from the plain
//! text of §8 (`document`), so offsets are exact and in Unicode scalar
//! values. See docs/nlp-export.md.

pub mod brat;
pub mod conll;
pub mod document;
pub mod import_brat;
pub mod spacy;
pub mod w3c;

use std::io::Write;
use std::path::{Path, PathBuf};

use document::ExportDoc;

/// The NLP export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Brat,
    Conll,
    Spacy,
    W3c,
}

/// What `newsmark export` was asked for.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    pub format: Format,
    /// A folder (one file per article, paths mirrored) or, for the
    /// streaming formats, a file; `None`: standard output.
    pub out: Option<PathBuf>,
    /// `KIND=LABEL` overrides of the NER labels (conll, spacy).
    pub labels: Vec<String>,
}

/// Runs an export; returns the exit code (0, 1 when a document was
/// skipped, 2 for usage or output failures).
pub fn export(paths: &[PathBuf], options: &ExportOptions) -> i32 {
    let labels = match conll::Labels::parse(&options.labels) {
        Ok(labels) => labels,
        Err(e) => return usage(&e),
    };
    if options.format == Format::Brat && options.out.is_none() {
        return usage("--format brat writes a folder of files: give --out DIR");
    }
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() { &default[..] } else { paths };
    let collected = document::collect(paths);
    let mut code = collected.code;
    let docs = &collected.docs;
    let per_file = |doc: &ExportDoc| -> Vec<(&'static str, String)> {
        match options.format {
            Format::Brat => vec![("txt", doc.text.clone()), ("ann", brat::render_ann(doc))],
            Format::Conll => vec![("conll", conll::render(doc, &labels))],
            Format::Spacy => vec![("jsonl", format!("{}\n", spacy::render(doc, &labels)))],
            Format::W3c => {
                vec![("jsonld", serde_json::to_string_pretty(&w3c::render(doc)).unwrap_or_default() + "\n")]
            }
        }
    };
    let stream = |doc: &ExportDoc| -> String {
        match options.format {
            Format::W3c => format!("{}\n", w3c::render(doc)),
            _ => per_file(doc).into_iter().map(|(_, s)| s).collect(),
        }
    };
    let result = match &options.out {
        Some(dir) if options.format == Format::Brat || is_folder_target(dir) => {
            let mut written = Ok(());
            for doc in docs {
                for (ext, content) in per_file(doc) {
                    written = written.and_then(|()| write_file(&dir.join(mirrored(&doc.path, ext)), &content));
                }
            }
            if options.format == Format::Brat {
                let conf = brat::annotation_conf(docs, &collected.entity_kinds, &collected.source_kinds);
                written = written
                    .and_then(|()| write_file(&dir.join("annotation.conf"), &conf))
                    .and_then(|()| write_file(&dir.join("tools.conf"), &brat::tools_conf()));
            }
            written
        }
        Some(file) => write_file(file, &docs.iter().map(stream).collect::<String>()),
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let mut written = Ok(());
            for doc in docs {
                written = written.and_then(|()| out.write_all(stream(doc).as_bytes()));
            }
            written.and_then(|()| out.flush()).map_err(|e| (PathBuf::from("standard output"), e))
        }
    };
    match result {
        Ok(()) => {}
        Err((_, e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err((path, e)) => {
            eprintln!("error: cannot write {}: {e}", path.display());
            code = 2;
        }
    }
    code
}

fn usage(message: &str) -> i32 {
    eprintln!("error: {message}");
    2
}

/// `--out` names a folder when it is one already or ends with a slash.
fn is_folder_target(path: &Path) -> bool {
    path.is_dir() || path.as_os_str().to_string_lossy().ends_with(['/', std::path::MAIN_SEPARATOR])
}

/// The output path of an article: its path relative to its workspace root
/// with `.nmk` replaced by `.ext` (only the file name when that path leaves
/// the root).
pub fn mirrored(path: &str, ext: &str) -> PathBuf {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let escapes = parts.iter().any(|p| *p == ".." || *p == ".") || Path::new(path).is_absolute();
    let parts = if escapes { &parts[parts.len().saturating_sub(1)..] } else { &parts[..] };
    let mut out: PathBuf = parts.iter().collect();
    let stem = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = stem.strip_suffix(".nmk").unwrap_or(&stem).to_owned();
    out.set_file_name(format!("{stem}.{ext}"));
    out
}

/// Writes a file, creating its folders.
pub(crate) fn write_file(path: &Path, content: &str) -> Result<(), (PathBuf, std::io::Error)> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| (parent.to_path_buf(), e))?;
    }
    std::fs::write(path, content).map_err(|e| (path.to_path_buf(), e))
}
