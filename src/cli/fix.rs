//! `check --fix` and `--diff` (spec §14): rounds of fixes applied to the
//! texts in memory (each round costs one more check of the files), then
//! either a unified diff of every changed file or the writes, each file
//! only if its bytes on disk are still those first read.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::report::shown_path;
use super::write::write_if_unchanged;
use crate::analysis::apply::{apply_edits, compatible_fixes, edits_by_file};
use crate::analysis::{Applicability, Diagnostic, FileId, Fix, FixEdit, Workspace};
use crate::syntax::{self, Parse, plain_text};
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
    refused: FxHashSet<PathBuf>,
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
            // Each file's new text, parsed and checked, in parallel.
            let by_file: Vec<_> = edits_by_file(&fixes).into_iter().collect();
            let changed = &self.changed;
            let outcomes: Vec<(FileId, Option<Edited>)> = by_file
                .par_iter()
                .map(|(id, edits)| (*id, ws.file(*id).and_then(|file| edit_file(changed, &file.path, edits))))
                .collect();
            let mut bad_files = FxHashSet::default();
            for (id, outcome) in &outcomes {
                if outcome.is_none() {
                    let Some(file) = ws.file(*id) else { continue };
                    eprintln!(
                        "warning: {}: fixes left out: they did not fit the text or would have changed its plain text",
                        file.display_path
                    );
                    self.refused.insert(file.path.clone());
                    bad_files.insert(*id);
                }
            }
            // A fix is applied whole or not at all.
            let touches_bad = |f: &Fix| f.edits.iter().any(|e| bad_files.contains(&e.file));
            let mut held_back = FxHashSet::default();
            for f in fixes.iter().filter(|f| touches_bad(f)) {
                held_back.extend(f.edits.iter().map(|e| e.file));
            }
            applied += fixes.iter().filter(|f| !touches_bad(f)).count();
            for (id, outcome) in outcomes {
                let (Some(edited), false) = (outcome, held_back.contains(&id)) else { continue };
                let Some(file) = ws.file(id) else { continue };
                let (path, display_path) = (file.path.clone(), file.display_path.clone());
                ws.set_parsed_file(path.clone(), display_path, edited.after.clone(), &edited.parse);
                match self.changed.get_mut(&path) {
                    Some(c) => c.current = edited.after,
                    None => {
                        self.order.push(path.clone());
                        self.changed
                            .insert(path, Changed { original: edited.before.to_string(), current: edited.after });
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

/// A file's text before and after this round's edits, and its new parse.
struct Edited {
    before: Arc<str>,
    after: Arc<str>,
    parse: Parse,
}

/// Applies `edits` to the current text of `path` (as changed so far, else
/// read now); `None` when they do not fit it or would change its plain
/// text — the guard of §14: a fix edits markup, never the article's text.
fn edit_file(changed: &FxHashMap<PathBuf, Changed>, path: &Path, edits: &[&FixEdit]) -> Option<Edited> {
    let before: Arc<str> = match changed.get(path) {
        Some(c) => c.current.clone(),
        None => Arc::from(workspace::read_text(path).ok()?),
    };
    let after: Arc<str> = Arc::from(apply_edits(&before, edits)?);
    let parse = syntax::parse(&after);
    let old = syntax::parse(&before);
    (plain_text(&before, &old).text == plain_text(&after, &parse).text).then_some(Edited { before, after, parse })
}
