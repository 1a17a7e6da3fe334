//! Background indexing: discover the workspaces under a root, load every
//! file with `$/progress` reports, and swap the loaded workspaces in. Also
//! the `config` diagnostics of `newsmark.toml` files.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tower_lsp_server::ls_types::{self as lsp, NumberOrString, ProgressToken};

use super::convert::{self, LineMap};
use super::session::Session;
use super::state::{Slot, lock};
use crate::config::{self, Config, FILE_NAME, LoadError};
use crate::syntax::Sigil;
use crate::text::{LineIndex, PositionEncoding};
use crate::workspace::cache::{self, CacheSettings};
use crate::workspace::load;

/// A workspace to load.
struct Planned {
    slot: Arc<Slot>,
    config: Arc<Config>,
    files: Vec<PathBuf>,
}

/// The state of one `newsmark.toml` seen while planning.
struct ConfigState {
    path: PathBuf,
    error: Option<LoadError>,
}

/// Discovers `root` and the workspaces nested in it with
/// `workspace::load::plan_with`, except that an invalid `newsmark.toml`
/// does not stop anything: it is reported, and the last good config of that
/// workspace (or the default) stays in force. Paths discovery could not read
/// are logged.
fn plan(session: &Session, root: &Path, force: bool) -> (Vec<Planned>, Vec<ConfigState>, Vec<String>) {
    let mut configs = Vec::new();
    let mut config_for = |dir: &Path| -> Result<Arc<Config>, LoadError> {
        let (slot, _) = lock(&session.state).slot_for_root(dir, true);
        Ok(match config::load(dir) {
            Ok(Some(c)) => {
                configs.push(ConfigState { path: dir.join(FILE_NAME), error: None });
                Arc::new(c)
            }
            Ok(None) => Arc::new(Config::default()),
            Err(e) => {
                configs.push(ConfigState { path: dir.join(FILE_NAME), error: Some(e) });
                slot.read().ws.config.clone()
            }
        })
    };
    // The config callback never fails, so neither does the plan.
    let Ok(found) = load::plan_with(root, &mut config_for) else { return (Vec::new(), configs, Vec::new()) };
    let mut planned = Vec::new();
    let mut problems = Vec::new();
    for (p, m) in found.problems {
        problems.push(format!("{}: {m}", p.display()));
    }
    for w in found.workspaces {
        problems.extend(w.unreadable.iter().map(|(p, m)| format!("{}: {m}", p.display())));
        let (slot, _) = lock(&session.state).slot_for_root(&w.root, true);
        if force || slot.claim() {
            planned.push(Planned { slot, config: w.config, files: w.files });
        }
    }
    (planned, configs, problems)
}

/// Loads every workspace under `root` in the background, reporting
/// progress; then refreshes the diagnostics of every open document.
/// `force` reloads workspaces already loaded (a config changed).
pub async fn index(session: Arc<Session>, root: PathBuf, force: bool) {
    let s = session.clone();
    let r = root.clone();
    let Ok((planned, configs, problems)) = tokio::task::spawn_blocking(move || plan(&s, &r, force)).await else {
        return;
    };
    for p in problems {
        session.client.log_message(lsp::MessageType::WARNING, p).await;
    }
    publish_configs(&session, &configs).await;
    if planned.is_empty() {
        return;
    }
    let total: usize = planned.iter().map(|p| p.files.len()).sum();
    let done = Arc::new(AtomicUsize::new(0));
    let settings = session.settings();
    let progress = if settings.work_done_progress {
        let token = ProgressToken::String(format!("newsmark/indexing/{}", root.display()));
        match session.client.create_work_done_progress(token.clone()).await {
            Ok(()) => Some(
                session
                    .client
                    .progress(token, "Indexing")
                    .with_percentage(0)
                    .with_message(format!("0 / {} files", thousands(total)))
                    .begin()
                    .await,
            ),
            Err(_) => None,
        }
    } else {
        None
    };
    let slots: Vec<Arc<Slot>> = planned.iter().map(|p| p.slot.clone()).collect();
    let counter = done.clone();
    let top_root = root.clone();
    let build = tokio::task::spawn_blocking(move || {
        for p in planned {
            let root = p.slot.root.clone();
            let files = p.files;
            let counter = &counter;
            // Summaries only: the texts of files that are not open are read
            // again when a request needs them (see `Workspace::text`). Those
            // `check` cached (§16) are taken from its cache when the files
            // are unchanged (`NEWSMARK_CACHE_DIR` or `.newsmark_cache`).
            let cache = CacheSettings::resolve(false, None, &top_root);
            let stats = cache::RunStats::default();
            let mut ws = cache::load_workspace(&cache, &top_root, root.clone(), p.config, files, &stats, &|| {
                counter.fetch_add(1, Ordering::Relaxed);
            });
            ws.set_text_source(Arc::new(|path: &Path| crate::workspace::read_text(path).ok()));
            // Built here, in the background, rather than by the first
            // completion or "did you mean" after indexing.
            for sigil in [Sigil::Entity, Sigil::Source] {
                ws.index().sorted_ids(sigil, ws.interner());
            }
            p.slot.replace(ws);
        }
    });
    tokio::pin!(build);
    loop {
        tokio::select! {
            _ = &mut build => break,
            _ = tokio::time::sleep(Duration::from_millis(200)) => {
                if let Some(p) = &progress {
                    let n = done.load(Ordering::Relaxed);
                    let pct = (n * 100).checked_div(total).unwrap_or(100) as u32;
                    p.report_with_message(format!("{} / {} files", thousands(n), thousands(total)), pct).await;
                }
            }
        }
    }
    if let Some(p) = progress {
        p.finish_with_message(format!("{} files", thousands(total))).await;
    }
    for slot in &slots {
        session.schedule_slot(slot);
    }
}

/// Publishes the `config` diagnostic of each `newsmark.toml` (an empty list
/// for a valid one, which clears an earlier error).
async fn publish_configs(session: &Session, configs: &[ConfigState]) {
    let enc = session.settings().encoding;
    for c in configs {
        let Some(uri) = convert::path_to_uri(&c.path) else { continue };
        let diags = c.error.as_ref().map(|e| vec![config_diagnostic(e, enc)]).unwrap_or_default();
        session.client.publish_diagnostics(uri, diags, None).await;
    }
}

fn config_diagnostic(e: &LoadError, enc: PositionEncoding) -> lsp::Diagnostic {
    let (range, message) = match e {
        LoadError::Io { message, .. } => (lsp::Range::default(), message.clone()),
        LoadError::Invalid { text, error, .. } => {
            let index = LineIndex::new(text);
            let map = LineMap { text, index: &index, enc };
            (error.range.map(|r| map.range(r)).unwrap_or_default(), error.message.clone())
        }
    };
    lsp::Diagnostic {
        range,
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String("config".into())),
        source: Some("newsmark".into()),
        message,
        ..Default::default()
    }
}

/// `41200` as `41,200`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(41200), "41,200");
        assert_eq!(super::thousands(1000000), "1,000,000");
    }
}
