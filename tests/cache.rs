//! The persistent cache of spec §16 seen from outside: `check`'s output
//! with no cache, a cold cache and a warm cache is byte-identical after
//! every step of random edits, renames, deletions, config and registry
//! changes; metadata is trusted only as git trusts its index; and a cache
//! that is corrupt, truncated, foreign, unwritable, shared by two runs or
//! left by a killed run never changes a result.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use proptest::prelude::*;

fn newsmark() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_newsmark"));
    c.env_remove("NEWSMARK_CACHE_DIR").env_remove("NEWSMARK_TIMINGS");
    c
}

/// `check --format json` in `root` with extra arguments: (exit code, stdout).
fn check(root: &Path, args: &[&str]) -> (i32, String) {
    let out = check_output(root, args, &[]);
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

fn check_output(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = newsmark();
    c.current_dir(root).args(["check", "--format", "json"]).args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run newsmark")
}

/// Sleeps until files written so far are older than the racy window of a
/// run starting now.
fn wait_out_the_racy_window() {
    std::thread::sleep(newsmark::workspace::cache::RACY_WINDOW + std::time::Duration::from_millis(300));
}

/// A run's output and the cache statistics line `NEWSMARK_TIMINGS` prints.
fn check_with_stats(root: &Path, args: &[&str]) -> (Output, String) {
    let out = check_output(root, args, &[("NEWSMARK_TIMINGS", "1")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stats = stderr.lines().find(|l| l.starts_with("timing: cache:")).unwrap_or_default().to_owned();
    (out, stats)
}

/// The cache statistics line `NEWSMARK_TIMINGS` prints.
fn cache_stats(root: &Path, args: &[&str]) -> String {
    check_with_stats(root, args).1
}

/// `check --format FORMAT` in `root` with extra arguments: (exit code,
/// stdout), and the cache statistics line.
fn check_in_format(root: &Path, format: &str, args: &[&str]) -> ((Option<i32>, String), String) {
    let out = newsmark()
        .current_dir(root)
        .args(["check", "--format", format])
        .args(args)
        .env("NEWSMARK_TIMINGS", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stats = stderr.lines().find(|l| l.starts_with("timing: cache:")).unwrap_or_default().to_owned();
    ((out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned()), stats)
}

const FIRST: &[&str] = &["Ada", "Grace", "Alan", "Barbara", "Edsger", "Ken", "Dennis", "Margaret"];
const LAST: &[&str] = &["Lovelace", "Hopper", "Turing", "Liskov", "Dijkstra", "Thompson", "Ritchie", "Hamilton"];
const WORDS: &[&str] = &["the", "minister", "said", "on", "monday", "that", "talks", "would", "resume", "US", "us"];

/// A workspace as files (relative path → text).
#[derive(Clone, Debug)]
struct Tree(BTreeMap<String, String>);

/// Names a person may gain as an `aka` of its own, its display name kept:
/// surnames other articles tag, a phrase with "the", a short name.
const ALIASES: &[&str] = &["Hopper", "Turing", "Lovelace", "The Minister", "US"];

/// A person; `aka` picks its names, `extra` adds aliases from [`ALIASES`]
/// on a line of their own.
fn person(i: usize, aka: usize, extra: &[usize]) -> String {
    let (f, l) = (FIRST[i % FIRST.len()], LAST[(i / 2 + aka) % LAST.len()]);
    let mut s = format!("@p{i}: person \"{f} {l}\"\n");
    if aka % 3 != 0 {
        s.push_str(&format!("  aka: {l}; Dr. {l}\n"));
    }
    if !extra.is_empty() {
        let names: Vec<&str> = extra.iter().map(|&k| ALIASES[k % ALIASES.len()]).collect();
        s.push_str(&format!("  aka: {}\n", names.join("; ")));
    }
    s
}

fn registry(people: &[(usize, usize)], extra: &std::collections::BTreeSet<(usize, usize)>) -> String {
    let of = |i: usize| -> Vec<usize> { extra.iter().filter(|(j, _)| *j == i).map(|&(_, k)| k).collect() };
    people.iter().map(|&(i, aka)| person(i, aka, &of(i))).collect::<Vec<_>>().join("\n")
}

/// An article from a seed: prose with tags, untagged names, quotations,
/// references that may not resolve, and a source definition.
fn article(seed: u64) -> String {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    let mut prose = Vec::new();
    for _ in 0..(4 + next(12)) {
        prose.push(match next(7) {
            0 => format!("[{}]{{@p{}}}", LAST[next(LAST.len())], next(10)),
            1 => format!("{} {}", FIRST[next(FIRST.len())], LAST[next(LAST.len())]),
            2 => LAST[next(LAST.len())].to_string(),
            3 => "“we will not give up on these talks at all”".to_string(),
            4 => format!("[“a statement of seven words or more here”]{{^s{}}}", next(3)),
            _ => WORDS[next(WORDS.len())].to_string(),
        });
    }
    let date = ["2015-11", "2015-09-01", "2016"][next(3)];
    let mut text = format!("---\ntitle: T{seed}\npublished: {date}\n---\n\n{}\n", prose.join(" "));
    if next(2) == 0 {
        text.push_str(&format!("\n^s{}: statement \"S\"\n  by: @p{}\n  date: 2015-10\n", next(3), next(10)));
    }
    text
}

#[derive(Clone, Debug)]
enum Step {
    Edit(usize, u64),
    /// Rewrites an article with one byte changed, keeping its size.
    SameSize(usize),
    Rename(usize, u64),
    Delete(usize),
    Add(u64),
    Config(usize),
    Aka(usize, usize),
    /// Adds or removes one alias of a person, nothing else of it changed.
    Alias(usize, usize),
    AddPerson(usize),
    RemovePerson(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..8usize, any::<u64>()).prop_map(|(i, s)| Step::Edit(i, s)),
        1 => (0..8usize).prop_map(Step::SameSize),
        1 => (0..8usize, any::<u64>()).prop_map(|(i, s)| Step::Rename(i, s)),
        1 => (0..8usize).prop_map(Step::Delete),
        1 => any::<u64>().prop_map(Step::Add),
        1 => (0..4usize).prop_map(Step::Config),
        2 => (0..10usize, 0..8usize).prop_map(|(i, a)| Step::Aka(i, a)),
        2 => (0..10usize, 0..ALIASES.len()).prop_map(|(i, k)| Step::Alias(i, k)),
        1 => (10..14usize).prop_map(Step::AddPerson),
        1 => (0..10usize).prop_map(Step::RemovePerson),
    ]
}

const CONFIGS: &[&str] = &[
    "[lint]\nquote-min-words = 8\nrequired-front-matter = [\"title\", \"published\"]\n",
    "[lint]\nquote-min-words = 3\n",
    "[rules]\nuntagged-mention = \"error\"\n",
    "",
];

struct Model {
    tree: Tree,
    people: Vec<(usize, usize)>,
    /// Aliases added with [`Step::Alias`]: (person, alias).
    extra: std::collections::BTreeSet<(usize, usize)>,
}

impl Model {
    fn new(seed: u64) -> Model {
        let people: Vec<(usize, usize)> = (0..10).map(|i| (i, i % 4)).collect();
        let mut files = BTreeMap::new();
        files.insert("newsmark.toml".to_string(), CONFIGS[0].to_string());
        let none = std::collections::BTreeSet::new();
        files.insert("registry/people.nmk".to_string(), registry(&people[..6], &none));
        files.insert("registry/more.nmk".to_string(), registry(&people[6..], &none));
        for i in 0..6 {
            files.insert(format!("articles/a{i}.nmk"), article(seed + i));
        }
        Model { tree: Tree(files), people, extra: none }
    }

    fn articles(&self) -> Vec<String> {
        self.tree.0.keys().filter(|k| k.starts_with("articles/")).cloned().collect()
    }

    fn registries(&mut self) {
        let (a, b): (Vec<_>, Vec<_>) = self.people.iter().partition(|(i, _)| i % 2 == 0);
        self.tree.0.insert("registry/people.nmk".into(), registry(&a, &self.extra));
        self.tree.0.insert("registry/more.nmk".into(), registry(&b, &self.extra));
    }

    fn apply(&mut self, step: &Step) {
        let articles = self.articles();
        let pick = |i: usize| articles.get(i % articles.len().max(1)).cloned();
        match *step {
            Step::Edit(i, seed) => {
                if let Some(p) = pick(i) {
                    self.tree.0.insert(p, article(seed));
                }
            }
            Step::SameSize(i) => {
                if let Some(text) = pick(i).and_then(|p| self.tree.0.get_mut(&p)) {
                    // "Ada" ↔ "Ala": same length, a name no longer named.
                    *text = if text.contains("Ada") {
                        text.replacen("Ada", "Ala", 1)
                    } else {
                        text.replacen("the", "Ada", 1)
                    };
                }
            }
            Step::Rename(i, seed) => {
                if let Some(p) = pick(i) {
                    let text = self.tree.0.remove(&p).unwrap_or_default();
                    self.tree.0.insert(format!("articles/r{}.nmk", seed % 20), text);
                }
            }
            Step::Delete(i) => {
                if let Some(p) = pick(i) {
                    self.tree.0.remove(&p);
                }
            }
            Step::Add(seed) => {
                self.tree.0.insert(format!("articles/n{}.nmk", seed % 20), article(seed));
            }
            Step::Config(c) => {
                self.tree.0.insert("newsmark.toml".into(), CONFIGS[c].to_string());
            }
            Step::Aka(i, aka) => {
                if let Some(p) = self.people.iter_mut().find(|(j, _)| *j == i) {
                    p.1 = aka;
                }
                self.registries();
            }
            Step::Alias(i, k) => {
                if !self.extra.remove(&(i, k)) {
                    self.extra.insert((i, k));
                }
                self.registries();
            }
            Step::AddPerson(i) => {
                if !self.people.iter().any(|(j, _)| *j == i) {
                    self.people.push((i, 1));
                }
                self.registries();
            }
            Step::RemovePerson(i) => {
                self.people.retain(|(j, _)| *j != i);
                self.registries();
            }
        }
    }
}

/// Makes `dir` hold exactly `tree`, touching only files that differ.
fn sync(dir: &Path, tree: &Tree) {
    std::fs::create_dir_all(dir).unwrap();
    for entry in walk(dir) {
        let rel = entry.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
        if !tree.0.contains_key(&rel) {
            std::fs::remove_file(&entry).unwrap();
        }
    }
    for (rel, text) in &tree.0 {
        let path = dir.join(rel);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
    }
}

/// Files under `dir`, hidden folders (the cache) left out.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_cache_cold_cache_and_warm_cache_agree_after_every_step(
        seed in any::<u64>(),
        steps in prop::collection::vec(step(), 1..8),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ws");
        let warm = dir.path().join("warm");
        let mut model = Model::new(seed);
        sync(&root, &model.tree);
        let warm_arg = ["--cache-dir", warm.to_str().unwrap()];
        check(&root, &warm_arg);
        for (n, step) in steps.iter().enumerate() {
            model.apply(step);
            sync(&root, &model.tree);
            let expected = check(&root, &["--no-cache"]);
            let cold = dir.path().join(format!("cold{n}"));
            let cold_run = check(&root, &["--cache-dir", cold.to_str().unwrap()]);
            prop_assert_eq!(&cold_run, &expected, "cold cache after {:?}", step);
            let warm_run = check(&root, &warm_arg);
            prop_assert_eq!(&warm_run, &expected, "warm cache after {:?}", step);
            // And once more, now that the cache holds this very state, in
            // the formats that show related places and source lines.
            let warmer = check(&root, &warm_arg);
            prop_assert_eq!(&warmer, &expected, "second warm run after {:?}", step);
            for format in ["github", "human"] {
                let of = |extra: &[&str]| {
                    let out = newsmark().current_dir(&root).args(["check", "--format", format]).args(extra).output().unwrap();
                    String::from_utf8_lossy(&out.stdout).into_owned()
                };
                prop_assert_eq!(of(&warm_arg), of(&["--no-cache"]), "{} after {:?}", format, step);
            }
        }
    }
}

/// Names and words that several entities share, in several forms (short
/// names keep their case: `US` is not `us`).
const SHARED: [&str; 10] = ["Li", "LI", "Dan Li", "Ann Li", "Smith", "SMITH", "John Smith", "US", "U.S.", "us"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    /// Registries whose entities share names in several forms, and an
    /// article whose prose is edited again and again: each edit is checked
    /// through the directory of definitions (against the first holders of
    /// each name it may hold), to the output of a check without a cache.
    #[test]
    fn edits_checked_through_the_directory_agree_with_no_cache(
        registries in prop::collection::vec(prop::collection::vec((0..8u8, 0..SHARED.len(), 0..SHARED.len()), 1..5), 1..4),
        edits in prop::collection::vec(prop::collection::vec(0..SHARED.len() + 3, 1..12), 1..4),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ws");
        let mut tree = BTreeMap::new();
        tree.insert("newsmark.toml".to_string(), String::new());
        for (r, entities) in registries.iter().enumerate() {
            let text: String = entities
                .iter()
                .map(|(e, name, aka)| format!("@e{e}: person \"{}\"\n  aka: {}\n\n", SHARED[*name], SHARED[*aka]))
                .collect();
            tree.insert(format!("registry/r{r}.nmk"), text);
        }
        // Each text of the article differs from the one before: "take n".
        let article = |words: &[usize], take: usize| {
            let prose: Vec<&str> =
                words.iter().map(|&w| SHARED.get(w).copied().unwrap_or_else(|| ["met", "the", "said"][w % 3])).collect();
            format!("---\ntitle: A\npublished: 2016\n---\n\n{} (take {take}).\n", prose.join(" "))
        };
        tree.insert("articles/a.nmk".to_string(), article(&[0], 0));
        tree.insert("articles/b.nmk".to_string(), "---\ntitle: B\npublished: 2016\n---\n\nWords.\n".to_string());
        sync(&root, &Tree(tree));
        let cache = dir.path().join("c");
        let args = ["--cache-dir", cache.to_str().unwrap()];
        check(&root, &args);
        for (take, words) in edits.iter().enumerate() {
            std::fs::write(root.join("articles/a.nmk"), article(words, take + 1)).unwrap();
            let (out, stats) = check_with_stats(&root, &args);
            let warm = (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned());
            prop_assert_eq!(&warm, &check(&root, &["--no-cache"]), "after {:?}: {}", words, stats);
            prop_assert!(stats.contains("blocks of the directory"), "{}", stats);
        }
    }
}

/// A small workspace in a temporary folder.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    sync(&root, &Model::new(7).tree);
    (dir, root)
}

