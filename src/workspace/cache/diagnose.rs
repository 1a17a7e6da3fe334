//! Diagnosing one file of a workspace built without texts, and the
//! conversions between diagnostics and their stored form.

use std::path::Path;

use crate::analysis::deps::probe_bits;
use crate::analysis::diagnostics::{CheckOptions, file_diagnostics, file_diagnostics_of_text, unreadable_now};
use crate::analysis::{
    Applicability, Code, Diagnostic, FileId, Fix, FixEdit, NameProbe, Related, Severity, Workspace, word_keys,
};
use crate::syntax::{self, Parse};
use crate::text::{LineIndex, PositionEncoding, TextRange};
use crate::workspace::read_text;

use super::store::{StoredDiagnostic, StoredFix};

/// A file's diagnostics and what the cache keeps with them.
#[derive(Default)]
pub struct Diagnosed {
    pub diagnostics: Vec<Diagnostic>,
    pub words: Words,
    pub positions: Positions,
    /// The positions of the diagnostics' offsets into other files (fix
    /// edits, related places), per file; filled in by the caller, which
    /// reads each of those files once for all the files it diagnoses.
    pub elsewhere: Vec<(FileId, Positions)>,
    /// Taken from the file's cache entry, which can then be written back
    /// as it is (`words` is left empty: the entry keeps it).
    pub from_cache: bool,
    /// Its report lines are those the kept rendering has for this entry
    /// of the cache file read (its diagnostics were not decoded: empty).
    pub replay: Option<u32>,
}

/// Line and column (1-based, in Unicode scalar values) of every offset
/// the diagnostics of a file point at in one file, sorted by offset: a
/// report in a format without source lines needs nothing else from it.
pub type Positions = Vec<(u32, u32, u32)>;

/// Parses a file again (the workspace keeps summaries, not trees), in the
/// text `kept` since its summary was made or else read again, and computes
/// its diagnostics, with a filter of its prose
/// words (see [`Words`], only when `words` is asked for: the cache keeps
/// it) and the positions of the diagnostics.
pub fn diagnose_file(ws: &Workspace, id: FileId, words: bool, kept: Option<String>) -> Diagnosed {
    let Some(file) = ws.file(id) else { return Diagnosed::default() };
    if file.read_error.is_some() {
        let diagnostics = file_diagnostics(ws, id, &Parse::default(), CheckOptions::default());
        return Diagnosed { diagnostics, ..Diagnosed::default() };
    }
    match kept.map_or_else(|| read_text(&file.path), Ok) {
        Ok(text) => {
            let parse = syntax::parse(&text);
            let diagnostics = file_diagnostics_of_text(ws, id, &text, &parse, CheckOptions::default());
            let words = if words { Words::of_parse(&text, &parse) } else { Words::default() };
            let positions = own_positions(&text, id, &diagnostics);
            Diagnosed { diagnostics, words, positions, ..Diagnosed::default() }
        }
        // Read a moment ago, unreadable now (deleted or replaced while the
        // check ran): say so rather than check it against an empty text.
        Err(e) => {
            let diagnostics = unreadable_now(ws, id, e.to_string(), CheckOptions::default());
            Diagnosed { diagnostics, ..Diagnosed::default() }
        }
    }
}

/// Every place the diagnostics point at, as (file, offset): their ranges,
/// related places and fix edits.
pub fn offsets(diagnostics: &[Diagnostic]) -> impl Iterator<Item = (FileId, u32)> + '_ {
    diagnostics.iter().flat_map(|d| {
        let ranges = std::iter::once((d.file, d.range))
            .chain(d.related.iter().map(|r| (r.file, r.range)))
            .chain(d.fix.iter().flat_map(|f| f.edits.iter().map(|e| (e.file, e.range))));
        ranges.flat_map(|(file, range)| [(file, range.start), (file, range.end)])
    })
}

/// The positions in `text`, the text of `file`, of the offsets into it of
/// `diagnostics`.
pub fn own_positions(text: &str, file: FileId, diagnostics: &[Diagnostic]) -> Positions {
    positions_of(text, offsets(diagnostics).filter(|&(f, _)| f == file).map(|(_, o)| o).collect())
}

