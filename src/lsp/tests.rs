//! In-process protocol tests.
