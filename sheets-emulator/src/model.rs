//! Spreadsheets and sheets, and the operations of the API on them: reading a range,
//! writing, appending after a table, clearing, inserting and deleting rows and columns.
//!
//! A sheet keeps its cells as rows of optional cells; rows past the last stored one and
//! cells past a row's end are empty. The grid size (`rowCount` x `columnCount`) is separate
//! from the data, as in Sheets: data never lies outside the grid, reads past the grid fail,
//! appends grow it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::a1::{self, A1Range, Area, Bounds};
use crate::cell::{
    self, Cell, CellValue, DateTimeRenderOption, LocaleRules, ValueInputOption, ValueRenderOption,
    Written,
};
use crate::error::ApiError;
use crate::formula::{self, Change};

/// Rows and columns of a new sheet.
pub const DEFAULT_ROW_COUNT: u32 = 1000;
pub const DEFAULT_COLUMN_COUNT: u32 = 26;
/// Sheets' limit of cells in a spreadsheet.
pub const MAX_CELLS: u64 = 10_000_000;

/// Which dimension values are listed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MajorDimension {
    #[default]
    Rows,
    Columns,
}

impl MajorDimension {
    pub fn as_str(self) -> &'static str {
        match self {
            MajorDimension::Rows => "ROWS",
            MajorDimension::Columns => "COLUMNS",
        }
    }
}

/// Access granted to an account on a spreadsheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// May read.
    Reader,
    /// May read and write.
    #[default]
    Writer,
}

/// One tab of a spreadsheet.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    pub sheet_id: i32,
    pub title: String,
    pub row_count: u32,
    pub column_count: u32,
    pub frozen_row_count: u32,
    pub frozen_column_count: u32,
    /// `SheetProperties` kept as given and answered back, without effect on the data:
    /// `hidden`, `tabColor`, `tabColorStyle`, `rightToLeft`, and in `gridProperties`
    /// `hideGridlines`, `rowGroupControlAfter`, `columnGroupControlAfter`.
    pub other_properties: Map<String, Value>,
    /// Sheet-level objects as the `Sheet` resource lists them: `merges`, `basicFilter`,
    /// `filterViews`, `protectedRanges`, `conditionalFormats`, `bandedRanges`,
    /// `developerMetadata`. The grid ranges inside move with row and column changes.
    pub objects: Map<String, Value>,
    /// `DimensionProperties` set on rows and columns (`pixelSize`, `hiddenByUser`,
    /// `developerMetadata`), by 0-based index.
    pub row_properties: BTreeMap<u32, Map<String, Value>>,
    pub column_properties: BTreeMap<u32, Map<String, Value>>,
    pub rows: Vec<Vec<Option<Cell>>>,
}

/// A half-open rectangle of 0-based cells, inside the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub start_row: u32,
    pub end_row: u32,
    pub start_column: u32,
    pub end_column: u32,
}

impl Rect {
    pub fn intersects(&self, other: &Rect) -> bool {
        self.start_row < other.end_row
            && other.start_row < self.end_row
            && self.start_column < other.end_column
            && other.start_column < self.end_column
    }

    pub fn union(&self, other: &Rect) -> Rect {
        Rect {
            start_row: self.start_row.min(other.start_row),
            end_row: self.end_row.max(other.end_row),
            start_column: self.start_column.min(other.start_column),
            end_column: self.end_column.max(other.end_column),
        }
    }
}

/// What a write changed, for `UpdateValuesResponse`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct WriteSummary {
    /// The rows and columns where a cell was written (for batch totals, which count
    /// distinct rows and columns).
    pub touched_rows: std::collections::BTreeSet<u32>,
    pub touched_columns: std::collections::BTreeSet<u32>,
    pub rows: u32,
    pub columns: u32,
    pub cells: u32,
    /// The rectangle the values covered (start + extent of the arrays).
    pub rect: Option<Rect>,
}

impl Sheet {
    pub fn new(sheet_id: i32, title: impl Into<String>) -> Sheet {
        Sheet {
            sheet_id,
            title: title.into(),
            row_count: DEFAULT_ROW_COUNT,
            column_count: DEFAULT_COLUMN_COUNT,
            frozen_row_count: 0,
            frozen_column_count: 0,
            other_properties: Map::new(),
            objects: Map::new(),
            row_properties: BTreeMap::new(),
            column_properties: BTreeMap::new(),
            rows: Vec::new(),
        }
    }

    pub fn cell(&self, row: u32, column: u32) -> Option<&Cell> {
        self.rows
            .get(row as usize)
            .and_then(|cells| cells.get(column as usize))
            .and_then(Option::as_ref)
    }

