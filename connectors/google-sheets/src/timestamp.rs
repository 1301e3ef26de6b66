//! Reading dates and times the way a spreadsheet shows them.
//!
//! A Google Forms response sheet records each submission in a `Timestamp` column, formatted
//! for the spreadsheet's locale and written in its time zone: `4/6/2025 18:56:53` in
//! `en_US`, `06/04/2025 18:56:53` in `en_GB`, `06.04.2025 18:56:53` in `de_DE`,
//! `2025/04/06 18:56:53` in `ja_JP`, `2025. 4. 6 오후 6:56:53` in `ko_KR`. Both the locale
//! and the IANA time zone come from the spreadsheet's metadata (`properties.locale`,
//! `properties.timeZone`), so the same text means the same instant whichever worker reads it.
//!
//! [`TimestampParser::parse`] accepts a whole cell holding a date, optionally followed by a
//! time: the date as three numbers separated by `/`, `-` or `.` (with spaces allowed, as in
//! Korean), the time as `H:mm[:ss[.fff]]`, and an optional AM/PM marker before or after
//! the time (`AM`, `p.m.`, `오전`/`오후`, `午前`/`午後`, `上午`/`下午`). A first number of
//! four digits makes the date year-first; otherwise the locale decides between month-first (`en_US` and the
//! few others that write M/D/Y) and day-first (everyone else). Anything else in the cell
//! makes it not a timestamp, so a free-text answer is never mistaken for one. A
//! `timestamp.format` (strftime syntax, e.g. `%d %B %Y %H:%M`) replaces this when a sheet
//! uses a custom format.
//!
//! [`TimestampParser::from_serial`] reads the serial numbers Sheets uses for dates in
//! unformatted values: days since 1899-12-30 00:00 local time, the fraction being the
//! time of day.

use std::sync::LazyLock;

use jiff::SignedDuration;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use regex::Regex;

/// The order of day, month and year in a locale's short date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateOrder {
    MonthDayYear,
    DayMonthYear,
}

impl DateOrder {
    /// The order a Sheets locale (`en_US`, `de_DE`, `ko_KR`, `en`) uses when the year does
    /// not come first. Year-first locales (`ja_JP`, `ko_KR`, `zh_CN`, `sv_SE`, ...) write a
    /// four-digit year first, which the parser recognises by itself.
    pub fn for_locale(locale: &str) -> DateOrder {
        const MONTH_FIRST: &[&str] = &[
            "en_US", "en", "es_US", "en_PH", "fil", "fil_PH", "en_AS", "en_GU", "en_MH", "en_MP",
            "en_PR", "en_UM", "en_VI", "en_FM", "en_PW",
        ];
        let normalized = locale.replace('-', "_");
        if MONTH_FIRST
            .iter()
            .any(|l| l.eq_ignore_ascii_case(&normalized))
        {
            DateOrder::MonthDayYear
        } else {
            DateOrder::DayMonthYear
        }
    }
}

/// Why a parser could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TimestampError {
    #[error("unknown time zone '{name}'")]
    UnknownTimeZone {
        name: String,
        #[source]
        source: jiff::Error,
    },
}

const AM_PM: &str = r"am|pm|a\.m\.|p\.m\.|오전|오후|午前|午後|上午|下午";

static LOCALE_TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(
        r"(?xi)^\s*
        (?:(?P<ampm_before_date>{AM_PM})\s*)?
        (?P<first>\d{{1,4}})\s*[./-]\s*(?P<second>\d{{1,2}})\s*[./-]\s*(?P<third>\d{{1,4}})\.?
        (?:
            [\sT,]+
            (?:(?P<ampm_before>{AM_PM})\s*)?
            (?P<hour>\d{{1,2}}):(?P<minute>\d{{2}})
            (?::(?P<second_of_minute>\d{{2}})(?:[.,](?P<fraction>\d{{1,9}}))?)?
            (?:\s*(?P<ampm_after>{AM_PM}))?
        )?
        \s*$"
    );
    Regex::new(&pattern).expect("the timestamp pattern is a valid regex")
});

/// Parses a spreadsheet's date-time cells into milliseconds since the Unix epoch.
#[derive(Clone, Debug)]
pub struct TimestampParser {
    order: DateOrder,
    time_zone: TimeZone,
    format: Option<String>,
}

impl TimestampParser {
    /// A parser for a spreadsheet with `locale` and `time_zone` (an IANA name such as
    /// `America/New_York`); `format` (strftime) overrides the locale's format.
    pub fn new(
        locale: &str,
        time_zone: &str,
        format: Option<&str>,
    ) -> Result<TimestampParser, TimestampError> {
        let time_zone = if time_zone.is_empty() {
            TimeZone::UTC
        } else {
            TimeZone::get(time_zone).map_err(|source| TimestampError::UnknownTimeZone {
                name: time_zone.to_string(),
                source,
            })?
        };
        Ok(TimestampParser {
            order: DateOrder::for_locale(locale),
            time_zone,
            format: format.map(str::to_string),
        })
    }

