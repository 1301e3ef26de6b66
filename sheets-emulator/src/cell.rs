//! Cells: typed values, how written values are interpreted (`RAW`, `USER_ENTERED`) and how
//! stored values are rendered (`FORMATTED_VALUE`, `UNFORMATTED_VALUE`, `FORMULA`).
//!
//! A cell holds what Sheets calls the effective value (a string, a number or a boolean),
//! an optional formula text and an optional number format. Dates and times are numbers
//! (serial days since 1899-12-30, the fraction is the time of day) with a date format, as
//! in Sheets: `USER_ENTERED` `"4/6/2025 18:56:53"` in an `en_US` spreadsheet stores
//! 45753.78950231482 formatted `M/d/yyyy H:mm:ss`, which `FORMATTED_VALUE` prints back as
//! `4/6/2025 18:56:53` and `UNFORMATTED_VALUE` as the number.
//!
//! A formula cell keeps the formula and its last computed value (the `formula` module
//! computes it); a formula that fails computes an error value (`#DIV/0!`, `#REF!`, ...).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The effective value of a non-empty cell.
#[derive(Clone, Debug, PartialEq)]
pub enum CellValue {
    String(String),
    Number(f64),
    Bool(bool),
    /// The result of a formula that failed (only formulas compute errors).
    Error(FormulaError),
}

/// A formula's error result: Sheets' `ErrorValue` (one pointer, so that cells stay small).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormulaError(&'static ErrorText);

/// What an error shows and how `ErrorValue` describes it.
#[derive(Debug, PartialEq, Eq)]
pub struct ErrorText {
    /// What the cell shows: `#DIV/0!`, `#REF!`, `#NAME?`, ...
    pub shown: &'static str,
    /// `ErrorValue.type`: `DIVIDE_BY_ZERO`, `REF`, ...
    pub kind: &'static str,
    /// `ErrorValue.message`.
    pub message: &'static str,
}

const ERRORS: [(&str, ErrorText); 10] = [
    (
        "#DIV/0!",
        ErrorText {
            shown: "#DIV/0!",
            kind: "DIVIDE_BY_ZERO",
            message: "Function DIVIDE parameter 2 cannot be zero.",
        },
    ),
    (
        "#REF!",
        ErrorText {
            shown: "#REF!",
            kind: "REF",
            message: "Reference does not exist.",
        },
    ),
    (
        "#CIRC!",
        ErrorText {
            shown: "#REF!",
            kind: "REF",
            message: "Circular dependency detected. To resolve with iterative calculation, see File > Settings.",
        },
    ),
    (
        "#SPILL!",
        ErrorText {
            shown: "#REF!",
            kind: "REF",
            message: "Array result was not expanded because it would overwrite data.",
        },
    ),
    (
        "#NAME?",
        ErrorText {
            shown: "#NAME?",
            kind: "NAME",
            message: "Unknown function or range name.",
        },
    ),
    (
        "#VALUE!",
        ErrorText {
            shown: "#VALUE!",
            kind: "VALUE",
            message: "A value in the formula has the wrong type.",
        },
    ),
    (
        "#N/A",
        ErrorText {
            shown: "#N/A",
            kind: "N_A",
            message: "Value not available.",
        },
    ),
    (
        "#NUM!",
        ErrorText {
            shown: "#NUM!",
            kind: "NUM",
            message: "The result is not a valid number.",
        },
    ),
    (
        "#NULL!",
        ErrorText {
            shown: "#NULL!",
            kind: "NULL_VALUE",
            message: "The ranges do not intersect.",
        },
    ),
    (
        "#ERROR!",
        ErrorText {
            shown: "#ERROR!",
            kind: "ERROR",
            message: "Formula parse error.",
        },
    ),
];

impl FormulaError {
    /// The error for the engine's error text (`#DIV/0!`, `#CIRC!`, ...); anything else
    /// is a parse error, `#ERROR!`.
    pub fn from_engine(text: &str) -> FormulaError {
        let position = ERRORS
            .iter()
            .position(|(engine, _)| *engine == text)
            .unwrap_or(ERRORS.len() - 1);
        FormulaError(&ERRORS[position].1)
    }

    pub fn shown(self) -> &'static str {
        self.0.shown
    }

    pub fn kind(self) -> &'static str {
        self.0.kind
    }

    pub fn message(self) -> &'static str {
        self.0.message
    }
}

/// The kind of a number format, as in Sheets' `NumberFormat.type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NumberFormatType {
    Text,
    Number,
    Percent,
    Currency,
    Date,
    Time,
    DateTime,
    Scientific,
}

/// A number format: its kind and pattern (`M/d/yyyy H:mm:ss`, `#,##0.00`, `0.00%`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberFormat {
    #[serde(rename = "type")]
    pub kind: NumberFormatType,
    pub pattern: String,
}

