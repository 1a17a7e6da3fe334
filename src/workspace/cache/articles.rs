//! A warm run in which only articles changed: a few edited files, none a
//! registry, whose definitions kept their contents (they may have moved),
//! but for sources that no other file references or defines.
//! Their diagnostics are computed against the definitions they can meet
//! (those of the ids they reference or define, and of the entities whose
//! names their prose may hold), read in place from the cache's summaries,
//! instead of against a workspace built from every summary; every other
//! file's diagnostics come from the cache. Outside that case, or on any
//! doubt, the run is left to `full_run`, which gives the same output.
//!
//! Why the output is the same. Such an edit changes, in other files, only
//! what `Delta` says it can: files that reference or define a source
//! whose definition changed, files that define an id whose definition
//! moved (`duplicate-definition` points at it), files other than
//! registries that define an id whose reference count moved
//! (`unused-definition`), and files whose diagnostics point into the
//! edited one; any such file sends the run to `full_run`. The edited
//! files' own checks read the definitions of the ids they reference or
//! define (all of them are taken, an id referenced or written in an
//! attribute under both sigils), the names their prose may hold (every
//! holder of such a name is taken), whether their own definitions are
//! referenced, and, through fixes and "did you mean", possibly other ids
//! or the set of all ids. "Did you mean" of an undefined reference
//! compares it with the ids around it in the sorted set of all ids: those
//! are gathered from every definition (`SuggestionWindows`) and given to
//! the narrowed workspace as its sorted ids. The engine says what the
//! checks read (`file_diagnostics_and_reads`): anything read beyond what
//! was taken, the set of all ids other than through those suggestions, or
//! an own definition referenced nowhere in the edited files (the other
//! files' references are not read) sends the run to `full_run`.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::analysis::diagnostics::{CheckOptions, file_diagnostics_and_reads};
use crate::analysis::{
    Code, FileId, FileSummary, Interner, InternerSize, SourceFile, StoredSummaryView, SuggestionWindows, Symbol,
    Workspace, attribute_references, may_occur_in,
};
use crate::syntax::{self, Parse, Sigil};

use super::delta::Delta;
use super::diagnose::{Diagnosed, Words, own_positions, rel_path};
use super::run::{CheckedFile, CheckedWorkspace, Replayed, State, WorkspaceRun, assemble};
use super::store::Entry;

/// More changed files than this go to the full run, which also writes
/// them into the cache (this run writes nothing: the cache stays that of
/// the files before the edit, which the next run compares with again).
const MAX_CHANGED: usize = 64;

/// More undefined ids than this in the changed files go to the full run:
/// every defined id is compared with the neighbours of each of them, and
/// past a few dozen that costs more than sorting every id once.
const MAX_UNDEFINED: usize = 32;

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
}

/// A changed file, read and parsed.
struct Changed {
    file: usize,
    text: String,
    parse: Parse,
    words: Words,
}

