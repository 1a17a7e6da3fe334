//! Output side of `newsmark check` (spec §11): diagnostic reports in four
//! formats, the exit-code rule and a progress indicator for long runs.

pub mod baseline;
pub mod check;
pub mod exit;
pub mod export;
pub mod fix;
pub mod progress;
pub mod report;
pub mod write;

pub use exit::{Counts, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, exit_code};
pub use progress::Progress;
pub use report::{Format, Report, ReportFile, color_wanted, render};
