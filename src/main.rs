//! The `newsmark` binary: the allocator, then the command line of
//! `newsmark::app`.

use std::process::ExitCode;

use newsmark::app;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// mimalloc's option setter (linked with the allocator; the binding crate
// exposes it only behind a feature that pulls in another dependency).
unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc's `mi_option_t` (the same in v2 and
/// v3).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// `check` is one batch that frees and reallocates hundreds of megabytes
/// (a text and a parse per file, twice over): mimalloc's default returns
/// freed memory to the system after 10 ms, and every page taken back costs
/// a fault and the kernel zeroing a fresh huge page (15% of the CPU on the
/// large corpus). Keeping freed memory until exit costs ~70 MB of peak.
/// The server keeps the default, since it lives long (a longer delay made
/// typing in a 1 MB article faster, but requests under a thousand changes a
/// second slower; see docs/decisions.md).
fn keep_freed_memory() {
    // SAFETY: sets one integer option of the allocator; mimalloc allows it
    // at any time and from any thread.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

/// Every command asks Linux for no transparent huge pages. mimalloc marks
/// its memory for them, so each first touch of 2 MB faults in a whole
/// zeroed huge page (with compaction on hosts that defragment on demand).
/// On the large corpus a warm `check` spent more system time faulting
/// pages in than running (2.1–3.9 s against 0.65–0.98 s without), and the
/// server indexed in 10.9–11.6 s against 8.0–9.2 s (docs/performance.md).
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes one integer and touches no memory of
    // ours; an error (an old kernel) leaves things as they were.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    no_huge_pages();
    let code = match app::parse(std::env::args_os()) {
        Ok(cli) => {
            if cli.is_check() {
                keep_freed_memory();
            }
            app::run(cli)
        }
        Err(code) => code,
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}
