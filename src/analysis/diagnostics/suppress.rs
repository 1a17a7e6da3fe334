//! Suppression comments (spec §13): `<!-- newsmark-disable-line CODE… -->`
//! and its siblings silence the diagnostics whose range starts where they
//! apply; a suppression that silenced nothing, or names a code that does not
//! exist, is `unused-suppression`, with a safe fix that removes it.

use super::{Context, Sink};
use crate::analysis::{Applicability, Code, Diagnostic, Fix, FixEdit};
use crate::text::{LineIndex, TextRange};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Directive {
    DisableLine,
    DisableNextLine,
    Disable,
    Enable,
    DisableFile,
}

impl Directive {
    /// Longest first, so that `newsmark-disable` does not take the others.
    const ALL: [(&'static str, Directive); 5] = [
        ("newsmark-disable-next-line", Directive::DisableNextLine),
        ("newsmark-disable-line", Directive::DisableLine),
        ("newsmark-disable-file", Directive::DisableFile),
        ("newsmark-disable", Directive::Disable),
        ("newsmark-enable", Directive::Enable),
    ];

    pub fn as_str(self) -> &'static str {
        Directive::ALL.iter().find(|(_, d)| *d == self).map_or("", |(s, _)| s)
    }
}

/// One suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub directive: Directive,
    /// The whole comment, `<!--` to `-->`.
    pub comment: TextRange,
    /// Just after the directive word: where the code list starts.
    pub codes_start: u32,
    /// Just before `-->`.
    pub codes_end: u32,
    /// The codes as written, with their ranges; empty means every code.
    pub codes: Vec<(String, TextRange)>,
}

impl Suppression {
    fn names(&self, code: Code) -> bool {
        self.codes.is_empty() || self.codes.iter().any(|(c, _)| c == code.as_str())
    }
}

/// The suppression comments of a file, in text order. `comments` are the
/// comment ranges of its parse; an unterminated comment is no suppression.
pub fn suppressions(text: &str, comments: &[TextRange]) -> Vec<Suppression> {
    let mut out = Vec::new();
    for &comment in comments {
        let raw = comment.slice(text);
        let Some(body) = raw.strip_prefix("<!--").and_then(|b| b.strip_suffix("-->")) else { continue };
        let body_start = comment.start as usize + 4;
        let trimmed = body.trim_start();
        let Some(&(word, directive)) = Directive::ALL.iter().find(|(w, _)| {
            trimmed
                .strip_prefix(w)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(|c: char| c.is_whitespace() || c == ','))
        }) else {
            continue;
        };
        let codes_start = body_start + (body.len() - trimmed.len()) + word.len();
        let codes_end = body_start + body.len();
        let list = text.get(codes_start..codes_end).unwrap_or("");
        let mut codes = Vec::new();
        let mut at = codes_start;
        for piece in list.split_inclusive(|c: char| c.is_whitespace() || c == ',') {
            let name = piece.trim_end_matches(|c: char| c.is_whitespace() || c == ',');
            if !name.is_empty() {
                codes.push((name.to_string(), TextRange::new(at as u32, (at + name.len()) as u32)));
            }
            at += piece.len();
        }
        out.push(Suppression {
            directive,
            comment,
            codes_start: codes_start as u32,
            codes_end: codes_end as u32,
            codes,
        });
    }
    out
}

/// Whether `s` (at index `i` of `all`) applies at `offset` for `code`.
fn covers(all: &[Suppression], i: usize, lines: &LineIndex, code: Code, offset: u32) -> bool {
    let s = &all[i];
    if !s.names(code) {
        return false;
    }
    match s.directive {
        Directive::DisableFile => true,
        Directive::DisableLine => lines.line_of(s.comment.start) == lines.line_of(offset),
        Directive::DisableNextLine => lines.line_of(s.comment.end.saturating_sub(1)) + 1 == lines.line_of(offset),
        Directive::Disable => {
            let until = all[i + 1..]
                .iter()
                .find(|e| e.directive == Directive::Enable && e.names(code))
                .map_or(u32::MAX, |e| e.comment.start);
            s.comment.end <= offset && offset < until
        }
        Directive::Enable => false,
    }
}

