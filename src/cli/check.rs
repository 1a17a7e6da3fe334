//! `newsmark check` (spec §11): load the whole workspace, fix (§14) and
//! report the diagnostics of the files under the given paths, against a
//! baseline (§15), exit 0, 1 or 2.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::baseline::Baseline;
use super::report::lines_per_file;
use super::report::{Position, shown_folder, shown_path};
use super::{Counts, EXIT_OK, EXIT_USAGE, Format, Progress, Report, ReportFile, color_wanted, exit_code, fix, render};
use crate::analysis::diagnostics::{CheckOptions, file_diagnostics, file_diagnostics_of_text, unreadable_now};
use crate::analysis::{Applicability, Code, CodeSet, Diagnostic, FileId, Workspace};
use crate::config::{self, Config, LoadError};
use crate::syntax::{self, Parse};
use crate::text::{LineIndex, PositionEncoding};
use crate::workspace::cache::{self, CacheSettings, CheckedFile, RunStats};
use crate::workspace::{self, load};

pub struct CheckArgs {
    pub root: Option<PathBuf>,
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub max_warnings: Option<usize>,
    pub output_file: Option<PathBuf>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fix: bool,
    pub unsafe_fixes: bool,
    pub diff: bool,
    pub baseline: Option<PathBuf>,
    pub write_baseline: Option<PathBuf>,
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
    let codes = match codes_of_run(&args.select, &args.ignore) {
        Ok(codes) => codes,
        Err(message) => return usage_error(&message),
    };
    if args.unsafe_fixes && !args.fix && !args.diff {
        return usage_error("--unsafe-fixes goes with --fix or --diff");
    }
    let fixing =
        (args.fix || args.diff).then_some(if args.unsafe_fixes { Applicability::Unsafe } else { Applicability::Safe });
    let baseline = match &args.baseline {
        Some(path) => match Baseline::load(path) {
            Ok(b) => Some(b),
            Err(message) => return usage_error(&message),
        },
        None => None,
    };
    let opts = CheckOptions { codes, ..CheckOptions::default() };
    let is_selected = |path: &Path| selected.is_empty() || selected.iter().any(|s| path.starts_with(s));

    let timings = Timings::from_env();
    // The cache keeps the diagnostics of a whole run; a run that fixes or
    // narrows the codes goes without it (decisions: the cache).
    let cached = fixing.is_none() && codes == CodeSet::ALL;
    let settings = CacheSettings::resolve(args.no_cache, args.cache_dir.as_deref(), &root);
    // A format of lines per file may have its lines kept with the cache
    // and given again for what did not change; not under a baseline,
    // which hides some of them.
    // The human format's lines differ with colour, which is chosen now.
    let color =
        args.output_file.is_none() && args.format == Format::Human && color_wanted(std::io::stdout().is_terminal());
    let kept_key = if color { "human-color" } else { args.format.as_str() };
    let kept_format =
        (lines_per_file(args.format) && args.baseline.is_none() && args.write_baseline.is_none()).then_some(kept_key);
    // The root's cache file is read while the tree is walked.
    let run_cache = if cached {
        cache::RunCache::prefetching(&settings, &root, kept_format)
    } else {
        cache::RunCache::new(&settings)
    };
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
    let stats = RunStats::default();
    let mut cache_writes = Vec::new();
    let mut write_failed = false;
    let gathered = if cached {
        // Each file is read (unless the cache vouches for it), summarized,
        // and read again when it is diagnosed, from the page cache, so the
        // whole tree is never held in memory at once.
        let (workspaces, writes) =
            cache::check_plan(plan, &cwd, run_cache, kept_format, &is_selected, &stats, &|| progress.inc(1));
        cache_writes = writes;
        progress.finish();
        timings.phase("read, index and diagnose");
        warn_unmatched(&selected, &cwd, |s| workspaces.iter().any(|ws| ws.files.iter().any(|f| f.path.starts_with(s))));
        // Only JUnit lists the files checked, and only a baseline needs
        // their paths.
        let list_checked = args.format == Format::Junit || baseline.is_some();
        gather_cached(workspaces, &is_selected, list_checked)
    } else {
        // Summaries only: each file is read again when it is diagnosed and
        // when it is reported, from the page cache.
        let mut workspaces = plan.build_with(&cwd, false, &|| progress.inc(1));
        timings.phase("read, parse and index");
        warn_unmatched(&selected, &cwd, |s| workspaces.iter().any(|ws| ws.files().any(|(_, f)| f.path.starts_with(s))));
        let targets: Vec<Vec<FileId>> = workspaces
            .iter()
            .map(|ws| ws.files().filter(|(_, f)| is_selected(&f.path)).map(|(id, _)| id).collect())
            .collect();
        let mut results = diagnose_all(&workspaces, &targets, opts);
        progress.finish();
        timings.phase("diagnose");
        if let Some(allowed) = fixing {
            let mut session = fix::Session::default();
            loop {
                let applied = session.round(&mut workspaces, &results, allowed, &is_selected);
                if applied == 0 || session.rounds >= fix::MAX_ROUNDS {
                    break;
                }
                results = diagnose_all(&workspaces, &targets, opts);
                timings.phase("fix round");
            }
            if args.diff {
                return session.print_diff(&cwd);
            }
            write_failed = !session.write(&cwd);
            eprintln!("{}", session.summary());
        }
        gather_built(workspaces, &targets, results)
    };
    let Gathered { collected, mut shown, checked_paths, checked_abs, files_checked, replayed, keeps } = gathered;

