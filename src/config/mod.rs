//! `newsmark.toml` (spec §10): the config of one workspace, read strictly.
//!
//! Every error carries the byte range of the offending key or value in the
//! TOML text, so the editor can put the `config` diagnostic on it.

mod parse;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::codes::{Code, Severity};
use crate::text::TextRange;

pub use parse::{parse, parse_all};

/// The file name that marks a workspace root.
pub const FILE_NAME: &str = "newsmark.toml";

/// Entity kinds of §4.
pub const ENTITY_KINDS: [&str; 8] = ["person", "org", "place", "event", "group", "work", "product", "other"];

/// Source kinds of §4.
pub const SOURCE_KINDS: [&str; 9] =
    ["statement", "remarks", "interview", "document", "article", "post", "data", "anonymous", "observation"];

/// Front-matter keys of §2 (besides `x-…`).
pub const FRONT_MATTER_KEYS: [&str; 7] = ["title", "published", "updated", "outlet", "byline", "url", "lang"];

/// A workspace's config; `Config::default()` is what applies without a
/// `newsmark.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Gitignore-style globs relative to the root, as written: as in a
    /// `.gitignore` at the root, a glob with no `/` but at its end matches
    /// at any depth (`*.tmp.nmk`), one with a `/` is anchored at the root
    /// (`drafts/**`), `dir/` matches folders, `!` re-includes.
    pub exclude: Vec<String>,
    /// Severity overrides from `[rules]`; `None` = `off`. Codes not listed
    /// keep their default. Any code may be set, `config` included; it can
    /// only take effect in a config that is valid, so an invalid config is
    /// always reported with the default severity (§10: never ignored).
    /// Ordered, as every field: the cache keys the diagnostics it keeps on
    /// this struct's `Debug` form, which must not change between runs.
    pub rules: BTreeMap<Code, Option<Severity>>,
    pub quote_min_words: usize,
    pub required_front_matter: Vec<String>,
    pub entity_kinds_extra: Vec<String>,
    pub source_kinds_extra: Vec<String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            exclude: Vec::new(),
            rules: BTreeMap::new(),
            quote_min_words: 8,
            required_front_matter: Vec::new(),
            entity_kinds_extra: Vec::new(),
            source_kinds_extra: Vec::new(),
        }
    }
}

impl Config {
    /// The severity `code` reports with, or `None` when it is turned off.
    pub fn severity(&self, code: Code) -> Option<Severity> {
        match self.rules.get(&code) {
            Some(over) => *over,
            None => Some(code.default_severity()),
        }
    }

    pub fn is_entity_kind(&self, kind: &str) -> bool {
        ENTITY_KINDS.contains(&kind) || self.entity_kinds_extra.iter().any(|k| k == kind)
    }

    pub fn is_source_kind(&self, kind: &str) -> bool {
        SOURCE_KINDS.contains(&kind) || self.source_kinds_extra.iter().any(|k| k == kind)
    }

    /// Every entity kind, built-in first (for suggestions and completion).
    pub fn entity_kinds(&self) -> impl Iterator<Item = &str> {
        ENTITY_KINDS.into_iter().chain(self.entity_kinds_extra.iter().map(String::as_str))
    }

    /// Every source kind, built-in first.
    pub fn source_kinds(&self) -> impl Iterator<Item = &str> {
        SOURCE_KINDS.into_iter().chain(self.source_kinds_extra.iter().map(String::as_str))
    }

    /// The `exclude` globs as a gitignore matcher for paths under `root`.
    /// `parse` has already rejected invalid globs, so this only fails for a
    /// `Config` built by hand.
    pub fn exclude_matcher(&self, root: &Path) -> Result<ignore::gitignore::Gitignore, String> {
        let mut builder = ignore::gitignore::GitignoreBuilder::new(root);
        for glob in &self.exclude {
            builder.add_line(None, glob).map_err(|e| format!("invalid exclude glob \"{glob}\": {e}"))?;
        }
        builder.build().map_err(|e| format!("invalid exclude globs: {e}"))
    }
}

/// An invalid `newsmark.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// Byte range of the offending key or value in the TOML text; `None`
    /// when there is nothing to point at (report at 1:1).
    pub range: Option<TextRange>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Why `load` found no usable config.
#[derive(Debug)]
pub enum LoadError {
    /// `newsmark.toml` exists but cannot be read (or is not UTF-8).
    Io { path: PathBuf, message: String },
    /// `newsmark.toml` was read but is invalid; `text` is kept so that the
    /// caller can turn `error.range` into a line and column.
    Invalid { path: PathBuf, text: String, error: ConfigError, more: Vec<ConfigError> },
}

impl LoadError {
    pub fn path(&self) -> &Path {
        match self {
            LoadError::Io { path, .. } | LoadError::Invalid { path, .. } => path,
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io { path, message } => write!(f, "{}: {message}", path.display()),
            LoadError::Invalid { path, error, .. } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads `root/newsmark.toml`: `Ok(None)` when there is none.
pub fn load(root: &Path) -> Result<Option<Config>, LoadError> {
    let path = root.join(FILE_NAME);
    // A FIFO (or device) named `newsmark.toml` would block `read` forever.
    if std::fs::metadata(&path).is_ok_and(|m| !m.is_file()) {
        return Err(LoadError::Io { path, message: format!("cannot read {FILE_NAME}: it is not a regular file") });
    }
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(LoadError::Io { path, message: format!("cannot read {FILE_NAME}: {e}") });
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            return Err(LoadError::Io {
                path,
                message: format!("{FILE_NAME} is not valid UTF-8 (byte {at} is not); save it as UTF-8"),
            });
        }
    };
    match parse_all(&text) {
        Ok(config) => Ok(Some(config)),
        Err(mut errors) => {
            let error = errors.remove(0);
            Err(LoadError::Invalid { path, text, error, more: errors })
        }
    }
}
