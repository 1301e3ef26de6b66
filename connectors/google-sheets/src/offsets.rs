//! Offsets: where a sheet has been read up to, and how that survives rows moving.
//!
//! # Partitions and offsets
//!
//! Each sheet (tab) of a spreadsheet is one *source partition*:
//! `{"spreadsheet": "<spreadsheet id>", "sheet": <sheetId>}`. The sheet id is the number in
//! the sheet's URL (`#gid=<sheetId>`); unlike the title, it survives a rename, and unlike
//! the task number (the seed connector's partition), it does not depend on how sheets were
//! divided among tasks, so changing `tasks.max` never loses or repeats a row.
//!
//! The *offset* of a record is `{"row": <n>, "fingerprint": "<16 hex digits>",
//! "previous": "<16 hex digits>"}`: the 1-based number of the row the record was made from
//! (the last row emitted, once the record is committed), a fingerprint of that row's cells
//! (SHA-256 of the cells as read, trailing empty cells ignored, first 64 bits), and the
//! fingerprint of the row emitted before it (absent for a sheet's first record). A task
//! resumes exactly after the committed row, so a graceful restart repeats nothing and a
//! crash repeats only the records sent after the last offset flush. Rows appended while the
//! connector was stopped are read when it starts again.
//!
//! # The anchor, and why it is checked on every poll
//!
//! A row number alone is not a position in a sheet: someone can insert or delete rows above
//! it (a test response deleted from a Forms sheet, a row inserted to annotate), and every
//! row below moves. The seed connector trusted row numbers and so silently repeated or
//! skipped rows. Here the last emitted row is the task's *anchor*, and every read re-checks
//! it: each poll asks for the anchor row itself as the first row of its window, in the same
//! `values:batchGet` as the new rows, so the check costs no extra request. If the row at the
//! anchor's number still has the anchor's fingerprint, nothing moved and the rows after it
//! are the new ones.
//!
//! If the fingerprint differs, rows above moved it, or the row itself was edited or
//! deleted. The task then reads a search window of `anchor.search.rows` rows on each side of
//! the old position (one request) and decides, in this order:
//!
//! 1. **The anchor is found**: it moved there (the closest match to the old position wins,
//!    and between two equally close matches the upper one, so that an ambiguity repeats
//!    rows rather than skips them). Reading resumes after its new position: rows deleted
//!    above it cost nothing, rows inserted above it are not read (the connector streams
//!    what is added *after* what it has read; a row inserted in the middle of a sheet is an
//!    edit it does not follow), and no row after it is repeated or skipped.
//! 2. **The row before the anchor is found** (by the offset's `previous` fingerprint): the
//!    anchor row itself was deleted, or edited. Reading resumes after that previous row, so
//!    a deleted last row loses nothing; an edited one is read again (one repeat rather than
//!    a possible loss).
//! 3. **Neither is found, and the sheet still has data at or after the old position**: the
//!    task assumes the rows were *edited in place* (someone fills a "processed" column next
//!    to the responses) and resumes after the same row number, adopting the row's new
//!    fingerprint. If instead rows were inserted or deleted above it by more than the search
//!    window, this repeats or skips that many rows.
//! 4. **Neither is found, and the sheet's data now ends above the old position** (rows
//!    were deleted, or the sheet was cleared): the task reads again from the top of the
//!    search window (from the first data row when the window reaches it), preferring
//!    repeats to losses: rows that moved up by at most the search window are read, some
//!    already-read rows are sent again, and rows that moved up farther are skipped. A sheet
//!    that was emptied and refilled is thus read from its first row again, with the default
//!    window, as long as it had fewer rows than the window.
//!
//! Cases 3 and 4 log a warning that names the sheet and the rows and are counted in the
//! task's statistics ([`crate::task::TaskStats::anchors_lost`]); cases 1 and 2 log at info
//! and are counted in `anchors_moved`. Rows whose cells are identical cannot be told apart:
//! a sheet of duplicate rows re-anchors on the closest copy. A Forms sheet never has two
//! identical rows, as every response has its own timestamp.
//!
//! Changing `value.render.option` changes what a row's fingerprint is computed from, so
//! the first check after the change fails and falls under case 3, which resumes after the
//! same row: exactly right, since nothing moved. An offset written by hand with only a
//! `row` is trusted as it is: the first read adopts that row's fingerprint.