/// Removes the suppressed diagnostics from `sink` and adds an
/// `unused-suppression` for each suppression that silenced nothing. A code
/// that is off in this run is not judged, nor anything while the index is
/// still incomplete.
pub(super) fn apply(ctx: &Context, sink: &mut Sink) {
    let all = suppressions(ctx.source_text, &ctx.parse.doc.comments);
    if all.is_empty() {
        return;
    }
    let lines = LineIndex::new(ctx.source_text);
    // Per suppression: whether it silenced anything, and which of its codes did.
    let mut used: Vec<(bool, Vec<bool>)> = all.iter().map(|s| (false, vec![false; s.codes.len()])).collect();
    sink.out.retain(|d| {
        if !d.code.is_suppressible() {
            return true;
        }
        let mut silenced = false;
        for i in 0..all.len() {
            if covers(&all, i, &lines, d.code, d.range.start) {
                silenced = true;
                used[i].0 = true;
                for (j, (name, _)) in all[i].codes.iter().enumerate() {
                    used[i].1[j] |= name == d.code.as_str();
                }
            }
        }
        !silenced
    });
    // While the server is still indexing, most codes are not computed in
    // full (names and ids not read yet): nothing is judged.
    if !ctx.opts.index_complete {
        return;
    }
    let judged = |code: Code| sink.enabled(code);
    let any_judged = Code::ALL.into_iter().any(|c| c.is_suppressible() && judged(c));
    let mut found = Vec::new();
    for (s, (any_used, codes_used)) in all.iter().zip(&used) {
        let mut problems = Vec::new();
        let mut keep = Vec::new();
        for ((name, _), &code_used) in s.codes.iter().zip(codes_used) {
            let problem = match Code::parse(name) {
                None => Some(format!("`{name}` is not a Newsmark code")),
                Some(code) if !code.is_suppressible() => Some(format!("`{name}` cannot be suppressed")),
                Some(code) if s.directive != Directive::Enable && judged(code) && !code_used => {
                    Some(format!("`{name}` suppressed nothing"))
                }
                Some(_) => None,
            };
            match problem {
                Some(p) => problems.push(p),
                None => keep.push(name.as_str()),
            }
        }
        if s.codes.is_empty() && s.directive != Directive::Enable && !any_used && any_judged {
            problems.push("it suppressed nothing".to_string());
        }
        if !problems.is_empty() {
            found.push((s, problems, keep));
        }
    }
    for (s, problems, keep) in found {
        let message = format!("unused suppression `{}`: {}", s.directive.as_str(), problems.join("; "));
        if let Some(d) = sink.emit(Code::UnusedSuppression, s.comment, || message)
            && ctx.opts.fixes
        {
            d.fix = Some(removal(ctx.source_text, &lines, s, &keep, d));
        }
    }
}

/// Removes the comment (with its line when it stands alone on it), or
/// only the codes not in `keep`.
fn removal(text: &str, lines: &LineIndex, s: &Suppression, keep: &[&str], d: &Diagnostic) -> Fix {
    if keep.is_empty() {
        let first = lines.line_of(s.comment.start);
        let last = lines.line_of(s.comment.end.saturating_sub(1));
        let line_start = lines.line_range(first).start;
        let line_end = lines.line_range(last).end;
        let before = text.get(line_start as usize..s.comment.start as usize).unwrap_or("x");
        let after = text.get(s.comment.end as usize..line_end as usize).unwrap_or("x");
        let alone = before.trim().is_empty() && after.trim().is_empty();
        let range = if alone {
            let next = if last + 1 < lines.line_count() { lines.line_range(last + 1).start } else { text.len() as u32 };
            TextRange::new(line_start, next)
        } else {
            s.comment
        };
        let edit = FixEdit { file: d.file, range, new_text: String::new() };
        return Fix {
            title: "Remove the unused suppression".to_string(),
            applicability: Applicability::Safe,
            edits: vec![edit],
        };
    }
    let edit = FixEdit {
        file: d.file,
        range: TextRange::new(s.codes_start, s.codes_end),
        new_text: format!(" {} ", keep.join(" ")),
    };
    Fix {
        title: "Remove the unused codes from the suppression".to_string(),
        applicability: Applicability::Safe,
        edits: vec![edit],
    }
}