/// The positions of `offsets` in `text`.
pub fn positions_of(text: &str, mut offsets: Vec<u32>) -> Positions {
    offsets.sort_unstable();
    offsets.dedup();
    if offsets.is_empty() {
        return Vec::new();
    }
    let index = LineIndex::new(text);
    offsets
        .into_iter()
        .map(|o| {
            let lc = index.line_col(text, o, PositionEncoding::Utf32);
            (o, lc.line + 1, lc.col + 1)
        })
        .collect()
}

/// A Bloom filter (four bits per word) of the words of a file's prose: a
/// changed name may be found in the file only if its words may be in the
/// filter. Kept as bytes (bit `b` is bit `b % 8` of byte `b / 8`), as the
/// cache stores it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Words(pub Vec<u8>);

impl Words {
    pub fn of(text: &str) -> Words {
        let mut keys = Vec::new();
        word_keys(text, &mut |k| keys.push(k));
        keys.sort_unstable();
        keys.dedup();
        if keys.is_empty() {
            return Words::default();
        }
        // Ten to twenty bits per distinct word: well under 1 % false
        // positives, were words independent (see `probe_bits`).
        let bits = (keys.len() * 10).next_power_of_two().max(64);
        let mut filter = vec![0u8; bits / 8];
        for k in keys {
            for bit in probe_bits(k, bits) {
                filter[bit / 8] |= 1 << (bit % 8);
            }
        }
        Words(filter)
    }

    /// The filter of the prose of a parsed text (empty without prose).
    pub fn of_parse(text: &str, parse: &Parse) -> Words {
        match parse.doc.paragraphs.is_empty() {
            true => Words::default(),
            false => Words::of(&syntax::plain_text(text, parse).text),
        }
    }

    pub fn may_contain(&self, key: u64) -> bool {
        Words::filter_may_contain(&self.0, key)
    }

    /// Whether a filter as the cache keeps it may hold a name of `probes`.
    pub fn filter_may_hold<'p>(filter: &[u8], probes: impl IntoIterator<Item = &'p NameProbe>) -> bool {
        probes.into_iter().any(|p| p.may_match(|k| Words::filter_may_contain(filter, k)))
    }

    /// [`may_contain`](Self::may_contain) on a filter as the cache keeps it.
    pub fn filter_may_contain(filter: &[u8], key: u64) -> bool {
        let bits = filter.len() * 8;
        bits > 0 && probe_bits(key, bits).iter().all(|&b| filter.get(b / 8).is_some_and(|w| w & (1 << (b % 8)) != 0))
    }
}

/// `d` as the cache stores it, borrowing its strings; `rel_paths` holds
/// the path relative to the root of each file of the workspace, by id.
pub fn store_diagnostic<'a>(rel_paths: &'a [String], d: &'a Diagnostic) -> StoredDiagnostic<'a> {
    let path = |id: FileId| rel_paths.get(id.0 as usize).map_or("", String::as_str);
    StoredDiagnostic {
        start: d.range.start,
        end: d.range.end,
        code: Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0) as u8,
        severity: d.severity as u8,
        message: &d.message,
        related: d.related.iter().map(|r| (path(r.file), r.range.start, r.range.end, r.message.as_str())).collect(),
        suggestion: d.suggestion.as_deref(),
        fix: d.fix.as_ref().map(|f| StoredFix {
            title: &f.title,
            safe: f.applicability == Applicability::Safe,
            edits: f.edits.iter().map(|e| (path(e.file), e.range.start, e.range.end, e.new_text.as_str())).collect(),
        }),
    }
}

