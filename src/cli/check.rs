//! `newsmark check` (spec §11): load the whole workspace, report the
//! diagnostics of the files under the given paths, exit 0, 1 or 2.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::report::{Position, shown_folder, shown_path};
use super::{Counts, EXIT_USAGE, Format, Progress, Report, ReportFile, color_wanted, exit_code, render};
use crate::analysis::{Diagnostic, FileId};
use crate::config::{self, Config, LoadError};
use crate::text::{LineIndex, PositionEncoding};
use crate::workspace::cache::{self, CacheSettings, CheckedFile, RunStats};
use crate::workspace::{self, load};

pub struct CheckArgs {
    pub root: Option<PathBuf>,
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub max_warnings: Option<usize>,
    /// §16: `--no-cache`, `--cache-dir`.
    pub no_cache: bool,
    pub cache_dir: Option<PathBuf>,
}

/// Runs `check` and returns the exit code.
pub fn run(args: CheckArgs) -> i32 {
    // Paths are shown relative to the current folder (§11), so the folder
    // is taken as canonical, like the root and the files below it.
    let cwd = match std::env::current_dir().and_then(std::fs::canonicalize) {
        Ok(d) => d,
        Err(e) => return usage_error(&format!("cannot read the current folder: {e}")),
    };
    let root = match &args.root {
        Some(r) => match std::fs::canonicalize(r) {
            Ok(r) if r.is_dir() => r,
            Ok(r) => return usage_error(&format!("--root {} is not a folder", shown_path(&r, &cwd))),
            Err(e) => return usage_error(&format!("--root {}: {e}", r.display())),
        },
        None => {
            let found = workspace::find_root(&cwd).unwrap_or_else(|| cwd.clone());
            std::fs::canonicalize(&found).unwrap_or(found)
        }
    };
    let mut selected = Vec::new();
    for p in &args.paths {
        match std::fs::canonicalize(cwd.join(p)) {
            // A folder that holds the root selects all of it.
            Ok(c) if !c.starts_with(&root) && !root.starts_with(&c) => {
                return usage_error(&format!(
                    "{}: outside the workspace root {}; run from inside the other workspace or pass its folder with --root",
                    p.display(),
                    shown_folder(&root, &cwd)
                ));
            }
            Ok(c) => selected.push(c),
            Err(_) => return usage_error(&format!("{}: no such file or folder", p.display())),
        }
    }
    let is_selected = |path: &Path| selected.is_empty() || selected.iter().any(|s| path.starts_with(s));

    let timings = Timings::from_env();
    let plan = match plan_reached(&root, &selected, &cwd) {
        Ok(plan) => plan,
        Err(e) => return config_error(&e, &cwd),
    };
    for (path, problem) in &plan.problems {
        eprintln!("warning: {}: {problem}", shown_path(path, &cwd));
    }
    let progress = if std::io::stderr().is_terminal() {
        Progress::new(plan.file_count() as u64, "Checking")
    } else {
        Progress::hidden()
    };
    timings.phase("discover");
    let settings = CacheSettings::resolve(args.no_cache, args.cache_dir.as_deref(), &root);
    let stats = RunStats::default();
    // Each file is read (unless the cache vouches for it), summarized, and
    // read again when it is diagnosed, from the page cache, so the whole
    // tree is never held in memory at once.
    let (workspaces, cache_writes) =
        cache::check_plan(plan, &cwd, &settings, &is_selected, &stats, &|| progress.inc(1));
    progress.finish();
    timings.phase("read, index and diagnose");
    if timings.on() {
        eprintln!("timing: cache: {}", stats.summary());
    }
    for s in &selected {
        let any = workspaces.iter().any(|ws| ws.files.iter().any(|f| f.path.starts_with(s)));
        if !any {
            eprintln!("warning: {}: no Newsmark files of the workspace there", shown_folder(s, &cwd));
        }
    }

    // One file table for the report: the files diagnostics point into.
    let mut collected = Collected::default();
    let mut files_checked = 0;
    for ws in &workspaces {
        files_checked += ws.checked;
        collected.diagnostics.reserve(ws.diagnostics.len());
    }
    for (ws_index, ws) in workspaces.into_iter().enumerate() {
        for d in ws.diagnostics {
            collected.push(ws_index, d);
        }
        collected.workspace_files.push((ws.files, ws.positions));
    }
    let shown: Vec<Shown> = collected
        .files
        .iter()
        .map(|&(ws, id)| {
            let Some((files, positions)) = collected.workspace_files.get(ws) else { return Shown::default() };
            let Some(f) = files.get(id.0 as usize) else { return Shown::default() };
            let positions = positions.get(id.0 as usize).map_or(&[][..], Vec::as_slice);
            Shown {
                rel_path: f.display_path.clone(),
                path: f.readable.then(|| f.path.clone()),
                positions: positions.iter().map(|&(o, line, column)| (o, Position { line, column })).collect(),
                needs_text: args.format == Format::Human,
            }
        })
        .collect();
    // A file is read again only for what its known positions do not
    // cover: source lines (human) and places other files point into.
    let mut shown = shown;
    for d in &collected.diagnostics {
        let ranges = std::iter::once((d.file, d.range)).chain(d.related.iter().map(|r| (r.file, r.range)));
        for (file, range) in ranges {
            if let Some(s) = shown.get_mut(file.0 as usize) {
                let known = |o: u32| s.positions.binary_search_by_key(&o, |(k, _)| *k).is_ok();
                if !known(range.start) || !known(range.end) {
                    s.needs_text = true;
                }
            }
        }
    }
    let texts: Vec<String> = shown
        .par_iter()
        .map(|s| match (&s.path, s.needs_text) {
            (Some(p), true) => workspace::read_text(p).unwrap_or_default(),
            _ => String::new(),
        })
        .collect();
    let line_indexes: Vec<LineIndex> = texts.par_iter().map(|t| LineIndex::new(t)).collect();
    let report_files: Vec<ReportFile> = shown
        .iter()
        .zip(&texts)
        .zip(&line_indexes)
        .map(|((s, text), line_index)| ReportFile { rel_path: &s.rel_path, text, line_index, positions: &s.positions })
        .collect();
    let report = Report { files: &report_files, diagnostics: &collected.diagnostics, files_checked };
    let stdout = std::io::stdout();
    let color = color_wanted(stdout.is_terminal()) && args.format == Format::Human;
    let mut out = std::io::BufWriter::new(stdout.lock());
    if let Err(e) = render(args.format, &report, color, &mut out).and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the report: {e}");
            return EXIT_USAGE;
        }
    }
    timings.phase("report");
    for write in cache_writes {
        if let Ok(Some(note)) = write.join() {
            eprintln!("{note}");
        }
    }
    for note in stats.notes.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        eprintln!("{note}");
    }
    timings.phase("write the cache");
    exit_code(Counts::of(&collected.diagnostics), args.max_warnings)
}

