//! Severity counts of a run and the exit code they give (spec §11).

use crate::analysis::{Diagnostic, Severity};

/// No error-severity diagnostic and warnings within `--max-warnings`.
pub const EXIT_OK: i32 = 0;
/// At least one error, or more warnings than `--max-warnings` allows.
pub const EXIT_FAILURE: i32 = 1;
/// Usage or config failure, or a PATH that does not exist.
pub const EXIT_USAGE: i32 = 2;

/// How many diagnostics of each severity a run reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub hints: usize,
}

impl Counts {
    pub fn of(diagnostics: &[Diagnostic]) -> Counts {
        let mut counts = Counts::default();
        for d in diagnostics {
            counts.add(d.severity);
        }
        counts
    }

    pub fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
            Severity::Hint => self.hints += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos + self.hints
    }

    /// The most severe level present, if any.
    pub fn worst(&self) -> Option<Severity> {
        [
            (self.errors, Severity::Error),
            (self.warnings, Severity::Warning),
            (self.infos, Severity::Info),
            (self.hints, Severity::Hint),
        ]
        .into_iter()
        .find(|&(n, _)| n > 0)
        .map(|(_, s)| s)
    }
}

/// 0 when there is no error and warnings do not exceed `max_warnings`
/// (`None`: no limit); 1 otherwise. Info and hints never fail a run.
pub fn exit_code(counts: Counts, max_warnings: Option<usize>) -> i32 {
    let too_many_warnings = max_warnings.is_some_and(|max| counts.warnings > max);
    if counts.errors > 0 || too_many_warnings { EXIT_FAILURE } else { EXIT_OK }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(errors: usize, warnings: usize, infos: usize, hints: usize) -> Counts {
        Counts { errors, warnings, infos, hints }
    }

    #[test]
    fn exit_codes() {
        assert_eq!(exit_code(counts(0, 0, 0, 0), None), 0);
        assert_eq!(exit_code(counts(0, 5, 3, 9), None), 0);
        assert_eq!(exit_code(counts(1, 0, 0, 0), None), 1);
        assert_eq!(exit_code(counts(0, 2, 0, 0), Some(2)), 0);
        assert_eq!(exit_code(counts(0, 3, 0, 0), Some(2)), 1);
        assert_eq!(exit_code(counts(0, 1, 0, 0), Some(0)), 1);
        assert_eq!(exit_code(counts(0, 0, 7, 7), Some(0)), 0);
    }

    #[test]
    fn worst() {
        assert_eq!(counts(0, 0, 0, 0).worst(), None);
        assert_eq!(counts(0, 0, 1, 2).worst(), Some(Severity::Info));
        assert_eq!(counts(1, 1, 1, 1).worst(), Some(Severity::Error));
    }
}
