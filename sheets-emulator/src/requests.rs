//! The `batchUpdate` requests beyond sheets and dimensions: cell contents and formats
//! (`repeatCell`, `updateCells`, `updateBorders`, `setDataValidation`), moving data
//! (`sortRange`, `copyPaste`, `cutPaste`, `insertRange`, `deleteRange`, `findReplace`,
//! `trimWhitespace`, `deleteDuplicates`), merges, filters and filter views, named and
//! protected ranges, conditional formats, banding, dimension properties, developer
//! metadata, `duplicateSheet` and `updateSpreadsheetProperties`.
//!
//! What changes values or structure is done as Sheets does it; what is presentation
//! (formats, borders, filters, protection, banding, pixel sizes) is stored as given and
//! answered back by `spreadsheets.get`, without effect on values: the emulator does not
//! hide filtered rows, enforce protection or validation, or measure text for
//! `autoResizeDimensions`.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use crate::batch::{fields_of, grid, selected};
use crate::cell::{self, Cell, CellValue, NumberFormat, NumberFormatType};
use crate::model::{Rect, Spreadsheet};
use crate::ranges::{DimensionSpan, GridRange};

/// Runs one request; `None` when the name is not one of this module's.
pub(crate) fn apply(
    spreadsheet: &mut Spreadsheet,
    name: &str,
    arguments: &Value,
) -> Option<Result<Value, String>> {
    let result = match name {
        "repeatCell" => repeat_cell(spreadsheet, arguments),
        "updateCells" => update_cells(spreadsheet, arguments),
        "updateBorders" => update_borders(spreadsheet, arguments),
        "setDataValidation" => set_data_validation(spreadsheet, arguments),
        "sortRange" => sort_range(spreadsheet, arguments),
        "mergeCells" => merge_cells(spreadsheet, arguments),
        "unmergeCells" => unmerge_cells(spreadsheet, arguments),
        "copyPaste" => copy_paste(spreadsheet, arguments),
        "cutPaste" => cut_paste(spreadsheet, arguments),
        "insertRange" => insert_range(spreadsheet, arguments),
        "deleteRange" => delete_range(spreadsheet, arguments),
        "findReplace" => find_replace(spreadsheet, arguments),
        "trimWhitespace" => trim_whitespace(spreadsheet, arguments),
        "deleteDuplicates" => delete_duplicates(spreadsheet, arguments),
        "setBasicFilter" => set_basic_filter(spreadsheet, arguments),
        "clearBasicFilter" => clear_basic_filter(spreadsheet, arguments),
        "addFilterView" => add_filter_view(spreadsheet, arguments),
        "updateFilterView" => update_filter_view(spreadsheet, arguments),
        "deleteFilterView" => delete_filter_view(spreadsheet, arguments),
        "duplicateFilterView" => duplicate_filter_view(spreadsheet, arguments),
        "addNamedRange" => add_named_range(spreadsheet, arguments),
        "updateNamedRange" => update_named_range(spreadsheet, arguments),
        "deleteNamedRange" => delete_named_range(spreadsheet, arguments),
        "addProtectedRange" => add_protected_range(spreadsheet, arguments),
        "updateProtectedRange" => update_protected_range(spreadsheet, arguments),
        "deleteProtectedRange" => delete_protected_range(spreadsheet, arguments),
        "addConditionalFormatRule" => add_conditional_format(spreadsheet, arguments),
        "updateConditionalFormatRule" => update_conditional_format(spreadsheet, arguments),
        "deleteConditionalFormatRule" => delete_conditional_format(spreadsheet, arguments),
        "addBanding" => add_banding(spreadsheet, arguments),
        "updateBanding" => update_banding(spreadsheet, arguments),
        "deleteBanding" => delete_banding(spreadsheet, arguments),
        "updateDimensionProperties" => update_dimension_properties(spreadsheet, arguments),
        "autoResizeDimensions" => auto_resize_dimensions(spreadsheet, arguments),
        "duplicateSheet" => duplicate_sheet(spreadsheet, arguments),
        "updateSpreadsheetProperties" => update_spreadsheet_properties(spreadsheet, arguments),
        "createDeveloperMetadata" => create_developer_metadata(spreadsheet, arguments),
        "updateDeveloperMetadata" => update_developer_metadata(spreadsheet, arguments),
        "deleteDeveloperMetadata" => delete_developer_metadata(spreadsheet, arguments),
        _ => return None,
    };
    Some(result)
}

// ---------------------------------------------------------------------------------------
// JSON paths and masks

/// The value at a dotted path.
fn get_path<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |value, key| value.get(key))
}

/// Sets (or removes, for `None`) the value at a dotted path, creating objects on the way.
fn set_path(target: &mut Map<String, Value>, path: &[&str], value: Option<Value>) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        match value {
            Some(value) if !value.is_null() => {
                target.insert((*first).to_owned(), value);
            }
            _ => {
                target.remove(*first);
            }
        }
        return;
    }
    let entry = target
        .entry((*first).to_owned())
        .or_insert_with(|| json!({}));
    if !entry.is_object() {
        *entry = json!({});
    }
    if let Some(object) = entry.as_object_mut() {
        set_path(object, rest, value);
        if object.is_empty() {
            target.remove(*first);
        }
    }
}

