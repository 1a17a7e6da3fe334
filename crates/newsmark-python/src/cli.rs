//! The `newsmark` command of the Python package: the same command line as
//! the binary, run in the Python process.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use pyo3::prelude::*;

/// Runs the command line `args` (the program name first, each argument as
/// the bytes `os.fsencode` gives) and returns the exit code. The GIL is
/// released for the whole run (`newsmark lsp` runs until its client exits).
#[pyfunction]
pub fn main(py: Python<'_>, args: Vec<Vec<u8>>) -> i32 {
    let args: Vec<OsString> = args.into_iter().map(OsString::from_vec).collect();
    py.detach(|| newsmark::app::main_with_args(args))
}