    /// Stores or clears one cell, keeping rows free of trailing empties.
    pub fn set(&mut self, row: u32, column: u32, cell: Option<Cell>) {
        let (row, column) = (row as usize, column as usize);
        if cell.is_none() && self.cell(row as u32, column as u32).is_none() {
            return;
        }
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Vec::new);
        }
        let cells = &mut self.rows[row];
        if cells.len() <= column {
            cells.resize_with(column + 1, || None);
        }
        cells[column] = cell;
        while cells.last().is_some_and(Option::is_none) {
            cells.pop();
        }
        while self.rows.last().is_some_and(Vec::is_empty) {
            self.rows.pop();
        }
    }

    /// Writes a value (or clears it, `None`) keeping the cell's formatting, note and
    /// validation, as a write through the values API does; a value without a number
    /// format of its own keeps the cell's.
    pub fn put_value(&mut self, row: u32, column: u32, cell: Option<Cell>) {
        let existing = self.cell(row, column);
        let merged = match (cell, existing) {
            (None, existing) => existing.and_then(Cell::decoration),
            (Some(cell), None) => Some(cell),
            (Some(mut cell), Some(existing)) => {
                if cell.format.is_none() {
                    cell.format = existing.format.clone();
                }
                cell.take_decoration_of(existing);
                Some(cell)
            }
        };
        self.set(row, column, merged);
    }

    /// The rectangle an A1 area selects, clamped to the grid; an error when it starts
    /// past the grid.
    pub fn rect(&self, area: Option<&Area>) -> Result<Rect, ApiError> {
        let bounds = area.map(Area::bounds).unwrap_or_default();
        if bounds.start_row >= self.row_count || bounds.start_column >= self.column_count {
            let text = area.map(Area::to_a1).unwrap_or_default();
            return Err(self.grid_limit_error(&text));
        }
        Ok(self.clamp(&bounds))
    }

    fn clamp(&self, bounds: &Bounds) -> Rect {
        Rect {
            start_row: bounds.start_row,
            end_row: bounds.end_row.unwrap_or(self.row_count).min(self.row_count),
            start_column: bounds.start_column,
            end_column: bounds
                .end_column
                .unwrap_or(self.column_count)
                .min(self.column_count),
        }
    }

    /// Google's "Range ('Sheet1'!A1001:B1200) exceeds grid limits. Max rows: 1000, max
    /// columns: 26".
    pub fn grid_limit_error(&self, cells: &str) -> ApiError {
        ApiError::invalid_argument(format!(
            "Range ({}!{cells}) exceeds grid limits. Max rows: {}, max columns: {}",
            a1::quoted(&self.title),
            self.row_count,
            self.column_count
        ))
    }

    /// `Sheet1!A1:B2` for a rectangle of this sheet.
    pub fn a1(&self, rect: &Rect) -> String {
        a1::range_a1(
            &self.title,
            rect.start_row,
            rect.end_row,
            rect.start_column,
            rect.end_column,
        )
    }

    /// The values of a rectangle, trailing empties trimmed; `None` when it holds no data.
    pub fn read(
        &self,
        rect: &Rect,
        major: MajorDimension,
        render: ValueRenderOption,
        date_time: DateTimeRenderOption,
        locale: &LocaleRules,
    ) -> Option<Vec<Value>> {
        let render_cell = |row: u32, column: u32| -> Value {
            match self.cell(row, column) {
                Some(cell) => cell::render(cell, render, date_time, locale),
                None => Value::String(String::new()),
            }
        };
        let last_row = rect.end_row.min(self.rows.len() as u32);
        let mut lines: Vec<Vec<Value>> = Vec::new();
        match major {
            MajorDimension::Rows => {
                for row in rect.start_row..last_row {
                    let stored = self.rows[row as usize].len() as u32;
                    let end = rect.end_column.min(stored);
                    let line = (rect.start_column..end)
                        .map(|column| render_cell(row, column))
                        .collect();
                    lines.push(line);
                }
            }
            MajorDimension::Columns => {
                for column in rect.start_column..rect.end_column {
                    let line = (rect.start_row..last_row)
                        .map(|row| render_cell(row, column))
                        .collect();
                    lines.push(line);
                }
            }
        }
        for line in &mut lines {
            while line.last().is_some_and(is_empty_value) {
                line.pop();
            }
        }
        while lines.last().is_some_and(Vec::is_empty) {
            lines.pop();
        }
        if lines.is_empty() {
            return None;
        }
        Some(lines.into_iter().map(Value::Array).collect())
    }

    /// Writes values at `start`, within `limit` when the range was bounded. Values are
    /// validated before anything is written.
    #[allow(clippy::too_many_arguments)]
    pub fn write(
        &mut self,
        start_row: u32,
        start_column: u32,
        limit: Option<Rect>,
        limit_text: &str,
        values: &[Vec<Value>],
        major: MajorDimension,
        option: ValueInputOption,
        locale: &LocaleRules,
    ) -> Result<WriteSummary, ApiError> {
        let grid = oriented(values, major);
        let mut writes = Vec::new();
        let mut summary = WriteSummary::default();
        let mut rows_touched = std::collections::BTreeSet::new();
        let mut columns_touched = std::collections::BTreeSet::new();
        let height = grid.len() as u32;
        let width = grid.iter().map(Vec::len).max().unwrap_or(0) as u32;
        for (row_offset, line) in grid.iter().enumerate() {
            for (column_offset, value) in line.iter().enumerate() {
                let Some((source_row, source_column, value)) = value else {
                    continue;
                };
                let written = cell::interpret(value, option, locale).map_err(|description| {
                    ApiError::invalid_argument(format!(
                        "Invalid values[{source_row}][{source_column}]: {description}"
                    ))
                })?;
                let row = start_row + row_offset as u32;
                let column = start_column + column_offset as u32;
                if let Some(limit) = &limit {
                    if row >= limit.end_row {
                        return Err(ApiError::invalid_argument(format!(
                            "Requested writing within range [{limit_text}], but tried writing to row [{}]",
                            row + 1
                        )));
                    }
                    if column >= limit.end_column {
                        return Err(ApiError::invalid_argument(format!(
                            "Requested writing within range [{limit_text}], but tried writing to column [{}]",
                            a1::column_letters(column)
                        )));
                    }
                }
                match written {
                    Written::Skip => continue,
                    Written::Clear => writes.push((row, column, None)),
                    Written::Set(cell) => writes.push((row, column, Some(cell))),
                }
                rows_touched.insert(row);
                columns_touched.insert(column);
                summary.cells += 1;
            }
        }
        if height > 0 && width > 0 {
            let rect = Rect {
                start_row,
                end_row: start_row + height,
                start_column,
                end_column: start_column + width,
            };
            if rect.end_row > self.row_count || rect.end_column > self.column_count {
                let text = a1::cells_a1(
                    rect.start_row,
                    rect.end_row,
                    rect.start_column,
                    rect.end_column,
                );
                return Err(self.grid_limit_error(&text));
            }
            summary.rect = Some(rect);
        }
        for (row, column, cell) in writes {
            self.put_value(row, column, cell);
        }
        summary.rows = rows_touched.len() as u32;
        summary.columns = columns_touched.len() as u32;
        summary.touched_rows = rows_touched;
        summary.touched_columns = columns_touched;
        Ok(summary)
    }

    /// Clears the values of a rectangle.
    pub fn clear(&mut self, rect: &Rect) {
        let last_row = rect.end_row.min(self.rows.len() as u32);
        for row in rect.start_row..last_row {
            let stored = self.rows[row as usize].len() as u32;
            for column in rect.start_column..rect.end_column.min(stored) {
                self.put_value(row, column, None);
            }
        }
    }

    /// The tables of the sheet, as the append call detects them: groups of non-empty
    /// cells touching each other (diagonals included), as bounding boxes, overlapping
    /// boxes merged.
    pub fn tables(&self) -> Vec<Rect> {
        // Runs of consecutive non-empty cells, row by row, joined with a union-find.
        let mut runs: Vec<(u32, u32, u32)> = Vec::new(); // (row, start column, end column)
        let mut row_starts: Vec<usize> = Vec::with_capacity(self.rows.len() + 1);
        for (row, cells) in self.rows.iter().enumerate() {
            row_starts.push(runs.len());
            let mut column = 0;
            let filled =
                |column: usize| cells[column].as_ref().is_some_and(|cell| !cell.is_blank());
            while column < cells.len() {
                if !filled(column) {
                    column += 1;
                    continue;
                }
                let start = column;
                while column < cells.len() && filled(column) {
                    column += 1;
                }
                runs.push((row as u32, start as u32, column as u32));
            }
        }
        row_starts.push(runs.len());
        let mut parent: Vec<usize> = (0..runs.len()).collect();
        fn find(parent: &mut [usize], mut index: usize) -> usize {
            while parent[index] != index {
                parent[index] = parent[parent[index]];
                index = parent[index];
            }
            index
        }
        for row in 1..self.rows.len() {
            for current in row_starts[row]..row_starts[row + 1] {
                for previous in row_starts[row - 1]..row_starts[row] {
                    let (_, start, end) = runs[current];
                    let (_, previous_start, previous_end) = runs[previous];
                    if start <= previous_end && previous_start <= end {
                        let (a, b) = (find(&mut parent, current), find(&mut parent, previous));
                        parent[a] = b;
                    }
                }
            }
        }
        let mut boxes: BTreeMap<usize, Rect> = BTreeMap::new();
        for (index, &(row, start, end)) in runs.iter().enumerate() {
            let rect = Rect {
                start_row: row,
                end_row: row + 1,
                start_column: start,
                end_column: end,
            };
            let root = find(&mut parent, index);
            boxes
                .entry(root)
                .and_modify(|existing| *existing = existing.union(&rect))
                .or_insert(rect);
        }
        let mut tables: Vec<Rect> = boxes.into_values().collect();
        loop {
            let mut merged = false;
            'outer: for first in 0..tables.len() {
                for second in first + 1..tables.len() {
                    if tables[first].intersects(&tables[second]) {
                        tables[first] = tables[first].union(&tables[second]);
                        tables.remove(second);
                        merged = true;
                        break 'outer;
                    }
                }
            }
            if !merged {
                return tables;
            }
        }
    }

    /// Inserts empty rows before `start`; the grid grows.
    pub fn insert_rows(&mut self, start: u32, count: u32) {
        let at = start as usize;
        if at < self.rows.len() {
            let empties = std::iter::repeat_with(Vec::new).take(count as usize);
            self.rows.splice(at..at, empties);
        }
        self.row_count += count;
    }

    /// Deletes rows `[start, end)`; the grid shrinks.
    pub fn delete_rows(&mut self, start: u32, end: u32) {
        let (start, end) = (start as usize, end as usize);
        if start < self.rows.len() {
            self.rows.drain(start..end.min(self.rows.len()));
        }
        while self.rows.last().is_some_and(Vec::is_empty) {
            self.rows.pop();
        }
        self.row_count -= (end - start) as u32;
        self.frozen_row_count = self.frozen_row_count.min(self.row_count.saturating_sub(1));
    }

    /// Inserts empty columns before `start`; the grid grows.
    pub fn insert_columns(&mut self, start: u32, count: u32) {
        let at = start as usize;
        for cells in &mut self.rows {
            if at < cells.len() {
                let empties = std::iter::repeat_with(|| None).take(count as usize);
                cells.splice(at..at, empties);
            }
        }
        self.column_count += count;
    }

    /// Deletes columns `[start, end)`; the grid shrinks.
    pub fn delete_columns(&mut self, start: u32, end: u32) {
        let (start, end) = (start as usize, end as usize);
        for cells in &mut self.rows {
            if start < cells.len() {
                cells.drain(start..end.min(cells.len()));
            }
            while cells.last().is_some_and(Option::is_none) {
                cells.pop();
            }
        }
        while self.rows.last().is_some_and(Vec::is_empty) {
            self.rows.pop();
        }
        self.column_count -= (end - start) as u32;
        self.frozen_column_count = self
            .frozen_column_count
            .min(self.column_count.saturating_sub(1));
    }

    /// `SheetProperties` as the API answers them.
    pub fn properties_json(&self, index: usize) -> Value {
        let mut grid = Map::new();
        grid.insert("rowCount".into(), json!(self.row_count));
        grid.insert("columnCount".into(), json!(self.column_count));
        if self.frozen_row_count > 0 {
            grid.insert("frozenRowCount".into(), json!(self.frozen_row_count));
        }
        if self.frozen_column_count > 0 {
            grid.insert("frozenColumnCount".into(), json!(self.frozen_column_count));
        }
        if let Some(Value::Object(extra)) = self.other_properties.get("gridProperties") {
            for (key, value) in extra {
                grid.insert(key.clone(), value.clone());
            }
        }
        let mut properties = json!({
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": grid,
        });
        if let Some(object) = properties.as_object_mut() {
            for (key, value) in &self.other_properties {
                if key != "gridProperties" {
                    object.insert(key.clone(), value.clone());
                }
            }
        }
        properties
    }

    /// `GridData` of a rectangle (for `includeGridData=true`).
    /// `default_format` is the spreadsheet's, `metadata` its developer metadata (entries on
    /// rows and columns of this sheet show in `rowMetadata`/`columnMetadata`).
    pub fn grid_data(
        &self,
        rect: &Rect,
        locale: &LocaleRules,
        default_format: &Value,
        metadata: &[Value],
    ) -> Value {
        let mut rows = Vec::new();
        let last_row = rect.end_row.min(self.rows.len() as u32);
        for row in rect.start_row..last_row {
            let stored = self.rows[row as usize].len() as u32;
            let mut cells: Vec<Value> = (rect.start_column..rect.end_column.min(stored))
                .map(|column| match self.cell(row, column) {
                    Some(cell) => cell_data(cell, locale, default_format),
                    None => json!({}),
                })
                .collect();
            while cells.last().is_some_and(|cell| cell == &json!({})) {
                cells.pop();
            }
            rows.push(if cells.is_empty() {
                json!({})
            } else {
                json!({ "values": cells })
            });
        }
        while rows.last().is_some_and(|row| row == &json!({})) {
            rows.pop();
        }
        let mut data = Map::new();
        if rect.start_row > 0 {
            data.insert("startRow".into(), json!(rect.start_row));
        }
        if rect.start_column > 0 {
            data.insert("startColumn".into(), json!(rect.start_column));
        }
        if !rows.is_empty() {
            data.insert("rowData".into(), Value::Array(rows));
        }
        let dimension = |rows: bool, start: u32, end: u32| -> Vec<Value> {
            let (stored, default_size) = if rows {
                (&self.row_properties, 21)
            } else {
                (&self.column_properties, 100)
            };
            (start..end)
                .map(|index| {
                    let mut properties = Map::new();
                    properties.insert("pixelSize".into(), json!(default_size));
                    if let Some(set) = stored.get(&index) {
                        for (key, value) in set {
                            properties.insert(key.clone(), value.clone());
                        }
                    }
                    let located: Vec<Value> = metadata
                        .iter()
                        .filter(|entry| {
                            let span = entry
                                .get("location")
                                .and_then(|location| location.get("dimensionRange"));
                            span.and_then(|span| {
                                crate::ranges::DimensionSpan::parse(Some(span), "dimensionRange")
                                    .ok()
                            })
                            .is_some_and(|span| {
                                span.sheet_id == self.sheet_id
                                    && span.rows == rows
                                    && span.start <= index
                                    && span.end.is_none_or(|end| index < end)
                            })
                        })
                        .cloned()
                        .collect();
                    if !located.is_empty() {
                        properties.insert("developerMetadata".into(), Value::Array(located));
                    }
                    Value::Object(properties)
                })
                .collect()
        };
        data.insert(
            "rowMetadata".into(),
            Value::Array(dimension(true, rect.start_row, rect.end_row)),
        );
        data.insert(
            "columnMetadata".into(),
            Value::Array(dimension(false, rect.start_column, rect.end_column)),
        );
        Value::Object(data)
    }
}

