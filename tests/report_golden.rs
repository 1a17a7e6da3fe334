//! Golden tests of the four `newsmark check --format`s on hand-built
//! diagnostics (CRLF, an emoji and a tab before a range, a multi-line range,
//! an empty range at EOF, related locations, every severity). Run with
//! `UPDATE_GOLDEN=1` to rewrite the files under `tests/golden/report/`.

use std::path::PathBuf;

use newsmark::analysis::{Code, Diagnostic, FileId, Related, Severity};
use newsmark::cli::report::{Format, Report, ReportFile, render};
use newsmark::text::{LineIndex, TextRange};
use serde_json::Value;

const ARTICLE: &str = "---\r\ntitle: Talks\r\n---\r\n🇨🇳😀 [Mr. Xi]{@xi-jinpin} spoke.\r\n\"We will open up, we will not close the door, ever\r\nagain\" he said.\r\n\tXi Jinping left.\r\n";
const PEOPLE: &str = "# registry\n\n@xi-jinping: person \"Xi Jinping\"\n@xi-jinping: person\n";
const NOTES: &str = "";
const PATHS: [&str; 3] = ["articles/today.nmk", "registry/people.nmk", "notes/a,b: c.nmk"];

fn range_of(text: &str, needle: &str) -> TextRange {
    let start = text.find(needle).unwrap() as u32;
    TextRange::new(start, start + needle.len() as u32)
}

fn diag(file: u32, range: TextRange, code: Code, severity: Severity, message: &str) -> Diagnostic {
    Diagnostic {
        file: FileId(file),
        range,
        code,
        severity,
        message: message.to_owned(),
        related: Vec::new(),
        suggestion: None,
        fix: None,
    }
}

fn diagnostics() -> Vec<Diagnostic> {
    let first = range_of(PEOPLE, "@xi-jinping");
    let second =
        TextRange::new(PEOPLE.rfind("@xi-jinping").unwrap() as u32, PEOPLE.rfind(": person\n").unwrap() as u32);
    let quote_start = ARTICLE.find("\"We").unwrap() as u32;
    let quote_end = ARTICLE.find(" he said").unwrap() as u32;
    let mut undefined = diag(
        0,
        range_of(ARTICLE, "@xi-jinpin}").into_without_brace(),
        Code::UndefinedReference,
        Severity::Error,
        "no definition for `@xi-jinpin`",
    );
    undefined.suggestion = Some("xi-jinping".to_owned());
    let mut dup = diag(1, second, Code::DuplicateDefinition, Severity::Error, "`@xi-jinping` is defined twice");
    dup.related.push(Related { file: FileId(1), range: first, message: "also defined".to_owned() });
    let mut dup_first = diag(1, first, Code::DuplicateDefinition, Severity::Error, "`@xi-jinping` is defined twice");
    dup_first.related.push(Related { file: FileId(1), range: second, message: String::new() });
    // Deliberately out of output order: renderers sort.
    vec![
        diag(0, range_of(ARTICLE, "Xi Jinping"), Code::UntaggedMention, Severity::Hint, "`Xi Jinping` is not tagged"),
        undefined,
        diag(
            1,
            TextRange::empty(PEOPLE.len() as u32),
            Code::MissingName,
            Severity::Warning,
            "100% of entities need a name, here: none\nsecond line",
        ),
        dup,
        diag(
            0,
            TextRange::new(quote_start, quote_end),
            Code::UnattributedQuote,
            Severity::Warning,
            "quotation of 12 words without a source",
        ),
        dup_first,
        diag(
            0,
            range_of(ARTICLE, "Mr. Xi"),
            Code::UnknownAlias,
            Severity::Info,
            "`Mr. Xi` is not a name of `@xi-jinping`",
        ),
        diag(2, TextRange::empty(0), Code::Unreadable, Severity::Error, "not valid UTF-8"),
    ]
}

trait WithoutBrace {
    fn into_without_brace(self) -> TextRange;
}
impl WithoutBrace for TextRange {
    fn into_without_brace(self) -> TextRange {
        TextRange::new(self.start, self.end - 1)
    }
}

fn with_report<R>(diags: &[Diagnostic], f: impl FnOnce(&Report<'_>) -> R) -> R {
    let texts = [ARTICLE, PEOPLE, NOTES];
    let indexes: Vec<LineIndex> = texts.iter().map(|t| LineIndex::new(t)).collect();
    let files: Vec<ReportFile<'_>> = (0..3)
        .map(|i| ReportFile { rel_path: PATHS[i], text: texts[i], line_index: &indexes[i], positions: &[] })
        .collect();
    f(&Report { files: &files, diagnostics: diags, files_checked: 3, checked_paths: &[] })
}

fn rendered(format: Format, diags: &[Diagnostic], color: bool) -> String {
    with_report(diags, |report| {
        let mut out = Vec::new();
        render(format, report, color, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    })
}

fn check_golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/report").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1 to create)", path.display()));
    assert!(
        expected == actual,
        "{name} differs from golden; run with UPDATE_GOLDEN=1 to bless.\n--- actual ---\n{actual}"
    );
}

/// The SARIF log with the crate version replaced, so a version bump does
/// not break the golden file.
fn sarif_value(diags: &[Diagnostic]) -> Value {
    let mut v: Value = serde_json::from_str(&rendered(Format::Sarif, diags, false)).unwrap();
    assert_eq!(v["runs"][0]["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    v["runs"][0]["tool"]["driver"]["version"] = "<version>".into();
    v
}

#[test]
fn golden_human() {
    check_golden("human.txt", &rendered(Format::Human, &diagnostics(), false));
}

#[test]
fn golden_json() {
    check_golden("json.jsonl", &rendered(Format::Json, &diagnostics(), false));
}

#[test]
fn golden_github() {
    check_golden("github.txt", &rendered(Format::Github, &diagnostics(), false));
}

#[test]
fn golden_sarif() {
    let text = serde_json::to_string_pretty(&sarif_value(&diagnostics())).unwrap() + "\n";
    check_golden("sarif.json", &text);
}
