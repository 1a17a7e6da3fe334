//! A warm run in which a few files changed and the change reaches few
//! others: edited articles (their definitions may have moved, a source's
//! attributes may have changed), or a registry whose entities changed
//! only their `aka` lines. The changed files, and the unchanged files the
//! change reaches, are checked against the definitions they can meet
//! (those of the ids they reference or define, and of the entities whose
//! names their prose may hold), found in the directory of definitions
//! beside the cache file (`directory`: for a name, its first holders by
//! place) or else read in place from the cache's summaries, in a
//! workspace of those files alone, instead of against a workspace built
//! from every summary; every other file's diagnostics come from the
//! cache. Outside that case, or on any doubt, the run is left to
//! `full_run`, which gives the same output.
//!
//! Why the output is the same. Such a change reaches, in other files,
//! only what `Delta` says it can (`Delta::narrowable`): files that
//! mention a source whose definition changed, files that define an id
//! whose definition changed or moved (`duplicate-definition` points at
//! it), files other than registries that define an id whose reference
//! count moved (`unused-definition`), files whose prose may hold a name an
//! entity gained or lost (`untagged-mention`, and `unknown-alias` of a tag
//! written as that name), and files whose diagnostics point into a
//! changed one (fix edits, related places). Those files are checked
//! again, read from disk (and given up on when their bytes are no longer
//! those cached). The checked files read the definitions of the ids they
//! reference or define (all of them are taken, an id referenced or
//! written in an attribute under both sigils), the names their prose may
//! hold (every holder of such a name is taken), whether their own
//! definitions are referenced, and, through fixes and "did you mean",
//! possibly other ids or the set of all ids. "Did you mean" of an
//! undefined reference compares it with the ids around it in the sorted
//! set of all ids: those are gathered from every definition
//! (`SuggestionWindows`) and given to the narrowed workspace as its sorted
//! ids. The engine says what the checks read
//! (`file_diagnostics_and_reads`): anything read beyond what was taken,
//! the set of all ids other than through those suggestions, or an own
//! definition referenced nowhere in the checked files (the other files'
//! references are not read) sends the run to `full_run`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::analysis::diagnostics::{CheckOptions, file_diagnostics_and_reads};
use crate::analysis::names::candidate_keys;
use crate::analysis::{
    Code, FileId, FileSummary, Interner, InternerSize, NameProbe, PlacedDef, SourceFile, StoredSummaryView,
    SuggestionWindows, Symbol, Workspace, attribute_references, later_word_keys, lead_key, word_keys,
};
use crate::syntax::{self, Parse, Sigil};
use crate::workspace::read_text;

use super::delta::Delta;
use super::diagnose::{Diagnosed, Words, own_positions, rel_path};
use super::directory::{Directory, StoredId, decode_block};
use super::moves::{Moves, follow};
use super::run::{CheckedFile, CheckedWorkspace, Replayed, State, WorkspaceRun, assemble, from_cache, hash};
use super::store::{Entry, Loaded};

/// More changed files than this go to the full run, which also writes
/// them into the cache (this run writes nothing: the cache stays that of
/// the files before the edit, which the next run compares with again).
const MAX_CHANGED: usize = 64;

/// More unchanged files reached than this go to the full run: each is
/// read, parsed and checked again (a few tenths of a millisecond for an
/// article), and their prose takes the definitions of more names.
const MAX_REACHED: usize = 2048;

/// More undefined ids than this in the checked files go to the full run:
/// each defined id is compared with the neighbours of the few undefined
/// ones nearest it (`SuggestionWindows`), but the windows of many are
/// merged and checked against one another at a cost that grows with them.
const MAX_UNDEFINED: usize = 1024;

/// Ids by sigil, looked up by `&str`.
#[derive(Default)]
struct IdSet {
    entity: FxHashSet<String>,
    source: FxHashSet<String>,
}

impl IdSet {
    fn of(&mut self, sigil: Sigil) -> &mut FxHashSet<String> {
        match sigil {
            Sigil::Entity => &mut self.entity,
            Sigil::Source => &mut self.source,
        }
    }

    /// The ids of `ids`, interned in `interner`, as text.
    fn resolved(ids: impl Iterator<Item = (Sigil, Symbol)>, interner: &Interner) -> IdSet {
        let mut set = IdSet::default();
        for (sigil, id) in ids {
            set.of(sigil).insert(interner.resolve(&id).to_owned());
        }
        set
    }

    fn contains(&self, sigil: Sigil, id: &str) -> bool {
        match sigil {
            Sigil::Entity => self.entity.contains(id),
            Sigil::Source => self.source.contains(id),
        }
    }

    fn is_empty(&self) -> bool {
        self.entity.is_empty() && self.source.is_empty()
    }

    fn extend(&mut self, other: IdSet) {
        self.entity.extend(other.entity);
        self.source.extend(other.source);
    }
}

/// Definitions to take from a file, by sigil and id.
type Taken<'a> = Vec<(Sigil, &'a str)>;

/// A file checked by this run (changed, or reached by the change), read
/// and parsed.
struct Checked {
    file: usize,
    text: String,
    parse: Parse,
    /// Its plain text (§8), made once when first asked for: its prose's
    /// words and the names they may hold are read from it more than once.
    plain: std::sync::OnceLock<String>,
}

impl Checked {
    fn new(file: usize, text: String, parse: Parse) -> Checked {
        Checked { file, text, parse, plain: std::sync::OnceLock::new() }
    }

    fn plain(&self) -> &str {
        self.plain.get_or_init(|| syntax::plain_text(&self.text, &self.parse).text)
    }
}