#[test]
fn the_default_cache_is_in_the_root_and_ignores_itself() {
    let (_dir, root) = workspace();
    let expected = check(&root, &["--no-cache"]);
    assert!(!root.join(".newsmark_cache").exists(), "--no-cache wrote a cache");
    assert_eq!(check(&root, &[]), expected);
    assert_eq!(std::fs::read_to_string(root.join(".newsmark_cache/.gitignore")).unwrap(), "*\n");
    assert_eq!(check(&root, &[]), expected);
    // NEWSMARK_CACHE_DIR moves it.
    let elsewhere = root.parent().unwrap().join("env-cache");
    let out = check_output(&root, &[], &[("NEWSMARK_CACHE_DIR", elsewhere.to_str().unwrap())]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected.1);
    assert!(elsewhere.join(".gitignore").exists());
}

/// The config's rule overrides key the cached diagnostics in a fixed
/// order: with several of them, a second run reuses every file's
/// diagnostics (the key once followed a hash map's order, which changes
/// from one process to the next, so such a config never reused any).
#[test]
fn a_config_with_several_rule_overrides_keeps_the_cached_diagnostics() {
    let (dir, root) = workspace();
    let rules = [
        "unused-definition = \"off\"",
        "untagged-mention = \"warning\"",
        "unknown-alias = \"off\"",
        "missing-attribution = \"warning\"",
        "duplicate-key = \"info\"",
        "unknown-key = \"info\"",
    ];
    std::fs::write(root.join("newsmark.toml"), format!("[rules]\n{}\n", rules.join("\n"))).unwrap();
    let cache = dir.path().join("c");
    let args = ["--cache-dir", cache.to_str().unwrap()];
    let files = nmk_files(&root);
    assert!(cache_stats(&root, &args).contains(&format!("diagnostics of 0 reused, {files} computed")));
    for _ in 0..3 {
        let stats = cache_stats(&root, &args);
        assert!(stats.contains(&format!("diagnostics of {files} reused, 0 computed")), "{stats}");
    }
    assert_eq!(check(&root, &args), check(&root, &["--no-cache"]));
}

/// A tree copied elsewhere with its cache (a CI runner whose build folder
/// is not the last one's) keeps its cached diagnostics: every file is
/// verified by content, none diagnosed again, and the output is that of
/// `--no-cache`, paths included.
#[test]
fn a_tree_checked_out_elsewhere_keeps_its_cached_diagnostics() {
    let (dir, root) = workspace();
    let cache = dir.path().join("c");
    let args = ["--cache-dir", cache.to_str().unwrap()];
    check(&root, &args);
    // The same files as `workspace` wrote, new ones.
    let elsewhere = dir.path().join("other-checkout").join("ws");
    sync(&elsewhere, &Model::new(7).tree);
    let files = nmk_files(&elsewhere);
    let stats = warm_equals_no_cache(&elsewhere, &args);
    assert!(stats.contains(&format!("0 files unchanged by metadata, {files} by content, 0 parsed")), "{stats}");
    assert!(stats.contains(&format!("diagnostics of {files} reused, 0 computed")), "{stats}");
}

