//! Formulas: evaluated by a spreadsheet engine, kept current on every change.
//!
//! A formula cell stores what the user entered (`=SUM(B2:B5)`) and the value it computes.
//! Google recomputes dependents whenever anything changes, and rewrites references when
//! rows or columns are inserted or deleted (`=B5` becomes `=B6` after a row is inserted
//! above row 5, `=#REF!` once row 5 is deleted). The emulator does the same with
//! [IronCalc](https://www.ironcalc.com)'s engine (`ironcalc_base`): its parser, its ~300
//! functions (Excel's, which Sheets shares) and its reference displacement, instead of a
//! hand-written evaluator that would cover a fraction of them.
//!
//! The emulator's own cells stay the source of truth. After every change to a spreadsheet
//! that holds formulas, [`recalculate`] loads its sheets into an engine model (values as
//! they are stored, formulas as entered), evaluates it, and writes each formula cell's
//! result back as the cell's value, with the formula in the engine's normal form (`=sum(a1)`
//! reads back as `=SUM(A1)`, as in Sheets). Structural changes go through [`restructure`],
//! which applies the same insertion or deletion to the engine model first and takes the
//! displaced formulas from it. A spreadsheet without formulas costs one scan of its cells.
//!
//! What differs from Google (listed in the README): Sheets-only functions (`QUERY`,
//! `IMPORTRANGE`, `GOOGLEFINANCE`, `SPARKLINE`, `REGEXMATCH`, ...) answer `#NAME?`; array
//! results do not spill into neighbouring cells; formulas use English function names and
//! `,` separators whatever the locale; results take the automatic number format; error
//! messages are per error type rather than per function.

use ironcalc_base::Model;
use ironcalc_base::cell::CellValue as EngineValue;
use ironcalc_base::types::CellType;

use std::collections::HashMap;

use ironcalc_base::expressions::lexer::{Lexer, LexerMode};
use ironcalc_base::expressions::token::TokenType;

use crate::cell::{Cell, CellValue, FormulaError, NumberFormat, NumberFormatType};
use crate::model::Spreadsheet;

/// A row or column insertion or deletion on one sheet, 0-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    InsertRows { sheet: usize, at: u32, count: u32 },
    DeleteRows { sheet: usize, at: u32, count: u32 },
    InsertColumns { sheet: usize, at: u32, count: u32 },
    DeleteColumns { sheet: usize, at: u32, count: u32 },
}

/// True when some cell of the spreadsheet holds a formula.
pub(crate) fn has_formulas(spreadsheet: &Spreadsheet) -> bool {
    spreadsheet.sheets.iter().any(|sheet| {
        sheet
            .rows
            .iter()
            .any(|row| row.iter().flatten().any(|cell| cell.formula.is_some()))
    })
}

/// Recomputes every formula cell of the spreadsheet.
pub(crate) fn recalculate(spreadsheet: &mut Spreadsheet) {
    if !has_formulas(spreadsheet) {
        return;
    }
    let time_zone = spreadsheet.time_zone.clone();
    let Some(mut engine) = Engine::load(spreadsheet, &time_zone) else {
        return;
    };
    engine.model.evaluate();
    engine.store_results(spreadsheet);
}

