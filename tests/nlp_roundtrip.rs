//! Round trips of `export --format brat` → `import --from brat` →
//! `export --format brat` (identical `.txt` and `.ann`) on the example
//! newsroom and on a generated corpus with nested, multi-reference,
//! multi-line and empty tags, escapes, CRLF / lone CR line ends, U+2028 and
//! characters outside the BMP; every `T` line's text is checked against the
//! `.txt` by Unicode scalar values.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn newsmark(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_newsmark")).args(args).output().expect("run newsmark");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn files_under(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    out
}

/// Every `T` line's text equals its fragments of the `.txt`, joined by a
/// space; no fragment covers a newline. Returns the number of `T` lines.
fn check_t_lines(files: &BTreeMap<String, String>) -> usize {
    let mut checked = 0;
    for (path, ann) in files.iter().filter(|(p, _)| p.ends_with(".ann")) {
        let txt: Vec<char> = files[&path.replace(".ann", ".txt")].chars().collect();
        for line in ann.lines().filter(|l| l.starts_with('T')) {
            let fields: Vec<&str> = line.splitn(3, '\t').collect();
            let (_, offsets) = fields[1].split_once(' ').unwrap();
            let parts: Vec<String> = offsets
                .split(';')
                .map(|f| {
                    let (s, e) = f.split_once(' ').unwrap();
                    let fragment: String =
                        txt[s.parse::<usize>().unwrap()..e.parse::<usize>().unwrap()].iter().collect();
                    assert!(!fragment.contains('\n'), "{path}: {line}: fragment over a newline");
                    fragment
                })
                .collect();
            assert_eq!(parts.join(" "), fields[2], "{path}: {line}");
            checked += 1;
        }
    }
    checked
}