/// Phase timings on stderr when `NEWSMARK_TIMINGS` is set (for profiling
/// and the benchmark; off by default).
struct Timings {
    last: std::cell::Cell<Option<std::time::Instant>>,
}

impl Timings {
    fn from_env() -> Timings {
        let on = std::env::var_os("NEWSMARK_TIMINGS").is_some();
        Timings { last: std::cell::Cell::new(on.then(std::time::Instant::now)) }
    }

    fn on(&self) -> bool {
        self.last.get().is_some()
    }

    fn phase(&self, name: &str) {
        if let Some(last) = self.last.get() {
            eprintln!("timing: {name}: {:.3} s{}", last.elapsed().as_secs_f64(), memory_status());
            self.last.set(Some(std::time::Instant::now()));
        }
    }
}

/// The resident and peak resident memory, when the system tells (Linux).
fn memory_status() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else { return String::new() };
    let field = |name: &str| {
        status.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().trim_end_matches(" kB").trim().to_owned())
    };
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(rss), Some(hwm)) => format!(" (rss {} MB, peak {} MB)", kb_to_mb(&rss), kb_to_mb(&hwm)),
        _ => String::new(),
    }
}

fn kb_to_mb(kb: &str) -> u64 {
    kb.parse::<u64>().map_or(0, |k| k / 1024)
}

