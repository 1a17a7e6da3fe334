//! Gives the memory a workspace load freed back to the system, once the
//! load is over.
//!
//! The load frees hundreds of megabytes on the threads that did it (the
//! cache's decompressed sections, each file's decoding scratch, the
//! vectors of the index that grew by doubling). mimalloc returns freed
//! pages to the system lazily, when the thread that freed them next calls
//! into it; the pool threads of a load then idle, so what they freed stays
//! resident for as long as the server lives (about 70 MB on the large
//! corpus, see docs/performance.md).

// The allocator's collection entry point, from the C library the binding
// crate links (it exposes the function only behind a feature that pulls
// in another dependency). The binary and the Python module both run on
// mimalloc; where another global allocator runs (the tests), mimalloc's
// own heaps are empty and this does nothing.
extern crate mimalloc as _;
unsafe extern "C" {
    fn mi_collect(force: bool);
}

/// Asks the allocator, on every thread of rayon's pool and on this one, to
/// return what it holds freed. Takes a few milliseconds; call it off the
/// request path.
pub fn give_back_freed() {
    rayon::broadcast(|_| collect_here());
    collect_here();
}

fn collect_here() {
    // SAFETY: `mi_collect` takes a flag, touches only the allocator's own
    // state of the calling thread (and pages abandoned by threads that
    // ended), and may be called at any time.
    unsafe { mi_collect(true) }
}