/// What the files checked need taken from the others: the ids they
/// reference or define, and the word keys of their prose.
#[derive(Default)]
struct Needs {
    ids: Vec<(Sigil, Symbol)>,
    prose: Prose,
}

/// The word keys of the prose of some files, each with the files (by
/// the order they were added in) whose prose holds it: a name may occur in
/// one of them only if its probe's keys are in the same file, so the
/// first word of a name in one file and its last in another take nothing.
#[derive(Default)]
struct Prose {
    files: u32,
    keys: FxHashMap<u64, Vec<u32>>,
    /// One bit per key, at the key modulo its length (`QUICK_BITS`): most
    /// of a million names are ruled out by their first word, and this is
    /// asked before the map, which does not stay in the fastest cache.
    quick: Vec<u64>,
}

/// Bits of [`Prose::quick`]: an article's thousand words set a few
/// percent of them.
const QUICK_BITS: usize = 1 << 15;

impl Prose {
    /// Adds the words of `checked`'s prose (as `Words::of_parse` filters
    /// them).
    fn add(&mut self, checked: &Checked) {
        let file = self.files;
        self.files += 1;
        if !checked.parse.doc.paragraphs.is_empty() {
            if self.quick.is_empty() {
                self.quick = vec![0; QUICK_BITS / 64];
            }
            word_keys(checked.plain(), &mut |k| {
                let bit = (k as usize) % QUICK_BITS;
                self.quick[bit / 64] |= 1 << (bit % 64);
                let holders = self.keys.entry(k).or_default();
                // Files are added in turn: a repeat is the last one.
                if holders.last() != Some(&file) {
                    holders.push(file);
                }
            });
        }
    }

    fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether the prose of one of the files may hold a name of `probe`.
    fn may_hold(&self, probe: &NameProbe) -> bool {
        self.may_hold_keys(probe.lead, probe.rest.iter().copied())
    }

    /// [`may_hold`](Self::may_hold) for a name: true for one with no word.
    /// (Its later words are looked at only when its first is there: most
    /// names of a million are ruled out by the first.)
    fn may_hold_name(&self, name: &str) -> bool {
        match lead_key(name) {
            Some(lead) => self.may_hold_keys(lead, later_word_keys(name)),
            None => true,
        }
    }

    /// Whether one file's prose holds `lead` and every key of `rest`.
    fn may_hold_keys(&self, lead: u64, mut rest: impl Iterator<Item = u64>) -> bool {
        let bit = (lead as usize) % QUICK_BITS;
        if self.quick.get(bit / 64).is_none_or(|w| w & (1 << (bit % 64)) == 0) {
            return false;
        }
        let Some(leading) = self.keys.get(&lead) else { return false };
        // With one file, every key holds it.
        if self.files == 1 {
            return rest.all(|k| self.keys.contains_key(&k));
        }
        let Some(next) = rest.next() else { return true };
        let Some(holders) = self.keys.get(&next) else { return false };
        let mut common = intersection(leading, holders);
        for k in rest {
            if common.is_empty() {
                break;
            }
            let Some(holders) = self.keys.get(&k) else { return false };
            common = intersection(&common, holders);
        }
        !common.is_empty()
    }
}

