//! Applying fixes (spec §14) to texts, shared by `check --fix` and the
//! editor's `source.fixAll`: which fixes of a round go together (the
//! earlier first; one that overlaps an accepted fix waits for the next
//! round), and the text a file's edits give.

use rustc_hash::FxHashMap;

use super::{Applicability, Diagnostic, FileId, Fix, FixEdit};
use crate::text::TextRange;

/// The fixes of `diagnostics` at most as unsafe as `allowed` that can be
/// applied together: taken in order of their diagnostics (file, then
/// position), each kept unless one of its edits touches an edit of a fix
/// kept before it. `may_edit` says which files a fix may change.
pub fn compatible_fixes<'a>(
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    allowed: Applicability,
    may_edit: &dyn Fn(FileId) -> bool,
) -> Vec<&'a Fix> {
    let mut fixes: Vec<(&Diagnostic, &Fix)> = diagnostics
        .into_iter()
        .filter_map(|d| Some((d, d.fix.as_ref()?)))
        .filter(|(_, f)| f.applicability <= allowed && !f.edits.is_empty() && f.edits.iter().all(|e| may_edit(e.file)))
        .collect();
    fixes.sort_by_key(|(d, _)| (d.file, d.range.start, d.range.end, d.code));
    let mut taken: FxHashMap<FileId, Vec<TextRange>> = FxHashMap::default();
    let mut out = Vec::new();
    for (_, fix) in fixes {
        let clashes = fix.edits.iter().any(|e| {
            taken.get(&e.file).is_some_and(|ranges| ranges.iter().any(|&r| touches(r, e.range)))
                || fix.edits.iter().any(|o| !std::ptr::eq(o, e) && o.file == e.file && touches(o.range, e.range))
        });
        if clashes {
            continue;
        }
        for e in &fix.edits {
            taken.entry(e.file).or_default().push(e.range);
        }
        out.push(fix);
    }
    out
}

/// Whether two edits cannot both be applied in one pass: their ranges
/// overlap, or one is an insertion at a point of the other (which would
/// leave the order of the two texts to chance).
fn touches(a: TextRange, b: TextRange) -> bool {
    if a.is_empty() || b.is_empty() {
        return a.start <= b.end && b.start <= a.end;
    }
    a.start < b.end && b.start < a.end
}

/// The edits of `fixes` grouped by file, each group sorted by position.
pub fn edits_by_file<'a>(fixes: &[&'a Fix]) -> FxHashMap<FileId, Vec<&'a FixEdit>> {
    let mut by_file: FxHashMap<FileId, Vec<&FixEdit>> = FxHashMap::default();
    for e in fixes.iter().flat_map(|f| &f.edits) {
        by_file.entry(e.file).or_default().push(e);
    }
    for edits in by_file.values_mut() {
        edits.sort_by_key(|e| (e.range.start, e.range.end));
    }
    by_file
}

/// `text` with `edits` (sorted, not overlapping) applied, or `None` when
/// one of them does not fit the text (out of bounds, inside a character,
/// or overlapping another).
pub fn apply_edits(text: &str, edits: &[&FixEdit]) -> Option<String> {
    let mut out = String::with_capacity(text.len() + edits.iter().map(|e| e.new_text.len()).sum::<usize>());
    let mut at = 0usize;
    for e in edits {
        let (start, end) = (e.range.start as usize, e.range.end as usize);
        if start < at || end < start || !text.is_char_boundary(start) || !text.is_char_boundary(end) || end > text.len()
        {
            return None;
        }
        out.push_str(&text[at..start]);
        out.push_str(&e.new_text);
        at = end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Code;

    fn diag(start: u32, end: u32, applicability: Applicability, new_text: &str) -> Diagnostic {
        let range = TextRange::new(start, end);
        let edit = FixEdit { file: FileId(0), range, new_text: new_text.to_string() };
        Diagnostic {
            file: FileId(0),
            range,
            code: Code::UnknownKey,
            severity: crate::analysis::Severity::Warning,
            message: String::new(),
            related: Vec::new(),
            suggestion: None,
            fix: Some(Fix { title: String::new(), applicability, edits: vec![edit] }),
        }
    }

    #[test]
    fn overlapping_fixes_wait_and_unsafe_ones_need_leave() {
        let diags = [
            diag(4, 8, Applicability::Safe, "B"),
            diag(0, 2, Applicability::Safe, "A"),
            diag(6, 10, Applicability::Safe, "C"),
            diag(12, 14, Applicability::Unsafe, "D"),
            diag(8, 8, Applicability::Safe, "E"),
        ];
        let safe = compatible_fixes(&diags, Applicability::Safe, &|_| true);
        let texts: Vec<&str> = safe.iter().map(|f| f.edits[0].new_text.as_str()).collect();
        assert_eq!(texts, ["A", "B"]);
        let all = compatible_fixes(&diags, Applicability::Unsafe, &|_| true);
        assert_eq!(all.len(), 3);
        assert!(compatible_fixes(&diags, Applicability::Safe, &|_| false).is_empty());
        let by_file = edits_by_file(&all);
        assert_eq!(apply_edits("0123456789abcdef", &by_file[&FileId(0)]).as_deref(), Some("A23B89abDef"));
    }

    #[test]
    fn edits_that_do_not_fit_are_refused() {
        let e = |s, e| FixEdit { file: FileId(0), range: TextRange::new(s, e), new_text: "x".into() };
        assert_eq!(apply_edits("é", &[&e(1, 2)]), None);
        assert_eq!(apply_edits("ab", &[&e(1, 3)]), None);
        assert_eq!(apply_edits("abcd", &[&e(2, 3), &e(1, 2)]), None);
        assert_eq!(apply_edits("abcd", &[&e(1, 2), &e(2, 3)]).as_deref(), Some("axxd"));
    }
}
