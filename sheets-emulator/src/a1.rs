//! A1 notation, parsed and printed the way the Sheets API does.
//!
//! A range is `[sheet!]cells` or a plain sheet name:
//!
//! - `Sheet1!A1:B2`, `Sheet1!A:C` (whole columns), `Sheet1!2:12` (whole rows),
//!   `Sheet1!A5:A` / `Sheet1!A5:C` (open-ended: down to the last row), `Sheet1!B3` (one cell),
//!   `Sheet1` (the whole sheet), `A1:B2` (no sheet: the first sheet).
//! - A sheet name is quoted with single quotes, a quote inside doubled:
//!   `'Form responses 1'!A:D`, `'Bob''s data'!A1`. Unquoted names may hold spaces
//!   (`Class Data!A2:E` works, as in Google's own quickstart) but not `'` or `!`, and a name
//!   that reads as a cell (`CO2`, `A1`, `R1C1`) must be quoted: `CO2!A1` is unparsable and a
//!   bare `CO2` is the cell CO2 of the first sheet.
//! - `A3:3` is row 3 from column A on; `R1C1:R2C2` (R1C1 notation) is `A1:B2`.
//! - Letters are case-insensitive, `$` markers are ignored, sheet names match
//!   case-insensitively (Sheets forbids two names differing only in case).
//!
//! Answers print ranges normalised: the sheet title quoted only when it is not a plain
//! identifier (letters, digits, `_`, not starting with a digit, not cell-like), bounds
//! clamped to the grid and made explicit (`Sheet1!A:B` prints `Sheet1!A1:B1000`), a
//! one-cell range printed as one cell.

use std::fmt::Write as _;

/// Largest column count Sheets allows (column `ZZZ`), the bound for reading letters as a
/// column.
const MAX_COLUMN_LETTERS: usize = 3;

/// A parsed A1 range: an optional sheet name and the cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct A1Range {
    /// The sheet name as written (unquoted, doubled quotes undone); `None` means the
    /// first sheet.
    pub sheet: Option<String>,
    /// The cells; `None` means the whole sheet.
    pub area: Option<Area>,
}

/// One side of a range as written: a cell, a whole column or a whole row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// `B3`: 0-based column and row.
    Cell { column: u32, row: u32 },
    /// `B`: a 0-based column.
    Column(u32),
    /// `3`: a 0-based row.
    Row(u32),
}

/// The cells of a range, as written: a start and an optional end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Area {
    pub start: Endpoint,
    pub end: Option<Endpoint>,
}

/// Half-open 0-based bounds; `None` is unbounded (to the grid's edge).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Bounds {
    pub start_row: u32,
    pub end_row: Option<u32>,
    pub start_column: u32,
    pub end_column: Option<u32>,
}

/// A range that could not be parsed; its text is the range as received.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Unable to parse range: {0}")]
pub struct ParseRangeError(pub String);

impl A1Range {
    /// Parses A1 notation (already percent-decoded).
    pub fn parse(text: &str) -> Result<A1Range, ParseRangeError> {
        let error = || ParseRangeError(text.to_owned());
        if text.is_empty() {
            return Err(error());
        }
        if let Some(quoted) = text.strip_prefix('\'') {
            let (name, rest) = split_quoted_name(quoted).ok_or_else(error)?;
            if name.is_empty() {
                return Err(error());
            }
            if rest.is_empty() {
                return Ok(A1Range {
                    sheet: Some(name),
                    area: None,
                });
            }
            let cells = rest.strip_prefix('!').ok_or_else(error)?;
            let area = Area::parse(cells).ok_or_else(error)?;
            return Ok(A1Range {
                sheet: Some(name),
                area: Some(area),
            });
        }
        if let Some((name, cells)) = text.split_once('!') {
            if name.is_empty() || name.contains('\'') || looks_like_cell(name) {
                return Err(error());
            }
            let area = Area::parse(cells).ok_or_else(error)?;
            return Ok(A1Range {
                sheet: Some(name.to_owned()),
                area: Some(area),
            });
        }
        if let Some(area) = Area::parse(text) {
            return Ok(A1Range {
                sheet: None,
                area: Some(area),
            });
        }
        if text.contains('\'') {
            return Err(error());
        }
        Ok(A1Range {
            sheet: Some(text.to_owned()),
            area: None,
        })
    }
}

/// Splits `name'rest` (the text after the opening quote) at the closing quote, undoing
/// doubled quotes.
fn split_quoted_name(text: &str) -> Option<(String, &str)> {
    let mut name = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((index, character)) = chars.next() {
        if character == '\'' {
            if let Some(&(_, '\'')) = chars.peek() {
                chars.next();
                name.push('\'');
                continue;
            }
            return Some((name, &text[index + 1..]));
        }
        name.push(character);
    }
    None
}

