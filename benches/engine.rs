//! Micro-benchmarks of the engine (criterion): parse throughput, the
//! diagnostics of one article in a workspace with a registry, and building
//! the name index at several sizes.
//!
//! Inputs come from `bench-data/medium` when it exists (the generated
//! corpus of `bench/gen_corpus.py`), else from a deterministic synthetic
//! generator below, so the bench runs on a clean clone. Quick run:
//!
//! ```sh
//! cargo bench --bench engine -- --quick
//! ```
//!
//! `NEWSMARK_BENCH_NAMES=1000000` adds a name-index size (default sizes:
//! 10,000 and 100,000 entities).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use newsmark::analysis::diagnostics::{CheckOptions, file_diagnostics};
use newsmark::analysis::{FileId, FileSummary, Interner, LoadedFile, NameIndex, Workspace};
use newsmark::config::Config;
use newsmark::syntax::parse;

// The allocator of the binary, so that allocation-heavy code measures as
// it runs in `newsmark`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A small deterministic generator (no dependency, same input every run).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: enough to vary names and sentences.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const FIRST: &[&str] =
    &["Anna", "Boris", "Chen", "Dana", "Emil", "Farah", "Goran", "Hana", "Ivo", "Jana", "Kofi", "Lena"];
const LAST: &[&str] =
    &["Ashford", "Brennan", "Castell", "Dunmore", "Ellery", "Fairbank", "Garrow", "Holt", "Irving", "Jessop"];
const WORDS: &[&str] = &[
    "the",
    "council",
    "said",
    "on",
    "monday",
    "that",
    "prices",
    "would",
    "rise",
    "after",
    "talks",
    "with",
    "officials",
    "in",
    "the",
    "region",
    "were",
    "delayed",
    "again",
    "by",
    "a",
    "dispute",
    "over",
    "water",
    "rights",
];

fn entity_id(i: usize) -> String {
    format!("person-{i}")
}

fn entity_name(i: usize) -> String {
    format!("{} {} {i}", FIRST[i % FIRST.len()], LAST[(i / FIRST.len()) % LAST.len()])
}

/// A registry file of `count` people starting at `first`.
fn registry(first: usize, count: usize) -> String {
    let mut out = String::new();
    for i in first..first + count {
        let name = entity_name(i);
        let last = name.split(' ').nth(1).unwrap_or("X");
        out.push_str(&format!(
            "@{}: person \"{name}\"\n  aka: Mr. {last} {i}; {last} {i}\n  role: Spokesperson\n\n",
            entity_id(i)
        ));
    }
    out
}

/// An article of about `bytes` bytes: front matter, paragraphs with entity
/// and source tags, untagged names, and the source definitions at the end.
fn article(seed: u64, bytes: usize, entities: usize) -> String {
    let mut rng = Rng(seed | 1);
    let mut out = String::from("---\ntitle: A synthetic article\npublished: 2020-05-01\nlang: en\n---\n\n");
    let mut sources = Vec::new();
    while out.len() < bytes {
        for _ in 0..4 {
            for _ in 0..12 {
                out.push_str(rng.pick(WORDS));
                out.push(' ');
            }
            let e = (rng.next() % entities as u64) as usize;
            out.push_str(&format!("[{}]{{@{}}} ", entity_name(e), entity_id(e)));
            let src = format!("src-{seed}-{}", sources.len());
            out.push_str(&format!("said [“the talks will go on until the dispute is settled”]{{^{src}}}. "));
            sources.push((src, e));
            let other = (rng.next() % entities as u64) as usize;
            out.push_str(&format!("Later {} spoke too.\n", entity_name(other)));
        }
        out.push('\n');
    }
    for (src, e) in sources {
        out.push_str(&format!("^{src}: remarks \"Remarks\"\n  by: @{}\n  date: 2020-04-30\n\n", entity_id(e)));
    }
    out
}

fn corpus_file(rel: &str) -> Option<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-data/medium");
    let manifest = std::fs::read_to_string(root.join("bench-manifest.json")).ok()?;
    let value: serde_json::Value = serde_json::from_str(&manifest).ok()?;
    let path = value.get(rel)?.as_str()?;
    std::fs::read_to_string(root.join(path)).ok()
}

fn typical_article() -> (String, &'static str) {
    match corpus_file("typical_article") {
        Some(t) => (t, "corpus"),
        None => (article(7, 3_300, 10_000), "synthetic"),
    }
}

fn huge_article() -> (String, &'static str) {
    match corpus_file("huge_article") {
        Some(t) => (t, "corpus"),
        None => (article(11, 1_000_000, 10_000), "synthetic"),
    }
}

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (name, (text, origin)) in [("typical", typical_article()), ("1mb", huge_article())] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(BenchmarkId::new(name, origin), |b| b.iter(|| parse(black_box(&text))));
    }
    group.finish();
}

/// A workspace of 10,000 registered people (two registry files) and one
/// article, with the article's id.
fn workspace_with_article(text: &str) -> (Workspace, FileId) {
    let mut ws = Workspace::new(PathBuf::from("/bench"), Arc::new(Config::default()));
    for (i, first) in [0, 5_000].into_iter().enumerate() {
        ws.set_file(
            LoadedFile {
                path: PathBuf::from(format!("/bench/registry/people-{i}.nmk")),
                display_path: format!("registry/people-{i}.nmk"),
                content: Ok(registry(first, 5_000)),
            },
            None,
        );
    }
    let id = ws.set_file(
        LoadedFile {
            path: PathBuf::from("/bench/articles/a.nmk"),
            display_path: "articles/a.nmk".into(),
            content: Ok(text.to_string()),
        },
        None,
    );
    (ws, id)
}

fn bench_file_diagnostics(c: &mut Criterion) {
    let mut group = c.benchmark_group("file_diagnostics");
    // The synthetic article references the synthetic registry; the corpus
    // article's own registry is not loaded here, so most of its references
    // are undefined (and ask for "did you mean"): a heavier case.
    for (name, text) in [("typical-synthetic", article(7, 3_300, 10_000)), ("typical-corpus", typical_article().0)] {
        let (ws, id) = workspace_with_article(&text);
        let parsed = parse(&text);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| file_diagnostics(&ws, id, black_box(&parsed), CheckOptions::default()))
        });
    }
    group.finish();
}

fn bench_name_index(c: &mut Criterion) {
    let mut sizes = vec![10_000usize, 100_000];
    if let Some(n) = std::env::var("NEWSMARK_BENCH_NAMES").ok().and_then(|v| v.parse().ok()) {
        sizes.push(n);
    }
    let mut group = c.benchmark_group("name_index_build");
    group.sample_size(10);
    for n in sizes {
        let interner = Interner::new();
        let summaries: Vec<FileSummary> = (0..n)
            .step_by(5_000)
            .map(|first| {
                let text = registry(first, 5_000.min(n - first));
                FileSummary::new(&parse(&text), &text, &interner)
            })
            .collect();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &summaries, |b, summaries| {
            b.iter(|| NameIndex::build(summaries.iter().enumerate().map(|(i, s)| (FileId(i as u32), s))))
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = engine;
    config = config();
    targets = bench_parse, bench_file_diagnostics, bench_name_index
}
criterion_main!(engine);
