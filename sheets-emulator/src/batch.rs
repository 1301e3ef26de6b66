//! `spreadsheets.batchUpdate`: structural changes, applied all or nothing.
//!
//! Supported requests: `addSheet`, `deleteSheet`, `insertDimension`, `deleteDimension`,
//! `appendDimension` (rows and columns), `updateSheetProperties` (title, index, grid
//! size, frozen rows/columns) and `updateSpreadsheetProperties` (title, locale, time zone).
//! Any other request answers 400 naming it. Errors read like Google's:
//! `Invalid requests[0].deleteSheet: No grid with id: 7`.

use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::model::{Sheet, Spreadsheet};

/// Applies a batch to `spreadsheet` (the caller keeps the result only on success).
pub(crate) fn batch_update(
    spreadsheet: &mut Spreadsheet,
    request: &Value,
    url_prefix: &str,
) -> Result<Value, ApiError> {
    let Some(body) = request.as_object() else {
        return Err(ApiError::invalid_argument(
            "Invalid JSON payload received. Expected an object.",
        ));
    };
    for key in body.keys() {
        if !matches!(
            key.as_str(),
            "requests"
                | "includeSpreadsheetInResponse"
                | "responseRanges"
                | "responseIncludeGridData"
        ) {
            return Err(ApiError::invalid_argument(format!(
                "Invalid JSON payload received. Unknown name \"{key}\": Cannot find field."
            )));
        }
    }
    let requests = body
        .get("requests")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if requests.is_empty() {
        return Err(ApiError::invalid_argument(
            "Must specify at least one request.",
        ));
    }
    let mut replies = Vec::with_capacity(requests.len());
    for (index, request) in requests.iter().enumerate() {
        let Some((name, arguments)) = request
            .as_object()
            .filter(|object| object.len() == 1)
            .and_then(|object| object.iter().next())
        else {
            return Err(ApiError::invalid_argument(format!(
                "Invalid requests[{index}]: a request must set exactly one kind of request"
            )));
        };
        let reply = apply(spreadsheet, name, arguments).map_err(|message| {
            ApiError::invalid_argument(format!("Invalid requests[{index}].{name}: {message}"))
        })?;
        replies.push(reply);
    }
    spreadsheet.check_cell_limit()?;
    spreadsheet.recalculate();
    let mut answer = Map::new();
    answer.insert("spreadsheetId".into(), json!(spreadsheet.spreadsheet_id));
    answer.insert("replies".into(), Value::Array(replies));
    if body
        .get("includeSpreadsheetInResponse")
        .and_then(Value::as_bool)
        == Some(true)
    {
        let include = body.get("responseIncludeGridData").and_then(Value::as_bool) == Some(true);
        let ranges: Vec<&str> = body
            .get("responseRanges")
            .and_then(Value::as_array)
            .map(|ranges| ranges.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        answer.insert(
            "updatedSpreadsheet".into(),
            crate::api::resource(spreadsheet, include, &ranges, url_prefix)?,
        );
    }
    Ok(Value::Object(answer))
}

fn apply(spreadsheet: &mut Spreadsheet, name: &str, arguments: &Value) -> Result<Value, String> {
    match name {
        "addSheet" => {
            let properties = arguments.get("properties").cloned().unwrap_or(Value::Null);
            let added = add_sheet(spreadsheet, &properties, false)?;
            Ok(json!({ "addSheet": { "properties": added } }))
        }
        "deleteSheet" => {
            let sheet_id = integer(arguments, "sheetId")?;
            let index = grid(spreadsheet, sheet_id)?;
            if spreadsheet.sheets.len() == 1 {
                return Err("You can't remove all the sheets in a document.".into());
            }
            spreadsheet.sheets.remove(index);
            Ok(json!({}))
        }
        "insertDimension" => {
            let range = DimensionRange::parse(arguments.get("range"))?;
            let index = grid(spreadsheet, range.sheet_id)?;
            let sheet = &spreadsheet.sheets[index];
            let count = range.count(sheet);
            let end = range.end.ok_or("range.endIndex must be set")?;
            if range.start >= end {
                return Err(format!(
                    "range.startIndex ({}) must be less than range.endIndex ({end})",
                    range.start
                ));
            }
            if range.start > count {
                return Err(format!(
                    "range.startIndex ({}) must be at most the number of {} ({count})",
                    range.start,
                    range.noun_plural()
                ));
            }
            let added = u64::from(end - range.start)
                * u64::from(if range.rows {
                    sheet.column_count
                } else {
                    sheet.row_count
                });
            ensure_room(spreadsheet, added)?;
            if range.rows {
                spreadsheet.insert_rows(index, range.start, end - range.start);
            } else {
                spreadsheet.insert_columns(index, range.start, end - range.start);
            }
            Ok(json!({}))
        }
        "deleteDimension" => {
            let range = DimensionRange::parse(arguments.get("range"))?;
            let index = grid(spreadsheet, range.sheet_id)?;
            let count = range.count(&spreadsheet.sheets[index]);
            let end = range.end.unwrap_or(count);
            if range.start >= end {
                return Err(format!(
                    "range.startIndex ({}) must be less than range.endIndex ({end})",
                    range.start
                ));
            }
            if end > count {
                return Err(format!(
                    "Cannot delete a {noun} that doesn't exist. Tried to delete {noun} index {} but there are only {count} {plural}.",
                    end - 1,
                    noun = range.noun(),
                    plural = range.noun_plural(),
                ));
            }
            if range.start == 0 && end == count {
                return Err(format!(
                    "You can't delete all the {} on the sheet.",
                    range.noun_plural()
                ));
            }
            if range.rows {
                spreadsheet.delete_rows(index, range.start, end);
            } else {
                spreadsheet.delete_columns(index, range.start, end);
            }
            Ok(json!({}))
        }
        "appendDimension" => {
            let sheet_id = integer(arguments, "sheetId")?;
            let length = u32::try_from(integer(arguments, "length")?)
                .map_err(|_| "length must be positive")?;
            if length == 0 {
                return Err("length must be positive".into());
            }
            let index = grid(spreadsheet, sheet_id)?;
            let sheet = &spreadsheet.sheets[index];
            let rows = match arguments.get("dimension").and_then(Value::as_str) {
                Some("ROWS") => true,
                Some("COLUMNS") => false,
                _ => return Err("dimension must be ROWS or COLUMNS".into()),
            };
            let added = u64::from(length)
                * u64::from(if rows {
                    sheet.column_count
                } else {
                    sheet.row_count
                });
            ensure_room(spreadsheet, added)?;
            let sheet = &mut spreadsheet.sheets[index];
            if rows {
                sheet.row_count += length;
            } else {
                sheet.column_count += length;
            }
            Ok(json!({}))
        }
        "updateSheetProperties" => {
            update_sheet_properties(spreadsheet, arguments)?;
            Ok(json!({}))
        }
        other => crate::requests::apply(spreadsheet, other, arguments).unwrap_or_else(|| {
            Err(format!(
                "the Sheets emulator does not support the \"{other}\" request"
            ))
        }),
    }
}

/// Adds a sheet from `SheetProperties`; its properties as answered.
pub(crate) fn add_sheet(
    spreadsheet: &mut Spreadsheet,
    properties: &Value,
    first_gets_zero: bool,
) -> Result<Value, String> {
    let title = match properties.get("title").and_then(Value::as_str) {
        Some(title) => title.to_owned(),
        None => (1..)
            .map(|number| format!("Sheet{number}"))
            .find(|title| spreadsheet.sheet_index(title).is_none())
            .unwrap_or_default(),
    };
    if title.trim().is_empty() {
        return Err("The sheet name cannot be empty.".into());
    }
    if spreadsheet.sheet_index(&title).is_some() {
        return Err(format!(
            "A sheet with the name \"{title}\" already exists. Please enter another name."
        ));
    }
    if let Some(kind) = properties.get("sheetType").and_then(Value::as_str)
        && kind != "GRID"
    {
        return Err(format!(
            "the Sheets emulator supports only GRID sheets, not {kind}"
        ));
    }
    let sheet_id = match properties.get("sheetId") {
        Some(value) => {
            let sheet_id = value
                .as_i64()
                .and_then(|id| i32::try_from(id).ok())
                .filter(|id| *id >= 0)
                .ok_or("sheetId must be a non-negative 32-bit integer")?;
            if spreadsheet.sheet_index_by_id(sheet_id).is_some() {
                return Err(format!("Sheet with id {sheet_id} already exists."));
            }
            sheet_id
        }
        None if first_gets_zero && spreadsheet.sheets.is_empty() => 0,
        None => crate::new_sheet_id(spreadsheet),
    };
    let mut sheet = Sheet::new(sheet_id, title);
    if let Some(grid) = properties.get("gridProperties") {
        let size = |name: &str| {
            grid.get(name)
                .and_then(Value::as_u64)
                .and_then(|value| u32::try_from(value).ok())
        };
        if let Some(rows) = size("rowCount") {
            sheet.row_count = rows.max(1);
        }
        if let Some(columns) = size("columnCount") {
            sheet.column_count = columns.max(1);
        }
        sheet.frozen_row_count = size("frozenRowCount")
            .unwrap_or(0)
            .min(sheet.row_count.saturating_sub(1));
        sheet.frozen_column_count = size("frozenColumnCount")
            .unwrap_or(0)
            .min(sheet.column_count.saturating_sub(1));
    }
    update_other_properties(&mut sheet, properties, &["*".to_owned()]);
    let index = properties
        .get("index")
        .and_then(Value::as_u64)
        .map_or(spreadsheet.sheets.len(), |index| {
            (index as usize).min(spreadsheet.sheets.len())
        });
    spreadsheet.sheets.insert(index, sheet);
    Ok(spreadsheet.sheets[index].properties_json(index))
}

fn update_sheet_properties(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<(), String> {
    let properties = arguments.get("properties").cloned().unwrap_or(Value::Null);
    let fields = fields_of(arguments)?;
    let sheet_id = integer(&properties, "sheetId")?;
    let mut index = grid(spreadsheet, sheet_id)?;
    if selected(&fields, "title")
        && let Some(title) = properties.get("title").and_then(Value::as_str)
    {
        if spreadsheet
            .sheet_index(title)
            .is_some_and(|other| other != index)
        {
            return Err(format!(
                "A sheet with the name \"{title}\" already exists. Please enter another name."
            ));
        }
        if title.trim().is_empty() {
            return Err("The sheet name cannot be empty.".into());
        }
        spreadsheet.sheets[index].title = title.to_owned();
    }
    if selected(&fields, "index")
        && let Some(new_index) = properties.get("index").and_then(Value::as_u64)
    {
        let sheet = spreadsheet.sheets.remove(index);
        index = (new_index as usize).min(spreadsheet.sheets.len());
        spreadsheet.sheets.insert(index, sheet);
    }
    let grid_properties = properties
        .get("gridProperties")
        .cloned()
        .unwrap_or(Value::Null);
    let size = |name: &str| {
        grid_properties
            .get(name)
            .and_then(Value::as_u64)
            .and_then(|value| u32::try_from(value).ok())
    };
    let mut row_count = None;
    if selected(&fields, "gridProperties.rowCount") {
        let rows = size("rowCount").unwrap_or(0);
        if rows == 0 {
            return Err("gridProperties.rowCount must be positive".into());
        }
        row_count = Some(rows);
    }
    let mut column_count = None;
    if selected(&fields, "gridProperties.columnCount") {
        let columns = size("columnCount").unwrap_or(0);
        if columns == 0 {
            return Err("gridProperties.columnCount must be positive".into());
        }
        column_count = Some(columns);
    }
    crate::emulator::resize(spreadsheet, index, row_count, column_count);
    update_other_properties(&mut spreadsheet.sheets[index], &properties, &fields);
    if spreadsheet
        .sheets
        .iter()
        .all(|sheet| sheet.other_properties.contains_key("hidden"))
    {
        return Err("You can't hide all the sheets in a document.".into());
    }
    let sheet = &mut spreadsheet.sheets[index];
    if selected(&fields, "gridProperties.frozenRowCount") {
        sheet.frozen_row_count = size("frozenRowCount")
            .unwrap_or(0)
            .min(sheet.row_count.saturating_sub(1));
    }
    if selected(&fields, "gridProperties.frozenColumnCount") {
        sheet.frozen_column_count = size("frozenColumnCount")
            .unwrap_or(0)
            .min(sheet.column_count.saturating_sub(1));
    }
    Ok(())
}

/// The `fields` mask of an update request, as dotted paths: `gridProperties/rowCount`,
/// `gridProperties.rowCount` and `gridProperties(rowCount)` are the same field.
pub(crate) fn fields_of(arguments: &Value) -> Result<Vec<String>, String> {
    let fields = arguments
        .get("fields")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if fields.trim().is_empty() {
        return Err("At least one field must be updated, but fields is empty.".into());
    }
    crate::fields::FieldTree::parse(fields)
        .map(|tree| tree.paths())
        .ok_or_else(|| format!("Invalid field mask: {fields}"))
}

/// Sheet properties stored as given (see [`Sheet::other_properties`]).
const OTHER_SHEET_PROPERTIES: [&str; 7] = [
    "hidden",
    "tabColor",
    "tabColorStyle",
    "rightToLeft",
    "gridProperties.hideGridlines",
    "gridProperties.rowGroupControlAfter",
    "gridProperties.columnGroupControlAfter",
];

/// Copies the masked `OTHER_SHEET_PROPERTIES` from `properties` (absent = cleared).
fn update_other_properties(sheet: &mut Sheet, properties: &Value, fields: &[String]) {
    for path in OTHER_SHEET_PROPERTIES {
        if !selected(fields, path) {
            continue;
        }
        let (parent, key) = match path.split_once('.') {
            Some((parent, key)) => (Some(parent), key),
            None => (None, path),
        };
        let source = match parent {
            Some(parent) => properties.get(parent).and_then(|value| value.get(key)),
            None => properties.get(key),
        };
        let target = match parent {
            Some(parent) => {
                let entry = sheet
                    .other_properties
                    .entry(parent.to_owned())
                    .or_insert_with(|| json!({}));
                match entry.as_object_mut() {
                    Some(object) => object,
                    None => continue,
                }
            }
            None => &mut sheet.other_properties,
        };
        match source {
            Some(value) if !value.is_null() && value != &json!(false) => {
                target.insert(key.to_owned(), value.clone());
            }
            _ => {
                target.remove(key);
            }
        }
    }
    if sheet
        .other_properties
        .get("gridProperties")
        .and_then(Value::as_object)
        .is_some_and(Map::is_empty)
    {
        sheet.other_properties.remove("gridProperties");
    }
}

/// True when the mask selects `path` (itself, a parent of it, or `*`).
pub(crate) fn selected(fields: &[String], path: &str) -> bool {
    fields.iter().any(|field| {
        field == "*"
            || field == path
            || path
                .strip_prefix(field.as_str())
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

/// Refuses a change adding `added` cells past Sheets' limit, before anything is allocated.
fn ensure_room(spreadsheet: &Spreadsheet, added: u64) -> Result<(), String> {
    if spreadsheet.cell_count().saturating_add(added) > crate::model::MAX_CELLS {
        return Err(format!(
            "This action would increase the number of cells in the workbook above the limit of {} cells.",
            crate::model::MAX_CELLS
        ));
    }
    Ok(())
}

fn integer(value: &Value, name: &str) -> Result<i32, String> {
    match value.get(name) {
        // Proto3: an absent integer is 0.
        None => Ok(0),
        Some(number) => number
            .as_i64()
            .and_then(|number| i32::try_from(number).ok())
            .ok_or_else(|| format!("{name} must be an integer")),
    }
}

/// The index of the sheet with this id; Google's "No grid with id" otherwise.
pub(crate) fn grid(spreadsheet: &Spreadsheet, sheet_id: i32) -> Result<usize, String> {
    spreadsheet
        .sheet_index_by_id(sheet_id)
        .ok_or_else(|| format!("No grid with id: {sheet_id}"))
}

struct DimensionRange {
    sheet_id: i32,
    rows: bool,
    start: u32,
    end: Option<u32>,
}

impl DimensionRange {
    fn parse(value: Option<&Value>) -> Result<DimensionRange, String> {
        let value = value.ok_or("range must be set")?;
        let rows = match value.get("dimension").and_then(Value::as_str) {
            Some("ROWS") => true,
            Some("COLUMNS") => false,
            _ => return Err("range.dimension must be ROWS or COLUMNS".into()),
        };
        let index = |name: &str| -> Result<Option<u32>, String> {
            value
                .get(name)
                .map(|number| {
                    number
                        .as_u64()
                        .and_then(|number| u32::try_from(number).ok())
                        .ok_or_else(|| format!("range.{name} must be a non-negative integer"))
                })
                .transpose()
        };
        Ok(DimensionRange {
            sheet_id: integer(value, "sheetId")?,
            rows,
            start: index("startIndex")?.unwrap_or(0),
            end: index("endIndex")?,
        })
    }

    fn count(&self, sheet: &Sheet) -> u32 {
        if self.rows {
            sheet.row_count
        } else {
            sheet.column_count
        }
    }

    fn noun(&self) -> &'static str {
        if self.rows { "row" } else { "column" }
    }

    fn noun_plural(&self) -> &'static str {
        if self.rows { "rows" } else { "columns" }
    }
}
