//! Whole-article, stress and property tests of the syntax layer.

use std::time::Instant;

use newsmark::syntax::{Parse, PlainText, parse, plain_text, plain_text_of};
use newsmark::text::TextRange;
use proptest::prelude::*;

const TAGGED_ARTICLE: &str = include_str!("../examples/newsroom/articles/2015-11-dhs-beijing-cyber.nmk");
const RAW_ARTICLE: &str = include_str!("../examples/seed-article.txt");

/// Checks what must hold for any text: ranges in bounds and on char
/// boundaries, tags sorted with parents before children, plain-text
/// segments copied verbatim.
fn check_invariants(text: &str, parse: &Parse, plain: &PlainText) {
    let in_text = |range: TextRange| {
        assert!(range.start <= range.end && text.get(range.as_usize()).is_some(), "{range:?} in {text:?}")
    };
    for error in &parse.errors {
        in_text(error.range);
    }
    let doc = &parse.doc;
    doc.paragraphs.iter().for_each(|p| in_text(p.range));
    doc.comments.iter().for_each(|c| in_text(*c));
    for (index, tag) in doc.tags.iter().enumerate() {
        in_text(tag.range);
        in_text(tag.text_range);
        in_text(tag.refs_range);
        tag.refs.iter().for_each(|r| in_text(r.range));
        if let Some(parent) = tag.parent {
            assert!((parent as usize) < index);
            assert!(doc.tags[parent as usize].text_range.contains_range(tag.range));
        }
        if index > 0 {
            assert!(doc.tags[index - 1].range.start < tag.range.start);
        }
    }
    for d in &doc.definitions {
        [d.id_range, d.kind_range, d.header_range, d.range].into_iter().for_each(in_text);
        d.attributes.iter().for_each(|a| in_text(a.value_range));
    }
    assert_eq!(plain.tags.len(), doc.tags.len());
    for segment in &plain.segments {
        let plain_bytes = &plain.text.as_bytes()[segment.plain as usize..][..segment.len as usize];
        let source_bytes = &text.as_bytes()[segment.source as usize..][..segment.len as usize];
        assert_eq!(plain_bytes, source_bytes);
    }
    for span in &plain.tags {
        let bytes = &plain.text[span.byte_start as usize..span.byte_end as usize];
        assert_eq!(bytes.chars().count() as u32, span.end - span.start);
        assert_eq!(plain.text[..span.byte_start as usize].chars().count() as u32, span.start);
    }
}

#[test]
fn tagged_article_gives_back_the_raw_article() {
    let parse = parse(TAGGED_ARTICLE);
    assert_eq!(parse.errors, []);
    let plain = plain_text(TAGGED_ARTICLE, &parse);
    assert_eq!(plain.text, format!("{RAW_ARTICLE}\n"));
    check_invariants(TAGGED_ARTICLE, &parse, &plain);
    assert_eq!(parse.doc.definitions.len(), 6);
    assert_eq!(parse.doc.tags.len(), 43);

    // Every tag's plain span holds the tag's text with its markup removed.
    for (tag, span) in parse.doc.tags.iter().zip(&plain.tags) {
        let source_text = tag.text_range.slice(TAGGED_ARTICLE);
        let plain_text = &plain.text[span.byte_start as usize..span.byte_end as usize];
        if tag.parent.is_none() && !source_text.contains('[') {
            assert_eq!(plain_text, source_text);
        }
    }

    // A name found in the plain text maps back to its source range.
    let found = plain.text.find("mr mayorkas").unwrap() as u32;
    let source = plain.source_range(TextRange::new(found, found + 11));
    assert_eq!(source.slice(TAGGED_ARTICLE), "mr mayorkas");
    assert_eq!(plain.source_offset(0), plain.segments[0].source);
}

#[test]
fn registry_files_parse_without_errors() {
    for text in [
        include_str!("../examples/newsroom/registry/people.nmk"),
        include_str!("../examples/newsroom/registry/organizations.nmk"),
        include_str!("../examples/newsroom/registry/places.nmk"),
    ] {
        let parse = parse(text);
        assert_eq!(parse.errors, []);
        assert!(parse.doc.is_registry());
        assert!(!parse.doc.definitions.is_empty());
        assert_eq!(plain_text(text, &parse).text, "");
    }
}

#[test]
fn source_range_at_markup_boundaries() {
    let text = "the [Mr. Xi]{@xi} said\r\nso";
    let parse = parse(text);
    let plain = plain_text(text, &parse);
    assert_eq!(plain.text, "the Mr. Xi said\nso\n");
    let range = |start, end| plain.source_range(TextRange::new(start, end)).slice(text);
    assert_eq!(range(0, 4), "the ");
    assert_eq!(range(4, 10), "Mr. Xi");
    assert_eq!(range(10, 15), " said");
    assert_eq!(range(11, 18), "said\r\nso");
    assert_eq!(plain.source_offset(18), text.len() as u32);
}

