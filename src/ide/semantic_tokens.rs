//! Semantic tokens: references, definition ids, kinds, display names, keys,
//! tag punctuation, escapes and comments. Tokens come out sorted, never
//! overlapping, and each within one line, ready for LSP's delta encoding.

use super::FileContext;
use super::cursor::attributes;
use crate::syntax::Sigil;
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenKind {
    /// `@id`, in tags, attribute values and headers.
    Entity,
    /// `^id`.
    Source,
    /// The kind word of a header.
    Kind,
    /// The quoted display name of a header.
    DisplayName,
    /// An attribute key.
    Key,
    /// `[`, `]{`, `}` of a tag; front-matter fences.
    Punctuation,
    /// The backslash of a prose escape.
    Escape,
    Comment,
}

impl TokenKind {
    /// Every kind, in legend order (a token's kind is sent as its index).
    pub const ALL: [TokenKind; 8] = [
        TokenKind::Entity,
        TokenKind::Source,
        TokenKind::Kind,
        TokenKind::DisplayName,
        TokenKind::Key,
        TokenKind::Punctuation,
        TokenKind::Escape,
        TokenKind::Comment,
    ];

    /// The index of this kind in [`TokenKind::ALL`].
    pub fn index(self) -> u32 {
        TokenKind::ALL.iter().position(|k| *k == self).unwrap_or(0) as u32
    }
}

/// Token modifiers, as bits of [`SemanticToken::modifiers`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenModifier {
    /// The id of a definition header.
    Declaration,
    /// A reference that resolves to nothing in the workspace.
    Undefined,
}

impl TokenModifier {
    pub const ALL: [TokenModifier; 2] = [TokenModifier::Declaration, TokenModifier::Undefined];

    /// The bit of this modifier (`1 << index in ALL`).
    pub fn bit(self) -> u32 {
        match self {
            TokenModifier::Declaration => 1,
            TokenModifier::Undefined => 2,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    pub range: TextRange,
    pub kind: TokenKind,
    /// A set of [`TokenModifier::bit`]s.
    pub modifiers: u32,
}

/// The tokens of the file, or of those touching `range`.
pub fn semantic_tokens(ctx: FileContext, range: Option<TextRange>) -> Vec<SemanticToken> {
    let doc = &ctx.parse.doc;
    let ws = ctx.ws;
    let mut raw: Vec<SemanticToken> = Vec::new();
    let mut add = |range: TextRange, kind: TokenKind, modifiers: u32| {
        if !range.is_empty() {
            raw.push(SemanticToken { range, kind, modifiers });
        }
    };
    let reference = |sigil: Sigil, id: &str| {
        let kind = sigil_kind(sigil);
        let undefined = ws.definitions(sigil, id).is_empty();
        (kind, if undefined { TokenModifier::Undefined.bit() } else { 0 })
    };
    if let Some(fm) = &doc.front_matter {
        add(fm.open, TokenKind::Punctuation, 0);
        if fm.closed {
            add(TextRange::new(fm.range.end.saturating_sub(3), fm.range.end), TokenKind::Punctuation, 0);
        }
    }
    for tag in &doc.tags {
        add(TextRange::new(tag.range.start, tag.text_range.start), TokenKind::Punctuation, 0);
        add(TextRange::new(tag.text_range.end, tag.refs_range.start + 1), TokenKind::Punctuation, 0);
        add(TextRange::new(tag.refs_range.end - 1, tag.refs_range.end), TokenKind::Punctuation, 0);
        for r in &tag.refs {
            let (kind, modifiers) = reference(r.sigil, &r.id);
            add(r.range, kind, modifiers);
        }
    }
    for def in &doc.definitions {
        add(def.id_range, sigil_kind(def.sigil), TokenModifier::Declaration.bit());
        add(def.kind_range, TokenKind::Kind, 0);
        if let Some(name) = def.name_range {
            add(name, TokenKind::DisplayName, 0);
        }
    }
    for (context, attr) in attributes(ctx.parse) {
        add(attr.key_range, TokenKind::Key, 0);
        for (sigil, id, r) in super::cursor::attribute_refs(context, attr) {
            let (kind, modifiers) = reference(sigil, id);
            add(r, kind, modifiers);
        }
    }
    for &at in &doc.escapes {
        add(TextRange::new(at, at + 1), TokenKind::Escape, 0);
    }
    // Comments may sit inside other tokens (`{@a<!-- c -->}`): they cut
    // those tokens in pieces rather than overlap them.
    let mut tokens = Vec::with_capacity(raw.len() + doc.comments.len());
    for t in raw {
        subtract_comments(t, &doc.comments, &mut tokens);
    }
    tokens.extend(doc.comments.iter().map(|&c| SemanticToken { range: c, kind: TokenKind::Comment, modifiers: 0 }));
    tokens.sort_by_key(|t| (t.range.start, t.range.end));
    let mut out = Vec::with_capacity(tokens.len());
    let mut last_end = 0;
    for t in tokens {
        if let Some(want) = range
            && (t.range.end <= want.start || t.range.start >= want.end)
        {
            continue;
        }
        // Should two tokens still overlap, the earlier one wins.
        if t.range.start < last_end {
            continue;
        }
        last_end = t.range.end;
        split_lines(ctx.text, t, &mut out);
    }
    out
}

fn sigil_kind(sigil: Sigil) -> TokenKind {
    match sigil {
        Sigil::Entity => TokenKind::Entity,
        Sigil::Source => TokenKind::Source,
    }
}

/// Pushes the parts of `t` outside every comment (`comments` is sorted).
fn subtract_comments(t: SemanticToken, comments: &[TextRange], out: &mut Vec<SemanticToken>) {
    let first = comments.partition_point(|c| c.end <= t.range.start);
    let mut start = t.range.start;
    for c in comments[first..].iter().take_while(|c| c.start < t.range.end) {
        if c.start > start {
            out.push(SemanticToken { range: TextRange::new(start, c.start), ..t });
        }
        start = start.max(c.end);
    }
    if start < t.range.end {
        out.push(SemanticToken { range: TextRange::new(start, t.range.end), ..t });
    }
}

/// Pushes `t` cut at line ends (which belong to no token).
fn split_lines(text: &str, t: SemanticToken, out: &mut Vec<SemanticToken>) {
    let s = t.range.slice(text);
    let mut start = t.range.start;
    let mut pos = t.range.start;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' || b == b'\r' {
            if pos > start {
                out.push(SemanticToken { range: TextRange::new(start, pos), ..t });
            }
            let step = if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
            i += step;
            pos += step as u32;
            start = pos;
            continue;
        }
        i += 1;
        pos += 1;
    }
    if pos > start {
        out.push(SemanticToken { range: TextRange::new(start, pos), ..t });
    }
}