/// A run in which only articles changed writes no cache of its own, but
/// keeps the stamps of the files it had to read to find them unchanged
/// (racy when the cache was written): the next run trusts them by
/// metadata instead of reading every file again.
#[test]
fn a_run_in_which_only_articles_changed_keeps_the_stamps_it_refreshed() {
    let (dir, root) = workspace();
    let cache = dir.path().join("c");
    let args = ["--cache-dir", cache.to_str().unwrap()];
    let first = cache_stats(&root, &args);
    assert!(first.contains("0 files unchanged by metadata"), "{first}");
    wait_out_the_racy_window();
    let path = root.join("articles/a0.nmk");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}\nThe talks would resume.\n")).unwrap();
    let expected = check(&root, &["--no-cache"]);
    let edited = cache_stats(&root, &args);
    assert!(edited.contains("0 files unchanged by metadata, 7 by content, 1 parsed"), "{edited}");
    assert!(edited.contains("checked against"), "not the narrowed run: {edited}");
    let next = cache_stats(&root, &args);
    assert!(next.contains(" 7 files unchanged by metadata, 0 by content, 1 parsed"), "{next}");
    assert_eq!(check(&root, &args), expected);
}

#[test]
fn metadata_is_trusted_only_outside_the_racy_window_and_an_edit_keeping_size_and_mtime_is_seen() {
    let (dir, root) = workspace();
    let cache = dir.path().join("c");
    let args = ["--cache-dir", cache.to_str().unwrap()];
    // Files written just now are within the racy window of this run: they
    // must be verified by content, not trusted.
    let first = cache_stats(&root, &args);
    assert!(first.contains("0 files unchanged by metadata"), "{first}");
    let second = cache_stats(&root, &args);
    assert!(second.contains("0 files unchanged by metadata"), "racy files trusted: {second}");
    wait_out_the_racy_window();
    // Read once more now that they are old: from then on metadata suffices.
    cache_stats(&root, &args);
    let trusted = cache_stats(&root, &args);
    assert!(trusted.contains(" 8 files unchanged by metadata, 0 by content, 0 parsed"), "{trusted}");

    // Same size, same mtime, different bytes: ctime (which no one can set
    // back) gives it away.
    let path = root.join("articles/a0.nmk");
    let before = std::fs::metadata(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen("T7", "X7", 1);
    assert_eq!(edited.len(), text.len());
    std::fs::write(&path, &edited).unwrap();
    std::fs::File::options().write(true).open(&path).unwrap().set_modified(before.modified().unwrap()).unwrap();
    let after = std::fs::metadata(&path).unwrap();
    assert_eq!((after.len(), after.modified().unwrap()), (before.len(), before.modified().unwrap()));
    let expected = check(&root, &["--no-cache"]);
    assert_eq!(check(&root, &args), expected);
    let stats = cache_stats(&root, &args);
    assert!(stats.contains(" 7 files unchanged by metadata"), "{stats}");
}

/// The single cache file of `dir`.
fn cache_file(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "bin"))
        .expect("a cache file")
}

/// The report lines kept beside the cache files of `dir`.
fn kept_lines(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "report"))
        .collect();
    found.sort();
    found
}

fn forget_kept_lines(dir: &Path) {
    for f in kept_lines(dir) {
        std::fs::remove_file(f).unwrap();
    }
}

/// How many files' lines a run replayed, from its cache statistics.
fn replayed(stats: &str) -> usize {
    let (before, _) = stats.split_once(" files replayed").unwrap_or_else(|| panic!("no replay count: {stats}"));
    before.rsplit(' ').next().unwrap().parse().unwrap()
}

/// Runs with a damaged cache: the output is right, and the next run is
/// warm again.
fn survives(why: &str, damage: impl Fn(&Path)) {
    let (dir, root) = workspace();
    let cache = dir.path().join("c");
    let args = ["--cache-dir", cache.to_str().unwrap()];
    let expected = check(&root, &["--no-cache"]);
    assert_eq!(check(&root, &args), expected);
    damage(&cache_file(&cache));
    let out = check_output(&root, &args, &[]);
    assert_eq!((out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into_owned()), expected);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("note: ignoring the cache") && stderr.contains(why), "{stderr}");
    let stats = cache_stats(&root, &args);
    assert!(stats.contains("0 parsed"), "the cache was not rebuilt: {stats}");
    assert_eq!(check(&root, &args), expected);
}

#[test]
fn a_truncated_cache_is_ignored_and_rebuilt() {
    survives("truncated", |f| {
        let bytes = std::fs::read(f).unwrap();
        std::fs::write(f, &bytes[..bytes.len() / 2]).unwrap();
    });
    survives("not a cache file", |f| std::fs::write(f, b"").unwrap());
}

#[test]
fn a_cache_with_flipped_bytes_is_ignored_and_rebuilt() {
    survives("checksum mismatch", |f| {
        let mut bytes = std::fs::read(f).unwrap();
        for i in (20..bytes.len()).step_by(97) {
            bytes[i] ^= 0x5a;
        }
        std::fs::write(f, bytes).unwrap();
    });
}

/// The parts of a cache file: magic, the head's checksum, the head (the
/// lengths of the table, diagnostics and summaries, the checksums of the
/// diagnostics and summaries), the table (zstd), the diagnostics, the
/// summaries.
struct Layout {
    head: [u64; 5],
    table: Vec<u8>,
    diagnosed: Vec<u8>,
    summaries: Vec<u8>,
}

impl Layout {
    fn read(f: &Path) -> Layout {
        let bytes = std::fs::read(f).unwrap();
        let field = |i: usize| u64::from_le_bytes(bytes[16 + 8 * i..24 + 8 * i].try_into().unwrap());
        let head = [0, 1, 2, 3, 4].map(field);
        let (table, rest) = bytes[56..].split_at(head[0] as usize);
        let (diagnosed, summaries) = rest.split_at(head[1] as usize);
        assert_eq!(summaries.len() as u64, head[2], "layout");
        Layout { head, table: table.to_vec(), diagnosed: diagnosed.to_vec(), summaries: summaries.to_vec() }
    }

    /// Writes it with the lengths it has and a valid head checksum (the
    /// sections' checksums as they are in `head`).
    fn write(mut self, f: &Path) {
        self.head[..3]
            .copy_from_slice(&[self.table.len(), self.diagnosed.len(), self.summaries.len()].map(|n| n as u64));
        let mut checked: Vec<u8> = self.head.iter().flat_map(|h| h.to_le_bytes()).collect();
        checked.extend_from_slice(&self.table);
        let mut bytes = b"NMKCACHE".to_vec();
        bytes.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&checked).to_le_bytes());
        bytes.extend_from_slice(&checked);
        bytes.extend_from_slice(&self.diagnosed);
        bytes.extend_from_slice(&self.summaries);
        std::fs::write(f, bytes).unwrap();
    }
}

#[test]
fn another_versions_cache_is_ignored_and_rebuilt() {
    survives("written by another version", |f| {
        // Same layout, another program version, valid checksums.
        let mut layout = Layout::read(f);
        let mut table = zstd::decode_all(layout.table.as_slice()).unwrap();
        let at = table.windows(9).position(|w| w == b"newsmark ").expect("program id") + 9;
        table[at] = b'9';
        layout.table = zstd::encode_all(table.as_slice(), 1).unwrap();
        layout.write(f);
    });
}

/// A cache whose summaries section alone is damaged, by `damage` (given
/// the file): a run with nothing changed does not read the summaries and
/// is right; the next, after an edit, reads them, finds the damage, and
/// is right too, as a cold run; the run after is warm again.
fn survives_in_the_summaries(damage: impl Fn(&Path)) {
    let (dir, root) = workspace();
    let cache = dir.path().join("c");
    let args = ["--cache-dir", cache.to_str().unwrap()];
    assert_eq!(check(&root, &args), check(&root, &["--no-cache"]));
    damage(&cache_file(&cache));
    let expected = check(&root, &["--no-cache"]);
    let out = check_output(&root, &args, &[("NEWSMARK_TIMINGS", "1")]);
    assert_eq!((out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into_owned()), expected);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("summaries read from 0 cache files") && !stderr.contains("note:"), "{stderr}");

    // An edit that tags Ada Lovelace (`@p0`) by her name: a wrong summary
    // of the registry would show in its diagnostics.
    let tagged = "---\ntitle: E\npublished: 2016\n---\n\n[Ada Lovelace]{@p0} spoke.\n";
    std::fs::write(root.join("articles/a1.nmk"), tagged).unwrap();
    let expected = check(&root, &["--no-cache"]);
    let out = check_output(&root, &args, &[("NEWSMARK_TIMINGS", "1")]);
    assert_eq!((out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into_owned()), expected);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("note: ignoring the summaries section of the cache"), "{stderr}");
    assert!(stderr.contains("checksum mismatch") && stderr.contains(" 8 parsed"), "{stderr}");
    let stats = cache_stats(&root, &args);
    assert!(stats.contains("0 parsed"), "the cache was not rebuilt: {stats}");
    assert_eq!(check(&root, &args), expected);
}