impl NumberFormat {
    pub fn new(kind: NumberFormatType, pattern: impl Into<String>) -> NumberFormat {
        NumberFormat {
            kind,
            pattern: pattern.into(),
        }
    }

    /// Dates, times and date-times: rendered as serial numbers or formatted strings
    /// according to `dateTimeRenderOption`.
    pub fn is_date_time(&self) -> bool {
        matches!(
            self.kind,
            NumberFormatType::Date | NumberFormatType::Time | NumberFormatType::DateTime
        )
    }
}

/// A cell holding a value, a formula or formatting.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Cell {
    /// The effective value; `None` for a formula without a cached value.
    pub value: Option<CellValue>,
    /// The formula text, starting with `=`.
    pub formula: Option<String>,
    pub format: Option<NumberFormat>,
    /// The format a formula's result takes when the cell has none of its own: Sheets
    /// gives `=A1+1` the date format of `A1` and `=TODAY()` a date format.
    /// What few cells have, boxed so that a plain cell stays small: the automatic
    /// format of a formula's result, formatting, a note, a validation rule.
    pub extra: Option<Box<CellExtra>>,
}

/// The rarely set parts of a cell.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CellExtra {
    /// The format a formula's result takes when the cell has none of its own: Sheets
    /// gives `=A1+1` the date format of `A1` and `=TODAY()` a date format.
    pub automatic_format: Option<NumberFormat>,
    /// The rest of `userEnteredFormat` (colours, text format, alignment, borders, ...),
    /// kept as given.
    pub style: Option<serde_json::Map<String, Value>>,
    pub note: Option<String>,
    /// `dataValidation`: kept and answered, not enforced.
    pub data_validation: Option<Value>,
}

impl Cell {
    pub fn automatic_format(&self) -> Option<&NumberFormat> {
        self.extra.as_ref()?.automatic_format.as_ref()
    }

    pub fn style(&self) -> Option<&serde_json::Map<String, Value>> {
        self.extra.as_ref()?.style.as_ref()
    }

    pub fn note(&self) -> Option<&str> {
        self.extra.as_ref()?.note.as_deref()
    }

    pub fn data_validation(&self) -> Option<&Value> {
        self.extra.as_ref()?.data_validation.as_ref()
    }

    /// Changes the rare parts; the box goes when nothing is left in it.
    pub fn change_extra(&mut self, change: impl FnOnce(&mut CellExtra)) {
        let mut extra = self.extra.take().unwrap_or_default();
        change(&mut extra);
        if *extra != CellExtra::default() {
            self.extra = Some(extra);
        }
    }

    pub fn set_automatic_format(&mut self, format: Option<NumberFormat>) {
        self.change_extra(|extra| extra.automatic_format = format);
    }

    pub fn set_style(&mut self, style: Option<serde_json::Map<String, Value>>) {
        self.change_extra(|extra| extra.style = style.filter(|style| !style.is_empty()));
    }

    pub fn set_note(&mut self, note: Option<String>) {
        self.change_extra(|extra| extra.note = note);
    }

    pub fn set_data_validation(&mut self, rule: Option<Value>) {
        self.change_extra(|extra| extra.data_validation = rule);
    }

    /// Takes the formatting, note and validation of `other` (not its automatic format).
    pub fn take_decoration_of(&mut self, other: &Cell) {
        self.set_style(other.style().cloned());
        self.set_note(other.note().map(str::to_owned));
        self.set_data_validation(other.data_validation().cloned());
    }

    /// True when the cell holds no value and no formula (it may hold formatting).
    pub fn is_blank(&self) -> bool {
        self.value.is_none() && self.formula.is_none()
    }

    /// True when the cell holds formatting, a note or a validation rule.
    pub fn has_decoration(&self) -> bool {
        self.format.is_some()
            || self.style().is_some()
            || self.note().is_some()
            || self.data_validation().is_some()
    }

    /// The cell without its value and formula; `None` when nothing is left.
    pub fn decoration(&self) -> Option<Cell> {
        self.has_decoration().then(|| {
            let mut cell = Cell {
                format: self.format.clone(),
                ..Cell::default()
            };
            cell.take_decoration_of(self);
            cell
        })
    }

    /// The number format values are shown with.
    pub fn shown_format(&self) -> Option<&NumberFormat> {
        self.format.as_ref().or(self.automatic_format())
    }
}

impl Cell {
    pub fn string(text: impl Into<String>) -> Cell {
        Cell::of(CellValue::String(text.into()))
    }

    pub fn number(number: f64) -> Cell {
        Cell::of(CellValue::Number(number))
    }

    pub fn of(value: CellValue) -> Cell {
        Cell {
            value: Some(value),
            formula: None,
            format: None,
            ..Cell::default()
        }
    }
}

/// How written values are interpreted (`valueInputOption`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ValueInputOption {
    /// Stored as given: strings stay strings.
    Raw,
    /// Parsed as if typed into the UI: numbers, booleans, dates, percentages, formulas.
    #[default]
    UserEntered,
}