use connect_api::{SourceOffset, SourcePartition};
use sha2::{Digest, Sha256};

/// The source partition key holding the spreadsheet id.
pub const SPREADSHEET_FIELD: &str = "spreadsheet";
/// The source partition key holding the sheet id (a number).
pub const SHEET_FIELD: &str = "sheet";
/// The source offset key holding the last emitted 1-based row number.
pub const ROW_FIELD: &str = "row";
/// The source offset key holding the fingerprint of that row.
pub const FINGERPRINT_FIELD: &str = "fingerprint";
/// The source offset key holding the fingerprint of the row emitted before it.
pub const PREVIOUS_FIELD: &str = "previous";

/// The source partition of one sheet.
pub fn source_partition(spreadsheet_id: &str, sheet_id: i64) -> SourcePartition {
    let mut partition = SourcePartition::new();
    partition.insert(SPREADSHEET_FIELD.to_string(), spreadsheet_id.into());
    partition.insert(SHEET_FIELD.to_string(), sheet_id.into());
    partition
}

/// A row's identity: 64 bits of SHA-256 over its cells, as 16 lower-case hex digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// The fingerprint of a row's cells as the API returned them. Trailing empty cells
    /// (`""` or absent) do not count, so a row reads the same whether or not the API
    /// trimmed them; each cell is tagged with its JSON type, so `1` and `"1"` differ.
    pub fn of_cells(cells: &[serde_json::Value]) -> Fingerprint {
        let significant = cells
            .iter()
            .rposition(|c| !is_empty_cell(c))
            .map_or(0, |last| last + 1);
        let mut hasher = Sha256::new();
        for cell in &cells[..significant] {
            match cell {
                serde_json::Value::Null => hasher.update(b"n"),
                serde_json::Value::Bool(b) => hasher.update(if *b { b"t" } else { b"f" }),
                serde_json::Value::Number(n) => {
                    hasher.update(b"#");
                    hasher.update(n.to_string().as_bytes());
                }
                serde_json::Value::String(s) => {
                    hasher.update(b"s");
                    hasher.update(s.as_bytes());
                }
                other => {
                    hasher.update(b"j");
                    hasher.update(other.to_string().as_bytes());
                }
            }
            hasher.update([0x1f]);
        }
        let digest = hasher.finalize();
        let mut hex = String::with_capacity(16);
        for byte in &digest[..8] {
            hex.push_str(&format!("{byte:02x}"));
        }
        Fingerprint(hex)
    }

    /// A fingerprint read back from an offset.
    pub fn from_offset_value(value: &str) -> Option<Fingerprint> {
        let valid = value.len() == 16 && value.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| Fingerprint(value.to_ascii_lowercase()))
    }

    /// The fingerprint of an anchor known only by its row number (an offset set by hand):
    /// the first read adopts whatever that row holds.
    pub fn unknown() -> Fingerprint {
        Fingerprint(String::new())
    }

    pub fn is_unknown(&self) -> bool {
        self.0.is_empty()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether a cell counts as empty: absent, null or the empty string.
pub fn is_empty_cell(cell: &serde_json::Value) -> bool {
    match cell {
        serde_json::Value::Null => true,
        serde_json::Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// Whether a whole row is empty (`[]` from the API, or only empty cells).
pub fn is_empty_row(cells: &[serde_json::Value]) -> bool {
    cells.iter().all(is_empty_cell)
}

/// The last emitted row of a sheet, its fingerprint, and the fingerprint of the row
/// emitted before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub row: u64,
    pub fingerprint: Fingerprint,
    pub previous: Option<Fingerprint>,
}

impl Anchor {
    /// An anchor at `row` without a known predecessor.
    pub fn at(row: u64, fingerprint: Fingerprint) -> Anchor {
        Anchor {
            row,
            fingerprint,
            previous: None,
        }
    }

    /// The anchor after emitting `row` with `fingerprint`, this one being the previous.
    pub fn followed_by(&self, row: u64, fingerprint: Fingerprint) -> Anchor {
        Anchor {
            row,
            fingerprint,
            previous: (!self.fingerprint.is_unknown()).then(|| self.fingerprint.clone()),
        }
    }

    /// The offset of a record made from this row.
    pub fn to_offset(&self) -> SourceOffset {
        let mut offset = SourceOffset::new();
        offset.insert(ROW_FIELD.to_string(), self.row.into());
        offset.insert(
            FINGERPRINT_FIELD.to_string(),
            self.fingerprint.as_str().into(),
        );
        if let Some(previous) = &self.previous {
            offset.insert(PREVIOUS_FIELD.to_string(), previous.as_str().into());
        }
        offset
    }

    /// The anchor a committed offset describes; `Ok(None)` for a null or empty offset (a
    /// reset), an error naming what is wrong otherwise.
    pub fn from_offset(offset: &SourceOffset) -> Result<Option<Anchor>, OffsetError> {
        let row = match offset.get(ROW_FIELD) {
            None | Some(serde_json::Value::Null) => return Ok(None),
            Some(value) => value
                .as_u64()
                .filter(|r| *r >= 1)
                .ok_or_else(|| OffsetError::BadRow(value.to_string()))?,
        };
        let fingerprint = |field: &str| -> Result<Option<Fingerprint>, OffsetError> {
            match offset.get(field) {
                // An offset written by hand (PATCH /offsets) may give only the row.
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
                Some(serde_json::Value::String(s)) => Fingerprint::from_offset_value(s)
                    .map(Some)
                    .ok_or_else(|| OffsetError::BadFingerprint(s.clone())),
                Some(other) => Err(OffsetError::BadFingerprint(other.to_string())),
            }
        };
        Ok(Some(Anchor {
            row,
            fingerprint: fingerprint(FINGERPRINT_FIELD)?.unwrap_or_else(Fingerprint::unknown),
            previous: fingerprint(PREVIOUS_FIELD)?,
        }))
    }
}

/// A committed offset that cannot be resumed from.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum OffsetError {
    #[error("the offset's \"row\" must be a positive integer, found {0}")]
    BadRow(String),
    #[error("the offset's \"fingerprint\" must be 16 hexadecimal digits, found {0}")]
    BadFingerprint(String),
}

/// The row holding `fingerprint` closest to `near`, the upper one (smaller row number)
/// between two equally close, so an ambiguity repeats rows instead of skipping them; `None`
/// when no row matches.
pub fn locate<'a>(
    fingerprint: &Fingerprint,
    near: u64,
    rows: impl IntoIterator<Item = (u64, &'a Fingerprint)>,
) -> Option<u64> {
    rows.into_iter()
        .filter(|(_, candidate)| *candidate == fingerprint)
        .map(|(row, _)| row)
        .min_by_key(|row| (row.abs_diff(near), *row))
}

/// What a failed anchor check decides, after the search window was read (see the module
/// documentation for the four cases).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reanchor {
    /// Case 1: the anchor's fingerprint was found at `row`.
    Moved { row: u64 },
    /// Case 2: the previous row's fingerprint was found at `row`: resume after it.
    AfterPrevious { row: u64 },
    /// Case 3: no match, the sheet still reaches the old row: assume an edit in place and
    /// resume after the old row (whose current fingerprint becomes the anchor's).
    EditedInPlace { row: u64 },
    /// Case 4: no match, the sheet's data ends above the old row: resume after `row`, the
    /// row above the search window (0: from the first data row).
    Shrunk { row: u64 },
}

