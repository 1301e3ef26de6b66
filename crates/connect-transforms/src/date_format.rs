//! A port of the part of Java's `SimpleDateFormat` that Connect configs use, always in UTC
//! (Kafka sets the UTC time zone on every format it builds).
//!
//! `TimestampConverter.format` and `TimestampRouter.timestamp.format` are written as
//! `SimpleDateFormat` patterns, so a config written for Kafka must mean the same here.
//! A pattern is a sequence of letter runs (`yyyy`, `MM`, `SSS`, ...) and literals; text
//! between single quotes is literal and `''` is a quote. Every letter Java knows is
//! accepted (`G y Y M L d D E F u w W a H k K h m s S z Z X`); any other ASCII letter is
//! refused with Java's `Illegal pattern character 'c'`.
//!
//! Formatting follows Java: numbers are zero-padded to the run length, except `yy`, which
//! is the last two digits of the year; `MMM`/`MMMM` and `EEE`/`EEEE` are English names;
//! `z` is `UTC`, `Z` is `+0000`, and `X`/`XX`/`XXX` is `Z`.
//!
//! Parsing follows Java's lenient `parse(String)`: spaces before a number are skipped; a
//! numeric field followed directly by another numeric field (`yyyyMMdd`) takes exactly
//! its run length in digits, otherwise as many digits as there are; out-of-range values
//! roll over (month 13 is January of the next year); text after the last field is
//! ignored; a zone (`z`, `Z`, `X`) shifts the result to UTC. A two-digit `yy` year is
//! placed within 80 years before and 20 years after now, as Java does.

use std::fmt::Write as _;

const MILLIS_PER_DAY: i64 = 86_400_000;
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const PATTERN_LETTERS: &str = "GyMdkHmsSEDFwWahKzZYuXL";

#[derive(Clone, Debug, PartialEq)]
enum Item {
    Literal(String),
    Field { letter: char, count: usize },
}

/// A compiled `SimpleDateFormat` pattern, in UTC.
#[derive(Clone, Debug, PartialEq)]
pub struct SimpleDateFormat {
    pattern: String,
    items: Vec<Item>,
}

impl SimpleDateFormat {
    /// Compiles a pattern; the error is Java's `IllegalArgumentException` message.
    pub fn new(pattern: &str) -> Result<SimpleDateFormat, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut items: Vec<Item> = Vec::new();
        let mut literal = String::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    literal.push('\'');
                    i += 2;
                    continue;
                }
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("Unterminated quote".to_string()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            literal.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(other) => {
                            literal.push(*other);
                            i += 1;
                        }
                    }
                }
                continue;
            }
            if c.is_ascii_alphabetic() {
                if !PATTERN_LETTERS.contains(c) {
                    return Err(format!("Illegal pattern character '{c}'"));
                }
                let mut count = 1;
                while chars.get(i + count) == Some(&c) {
                    count += 1;
                }
                if c == 'X' && count > 3 {
                    return Err(format!("invalid ISO 8601 format: length={count}"));
                }
                if !literal.is_empty() {
                    items.push(Item::Literal(std::mem::take(&mut literal)));
                }
                items.push(Item::Field { letter: c, count });
                i += count;
                continue;
            }
            literal.push(c);
            i += 1;
        }
        if !literal.is_empty() {
            items.push(Item::Literal(literal));
        }
        Ok(SimpleDateFormat {
            pattern: pattern.to_string(),
            items,
        })
    }

    /// The pattern as given (Java's `toPattern()`).
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Formats milliseconds since the epoch, in UTC.
    pub fn format(&self, epoch_millis: i64) -> String {
        let t = Civil::from_millis(epoch_millis);
        let mut out = String::new();
        for item in &self.items {
            match item {
                Item::Literal(text) => out.push_str(text),
                Item::Field { letter, count } => format_field(&mut out, &t, *letter, *count),
            }
        }
        out
    }

    /// Parses text into milliseconds since the epoch; `None` where Java throws
    /// `ParseException`.
    pub fn parse(&self, text: &str) -> Option<i64> {
        let chars: Vec<char> = text.chars().collect();
        let mut fields = Parsed::default();
        let mut pos = 0usize;
        for (index, item) in self.items.iter().enumerate() {
            match item {
                Item::Literal(literal) => {
                    for expected in literal.chars() {
                        if chars.get(pos) != Some(&expected) {
                            return None;
                        }
                        pos += 1;
                    }
                }
                Item::Field { letter, count } => {
                    let abutting = is_numeric(*letter, *count)
                        && matches!(
                            self.items.get(index + 1),
                            Some(Item::Field { letter: next, count: next_count })
                                if is_numeric(*next, *next_count)
                        );
                    pos = parse_field(&chars, pos, *letter, *count, abutting, &mut fields)?;
                }
            }
        }
        fields.to_millis()
    }
}