/// How values are rendered in answers (`valueRenderOption`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ValueRenderOption {
    #[default]
    FormattedValue,
    UnformattedValue,
    Formula,
}

/// How dates are rendered when values are not formatted (`dateTimeRenderOption`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DateTimeRenderOption {
    #[default]
    SerialNumber,
    FormattedString,
}

/// What a written JSON value means: skip the cell (`null`), clear it, or store a cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Written {
    Skip,
    Clear,
    Set(Cell),
}

/// The locale conventions the emulator knows: separators and default date patterns.
#[derive(Clone, Copy, Debug)]
pub struct LocaleRules {
    pub decimal_separator: char,
    pub grouping_separator: char,
    /// `M/d/yyyy` style input (month first) rather than `d/M/yyyy`.
    pub month_first: bool,
    pub date_pattern: &'static str,
    pub time_pattern: &'static str,
    pub date_time_pattern: &'static str,
}

impl LocaleRules {
    /// The rules of a Sheets locale (`en_US`, `en_GB`, `de_DE`, ...); unknown locales
    /// follow `en_US`.
    pub fn for_locale(locale: &str) -> LocaleRules {
        let language = locale.split(['_', '-']).next().unwrap_or("en");
        let us = LocaleRules {
            decimal_separator: '.',
            grouping_separator: ',',
            month_first: true,
            date_pattern: "M/d/yyyy",
            time_pattern: "H:mm:ss",
            date_time_pattern: "M/d/yyyy H:mm:ss",
        };
        let day_first =
            |decimal: char, grouping: char, date: &'static str, date_time| LocaleRules {
                decimal_separator: decimal,
                grouping_separator: grouping,
                month_first: false,
                date_pattern: date,
                time_pattern: "HH:mm:ss",
                date_time_pattern: date_time,
            };
        match (language, locale) {
            (_, "en_US" | "es_US" | "en_PH") => us,
            (_, "en_CA" | "fr_CA") | ("sv" | "lt", _) => LocaleRules {
                decimal_separator: if language == "en" { '.' } else { ',' },
                grouping_separator: if language == "en" { ',' } else { ' ' },
                month_first: false,
                date_pattern: "yyyy-MM-dd",
                time_pattern: "HH:mm:ss",
                date_time_pattern: "yyyy-MM-dd HH:mm:ss",
            },
            ("ja" | "zh" | "ko", _) => LocaleRules {
                decimal_separator: '.',
                grouping_separator: ',',
                month_first: false,
                date_pattern: "yyyy/MM/dd",
                time_pattern: "H:mm:ss",
                date_time_pattern: "yyyy/MM/dd H:mm:ss",
            },
            ("en", _) => day_first('.', ',', "dd/MM/yyyy", "dd/MM/yyyy HH:mm:ss"),
            ("de" | "ru" | "pl" | "fi" | "nb" | "cs" | "tr", _) => {
                day_first(',', '.', "dd.MM.yyyy", "dd.MM.yyyy HH:mm:ss")
            }
            ("nl", _) => day_first(',', '.', "dd-MM-yyyy", "dd-MM-yyyy HH:mm:ss"),
            ("fr" | "es" | "it" | "pt", _) => {
                day_first(',', '.', "dd/MM/yyyy", "dd/MM/yyyy HH:mm:ss")
            }
            _ => us,
        }
    }
}

