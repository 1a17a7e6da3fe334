//! Which id the file at a path has, without a second copy of the path: the
//! workspace's files hold their paths, and this table holds each path's
//! hash and id (16 bytes a file, where a map keyed by the path took a
//! copy of it and 32 bytes more).

use std::hash::BuildHasher;
use std::path::Path;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use super::FileId;

/// Path hashes to file ids; the paths themselves are read from the files,
/// through the `path_of` each lookup is given.
#[derive(Default)]
pub(super) struct PathIds {
    table: HashTable<(u64, FileId)>,
}

fn hash(path: &Path) -> u64 {
    FxBuildHasher.hash_one(path)
}

impl PathIds {
    /// The table of `paths`, each with the id of its position: their
    /// hashes (a path is hashed component by component) computed on every
    /// thread, then placed.
    pub(super) fn of_paths(paths: &[&Path]) -> PathIds {
        use rayon::prelude::*;
        let hashes: Vec<u64> = paths.par_iter().map(|p| hash(p)).collect();
        let mut table = HashTable::with_capacity(paths.len());
        for (i, h) in hashes.into_iter().enumerate() {
            table.insert_unique(h, (h, FileId(i as u32)), |&(h, _)| h);
        }
        PathIds { table }
    }

    /// The id of the file at `path`, if it has one.
    pub(super) fn get<'a>(&self, path: &Path, path_of: impl Fn(FileId) -> Option<&'a Path>) -> Option<FileId> {
        let hash = hash(path);
        self.table.find(hash, |&(h, id)| h == hash && path_of(id) == Some(path)).map(|&(_, id)| id)
    }

    /// Gives `path`, which has no id here, the id `id`.
    pub(super) fn insert(&mut self, path: &Path, id: FileId) {
        let hash = hash(path);
        self.table.insert_unique(hash, (hash, id), |&(h, _)| h);
    }

    /// Takes away the id of `path`, if it has one.
    pub(super) fn remove<'a>(&mut self, path: &Path, path_of: impl Fn(FileId) -> Option<&'a Path>) -> Option<FileId> {
        let hash = hash(path);
        let found = self.table.find_entry(hash, |&(h, id)| h == hash && path_of(id) == Some(path)).ok()?;
        Some(found.remove().0.1)
    }

    pub(super) fn len(&self) -> usize {
        self.table.len()
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn paths_find_their_ids_and_lose_them() {
        let paths: Vec<PathBuf> = (0..2_000).map(|i| PathBuf::from(format!("/w/a/{i}.nmk"))).collect();
        let path_of = |id: FileId| paths.get(id.0 as usize).map(PathBuf::as_path);
        let mut ids = PathIds::default();
        for (i, path) in paths.iter().enumerate() {
            assert_eq!(ids.get(path, path_of), None);
            ids.insert(path, FileId(i as u32));
        }
        assert_eq!(ids.len(), 2_000);
        for (i, path) in paths.iter().enumerate() {
            assert_eq!(ids.get(path, path_of), Some(FileId(i as u32)));
        }
        assert_eq!(ids.get(Path::new("/w/a/2000.nmk"), path_of), None);
        assert_eq!(ids.remove(&paths[7], path_of), Some(FileId(7)));
        assert_eq!(ids.remove(&paths[7], path_of), None);
        assert_eq!(ids.get(&paths[7], path_of), None);
        assert_eq!(ids.get(&paths[8], path_of), Some(FileId(8)));
        assert_eq!(ids.len(), 1_999);
    }
}