    // A file is read again only for what its known positions do not cover:
    // source lines (human), places other files point into, and the texts a
    // baseline records or a GitLab fingerprint hashes.
    let whole_texts = matches!(args.format, Format::Human | Format::Gitlab)
        || args.baseline.is_some()
        || args.write_baseline.is_some();
    for s in &mut shown {
        s.needs_text |= whole_texts;
    }
    for d in &collected.diagnostics {
        let ranges = std::iter::once((d.file, d.range))
            .chain(d.related.iter().map(|r| (r.file, r.range)))
            .chain(d.fix.iter().flat_map(|f| f.edits.iter().map(|e| (e.file, e.range))));
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
            (Some(p), true) => {
                if !whole_texts {
                    stats.read_for_positions.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                workspace::read_text(p).unwrap_or_default()
            }
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

    if let Some(path) = &args.write_baseline {
        let abs: Vec<&Path> = shown.iter().map(|s| s.abs.as_path()).collect();
        return match Baseline::record(path, &abs, &report_files, &collected.diagnostics) {
            Ok(n) => {
                eprintln!("wrote {n} baseline {} to {}", if n == 1 { "entry" } else { "entries" }, path.display());
                EXIT_OK
            }
            Err(message) => usage_error(&message),
        };
    }
    let mut diagnostics = collected.diagnostics;
    let baseline_outcome = baseline.as_ref().map(|baseline| {
        let abs: Vec<&Path> = shown.iter().map(|s| s.abs.as_path()).collect();
        baseline.hide(&abs, &report_files, &mut diagnostics, &checked_abs, codes)
    });

    let report =
        Report { files: &report_files, diagnostics: &diagnostics, files_checked, checked_paths: &checked_paths };
    let mut counts = Counts::of(&diagnostics);
    for r in &replayed {
        add_levels(&mut counts, r.fragment().map_or([0; 4], |f| f.counts));
    }
    let mut writers =
        keeps.into_iter().filter_map(|k| k.writer(&collected.files, &diagnostics, &replayed)).collect::<Vec<_>>();
    let mut output = |out: &mut dyn Write| -> std::io::Result<()> {
        if replayed.is_empty() && writers.is_empty() {
            return render(args.format, &report, color, out);
        }
        let kept = Kept { files: &collected.files, writers: &mut writers };
        replay_and_render(args.format, color, &report, &replayed, kept, out)?;
        super::report::write_closing(args.format, &counts, files_checked, color, out)
    };
    let written = match &args.output_file {
        Some(path) => write_report_file(path, |out| output(out)),
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            output(&mut out).and_then(|()| out.flush())
        }
    };
    // Kept only after a whole report: a broken pipe leaves lines missing.
    let rendering_writes: Vec<_> = if written.is_ok() {
        writers.into_iter().map(|w| std::thread::spawn(move || w.finish())).collect()
    } else {
        Vec::new()
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the report: {e}");
            return EXIT_USAGE;
        }
    }
    if args.output_file.is_some() {
        eprintln!("{}", super::report::summary_of(&counts, files_checked));
    }
    if let Some(outcome) = baseline_outcome {
        eprintln!("{}", outcome.summary());
    }
    timings.phase("report");
    if timings.on() && cached {
        eprintln!("timing: cache: {}", stats.summary());
    }
    let mut cache_unwritable = false;
    for write in cache_writes {
        if let Ok(Some(note)) = write.join() {
            eprintln!("{note}");
            cache_unwritable = true;
        }
    }
    for write in rendering_writes {
        // Said once: where the cache cannot be written, neither can this.
        if let Ok(Err(e)) = write.join()
            && !cache_unwritable
        {
            eprintln!("note: cannot keep the report's lines with the cache: {e}");
        }
    }
    for note in stats.notes.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        eprintln!("{note}");
    }
    timings.phase("write the cache");
    // The process ends with this run: its memory goes back whole, where
    // freeing the diagnostics of a large archive one by one took 0.15 s.
    drop(report_files);
    std::mem::forget((diagnostics, texts, line_indexes));
    if write_failed {
        return EXIT_USAGE;
    }
    exit_code(counts, args.max_warnings)
}