/// Copies the masked fields of `source` into `target`: for each mask path under
/// `prefix` (`userEnteredFormat.textFormat.bold` under `userEnteredFormat`), the value at
/// that path, or its removal when `source` lacks it. `*` and the prefix itself copy all.
/// An empty prefix means the paths name `target`'s own fields (`title`, `range`).
fn apply_mask(
    target: &mut Map<String, Value>,
    source: Option<&Value>,
    fields: &[String],
    prefix: &str,
) {
    for field in fields {
        let rest = if field == "*" || field == prefix {
            ""
        } else if prefix.is_empty() {
            field.as_str()
        } else if let Some(rest) = field
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('.'))
        {
            rest
        } else {
            continue;
        };
        if rest.is_empty() {
            target.clear();
            if let Some(Value::Object(object)) = source {
                for (key, value) in object {
                    if !value.is_null() {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
            continue;
        }
        let path: Vec<&str> = rest.split('.').collect();
        let value = source.and_then(|source| get_path(source, &path)).cloned();
        set_path(target, &path, value);
    }
}

fn random_id() -> i32 {
    use rand::Rng;
    rand::thread_rng().gen_range(1..i32::MAX)
}

fn integer(value: &Value, name: &str) -> Result<i32, String> {
    match value.get(name) {
        None | Some(Value::Null) => Ok(0),
        Some(number) => number
            .as_i64()
            .and_then(|number| i32::try_from(number).ok())
            .ok_or_else(|| format!("{name} must be an integer")),
    }
}

fn range_of(spreadsheet: &Spreadsheet, arguments: &Value) -> Result<(usize, Rect), String> {
    GridRange::parse(arguments.get("range"), "range")?.resolve(spreadsheet)
}

/// Every (row, column) of a rectangle, row by row.
fn cells_of(rect: &Rect) -> impl Iterator<Item = (u32, u32)> + '_ {
    (rect.start_row..rect.end_row)
        .flat_map(move |row| (rect.start_column..rect.end_column).map(move |column| (row, column)))
}

// ---------------------------------------------------------------------------------------
// Cell data

/// The cell's `userEnteredFormat` as JSON (number format included).
pub(crate) fn user_entered_format(cell: &Cell) -> Map<String, Value> {
    let mut format = cell.style().cloned().unwrap_or_default();
    if let Some(number_format) = &cell.format {
        format.insert("numberFormat".into(), json!(number_format));
    }
    format
}

fn number_format_of(value: &Value) -> Result<NumberFormat, String> {
    let kind = value
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("NUMBER");
    let kind: NumberFormatType = serde_json::from_value(json!(kind))
        .map_err(|_| format!("Invalid numberFormat.type: {kind}"))?;
    let pattern = value
        .get("pattern")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Ok(NumberFormat::new(kind, pattern))
}

/// Applies masked `CellData` to a cell (`None`: empty); the resulting cell.
fn apply_cell_data(
    existing: Option<&Cell>,
    data: &Value,
    fields: &[String],
) -> Result<Option<Cell>, String> {
    let mut cell = existing.cloned().unwrap_or_default();
    if selected(fields, "userEnteredValue") {
        let entered = data.get("userEnteredValue");
        cell.value = None;
        cell.formula = None;
        cell.set_automatic_format(None);
        if let Some(entered) = entered.filter(|entered| !entered.is_null()) {
            if let Some(text) = entered.get("stringValue").and_then(Value::as_str) {
                cell.value = Some(CellValue::String(text.to_owned()));
            } else if let Some(number) = entered.get("numberValue").and_then(Value::as_f64) {
                cell.value = Some(CellValue::Number(number));
            } else if let Some(flag) = entered.get("boolValue").and_then(Value::as_bool) {
                cell.value = Some(CellValue::Bool(flag));
            } else if let Some(formula) = entered.get("formulaValue").and_then(Value::as_str) {
                cell.formula = Some(formula.to_owned());
            } else if entered.as_object().is_some_and(|object| !object.is_empty()) {
                return Err(format!("Invalid userEnteredValue: {entered}"));
            }
        }
    }
    if fields
        .iter()
        .any(|field| field == "*" || field.starts_with("userEnteredFormat"))
    {
        let mut format = user_entered_format(&cell);
        apply_mask(
            &mut format,
            data.get("userEnteredFormat"),
            fields,
            "userEnteredFormat",
        );
        cell.format = match format.remove("numberFormat") {
            Some(number_format) => Some(number_format_of(&number_format)?),
            None => None,
        };
        cell.set_style(Some(format));
    }
    if selected(fields, "note") {
        cell.set_note(
            data.get("note")
                .and_then(Value::as_str)
                .filter(|note| !note.is_empty())
                .map(str::to_owned),
        );
    }
    if selected(fields, "dataValidation") {
        cell.set_data_validation(
            data.get("dataValidation")
                .filter(|rule| !rule.is_null())
                .cloned(),
        );
    }
    Ok((!cell.is_blank() || cell.has_decoration()).then_some(cell))
}

fn repeat_cell(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let (index, rect) = range_of(spreadsheet, arguments)?;
    let fields = fields_of(arguments)?;
    let data = arguments.get("cell").cloned().unwrap_or(json!({}));
    let sheet = &mut spreadsheet.sheets[index];
    for (row, column) in cells_of(&rect) {
        let updated = apply_cell_data(sheet.cell(row, column), &data, &fields)?;
        sheet.set(row, column, updated);
    }
    Ok(json!({}))
}

fn update_cells(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let fields = fields_of(arguments)?;
    let rows = arguments
        .get("rows")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let (index, start_row, start_column, limit) =
        match (arguments.get("start"), arguments.get("range")) {
            (Some(start), None) => {
                let sheet_id = integer(start, "sheetId")?;
                let index = grid(spreadsheet, sheet_id)?;
                let row = integer(start, "rowIndex")?.max(0) as u32;
                let column = integer(start, "columnIndex")?.max(0) as u32;
                (index, row, column, None)
            }
            (None, Some(_)) => {
                let (index, rect) = range_of(spreadsheet, arguments)?;
                (index, rect.start_row, rect.start_column, Some(rect))
            }
            _ => return Err("Exactly one of start or range must be set.".into()),
        };
    let sheet = &spreadsheet.sheets[index];
    let height = rows.len() as u32;
    let width = rows
        .iter()
        .map(|row| {
            row.get("values")
                .and_then(Value::as_array)
                .map_or(0, Vec::len)
        })
        .max()
        .unwrap_or(0) as u32;
    if start_row + height > sheet.row_count || start_column + width > sheet.column_count {
        return Err(format!(
            "Range ({}) exceeds grid limits. Max rows: {}, max columns: {}",
            sheet.a1(&Rect {
                start_row,
                end_row: start_row + height.max(1),
                start_column,
                end_column: start_column + width.max(1),
            }),
            sheet.row_count,
            sheet.column_count
        ));
    }
    let sheet = &mut spreadsheet.sheets[index];
    // With a range, cells of the range not covered by `rows` are updated as empty data.
    let rect = limit.unwrap_or(Rect {
        start_row,
        end_row: start_row + height,
        start_column,
        end_column: start_column + width,
    });
    for (row, column) in cells_of(&rect) {
        let data = rows
            .get((row - start_row) as usize)
            .and_then(|line| line.get("values"))
            .and_then(|values| values.get((column - start_column) as usize));
        if data.is_none() && limit.is_none() {
            continue;
        }
        let data = data.cloned().unwrap_or(json!({}));
        let updated = apply_cell_data(sheet.cell(row, column), &data, &fields)?;
        sheet.set(row, column, updated);
    }
    Ok(json!({}))
}

fn update_borders(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let (index, rect) = range_of(spreadsheet, arguments)?;
    let border = |name: &str| arguments.get(name).filter(|value| !value.is_null());
    let sheet = &mut spreadsheet.sheets[index];
    for (row, column) in cells_of(&rect) {
        // Outer edges take the outer borders, edges between cells the inner ones.
        let edge = |outer: bool, outer_name: &str, inner_name: &str| {
            border(if outer { outer_name } else { inner_name })
        };
        let sides = [
            ("top", edge(row == rect.start_row, "top", "innerHorizontal")),
            (
                "bottom",
                edge(row + 1 == rect.end_row, "bottom", "innerHorizontal"),
            ),
            (
                "left",
                edge(column == rect.start_column, "left", "innerVertical"),
            ),
            (
                "right",
                edge(column + 1 == rect.end_column, "right", "innerVertical"),
            ),
        ];
        if sides.iter().all(|(_, side)| side.is_none()) {
            continue;
        }
        let mut cell = sheet.cell(row, column).cloned().unwrap_or_default();
        let mut style = cell.style().cloned().unwrap_or_default();
        for (side, value) in sides {
            let Some(value) = value else { continue };
            let none = value.get("style").and_then(Value::as_str) == Some("NONE");
            set_path(
                &mut style,
                &["borders", side],
                (!none).then(|| value.clone()),
            );
        }
        cell.set_style(Some(style));
        let keep = !cell.is_blank() || cell.has_decoration();
        sheet.set(row, column, keep.then_some(cell));
    }
    Ok(json!({}))
}

fn set_data_validation(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let (index, rect) = range_of(spreadsheet, arguments)?;
    let rule = arguments
        .get("rule")
        .filter(|rule| !rule.is_null())
        .cloned();
    let sheet = &mut spreadsheet.sheets[index];
    for (row, column) in cells_of(&rect) {
        let mut cell = sheet.cell(row, column).cloned().unwrap_or_default();
        cell.set_data_validation(rule.clone());
        let keep = !cell.is_blank() || cell.has_decoration();
        sheet.set(row, column, keep.then_some(cell));
    }
    Ok(json!({}))
}

// ---------------------------------------------------------------------------------------
// Moving data

/// Sheets' sort order: numbers, then text (case-insensitive), then booleans, then
/// errors; empty cells always last, whatever the direction.
fn sort_key_order(left: Option<&Cell>, right: Option<&Cell>, descending: bool) -> Ordering {
    let rank = |cell: Option<&Cell>| match cell.and_then(|cell| cell.value.as_ref()) {
        None => 4,
        Some(CellValue::String(text)) if text.is_empty() => 4,
        Some(CellValue::Number(_)) => 0,
        Some(CellValue::String(_)) => 1,
        Some(CellValue::Bool(_)) => 2,
        Some(CellValue::Error(_)) => 3,
    };
    let (left_rank, right_rank) = (rank(left), rank(right));
    if left_rank == 4 || right_rank == 4 {
        return left_rank.cmp(&right_rank);
    }
    let order = match (
        left.and_then(|cell| cell.value.as_ref()),
        right.and_then(|cell| cell.value.as_ref()),
    ) {
        (Some(CellValue::Number(a)), Some(CellValue::Number(b))) => a.total_cmp(b),
        (Some(CellValue::String(a)), Some(CellValue::String(b))) => {
            a.to_lowercase().cmp(&b.to_lowercase())
        }
        (Some(CellValue::Bool(a)), Some(CellValue::Bool(b))) => a.cmp(b),
        _ => left_rank.cmp(&right_rank),
    };
    if descending { order.reverse() } else { order }
}

fn sort_range(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let (index, rect) = range_of(spreadsheet, arguments)?;
    let mut specs = Vec::new();
    for spec in arguments
        .get("sortSpecs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
    {
        let column = integer(&spec, "dimensionIndex")?;
        let column = u32::try_from(column).map_err(|_| "dimensionIndex must not be negative")?;
        if column < rect.start_column || column >= rect.end_column {
            return Err(format!(
                "Sort column {column} is outside of the range being sorted."
            ));
        }
        let descending = match spec.get("sortOrder").and_then(Value::as_str) {
            None | Some("ASCENDING") | Some("SORT_ORDER_UNSPECIFIED") => false,
            Some("DESCENDING") => true,
            Some(other) => return Err(format!("Invalid sortOrder: {other}")),
        };
        specs.push((column, descending));
    }
    if specs.is_empty() {
        specs.push((rect.start_column, false));
    }
    let sheet = &mut spreadsheet.sheets[index];
    // Each line remembers its row: a moved row's formulas move with it, relative
    // references shifted as if the row were copied (`=B3*2` sorted to row 2 is `=B2*2`).
    let mut lines: Vec<(u32, Vec<Option<Cell>>)> = (rect.start_row..rect.end_row)
        .map(|row| {
            let cells = (rect.start_column..rect.end_column)
                .map(|column| sheet.cell(row, column).cloned())
                .collect();
            (row, cells)
        })
        .collect();
    lines.sort_by(|(_, left), (_, right)| {
        for (column, descending) in &specs {
            let at = (column - rect.start_column) as usize;
            let order = sort_key_order(left[at].as_ref(), right[at].as_ref(), *descending);
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    });
    for (offset, (from_row, line)) in lines.into_iter().enumerate() {
        let to_row = rect.start_row + offset as u32;
        for (column_offset, cell) in line.into_iter().enumerate() {
            let cell = cell.map(|mut cell| {
                if let Some(formula) = &cell.formula {
                    let rows = i64::from(to_row) - i64::from(from_row);
                    cell.formula = Some(crate::formula::shift_relative(formula, rows, 0));
                }
                cell
            });
            sheet.set(to_row, rect.start_column + column_offset as u32, cell);
        }
    }
    Ok(json!({}))
}

/// What a paste copies (`pasteType`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum PasteType {
    Normal,
    Values,
    Format,
    NoBorders,
    Formula,
    DataValidation,
    ConditionalFormatting,
}

fn paste_type(arguments: &Value) -> Result<PasteType, String> {
    Ok(match arguments.get("pasteType").and_then(Value::as_str) {
        None | Some("PASTE_NORMAL") => PasteType::Normal,
        Some("PASTE_VALUES") => PasteType::Values,
        Some("PASTE_FORMAT") => PasteType::Format,
        Some("PASTE_NO_BORDERS") => PasteType::NoBorders,
        Some("PASTE_FORMULA") => PasteType::Formula,
        Some("PASTE_DATA_VALIDATION") => PasteType::DataValidation,
        Some("PASTE_CONDITIONAL_FORMATTING") => PasteType::ConditionalFormatting,
        Some(other) => return Err(format!("Invalid pasteType: {other}")),
    })
}

/// The cell a paste leaves at the destination, from the source cell and what was there.
fn pasted(
    source: Option<&Cell>,
    target: Option<&Cell>,
    kind: PasteType,
    rows: i64,
    columns: i64,
) -> Option<Cell> {
    let mut cell = target.cloned().unwrap_or_default();
    let source = source.cloned().unwrap_or_default();
    let moved_formula = source
        .formula
        .as_deref()
        .map(|formula| crate::formula::shift_relative(formula, rows, columns));
    match kind {
        PasteType::Normal | PasteType::NoBorders => {
            let mut copy = source.clone();
            copy.formula = moved_formula;
            if kind == PasteType::NoBorders
                && let Some(mut style) = copy.style().cloned()
            {
                style.remove("borders");
                copy.set_style(Some(style));
            }
            cell = copy;
        }
        PasteType::Values => {
            cell.value = source.value.clone();
            cell.formula = None;
            cell.set_automatic_format(None);
        }
        PasteType::Formula => {
            cell.value = source.value.clone();
            cell.formula = moved_formula;
        }
        PasteType::Format => {
            cell.format = source.format.clone();
            cell.set_style(source.style().cloned());
        }
        PasteType::DataValidation => cell.set_data_validation(source.data_validation().cloned()),
        PasteType::ConditionalFormatting => {}
    }
    (!cell.is_blank() || cell.has_decoration()).then_some(cell)
}

fn copy_paste(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let (source_index, source) =
        GridRange::parse(arguments.get("source"), "source")?.resolve(spreadsheet)?;
    let (target_index, target) =
        GridRange::parse(arguments.get("destination"), "destination")?.resolve(spreadsheet)?;
    let kind = paste_type(arguments)?;
    let transpose = match arguments.get("pasteOrientation").and_then(Value::as_str) {
        None | Some("NORMAL") => false,
        Some("TRANSPOSE") => true,
        Some(other) => return Err(format!("Invalid pasteOrientation: {other}")),
    };
    let (height, width) = (
        source.end_row - source.start_row,
        source.end_column - source.start_column,
    );
    let (paste_height, paste_width) = if transpose {
        (width, height)
    } else {
        (height, width)
    };
    if paste_height == 0 || paste_width == 0 {
        return Ok(json!({}));
    }
    // A destination larger than the source repeats it; a smaller one takes it whole.
    let target_height = (target.end_row - target.start_row).max(paste_height);
    let target_width = (target.end_column - target.start_column).max(paste_width);
    let repeat_rows = target_height / paste_height;
    let repeat_columns = target_width / paste_width;
    let sheet = &spreadsheet.sheets[target_index];
    let end_row = target.start_row + repeat_rows * paste_height;
    let end_column = target.start_column + repeat_columns * paste_width;
    if end_row > sheet.row_count || end_column > sheet.column_count {
        return Err(format!(
            "Range ({}) exceeds grid limits. Max rows: {}, max columns: {}",
            sheet.a1(&Rect {
                start_row: target.start_row,
                end_row,
                start_column: target.start_column,
                end_column,
            }),
            sheet.row_count,
            sheet.column_count
        ));
    }
    let sources = spreadsheet.sheets[source_index].clone();
    let sheet = &mut spreadsheet.sheets[target_index];
    for tile_row in 0..repeat_rows {
        for tile_column in 0..repeat_columns {
            for row_offset in 0..paste_height {
                for column_offset in 0..paste_width {
                    let (from_row, from_column) = if transpose {
                        (
                            source.start_row + column_offset,
                            source.start_column + row_offset,
                        )
                    } else {
                        (
                            source.start_row + row_offset,
                            source.start_column + column_offset,
                        )
                    };
                    let to_row = target.start_row + tile_row * paste_height + row_offset;
                    let to_column = target.start_column + tile_column * paste_width + column_offset;
                    let cell = pasted(
                        sources.cell(from_row, from_column),
                        sheet.cell(to_row, to_column),
                        kind,
                        i64::from(to_row) - i64::from(from_row),
                        i64::from(to_column) - i64::from(from_column),
                    );
                    sheet.set(to_row, to_column, cell);
                }
            }
        }
    }
    Ok(json!({}))
}

fn cut_paste(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let (source_index, source) =
        GridRange::parse(arguments.get("source"), "source")?.resolve(spreadsheet)?;
    let destination = arguments
        .get("destination")
        .ok_or("destination must be set")?;
    let sheet_id = integer(destination, "sheetId")?;
    let target_index = grid(spreadsheet, sheet_id)?;
    let to_row = integer(destination, "rowIndex")?.max(0) as u32;
    let to_column = integer(destination, "columnIndex")?.max(0) as u32;
    let kind = paste_type(arguments)?;
    let height = source.end_row - source.start_row;
    let width = source.end_column - source.start_column;
    let sheet = &spreadsheet.sheets[target_index];
    if to_row + height > sheet.row_count || to_column + width > sheet.column_count {
        return Err(format!(
            "Range ({}) exceeds grid limits. Max rows: {}, max columns: {}",
            sheet.a1(&Rect {
                start_row: to_row,
                end_row: to_row + height,
                start_column: to_column,
                end_column: to_column + width,
            }),
            sheet.row_count,
            sheet.column_count
        ));
    }
    let moved: Vec<(u32, u32, Option<Cell>)> = cells_of(&source)
        .map(|(row, column)| {
            (
                row - source.start_row,
                column - source.start_column,
                spreadsheet.sheets[source_index].cell(row, column).cloned(),
            )
        })
        .collect();
    // A cut keeps formulas as written (their references do not move).
    for (row, column) in cells_of(&source) {
        spreadsheet.sheets[source_index].set(row, column, None);
    }
    let sheet = &mut spreadsheet.sheets[target_index];
    for (row_offset, column_offset, cell) in moved {
        let (row, column) = (to_row + row_offset, to_column + column_offset);
        let cell = pasted(cell.as_ref(), sheet.cell(row, column), kind, 0, 0);
        sheet.set(row, column, cell);
    }
    Ok(json!({}))
}

fn shift_dimension(arguments: &Value) -> Result<bool, String> {
    match arguments.get("shiftDimension").and_then(Value::as_str) {
        Some("ROWS") => Ok(true),
        Some("COLUMNS") => Ok(false),
        _ => Err("shiftDimension must be ROWS or COLUMNS".into()),
    }
}

fn insert_range(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let (index, rect) = range_of(spreadsheet, arguments)?;
    let rows = shift_dimension(arguments)?;
    let sheet = &mut spreadsheet.sheets[index];
    if rows {
        let count = rect.end_row - rect.start_row;
        sheet.row_count += count;
        for column in rect.start_column..rect.end_column {
            let last = sheet.rows.len() as u32;
            for row in (rect.start_row..last).rev() {
                let cell = sheet.cell(row, column).cloned();
                sheet.set(row + count, column, cell);
                sheet.set(row, column, None);
            }
        }
    } else {
        let count = rect.end_column - rect.start_column;
        sheet.column_count += count;
        for row in rect.start_row..rect.end_row.min(sheet.rows.len() as u32) {
            let last = sheet.rows[row as usize].len() as u32;
            for column in (rect.start_column..last).rev() {
                let cell = sheet.cell(row, column).cloned();
                sheet.set(row, column + count, cell);
                sheet.set(row, column, None);
            }
        }
    }
    Ok(json!({}))
}

fn delete_range(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let (index, rect) = range_of(spreadsheet, arguments)?;
    let rows = shift_dimension(arguments)?;
    let sheet = &mut spreadsheet.sheets[index];
    if rows {
        let count = rect.end_row - rect.start_row;
        for column in rect.start_column..rect.end_column {
            let last = sheet.rows.len() as u32;
            for row in rect.start_row..last {
                let cell = sheet.cell(row + count, column).cloned();
                sheet.set(row, column, cell);
            }
        }
    } else {
        let count = rect.end_column - rect.start_column;
        for row in rect.start_row..rect.end_row.min(sheet.rows.len() as u32) {
            let last = sheet.rows.get(row as usize).map_or(0, Vec::len) as u32;
            for column in rect.start_column..last {
                let cell = sheet.cell(row, column + count).cloned();
                sheet.set(row, column, cell);
            }
        }
    }
    Ok(json!({}))
}

/// The cells a `findReplace`/`trimWhitespace` covers: a range, a sheet, or all sheets.
fn scope(spreadsheet: &Spreadsheet, arguments: &Value) -> Result<Vec<(usize, Rect)>, String> {
    if arguments.get("allSheets").and_then(Value::as_bool) == Some(true) {
        return Ok((0..spreadsheet.sheets.len())
            .map(|index| (index, full(spreadsheet, index)))
            .collect());
    }
    if arguments.get("range").is_some() {
        return Ok(vec![range_of(spreadsheet, arguments)?]);
    }
    if arguments.get("sheetId").is_some() {
        let sheet_id = integer(arguments, "sheetId")?;
        let index = grid(spreadsheet, sheet_id)?;
        return Ok(vec![(index, full(spreadsheet, index))]);
    }
    Err("One of range, sheetId or allSheets must be set.".into())
}

fn full(spreadsheet: &Spreadsheet, index: usize) -> Rect {
    let sheet = &spreadsheet.sheets[index];
    Rect {
        start_row: 0,
        end_row: sheet.row_count,
        start_column: 0,
        end_column: sheet.column_count,
    }
}

fn find_replace(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let find = arguments
        .get("find")
        .and_then(Value::as_str)
        .filter(|find| !find.is_empty())
        .ok_or("find must not be empty")?;
    let replacement = arguments
        .get("replacement")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let flag = |name: &str| arguments.get(name).and_then(Value::as_bool) == Some(true);
    let (match_case, entire, regex, formulas) = (
        flag("matchCase"),
        flag("matchEntireCell"),
        flag("searchByRegex"),
        flag("includeFormulas"),
    );
    let mut pattern = if regex {
        find.to_owned()
    } else {
        regex::escape(find)
    };
    if entire {
        pattern = format!("^(?:{pattern})$");
    }
    if !match_case {
        pattern = format!("(?i){pattern}");
    }
    let matcher = regex::Regex::new(&pattern).map_err(|_| format!("Invalid regex: {find}"))?;
    let scopes = scope(spreadsheet, arguments)?;
    let locale = spreadsheet.locale_rules();
    let (mut values, mut formulas_changed, mut occurrences) = (0u64, 0u64, 0u64);
    let mut rows = std::collections::BTreeSet::new();
    let mut sheets = std::collections::BTreeSet::new();
    for (index, rect) in scopes {
        let sheet = &mut spreadsheet.sheets[index];
        let last_row = rect.end_row.min(sheet.rows.len() as u32);
        for row in rect.start_row..last_row {
            let stored = sheet.rows[row as usize].len() as u32;
            for column in rect.start_column..rect.end_column.min(stored) {
                let Some(cell) = sheet.cell(row, column).cloned() else {
                    continue;
                };
                let (text, is_formula) = match (&cell.formula, &cell.value) {
                    (Some(formula), _) if formulas => (formula.clone(), true),
                    (Some(_), _) => continue,
                    (None, Some(CellValue::String(text))) => (text.clone(), false),
                    (None, Some(_)) => (cell::formatted(&cell, &locale), false),
                    (None, None) => continue,
                };
                let count = matcher.find_iter(&text).count() as u64;
                if count == 0 {
                    continue;
                }
                let replaced = if regex {
                    matcher.replace_all(&text, replacement).into_owned()
                } else {
                    matcher
                        .replace_all(&text, regex::NoExpand(replacement))
                        .into_owned()
                };
                let updated = if is_formula {
                    let mut updated = cell.clone();
                    updated.formula = Some(replaced);
                    updated
                } else if matches!(cell.value, Some(CellValue::String(_))) {
                    let mut updated = cell.clone();
                    updated.value = (!replaced.is_empty()).then_some(CellValue::String(replaced));
                    updated
                } else {
                    // A number or a date replaced in its shown form is read again.
                    let mut parsed = cell::parse_user_entered(&replaced, &locale);
                    if parsed.format.is_none() {
                        parsed.format = cell.format.clone();
                    }
                    parsed.take_decoration_of(&cell);
                    parsed
                };
                let keep = !updated.is_blank() || updated.has_decoration();
                sheet.set(row, column, keep.then_some(updated));
                if is_formula {
                    formulas_changed += 1;
                } else {
                    values += 1;
                }
                occurrences += count;
                rows.insert((index, row));
                sheets.insert(index);
            }
        }
    }
    let mut reply = Map::new();
    for (name, value) in [
        ("valuesChanged", values),
        ("formulasChanged", formulas_changed),
        ("rowsChanged", rows.len() as u64),
        ("sheetsChanged", sheets.len() as u64),
        ("occurrencesChanged", occurrences),
    ] {
        if value > 0 {
            reply.insert(name.into(), json!(value));
        }
    }
    Ok(json!({ "findReplace": reply }))
}

fn trim_whitespace(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let (index, rect) = range_of(spreadsheet, arguments)?;
    let sheet = &mut spreadsheet.sheets[index];
    let mut changed = 0u64;
    for (row, column) in cells_of(&rect) {
        let Some(mut cell) = sheet.cell(row, column).cloned() else {
            continue;
        };
        if let (None, Some(CellValue::String(text))) = (&cell.formula, &cell.value) {
            let trimmed = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if &trimmed != text {
                cell.value = (!trimmed.is_empty()).then_some(CellValue::String(trimmed));
                let keep = !cell.is_blank() || cell.has_decoration();
                sheet.set(row, column, keep.then_some(cell));
                changed += 1;
            }
        }
    }
    let mut reply = Map::new();
    if changed > 0 {
        reply.insert("cellsChangedCount".into(), json!(changed));
    }
    Ok(json!({ "trimWhitespace": reply }))
}

fn delete_duplicates(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let (index, rect) = range_of(spreadsheet, arguments)?;
    let mut columns: Vec<u32> = Vec::new();
    for dimension in arguments
        .get("comparisonColumns")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
    {
        let span = DimensionSpan::parse(Some(&dimension), "comparisonColumns")?;
        let end = span.end.unwrap_or(span.start + 1);
        columns.extend(span.start..end);
    }
    if columns.is_empty() {
        columns.extend(rect.start_column..rect.end_column);
    }
    let locale = spreadsheet.locale_rules();
    let sheet = &mut spreadsheet.sheets[index];
    let key = |sheet: &crate::model::Sheet, row: u32| -> Vec<String> {
        columns
            .iter()
            .map(|column| {
                sheet
                    .cell(row, *column)
                    .map(|cell| cell::formatted(cell, &locale).to_lowercase())
                    .unwrap_or_default()
            })
            .collect()
    };
    let mut seen = std::collections::HashSet::new();
    let mut kept: Vec<Vec<Option<Cell>>> = Vec::new();
    let mut removed = 0u64;
    for row in rect.start_row..rect.end_row {
        if seen.insert(key(sheet, row)) {
            kept.push(
                (rect.start_column..rect.end_column)
                    .map(|column| sheet.cell(row, column).cloned())
                    .collect(),
            );
        } else {
            removed += 1;
        }
    }
    for row in rect.start_row..rect.end_row {
        let line = kept.get((row - rect.start_row) as usize);
        for column in rect.start_column..rect.end_column {
            let cell = line.and_then(|line| line[(column - rect.start_column) as usize].clone());
            sheet.set(row, column, cell);
        }
    }
    let mut reply = Map::new();
    if removed > 0 {
        reply.insert("duplicatesRemovedCount".into(), json!(removed));
    }
    Ok(json!({ "deleteDuplicates": reply }))
}

// ---------------------------------------------------------------------------------------
// Merges

fn merges(sheet: &crate::model::Sheet) -> Vec<Rect> {
    sheet
        .objects
        .get("merges")
        .and_then(Value::as_array)
        .map(|merges| {
            merges
                .iter()
                .filter_map(|merge| GridRange::parse(Some(merge), "merge").ok())
                .map(|range| range.rect(sheet))
                .collect()
        })
        .unwrap_or_default()
}

fn store_merges(sheet: &mut crate::model::Sheet, rects: &[Rect]) {
    if rects.is_empty() {
        sheet.objects.remove("merges");
    } else {
        let list = rects
            .iter()
            .map(|rect| GridRange::of(sheet.sheet_id, rect).to_json())
            .collect();
        sheet.objects.insert("merges".into(), Value::Array(list));
    }
}

fn contains(outer: &Rect, inner: &Rect) -> bool {
    outer.start_row <= inner.start_row
        && inner.end_row <= outer.end_row
        && outer.start_column <= inner.start_column
        && inner.end_column <= outer.end_column
}

const PARTIAL_MERGE: &str = "You must select all cells in a merged range to merge or unmerge them.";

fn merge_cells(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let (index, rect) = range_of(spreadsheet, arguments)?;
    let pieces: Vec<Rect> = match arguments.get("mergeType").and_then(Value::as_str) {
        None | Some("MERGE_ALL") => vec![rect],
        Some("MERGE_COLUMNS") => (rect.start_column..rect.end_column)
            .map(|column| Rect {
                start_column: column,
                end_column: column + 1,
                ..rect
            })
            .collect(),
        Some("MERGE_ROWS") => (rect.start_row..rect.end_row)
            .map(|row| Rect {
                start_row: row,
                end_row: row + 1,
                ..rect
            })
            .collect(),
        Some(other) => return Err(format!("Invalid mergeType: {other}")),
    };
    let sheet = &mut spreadsheet.sheets[index];
    let mut existing = merges(sheet);
    if existing
        .iter()
        .any(|merge| merge.intersects(&rect) && !contains(&rect, merge))
    {
        return Err(PARTIAL_MERGE.into());
    }
    existing.retain(|merge| !contains(&rect, merge));
    for piece in pieces {
        if piece.end_row - piece.start_row == 1 && piece.end_column - piece.start_column == 1 {
            continue;
        }
        // Only the top-left value of a merge is kept.
        for (row, column) in cells_of(&piece) {
            if (row, column) != (piece.start_row, piece.start_column) {
                let kept = sheet.cell(row, column).and_then(Cell::decoration);
                sheet.set(row, column, kept);
            }
        }
        existing.push(piece);
    }
    store_merges(sheet, &existing);
    Ok(json!({}))
}

fn unmerge_cells(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let (index, rect) = range_of(spreadsheet, arguments)?;
    let sheet = &mut spreadsheet.sheets[index];
    let mut existing = merges(sheet);
    if existing
        .iter()
        .any(|merge| merge.intersects(&rect) && !contains(&rect, merge))
    {
        return Err(PARTIAL_MERGE.into());
    }
    existing.retain(|merge| !contains(&rect, merge));
    store_merges(sheet, &existing);
    Ok(json!({}))
}

// ---------------------------------------------------------------------------------------
// Filters, protected ranges, conditional formats, banding: stored objects with ids

/// The list `sheet.objects[key]` of the sheet a `range` points at.
fn object_list<'a>(
    spreadsheet: &'a mut Spreadsheet,
    sheet_index: usize,
    key: &str,
) -> &'a mut Vec<Value> {
    list_in(&mut spreadsheet.sheets[sheet_index].objects, key)
}