#[test]
fn a_summaries_section_with_a_flipped_byte_is_found_when_it_is_read() {
    survives_in_the_summaries(|f| {
        let mut layout = Layout::read(f);
        let middle = layout.summaries.len() / 2;
        layout.summaries[middle] ^= 0x5a;
        layout.write(f);
    });
}

/// A diagnostics section with a flipped byte: a warm run with nothing
/// changed reads it, finds the damage, and is right as a cold run; it
/// writes the cache again, and the run after is warm.
#[test]
fn a_diagnostics_section_with_a_flipped_byte_is_found_and_rebuilt() {
    let (dir, root) = workspace();
    let cache = dir.path().join("c");
    let args = ["--cache-dir", cache.to_str().unwrap()];
    let expected = check(&root, &["--no-cache"]);
    assert_eq!(check(&root, &args), expected);
    // Without the lines kept beside it, the run reads the diagnostics.
    forget_kept_lines(&cache);
    let f = cache_file(&cache);
    let mut layout = Layout::read(&f);
    let middle = layout.diagnosed.len() / 2;
    layout.diagnosed[middle] ^= 0x5a;
    layout.write(&f);
    let out = check_output(&root, &args, &[("NEWSMARK_TIMINGS", "1")]);
    assert_eq!((out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into_owned()), expected);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("note: ignoring the diagnostics section of the cache"), "{stderr}");
    assert!(stderr.contains("checksum mismatch"), "{stderr}");
    let stats = cache_stats(&root, &args);
    assert!(stats.contains(" 0 parsed;") && stats.contains("reused, 0 computed"), "the cache was not rebuilt: {stats}");
    assert_eq!(check(&root, &args), expected);
}

/// Summaries that still decompress and decode, but say something else
/// (an entity renamed), each frame compressed again under the head it had:
/// its checksum no longer matches, nor does the section's. A run that reads
/// one summary alone (an edited article's) finds the first, one that reads
/// them all the second.
#[test]
fn summaries_that_decode_but_changed_are_found_when_they_are_read() {
    survives_in_the_summaries(|f| {
        let mut layout = Layout::read(f);
        let mut renamed = 0;
        let mut section = Vec::new();
        for (mut raw, sum) in lz4_frames_decoded(&layout.summaries) {
            for at in 0..raw.len().saturating_sub(8) {
                if &raw[at..at + 8] == b"Lovelace" {
                    raw[at..at + 8].copy_from_slice(b"Lovelaxe");
                    renamed += 1;
                }
            }
            section.extend(lz4_frame(&raw, sum));
        }
        assert!(renamed > 0, "no entity to rename");
        layout.summaries = section;
        layout.write(f);
    });
}

/// The summaries section's LZ4 frames (each a head of its compressed and
/// decompressed lengths and the checksum of its compressed bytes, u64
/// little-endian, then an LZ4 block), each decoded, with its checksum.
fn lz4_frames_decoded(mut section: &[u8]) -> Vec<(Vec<u8>, u64)> {
    let mut out = Vec::new();
    while !section.is_empty() {
        let field = |i: usize| u64::from_le_bytes(section[8 * i..8 * i + 8].try_into().unwrap());
        let (len, size, sum) = (field(0) as usize, field(1) as usize, field(2));
        out.push((lz4_flex::block::decompress(&section[24..24 + len], size).unwrap(), sum));
        section = &section[24 + len..];
    }
    out
}

/// `raw` as one frame of the summaries section, its head saying `sum`.
fn lz4_frame(raw: &[u8], sum: u64) -> Vec<u8> {
    let block = lz4_flex::block::compress(raw);
    let mut frame = (block.len() as u64).to_le_bytes().to_vec();
    frame.extend_from_slice(&(raw.len() as u64).to_le_bytes());
    frame.extend_from_slice(&sum.to_le_bytes());
    frame.extend(block);
    frame
}

/// Nothing changed: the summaries section is not read, even by a run that
/// writes the cache again (racy files read again): it is copied as it is.
/// One file changed: it is read.
#[test]
fn a_warm_run_reads_the_summaries_only_when_a_file_changed() {
    let (dir, root) = workspace();
    let cache = dir.path().join("c");
    let args = ["--cache-dir", cache.to_str().unwrap()];
    let cold = cache_stats(&root, &args);
    assert!(cold.contains("summaries read from 0 cache files"), "{cold}");
    let written = std::fs::metadata(cache_file(&cache)).unwrap().modified().unwrap();
    let unchanged = cache_stats(&root, &args);
    assert!(unchanged.contains("0 parsed") && unchanged.contains("summaries read from 0 cache files"), "{unchanged}");
    let rewritten = std::fs::metadata(cache_file(&cache)).unwrap().modified().unwrap();
    assert_ne!(written, rewritten, "racy files read again should have been written back");
    assert_eq!(check(&root, &args), check(&root, &["--no-cache"]));

    std::fs::write(root.join("articles/a1.nmk"), article(99)).unwrap();
    let edited = cache_stats(&root, &args);
    assert!(edited.contains("1 parsed") && edited.contains("summaries read from 1 cache files"), "{edited}");
    assert_eq!(check(&root, &args), check(&root, &["--no-cache"]));
}

#[test]
fn an_unwritable_cache_folder_never_fails_the_run() {
    let (dir, root) = workspace();
    let expected = check(&root, &["--no-cache"]);
    // A file where the folder should be: nothing can be created in it
    // (a read-only folder would not stop root, who runs CI here).
    let blocked = dir.path().join("blocked");
    std::fs::write(&blocked, "not a folder").unwrap();
    let inside = blocked.join("cache");
    let out = check_output(&root, &["--cache-dir", inside.to_str().unwrap()], &[]);
    assert_eq!((out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into_owned()), expected);
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the cache"));
    assert_eq!(check(&root, &["--cache-dir", blocked.to_str().unwrap()]), expected);
}

#[test]
fn two_runs_at_once_both_succeed() {
    let (dir, root) = workspace();
    let cache = dir.path().join("c");
    let expected = check(&root, &["--no-cache"]);
    for round in 0..3 {
        if round == 2 {
            // Both warm, one after an edit.
            std::fs::write(root.join("articles/a1.nmk"), article(99)).unwrap();
        }
        let expected = if round == 2 { check(&root, &["--no-cache"]) } else { expected.clone() };
        let spawn = || {
            newsmark()
                .current_dir(&root)
                .args(["check", "--format", "json", "--cache-dir", cache.to_str().unwrap()])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            assert_eq!((out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into_owned()), expected);
        }
    }
}

