//! Reading `newsmark.toml` text into a `Config`, rejecting anything §10
//! does not allow with a message that says what, where and what is allowed.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Config, ConfigError, FRONT_MATTER_KEYS};
use crate::codes::suggest::closest;
use crate::codes::{Code, Severity};
use crate::text::TextRange;

const SEVERITIES: [&str; 5] = ["error", "warning", "info", "hint", "off"];

/// Parses and validates `newsmark.toml`. When the text has several
/// problems, the one that comes first in the text is reported.
pub fn parse(text: &str) -> Result<Config, ConfigError> {
    parse_all(text).map_err(|mut errors| errors.swap_remove(0))
}

/// [`parse`], with every problem of the text, in text order (never an
/// empty list), so that one run reports them all.
pub fn parse_all(text: &str) -> Result<Config, Vec<ConfigError>> {
    let doc = DeTable::parse(text).map_err(|e| {
        let range = e.span().map(|s| range(text, s));
        let mut message = format!("newsmark.toml is not valid TOML: {}", e.message().trim_end());
        // The parser says "duplicate key" without naming it; its span does.
        if let Some(key) = range.map(|r| r.slice(text)).filter(|k| !k.is_empty()) {
            if message.ends_with("duplicate key") {
                message.push_str(&format!(" \"{key}\""));
            }
        }
        vec![ConfigError { range, message }]
    })?;
    let mut cx = Cx { text, errors: Vec::new(), config: Config::default() };
    for (key, value) in in_order(doc.get_ref()) {
        match key.get_ref().as_ref() {
            "exclude" => cx.exclude(value),
            "rules" => {
                if let Some(t) = cx.table(key, value) {
                    cx.rules(t);
                }
            }
            "lint" => {
                if let Some(t) = cx.table(key, value) {
                    cx.lint(t);
                }
            }
            "kinds" => {
                if let Some(t) = cx.table(key, value) {
                    cx.kinds(t);
                }
            }
            _ => cx.unknown_key(key, "newsmark.toml", &["exclude", "rules", "lint", "kinds"]),
        }
    }
    let mut errors = cx.errors;
    errors.sort_by_key(|e| e.range.map(|r| (r.start, r.end)));
    if errors.is_empty() { Ok(cx.config) } else { Err(errors) }
}

type Entry<'a, 'i> = (&'a Spanned<std::borrow::Cow<'i, str>>, &'a Spanned<DeValue<'i>>);

/// Table entries in the order they are written (the map sorts by name).
fn in_order<'a, 'i>(table: &'a DeTable<'i>) -> Vec<Entry<'a, 'i>> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// Clamps a span from the TOML parser to the text, on char boundaries.
fn range(text: &str, span: Range<usize>) -> TextRange {
    let fit = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i as u32
    };
    let start = fit(span.start);
    TextRange::new(start, fit(span.end).max(start))
}

/// A type name for messages ("a string", "an array").
fn a_type(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// `; did you mean "x"?` when a candidate is close enough, else "".
fn did_you_mean<'a>(written: &str, allowed: impl Iterator<Item = &'a str>) -> String {
    match closest(written, allowed) {
        Some(s) => format!("; did you mean \"{s}\"?"),
        None => String::new(),
    }
}

/// The suggestion, if any, then the list of what is allowed.
fn hint_allowed(written: &str, allowed: &[&str], tail: &str) -> String {
    let hint = did_you_mean(written, allowed.iter().copied());
    let sep = if hint.is_empty() { ";" } else { "" };
    format!("{hint}{sep} allowed: {}{tail}", allowed.join(", "))
}

struct Cx<'t> {
    text: &'t str,
    errors: Vec<ConfigError>,
    config: Config,
}

