//! `export --format conll`: CoNLL-2003-style BIO, one token per line as
//! `TOKEN<tab>START<tab>END<tab>LABEL` (offsets into the plain text in
//! Unicode scalar values), a blank line after each sentence, and a
//! `-DOCSTART-` line per document. Also the tokenizer, sentence splitter and
//! kind → label mapping that the spaCy export shares.

use std::fmt::Write as _;

use crate::syntax::is_word_char;

use super::document::ExportDoc;

/// Entity kind → NER label. Defaults: person → PER, org → ORG,
/// place → LOC, any other kind → MISC; `--label KIND=LABEL` overrides, and
/// the label `O` leaves that kind's tags unlabelled.
#[derive(Clone, Debug, Default)]
pub struct Labels {
    overrides: Vec<(String, String)>,
}

impl Labels {
    /// Reads `KIND=LABEL` pairs; the last one for a kind wins.
    pub fn parse(pairs: &[String]) -> Result<Labels, String> {
        let mut overrides = Vec::new();
        for pair in pairs {
            let (kind, label) = pair.split_once('=').ok_or_else(|| format!("--label {pair}: expected KIND=LABEL"))?;
            let (kind, label) = (kind.trim(), label.trim());
            if kind.is_empty() || label.is_empty() || label.contains(char::is_whitespace) {
                return Err(format!("--label {pair}: expected KIND=LABEL, the label without white space"));
            }
            overrides.push((kind.to_owned(), label.to_owned()));
        }
        Ok(Labels { overrides })
    }

    /// The label of an entity kind; `None` for `O` (not labelled).
    pub fn label<'a>(&'a self, kind: &str) -> Option<&'a str> {
        let label = match self.overrides.iter().rev().find(|(k, _)| k == kind) {
            Some((_, label)) => label.as_str(),
            None => match kind {
                "person" => "PER",
                "org" => "ORG",
                "place" => "LOC",
                _ => "MISC",
            },
        };
        (label != "O").then_some(label)
    }
}

/// The entity layer a flat format can carry: for each position the
/// outermost non-empty tag that has an entity with a label (the first
/// entity of a tag with several), as `(span index, label)` in order,
/// never overlapping.
pub fn flat_entities<'a>(doc: &ExportDoc, labels: &'a Labels) -> Vec<(usize, &'a str)> {
    let mut out: Vec<(usize, &str)> = Vec::new();
    let mut covered_to = 0;
    for (index, span) in doc.spans.iter().enumerate() {
        if span.start == span.end || span.start < covered_to {
            continue;
        }
        if let Some(label) = span.entities.first().and_then(|e| labels.label(&e.kind)) {
            out.push((index, label));
            covered_to = span.end;
        }
    }
    out
}

/// A token: offsets in Unicode scalar values and in bytes; `ws` when white
/// space follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
    pub ws: bool,
}

/// The tokenization rule: a token is a maximal run of word characters
/// (Unicode L*, M*, N*) or a single other character that is not white
/// space; tokens also break at every offset of `breaks` (tag boundaries,
/// Unicode scalar values), so that every tag covers whole tokens.
pub fn tokenize(text: &str, breaks: &[usize]) -> Vec<Token> {
    let mut breaks: Vec<usize> = breaks.to_vec();
    breaks.sort_unstable();
    let mut next_break = 0;
    let mut tokens: Vec<Token> = Vec::new();
    let mut open: Option<Token> = None;
    for (index, (byte, c)) in text.char_indices().enumerate() {
        while breaks.get(next_break).is_some_and(|&b| b < index) {
            next_break += 1;
        }
        let at_break = breaks.get(next_break) == Some(&index);
        let word = is_word_char(c);
        if let Some(token) = open.take_if(|_| c.is_whitespace() || !word || at_break) {
            tokens.push(token);
        }
        if c.is_whitespace() {
            if let Some(last) = tokens.last_mut().filter(|t| t.end == index) {
                last.ws = true;
            }
            continue;
        }
        let token = Token { start: index, end: index + 1, byte_start: byte, byte_end: byte + c.len_utf8(), ws: false };
        match open.as_mut() {
            Some(current) => {
                current.end = token.end;
                current.byte_end = token.byte_end;
            }
            None if word => open = Some(token),
            None => tokens.push(token),
        }
    }
    tokens.extend(open);
    tokens
}

const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Sr", "Jr", "St", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "Sgt", "Capt", "Inc",
    "Ltd", "Co", "Corp", "No", "vs", "etc", "Jan", "Feb", "Mar", "Apr", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec",
];