/// Applies a structural change: `apply` changes the emulator's cells, the engine rewrites
/// the formulas' references, then everything is recomputed.
pub(crate) fn restructure(
    spreadsheet: &mut Spreadsheet,
    change: Change,
    apply: impl FnOnce(&mut Spreadsheet),
) {
    if !has_formulas(spreadsheet) {
        apply(spreadsheet);
        return;
    }
    if let Change::DeleteRows { sheet, at, count } | Change::DeleteColumns { sheet, at, count } =
        change
    {
        // Deletions are displaced here rather than by the engine, which turns a range
        // whose first or last row is deleted into `#REF!:C3`; Sheets shrinks it.
        let rows = matches!(change, Change::DeleteRows { .. });
        let target = spreadsheet.sheets[sheet].title.to_lowercase();
        for formula_sheet in &mut spreadsheet.sheets {
            let own = formula_sheet.title.to_lowercase();
            for cell in formula_sheet.rows.iter_mut().flatten().flatten() {
                if let Some(formula) = &cell.formula {
                    let deletion = Deletion {
                        own_sheet: &own,
                        target_sheet: &target,
                        rows,
                        start: i64::from(at) + 1,
                        count: i64::from(count),
                    };
                    cell.formula = Some(deletion.displace(formula));
                }
            }
        }
        apply(spreadsheet);
        recalculate(spreadsheet);
        return;
    }
    let time_zone = spreadsheet.time_zone.clone();
    let engine = Engine::load(spreadsheet, &time_zone).and_then(|mut engine| {
        let to_i32 = |value: u32| i32::try_from(value).ok();
        let done = match change {
            Change::DeleteRows { .. } | Change::DeleteColumns { .. } => None,
            Change::InsertRows { sheet, at, count } => engine
                .sheet_number(sheet)
                .zip(to_i32(at + 1))
                .zip(to_i32(count))
                .map(|((sheet, row), count)| engine.model.insert_rows(sheet, row, count)),
            Change::InsertColumns { sheet, at, count } => engine
                .sheet_number(sheet)
                .zip(to_i32(at + 1))
                .zip(to_i32(count))
                .map(|((sheet, column), count)| engine.model.insert_columns(sheet, column, count)),
        };
        matches!(done, Some(Ok(()))).then_some(engine)
    });
    apply(spreadsheet);
    match engine {
        Some(mut engine) => {
            engine.model.evaluate();
            engine.store_results(spreadsheet);
        }
        None => recalculate(spreadsheet),
    }
}

/// An engine model holding a copy of a spreadsheet.
struct Engine<'a> {
    model: Model<'a>,
    /// Engine sheet number of each emulator sheet; `None` for a sheet the engine cannot
    /// name (Excel's sheet-name rules are stricter than Sheets').
    sheets: Vec<Option<u32>>,
}

impl<'a> Engine<'a> {
    fn load(spreadsheet: &Spreadsheet, time_zone: &'a str) -> Option<Engine<'a>> {
        let time_zone = if ironcalc_base::get_all_timezones()
            .iter()
            .any(|zone| zone == time_zone)
        {
            time_zone
        } else {
            "UTC"
        };
        let mut model = Model::new_empty("spreadsheet", "en", time_zone, "en").ok()?;
        let mut sheets = Vec::with_capacity(spreadsheet.sheets.len());
        let placeholder = "__emulator_sheet__";
        model.rename_sheet_by_index(0, placeholder).ok()?;
        for (index, sheet) in spreadsheet.sheets.iter().enumerate() {
            let number = u32::try_from(index + 1).ok()?;
            let named = model.insert_sheet(&sheet.title, number, None).is_ok();
            if !named {
                model
                    .insert_sheet(&format!("{placeholder}{index}"), number, None)
                    .ok()?;
            }
            sheets.push(named.then_some(number));
        }
        // Named ranges, so that `=SUM(scores)` computes.
        for named in spreadsheet
            .objects
            .get("namedRanges")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(name) = named.get("name").and_then(serde_json::Value::as_str) else {
                continue;
            };
            let Ok(range) = crate::ranges::GridRange::parse(named.get("range"), "range") else {
                continue;
            };
            let Ok((index, rect)) = range.resolve(spreadsheet) else {
                continue;
            };
            if sheets.get(index).copied().flatten().is_none() || rect.end_row == rect.start_row {
                continue;
            }
            let corner = |row: u32, column: u32| {
                format!("${}${}", crate::a1::column_letters(column), row + 1)
            };
            let formula = format!(
                "{}!{}:{}",
                crate::a1::quoted(&spreadsheet.sheets[index].title),
                corner(rect.start_row, rect.start_column),
                corner(rect.end_row - 1, rect.end_column.saturating_sub(1))
            );
            let _ = model.new_defined_name(name, None, &formula);
        }
        let mut engine = Engine { model, sheets };
        for (index, sheet) in spreadsheet.sheets.iter().enumerate() {
            let number = u32::try_from(index + 1).ok()?;
            for (row, cells) in sheet.rows.iter().enumerate() {
                let Ok(row) = i32::try_from(row + 1) else {
                    continue;
                };
                for (column, cell) in cells.iter().enumerate() {
                    let (Some(cell), Ok(column)) = (cell, i32::try_from(column + 1)) else {
                        continue;
                    };
                    engine.set(number, row, column, cell);
                }
            }
        }
        Some(engine)
    }

