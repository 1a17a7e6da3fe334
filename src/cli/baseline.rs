//! Baselines (spec §15): `--write-baseline FILE` records the diagnostics of
//! a run, `--baseline FILE` hides them. An entry is the file (relative to
//! the baseline's folder, so the run may start anywhere), the code, the
//! text under the range and its occurrence among equal ones — no line
//! number, so edits elsewhere in the file keep it matching.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::ReportFile;
use crate::analysis::{CodeSet, Diagnostic};
use crate::workspace::load::display_path;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Entry {
    pub file: String,
    pub code: String,
    pub text: String,
    pub occurrence: u32,
}

#[derive(Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    entries: Vec<Entry>,
}

pub struct Baseline {
    folder: PathBuf,
    entries: Vec<Entry>,
}

/// What `--baseline` did.
pub struct Outcome {
    pub hidden: usize,
    pub stale: usize,
}

impl Outcome {
    pub fn summary(&self) -> String {
        let hint = if self.stale > 0 { " (write the baseline again to drop them)" } else { "" };
        format!(
            "baseline: {} hidden, {} stale {}{hint}",
            self.hidden,
            self.stale,
            if self.stale == 1 { "entry" } else { "entries" }
        )
    }
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("--baseline {}: {e}", path.display()))?;
        let file: BaselineFile = serde_json::from_str(&text)
            .map_err(|e| format!("--baseline {}: not a baseline file: {e}", path.display()))?;
        Ok(Baseline { folder: folder_of(path)?, entries: file.entries })
    }

    /// Writes the entries of `diagnostics` to `path`, sorted; returns how many.
    pub fn record(
        path: &Path,
        abs_paths: &[&Path],
        files: &[ReportFile<'_>],
        diagnostics: &[Diagnostic],
    ) -> Result<usize, String> {
        let folder = folder_of(path)?;
        let mut entries =
            entries(&folder, abs_paths, files, diagnostics.iter()).into_iter().map(|(e, _)| e).collect::<Vec<_>>();
        entries.sort();
        let file = BaselineFile { version: 1, entries };
        let mut json = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
        json.push('\n');
        std::fs::write(path, json).map_err(|e| format!("--write-baseline {}: {e}", path.display()))?;
        Ok(file.entries.len())
    }

    /// Removes from `diagnostics` those the baseline records. Stale entries
    /// are those of checked files and codes on in this run that matched
    /// nothing.
    pub fn hide(
        &self,
        abs_paths: &[&Path],
        files: &[ReportFile<'_>],
        diagnostics: &mut Vec<Diagnostic>,
        checked: &[PathBuf],
        codes: CodeSet,
    ) -> Outcome {
        let mut recorded: FxHashMap<&Entry, bool> = self.entries.iter().map(|e| (e, false)).collect();
        let keyed = entries(&self.folder, abs_paths, files, diagnostics.iter());
        let mut hide = vec![false; diagnostics.len()];
        for (entry, index) in keyed {
            if let Some(seen) = recorded.get_mut(&entry) {
                *seen = true;
                hide[index] = true;
            }
        }
        let hidden = hide.iter().filter(|&&h| h).count();
        let mut flags = hide.into_iter();
        diagnostics.retain(|_| !flags.next().unwrap_or(false));
        let checked: rustc_hash::FxHashSet<String> = checked.iter().map(|p| display_path(p, &self.folder)).collect();
        let stale = recorded
            .iter()
            .filter(|(e, seen)| {
                !**seen
                    && checked.contains(&e.file)
                    && crate::analysis::Code::parse(&e.code).is_none_or(|c| codes.contains(c))
            })
            .count();
        Outcome { hidden, stale }
    }
}

/// Each diagnostic's entry and its index in the input, numbering equal
/// ones in file order.
fn entries<'a>(
    folder: &Path,
    abs_paths: &[&Path],
    files: &[ReportFile<'_>],
    diagnostics: impl Iterator<Item = &'a Diagnostic>,
) -> Vec<(Entry, usize)> {
    let mut items: Vec<(&Diagnostic, usize)> = diagnostics.enumerate().map(|(i, d)| (d, i)).collect();
    items.sort_by_key(|(d, _)| (d.file, d.range.start, d.range.end, d.code));
    let mut seen: FxHashMap<(String, &str, String), u32> = FxHashMap::default();
    let mut out = Vec::with_capacity(items.len());
    for (d, index) in items {
        let i = d.file.0 as usize;
        let file = abs_paths.get(i).map_or_else(String::new, |p| display_path(p, folder));
        let text = files.get(i).map_or("", |f| f.text.get(d.range.as_usize()).unwrap_or("")).to_string();
        let n = seen.entry((file.clone(), d.code.as_str(), text.clone())).or_insert(0);
        *n += 1;
        out.push((Entry { file, code: d.code.as_str().to_string(), text, occurrence: *n }, index));
    }
    out
}

fn folder_of(path: &Path) -> Result<PathBuf, String> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::canonicalize(parent).map_err(|e| format!("{}: {e}", parent.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(display_path(Path::new("/a/b/c.nmk"), Path::new("/a")), "b/c.nmk");
        assert_eq!(display_path(Path::new("/a/b/c.nmk"), Path::new("/a/d")), "../b/c.nmk");
        assert_eq!(display_path(Path::new("/a/c.nmk"), Path::new("/a")), "c.nmk");
    }
}