#[test]
fn a_million_open_brackets() {
    let text = "[".repeat(1_000_000);
    let started = Instant::now();
    let parse = parse(&text);
    let plain = plain_text(&text, &parse);
    assert!(parse.errors.is_empty() && parse.doc.tags.is_empty());
    assert_eq!(plain.text.len(), 1_000_001);
    assert!(started.elapsed().as_secs() < 10);
}

#[test]
fn deeply_nested_tags() {
    let depth = 200_000;
    let text = format!("{}x{}", "[".repeat(depth), "]{@a}".repeat(depth));
    let parse = parse(&text);
    assert!(parse.errors.is_empty());
    assert_eq!(parse.doc.tags.len(), depth);
    assert_eq!(parse.doc.tags[depth - 1].parent, Some(depth as u32 - 2));
    let plain = plain_text(&text, &parse);
    assert_eq!(plain.text, "x\n");
    assert_eq!(plain.tags[0].end, 1);
}

#[test]
fn many_failed_tags_on_one_line_stay_linear() {
    // Each list fails at the `[` or `{` that follows it (§3, recovery): one
    // error per mistake, and the messages never scan the rest of the line.
    let text = "[a]{".repeat(200_000) + &"{@".repeat(200_000);
    assert_eq!(parse(&text).errors.len(), 400_000);
    let text = "[a]{x} {@ \n".repeat(100_000);
    assert_eq!(parse(&text).errors.len(), 200_000);
}