/// The diagnostic back for `file`, related places found with `file_of`
/// (a path relative to the root); `None` when it points at a file that is
/// gone, or is malformed.
pub fn load_diagnostic(
    file: FileId,
    s: &StoredDiagnostic,
    file_of: &dyn Fn(&str) -> Option<FileId>,
) -> Option<Diagnostic> {
    const SEVERITIES: [Severity; 4] = [Severity::Error, Severity::Warning, Severity::Info, Severity::Hint];
    let range = |a: u32, b: u32| (a <= b).then(|| TextRange::new(a, b));
    let mut related = Vec::with_capacity(s.related.len());
    for &(path, start, end, message) in &s.related {
        let id = file_of(path)?;
        related.push(Related { file: id, range: range(start, end)?, message: message.to_owned() });
    }
    let fix = match &s.fix {
        Some(f) => {
            let mut edits = Vec::with_capacity(f.edits.len());
            for &(path, start, end, new_text) in &f.edits {
                edits.push(FixEdit { file: file_of(path)?, range: range(start, end)?, new_text: new_text.to_owned() });
            }
            let applicability = if f.safe { Applicability::Safe } else { Applicability::Unsafe };
            Some(Fix { title: f.title.to_owned(), applicability, edits })
        }
        None => None,
    };
    Some(Diagnostic {
        file,
        range: range(s.start, s.end)?,
        code: *Code::ALL.get(s.code as usize)?,
        severity: *SEVERITIES.get(s.severity as usize)?,
        message: s.message.to_owned(),
        related,
        suggestion: s.suggestion.map(str::to_owned),
        fix,
    })
}

/// `path` relative to `root`, `/`-separated.
pub fn rel_path(root: &Path, path: &Path) -> String {
    super::super::load::display_path(path, root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(word: &str) -> u64 {
        let mut k = 0;
        word_keys(word, &mut |w| k = w);
        k
    }

    #[test]
    fn the_word_filter_holds_every_word_of_the_text_whatever_its_case() {
        let text = "The minister met Mr. Xi Jinping and Ada’s team in Zürich; US talks resume.";
        let words = Words::of(text);
        for w in ["the", "MINISTER", "mr", "xi", "jinping", "ada", "s", "zürich", "us", "Resume"] {
            assert!(words.may_contain(key(w)), "{w}");
        }
        // Absent words are mostly absent (a Bloom filter may err the other way only).
        let absent = (0..200).filter(|i| words.may_contain(key(&format!("absent{i}")))).count();
        assert!(absent < 20, "{absent} false positives out of 200");
        assert!(!Words::default().may_contain(key("the")));
    }

    /// A word absent from texts that share their common words is seldom a
    /// false positive, and none much more often than the others: 0.35 %
    /// on average here, the worst 5.7 %. (With two probes, 1.5 % and a
    /// fifth.)
    #[test]
    fn no_absent_word_is_a_false_positive_much_more_often_than_the_others() {
        let syllables = ["ka", "lo", "mi", "ren", "sta", "vor", "ul", "pe", "dra", "ni", "tho", "gan"];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let word = |next: &mut dyn FnMut(usize) -> usize| -> String {
            (0..2 + next(3)).map(|_| syllables[next(syllables.len())]).collect()
        };
        let texts: Vec<Words> = (0..300)
            .map(|_| {
                let text: Vec<String> = (0..150).map(|_| word(&mut next)).collect();
                Words::of(&text.join(" "))
            })
            .collect();
        // Absent words: each holds a letter no text has.
        let absent: Vec<String> =
            (0..1000).map(|i| format!("{}q{}", word(&mut next), ["x", "z", "j"][i % 3])).collect();
        let rates: Vec<f64> = absent
            .iter()
            .map(|w| texts.iter().filter(|t| t.may_contain(key(w))).count() as f64 / texts.len() as f64)
            .collect();
        let worst = rates.iter().cloned().fold(0.0, f64::max);
        let mean = rates.iter().sum::<f64>() / rates.len() as f64;
        assert!(mean < 0.01, "mean false positive rate {mean}");
        assert!(worst < 0.1, "worst false positive rate {worst}");
    }

    /// Name matching removes `.`, so the names `U`, `US` and `USA` may all
    /// occur in `U.S.A.`: the filter holds the key of each.
    #[test]
    fn the_word_filter_holds_words_joined_across_dots() {
        let words = Words::of("Talks in the U.S.A. resumed.");
        for w in ["u", "us", "usa", "talks", "resumed"] {
            assert!(words.may_contain(key(w)), "{w}");
        }
    }
}