/// The files in both sorted lists.
fn intersection(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(*x);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

impl Needs {
    /// Adds what `checked` needs; its summary is `summary`.
    fn add(&mut self, checked: &Checked, summary: &FileSummary, interner: &Interner) {
        // A referenced id under both sigils: an undefined reference says
        // whether the other sigil defines it.
        let referenced = summary.refs.iter().flat_map(|r| [(r.sigil, r.id), (r.sigil.other(), r.id)]);
        self.ids.extend(referenced.chain(summary.defs.iter().map(|d| (d.sigil, d.id))));
        // Ids written in attribute values that are no reference (a `^id`
        // under a key that takes entities is an `invalid-value` that asks
        // whether `@id` exists), under both sigils too.
        for (_, id) in attribute_references(checked.parse.doc.attributes()) {
            let sym = interner.get_or_intern(id);
            self.ids.extend([(Sigil::Entity, sym), (Sigil::Source, sym)]);
        }
        self.prose.add(checked);
    }
}

/// What the change reaches in the other files.
struct Reach {
    /// Ids whose files mention them are reached (sigil aside).
    mentioned: FxHashSet<String>,
    /// Files defining these ids are reached.
    defined: IdSet,
    /// Files other than registries defining these ids are reached.
    counted: IdSet,
    /// Files whose prose may hold one of these names are reached.
    probes: Vec<NameProbe>,
    /// Files whose diagnostics point into these (paths relative to the
    /// root) are reached.
    changed_paths: FxHashSet<String>,
    /// Where the definitions of each of those moved.
    moves: FxHashMap<String, Moves>,
}

/// Where the definitions the checked files can meet are read from.
enum Source<'v> {
    /// Every other file's summary, read in place (`None` for a file that
    /// defines nothing, or changed).
    Views(Vec<Option<StoredSummaryView<'v>>>),
    /// The directory of definitions beside the cache file.
    Directory(Box<Lookup>),
}

/// The definitions found so far in the directory, by file.
struct Lookup {
    directory: Directory,
    /// The file (position in the run) of each entry of the cache file;
    /// `None` for a changed file's (its definitions are its parse's).
    file_of: Vec<Option<u32>>,
    /// Per file, the definitions taken: sigil, id, definition.
    found: FxHashMap<usize, Vec<(Sigil, String, PlacedDef<'static>)>>,
    /// The ids whose definitions were all taken already.
    fetched: IdSet,
    /// How many definitions the blocks read held, and how many blocks.
    looked_at: usize,
    blocks_read: usize,
}

impl Lookup {
    /// The definitions to take (every definition of an id `wanted` holds,
    /// and of each entity kept for a name key that may be looked up in
    /// the prose of `prose_of`), and per file whether it defines an id that
    /// `reach` says reaches it. `None` when the directory is inconsistent.
    fn take(&mut self, wanted: &IdSet, prose_of: &[&Checked], reach: Option<&Reach>) -> Option<(IdSet, Vec<bool>)> {
        let directory = &self.directory;
        let mut keys = FxHashSet::default();
        for c in prose_of.iter().filter(|c| !c.parse.doc.paragraphs.is_empty()) {
            let plain = c.plain();
            candidate_keys(plain, 0, plain.len(), &mut |k| {
                keys.insert(k);
            });
        }
        let mut ordinals = Vec::new();
        for key in keys {
            directory.holders(key, &mut ordinals)?;
        }
        ordinals.sort_unstable();
        ordinals.dedup();
        let reach = reach.filter(|r| !r.defined.is_empty() || !r.counted.is_empty());
        let by_text = [Some(wanted), reach.map(|r| &r.defined), reach.map(|r| &r.counted)];
        let mut blocks: Vec<usize> = ordinals.iter().filter_map(|&o| directory.block_of_ordinal(o)).collect();
        for set in by_text.into_iter().flatten() {
            for (sigil, ids) in [(Sigil::Entity, &set.entity), (Sigil::Source, &set.source)] {
                blocks.extend(ids.iter().filter_map(|id| directory.block_of_id(sigil, id)));
            }
        }
        blocks.sort_unstable();
        blocks.dedup();
        self.blocks_read += blocks.len();
        let bytes = directory.read_blocks(&blocks)?;
        let mut taken = IdSet::default();
        let mut reached = vec![false; self.file_of.len()];
        for (&block, bytes) in blocks.iter().zip(&bytes) {
            let ids = decode_block(bytes)?;
            let first = directory.first_ordinal(block)?;
            for (n, stored) in ids.into_iter().enumerate() {
                self.looked_at += stored.defs.len();
                let (sigil, id) = (stored.sigil(), stored.id);
                let named = sigil == Sigil::Entity && ordinals.binary_search(&(first + n as u32)).is_ok();
                let want = (named || wanted.contains(sigil, id)) && !self.fetched.contains(sigil, id);
                let defined = reach.is_some_and(|r| r.defined.contains(sigil, id));
                let counted = reach.is_some_and(|r| r.counted.contains(sigil, id));
                if !(want || defined || counted) {
                    continue;
                }
                for def in stored.defs {
                    // A changed file's entry: its definitions are its parse's.
                    let Some(file) = *self.file_of.get(def.entry as usize)? else { continue };
                    let file = file as usize;
                    if defined || (counted && !directory.facts(def.entry as usize)?.0) {
                        *reached.get_mut(file)? = true;
                    }
                    if want {
                        self.found.entry(file).or_default().push((sigil, id.to_owned(), def.into_owned()));
                    }
                }
                if want {
                    taken.of(sigil).insert(id.to_owned());
                    self.fetched.of(sigil).insert(id.to_owned());
                }
            }
        }
        Some((taken, reached))
    }

    /// The summary of the file at `file` (entry `entry`) holding the
    /// definitions taken from it, in their order there.
    fn summary(&self, file: usize, entry: usize, interner: &Interner) -> Option<FileSummary> {
        let Some(found) = self.found.get(&file) else { return Some(FileSummary::default()) };
        let mut found: Vec<&(Sigil, String, PlacedDef)> = found.iter().collect();
        found.sort_by_key(|(_, _, def)| def.place);
        let defs =
            found.iter().map(|(sigil, id, def)| def.info(*sigil, interner.get_or_intern(id))).collect::<Option<_>>()?;
        let (is_registry, published) = self.directory.facts(entry)?;
        Some(FileSummary { defs, refs: Vec::new(), is_registry, published: published.map(Into::into) })
    }
}

impl Source<'_> {
    /// The files (positions in the run) that may hold a definition taken.
    fn holding(&self) -> Vec<usize> {
        match self {
            Source::Views(views) => (0..views.len()).filter(|&i| views[i].is_some()).collect(),
            Source::Directory(lookup) => lookup.found.keys().copied().collect(),
        }
    }

    /// The summary of the file at `file` that the ws of the narrowed run
    /// holds: the definitions of ids `keep` accepts (every one taken); and
    /// how many definitions were looked at. `None` inside when one kept is
    /// inconsistent.
    fn summary(
        &self,
        file: usize,
        entry_of: &[usize],
        interner: &Interner,
        keep: &dyn Fn(Sigil, &str) -> bool,
    ) -> (Option<FileSummary>, usize) {
        match self {
            Source::Views(views) => match views.get(file) {
                Some(Some(view)) => (view.select(interner, keep), view.len()),
                _ => (Some(FileSummary::default()), 0),
            },
            Source::Directory(lookup) => match entry_of.get(file) {
                Some(&entry) => (lookup.summary(file, entry, interner), 0),
                None => (None, 0),
            },
        }
    }
}

impl WorkspaceRun<'_> {
    /// The run described in the module's documentation, or `None` when it
    /// does not apply (then nothing was reported or changed). Its `files`
    /// are left empty for [`WorkspaceRun::check`] to give.
    pub(super) fn narrowed_run(&self, files: &[CheckedFile], states: &[State]) -> Option<CheckedWorkspace> {
        let loaded = self.loaded.as_ref()?;
        if !self.diagnostics_usable() || !self.planned.unreadable.is_empty() || loaded.entries.len() != states.len() {
            return None;
        }
        // Each file's entry. Paths are distinct and as many as the entries:
        // with every changed file found by its path, none was added or
        // removed.
        let mut entry_of = Vec::with_capacity(files.len());
        let mut changed_files = Vec::new();
        for (i, (file, state)) in files.iter().zip(states).enumerate() {
            match state {
                State::Same { entry, .. } => {
                    if (self.is_selected)(&file.path) && loaded.entries.get(*entry)?.diagnosed.is_none() {
                        return None;
                    }
                    entry_of.push(*entry);
                }
                State::Changed { .. } => {
                    entry_of.push(loaded.entry_index(&rel_path(&self.planned.root, &file.path), i)?);
                    changed_files.push(i);
                    if changed_files.len() > MAX_CHANGED {
                        return None;
                    }
                }
            }
        }
        if changed_files.is_empty() {
            return None;
        }

        // The changed files, before and after, and what their change
        // reaches.
        let scratch = Interner::new();
        let mut checked = Vec::with_capacity(changed_files.len());
        let mut delta = Delta::default();
        let mut needs = Needs::default();
        let mut moves = FxHashMap::default();
        // Whether a changed file defined entities before (their names are
        // in the directory's holders as they were).
        let mut entities_before = false;
        for &i in &changed_files {
            let State::Changed { text, .. } = &states[i] else { return None };
            // Cloned: `full_run` takes the text if this run gives up.
            let text = text.lock().unwrap_or_else(|e| e.into_inner()).as_ref().ok()?.clone();
            let old = self.decode_alone(entry_of[i], &scratch)?;
            let parse = syntax::parse(&text);
            let new = FileSummary::new(&parse, &text, &scratch);
            // A file that became a registry or stopped being one changes
            // which of its definitions may go unused: not this run's case.
            if old.is_registry != new.is_registry {
                return None;
            }
            entities_before |= old.is_registry || old.defs.iter().any(|d| d.sigil == Sigil::Entity);
            delta.add(Some(&old), Some(&new));
            moves.insert(loaded.entries[entry_of[i]].path.clone(), Moves::of(&old, &new));
            let file = Checked::new(i, text, parse);
            needs.add(&file, &new, &scratch);
            checked.push(file);
        }
        if !delta.narrowable() {
            return None;
        }
        let reach = Reach {
            mentioned: delta.mentioned().map(|(_, id)| scratch.resolve(&id).to_owned()).collect(),
            defined: IdSet::resolved(delta.defined(), &scratch),
            counted: IdSet::resolved(delta.counted(), &scratch),
            probes: delta.probes().cloned().collect(),
            changed_paths: checked.iter().map(|c| loaded.entries[entry_of[c.file]].path.clone()).collect(),
            moves,
        };

        // The definitions the checked files can meet: from the directory
        // beside the cache file when it can tell, else from every other
        // file's summary, read in place (most define nothing).
        let is_changed = |i: usize| changed_files.binary_search(&i).is_ok();
        let directory = self.directory(loaded, &entry_of, &changed_files, &reach, entities_before);
        let (mut source, mentioning) = match directory {
            Some(lookup) => {
                self.stats.directory_runs.fetch_add(1, Ordering::Relaxed);
                (Source::Directory(Box::new(lookup)), vec![false; files.len()])
            }
            None => {
                // (Decompressed first, on all threads: see `WorkspaceRun::build`.)
                loaded.prepare_summaries();
                let mentions = |id: &str| !reach.mentioned.is_empty() && reach.mentioned.contains(id);
                let read: Vec<(Option<StoredSummaryView>, bool)> = entry_of
                    .par_iter()
                    // The registries (a thousandfold the definitions of an
                    // article) sort last: split to single files, or one
                    // thread read them all while the other waited.
                    .with_max_len(1)
                    .enumerate()
                    .map(|(i, &e)| match is_changed(i) {
                        true => Some((None, false)),
                        false => StoredSummaryView::read(loaded.summary_bytes(&loaded.entries[e])?, mentions),
                    })
                    .collect::<Option<_>>()?;
                let (views, mentioning): (Vec<Option<StoredSummaryView>>, Vec<bool>) = read.into_par_iter().unzip();
                (Source::Views(views), mentioning)
            }
        };

        // The ids to take for the changed files (those they reference or
        // define, and entities with a name that may occur in their prose),
        // and the other files the change reaches through a definition.
        let mut wanted = IdSet::resolved(needs.ids.into_iter(), &scratch);
        let changed_checked: Vec<&Checked> = checked.iter().collect();
        let (mut taken, defines_reached) =
            self.take_from(&mut source, &wanted, &needs.prose, &changed_checked, Some(&reach))?;

        // The files reached otherwise: by a source they mention, a name
        // their prose may hold, or their diagnostics pointing into a
        // changed file. Read again and checked.
        let rendering = self.kept_rendering();
        let reached =
            self.reached(loaded, files, &entry_of, &is_changed, &mentioning, &defines_reached, &reach, &rendering)?;
        let mut more = Needs::default();
        let mut followed = Vec::new();
        let mut to_read = Vec::new();
        for (i, how) in reached {
            match how {
                Found::Follow(diagnosed) => followed.push((i, diagnosed)),
                Found::Check => to_read.push((i, false)),
                Found::Named => to_read.push((i, true)),
            }
        }
        let read_again: Vec<Option<Checked>> = to_read
            .par_iter()
            .map(|&(i, by_name_alone)| {
                let text = read_text(&files[i].path).ok()?;
                // Changed since it was found unchanged: the full run sees it.
                if hash(&text) != loaded.entries[entry_of[i]].hash {
                    return None;
                }
                let parse = syntax::parse(&text);
                let file = Checked::new(i, text, parse);
                // Reached only through its word filter: its words, exactly,
                // may hold none of the names after all (then its cached
                // diagnostics stand).
                let named = || {
                    let mut prose = Prose::default();
                    prose.add(&file);
                    reach.probes.iter().any(|p| prose.may_hold(p))
                };
                Some((!by_name_alone || named()).then_some(file))
            })
            .collect::<Option<_>>()?;
        let read_again: Vec<Checked> = read_again.into_iter().flatten().collect();
        let any_read_again = !read_again.is_empty();
        for file in &read_again {
            let summary = FileSummary::new(&file.parse, &file.text, &scratch);
            more.add(file, &summary, &scratch);
        }
        if any_read_again {
            // The definitions the reached files need besides.
            let also_wanted = IdSet::resolved(more.ids.into_iter(), &scratch);
            let reached: Vec<&Checked> = read_again.iter().collect();
            let (found, _) = self.take_from(&mut source, &also_wanted, &more.prose, &reached, None)?;
            taken.extend(found);
            wanted.extend(also_wanted);
        }
        checked.extend(read_again);
        checked.sort_by_key(|c| c.file);
        let is_checked = |i: usize| checked.binary_search_by_key(&i, |c| c.file).is_ok();

        // The workspace of the checked files and of the files with a
        // definition taken (in the run's order: path order), alone: a file
        // id of it is the place of its file in `members`.
        let seen = std::sync::atomic::AtomicUsize::new(0);
        let broken = AtomicBool::new(false);
        let by_file: FxHashMap<usize, &Checked> = checked.iter().map(|c| (c.file, c)).collect();
        let interner = Workspace::new_interner(InternerSize::default());
        let keep = |sigil: Sigil, id: &str| wanted.contains(sigil, id) || taken.contains(sigil, id);
        let mut made: Vec<(usize, FileSummary)> = source
            .holding()
            .into_par_iter()
            .filter(|i| !by_file.contains_key(i))
            .filter_map(|i| {
                let (summary, looked_at) = source.summary(i, &entry_of, &interner, &keep);
                seen.fetch_add(looked_at, Ordering::Relaxed);
                broken.fetch_or(summary.is_none(), Ordering::Relaxed);
                summary.filter(|s| !s.defs.is_empty()).map(|s| (i, s))
            })
            .collect();
        let kept = made.iter().map(|(_, s)| s.defs.len()).sum::<usize>();
        made.extend(checked.iter().map(|c| (c.file, FileSummary::new(&c.parse, &c.text, &interner))));
        made.sort_unstable_by_key(|(i, _)| *i);
        if broken.load(Ordering::Relaxed) {
            return None;
        }
        let members: Vec<usize> = made.iter().map(|(i, _)| *i).collect();
        let made = made
            .into_par_iter()
            .map(|(i, summary)| {
                let file = &files[i];
                Arc::new(SourceFile {
                    path: file.path.clone(),
                    display_path: file.display_path.clone(),
                    text: "".into(),
                    read_error: None,
                    summary,
                })
            })
            .collect();
        let ws = Workspace::from_files(self.planned.root.clone(), self.planned.config.clone(), interner, made);
        let ws_id = |i: usize| members.binary_search(&i).ok().map(|k| FileId(k as u32));
        let run_id = |f: FileId| FileId(members.get(f.0 as usize).map_or(u32::MAX, |&i| i as u32));
        // "Did you mean" of the checked files' undefined references
        // compares them with every defined id, which `ws` lacks: the ids it
        // would compare are gathered from all of them.
        let undefined = undefined_references(&ws, &checked, &ws_id);
        let suggestions_ready = undefined.is_empty()
            || (undefined.len() <= MAX_UNDEFINED && offer_suggestions(&ws, &source, &checked, &ws_id, &undefined));
        // Freed on the threads that made them: on this one, 100,000 views
        // were a twentieth of a second.
        if let Source::Views(views) = source {
            views.into_par_iter().for_each(drop);
        }

        // The checked files' diagnostics, and what they read.
        // Every definition of these ids is in `ws`: those the checked files
        // reference or define (wanted), and those found by name (taken).
        let is_taken = |&(sigil, sym): &(Sigil, Symbol)| {
            let id = ws.id_text(sym);
            wanted.contains(sigil, id) || taken.contains(sigil, id)
        };
        let fresh: Vec<(usize, Diagnosed)> = checked
            .par_iter()
            .with_max_len(1)
            .filter(|c| (self.is_selected)(&files[c.file].path))
            .map(|c| {
                let (mut diagnostics, reads) =
                    file_diagnostics_and_reads(&ws, ws_id(c.file)?, &c.text, &c.parse, CheckOptions::default());
                for d in &mut diagnostics {
                    d.map_files(run_id);
                }
                // The set of all ids is read by "did you mean" (served
                // above when it could be) and by an unknown key's fix
                // (whether the entity its value names exists: every id
                // written in an attribute was taken, so `ws` knows).
                let read_the_id_set = !suggestions_ready
                    && (reads.defined_set || diagnostics.iter().any(|d| d.code == Code::UndefinedReference));
                // Whether an own definition is referenced: only references
                // of the checked files are here, so only "yes" is the
                // whole workspace's answer too.
                let referenced_here = |&(sigil, sym): &(Sigil, Symbol)| ws.index().ref_count(sigil, sym) > 0;
                if read_the_id_set
                    || !reads.ids.iter().chain(&reads.places).all(is_taken)
                    || !reads.referenced.iter().all(referenced_here)
                {
                    return None;
                }
                let positions = own_positions(&c.text, FileId(c.file as u32), &diagnostics);
                Some((c.file, Diagnosed { diagnostics, positions, ..Diagnosed::default() }))
            })
            .collect::<Option<_>>()?;

        // Every other selected file's diagnostics, from the cache (none of
        // them points into a changed file: those were reached, or follow).
        let entries: Vec<&Entry> = entry_of.iter().map(|&e| &loaded.entries[e]).collect();
        let is_followed = |i: usize| followed.binary_search_by_key(&i, |(file, _)| *file).is_ok();
        // Of those, the ones whose lines a kept rendering has are
        // replayed, not decoded.
        let replay: Vec<(usize, u32)> = match &rendering {
            Some(r) => (0..files.len())
                .filter(|&i| !is_checked(i) && !is_followed(i) && (self.is_selected)(&files[i].path))
                .filter_map(|i| {
                    let entry = entry_of[i] as u32;
                    r.fragment(entry as usize).map(|_| (i, entry))
                })
                .collect(),
            None => Vec::new(),
        };
        let is_replayed = |i: usize| replay.binary_search_by_key(&i, |&(file, _)| file).is_ok();
        let mut results = self.cached_results(
            loaded,
            files,
            &entries,
            &|i| is_checked(i) || is_followed(i) || is_replayed(i),
            &|path| reach.changed_paths.contains(path),
        )?;
        let follows = followed.len();
        for (i, d) in fresh.into_iter().chain(followed) {
            results[i] = Some(d);
        }
        let reused = results.iter().flatten().filter(|d| d.from_cache).count() + follows + replay.len();
        self.place_elsewhere(&|f| files.get(f.0 as usize).map(|f| f.path.as_path()), &mut results);
        let (diagnostics, positions, checked_count) = assemble(results);
        let checked_count = checked_count + replay.len();
        let replayed = rendering.filter(|_| !replay.is_empty()).map(|rendering| Replayed {
            rendering,
            files: replay,
            renumbered: None,
        });

        let stats = self.stats;
        stats.parsed.fetch_add(checked.len(), Ordering::Relaxed);
        stats.narrowed.fetch_add(checked.len(), Ordering::Relaxed);
        stats.reused.fetch_add(reused, Ordering::Relaxed);
        stats.followed.fetch_add(follows, Ordering::Relaxed);
        stats.replayed.fetch_add(replayed.as_ref().map_or(0, |r| r.files.len()), Ordering::Relaxed);
        stats.diagnosed.fetch_add(checked_count - reused, Ordering::Relaxed);
        stats.definitions_seen.fetch_add(seen.into_inner(), Ordering::Relaxed);
        stats.definitions_taken.fetch_add(kept, Ordering::Relaxed);
        Some(CheckedWorkspace {
            files: Vec::new(),
            diagnostics,
            positions,
            checked: checked_count,
            replayed,
            keep: None,
        })
    }

    /// What [`take`](Self::take) finds, from `source`: the ids taken, and
    /// per file whether the change reaches it through a definition.
    /// (`prose_of` are the files whose words `prose` holds.)
    fn take_from(
        &self,
        source: &mut Source,
        wanted: &IdSet,
        prose: &Prose,
        prose_of: &[&Checked],
        reach: Option<&Reach>,
    ) -> Option<(IdSet, Vec<bool>)> {
        match source {
            Source::Views(views) => {
                let found = self.take(views, wanted, prose, reach)?;
                let mut taken = IdSet::default();
                let mut reached = Vec::with_capacity(found.len());
                for (ids, defines_reached) in found {
                    for (sigil, id) in ids {
                        taken.of(sigil).insert(id.to_owned());
                    }
                    reached.push(defines_reached);
                }
                Some((taken, reached))
            }
            Source::Directory(lookup) => {
                let found = lookup.take(wanted, prose_of, reach);
                self.stats.definitions_seen.fetch_add(std::mem::take(&mut lookup.looked_at), Ordering::Relaxed);
                self.stats.directory_blocks.fetch_add(std::mem::take(&mut lookup.blocks_read), Ordering::Relaxed);
                found
            }
        }
    }

    /// The directory beside the cache file, when it can tell what this run
    /// takes: it lists what the files held when the cache file was written,
    /// so a changed file must have defined no entity then (its names would
    /// be among the directory's holders), and a change to a source's
    /// definition reaches the files that mention it, which only their
    /// summaries tell.
    fn directory(
        &self,
        loaded: &Loaded,
        entry_of: &[usize],
        changed_files: &[usize],
        reach: &Reach,
        entities_before: bool,
    ) -> Option<Lookup> {
        if entities_before || !reach.mentioned.is_empty() {
            return None;
        }
        let cache_file = self.cache_file.as_ref()?;
        let directory =
            Directory::load(cache_file, &loaded.header.program, loaded.header.generation, loaded.entries.len())?;
        let mut file_of = vec![None; loaded.entries.len()];
        for (i, &e) in entry_of.iter().enumerate() {
            if changed_files.binary_search(&i).is_err() {
                *file_of.get_mut(e)? = Some(i as u32);
            }
        }
        Some(Lookup {
            directory,
            file_of,
            found: FxHashMap::default(),
            fetched: IdSet::default(),
            looked_at: 0,
            blocks_read: 0,
        })
    }

    /// Per file of `views`, the definitions to take (every definition of
    /// an id `wanted` holds, and of each entity with a name that may occur
    /// in `prose`), and whether the file defines an id that `reach` says
    /// reaches it. `None` when a definition is inconsistent.
    fn take<'a>(
        &self,
        views: &[Option<StoredSummaryView<'a>>],
        wanted: &IdSet,
        prose: &Prose,
        reach: Option<&Reach>,
    ) -> Option<Vec<(Taken<'a>, bool)>> {
        let names = !prose.is_empty();
        let reach = reach.filter(|r| !r.defined.is_empty() || !r.counted.is_empty());
        views
            .par_iter()
            .with_max_len(1)
            .map(|view| {
                let Some(view) = view else { return Some((Vec::new(), false)) };
                let mut taken = Vec::new();
                let mut reached = false;
                let mut visit = |sigil: Sigil, id: &'a str, named: bool| {
                    if let Some(reach) = reach
                        && (reach.defined.contains(sigil, id)
                            || (!view.is_registry() && reach.counted.contains(sigil, id)))
                    {
                        reached = true;
                    }
                    if named || wanted.contains(sigil, id) {
                        taken.push((sigil, id));
                    }
                };
                // Names are read (and each definition's text checked) only
                // when the checked files have prose; else the ids alone
                // decide, and a definition is checked when it is selected.
                if names {
                    for def in view.definitions() {
                        let (sigil, id, parts) = def?;
                        visit(sigil, id, sigil == Sigil::Entity && parts.names().any(|n| prose.may_hold_name(n)));
                    }
                } else {
                    for def in view.defined_ids() {
                        let (sigil, id) = def?;
                        visit(sigil, id, false);
                    }
                }
                Some((taken, reached))
            })
            .collect()
    }

    /// The selected unchanged files the change reaches, in order, and
    /// how: those `mentioning` or `defines_reached` marks, those whose
    /// prose may hold a name of `reach.probes`, and those whose diagnostics
    /// point into a changed file (by the kept `rendering`'s lines when it
    /// has them, else by the cached diagnostics); of the last, those whose
    /// offsets there can follow the definitions they point at (`moves`)
    /// are taken from the cache with them moved. (A file not selected
    /// reports nothing, and its cached summary is its own.) `None` past
    /// [`MAX_REACHED`] files to check, or when cached diagnostics are
    /// missing.
    #[allow(clippy::too_many_arguments)]
    fn reached(
        &self,
        loaded: &Loaded,
        files: &[CheckedFile],
        entry_of: &[usize],
        is_changed: &(dyn Fn(usize) -> bool + Sync),
        mentioning: &[bool],
        defines_reached: &[bool],
        reach: &Reach,
        rendering: &Option<std::sync::Arc<super::Rendering>>,
    ) -> Option<Vec<(usize, Found)>> {
        let changed_entries: FxHashSet<u32> =
            (0..files.len()).filter(|&i| is_changed(i)).map(|i| entry_of[i] as u32).collect();
        let candidate = |i: usize| !is_changed(i) && (self.is_selected)(&files[i].path);
        // The diagnostics section is decompressed only when stored
        // diagnostics must be read: for the word filters of names that
        // changed, or where kept lines point into a changed file or are
        // not there to tell.
        let by_lines = |i: usize| {
            let lines = rendering.as_ref()?.fragment(entry_of[i])?;
            Some(lines.elsewhere.iter().any(|e| changed_entries.contains(e)))
        };
        // (Their frames are decompressed as they are read when only a few
        // files are: those whose kept lines point into a changed file.)
        let decodes = (0..files.len()).into_par_iter().any(|i| candidate(i) && by_lines(i).is_none());
        if decodes {
            loaded.prepare_diagnosed();
        }
        // Other files (related places, fix edits) are found by path, in a
        // map made only when a file's offsets follow definitions.
        let by_path: std::sync::OnceLock<FxHashMap<&str, u32>> = std::sync::OnceLock::new();
        let file_of = |path: &str| {
            let by_path = by_path.get_or_init(|| {
                entry_of.iter().enumerate().map(|(i, &e)| (loaded.entries[e].path.as_str(), i as u32)).collect()
            });
            by_path.get(path).map(|&i| FileId(i))
        };
        let found: Vec<(usize, Found)> = (0..files.len())
            .into_par_iter()
            .filter(|&i| candidate(i))
            .map(|i| {
                if mentioning[i] || defines_reached[i] {
                    return Some(Some((i, Found::Check)));
                }
                let entry = &loaded.entries[entry_of[i]];
                // The word filter is beside the summary (read already);
                // every selected file has one, or the full run checks.
                let named = !reach.probes.is_empty() && Words::filter_may_hold(loaded.words(entry)?, &reach.probes);
                if by_lines(i) == Some(false) {
                    return Some(named.then_some((i, Found::Named)));
                }
                // Selected files have cached diagnostics (checked above).
                let mut stored = loaded.diagnosed(entry)?;
                if !stored.points_into(|path| reach.changed_paths.contains(path)) {
                    return Some(named.then_some((i, Found::Named)));
                }
                if named || !follow(&mut stored, &reach.moves) {
                    return Some(Some((i, Found::Check)));
                }
                let changed =
                    |f: FileId| entry_of.get(f.0 as usize).is_some_and(|&e| changed_entries.contains(&(e as u32)));
                let how = match from_cache(FileId(i as u32), stored, &file_of) {
                    // Placed again in the changed files, where they now
                    // point (`place_elsewhere`).
                    Some(mut diagnosed) => {
                        diagnosed.elsewhere.retain(|(f, _)| !changed(*f));
                        diagnosed.from_cache = false;
                        Found::Follow(diagnosed)
                    }
                    None => Found::Check,
                };
                Some(Some((i, how)))
            })
            // Only the files found are collected (a slot per file, a
            // `Found` wide, was 15 MB to fill for 100,000 files); a `None`
            // (something missing) still ends the run.
            .filter_map(|found| match found {
                Some(None) => None,
                Some(Some(file)) => Some(Some(file)),
                None => Some(None),
            })
            .collect::<Option<Vec<(usize, Found)>>>()?;
        let to_check = found.iter().filter(|(_, how)| !matches!(how, Found::Follow(_))).count();
        (to_check <= MAX_REACHED).then_some(found)
    }
}