/// The list `objects[key]`, made an empty list when absent.
fn list_in<'a>(objects: &'a mut Map<String, Value>, key: &str) -> &'a mut Vec<Value> {
    let entry = objects.entry(key.to_owned()).or_insert_with(|| json!([]));
    if !entry.is_array() {
        *entry = json!([]);
    }
    match entry {
        Value::Array(list) => list,
        _ => unreachable!("just made an array"),
    }
}

/// Finds the object with `id_field == id` in `key` lists of every sheet: (sheet, index).
fn find_object(
    spreadsheet: &Spreadsheet,
    key: &str,
    id_field: &str,
    id: i64,
) -> Option<(usize, usize)> {
    spreadsheet
        .sheets
        .iter()
        .enumerate()
        .find_map(|(sheet_index, sheet)| {
            sheet
                .objects
                .get(key)
                .and_then(Value::as_array)
                .and_then(|list| {
                    list.iter()
                        .position(|object| object.get(id_field).and_then(Value::as_i64) == Some(id))
                })
                .map(|position| (sheet_index, position))
        })
}

fn drop_empty_list(spreadsheet: &mut Spreadsheet, sheet_index: usize, key: &str) {
    let sheet = &mut spreadsheet.sheets[sheet_index];
    if sheet
        .objects
        .get(key)
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        sheet.objects.remove(key);
    }
}

