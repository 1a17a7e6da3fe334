//! The `newsmark` binary.
fn main() {}