/// Whether a field is parsed as a number (Java's numeric fields).
fn is_numeric(letter: char, count: usize) -> bool {
    match letter {
        'M' | 'L' => count <= 2,
        'G' | 'E' | 'a' | 'z' | 'Z' | 'X' => false,
        _ => true,
    }
}

/// A UTC instant broken into calendar fields.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    day_of_year: i64,
    /// 0 = Sunday.
    weekday: i64,
    hour: i64,
    minute: i64,
    second: i64,
    millis: i64,
}

impl Civil {
    fn from_millis(epoch_millis: i64) -> Civil {
        let days = epoch_millis.div_euclid(MILLIS_PER_DAY);
        let ms_of_day = epoch_millis.rem_euclid(MILLIS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let day_of_year = days - days_from_civil(year, 1, 1) + 1;
        Civil {
            year,
            month,
            day,
            day_of_year,
            weekday: (days + 4).rem_euclid(7),
            hour: ms_of_day / 3_600_000,
            minute: ms_of_day / 60_000 % 60,
            second: ms_of_day / 1000 % 60,
            millis: ms_of_day % 1000,
        }
    }

    /// Week of year with Java's US defaults (weeks start on Sunday, week 1 holds Jan 1).
    fn week_of_year(&self) -> i64 {
        let jan1 = days_from_civil(self.year, 1, 1);
        let today = jan1 + self.day_of_year - 1;
        let next_jan1 = days_from_civil(self.year + 1, 1, 1);
        let next_jan1_week_start = next_jan1 - (next_jan1 + 4).rem_euclid(7);
        if today - self.weekday == next_jan1_week_start {
            return 1;
        }
        let jan1_weekday = (jan1 + 4).rem_euclid(7);
        (self.day_of_year - 1 + jan1_weekday) / 7 + 1
    }

    fn week_year(&self) -> i64 {
        if self.month == 12 && self.week_of_year() == 1 {
            self.year + 1
        } else {
            self.year
        }
    }
}

fn pad(out: &mut String, value: i64, width: usize) {
    if value < 0 {
        out.push('-');
    }
    let _ = write!(out, "{:0width$}", value.unsigned_abs(), width = width);
}

fn format_field(out: &mut String, t: &Civil, letter: char, count: usize) {
    // Java shows years through the era: year 0 is 1 BC.
    let era_year = |year: i64| if year <= 0 { 1 - year } else { year };
    match letter {
        'G' => out.push_str(if t.year <= 0 { "BC" } else { "AD" }),
        'y' | 'Y' => {
            let year = era_year(if letter == 'Y' { t.week_year() } else { t.year });
            if count == 2 {
                pad(out, year % 100, 2);
            } else {
                pad(out, year, count);
            }
        }
        'M' | 'L' => {
            let name = MONTHS[(t.month - 1) as usize];
            if count >= 4 {
                out.push_str(name);
            } else if count == 3 {
                out.push_str(&name[..3]);
            } else {
                pad(out, i64::from(t.month), count);
            }
        }
        'd' => pad(out, i64::from(t.day), count),
        'D' => pad(out, t.day_of_year, count),
        'E' => {
            let name = WEEKDAYS[t.weekday as usize];
            out.push_str(if count >= 4 { name } else { &name[..3] });
        }
        'F' => pad(out, (i64::from(t.day) - 1) / 7 + 1, count),
        'u' => pad(out, if t.weekday == 0 { 7 } else { t.weekday }, count),
        'w' => pad(out, t.week_of_year(), count),
        'W' => {
            let first_weekday = (t.weekday - (i64::from(t.day) - 1)).rem_euclid(7);
            pad(out, (i64::from(t.day) - 1 + first_weekday) / 7 + 1, count);
        }
        'a' => out.push_str(if t.hour < 12 { "AM" } else { "PM" }),
        'H' => pad(out, t.hour, count),
        'k' => pad(out, if t.hour == 0 { 24 } else { t.hour }, count),
        'K' => pad(out, t.hour % 12, count),
        'h' => pad(out, if t.hour % 12 == 0 { 12 } else { t.hour % 12 }, count),
        'm' => pad(out, t.minute, count),
        's' => pad(out, t.second, count),
        'S' => pad(out, t.millis, count),
        'z' => out.push_str(if count >= 4 {
            "Coordinated Universal Time"
        } else {
            "UTC"
        }),
        'Z' => out.push_str("+0000"),
        'X' => out.push('Z'),
        _ => {}
    }
}

/// Calendar fields read by `parse`, Java's defaults (1970-01-01T00:00:00.000) when unset.
#[derive(Default)]
struct Parsed {
    year: Option<i64>,
    bc: bool,
    month: Option<i64>,
    day: Option<i64>,
    day_of_year: Option<i64>,
    hour_of_day: Option<i64>,
    hour: Option<i64>,
    pm: Option<bool>,
    minute: i64,
    second: i64,
    millis: i64,
    offset_millis: i64,
}

impl Parsed {
    fn to_millis(&self) -> Option<i64> {
        let mut year = self.year.unwrap_or(1970);
        if self.bc {
            year = 1 - year;
        }
        let days = match (self.month, self.day, self.day_of_year) {
            (None, None, Some(doy)) => days_from_civil(year, 1, 1).checked_add(doy - 1)?,
            (month, day, _) => {
                let month0 = month.unwrap_or(0);
                let year = year.checked_add(month0.div_euclid(12))?;
                let month = month0.rem_euclid(12) + 1;
                days_from_civil(year, month, 1).checked_add(day.unwrap_or(1) - 1)?
            }
        };
        let hour = match (self.hour_of_day, self.hour) {
            (Some(h), _) => h,
            (None, Some(h)) => h + if self.pm == Some(true) { 12 } else { 0 },
            (None, None) => {
                if self.pm == Some(true) {
                    12
                } else {
                    0
                }
            }
        };
        let millis_of_day = hour
            .checked_mul(3_600_000)?
            .checked_add(self.minute.checked_mul(60_000)?)?
            .checked_add(self.second.checked_mul(1000)?)?
            .checked_add(self.millis)?;
        days.checked_mul(MILLIS_PER_DAY)?
            .checked_add(millis_of_day)?
            .checked_sub(self.offset_millis)
    }
}

/// Reads a number at `pos` (spaces skipped first); `width` limits the digits.
fn parse_number(chars: &[char], pos: usize, width: Option<usize>) -> Option<(i64, usize, usize)> {
    let mut start = pos;
    while matches!(chars.get(start), Some(' ' | '\t')) {
        start += 1;
    }
    let mut i = start;
    let negative = chars.get(i) == Some(&'-') && width.is_none();
    if negative {
        i += 1;
    }
    let digits_start = i;
    let mut value: i64 = 0;
    while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
        if width.is_some_and(|w| i - start >= w) {
            break;
        }
        value = value.checked_mul(10)?.checked_add(i64::from(d))?;
        i += 1;
    }
    if i == digits_start {
        return None;
    }
    Some((if negative { -value } else { value }, start, i))
}