    fn sheet_number(&self, index: usize) -> Option<u32> {
        self.sheets.get(index).copied().flatten()
    }

    fn set(&mut self, sheet: u32, row: i32, column: i32, cell: &Cell) {
        // Cells outside the engine's grid (past row 1,048,576 or column XFD) are left out.
        let _ = match (&cell.formula, &cell.value) {
            (Some(formula), _) => {
                self.model
                    .update_cell_with_formula(sheet, row, column, formula.clone())
            }
            (None, Some(CellValue::Number(number))) => self
                .model
                .update_cell_with_number(sheet, row, column, *number),
            (None, Some(CellValue::Bool(flag))) => {
                self.model.update_cell_with_bool(sheet, row, column, *flag)
            }
            (None, Some(CellValue::String(text))) => {
                self.model.update_cell_with_text(sheet, row, column, text)
            }
            (None, Some(CellValue::Error(_)) | None) => Ok(()),
        };
    }

    /// Writes results and normalised formulas back into the emulator's formula cells.
    fn store_results(&self, spreadsheet: &mut Spreadsheet) {
        let formats = automatic_formats(spreadsheet);
        for (index, sheet) in spreadsheet.sheets.iter_mut().enumerate() {
            let Some(number) = u32::try_from(index + 1).ok() else {
                continue;
            };
            for (row, cells) in sheet.rows.iter_mut().enumerate() {
                for (column, cell) in cells.iter_mut().enumerate() {
                    let Some(cell) = cell.as_mut().filter(|cell| cell.formula.is_some()) else {
                        continue;
                    };
                    let (Ok(row), Ok(column)) = (i32::try_from(row + 1), i32::try_from(column + 1))
                    else {
                        continue;
                    };
                    if let Ok(Some(formula)) = self.model.get_cell_formula(number, row, column) {
                        cell.formula = Some(formula);
                    }
                    cell.value = Some(self.result(number, row, column));
                    let automatic = match cell.value {
                        Some(CellValue::Number(_)) => formats
                            .get(&(index, row as usize - 1, column as usize - 1))
                            .cloned(),
                        _ => None,
                    };
                    cell.set_automatic_format(automatic);
                }
            }
        }
    }

    fn result(&self, sheet: u32, row: i32, column: i32) -> CellValue {
        let is_error = matches!(
            self.model.get_cell_type(sheet, row, column),
            Ok(CellType::ErrorValue)
        );
        match self.model.get_cell_value_by_index(sheet, row, column) {
            Ok(EngineValue::String(text)) if is_error => {
                CellValue::Error(FormulaError::from_engine(&text))
            }
            Ok(EngineValue::String(text)) => CellValue::String(text),
            Ok(EngineValue::Number(number)) => CellValue::Number(number),
            Ok(EngineValue::Boolean(flag)) => CellValue::Bool(flag),
            // `=A1` of an empty cell: blank, as in Sheets.
            Ok(EngineValue::None) => CellValue::String(String::new()),
            Err(_) => CellValue::Error(FormulaError::from_engine("#ERROR!")),
        }
    }
}