impl Area {
    /// Parses cells in A1 notation (`B2:C9`, `A:A`, `3:4`).
    pub fn parse_cells(text: &str) -> Option<Area> {
        Area::parse(text)
    }

    fn parse(text: &str) -> Option<Area> {
        let (first, second) = match text.split_once(':') {
            Some((first, second)) => (first, Some(second)),
            None => (text, None),
        };
        let start = parse_endpoint(first)?;
        let Some(second) = second else {
            // A lone column or row ("A", "5") is not a range; it may be a sheet name.
            return match start {
                Endpoint::Cell { .. } => Some(Area { start, end: None }),
                Endpoint::Column(_) | Endpoint::Row(_) => None,
            };
        };
        let end = parse_endpoint(second)?;
        let valid = matches!(
            (start, end),
            (Endpoint::Cell { .. }, Endpoint::Cell { .. })
                | (Endpoint::Cell { .. }, Endpoint::Column(_))
                | (Endpoint::Column(_), Endpoint::Cell { .. })
                | (Endpoint::Column(_), Endpoint::Column(_))
                | (Endpoint::Row(_), Endpoint::Row(_))
                // `A3:3`: row 3 from column A on (what gspread's `row_values` asks).
                | (Endpoint::Cell { .. }, Endpoint::Row(_))
                | (Endpoint::Row(_), Endpoint::Cell { .. })
        );
        valid.then_some(Area {
            start,
            end: Some(end),
        })
    }

    /// The bounds this area selects, before clamping to a grid. Reversed corners are
    /// swapped, as Sheets does.
    pub fn bounds(&self) -> Bounds {
        let (start_column, start_row) = endpoint_parts(self.start);
        let (end_column, end_row) = match self.end {
            None => match self.start {
                Endpoint::Cell { column, row } => (Some(column), Some(row)),
                _ => (None, None),
            },
            Some(end) => endpoint_parts(end),
        };
        let (start_row, end_row) = order(start_row, end_row);
        let (start_column, end_column) = order(start_column, end_column);
        Bounds {
            start_row: start_row.unwrap_or(0),
            end_row: end_row.map(|row| row + 1),
            start_column: start_column.unwrap_or(0),
            end_column: end_column.map(|column| column + 1),
        }
    }

    /// The area as written, upper-case and without `$` (used in "exceeds grid limits").
    pub fn to_a1(&self) -> String {
        let mut text = endpoint_a1(self.start);
        if let Some(end) = self.end {
            text.push(':');
            text.push_str(&endpoint_a1(end));
        }
        text
    }

    /// True when the area is exactly one cell (`B3`, or `B3:B3`).
    pub fn is_single_cell(&self) -> bool {
        match (self.start, self.end) {
            (Endpoint::Cell { .. }, None) => true,
            (start @ Endpoint::Cell { .. }, Some(end)) => start == end,
            _ => false,
        }
    }
}

/// Sorts two optional 0-based indexes of one dimension; an open side stays open.
fn order(start: Option<u32>, end: Option<u32>) -> (Option<u32>, Option<u32>) {
    match (start, end) {
        (Some(start), Some(end)) if end < start => (Some(end), Some(start)),
        other => other,
    }
}

fn endpoint_parts(endpoint: Endpoint) -> (Option<u32>, Option<u32>) {
    match endpoint {
        Endpoint::Cell { column, row } => (Some(column), Some(row)),
        Endpoint::Column(column) => (Some(column), None),
        Endpoint::Row(row) => (None, Some(row)),
    }
}

fn endpoint_a1(endpoint: Endpoint) -> String {
    match endpoint {
        Endpoint::Cell { column, row } => format!("{}{}", column_letters(column), row + 1),
        Endpoint::Column(column) => column_letters(column),
        Endpoint::Row(row) => (row + 1).to_string(),
    }
}

/// Parses `B3`, `$B$3`, `B`, `3`, or `R3C2` (R1C1 notation; case-insensitive).
fn parse_endpoint(text: &str) -> Option<Endpoint> {
    parse_a1_endpoint(text).or_else(|| parse_r1c1_endpoint(text))
}

/// `R3C2` (row 3, column 2, 1-based), as the API accepts in ranges.
fn parse_r1c1_endpoint(text: &str) -> Option<Endpoint> {
    if !looks_like_r1c1(text) {
        return None;
    }
    let upper = text.to_ascii_uppercase();
    let (row, column) = upper.strip_prefix('R')?.split_once('C')?;
    let row: u32 = row.parse().ok()?;
    let column: u32 = column.parse().ok()?;
    let column = column.checked_sub(1)?;
    if column_letters(column).len() > MAX_COLUMN_LETTERS {
        return None;
    }
    Some(Endpoint::Cell {
        column,
        row: row.checked_sub(1)?,
    })
}