impl WorkspaceRun<'_> {
    /// The run described in the module's documentation, or `None` when it
    /// does not apply (then nothing was reported or changed). Its `files`
    /// are left empty for [`WorkspaceRun::check`] to give.
    pub(super) fn articles_run(&self, files: &[CheckedFile], states: &[State]) -> Option<CheckedWorkspace> {
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

        // The changed files, before and after: no registry, and no
        // definition changed, appeared or went (they may have moved). What
        // they reference and define, and what their change reaches.
        let scratch = Interner::with_hasher(rustc_hash::FxBuildHasher);
        let mut changed = Vec::with_capacity(changed_files.len());
        let mut delta = Delta::default();
        let mut wanted_ids = Vec::new();
        for &i in &changed_files {
            let State::Changed { text, .. } = &states[i] else { return None };
            // Cloned: `full_run` takes the text if this run gives up.
            let text = text.lock().unwrap_or_else(|e| e.into_inner()).as_ref().ok()?.clone();
            let old = self.decode(entry_of[i], &scratch)?;
            let parse = syntax::parse(&text);
            let new = FileSummary::new(&parse, &text, &scratch);
            if old.is_registry || new.is_registry {
                return None;
            }
            delta.add(Some(&old), Some(&new));
            // A referenced id under both sigils: an undefined reference
            // says whether the other sigil defines it.
            let referenced = new.refs.iter().flat_map(|r| [(r.sigil, r.id), (r.sigil.other(), r.id)]);
            wanted_ids.extend(referenced.chain(new.defs.iter().map(|d| (d.sigil, d.id))));
            // Ids written in attribute values that are no reference (a
            // `^id` under a key that takes entities is an `invalid-value`
            // that asks whether `@id` exists), under both sigils too.
            for (_, id) in attribute_references(parse.doc.attributes()) {
                let sym = scratch.get_or_intern(id);
                wanted_ids.extend([(Sigil::Entity, sym), (Sigil::Source, sym)]);
            }
            let words = Words::of_parse(&text, &parse);
            changed.push(Changed { file: i, text, parse, words });
        }
        // Sources whose definitions changed (an attribute edited) reach the
        // files that reference or define them: there must be none.
        let changed_sources = IdSet::resolved(delta.changed_sources()?, &scratch);
        // Other files that define an id whose definition moved (the related
        // places of `duplicate-definition`), or, outside registries, whose
        // reference count moved (`unused-definition`), are reached.
        let wanted = IdSet::resolved(wanted_ids.into_iter(), &scratch);
        let moved = IdSet::resolved(delta.moved(), &scratch);
        let counted = IdSet::resolved(delta.counted(), &scratch);
        let changed_paths: FxHashSet<&str> =
            changed.iter().map(|c| loaded.entries[entry_of[c.file]].path.as_str()).collect();

        // Every other file's summary, read in place. Most define nothing.
        // (Decompressed first, on all threads: see `WorkspaceRun::build`.)
        loaded.prepare_summaries();
        // A file that mentions a changed source is reached by it.
        let reached = |id: &str| !changed_sources.source.is_empty() && changed_sources.source.contains(id);
        let views: Vec<Option<StoredSummaryView>> = entry_of
            .par_iter()
            // The registries (a thousandfold the definitions of an
            // article) sort last: split to single files, or one thread
            // read them all while the other waited.
            .with_max_len(1)
            .enumerate()
            .map(|(i, &e)| match changed_files.binary_search(&i) {
                Ok(_) => Some(None),
                Err(_) => match StoredSummaryView::read(loaded.summary_bytes(&loaded.entries[e])?, reached)? {
                    (_, true) => None,
                    (view, false) => Some(view),
                },
            })
            .collect::<Option<_>>()?;

        // The ids to take: those the changed files reference or define, and
        // entities with a name that may occur in their prose (its first and
        // last words may be there).
        // Another file reached by the change (above) is not this run's case.
        let may_be_in_prose = |key: u64| changed.iter().any(|c| c.words.may_contain(key));
        let found: Option<Vec<Vec<(Sigil, &str)>>> = views
            .par_iter()
            .with_max_len(1)
            .map(|view| {
                let Some(view) = view else { return Some(Vec::new()) };
                let mut taken = Vec::new();
                for def in view.definitions() {
                    let (sigil, id, parts) = def?;
                    if moved.contains(sigil, id) || (!view.is_registry() && counted.contains(sigil, id)) {
                        return None;
                    }
                    let named = sigil == Sigil::Entity && parts.names().any(|n| may_occur_in(n, &may_be_in_prose));
                    if named || wanted.contains(sigil, id) {
                        taken.push((sigil, id));
                    }
                }
                Some(taken)
            })
            .collect();
        let taken: FxHashSet<(Sigil, &str)> = found?.into_iter().flatten().collect();

        // The workspace of the changed files and every definition of the
        // ids taken; the other files are there, empty, so that file ids are
        // those of `files`.
        let seen = std::sync::atomic::AtomicUsize::new(0);
        let kept = std::sync::atomic::AtomicUsize::new(0);
        let broken = AtomicBool::new(false);
        let by_file: FxHashMap<usize, &Changed> = changed.iter().map(|c| (c.file, c)).collect();
        let ws = Workspace::build_from(
            self.planned.root.clone(),
            self.planned.config.clone(),
            files.len(),
            InternerSize::default(),
            |i, interner| {
                let file = files.get(i)?;
                let summary = match (by_file.get(&i), views.get(i)) {
                    (Some(c), _) => FileSummary::new(&c.parse, &c.text, interner),
                    (None, Some(Some(view))) => {
                        seen.fetch_add(view.len(), Ordering::Relaxed);
                        let summary = view.select(interner, |sigil, id| taken.contains(&(sigil, id)));
                        broken.fetch_or(summary.is_none(), Ordering::Relaxed);
                        let summary = summary.unwrap_or_default();
                        kept.fetch_add(summary.defs.len(), Ordering::Relaxed);
                        summary
                    }
                    _ => FileSummary::default(),
                };
                Some(SourceFile {
                    path: file.path.clone(),
                    display_path: file.display_path.clone(),
                    text: "".into(),
                    read_error: None,
                    summary,
                })
            },
        );
        if broken.load(Ordering::Relaxed) || ws.files().count() != files.len() {
            return None;
        }
        // "Did you mean" of the changed files' undefined references
        // compares them with every defined id, which `ws` lacks: the ids it
        // would compare are gathered from all of them.
        let undefined = undefined_references(&ws, &changed);
        let suggestions_ready = undefined.is_empty()
            || (undefined.len() <= MAX_UNDEFINED && offer_suggestions(&ws, &views, &changed, &undefined));
        // The ids taken borrow from the section, not from the views. Freed
        // on the threads that made them: on this one, 100,000 views were
        // a twentieth of a second.
        views.into_par_iter().for_each(drop);

        // The changed files' diagnostics, and what they read.
        // Every definition of these ids is in `ws`: those the changed files
        // reference or define (wanted), and those found by name (taken).
        let is_taken = |&(sigil, sym): &(Sigil, Symbol)| {
            let id = ws.id_text(sym);
            wanted.contains(sigil, id) || taken.contains(&(sigil, id))
        };
        let fresh: Vec<(usize, Diagnosed)> = changed
            .par_iter()
            .filter(|c| (self.is_selected)(&files[c.file].path))
            .map(|c| {
                let id = FileId(c.file as u32);
                let (diagnostics, reads) =
                    file_diagnostics_and_reads(&ws, id, &c.text, &c.parse, CheckOptions::default());
                // The set of all ids is read by "did you mean" (served
                // above when it could be) and by an unknown key's fix
                // (whether the entity its value names exists: every id
                // written in an attribute was taken, so `ws` knows).
                let read_the_id_set = !suggestions_ready
                    && (reads.defined_set || diagnostics.iter().any(|d| d.code == Code::UndefinedReference));
                // Whether an own definition is referenced: only references
                // of the changed files are here, so only "yes" is the
                // whole workspace's answer too.
                let referenced_here = |&(sigil, sym): &(Sigil, Symbol)| ws.index().ref_count(sigil, sym) > 0;
                if read_the_id_set
                    || !reads.ids.iter().chain(&reads.places).all(is_taken)
                    || !reads.referenced.iter().all(referenced_here)
                {
                    return None;
                }
                let positions = own_positions(&c.text, id, &diagnostics);
                Some((c.file, Diagnosed { diagnostics, positions, ..Diagnosed::default() }))
            })
            .collect::<Option<_>>()?;

        // Every other selected file's diagnostics, from the cache, unless
        // one of them points into a changed file.
        let entries: Vec<&Entry> = entry_of.iter().map(|&e| &loaded.entries[e]).collect();
        let is_changed = |i: usize| changed_files.binary_search(&i).is_ok();
        // Of those, the ones whose lines a kept rendering has and that
        // point into no changed file are replayed, not decoded.
        let rendering = self.kept_rendering();
        let changed_entries: FxHashSet<u32> = changed_files.iter().map(|&i| entry_of[i] as u32).collect();
        let replay: Vec<(usize, u32)> = match &rendering {
            Some(r) => (0..files.len())
                .filter(|&i| !is_changed(i) && (self.is_selected)(&files[i].path))
                .filter_map(|i| {
                    let entry = entry_of[i] as u32;
                    let lines = r.fragment(entry as usize)?;
                    (!lines.elsewhere.iter().any(|e| changed_entries.contains(e))).then_some((i, entry))
                })
                .collect(),
            None => Vec::new(),
        };
        let is_replayed = |i: usize| replay.binary_search_by_key(&i, |&(file, _)| file).is_ok();
        let mut results =
            self.cached_results(loaded, files, &entries, &|i| is_changed(i) || is_replayed(i), &|path| {
                changed_paths.contains(path)
            })?;
        let reused = results.iter().flatten().count() + replay.len();
        for (i, d) in fresh {
            results[i] = Some(d);
        }
        self.place_elsewhere(&ws, &mut results);
        let (diagnostics, positions, checked) = assemble(results);
        let checked = checked + replay.len();
        let replayed = rendering.filter(|_| !replay.is_empty()).map(|rendering| Replayed {
            rendering,
            files: replay,
            renumbered: None,
        });

        let stats = self.stats;
        stats.parsed.fetch_add(changed.len(), Ordering::Relaxed);
        stats.reused.fetch_add(reused, Ordering::Relaxed);
        stats.replayed.fetch_add(replayed.as_ref().map_or(0, |r| r.files.len()), Ordering::Relaxed);
        stats.diagnosed.fetch_add(checked - reused, Ordering::Relaxed);
        stats.definitions_seen.fetch_add(seen.into_inner(), Ordering::Relaxed);
        stats.definitions_taken.fetch_add(kept.into_inner(), Ordering::Relaxed);
        Some(CheckedWorkspace { files: Vec::new(), diagnostics, positions, checked, replayed, keep: None })
    }
}