/// Adds an object with a fresh id (or the one given, when free) to the list `key` of
/// the sheet its `range` points at; the stored object.
fn add_object(
    spreadsheet: &mut Spreadsheet,
    key: &str,
    id_field: &str,
    mut object: Value,
    range_field: &str,
) -> Result<Value, String> {
    let range = GridRange::parse(object.get(range_field), range_field)?;
    let (sheet_index, _) = range.resolve(spreadsheet)?;
    let id = match object.get(id_field).and_then(Value::as_i64) {
        Some(id) if find_object(spreadsheet, key, id_field, id).is_some() => {
            return Err(format!("An object with {id_field} {id} already exists."));
        }
        Some(id) => id,
        None => i64::from(random_id()),
    };
    if let Some(map) = object.as_object_mut() {
        map.insert(id_field.into(), json!(id));
        map.insert(range_field.into(), range.to_json());
    }
    object_list(spreadsheet, sheet_index, key).push(object.clone());
    Ok(object)
}

fn update_object(
    spreadsheet: &mut Spreadsheet,
    key: &str,
    id_field: &str,
    source: &Value,
    fields: &[String],
) -> Result<Value, String> {
    let id = source
        .get(id_field)
        .and_then(Value::as_i64)
        .ok_or_else(|| format!("{id_field} must be set"))?;
    let (sheet_index, position) = find_object(spreadsheet, key, id_field, id)
        .ok_or_else(|| format!("No {key} with id: {id}"))?;
    let list = object_list(spreadsheet, sheet_index, key);
    let mut object = list[position].as_object().cloned().unwrap_or_default();
    apply_mask(&mut object, Some(source), fields, "");
    object.insert(id_field.into(), json!(id));
    list[position] = Value::Object(object.clone());
    Ok(Value::Object(object))
}

