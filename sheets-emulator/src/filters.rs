//! Data filters: the `...ByDataFilter` methods, `developerMetadata.search`, and
//! `sheets.copyTo`.
//!
//! A `DataFilter` selects cells by A1 range (`a1Range`), by grid range (`gridRange`), or
//! by developer metadata (`developerMetadataLookup`): the rows, columns, sheet or
//! spreadsheet the matching metadata is attached to. Metadata is how a program finds
//! "its" rows again after people have inserted rows above them, so the lookup follows
//! the metadata's location as rows move.

use serde_json::{Map, Value, json};

use crate::api::{self, Rendering};
use crate::error::ApiError;
use crate::model::{MajorDimension, Rect, Sheet, Spreadsheet};
use crate::ranges::{DimensionSpan, GridRange};
use crate::requests::{developer_metadata, lookup_matches};

/// The cells a data filter selects, as (sheet index, rectangle); several for a lookup
/// matching several entries, none when nothing matches.
pub(crate) fn resolve(
    spreadsheet: &Spreadsheet,
    filter: &Value,
) -> Result<Vec<(usize, Rect)>, ApiError> {
    if let Some(range) = filter.get("a1Range").and_then(Value::as_str) {
        let target = spreadsheet.target(range)?;
        let rect = spreadsheet.sheets[target.sheet_index].rect(target.area.as_ref())?;
        return Ok(vec![(target.sheet_index, rect)]);
    }
    if let Some(range) = filter.get("gridRange") {
        let (index, rect) = GridRange::parse(Some(range), "gridRange")
            .and_then(|range| range.resolve(spreadsheet))
            .map_err(ApiError::invalid_argument)?;
        return Ok(vec![(index, rect)]);
    }
    let Some(lookup) = filter.get("developerMetadataLookup") else {
        return Err(ApiError::invalid_argument(
            "Invalid dataFilter: one of a1Range, gridRange or developerMetadataLookup must be set.",
        ));
    };
    let mut selected = Vec::new();
    for entry in developer_metadata(spreadsheet) {
        if !lookup_matches(entry, lookup) {
            continue;
        }
        let location = entry.get("location").cloned().unwrap_or(Value::Null);
        if location.get("spreadsheet").and_then(Value::as_bool) == Some(true) {
            for index in 0..spreadsheet.sheets.len() {
                selected.push((index, whole(&spreadsheet.sheets[index])));
            }
        } else if let Some(sheet_id) = location.get("sheetId").and_then(Value::as_i64) {
            if let Some(index) = i32::try_from(sheet_id)
                .ok()
                .and_then(|id| spreadsheet.sheet_index_by_id(id))
            {
                selected.push((index, whole(&spreadsheet.sheets[index])));
            }
        } else if let Some(span) = location.get("dimensionRange") {
            let Ok(span) = DimensionSpan::parse(Some(span), "dimensionRange") else {
                continue;
            };
            let Some(index) = spreadsheet.sheet_index_by_id(span.sheet_id) else {
                continue;
            };
            let sheet = &spreadsheet.sheets[index];
            let mut rect = whole(sheet);
            if span.rows {
                rect.start_row = span.start.min(sheet.row_count);
                rect.end_row = span.end.unwrap_or(sheet.row_count).min(sheet.row_count);
            } else {
                rect.start_column = span.start.min(sheet.column_count);
                rect.end_column = span
                    .end
                    .unwrap_or(sheet.column_count)
                    .min(sheet.column_count);
            }
            selected.push((index, rect));
        }
    }
    Ok(selected)
}

fn whole(sheet: &Sheet) -> Rect {
    Rect {
        start_row: 0,
        end_row: sheet.row_count,
        start_column: 0,
        end_column: sheet.column_count,
    }
}