/// brat → import → brat; asserts identical `.txt`/`.ann`, returns the first
/// export.
fn round_trip(input: &Path) -> BTreeMap<String, String> {
    let tmp = tempfile::tempdir().unwrap();
    let (first, imported, second) = (tmp.path().join("b1"), tmp.path().join("nmk"), tmp.path().join("b2"));
    let s = |p: &PathBuf| p.to_string_lossy().into_owned();
    let (code, _, err) = newsmark(&["export", "--format", "brat", "--out", &s(&first), &s(&input.to_path_buf())]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = newsmark(&["import", "--from", "brat", &s(&first), "--out", &s(&imported)]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = newsmark(&["check", "--root", &s(&imported), "--format", "json"]);
    assert_eq!(code, 0, "the imported workspace has errors: {err}");
    let (code, _, err) = newsmark(&["export", "--format", "brat", "--out", &s(&second), &s(&imported)]);
    assert_eq!(code, 0, "{err}");
    let (a, b) = (files_under(&first), files_under(&second));
    let pick = |m: &BTreeMap<String, String>| -> Vec<(String, String)> {
        m.iter()
            .filter(|(p, _)| p.ends_with(".txt") || p.ends_with(".ann"))
            .map(|(p, c)| (p.clone(), c.clone()))
            .collect()
    };
    let (a_files, b_files) = (pick(&a), pick(&b));
    assert_eq!(a_files.iter().map(|f| &f.0).collect::<Vec<_>>(), b_files.iter().map(|f| &f.0).collect::<Vec<_>>());
    for ((path, x), (_, y)) in a_files.iter().zip(&b_files) {
        for (n, (l, r)) in x.lines().zip(y.lines()).enumerate() {
            assert_eq!(l, r, "{path}: line {} differs after the round trip", n + 1);
        }
        assert_eq!(x, y, "{path} differs after the round trip");
    }
    a
}

#[test]
fn example_newsroom_round_trips() {
    let files = round_trip(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/newsroom"));
    assert!(check_t_lines(&files) > 40);
    assert!(files.contains_key("articles/2015-11-dhs-beijing-cyber.ann"));
}

/// A small deterministic generator (xorshift).
struct Gen(u64);

impl Gen {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "the",
    "minister",
    "said",
    "Mr.",
    "U.S.",
    "café",
    "😀",
    "“quoted”",
    "[sic]",
    "a{b}",
    "back\\slash",
    "<!--x-->",
    "@handle",
    "^caret",
    "naïve",
    "北京",
    "\u{2028}",
    "e\u{301}",
    "--",
    "talks",
    "on",
    "Monday",
];
const KINDS: &[&str] = &["person", "org", "place", "event", "work", "vessel"];
const SOURCE_KINDS: &[&str] = &["statement", "remarks", "anonymous", "court-filing"];

fn escape(word: &str) -> String {
    let mut out = String::new();
    for c in word.chars() {
        if "[]{}\\<@^".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn reference(g: &mut Gen) -> String {
    match g.next(10) {
        0..=6 => format!("@e{}", g.next(12)),
        7 => "@ümlaut-ïd".to_owned(),
        _ => format!("^s{}", g.next(5)),
    }
}

fn article(g: &mut Gen, line_end: &str) -> String {
    let mut out = format!("---{line_end}title: Generated{line_end}---{line_end}{line_end}");
    for paragraph in 0..1 + g.next(4) {
        if paragraph > 0 {
            out.push_str(line_end);
            out.push_str(line_end);
        }
        let mut open: Vec<String> = Vec::new();
        for line in 0..1 + g.next(3) {
            if line > 0 {
                out.push_str(line_end);
            }
            for w in 0..2 + g.next(8) {
                if w > 0 {
                    out.push(' ');
                }
                match g.next(10) {
                    0 | 1 if open.len() < 4 => {
                        out.push('[');
                        let refs = (0..1 + g.next(2)).map(|_| reference(g)).collect::<Vec<_>>().join(" ");
                        open.push(refs);
                    }
                    2 => {
                        let _ = write!(out, "[]{{{}}}", reference(g));
                    }
                    3 | 4 if !open.is_empty() => {
                        let refs = open.pop().unwrap_or_default();
                        let _ = write!(out, "]{{{refs}}}");
                    }
                    _ => {}
                }
                out.push_str(&escape(WORDS[g.next(WORDS.len())]));
            }
        }
        while let Some(refs) = open.pop() {
            let _ = write!(out, "]{{{refs}}}");
        }
    }
    out.push_str(line_end);
    out
}

fn write_corpus(root: &Path, seed: u64) {
    let mut g = Gen(seed);
    std::fs::create_dir_all(root.join("registry")).unwrap();
    std::fs::create_dir_all(root.join("articles/2024")).unwrap();
    std::fs::write(root.join("newsmark.toml"), "[kinds]\nentity = [\"vessel\"]\nsource = [\"court-filing\"]\n")
        .unwrap();
    let mut registry = String::from("@ümlaut-ïd: person \"Ümlaut \\\"Ïd\\\"\"\n  wikidata: Q99\n\n");
    for i in 0..12 {
        let _ = writeln!(registry, "@e{i}: {} \"Entity {i}\"", KINDS[i % KINDS.len()]);
        if i % 2 == 0 {
            let _ = writeln!(registry, "  wikidata: Q{}", 100 + i);
        }
        registry.push('\n');
    }
    for i in 0..5 {
        let _ = writeln!(registry, "^s{i}: {} \"Source {i}\"\n  by: @e{i}\n", SOURCE_KINDS[i % SOURCE_KINDS.len()]);
    }
    std::fs::write(root.join("registry/registry.nmk"), registry).unwrap();
    for i in 0..12 {
        let line_end = ["\n", "\r\n", "\r"][i % 3];
        let path = root.join(format!("articles/{}a{i}.nmk", if i % 2 == 0 { "2024/" } else { "" }));
        std::fs::write(path, article(&mut g, line_end)).unwrap();
    }
}

#[test]
fn generated_corpus_round_trips() {
    for seed in [7, 1234567, 0x9e3779b97f4a7c15] {
        let tmp = tempfile::tempdir().unwrap();
        write_corpus(tmp.path(), seed);
        let (code, out, _) = newsmark(&["check", "--root", &tmp.path().to_string_lossy(), "--format", "json"]);
        assert!(!out.contains("\"error\""), "generated corpus has errors (seed {seed}): {out} {code}");
        let files = round_trip(tmp.path());
        assert!(check_t_lines(&files) > 20);
        assert_eq!(files.keys().filter(|p| p.ends_with(".ann")).count(), 12);
        assert!(files.keys().any(|p| p.starts_with("articles/2024/")));
    }
}

#[test]
fn line_ends_do_not_shift_offsets() {
    let body = "Intro \u{2028} line 😀 [Mr. Xi]{@xi}\n[spanning\ntwo]{@xi ^talk} lines.\n\n\\[x\\] [last]{@xi}\n";
    let defs = "\n@xi: person \"Xi\"\n  wikidata: Q15031\n\n^talk: remarks \"Talk\"\n  by: @xi\n";
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("newsmark.toml"), "").unwrap();
    let mut outputs = Vec::new();
    for (name, end) in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")] {
        let path = tmp.path().join(format!("{name}.nmk"));
        std::fs::write(&path, format!("{body}{defs}").replace('\n', end)).unwrap();
        let (code, out, err) = newsmark(&["export", "--format", "spacy", &path.to_string_lossy()]);
        assert_eq!(code, 0, "{err}");
        let mut value: serde_json::Value = serde_json::from_str(&out).unwrap();
        value["meta"]["file"] = serde_json::Value::Null;
        outputs.push(value);
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
    let text: Vec<char> = outputs[0]["text"].as_str().unwrap().chars().collect();
    let slice = |s: usize, e: usize| text[s..e].iter().collect::<String>();
    let ents = outputs[0]["ents"].as_array().unwrap();
    let got: Vec<String> =
        ents.iter().map(|e| slice(e[0].as_u64().unwrap() as usize, e[1].as_u64().unwrap() as usize)).collect();
    assert_eq!(got, ["Mr. Xi", "spanning\ntwo", "last"]);
}

#[test]
fn syntax_errors_skip_the_document_with_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("newsmark.toml"), "").unwrap();
    std::fs::write(tmp.path().join("bad.nmk"), "A [tag]{xi} here.\n").unwrap();
    std::fs::write(tmp.path().join("good.nmk"), "A [tag]{@xi} here.\n\n@xi: person \"Xi\"\n").unwrap();
    let out_dir = tmp.path().join("out");
    let (code, _, err) =
        newsmark(&["export", "--format", "brat", "--out", &out_dir.to_string_lossy(), &tmp.path().to_string_lossy()]);
    assert_eq!(code, 1);
    assert!(err.contains("bad.nmk") && err.contains("skipped"), "{err}");
    assert!(out_dir.join("good.ann").exists());
    assert!(!out_dir.join("bad.ann").exists() && !out_dir.join("bad.txt").exists());
    let (code, _, err) = newsmark(&["export", "--format", "brat", &tmp.path().to_string_lossy()]);
    assert_eq!(code, 2, "brat without --out: {err}");
}