fn delete_object(
    spreadsheet: &mut Spreadsheet,
    key: &str,
    id_field: &str,
    id: i64,
) -> Result<Value, String> {
    let (sheet_index, position) = find_object(spreadsheet, key, id_field, id)
        .ok_or_else(|| format!("No {key} with id: {id}"))?;
    let removed = object_list(spreadsheet, sheet_index, key).remove(position);
    drop_empty_list(spreadsheet, sheet_index, key);
    Ok(removed)
}

fn set_basic_filter(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let mut filter = arguments
        .get("filter")
        .cloned()
        .ok_or("filter must be set")?;
    let range = GridRange::parse(filter.get("range"), "filter.range")?;
    let (index, rect) = range.resolve(spreadsheet)?;
    if let Some(map) = filter.as_object_mut() {
        map.insert(
            "range".into(),
            GridRange::of(spreadsheet.sheets[index].sheet_id, &rect).to_json(),
        );
    }
    spreadsheet.sheets[index]
        .objects
        .insert("basicFilter".into(), filter);
    Ok(json!({}))
}

fn clear_basic_filter(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let sheet_id = integer(arguments, "sheetId")?;
    let index = grid(spreadsheet, sheet_id)?;
    spreadsheet.sheets[index].objects.remove("basicFilter");
    Ok(json!({}))
}

