//! A progress line for long runs: `Checking 41,200 / 100,000 files` on
//! stderr, shown only when stderr is a terminal and the run has already
//! taken more than a second (short runs stay silent), cleared at the end.
//!
//! `inc` is cheap and thread-safe, meant to be called from rayon workers.
//! Call `finish` before writing the report so the line does not mix with it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run must take before the line appears.
const DELAY: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    /// Whether the bar may ever be drawn (stderr is a terminal).
    enabled: bool,
    /// Set once the bar has been attached to stderr.
    shown: AtomicBool,
}

impl Progress {
    /// A progress over `total` items; `label` is the leading verb
    /// ("Checking"). Draws nothing unless stderr is a terminal.
    pub fn new(total: u64, label: &str) -> Progress {
        Progress::with_terminal(total, label, std::io::stderr().is_terminal())
    }

    /// A progress that never draws (`--format` output piped, tests).
    pub fn hidden() -> Progress {
        Progress::with_terminal(0, "", false)
    }

    fn with_terminal(total: u64, label: &str, enabled: bool) -> Progress {
        // Start hidden; `inc` attaches stderr once the delay has passed.
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        // The template is a constant, so this only fails if it is edited
        // wrongly; fall back to indicatif's default look rather than panic.
        if let Ok(style) = ProgressStyle::with_template("{msg} {human_pos} / {human_len} files") {
            bar.set_style(style);
        }
        bar.set_message(label.to_owned());
        Progress { bar, started: Instant::now(), enabled, shown: AtomicBool::new(false) }
    }

    /// Counts `n` more items done.
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
        if self.enabled
            && !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() >= DELAY
            && !self.shown.swap(true, Ordering::AcqRel)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Items counted so far.
    pub fn position(&self) -> u64 {
        self.bar.position()
    }

    /// Whether the line has been put on stderr.
    pub fn is_shown(&self) -> bool {
        self.shown.load(Ordering::Relaxed)
    }

    /// Removes the line from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    /// A run that returns early (an error, `?`) still clears the line.
    fn drop(&mut self) {
        if !self.bar.is_finished() {
            self.bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_threads_without_drawing() {
        let p = Progress::with_terminal(1000, "Checking", false);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| (0..250).for_each(|_| p.inc(1)));
            }
        });
        assert_eq!(p.position(), 1000);
        assert!(!p.is_shown());
        p.finish();
    }

    #[test]
    fn quick_run_stays_hidden_even_on_a_terminal() {
        let p = Progress::with_terminal(10, "Checking", true);
        p.inc(10);
        assert!(!p.is_shown());
        p.finish();
    }

    #[test]
    fn slow_run_shows_on_a_terminal() {
        let p = Progress::with_terminal(10, "Checking", true);
        std::thread::sleep(DELAY + Duration::from_millis(50));
        p.inc(1);
        // indicatif itself draws nothing when stderr is not a terminal.
        assert!(p.is_shown());
        p.finish();
    }
}
