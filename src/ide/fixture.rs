//! Test fixtures: a workspace from one string (`//- /path` starts a file,
//! `$0` marks the cursor) and results rendered as source annotated with
//! carets, for `expect-test` expectations.

use std::path::PathBuf;
use std::sync::Arc;

use super::{FileContext, SourceChange};
use crate::analysis::{FileId, LoadedFile, Workspace};
use crate::config::Config;
use crate::syntax::{self, Parse};
use crate::text::TextRange;

pub(crate) const CURSOR: &str = "$0";

pub(crate) struct Fixture {
    pub ws: Workspace,
    /// Per file: id, path as written, parse.
    pub files: Vec<(FileId, String, Parse)>,
    pub cursor: Option<(FileId, u32)>,
}

impl Fixture {
    pub fn new(fixture: &str) -> Fixture {
        Fixture::with_config(fixture, Config::default())
    }

    pub fn with_config(fixture: &str, config: Config) -> Fixture {
        let mut ws = Workspace::new(PathBuf::from("/ws"), Arc::new(config));
        let mut files = Vec::new();
        let mut cursor = None;
        for (path, mut text) in split(fixture) {
            let at = text.find(CURSOR);
            if let Some(at) = at {
                text.replace_range(at..at + CURSOR.len(), "");
            }
            let parse = syntax::parse(&text);
            let loaded = LoadedFile {
                path: PathBuf::from(format!("/ws{path}")),
                display_path: path.trim_start_matches('/').to_string(),
                content: Ok(text),
            };
            let id = ws.set_file(loaded, Some(&parse));
            if let Some(at) = at {
                cursor = Some((id, at as u32));
            }
            files.push((id, path, parse));
        }
        Fixture { ws, files, cursor }
    }

    pub fn ctx(&self, file: FileId) -> FileContext<'_> {
        let (_, _, parse) = self.files.iter().find(|(id, _, _)| *id == file).unwrap();
        FileContext {
            ws: &self.ws,
            file,
            parse,
            text: &self.ws.file(file).unwrap().text,
            texts: &self.ws,
            index_complete: true,
        }
    }

    /// The context of the file holding `$0`, and the cursor offset.
    pub fn at_cursor(&self) -> (FileContext<'_>, u32) {
        let (file, offset) = self.cursor.expect("the fixture has no $0");
        (self.ctx(file), offset)
    }

    pub fn path(&self, file: FileId) -> &str {
        &self.files.iter().find(|(id, _, _)| *id == file).unwrap().1
    }

    pub fn text(&self, file: FileId) -> &str {
        &self.ws.file(file).unwrap().text
    }

    /// Files annotated with `marks`, each file under its `//- path` line;
    /// files without marks are left out.
    pub fn annotate_files(&self, marks: &[(FileId, TextRange, String)]) -> String {
        let mut out = String::new();
        for (id, path, _) in &self.files {
            let mine: Vec<(TextRange, String)> =
                marks.iter().filter(|(f, _, _)| f == id).map(|(_, r, l)| (*r, l.clone())).collect();
            if !mine.is_empty() {
                out.push_str(&format!("//- {path}\n{}", annotate(self.text(*id), &mine)));
            }
        }
        out
    }

    /// Every file a change touches, with the change applied.
    pub fn apply(&self, change: &SourceChange) -> String {
        let mut out = String::new();
        for (file, _) in &change.edits {
            out.push_str(&format!("//- {}\n{}", self.path(*file), change.apply(*file, self.text(*file))));
        }
        out
    }
}

/// Splits a fixture into `(path, text)`; without a `//-` line it is one file
/// `/main.nmk`.
fn split(fixture: &str) -> Vec<(String, String)> {
    let fixture = fixture.strip_prefix('\n').unwrap_or(fixture);
    if !fixture.starts_with("//- ") {
        return vec![("/main.nmk".to_string(), fixture.to_string())];
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for line in fixture.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("//- ") {
            out.push((path.trim().to_string(), String::new()));
        } else if let Some((_, text)) = out.last_mut() {
            text.push_str(line);
        }
    }
    out
}

/// `text` with a line of carets and a label under every marked range
/// (ranges over several lines are marked to the end of their first line).
pub(crate) fn annotate(text: &str, marks: &[(TextRange, String)]) -> String {
    let mut out = String::new();
    let mut line_start = 0usize;
    let mut rest = text;
    loop {
        let (line, next) = match rest.find('\n') {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let line_end = line_start + line.len();
        out.push_str(line);
        out.push('\n');
        let mut here: Vec<&(TextRange, String)> =
            marks.iter().filter(|(r, _)| (line_start..=line_end).contains(&(r.start as usize))).collect();
        here.sort_by_key(|(r, _)| (r.start, r.end));
        for (r, label) in here {
            let col = text[line_start..r.start as usize].chars().count();
            let end = (r.end as usize).min(line_end).max(r.start as usize);
            let width = text[r.start as usize..end].chars().count().max(1);
            let caret = if r.is_empty() { "|".to_string() } else { "^".repeat(width) };
            out.push_str(&format!("{}{caret} {label}\n", " ".repeat(col)));
        }
        match next {
            Some(n) => {
                line_start = line_end + 1;
                rest = n;
            }
            None => break,
        }
    }
    out
}