#[test]
fn a_run_killed_while_writing_leaves_a_correct_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut model = Model::new(3);
    for i in 0..400 {
        model.tree.0.insert(format!("articles/bulk{i}.nmk"), article(1000 + i));
    }
    sync(&root, &model.tree);
    let cache = dir.path().join("c");
    let expected = check(&root, &["--no-cache"]);
    for delay_ms in [5u64, 20, 40, 80, 120, 200, 300] {
        let mut child = newsmark()
            .current_dir(&root)
            .args(["check", "--format", "json", "--cache-dir", cache.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        std::fs::write(root.join("articles/a2.nmk"), article(delay_ms)).unwrap();
        let expected_now = check(&root, &["--no-cache"]);
        assert_eq!(
            check(&root, &["--cache-dir", cache.to_str().unwrap()]),
            expected_now,
            "after a kill at {delay_ms} ms"
        );
    }
    let _ = expected;
}

#[test]
fn the_server_loads_unchanged_files_from_the_cache_check_wrote() {
    use newsmark::workspace::cache::{CacheSettings, RunCache, RunStats, check_plan, load_workspace};
    use std::sync::atomic::Ordering;

    let (dir, root) = workspace();
    let root = root.canonicalize().unwrap();
    let settings = CacheSettings { dir: Some(dir.path().join("c")) };
    // `check`'s engine, in this process: a cache is only read by the same
    // program that wrote it.
    let plan = newsmark::workspace::load::plan(&root).unwrap();
    let (_, writes) = check_plan(plan, &root, RunCache::new(&settings), None, &|_| true, &RunStats::default(), &|| {});
    for w in writes {
        assert_eq!(w.join().unwrap(), None);
    }
    let load = |stats: &RunStats| {
        let plan = newsmark::workspace::load::plan(&root).unwrap();
        let p = plan.workspaces.into_iter().next().unwrap();
        load_workspace(&settings, &root, p.root, p.config, p.files, stats, &|| {})
    };
    let fresh = newsmark::workspace::load::plan(&root).unwrap().build(&root, &|| {}).remove(0);
    let stats = RunStats::default();
    let (ws, seed, unverified) = load(&stats);
    // The cache it read is never written over by the server.
    assert!(seed.is_none());
    // Every entry was racy: verified by content, none left to verify.
    assert!(unverified.is_empty(), "{unverified:?}");
    assert_eq!(stats.parsed.load(Ordering::Relaxed), 0, "{}", stats.summary());
    assert_eq!(stats.verified.load(Ordering::Relaxed), 8, "{}", stats.summary());
    assert_eq!(stats.summaries_reused.load(Ordering::Relaxed), 8, "{}", stats.summary());
    let summaries = |w: &newsmark::analysis::Workspace| -> Vec<_> {
        w.files().map(|(_, f)| (f.path.clone(), f.summary.to_stored(w.interner()))).collect()
    };
    assert_eq!(summaries(&ws), summaries(&fresh));
    assert!(ws.names().lookup("Grace Hopper").is_some());

    // An edited file is parsed, not taken from the cache.
    std::fs::write(root.join("articles/a3.nmk"), article(4242)).unwrap();
    let stats = RunStats::default();
    let (ws, seed, _) = load(&stats);
    assert!(seed.is_none());
    assert_eq!(stats.parsed.load(Ordering::Relaxed), 1, "{}", stats.summary());
    assert_eq!(stats.summaries_reused.load(Ordering::Relaxed), 7, "{}", stats.summary());
    let fresh = newsmark::workspace::load::plan(&root).unwrap().build(&root, &|| {}).remove(0);
    assert_eq!(summaries(&ws), summaries(&fresh));

    // Entries written once the racy window passed are taken on their
    // word, no file's metadata read, and left to verify.
    wait_out_the_racy_window();
    let plan = newsmark::workspace::load::plan(&root).unwrap();
    let (_, writes) = check_plan(plan, &root, RunCache::new(&settings), None, &|_| true, &RunStats::default(), &|| {});
    for w in writes {
        assert_eq!(w.join().unwrap(), None);
    }
    let stats = RunStats::default();
    let (ws, _, unverified) = load(&stats);
    assert_eq!(stats.trusted.load(Ordering::Relaxed), 8, "{}", stats.summary());
    assert_eq!(unverified.len(), 8);
    assert_eq!(unverified.changed(), []);
    assert_eq!(summaries(&ws), summaries(&fresh));
    // Rewritten (another size), rewritten keeping size and mtime, removed:
    // each found by the verification, as `check` would find it.
    let edited = root.join("articles/a1.nmk");
    std::fs::write(&edited, article(777_777)).unwrap();
    let same_size = root.join("articles/a2.nmk");
    let before = std::fs::read_to_string(&same_size).unwrap();
    let mtime = std::fs::metadata(&same_size).unwrap().modified().unwrap();
    std::fs::write(&same_size, before.replacen("title: T", "title: X", 1)).unwrap();
    assert_eq!(std::fs::read_to_string(&same_size).unwrap().len(), before.len());
    std::fs::File::options().write(true).open(&same_size).unwrap().set_modified(mtime).unwrap();
    let removed = root.join("articles/a3.nmk");
    std::fs::remove_file(&removed).unwrap();
    let mut changed = unverified.changed();
    changed.sort();
    assert_eq!(changed, [(edited, true), (same_size, true), (removed, false)]);
}

/// Writes `text` at `rel` under `root`, creating folders.
fn write_under(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// An entity's `aka` changed, nothing else of it: the files referencing
/// it are checked again only when the change can reach them (a tag written
/// as a name it gained or lost; a fix that edits its definition), against
/// the definitions they can meet (the narrowed run, which writes no
/// cache: each step is measured against a cache written anew before it),
/// and the output is that of `--no-cache` after each change.
#[test]
fn an_aka_change_checks_again_only_the_files_it_can_change() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let write = |rel: &str, text: &str| write_under(&root, rel, text);
    let article = |title: &str, prose: &str| format!("---\ntitle: {title}\npublished: 2016\n---\n\n{prose}\n");
    let registry = |aka: &str| format!("@p1: person \"Ada Lovelace\"\n  aka: {aka}\n\n@p2: person \"Alan Turing\"\n");
    write("newsmark.toml", "");
    write("registry/people.nmk", &registry("Lovelace"));
    write("articles/a.nmk", &article("A", "[Ada Lovelace]{@p1} spoke."));
    // `unknown-alias`, with a fix that edits the registry.
    write("articles/b.nmk", &article("B", "[Countess Ada]{@p1} spoke."));
    write("articles/c.nmk", &article("C", "[The Countess]{@p1} spoke."));
    write("articles/d.nmk", &article("D", "Nobody spoke."));
    write("articles/e.nmk", &article("E", "[Lovelace]{@p1} wrote."));
    let cache = dir.path().join("c");
    let args = ["--cache-dir", cache.to_str().unwrap()];
    assert!(cache_stats(&root, &args).contains("diagnostics of 0 reused, 6 computed"));
    assert_eq!(check(&root, &args), check(&root, &["--no-cache"]));
    // The cache of the tree as it is (a first run writes one).
    let rewarm = || {
        std::fs::remove_dir_all(&cache).unwrap();
        check(&root, &args);
    };

    // "The Countess" gained: the registry and `c` (whose tag is that
    // name) are checked again; `b`'s fix, which adds an `aka` at the end
    // of the entity's definition, moves with it; `a` and `e`, which
    // reference the entity too, are not reached.
    write("registry/people.nmk", &registry("Lovelace; The Countess"));
    let stats = cache_stats(&root, &args);
    assert!(stats.contains("diagnostics of 4 reused, 2 computed"), "{stats}");
    assert!(stats.contains("2 files checked against"), "{stats}");
    assert!(stats.contains("1 followed the definitions"), "{stats}");
    let gained = check(&root, &args);
    assert!(!gained.1.contains("The Countess”"), "{}", gained.1);
    assert_eq!(gained, check(&root, &["--no-cache"]));

    // "Lovelace" lost: `e`'s tag is now an unknown alias (and `a` holds
    // the word too); `c` and `d` are not checked again, `b`'s fix moves.
    rewarm();
    write("registry/people.nmk", &registry("The Countess"));
    let stats = cache_stats(&root, &args);
    assert!(stats.contains("diagnostics of 3 reused, 3 computed"), "{stats}");
    assert!(stats.contains("3 files checked against"), "{stats}");
    assert!(stats.contains("1 followed the definitions"), "{stats}");
    let lost = check(&root, &args);
    assert!(lost.1.contains("“Lovelace” is neither"), "{}", lost.1);
    assert_eq!(lost, check(&root, &["--no-cache"]));

    // The display name changed: every file referencing the entity, in
    // the whole check.
    rewarm();
    write("registry/people.nmk", &registry("The Countess").replace("\"Ada Lovelace\"", "\"Ada King\""));
    let stats = cache_stats(&root, &args);
    assert!(stats.contains("diagnostics of 1 reused, 5 computed"), "{stats}");
    assert!(!stats.contains("checked against"), "{stats}");
    assert_eq!(check(&root, &args), check(&root, &["--no-cache"]));
}

/// A fix that edits a registry holds offsets into it: the cached
/// diagnostic stands while that registry is unchanged, whatever else
/// changed, and is computed again (with the new offsets) once it changes.
/// The lines and columns of those offsets are kept with it: a warm run
/// reads the registry only to place a fix computed again.
#[test]
fn a_fix_into_another_file_is_reused_until_that_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let write = |rel: &str, text: &str| write_under(&root, rel, text);
    write("newsmark.toml", "");
    write("registry/people.nmk", "@p1: person \"Ada Lovelace\"\n");
    // An alias the registry does not list: `unknown-alias`, whose fix adds
    // it to the `aka` of `@p1` in the registry.
    write("articles/a.nmk", "---\ntitle: A\npublished: 2016\n---\n\n[Countess Ada]{@p1} spoke.\n");
    write("articles/b.nmk", "---\ntitle: B\npublished: 2016\n---\n\nNothing here.\n");
    let cache = dir.path().join("c");
    let args = ["--cache-dir", cache.to_str().unwrap()];
    let cold = cache_stats(&root, &args);
    assert!(cold.contains("diagnostics of 0 reused, 3 computed; 1 files read for positions"), "{cold}");
    let unchanged = cache_stats(&root, &args);
    assert!(unchanged.contains("diagnostics of 3 reused, 0 computed; 0 files read for positions"), "{unchanged}");
    let first = check(&root, &args);
    assert!(first.1.contains("\"file\":\"registry/people.nmk\",\"line\":1"), "{}", first.1);
    assert_eq!(first, check(&root, &["--no-cache"]));

    write("articles/b.nmk", "---\ntitle: B\npublished: 2016\n---\n\nNothing here at all.\n");
    let stats = cache_stats(&root, &args);
    assert!(stats.contains("diagnostics of 2 reused, 1 computed; 0 files read for positions"), "{stats}");
    assert_eq!(check(&root, &args), check(&root, &["--no-cache"]));

    // The article changes, not the registry: its fix is computed again,
    // and placed in the registry, read once. (A run in which only articles
    // changed writes no cache: `b` still counts as changed.)
    write("articles/a.nmk", "---\ntitle: A\npublished: 2016\n---\n\nToday [Countess Ada]{@p1} spoke.\n");
    let stats = cache_stats(&root, &args);
    assert!(stats.contains("diagnostics of 1 reused, 2 computed; 1 files read for positions"), "{stats}");
    assert_eq!(check(&root, &args), check(&root, &["--no-cache"]));

    // The definition moves down a line: the fix must follow it. (Both
    // articles are still changed for the cache, as said above.)
    write("registry/people.nmk", "# People\n@p1: person \"Ada Lovelace\"\n");
    let stats = cache_stats(&root, &args);
    assert!(stats.contains("diagnostics of 0 reused, 3 computed; 1 files read for positions"), "{stats}");
    let moved = check(&root, &args);
    assert!(moved.1.contains("\"file\":\"registry/people.nmk\",\"line\":2"), "{}", moved.1);
    assert_eq!(moved, check(&root, &["--no-cache"]));
}

