//! Value checks of spec §6 (dates, URLs, Wikidata ids, language tags), name
//! matching of §7 and "did you mean" suggestions of §9. Pure functions.
//!
//! Error strings are sentences fit to follow "invalid value: " in a
//! diagnostic; they name the value and say what is allowed.

use std::cmp::Ordering;

/// A §6 date: a year, a month, a day, or an RFC 3339 date-time with offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateValue {
    Year(i32),
    Month(i32, u8),
    Day(i32, u8, u8),
    DateTime {
        year: i32,
        month: u8,
        day: u8,
        /// Seconds since local midnight (a leap second `:60` gives 86_400).
        seconds: u32,
        nanos: u32,
        /// Offset from UTC in minutes (`+08:00` is 480; `Z` is 0).
        offset_minutes: i32,
    },
}

impl DateValue {
    /// The first day the date can denote, as days since 1970-01-01.
    /// A date-time counts by its local calendar date, as written.
    pub fn earliest_day(&self) -> i64 {
        match *self {
            DateValue::Year(y) => days_from_civil(y, 1, 1),
            DateValue::Month(y, m) => days_from_civil(y, m, 1),
            DateValue::Day(y, m, d) | DateValue::DateTime { year: y, month: m, day: d, .. } => days_from_civil(y, m, d),
        }
    }

    /// The last day the date can denote, as days since 1970-01-01.
    pub fn latest_day(&self) -> i64 {
        match *self {
            DateValue::Year(y) => days_from_civil(y, 12, 31),
            DateValue::Month(y, m) => days_from_civil(y, m, days_in_month(y, m)),
            _ => self.earliest_day(),
        }
    }

    /// For a date-time, the instant it denotes: (seconds since the Unix
    /// epoch in UTC, nanoseconds). `None` for partial dates, which carry no
    /// time zone.
    pub fn instant(&self) -> Option<(i64, u32)> {
        match *self {
            DateValue::DateTime { seconds, nanos, offset_minutes, .. } => {
                let local = self.earliest_day() * 86_400 + i64::from(seconds);
                Some((local - i64::from(offset_minutes) * 60, nanos))
            }
            _ => None,
        }
    }