impl Cx<'_> {
    fn error(&mut self, span: Range<usize>, message: String) {
        let range = Some(range(self.text, span));
        self.errors.push(ConfigError { range, message });
    }

    fn unknown_key(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, place: &str, allowed: &[&str]) {
        let name = key.get_ref();
        let message = format!("unknown key \"{name}\" in {place}{}", hint_allowed(name, allowed, ""));
        self.error(key.span(), message);
    }

    /// `value` as a table, or an error on it naming `[key]`.
    fn table<'a, 'i>(
        &mut self,
        key: &Spanned<std::borrow::Cow<'i, str>>,
        value: &'a Spanned<DeValue<'i>>,
    ) -> Option<&'a DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                let name = key.get_ref();
                let message = format!("\"{name}\" must be a table ([{name}]), not {}", a_type(other));
                self.error(value.span(), message);
                None
            }
        }
    }

    /// `value` as an array of strings with their spans; `what` names it.
    fn strings(&mut self, value: &Spanned<DeValue<'_>>, what: &str) -> Vec<(String, Range<usize>)> {
        let DeValue::Array(items) = value.get_ref() else {
            let message = format!("{what} must be an array of strings, not {}", a_type(value.get_ref()));
            self.error(value.span(), message);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push((s.to_string(), item.span())),
                other => {
                    let message = format!("{what} must hold only strings, not {}", a_type(other));
                    self.error(item.span(), message);
                }
            }
        }
        out
    }

    fn exclude(&mut self, value: &Spanned<DeValue<'_>>) {
        let what = "\"exclude\" (gitignore-style globs relative to the root)";
        for (glob, span) in self.strings(value, what) {
            // Validate with the matcher the workspace walk will use.
            let mut builder = ignore::gitignore::GitignoreBuilder::new("/");
            if let Err(e) = builder.add_line(None, &glob) {
                let message = format!(
                    "invalid glob \"{glob}\" in exclude: {e}; globs are gitignore-style, relative to the root, such as \"drafts/**\""
                );
                self.error(span, message);
            } else if !self.config.exclude.contains(&glob) {
                self.config.exclude.push(glob);
            }
        }
    }

    fn rules(&mut self, table: &DeTable<'_>) {
        for (key, value) in in_order(table) {
            let name = key.get_ref().as_ref();
            let Some(code) = Code::parse(name) else {
                let hint = did_you_mean(name, Code::ALL.iter().map(|c| c.as_str()));
                let message = if hint.is_empty() {
                    let all: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
                    format!("unknown rule \"{name}\" in [rules]; rules are the diagnostic codes: {}", all.join(", "))
                } else {
                    format!("unknown rule \"{name}\" in [rules]{hint}")
                };
                self.error(key.span(), message);
                continue;
            };
            let DeValue::String(level) = value.get_ref() else {
                let message = format!(
                    "rule \"{name}\" in [rules] must be a string (error, warning, info, hint or off), not {}",
                    a_type(value.get_ref())
                );
                self.error(value.span(), message);
                continue;
            };
            let severity = match level.as_ref() {
                "off" => None,
                s => match Severity::parse(s) {
                    Some(sev) => Some(sev),
                    None => {
                        let message = format!(
                            "bad severity \"{s}\" for rule \"{name}\" in [rules]{}",
                            hint_allowed(s, &SEVERITIES, "")
                        );
                        self.error(value.span(), message);
                        continue;
                    }
                },
            };
            self.config.rules.insert(code, severity);
        }
    }

    fn lint(&mut self, table: &DeTable<'_>) {
        for (key, value) in in_order(table) {
            match key.get_ref().as_ref() {
                "quote-min-words" => self.quote_min_words(value),
                "required-front-matter" => {
                    let what = "\"required-front-matter\" in [lint]";
                    for (name, span) in self.strings(value, what) {
                        if is_front_matter_key(&name) {
                            if !self.config.required_front_matter.contains(&name) {
                                self.config.required_front_matter.push(name);
                            }
                            continue;
                        }
                        let message = format!(
                            "\"{name}\" in required-front-matter ([lint]) is not a front-matter key{}",
                            hint_allowed(&name, &FRONT_MATTER_KEYS, ", or x-…")
                        );
                        self.error(span, message);
                    }
                }
                _ => self.unknown_key(key, "[lint]", &["quote-min-words", "required-front-matter"]),
            }
        }
    }

    fn quote_min_words(&mut self, value: &Spanned<DeValue<'_>>) {
        let DeValue::Integer(i) = value.get_ref() else {
            let message = format!(
                "\"quote-min-words\" in [lint] must be a whole number of at least 1, not {}",
                a_type(value.get_ref())
            );
            return self.error(value.span(), message);
        };
        // TOML integers fit in i64; anything else is a parser bug, reported as too large.
        let n = i128::from_str_radix(i.as_str(), i.radix()).unwrap_or(i128::MAX);
        let written = &self.text[range(self.text, value.span()).as_usize()];
        if n < 1 {
            let message = format!("\"quote-min-words\" in [lint] must be at least 1, not {written}");
            self.error(value.span(), message);
        } else {
            match usize::try_from(n) {
                Ok(n) => self.config.quote_min_words = n,
                Err(_) => {
                    let message = format!("\"quote-min-words\" in [lint] is too large: {written}");
                    self.error(value.span(), message);
                }
            }
        }
    }

    fn kinds(&mut self, table: &DeTable<'_>) {
        for (key, value) in in_order(table) {
            let entity = match key.get_ref().as_ref() {
                "entity" => true,
                "source" => false,
                _ => {
                    self.unknown_key(key, "[kinds]", &["entity", "source"]);
                    continue;
                }
            };
            let what = if entity { "\"entity\" in [kinds]" } else { "\"source\" in [kinds]" };
            for (kind, span) in self.strings(value, what) {
                if kind.is_empty() || kind.chars().any(|c| c.is_whitespace() || c == '"') {
                    let message = format!(
                        "kind \"{kind}\" in {what} cannot be written in a definition header: a kind is a non-empty word without white space or '\"', such as \"court-filing\""
                    );
                    self.error(span, message);
                    continue;
                }
                let list =
                    if entity { &mut self.config.entity_kinds_extra } else { &mut self.config.source_kinds_extra };
                if !list.contains(&kind) {
                    list.push(kind);
                }
            }
        }
    }
}

/// A key §2 allows in front matter (`x-…` included).
fn is_front_matter_key(name: &str) -> bool {
    FRONT_MATTER_KEYS.contains(&name)
        || (name.starts_with("x-") && !name.chars().any(|c| c.is_whitespace() || c == ':'))
}
