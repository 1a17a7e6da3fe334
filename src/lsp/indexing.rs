//! Background indexing: discover the workspaces under a root, load every
//! file with `$/progress` reports, and swap the loaded workspaces in. Also
//! the `config` diagnostics of `newsmark.toml` files.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rustc_hash::FxHashMap;
use tower_lsp_server::ls_types::{self as lsp, NumberOrString, ProgressToken};

use super::convert::{self, LineMap};
use super::memory;
use super::session::Session;
use super::state::{Indexed, SharedWorkspace, State, indexable};
use crate::analysis::SortedIds;
use crate::config::{self, Config, FILE_NAME, LoadError};
use crate::syntax::Sigil;
use crate::text::{LineIndex, PositionEncoding};
use crate::workspace::cache::{self, CacheSettings};
use crate::workspace::load::{self, PlannedWorkspace};

/// The state of one `newsmark.toml` seen while planning.
struct ConfigState {
    path: PathBuf,
    error: Option<LoadError>,
}

/// What planning found: the workspaces to load, the configs seen, and
/// paths discovery could not read (logged).
struct Planned {
    workspaces: Vec<PlannedWorkspace>,
    configs: Vec<ConfigState>,
    problems: Vec<String>,
}

/// Discovers `top` and the workspaces nested in it with
/// `workspace::load::plan_with`, except that an invalid `newsmark.toml`
/// does not stop anything: it is reported, and the config in force before
/// (`last_good`, or the default) stays.
fn plan(top: &Path, last_good: &FxHashMap<PathBuf, Arc<Config>>) -> Planned {
    let mut configs = Vec::new();
    let mut config_for = |dir: &Path| -> Result<Arc<Config>, LoadError> {
        Ok(match config::load(dir) {
            Ok(Some(c)) => {
                configs.push(ConfigState { path: dir.join(FILE_NAME), error: None });
                Arc::new(c)
            }
            Ok(None) => Arc::new(Config::default()),
            Err(e) => {
                configs.push(ConfigState { path: dir.join(FILE_NAME), error: Some(e) });
                last_good.get(dir).cloned().unwrap_or_default()
            }
        })
    };
    // The config callback never fails, so neither does the plan.
    let found = load::plan_with(top, &mut config_for).ok();
    let mut problems = Vec::new();
    let mut workspaces = Vec::new();
    if let Some(found) = found {
        problems.extend(found.problems.iter().map(|(p, m)| format!("{}: {m}", p.display())));
        for w in found.workspaces {
            problems.extend(w.unreadable.iter().map(|(p, m)| format!("{}: {m}", p.display())));
            workspaces.push(w);
        }
    }
    Planned { workspaces, configs, problems }
}

/// Starts indexing `top` (and the workspaces nested below it): a new job,
/// which makes any job still running for `top` stale.
pub fn start(session: &Arc<Session>, state: &mut State, top: PathBuf) {
    if !indexable(&top) {
        return;
    }
    let (id, last_good) = state.start_job(&top);
    let progress = state.settings.work_done_progress;
    let cache = (!state.settings.cache, state.settings.cache_dir.clone());
    tokio::spawn(run(session.clone(), top, id, last_good, progress, cache));
}