/// The codes `--select` and `--ignore` leave on.
fn codes_of_run(select: &[String], ignore: &[String]) -> Result<CodeSet, String> {
    let parse = |names: &[String]| -> Result<Vec<Code>, String> {
        names
            .iter()
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
            .map(|n| {
                Code::parse(n).ok_or_else(|| {
                    let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
                    format!("unknown code `{n}` (known: {})", known.join(", "))
                })
            })
            .collect()
    };
    let selected = parse(select)?;
    let mut codes = if selected.is_empty() { CodeSet::ALL } else { selected.into_iter().collect() };
    for code in parse(ignore)? {
        codes = codes.without(code);
    }
    Ok(codes)
}

/// Writes the report to `path` (created or replaced) through `write`.
fn write_report_file(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut out = std::io::BufWriter::new(file);
    write(&mut out)?;
    out.flush()
}

/// The diagnostics of `targets` (per workspace) in parallel.
fn diagnose_all(workspaces: &[Workspace], targets: &[Vec<FileId>], opts: CheckOptions) -> Vec<Vec<Vec<Diagnostic>>> {
    workspaces
        .iter()
        .zip(targets)
        .map(|(ws, ids)| {
            ws.index().prepare_suggestions(ws.interner());
            ids.par_iter().with_max_len(1).map(|&id| diagnose(ws, id, opts)).collect()
        })
        .collect()
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

/// Reads and parses a file again (the workspace keeps summaries, not texts
/// or trees; a file a fix changed keeps its text) and computes its
/// diagnostics.
fn diagnose(ws: &Workspace, id: FileId, opts: CheckOptions) -> Vec<Diagnostic> {
    let Some(file) = ws.file(id) else { return Vec::new() };
    if file.read_error.is_some() {
        return file_diagnostics(ws, id, &Parse::default(), opts);
    }
    if !file.text.is_empty() {
        let parse = syntax::parse(&file.text);
        return file_diagnostics_of_text(ws, id, &file.text, &parse, opts);
    }
    match workspace::read_text(&file.path) {
        Ok(text) => {
            let parse = syntax::parse(&text);
            file_diagnostics_of_text(ws, id, &text, &parse, opts)
        }
        // Read a moment ago, unreadable now (deleted or replaced while the
        // check ran): say so rather than check it against an empty text.
        Err(e) => unreadable_now(ws, id, e.to_string(), opts),
    }
}

/// Warns of each selected path that holds no file of any workspace.
fn warn_unmatched(selected: &[PathBuf], cwd: &Path, holds_a_file: impl Fn(&Path) -> bool) {
    for s in selected {
        if !holds_a_file(s) {
            eprintln!("warning: {}: no Newsmark files of the workspace there", shown_folder(s, cwd));
        }
    }
}

/// A file the report points into.
#[derive(Default)]
struct Shown {
    rel_path: String,
    abs: PathBuf,
    /// Where to read it again; `None` when it is unreadable.
    path: Option<PathBuf>,
    /// Known line and column of offsets its diagnostics use (from the cache).
    positions: Vec<(u32, Position)>,
    needs_text: bool,
}

/// What a run found, in one file table, whichever way it was computed.
struct Gathered {
    collected: Collected,
    shown: Vec<Shown>,
    checked_paths: Vec<String>,
    checked_abs: Vec<PathBuf>,
    files_checked: usize,
    /// Files whose lines come from a kept rendering, by shown path.
    replayed: Vec<ReplayedFile>,
    /// Workspaces whose rendering this run may keep.
    keeps: Vec<KeptWorkspace>,
}

/// A file whose lines a kept rendering gives.
struct ReplayedFile {
    path: String,
    rendering: Arc<cache::Rendering>,
    entry: u32,
    /// Its workspace and its index in that workspace's files.
    ws_index: usize,
    file: usize,
    /// The entries of the rendering's cache file in the one this run
    /// writes (when it writes one).
    renumbered: Option<Arc<Vec<Option<u32>>>>,
}

impl ReplayedFile {
    fn fragment(&self) -> Option<&cache::Fragment> {
        self.rendering.fragment(self.entry as usize)
    }
}

/// Writes the kept lines of replayed files, with one reader per kept
/// rendering (one per workspace), each read front to back.
#[derive(Default)]
struct Replayer<'r> {
    readers: Vec<(&'r cache::Rendering, cache::LinesReader<'r>)>,
}

