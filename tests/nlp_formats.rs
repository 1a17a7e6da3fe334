//! Golden files of every NLP export on the example newsroom (under
//! `tests/golden/nlp/`; `UPDATE_GOLDEN=1` rewrites them), the shape checks
//! of the spaCy / Prodigy JSON lines and of the W3C JSON-LD, the spaCy
//! loader check (`tests/nlp/check_spacy.py`; it fails without spaCy), and
//! the brat import of hand-written standoff.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn newsmark(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_newsmark")).args(args).output().expect("run newsmark");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn newsroom() -> String {
    manifest().join("examples/newsroom").to_string_lossy().into_owned()
}

fn golden(name: &str, actual: &str) {
    let path = manifest().join("tests/golden/nlp").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(expected == actual, "{} differs; run with UPDATE_GOLDEN=1 to bless", path.display());
}

fn export(format: &str) -> String {
    let (code, out, err) = newsmark(&["export", "--format", format, &newsroom()]);
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn golden_brat() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = newsmark(&["export", "--format", "brat", "--out", &tmp.path().to_string_lossy(), &newsroom()]);
    assert_eq!(code, 0, "{err}");
    for name in [
        "annotation.conf",
        "tools.conf",
        "articles/2015-11-dhs-beijing-cyber.txt",
        "articles/2015-11-dhs-beijing-cyber.ann",
    ] {
        golden(&format!("brat/{name}"), &std::fs::read_to_string(tmp.path().join(name)).unwrap());
    }
}

#[test]
fn golden_conll_spacy_w3c() {
    golden("newsroom.conll", &export("conll"));
    golden("newsroom.spacy.jsonl", &export("spacy"));
    golden("newsroom.w3c.jsonl", &export("w3c"));
    let (code, relabelled, _) =
        newsmark(&["export", "--format", "conll", "--label", "place=GPE", "--label", "org=O", &newsroom()]);
    assert_eq!(code, 0);
    assert!(relabelled.contains("\tB-GPE\n") && !relabelled.contains("ORG"));
}

fn chars(text: &str, start: &Value, end: &Value) -> String {
    let (s, e) = (start.as_u64().unwrap() as usize, end.as_u64().unwrap() as usize);
    text.chars().skip(s).take(e - s).collect()
}

/// The spaCy / Prodigy shape, as their docs give it: `text`; `ents` as
/// non-overlapping `[start, end, label]` character offsets; `kb_ids` one
/// per entity; `tokens` with `text`, `start`, `end`, `id`, `ws`; `spans`
/// with `start`, `end`, `label`, `token_start`, `token_end` (inclusive)
/// whose offsets fall on token boundaries.
#[test]
fn spacy_lines_have_the_documented_shape() {
    for line in export("spacy").lines() {
        let doc: Value = serde_json::from_str(line).unwrap();
        let text = doc["text"].as_str().unwrap();
        let ents = doc["ents"].as_array().unwrap();
        assert_eq!(ents.len(), doc["kb_ids"].as_array().unwrap().len());
        let mut last_end = 0;
        for ent in ents {
            let (s, e) = (ent[0].as_u64().unwrap(), ent[1].as_u64().unwrap());
            assert!(s >= last_end && s < e && ent[2].is_string());
            last_end = e;
        }
        let tokens = doc["tokens"].as_array().unwrap();
        for (i, token) in tokens.iter().enumerate() {
            assert_eq!(token["id"], i);
            assert_eq!(chars(text, &token["start"], &token["end"]), token["text"].as_str().unwrap());
        }
        for span in doc["spans"].as_array().unwrap() {
            let first = &tokens[span["token_start"].as_u64().unwrap() as usize];
            let last = &tokens[span["token_end"].as_u64().unwrap() as usize];
            assert_eq!((&first["start"], &last["end"]), (&span["start"], &span["end"]));
        }
        assert!(doc["meta"]["file"].is_string() && !doc["meta"]["sources"].as_array().unwrap().is_empty());
    }
}