/// Interprets one written JSON value. `Err` carries Google's description of a value that
/// is not a scalar.
pub fn interpret(
    value: &Value,
    option: ValueInputOption,
    locale: &LocaleRules,
) -> Result<Written, String> {
    match value {
        Value::Null => Ok(Written::Skip),
        Value::Bool(flag) => Ok(Written::Set(Cell::of(CellValue::Bool(*flag)))),
        Value::Number(number) => match number.as_f64() {
            Some(number) if number.is_finite() => Ok(Written::Set(Cell::number(number))),
            _ => Err(format!("number_value: {number}")),
        },
        Value::String(text) if text.is_empty() => Ok(Written::Clear),
        Value::String(text) => Ok(Written::Set(match option {
            ValueInputOption::Raw => Cell::string(text.clone()),
            ValueInputOption::UserEntered => parse_user_entered(text, locale),
        })),
        Value::Array(_) => Err(format!("list_value {}", compact(value))),
        Value::Object(_) => Err(format!("struct_value {}", compact(value))),
    }
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A string typed into the UI: `'` forces text, `=` starts a formula, then booleans,
/// numbers (with grouping, `%`, a currency sign), dates and times; otherwise text.
pub fn parse_user_entered(text: &str, locale: &LocaleRules) -> Cell {
    if let Some(literal) = text.strip_prefix('\'') {
        return Cell::string(literal);
    }
    if text.len() > 1 && text.starts_with('=') {
        return Cell {
            value: None,
            formula: Some(text.to_owned()),
            format: None,
            ..Cell::default()
        };
    }
    let trimmed = text.trim();
    if trimmed.eq_ignore_ascii_case("true") {
        return Cell::of(CellValue::Bool(true));
    }
    if trimmed.eq_ignore_ascii_case("false") {
        return Cell::of(CellValue::Bool(false));
    }
    if let Some((number, format)) = parse_number(trimmed, locale) {
        return Cell {
            value: Some(CellValue::Number(number)),
            formula: None,
            format,
            ..Cell::default()
        };
    }
    if let Some((serial, format)) = parse_date_time(trimmed, locale) {
        return Cell {
            value: Some(CellValue::Number(serial)),
            formula: None,
            format: Some(format),
            ..Cell::default()
        };
    }
    Cell::string(text)
}

/// `12`, `-1.5`, `1e3`, `1,234.50`, `50%`, `$12.50`, `12,50 €` (locale separators).
fn parse_number(text: &str, locale: &LocaleRules) -> Option<(f64, Option<NumberFormat>)> {
    let mut body = text;
    let mut negative = false;
    if let Some(rest) = body.strip_prefix('-') {
        negative = true;
        body = rest;
    } else if let Some(rest) = body.strip_prefix('+') {
        body = rest;
    }
    let mut currency = None;
    for symbol in ['$', '€', '£', '¥'] {
        if let Some(rest) = body.strip_prefix(symbol) {
            currency = Some((symbol, true));
            body = rest.trim_start();
        } else if let Some(rest) = body.strip_suffix(symbol) {
            currency = Some((symbol, false));
            body = rest.trim_end();
        }
    }
    if !negative && let Some(rest) = body.strip_prefix('-') {
        negative = true;
        body = rest;
    }
    let percent = if let Some(rest) = body.strip_suffix('%') {
        body = rest.trim_end();
        true
    } else {
        false
    };
    if body.is_empty() || (percent && currency.is_some()) {
        return None;
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(index) => (&body[..index], Some(&body[index + 1..])),
        None => (body, None),
    };
    let (integer, fraction) = match mantissa.split_once(locale.decimal_separator) {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (mantissa, None),
    };
    let grouped = integer.contains(locale.grouping_separator);
    if grouped {
        let mut groups = integer.split(locale.grouping_separator);
        let first = groups.next().unwrap_or_default();
        if first.is_empty() || first.len() > 3 || groups.any(|group| group.len() != 3) {
            return None;
        }
    }
    let digits: String = integer
        .chars()
        .filter(|character| *character != locale.grouping_separator)
        .collect();
    if (digits.is_empty() && fraction.is_none_or(str::is_empty))
        || !digits.chars().all(|character| character.is_ascii_digit())
        || !fraction
            .is_none_or(|fraction| fraction.chars().all(|character| character.is_ascii_digit()))
    {
        return None;
    }
    let mut canonical = if digits.is_empty() {
        "0".to_owned()
    } else {
        digits
    };
    if let Some(fraction) = fraction.filter(|fraction| !fraction.is_empty()) {
        canonical.push('.');
        canonical.push_str(fraction);
    }
    if let Some(exponent) = exponent {
        let exponent_digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if exponent_digits.is_empty()
            || !exponent_digits
                .chars()
                .all(|character| character.is_ascii_digit())
            || grouped
            || percent
            || currency.is_some()
        {
            return None;
        }
        canonical.push('e');
        canonical.push_str(exponent);
    }
    let mut number: f64 = canonical.parse().ok()?;
    if !number.is_finite() {
        return None;
    }
    if negative {
        number = -number;
    }
    let decimals = fraction.map_or(0, str::len);
    let format = if percent {
        number /= 100.0;
        Some(NumberFormat::new(
            NumberFormatType::Percent,
            if decimals == 0 {
                "0%".to_owned()
            } else {
                format!("0.{}%", "0".repeat(decimals))
            },
        ))
    } else if let Some((symbol, prefix)) = currency {
        let pattern = if prefix {
            format!("\"{symbol}\"#,##0.00")
        } else {
            format!("#,##0.00 \"{symbol}\"")
        };
        Some(NumberFormat::new(NumberFormatType::Currency, pattern))
    } else if exponent.is_some() {
        Some(NumberFormat::new(NumberFormatType::Scientific, "0.00E+00"))
    } else if grouped {
        Some(NumberFormat::new(
            NumberFormatType::Number,
            if decimals == 0 {
                "#,##0".to_owned()
            } else {
                "#,##0.00".to_owned()
            },
        ))
    } else {
        None
    };
    Some((number, format))
}

/// Dates (`4/6/2025`, `2025-04-06`, `6.4.2025`), times (`18:56`, `6:56:10 PM`) and both
/// (`4/6/2025 18:56:53`, `2025-04-06T18:56:53`), read with the locale's day/month order.
fn parse_date_time(text: &str, locale: &LocaleRules) -> Option<(f64, NumberFormat)> {
    let text = text.trim();
    let (date_part, time_part) = match text.split_once([' ', 'T']) {
        Some((date, time)) if looks_like_date(date) => (Some(date), Some(time.trim())),
        Some(_) => (None, Some(text)),
        None if looks_like_date(text) => (Some(text), None),
        None => (None, Some(text)),
    };
    let days = match date_part {
        Some(date) => Some(parse_date(date, locale)?),
        None => None,
    };
    let seconds = match time_part {
        Some(time) => Some(parse_time(time)?),
        None => None,
    };
    // An ISO date keeps its form (`2020-01-01` shows as typed, not as `1/1/2020`).
    let iso = date_part.is_some_and(|date| date.len() == 10 && date.as_bytes()[4] == b'-');
    match (days, seconds) {
        (Some(days), None) => Some((
            days as f64,
            NumberFormat::new(
                NumberFormatType::Date,
                if iso {
                    "yyyy-mm-dd"
                } else {
                    locale.date_pattern
                },
            ),
        )),
        (None, Some(seconds)) => Some((
            seconds / 86_400.0,
            NumberFormat::new(NumberFormatType::Time, locale.time_pattern),
        )),
        (Some(days), Some(seconds)) => Some((
            days as f64 + seconds / 86_400.0,
            NumberFormat::new(NumberFormatType::DateTime, locale.date_time_pattern),
        )),
        (None, None) => None,
    }
}

fn looks_like_date(text: &str) -> bool {
    text.contains(['/', '-', '.']) && text.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// A date's serial day number.
fn parse_date(text: &str, locale: &LocaleRules) -> Option<i64> {
    let separator = ['/', '-', '.']
        .into_iter()
        .find(|separator| text.contains(*separator))?;
    let parts: Vec<&str> = text.split(separator).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|part| part.is_empty() || !part.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let numbers: Vec<i64> = parts
        .iter()
        .map(|part| part.parse().ok())
        .collect::<Option<_>>()?;
    let (year, month, day) = if parts[0].len() == 4 {
        (numbers[0], numbers[1], numbers[2])
    } else if locale.month_first {
        (numbers[2], numbers[0], numbers[1])
    } else {
        (numbers[2], numbers[1], numbers[0])
    };
    let year_text_len = if parts[0].len() == 4 {
        4
    } else {
        parts[2].len()
    };
    let year = match year_text_len {
        4 => year,
        1 | 2 if year < 30 => 2000 + year,
        1 | 2 => 1900 + year,
        _ => return None,
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day) - days_from_civil(1899, 12, 30))
}

/// Seconds since midnight of `18:56`, `18:56:53`, `18:56:53.250`, `6:56 PM`.
fn parse_time(text: &str) -> Option<f64> {
    let upper = text.trim().to_ascii_uppercase();
    let (clock, meridiem) = if let Some(rest) = upper.strip_suffix("AM") {
        (rest.trim_end(), Some(false))
    } else if let Some(rest) = upper.strip_suffix("PM") {
        (rest.trim_end(), Some(true))
    } else {
        (upper.as_str(), None)
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let integer = |part: &str| -> Option<u32> {
        (!part.is_empty() && part.len() <= 2 && part.chars().all(|c| c.is_ascii_digit()))
            .then(|| part.parse().ok())
            .flatten()
    };
    let mut hours = integer(parts[0])?;
    let minutes = integer(parts[1])?;
    let seconds: f64 = match parts.get(2) {
        None => 0.0,
        Some(part) => {
            let (whole, fraction) = part.split_once('.').unwrap_or((part, ""));
            let whole = integer(whole)?;
            if !fraction.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let fraction: f64 = if fraction.is_empty() {
                0.0
            } else {
                format!("0.{fraction}").parse().ok()?
            };
            f64::from(whole) + fraction
        }
    };
    match meridiem {
        Some(pm) => {
            if hours == 0 || hours > 12 {
                return None;
            }
            hours = match (hours, pm) {
                (12, false) => 0,
                (12, true) => 12,
                (hours, true) => hours + 12,
                (hours, false) => hours,
            };
        }
        None if hours > 23 => return None,
        None => {}
    }
    if minutes > 59 || seconds >= 60.0 {
        return None;
    }
    Some(f64::from(hours) * 3600.0 + f64::from(minutes) * 60.0 + seconds)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// (year, month, day) of days since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The serial number (days since 1899-12-30, fraction = time of day) of a date-time.
pub fn serial_from_parts(
    year: i64,
    month: i64,
    day: i64,
    hour: u32,
    minute: u32,
    second: u32,
) -> f64 {
    let days = days_from_civil(year, month, day) - days_from_civil(1899, 12, 30);
    days as f64
        + (f64::from(hour) * 3600.0 + f64::from(minute) * 60.0 + f64::from(second)) / 86_400.0
}

/// How a number is written into a JSON answer: integral values without a fraction
/// (`1`, not `1.0`), others in their shortest form.
pub fn json_number(number: f64) -> Value {
    if number.fract() == 0.0 && number.abs() < 9_007_199_254_740_992.0 {
        // Exactly integral and within f64's exact-integer range.
        Value::from(number as i64)
    } else {
        serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number)
    }
}

/// The cell rendered for `values.get` and friends. Empty answers are empty strings.
pub fn render(
    cell: &Cell,
    render: ValueRenderOption,
    date_time: DateTimeRenderOption,
    locale: &LocaleRules,
) -> Value {
    match render {
        ValueRenderOption::FormattedValue => Value::String(formatted(cell, locale)),
        ValueRenderOption::Formula if cell.formula.is_some() => {
            Value::String(cell.formula.clone().unwrap_or_default())
        }
        ValueRenderOption::Formula | ValueRenderOption::UnformattedValue => match &cell.value {
            None => Value::String(String::new()),
            Some(CellValue::String(text)) => Value::String(text.clone()),
            Some(CellValue::Bool(flag)) => Value::Bool(*flag),
            Some(CellValue::Error(error)) => Value::String(error.shown().to_owned()),
            Some(CellValue::Number(number)) => match cell.shown_format() {
                Some(format)
                    if format.is_date_time()
                        && date_time == DateTimeRenderOption::FormattedString =>
                {
                    Value::String(format_number(*number, Some(format), locale))
                }
                _ => json_number(*number),
            },
        },
    }
}

/// The cell as the UI shows it.
pub fn formatted(cell: &Cell, locale: &LocaleRules) -> String {
    match &cell.value {
        None => String::new(),
        Some(CellValue::String(text)) => text.clone(),
        Some(CellValue::Bool(true)) => "TRUE".to_owned(),
        Some(CellValue::Bool(false)) => "FALSE".to_owned(),
        Some(CellValue::Error(error)) => error.shown().to_owned(),
        Some(CellValue::Number(number)) => format_number(*number, cell.shown_format(), locale),
    }
}

/// A number under a format, or Sheets' automatic format when there is none.
pub fn format_number(number: f64, format: Option<&NumberFormat>, locale: &LocaleRules) -> String {
    match format {
        Some(format) if format.is_date_time() => format_date_time(number, &format.pattern),
        Some(format) if format.kind == NumberFormatType::Text => automatic(number, locale),
        Some(format) if format.kind == NumberFormatType::Scientific => {
            scientific(number, 2, locale)
        }
        Some(format) => format_with_pattern(number, &format.pattern, locale),
        None => automatic(number, locale),
    }
}

/// Sheets' automatic format: integers as they are, other numbers rounded to 15
/// significant digits and at most 10 decimals, scientific past 1e15 or below 1e-10.
fn automatic(number: f64, locale: &LocaleRules) -> String {
    if number == 0.0 {
        return "0".to_owned();
    }
    let magnitude = number.abs();
    if !(1e-10..1e15).contains(&magnitude) {
        return scientific(number, 5, locale);
    }
    let integer_digits = if magnitude >= 1.0 {
        magnitude.log10().floor() as i32 + 1
    } else {
        1
    };
    let decimals = (15 - integer_digits).clamp(0, 10) as usize;
    let text = format!("{number:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    let text = if text == "-0" { "0".to_owned() } else { text };
    text.replace('.', &locale.decimal_separator.to_string())
}

/// `1.23457E+15` with `decimals` places (trailing zeros kept, as Sheets does for `0.00E+00`).
fn scientific(number: f64, decimals: usize, locale: &LocaleRules) -> String {
    let text = format!("{number:.decimals$E}");
    let (mantissa, exponent) = text.split_once('E').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!(
        "{}E{sign}{:02}",
        mantissa.replace('.', &locale.decimal_separator.to_string()),
        exponent.abs()
    )
}

/// Numeric patterns: an optional quoted or bare currency prefix/suffix, `#,##0` grouping,
/// `.00` decimals, a `%` suffix.
fn format_with_pattern(number: f64, pattern: &str, locale: &LocaleRules) -> String {
    let core_start = pattern.find(['#', '0']).unwrap_or(pattern.len());
    let core_end = pattern
        .rfind(['#', '0'])
        .map_or(core_start, |index| index + 1);
    let prefix = pattern[..core_start].replace('"', "");
    let core = &pattern[core_start..core_end.max(core_start)];
    let suffix_raw = &pattern[core_end.max(core_start)..];
    let percent = suffix_raw.contains('%');
    let suffix = suffix_raw.replace('"', "");
    let decimals = core.split_once('.').map_or(0, |(_, fraction)| {
        fraction.chars().filter(|c| *c == '0').count()
    });
    let grouping = core.contains(',');
    let value = if percent { number * 100.0 } else { number };
    let text = format!("{:.decimals$}", value.abs());
    let (integer, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let integer = if grouping {
        group(integer, locale.grouping_separator)
    } else {
        integer.to_owned()
    };
    let mut rendered = String::new();
    let negative = value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    if negative {
        rendered.push('-');
    }
    rendered.push_str(&prefix);
    rendered.push_str(&integer);
    if !fraction.is_empty() {
        rendered.push(locale.decimal_separator);
        rendered.push_str(fraction);
    }
    rendered.push_str(&suffix);
    rendered
}

fn group(digits: &str, separator: char) -> String {
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    grouped
}

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
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
];

/// Renders a serial number with a date pattern. Tokens: `yyyy yy MMMM MMM MM M dddd ddd dd
/// d HH H hh h mm m ss s AM/PM am/pm`, `.000` after seconds, text in double quotes.
/// True when the `m` run at `index` means minutes: the nearest date-time letter before it
/// is an hour, or the nearest after it is a second.
fn minute_context(characters: &[char], index: usize, run: usize) -> bool {
    let is_token = |c: &&char| matches!(c, 'y' | 'M' | 'd' | 'h' | 'H' | 's' | 'm');
    let before = characters[..index].iter().rev().find(is_token);
    let after = characters[index + run..].iter().find(is_token);
    matches!(before, Some('h' | 'H')) || matches!(after, Some('s'))
}

pub fn format_date_time(serial: f64, pattern: &str) -> String {
    let total_millis = (serial * 86_400_000.0).round() as i64;
    let days = total_millis.div_euclid(86_400_000);
    let millis_of_day = total_millis.rem_euclid(86_400_000);
    let epoch_days = days + days_from_civil(1899, 12, 30);
    let (year, month, day) = civil_from_days(epoch_days);
    let hour = millis_of_day / 3_600_000;
    let minute = millis_of_day / 60_000 % 60;
    let second = millis_of_day / 1000 % 60;
    let millis = millis_of_day % 1000;
    let twelve_hour = pattern.to_ascii_lowercase().contains("am/pm");
    let month_name = MONTHS[((month - 1).clamp(0, 11)) as usize];
    let weekday = WEEKDAYS[epoch_days.rem_euclid(7) as usize];
    let characters: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut index = 0;
    while index < characters.len() {
        let character = characters[index];
        let run = characters[index..]
            .iter()
            .take_while(|c| **c == character)
            .count();
        match character {
            '"' => {
                let closing = characters[index + 1..].iter().position(|c| *c == '"');
                let end = closing.map_or(characters.len(), |position| index + 1 + position);
                out.extend(&characters[index + 1..end]);
                index = end + 1;
                continue;
            }
            'y' => out.push_str(&if run <= 2 {
                format!("{:02}", year.rem_euclid(100))
            } else {
                format!("{year:04}")
            }),
            'M' => out.push_str(&match run {
                1 => month.to_string(),
                2 => format!("{month:02}"),
                3 => month_name[..3].to_owned(),
                _ => month_name.to_owned(),
            }),
            'd' => out.push_str(&match run {
                1 => day.to_string(),
                2 => format!("{day:02}"),
                3 => weekday[..3].to_owned(),
                _ => weekday.to_owned(),
            }),
            'H' | 'h' => {
                let shown = if character == 'h' || twelve_hour {
                    match hour % 12 {
                        0 => 12,
                        other => other,
                    }
                } else {
                    hour
                };
                out.push_str(&if run >= 2 {
                    format!("{shown:02}")
                } else {
                    shown.to_string()
                });
            }
            // Sheets' `m` is the month unless it follows an hour or precedes seconds
            // (`yyyy-mm-dd` is a date, `h:mm:ss` a time).
            'm' if !minute_context(&characters, index, run) => out.push_str(&match run {
                1 => month.to_string(),
                2 => format!("{month:02}"),
                3 => month_name[..3].to_owned(),
                _ => month_name.to_owned(),
            }),
            'm' => out.push_str(&if run >= 2 {
                format!("{minute:02}")
            } else {
                minute.to_string()
            }),
            's' => out.push_str(&if run >= 2 {
                format!("{second:02}")
            } else {
                second.to_string()
            }),
            '.' if characters.get(index + 1) == Some(&'0') => {
                let zeros = characters[index + 1..]
                    .iter()
                    .take_while(|c| **c == '0')
                    .count();
                let digits = format!("{millis:03}");
                out.push('.');
                out.push_str(&digits[..zeros.min(3)]);
                index += 1 + zeros;
                continue;
            }
            'A' | 'a'
                if characters[index..]
                    .iter()
                    .take(5)
                    .collect::<String>()
                    .eq_ignore_ascii_case("am/pm") =>
            {
                let text = if hour < 12 { "AM" } else { "PM" };
                out.push_str(&if character == 'a' {
                    text.to_ascii_lowercase()
                } else {
                    text.to_owned()
                });
                index += 5;
                continue;
            }
            other => {
                for _ in 0..run {
                    out.push(other);
                }
            }
        }
        index += run;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us() -> LocaleRules {
        LocaleRules::for_locale("en_US")
    }

    fn entered(text: &str, locale: &LocaleRules) -> Cell {
        parse_user_entered(text, locale)
    }

    #[test]
    fn a_plain_cell_stays_small() {
        // Sheets of a million cells are normal; what few cells hold is boxed.
        assert!(
            std::mem::size_of::<Option<Cell>>() <= 96,
            "{}",
            std::mem::size_of::<Option<Cell>>()
        );
    }

    #[test]
    fn an_iso_date_keeps_its_form() {
        let locale = LocaleRules::for_locale("en_US");
        let cell = parse_user_entered("2020-01-01", &locale);
        assert_eq!(cell.value, Some(CellValue::Number(43831.0)));
        assert_eq!(formatted(&cell, &locale), "2020-01-01");
    }

    #[test]
    fn user_entered_numbers_booleans_and_text() {
        let locale = us();
        assert_eq!(entered("42", &locale), Cell::number(42.0));
        assert_eq!(entered("-1.5", &locale), Cell::number(-1.5));
        assert_eq!(entered("true", &locale).value, Some(CellValue::Bool(true)));
        assert_eq!(entered("'123", &locale), Cell::string("123"));
        assert_eq!(entered("12 apples", &locale), Cell::string("12 apples"));
        assert_eq!(
            entered("1,234.5", &locale).value,
            Some(CellValue::Number(1234.5))
        );
        assert_eq!(entered("1,23", &locale), Cell::string("1,23"));
        let percent = entered("50%", &locale);
        assert_eq!(percent.value, Some(CellValue::Number(0.5)));
        assert_eq!(formatted(&percent, &locale), "50%");
        let money = entered("$12.5", &locale);
        assert_eq!(formatted(&money, &locale), "$12.50");
        let formula = entered("=SUM(A1:A2)", &locale);
        assert_eq!(formula.formula.as_deref(), Some("=SUM(A1:A2)"));
    }

    #[test]
    fn dates_become_serial_numbers_formatted_per_locale() {
        let locale = us();
        let stamp = entered("4/6/2025 18:56:53", &locale);
        let Some(CellValue::Number(serial)) = stamp.value else {
            panic!("not a number: {stamp:?}");
        };
        assert!((serial - 45753.789502314815).abs() < 1e-9, "{serial}");
        assert_eq!(formatted(&stamp, &locale), "4/6/2025 18:56:53");
        let iso = entered("2025-04-06", &locale);
        assert_eq!(iso.value, Some(CellValue::Number(45753.0)));
        // Google keeps an ISO date in its typed form.
        assert_eq!(formatted(&iso, &locale), "2025-04-06");
        let british = LocaleRules::for_locale("en_GB");
        let day_first = entered("4/6/2025", &british);
        assert_eq!(formatted(&day_first, &british), "04/06/2025");
        assert_eq!(day_first.value, Some(CellValue::Number(45812.0)));
        let time = entered("6:30 PM", &locale);
        assert_eq!(time.value, Some(CellValue::Number(0.7708333333333334)));
        assert_eq!(formatted(&time, &locale), "18:30:00");
        assert_eq!(entered("2/30/2025", &locale), Cell::string("2/30/2025"));
        assert_eq!(
            format_date_time(2.5, "yyyy-MM-dd HH:mm"),
            "1900-01-01 12:00"
        );
        assert_eq!(
            format_date_time(45753.5, "dddd d MMMM yyyy h:mm AM/PM"),
            "Sunday 6 April 2025 12:00 PM"
        );
    }

    #[test]
    fn automatic_number_format() {
        let locale = us();
        let render = |number: f64| format_number(number, None, &locale);
        assert_eq!(render(1.0), "1");
        assert_eq!(render(1234567.0), "1234567");
        assert_eq!(render(0.1 + 0.2), "0.3");
        assert_eq!(render(1.0 / 3.0), "0.3333333333");
        assert_eq!(render(-2.5), "-2.5");
        assert_eq!(render(1e20), "1.00000E+20");
        let german = LocaleRules::for_locale("de_DE");
        assert_eq!(format_number(1.5, None, &german), "1,5");
        assert_eq!(entered("1,5", &german).value, Some(CellValue::Number(1.5)));
    }

    #[test]
    fn json_numbers_print_like_google() {
        assert_eq!(json_number(1.0).to_string(), "1");
        assert_eq!(json_number(2.5).to_string(), "2.5");
        assert_eq!(json_number(-3.0).to_string(), "-3");
    }
}
