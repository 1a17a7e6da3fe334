//! Writing a fixed file back (spec §14): only when its bytes on disk are
//! still those that were read, through a temporary file in the same folder
//! renamed over it, so a reader sees the old file or the new one and a
//! failure leaves the old one. The permissions are kept; line ends and BOM
//! are whatever the fixed text holds (fixes keep them).

use std::io::Write;
use std::path::Path;

/// Why a file was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The file changed on disk since it was read: it is left alone.
    Changed,
    Io(std::io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Changed => f.write_str("it changed on disk since it was read; left as it is"),
            WriteError::Io(e) => write!(f, "{e}; left as it was"),
        }
    }
}

/// Replaces the contents of `path` by `new`, if they are still `expected`.
pub fn write_if_unchanged(path: &Path, expected: &[u8], new: &[u8]) -> Result<(), WriteError> {
    let current = std::fs::read(path).map_err(WriteError::Io)?;
    if current != expected {
        return Err(WriteError::Changed);
    }
    let permissions = std::fs::metadata(path).map_err(WriteError::Io)?.permissions();
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new().prefix(".newsmark-fix").tempfile_in(folder).map_err(WriteError::Io)?;
    temp.write_all(new).map_err(WriteError::Io)?;
    std::fs::set_permissions(temp.path(), permissions).map_err(WriteError::Io)?;
    temp.persist(path).map_err(|e| WriteError::Io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_only_what_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.nmk");
        std::fs::write(&path, "old\r\n").unwrap();
        write_if_unchanged(&path, b"old\r\n", b"new\r\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new\r\n");
        // Changed by someone else since it was read: left alone.
        let err = write_if_unchanged(&path, b"old\r\n", b"newer").unwrap_err();
        assert!(matches!(err, WriteError::Changed));
        assert_eq!(std::fs::read(&path).unwrap(), b"new\r\n");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.nmk");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_if_unchanged(&path, b"old", b"new").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
    }

    /// A folder where no temporary file can be made, even by root: the
    /// write fails with the reason and the file keeps its bytes.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_failed_write_leaves_the_file() {
        let path = Path::new("/proc/self/comm");
        let before = std::fs::read(path).unwrap();
        let result = write_if_unchanged(path, &before, b"new");
        assert!(matches!(result, Err(WriteError::Io(_))), "{result:?}");
        assert_eq!(std::fs::read(path).unwrap(), before);
    }
}
