//! Columns: field names from the header row, field types, the value schema, and turning a
//! row's cells into a `Struct`.
//!
//! Field names come from the header row as written (trimmed). A blank header cell is
//! named after its column letter (`C`), and a name seen before in the row gets the first
//! free suffix `_2`, `_3`, ... (`Question`, `Question_2`), reading left to right, so that a
//! column added at the right never renames the columns before it. Columns beyond the header
//! (cells with no header above them) are named by their letters too. Without a header row
//! every field is named by its letter.
//!
//! With formatted values every field is an optional string. With unformatted values each
//! column takes the type of its first non-empty value (FLOAT64 for numbers, BOOLEAN, a
//! Timestamp for a date-time in the spreadsheet's format, else STRING), and a column whose
//! values disagree later becomes an optional string for good. An empty cell is null. The
//! schema only changes when the header changes, a column appears, or a column widens; the
//! Struct schema is named after the sheet (`Form responses 1` -> `form_responses_1`).

use connect_api::data::logical::Timestamp;
use connect_api::{ConnectResult, Schema, SchemaBuilder, Struct, Value};

use crate::a1;
use crate::offsets::is_empty_cell;
use crate::timestamp::TimestampParser;

/// A sheet title as a schema name: ASCII letters and digits lower-cased, every run of
/// anything else one `_`, never empty and never starting with a digit.
pub fn struct_name(sheet_title: &str) -> String {
    let mut name = String::new();
    let mut pending_underscore = false;
    for c in sheet_title.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_underscore && !name.is_empty() {
                name.push('_');
            }
            pending_underscore = false;
            name.push(c.to_ascii_lowercase());
        } else {
            pending_underscore = true;
        }
    }
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, if name.is_empty() { "sheet" } else { "sheet_" });
    }
    name
}

/// Field names for `width` columns under `header` (see the module documentation).
pub fn field_names(header: &[String], width: usize) -> Vec<String> {
    let width = width.max(header.len());
    let mut names: Vec<String> = Vec::with_capacity(width);
    for index in 0..width {
        let written = header.get(index).map(|h| h.trim()).unwrap_or("");
        let base = if written.is_empty() {
            a1::column_letters(index)
        } else {
            written.to_string()
        };
        let mut name = base.clone();
        let mut suffix = 2;
        while names.contains(&name) {
            name = format!("{base}_{suffix}");
            suffix += 1;
        }
        names.push(name);
    }
    names
}

/// The type of a column's field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    String,
    Float64,
    Boolean,
    Timestamp,
}

impl ColumnType {
    fn schema(self) -> Schema {
        match self {
            ColumnType::String => Schema::optional_string(),
            ColumnType::Float64 => Schema::optional_float64(),
            ColumnType::Boolean => Schema::optional_boolean(),
            ColumnType::Timestamp => Timestamp::builder().optional().build(),
        }
    }
}

/// The text a cell shows: strings as they are, numbers as written, booleans as Sheets
/// writes them.
pub fn cell_text(cell: &serde_json::Value) -> Option<String> {
    match cell {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) if s.is_empty() => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Bool(true) => Some("TRUE".to_string()),
        serde_json::Value::Bool(false) => Some("FALSE".to_string()),
        other => Some(other.to_string()),
    }
}

/// A sheet's columns and the value schema they make.
#[derive(Clone, Debug)]
pub struct Columns {
    struct_name: String,
    typed: bool,
    header: Vec<String>,
    names: Vec<String>,
    /// `None` until a typed column has seen a value (its field is a string meanwhile).
    types: Vec<Option<ColumnType>>,
    schema: Schema,
}