fn filters_of(request: &Value, field: &str) -> Vec<Value> {
    request
        .get(field)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn rendering(request: &Value) -> Result<Rendering, ApiError> {
    let text = |name: &str| request.get(name).and_then(Value::as_str);
    Ok(Rendering {
        major: api::major_dimension(text("majorDimension"), "major_dimension")?,
        render: api::render_option(text("valueRenderOption"), "value_render_option")?,
        date_time: api::date_time_option(text("dateTimeRenderOption"), "date_time_render_option")?,
    })
}

/// `values.batchGetByDataFilter`.
pub(crate) fn batch_get(spreadsheet: &Spreadsheet, request: &Value) -> Result<Value, ApiError> {
    let rendering = rendering(request)?;
    let mut ranges = Vec::new();
    for filter in filters_of(request, "dataFilters") {
        for (index, rect) in resolve(spreadsheet, &filter)? {
            let range = spreadsheet.sheets[index].a1(&rect);
            ranges.push(json!({
                "valueRange": api::value_range(spreadsheet, &range, rendering)?,
                "dataFilters": [filter],
            }));
        }
    }
    let mut answer = Map::new();
    answer.insert("spreadsheetId".into(), json!(spreadsheet.spreadsheet_id));
    if !ranges.is_empty() {
        answer.insert("valueRanges".into(), Value::Array(ranges));
    }
    Ok(Value::Object(answer))
}

/// `values.batchUpdateByDataFilter`: values written at every range each filter selects.
pub(crate) fn batch_update(
    spreadsheet: &mut Spreadsheet,
    request: &Value,
) -> Result<Value, ApiError> {
    let option = api::input_option(request.get("valueInputOption").and_then(Value::as_str))?;
    let include = request
        .get("includeValuesInResponse")
        .and_then(Value::as_bool)
        == Some(true);
    let response_rendering = Rendering {
        major: MajorDimension::Rows,
        render: api::render_option(
            request
                .get("responseValueRenderOption")
                .and_then(Value::as_str),
            "response_value_render_option",
        )?,
        date_time: api::date_time_option(
            request
                .get("responseDateTimeRenderOption")
                .and_then(Value::as_str),
            "response_date_time_render_option",
        )?,
    };
    let mut totals = api::BatchTotals::default();
    for (position, data) in filters_of(request, "data").into_iter().enumerate() {
        let filter = data.get("dataFilter").cloned().unwrap_or(json!({}));
        let major = api::major_dimension(
            data.get("majorDimension").and_then(Value::as_str),
            &format!("data[{position}].major_dimension"),
        )?;
        let values: Vec<Vec<Value>> = serde_json::from_value(
            data.get("values").cloned().unwrap_or(json!([])),
        )
        .map_err(|error| {
            ApiError::invalid_argument(format!("Invalid JSON payload received. {error}"))
        })?;
        for (index, rect) in resolve(spreadsheet, &filter)? {
            let range = spreadsheet.sheets[index].a1(&rect);
            let (mut response, sheet_index, summary) =
                api::update_values_summarised(spreadsheet, &range, &values, major, option)?;
            if include {
                api::add_updated_data(spreadsheet, &mut response, response_rendering)?;
            }
            if let Some(object) = response.as_object_mut() {
                object.remove("spreadsheetId");
                object.insert("dataFilter".into(), filter.clone());
            }
            totals.add(sheet_index, &summary, response);
        }
    }
    Ok(totals.answer(&spreadsheet.spreadsheet_id))
}

/// `values.batchClearByDataFilter`.
pub(crate) fn batch_clear(
    spreadsheet: &mut Spreadsheet,
    request: &Value,
) -> Result<Value, ApiError> {
    let mut cleared = Vec::new();
    for filter in filters_of(request, "dataFilters") {
        for (index, rect) in resolve(spreadsheet, &filter)? {
            spreadsheet.sheets[index].clear(&rect);
            cleared.push(json!(spreadsheet.sheets[index].a1(&rect)));
        }
    }
    spreadsheet.recalculate();
    let mut answer = Map::new();
    answer.insert("spreadsheetId".into(), json!(spreadsheet.spreadsheet_id));
    if !cleared.is_empty() {
        answer.insert("clearedRanges".into(), Value::Array(cleared));
    }
    Ok(Value::Object(answer))
}

/// `spreadsheets.getByDataFilter`: the resource limited to the filters' ranges.
pub(crate) fn get_by_data_filter(
    spreadsheet: &Spreadsheet,
    request: &Value,
    url_prefix: &str,
) -> Result<Value, ApiError> {
    let include = request.get("includeGridData").and_then(Value::as_bool) == Some(true);
    let mut ranges = Vec::new();
    for filter in filters_of(request, "dataFilters") {
        for (index, rect) in resolve(spreadsheet, &filter)? {
            ranges.push(spreadsheet.sheets[index].a1(&rect));
        }
    }
    let ranges: Vec<&str> = ranges.iter().map(String::as_str).collect();
    api::resource(spreadsheet, include, &ranges, url_prefix)
}

/// `developerMetadata.search`: the entries each filter matches (a lookup by its fields,
/// a range by the rows and columns it covers).
pub(crate) fn search_metadata(
    spreadsheet: &Spreadsheet,
    request: &Value,
) -> Result<Value, ApiError> {
    let mut matched: Vec<(Value, Vec<Value>)> = Vec::new();
    for filter in filters_of(request, "dataFilters") {
        let entries: Vec<&Value> = if let Some(lookup) = filter.get("developerMetadataLookup") {
            developer_metadata(spreadsheet)
                .iter()
                .filter(|entry| lookup_matches(entry, lookup))
                .collect()
        } else {
            let rects = resolve(spreadsheet, &filter)?;
            developer_metadata(spreadsheet)
                .iter()
                .filter(|entry| {
                    let Some(span) = entry
                        .get("location")
                        .and_then(|location| location.get("dimensionRange"))
                        .and_then(|span| DimensionSpan::parse(Some(span), "dimensionRange").ok())
                    else {
                        return false;
                    };
                    rects.iter().any(|(index, rect)| {
                        let sheet = &spreadsheet.sheets[*index];
                        let (start, end) = if span.rows {
                            (rect.start_row, rect.end_row)
                        } else {
                            (rect.start_column, rect.end_column)
                        };
                        let span_end = span.end.unwrap_or(u32::MAX);
                        sheet.sheet_id == span.sheet_id && span.start < end && start < span_end
                    })
                })
                .collect()
        };
        for entry in entries {
            match matched.iter_mut().find(|(existing, _)| existing == entry) {
                Some((_, filters)) => filters.push(filter.clone()),
                None => matched.push((entry.clone(), vec![filter.clone()])),
            }
        }
    }
    let mut answer = Map::new();
    if !matched.is_empty() {
        let list = matched
            .into_iter()
            .map(|(entry, filters)| json!({"developerMetadata": entry, "dataFilters": filters}))
            .collect();
        answer.insert("matchedDeveloperMetadata".into(), Value::Array(list));
    }
    Ok(Value::Object(answer))
}

/// `sheets.copyTo`: a copy of `sheet` added at the end of `destination`, titled
/// "Copy of ..." as Sheets titles it; its `SheetProperties`.
pub(crate) fn copy_sheet_into(destination: &mut Spreadsheet, mut sheet: Sheet) -> Value {
    sheet.title = crate::requests::copy_title(destination, &sheet.title);
    crate::requests::rehome(&mut sheet, crate::new_sheet_id(destination));
    destination.sheets.push(sheet);
    let index = destination.sheets.len() - 1;
    destination.sheets[index].properties_json(index)
}