/// Runs `tests/nlp/check_spacy.py` (spaCy's own `Example.from_dict` and
/// `offsets_to_biluo_tags` on the export) with `$NEWSMARK_PYTHON` (default
/// `python3`). Without spaCy it fails rather than passing unchecked:
/// `scripts/test.sh` provides a Python with spaCy.
#[test]
fn spacy_loads_the_export() {
    let python = std::env::var("NEWSMARK_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_spacy = Command::new(&python).args(["-c", "import spacy"]).output().is_ok_and(|o| o.status.success());
    assert!(
        has_spacy,
        "`{python} -c 'import spacy'` failed: install spaCy (pip install 'spacy>=3.7,<4'), \
         set NEWSMARK_PYTHON to a Python that has it, or run scripts/test.sh, which provides one"
    );
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("newsroom.jsonl");
    std::fs::write(&file, export("spacy")).unwrap();
    let script = manifest().join("tests/nlp/check_spacy.py");
    let out = Command::new(&python).arg(script).arg(&file).output().unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

/// Terms of the Web Annotation context (`anno.jsonld`) that the export
/// uses; every key and every `type` value of the output must be one of
/// them, so a JSON-LD processor maps each to the `oa:` / `as:` vocabulary.
const ANNO_TERMS: &[&str] = &[
    "@context",
    "id",
    "type",
    "label",
    "total",
    "first",
    "startIndex",
    "items",
    "motivation",
    "body",
    "target",
    "source",
    "selector",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "value",
    "format",
    "purpose",
];
const ANNO_CLASSES: &[&str] = &[
    "AnnotationCollection",
    "AnnotationPage",
    "Annotation",
    "SpecificResource",
    "TextualBody",
    "TextPositionSelector",
    "TextQuoteSelector",
];
const ANNO_MOTIVATIONS: &[&str] = &["identifying", "linking", "classifying", "describing"];

fn check_terms(value: &Value, path: &str) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                assert!(ANNO_TERMS.contains(&key.as_str()), "{path}.{key}: not a term of anno.jsonld");
                if key == "type" {
                    assert!(ANNO_CLASSES.contains(&v.as_str().unwrap_or("")), "{path}: type {v}");
                }
                if key == "motivation" || key == "purpose" {
                    assert!(ANNO_MOTIVATIONS.contains(&v.as_str().unwrap_or("")), "{path}: {key} {v}");
                }
                check_terms(v, &format!("{path}.{key}"));
            }
        }
        Value::Array(items) => items.iter().for_each(|v| check_terms(v, path)),
        _ => {}
    }
}

#[test]
fn w3c_uses_only_terms_of_the_annotation_context() {
    for line in export("w3c").lines() {
        let doc: Value = serde_json::from_str(line).unwrap();
        assert_eq!(doc["@context"], "http://www.w3.org/ns/anno.jsonld");
        check_terms(&doc, "$");
        let text: String = doc["first"]["items"][0]["target"]["selector"][1]["exact"].as_str().unwrap().into();
        assert!(!text.is_empty());
        let items = doc["first"]["items"].as_array().unwrap();
        assert_eq!(doc["total"], items.len());
        for item in items {
            let selectors = item["target"]["selector"].as_array().unwrap();
            assert_eq!(selectors[0]["type"], "TextPositionSelector");
            assert_eq!(selectors[1]["type"], "TextQuoteSelector");
            let iri = item["body"][0]["source"].as_str().unwrap();
            assert!(iri.starts_with("http://www.wikidata.org/entity/Q") || iri.starts_with("urn:newsmark:"));
        }
    }
}

#[test]
fn imports_hand_written_brat() {
    let tmp = tempfile::tempdir().unwrap();
    let (brat, out) = (tmp.path().join("brat"), tmp.path().join("out"));
    std::fs::create_dir_all(brat.join("sub")).unwrap();
    let text = "---\n@Mr. [Xi] met {Obama} \\ <!-- x -->.\n^Then \u{2028} 😀 Xi left.\n\nNew paragraph.\n";
    std::fs::write(brat.join("sub/doc.txt"), text).unwrap();
    let ann = "T1\tperson 10 12\tXi\nN1\tReference T1 Wikidata:Q15031\tXi Jinping\n\
               T2\tperson 19 24\tObama\n\
               T3\tAttribution 4 25\t@Mr. [Xi] met {Obama}\nA1\tSource T3 talks\nA2\tSourceKind T3 remarks\n\
               T4\tperson 50 52\tXi\nN2\tReference T4 Wikidata:Q15031\tXi Jinping\n\
               T5\tperson 20 30\tcrosses\nT6\torg 53 64\tacross paragraphs\nR1\tRel Arg1:T1 Arg2:T2\n";
    std::fs::write(brat.join("sub/doc.ann"), ann).unwrap();
    let (code, _, err) =
        newsmark(&["import", "--from", "brat", &brat.to_string_lossy(), "--out", &out.to_string_lossy()]);
    assert_eq!(code, 1, "dropped spans exit 1: {err}");
    assert!(err.contains("crosses another span") && err.contains("paragraph break"), "{err}");
    let nmk = std::fs::read_to_string(out.join("sub/doc.nmk")).unwrap();
    assert!(
        nmk.starts_with(
            "\n---\n[@Mr. \\[[Xi]{@xi-jinping}\\] met \\{[Obama]{@obama}\\}]{^talks} \\\\ \\<!-- x -->.\n\\^Then"
        ),
        "{nmk}"
    );
    let registry = std::fs::read_to_string(out.join("registry/imported.nmk")).unwrap();
    assert!(registry.contains("@xi-jinping: person \"Xi Jinping\"\n  wikidata: Q15031"), "{registry}");
    assert!(registry.contains("@obama: person \"Obama\""), "{registry}");
    assert!(registry.contains("^talks: remarks"), "{registry}");
    let (code, plain, err) = newsmark(&["export", "--format", "text", &out.join("sub/doc.nmk").to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(plain, text);
    let (code, _, err) = newsmark(&["check", "--root", &out.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    assert!(Path::new(&out.join("newsmark.toml")).exists());
}