    /// A parser in UTC with a day-first order, for when the metadata's time zone is unknown.
    pub fn utc(locale: &str, format: Option<&str>) -> TimestampParser {
        TimestampParser {
            order: DateOrder::for_locale(locale),
            time_zone: TimeZone::UTC,
            format: format.map(str::to_string),
        }
    }

    /// The instant a formatted cell shows, in milliseconds since the epoch; `None` when the
    /// cell is not a date-time in the expected format.
    pub fn parse(&self, text: &str) -> Option<i64> {
        match &self.format {
            Some(format) => self.parse_with_format(format, text),
            None => self.parse_locale(text),
        }
    }

    fn parse_with_format(&self, format: &str, text: &str) -> Option<i64> {
        let broken_down = jiff::fmt::strtime::parse(format, text.trim()).ok()?;
        if broken_down.offset().is_some() {
            return broken_down.to_timestamp().ok().map(|t| t.as_millisecond());
        }
        let datetime = broken_down.to_datetime().ok().or_else(|| {
            broken_down
                .to_date()
                .ok()
                .map(|d: Date| d.to_datetime(jiff::civil::Time::midnight()))
        })?;
        self.local_millis(datetime)
    }

    fn parse_locale(&self, text: &str) -> Option<i64> {
        let captures = LOCALE_TIMESTAMP.captures(text)?;
        let number = |name: &str| -> Option<i64> { captures.name(name)?.as_str().parse().ok() };
        let first_text = captures.name("first")?.as_str();
        let (first, second, third) = (number("first")?, number("second")?, number("third")?);
        let (year, month, day) = if first_text.len() == 4 || first > 31 {
            (first, second, third)
        } else {
            match self.order {
                DateOrder::MonthDayYear => (third, first, second),
                DateOrder::DayMonthYear => (third, second, first),
            }
        };
        let year = if year < 100 { year + 2000 } else { year };

        let (mut hour, minute, second_of_minute, nanos) = if captures.name("hour").is_some() {
            let fraction = captures
                .name("fraction")
                .map(|f| {
                    let digits = f.as_str();
                    let padded = format!("{digits:0<9}");
                    padded[..9].parse::<i64>().unwrap_or(0)
                })
                .unwrap_or(0);
            (
                number("hour")?,
                number("minute")?,
                number("second_of_minute").unwrap_or(0),
                fraction,
            )
        } else {
            (0, 0, 0, 0)
        };
        let marker = captures
            .name("ampm_before")
            .or_else(|| captures.name("ampm_after"))
            .or_else(|| captures.name("ampm_before_date"))
            .map(|m| m.as_str().to_lowercase());
        if let Some(marker) = marker {
            if hour == 0 || hour > 12 {
                return None;
            }
            let pm = matches!(marker.as_str(), "pm" | "p.m." | "오후" | "午後" | "下午");
            if pm && hour < 12 {
                hour += 12;
            } else if !pm && hour == 12 {
                hour = 0;
            }
        }
        let datetime = DateTime::new(
            i16::try_from(year).ok()?,
            i8::try_from(month).ok()?,
            i8::try_from(day).ok()?,
            i8::try_from(hour).ok()?,
            i8::try_from(minute).ok()?,
            i8::try_from(second_of_minute).ok()?,
            i32::try_from(nanos).ok()?,
        )
        .ok()?;
        self.local_millis(datetime)
    }

    /// The instant of a Sheets serial date-time (days since 1899-12-30 00:00 local time).
    pub fn from_serial(&self, serial: f64) -> Option<i64> {
        if !serial.is_finite() || serial.abs() > 3_000_000.0 {
            return None;
        }
        let millis = (serial * 86_400_000.0).round() as i64;
        let epoch = jiff::civil::date(1899, 12, 30).at(0, 0, 0, 0);
        let datetime = epoch
            .checked_add(SignedDuration::from_millis(millis))
            .ok()?;
        self.local_millis(datetime)
    }

