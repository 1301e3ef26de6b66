//! Java's text forms, reproduced exactly: `Float.toString`, `Double.toString`,
//! `BigDecimal.toString`, `new BigDecimal(String)`, the narrowing conversions of
//! `Number.longValue()`, and the ISO-8601 / `java.util.Date.toString()` date forms.
//!
//! Kafka's converters write numbers and dates through these Java methods, so a byte-exact
//! converter has to format the same way. Floating point numbers use the shortest decimal
//! that reads back to the same value (what `Double.toString` does since JDK 19, and what
//! Rust's `{:e}` formatting computes; where that is a single digit Java takes the closest
//! of one or two digits, so `Double.MIN_VALUE` is `4.9E-324`), laid out with Java's rules:
//! plain notation with at least one fractional digit for magnitudes in `[1e-3, 1e7)`,
//! `d.dddE±n` otherwise. Dates are in UTC on Java's calendar (Julian before 15 October
//! 1582, see the `calendar` module).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::{BigInt, Sign};
use connect_api::Value;

/// Milliseconds in a day, as Kafka's logical types count them.
pub(crate) const MILLIS_PER_DAY: i64 = 24 * 60 * 60 * 1000;

/// UTF-16 code units read with `unit`, malformed input replaced as Java's decoder does: a
/// high surrogate and the unit after it that is not a low one become one U+FFFD together; a
/// lone low surrogate, a high one at the end and a trailing odd byte one each.
pub(crate) fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let pairs = bytes.chunks_exact(2);
    let odd = !pairs.remainder().is_empty();
    let units: Vec<u16> = pairs.map(|p| unit([p[0], p[1]])).collect();
    let mut text = String::with_capacity(units.len());
    let mut i = 0;
    while i < units.len() {
        let u = units[i];
        i += 1;
        match u {
            0xD800..=0xDBFF => match units.get(i) {
                Some(&low @ 0xDC00..=0xDFFF) => {
                    i += 1;
                    let c = 0x1_0000 + ((u32::from(u) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    text.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                }
                Some(_) => {
                    i += 1;
                    text.push('\u{FFFD}');
                }
                // A high surrogate cut short: one U+FFFD for it and any odd byte after it.
                None => {
                    text.push('\u{FFFD}');
                    return text;
                }
            },
            0xDC00..=0xDFFF => text.push('\u{FFFD}'),
            _ => text.push(char::from_u32(u32::from(u)).unwrap_or('\u{FFFD}')),
        }
    }
    if odd {
        text.push('\u{FFFD}');
    }
    text
}

/// `new String(bytes, UTF_8)`: malformed input becomes U+FFFD exactly where and as often
/// as Java's decoder (`String.decodeUTF8_UTF16`) puts one, which is not always where
/// `String::from_utf8_lossy` does: Java replaces a truncated sequence at the end with one
/// U+FFFD however many of its bytes are there, and checks the range of a three-byte
/// sequence's second byte only after it has all three (`ED A5` at the end is one U+FFFD).
pub(crate) fn utf8_to_string(src: &[u8]) -> String {
    if let Ok(text) = std::str::from_utf8(src) {
        return text.to_owned();
    }
    const REPL: char = '\u{FFFD}';
    let cont = |b: u8| b & 0xC0 == 0x80;
    let malformed3 = |b1: u8, b2: u8| (b1 == 0xE0 && b2 & 0xE0 == 0x80) || !cont(b2);
    let malformed4_2 = |b1: u8, b2: u8| {
        (b1 == 0xF0 && !(0x90..=0xBF).contains(&b2))
            || (b1 == 0xF4 && b2 & 0xF0 != 0x80)
            || !cont(b2)
    };
    let mut out = String::with_capacity(src.len());
    let len = src.len();
    let mut sp = 0;
    while sp < len {
        let b1 = src[sp];
        sp += 1;
        if b1 < 0x80 {
            out.push(char::from(b1));
        } else if (0xC2..=0xDF).contains(&b1) {
            if sp < len {
                let b2 = src[sp];
                if cont(b2) {
                    sp += 1;
                    let c = (u32::from(b1 & 0x1F) << 6) | u32::from(b2 & 0x3F);
                    out.push(char::from_u32(c).unwrap_or(REPL));
                } else {
                    out.push(REPL);
                }
                continue;
            }
            out.push(REPL);
            break;
        } else if b1 >> 4 == 0x0E {
            if sp + 1 < len {
                let (b2, b3) = (src[sp], src[sp + 1]);
                if malformed3(b1, b2) || !cont(b3) {
                    out.push(REPL);
                    sp += usize::from(!malformed3(b1, b2));
                } else {
                    sp += 2;
                    let c = (u32::from(b1 & 0x0F) << 12)
                        | (u32::from(b2 & 0x3F) << 6)
                        | u32::from(b3 & 0x3F);
                    // A surrogate encoded in UTF-8 is malformed.
                    out.push(char::from_u32(c).unwrap_or(REPL));
                }
                continue;
            }
            if sp < len && malformed3(b1, src[sp]) {
                out.push(REPL);
                continue;
            }
            out.push(REPL);
            break;
        } else if b1 >> 3 == 0x1E {
            if sp + 2 < len {
                let (b2, b3, b4) = (src[sp], src[sp + 1], src[sp + 2]);
                let uc = (u32::from(b1 & 0x07) << 18)
                    | (u32::from(b2 & 0x3F) << 12)
                    | (u32::from(b3 & 0x3F) << 6)
                    | u32::from(b4 & 0x3F);
                if !cont(b2) || !cont(b3) || !cont(b4) || !(0x1_0000..=0x10_FFFF).contains(&uc) {
                    out.push(REPL);
                    // Java skips the bytes that belonged to the broken sequence.
                    sp += if b1 > 0xF4 || malformed4_2(b1, b2) {
                        0
                    } else if !cont(b3) {
                        1
                    } else {
                        2
                    };
                } else {
                    sp += 3;
                    out.push(char::from_u32(uc).unwrap_or(REPL));
                }
                continue;
            }
            if b1 > 0xF4 || (sp < len && malformed4_2(b1, src[sp])) {
                out.push(REPL);
                continue;
            }
            sp += 1;
            out.push(REPL);
            if sp < len && !cont(src[sp]) {
                continue;
            }
            break;
        } else {
            out.push(REPL);
        }
    }
    out
}

/// `Double.toString(d)`.
pub(crate) fn double_to_string(d: f64) -> String {
    if d.is_nan() {
        return "NaN".to_string();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if d == 0.0 {
        return if d.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    let abs = d.abs();
    let mut scientific = format!("{abs:e}");
    if !scientific.contains('.') {
        // One significant digit: Java picks the closest decimal of one or two digits.
        let two = format!("{abs:.1e}");
        if two.parse::<f64>().ok() == Some(abs) {
            scientific = two;
        }
    }
    let scientific = closest_shortest(&scientific, abs, |t| t.parse::<f64>().ok() == Some(abs));
    layout(d.is_sign_negative(), &scientific)
}

/// Of the decimals as short as `scientific` that read back as `exact` (`reads_back`), the
/// one closest to `exact`, and of two equally close the one with an even last digit: Java's
/// rule (JDK 19+). Rust's shortest form is one of them, but not always that one:
/// `3831067.25f32` is `3831067.3` in Rust and `3831067.2` in Java.
fn closest_shortest(scientific: &str, exact: f64, reads_back: impl Fn(&str) -> bool) -> String {
    let Some((mantissa, exponent)) = scientific.split_once('e') else {
        return scientific.to_owned();
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let Ok(value) = digits.parse::<u64>() else {
        return scientific.to_owned();
    };
    let Ok(exact) = BigDecimal::try_from(exact) else {
        return scientific.to_owned();
    };
    let len = digits.len();
    let exponent: i64 = exponent.parse().unwrap_or(0);
    // d.ddd × 10^exponent as text, for a candidate with the same number of digits.
    let text = |candidate: u64| -> Option<String> {
        let s = candidate.to_string();
        (s.len() == len).then(|| {
            if len == 1 {
                format!("{s}e{exponent}")
            } else {
                format!("{}.{}e{exponent}", &s[..1], &s[1..])
            }
        })
    };
    let mut best: Option<(BigDecimal, u64, String)> = None;
    for candidate in [value.saturating_sub(1), value, value + 1] {
        let Some(t) = text(candidate) else { continue };
        if !reads_back(&t) {
            continue;
        }
        let Ok(decimal) = t.parse::<BigDecimal>() else {
            continue;
        };
        let distance = (decimal - &exact).abs();
        let better = match &best {
            None => true,
            Some((d, c, _)) => {
                distance < *d || (distance == *d && candidate % 2 == 0 && c % 2 == 1)
            }
        };
        if better {
            best = Some((distance, candidate, t));
        }
    }
    best.map_or_else(|| scientific.to_owned(), |(_, _, t)| t)
}

/// `Float.toString(f)`.
pub(crate) fn float_to_string(f: f32) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    let abs = f.abs();
    let mut scientific = format!("{abs:e}");
    if !scientific.contains('.') {
        let two = format!("{abs:.1e}");
        if two.parse::<f32>().ok() == Some(abs) {
            scientific = two;
        }
    }
    let scientific = closest_shortest(&scientific, f64::from(abs), |t| {
        t.parse::<f32>().ok() == Some(abs)
    });
    layout(f.is_sign_negative(), &scientific)
}

/// Lays out Rust's shortest scientific form (`1.234e1`) the way Java does.
fn layout(negative: bool, scientific: &str) -> String {
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = match digits.trim_end_matches('0') {
        "" => "0",
        trimmed => trimmed,
    };
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if (-3..7).contains(&exponent) {
        if exponent >= 0 {
            let int_len = usize::try_from(exponent).unwrap_or(0) + 1;
            if digits.len() <= int_len {
                out.push_str(digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            let zeros = usize::try_from(-exponent - 1).unwrap_or(0);
            out.extend(std::iter::repeat_n('0', zeros));
            out.push_str(digits);
        }
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        if digits.len() > 1 {
            out.push_str(&digits[1..]);
        } else {
            out.push('0');
        }
        out.push('E');
        out.push_str(&exponent.to_string());
    }
    out
}

/// `BigDecimal.toString()`: plain for non-negative scales whose adjusted exponent is at
/// least -6, scientific (`1.23E+5`, `1E-7`) otherwise.
pub(crate) fn big_decimal_to_string(value: &BigDecimal) -> String {
    let (unscaled, scale) = value.as_bigint_and_exponent();
    unscaled_to_string(&unscaled, scale)
}

fn unscaled_to_string(unscaled: &BigInt, scale: i64) -> String {
    let negative = unscaled.sign() == Sign::Minus;
    let coefficient = unscaled.magnitude().to_string();
    let len = i64::try_from(coefficient.len()).unwrap_or(i64::MAX);
    let adjusted = (len - 1).saturating_sub(scale);
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if scale == 0 {
        out.push_str(&coefficient);
    } else if scale > 0 && adjusted >= -6 {
        if len > scale {
            let point = usize::try_from(len - scale).unwrap_or(0);
            out.push_str(&coefficient[..point]);
            out.push('.');
            out.push_str(&coefficient[point..]);
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n(
                '0',
                usize::try_from(scale - len).unwrap_or(0),
            ));
            out.push_str(&coefficient);
        }
    } else {
        out.push_str(&coefficient[..1]);
        if coefficient.len() > 1 {
            out.push('.');
            out.push_str(&coefficient[1..]);
        }
        if adjusted != 0 {
            out.push('E');
            if adjusted > 0 {
                out.push('+');
            }
            out.push_str(&adjusted.to_string());
        }
    }
    out
}

/// A decimal number as `new BigDecimal(String)` reads it: sign, digits and scale, kept as
/// text so that huge exponents cost nothing until a value is really needed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JavaDecimal {
    negative: bool,
    /// ASCII digits of the unscaled value, without leading zeros (`"0"` for zero).
    digits: String,
    /// Java's scale: the value is `digits × 10^-scale`.
    scale: i32,
}

impl JavaDecimal {
    /// Parses Java's `BigDecimal(String)` syntax: `[+-]digits[.digits][(e|E)[+-]digits]`
    /// with at least one digit; `None` where Java throws `NumberFormatException`.
    pub(crate) fn parse(text: &str) -> Option<JavaDecimal> {
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut negative = false;
        if let Some(&sign) = bytes.first()
            && (sign == b'-' || sign == b'+')
        {
            negative = sign == b'-';
            i = 1;
        }
        let mut digits = String::new();
        let mut fraction_digits: i64 = 0;
        let mut seen_point = false;
        let mut seen_digit = false;
        while i < bytes.len() {
            match bytes[i] {
                b'0'..=b'9' => {
                    digits.push(char::from(bytes[i]));
                    seen_digit = true;
                    if seen_point {
                        fraction_digits += 1;
                    }
                }
                b'.' if !seen_point => seen_point = true,
                b'e' | b'E' => break,
                _ => return None,
            }
            i += 1;
        }
        if !seen_digit {
            return None;
        }
        let mut exponent: i64 = 0;
        if i < bytes.len() {
            // bytes[i] is the exponent marker
            let rest = &text[i + 1..];
            let unsigned = rest.strip_prefix(['+', '-']).unwrap_or(rest);
            if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            exponent = rest.parse::<i64>().ok()?;
            if i32::try_from(exponent).is_err() {
                return None;
            }
        }
        let scale = i32::try_from(fraction_digits - exponent).ok()?;
        let trimmed = digits.trim_start_matches('0');
        let digits = if trimmed.is_empty() {
            "0".to_string()
        } else {
            trimmed.to_string()
        };
        Some(JavaDecimal {
            negative: negative && digits != "0",
            digits,
            scale,
        })
    }

    pub(crate) fn scale(&self) -> i32 {
        self.scale
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.digits == "0"
    }

    /// The exact value as a `BigDecimal`.
    pub(crate) fn to_big_decimal(&self) -> BigDecimal {
        let magnitude = BigInt::parse_bytes(self.digits.as_bytes(), 10).unwrap_or_default();
        let unscaled = if self.negative { -magnitude } else { magnitude };
        BigDecimal::new(unscaled, i64::from(self.scale))
    }

    /// `longValue()`: the integer part (truncated toward zero), keeping only its low 64
    /// bits, as Java's narrowing does.
    pub(crate) fn wrapping_long(&self) -> i64 {
        let kept: &str = if self.scale > 0 {
            let drop = usize::try_from(self.scale).unwrap_or(usize::MAX);
            if drop >= self.digits.len() {
                return 0;
            }
            &self.digits[..self.digits.len() - drop]
        } else {
            &self.digits
        };
        let mut acc: u64 = 0;
        for b in kept.bytes() {
            acc = acc.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
        }
        if self.scale < 0 {
            // 10^n is a multiple of 2^64 from n = 64 on.
            if self.scale <= -64 {
                return 0;
            }
            for _ in 0..-self.scale {
                acc = acc.wrapping_mul(10);
            }
        }
        let value = acc as i64;
        if self.negative {
            value.wrapping_neg()
        } else {
            value
        }
    }

    /// `doubleValue()`, correctly rounded.
    pub(crate) fn to_f64(&self) -> f64 {
        self.scientific().parse().unwrap_or(0.0)
    }

    /// `floatValue()`, correctly rounded.
    pub(crate) fn to_f32(&self) -> f32 {
        self.scientific().parse().unwrap_or(0.0)
    }

    fn scientific(&self) -> String {
        format!(
            "{}{}e{}",
            if self.negative { "-" } else { "" },
            self.digits,
            -i64::from(self.scale)
        )
    }

    /// The value with trailing zeros removed: `(digits, scale)`, as `stripTrailingZeros()`.
    pub(crate) fn stripped(&self) -> (String, i64) {
        if self.is_zero() {
            return ("0".to_string(), 0);
        }
        let trimmed = self.digits.trim_end_matches('0');
        let removed = i64::try_from(self.digits.len() - trimmed.len()).unwrap_or(0);
        (trimmed.to_string(), i64::from(self.scale) - removed)
    }

    /// The exponent of the most significant digit (`precision - scale - 1`).
    pub(crate) fn adjusted_exponent(&self) -> i64 {
        i64::try_from(self.digits.len()).unwrap_or(i64::MAX) - 1 - i64::from(self.scale)
    }

    pub(crate) fn is_negative(&self) -> bool {
        self.negative
    }
}

/// The slots of the keys of a Java `HashMap`/`LinkedHashMap` being filled, so that a
/// repeated key replaces the earlier entry (in its place) in constant time. Keys are
/// compared by a text form that follows Java's `equals` closely enough: the value's debug
/// form tells `-0.0` from `0.0`, equates NaNs and compares decimals with their scale.
#[derive(Default)]
pub(crate) struct KeyIndex(HashMap<String, usize>);

impl KeyIndex {
    /// The slot of a key seen before, or `None` after recording it at `next`.
    pub(crate) fn slot(&mut self, key: String, next: usize) -> Option<usize> {
        match self.0.entry(key) {
            Entry::Occupied(slot) => Some(*slot.get()),
            Entry::Vacant(slot) => {
                slot.insert(next);
                None
            }
        }
    }

    /// [`KeyIndex::slot`] for a Connect value.
    pub(crate) fn value_slot(&mut self, key: &Value, next: usize) -> Option<usize> {
        self.slot(format!("{key:?}"), next)
    }
}

/// The Java class of a Connect value, as `value.getClass()` prints in Kafka's messages
/// (`class java.lang.Integer`).
pub(crate) fn class_of(value: &Value) -> String {
    format!("class {}", value.java_class_name())
}

/// [`class_of`] for a value under `schema`: a logical date is a `java.util.Date` in Java.
pub(crate) fn class_of_under(schema: Option<&connect_api::Schema>, value: &Value) -> String {
    format!("class {}", value.java_class_name_under(schema))
}

pub(crate) use crate::calendar::{civil_from_days, days_from_civil};

fn year_text(year: i64) -> String {
    // SimpleDateFormat prints the year of the era, so 1 BC (year 0) prints as 0001.
    let era_year = if year >= 1 { year } else { 1 - year };
    format!("{era_year:04}")
}

/// Kafka's `Values.dateFormatFor(date).format(date)` in UTC: `HH:mm:ss.SSS'Z'` below one
/// day, `yyyy-MM-dd` on whole days, `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` otherwise.
pub(crate) fn iso_format(millis: i64) -> String {
    let days = millis.div_euclid(MILLIS_PER_DAY);
    let of_day = millis.rem_euclid(MILLIS_PER_DAY);
    let time = format!(
        "{:02}:{:02}:{:02}.{:03}Z",
        of_day / 3_600_000,
        (of_day / 60_000) % 60,
        (of_day / 1000) % 60,
        of_day % 1000
    );
    if millis < MILLIS_PER_DAY {
        return time;
    }
    let (y, m, d) = civil_from_days(days);
    let date = format!("{}-{m:02}-{d:02}", year_text(y));
    if millis % MILLIS_PER_DAY == 0 {
        date
    } else {
        format!("{date}T{time}")
    }
}

/// `java.util.Date.toString()` in UTC: `Thu Jan 01 00:00:00 UTC 1970`.
pub(crate) fn date_to_string(millis: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = millis.div_euclid(MILLIS_PER_DAY);
    let of_day = millis.rem_euclid(MILLIS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let weekday = usize::try_from((days + 4).rem_euclid(7)).unwrap_or(0);
    let month = usize::try_from(m).unwrap_or(1).saturating_sub(1);
    // The year of the era, without the era: 212 BC prints as 212.
    let y = if y >= 1 { y } else { 1 - y };
    format!(
        "{} {} {d:02} {:02}:{:02}:{:02} UTC {y}",
        DAYS[weekday % 7],
        MONTHS[month % 12],
        of_day / 3_600_000,
        (of_day / 60_000) % 60,
        (of_day / 1000) % 60,
    )
}

/// Which ISO-8601 pattern a temporal literal is parsed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IsoPattern {
    /// `HH:mm:ss.SSS'Z'`
    Time,
    /// `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`
    Timestamp,
    /// `yyyy-MM-dd`
    Date,
}

enum Part {
    Number(usize),
    Literal(char),
}

/// Lenient `SimpleDateFormat.parse(text, position)` of one of Kafka's ISO patterns, in UTC:
/// numbers may have any number of digits (and leading blanks), out-of-range fields roll
/// over, and text after a complete match is ignored. Returns epoch milliseconds.
pub(crate) fn parse_iso(text: &str, pattern: IsoPattern) -> Option<i64> {
    use Part::{Literal, Number};
    // Field slots: 0 year, 1 month, 2 day, 3 hour, 4 minute, 5 second, 6 millisecond.
    let parts: &[Part] = match pattern {
        IsoPattern::Time => &[
            Number(3),
            Literal(':'),
            Number(4),
            Literal(':'),
            Number(5),
            Literal('.'),
            Number(6),
            Literal('Z'),
        ],
        IsoPattern::Date => &[Number(0), Literal('-'), Number(1), Literal('-'), Number(2)],
        IsoPattern::Timestamp => &[
            Number(0),
            Literal('-'),
            Number(1),
            Literal('-'),
            Number(2),
            Literal('T'),
            Number(3),
            Literal(':'),
            Number(4),
            Literal(':'),
            Number(5),
            Literal('.'),
            Number(6),
            Literal('Z'),
        ],
    };
    let mut fields: [i64; 7] = [1970, 1, 1, 0, 0, 0, 0];
    let chars: Vec<char> = text.chars().collect();
    let mut pos = 0;
    for part in parts {
        match part {
            Literal(c) => {
                if chars.get(pos) != Some(c) {
                    return None;
                }
                pos += 1;
            }
            Number(slot) => {
                while matches!(chars.get(pos), Some(' ' | '\t')) {
                    pos += 1;
                }
                let negative = chars.get(pos) == Some(&'-');
                if negative {
                    pos += 1;
                }
                let start = pos;
                let mut value: i64 = 0;
                while let Some(digit) = chars.get(pos).and_then(|c| c.to_digit(10)) {
                    value = value.checked_mul(10)?.checked_add(i64::from(digit))?;
                    pos += 1;
                }
                if pos == start {
                    return None;
                }
                fields[*slot] = if negative { -value } else { value };
            }
        }
    }
    let days = days_from_civil(fields[0], fields[1], fields[2])?;
    let of_day = fields[3]
        .checked_mul(3_600_000)?
        .checked_add(fields[4].checked_mul(60_000)?)?
        .checked_add(fields[5].checked_mul(1000)?)?
        .checked_add(fields[6])?;
    days.checked_mul(MILLIS_PER_DAY)?.checked_add(of_day)
}

/// `String.trim()`: strips every char up to and including U+0020 from both ends.
pub(crate) fn trim(text: &str) -> &str {
    text.trim_matches(|c: char| c <= ' ')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn doubles_format_like_java() {
        let cases: &[(f64, &str)] = &[
            (12.34, "12.34"),
            (100.0, "100.0"),
            (1.0e10, "1.0E10"),
            (1.0e7, "1.0E7"),
            (9_999_999.0, "9999999.0"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (-1.5e-7, "-1.5E-7"),
            (123_456.789, "123456.789"),
            (1.0e23, "1.0E23"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
            (5e-324, "4.9E-324"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (value, expected) in cases {
            assert_eq!(double_to_string(*value), *expected, "{value:e}");
        }
    }

    #[test]
    fn utf8_is_decoded_as_java_decodes_it() {
        // Expected: what `new String(bytes, UTF_8)` gives on Java 25 (Kafka's oracle).
        let cases: &[(&[u8], &str)] = &[
            (b"plain", "plain"),
            (
                &[147, 89, 171, 142, 80, 170, 237, 165],
                "\u{FFFD}Y\u{FFFD}\u{FFFD}P\u{FFFD}\u{FFFD}",
            ),
            (&[0xE2, 0x82], "\u{FFFD}"),
            (&[0xE2, 0x28, 0xA1], "\u{FFFD}(\u{FFFD}"),
            (&[0xED, 0xA0, 0x80], "\u{FFFD}"),
            (&[0xF0, 0x9F, 0x98], "\u{FFFD}"),
            (&[0xF0, 0x9F, 0x98, 0x80], "😀"),
            (&[0xF8, 0x41], "\u{FFFD}A"),
            (&[0xC0, 0x80], "\u{FFFD}\u{FFFD}"),
        ];
        for (bytes, expected) in cases {
            assert_eq!(utf8_to_string(bytes), *expected, "{bytes:x?}");
        }
    }

    #[test]
    fn floats_format_like_java() {
        let cases: &[(f32, &str)] = &[
            (12.34, "12.34"),
            (1.0e10, "1.0E10"),
            (0.1, "0.1"),
            (3.4028235e38, "3.4028235E38"),
            (1.4e-45, "1.4E-45"),
            (-2.5, "-2.5"),
            (16_777_216.0, "1.6777216E7"),
            // These floats are exactly 3831067.25 and so on: halfway between the two
            // shortest decimals, where Java takes the even digit (Rust prints ...7.3).
            (3_831_067.3, "3831067.2"),
            (-4_096_297.3, "-4096297.2"),
            (-2_564_393.3, "-2564393.2"),
            (3_831_067.8, "3831067.8"),
        ];
        for (value, expected) in cases {
            assert_eq!(float_to_string(*value), *expected, "{value:e}");
        }
    }

    #[test]
    fn big_decimals_format_like_java() {
        let cases: &[(&str, i64, &str)] = &[
            ("156", 2, "1.56"),
            ("15600", 4, "1.5600"),
            ("-156", 2, "-1.56"),
            ("5", 3, "0.005"),
            ("1", 7, "1E-7"),
            ("123", 10, "1.23E-8"),
            ("12", -2, "1.2E+3"),
            ("1", -1, "1E+1"),
            ("0", 2, "0.00"),
            ("42", 0, "42"),
        ];
        for (unscaled, scale, expected) in cases {
            let value = BigDecimal::new(BigInt::from_str(unscaled).expect("int"), *scale);
            assert_eq!(big_decimal_to_string(&value), *expected);
        }
    }

    #[test]
    fn java_decimal_parsing_matches_big_decimal_syntax() {
        let d = JavaDecimal::parse("-12.340e+2").expect("valid");
        assert_eq!((d.is_negative(), d.scale()), (true, 1));
        assert_eq!(
            d.to_big_decimal(),
            BigDecimal::from_str("-1234.0").expect("d")
        );
        assert_eq!(JavaDecimal::parse("1.").map(|d| d.scale()), Some(0));
        assert_eq!(JavaDecimal::parse("+.5").map(|d| d.scale()), Some(1));
        for bad in [
            "",
            "+",
            ".",
            "1e",
            "1e+",
            "1.2.3",
            "0x10",
            "1 ",
            "e5",
            "1e99999999999",
        ] {
            assert_eq!(JavaDecimal::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn long_value_wraps_like_java() {
        let long = |s: &str| JavaDecimal::parse(s).expect("valid").wrapping_long();
        assert_eq!(long("12.9"), 12);
        assert_eq!(long("-12.9"), -12);
        assert_eq!(long("9223372036854775808"), i64::MIN);
        assert_eq!(long("18446744073709551617"), 1);
        assert_eq!(long("1e64"), 0);
        assert_eq!(long("1e3"), 1000);
        assert_eq!(long("1e-999"), 0);
        assert_eq!(long("4294967297") as i32, 1);
    }

    #[test]
    fn iso_dates_format_and_parse_in_utc() {
        assert_eq!(iso_format(0), "00:00:00.000Z");
        assert_eq!(iso_format(45_296_789), "12:34:56.789Z");
        assert_eq!(iso_format(17_897 * MILLIS_PER_DAY), "2019-01-01");
        assert_eq!(
            iso_format(17_897 * MILLIS_PER_DAY + 45_296_789),
            "2019-01-01T12:34:56.789Z"
        );
        assert_eq!(
            parse_iso("12:34:56.789Z", IsoPattern::Time),
            Some(45_296_789)
        );
        assert_eq!(
            parse_iso("2019-01-01", IsoPattern::Date),
            Some(17_897 * MILLIS_PER_DAY)
        );
        assert_eq!(
            parse_iso("2019-01-01T12:34:56.789Z", IsoPattern::Timestamp),
            Some(17_897 * MILLIS_PER_DAY + 45_296_789)
        );
        // Lenient: month 13 rolls over into the next year.
        assert_eq!(
            parse_iso("2018-13-01", IsoPattern::Date),
            Some(17_897 * MILLIS_PER_DAY)
        );
        assert_eq!(parse_iso("1234567890", IsoPattern::Date), None);
        assert_eq!(parse_iso("12:34:56.789X", IsoPattern::Time), None);
    }

    #[test]
    fn date_to_string_is_java_util_date_in_utc() {
        assert_eq!(date_to_string(0), "Thu Jan 01 00:00:00 UTC 1970");
        assert_eq!(
            date_to_string(17_897 * MILLIS_PER_DAY + 45_296_789),
            "Tue Jan 01 12:34:56 UTC 2019"
        );
    }
}
