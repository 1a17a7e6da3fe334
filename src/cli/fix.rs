//! `check --fix` and `--diff` (spec §14): rounds of fixes applied to the
//! texts in memory (each round costs one more check of the files), then
//! either a unified diff of every changed file or the writes, each file
//! only if its bytes on disk are still those first read.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::report::shown_path;
use super::write::write_if_unchanged;
use crate::analysis::apply::{apply_edits, compatible_fixes, edits_by_file};
use crate::analysis::{Applicability, Diagnostic, Workspace};
use crate::syntax::{self, plain_text};
use crate::workspace;

/// A fix that keeps bringing back what another removes cannot loop for
/// ever: past this many rounds, what is left is reported.
pub const MAX_ROUNDS: usize = 100;

/// A file some fix changed.
struct Changed {
    /// The text as first read: what must still be on disk to write.
    original: String,
    current: Arc<str>,
}

#[derive(Default)]
pub struct Session {
    pub rounds: usize,
    /// Rounds that applied a fix: each cost one more check.
    rounds_with_fixes: usize,
    pub fixed: usize,
    changed: FxHashMap<PathBuf, Changed>,
    /// Files in path order of first change, for stable output.
    order: Vec<PathBuf>,
    /// Files a fix would have changed the plain text of: never touched
    /// again (a fix must not change what the article says).
    refused: Vec<PathBuf>,
}

impl Session {
    /// Applies the compatible fixes of `results` (per workspace, per target
    /// file) that edit only files under the PATHs, and updates the
    /// workspaces. Returns how many fixes were applied.
    pub fn round(
        &mut self,
        workspaces: &mut [Workspace],
        results: &[Vec<Vec<Diagnostic>>],
        allowed: Applicability,
        is_selected: &dyn Fn(&Path) -> bool,
    ) -> usize {
        self.rounds += 1;
        let mut applied = 0;
        for (ws, per_file) in workspaces.iter_mut().zip(results) {
            let may_edit = |id| {
                ws.file(id)
                    .is_some_and(|f| f.read_error.is_none() && is_selected(&f.path) && !self.refused.contains(&f.path))
            };
            let fixes = compatible_fixes(per_file.iter().flatten(), allowed, &may_edit);
            if fixes.is_empty() {
                continue;
            }
            let mut new_texts = Vec::new();
            let mut bad_files = Vec::new();
            for (id, edits) in edits_by_file(&fixes) {
                let Some(file) = ws.file(id) else { continue };
                let path = file.path.clone();
                let before: Arc<str> = match self.changed.get(&path) {
                    Some(c) => c.current.clone(),
                    None => match workspace::read_text(&path) {
                        Ok(t) => Arc::from(t),
                        Err(_) => {
                            bad_files.push(id);
                            continue;
                        }
                    },
                };
                match apply_edits(&before, &edits).filter(|after| same_plain_text(&before, after)) {
                    Some(after) => new_texts.push((id, path, file.display_path.clone(), before, after)),
                    None => {
                        eprintln!(
                            "warning: {}: fixes left out: they did not fit the text or would have changed its plain text",
                            file.display_path
                        );
                        self.refused.push(path);
                        bad_files.push(id);
                    }
                }
            }
            // A fix is applied whole or not at all.
            applied += fixes.iter().filter(|f| !f.edits.iter().any(|e| bad_files.contains(&e.file))).count();
            for (id, path, display_path, before, after) in new_texts {
                if fixes.iter().any(|f| {
                    f.edits.iter().any(|e| e.file == id) && f.edits.iter().any(|e| bad_files.contains(&e.file))
                }) {
                    continue;
                }
                let after: Arc<str> = Arc::from(after);
                let parse = syntax::parse(&after);
                ws.set_parsed_file(path.clone(), display_path, after.clone(), &parse);
                match self.changed.get_mut(&path) {
                    Some(c) => c.current = after,
                    None => {
                        self.order.push(path.clone());
                        self.changed.insert(path, Changed { original: before.to_string(), current: after });
                    }
                }
            }
        }
        self.fixed += applied;
        if applied > 0 {
            self.rounds_with_fixes += 1;
        }
        applied
    }

    fn changes(&self) -> impl Iterator<Item = (&Path, &Changed)> {
        let mut paths: Vec<&PathBuf> = self.order.iter().collect();
        paths.sort();
        paths
            .into_iter()
            .filter_map(|p| Some((p.as_path(), self.changed.get(p)?)))
            .filter(|(_, c)| *c.original != *c.current)
    }

    /// `--diff`: prints a unified diff of every file the fixes change (paths
    /// as every report shows them) and returns the exit code (1 when there
    /// is a change).
    pub fn print_diff(&self, cwd: &Path) -> i32 {
        use std::io::Write;
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let mut files = 0;
        for (path, c) in self.changes() {
            let shown = shown_path(path, cwd);
            let diff = similar::TextDiff::from_lines(c.original.as_str(), &*c.current);
            let text =
                diff.unified_diff().context_radius(3).header(&format!("a/{shown}"), &format!("b/{shown}")).to_string();
            if out.write_all(text.as_bytes()).is_err() {
                break;
            }
            files += 1;
        }
        let _ = out.flush();
        eprintln!(
            "{} would be applied to {} {}",
            plural(self.fixed, "fix", "fixes"),
            files,
            if files == 1 { "file" } else { "files" }
        );
        if files > 0 { super::EXIT_FAILURE } else { super::EXIT_OK }
    }

    /// Writes every changed file; false when one could not be written (the
    /// reason is printed).
    pub fn write(&self, cwd: &Path) -> bool {
        // For the race test: a file changed between read and write, at a
        // known moment instead of by chance.
        if let Some(path) = std::env::var_os("NEWSMARK_TEST_CHANGE_BEFORE_WRITE") {
            use std::io::Write;
            let _ = std::fs::OpenOptions::new().append(true).open(path).and_then(|mut f| f.write_all(b"\n"));
        }
        let mut ok = true;
        for (path, c) in self.changes() {
            if let Err(e) = write_if_unchanged(path, c.original.as_bytes(), c.current.as_bytes()) {
                eprintln!("error: {}: not fixed: {e}", shown_path(path, cwd));
                ok = false;
            }
        }
        ok
    }

    pub fn summary(&self) -> String {
        let files = self.changes().count();
        format!(
            "fixed {} in {} {} ({})",
            plural(self.fixed, "diagnostic", "diagnostics"),
            files,
            if files == 1 { "file" } else { "files" },
            plural(self.rounds_with_fixes, "round", "rounds")
        )
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The guard of §14: a fix edits markup, never the article's text.
fn same_plain_text(before: &str, after: &str) -> bool {
    let (a, b) = (syntax::parse(before), syntax::parse(after));
    plain_text(before, &a).text == plain_text(after, &b).text
}
