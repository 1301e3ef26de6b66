//! A1 notation: how ranges of a sheet are written in Sheets API requests.
//!
//! A sheet name is always quoted (`'Form responses 1'!5:10`), with any single quote in it
//! doubled (`'Bob''s sheet'!A1`). Quoting is optional for plain names in Google's grammar,
//! but required for names with spaces, punctuation, or that look like a cell (`CO2`,
//! `R1C1`); quoting every name is always correct and leaves nothing to guess. The
//! connector reads whole rows (`'Sheet'!5:10`), so it never needs to know how many
//! columns a sheet has and a column added later is read without any change.

/// `name` as a quoted A1 sheet reference: wrapped in single quotes, inner quotes doubled.
pub fn quote_sheet_name(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

/// The A1 range of whole rows `first..=last` (1-based) of the sheet `name`.
pub fn rows_range(name: &str, first: u64, last: u64) -> String {
    debug_assert!(first >= 1 && first <= last, "rows {first}..={last}");
    format!("{}!{first}:{last}", quote_sheet_name(name))
}

/// The letters of a 0-based column index: 0 -> `A`, 25 -> `Z`, 26 -> `AA`, 701 -> `ZZ`,
/// 702 -> `AAA`.
pub fn column_letters(index: usize) -> String {
    let mut letters = Vec::new();
    let mut n = index + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// The 0-based index of a column written in capital letters (`A`, `BC`; Sheets has at most
/// 18,278 columns, up to `ZZZ`), or `None` when `letters` is not one. Lower case is not a
/// column, so that a misspelt header name such as `Age` is not taken for column AGE.
pub fn column_index(letters: &str) -> Option<usize> {
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let mut n: usize = 0;
    for b in letters.bytes() {
        n = n * 26 + usize::from(b - b'A') + 1;
    }
    Some(n - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_always_quoted_with_inner_quotes_doubled() {
        assert_eq!(quote_sheet_name("Sheet1"), "'Sheet1'");
        assert_eq!(quote_sheet_name("Form responses 1"), "'Form responses 1'");
        assert_eq!(quote_sheet_name("Bob's"), "'Bob''s'");
        assert_eq!(quote_sheet_name("''"), "''''''");
        assert_eq!(quote_sheet_name("CO2"), "'CO2'");
        assert_eq!(quote_sheet_name("a/b!c"), "'a/b!c'");
        assert_eq!(quote_sheet_name(""), "''");
    }

    #[test]
    fn row_ranges() {
        assert_eq!(rows_range("Sheet1", 1, 1), "'Sheet1'!1:1");
        assert_eq!(
            rows_range("Form responses 1", 2, 1001),
            "'Form responses 1'!2:1001"
        );
        assert_eq!(rows_range("it's", 5, 9), "'it''s'!5:9");
    }

    #[test]
    fn column_letters_round_trip() {
        for (index, letters) in [
            (0, "A"),
            (1, "B"),
            (25, "Z"),
            (26, "AA"),
            (51, "AZ"),
            (52, "BA"),
            (701, "ZZ"),
            (702, "AAA"),
            (18277, "ZZZ"),
        ] {
            assert_eq!(column_letters(index), letters);
            assert_eq!(column_index(letters), Some(index));
        }
        assert_eq!(column_index("b"), None);
        assert_eq!(column_index("AAAA"), None);
        assert_eq!(column_index(""), None);
        assert_eq!(column_index("A1"), None);
        assert_eq!(column_index("Email address"), None);
        for index in 0..18278 {
            assert_eq!(column_index(&column_letters(index)), Some(index));
        }
    }
}
