//! The file watchers the server asks the client for: `.nmk` files, and the
//! files that decide which files a workspace holds (`newsmark.toml`,
//! `.gitignore`). What an event does is `State::file_events`, by the one
//! membership rule of `workspace::Membership`.

use tower_lsp_server::ls_types::{
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern, Registration,
};

/// The registration the server asks for when the client can watch files.
pub fn registration() -> Registration {
    let watchers = ["**/*.nmk", "**/newsmark.toml", "**/.gitignore"]
        .into_iter()
        .map(|g| FileSystemWatcher { glob_pattern: GlobPattern::String(g.to_string()), kind: None })
        .collect();
    Registration {
        id: "newsmark-watch".to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
        register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions { watchers }).ok(),
    }
}