/// The references of the changed files to ids defined under neither
/// sigil (every definition of a referenced id is in `ws`), once each.
fn undefined_references(ws: &Workspace, changed: &[Changed]) -> Vec<(Sigil, String)> {
    let index = ws.index();
    let mut undefined: Vec<(Sigil, String)> = changed
        .iter()
        .filter_map(|c| ws.file(FileId(c.file as u32)))
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
/// definition, those of the other files (`views`) and of the changed ones
/// (in `ws`). False when that cannot be shown (then the full run checks).
fn offer_suggestions(
    ws: &Workspace,
    views: &[Option<StoredSummaryView>],
    changed: &[Changed],
    undefined: &[(Sigil, String)],
) -> bool {
    let gathered = views
        .par_iter()
        .try_fold(
            || SuggestionWindows::new(undefined),
            |mut windows, view| {
                for def in view.iter().flat_map(|v| v.definitions()) {
                    let (sigil, id, _) = def?;
                    windows.offer(sigil, id);
                }
                Some(windows)
            },
        )
        .try_reduce(|| SuggestionWindows::new(undefined), |a, b| Some(a.merge(b)));
    let Some(mut windows) = gathered else { return false };
    for file in changed.iter().filter_map(|c| ws.file(FileId(c.file as u32))) {
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
