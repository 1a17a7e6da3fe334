//! What a set of changed files can change in the diagnostics of the files
//! that did not change, so their cached diagnostics are kept only when no
//! change can reach them. From the old and new summary of each changed
//! (added, edited, removed) file:
//!
//! * `defs`: ids whose definitions changed (added, removed, or with other
//!   contents): files defining them too (`duplicate-definition`) are
//!   checked again, and files referencing them (`undefined-reference`,
//!   `unknown-alias`, `source-after-publication`) unless only the `aka`
//!   of an entity changed (`referenced_reach`: see the last point);
//! * `moved`: ids whose definitions moved: files defining them too (the
//!   related places of `duplicate-definition`);
//! * `counted`: ids whose reference count changed: files other than
//!   registries defining them (`unused-definition`);
//! * `id_set`: whether some id was defined or undefined: files with an
//!   `undefined-reference` or `invalid-value` ("did you mean" and "exists
//!   as a source" read the whole set of ids);
//! * `words`: the names of entities in `defs`, as the keys of their first
//!   and later plain words (`NameProbe`): files whose prose may hold one
//!   of them (`untagged-mention`). When an entity keeps its kind and
//!   display name (an `aka` added, removed or changed), only
//!   the names it gained or lost: a mention of a name it kept is reported
//!   as before (same holders, same display name in the message, same
//!   ranking by place). Otherwise every name, old and new, and those of
//!   its other definitions. A registry edit that changes one `aka` thus
//!   re-checks the few articles that use that entity or may mention the
//!   changed name, not the whole tree (an entity called "The …" used to
//!   reach every article).
//! * An entity whose definitions changed only in their `aka` lines, with
//!   names before and after, changes nothing in a file that references it
//!   but its `unknown-alias` for a tag written as a name it gained or lost
//!   (that name is in `words`: the tag's text is prose) and the fixes
//!   that edit its definition (which point into the changed file, and are
//!   computed again for that). Its referencing files are not reached
//!   otherwise: after an `aka` added to a popular entity, a fifth of the
//!   large corpus's articles were checked again.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::analysis::{Code, DefParts, FileSummary, NameProbe, Symbol, Workspace, name_probe, name_probes};
use crate::syntax::Sigil;

use super::diagnose::Words;

type Id = (Sigil, Symbol);

#[derive(Default)]
pub struct Delta {
    defs: FxHashSet<Id>,
    moved: FxHashSet<Id>,
    counted: FxHashSet<Id>,
    id_set: bool,
    words: FxHashSet<NameProbe>,
    /// Entities in `defs` whose kind or display name changed, or which
    /// were defined or undefined, in some file: every name counts.
    face_changed: FxHashSet<Id>,
    /// Ids in `defs` whose change reaches the files referencing them: all
    /// but the entities whose `aka` lines alone changed.
    referenced_reach: FxHashSet<Id>,
}

impl Delta {
    /// Adds a file's change: `old` as cached (`None` when new), `new` as it
    /// is now (`None` when removed).
    pub fn add(&mut self, old: Option<&FileSummary>, new: Option<&FileSummary>) {
        let empty = FileSummary::default();
        let (old, new) = (old.unwrap_or(&empty), new.unwrap_or(&empty));
        let (old_defs, new_defs) = (defs_by_id(old), defs_by_id(new));
        for (id, olds) in &old_defs {
            match new_defs.get(id) {
                None => {
                    self.id_set = true;
                    self.defs.insert(*id);
                    self.referenced_reach.insert(*id);
                }
                Some(news) => {
                    // The definitions of the id here, before and after, in
                    // order (compared only when as many).
                    let paired = olds.len() == news.len();
                    let pairs = || olds.iter().zip(news).map(|(&a, &b)| (&old.defs[a], &new.defs[b]));
                    if !(paired && pairs().all(|(a, b)| a.same_content(b))) {
                        self.defs.insert(*id);
                        let names_only =
                            id.0 == Sigil::Entity && paired && pairs().all(|(a, b)| only_names_differ(a, b));
                        if !names_only {
                            self.referenced_reach.insert(*id);
                        }
                    }
                    if !paired || pairs().any(|(a, b)| a.id_range != b.id_range) {
                        self.moved.insert(*id);
                    }
                }
            }
        }
        for id in new_defs.keys() {
            if !old_defs.contains_key(id) {
                self.id_set = true;
                self.defs.insert(*id);
                self.referenced_reach.insert(*id);
            }
        }
        // Each changed entity's definitions here, before and after.
        let mut faces: FxHashMap<Id, (Vec<DefParts<'_>>, Vec<DefParts<'_>>)> = FxHashMap::default();
        for d in old.defs.iter().filter(|d| d.sigil == Sigil::Entity && self.defs.contains(&(d.sigil, d.id))) {
            faces.entry((d.sigil, d.id)).or_default().0.push(d.parts());
        }
        for d in new.defs.iter().filter(|d| d.sigil == Sigil::Entity && self.defs.contains(&(d.sigil, d.id))) {
            faces.entry((d.sigil, d.id)).or_default().1.push(d.parts());
        }
        for (id, (olds, news)) in faces {
            let same_face = !olds.is_empty()
                && olds.len() == news.len()
                && olds.iter().zip(&news).all(|(a, b)| a.kind() == b.kind() && a.name() == b.name());
            if same_face {
                let before: FxHashSet<&str> = olds.iter().flat_map(|p| p.names()).collect();
                let after: FxHashSet<&str> = news.iter().flat_map(|p| p.names()).collect();
                self.words.extend(before.symmetric_difference(&after).filter_map(|n| name_probe(n)));
            } else {
                self.face_changed.insert(id);
                for parts in olds.into_iter().chain(news) {
                    name_probes(parts, &mut |p| {
                        self.words.insert(p);
                    });
                }
            }
        }
        let mut counts: FxHashMap<Id, i64> = FxHashMap::default();
        for r in &old.refs {
            *counts.entry((r.sigil, r.id)).or_default() -= 1;
        }
        for r in &new.refs {
            *counts.entry((r.sigil, r.id)).or_default() += 1;
        }
        self.counted.extend(counts.into_iter().filter(|(_, n)| *n != 0).map(|(id, _)| id));
    }