/// Splits tokens into sentences (ranges of token indices). A sentence
/// ends at a paragraph break, and after `.`, `!`, `?` or `…` (with any
/// closing quotes or brackets right after) when the next token starts with
/// an upper-case letter, a digit or an opening quote, unless the `.`
/// follows a single letter or a common abbreviation (`Mr.`, `U.S.`), or
/// the break would fall inside a labelled entity (`inside[i]`: token `i`
/// continues an entity).
pub fn sentences(text: &str, tokens: &[Token], inside: &[bool]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let token_text = |t: &Token| text.get(t.byte_start..t.byte_end).unwrap_or("");
    for i in 0..tokens.len() {
        let Some(next) = tokens.get(i + 1) else { break };
        let gap = text.get(tokens[i].byte_end..next.byte_start).unwrap_or("");
        let paragraph_break = gap.matches('\n').count() >= 2;
        let continues = inside.get(i + 1).copied().unwrap_or(false);
        if paragraph_break || (!continues && ends_sentence(tokens, i, &token_text)) {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < tokens.len() {
        out.push(start..tokens.len());
    }
    out
}

fn ends_sentence<'t>(tokens: &'t [Token], i: usize, token_text: &dyn Fn(&'t Token) -> &'t str) -> bool {
    let closing = |s: &str| matches!(s, "\"" | "'" | "”" | "’" | "»" | ")" | "]");
    let (Some(token), Some(next)) = (tokens.get(i), tokens.get(i + 1)) else { return false };
    if !token.ws || closing(token_text(next)) {
        return false;
    }
    // Back over closing marks to the terminal punctuation.
    let mut at = i;
    while at > 0 && closing(token_text(&tokens[at])) && tokens[at - 1].end == tokens[at].start {
        at -= 1;
    }
    let terminal = token_text(&tokens[at]);
    if !matches!(terminal, "." | "!" | "?" | "…") {
        return false;
    }
    if terminal == "." && at > 0 && tokens[at - 1].end == tokens[at].start {
        let before = token_text(&tokens[at - 1]);
        if before.chars().count() == 1 || ABBREVIATIONS.contains(&before) {
            return false;
        }
    }
    let first = token_text(next).chars().next().unwrap_or(' ');
    first.is_uppercase() || first.is_ascii_digit() || matches!(first, '"' | '“' | '«' | '\'' | '‘')
}

/// Tokens of a document and the BIO label of each.
pub fn labelled_tokens(doc: &ExportDoc, labels: &Labels) -> (Vec<Token>, Vec<String>) {
    let breaks: Vec<usize> = doc.spans.iter().flat_map(|s| [s.start, s.end]).collect();
    let tokens = tokenize(&doc.text, &breaks);
    let mut tags = vec![String::from("O"); tokens.len()];
    for (index, label) in flat_entities(doc, labels) {
        let span = &doc.spans[index];
        let first = tokens.partition_point(|t| t.start < span.start);
        for (n, tag) in tags.iter_mut().enumerate().skip(first).take_while(|(n, _)| tokens[*n].end <= span.end) {
            *tag = format!("{}-{label}", if n == first { "B" } else { "I" });
        }
    }
    (tokens, tags)
}

/// The CoNLL text of one document.
pub fn render(doc: &ExportDoc, labels: &Labels) -> String {
    let (tokens, tags) = labelled_tokens(doc, labels);
    let inside: Vec<bool> = tags.iter().map(|t| t.starts_with("I-")).collect();
    let mut out = String::from("-DOCSTART-\t-X-\t-X-\tO\n\n");
    for sentence in sentences(&doc.text, &tokens, &inside) {
        for i in sentence {
            let t = &tokens[i];
            let _ = writeln!(out, "{}\t{}\t{}\t{}", &doc.text[t.byte_start..t.byte_end], t.start, t.end, tags[i]);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words<'a>(text: &'a str, breaks: &[usize]) -> Vec<&'a str> {
        tokenize(text, breaks).iter().map(|t| &text[t.byte_start..t.byte_end]).collect()
    }

    #[test]
    fn tokenizes_words_punctuation_and_breaks() {
        assert_eq!(words("Mr. Xi's “talks”, 2015", &[]), ["Mr", ".", "Xi", "'", "s", "“", "talks", "”", ",", "2015"]);
        assert_eq!(words("U.S.-China", &[2]), ["U", ".", "S", ".", "-", "China"]);
        assert_eq!(words("abcdef", &[2, 4]), ["ab", "cd", "ef"]);
        assert_eq!(words("a\u{2028}b 😀", &[]), ["a", "b", "😀"]);
    }

    #[test]
    fn splits_sentences_but_not_after_abbreviations() {
        let text = "Mr. Xi came. He spoke! “Yes.” Then U.S. officials left.\n\nNext";
        let tokens = tokenize(text, &[]);
        let inside = vec![false; tokens.len()];
        let got: Vec<String> = sentences(text, &tokens, &inside)
            .into_iter()
            .map(|r| tokens[r].iter().map(|t| &text[t.byte_start..t.byte_end]).collect::<Vec<_>>().join(" "))
            .collect();
        assert_eq!(got, ["Mr . Xi came .", "He spoke !", "“ Yes . ”", "Then U . S . officials left .", "Next"]);
    }

    #[test]
    fn labels_default_and_override() {
        let labels = Labels::parse(&["event=EVT".into(), "work=O".into()]).unwrap_or_default();
        assert_eq!(labels.label("person"), Some("PER"));
        assert_eq!(labels.label("event"), Some("EVT"));
        assert_eq!(labels.label("product"), Some("MISC"));
        assert_eq!(labels.label("work"), None);
        assert!(Labels::parse(&["person".into()]).is_err());
    }
}
