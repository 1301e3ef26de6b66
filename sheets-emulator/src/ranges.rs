//! Grid ranges (`GridRange`, `DimensionRange`) and how they move when rows and columns
//! are inserted or deleted.
//!
//! Everything that points at cells outside the cells themselves — merges, filters, filter
//! views, protected ranges, conditional formats, banded ranges, named ranges, developer
//! metadata on rows and columns — holds `GridRange` JSON, stored as the API received it.
//! When rows or columns change, Sheets moves those ranges as it moves formula references:
//! a range below an insertion moves down, one spanning it grows, one losing rows shrinks,
//! one losing all of them is gone. [`shift_objects`] applies that to every `range` and
//! `ranges` member found in the stored JSON, so a new kind of object needs no code here.

use serde_json::{Map, Value, json};

use crate::formula::Change;
use crate::model::{Rect, Sheet, Spreadsheet};

/// A `GridRange`: a sheet and half-open 0-based bounds, `None` meaning unbounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GridRange {
    pub sheet_id: i32,
    pub start_row: Option<u32>,
    pub end_row: Option<u32>,
    pub start_column: Option<u32>,
    pub end_column: Option<u32>,
}

impl GridRange {
    /// Parses `GridRange` JSON; `what` names the field in errors (`range`).
    pub fn parse(value: Option<&Value>, what: &str) -> Result<GridRange, String> {
        let value = value.ok_or_else(|| format!("{what} must be set"))?;
        let sheet_id = match value.get("sheetId") {
            None | Some(Value::Null) => 0,
            Some(id) => id
                .as_i64()
                .and_then(|id| i32::try_from(id).ok())
                .ok_or_else(|| format!("{what}.sheetId must be an integer"))?,
        };
        let index = |name: &str| optional_index(value, what, name);
        Ok(GridRange {
            sheet_id,
            start_row: index("startRowIndex")?,
            end_row: index("endRowIndex")?,
            start_column: index("startColumnIndex")?,
            end_column: index("endColumnIndex")?,
        })
    }

    /// The range as the API answers it (bounds that are set, `sheetId` always).
    pub fn to_json(self) -> Value {
        let mut object = Map::new();
        object.insert("sheetId".into(), json!(self.sheet_id));
        for (name, value) in [
            ("startRowIndex", self.start_row),
            ("endRowIndex", self.end_row),
            ("startColumnIndex", self.start_column),
            ("endColumnIndex", self.end_column),
        ] {
            if let Some(value) = value {
                object.insert(name.into(), json!(value));
            }
        }
        Value::Object(object)
    }

    /// The sheet and the cells, clamped to the grid; an error naming the problem when the
    /// sheet does not exist or the range is empty or reversed.
    pub fn resolve(&self, spreadsheet: &Spreadsheet) -> Result<(usize, Rect), String> {
        let index = spreadsheet
            .sheet_index_by_id(self.sheet_id)
            .ok_or_else(|| format!("No grid with id: {}", self.sheet_id))?;
        let sheet = &spreadsheet.sheets[index];
        let rect = self.rect(sheet);
        if let (Some(start), Some(end)) = (self.start_row, self.end_row)
            && end < start
        {
            return Err(format!(
                "Invalid range: endRowIndex ({end}) must be greater than or equal to startRowIndex ({start})"
            ));
        }
        if let (Some(start), Some(end)) = (self.start_column, self.end_column)
            && end < start
        {
            return Err(format!(
                "Invalid range: endColumnIndex ({end}) must be greater than or equal to startColumnIndex ({start})"
            ));
        }
        if self.start_row.unwrap_or(0) > sheet.row_count
            || self.start_column.unwrap_or(0) > sheet.column_count
            || self.end_row.is_some_and(|end| end > sheet.row_count)
            || self.end_column.is_some_and(|end| end > sheet.column_count)
        {
            return Err(format!(
                "Range ({}) exceeds grid limits. Max rows: {}, max columns: {}",
                sheet.a1(&rect),
                sheet.row_count,
                sheet.column_count
            ));
        }
        Ok((index, rect))
    }

    /// The cells of this range in a sheet, clamped to its grid.
    pub fn rect(&self, sheet: &Sheet) -> Rect {
        let end_row = self.end_row.unwrap_or(sheet.row_count).min(sheet.row_count);
        let end_column = self
            .end_column
            .unwrap_or(sheet.column_count)
            .min(sheet.column_count);
        Rect {
            start_row: self.start_row.unwrap_or(0).min(end_row),
            end_row,
            start_column: self.start_column.unwrap_or(0).min(end_column),
            end_column,
        }
    }