/// Matches one of `names` (case-insensitive, longest first) at `pos`.
fn parse_name(chars: &[char], pos: usize, names: &[&str]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for (index, name) in names.iter().enumerate() {
        let len = name.chars().count();
        let Some(candidate) = chars.get(pos..pos + len) else {
            continue;
        };
        let candidate: String = candidate.iter().collect();
        if candidate.eq_ignore_ascii_case(name) && best.is_none_or(|(_, l)| len > l) {
            best = Some((index, len));
        }
    }
    best
}

/// Parses `±hh`, `±hhmm` or `±hh:mm` (per `style`) at `pos`; the offset in millis.
fn parse_numeric_offset(chars: &[char], pos: usize, colon: Option<bool>) -> Option<(i64, usize)> {
    let sign = match chars.get(pos)? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let digit = |i: usize| chars.get(i).and_then(|c| c.to_digit(10)).map(i64::from);
    let hours = digit(pos + 1)? * 10 + digit(pos + 2)?;
    let mut end = pos + 3;
    let mut minutes = 0;
    match colon {
        Some(true) => {
            if chars.get(end) != Some(&':') {
                return None;
            }
            minutes = digit(end + 1)? * 10 + digit(end + 2)?;
            end += 3;
        }
        Some(false) => {
            minutes = digit(end)? * 10 + digit(end + 1)?;
            end += 2;
        }
        None => {
            if let (Some(a), Some(b)) = (digit(end), digit(end + 1)) {
                minutes = a * 10 + b;
                end += 2;
            }
        }
    }
    Some((sign * (hours * 3_600_000 + minutes * 60_000), end))
}