impl<'r> Replayer<'r> {
    fn write(&mut self, file: &'r ReplayedFile, out: &mut dyn Write) -> std::io::Result<()> {
        let rendering: &'r cache::Rendering = &file.rendering;
        let at = match self.readers.iter().position(|(r, _)| std::ptr::eq(*r, rendering)) {
            Some(at) => at,
            None => {
                // The run chose to replay it only if its body reads.
                let reader = rendering.reader().ok_or_else(|| std::io::Error::other("kept report lines unreadable"))?;
                self.readers.push((rendering, reader));
                self.readers.len() - 1
            }
        };
        match (file.fragment(), self.readers.get_mut(at)) {
            (Some(fragment), Some((_, reader))) => reader.write(fragment, out),
            _ => Ok(()),
        }
    }
}

/// A workspace whose report lines this run may keep.
struct KeptWorkspace {
    ws_index: usize,
    keep: cache::Keep,
    /// Its selected files (indices of its file table).
    selected: Vec<usize>,
}

impl KeptWorkspace {
    /// A writer of its lines, told each selected file's severity counts
    /// and the files its lines point into, from `collected`, or for a
    /// replayed file from its kept lines; `None` when a replayed file's
    /// lines cannot be placed in the cache file written (never expected:
    /// nothing is kept then).
    fn writer(
        self,
        files: &[(usize, FileId)],
        diagnostics: &[Diagnostic],
        replayed: &[ReplayedFile],
    ) -> Option<KeptWriter> {
        let entry_of = self.keep.entry_of.clone();
        let entry = |id: FileId| entry_of.get(id.0 as usize).copied().flatten();
        let mut per_entry: FxHashMap<u32, ([u32; 4], Vec<u32>)> = FxHashMap::default();
        for d in diagnostics {
            let Some(&(ws, id)) = files.get(d.file.0 as usize) else { continue };
            let Some(own) = entry(id).filter(|_| ws == self.ws_index) else { continue };
            let (counts, elsewhere) = per_entry.entry(own).or_default();
            counts[level(d.severity)] += 1;
            let others =
                d.related.iter().map(|r| r.file).chain(d.fix.iter().flat_map(|f| f.edits.iter().map(|e| e.file)));
            for other in others {
                if let Some(&(_, other)) = files.get(other.0 as usize)
                    && let Some(other) = entry(other).filter(|&e| e != own)
                {
                    elsewhere.push(other);
                }
            }
        }
        let mut writer = cache::RenderingWriter::new(self.keep);
        for id in self.selected {
            let Some(own) = entry(FileId(id as u32)) else { continue };
            let (counts, mut elsewhere) = per_entry.remove(&own).unwrap_or_default();
            elsewhere.sort_unstable();
            elsewhere.dedup();
            writer.reported(own, counts, elsewhere);
        }
        for r in replayed.iter().filter(|r| r.ws_index == self.ws_index) {
            let own = entry_of.get(r.file).copied().flatten()?;
            let (fragment, renumbered) = (r.fragment()?, r.renumbered.as_ref()?);
            let elsewhere: Option<Vec<u32>> =
                fragment.elsewhere.iter().map(|&e| renumbered.get(e as usize).copied().flatten()).collect();
            writer.reported(own, fragment.counts, elsewhere?);
        }
        Some(KeptWriter { ws_index: self.ws_index, entry_of, writer })
    }
}