    /// The range of a rectangle of a sheet.
    pub fn of(sheet_id: i32, rect: &Rect) -> GridRange {
        GridRange {
            sheet_id,
            start_row: Some(rect.start_row),
            end_row: Some(rect.end_row),
            start_column: Some(rect.start_column),
            end_column: Some(rect.end_column),
        }
    }
}

/// An optional non-negative index field (`startRowIndex`, ...) of a range object.
fn optional_index(value: &Value, what: &str, name: &str) -> Result<Option<u32>, String> {
    match value.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(number) => number
            .as_u64()
            .and_then(|number| u32::try_from(number).ok())
            .map(Some)
            .ok_or_else(|| format!("{what}.{name} must be a non-negative integer")),
    }
}

/// A `DimensionRange`: rows or columns `[start, end)` of a sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DimensionSpan {
    pub sheet_id: i32,
    pub rows: bool,
    pub start: u32,
    pub end: Option<u32>,
}

impl DimensionSpan {
    pub fn parse(value: Option<&Value>, what: &str) -> Result<DimensionSpan, String> {
        let value = value.ok_or_else(|| format!("{what} must be set"))?;
        let rows = match value.get("dimension").and_then(Value::as_str) {
            Some("ROWS") => true,
            Some("COLUMNS") => false,
            _ => return Err(format!("{what}.dimension must be ROWS or COLUMNS")),
        };
        let index = |name: &str| optional_index(value, what, name);
        Ok(DimensionSpan {
            sheet_id: value
                .get("sheetId")
                .and_then(Value::as_i64)
                .and_then(|id| i32::try_from(id).ok())
                .unwrap_or(0),
            rows,
            start: index("startIndex")?.unwrap_or(0),
            end: index("endIndex")?,
        })
    }
}

/// Where a 0-based half-open span `[start, end)` of one dimension goes under a change of
/// that dimension at `at` (`count` inserted, or deleted when `delete`); `None` when all
/// of it is deleted. Unbounded ends stay unbounded.
pub(crate) fn shift_span(
    start: Option<u32>,
    end: Option<u32>,
    at: u32,
    count: u32,
    delete: bool,
) -> Option<(Option<u32>, Option<u32>)> {
    if !delete {
        let start = start.map(|start| if start >= at { start + count } else { start });
        let end = end.map(|end| if end > at { end + count } else { end });
        return Some((start, end));
    }
    let gone_end = at + count;
    let new_start = start.map(|start| {
        if start < at {
            start
        } else if start < gone_end {
            at
        } else {
            start - count
        }
    });
    let new_end = end.map(|end| {
        if end <= at {
            end
        } else if end <= gone_end {
            at
        } else {
            end - count
        }
    });
    match (new_start, new_end) {
        (Some(start), Some(end)) if end <= start => None,
        _ => Some((new_start, new_end)),
    }
}

/// The dimension, position and kind of a change, for one sheet id.
fn change_parts(change: Change) -> (bool, u32, u32, bool) {
    match change {
        Change::InsertRows { at, count, .. } => (true, at, count, false),
        Change::DeleteRows { at, count, .. } => (true, at, count, true),
        Change::InsertColumns { at, count, .. } => (false, at, count, false),
        Change::DeleteColumns { at, count, .. } => (false, at, count, true),
    }
}

/// Moves a `GridRange` object of `sheet_id` under a change; false when it vanished.
fn shift_range_object(range: &mut Value, sheet_id: i32, change: Change) -> bool {
    let Ok(parsed) = GridRange::parse(Some(range), "range") else {
        return true;
    };
    if parsed.sheet_id != sheet_id {
        return true;
    }
    let (rows, at, count, delete) = change_parts(change);
    let (start, end) = if rows {
        (parsed.start_row, parsed.end_row)
    } else {
        (parsed.start_column, parsed.end_column)
    };
    let Some((start, end)) = shift_span(start, end, at, count, delete) else {
        return false;
    };
    let (start_name, end_name) = if rows {
        ("startRowIndex", "endRowIndex")
    } else {
        ("startColumnIndex", "endColumnIndex")
    };
    if let Some(object) = range.as_object_mut() {
        for (name, value) in [(start_name, start), (end_name, end)] {
            if let Some(value) = value {
                object.insert(name.into(), json!(value));
            }
        }
    }
    true
}

/// Moves a `DimensionRange` object of `sheet_id` under a change of its dimension.
fn shift_dimension_object(span: &mut Value, sheet_id: i32, change: Change) -> bool {
    let Ok(parsed) = DimensionSpan::parse(Some(span), "dimensionRange") else {
        return true;
    };
    let (rows, at, count, delete) = change_parts(change);
    if parsed.sheet_id != sheet_id || parsed.rows != rows {
        return true;
    }
    let Some((start, end)) = shift_span(Some(parsed.start), parsed.end, at, count, delete) else {
        return false;
    };
    if let Some(object) = span.as_object_mut() {
        object.insert("startIndex".into(), json!(start.unwrap_or(0)));
        if let Some(end) = end {
            object.insert("endIndex".into(), json!(end));
        }
    }
    true
}