/// A file the report points into.
#[derive(Default)]
struct Shown {
    rel_path: String,
    path: Option<PathBuf>,
    positions: Vec<(u32, Position)>,
    needs_text: bool,
}

/// Diagnostics of several workspaces, renumbered into one file table.
#[derive(Default)]
struct Collected {
    files: Vec<(usize, FileId)>,
    workspace_files: Vec<(Vec<CheckedFile>, Vec<cache::Positions>)>,
    slots: FxHashMap<(usize, FileId), FileId>,
    diagnostics: Vec<Diagnostic>,
}

impl Collected {
    fn slot(&mut self, ws: usize, id: FileId) -> FileId {
        *self.slots.entry((ws, id)).or_insert_with(|| {
            self.files.push((ws, id));
            FileId(self.files.len() as u32 - 1)
        })
    }

    fn push(&mut self, ws_index: usize, mut d: Diagnostic) {
        d.file = self.slot(ws_index, d.file);
        for r in &mut d.related {
            r.file = self.slot(ws_index, r.file);
        }
        self.diagnostics.push(d);
    }
}

fn usage_error(message: &str) -> i32 {
    eprintln!("error: {message}");
    EXIT_USAGE
}

/// Plans the workspaces under `root`. An invalid `newsmark.toml` fails the
/// run when it is the root's or when a selected path reaches into its
/// nested workspace (§11: a path inside it, or a folder holding it; with no
/// path, every workspace is reached); a nested workspace that no path
/// reaches is left out, whatever its config.
fn plan_reached(root: &Path, selected: &[PathBuf], cwd: &Path) -> Result<load::Plan, LoadError> {
    let reached = |dir: &Path| selected.is_empty() || selected.iter().any(|s| s.starts_with(dir) || dir.starts_with(s));
    let mut unreached_invalid = Vec::new();
    let mut plan = load::plan_with(root, &mut |dir| match config::load(dir) {
        Ok(config) => Ok(Arc::new(config.unwrap_or_default())),
        Err(e) if dir != root && !reached(dir) => {
            let (at, message) = config_error_text(&e, cwd);
            eprintln!("warning: {at}: {message}; its workspace is not checked, as no PATH reaches it");
            unreached_invalid.push(dir.to_path_buf());
            Ok(Arc::new(Config::default()))
        }
        Err(e) => Err(e),
    })?;
    plan.workspaces.retain(|w| !unreached_invalid.contains(&w.root));
    Ok(plan)
}

/// Prints an invalid config as `path:line:col: error[config]: message`.
fn config_error(e: &LoadError, cwd: &Path) -> i32 {
    let (at, message) = config_error_text(e, cwd);
    eprintln!("{at}: error[config]: {message}");
    EXIT_USAGE
}

/// Where an invalid config goes wrong (`path:line:col`) and why.
fn config_error_text(e: &LoadError, cwd: &Path) -> (String, String) {
    let shown = shown_path(e.path(), cwd);
    match e {
        LoadError::Io { message, .. } => (format!("{shown}:1:1"), message.clone()),
        LoadError::Invalid { text, error, .. } => {
            let index = LineIndex::new(text);
            let at = error.range.map_or(0, |r| r.start);
            let lc = index.line_col(text, at, PositionEncoding::Utf32);
            (format!("{shown}:{}:{}", lc.line + 1, lc.col + 1), error.message.clone())
        }
    }
}