/// The lines of one workspace being kept.
struct KeptWriter {
    ws_index: usize,
    entry_of: Vec<Option<u32>>,
    writer: cache::RenderingWriter,
}

impl KeptWriter {
    fn finish(self) -> std::io::Result<()> {
        self.writer.finish()
    }
}

/// Where the lines rendered in a run go besides the report: the writers
/// of the workspaces kept, found through the run's file table.
struct Kept<'a> {
    files: &'a [(usize, FileId)],
    writers: &'a mut [KeptWriter],
}

impl Kept<'_> {
    fn lines(&mut self, file: FileId, text: &[u8]) {
        let Some(&(ws, id)) = self.files.get(file.0 as usize) else { return };
        self.lines_in(ws, id.0 as usize, text);
    }

    /// Lines of the `file`th file of workspace `ws`.
    fn lines_in(&mut self, ws: usize, file: usize, text: &[u8]) {
        let Some(kept) = self.writers.iter_mut().find(|w| w.ws_index == ws) else { return };
        if let Some(entry) = kept.entry_of.get(file).copied().flatten() {
            kept.writer.lines(entry, text);
        }
    }

    fn keeps(&self, ws: usize) -> bool {
        self.writers.iter().any(|w| w.ws_index == ws)
    }
}

/// The report in a format of lines per file, from two sources in path
/// order: the lines kept of `replayed` files (sorted by path) and those
/// rendered of `report`'s diagnostics, which `kept` also keeps.
fn replay_and_render<'r>(
    format: Format,
    color: bool,
    report: &Report<'_>,
    replayed: &'r [ReplayedFile],
    mut kept: Kept<'_>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut next = replayed.iter().peekable();
    let mut replayer = Replayer::default();
    // A replayed file's lines are kept again when its workspace's are
    // (a run that writes a new cache file keeps all of them).
    let mut replay = |r: &'r ReplayedFile, kept: &mut Kept<'_>, out: &mut dyn Write| -> std::io::Result<()> {
        if !kept.keeps(r.ws_index) {
            return replayer.write(r, out);
        }
        let mut lines = Vec::new();
        replayer.write(r, &mut lines)?;
        kept.lines_in(r.ws_index, r.file, &lines);
        out.write_all(&lines)
    };
    let mut each = |file: FileId, text: &[u8]| -> std::io::Result<()> {
        let path = report.files.get(file.0 as usize).map_or("", |f| f.rel_path);
        while let Some(r) = next.next_if(|r| r.path.as_str() < path) {
            replay(r, &mut kept, out)?;
        }
        kept.lines(file, text);
        out.write_all(text)
    };
    match super::report::render_by_file(format, report, color, &mut each) {
        Some(written) => written?,
        // Never expected: only such formats keep or replay lines.
        None => render(format, report, color, out)?,
    }
    for r in next {
        replay(r, &mut kept, out)?;
    }
    Ok(())
}