fn add_filter_view(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let filter = arguments
        .get("filter")
        .cloned()
        .ok_or("filter must be set")?;
    let stored = add_object(spreadsheet, "filterViews", "filterViewId", filter, "range")?;
    Ok(json!({ "addFilterView": { "filter": stored } }))
}

fn update_filter_view(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let filter = arguments.get("filter").cloned().unwrap_or(json!({}));
    let fields = fields_of(arguments)?;
    update_object(spreadsheet, "filterViews", "filterViewId", &filter, &fields)?;
    Ok(json!({}))
}

fn delete_filter_view(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let id = i64::from(integer(arguments, "filterId")?);
    delete_object(spreadsheet, "filterViews", "filterViewId", id)?;
    Ok(json!({}))
}

fn duplicate_filter_view(
    spreadsheet: &mut Spreadsheet,
    arguments: &Value,
) -> Result<Value, String> {
    let id = i64::from(integer(arguments, "filterId")?);
    let (sheet_index, position) = find_object(spreadsheet, "filterViews", "filterViewId", id)
        .ok_or_else(|| format!("No filterViews with id: {id}"))?;
    let mut copy = object_list(spreadsheet, sheet_index, "filterViews")[position].clone();
    if let Some(map) = copy.as_object_mut() {
        map.insert("filterViewId".into(), json!(random_id()));
        let title = map
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("Filter")
            .to_owned();
        map.insert("title".into(), json!(format!("Copy of {title}")));
    }
    object_list(spreadsheet, sheet_index, "filterViews").push(copy.clone());
    Ok(json!({ "duplicateFilterView": { "filter": copy } }))
}

fn add_protected_range(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let mut protected = arguments
        .get("protectedRange")
        .cloned()
        .ok_or("protectedRange must be set")?;
    if let Some(named) = protected.get("namedRangeId").and_then(Value::as_str) {
        let range = named_range(spreadsheet, named)
            .and_then(|named| named.get("range").cloned())
            .ok_or_else(|| format!("No named range with id: {named}"))?;
        if let Some(map) = protected.as_object_mut() {
            map.insert("range".into(), range);
        }
    }
    if let Some(map) = protected.as_object_mut() {
        map.insert("requestingUserCanEdit".into(), json!(true));
    }
    let stored = add_object(
        spreadsheet,
        "protectedRanges",
        "protectedRangeId",
        protected,
        "range",
    )?;
    Ok(json!({ "addProtectedRange": { "protectedRange": stored } }))
}

fn update_protected_range(
    spreadsheet: &mut Spreadsheet,
    arguments: &Value,
) -> Result<Value, String> {
    let protected = arguments
        .get("protectedRange")
        .cloned()
        .unwrap_or(json!({}));
    let fields = fields_of(arguments)?;
    update_object(
        spreadsheet,
        "protectedRanges",
        "protectedRangeId",
        &protected,
        &fields,
    )?;
    Ok(json!({}))
}

fn delete_protected_range(
    spreadsheet: &mut Spreadsheet,
    arguments: &Value,
) -> Result<Value, String> {
    let id = i64::from(integer(arguments, "protectedRangeId")?);
    delete_object(spreadsheet, "protectedRanges", "protectedRangeId", id)?;
    Ok(json!({}))
}

fn conditional_formats(
    spreadsheet: &mut Spreadsheet,
    sheet_id: i32,
) -> Result<&mut Vec<Value>, String> {
    let index = grid(spreadsheet, sheet_id)?;
    Ok(object_list(spreadsheet, index, "conditionalFormats"))
}

fn add_conditional_format(
    spreadsheet: &mut Spreadsheet,
    arguments: &Value,
) -> Result<Value, String> {
    let rule = arguments.get("rule").cloned().ok_or("rule must be set")?;
    let first = rule
        .get("ranges")
        .and_then(Value::as_array)
        .and_then(|ranges| ranges.first())
        .ok_or("rule.ranges must not be empty")?;
    let range = GridRange::parse(Some(first), "rule.ranges[0]")?;
    range.resolve(spreadsheet)?;
    let position = integer(arguments, "index")?.max(0) as usize;
    let list = conditional_formats(spreadsheet, range.sheet_id)?;
    let position = position.min(list.len());
    list.insert(position, rule);
    Ok(json!({}))
}

fn update_conditional_format(
    spreadsheet: &mut Spreadsheet,
    arguments: &Value,
) -> Result<Value, String> {
    let sheet_id = integer(arguments, "sheetId")?;
    let index = integer(arguments, "index")?.max(0) as usize;
    let list = conditional_formats(spreadsheet, sheet_id)?;
    if index >= list.len() {
        return Err(format!(
            "No conditional format on sheet {sheet_id} at index {index}"
        ));
    }
    let old = list[index].clone();
    if let Some(rule) = arguments.get("rule") {
        list[index] = rule.clone();
        return Ok(
            json!({ "updateConditionalFormatRule": { "newRule": rule, "newIndex": index, "oldRule": old, "oldIndex": index } }),
        );
    }
    let new_index = integer(arguments, "newIndex")?.max(0) as usize;
    let rule = list.remove(index);
    let new_index = new_index.min(list.len());
    list.insert(new_index, rule.clone());
    Ok(
        json!({ "updateConditionalFormatRule": { "newRule": rule, "newIndex": new_index, "oldIndex": index } }),
    )
}

fn delete_conditional_format(
    spreadsheet: &mut Spreadsheet,
    arguments: &Value,
) -> Result<Value, String> {
    let sheet_id = integer(arguments, "sheetId")?;
    let index = integer(arguments, "index")?.max(0) as usize;
    let sheet_index = grid(spreadsheet, sheet_id)?;
    let list = object_list(spreadsheet, sheet_index, "conditionalFormats");
    if index >= list.len() {
        return Err(format!(
            "No conditional format on sheet {sheet_id} at index {index}"
        ));
    }
    let rule = list.remove(index);
    drop_empty_list(spreadsheet, sheet_index, "conditionalFormats");
    Ok(json!({ "deleteConditionalFormatRule": { "rule": rule } }))
}

fn add_banding(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let banded = arguments
        .get("bandedRange")
        .cloned()
        .ok_or("bandedRange must be set")?;
    let stored = add_object(
        spreadsheet,
        "bandedRanges",
        "bandedRangeId",
        banded,
        "range",
    )?;
    Ok(json!({ "addBanding": { "bandedRange": stored } }))
}

fn update_banding(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let banded = arguments.get("bandedRange").cloned().unwrap_or(json!({}));
    let fields = fields_of(arguments)?;
    update_object(
        spreadsheet,
        "bandedRanges",
        "bandedRangeId",
        &banded,
        &fields,
    )?;
    Ok(json!({}))
}

