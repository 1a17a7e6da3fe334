//! `check`'s engine over the cache: decide which files changed (metadata,
//! then content), take the rest from the cache, rebuild the index only when
//! something changed, re-diagnose what a change can reach, and write the
//! cache back. With the cache off every file counts as changed: the same
//! path computes everything.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::analysis::{
    Code, Diagnostic, FileId, FileSummary, InternerSize, LoadedFile, SourceFile, StoredSummaryFull, Workspace,
};
use crate::config::Config;
use crate::syntax;
use crate::workspace::load::{Plan, PlannedWorkspace, display_path};
use crate::workspace::{ReadError, read_text, read_text_of};

use super::CacheSettings;
use super::delta::Delta;
use super::diagnose::{
    Diagnosed, Positions, diagnose_file, load_diagnostic, offsets, positions_of, rel_path, store_diagnostic,
};
use super::directory;
use super::rendered::{self, Keep, Rendering};
use super::seed::SeedCache;
use super::stamp::{self, Nanos, Stamp};
use super::store::{self, Entry, Header, Loaded, Part, PartBuilder, Sections, StoredFile};

/// A file of a checked workspace.
#[derive(Clone, Debug)]
pub struct CheckedFile {
    pub path: PathBuf,
    pub display_path: String,
    pub readable: bool,
}

/// The outcome for one workspace: its files and the diagnostics of the
/// selected ones (`Diagnostic::file` and `Related::file` index `files`).
pub struct CheckedWorkspace {
    pub files: Vec<CheckedFile>,
    pub diagnostics: Vec<Diagnostic>,
    /// Per file (same index), the positions of the offsets that the
    /// diagnostics point at in it (its own, and other files' fix edits and
    /// related places there).
    pub positions: Vec<Positions>,
    /// How many files were selected.
    pub checked: usize,
    /// Files whose lines a kept rendering gives instead (their
    /// diagnostics are not in `diagnostics`).
    pub replayed: Option<Replayed>,
    /// Where this run's rendering of the workspace may be kept, when the
    /// cache holds exactly the diagnostics reported and none is kept yet.
    pub keep: Option<Keep>,
}

/// Selected files whose report lines come from a kept rendering.
pub struct Replayed {
    pub rendering: Arc<Rendering>,
    /// (file, its entry in the rendering), by file.
    pub files: Vec<(usize, u32)>,
    /// When the run writes a new cache file (and may keep its lines): the
    /// entry of each entry of the rendering's cache file in the new one.
    pub renumbered: Option<Arc<Vec<Option<u32>>>>,
}

/// What the cache did, for `NEWSMARK_TIMINGS`.
#[derive(Debug, Default)]
pub struct RunStats {
    /// Unchanged by metadata alone.
    pub trusted: AtomicUsize,
    /// Read, and unchanged by content.
    pub verified: AtomicUsize,
    /// Read and parsed.
    pub parsed: AtomicUsize,
    /// Summaries taken from the cache by a run that built a workspace.
    pub summaries_reused: AtomicUsize,
    /// Diagnostics taken from the cache / computed.
    pub reused: AtomicUsize,
    pub diagnosed: AtomicUsize,
    /// Of those reused, the files whose report lines were replayed from a
    /// kept rendering (not decoded).
    pub replayed: AtomicUsize,
    /// Files read only to turn offsets into lines and columns (by the
    /// engine for fresh diagnostics that point into other files, or by
    /// the report for offsets it was not given positions of).
    pub read_for_positions: AtomicUsize,
    /// Cache files whose summaries section was read (only a run in which
    /// some file changed needs it).
    pub summaries_read: AtomicUsize,
    /// Files a narrowed run checked (changed, or reached by the change),
    /// the definitions it looked at, and those it took to check them
    /// against (see `narrowed`).
    pub narrowed: AtomicUsize,
    /// Of the diagnostics reused, those of files whose offsets into a
    /// changed file were moved with its definitions (see `moves`).
    pub followed: AtomicUsize,
    pub definitions_seen: AtomicUsize,
    pub definitions_taken: AtomicUsize,
    /// Narrowed runs that found definitions in the directory of
    /// definitions (not in the summaries), and the blocks they read.
    pub directory_runs: AtomicUsize,
    pub directory_blocks: AtomicUsize,
    pub notes: std::sync::Mutex<Vec<String>>,
    /// How long each step of `load_workspace` took, in order (the
    /// server's log says where its start went).
    pub load_steps: std::sync::Mutex<Vec<(&'static str, std::time::Duration)>>,
}

impl RunStats {
    /// How long `load_workspace` took, and each of its steps: "in 2.41 s
    /// (cache file 0.54 s, …)".
    pub fn load_time(&self) -> String {
        let steps = self.load_steps.lock().unwrap_or_else(|e| e.into_inner());
        let total: f64 = steps.iter().map(|(_, d)| d.as_secs_f64()).sum();
        let each: Vec<String> = steps.iter().map(|(what, d)| format!("{what} {:.2} s", d.as_secs_f64())).collect();
        format!("in {total:.2} s ({})", each.join(", "))
    }

    pub fn summary(&self) -> String {
        let n = |a: &AtomicUsize| a.load(Ordering::Relaxed);
        let narrowed = match n(&self.narrowed) {
            0 => String::new(),
            files => format!(
                "; {files} files checked against {} of {} definitions{}, {} followed the definitions they point at",
                n(&self.definitions_taken),
                n(&self.definitions_seen),
                match n(&self.directory_runs) {
                    0 => String::new(),
                    _ => format!(" (from {} blocks of the directory of definitions)", n(&self.directory_blocks)),
                },
                n(&self.followed)
            ),
        };
        format!(
            "{} files unchanged by metadata, {} by content, {} parsed; diagnostics of {} reused, {} computed; {} files read for positions; summaries read from {} cache files; lines of {} files replayed{narrowed}",
            n(&self.trusted),
            n(&self.verified),
            n(&self.parsed),
            n(&self.reused),
            n(&self.diagnosed),
            n(&self.read_for_positions),
            n(&self.summaries_read),
            n(&self.replayed)
        )
    }

    /// The notes taken (a cache ignored, and why), in order.
    pub fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut *self.notes.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn note(&self, note: String) {
        self.notes.lock().unwrap_or_else(|e| e.into_inner()).push(note);
    }
}

/// How a file stands against its cache entry.
pub(super) enum State {
    /// Same bytes as the entry (`read_since` as it is to be stored).
    Same { entry: usize, stamp: Stamp, read_since: Nanos },
    /// New or changed: its text (or why it cannot be read), and its stamp.
    /// A file to diagnose keeps the text until it is diagnosed (then the
    /// text is taken); any other lets it go when it is parsed.
    Changed { text: std::sync::Mutex<Result<String, String>>, hash: (u64, u64), stamp: Option<Stamp> },
}

/// The cache a run uses: where it is, and the cache file of the top
/// workspace when it is already being read.
pub struct RunCache<'s> {
    pub settings: &'s CacheSettings,
    prefetched: Option<Prefetched>,
}

