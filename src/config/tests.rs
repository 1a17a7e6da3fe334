//! Tests of `newsmark.toml` parsing: the §10 example, defaults, and every
//! kind of invalid config with the range it points at.

use super::*;

/// The error of an invalid config: the text its range covers, and the message.
fn err(text: &str) -> (String, String) {
    let e = parse(text).unwrap_err();
    let at = e.range.map(|r| r.slice(text).to_string()).unwrap_or_default();
    (at, e.message)
}

#[test]
fn spec_example() {
    let text = r#"
exclude = ["drafts/**"]            # gitignore-style globs, relative to the root

[rules]                            # error | warning | info | hint | off
untagged-mention = "off"
unattributed-quote = "error"

[lint]
quote-min-words = 8
required-front-matter = ["title", "published"]

[kinds]
entity = ["vessel"]                # added to §4
source = ["court-filing"]          # never require `by`
"#;
    let c = parse(text).unwrap();
    assert_eq!(c.exclude, ["drafts/**"]);
    assert_eq!(c.severity(Code::UntaggedMention), None);
    assert_eq!(c.severity(Code::UnattributedQuote), Some(Severity::Error));
    assert_eq!(c.severity(Code::UnknownAlias), Some(Severity::Info));
    assert_eq!(c.quote_min_words, 8);
    assert_eq!(c.required_front_matter, ["title", "published"]);
    assert!(c.is_entity_kind("vessel") && c.is_entity_kind("person"));
    assert!(!c.is_entity_kind("court-filing"));
    assert!(c.is_source_kind("court-filing") && c.is_source_kind("observation"));
    assert!(!c.is_source_kind("vessel"));
    assert_eq!(c.source_kinds().count(), 10);
}

#[test]
fn defaults() {
    let c = parse("").unwrap();
    assert_eq!(c, Config::default());
    for code in Code::ALL {
        assert_eq!(c.severity(code), Some(code.default_severity()));
    }
    assert_eq!(c.quote_min_words, 8);
    assert!(c.required_front_matter.is_empty());
    assert!(!c.is_entity_kind("Person"), "kinds are case-sensitive");
}

#[test]
fn other_forms_accepted() {
    let c = parse(
        "lint.quote-min-words = 0x10\nrules = { syntax = \"warning\" }\n[kinds]\nentity = []\n\
         [lint]\nrequired-front-matter = ['x-desk', 'lang', 'lang']",
    );
    // `lint` defined twice (dotted key, then a table) is a TOML error.
    assert!(c.unwrap_err().message.contains("not valid TOML"));
    let c = parse(
        "lint.quote-min-words = 0x10\nrules = { syntax = \"warning\" }\n\
         [kinds]\nentity = []\nsource = [\"x\", \"x\"]",
    )
    .unwrap();
    assert_eq!(c.quote_min_words, 16);
    assert_eq!(c.severity(Code::Syntax), Some(Severity::Warning));
    assert_eq!(c.source_kinds_extra, ["x"], "duplicates are dropped");
    let c = parse("[lint]\nrequired-front-matter = ['x-desk', 'lang', 'lang']").unwrap();
    assert_eq!(c.required_front_matter, ["x-desk", "lang"]);
}

#[test]
fn toml_error() {
    let (at, msg) = err("exclude = [\"a\"\n[rules]\n");
    assert!(msg.starts_with("newsmark.toml is not valid TOML: "), "{msg}");
    assert!(!at.is_empty() || msg.len() > 40);
    let e = parse("a = ").unwrap_err();
    assert!(e.range.is_some());
    let (_, msg) = err("[rules]\nsyntax = \"off\"\nsyntax = \"off\"\n");
    assert_eq!(msg, "newsmark.toml is not valid TOML: duplicate key \"syntax\"");
}

#[test]
fn unknown_keys_and_tables() {
    let (at, msg) = err("exlude = []");
    assert_eq!(at, "exlude");
    assert_eq!(
        msg,
        "unknown key \"exlude\" in newsmark.toml; did you mean \"exclude\"? allowed: exclude, rules, lint, kinds"
    );
    let (at, msg) = err("[lnit]\nquote-min-words = 3");
    assert_eq!(at, "lnit");
    assert!(msg.contains("did you mean \"lint\"?"), "{msg}");
    let (at, msg) = err("[lint]\nquote-min-word = 3");
    assert_eq!(at, "quote-min-word");
    assert!(msg.contains("in [lint]; did you mean \"quote-min-words\"?"), "{msg}");
    let (at, msg) = err("[kinds]\nperson = [\"x\"]");
    assert_eq!(at, "person");
    assert_eq!(msg, "unknown key \"person\" in [kinds]; allowed: entity, source");
    let (at, _) = err("[lint.extra]\nx = 1");
    assert_eq!(at, "extra");
}

#[test]
fn unknown_rule() {
    let (at, msg) = err("[rules]\nuntaged-mention = \"off\"");
    assert_eq!(at, "untaged-mention");
    assert_eq!(msg, "unknown rule \"untaged-mention\" in [rules]; did you mean \"untagged-mention\"?");
    let (_, msg) = err("[rules]\nspelling = \"off\"");
    assert!(msg.contains("rules are the diagnostic codes: syntax, unreadable,"), "{msg}");
}

#[test]
fn bad_severity() {
    let (at, msg) = err("[rules]\nsyntax = \"fatal\"");
    assert_eq!(at, "\"fatal\"");
    assert_eq!(msg, "bad severity \"fatal\" for rule \"syntax\" in [rules]; allowed: error, warning, info, hint, off");
    let (_, msg) = err("[rules]\nsyntax = \"Error\"");
    assert!(msg.contains("did you mean \"error\"? allowed:"), "{msg}");
    let (at, msg) = err("[rules]\nsyntax = false");
    assert_eq!(at, "false");
    assert!(msg.contains("must be a string (error, warning, info, hint or off), not a boolean"), "{msg}");
}