    /// True when `self` is certainly later than `other` (the
    /// `source-after-publication` test, with `self` the source's date).
    ///
    /// Two date-times compare as instants. Otherwise the comparison is by
    /// calendar days: `self`'s earliest possible day must come after
    /// `other`'s latest possible day. A date-time takes part in a day
    /// comparison with its local date as written: a partial date has no
    /// time zone, so the day the writer saw is the only common ground (and
    /// it never flags a source that is later only through time zones).
    pub fn is_certainly_after(&self, other: &DateValue) -> bool {
        match (self.instant(), other.instant()) {
            (Some(a), Some(b)) => a.cmp(&b) == Ordering::Greater,
            _ => self.earliest_day() > other.latest_day(),
        }
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Reads exactly `n` ASCII digits at `*pos`, advancing it.
fn digits(b: &[u8], pos: &mut usize, n: usize) -> Option<u32> {
    let s = b.get(*pos..*pos + n)?;
    if !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    *pos += n;
    Some(s.iter().fold(0, |acc, c| acc * 10 + u32::from(c - b'0')))
}

fn expect(b: &[u8], pos: &mut usize, set: &[u8]) -> Option<u8> {
    let c = *b.get(*pos)?;
    if set.contains(&c) {
        *pos += 1;
        Some(c)
    } else {
        None
    }
}

const DATE_FORMS: &str =
    "use YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 date-time with offset such as 2015-11-16T09:30:00Z";

/// Parses a §6 date. `T`/`Z` may be lower case, as RFC 3339 allows; a
/// fraction of a second is kept to nanoseconds; a leap second `:60` is
/// accepted.
pub fn parse_date(s: &str) -> Result<DateValue, String> {
    let b = s.as_bytes();
    let bad = || format!("\"{s}\" is not a date: {DATE_FORMS}");
    let mut pos = 0;
    let year = digits(b, &mut pos, 4).ok_or_else(bad)? as i32;
    if pos == b.len() {
        return Ok(DateValue::Year(year));
    }
    expect(b, &mut pos, b"-").ok_or_else(bad)?;
    let month = digits(b, &mut pos, 2).ok_or_else(bad)? as u8;
    if !(1..=12).contains(&month) {
        return Err(format!("\"{s}\" is not a real date: there is no month {month:02}"));
    }
    if pos == b.len() {
        return Ok(DateValue::Month(year, month));
    }
    expect(b, &mut pos, b"-").ok_or_else(bad)?;
    let day = digits(b, &mut pos, 2).ok_or_else(bad)? as u8;
    if day == 0 || day > days_in_month(year, month) {
        return Err(format!(
            "\"{s}\" is not a real date: {year:04}-{month:02} has {} days",
            days_in_month(year, month)
        ));
    }
    if pos == b.len() {
        return Ok(DateValue::Day(year, month, day));
    }
    expect(b, &mut pos, b"Tt").ok_or_else(bad)?;
    let hour = digits(b, &mut pos, 2).ok_or_else(bad)?;
    expect(b, &mut pos, b":").ok_or_else(bad)?;
    let minute = digits(b, &mut pos, 2).ok_or_else(bad)?;
    expect(b, &mut pos, b":").ok_or_else(bad)?;
    let second = digits(b, &mut pos, 2).ok_or_else(bad)?;
    if hour > 23 || minute > 59 || second > 60 {
        return Err(format!("\"{s}\" has an impossible time of day: {DATE_FORMS}"));
    }
    let mut nanos = 0u32;
    if expect(b, &mut pos, b".").is_some() {
        let start = pos;
        while b.get(pos).is_some_and(u8::is_ascii_digit) {
            if pos - start < 9 {
                nanos = nanos * 10 + u32::from(b[pos] - b'0');
            }
            pos += 1;
        }
        if pos == start {
            return Err(bad());
        }
        for _ in (pos - start)..9 {
            nanos *= 10;
        }
    }
    let offset_minutes = match expect(b, &mut pos, b"Zz+-") {
        Some(b'Z' | b'z') => 0,
        Some(sign) => {
            let oh = digits(b, &mut pos, 2).ok_or_else(bad)?;
            expect(b, &mut pos, b":").ok_or_else(bad)?;
            let om = digits(b, &mut pos, 2).ok_or_else(bad)?;
            if oh > 23 || om > 59 {
                return Err(format!("\"{s}\" has an impossible UTC offset: {DATE_FORMS}"));
            }
            let total = (oh * 60 + om) as i32;
            if sign == b'-' { -total } else { total }
        }
        None => {
            return Err(format!(
                "\"{s}\" is a date-time without a UTC offset: add Z or ±HH:MM (for example 2015-11-16T09:30:00+08:00)"
            ));
        }
    };
    if pos != b.len() {
        return Err(bad());
    }
    Ok(DateValue::DateTime { year, month, day, seconds: hour * 3600 + minute * 60 + second, nanos, offset_minutes })
}

/// A §6 URL: `http://` or `https://` (any case), a non-empty host, no white
/// space. Nothing else is checked (ports, paths, percent-encoding).
pub fn check_url(s: &str) -> Result<(), String> {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &s[8..]
    } else if lower.starts_with("http://") {
        &s[7..]
    } else {
        return Err(format!("\"{s}\" is not a URL: it must start with http:// or https://"));
    };
    if s.chars().any(char::is_whitespace) {
        return Err(format!("\"{s}\" is not a URL: it contains white space (write it as %20)"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // Userinfo ends at the last `@`; a port follows the last `:` unless
    // that colon is inside an IPv6 literal `[…]`.
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.rfind(':') {
        Some(i) if !host_port[i..].contains(']') => &host_port[..i],
        _ => host_port,
    };
    if host.is_empty() || host == "[]" {
        return Err(format!("\"{s}\" is not a URL: it has no host after the scheme"));
    }
    Ok(())
}

/// A Wikidata item id: `Q` and decimal digits without a leading zero.
pub fn check_wikidata(s: &str) -> Result<(), String> {
    let ok = s
        .strip_prefix('Q')
        .is_some_and(|d| !d.is_empty() && !d.starts_with('0') && d.bytes().all(|c| c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(format!("\"{s}\" is not a Wikidata id: use Q and digits without a leading zero, such as Q76"))
    }
}

/// A language tag well-formed per RFC 5646 (case-insensitive, as the RFC
/// says; registry validity of subtags is not checked).
pub fn check_language_tag(s: &str) -> Result<(), String> {
    match oxilangtag::LanguageTag::parse(s) {
        Ok(_) => Ok(()),
        Err(e) => Err(format!("\"{s}\" is not an RFC 5646 language tag ({e}): use a tag such as en, en-US or zh-Hans")),
    }
}

/// A name normalized for §7 name matching.
///
/// `cased` is the name with `.` removed, `’` turned into `'`, white space
/// collapsed and trimmed and a trailing `'s` (or `'S`) dropped, keeping
/// case; `key` is `cased` in Unicode lowercase (the same as lowercasing
/// first, as §7 orders it, since none of the other steps depends on case).
/// `short` is true when the name has 3 characters or fewer after removing
/// `.` (and trimming/collapsing white space, so that `[ US ]` stays short),
/// counted before the possessive is dropped, as §7 says.
///
/// Two names match iff `matches` says so. Matching is not transitive
/// (`Xi's` matches `Xi` and `xi's`, which do not match each other), so no
/// single key can be exact. For a hash index, key the map by `key`: every
/// match shares it (equal `cased` implies equal `key`), then filter the
/// bucket with `matches`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NormalizedName {
    pub key: String,
    pub cased: String,
    pub short: bool,
}

impl NormalizedName {
    pub fn matches(&self, other: &NormalizedName) -> bool {
        if self.short || other.short { self.cased == other.cased } else { self.key == other.key }
    }
}

/// Normalizes a name for §7 name matching; see [`NormalizedName`].
pub fn normalize_name(name: &str) -> NormalizedName {
    let mut cased = String::with_capacity(name.len());
    let short = normalize_name_into(name, &mut cased);
    NormalizedName { key: cased.to_lowercase(), cased, short }
}

/// The allocation-free core of [`normalize_name`] for hot loops: writes
/// the case-kept form into `cased` (cleared first) and returns `short`.
pub fn normalize_name_into(name: &str, cased: &mut String) -> bool {
    match name.is_ascii() {
        true => normalize_ascii_name_into(name, cased),
        false => normalize_any_name_into(name, cased),
    }
}

/// [`normalize_name_into`] for any name, a character at a time.
fn normalize_any_name_into(name: &str, cased: &mut String) -> bool {
    cased.clear();
    for word in name.split(char::is_whitespace) {
        let before = cased.len();
        if before > 0 {
            cased.push(' ');
        }
        let mut wrote = false;
        for c in word.chars() {
            match c {
                '.' => {}
                '’' => {
                    cased.push('\'');
                    wrote = true;
                }
                c => {
                    cased.push(c);
                    wrote = true;
                }
            }
        }
        if !wrote {
            cased.truncate(before);
        }
    }
    let short = cased.chars().count() <= 3;
    if cased.ends_with("'s") || cased.ends_with("'S") {
        cased.truncate(cased.len() - 2);
        let kept = cased.trim_end().len();
        cased.truncate(kept);
    }
    short
}

/// [`normalize_name_into`] for an ASCII name (most names, and every word
/// start of prose tried against the name index), a word at a time: each
/// word without a `.` is copied whole, where the general loop encodes
/// every character again (a fifth of the time a server's load spends
/// indexing a million entities' names).
fn normalize_ascii_name_into(name: &str, cased: &mut String) -> bool {
    cased.clear();
    // `char::is_whitespace` of an ASCII character (the vertical tab
    // included, which `u8::is_ascii_whitespace` leaves out).
    for word in name.split(|c: char| matches!(c, '\t'..='\r' | ' ')) {
        let before = cased.len();
        if before > 0 {
            cased.push(' ');
        }
        let start = cased.len();
        if word.contains('.') {
            word.split('.').for_each(|piece| cased.push_str(piece));
        } else {
            cased.push_str(word);
        }
        if cased.len() == start {
            cased.truncate(before);
        }
    }
    let short = cased.len() <= 3;
    if cased.ends_with("'s") || cased.ends_with("'S") {
        cased.truncate(cased.len() - 2);
        let kept = cased.trim_end().len();
        cased.truncate(kept);
    }
    short
}

pub use crate::codes::suggest::{closest, closest_unique};

#[cfg(test)]
#[path = "values_tests.rs"]
mod tests;