    /// Adds the names of the other definitions of every changed entity
    /// (the message of `untagged-mention` shows the display name of the
    /// first one). Call once, after every `add`.
    pub fn finish(&mut self, ws: &Workspace) {
        for &(sigil, id) in &self.defs {
            if sigil != Sigil::Entity || !self.face_changed.contains(&(sigil, id)) {
                continue;
            }
            for &loc in ws.index().definitions(sigil, id) {
                if let Some(def) = ws.def(loc) {
                    name_probes(def.parts(), &mut |p| {
                        self.words.insert(p);
                    });
                }
            }
        }
    }

    /// Whether a narrowed run can take the change (see `narrowed`): no id
    /// was defined or undefined, and every definition that changed content
    /// is a source's or an entity's whose `aka` lines alone changed. Other
    /// files are then reached only through [`mentioned`](Self::mentioned),
    /// [`defined`](Self::defined), [`counted`](Self::counted) and
    /// [`probes`](Self::probes).
    pub fn narrowable(&self) -> bool {
        !self.id_set
            && self.defs.iter().all(|id| {
                id.0 == Sigil::Source || (!self.referenced_reach.contains(id) && !self.face_changed.contains(id))
            })
    }

    /// Ids whose change reaches every file that references them.
    pub fn mentioned(&self) -> impl Iterator<Item = Id> + '_ {
        self.referenced_reach.iter().copied()
    }

    /// Ids whose definitions changed or moved: they reach every other file
    /// that defines them.
    pub fn defined(&self) -> impl Iterator<Item = Id> + '_ {
        self.defs.union(&self.moved).copied()
    }

    /// The names whose mentions the change reaches (see the module's
    /// `words`).
    pub fn probes(&self) -> impl Iterator<Item = &NameProbe> + '_ {
        self.words.iter()
    }

    /// Ids whose reference count changed.
    pub fn counted(&self) -> impl Iterator<Item = Id> + '_ {
        self.counted.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.defs.is_empty() && self.moved.is_empty() && self.counted.is_empty() && !self.id_set
    }

    /// Whether the cached diagnostics of an unchanged file may be out of
    /// date: `codes` are the codes among them, `words` gives its prose
    /// word filter (asked only when a name changed; `None`: unknown).
    pub fn reaches<'w>(
        &self,
        summary: &FileSummary,
        words: impl FnOnce() -> Option<&'w [u8]>,
        codes: impl Iterator<Item = Code>,
    ) -> bool {
        if self.is_empty() {
            return false;
        }
        if summary.refs.iter().any(|r| self.referenced_reach.contains(&(r.sigil, r.id))) {
            return true;
        }
        let defined = |set: &FxHashSet<Id>| summary.defs.iter().any(|d| set.contains(&(d.sigil, d.id)));
        // `unused-definition` is only reported outside registry files.
        if defined(&self.defs) || defined(&self.moved) || (!summary.is_registry && defined(&self.counted)) {
            return true;
        }
        if self.id_set && { codes }.any(|c| matches!(c, Code::UndefinedReference | Code::InvalidValue)) {
            return true;
        }
        if self.words.is_empty() {
            return false;
        }
        let Some(words) = words() else { return true };
        Words::filter_may_hold(words, &self.words)
    }
}

/// The positions of a file's definitions, by id, in order: the definitions
/// of an id before and after a change are paired in that order.
pub fn defs_by_id(summary: &FileSummary) -> FxHashMap<Id, Vec<usize>> {
    let mut by_id: FxHashMap<Id, Vec<usize>> = FxHashMap::default();
    for (i, d) in summary.defs.iter().enumerate() {
        by_id.entry((d.sigil, d.id)).or_default().push(i);
    }
    by_id
}

/// Whether two definitions of the same entity differ only in their `aka`
/// lines, and both have names: same kind, same display name, the same
/// other attributes in the same order.
fn only_names_differ(old: &crate::analysis::DefInfo, new: &crate::analysis::DefInfo) -> bool {
    let not_aka = |(key, _): &(&str, &str)| *key != "aka";
    old.kind() == new.kind()
        && old.name() == new.name()
        && old.names().next().is_some()
        && new.names().next().is_some()
        && old.attrs().filter(not_aka).eq(new.attrs().filter(not_aka))
}