/// A row of a search window: its number, fingerprint, and whether it holds any data.
#[derive(Clone, Debug)]
pub struct SearchedRow {
    pub row: u64,
    pub fingerprint: Fingerprint,
    pub has_data: bool,
}

/// Applies the re-anchoring policy (see the module documentation) to a search window that
/// started at `window_first_row`.
pub fn reanchor(anchor: &Anchor, window_first_row: u64, rows: &[SearchedRow]) -> Reanchor {
    let with_data = || {
        rows.iter()
            .filter(|r| r.has_data)
            .map(|r| (r.row, &r.fingerprint))
    };
    if let Some(row) = locate(&anchor.fingerprint, anchor.row, with_data()) {
        return Reanchor::Moved { row };
    }
    if let Some(previous) = &anchor.previous
        && let Some(row) = locate(previous, anchor.row.saturating_sub(1), with_data())
    {
        return Reanchor::AfterPrevious { row };
    }
    let reaches_old_row = rows.iter().any(|r| r.has_data && r.row >= anchor.row);
    if reaches_old_row {
        Reanchor::EditedInPlace { row: anchor.row }
    } else {
        Reanchor::Shrunk {
            row: window_first_row.saturating_sub(1).min(anchor.row),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fp(cells: serde_json::Value) -> Fingerprint {
        Fingerprint::of_cells(cells.as_array().map(Vec::as_slice).unwrap_or(&[]))
    }

    fn text(t: &str) -> Fingerprint {
        fp(json!([t]))
    }

    fn searched(rows: &[(u64, &str)]) -> Vec<SearchedRow> {
        rows.iter()
            .map(|(row, t)| SearchedRow {
                row: *row,
                fingerprint: if t.is_empty() { fp(json!([])) } else { text(t) },
                has_data: !t.is_empty(),
            })
            .collect()
    }

    fn anchor(row: u64, t: &str, previous: Option<&str>) -> Anchor {
        Anchor {
            row,
            fingerprint: text(t),
            previous: previous.map(text),
        }
    }

    #[test]
    fn fingerprints_ignore_trailing_empties_but_not_types_or_order() {
        assert_eq!(fp(json!(["a", "b"])), fp(json!(["a", "b", "", null])));
        assert_ne!(fp(json!(["a", "b"])), fp(json!(["b", "a"])));
        assert_ne!(fp(json!([1])), fp(json!(["1"])));
        assert_ne!(fp(json!(["ab", "c"])), fp(json!(["a", "bc"])));
        assert_ne!(fp(json!(["", "a"])), fp(json!(["a"])));
        assert_eq!(fp(json!([])).as_str().len(), 16);
        let stable = fp(json!(["4/6/2025 18:56:53", "a@example.com", "Yes"]));
        assert_eq!(
            stable,
            fp(json!(["4/6/2025 18:56:53", "a@example.com", "Yes"]))
        );
    }

    #[test]
    fn offsets_round_trip_and_bad_ones_are_explained() {
        let first = Anchor::at(41, text("w"));
        let next = first.followed_by(42, text("x"));
        assert_eq!(next.previous, Some(text("w")));
        let offset = next.to_offset();
        assert_eq!(offset.get(ROW_FIELD), Some(&json!(42)));
        assert_eq!(Anchor::from_offset(&offset), Ok(Some(next)));
        assert_eq!(Anchor::from_offset(&first.to_offset()), Ok(Some(first)));
        assert_eq!(Anchor::from_offset(&SourceOffset::new()), Ok(None));

        let mut bad = SourceOffset::new();
        bad.insert(ROW_FIELD.into(), json!("42"));
        assert!(matches!(
            Anchor::from_offset(&bad),
            Err(OffsetError::BadRow(_))
        ));
        bad.insert(ROW_FIELD.into(), json!(0));
        assert!(Anchor::from_offset(&bad).is_err());
        bad.insert(ROW_FIELD.into(), json!(7));
        bad.insert(FINGERPRINT_FIELD.into(), json!("xyz"));
        assert!(matches!(
            Anchor::from_offset(&bad),
            Err(OffsetError::BadFingerprint(_))
        ));
        bad.remove(FINGERPRINT_FIELD);
        let row_only = Anchor::from_offset(&bad).ok().flatten();
        assert_eq!(row_only.as_ref().map(|a| a.row), Some(7));
        assert!(row_only.is_some_and(|a| a.fingerprint.is_unknown()));
    }

    #[test]
    fn partitions_name_the_spreadsheet_and_the_sheet_id() {
        let partition = source_partition("1AbC", 123);
        assert_eq!(
            serde_json::Value::Object(partition),
            json!({"spreadsheet": "1AbC", "sheet": 123})
        );
    }

    #[test]
    fn the_closest_match_wins_and_ties_go_up() {
        let x = text("x");
        let y = text("y");
        assert_eq!(locate(&x, 10, [(10, &x)]), Some(10));
        assert_eq!(locate(&x, 10, [(7, &y), (13, &x)]), Some(13));
        assert_eq!(locate(&x, 10, [(4, &x), (13, &x)]), Some(13));
        assert_eq!(locate(&x, 10, [(7, &x), (13, &x)]), Some(7));
        assert_eq!(locate(&x, 10, [(7, &y)]), None);
    }

    #[test]
    fn rows_inserted_above_move_the_anchor_down() {
        // Three rows were inserted above row 5: it is now row 8.
        let rows = searched(&[
            (1, "h"),
            (2, "r2"),
            (3, "new1"),
            (4, "new2"),
            (5, "new3"),
            (6, "r3"),
            (7, "r4"),
            (8, "r5"),
            (9, "r6"),
        ]);
        assert_eq!(
            reanchor(&anchor(5, "r5", Some("r4")), 1, &rows),
            Reanchor::Moved { row: 8 }
        );
    }

    #[test]
    fn rows_deleted_above_move_the_anchor_up() {
        let rows = searched(&[(1, "h"), (2, "r2"), (3, "r7"), (4, "r8"), (5, "r9")]);
        assert_eq!(
            reanchor(&anchor(8, "r8", Some("r7")), 1, &rows),
            Reanchor::Moved { row: 4 }
        );
    }

    #[test]
    fn a_deleted_anchor_is_found_through_the_row_before_it() {
        // Row 6 (the anchor) was deleted; row 7 moved up into its place.
        let rows = searched(&[(4, "r4"), (5, "r5"), (6, "r7"), (7, "r8")]);
        assert_eq!(
            reanchor(&anchor(6, "r6", Some("r5")), 4, &rows),
            Reanchor::AfterPrevious { row: 5 }
        );
    }

    #[test]
    fn an_edited_anchor_resumes_after_the_same_row() {
        let rows = searched(&[
            (1, "h"),
            (2, "r2"),
            (3, "r3 edited"),
            (4, "r4 edited"),
            (5, "r5"),
        ]);
        assert_eq!(
            reanchor(&anchor(4, "r4", Some("r3")), 1, &rows),
            Reanchor::EditedInPlace { row: 4 }
        );
        // Data exactly up to the anchor's row still counts as reaching it.
        let rows = searched(&[(3, "r3 edited"), (4, "r4 edited")]);
        assert_eq!(
            reanchor(&anchor(4, "r4", None), 3, &rows),
            Reanchor::EditedInPlace { row: 4 }
        );
    }

    #[test]
    fn a_sheet_that_shrank_above_the_anchor_is_read_again_from_the_window_top() {
        let rows = searched(&[(30, "a"), (31, "b"), (32, ""), (33, "c")]);
        assert_eq!(
            reanchor(&anchor(40, "r40", Some("r39")), 30, &rows),
            Reanchor::Shrunk { row: 29 }
        );
        assert_eq!(
            reanchor(&anchor(40, "r40", None), 30, &[]),
            Reanchor::Shrunk { row: 29 }
        );
        assert_eq!(
            reanchor(&anchor(40, "r40", None), 1, &[]),
            Reanchor::Shrunk { row: 0 }
        );
    }
}