/// `CellData` of a cell: entered and effective value, formatted value, formats, note,
/// validation. `default_format` is the spreadsheet's `defaultFormat`.
fn cell_data(cell: &Cell, locale: &LocaleRules, default_format: &Value) -> Value {
    let extended = |value: &CellValue| match value {
        CellValue::String(text) => json!({ "stringValue": text }),
        CellValue::Number(number) => json!({ "numberValue": cell::json_number(*number) }),
        CellValue::Bool(flag) => json!({ "boolValue": flag }),
        CellValue::Error(error) => {
            json!({ "errorValue": { "type": error.kind(), "message": error.message() } })
        }
    };
    let mut data = Map::new();
    match (&cell.formula, &cell.value) {
        (Some(formula), _) => {
            data.insert(
                "userEnteredValue".into(),
                json!({ "formulaValue": formula }),
            );
        }
        (None, Some(value)) => {
            data.insert("userEnteredValue".into(), extended(value));
        }
        (None, None) => {}
    }
    if let Some(value) = &cell.value {
        data.insert("effectiveValue".into(), extended(value));
        data.insert(
            "formattedValue".into(),
            Value::String(cell::formatted(cell, locale)),
        );
    }
    let entered = crate::requests::user_entered_format(cell);
    if !entered.is_empty() {
        data.insert("userEnteredFormat".into(), Value::Object(entered.clone()));
    }
    if cell.value.is_some() || !entered.is_empty() {
        let mut effective = default_format.clone();
        if let Some(object) = effective.as_object_mut() {
            let alignment = match &cell.value {
                Some(CellValue::Number(_)) => Some("RIGHT"),
                Some(CellValue::String(_)) => Some("LEFT"),
                Some(CellValue::Bool(_) | CellValue::Error(_)) => Some("CENTER"),
                None => None,
            };
            if let Some(alignment) = alignment {
                object.insert("horizontalAlignment".into(), json!(alignment));
            }
            object.insert("hyperlinkDisplayType".into(), json!("PLAIN_TEXT"));
            if let Some(format) = cell.shown_format() {
                object.insert("numberFormat".into(), json!(format));
            }
        }
        merge_json(&mut effective, &Value::Object(entered));
        data.insert("effectiveFormat".into(), effective);
    }
    if let Some(note) = cell.note() {
        data.insert("note".into(), json!(note));
    }
    if let Some(rule) = cell.data_validation() {
        data.insert("dataValidation".into(), rule.clone());
    }
    Value::Object(data)
}