/// Where a severity is counted in a kept file's counts.
fn level(severity: crate::analysis::Severity) -> usize {
    use crate::analysis::Severity;
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
        Severity::Hint => 3,
    }
}

/// Adds the severity counts of a kept file's lines.
fn add_levels(counts: &mut Counts, [errors, warnings, infos, hints]: [u32; 4]) {
    counts.errors += errors as usize;
    counts.warnings += warnings as usize;
    counts.infos += infos as usize;
    counts.hints += hints as usize;
}

/// The outcome of the cached run (the files' texts were dropped).
fn gather_cached(
    workspaces: Vec<cache::CheckedWorkspace>,
    is_selected: &dyn Fn(&Path) -> bool,
    list_checked: bool,
) -> Gathered {
    let mut collected = Collected::default();
    let mut files_checked = 0;
    let mut checked_paths = Vec::new();
    let mut checked_abs = Vec::new();
    let mut tables: Vec<(Vec<CheckedFile>, Vec<cache::Positions>)> = Vec::new();
    let mut replayed = Vec::new();
    let mut keeps = Vec::new();
    for (ws_index, ws) in workspaces.into_iter().enumerate() {
        files_checked += ws.checked;
        if let Some(r) = &ws.replayed {
            // On every thread: all the files of a large archive, when
            // nothing changed.
            replayed.par_extend(r.files.par_iter().filter_map(|&(i, entry)| {
                Some(ReplayedFile {
                    path: ws.files.get(i)?.display_path.clone(),
                    rendering: r.rendering.clone(),
                    entry,
                    ws_index,
                    file: i,
                    renumbered: r.renumbered.clone(),
                })
            }));
        }
        if let Some(keep) = ws.keep {
            let selected = ws.files.iter().enumerate().filter(|(_, f)| is_selected(&f.path)).map(|(i, _)| i).collect();
            keeps.push(KeptWorkspace { ws_index, keep, selected });
        }
        if list_checked {
            for f in ws.files.iter().filter(|f| is_selected(&f.path)) {
                checked_paths.push(f.display_path.clone());
                checked_abs.push(f.path.clone());
            }
        }
        collected.diagnostics.reserve(ws.diagnostics.len());
        for d in ws.diagnostics {
            collected.push(ws_index, d);
        }
        tables.push((ws.files, ws.positions));
    }
    let shown = collected
        .files
        .iter()
        .map(|&(ws, id)| {
            let Some((files, positions)) = tables.get(ws) else { return Shown::default() };
            let Some(f) = files.get(id.0 as usize) else { return Shown::default() };
            let positions = positions.get(id.0 as usize).map_or(&[][..], Vec::as_slice);
            Shown {
                rel_path: f.display_path.clone(),
                abs: f.path.clone(),
                path: f.readable.then(|| f.path.clone()),
                positions: positions.iter().map(|&(o, line, column)| (o, Position { line, column })).collect(),
                needs_text: false,
            }
        })
        .collect();
    // Usually in order already (one workspace, plain names).
    if !replayed.is_sorted_by(|a, b| a.path <= b.path) {
        replayed.sort_unstable_by(|a: &ReplayedFile, b| a.path.cmp(&b.path));
    }
    Gathered { collected, shown, checked_paths, checked_abs, files_checked, replayed, keeps }
}