/// Java's general time zone (`z`) and RFC 822 (`Z`) forms: `UTC`, `GMT`, `GMT+hh:mm`,
/// `+hhmm`.
fn parse_general_zone(chars: &[char], pos: usize) -> Option<(i64, usize)> {
    if let Some((index, len)) = parse_name(chars, pos, &["GMT", "UTC", "UT", "Z"]) {
        let end = pos + len;
        if index == 0
            && let Some(sign @ ('+' | '-')) = chars.get(end)
        {
            let sign = if *sign == '+' { 1 } else { -1 };
            let (hours, _, mut after) = parse_number(chars, end + 1, Some(2))?;
            let mut minutes = 0;
            if chars.get(after) == Some(&':') {
                let (m, _, a) = parse_number(chars, after + 1, Some(2))?;
                minutes = m;
                after = a;
            }
            return Some((sign * (hours * 3_600_000 + minutes * 60_000), after));
        }
        return Some((0, end));
    }
    parse_numeric_offset(chars, pos, Some(false))
}

fn parse_field(
    chars: &[char],
    pos: usize,
    letter: char,
    count: usize,
    abutting: bool,
    fields: &mut Parsed,
) -> Option<usize> {
    let width = abutting.then_some(count);
    match letter {
        'G' => {
            let (index, len) = parse_name(chars, pos, &["AD", "BC"])?;
            fields.bc = index == 1;
            Some(pos + len)
        }
        'M' | 'L' if count >= 3 => {
            let short: Vec<&str> = MONTHS.iter().map(|m| &m[..3]).collect();
            let (index, len) =
                parse_name(chars, pos, &MONTHS).or_else(|| parse_name(chars, pos, &short))?;
            fields.month = Some(index as i64);
            Some(pos + len)
        }
        'E' => {
            let short: Vec<&str> = WEEKDAYS.iter().map(|d| &d[..3]).collect();
            let (_, len) =
                parse_name(chars, pos, &WEEKDAYS).or_else(|| parse_name(chars, pos, &short))?;
            Some(pos + len)
        }
        'a' => {
            let (index, len) = parse_name(chars, pos, &["AM", "PM"])?;
            fields.pm = Some(index == 1);
            Some(pos + len)
        }
        'z' | 'Z' => {
            let (offset, end) = parse_general_zone(chars, pos)?;
            fields.offset_millis = offset;
            Some(end)
        }
        'X' => {
            if chars.get(pos) == Some(&'Z') {
                fields.offset_millis = 0;
                return Some(pos + 1);
            }
            let colon = match count {
                1 => None,
                2 => Some(false),
                _ => Some(true),
            };
            let (offset, end) = if count == 1 {
                let sign = match chars.get(pos)? {
                    '+' => 1,
                    '-' => -1,
                    _ => return None,
                };
                let (hours, _, end) = parse_number(chars, pos + 1, Some(2))?;
                if end != pos + 3 {
                    return None;
                }
                (sign * hours * 3_600_000, end)
            } else {
                parse_numeric_offset(chars, pos, colon)?
            };
            fields.offset_millis = offset;
            Some(end)
        }
        _ => {
            let (value, start, end) = parse_number(chars, pos, width)?;
            match letter {
                'y' | 'Y' => {
                    let two_digits = count <= 2
                        && end - start == 2
                        && chars[start].is_ascii_digit()
                        && chars[start + 1].is_ascii_digit();
                    fields.year = Some(if two_digits {
                        resolve_two_digit_year(value)
                    } else {
                        value
                    });
                }
                'M' | 'L' => fields.month = Some(value - 1),
                'd' => fields.day = Some(value),
                'D' => fields.day_of_year = Some(value),
                'H' => fields.hour_of_day = Some(value),
                'k' => fields.hour_of_day = Some(if value == 24 { 0 } else { value }),
                'K' => fields.hour = Some(value),
                'h' => fields.hour = Some(if value == 12 { 0 } else { value }),
                'm' => fields.minute = value,
                's' => fields.second = value,
                'S' => fields.millis = value,
                // Day of week in month, day number of week, week numbers: read, not used.
                _ => {}
            }
            Some(end)
        }
    }
}