fn delete_banding(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let id = i64::from(integer(arguments, "bandedRangeId")?);
    delete_object(spreadsheet, "bandedRanges", "bandedRangeId", id)?;
    Ok(json!({}))
}

// ---------------------------------------------------------------------------------------
// Named ranges

fn named_ranges(spreadsheet: &mut Spreadsheet) -> &mut Vec<Value> {
    list_in(&mut spreadsheet.objects, "namedRanges")
}

/// A named range by id.
pub(crate) fn named_range<'a>(spreadsheet: &'a Spreadsheet, id: &str) -> Option<&'a Value> {
    spreadsheet
        .objects
        .get("namedRanges")
        .and_then(Value::as_array)?
        .iter()
        .find(|named| named.get("namedRangeId").and_then(Value::as_str) == Some(id))
}

/// A named range's `GridRange` by name (case-insensitive), for reads and formulas.
pub(crate) fn named_range_by_name(spreadsheet: &Spreadsheet, name: &str) -> Option<GridRange> {
    let wanted = name.to_lowercase();
    spreadsheet
        .objects
        .get("namedRanges")
        .and_then(Value::as_array)?
        .iter()
        .find(|named| {
            named
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|name| name.to_lowercase() == wanted)
        })
        .and_then(|named| GridRange::parse(named.get("range"), "range").ok())
}

fn valid_name(name: &str) -> bool {
    let mut characters = name.chars();
    characters
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_')
        && name
            .chars()
            .all(|character| character.is_alphanumeric() || character == '_' || character == '.')
        && !crate::a1::looks_like_cell(name)
        && !name.eq_ignore_ascii_case("true")
        && !name.eq_ignore_ascii_case("false")
        && name.chars().count() <= 250
}

fn add_named_range(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let mut named = arguments
        .get("namedRange")
        .cloned()
        .ok_or("namedRange must be set")?;
    let name = named
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if !valid_name(&name) {
        return Err(format!("Invalid name: {name}"));
    }
    if named_range_by_name(spreadsheet, &name).is_some() {
        return Err(format!(
            "A named range with the name {name} already exists."
        ));
    }
    let range = GridRange::parse(named.get("range"), "namedRange.range")?;
    let (index, rect) = range.resolve(spreadsheet)?;
    let id = match named.get("namedRangeId").and_then(Value::as_str) {
        Some(id) if named_range(spreadsheet, id).is_some() => {
            return Err(format!("A named range with id {id} already exists."));
        }
        Some(id) => id.to_owned(),
        None => crate::random_token(12).to_lowercase(),
    };
    if let Some(map) = named.as_object_mut() {
        map.insert("namedRangeId".into(), json!(id));
        map.insert(
            "range".into(),
            GridRange::of(spreadsheet.sheets[index].sheet_id, &rect).to_json(),
        );
    }
    named_ranges(spreadsheet).push(named.clone());
    Ok(json!({ "addNamedRange": { "namedRange": named } }))
}

fn update_named_range(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let source = arguments.get("namedRange").cloned().unwrap_or(json!({}));
    let fields = fields_of(arguments)?;
    let id = source
        .get("namedRangeId")
        .and_then(Value::as_str)
        .ok_or("namedRange.namedRangeId must be set")?
        .to_owned();
    if selected(&fields, "name") {
        let name = source
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !valid_name(name) {
            return Err(format!("Invalid name: {name}"));
        }
    }
    if selected(&fields, "range") {
        GridRange::parse(source.get("range"), "namedRange.range")?.resolve(spreadsheet)?;
    }
    let list = named_ranges(spreadsheet);
    let position = list
        .iter()
        .position(|named| named.get("namedRangeId").and_then(Value::as_str) == Some(id.as_str()))
        .ok_or_else(|| format!("No named range with id: {id}"))?;
    let mut object = list[position].as_object().cloned().unwrap_or_default();
    apply_mask(&mut object, Some(&source), &fields, "");
    object.insert("namedRangeId".into(), json!(id));
    list[position] = Value::Object(object);
    Ok(json!({}))
}

fn delete_named_range(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let id = arguments
        .get("namedRangeId")
        .and_then(Value::as_str)
        .ok_or("namedRangeId must be set")?
        .to_owned();
    let list = named_ranges(spreadsheet);
    let before = list.len();
    list.retain(|named| named.get("namedRangeId").and_then(Value::as_str) != Some(id.as_str()));
    if list.len() == before {
        return Err(format!("No named range with id: {id}"));
    }
    if list.is_empty() {
        spreadsheet.objects.remove("namedRanges");
    }
    Ok(json!({}))
}

// ---------------------------------------------------------------------------------------
// Dimensions, sheets, spreadsheet properties

fn update_dimension_properties(
    spreadsheet: &mut Spreadsheet,
    arguments: &Value,
) -> Result<Value, String> {
    let span = DimensionSpan::parse(arguments.get("range"), "range")?;
    let fields = fields_of(arguments)?;
    let properties = arguments.get("properties").cloned().unwrap_or(json!({}));
    let index = grid(spreadsheet, span.sheet_id)?;
    let sheet = &mut spreadsheet.sheets[index];
    let count = if span.rows {
        sheet.row_count
    } else {
        sheet.column_count
    };
    let end = span.end.unwrap_or(count).min(count);
    let map = if span.rows {
        &mut sheet.row_properties
    } else {
        &mut sheet.column_properties
    };
    for position in span.start..end {
        let entry = map.entry(position).or_default();
        apply_mask(entry, Some(&properties), &fields, "");
        if entry.is_empty() {
            map.remove(&position);
        }
    }
    Ok(json!({}))
}

fn auto_resize_dimensions(
    spreadsheet: &mut Spreadsheet,
    arguments: &Value,
) -> Result<Value, String> {
    // Sizes depend on fonts the emulator does not have: the request is checked and
    // accepted, and sizes stay as they are.
    let span = DimensionSpan::parse(arguments.get("dimensions"), "dimensions")?;
    grid(spreadsheet, span.sheet_id)?;
    Ok(json!({}))
}

/// "Copy of <title>", else "Copy of <title> 2", ...: the first title free in
/// `spreadsheet`, as Sheets names a duplicated or copied sheet.
pub(crate) fn copy_title(spreadsheet: &Spreadsheet, title: &str) -> String {
    let base = format!("Copy of {title}");
    std::iter::once(base.clone())
        .chain((2..).map(|number| format!("{base} {number}")))
        .find(|title| spreadsheet.sheet_index(title).is_none())
        .unwrap_or(base)
}

/// Gives a copied sheet its new id; the ranges its objects hold follow it.
pub(crate) fn rehome(sheet: &mut crate::model::Sheet, sheet_id: i32) {
    let old = std::mem::replace(&mut sheet.sheet_id, sheet_id);
    for value in sheet.objects.values_mut() {
        crate::ranges::retarget(value, old, sheet_id);
    }
}

fn duplicate_sheet(spreadsheet: &mut Spreadsheet, arguments: &Value) -> Result<Value, String> {
    let source_id = integer(arguments, "sourceSheetId")?;
    let source_index = grid(spreadsheet, source_id)?;
    let mut copy = spreadsheet.sheets[source_index].clone();
    let title = match arguments.get("newSheetName").and_then(Value::as_str) {
        Some(title) if !title.trim().is_empty() => title.to_owned(),
        _ => copy_title(spreadsheet, &copy.title),
    };
    if spreadsheet.sheet_index(&title).is_some() {
        return Err(format!(
            "A sheet with the name \"{title}\" already exists. Please enter another name."
        ));
    }
    let sheet_id = match arguments.get("newSheetId").and_then(Value::as_i64) {
        Some(id) => {
            let id = i32::try_from(id).map_err(|_| "newSheetId must be a 32-bit integer")?;
            if spreadsheet.sheet_index_by_id(id).is_some() {
                return Err(format!("Sheet with id {id} already exists."));
            }
            id
        }
        None => crate::new_sheet_id(spreadsheet),
    };
    copy.title = title;
    rehome(&mut copy, sheet_id);
    for (key, id_field) in [
        ("filterViews", "filterViewId"),
        ("protectedRanges", "protectedRangeId"),
        ("bandedRanges", "bandedRangeId"),
    ] {
        if let Some(Value::Array(list)) = copy.objects.get_mut(key) {
            for object in list.iter_mut().filter_map(Value::as_object_mut) {
                object.insert(id_field.into(), json!(random_id()));
            }
        }
    }
    let index = arguments
        .get("insertSheetIndex")
        .and_then(Value::as_u64)
        .map_or(source_index + 1, |index| index as usize)
        .min(spreadsheet.sheets.len());
    spreadsheet.sheets.insert(index, copy);
    let properties = spreadsheet.sheets[index].properties_json(index);
    Ok(json!({ "duplicateSheet": { "properties": properties } }))
}

