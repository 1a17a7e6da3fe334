//! The rayon thread pool the module runs the engine on: one per process,
//! made again in a child after `fork`. A forked child inherits the parent's
//! pool in memory but none of its threads, so work handed to it would wait
//! forever (rayon's global pool has exactly this problem); the engine's
//! parallel loops run inside `install` on this pool instead.

use std::sync::atomic::{AtomicPtr, Ordering};

use rayon::ThreadPool;

/// A pool and the process that made it.
struct ProcessPool {
    pid: u32,
    pool: ThreadPool,
}

/// The current process's pool. Pools are leaked on purpose: the one a child
/// inherits has no threads to join, and a process makes at most one of its
/// own. No lock is taken, so a fork in the middle of a call cannot leave
/// the child holding one.
static CURRENT: AtomicPtr<ProcessPool> = AtomicPtr::new(std::ptr::null_mut());

fn pool() -> Option<&'static ThreadPool> {
    let pid = std::process::id();
    let seen = CURRENT.load(Ordering::Acquire);
    // SAFETY: every pointer stored in CURRENT comes from Box::leak and is
    // never freed.
    if let Some(current) = unsafe { seen.as_ref() }
        && current.pid == pid
    {
        return Some(&current.pool);
    }
    // Threads as rayon's global pool would have them (RAYON_NUM_THREADS,
    // else one per CPU).
    let pool = rayon::ThreadPoolBuilder::new().thread_name(|i| format!("newsmark-{i}")).build().ok()?;
    let fresh: &'static ProcessPool = Box::leak(Box::new(ProcessPool { pid, pool }));
    let fresh_ptr = fresh as *const ProcessPool as *mut ProcessPool;
    match CURRENT.compare_exchange(seen, fresh_ptr, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => Some(&fresh.pool),
        // Another thread of this process made one first: use it (ours was
        // never handed out, so it only costs its idle threads).
        // SAFETY: as above.
        Err(won) => match unsafe { won.as_ref() } {
            Some(current) if current.pid == pid => Some(&current.pool),
            _ => Some(&fresh.pool),
        },
    }
}

/// Runs `work` on this process's pool, so that every rayon loop inside it
/// uses that pool. If no thread can be started, runs it on the caller.
pub fn run<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    match pool() {
        Some(pool) => pool.install(work),
        None => work(),
    }
}