/// A cache file read on another thread while the tree is walked (its
/// table takes a tenth of a second to read, on one thread), with its kept
/// rendering in the run's format.
struct Prefetched {
    path: PathBuf,
    format: Option<String>,
    load: std::thread::JoinHandle<(Result<Loaded, String>, Option<Rendering>)>,
}

impl<'s> RunCache<'s> {
    pub fn new(settings: &'s CacheSettings) -> RunCache<'s> {
        RunCache { settings, prefetched: None }
    }

    /// Starts reading the cache file of the workspace at `root`, for a
    /// plan whose top workspace is that one, and its rendering in `format`
    /// (body and all: a run that finds nothing changed writes it next).
    pub fn prefetching(settings: &'s CacheSettings, root: &Path, format: Option<&str>) -> RunCache<'s> {
        let prefetched = settings.dir.as_ref().map(|dir| {
            let path = store::file_for(dir, root, root);
            let format = format.map(str::to_owned);
            let (file, wanted) = (path.clone(), format.clone());
            let load = std::thread::spawn(move || {
                let program = store::program_id();
                let loaded = store::load(&file, &program);
                let kept = kept_rendering(&file, &program, &loaded, wanted.as_deref());
                if let Some(kept) = &kept {
                    kept.sound();
                }
                (loaded, kept)
            });
            Prefetched { path, format, load }
        });
        RunCache { settings, prefetched }
    }

    /// The cache file at `path`, read or being read, and its kept
    /// rendering in `format`.
    fn load(
        &mut self,
        path: &Path,
        program: &str,
        format: Option<&str>,
    ) -> (Result<Loaded, String>, Option<Rendering>) {
        match self.prefetched.take_if(|p| p.path == path && p.format.as_deref() == format) {
            Some(p) => p.load.join().unwrap_or_else(|_| (Err("its reading failed".to_owned()), None)),
            None => {
                let loaded = store::load(path, program);
                let kept = kept_rendering(path, program, &loaded, format);
                (loaded, kept)
            }
        }
    }
}

/// The rendering in `format` kept beside `cache_file`, when there is one
/// of the generation `loaded` is.
fn kept_rendering(
    cache_file: &Path,
    program: &str,
    loaded: &Result<Loaded, String>,
    format: Option<&str>,
) -> Option<Rendering> {
    let (Ok(loaded), Some(format)) = (loaded, format) else { return None };
    Rendering::load(&rendered::path_for(cache_file, format), program, loaded.header.generation, format)
}

/// Checks every workspace of `plan`: diagnostics for the files
/// `is_selected` accepts, paths shown relative to `display_base`. Writes
/// the cache in the background; join the returned handle before exiting.
/// With `format` (the report's, one whose lines are per file), a kept
/// rendering in it stands for the cached diagnostics it renders.
pub fn check_plan(
    plan: Plan,
    display_base: &Path,
    mut cache: RunCache,
    format: Option<&str>,
    is_selected: &(dyn Fn(&Path) -> bool + Sync),
    stats: &RunStats,
    on_file_done: &(dyn Fn() + Sync),
) -> (Vec<CheckedWorkspace>, Vec<std::thread::JoinHandle<Option<String>>>) {
    let started = stamp::now();
    let program = store::program_id();
    let top_root = plan.workspaces.first().map(|w| w.root.clone()).unwrap_or_default();
    let mut writes = Vec::new();
    let mut out = Vec::new();
    for planned in plan.workspaces {
        let cache_file = cache.settings.dir.as_ref().map(|d| store::file_for(d, &top_root, &planned.root));
        let (loaded, kept) = match &cache_file {
            Some(f) => {
                let (loaded, kept) = cache.load(f, &program, format);
                (noting(loaded, f, stats), kept)
            }
            None => (None, None),
        };
        let key = diagnostics_key(&planned.config, &planned.root, display_base);
        let writes_cache = cache_file.is_some();
        let rendering = match (&cache_file, format) {
            (Some(file), Some(format)) => Some(RenderingSlot {
                path: rendered::path_for(file, format),
                format: format.to_owned(),
                program: program.clone(),
                kept: kept.map(Arc::new),
            }),
            _ => None,
        };
        let run = WorkspaceRun {
            planned,
            loaded,
            rendering,
            key,
            started,
            display_base,
            stats,
            is_selected,
            on_file_done,
            writes_cache,
            cache_file: cache_file.clone(),
            trusts_entries: false,
        };
        let (checked, save) = run.check();
        out.push(checked);
        if let (Some(file), Some(save)) = (cache_file, save) {
            let header = Header {
                program: program.clone(),
                diagnostics_key: key,
                generation: save.generation,
                symbols: save.symbols,
            };
            let program = program.clone();
            writes.push(std::thread::spawn(move || {
                let entries = save.entries.len();
                if let Err(e) = store::save(&file, header, save.entries, save.sections) {
                    return Some(format!("note: cannot write the cache {}: {e}", file.display()));
                }
                // After the cache file: a directory is used only with the
                // cache file of its generation, and is only a shortcut (a
                // run without one reads the summaries), so failing to write
                // it costs nothing but time.
                if let Some(source) = save.directory {
                    let _ = directory::save(&file, &source.ws, &source.entry_of, entries, &program, save.generation);
                }
                None
            }));
        }
    }
    (out, writes)
}

/// The server's way in: the workspace of `files` under `root` (texts not
/// kept), with the summaries of the files the cache vouches for (same
/// metadata outside the racy window, or same bytes) taken from it and the
/// others parsed. Reads the cache `check` writes under `top_root`, and
/// never writes over one it could read: the diagnostics cached there must
/// stay those of the summaries cached with them. When it found none it
/// could use, the second value is one to write, of summaries only
/// ([`SeedCache`]), once the server serves.
///
/// A file whose entry is not racy is taken as the cache stored it, before
/// its metadata is read (§16: the server serves from the cache while it
/// verifies): the third value lists them, for the server to verify once
/// it serves and to read again those that changed.
pub fn load_workspace(
    settings: &CacheSettings,
    top_root: &Path,
    root: PathBuf,
    config: Arc<Config>,
    files: Vec<PathBuf>,
    stats: &RunStats,
    on_file_done: &(dyn Fn() + Sync),
) -> (Workspace, Option<SeedCache>, Unverified) {
    let mut step = Steps { stats, at: std::time::Instant::now() };
    let program = store::program_id();
    let cache_file = settings.dir.as_ref().map(|d| store::file_for(d, top_root, &root));
    // Its metadata before it is read: a seed is written only over the
    // file found then (see `SeedCache::write`).
    let found = cache_file.as_deref().and_then(SeedCache::stamp_of);
    let loaded = cache_file.as_ref().and_then(|path| noting(store::load(path, &program), path, stats));
    let key = diagnostics_key(&config, &root, &root);
    let planned = PlannedWorkspace { root: root.clone(), config, files, unreadable: Vec::new() };
    let run = WorkspaceRun {
        planned,
        loaded,
        rendering: None,
        key: 0,
        started: stamp::now(),
        display_base: &root,
        stats,
        is_selected: &|_| false,
        on_file_done,
        writes_cache: false,
        cache_file: None,
        trusts_entries: true,
    };
    // Whether each file changed, while the summaries decompress (on all
    // threads: a first use inside the parallel build would leave every
    // thread but one waiting for it).
    let ((files, states), ()) = rayon::join(
        || run.states(),
        || {
            if let Some(loaded) = &run.loaded {
                loaded.prepare_summaries();
            }
        },
    );
    step.done("cache file");
    let (interner, made, _) = run.make_files(&files, &states);
    step.done("summaries");
    run.account();
    // Every file was read from disk when no cache was read: their
    // summaries are those of the bytes with the hash and metadata found.
    let seed_files = match (&cache_file, &run.loaded) {
        (Some(_), None) => made
            .iter()
            .zip(&states)
            .filter_map(|(file, state)| match state {
                State::Changed { hash, stamp: Some(stamp), .. } if file.read_error.is_none() => {
                    Some((file.clone(), *stamp, *hash))
                }
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let unverified = Unverified::of(&files, &states, run.loaded.as_ref());
    // The summaries section (hundreds of MB for a large archive) goes
    // before the index is built, not after: the server's peak memory.
    let mut run = run;
    run.loaded = None;
    let ws = run.assemble(interner, made);
    step.done("index");
    let seed = cache_file.filter(|_| !seed_files.is_empty()).map(|path| {
        let header =
            Header { program, diagnostics_key: key, generation: store::new_generation(), symbols: ws.interner_size() };
        SeedCache {
            path,
            found,
            header,
            root: root.clone(),
            files: seed_files,
            interner: ws.shared_interner(),
            started: run.started,
        }
    });
    (ws, seed, unverified)
}

/// The files a server's load took from the cache on their entries alone,
/// each with the metadata and hash its entry holds.
#[derive(Debug, Default)]
pub struct Unverified {
    files: Vec<(PathBuf, Stamp, (u64, u64))>,
}

impl Unverified {
    /// Of the files whose state is that of an entry that is not racy: the
    /// only ones [`WorkspaceRun::state_of`] takes without a `stat` (a racy
    /// one was verified by content already).
    fn of(files: &[CheckedFile], states: &[State], loaded: Option<&Loaded>) -> Unverified {
        let Some(loaded) = loaded else { return Unverified::default() };
        let files = files
            .iter()
            .zip(states)
            .filter_map(|(file, state)| {
                let State::Same { entry, .. } = state else { return None };
                let entry = loaded.entries.get(*entry)?;
                entry.trusted().then(|| (file.path.clone(), entry.stamp, entry.hash))
            })
            .collect();
        Unverified { files }
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The files that are no longer what the cache says, as `check` would
    /// find them (same metadata, or else same bytes), each with whether it
    /// is still there: those to read again.
    pub fn changed(&self) -> Vec<(PathBuf, bool)> {
        self.files
            .par_iter()
            .filter_map(|(path, stamp, hash)| {
                let found = match std::fs::metadata(path) {
                    Ok(meta) if meta.is_file() => Stamp::of(&meta),
                    // No longer a file; or there but not readable, which
                    // reading it again records.
                    Ok(_) => return Some((path.clone(), false)),
                    Err(e) => return Some((path.clone(), e.kind() != std::io::ErrorKind::NotFound)),
                };
                if found == *stamp {
                    return None;
                }
                match read_text(path) {
                    Ok(text) if self::hash(&text) == *hash => None,
                    _ => Some((path.clone(), true)),
                }
            })
            .collect()
    }
}

/// Times the steps of a load into its `RunStats`.
struct Steps<'a> {
    stats: &'a RunStats,
    at: std::time::Instant,
}

impl Steps<'_> {
    /// The step since the last one ended, named `what`, is done.
    fn done(&mut self, what: &'static str) {
        let now = std::time::Instant::now();
        self.stats.load_steps.lock().unwrap_or_else(|e| e.into_inner()).push((what, now - self.at));
        self.at = now;
    }
}

/// The cache file at `path` as read, or `None` with a note of why it is
/// ignored (none when there is no such file: a first run).
fn noting(loaded: Result<Loaded, String>, path: &Path, stats: &RunStats) -> Option<Loaded> {
    match loaded {
        Ok(loaded) => Some(loaded),
        // Asked of the error, not of the folder: another run may have
        // written the file since this one found none.
        Err(why) => {
            if why != store::ABSENT {
                stats.note(format!("note: ignoring the cache {}: {why}", path.display()));
            }
            None
        }
    }
}

/// What the cached diagnostics of a workspace depend on besides the
/// files: the config, and where the root is shown from (every path a
/// diagnostic shows is the root's display path and the rest of the path
/// under it). Not the absolute paths: a tree checked out elsewhere (a CI
/// runner's build folder, another machine) keeps its diagnostics.
fn diagnostics_key(config: &Config, root: &Path, display_base: &Path) -> u64 {
    let shown_root = display_path(root, display_base);
    xxhash_rust::xxh3::xxh3_64(format!("{config:?}\n{shown_root}").as_bytes())
}

pub(super) struct WorkspaceRun<'a> {
    pub(super) planned: PlannedWorkspace,
    pub(super) loaded: Option<Loaded>,
    /// The report format's kept rendering, when the run has a format whose
    /// rendering may be kept, and a cache.
    rendering: Option<RenderingSlot>,
    key: u64,
    started: Nanos,
    display_base: &'a Path,
    pub(super) stats: &'a RunStats,
    pub(super) is_selected: &'a (dyn Fn(&Path) -> bool + Sync),
    on_file_done: &'a (dyn Fn() + Sync),
    /// False with `--no-cache`: nothing to store.
    writes_cache: bool,
    /// The cache file `loaded` was read from (`check`'s runs only): its
    /// directory of definitions lies beside it.
    pub(super) cache_file: Option<PathBuf>,
    /// The server's load: a file whose entry is not racy is taken as the
    /// cache stored it, without a `stat`, and verified once the server
    /// serves ([`Unverified`]).
    trusts_entries: bool,
}

/// Set for a file whose cached summary was unusable, to the hash of the
/// text parsed instead (`None`: it could not be read).
type Fallback = std::sync::OnceLock<Option<(u64, u64)>>;

/// Where a rendering of the workspace is kept, and the one found there.
struct RenderingSlot {
    path: PathBuf,
    format: String,
    program: String,
    /// The one of the loaded cache file's generation.
    kept: Option<Arc<Rendering>>,
}

/// What the full run does with a file's diagnostics.
enum Pass {
    /// Not selected: none.
    Skip,
    /// Taken from the cache.
    Taken(Diagnosed),
    Diagnose,
}

/// A file's entry of the cache file to write, its parts serialized (or
/// to be copied from the last cache file).
struct NewEntry {
    id: FileId,
    stamp: Stamp,
    read_since: Nanos,
    hash: (u64, u64),
    /// Its summary's span in the last cache file, copied from there.
    cached: Option<store::Span>,
    /// Its summary serialized, when there is none to copy.
    summary: Option<Vec<u8>>,
    diagnosed: NewPart,
    /// Its prose word filter, beside the summary.
    words: NewPart,
}

/// A part of an entry: copied from the last cache file (when it had one),
/// or serialized (`None` when that failed, never expected).
enum NewPart {
    Copy(Option<store::Span>),
    Bytes(Option<Vec<u8>>),
}

impl NewPart {
    /// Appended to the section `builder` makes; its span there, when
    /// there is one.
    fn append_to(self, builder: &mut PartBuilder) -> Option<store::Span> {
        match self {
            NewPart::Copy(span) => span.and_then(|span| builder.copy(span)),
            NewPart::Bytes(bytes) => bytes.map(|bytes| builder.push(&bytes)),
        }
    }
}

/// What to write back.
struct Save {
    entries: Vec<Entry>,
    sections: Sections,
    /// `Header::generation`: the loaded file's when its sections are
    /// copied unchanged, else new.
    generation: u64,
    symbols: InternerSize,
    /// What the directory of definitions beside the cache file is written
    /// from, when the run built the whole workspace.
    directory: Option<DirectorySource>,
}

/// The workspace a run built and each of its files' entry in the cache
/// file written: what `directory::save` reads.
struct DirectorySource {
    ws: Workspace,
    entry_of: Vec<Option<u32>>,
}

impl WorkspaceRun<'_> {
    fn entry(&self, i: usize) -> Option<&Entry> {
        self.loaded.as_ref()?.entries.get(i)
    }

    pub(super) fn diagnostics_usable(&self) -> bool {
        self.loaded.as_ref().is_some_and(|l| l.header.diagnostics_key == self.key)
    }

    /// How the file at `path`, the `index`th of the run, stands.
    fn state_of(&self, index: usize, path: &Path) -> State {
        let rel = rel_path(&self.planned.root, path);
        let cached = self.loaded.as_ref().and_then(|l| Some((l.entry_index(&rel, index)?, l)));
        if let Some((i, l)) = cached.filter(|_| self.trusts_entries)
            && l.entries[i].trusted()
        {
            let entry = &l.entries[i];
            self.stats.trusted.fetch_add(1, Ordering::Relaxed);
            return State::Same { entry: i, stamp: entry.stamp, read_since: entry.read_since };
        }
        let meta = std::fs::metadata(path);
        let stamp = meta.as_ref().ok().filter(|m| m.is_file()).map(Stamp::of);
        if let (Some((i, l)), Some(stamp)) = (cached, stamp) {
            let entry = &l.entries[i];
            if entry.stamp == stamp && entry.trusted() {
                self.stats.trusted.fetch_add(1, Ordering::Relaxed);
                return State::Same { entry: i, stamp, read_since: entry.read_since };
            }
        }
        let text = meta.map_err(ReadError::Io).and_then(|m| read_text_of(path, &m)).map_err(|e| e.to_string());
        if let (Some((i, l)), Some(stamp), Ok(text)) = (cached, stamp, &text) {
            if l.entries[i].hash == hash(text) {
                self.stats.verified.fetch_add(1, Ordering::Relaxed);
                return State::Same { entry: i, stamp, read_since: self.started };
            }
        }
        let hash = text.as_deref().map_or((0, 0), hash);
        State::Changed { text: std::sync::Mutex::new(text), hash, stamp }
    }

    fn check(self) -> (CheckedWorkspace, Option<Save>) {
        let (files, states) = self.states();
        // The faster runs leave the files for this to give (100,000 paths
        // copied were a hundredth of a second on one thread).
        let fast = self.unchanged_run(&files, &states).or_else(|| {
            let checked = self.narrowed_run(&files, &states)?;
            Some((checked, self.refreshed_stamps(&states)))
        });
        let out = match fast {
            Some((checked, save)) => (CheckedWorkspace { files, ..checked }, save),
            None => self.full_run(files, states),
        };
        self.account();
        out
    }

    /// The cache file again with new stamps for the files this run found
    /// unchanged by reading them (racy, or touched without a change), its
    /// sections copied as they are (same generation, so kept report lines
    /// stay valid); `None` when no stamp is new. What a run that computes
    /// nothing new writes: one with nothing changed, and one in which only
    /// articles changed (without it, files read once because they were
    /// racy were read again on every such run). The entry of a changed
    /// file stays as it was: the next run finds that file changed, as this
    /// one did.
    fn refreshed_stamps(&self, states: &[State]) -> Option<Save> {
        let loaded = self.loaded.as_ref()?;
        let fresh = |s: &State| match s {
            State::Same { entry, stamp, read_since } => {
                loaded.entries.get(*entry).filter(|e| e.stamp != *stamp || e.read_since != *read_since)?;
                Some((*entry, *stamp, *read_since))
            }
            State::Changed { .. } => None,
        };
        if !states.iter().any(|s| fresh(s).is_some()) {
            return None;
        }
        let mut entries = loaded.entries.clone();
        for (entry, stamp, read_since) in states.iter().filter_map(fresh) {
            if let Some(e) = entries.get_mut(entry) {
                e.stamp = stamp;
                e.read_since = read_since;
            }
        }
        Some(Save {
            entries,
            sections: loaded.stored_sections(),
            generation: loaded.header.generation,
            symbols: loaded.header.symbols,
            // Same generation, same entries: the directory beside stands.
            directory: None,
        })
    }

    /// Counts what the run read of the cache file, and notes the sections
    /// found unusable when read.
    fn account(&self) {
        let Some(loaded) = &self.loaded else { return };
        if loaded.summaries_read() {
            self.stats.summaries_read.fetch_add(1, Ordering::Relaxed);
        }
        for failure in loaded.failures() {
            self.stats.note(format!("note: ignoring {failure}"));
        }
    }

    /// Nothing changed since the cache was written (same files, same
    /// bytes, same config): its diagnostics are the answer, with no index
    /// to build, decoded file by file in parallel; or, when a rendering of
    /// them in the report's format is kept, that rendering, not decoded at
    /// all. Its `files` are left empty for [`WorkspaceRun::check`] to give.
    fn unchanged_run(&self, files: &[CheckedFile], states: &[State]) -> Option<(CheckedWorkspace, Option<Save>)> {
        let loaded = self.loaded.as_ref()?;
        if !self.diagnostics_usable() || !self.planned.unreadable.is_empty() || loaded.entries.len() != states.len() {
            return None;
        }
        let mut entries = Vec::with_capacity(states.len());
        let mut entry_of = Vec::with_capacity(states.len());
        for (file, state) in files.iter().zip(states) {
            let State::Same { entry, .. } = state else { return None };
            let entry_index = *entry;
            let entry = &loaded.entries[entry_index];
            if (self.is_selected)(&file.path) && entry.diagnosed.is_none() {
                return None;
            }
            entries.push(entry);
            entry_of.push(entry_index as u32);
        }
        // Entries read again (racy ones) carry a new `read_since`: worth a
        // write only then.
        let save = self.refreshed_stamps(states);
        if let Some(replayed) = self.replay_all(files, &entry_of) {
            let checked = replayed.files.len();
            self.stats.reused.fetch_add(checked, Ordering::Relaxed);
            self.stats.replayed.fetch_add(checked, Ordering::Relaxed);
            let positions = vec![Vec::new(); files.len()];
            let checked = CheckedWorkspace {
                files: Vec::new(),
                diagnostics: Vec::new(),
                positions,
                checked,
                replayed: Some(replayed),
                keep: None,
            };
            return Some((checked, save));
        }
        let decoded = self.cached_results(loaded, files, &entries, &|_| false, &|_| false)?;
        let (diagnostics, positions, checked) = assemble(decoded);
        self.stats.reused.fetch_add(checked, Ordering::Relaxed);
        let keep = self.keep(loaded.header.generation, entry_of.into_iter().map(Some).collect());
        Some((CheckedWorkspace { files: Vec::new(), diagnostics, positions, checked, replayed: None, keep }, save))
    }

    /// Every selected file of `files` (whose entries are `entry_of`) from
    /// the kept rendering, when it has them all and its body reads.
    fn replay_all(&self, files: &[CheckedFile], entry_of: &[u32]) -> Option<Replayed> {
        let rendering = self.rendering.as_ref()?.kept.clone()?;
        let replayed: Vec<(usize, u32)> = files
            .iter()
            .zip(entry_of)
            .enumerate()
            .filter(|(_, (file, _))| (self.is_selected)(&file.path))
            .map(|(i, (_, &entry))| rendering.fragment(entry as usize).map(|_| (i, entry)))
            .collect::<Option<_>>()?;
        if !rendering.sound() {
            return None;
        }
        Some(Replayed { rendering, files: replayed, renumbered: None })
    }

    /// The kept rendering, when there is one and its body reads.
    pub(super) fn kept_rendering(&self) -> Option<Arc<Rendering>> {
        self.rendering.as_ref()?.kept.clone().filter(|r| r.sound())
    }

    /// Where this run's rendering may be kept: for the cache file of
    /// `generation`, whose entry each file is (`entry_of`, by file).
    pub(super) fn keep(&self, generation: u64, entry_of: Vec<Option<u32>>) -> Option<Keep> {
        let slot = self.rendering.as_ref()?;
        Some(Keep {
            path: slot.path.clone(),
            program: slot.program.clone(),
            generation,
            format: slot.format.clone(),
            entries: entry_of.iter().flatten().count(),
            entry_of,
        })
    }

    /// The stored summary of cache entry `entry`, as stored (postcard).
    fn summary_bytes(&self, entry: usize) -> Option<&[u8]> {
        let l = self.loaded.as_ref()?;
        l.summary_bytes(l.entries.get(entry)?)
    }

    /// The cached summary of `entry`, its ids interned in `interner`.
    pub(super) fn decode(&self, entry: usize, interner: &crate::analysis::Interner) -> Option<FileSummary> {
        FileSummary::from_full_view(&StoredSummaryFull::read(self.summary_bytes(entry)?)?, interner)
    }

    /// [`decode`](Self::decode), reading the summary's frame alone when
    /// the section was not read: for a run that needs a few summaries.
    pub(super) fn decode_alone(&self, entry: usize, interner: &crate::analysis::Interner) -> Option<FileSummary> {
        let bytes = self.loaded.as_ref()?.summary_alone(self.loaded.as_ref()?.entries.get(entry)?)?;
        FileSummary::from_full_view(&StoredSummaryFull::read(&bytes)?, interner)
    }

    /// [`decode`](Self::decode), its ids interned already.
    fn decode_with(&self, entry: usize, symbols: &[Option<crate::analysis::Symbol>]) -> Option<FileSummary> {
        FileSummary::from_full_view_with(&StoredSummaryFull::read(self.summary_bytes(entry)?)?, symbols)
    }

    /// The workspace of `files`: summaries of unchanged files from the
    /// cache, the others parsed. The second value marks the files whose
    /// cached summary did not decode (parsed instead), with the hash of
    /// the text parsed (`None`: unreadable).
    fn build(&self, files: &[CheckedFile], states: &[State]) -> (Workspace, Vec<Fallback>) {
        let (interner, made, fallback) = self.make_files(files, states);
        (self.assemble(interner, made), fallback)
    }

    /// The first half of [`build`](Self::build): every file's summary.
    fn make_files(
        &self,
        files: &[CheckedFile],
        states: &[State],
    ) -> (Arc<crate::analysis::Interner>, Vec<Arc<SourceFile>>, Vec<Fallback>) {
        if let Some(loaded) = &self.loaded
            && states.iter().any(|s| matches!(s, State::Same { .. }))
        {
            // Decompressed on all threads here, not by the first file
            // decoded in parallel below while the others wait for it.
            loaded.prepare_summaries();
        }
        let fallback: Vec<Fallback> = (0..files.len()).map(|_| Fallback::new()).collect();
        let reserve = self.loaded.as_ref().map(|l| l.header.symbols).unwrap_or_default();
        let interner = Workspace::new_interner(reserve);
        // The ids of every file taken from the cache, interned together
        // before any is decoded (`Interner::intern_lists`). Decoding reads
        // each table of ids again: cheaper than keeping every decoded
        // summary (three million references) until all ids are in.
        let stored_ids: Vec<Vec<&str>> = states
            .par_iter()
            .map(|state| match state {
                State::Same { entry, .. } => {
                    self.summary_bytes(*entry).and_then(StoredSummaryFull::ids).unwrap_or_default()
                }
                State::Changed { .. } => Vec::new(),
            })
            .collect();
        let interned = interner.intern_lists(&stored_ids);
        drop(stored_ids);
        let made = Workspace::make_files(files.len(), &interner, |i, interner| {
            let (file, state) = (files.get(i)?, states.get(i)?);
            let (read_error, summary) = match state {
                State::Same { entry, .. } => match self.decode_with(*entry, interned.of(i)) {
                    Some(s) => {
                        self.stats.summaries_reused.fetch_add(1, Ordering::Relaxed);
                        (None, s)
                    }
                    None => match read_text(&file.path) {
                        Ok(text) => {
                            let _ = fallback[i].set(Some(hash(&text)));
                            (None, parse_summary(&text, interner, self.stats, self.places_references()))
                        }
                        Err(e) => {
                            let _ = fallback[i].set(None);
                            (Some(e.to_string()), FileSummary::default())
                        }
                    },
                },
                State::Changed { text, .. } => {
                    let mut text = text.lock().unwrap_or_else(|e| e.into_inner());
                    let placed = self.places_references();
                    match &mut *text {
                        // A file to diagnose keeps its text until then
                        // ([`kept_text`](Self::kept_text)): it is not read
                        // and checked for UTF-8 again (a twentieth of a
                        // cold run's CPU), and it is diagnosed in the very
                        // bytes its summary and cache entry are of. Any
                        // other (all of them in the server's load) lets it
                        // go now.
                        Ok(text) if (self.is_selected)(&file.path) => {
                            (None, parse_summary(text, interner, self.stats, placed))
                        }
                        Ok(text) => (None, parse_summary(&std::mem::take(text), interner, self.stats, placed)),
                        Err(e) => (Some(e.clone()), FileSummary::default()),
                    }
                }
            };
            Some(SourceFile {
                path: file.path.clone(),
                display_path: file.display_path.clone(),
                text: "".into(),
                read_error,
                summary,
            })
        });
        (interner, made, fallback)
    }

    /// The second half of [`build`](Self::build): the index of the files
    /// made, and discovery's unreadable paths.
    fn assemble(&self, interner: Arc<crate::analysis::Interner>, made: Vec<Arc<SourceFile>>) -> Workspace {
        let mut ws = Workspace::from_files(self.planned.root.clone(), self.planned.config.clone(), interner, made);
        for (path, message) in &self.planned.unreadable {
            // The root itself (unreadable) would show as "".
            let display_path =
                Some(display_path(path, self.display_base)).filter(|p| !p.is_empty()).unwrap_or_else(|| ".".to_owned());
            ws.set_file(LoadedFile { path: path.clone(), display_path, content: Err(message.clone()) }, None);
            (self.on_file_done)();
        }
        ws
    }

    fn states(&self) -> (Vec<CheckedFile>, Vec<State>) {
        let paths = &self.planned.files;
        let states: Vec<State> = paths
            .par_iter()
            .with_max_len(1)
            .enumerate()
            .map(|(i, p)| {
                let s = self.state_of(i, p);
                (self.on_file_done)();
                s
            })
            .collect();
        let files: Vec<CheckedFile> = paths
            .par_iter()
            .zip(&states)
            .map(|(p, s)| CheckedFile {
                path: p.clone(),
                display_path: display_path(p, self.display_base),
                readable: match s {
                    State::Changed { text, .. } => text.lock().map_or(true, |t| t.is_ok()),
                    State::Same { .. } => true,
                },
            })
            .collect();
        (files, states)
    }

    /// Whether the summaries made place their references: the server
    /// and the cache read those places; a check that writes no cache
    /// reads none.
    fn places_references(&self) -> bool {
        self.trusts_entries || self.writes_cache
    }

    /// The text of file `id`, one to diagnose (selected), kept since it
    /// was read ([`State::Changed`]), taken: `None` when it has none (its
    /// entry was the cache's; the file is read again).
    fn kept_text(states: &[State], id: FileId) -> Option<String> {
        let State::Changed { text, .. } = states.get(id.0 as usize)? else { return None };
        text.lock().unwrap_or_else(|e| e.into_inner()).as_mut().ok().map(std::mem::take)
    }

    fn full_run(&self, files: Vec<CheckedFile>, states: Vec<State>) -> (CheckedWorkspace, Option<Save>) {
        let loaded = self.loaded.as_ref();
        let decode = |entry: usize, interner: &crate::analysis::Interner| self.decode(entry, interner);
        let (ws, fallback) = self.build(&files, &states);
        let same = |i: usize| match states.get(i) {
            Some(State::Same { entry, .. }) if fallback[i].get().is_none() => Some(*entry),
            _ => None,
        };

        // What the changes can reach, and the paths (relative to the root)
        // whose bytes this run did not take from the cache: changed, added,
        // removed, or parsed again.
        let mut delta = Delta::default();
        let mut changed_paths: rustc_hash::FxHashSet<String> = rustc_hash::FxHashSet::default();
        if let Some(l) = loaded {
            for (i, file) in files.iter().enumerate() {
                if same(i).is_some() {
                    continue;
                }
                let rel = rel_path(&ws.root, &file.path);
                let old = l.entry_index(&rel, i).and_then(|e| decode(e, ws.interner()));
                let new = ws.file_id(&file.path).and_then(|id| ws.file(id)).map(|f| &f.summary);
                delta.add(old.as_ref(), new);
                changed_paths.insert(rel);
            }
            let present: rustc_hash::FxHashSet<String> = files.iter().map(|f| rel_path(&ws.root, &f.path)).collect();
            for (e, entry) in l.entries.iter().enumerate() {
                if !present.contains(&entry.path) {
                    delta.add(decode(e, ws.interner()).as_ref(), None);
                    changed_paths.insert(entry.path.clone());
                }
            }
            delta.finish(&ws);
        }

        let usable = self.diagnostics_usable();
        let kept = self.kept_rendering().filter(|_| usable);
        // The cached diagnostics are decompressed before the parallel pass,
        // not by the first file to need them inside it (alone, while the
        // other threads waited on it: a second on the large corpus).
        let takes_cached = usable && states.iter().any(|s| matches!(s, State::Same { .. }));
        if let Some(loaded) = loaded.filter(|_| takes_cached) {
            loaded.prepare_diagnosed();
        }
        let ids: Vec<FileId> = ws.files().map(|(id, _)| id).collect();
        // First which files take their diagnostics from the cache (those
        // are taken here), then the others are diagnosed.
        let passes: Vec<Pass> = ids
            .par_iter()
            // Files differ in cost a hundredfold (a registry against an
            // article): split to single files, so that a thread never ends
            // with a run of registries while the others wait.
            .with_max_len(1)
            .map(|&id| {
                let Some(file) = ws.file(id).filter(|f| (self.is_selected)(&f.path)) else { return Pass::Skip };
                let i = id.0 as usize;
                if usable
                    && let Some(entry_index) = same(i)
                    && let Some(entry) = self.entry(entry_index)
                    && let Some(cached) = loaded.and_then(|l| l.diagnosed(entry))
                {
                    // A fix that edits another file (an `aka` added in a
                    // registry) or a related place there holds offsets into
                    // it, which only a change of that file can move: such a
                    // diagnostic is computed again when that file changed.
                    // (So are the positions kept of those offsets.)
                    let changed = |path: &str| path != entry.path && changed_paths.contains(path);
                    let codes = cached.diagnostics.iter().filter_map(|d| Code::ALL.get(d.code as usize).copied());
                    let words = || loaded.and_then(|l| l.words(entry));
                    if !cached.points_into(changed) && !delta.reaches(&file.summary, words, codes) {
                        // Its lines, when kept, are given again as they are
                        // (the same diagnostics, placed in the same bytes).
                        let entry = entry_index as u32;
                        if kept.as_ref().is_some_and(|r| r.fragment(entry as usize).is_some()) {
                            self.stats.reused.fetch_add(1, Ordering::Relaxed);
                            self.stats.replayed.fetch_add(1, Ordering::Relaxed);
                            return Pass::Taken(Diagnosed {
                                from_cache: true,
                                replay: Some(entry),
                                ..Diagnosed::default()
                            });
                        }
                        if let Some(back) = from_cache(id, cached, &|p| ws.file_id(&ws.root.join(p))) {
                            self.stats.reused.fetch_add(1, Ordering::Relaxed);
                            return Pass::Taken(back);
                        }
                    }
                }
                Pass::Diagnose
            })
            .collect();
        // "Did you mean" sorts every defined id (most of a second for a
        // large archive): only when a file to diagnose has an undefined
        // reference. After a registry edit, the few files it reaches
        // seldom have one. (Only the time depends on it: a file that asks
        // for them anyway gets them built then.)
        let index = ws.index();
        let undefined_in =
            |id: FileId| ws.file(id).is_some_and(|f| f.summary.refs.iter().any(|r| !index.is_defined(r.sigil, r.id)));
        if passes.par_iter().zip(&ids).any(|(pass, &id)| matches!(pass, Pass::Diagnose) && undefined_in(id)) {
            index.prepare_suggestions(ws.interner());
        }
        let mut results: Vec<Option<Diagnosed>> = passes
            .into_par_iter()
            .zip(ids)
            .with_max_len(1)
            .map(|(pass, id)| match pass {
                Pass::Skip => None,
                Pass::Taken(diagnosed) => Some(diagnosed),
                Pass::Diagnose => {
                    self.stats.diagnosed.fetch_add(1, Ordering::Relaxed);
                    Some(diagnose_file(&ws, id, self.writes_cache, Self::kept_text(&states, id)))
                }
            })
            .collect();

        self.place_elsewhere(
            &|id| ws.file(id).filter(|f| f.read_error.is_none()).map(|f| f.path.as_path()),
            &mut results,
        );

        // The cache to write: every readable file of the plan. The part of
        // a file whose diagnostics came from the cache is copied over as it
        // is (no second conversion of what was just read).
        // (A builder of the last file's parts decompresses all of them.)
        let builder = |of: fn(&Loaded) -> PartBuilder, layout| match loaded.filter(|_| self.writes_cache) {
            Some(loaded) => of(loaded),
            None => PartBuilder::new(None, layout),
        };
        let mut summaries = builder(Loaded::summaries_builder, store::SUMMARIES);
        let mut diagnosed = builder(Loaded::diagnosed_builder, store::DIAGNOSTICS);
        let mut entries = Vec::with_capacity(files.len());
        let mut entry_of: Vec<Option<u32>> = vec![None; files.len()];
        if self.writes_cache {
            let rel_paths: Vec<String> = ws.files().map(|(_, f)| rel_path(&ws.root, &f.path)).collect();
            // Each file's parts are serialized on every thread, a batch of
            // files at a time (not all held at once), then laid end to end
            // in order: serialized one after the other, they kept one
            // thread busy for seconds after a cold run's diagnose pass.
            let prepare = |i: usize| -> Option<NewEntry> {
                let (file, state) = (files.get(i)?, states.get(i)?);
                let id = ws.file_id(&file.path)?;
                let source = ws.file(id).filter(|f| f.read_error.is_none())?;
                let cached = same(i).and_then(|e| loaded?.entries.get(e));
                let parsed = fallback[i].get().copied().flatten();
                let (stamp, read_since, hash) = match (state, cached, parsed) {
                    (State::Same { stamp, read_since, .. }, Some(entry), _) => (*stamp, *read_since, entry.hash),
                    // Its cached summary was unusable: stored as parsed,
                    // like a changed file.
                    (State::Same { stamp, .. }, None, Some(parsed)) => (*stamp, self.started, parsed),
                    (State::Changed { hash, stamp: Some(stamp), .. }, ..) => (*stamp, self.started, *hash),
                    _ => return None,
                };
                // A cached summary is copied from the last file (below).
                let summary =
                    if cached.is_some() { None } else { Some(store::summary_bytes(&source.summary, ws.interner())?) };
                let diagnosed = match (results.get(id.0 as usize), cached) {
                    (Some(Some(d)), Some(entry)) if d.from_cache => NewPart::Copy(entry.diagnosed),
                    (Some(Some(d)), _) => {
                        let path = |id: FileId| rel_paths.get(id.0 as usize).map_or("", String::as_str);
                        let stored = StoredFile {
                            diagnostics: d.diagnostics.iter().map(|d| store_diagnostic(&rel_paths, d)).collect(),
                            positions: d.positions.clone(),
                            elsewhere: d.elsewhere.iter().map(|(id, p)| (path(*id), p.clone())).collect(),
                        };
                        // An error is never expected; the part is left out.
                        NewPart::Bytes(postcard::to_stdvec(&stored).ok())
                    }
                    _ => NewPart::Copy(None),
                };
                // Computed with the diagnostics, from the file's bytes.
                let words = match (results.get(id.0 as usize), cached) {
                    (Some(Some(d)), _) if !d.from_cache => NewPart::Bytes(Some(d.words.0.clone())),
                    (_, Some(entry)) => NewPart::Copy(entry.words),
                    _ => NewPart::Copy(None),
                };
                let cached = cached.map(|e| e.summary);
                Some(NewEntry { id, stamp, read_since, hash, cached, summary, diagnosed, words })
            };
            for start in (0..files.len()).step_by(store::SERIALIZED_AT_ONCE) {
                let batch = start..(start + store::SERIALIZED_AT_ONCE).min(files.len());
                let prepared: Vec<Option<NewEntry>> = batch.clone().into_par_iter().map(prepare).collect();
                for (i, new) in batch.zip(prepared) {
                    let Some(new) = new else { continue };
                    // A summary the last file's section lacks (never
                    // expected) is serialized here.
                    let copied = new.cached.and_then(|span| summaries.copy(span));
                    let summary = match copied {
                        Some(span) => span,
                        None => {
                            let serialized = || store::summary_bytes(&ws.file(new.id)?.summary, ws.interner());
                            let Some(bytes) = new.summary.or_else(serialized) else { continue };
                            summaries.push(&bytes)
                        }
                    };
                    let written = new.diagnosed.append_to(&mut diagnosed);
                    let words = new.words.append_to(&mut summaries);
                    entry_of[i] = Some(entries.len() as u32);
                    entries.push(Entry {
                        path: rel_paths[new.id.0 as usize].clone(),
                        stamp: new.stamp,
                        read_since: new.read_since,
                        hash: new.hash,
                        summary,
                        diagnosed: written,
                        words,
                    });
                }
            }
        }

        // Files of the plan have the ids of their positions (`build_from`
        // keeps them all); discovery's unreadable paths come after.
        let mut all_files = files;
        for (id, f) in ws.files().skip(all_files.len()) {
            debug_assert_eq!(id.0 as usize, all_files.len());
            all_files.push(CheckedFile {
                path: f.path.clone(),
                display_path: f.display_path.clone(),
                readable: f.read_error.is_none(),
            });
        }
        let replay: Vec<(usize, u32)> =
            results.iter().enumerate().filter_map(|(i, d)| Some((i, d.as_ref()?.replay?))).collect();
        let (diagnostics, positions, checked) = assemble(results);
        let sections = Sections { diagnosed: Part::Built(diagnosed), summaries: Part::Built(summaries) };
        let generation = store::new_generation();
        entry_of.resize(all_files.len(), None);
        let symbols = ws.interner_size();
        let directory = Some(DirectorySource { ws, entry_of: entry_of.clone() });
        let save = self.writes_cache.then(|| Save { entries, sections, generation, symbols, directory });
        // The entry each entry of the cache file read has in the one
        // written, for the kept lines of replayed files, which point into
        // entries by number.
        let renumbered = || {
            let mut to = vec![None; loaded.map_or(0, |l| l.entries.len())];
            for (i, new) in entry_of.iter().enumerate() {
                if let (Some(slot), Some(new)) = (same(i).and_then(|old| to.get_mut(old)), new) {
                    *slot = Some(*new);
                }
            }
            Arc::new(to)
        };
        let replayed = kept.filter(|_| !replay.is_empty()).map(|rendering| Replayed {
            rendering,
            files: replay,
            renumbered: save.is_some().then(renumbered),
        });
        let keep = save.as_ref().and_then(|_| self.keep(generation, entry_of));
        (CheckedWorkspace { files: all_files, diagnostics, positions, checked, replayed, keep }, save)
    }
}

impl WorkspaceRun<'_> {
    /// The cached diagnostics of each selected file of `files` (whose
    /// entries are `entries`), decoded in parallel, file ids being
    /// positions in `files`; `None` in the list for a file not selected or
    /// that `skip` accepts. `None` for the whole when one is missing, does
    /// not decode, or points into a file `changed` accepts.
    pub(super) fn cached_results(
        &self,
        loaded: &Loaded,
        files: &[CheckedFile],
        entries: &[&Entry],
        skip: &(dyn Fn(usize) -> bool + Sync),
        changed: &(dyn Fn(&str) -> bool + Sync),
    ) -> Option<Vec<Option<Diagnosed>>> {
        // Other files (related places, fix edits) are found by path.
        let by_path: rustc_hash::FxHashMap<&str, u32> =
            entries.iter().enumerate().map(|(i, e)| (e.path.as_str(), i as u32)).collect();
        let file_of = |path: &str| by_path.get(path).map(|&i| FileId(i));
        let wanted = |i: usize, file: &CheckedFile| (self.is_selected)(&file.path) && !skip(i);
        // Every file skipped (replayed from kept lines, or changed): the
        // diagnostics section (hundreds of MB for a large archive) is not
        // even decompressed.
        if !files.iter().enumerate().any(|(i, file)| wanted(i, file)) {
            return Some(files.iter().map(|_| None).collect());
        }
        loaded.prepare_diagnosed();
        files
            .par_iter()
            .zip(entries.par_iter())
            // Registries' diagnostics are a hundredfold an article's, and
            // sort last: split to single files.
            .with_max_len(1)
            .enumerate()
            .map(|(i, (file, entry))| {
                if !wanted(i, file) {
                    return Some(None);
                }
                let stored = loaded.diagnosed(entry).filter(|s| !s.points_into(changed))?;
                Some(Some(from_cache(FileId(i as u32), stored, &file_of)?))
            })
            .collect()
    }

    /// Fills in `Diagnosed::elsewhere` of the diagnostics computed by this
    /// run (for the files it does not hold yet: a cached result whose
    /// offsets into a changed file moved keeps the others'): each file
    /// they point into is read once, for all of them (at the path
    /// `path_of` gives: none for a file that could not be read).
    pub(super) fn place_elsewhere<'p>(
        &self,
        path_of: &(dyn Fn(FileId) -> Option<&'p Path> + Sync),
        results: &mut [Option<Diagnosed>],
    ) {
        let mut wanted: rustc_hash::FxHashMap<FileId, Vec<u32>> = rustc_hash::FxHashMap::default();
        let fresh = results.iter().enumerate().filter_map(|(i, d)| Some((i, d.as_ref().filter(|d| !d.from_cache)?)));
        let unplaced = |i: usize, d: &Diagnosed, f: FileId| f.0 as usize != i && !d.elsewhere.iter().any(|e| e.0 == f);
        for (i, d) in fresh {
            for (file, offset) in offsets(&d.diagnostics).filter(|&(f, _)| unplaced(i, d, f)) {
                wanted.entry(file).or_default().push(offset);
            }
        }
        if wanted.is_empty() {
            return;
        }
        // A file that cannot be read gets no positions: the report reads
        // it (and places its offsets) as it would without the cache.
        let placed: rustc_hash::FxHashMap<FileId, Positions> = wanted
            .into_par_iter()
            .filter_map(|(id, offsets)| {
                let text = read_text(path_of(id)?).ok()?;
                self.stats.read_for_positions.fetch_add(1, Ordering::Relaxed);
                Some((id, positions_of(&text, offsets)))
            })
            .collect();
        results.par_iter_mut().enumerate().for_each(|(i, d)| {
            let Some(d) = d.as_mut().filter(|d| !d.from_cache) else { return };
            let mut mine: Vec<(FileId, u32)> = offsets(&d.diagnostics).filter(|&(f, _)| unplaced(i, d, f)).collect();
            mine.sort_unstable();
            mine.dedup();
            for chunk in mine.chunk_by(|a, b| a.0 == b.0) {
                let file = chunk[0].0;
                let Some(table) = placed.get(&file) else { continue };
                let found = chunk.iter().filter_map(|(_, o)| table.binary_search_by_key(o, |p| p.0).ok());
                d.elsewhere.push((file, found.map(|k| table[k]).collect()));
            }
        });
    }
}

/// The cached diagnostics of `file` back, other files found with
/// `file_of` (a path relative to the root); `None` when one is gone, or
/// something is malformed.
pub(super) fn from_cache(
    file: FileId,
    stored: StoredFile<'_>,
    file_of: &dyn Fn(&str) -> Option<FileId>,
) -> Option<Diagnosed> {
    let diagnostics = stored.diagnostics.iter().map(|d| load_diagnostic(file, d, file_of)).collect::<Option<_>>()?;
    let elsewhere = stored
        .elsewhere
        .into_iter()
        .map(|(path, positions)| Some((file_of(path)?, positions)))
        .collect::<Option<_>>()?;
    Some(Diagnosed { diagnostics, positions: stored.positions, elsewhere, from_cache: true, ..Diagnosed::default() })
}

/// The diagnostics of every file (`None`: not selected) in file order;
/// per file, the positions of the offsets they point at in it (its own
/// diagnostics', and other files' fix edits and related places there,
/// sorted by offset, once each); and how many files were diagnosed.
pub(super) fn assemble(results: Vec<Option<Diagnosed>>) -> (Vec<Diagnostic>, Vec<Positions>, usize) {
    let mut diagnostics = Vec::with_capacity(results.iter().flatten().map(|d| d.diagnostics.len()).sum());
    let mut positions = Vec::with_capacity(results.len());
    let mut elsewhere = Vec::new();
    let mut checked = 0;
    for d in results {
        let Some(d) = d else {
            positions.push(Vec::new());
            continue;
        };
        checked += 1;
        diagnostics.extend(d.diagnostics);
        positions.push(d.positions);
        elsewhere.extend(d.elsewhere);
    }
    let mut touched = Vec::new();
    for (file, found) in elsewhere {
        if let Some(into) = positions.get_mut(file.0 as usize) {
            into.extend(found);
            touched.push(file.0 as usize);
        }
    }
    touched.sort_unstable();
    touched.dedup();
    for i in touched {
        positions[i].sort_unstable();
        positions[i].dedup_by_key(|p| p.0);
    }
    (diagnostics, positions, checked)
}

/// The summary of `text`; its references `placed` or not.
fn parse_summary(text: &str, interner: &crate::analysis::Interner, stats: &RunStats, placed: bool) -> FileSummary {
    stats.parsed.fetch_add(1, Ordering::Relaxed);
    match placed {
        true => FileSummary::new(&syntax::parse(text), text, interner),
        false => FileSummary::without_positions(&syntax::parse(text), interner),
    }
}

pub(super) fn hash(text: &str) -> (u64, u64) {
    let h = xxhash_rust::xxh3::xxh3_128(text.as_bytes());
    ((h >> 64) as u64, h as u64)
}