#[test]
fn wrong_types() {
    let (at, msg) = err("exclude = \"drafts/**\"");
    assert_eq!(at, "\"drafts/**\"");
    assert!(
        msg.contains(
            "\"exclude\" (gitignore-style globs relative to the root) must be an array of strings, not a string"
        ),
        "{msg}"
    );
    let (at, msg) = err("exclude = [\"a\", 3]");
    assert_eq!(at, "3");
    assert!(msg.contains("must hold only strings, not an integer"), "{msg}");
    let (_, msg) = err("rules = [\"syntax\"]");
    assert!(msg.contains("\"rules\" must be a table ([rules]), not an array"), "{msg}");
    let (at, msg) = err("[lint]\nquote-min-words = \"8\"");
    assert_eq!(at, "\"8\"");
    assert!(msg.contains("must be a whole number of at least 1, not a string"), "{msg}");
    let (_, msg) = err("[lint]\nquote-min-words = 8.0");
    assert!(msg.contains("not a float"), "{msg}");
    let (_, msg) = err("[lint]\nrequired-front-matter = \"title\"");
    assert!(msg.contains("must be an array of strings"), "{msg}");
    let (_, msg) = err("[kinds]\nentity = [[\"a\"]]");
    assert!(msg.contains("\"entity\" in [kinds] must hold only strings, not an array"), "{msg}");
}

#[test]
fn quote_min_words_below_one() {
    let (at, msg) = err("[lint]\nquote-min-words = 0");
    assert_eq!(at, "0");
    assert_eq!(msg, "\"quote-min-words\" in [lint] must be at least 1, not 0");
    let (_, msg) = err("[lint]\nquote-min-words = -3");
    assert!(msg.ends_with("not -3"), "{msg}");
    assert_eq!(parse("[lint]\nquote-min-words = 1").unwrap().quote_min_words, 1);
}

#[test]
fn required_front_matter_keys() {
    let (at, msg) = err("[lint]\nrequired-front-matter = [\"title\", \"titel\"]");
    assert_eq!(at, "\"titel\"");
    assert!(
        msg.starts_with(
            "\"titel\" in required-front-matter ([lint]) is not a front-matter key; did you mean \"title\"?"
        ),
        "{msg}"
    );
    let (_, msg) = err("[lint]\nrequired-front-matter = [\"byline\", \"headline\"]");
    assert_eq!(
        msg,
        "\"headline\" in required-front-matter ([lint]) is not a front-matter key; allowed: title, published, updated, outlet, byline, url, lang, or x-…"
    );
    let (_, msg) = err("[lint]\nrequired-front-matter = [\"Title\"]");
    assert!(msg.contains("did you mean \"title\"?"), "{msg}");
    assert!(parse("[lint]\nrequired-front-matter = [\"x-a b\"]").is_err());
}

#[test]
fn invalid_exclude_glob() {
    let (at, msg) = err("exclude = [\"ok/**\", \"bad/[z-a\"]");
    assert_eq!(at, "\"bad/[z-a\"");
    assert!(msg.starts_with("invalid glob \"bad/[z-a\" in exclude: "), "{msg}");
    assert!(msg.contains("gitignore-style"), "{msg}");
}

#[test]
fn bad_kinds() {
    let (at, msg) = err("[kinds]\nsource = [\"court filing\"]");
    assert_eq!(at, "\"court filing\"");
    assert!(msg.contains("a kind is a non-empty word without white space"), "{msg}");
    assert!(parse("[kinds]\nentity = [\"\"]").is_err());
    assert!(parse("[kinds]\nentity = [\"a\\\"b\"]").is_err());
}

#[test]
fn first_error_in_text_wins() {
    let (at, _) = err("[rules]\nzzz = \"off\"\n[lint]\naaa = 1\n");
    assert_eq!(at, "zzz");
}

#[test]
fn load_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(load(dir.path()).unwrap(), None);
    std::fs::write(dir.path().join(FILE_NAME), "[lint]\nquote-min-words = 5\n").unwrap();
    assert_eq!(load(dir.path()).unwrap().unwrap().quote_min_words, 5);
    std::fs::write(dir.path().join(FILE_NAME), "[lint]\nquote-min-words = 0\n").unwrap();
    match load(dir.path()) {
        Err(LoadError::Invalid { text, error, path, .. }) => {
            assert_eq!(error.range.unwrap().slice(&text), "0");
            assert!(path.ends_with(FILE_NAME));
        }
        other => panic!("{other:?}"),
    }
    std::fs::write(dir.path().join(FILE_NAME), b"title = \"\xff\"").unwrap();
    let e = load(dir.path()).unwrap_err();
    assert!(e.to_string().contains("not valid UTF-8 (byte 9"), "{e}");
    // A directory of that name cannot be read as a file.
    let dir2 = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir2.path().join(FILE_NAME)).unwrap();
    assert!(matches!(load(dir2.path()), Err(LoadError::Io { .. })));
}

#[test]
fn exclude_matcher_is_gitignore_style() {
    let c = parse("exclude = [\"drafts/**\", \"*.tmp.nmk\", \"!keep.tmp.nmk\"]").unwrap();
    let m = c.exclude_matcher(Path::new("/r")).unwrap();
    assert!(m.matched("drafts/a.nmk", false).is_ignore());
    assert!(m.matched("x/y.tmp.nmk", false).is_ignore());
    assert!(!m.matched("keep.tmp.nmk", false).is_ignore());
    assert!(!m.matched("articles/a.nmk", false).is_ignore());
}