/// A workspace for the run in which only articles changed: two registries
/// (a surname held by two people, in both), an article that defines a
/// source, and articles that define nothing.
fn articles_workspace() -> (tempfile::TempDir, PathBuf, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut tree = BTreeMap::new();
    tree.insert("newsmark.toml".to_string(), String::new());
    tree.insert(
        "registry/people.nmk".to_string(),
        "@ada: person \"Ada Lovelace\"\n  aka: Lovelace; Countess of Lovelace\n\n@alan: person \"Alan Turing\"\n"
            .to_string(),
    );
    tree.insert(
        "registry/more.nmk".to_string(),
        "@byron: person \"Lord Byron\"\n  aka: Lovelace\n\n@grace: person \"Grace Hopper\"\n".to_string(),
    );
    tree.insert(
        "articles/local.nmk".to_string(),
        "---\ntitle: L\npublished: 2016\n---\n\n[Ada]{@ada} spoke.\n\n^talk: statement \"Talk\"\n  by: @ada\n  date: 2015\n"
            .to_string(),
    );
    tree.insert(
        "articles/a.nmk".to_string(),
        "---\ntitle: A\npublished: 2016\n---\n\n[Alan]{@alan} spoke.\n".to_string(),
    );
    tree.insert("articles/own.nmk".to_string(), own_article(""));
    tree.insert(
        "articles/b.nmk".to_string(),
        "---\ntitle: B\npublished: 2016\n---\n\n“as [he said]{^talk}”\n".to_string(),
    );
    sync(&root, &Tree(tree));
    let args = vec!["--cache-dir".to_string(), dir.path().join("c").to_string_lossy().into_owned()];
    (dir, root, args)
}

/// An article that defines a source and quotes it, with `extra` prose
/// before the definition.
fn own_article(extra: &str) -> String {
    format!(
        "---\ntitle: O\npublished: 2016\n---\n\n{extra}[“we will not give up on these talks at all”]{{^own}}\n\n^own: statement \"S\"\n  by: @grace\n  date: 2015\n"
    )
}

/// Checks `root` warm (its cache statistics) and asserts the output is
/// that of `--no-cache` in the JSON, GitHub and human formats.
fn warm_equals_no_cache(root: &Path, args: &[&str]) -> String {
    let stats = cache_stats(root, args);
    for format in ["json", "github", "human"] {
        let of = |extra: &[&str]| {
            let out = newsmark().current_dir(root).args(["check", "--format", format]).args(extra).output().unwrap();
            (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
        };
        assert_eq!(of(args), of(&["--no-cache"]), "{format}, after a run with {stats}");
    }
    stats
}

/// An article edited to mention a name held by two people (in two
/// registries) and to tag another: checked against those definitions
/// only, read from the cache, with the output of a whole check; the
/// other files' diagnostics come from the cache.
#[test]
fn an_edited_article_is_checked_against_the_definitions_it_can_meet() {
    let (_dir, root, args) = articles_workspace();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    check(&root, &args);
    std::fs::write(
        root.join("articles/a.nmk"),
        "---\ntitle: A\npublished: 2016\n---\n\nLovelace met [Grace]{@grace} and Alan Turing.\n",
    )
    .unwrap();
    let stats = warm_equals_no_cache(&root, &args);
    // Byron and Ada (holders of "Lovelace"), Grace (tagged), Alan (named):
    // four of the six definitions (not the sources `^talk` and `^own`).
    assert!(stats.contains("1 files checked against 4 of 6 definitions (from 1 blocks of the directory"), "{stats}");
    assert!(stats.contains("1 parsed; diagnostics of 5 reused, 1 computed"), "{stats}");
    assert!(stats.contains("summaries read from 0 cache files"), "{stats}");
    let out = check(&root, &args).1;
    assert!(out.contains("untagged-mention") && out.contains("Alan Turing"), "{out}");
}

/// The directory of definitions beside the cache file missing, damaged,
/// or left by another run's cache file: the edited article is checked
/// against the definitions read from the summaries instead, with the
/// output of a whole check.
#[test]
fn an_edited_article_without_a_usable_directory_reads_the_summaries() {
    let (dir, root, args) = articles_workspace();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    check(&root, &args);
    let directory = cache_file(&dir.path().join("c")).with_extension("defs");
    let whole = std::fs::read(&directory).unwrap();
    let mut damaged = whole.clone();
    let last = damaged.len() - 3;
    damaged[last] ^= 0x20;
    let edit = |n: usize| {
        std::fs::write(
            root.join("articles/a.nmk"),
            format!("---\ntitle: A\npublished: 2016\n---\n\nLovelace met [Grace]{{@grace}} {n} times.\n"),
        )
        .unwrap();
    };
    // A block damaged: found when it is read, and the run checks the
    // whole tree (writing the cache file and its directory anew: the next
    // edit is checked through them).
    std::fs::write(&directory, damaged).unwrap();
    edit(1);
    let stats = warm_equals_no_cache(&root, &args);
    assert!(!stats.contains("checked against") && stats.contains(" 1 computed"), "{stats}");
    edit(2);
    let stats = warm_equals_no_cache(&root, &args);
    assert!(stats.contains("blocks of the directory"), "{stats}");
    // Gone: the definitions are read from the summaries.
    std::fs::remove_file(&directory).unwrap();
    edit(3);
    let stats = warm_equals_no_cache(&root, &args);
    assert!(stats.contains("1 files checked against") && !stats.contains("blocks of the directory"), "{stats}");
    assert!(stats.contains("summaries read from 1 cache files"), "{stats}");
    // Another generation's: a run that wrote the cache file anew (an edit
    // of a registry), the old directory put back.
    std::fs::write(root.join("registry/more.nmk"), "@grace: person \"Grace Hopper\"\n").unwrap();
    check(&root, &args);
    std::fs::write(&directory, &whole).unwrap();
    edit(4);
    let stats = warm_equals_no_cache(&root, &args);
    assert!(stats.contains("1 files checked against") && !stats.contains("blocks of the directory"), "{stats}");
}

/// A name four people share, two of them in the registry that ranks
/// second by path: an article that mentions it is checked against the
/// holders in the first two registries only (the first holder is the one
/// the mention names, and another one tells that the name is shared), with
/// the output of a whole check.
#[test]
fn a_name_many_share_takes_its_first_holders_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut tree = BTreeMap::new();
    tree.insert("newsmark.toml".to_string(), String::new());
    tree.insert("registry/a.nmk".to_string(), "@ann: person \"Ann Smith\"\n  aka: Smith\n".to_string());
    tree.insert(
        "registry/b.nmk".to_string(),
        "@cy: person \"Cy Smith\"\n  aka: Smith\n\n@bo: person \"Bo Smith\"\n  aka: Smith\n".to_string(),
    );
    tree.insert("registry/c.nmk".to_string(), "@di: person \"Di Smith\"\n  aka: Smith\n".to_string());
    tree.insert("articles/a.nmk".to_string(), "---\ntitle: A\npublished: 2016\n---\n\nWords.\n".to_string());
    sync(&root, &Tree(tree));
    let cache = dir.path().join("c");
    let args = ["--cache-dir", cache.to_str().unwrap()];
    check(&root, &args);
    std::fs::write(root.join("articles/a.nmk"), "---\ntitle: A\npublished: 2016\n---\n\nSmith spoke.\n").unwrap();
    let stats = warm_equals_no_cache(&root, &args);
    assert!(stats.contains("1 files checked against 3 of 4 definitions (from 1 blocks"), "{stats}");
    let out = check(&root, &args).1;
    assert!(out.contains("names `@ann`") && out.contains("other entities have this name too"), "{out}");
}

/// An article that defines a source and quotes it: an edit that moves the
/// definition is still the article's alone. The article that defines a
/// source only another article quotes is not checked alone: whether its
/// source is referenced is known only from the other files.
#[test]
fn an_article_with_its_own_definitions_is_checked_alone_when_it_references_them() {
    let (_dir, root, args) = articles_workspace();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    check(&root, &args);
    std::fs::write(root.join("articles/own.nmk"), own_article("Grace Hopper said it first.\n\n")).unwrap();
    let stats = warm_equals_no_cache(&root, &args);
    assert!(stats.contains("checked against"), "{stats}");
    std::fs::write(root.join("articles/own.nmk"), own_article("")).unwrap();
    std::fs::write(
        root.join("articles/local.nmk"),
        "---\ntitle: L\npublished: 2016\n---\n\nNow [Ada]{@ada} spoke.\n\n^talk: statement \"Talk\"\n  by: @ada\n  date: 2015\n",
    )
    .unwrap();
    let stats = warm_equals_no_cache(&root, &args);
    assert!(!stats.contains("checked against"), "{stats}");
}