/// Java's default century for `yy`: within 80 years before and 20 years after now.
fn resolve_two_digit_year(two_digits: i64) -> i64 {
    let now_millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    let start_year = Civil::from_millis(now_millis).year - 80;
    let century = start_year.div_euclid(100) * 100;
    let candidate = century + two_digits;
    if candidate < start_year {
        candidate + 100
    } else {
        candidate
    }
}

/// Days since 1970-01-01 of a date in Java's calendar (Julian before 15 October 1582, see
/// `connect_json::calendar`), saturating on overflow.
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    connect_json::calendar::days_from_civil(year, month, day).unwrap_or(if year < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// The date in Java's calendar of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    connect_json::calendar::civil_from_days(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(pattern: &str) -> SimpleDateFormat {
        SimpleDateFormat::new(pattern).expect("valid pattern")
    }

    #[test]
    fn formats_like_java() {
        let f = fmt("yyyy MM dd HH mm ss SSS z");
        assert_eq!(f.format(86_401_234), "1970 01 02 00 00 01 234 UTC");
        assert_eq!(fmt("yyyyMMdd").format(1_483_425_001_864), "20170103");
        assert_eq!(
            fmt("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").format(1_483_425_001_864),
            "2017-01-03T06:30:01.864Z"
        );
        assert_eq!(
            fmt("yy-M-d h:m a Z").format(1_483_425_001_864),
            "17-1-3 6:30 AM +0000"
        );
        assert_eq!(fmt("EEE, d MMM yyyy").format(0), "Thu, 1 Jan 1970");
        assert_eq!(fmt("EEEE MMMM").format(0), "Thursday January");
        assert_eq!(fmt("'o''clock' ''").format(0), "o'clock '");
        assert_eq!(fmt("yyyy-MM-dd HH:mm").format(-1), "1969-12-31 23:59");
        assert_eq!(fmt("D").format(MILLIS_PER_DAY * 40), "41");
    }

    #[test]
    fn refuses_what_java_refuses() {
        assert_eq!(
            SimpleDateFormat::new("bad-format"),
            Err("Illegal pattern character 'b'".to_string())
        );
        assert_eq!(
            SimpleDateFormat::new("yyyy'T"),
            Err("Unterminated quote".to_string())
        );
        assert!(SimpleDateFormat::new("XXXX").is_err());
    }

    #[test]
    fn parses_like_java() {
        let f = fmt("yyyy MM dd HH mm ss SSS z");
        assert_eq!(f.parse("1970 01 02 00 00 01 234 UTC"), Some(86_401_234));
        assert_eq!(fmt("yyyyMMdd").parse("20170103"), Some(1_483_401_600_000));
        assert_eq!(
            fmt("yyyy-MM-dd'T'HH:mm:ss.SSSX").parse("2017-01-03T06:30:01.864Z"),
            Some(1_483_425_001_864)
        );
        assert_eq!(
            fmt("yyyy-MM-dd'T'HH:mm:ssXXX").parse("2017-01-03T08:30:01+02:00"),
            Some(1_483_425_001_000)
        );
        assert_eq!(
            fmt("yyyy-MM-dd HH:mm:ss Z").parse("2017-01-03 01:30:01 -0500"),
            Some(1_483_425_001_000)
        );
        // Lenient: month 13 rolls into the next year; trailing text is ignored.
        assert_eq!(
            fmt("yyyy-MM-dd").parse("2016-13-03"),
            Some(1_483_401_600_000)
        );
        assert_eq!(fmt("yyyy").parse("1970-05"), Some(0));
        assert_eq!(
            fmt("dd MMM yyyy").parse("03 Jan 2017"),
            Some(1_483_401_600_000)
        );
        assert_eq!(fmt("hh:mm a").parse("12:30 PM"), Some(45_000_000));
        assert_eq!(fmt("yyyy-MM-dd").parse("not a date"), None);
        assert_eq!(fmt("yyyy-MM-dd").parse("2017/01/03"), None);
    }

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 59, 365, 11_016, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, i64::from(m), i64::from(d)), days);
        }
    }
}