/// How an unchanged file is reached by the change.
enum Found {
    /// Checked again.
    Check,
    /// Checked again when its prose, read, may hold a name that changed
    /// (only its word filter said so).
    Named,
    /// Its cached diagnostics, their offsets into the changed files moved
    /// with the definitions there.
    Follow(Diagnosed),
}

/// The references of the checked files to ids defined under neither
/// sigil (every definition of a referenced id is in `ws`), once each.
fn undefined_references(
    ws: &Workspace,
    checked: &[Checked],
    ws_id: &dyn Fn(usize) -> Option<FileId>,
) -> Vec<(Sigil, String)> {
    let index = ws.index();
    let mut undefined: Vec<(Sigil, String)> = checked
        .iter()
        .filter_map(|c| ws.file(ws_id(c.file)?))
        .flat_map(|f| &f.summary.refs)
        .filter(|r| !index.is_defined(r.sigil, r.id) && !index.is_defined(r.sigil.other(), r.id))
        .map(|r| (r.sigil, ws.id_text(r.id).to_owned()))
        .collect();
    undefined.sort_unstable();
    undefined.dedup();
    undefined
}

/// Gives `ws` sorted ids that answer "did you mean" for each id of
/// `undefined` as the whole workspace's would: gathered from every
/// definition, those of the other files (`views`) and of the checked ones
/// (in `ws`). False when that cannot be shown (then the full run checks).
fn offer_suggestions(
    ws: &Workspace,
    source: &Source,
    checked: &[Checked],
    ws_id: &dyn Fn(usize) -> Option<FileId>,
    undefined: &[(Sigil, String)],
) -> bool {
    let is_checked = |i: usize| checked.binary_search_by_key(&i, |c| c.file).is_ok();
    match source {
        Source::Views(views) => {
            finish_suggestions(ws, gather_from_views(views, &is_checked, undefined), checked, ws_id, undefined)
        }
        Source::Directory(lookup) => {
            // Every id, read from every block.
            let blocks: Vec<usize> = (0..lookup.directory.block_count()).collect();
            let Some(bytes) = lookup.directory.read_blocks(&blocks) else { return false };
            let Some(decoded) = bytes.par_iter().map(|b| decode_block(b)).collect::<Option<Vec<_>>>() else {
                return false;
            };
            let elsewhere = |stored: &StoredId| {
                stored.defs.iter().any(|d| {
                    lookup.file_of.get(d.entry as usize).copied().flatten().is_some_and(|f| !is_checked(f as usize))
                })
            };
            let gathered = decoded
                .par_iter()
                .fold(
                    || SuggestionWindows::new(undefined),
                    |mut windows, ids| {
                        for stored in ids.iter().filter(|s| elsewhere(s)) {
                            windows.offer(stored.sigil(), stored.id);
                        }
                        windows
                    },
                )
                .reduce(|| SuggestionWindows::new(undefined), |a, b| a.merge(b));
            finish_suggestions(ws, Some(gathered), checked, ws_id, undefined)
        }
    }
}