/// An article's source edited (its date): when no other file references
/// or defines it, the article is checked alone. Once another article
/// quotes it too, that article is checked again with it: its diagnostics
/// read the source (dated after that article's publication, the quote is
/// reported there). An entity edited in an article gets the whole check
/// (its names may be anywhere).
#[test]
fn an_article_whose_own_source_changed_is_checked_alone_unless_another_file_reads_it() {
    let (_dir, root, args) = articles_workspace();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let dated = |date: &str| own_article("").replace("date: 2015", &format!("date: {date}"));
    check(&root, &args);
    std::fs::write(root.join("articles/own.nmk"), dated("2014-03")).unwrap();
    let stats = warm_equals_no_cache(&root, &args);
    assert!(stats.contains("checked against"), "{stats}");

    let quoting = "---\ntitle: C\npublished: 2016\n---\n\n“as [they said]{^own}”\n";
    std::fs::write(root.join("articles/c.nmk"), quoting).unwrap();
    check(&root, &args);
    std::fs::write(root.join("articles/own.nmk"), dated("2017")).unwrap();
    let stats = warm_equals_no_cache(&root, &args);
    assert!(stats.contains("checked against"), "{stats}");
    assert!(stats.contains("2 parsed; diagnostics of 5 reused, 2 computed"), "{stats}");
    let out = check(&root, &args).1;
    let of_c = out.lines().filter(|l| l.contains("\"file\":\"articles/c.nmk\"")).collect::<Vec<_>>();
    assert!(of_c.iter().any(|l| l.contains("source-after-publication")), "{out}");

    let with_entity = |name: &str| format!("{}\n@pat: person \"{name}\"\n", dated("2015"));
    std::fs::write(root.join("articles/own.nmk"), with_entity("Pat Doe")).unwrap();
    check(&root, &args);
    std::fs::write(root.join("articles/own.nmk"), with_entity("Pat Roe")).unwrap();
    let stats = warm_equals_no_cache(&root, &args);
    assert!(!stats.contains("checked against"), "{stats}");
}

/// The article that stops quoting a source another article defines makes
/// that definition unused there: such a change is no longer the edited
/// file's alone, and the whole check runs.
#[test]
fn an_article_that_changes_whether_a_local_definition_is_used_gets_the_whole_check() {
    let (_dir, root, args) = articles_workspace();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    check(&root, &args);
    assert!(!check(&root, &["--no-cache"]).1.contains("unused-definition"));
    std::fs::write(root.join("articles/b.nmk"), "---\ntitle: B\npublished: 2016\n---\n\nNo quote.\n").unwrap();
    let stats = warm_equals_no_cache(&root, &args);
    assert!(!stats.contains("checked against"), "{stats}");
    assert!(check(&root, &args).1.contains("unused-definition"));
}

/// What a fix reads is followed too: the value of a misspelt key names an
/// entity that the article does not reference (the value of an unknown
/// key is no reference), and whether the key's fix is offered depends on
/// that entity existing. Every id written in an attribute is taken, so
/// the edited article is checked alone, with the fix when the entity
/// exists and without it when it does not.
#[test]
fn an_article_whose_fix_asks_whether_an_entity_exists_is_checked_alone() {
    let (_dir, root, args) = articles_workspace();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    check(&root, &args);
    for (byline, fixed) in [("@grace", true), ("@nobody", false)] {
        let text = format!("---\ntitle: A\npublished: 2016\nbylin: {byline}\n---\n\nText.\n");
        std::fs::write(root.join("articles/a.nmk"), text).unwrap();
        let stats = warm_equals_no_cache(&root, &args);
        assert!(stats.contains("checked against"), "{stats}");
        assert_eq!(check(&root, &args).1.contains("Change key to `byline`"), fixed, "{byline}");
    }
}

/// An edited article with an undefined reference is still checked alone:
/// "did you mean" (which compares the id with every defined id) is given
/// the ids it would compare, gathered from every definition in the cache,
/// in a workspace small enough to compare them all and in one whose
/// 3,000 ids make it compare the neighbours of the written id. Where the
/// neighbours of two undefined ids, compared together, would answer
/// otherwise than each alone, the whole check runs.
#[test]
fn an_article_with_an_undefined_reference_is_checked_alone_with_every_ids_suggestion() {
    let (_dir, root, args) = articles_workspace();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let edit = |tags: &str| {
        let text = format!("---\ntitle: A\npublished: 2016\n---\n\n{tags} spoke.\n");
        std::fs::write(root.join("articles/a.nmk"), text).unwrap();
        warm_equals_no_cache(&root, &args)
    };
    check(&root, &args);
    let stats = edit("[Grace]{@grase}");
    assert!(stats.contains("checked against"), "{stats}");
    assert!(check(&root, &args).1.contains("@grace"), "the suggestion is expected");

    // 3,000 ids sort between `b` and `bz`, forwards and reversed.
    let many: String = (0..3_000).map(|i| format!("@b-{i:05}x: person \"Bea Number{i}\"\n\n")).collect();
    std::fs::write(root.join("registry/many.nmk"), format!("{many}@b: person \"Bea\"\n")).unwrap();
    check(&root, &args);
    let stats = edit("[Bea]{@b-01500y}");
    assert!(stats.contains("checked against"), "{stats}");
    assert!(check(&root, &args).1.contains("@b-01500x"), "the suggestion is expected");
    // `b` is one edit from `bz` but far from it in both orders, so not
    // suggested for it; it is the neighbour of `a`, compared together
    // with those of `bz` it would be.
    let stats = edit("[Bea]{@bz} and [A]{@a}");
    assert!(!stats.contains("checked against"), "{stats}");
    let out = check(&root, &args).1;
    assert!(out.contains("`@bz`: no definition in the workspace\""), "{out}");
    assert!(out.contains("`@a`: no definition in the workspace; did you mean `@b`?"), "{out}");
    // Dozens of undefined ids: each defined id is compared with the
    // neighbours of the few nearest it, and each is suggested the id the
    // whole check suggests.
    let many: Vec<String> = (0..40).map(|i| format!("[Bea]{{@b-{:05}y}}", i * 37)).collect();
    let stats = edit(&many.join(" and "));
    assert!(stats.contains("checked against"), "{stats}");
    let out = check(&root, &args).1;
    assert!(out.contains("did you mean `@b-00000x`?") && out.contains("did you mean `@b-01443x`?"), "{out}");
    // Past 1,024, merging and comparing their windows costs more than the
    // whole check: it runs.
    let many: Vec<String> = (0..1_025).map(|i| format!("[Bea]{{@b-{i:05}y}}")).collect();
    let stats = edit(&many.join(" and "));
    assert!(!stats.contains("checked against"), "{stats}");
}

/// A source's `by: ^alan` is an `invalid-value` whose suggestion (`@alan`)
/// is offered only if that entity exists: an id written in an attribute
/// is taken under both sigils, so the edited article is still checked
/// alone, and suggests it.
#[test]
fn an_article_whose_invalid_value_asks_whether_an_entity_exists_is_checked_alone() {
    let (_dir, root, args) = articles_workspace();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let article = |extra: &str| {
        format!(
            "---\ntitle: C\npublished: 2016\n---\n\n{extra}[“we said so”]{{^c}}\n\n^c: statement \"S\"\n  by: ^alan\n  date: 2015\n"
        )
    };
    std::fs::write(root.join("articles/c.nmk"), article("")).unwrap();
    check(&root, &args);
    std::fs::write(root.join("articles/c.nmk"), article("A new paragraph.\n\n")).unwrap();
    let stats = warm_equals_no_cache(&root, &args);
    assert!(stats.contains("checked against"), "{stats}");
    let out = check(&root, &args).1;
    assert!(out.contains("not the source `^alan`") && out.contains("Change to `@alan`"), "{out}");
}

/// Another article's fix points into the edited one (an `aka` to add to
/// an entity the edited article defines): the edit moves that definition,
/// so the other article's cached fix would edit the wrong place. The
/// edited article is checked alone, and the other's cached fix follows
/// the definition.
#[test]
fn an_article_another_file_points_into_has_its_fix_follow_the_definition() {
    let (_dir, root, args) = articles_workspace();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let local = |extra: &str| {
        format!("---\ntitle: P\npublished: 2016\n---\n\n{extra}[Pat Doe]{{@pat}} spoke.\n\n@pat: person \"Pat Doe\"\n")
    };
    std::fs::write(root.join("articles/pat.nmk"), local("")).unwrap();
    std::fs::write(root.join("articles/a.nmk"), "---\ntitle: A\npublished: 2016\n---\n\n[Patty]{@pat} spoke.\n")
        .unwrap();
    check(&root, &args);
    std::fs::write(root.join("articles/pat.nmk"), local("A new first paragraph.\n\n")).unwrap();
    let stats = warm_equals_no_cache(&root, &args);
    assert!(stats.contains("1 files checked against"), "{stats}");
    assert!(stats.contains("1 followed the definitions"), "{stats}");
    assert!(check(&root, &args).1.contains("Add “Patty” to the `aka` of `@pat`"));
}