/// The format each formula's number takes when its cell has none: a date for `TODAY()`,
/// `DATE(...)`, a date-time for `NOW()`, a time for `TIME(...)`; otherwise the format of
/// the first cell the formula refers to (`=A1+1` of a date is a date, `=SUM(C2:C9)` of
/// amounts is an amount), as Sheets does for the common cases.
fn automatic_formats(spreadsheet: &Spreadsheet) -> HashMap<(usize, usize, usize), NumberFormat> {
    let mut formats = HashMap::new();
    let (Ok(locale), Ok(language)) = (
        ironcalc_base::locale::get_locale("en"),
        ironcalc_base::language::get_language("en"),
    ) else {
        return formats;
    };
    let rules = spreadsheet.locale_rules();
    for (index, sheet) in spreadsheet.sheets.iter().enumerate() {
        for (row, cells) in sheet.rows.iter().enumerate() {
            for (column, cell) in cells.iter().enumerate() {
                let Some(formula) = cell.as_ref().and_then(|cell| cell.formula.as_deref()) else {
                    continue;
                };
                let upper = formula.to_uppercase();
                let by_function = [
                    ("=TODAY(", NumberFormatType::Date, rules.date_pattern),
                    ("=DATE(", NumberFormatType::Date, rules.date_pattern),
                    ("=NOW(", NumberFormatType::DateTime, rules.date_time_pattern),
                    ("=TIME(", NumberFormatType::Time, rules.time_pattern),
                ]
                .into_iter()
                .find(|(prefix, _, _)| upper.starts_with(prefix));
                if let Some((_, kind, pattern)) = by_function {
                    formats.insert((index, row, column), NumberFormat::new(kind, pattern));
                    continue;
                }
                let mut lexer = Lexer::new(&formula[1..], LexerMode::A1, locale, language);
                let first = loop {
                    match lexer.next_token() {
                        TokenType::EOF | TokenType::Illegal(_) => break None,
                        TokenType::Reference {
                            sheet: name,
                            row,
                            column,
                            ..
                        } => break Some((name, row, column)),
                        TokenType::Range {
                            sheet: name, left, ..
                        } => break Some((name, left.row, left.column)),
                        _ => {}
                    }
                };
                let Some((name, row_ref, column_ref)) = first else {
                    continue;
                };
                let referred = match name {
                    Some(name) => spreadsheet.sheet_index(&name),
                    None => Some(index),
                };
                let format = referred
                    .and_then(|referred| {
                        spreadsheet.sheets[referred].cell(
                            u32::try_from(row_ref - 1).ok()?,
                            u32::try_from(column_ref - 1).ok()?,
                        )
                    })
                    .and_then(|cell| cell.shown_format())
                    .filter(|format| format.kind != NumberFormatType::Text);
                if let Some(format) = format {
                    formats.insert((index, row, column), format.clone());
                }
            }
        }
    }
    formats
}

/// Rows or columns deleted from a sheet, as they move the references of a formula: a
/// reference into the deleted block becomes `#REF!`, one past it moves up (left); a range
/// keeps what is left of it (`SUM(C3:C5)` less row 3 is `SUM(C3:C4)`), or becomes `#REF!`
/// when all of it is deleted. Coordinates are 1-based.
struct Deletion<'a> {
    /// Lower-case title of the sheet holding the formula (for unqualified references).
    own_sheet: &'a str,
    /// Lower-case title of the sheet losing rows or columns.
    target_sheet: &'a str,
    rows: bool,
    start: i64,
    count: i64,
}