/// Moves every `range` / `ranges` member inside `value` (recursively) that points at
/// `sheet_id`; false when the object's own `range` vanished (the caller drops it).
fn shift_value(value: &mut Value, sheet_id: i32, change: Change) -> bool {
    match value {
        Value::Object(object) => {
            if let Some(range) = object.get_mut("range")
                && range.is_object()
                && !shift_range_object(range, sheet_id, change)
            {
                return false;
            }
            if let Some(span) = object.get_mut("dimensionRange")
                && !shift_dimension_object(span, sheet_id, change)
            {
                return false;
            }
            if let Some(Value::Array(ranges)) = object.get_mut("ranges") {
                ranges.retain_mut(|range| shift_range_object(range, sheet_id, change));
            }
            for (key, child) in object.iter_mut() {
                if key != "range" && key != "ranges" && key != "dimensionRange" {
                    shift_value(child, sheet_id, change);
                }
            }
            true
        }
        Value::Array(items) => {
            items.retain_mut(|item| shift_value(item, sheet_id, change));
            true
        }
        _ => true,
    }
}

/// Moves the ranges held by a spreadsheet's objects (every sheet's, and the spreadsheet's
/// own named ranges) and the sheet's row or column properties under a change.
pub(crate) fn shift_objects(spreadsheet: &mut Spreadsheet, change: Change) {
    let sheet_index = match change {
        Change::InsertRows { sheet, .. }
        | Change::DeleteRows { sheet, .. }
        | Change::InsertColumns { sheet, .. }
        | Change::DeleteColumns { sheet, .. } => sheet,
    };
    let Some(sheet_id) = spreadsheet
        .sheets
        .get(sheet_index)
        .map(|sheet| sheet.sheet_id)
    else {
        return;
    };
    for sheet in &mut spreadsheet.sheets {
        for (key, value) in sheet.objects.iter_mut() {
            if key == "merges" {
                if let Value::Array(merges) = value {
                    merges.retain_mut(|merge| shift_range_object(merge, sheet_id, change));
                }
            } else {
                shift_value(value, sheet_id, change);
            }
        }
        sheet.objects.retain(|_, value| !value.is_null());
    }
    for value in spreadsheet.objects.values_mut() {
        shift_value(value, sheet_id, change);
    }
    let (rows, at, count, delete) = change_parts(change);
    let sheet = &mut spreadsheet.sheets[sheet_index];
    let properties = if rows {
        &mut sheet.row_properties
    } else {
        &mut sheet.column_properties
    };
    let moved = std::mem::take(properties);
    for (index, value) in moved {
        if let Some((Some(start), _)) = shift_span(Some(index), Some(index + 1), at, count, delete)
        {
            properties.insert(start, value);
        }
    }
}

/// Replaces the sheet id of every `range`/`ranges` member (and `sheetId` fields next to
/// them) from `from` to `to`: the objects of a duplicated sheet.
pub(crate) fn retarget(value: &mut Value, from: i32, to: i32) {
    match value {
        Value::Object(object) => {
            if object.get("sheetId").and_then(Value::as_i64) == Some(i64::from(from)) {
                object.insert("sheetId".into(), json!(to));
            }
            for child in object.values_mut() {
                retarget(child, from, to);
            }
        }
        Value::Array(items) => {
            for item in items {
                retarget(item, from, to);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_move_grow_shrink_and_vanish_as_in_sheets() {
        // Insert 2 rows at 3: a span below moves, one across grows, one above stays.
        assert_eq!(
            shift_span(Some(5), Some(8), 3, 2, false),
            Some((Some(7), Some(10)))
        );
        assert_eq!(
            shift_span(Some(1), Some(5), 3, 2, false),
            Some((Some(1), Some(7)))
        );
        assert_eq!(
            shift_span(Some(0), Some(3), 3, 2, false),
            Some((Some(0), Some(3)))
        );
        // Delete rows [3, 5): a span across shrinks, one inside vanishes.
        assert_eq!(
            shift_span(Some(1), Some(8), 3, 2, true),
            Some((Some(1), Some(6)))
        );
        assert_eq!(
            shift_span(Some(4), Some(8), 3, 2, true),
            Some((Some(3), Some(6)))
        );
        assert_eq!(shift_span(Some(3), Some(5), 3, 2, true), None);
        assert_eq!(shift_span(None, None, 3, 2, true), Some((None, None)));
    }
}