fn update_spreadsheet_properties(
    spreadsheet: &mut Spreadsheet,
    arguments: &Value,
) -> Result<Value, String> {
    let properties = arguments.get("properties").cloned().unwrap_or(Value::Null);
    let fields = fields_of(arguments)?;
    for (field, target) in [
        ("title", &mut spreadsheet.title),
        ("locale", &mut spreadsheet.locale),
        ("timeZone", &mut spreadsheet.time_zone),
    ] {
        if selected(&fields, field)
            && let Some(value) = properties.get(field).and_then(Value::as_str)
        {
            *target = value.to_owned();
        }
    }
    let others: Vec<String> = fields
        .iter()
        .filter(|field| {
            !["title", "locale", "timeZone"]
                .iter()
                .any(|modelled| field == modelled)
        })
        .cloned()
        .collect();
    let mut source = properties.clone();
    if let Some(map) = source.as_object_mut() {
        for modelled in ["title", "locale", "timeZone"] {
            map.remove(modelled);
        }
    }
    let mut kept = spreadsheet.other_properties.clone();
    apply_mask(&mut kept, Some(&source), &others, "");
    spreadsheet.other_properties = kept;
    Ok(json!({}))
}

// ---------------------------------------------------------------------------------------
// Developer metadata

/// Every developer metadata entry (kept in one list on the spreadsheet).
pub(crate) fn developer_metadata(spreadsheet: &Spreadsheet) -> &[Value] {
    spreadsheet
        .objects
        .get("developerMetadata")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn metadata_list(spreadsheet: &mut Spreadsheet) -> &mut Vec<Value> {
    list_in(&mut spreadsheet.objects, "developerMetadata")
}

/// A location as answered: `locationType` added to what was given.
fn normalise_location(spreadsheet: &Spreadsheet, location: &Value) -> Result<Value, String> {
    let mut location = location.as_object().cloned().unwrap_or_default();
    location.remove("locationType");
    let kind = if location.get("spreadsheet").and_then(Value::as_bool) == Some(true) {
        "SPREADSHEET"
    } else if let Some(sheet_id) = location.get("sheetId") {
        let sheet_id = sheet_id
            .as_i64()
            .and_then(|id| i32::try_from(id).ok())
            .unwrap_or(-1);
        grid(spreadsheet, sheet_id)?;
        "SHEET"
    } else if let Some(span) = location.get("dimensionRange") {
        let span = DimensionSpan::parse(Some(span), "location.dimensionRange")?;
        grid(spreadsheet, span.sheet_id)?;
        if span.rows { "ROW" } else { "COLUMN" }
    } else {
        return Err("developerMetadata.location must be set".into());
    };
    location.insert("locationType".into(), json!(kind));
    Ok(Value::Object(location))
}

fn create_developer_metadata(
    spreadsheet: &mut Spreadsheet,
    arguments: &Value,
) -> Result<Value, String> {
    let mut metadata = arguments
        .get("developerMetadata")
        .cloned()
        .ok_or("developerMetadata must be set")?;
    let location = normalise_location(
        spreadsheet,
        metadata.get("location").unwrap_or(&Value::Null),
    )?;
    if metadata
        .get("metadataKey")
        .and_then(Value::as_str)
        .is_none()
    {
        return Err("developerMetadata.metadataKey must be set".into());
    }
    let visibility = metadata
        .get("visibility")
        .and_then(Value::as_str)
        .unwrap_or("DOCUMENT")
        .to_owned();
    if !matches!(visibility.as_str(), "DOCUMENT" | "PROJECT") {
        return Err("developerMetadata.visibility must be DOCUMENT or PROJECT".into());
    }
    let existing = developer_metadata(spreadsheet);
    let id = match metadata.get("metadataId").and_then(Value::as_i64) {
        Some(id)
            if existing
                .iter()
                .any(|entry| entry.get("metadataId").and_then(Value::as_i64) == Some(id)) =>
        {
            return Err(format!("Developer metadata with id {id} already exists."));
        }
        Some(id) => id,
        None => i64::from(random_id()),
    };
    if let Some(map) = metadata.as_object_mut() {
        map.insert("metadataId".into(), json!(id));
        map.insert("location".into(), location);
        map.insert("visibility".into(), json!(visibility));
    }
    metadata_list(spreadsheet).push(metadata.clone());
    Ok(json!({ "createDeveloperMetadata": { "developerMetadata": metadata } }))
}

/// Whether a metadata entry matches a `DeveloperMetadataLookup`.
pub(crate) fn lookup_matches(entry: &Value, lookup: &Value) -> bool {
    let same = |field: &str| match lookup.get(field) {
        None | Some(Value::Null) => true,
        Some(wanted) => entry.get(field) == Some(wanted),
    };
    let location = entry.get("location").cloned().unwrap_or(Value::Null);
    let location_type = match lookup.get("locationType").and_then(Value::as_str) {
        None => true,
        Some(kind) => location.get("locationType").and_then(Value::as_str) == Some(kind),
    };
    let wanted_location = match lookup.get("metadataLocation") {
        None | Some(Value::Null) => true,
        Some(wanted) => {
            let mut wanted = wanted.clone();
            if let Some(map) = wanted.as_object_mut() {
                map.remove("locationType");
            }
            let mut actual = location.clone();
            if let Some(map) = actual.as_object_mut() {
                map.remove("locationType");
            }
            wanted == actual
        }
    };
    same("metadataId")
        && same("metadataKey")
        && same("metadataValue")
        && same("visibility")
        && location_type
        && wanted_location
}

fn update_developer_metadata(
    spreadsheet: &mut Spreadsheet,
    arguments: &Value,
) -> Result<Value, String> {
    let filters = arguments
        .get("dataFilters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let source = arguments
        .get("developerMetadata")
        .cloned()
        .unwrap_or(json!({}));
    let fields = fields_of(arguments)?;
    let location = match (selected(&fields, "location"), source.get("location")) {
        (true, Some(location)) => Some(normalise_location(spreadsheet, location)?),
        _ => None,
    };
    let masked: Vec<String> = fields
        .iter()
        .filter(|field| !field.starts_with("location") && !field.starts_with("metadataId"))
        .cloned()
        .collect();
    let mut updated = Vec::new();
    for entry in metadata_list(spreadsheet).iter_mut() {
        let matched = filters.iter().any(|filter| {
            filter
                .get("developerMetadataLookup")
                .is_some_and(|lookup| lookup_matches(entry, lookup))
        });
        if !matched {
            continue;
        }
        if let Some(map) = entry.as_object_mut() {
            apply_mask(map, Some(&source), &masked, "");
            if let Some(location) = &location {
                map.insert("location".into(), location.clone());
            }
        }
        updated.push(entry.clone());
    }
    Ok(json!({ "updateDeveloperMetadata": { "developerMetadata": updated } }))
}

fn delete_developer_metadata(
    spreadsheet: &mut Spreadsheet,
    arguments: &Value,
) -> Result<Value, String> {
    let filter = arguments.get("dataFilter").cloned().unwrap_or(json!({}));
    let lookup = filter
        .get("developerMetadataLookup")
        .cloned()
        .ok_or("dataFilter.developerMetadataLookup must be set")?;
    let list = metadata_list(spreadsheet);
    let deleted: Vec<Value> = list
        .iter()
        .filter(|entry| lookup_matches(entry, &lookup))
        .cloned()
        .collect();
    list.retain(|entry| !lookup_matches(entry, &lookup));
    if list.is_empty() {
        spreadsheet.objects.remove("developerMetadata");
    }
    let mut reply = Map::new();
    if !deleted.is_empty() {
        reply.insert("deletedDeveloperMetadata".into(), Value::Array(deleted));
    }
    Ok(json!({ "deleteDeveloperMetadata": reply }))
}