impl Columns {
    /// No columns yet; `typed` for unformatted values.
    pub fn new(struct_name: String, typed: bool) -> Columns {
        let mut columns = Columns {
            struct_name,
            typed,
            header: Vec::new(),
            names: Vec::new(),
            types: Vec::new(),
            schema: Schema::string(),
        };
        columns.rebuild();
        columns
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Takes the header row as read now; true when the schema changed.
    pub fn set_header(&mut self, header: Vec<String>) -> bool {
        if header == self.header {
            return false;
        }
        let width = self.names.len().max(header.len());
        self.header = header;
        self.names = field_names(&self.header, width);
        self.types.resize(self.names.len(), None);
        self.rebuild();
        true
    }

    /// Makes room for a row of `width` cells and, for typed columns, learns the types of its
    /// values; true when the schema changed. Call before [`Columns::to_struct`].
    pub fn observe_row(&mut self, cells: &[serde_json::Value], parser: &TimestampParser) -> bool {
        let mut changed = false;
        let width = cells
            .iter()
            .rposition(|c| !is_empty_cell(c))
            .map_or(0, |last| last + 1);
        if width > self.names.len() {
            self.names = field_names(&self.header, width);
            self.types.resize(self.names.len(), None);
            changed = true;
        }
        if self.typed {
            for (index, cell) in cells.iter().enumerate().take(width) {
                let Some(seen) = value_type(cell, parser) else {
                    continue;
                };
                match self.types[index] {
                    None => {
                        self.types[index] = Some(seen);
                        changed = true;
                    }
                    Some(current) if current != seen && current != ColumnType::String => {
                        self.types[index] = Some(ColumnType::String);
                        changed = true;
                    }
                    _ => {}
                }
            }
        }
        if changed {
            self.rebuild();
        }
        changed
    }

    /// The index of a column named by its field name, or else by its letters.
    pub fn index_of(&self, column: &str) -> Option<usize> {
        let column = column.trim();
        self.names
            .iter()
            .position(|n| n == column)
            .or_else(|| self.header.iter().position(|h| h.trim() == column))
            .or_else(|| a1::column_index(column))
    }

    /// The schema of column `index`'s field (an optional string for unknown columns).
    pub fn field_schema(&self, index: usize) -> Schema {
        self.types
            .get(index)
            .copied()
            .flatten()
            .map_or_else(Schema::optional_string, ColumnType::schema)
    }

    /// A cell as the value of column `index`'s field.
    pub fn cell_value(
        &self,
        index: usize,
        cell: &serde_json::Value,
        parser: &TimestampParser,
    ) -> Value {
        let column_type = self.types.get(index).copied().flatten();
        if is_empty_cell(cell) {
            return Value::Null;
        }
        match (column_type, cell) {
            (Some(ColumnType::Float64), serde_json::Value::Number(n)) => {
                n.as_f64().map_or(Value::Null, Value::Float64)
            }
            (Some(ColumnType::Boolean), serde_json::Value::Bool(b)) => Value::Boolean(*b),
            (Some(ColumnType::Timestamp), serde_json::Value::String(s)) => {
                parser.parse(s).map_or(Value::Null, Value::Int64)
            }
            _ => cell_text(cell).map_or(Value::Null, Value::String),
        }
    }

    /// The row as a Struct of the current schema.
    pub fn to_struct(
        &self,
        cells: &[serde_json::Value],
        parser: &TimestampParser,
    ) -> ConnectResult<Struct> {
        let mut row = Struct::new(self.schema.clone())?;
        for (index, name) in self.names.iter().enumerate() {
            let Some(cell) = cells.get(index) else {
                break;
            };
            let value = self.cell_value(index, cell, parser);
            if !value.is_null() {
                row.put(name, value)?;
            }
        }
        Ok(row)
    }

    fn rebuild(&mut self) {
        let mut builder = SchemaBuilder::struct_()
            .name(self.struct_name.clone())
            .optional();
        for (index, name) in self.names.iter().enumerate() {
            builder = match builder.field(name.clone(), self.field_schema(index)) {
                Ok(builder) => builder,
                // Names are made unique above; a duplicate cannot happen.
                Err(_) => SchemaBuilder::struct_().name(self.struct_name.clone()),
            };
        }
        self.schema = builder.build();
    }
}

/// The type a typed (unformatted) cell's value has; `None` for an empty cell.
fn value_type(cell: &serde_json::Value, parser: &TimestampParser) -> Option<ColumnType> {
    match cell {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) if s.is_empty() => None,
        serde_json::Value::Number(_) => Some(ColumnType::Float64),
        serde_json::Value::Bool(_) => Some(ColumnType::Boolean),
        serde_json::Value::String(s) if parser.parse(s).is_some() => Some(ColumnType::Timestamp),
        _ => Some(ColumnType::String),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn cells(value: serde_json::Value) -> Vec<serde_json::Value> {
        value.as_array().cloned().unwrap_or_default()
    }

    fn utc() -> TimestampParser {
        TimestampParser::new("en_US", "UTC", None).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn struct_names_are_sanitised_sheet_titles() {
        assert_eq!(struct_name("Form responses 1"), "form_responses_1");
        assert_eq!(struct_name("Form Responses 1"), "form_responses_1");
        assert_eq!(struct_name("  Sales / Q1 (2025) "), "sales_q1_2025");
        assert_eq!(struct_name("2025"), "sheet_2025");
        assert_eq!(struct_name("설문지 응답 시트1"), "sheet_1");
        assert_eq!(struct_name("시트"), "sheet");
    }

    #[test]
    fn blank_headers_take_the_column_letter() {
        let names = field_names(&strings(&["Timestamp", "", "  ", "Score"]), 4);
        assert_eq!(names, strings(&["Timestamp", "B", "C", "Score"]));
        assert_eq!(field_names(&[], 3), strings(&["A", "B", "C"]));
        assert_eq!(
            field_names(&strings(&["Name"]), 3),
            strings(&["Name", "B", "C"])
        );
    }

    #[test]
    fn duplicate_headers_get_predictable_suffixes() {
        let names = field_names(
            &strings(&[
                "Question",
                "Question",
                "Question_2",
                "Question",
                " Question ",
            ]),
            5,
        );
        assert_eq!(
            names,
            strings(&[
                "Question",
                "Question_2",
                "Question_2_2",
                "Question_3",
                "Question_4"
            ])
        );
        // A blank header named C collides with a real header C.
        assert_eq!(
            field_names(&strings(&["C", "", ""]), 3),
            strings(&["C", "B", "C_2"])
        );
        // Growing the header never renames earlier fields.
        let before = field_names(&strings(&["Q", "Q"]), 2);
        let after = field_names(&strings(&["Q", "Q", "Q"]), 3);
        assert_eq!(&after[..2], &before[..]);
    }

    #[test]
    fn a_new_column_adds_an_optional_field() {
        let parser = utc();
        let mut columns = Columns::new("form_responses_1".into(), false);
        assert!(columns.set_header(strings(&["Timestamp", "Q1"])));
        assert!(!columns.set_header(strings(&["Timestamp", "Q1"])));
        let first = columns.schema().clone();
        assert_eq!(first.name(), Some("form_responses_1"));
        assert_eq!(first.fields().map(<[_]>::len).unwrap_or(0), 2);
        let row = columns
            .to_struct(&cells(json!(["4/6/2025 18:56:53", "yes"])), &parser)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(row.get("Q1").ok(), Some(&Value::String("yes".into())));

        assert!(columns.set_header(strings(&["Timestamp", "Q1", "Q2"])));
        let fields = columns.schema().fields().unwrap_or(&[]);
        assert_eq!(fields.len(), 3);
        assert!(fields[2].schema().is_optional());
        assert_eq!(fields[2].name(), "Q2");
        // Old rows (without the new cell) still fit; the new field is null.
        let old = columns
            .to_struct(&cells(json!(["t", "yes"])), &parser)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(old.get("Q2").ok(), Some(&Value::Null));

        // A row wider than the header grows the schema with a lettered field.
        assert!(columns.observe_row(&cells(json!(["t", "a", "b", "extra"])), &parser));
        assert_eq!(
            columns.names(),
            &strings(&["Timestamp", "Q1", "Q2", "D"])[..]
        );
        assert!(!columns.observe_row(&cells(json!(["t", "a", "", "", ""])), &parser));
    }

    #[test]
    fn typed_columns_follow_their_first_value_and_widen_on_disagreement() {
        let parser = utc();
        let mut columns = Columns::new("s".into(), true);
        columns.set_header(strings(&["When", "Score", "Passed", "Note"]));
        let row = cells(json!(["4/6/2025 18:56:53", 9.5, true, "ok"]));
        assert!(columns.observe_row(&row, &parser));
        let value = columns
            .to_struct(&row, &parser)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            value.get("When").ok(),
            Some(&Value::Int64(1_743_965_813_000))
        );
        assert_eq!(value.get("Score").ok(), Some(&Value::Float64(9.5)));
        assert_eq!(value.get("Passed").ok(), Some(&Value::Boolean(true)));
        assert_eq!(value.get("Note").ok(), Some(&Value::String("ok".into())));
        assert_eq!(
            columns.field_schema(0).name(),
            Some(connect_api::data::logical::TIMESTAMP_LOGICAL_NAME)
        );

        // Same types: no change. Empty cells: null, no change.
        assert!(!columns.observe_row(&cells(json!(["1/1/2024", 3, false, ""])), &parser));
        // A text score widens the column to a string, keeping numbers as their text.
        assert!(columns.observe_row(&cells(json!(["1/1/2024", "n/a"])), &parser));
        assert_eq!(columns.field_schema(1), Schema::optional_string());
        let widened = columns
            .to_struct(&cells(json!(["1/1/2024", 3])), &parser)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(widened.get("Score").ok(), Some(&Value::String("3".into())));
    }

    #[test]
    fn columns_are_found_by_name_then_letter() {
        let mut columns = Columns::new("s".into(), false);
        columns.set_header(strings(&["Timestamp", "Email address", "Q", "Q"]));
        assert_eq!(columns.index_of("Email address"), Some(1));
        assert_eq!(columns.index_of("Q_2"), Some(3));
        assert_eq!(columns.index_of("C"), Some(2));
        assert_eq!(columns.index_of("Nope"), None);
    }
}