fn parse_a1_endpoint(text: &str) -> Option<Endpoint> {
    let text = text.strip_prefix('$').unwrap_or(text);
    let letters_end = text
        .find(|character: char| !character.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (letters, rest) = text.split_at(letters_end);
    let digits = rest.strip_prefix('$').unwrap_or(rest);
    if !digits.chars().all(|character| character.is_ascii_digit()) {
        return None;
    }
    let column = if letters.is_empty() {
        None
    } else {
        Some(column_index(letters)?)
    };
    let row = if digits.is_empty() {
        None
    } else {
        let number: u32 = digits.parse().ok()?;
        Some(number.checked_sub(1)?)
    };
    if letters.is_empty() && !rest.is_empty() && rest.starts_with('$') {
        return None;
    }
    match (column, row) {
        (Some(column), Some(row)) => Some(Endpoint::Cell { column, row }),
        (Some(column), None) if rest.is_empty() => Some(Endpoint::Column(column)),
        (None, Some(row)) => Some(Endpoint::Row(row)),
        _ => None,
    }
}

/// `A` -> 0, `Z` -> 25, `AA` -> 26; `None` past `ZZZ` or for non-letters.
pub fn column_index(letters: &str) -> Option<u32> {
    if letters.is_empty() || letters.len() > MAX_COLUMN_LETTERS {
        return None;
    }
    let mut number: u32 = 0;
    for character in letters.chars() {
        if !character.is_ascii_alphabetic() {
            return None;
        }
        let digit = u32::from(character.to_ascii_uppercase() as u8 - b'A') + 1;
        number = number * 26 + digit;
    }
    Some(number - 1)
}

/// 0 -> `A`, 25 -> `Z`, 26 -> `AA`.
pub fn column_letters(index: u32) -> String {
    let mut number = u64::from(index) + 1;
    let mut letters = Vec::new();
    while number > 0 {
        let remainder = ((number - 1) % 26) as u8;
        letters.push(char::from(b'A' + remainder));
        number = (number - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// True for names Sheets would read as a cell or an R1C1 reference: `CO2`, `a1`, `R1C1`.
pub fn looks_like_cell(name: &str) -> bool {
    let letters_end = name
        .find(|character: char| !character.is_ascii_alphabetic())
        .unwrap_or(name.len());
    let (letters, digits) = name.split_at(letters_end);
    let a1 = !letters.is_empty()
        && letters.len() <= MAX_COLUMN_LETTERS
        && !digits.is_empty()
        && digits.chars().all(|character| character.is_ascii_digit());
    a1 || looks_like_r1c1(name)
}

fn looks_like_r1c1(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let Some(rest) = upper.strip_prefix('R') else {
        return false;
    };
    let Some((row, column)) = rest.split_once('C') else {
        return false;
    };
    !row.is_empty()
        && !column.is_empty()
        && row.chars().all(|character| character.is_ascii_digit())
        && column.chars().all(|character| character.is_ascii_digit())
}

/// The sheet title as it appears in answers: bare when it is a plain identifier, quoted
/// (inner quotes doubled) otherwise.
pub fn sheet_prefix(title: &str) -> String {
    let plain = title
        .chars()
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_')
        && title
            .chars()
            .all(|character| character.is_alphanumeric() || character == '_')
        && !looks_like_cell(title);
    if plain {
        title.to_owned()
    } else {
        quoted(title)
    }
}

/// `'title'` with inner quotes doubled (Google always quotes in "exceeds grid limits").
pub fn quoted(title: &str) -> String {
    format!("'{}'", title.replace('\'', "''"))
}

/// `A1:B2`, or `A1` for a single cell, of half-open 0-based bounds (all present).
pub fn cells_a1(start_row: u32, end_row: u32, start_column: u32, end_column: u32) -> String {
    let mut text = format!("{}{}", column_letters(start_column), start_row + 1);
    if end_row > start_row + 1 || end_column > start_column + 1 {
        let _ = write!(
            text,
            ":{}{}",
            column_letters(end_column.saturating_sub(1).max(start_column)),
            end_row.max(start_row + 1)
        );
    }
    text
}

/// `Sheet1!A1:B2` / `'My sheet'!A1`.
pub fn range_a1(
    title: &str,
    start_row: u32,
    end_row: u32,
    start_column: u32,
    end_column: u32,
) -> String {
    format!(
        "{}!{}",
        sheet_prefix(title),
        cells_a1(start_row, end_row, start_column, end_column)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(column: u32, row: u32) -> Endpoint {
        Endpoint::Cell { column, row }
    }

    fn parsed(text: &str) -> A1Range {
        match A1Range::parse(text) {
            Ok(range) => range,
            Err(error) => panic!("{text}: {error}"),
        }
    }

    #[test]
    fn sheet_and_cells() {
        let range = parsed("Sheet1!A1:B2");
        assert_eq!(range.sheet.as_deref(), Some("Sheet1"));
        assert_eq!(
            range.area,
            Some(Area {
                start: cell(0, 0),
                end: Some(cell(1, 1))
            })
        );
    }

    #[test]
    fn quoted_names_with_spaces_and_doubled_quotes() {
        assert_eq!(
            parsed("'Form responses 1'!A2:D").sheet.as_deref(),
            Some("Form responses 1")
        );
        assert_eq!(
            parsed("'Bob''s data'!A1").sheet.as_deref(),
            Some("Bob's data")
        );
        let whole = parsed("'It''s'");
        assert_eq!(whole.sheet.as_deref(), Some("It's"));
        assert_eq!(whole.area, None);
        assert_eq!(parsed("'a!b'!C3").sheet.as_deref(), Some("a!b"));
    }

    #[test]
    fn unquoted_name_with_spaces_is_accepted() {
        let range = parsed("Class Data!A2:E");
        assert_eq!(range.sheet.as_deref(), Some("Class Data"));
    }

    #[test]
    fn cell_like_names_must_be_quoted() {
        assert!(A1Range::parse("CO2!A1:B2").is_err());
        assert!(A1Range::parse("R1C1!A1").is_err());
        assert_eq!(parsed("'CO2'!A1:B2").sheet.as_deref(), Some("CO2"));
        // Bare, it is the cell CO2 of the first sheet.
        let bare = parsed("CO2");
        assert_eq!(bare.sheet, None);
        assert_eq!(
            bare.area,
            Some(Area {
                start: cell(92, 1),
                end: None
            })
        );
    }

    #[test]
    fn whole_rows_columns_and_open_ranges() {
        let rows = parsed("Sheet1!2:12").area.map(|area| area.bounds());
        assert_eq!(
            rows,
            Some(Bounds {
                start_row: 1,
                end_row: Some(12),
                start_column: 0,
                end_column: None
            })
        );
        let columns = parsed("A:C").area.map(|area| area.bounds());
        assert_eq!(
            columns,
            Some(Bounds {
                start_row: 0,
                end_row: None,
                start_column: 0,
                end_column: Some(3)
            })
        );
        let open = parsed("Sheet1!A5:A").area.map(|area| area.bounds());
        assert_eq!(
            open,
            Some(Bounds {
                start_row: 4,
                end_row: None,
                start_column: 0,
                end_column: Some(1)
            })
        );
    }

    #[test]
    fn plain_sheet_name_lowercase_and_absolute_markers() {
        assert_eq!(
            parsed("Sheet1"),
            A1Range {
                sheet: Some("Sheet1".into()),
                area: None
            }
        );
        assert_eq!(parsed("sheet1!$a$1:$b$2").area, parsed("Sheet1!A1:B2").area);
        let reversed = parsed("B2:A1").area.map(|area| area.bounds());
        assert_eq!(reversed, parsed("A1:B2").area.map(|area| area.bounds()));
    }

    #[test]
    fn unparsable_ranges() {
        for text in [
            "",
            "Sheet1!",
            "'Sheet1'!",
            "'unterminated!A1",
            "'Sheet1'A1",
            "Sheet1!A0",
            "Sheet1!1:B",
            "Sheet1!A1:B2:C3",
            "Sheet1!AAAA1",
            "''!A1",
            "a'b!A1",
        ] {
            let error = A1Range::parse(text).err();
            assert_eq!(
                error.map(|error| error.to_string()),
                Some(format!("Unable to parse range: {text}")),
                "{text}"
            );
        }
    }

    #[test]
    fn column_letters_round_trip() {
        for (index, letters) in [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")] {
            assert_eq!(column_letters(index), letters);
            assert_eq!(column_index(letters), Some(index));
        }
        assert_eq!(column_index("ZZZ"), Some(18277));
    }

    #[test]
    fn sheet_titles_quoted_as_google_quotes_them() {
        assert_eq!(sheet_prefix("Sheet1"), "Sheet1");
        assert_eq!(sheet_prefix("Données_2024"), "Données_2024");
        assert_eq!(sheet_prefix("Form responses 1"), "'Form responses 1'");
        assert_eq!(sheet_prefix("CO2"), "'CO2'");
        assert_eq!(sheet_prefix("2024"), "'2024'");
        assert_eq!(sheet_prefix("Bob's"), "'Bob''s'");
        assert_eq!(sheet_prefix("a/b"), "'a/b'");
        assert_eq!(range_a1("Sheet1", 0, 1, 0, 1), "Sheet1!A1");
        assert_eq!(
            range_a1("Form responses 1", 1, 12, 0, 4),
            "'Form responses 1'!A2:D12"
        );
    }
}