impl Deletion<'_> {
    fn displace(&self, formula: &str) -> String {
        rewrite_references(formula, |token| match token {
            TokenType::Reference {
                sheet,
                row,
                column,
                absolute_row,
                absolute_column,
            } if self.applies(sheet.as_deref()) => Some(
                match self.moved(i64::from(if self.rows { *row } else { *column })) {
                    None => Rewrite::Broken,
                    Some(moved) => {
                        let (row, column) = if self.rows {
                            (moved, i64::from(*column))
                        } else {
                            (i64::from(*row), moved)
                        };
                        Rewrite::Cells(cell_text(row, column, *absolute_row, *absolute_column))
                    }
                },
            ),
            TokenType::Range { sheet, left, right } if self.applies(sheet.as_deref()) => {
                self.range(left, right)
            }
            _ => None,
        })
    }

    fn applies(&self, sheet: Option<&str>) -> bool {
        let sheet = sheet.map(str::to_lowercase);
        sheet.as_deref().unwrap_or(self.own_sheet) == self.target_sheet
    }

    /// Where a coordinate goes; `None` when it is deleted.
    fn moved(&self, coordinate: i64) -> Option<i64> {
        if coordinate < self.start {
            Some(coordinate)
        } else if coordinate < self.start + self.count {
            None
        } else {
            Some(coordinate - self.count)
        }
    }

    fn range(
        &self,
        left: &ironcalc_base::expressions::types::ParsedReference,
        right: &ironcalc_base::expressions::types::ParsedReference,
    ) -> Option<Rewrite> {
        const LAST_ROW: i32 = 1_048_576;
        const LAST_COLUMN: i32 = 16_384;
        let whole_columns = left.row == 1 && right.row == LAST_ROW;
        let whole_rows = left.column == 1 && right.column == LAST_COLUMN;
        if (self.rows && whole_columns) || (!self.rows && whole_rows) {
            return None;
        }
        let (first, last) = if self.rows {
            (i64::from(left.row), i64::from(right.row))
        } else {
            (i64::from(left.column), i64::from(right.column))
        };
        let end = self.start + self.count;
        let new_first = if first < self.start {
            first
        } else if first < end {
            self.start
        } else {
            first - self.count
        };
        let new_last = if last < self.start {
            last
        } else if last < end {
            self.start - 1
        } else {
            last - self.count
        };
        if new_last < new_first {
            return Some(Rewrite::Broken);
        }
        let end_text = |reference: &ironcalc_base::expressions::types::ParsedReference,
                        moved: i64| {
            let (row, column) = if self.rows {
                (moved, i64::from(reference.column))
            } else {
                (i64::from(reference.row), moved)
            };
            if whole_columns {
                column_text(column, reference.absolute_column)
            } else if whole_rows {
                row_text(row, reference.absolute_row)
            } else {
                cell_text(
                    row,
                    column,
                    reference.absolute_row,
                    reference.absolute_column,
                )
            }
        };
        Some(Rewrite::Cells(format!(
            "{}:{}",
            end_text(left, new_first),
            end_text(right, new_last)
        )))
    }
}

/// What becomes of a reference in a rewritten formula.
enum Rewrite {
    /// New cells, written after the reference's sheet prefix as it was written.
    Cells(String),
    /// `#REF!`: the cells are gone.
    Broken,
}

/// Rewrites the references of a formula: `edit` sees each reference or range token and
/// says what replaces it (`None`: kept as written). Everything else is kept byte for byte.
fn rewrite_references(
    formula: &str,
    mut edit: impl FnMut(&TokenType) -> Option<Rewrite>,
) -> String {
    let (Ok(locale), Ok(language)) = (
        ironcalc_base::locale::get_locale("en"),
        ironcalc_base::language::get_language("en"),
    ) else {
        return formula.to_owned();
    };
    let Some(body) = formula.strip_prefix('=') else {
        return formula.to_owned();
    };
    let chars: Vec<char> = body.chars().collect();
    let mut lexer = Lexer::new(body, LexerMode::A1, locale, language);
    let mut out = String::from("=");
    let mut copied = 0usize;
    loop {
        let before = lexer.get_position().max(0) as usize;
        let token = lexer.next_token();
        let after = (lexer.get_position().max(0) as usize).min(chars.len());
        if matches!(token, TokenType::EOF | TokenType::Illegal(_)) {
            break;
        }
        if let Some(rewrite) = edit(&token) {
            let text: String = chars[before..after].iter().collect();
            let leading = text.len() - text.trim_start().len();
            let text = text.trim_start();
            // Keep the sheet prefix as written (`'My sheet'!`).
            let prefix = text.rfind('!').map_or("", |bang| &text[..=bang]);
            out.extend(&chars[copied..before]);
            out.push_str(&" ".repeat(leading));
            match rewrite {
                Rewrite::Broken => out.push_str("#REF!"),
                Rewrite::Cells(cells) => {
                    out.push_str(prefix);
                    out.push_str(&cells);
                }
            }
            copied = after;
        }
        if after <= before {
            break;
        }
    }
    out.extend(&chars[copied.min(chars.len())..]);
    out
}