/// A fragment of prose: its source and its expected plain text.
fn fragment() -> impl Strategy<Value = (String, String)> {
    let leaf = prop_oneof![
        "[a-zé]{1,6}".prop_map(|w| (w.clone(), w)),
        Just((" ".to_string(), " ".to_string())),
        Just(("\nnext".to_string(), "\nnext".to_string())),
        Just(("\r\nnext".to_string(), "\nnext".to_string())),
        Just(("\rnext".to_string(), "\nnext".to_string())),
        Just(("[sic]".to_string(), "[sic]".to_string())),
        Just(("[a](b)".to_string(), "[a](b)".to_string())),
        Just(("a{b}".to_string(), "a{b}".to_string())),
        Just(("\\[".to_string(), "[".to_string())),
        Just(("\\]".to_string(), "]".to_string())),
        Just(("\\{@".to_string(), "{@".to_string())),
        Just(("\\\\".to_string(), "\\".to_string())),
        Just(("\\q".to_string(), "\\q".to_string())),
        Just(("\\<!--".to_string(), "<!--".to_string())),
        Just(("<!-- c -->".to_string(), String::new())),
        Just(("“".to_string(), "“".to_string())),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        (prop::collection::vec(inner, 0..6), "[a-z][a-z0-9-]{0,5}", prop::bool::ANY).prop_map(
            |(children, id, entity)| {
                let (source, plain): (String, String) = children.into_iter().unzip();
                let sigil = if entity { '@' } else { '^' };
                (format!("x[{source}]{{{sigil}{id}}}"), format!("x{plain}"))
            },
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn never_panics_on_any_string(text in "\\PC*") {
        let parse = parse(&text);
        let plain = plain_text(&text, &parse);
        check_invariants(&text, &parse, &plain);
    }

    #[test]
    fn never_panics_on_markup_soup(
        pieces in prop::collection::vec(
            prop::sample::select(vec![
                "[", "]", "{", "}", "@", "^", "\\", "<!--", "-->", "\n", "\r", "\r\n", " ", "\t",
                "a", "é", "---", ":", "\"", "#", "\u{feff}", "  k: v", "@a: person \"A\"", "x-1",
            ]),
            0..60,
        )
    ) {
        let text = pieces.concat();
        let parse = parse(&text);
        let plain = plain_text(&text, &parse);
        check_invariants(&text, &parse, &plain);
    }

    #[test]
    fn the_plain_text_of_some_paragraphs_is_theirs_in_any_text(
        pieces in prop::collection::vec(
            prop::sample::select(vec![
                "[", "]", "{", "}", "@", "^", "\\", "<!--", "-->", "\n", "\n\n", "\r\n\r\n", "\r", " ",
                "a", "é", "---", ":", "\"", "#", "[a]{@b}", "[c [d]{^e}]{@f}", "\\[", "  k: v", "@a: person \"A\"",
            ]),
            0..60,
        ),
        wanted in prop::collection::vec(prop::bool::ANY, 1..5),
    ) {
        check_partial_plain_text(&pieces.concat(), &wanted);
    }

    #[test]
    fn tag_markup_leaves_plain_text_unchanged(
        fragments in prop::collection::vec(fragment(), 1..8)
    ) {
        let (body, expected): (String, String) = fragments.into_iter().unzip();
        let text = format!("start {body}");
        let parse = parse(&text);
        prop_assert!(parse.errors.is_empty(), "{:?}", parse.errors);
        let plain = plain_text(&text, &parse);
        prop_assert_eq!(&plain.text, &format!("start {expected}\n"));
        check_invariants(&text, &parse, &plain);

        // Removing the markup of any one tag keeps the plain text.
        for tag in &parse.doc.tags {
            let stripped = format!(
                "{}{}{}",
                &text[..tag.range.start as usize],
                tag.text_range.slice(&text),
                &text[tag.range.end as usize..],
            );
            let stripped_parse = newsmark::syntax::parse(&stripped);
            prop_assert_eq!(&plain_text(&stripped, &stripped_parse).text, &plain.text);
            prop_assert_eq!(stripped_parse.doc.tags.len(), parse.doc.tags.len() - 1);
        }
    }
}

/// What `plain_text_of` must give for the wanted paragraphs: the text,
/// the source of every offset and the tag spans of `plain_text`, shifted;
/// nothing of the other paragraphs.
fn check_partial_plain_text(text: &str, wanted: &[bool]) {
    let parse = parse(text);
    let full = plain_text(text, &parse);
    let is_wanted = |i: usize| wanted.get(i % wanted.len().max(1)) == Some(&true);
    let partial = plain_text_of(text, &parse, &is_wanted);
    assert_eq!(partial.paragraphs.len(), full.paragraphs.len());
    let paragraphs = parse.doc.paragraphs.iter().zip(full.paragraphs.iter().zip(&partial.paragraphs));
    for (i, (source, (whole, part))) in paragraphs.enumerate() {
        if !is_wanted(i) {
            assert!(part.is_empty(), "paragraph {i} left out in {text:?}");
            continue;
        }
        assert_eq!(part.slice(&partial.text), whole.slice(&full.text), "paragraph {i} of {text:?}");
        // The end of a range cannot be the paragraph's first byte: there
        // the previous run's end is the previous paragraph's.
        for k in 0..=whole.len() {
            let (w, p) = (whole.start + k, part.start + k);
            assert_eq!(partial.source_offset(p), full.source_offset(w), "start at {k} in paragraph {i} of {text:?}");
            if k > 0 {
                assert_eq!(partial.source_end(p), full.source_end(w), "end at {k} in paragraph {i} of {text:?}");
            }
        }
        for (t, tag) in parse.doc.tags.iter().enumerate() {
            if source.range.start <= tag.range.start && tag.range.start < source.range.end {
                let (a, b) = (full.tags[t], partial.tags[t]);
                assert_eq!(
                    (a.byte_start - whole.start, a.byte_end - whole.start),
                    (b.byte_start - part.start, b.byte_end - part.start),
                    "tag {t} of {text:?}"
                );
            }
        }
    }
    for (t, tag) in parse.doc.tags.iter().enumerate() {
        let i = parse.doc.paragraphs.partition_point(|p| p.range.end <= tag.range.start);
        if !is_wanted(i) {
            assert_eq!(
                (partial.tags[t].byte_start, partial.tags[t].byte_end),
                (u32::MAX, u32::MAX),
                "tag {t} of {text:?}"
            );
        }
    }
}

#[test]
fn the_plain_text_of_some_paragraphs_is_theirs_in_the_whole() {
    let text = "a [b]{@x} c\\[ <!-- d\n\ne --> f\n\n[g]{^s} h\r\n\r\n<!-- i -->\n\nj [k [l]{@y}]{@z}\n";
    for mask in 0..16u32 {
        let wanted: Vec<bool> = (0..4).map(|bit| mask & (1 << bit) != 0).collect();
        check_partial_plain_text(text, &wanted);
    }
    check_partial_plain_text(TAGGED_ARTICLE, &[false, true, true]);
}

/// Throughput of parse and plain_text; run with
/// `cargo test --release --test syntax_properties -- --ignored --nocapture`.
#[test]
#[ignore]
fn throughput() {
    let registry: String = (0..200_000)
        .map(|i| format!("@person-{i}: person \"Person {i}\"\n  aka: P{i}; Mr. {i}\n  role: Role {i}\n\n"))
        .collect();
    let commented = TAGGED_ARTICLE.replace("the trip", "the <!-- note --> trip");
    for (name, text, repeat) in [
        ("article", TAGGED_ARTICLE, 20_000),
        ("commented article", commented.as_str(), 20_000),
        ("registry", registry.as_str(), 5),
    ] {
        let started = Instant::now();
        let mut tags = 0;
        for _ in 0..repeat {
            tags += parse(text).doc.tags.len();
        }
        let parse_secs = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let parsed = parse(text);
        for _ in 0..repeat {
            std::hint::black_box(plain_text(text, &parsed));
        }
        let plain_secs = started.elapsed().as_secs_f64();
        let megabytes = (text.len() * repeat) as f64 / 1e6;
        println!(
            "{name}: parse {:.0} MB/s, plain_text {:.0} MB/s ({tags} tags)",
            megabytes / parse_secs,
            megabytes / plain_secs
        );
    }
}