    /// `datetime` read as a wall-clock time in the spreadsheet's zone; an ambiguous time (a
    /// repeated hour when clocks go back) takes the earlier instant, a skipped one the later.
    fn local_millis(&self, datetime: DateTime) -> Option<i64> {
        let zoned = datetime.to_zoned_datetime(self.time_zone.clone()).ok()?;
        Some(zoned.timestamp().as_millisecond())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(rfc3339: &str) -> i64 {
        rfc3339
            .parse::<jiff::Timestamp>()
            .map(|t| t.as_millisecond())
            .unwrap_or(i64::MIN)
    }

    fn parser(locale: &str, zone: &str) -> TimestampParser {
        TimestampParser::new(locale, zone, None).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn forms_timestamps_in_us_english_are_month_first_in_the_sheets_zone() {
        let p = parser("en_US", "America/New_York");
        // April 6 2025 is in daylight saving time: UTC-4.
        assert_eq!(
            p.parse("4/6/2025 18:56:53"),
            Some(millis("2025-04-06T22:56:53Z"))
        );
        // January: UTC-5.
        assert_eq!(
            p.parse("1/15/2025 9:05:00"),
            Some(millis("2025-01-15T14:05:00Z"))
        );
        assert_eq!(
            p.parse("4/6/2025 6:56:53 PM"),
            Some(millis("2025-04-06T22:56:53Z"))
        );
        assert_eq!(p.parse("4/6/2025"), Some(millis("2025-04-06T04:00:00Z")));
        assert_eq!(
            p.parse("12/1/2024 12:00:00 AM"),
            Some(millis("2024-12-01T05:00:00Z"))
        );
    }

    #[test]
    fn other_locales() {
        let gb = parser("en_GB", "Europe/London");
        assert_eq!(
            gb.parse("06/04/2025 18:56:53"),
            Some(millis("2025-04-06T17:56:53Z"))
        );
        let de = parser("de_DE", "Europe/Berlin");
        assert_eq!(
            de.parse("06.04.2025 18:56:53"),
            Some(millis("2025-04-06T16:56:53Z"))
        );
        let ja = parser("ja_JP", "Asia/Tokyo");
        assert_eq!(
            ja.parse("2025/04/06 18:56:53"),
            Some(millis("2025-04-06T09:56:53Z"))
        );
        let ko = parser("ko_KR", "Asia/Seoul");
        assert_eq!(
            ko.parse("2023. 11. 16 오후 9:45:12"),
            Some(millis("2023-11-16T12:45:12Z"))
        );
        assert_eq!(
            ko.parse("2023. 11. 16. 오전 12:05:00"),
            Some(millis("2023-11-15T15:05:00Z"))
        );
        let iso = parser("fr_FR", "UTC");
        assert_eq!(
            iso.parse("2025-04-06 18:56:53.250"),
            Some(millis("2025-04-06T18:56:53.250Z"))
        );
    }

    #[test]
    fn text_that_is_not_a_whole_timestamp_is_rejected() {
        let p = parser("en_US", "UTC");
        for text in [
            "",
            "yes",
            "4/6/2025 and more",
            "13/32/2025",
            "2/30/2025",
            "4/6/2025 25:00:00",
            "4/6/2025 13:00:00 PM",
            "18:56:53",
            "42",
        ] {
            assert_eq!(p.parse(text), None, "{text}");
        }
    }

    #[test]
    fn serial_numbers_are_days_since_1899_12_30_local() {
        let utc = parser("en_US", "UTC");
        assert_eq!(
            utc.from_serial(45753.0),
            Some(millis("2025-04-06T00:00:00Z"))
        );
        assert_eq!(
            utc.from_serial(45753.75),
            Some(millis("2025-04-06T18:00:00Z"))
        );
        let ny = parser("en_US", "America/New_York");
        assert_eq!(
            ny.from_serial(45753.75),
            Some(millis("2025-04-06T22:00:00Z"))
        );
        assert_eq!(utc.from_serial(f64::NAN), None);
    }

    #[test]
    fn an_explicit_format_wins() {
        let p = TimestampParser::new("en_US", "UTC", Some("%d %B %Y %H:%M"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            p.parse("06 April 2025 18:56"),
            Some(millis("2025-04-06T18:56:00Z"))
        );
        assert_eq!(p.parse("4/6/2025 18:56:53"), None);
        let date_only =
            TimestampParser::new("en_US", "UTC", Some("%Y%m%d")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            date_only.parse("20250406"),
            Some(millis("2025-04-06T00:00:00Z"))
        );
    }

    #[test]
    fn unknown_zones_are_reported() {
        let err =
            TimestampParser::new("en_US", "Mars/Olympus_Mons", None).expect_err("no such zone");
        assert!(err.to_string().contains("Mars/Olympus_Mons"), "{err}");
    }

    #[test]
    fn locale_orders() {
        assert_eq!(DateOrder::for_locale("en_US"), DateOrder::MonthDayYear);
        assert_eq!(DateOrder::for_locale("en-us"), DateOrder::MonthDayYear);
        assert_eq!(DateOrder::for_locale("en_GB"), DateOrder::DayMonthYear);
        assert_eq!(DateOrder::for_locale("de_DE"), DateOrder::DayMonthYear);
    }
}