/// A formula copied `rows` down and `columns` right, as a paste writes it: relative
/// references move by as much (`=A1` copied one row down is `=A2`), absolute ones stay,
/// and one moved off the grid is `#REF!`.
pub(crate) fn shift_relative(formula: &str, rows: i64, columns: i64) -> String {
    if rows == 0 && columns == 0 {
        return formula.to_owned();
    }
    let moved = |row: i32, column: i32, absolute_row: bool, absolute_column: bool| {
        let row = i64::from(row) + if absolute_row { 0 } else { rows };
        let column = i64::from(column) + if absolute_column { 0 } else { columns };
        (row >= 1 && column >= 1).then_some((row, column))
    };
    rewrite_references(formula, |token| match token {
        TokenType::Reference {
            row,
            column,
            absolute_row,
            absolute_column,
            ..
        } => Some(
            match moved(*row, *column, *absolute_row, *absolute_column) {
                Some((row, column)) => {
                    Rewrite::Cells(cell_text(row, column, *absolute_row, *absolute_column))
                }
                None => Rewrite::Broken,
            },
        ),
        TokenType::Range { left, right, .. } => {
            const LAST_ROW: i32 = 1_048_576;
            const LAST_COLUMN: i32 = 16_384;
            if (left.row == 1 && right.row == LAST_ROW)
                || (left.column == 1 && right.column == LAST_COLUMN)
            {
                // Whole columns or rows: left as written.
                return None;
            }
            let start = moved(
                left.row,
                left.column,
                left.absolute_row,
                left.absolute_column,
            );
            let end = moved(
                right.row,
                right.column,
                right.absolute_row,
                right.absolute_column,
            );
            Some(match (start, end) {
                (Some(start), Some(end)) => Rewrite::Cells(format!(
                    "{}:{}",
                    cell_text(start.0, start.1, left.absolute_row, left.absolute_column),
                    cell_text(end.0, end.1, right.absolute_row, right.absolute_column)
                )),
                _ => Rewrite::Broken,
            })
        }
        _ => None,
    })
}

fn column_text(column: i64, absolute: bool) -> String {
    let letters = crate::a1::column_letters(u32::try_from(column - 1).unwrap_or(0));
    format!("{}{letters}", if absolute { "$" } else { "" })
}

fn row_text(row: i64, absolute: bool) -> String {
    format!("{}{row}", if absolute { "$" } else { "" })
}

fn cell_text(row: i64, column: i64, absolute_row: bool, absolute_column: bool) -> String {
    format!(
        "{}{}",
        column_text(column, absolute_column),
        row_text(row, absolute_row)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delete(rows: bool, start: i64, count: i64, formula: &str) -> String {
        Deletion {
            own_sheet: "sheet1",
            target_sheet: "sheet1",
            rows,
            start,
            count,
        }
        .displace(formula)
    }

    #[test]
    fn deletions_shrink_ranges_and_break_lost_references() {
        assert_eq!(delete(true, 3, 1, "=SUM(C3:C5)+C6"), "=SUM(C3:C4)+C5");
        assert_eq!(delete(true, 4, 2, "=SUM($C$3:C5)"), "=SUM($C$3:C3)");
        assert_eq!(delete(true, 3, 3, "=SUM(C3:C5)*2"), "=SUM(#REF!)*2");
        assert_eq!(delete(true, 2, 1, "=C2 & Other!C5"), "=#REF! & Other!C5");
        assert_eq!(
            delete(true, 1, 1, "=SUM(B:B)+SUM(3:4)"),
            "=SUM(B:B)+SUM(2:3)"
        );
        assert_eq!(
            delete(false, 2, 1, "=SUM(A1:C1)+'Sheet1'!D2"),
            "=SUM(A1:B1)+'Sheet1'!C2"
        );
        assert_eq!(delete(false, 1, 1, "=\"C3\"&C3"), "=\"C3\"&B3");
    }
}
