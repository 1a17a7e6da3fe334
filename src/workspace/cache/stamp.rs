//! When a cached file may be trusted without reading it: its metadata
//! (size, mtime, ctime, inode, device) as git's index keeps them, with
//! git's answer to "racy" files.
//!
//! A file whose mtime or ctime falls within [`RACY_WINDOW`] of the moment
//! the run that cached it started may have been rewritten after it was
//! read without its timestamps moving (same timestamp granule, same size):
//! such an entry is verified by content, never trusted on metadata.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Wider than the timestamp granule of common file systems (ext4, xfs,
/// btrfs and tmpfs: nanoseconds read from a coarse clock; ext3, HFS+: 1 s;
/// FAT: 2 s).
pub const RACY_WINDOW: Duration = Duration::from_secs(2);

/// Nanoseconds since the epoch (negative before it).
pub type Nanos = i128;

/// A file's metadata as the cache compares it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub mtime: Nanos,
    pub ctime: Nanos,
    pub inode: u64,
    pub device: u64,
}

impl Stamp {
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let nanos = |s: i64, ns: i64| Nanos::from(s) * 1_000_000_000 + Nanos::from(ns);
            Stamp {
                size: meta.len(),
                mtime: nanos(meta.mtime(), meta.mtime_nsec()),
                ctime: nanos(meta.ctime(), meta.ctime_nsec()),
                inode: meta.ino(),
                device: meta.dev(),
            }
        }
        #[cfg(not(unix))]
        {
            let mtime = meta.modified().map(nanos_of).unwrap_or(0);
            Stamp { size: meta.len(), mtime, ctime: mtime, inode: 0, device: 0 }
        }
    }

    /// Whether a file that still has this stamp may be taken as unchanged
    /// since it was read by a run that started at `read_since`: only when
    /// its last change is clearly older than that run.
    pub fn trusted_since(&self, read_since: Nanos) -> bool {
        let window = RACY_WINDOW.as_nanos() as Nanos;
        self.mtime.max(self.ctime) < read_since - window
    }
}

pub fn nanos_of(t: SystemTime) -> Nanos {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as Nanos,
        Err(e) => -(e.duration().as_nanos() as Nanos),
    }
}

pub fn now() -> Nanos {
    nanos_of(SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Nanos = 1_000_000_000;

    fn stamp(mtime: Nanos, ctime: Nanos) -> Stamp {
        Stamp { size: 10, mtime, ctime, inode: 1, device: 1 }
    }

    #[test]
    fn a_file_changed_well_before_the_run_is_trusted() {
        assert!(stamp(100 * SECOND, 100 * SECOND).trusted_since(200 * SECOND));
    }

    #[test]
    fn a_file_changed_in_the_granule_of_the_run_is_verified() {
        // Read at 200 s, modified in the same second after the read: the
        // stamp may look the same, so it must be read again.
        assert!(!stamp(200 * SECOND, 200 * SECOND).trusted_since(200 * SECOND));
        assert!(!stamp(199 * SECOND, 199 * SECOND).trusted_since(200 * SECOND));
        // ctime counts too: `touch -d` can put mtime back, not ctime.
        assert!(!stamp(100 * SECOND, 200 * SECOND).trusted_since(200 * SECOND));
        // A timestamp in the future is never trusted.
        assert!(!stamp(900 * SECOND, 900 * SECOND).trusted_since(200 * SECOND));
    }
}