/// Every definition of the other files' summaries, offered to windows
/// around the ids of `undefined`.
fn gather_from_views<'a>(
    views: &[Option<StoredSummaryView<'a>>],
    is_checked: &(dyn Fn(usize) -> bool + Sync),
    undefined: &'a [(Sigil, String)],
) -> Option<SuggestionWindows<'a>> {
    views
        .par_iter()
        .enumerate()
        // Each piece's windows are merged into another's, their ids offered
        // again: a few pieces per thread, not one per few files.
        .with_min_len(views.len().div_ceil(4 * rayon::current_num_threads()).max(1))
        .try_fold(
            || SuggestionWindows::new(undefined),
            |mut windows, (i, view)| {
                // A checked file's definitions are offered from `ws` below.
                for def in view.iter().filter(|_| !is_checked(i)).flat_map(|v| v.defined_ids()) {
                    let (sigil, id) = def?;
                    windows.offer(sigil, id);
                }
                Some(windows)
            },
        )
        .try_reduce(|| SuggestionWindows::new(undefined), |a, b| Some(a.merge(b)))
}

/// Offers the checked files' definitions to `gathered` and gives `ws` the
/// sorted ids it holds; false when that cannot be shown.
fn finish_suggestions(
    ws: &Workspace,
    gathered: Option<SuggestionWindows>,
    checked: &[Checked],
    ws_id: &dyn Fn(usize) -> Option<FileId>,
    undefined: &[(Sigil, String)],
) -> bool {
    let Some(mut windows) = gathered else { return false };
    for file in checked.iter().filter_map(|c| ws.file(ws_id(c.file)?)) {
        for def in &file.summary.defs {
            windows.offer(def.sigil, ws.id_text(def.id));
        }
    }
    for sigil in [Sigil::Entity, Sigil::Source] {
        if undefined.iter().any(|(s, _)| *s == sigil) {
            match windows.sorted_ids(sigil) {
                Some(sorted) => ws.index().offer_sorted_ids(sigil, std::sync::Arc::new(sorted)),
                None => return false,
            }
        }
    }
    true
}
