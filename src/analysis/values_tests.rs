//! Unit tests of the §6 value checks, §7 name matching and suggestions.

use super::*;

fn date(s: &str) -> DateValue {
    parse_date(s).unwrap()
}

#[test]
fn partial_dates() {
    assert_eq!(date("2015"), DateValue::Year(2015));
    assert_eq!(date("2015-11"), DateValue::Month(2015, 11));
    assert_eq!(date("2015-11-16"), DateValue::Day(2015, 11, 16));
    assert_eq!(date("1970-01-01").earliest_day(), 0);
    assert_eq!(date("2000-03-01").earliest_day(), 11_017);
    assert_eq!(date("2016-02").latest_day(), date("2016-02-29").earliest_day());
    assert_eq!(date("2015").latest_day(), date("2015-12-31").earliest_day());
}

#[test]
fn calendar_validity() {
    assert!(parse_date("2016-02-29").is_ok());
    assert!(parse_date("2000-02-29").is_ok());
    let e = parse_date("2015-02-29").unwrap_err();
    assert!(e.contains("2015-02 has 28 days"), "{e}");
    assert!(parse_date("1900-02-29").is_err());
    assert!(parse_date("2015-04-31").is_err());
    assert!(parse_date("2015-13").unwrap_err().contains("no month 13"));
    assert!(parse_date("2015-00").is_err());
    assert!(parse_date("2015-01-00").is_err());
}

#[test]
fn malformed_dates() {
    for s in [
        "",
        "15",
        "20150",
        "2015-1",
        "2015-11-1",
        "2015/11/16",
        "2015-11-16T",
        "2015-11-16 09:30:00Z",
        "2015-11-16T9:30:00Z",
        "2015-11-16T09:30Z",
        "2015-11-16T09:30:00.Z",
        "2015-11-16T09:30:00+8:00",
        "2015-11-16T09:30:00+0800",
        "2015-11-16T24:00:00Z",
        "2015-11-16T09:60:00Z",
        "2015-11-16T09:30:00+24:00",
        "2015-11-16Z",
        " 2015",
        "２０１５",
    ] {
        assert!(parse_date(s).is_err(), "{s:?} should be invalid");
    }
    let e = parse_date("2015-11-16T09:30:00").unwrap_err();
    assert!(e.contains("without a UTC offset"), "{e}");
    assert!(parse_date("Nov 2015").unwrap_err().contains("YYYY-MM-DD"));
}

#[test]
fn date_times() {
    let z = date("2015-11-16T09:30:00Z");
    assert_eq!(z.instant(), Some((date("2015-11-16").earliest_day() * 86_400 + 9 * 3600 + 1800, 0)));
    let cn = date("2015-11-16T17:30:00+08:00");
    assert_eq!(cn.instant(), z.instant());
    let ny = date("2015-11-16t04:30:00.5-05:00");
    assert_eq!(ny.instant(), Some((z.instant().unwrap().0, 500_000_000)));
    assert!(parse_date("2015-12-31T23:59:60z").is_ok());
    assert_eq!(date("2015-11-16T09:30:00.123456789123Z").instant().unwrap().1, 123_456_789);
    assert_eq!(cn.earliest_day(), cn.latest_day());
}

#[test]
fn certainly_after() {
    // Partial dates: earliest day of the source after the latest day of the document.
    assert!(!date("2015-11").is_certainly_after(&date("2015-11-16")));
    assert!(!date("2015-11-16").is_certainly_after(&date("2015-11")));
    assert!(date("2015-12-01").is_certainly_after(&date("2015-11")));
    assert!(!date("2015").is_certainly_after(&date("2015-06")));
    assert!(date("2016").is_certainly_after(&date("2015")));
    assert!(!date("2015-11-16").is_certainly_after(&date("2015-11-16")));
    // Two date-times are instants.
    let a = date("2015-11-16T09:30:00Z");
    let b = date("2015-11-16T10:30:00+08:00"); // 02:30Z, earlier than a
    assert!(a.is_certainly_after(&b));
    assert!(!b.is_certainly_after(&a));
    assert!(!a.is_certainly_after(&date("2015-11-16T17:30:00+08:00")));
    // A date-time against a partial date uses its local date.
    assert!(!date("2015-11-16T23:00:00-05:00").is_certainly_after(&date("2015-11-16")));
    assert!(date("2015-11-17T00:00:00+14:00").is_certainly_after(&date("2015-11-16")));
    assert!(!date("2015-11-16").is_certainly_after(&date("2015-11-16T00:00:00Z")));
    assert!(date("2015-11-17").is_certainly_after(&date("2015-11-16T23:59:59-12:00")));
}

#[test]
fn urls() {
    for ok in [
        "http://example.com",
        "HTTPS://example.com/a?b#c",
        "https://user:pw@example.com:8080/x",
        "https://[::1]:80/",
        "http://localhost",
        "https://例え.jp/パス",
    ] {
        assert!(check_url(ok).is_ok(), "{ok}");
    }
    for (bad, why) in [
        ("ftp://example.com", "http:// or https://"),
        ("example.com", "http:// or https://"),
        ("", "http:// or https://"),
        ("https://", "no host"),
        ("https:///path", "no host"),
        ("https://user@/x", "no host"),
        ("https://:80", "no host"),
        ("https://exa mple.com", "white space"),
        ("https://example.com/a\tb", "white space"),
        ("http:/example.com", "http:// or https://"),
    ] {
        let e = check_url(bad).unwrap_err();
        assert!(e.contains(why), "{bad}: {e}");
    }
}