/// Deep-merges `overlay` into `base` (objects merged key by key, other values replaced).
pub(crate) fn merge_json(base: &mut Value, overlay: &Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(key) {
                    Some(existing) => merge_json(existing, value),
                    None => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, overlay) => *base = overlay.clone(),
    }
}

/// `spreadsheetTheme` of a new spreadsheet.
fn spreadsheet_theme() -> Value {
    let color = |kind: &str, rgb: Value| json!({"colorType": kind, "color": {"rgbColor": rgb}});
    json!({
        "primaryFontFamily": "Arial",
        "themeColors": [
            color("TEXT", json!({})),
            color("BACKGROUND", json!({"red": 1, "green": 1, "blue": 1})),
            color("ACCENT1", json!({"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275})),
            color("ACCENT2", json!({"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314})),
            color("ACCENT3", json!({"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275})),
            color("ACCENT4", json!({"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902})),
            color("ACCENT5", json!({"red": 1, "green": 0.42745098, "blue": 0.003921569})),
            color("ACCENT6", json!({"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706})),
            color("LINK", json!({"red": 0.06666667, "green": 0.33333334, "blue": 0.8})),
        ]
    })
}

fn is_empty_value(value: &Value) -> bool {
    matches!(value, Value::String(text) if text.is_empty())
}

/// A written value and its position in the request (`values[i][j]`).
type Placed<'a> = (usize, usize, &'a Value);

/// The written arrays as rows; each present value keeps its position in the request
/// (`values[i][j]`) for error messages. A `COLUMNS` request is transposed.
fn oriented(values: &[Vec<Value>], major: MajorDimension) -> Vec<Vec<Option<Placed<'_>>>> {
    match major {
        MajorDimension::Rows => values
            .iter()
            .enumerate()
            .map(|(i, line)| {
                line.iter()
                    .enumerate()
                    .map(|(j, value)| Some((i, j, value)))
                    .collect()
            })
            .collect(),
        MajorDimension::Columns => {
            let height = values.iter().map(Vec::len).max().unwrap_or(0);
            (0..height)
                .map(|row| {
                    let mut line: Vec<Option<Placed<'_>>> = values
                        .iter()
                        .enumerate()
                        .map(|(column, line)| line.get(row).map(|value| (column, row, value)))
                        .collect();
                    while line.last().is_some_and(Option::is_none) {
                        line.pop();
                    }
                    line
                })
                .collect()
        }
    }
}

/// A spreadsheet: properties, sheets, who may use it.
#[derive(Clone, Debug, PartialEq)]
pub struct Spreadsheet {
    pub spreadsheet_id: String,
    pub title: String,
    pub locale: String,
    pub time_zone: String,
    pub sheets: Vec<Sheet>,
    /// Accounts (lower-case emails) given access.
    pub permissions: BTreeMap<String, Role>,
    /// Readable by anyone with the link: API keys may read it.
    pub public: bool,
    /// `namedRanges` and `developerMetadata`, as the resource lists them.
    pub objects: Map<String, Value>,
    /// `SpreadsheetProperties` kept as given: `defaultFormat`, `autoRecalc`,
    /// `iterativeCalculationSettings`, `spreadsheetTheme`.
    pub other_properties: Map<String, Value>,
}

/// Where a range points: the sheet's index and the cells as written.
#[derive(Clone, Debug)]
pub struct Target {
    pub sheet_index: usize,
    pub area: Option<Area>,
}

impl Spreadsheet {
    pub fn locale_rules(&self) -> LocaleRules {
        LocaleRules::for_locale(&self.locale)
    }

    /// The sheet with this title, compared case-insensitively as Sheets does.
    pub fn sheet_index(&self, title: &str) -> Option<usize> {
        let wanted = title.to_lowercase();
        self.sheets
            .iter()
            .position(|sheet| sheet.title.to_lowercase() == wanted)
    }

    pub fn sheet_index_by_id(&self, sheet_id: i32) -> Option<usize> {
        self.sheets
            .iter()
            .position(|sheet| sheet.sheet_id == sheet_id)
    }

    /// Resolves an A1 range (already percent-decoded) to a sheet; unknown sheets are
    /// "Unable to parse range" as in Google.
    pub fn target(&self, text: &str) -> Result<Target, ApiError> {
        let unparsable = || ApiError::invalid_argument(format!("Unable to parse range: {text}"));
        let parsed = A1Range::parse(text).map_err(|_| unparsable())?;
        if let (Some(name), None) = (&parsed.sheet, &parsed.area)
            && self.sheet_index(name).is_none()
            && let Some(named) = crate::requests::named_range_by_name(self, name)
        {
            // A named range: its cells.
            let (sheet_index, rect) = named.resolve(self).map_err(|_| unparsable())?;
            let area = a1::Area::parse_cells(&a1::cells_a1(
                rect.start_row,
                rect.end_row,
                rect.start_column,
                rect.end_column,
            ))
            .ok_or_else(unparsable)?;
            return Ok(Target {
                sheet_index,
                area: Some(area),
            });
        }
        let sheet_index = match &parsed.sheet {
            Some(name) => self.sheet_index(name).ok_or_else(unparsable)?,
            None => 0,
        };
        if self.sheets.is_empty() {
            return Err(unparsable());
        }
        Ok(Target {
            sheet_index,
            area: parsed.area,
        })
    }

    /// The whole `Spreadsheet` resource as `spreadsheets.get` answers it.
    pub fn resource(&self, url_prefix: &str, sheets: Vec<Value>) -> Value {
        let mut properties = Map::new();
        properties.insert("title".into(), json!(self.title));
        properties.insert("locale".into(), json!(self.locale));
        properties.insert("autoRecalc".into(), json!("ON_CHANGE"));
        properties.insert("timeZone".into(), json!(self.time_zone));
        properties.insert("defaultFormat".into(), self.default_format());
        properties.insert("spreadsheetTheme".into(), spreadsheet_theme());
        for (key, value) in &self.other_properties {
            if key != "defaultFormat" {
                properties.insert(key.clone(), value.clone());
            }
        }
        let mut resource = Map::new();
        resource.insert("spreadsheetId".into(), json!(self.spreadsheet_id));
        resource.insert("properties".into(), Value::Object(properties));
        resource.insert("sheets".into(), Value::Array(sheets));
        if let Some(named) = self.objects.get("namedRanges") {
            resource.insert("namedRanges".into(), named.clone());
        }
        let metadata = self.developer_metadata_at(|location| {
            location.get("spreadsheet").and_then(Value::as_bool) == Some(true)
        });
        if !metadata.is_empty() {
            resource.insert("developerMetadata".into(), Value::Array(metadata));
        }
        resource.insert(
            "spreadsheetUrl".into(),
            json!(format!("{url_prefix}{}/edit", self.spreadsheet_id)),
        );
        Value::Object(resource)
    }

    /// Developer metadata whose location satisfies `at`.
    pub fn developer_metadata_at(&self, at: impl Fn(&Value) -> bool) -> Vec<Value> {
        crate::requests::developer_metadata(self)
            .iter()
            .filter(|entry| entry.get("location").is_some_and(&at))
            .cloned()
            .collect()
    }

    /// `defaultFormat`: Sheets' defaults, with what `updateSpreadsheetProperties` set.
    pub fn default_format(&self) -> Value {
        let mut format = json!({
            "backgroundColor": {"red": 1, "green": 1, "blue": 1},
            "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
            "verticalAlignment": "BOTTOM",
            "wrapStrategy": "OVERFLOW_CELL",
            "textFormat": {
                "foregroundColor": {},
                "fontFamily": "arial,sans,sans-serif",
                "fontSize": 10,
                "bold": false,
                "italic": false,
                "strikethrough": false,
                "underline": false,
                "foregroundColorStyle": {"rgbColor": {}}
            },
            "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}}
        });
        if let Some(set) = self.other_properties.get("defaultFormat") {
            merge_json(&mut format, set);
        }
        format
    }

    /// Recomputes every formula (after a change of values).
    pub fn recalculate(&mut self) {
        crate::formula::recalculate(self);
    }

    /// Inserts `count` empty rows before row `at` of a sheet; formulas are rewritten as
    /// in Sheets (references below move down) and recomputed.
    pub fn insert_rows(&mut self, sheet: usize, at: u32, count: u32) {
        let change = Change::InsertRows { sheet, at, count };
        formula::restructure(self, change, |spreadsheet| {
            spreadsheet.sheets[sheet].insert_rows(at, count);
            crate::ranges::shift_objects(spreadsheet, change);
        });
    }

    /// Deletes rows `[start, end)` of a sheet; references to them become `#REF!`.
    pub fn delete_rows(&mut self, sheet: usize, start: u32, end: u32) {
        let change = Change::DeleteRows {
            sheet,
            at: start,
            count: end - start,
        };
        formula::restructure(self, change, |spreadsheet| {
            spreadsheet.sheets[sheet].delete_rows(start, end);
            crate::ranges::shift_objects(spreadsheet, change);
        });
    }

    /// Inserts `count` empty columns before column `at` of a sheet.
    pub fn insert_columns(&mut self, sheet: usize, at: u32, count: u32) {
        let change = Change::InsertColumns { sheet, at, count };
        formula::restructure(self, change, |spreadsheet| {
            spreadsheet.sheets[sheet].insert_columns(at, count);
            crate::ranges::shift_objects(spreadsheet, change);
        });
    }

    /// Deletes columns `[start, end)` of a sheet.
    pub fn delete_columns(&mut self, sheet: usize, start: u32, end: u32) {
        let change = Change::DeleteColumns {
            sheet,
            at: start,
            count: end - start,
        };
        formula::restructure(self, change, |spreadsheet| {
            spreadsheet.sheets[sheet].delete_columns(start, end);
            crate::ranges::shift_objects(spreadsheet, change);
        });
    }

    pub fn cell_count(&self) -> u64 {
        self.sheets
            .iter()
            .map(|sheet| u64::from(sheet.row_count) * u64::from(sheet.column_count))
            .sum()
    }

    /// Google's error when a change would pass 10 million cells.
    pub fn check_cell_limit(&self) -> Result<(), ApiError> {
        if self.cell_count() > MAX_CELLS {
            return Err(ApiError::invalid_argument(format!(
                "This action would increase the number of cells in the workbook above the limit of {MAX_CELLS} cells."
            )));
        }
        Ok(())
    }
}

/// Whether an append inserts rows or overwrites (`insertDataOption`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InsertDataOption {
    #[default]
    Overwrite,
    InsertRows,
}

/// What an append did.
#[derive(Clone, Debug, PartialEq)]
pub struct AppendOutcome {
    /// The table found (before the append), `None` when the range held none.
    pub table_range: Option<String>,
    pub updated_range: String,
    pub summary: WriteSummary,
}

/// Appends values after the last table the range touches, as `values.append` does: the
/// new rows start at the table's first column on the row after its last; with no table
/// in the range, at the range's top-left cell. Rows are inserted (`INSERT_ROWS`) or
/// written over (`OVERWRITE`); either way the grid grows to fit. On error the spreadsheet
/// may be half-changed: callers work on a copy.
pub fn append(
    spreadsheet: &mut Spreadsheet,
    target: &Target,
    values: &[Vec<Value>],
    major: MajorDimension,
    option: ValueInputOption,
    insert: InsertDataOption,
) -> Result<AppendOutcome, ApiError> {
    let locale = spreadsheet.locale_rules();
    let sheet = &spreadsheet.sheets[target.sheet_index];
    let range = sheet.rect(target.area.as_ref())?;
    let table = sheet
        .tables()
        .into_iter()
        .filter(|table| table.intersects(&range))
        // The last table: lowest, then rightmost (a header `A1`, gap, `C1` appends
        // under C, as Google does).
        .max_by_key(|table| (table.end_row, table.start_row, table.start_column));
    let table_range = table.as_ref().map(|table| sheet.a1(table));
    let (start_row, start_column) = match &table {
        Some(table) => (table.end_row, table.start_column),
        None => (range.start_row, range.start_column),
    };
    let grid = oriented(values, major);
    let height = grid.len() as u32;
    let width = grid.iter().map(Vec::len).max().unwrap_or(0) as u32;
    if insert == InsertDataOption::InsertRows && height > 0 {
        spreadsheet.insert_rows(target.sheet_index, start_row, height);
    }
    let sheet = &mut spreadsheet.sheets[target.sheet_index];
    sheet.row_count = sheet.row_count.max(start_row + height);
    sheet.column_count = sheet.column_count.max(start_column + width);
    spreadsheet.check_cell_limit()?;
    let sheet = &mut spreadsheet.sheets[target.sheet_index];
    let summary = sheet.write(
        start_row,
        start_column,
        None,
        "",
        values,
        major,
        option,
        &locale,
    )?;
    let updated_range = match &summary.rect {
        Some(rect) => sheet.a1(rect),
        None => a1::range_a1(
            &sheet.title,
            start_row,
            start_row + 1,
            start_column,
            start_column + 1,
        ),
    };
    spreadsheet.recalculate();
    Ok(AppendOutcome {
        table_range,
        updated_range,
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet_with(rows: &[&[&str]]) -> Sheet {
        let mut sheet = Sheet::new(0, "Sheet1");
        for (row, cells) in rows.iter().enumerate() {
            for (column, text) in cells.iter().enumerate() {
                if !text.is_empty() {
                    sheet.set(row as u32, column as u32, Some(Cell::string(*text)));
                }
            }
        }
        sheet
    }

    fn rect(start_row: u32, end_row: u32, start_column: u32, end_column: u32) -> Rect {
        Rect {
            start_row,
            end_row,
            start_column,
            end_column,
        }
    }

    #[test]
    fn tables_as_the_append_guide_describes_them() {
        // Google's guide: two tables, A1:C2 and B4:D6.
        let sheet = sheet_with(&[
            &["x", "y", "z"],
            &["x", "y", "z"],
            &[],
            &["", "x", "y"],
            &["", "", "y", "z"],
            &["", "x", "y", "z"],
        ]);
        assert_eq!(sheet.tables(), vec![rect(0, 2, 0, 3), rect(3, 6, 1, 4)]);
    }

    #[test]
    fn insert_and_delete_rows_shift_data() {
        let mut sheet = sheet_with(&[&["a"], &["b"], &["c"]]);
        sheet.insert_rows(1, 2);
        assert_eq!(sheet.row_count, 1002);
        assert_eq!(sheet.cell(3, 0), Some(&Cell::string("b")));
        sheet.delete_rows(0, 3);
        assert_eq!(sheet.row_count, 999);
        assert_eq!(sheet.cell(0, 0), Some(&Cell::string("b")));
        assert_eq!(sheet.cell(1, 0), Some(&Cell::string("c")));
        assert_eq!(sheet.rows.len(), 2);
    }
}
