//! Where the definitions of a changed file moved, so that the cached
//! diagnostics of another file that point into it can follow them rather
//! than be computed again. Another file's diagnostics hold offsets into a
//! file only at its definitions: an `unknown-alias` fix adds an `aka` at
//! the end of the entity's definition (`range.end`: `check` keeps no
//! texts, so the fix's text does not depend on the file's bytes), and a
//! `duplicate-definition` points at the other definitions' ids
//! (`id_range`). When the change reaches that file no other way (see
//! `delta`), those offsets are all that went stale.

use rustc_hash::FxHashMap;

use crate::analysis::{Code, FileSummary};

use super::delta::defs_by_id;
use super::store::StoredFile;

/// Old offset → new offset, `None` where two definitions disagree.
type OffsetMap = FxHashMap<u32, Option<u32>>;

/// The moves of one changed file's definitions, each paired with the one
/// of the same id in the same place among that id's definitions there.
#[derive(Default)]
pub struct Moves {
    /// Where each definition ended (an `aka` fix's insertion point).
    ends: OffsetMap,
    /// Where each definition's id started and ended.
    ids: OffsetMap,
}

impl Moves {
    /// From the file's summary before and after the change. Ids defined a
    /// different number of times are left out (nothing to pair).
    pub fn of(old: &FileSummary, new: &FileSummary) -> Moves {
        let news = defs_by_id(new);
        let mut moves = Moves::default();
        let put = |map: &mut OffsetMap, from: u32, to: u32| {
            let slot = map.entry(from).or_insert(Some(to));
            if *slot != Some(to) {
                *slot = None;
            }
        };
        for (id, olds) in defs_by_id(old) {
            let Some(news) = news.get(&id).filter(|news| news.len() == olds.len()) else { continue };
            for (o, &n) in olds.into_iter().zip(news) {
                let (o, n) = (&old.defs[o], &new.defs[n]);
                put(&mut moves.ends, o.range.end, n.range.end);
                put(&mut moves.ids, o.id_range.start, n.id_range.start);
                put(&mut moves.ids, o.id_range.end, n.id_range.end);
            }
        }
        moves
    }
}