#[test]
fn wikidata() {
    assert!(check_wikidata("Q76").is_ok());
    assert!(check_wikidata("Q1").is_ok());
    for bad in ["", "Q", "Q0", "Q076", "q76", "76", "Q7a", "P31", "Q７６", " Q76"] {
        assert!(check_wikidata(bad).is_err(), "{bad}");
    }
}

#[test]
fn language_tags() {
    for ok in ["en", "en-US", "zh-Hans", "zh-Hant-TW", "de-CH-1996", "x-private", "i-klingon", "EN-us"] {
        assert!(check_language_tag(ok).is_ok(), "{ok}");
    }
    for bad in ["", "englishlang", "en_US", "en-", "e", "en--US", "zh-Hans-"] {
        let e = check_language_tag(bad).unwrap_err();
        assert!(e.contains("RFC 5646"), "{bad}: {e}");
    }
}

fn matches(a: &str, b: &str) -> bool {
    let (a, b) = (normalize_name(a), normalize_name(b));
    let m = a.matches(&b);
    assert_eq!(m, b.matches(&a), "symmetric");
    if m {
        assert_eq!(a.key, b.key, "every match shares the hash key");
    }
    m
}

#[test]
fn name_matching() {
    assert!(matches("Mr. Xi", "mr xi"));
    assert!(matches("Barack  Obama", " barack obama "));
    assert!(matches("Obama's", "Obama"));
    assert!(matches("Obama’s", "obama"));
    assert!(matches("O’Brien", "O'Brien"));
    assert!(matches("Homeland\nSecurity", "homeland security"));
    assert!(matches("Department of Homeland Security", "department of homeland security"));
    // Short names keep case.
    assert!(matches("U.S.", "US"));
    assert!(!matches("U.S.", "us"));
    assert!(!matches("US", "us"));
    assert!(matches("U. S.", "U S"));
    assert!(!matches("u s", "U S"));
    assert!(normalize_name("u s").short);
    assert!(!matches("DHS", "dhs"));
    assert!(matches("[ Xi ]".trim_matches(['[', ']']), "Xi"));
    // Possessive of a short name: `Xi's` has 4 characters but `Xi` is short.
    assert!(matches("Xi's", "Xi"));
    assert!(!matches("xi's", "Xi"));
    assert!(matches("xi's", "XI'S"));
    assert!(!matches("Obama", "Obamas"));
}

#[test]
fn normalized_forms() {
    let n = normalize_name("  Mr.  Xi’s ");
    assert_eq!(n.cased, "Mr Xi");
    assert_eq!(n.key, "mr xi");
    assert!(!n.short);
    let us = normalize_name("U.S.");
    assert_eq!((us.cased.as_str(), us.key.as_str(), us.short), ("US", "us", true));
    assert_eq!(normalize_name("ÉLYSÉE").key, "élysée");
    assert_eq!(normalize_name("").cased, "");
}

#[test]
fn suggestions() {
    let ids = ["xi-jinping", "barack-obama", "dhs", "dod"];
    assert_eq!(closest("xi-jinpig", ids.iter().copied()), Some("xi-jinping"));
    assert_eq!(closest("barak-obama", ids.iter().copied()), Some("barack-obama"));
    // n = 3: limit 2.
    assert_eq!(closest("dhx", ids.iter().copied()), Some("dhs"));
    assert_eq!(closest("zzz", ids.iter().copied()), None);
    // Ties go to the candidate that sorts first, whatever the order.
    assert_eq!(closest("dos", ["dhs", "dod"].into_iter()), Some("dhs"));
    assert_eq!(closest("dos", ["dod", "dhs"].into_iter()), Some("dhs"));
    // n = 12: limit 4.
    assert_eq!(closest("untaged-mention", ["untagged-mention"].into_iter()), Some("untagged-mention"));
    assert_eq!(closest("completely-off", ids.iter().copied()), None);
    assert_eq!(closest("x", std::iter::empty()), None);
    assert_eq!(closest("persn", ["person", "org"].into_iter()), Some("person"));
    assert_eq!(closest("ÉLYSÉE", ["élysée"].into_iter()), None);
}

#[test]
fn closest_unique_refuses_a_tie() {
    assert_eq!(closest_unique("dos", ["dhs", "dod"].into_iter()), None);
    assert_eq!(closest_unique("dhx", ["dhs", "dod"].into_iter()), Some("dhs"));
    assert_eq!(closest("dos", ["dod", "dhs"].into_iter()), Some("dhs"));
}

proptest::proptest! {
    /// The ASCII path gives what the general one gives: white space of
    /// every kind `char::is_whitespace` knows in ASCII (the vertical tab
    /// and form feed among them), runs of it, words of dots alone, dots
    /// inside words, possessives in both cases, three letters or fewer.
    #[test]
    fn ascii_names_normalize_as_any_name_does(name in "[ \t\n\x0b\x0c\r.'sSaX1-]{0,12}") {
        let (mut ascii, mut any) = (String::from("stale"), String::from("stale"));
        let short = normalize_ascii_name_into(&name, &mut ascii);
        proptest::prop_assert_eq!((short, &ascii), (normalize_any_name_into(&name, &mut any), &any));
    }
}