/// The outcome of a run on built workspaces (fixes, narrowed codes).
fn gather_built(workspaces: Vec<Workspace>, targets: &[Vec<FileId>], results: Vec<Vec<Vec<Diagnostic>>>) -> Gathered {
    let mut collected = Collected::default();
    for (ws_index, per_file) in results.into_iter().enumerate() {
        collected.diagnostics.reserve(per_file.iter().map(Vec::len).sum());
        for d in per_file.into_iter().flatten() {
            collected.push(ws_index, d);
        }
    }
    let selected_files =
        || targets.iter().zip(&workspaces).flat_map(|(ids, ws)| ids.iter().filter_map(move |&id| ws.file(id)));
    let checked_paths = selected_files().map(|f| f.display_path.clone()).collect();
    let checked_abs = selected_files().map(|f| f.path.clone()).collect();
    let files_checked = targets.iter().map(Vec::len).sum();
    // A file a fix changed is read back as written.
    let shown = collected
        .files
        .iter()
        .map(|&(ws, id)| match workspaces.get(ws).and_then(|w| w.file(id)) {
            Some(f) => Shown {
                rel_path: f.display_path.clone(),
                abs: f.path.clone(),
                path: f.read_error.is_none().then(|| f.path.clone()),
                positions: Vec::new(),
                needs_text: true,
            },
            None => Shown::default(),
        })
        .collect();
    Gathered { collected, shown, checked_paths, checked_abs, files_checked, replayed: Vec::new(), keeps: Vec::new() }
}

/// Diagnostics of several workspaces, renumbered into one file table.
#[derive(Default)]
struct Collected {
    files: Vec<(usize, FileId)>,
    /// By workspace, then by file id there: its slot in `files`. Indexed,
    /// not hashed: every diagnostic of a run is renumbered on one thread
    /// (600,000 on the large corpus).
    slots: Vec<Vec<Option<FileId>>>,
    diagnostics: Vec<Diagnostic>,
}

impl Collected {
    fn slot(&mut self, ws: usize, id: FileId) -> FileId {
        if self.slots.len() <= ws {
            self.slots.resize_with(ws + 1, Vec::new);
        }
        let of_ws = &mut self.slots[ws];
        let i = id.0 as usize;
        if of_ws.len() <= i {
            of_ws.resize(i + 1, None);
        }
        *of_ws[i].get_or_insert_with(|| {
            self.files.push((ws, id));
            FileId(self.files.len() as u32 - 1)
        })
    }

    fn push(&mut self, ws_index: usize, mut d: Diagnostic) {
        d.file = self.slot(ws_index, d.file);
        for r in &mut d.related {
            r.file = self.slot(ws_index, r.file);
        }
        // Edits point into the workspace's own file table; the report
        // shows only the applicability, so they are renumbered too.
        if let Some(fix) = &mut d.fix {
            for e in &mut fix.edits {
                e.file = self.slot(ws_index, e.file);
            }
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
            for (at, message) in config_error_text(&e, cwd) {
                eprintln!("warning: {at}: {message}; its workspace is not checked, as no PATH reaches it");
            }
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
    for (at, message) in config_error_text(e, cwd) {
        eprintln!("{at}: error[config]: {message}");
    }
    EXIT_USAGE
}

/// Where an invalid config goes wrong (`path:line:col`) and why: every
/// problem it has, in text order.
fn config_error_text(e: &LoadError, cwd: &Path) -> Vec<(String, String)> {
    let shown = shown_path(e.path(), cwd);
    match e {
        LoadError::Io { message, .. } => vec![(format!("{shown}:1:1"), message.clone())],
        LoadError::Invalid { text, error, more, .. } => {
            let index = LineIndex::new(text);
            std::iter::once(error)
                .chain(more)
                .map(|error| {
                    let at = error.range.map_or(0, |r| r.start);
                    let lc = index.line_col(text, at, PositionEncoding::Utf32);
                    (format!("{shown}:{}:{}", lc.line + 1, lc.col + 1), error.message.clone())
                })
                .collect()
        }
    }
}
