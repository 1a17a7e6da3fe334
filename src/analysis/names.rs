//! The name index behind `untagged-mention`: every display name and `aka` of
//! every entity, normalized (§7) and hashed, looked up at each word start of
//! prose. Building it for a million entities is a hash insert per name; a
//! lookup costs a few hashes per word (no automaton to build).

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use super::FileId;
use super::summary::{FileSummary, Symbol};
use super::values::{NormalizedName, normalize_name};
use crate::syntax::Sigil;

/// Names longer than this many words are not looked for in prose.
const MAX_NAME_WORDS: usize = 12;

/// A name found in text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NameMatch {
    /// Byte range in the scanned text.
    pub start: usize,
    pub end: usize,
    /// The entity whose name it is (the first indexed, when several share
    /// it).
    pub entity: Symbol,
}

/// A name's lowercased first word and its word count (see `first_words`).
type FirstWord = Option<(Box<str>, u8)>;

struct NameEntry {
    name: NormalizedName,
    file: FileId,
    entity: Symbol,
}

/// All entity names of a workspace.
#[derive(Default)]
pub struct NameIndex {
    /// Keyed by [`NormalizedName::key`]; a bucket is filtered with
    /// [`NormalizedName::matches`] (the short-name case rule).
    by_key: FxHashMap<Box<str>, SmallVec<[NameEntry; 1]>>,
    /// Lowercased first word of every name → the most words a name starting
    /// with it has. Only a filter: entries are never removed, so a stale one
    /// costs a lookup, never a wrong match.
    first_words: FxHashMap<Box<str>, u8>,
}

impl NameIndex {
    /// Builds the index for many files at once, normalizing in parallel.
    pub fn build<'a>(files: impl Iterator<Item = (FileId, &'a FileSummary)>) -> NameIndex {
        use rayon::prelude::*;
        let files: Vec<(FileId, &FileSummary)> = files.collect();
        let entries: Vec<Vec<(NameEntry, FirstWord)>> =
            files.par_iter().map(|(id, summary)| file_entries(*id, summary).collect()).collect();
        let mut index = NameIndex::default();
        for (entry, first) in entries.into_iter().flatten() {
            index.insert(entry, first);
        }
        index
    }

    pub fn add_file(&mut self, file: FileId, summary: &FileSummary) {
        for (entry, first) in file_entries(file, summary) {
            self.insert(entry, first);
        }
    }

    pub fn remove_file(&mut self, file: FileId, summary: &FileSummary) {
        for def in summary.defs.iter().filter(|d| d.sigil == Sigil::Entity) {
            for name in def.names() {
                let key = normalize_name(name).key;
                if let Some(bucket) = self.by_key.get_mut(key.as_str()) {
                    bucket.retain(|e| e.file != file);
                    if bucket.is_empty() {
                        self.by_key.remove(key.as_str());
                    }
                }
            }
        }
    }

    fn insert(&mut self, entry: NameEntry, first: Option<(Box<str>, u8)>) {
        if let Some((word, count)) = first {
            let max = self.first_words.entry(word).or_insert(0);
            *max = (*max).max(count);
        }
        let bucket = self.by_key.entry(entry.name.key.as_str().into()).or_default();
        if !bucket.iter().any(|e| e.entity == entry.entity && e.name == entry.name && e.file == entry.file) {
            bucket.push(entry);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// The entity a normalized name belongs to, if any.
    pub fn lookup(&self, name: &NormalizedName) -> Option<Symbol> {
        self.by_key.get(name.key.as_str())?.iter().find(|e| e.name.matches(name)).map(|e| e.entity)
    }

    /// Finds names in `text[from..to]` on word boundaries of the whole
    /// `text`; overlapping matches keep the earliest, then the longest.
    pub fn find(&self, text: &str, from: usize, to: usize, found: &mut dyn FnMut(NameMatch)) {
        if self.by_key.is_empty() {
            return;
        }
        let to = to.min(text.len());
        let mut pos = from;
        let mut lower = String::new();
        while pos < to {
            let Some(start) = next_word_start(text, pos, to) else { break };
            let first_end = word_end(text, start);
            lower.clear();
            lower.extend(text[start..first_end].chars().flat_map(char::to_lowercase));
            let Some(&max_words) = self.first_words.get(lower.as_str()) else {
                pos = first_end;
                continue;
            };
            let mut best = None;
            let mut end = first_end;
            for words in 1..=usize::from(max_words).min(MAX_NAME_WORDS) {
                if words > 1 {
                    let Some(next) = next_word_start(text, end, to) else { break };
                    if is_possessive_s(text, end, next) {
                        break;
                    }
                    end = word_end(text, next);
                }
                if end > to {
                    break;
                }
                if let Some(entity) = self.lookup(&normalize_name(&text[start..end])) {
                    best = Some(NameMatch { start, end, entity });
                }
            }
            match best {
                Some(m) => {
                    found(m);
                    pos = m.end;
                }
                None => pos = first_end,
            }
        }
    }
}

fn file_entries(file: FileId, summary: &FileSummary) -> impl Iterator<Item = (NameEntry, Option<(Box<str>, u8)>)> + '_ {
    summary.defs.iter().filter(|d| d.sigil == Sigil::Entity).flat_map(move |def| {
        def.names().filter_map(move |name| {
            let normalized = normalize_name(name);
            if normalized.key.is_empty() {
                return None;
            }
            let first = first_word(name).map(|w| {
                let words = word_count(name).min(usize::from(u8::MAX)) as u8;
                (w.chars().flat_map(char::to_lowercase).collect::<String>().into_boxed_str(), words)
            });
            Some((NameEntry { name: normalized, file, entity: def.id }, first))
        })
    })
}

/// Word characters (§9): Unicode letters, marks and numbers.
pub(crate) fn is_word_char(c: char) -> bool {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    matches!(
        get_general_category(c),
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
            | G::NonspacingMark
            | G::SpacingMark
            | G::EnclosingMark
            | G::DecimalNumber
            | G::LetterNumber
            | G::OtherNumber
    )
}

/// The start of the next word at or after `pos` (and before `to`) that is a
/// word start in the whole text.
fn next_word_start(text: &str, pos: usize, to: usize) -> Option<usize> {
    let mut prev_is_word = text.get(..pos)?.chars().next_back().is_some_and(is_word_char);
    for (i, c) in text.get(pos..to)?.char_indices() {
        let w = is_word_char(c);
        if w && !prev_is_word {
            return Some(pos + i);
        }
        prev_is_word = w;
    }
    None
}

fn word_end(text: &str, start: usize) -> usize {
    let rest = text.get(start..).unwrap_or("");
    start + rest.char_indices().find(|&(_, c)| !is_word_char(c)).map_or(rest.len(), |(i, _)| i)
}

/// The word at `next` is an `s` right after an apostrophe: extending a name
/// over it adds nothing, since normalization drops a trailing `'s`.
fn is_possessive_s(text: &str, end: usize, next: usize) -> bool {
    let gap = text.get(end..next).unwrap_or("");
    (gap == "'" || gap == "’") && matches!(text.get(next..word_end(text, next)), Some("s" | "S"))
}

fn first_word(name: &str) -> Option<&str> {
    let start = next_word_start(name, 0, name.len())?;
    Some(&name[start..word_end(name, start)])
}

fn word_count(name: &str) -> usize {
    let mut count = 0;
    let mut pos = 0;
    while let Some(start) = next_word_start(name, pos, name.len()) {
        count += 1;
        pos = word_end(name, start);
    }
    count
}