/// The report lines of a run are kept beside the cache, per format of
/// lines per file, and a run with nothing changed prints them again
/// without decoding a diagnostic: the same bytes and exit code as a run
/// without the cache, in JSON, GitHub and the human format (whose closing
/// line counts the replayed diagnostics too).
#[test]
fn kept_lines_are_replayed_when_nothing_changed() {
    let (dir, root) = workspace();
    let cache = dir.path().join("c");
    let args = ["--cache-dir", cache.to_str().unwrap()];
    let files = nmk_files(&root);
    for format in ["json", "github", "human"] {
        let run = |extra: &[&str]| check_in_format(&root, format, extra).0;
        let expected = run(&["--no-cache"]);
        assert!(!expected.1.is_empty());
        assert_eq!(run(&args), expected, "{format}: first run");
        let stats = check_in_format(&root, format, &args).1;
        assert_eq!(replayed(&stats), files, "{format}: {stats}");
        assert_eq!(run(&args), expected, "{format}: replayed");
        // Into a file as well, with the closing line on stderr counting
        // the replayed lines.
        let report = dir.path().join(format!("report.{format}"));
        let out = newsmark()
            .current_dir(&root)
            .args(["check", "--format", format, "--output-file", report.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap();
        assert_eq!((out.status.code(), std::fs::read_to_string(&report).unwrap()), expected);
        let no_cache = newsmark()
            .current_dir(&root)
            .args(["check", "--format", format, "--no-cache", "--output-file", report.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.stderr, no_cache.stderr, "{format}: the closing line");
    }
    assert_eq!(kept_lines(&cache).len(), 3, "one file of lines per format");
    // `--max-warnings` counts the replayed lines' warnings.
    let strict = check(&root, &["--max-warnings", "0", "--cache-dir", cache.to_str().unwrap()]);
    assert_eq!(strict, check(&root, &["--max-warnings", "0", "--no-cache"]));
}

/// After an article is edited (prose only, so that it alone is checked
/// again), the other files' lines are replayed and the edited one is
/// checked and rendered, in path order among them; back as it was, its
/// own kept lines are replayed again. In JSON, and in the human format
/// (blocks of source lines, then a closing line counting them all).
#[test]
fn kept_lines_of_unchanged_files_surround_an_edited_article() {
    for format in ["json", "human"] {
        let (_dir, root, args) = articles_workspace();
        let run = |extra: &[&str]| check_in_format(&root, format, extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let unchanged = run(&args).0;
        let files = nmk_files(&root);
        // First, in the middle and last in path order.
        for name in ["a", "b", "own"] {
            let path = root.join(format!("articles/{name}.nmk"));
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text.replacen("---\n\n", "---\n\nLovelace and Alan Turing said so. ", 1)).unwrap();
            let expected = run(&["--no-cache"]).0;
            assert_ne!(expected, unchanged);
            let (edited, stats) = run(&args);
            assert_eq!(replayed(&stats), files - 1, "{format}, {name}: {stats}");
            assert!(stats.contains("1 parsed; diagnostics of"), "{name}: not checked alone: {stats}");
            assert_eq!(edited, expected, "{format}, {name} edited");
            std::fs::write(&path, text).unwrap();
            let (back, stats) = run(&args);
            assert_eq!(replayed(&stats), files, "{format}, {name}: {stats}");
            assert_eq!(back, unchanged, "{format}, {name} back as it was");
        }
    }
}

/// After a registry change, the files it cannot reach have their lines
/// given again from those kept, not decoded and rendered; the lines that
/// run keeps, replayed and rendered alike, serve the next run whole.
#[test]
fn a_registry_change_replays_the_lines_of_the_files_it_cannot_reach() {
    let (dir, root) = workspace();
    let cache = dir.path().join("c");
    let args = ["--cache-dir", cache.to_str().unwrap()];
    check(&root, &args);
    let files = nmk_files(&root);
    // A person no article can name: only the registry is checked again.
    let registry = root.join("registry/people.nmk");
    let text = std::fs::read_to_string(&registry).unwrap();
    std::fs::write(&registry, format!("{text}\n@zz: person \"Zyxwv Qwerty\"\n  aka: Zyxwv\n")).unwrap();
    let expected = check(&root, &["--no-cache"]);
    let run = |what: &str| {
        let (out, stats) = check_with_stats(&root, &args);
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected.1, "{what}: {stats}");
        assert_eq!(out.status.code(), Some(expected.0), "{what}");
        replayed(&stats)
    };
    let after_change = run("after the registry change");
    assert!(after_change > 0 && after_change < files, "{after_change} of {files} files replayed");
    assert_eq!(run("the run after"), files);
}

/// How many Newsmark files the workspace at `root` has.
fn nmk_files(root: &Path) -> usize {
    walk(root).iter().filter(|p| p.extension().is_some_and(|e| e == "nmk")).count()
}

/// Lines kept for the cache as it was are never taken for the cache as
/// it is: a run after the cache was written anew ignores a stale file of
/// lines put back in place, and a damaged one, and prints the right
/// report; the run after keeps good lines again.
#[test]
fn stale_or_damaged_kept_lines_are_ignored() {
    let (dir, root) = workspace();
    let cache = dir.path().join("c");
    let args = ["--cache-dir", cache.to_str().unwrap()];
    check(&root, &args);
    let [kept] = kept_lines(&cache).try_into().unwrap();
    let stale = std::fs::read(&kept).unwrap();
    // A registry change: the whole workspace is checked again, and the
    // cache and its lines written anew.
    let mut model = Model::new(7);
    model.apply(&Step::Aka(0, 2));
    sync(&root, &model.tree);
    let expected = check(&root, &["--no-cache"]);
    assert_eq!(check(&root, &args), expected);
    std::fs::write(&kept, &stale).unwrap();
    let stats = cache_stats(&root, &args);
    assert_eq!(replayed(&stats), 0, "stale lines taken: {stats}");
    assert_eq!(check(&root, &args), expected, "stale lines printed");
    // That run kept the right lines again.
    assert!(replayed(&cache_stats(&root, &args)) > 0);
    // A flipped byte in the lines: found, and the report is right.
    let mut damaged = std::fs::read(&kept).unwrap();
    let last = damaged.len() - 5;
    damaged[last] ^= 0x41;
    std::fs::write(&kept, &damaged).unwrap();
    assert_eq!(replayed(&cache_stats(&root, &args)), 0);
    std::fs::write(&kept, &damaged).unwrap();
    assert_eq!(check(&root, &args), expected, "damaged lines printed");
}

/// An `aka` added to an entity whose display name starts with "The"
/// reaches the registry and the articles that may hold the new name, not
/// every article with "the" in it; a new display name reaches them all
/// (the message of every mention shows it). Both as without the cache.
#[test]
fn an_aka_reaches_the_articles_that_may_hold_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let mut tree = BTreeMap::new();
    tree.insert("newsmark.toml".to_string(), String::new());
    let registry =
        |aka: &str, name: &str| format!("@herald: org \"{name}\"\n  aka: {aka}\n\n@ada: person \"Ada Lovelace\"\n");
    tree.insert("registry/orgs.nmk".to_string(), registry("Falford Herald", "The Falford Herald"));
    let article = |i: usize, prose: &str| format!("---\ntitle: T{i}\npublished: 2016\n---\n\n{prose}\n");
    for i in 0..6 {
        tree.insert(format!("articles/a{i}.nmk"), article(i, "The minister said the Falford Herald was right."));
    }
    tree.insert("articles/z.nmk".to_string(), article(9, "The Zyxwv Herald and the rest."));
    sync(&root, &Tree(tree));
    let cache = dir.path().join("c");
    let args = ["--cache-dir", cache.to_str().unwrap()];
    check(&root, &args);
    let write = |text: String| std::fs::write(root.join("registry/orgs.nmk"), text).unwrap();

    write(registry("Falford Herald; Zyxwv Herald", "The Falford Herald"));
    let stats = warm_equals_no_cache(&root, &args);
    // The registry and `z`, not the six articles that name it as before.
    assert!(stats.contains("diagnostics of 6 reused, 2 computed"), "{stats}");
    assert!(check(&root, &args).1.contains("Zyxwv Herald"));

    write(registry("Falford Herald; Zyxwv Herald", "The Falford Gazette"));
    let stats = warm_equals_no_cache(&root, &args);
    assert!(stats.contains("diagnostics of 0 reused, 8 computed"), "{stats}");
}