/// Plans and loads in the background, reporting progress, then swaps the
/// loaded workspaces in through the state's one writer.
async fn run(
    session: Arc<Session>,
    top: PathBuf,
    id: u64,
    last_good: FxHashMap<PathBuf, Arc<Config>>,
    progress: bool,
    // What `CacheSettings::resolve` takes: whether the cache is off, and
    // the folder asked for.
    (no_cache, cache_dir): (bool, Option<PathBuf>),
) {
    let at = top.clone();
    let Ok(planned) = tokio::task::spawn_blocking(move || plan(&at, &last_good)).await else { return };
    for p in planned.problems {
        session.client.log_message(lsp::MessageType::WARNING, p).await;
    }
    publish_configs(&session, &planned.configs).await;
    let total: usize = planned.workspaces.iter().map(|p| p.files.len()).sum();
    let done = Arc::new(AtomicUsize::new(0));
    let progress = if progress {
        let token = ProgressToken::String(format!("newsmark/indexing/{}/{id}", top.display()));
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
    let counter = done.clone();
    let workspaces = planned.workspaces;
    let build = tokio::task::spawn_blocking(move || {
        // One cache folder for the workspaces nested in the first, each
        // with its file, as `check` keeps them.
        let top_root = workspaces.first().map(|w| w.root.clone()).unwrap_or_default();
        // A relative folder is taken from the workspace root, not from
        // wherever the editor started the server.
        let dir = cache_dir.map(|d| top_root.join(d));
        let settings = CacheSettings::resolve(no_cache, dir.as_deref(), &top_root);
        workspaces.into_iter().map(|p| build(p, &top_root, &settings, &counter)).unzip::<_, _, Vec<_>, Vec<_>>()
    });
    tokio::pin!(build);
    let loaded = loop {
        tokio::select! {
            loaded = &mut build => break loaded,
            _ = tokio::time::sleep(Duration::from_millis(200)) => {
                if let Some(p) = &progress {
                    let n = done.load(Ordering::Relaxed);
                    let pct = (n * 100).checked_div(total).unwrap_or(100) as u32;
                    p.report_with_message(format!("{} / {} files", thousands(n), thousands(total)), pct).await;
                }
            }
        }
    };
    let Ok((loaded, aside)) = loaded else { return };
    let mut seeds = Vec::new();
    let mut unverified = Vec::new();
    for a in aside {
        for line in a.log {
            session.client.log_message(lsp::MessageType::INFO, line).await;
        }
        seeds.extend(a.seed);
        unverified.push(a.unverified);
    }
    let roots: Vec<PathBuf> = loaded.iter().map(|l| l.ws.root.clone()).collect();
    #[cfg(test)]
    session.hooks.before_swap().await;
    session.mutate(|state| state.finish_job(&top, id, loaded));
    if let Some(p) = progress {
        p.finish_with_message(format!("{} files", thousands(total))).await;
    }
    // The workspaces serve from here on. The files taken from the cache
    // on their entries alone are verified now, and those that changed
    // read again, as if a watcher had said so.
    verify(&session, unverified).await;
    // What completion and "did you mean" sort the defined ids into (a
    // second or so for a million) is built now, in the background, rather
    // than by the first of them.
    let shared: Vec<SharedWorkspace> = session.read(|s| roots.iter().filter_map(|r| s.workspace_at(r)).collect());
    let sorted = tokio::task::spawn_blocking(move || shared.iter().for_each(sort_ids_aside));
    // A workspace that found no cache it could use leaves one of the
    // summaries it read, for its next start (and `check`'s).
    if !seeds.is_empty() {
        let written = tokio::task::spawn_blocking(move || seeds.into_iter().map(cache::SeedCache::write).collect());
        let lines: Vec<String> = written.await.unwrap_or_default();
        for line in lines {
            session.client.log_message(lsp::MessageType::INFO, line).await;
        }
    }
    // Everything the load allocated for a while is freed by now.
    let _ = sorted.await;
    let _ = tokio::task::spawn_blocking(memory::give_back_freed).await;
}

/// Verifies the files each workspace took from the cache on their
/// entries alone (metadata, else bytes, as `check` does), applies those
/// that changed as watched-file events, and logs what it found.
async fn verify(session: &Arc<Session>, unverified: Vec<cache::Unverified>) {
    let count: usize = unverified.iter().map(cache::Unverified::len).sum();
    if count == 0 {
        return;
    }
    let started = std::time::Instant::now();
    let found = tokio::task::spawn_blocking(move || unverified.iter().flat_map(|u| u.changed()).collect::<Vec<_>>());
    let Ok(changed) = found.await else { return };
    let events: Vec<(PathBuf, lsp::FileChangeType)> = changed
        .into_iter()
        .map(|(path, there)| (path, if there { lsp::FileChangeType::CHANGED } else { lsp::FileChangeType::DELETED }))
        .collect();
    if !events.is_empty() {
        session.mutate(|state| state.file_events(&events));
    }
    let line = format!(
        "verified the {} files taken from the cache in {:.2} s: {} changed since it was written",
        thousands(count),
        started.elapsed().as_secs_f64(),
        thousands(events.len())
    );
    session.client.log_message(lsp::MessageType::INFO, line).await;
}

/// Builds the sorted ids of `shared` without holding its lock, so that an
/// edit meanwhile does not wait; they are dropped if the workspace changed
/// before they were ready (the next user builds them).
fn sort_ids_aside(shared: &SharedWorkspace) {
    for sigil in [Sigil::Entity, Sigil::Source] {
        let (revision, ids, interner) = {
            let ws = shared.read();
            if ws.index().has_sorted_ids(sigil) {
                continue;
            }
            (ws.revision(), ws.index().defined_ids(sigil), ws.shared_interner())
        };
        let sorted = Arc::new(SortedIds::new(ids.into_iter(), &interner));
        let ws = shared.read();
        if ws.revision() == revision {
            ws.index().offer_sorted_ids(sigil, sorted);
        }
    }
}

/// Loads one planned workspace: summaries only, since the texts of files
/// that are not open are read again when a request needs them. Also says
/// how much came from the cache, and why a cache found there was ignored
/// (lines for the client's log), gives the cache to write when none could
/// be used, and the files to verify.
fn build(p: PlannedWorkspace, top_root: &Path, cache: &CacheSettings, counter: &AtomicUsize) -> (Indexed, Aside) {
    let root = p.root.clone();
    // Summaries of the files cached (§16) that did not change come from
    // the cache (`NEWSMARK_CACHE_DIR`, or `.newsmark_cache` in the top
    // workspace's root, as `check` keeps it); the others are parsed.
    let stats = cache::RunStats::default();
    let files = p.files.len();
    let (mut ws, seed, unverified) =
        cache::load_workspace(cache, top_root, root.clone(), p.config, p.files, &stats, &|| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
    let mut log = stats.take_notes();
    let reused = stats.summaries_reused.load(Ordering::Relaxed);
    let from = cache.dir.as_ref().map_or_else(|| "no cache".to_owned(), |d| d.display().to_string());
    log.push(format!(
        "{}: {} files indexed, {} of them from the cache ({from}), {}",
        root.display(),
        thousands(files),
        thousands(reused),
        stats.load_time()
    ));
    for (path, message) in p.unreadable {
        let display_path = load::display_path(&path, &root);
        ws.set_file(crate::analysis::LoadedFile { path, display_path, content: Err(message) }, None);
    }
    (Indexed { ws }, Aside { log, seed, unverified })
}

/// What a workspace's load leaves for after the swap: lines for the
/// client's log, a cache to write, files to verify.
struct Aside {
    log: Vec<String>,
    seed: Option<cache::SeedCache>,
    unverified: cache::Unverified,
}

/// Publishes the `config` diagnostic of each `newsmark.toml` (an empty list
/// for a valid one, which clears an earlier error).
async fn publish_configs(session: &Session, configs: &[ConfigState]) {
    let enc = session.read(|s| s.settings.encoding);
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