/// Moves the offsets of `stored`'s diagnostics into the changed files
/// (`moves`, by path relative to the root) with their definitions. False
/// when one cannot be moved: a kind of diagnostic that points elsewhere
/// than at a definition, or an offset at no definition paired (then the
/// file is checked again).
pub fn follow(stored: &mut StoredFile<'_>, moves: &FxHashMap<String, Moves>) -> bool {
    let moved = |map: &OffsetMap, at: &mut u32| match map.get(at) {
        Some(Some(to)) => {
            *at = *to;
            true
        }
        _ => false,
    };
    stored.diagnostics.iter_mut().all(|d| {
        let code = Code::ALL.get(d.code as usize).copied();
        let related_ok = d.related.iter_mut().all(|(path, start, end, _)| match moves.get(*path) {
            None => true,
            Some(m) => code == Some(Code::DuplicateDefinition) && moved(&m.ids, start) && moved(&m.ids, end),
        });
        let edits = d.fix.iter_mut().flat_map(|f| f.edits.iter_mut());
        let edits_ok = { edits }.all(|(path, start, end, _)| match moves.get(*path) {
            None => true,
            // An insertion: both ends at the definition's end.
            Some(m) => code == Some(Code::UnknownAlias) && start == end && moved(&m.ends, start) && moved(&m.ends, end),
        });
        related_ok && edits_ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Interner;
    use crate::syntax;

    fn summary(text: &str, interner: &Interner) -> FileSummary {
        FileSummary::new(&syntax::parse(text), text, interner)
    }

    /// An `aka` added to the first of three entities: the two after it
    /// move by its length, the first's end moves, its id stays.
    #[test]
    fn definitions_after_an_edit_move_by_its_length() {
        let interner = Interner::new();
        let before = "@a: person \"A\"\n  aka: Ay\n\n@b: person \"B\"\n\n@c: person \"C\"\n";
        let after = before.replacen("aka: Ay", "aka: Ay; Ayy", 1);
        let moves = Moves::of(&summary(before, &interner), &summary(&after, &interner));
        let end_of = |text: &str, block: &str| (text.find(block).unwrap() + block.len()) as u32;
        for block in ["@b: person \"B\"", "@c: person \"C\""] {
            assert_eq!(moves.ends.get(&end_of(before, block)), Some(&Some(end_of(&after, block))), "{block}");
            let id = before.find(block).unwrap() as u32;
            assert_eq!(moves.ids.get(&id), Some(&Some(id + 5)), "{block}");
        }
        assert_eq!(moves.ends.get(&end_of(before, "aka: Ay")), Some(&Some(end_of(&after, "aka: Ay; Ayy"))));
        assert_eq!(moves.ids.get(&0), Some(&Some(0)));
    }

    fn stored<'a>(
        code: Code,
        edit: Option<(&'a str, u32, u32)>,
        related: Option<(&'a str, u32, u32)>,
    ) -> StoredFile<'a> {
        let diagnostic = super::super::store::StoredDiagnostic {
            start: 0,
            end: 1,
            code: Code::ALL.iter().position(|c| *c == code).unwrap() as u8,
            severity: 2,
            message: "m",
            related: related.into_iter().map(|(p, s, e)| (p, s, e, "r")).collect(),
            suggestion: None,
            fix: edit.map(|(p, s, e)| super::super::store::StoredFix {
                title: "t",
                safe: false,
                edits: vec![(p, s, e, "\n  aka: X")],
            }),
        };
        StoredFile { diagnostics: vec![diagnostic], ..StoredFile::default() }
    }

    /// Only an `aka` fix at a definition's end, and a duplicate's related
    /// place at a definition's id, follow; anything else, or an offset at
    /// no definition, does not. Offsets into other files stay as they are.
    #[test]
    fn only_offsets_at_definitions_follow_them() {
        let mut ends = OffsetMap::default();
        ends.insert(10, Some(14));
        ends.insert(30, None);
        let mut ids = OffsetMap::default();
        ids.insert(16, Some(20));
        ids.insert(18, Some(22));
        let moves: FxHashMap<String, Moves> = [("reg.nmk".to_string(), Moves { ends, ids })].into_iter().collect();

        let mut fix = stored(Code::UnknownAlias, Some(("reg.nmk", 10, 10)), None);
        assert!(follow(&mut fix, &moves));
        assert_eq!(fix.diagnostics[0].fix.as_ref().unwrap().edits[0].1, 14);
        assert_eq!(fix.diagnostics[0].fix.as_ref().unwrap().edits[0].2, 14);
        let mut related = stored(Code::DuplicateDefinition, None, Some(("reg.nmk", 16, 18)));
        assert!(follow(&mut related, &moves));
        assert_eq!(related.diagnostics[0].related[0].1..related.diagnostics[0].related[0].2, 20..22);
        let mut elsewhere = stored(Code::UnknownAlias, Some(("other.nmk", 3, 3)), None);
        assert!(follow(&mut elsewhere, &moves));
        assert_eq!(elsewhere.diagnostics[0].fix.as_ref().unwrap().edits[0].1, 3);

        assert!(!follow(&mut stored(Code::UnknownAlias, Some(("reg.nmk", 11, 11)), None), &moves));
        assert!(!follow(&mut stored(Code::UnknownAlias, Some(("reg.nmk", 30, 30)), None), &moves));
        assert!(!follow(&mut stored(Code::UnknownAlias, Some(("reg.nmk", 10, 12)), None), &moves));
        assert!(!follow(&mut stored(Code::UnknownKey, Some(("reg.nmk", 10, 10)), None), &moves));
        assert!(!follow(&mut stored(Code::UnknownAlias, None, Some(("reg.nmk", 16, 18))), &moves));
    }
}
