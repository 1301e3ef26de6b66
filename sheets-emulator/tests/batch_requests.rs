//! The `batchUpdate` requests that change values or structure, done as Sheets does them,
//! and those that set presentation, stored and answered back; the data-filter methods,
//! `sheets.copyTo` and developer metadata.

mod support;

use serde_json::{Value, json};
use sheets_emulator::{SheetSeed, SpreadsheetSeed};
use support::{Client, OWNER, start, values_path};

fn seeded(running: &sheets_emulator::Emulator) -> String {
    running
        .create_spreadsheet(
            SpreadsheetSeed::new("Requests")
                .sheet(SheetSeed::new("Sheet1").rows(json!([
                    ["name", "score", "city"],
                    ["cy", 7, "Oslo"],
                    ["ada", 5, "Paris"],
                    ["bob", 9, "oslo"],
                    ["dee", "", "Rome"],
                ])))
                .writer(OWNER),
        )
        .expect("seeded")
}

fn batch(client: &Client, id: &str, requests: Value) -> Value {
    client.batch_ok(id, requests)
}

fn refused(client: &Client, id: &str, requests: Value) -> String {
    let reply = client.batch_update(id, requests);
    assert_eq!(reply.status, 400, "{}", reply.text);
    reply.json["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn values(client: &Client, id: &str, range: &str) -> Value {
    client.values(id, range, "")
}

fn grid_cell(client: &Client, id: &str, cell: &str) -> Value {
    let reply = client.get(&format!(
        "/v4/spreadsheets/{id}?includeGridData=true&ranges={}",
        support::encode(cell)
    ));
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json["sheets"][0]["data"][0]["rowData"][0]["values"][0].clone()
}

fn range(rows: (u32, u32), columns: (u32, u32)) -> Value {
    json!({"sheetId": 0, "startRowIndex": rows.0, "endRowIndex": rows.1,
           "startColumnIndex": columns.0, "endColumnIndex": columns.1})
}

#[test]
fn repeat_cell_formats_and_values_writes_keep_the_format() {
    let (running, client) = start();
    let id = seeded(&running);
    batch(
        &client,
        &id,
        json!([{"repeatCell": {
            "range": range((0, 1), (0, 3)),
            "cell": {"userEnteredFormat": {"textFormat": {"bold": true}, "backgroundColor": {"red": 1}}},
            "fields": "userEnteredFormat(textFormat,backgroundColor)"
        }}, {"repeatCell": {
            "range": range((1, 5), (1, 2)),
            "cell": {"userEnteredFormat": {"numberFormat": {"type": "CURRENCY", "pattern": "\"$\"#,##0.00"}}},
            "fields": "userEnteredFormat.numberFormat"
        }}]),
    );
    let header = grid_cell(&client, &id, "Sheet1!A1");
    assert_eq!(
        header["userEnteredFormat"],
        json!({"textFormat": {"bold": true}, "backgroundColor": {"red": 1}})
    );
    assert_eq!(header["effectiveFormat"]["textFormat"]["bold"], true);
    assert_eq!(header["effectiveFormat"]["textFormat"]["fontSize"], 10);
    assert_eq!(
        values(&client, &id, "Sheet1!B2:B3"),
        json!([["$7.00"], ["$5.00"]])
    );
    // A value written through the values API keeps the cell's formats.
    let written = client.put(
        &format!(
            "{}?valueInputOption=USER_ENTERED",
            values_path(&id, "Sheet1!A1:B2")
        ),
        &json!({"values": [["Name", "x"], [null, "12"]]}),
    );
    assert_eq!(written.status, 200, "{}", written.text);
    assert_eq!(
        grid_cell(&client, &id, "Sheet1!A1")["userEnteredFormat"]["textFormat"]["bold"],
        true
    );
    assert_eq!(values(&client, &id, "Sheet1!B2"), json!([["$12.00"]]));
    // Clearing values keeps formats; the cell no longer counts as data for append.
    let cleared = client.post(
        &format!("{}:clear", values_path(&id, "Sheet1!A1:C5")),
        &json!({}),
    );
    assert_eq!(cleared.status, 200, "{}", cleared.text);
    assert_eq!(
        grid_cell(&client, &id, "Sheet1!A1")["userEnteredFormat"]["textFormat"]["bold"],
        true
    );
    let appended = client.post(
        &format!("{}:append?valueInputOption=RAW", values_path(&id, "Sheet1")),
        &json!({"values": [["first"]]}),
    );
    assert_eq!(appended.json["updates"]["updatedRange"], "Sheet1!A1");
}

#[test]
fn update_cells_writes_values_formulas_notes_and_validation() {
    let (running, client) = start();
    let id = seeded(&running);
    batch(
        &client,
        &id,
        json!([{"updateCells": {
            "start": {"sheetId": 0, "rowIndex": 5, "columnIndex": 0},
            "rows": [{"values": [
                {"userEnteredValue": {"stringValue": "total"}, "note": "sum of scores"},
                {"userEnteredValue": {"formulaValue": "=SUM(B2:B5)"}},
                {"dataValidation": {"condition": {"type": "BOOLEAN"}}}
            ]}],
            "fields": "userEnteredValue,note,dataValidation"
        }}]),
    );
    assert_eq!(
        values(&client, &id, "Sheet1!A6:B6"),
        json!([["total", "21"]])
    );
    let cell = grid_cell(&client, &id, "Sheet1!A6");
    assert_eq!(cell["note"], "sum of scores");
    assert_eq!(
        grid_cell(&client, &id, "Sheet1!C6")["dataValidation"],
        json!({"condition": {"type": "BOOLEAN"}})
    );
    // setDataValidation stores a rule on every cell of its range, and clears it.
    batch(
        &client,
        &id,
        json!([{"setDataValidation": {"range": range((1, 3), (2, 3)),
            "rule": {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "Oslo"}]}, "strict": true}}}]),
    );
    assert_eq!(
        grid_cell(&client, &id, "Sheet1!C3")["dataValidation"]["strict"],
        true
    );
    batch(
        &client,
        &id,
        json!([{"setDataValidation": {"range": range((1, 3), (2, 3))}}]),
    );
    assert!(
        grid_cell(&client, &id, "Sheet1!C3")
            .get("dataValidation")
            .is_none()
    );
}

#[test]
fn sort_range_orders_rows_as_sheets_does() {
    let (running, client) = start();
    let id = seeded(&running);
    // Formulas about their own row move with it.
    let put = client.put(
        &format!(
            "{}?valueInputOption=USER_ENTERED",
            values_path(&id, "Sheet1!D2:D5")
        ),
        &json!({"values": [["=A2&B2"], ["=A3&B3"], ["=A4&B4"], ["=A5&B5"]]}),
    );
    assert_eq!(put.status, 200, "{}", put.text);
    batch(
        &client,
        &id,
        json!([{"sortRange": {"range": range((1, 5), (0, 4)),
            "sortSpecs": [{"dimensionIndex": 1, "sortOrder": "DESCENDING"}]}}]),
    );
    assert_eq!(
        values(&client, &id, "Sheet1!D2:D5"),
        json!([["bob9"], ["cy7"], ["ada5"], ["dee"]])
    );
    // Numbers by value, the empty score last whatever the order.
    assert_eq!(
        values(&client, &id, "Sheet1!A2:A5"),
        json!([["bob"], ["cy"], ["ada"], ["dee"]])
    );
    batch(
        &client,
        &id,
        json!([{"sortRange": {"range": range((1, 5), (0, 3)),
            "sortSpecs": [{"dimensionIndex": 2}, {"dimensionIndex": 0}]}}]),
    );
    // Text compares case-insensitively; ties go to the next spec.
    assert_eq!(
        values(&client, &id, "Sheet1!A2:C5"),
        json!([
            ["bob", "9", "oslo"],
            ["cy", "7", "Oslo"],
            ["ada", "5", "Paris"],
            ["dee", "", "Rome"]
        ])
    );
    let message = refused(
        &client,
        &id,
        json!([{"sortRange": {"range": range((1, 5), (0, 2)), "sortSpecs": [{"dimensionIndex": 2}]}}]),
    );
    assert!(message.contains("outside of the range"), "{message}");
}

#[test]
fn merges_keep_the_top_left_value_and_move_with_rows() {
    let (running, client) = start();
    let id = seeded(&running);
    batch(
        &client,
        &id,
        json!([{"mergeCells": {"range": range((1, 3), (0, 2)), "mergeType": "MERGE_ALL"}}]),
    );
    assert_eq!(values(&client, &id, "Sheet1!A2:B3"), json!([["cy"]]));
    let metadata = client.get(&format!("/v4/spreadsheets/{id}"));
    assert_eq!(
        metadata.json["sheets"][0]["merges"],
        json!([range((1, 3), (0, 2))])
    );
    let message = refused(
        &client,
        &id,
        json!([{"unmergeCells": {"range": range((1, 2), (0, 2))}}]),
    );
    assert_eq!(
        message,
        "Invalid requests[0].unmergeCells: You must select all cells in a merged range to merge or unmerge them."
    );
    // A row inserted above moves the merge down.
    batch(
        &client,
        &id,
        json!([{"insertDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 1}}}]),
    );
    let metadata = client.get(&format!("/v4/spreadsheets/{id}"));
    assert_eq!(
        metadata.json["sheets"][0]["merges"],
        json!([range((2, 4), (0, 2))])
    );
    batch(
        &client,
        &id,
        json!([{"unmergeCells": {"range": range((0, 10), (0, 5))}}]),
    );
    let metadata = client.get(&format!("/v4/spreadsheets/{id}"));
    assert!(metadata.json["sheets"][0].get("merges").is_none());
}

#[test]
fn copy_paste_moves_relative_references_and_cut_paste_moves_cells() {
    let (running, client) = start();
    let id = seeded(&running);
    let put = client.put(
        &format!(
            "{}?valueInputOption=USER_ENTERED",
            values_path(&id, "Sheet1!D2")
        ),
        &json!({"values": [["=B2*2"]]}),
    );
    assert_eq!(put.status, 200, "{}", put.text);
    batch(
        &client,
        &id,
        json!([{"copyPaste": {"source": range((1, 2), (3, 4)), "destination": range((2, 4), (3, 4)),
            "pasteType": "PASTE_NORMAL"}}]),
    );
    let formulas = client.get(&format!(
        "{}?valueRenderOption=FORMULA",
        values_path(&id, "Sheet1!D2:D4")
    ));
    assert_eq!(
        formulas.json["values"],
        json!([["=B2*2"], ["=B3*2"], ["=B4*2"]])
    );
    assert_eq!(
        values(&client, &id, "Sheet1!D2:D4"),
        json!([["14"], ["10"], ["18"]])
    );
    // Values only: the destination gets the computed value, not the formula.
    batch(
        &client,
        &id,
        json!([{"copyPaste": {"source": range((1, 2), (3, 4)), "destination": range((1, 2), (4, 5)),
            "pasteType": "PASTE_VALUES"}}]),
    );
    let pasted = client.get(&format!(
        "{}?valueRenderOption=FORMULA",
        values_path(&id, "Sheet1!E2")
    ));
    assert_eq!(pasted.json["values"], json!([[14]]));
    batch(
        &client,
        &id,
        json!([{"cutPaste": {"source": range((0, 2), (0, 1)),
            "destination": {"sheetId": 0, "rowIndex": 0, "columnIndex": 6}}}]),
    );
    assert_eq!(values(&client, &id, "Sheet1!A1:A2"), json!([]));
    assert_eq!(
        values(&client, &id, "Sheet1!G1:G2"),
        json!([["name"], ["cy"]])
    );
}

#[test]
fn insert_and_delete_range_shift_cells() {
    let (running, client) = start();
    let id = seeded(&running);
    batch(
        &client,
        &id,
        json!([{"insertRange": {"range": range((1, 2), (0, 1)), "shiftDimension": "ROWS"}}]),
    );
    assert_eq!(
        values(&client, &id, "Sheet1!A1:B3"),
        json!([["name", "score"], ["", "7"], ["cy", "5"]])
    );
    batch(
        &client,
        &id,
        json!([{"deleteRange": {"range": range((1, 2), (0, 1)), "shiftDimension": "ROWS"}}]),
    );
    assert_eq!(
        values(&client, &id, "Sheet1!A1:A5"),
        json!([["name"], ["cy"], ["ada"], ["bob"], ["dee"]])
    );
    batch(
        &client,
        &id,
        json!([{"deleteRange": {"range": range((0, 1), (0, 1)), "shiftDimension": "COLUMNS"}}]),
    );
    assert_eq!(
        values(&client, &id, "Sheet1!A1:B1"),
        json!([["score", "city"]])
    );
}

#[test]
fn find_replace_trim_and_dedupe_count_what_they_change() {
    let (running, client) = start();
    let id = seeded(&running);
    let reply = batch(
        &client,
        &id,
        json!([{"findReplace": {"find": "oslo", "replacement": "Bergen", "allSheets": true}}]),
    );
    assert_eq!(
        reply["replies"][0]["findReplace"],
        json!({"valuesChanged": 2, "rowsChanged": 2, "sheetsChanged": 1, "occurrencesChanged": 2})
    );
    assert_eq!(
        values(&client, &id, "Sheet1!C2:C4"),
        json!([["Bergen"], ["Paris"], ["Bergen"]])
    );
    let reply = batch(
        &client,
        &id,
        json!([{"findReplace": {"find": "^b.*", "replacement": "x", "searchByRegex": true,
            "matchCase": true, "range": range((0, 5), (0, 1))}}]),
    );
    assert_eq!(reply["replies"][0]["findReplace"]["valuesChanged"], 1);
    assert_eq!(values(&client, &id, "Sheet1!A4"), json!([["x"]]));
    let put = client.put(
        &format!("{}?valueInputOption=RAW", values_path(&id, "Sheet1!A7:A9")),
        &json!({"values": [["  a  b "], ["q"], ["q"]]}),
    );
    assert_eq!(put.status, 200, "{}", put.text);
    let reply = batch(
        &client,
        &id,
        json!([{"trimWhitespace": {"range": range((6, 9), (0, 1))}},
               {"deleteDuplicates": {"range": range((6, 9), (0, 1))}}]),
    );
    assert_eq!(
        reply["replies"][0]["trimWhitespace"]["cellsChangedCount"],
        1
    );
    assert_eq!(
        reply["replies"][1]["deleteDuplicates"]["duplicatesRemovedCount"],
        1
    );
    assert_eq!(
        values(&client, &id, "Sheet1!A7:A9"),
        json!([["a b"], ["q"]])
    );
}

#[test]
fn filters_protected_ranges_conditional_formats_and_banding_are_kept() {
    let (running, client) = start();
    let id = seeded(&running);
    let reply = batch(
        &client,
        &id,
        json!([
            {"setBasicFilter": {"filter": {"range": range((0, 5), (0, 3))}}},
            {"addFilterView": {"filter": {"title": "Oslo only", "range": range((0, 5), (0, 3))}}},
            {"addProtectedRange": {"protectedRange": {"range": range((0, 1), (0, 3)), "description": "header"}}},
            {"addConditionalFormatRule": {"rule": {"ranges": [range((1, 5), (1, 2))],
                "booleanRule": {"condition": {"type": "NUMBER_GREATER", "values": [{"userEnteredValue": "6"}]},
                                "format": {"textFormat": {"bold": true}}}}, "index": 0}},
            {"addBanding": {"bandedRange": {"range": range((0, 5), (0, 3)),
                "rowProperties": {"firstBandColor": {"red": 1}}}}},
        ]),
    );
    let filter_view_id = reply["replies"][1]["addFilterView"]["filter"]["filterViewId"].clone();
    let protected_id =
        reply["replies"][2]["addProtectedRange"]["protectedRange"]["protectedRangeId"].clone();
    assert!(filter_view_id.is_i64(), "{reply}");
    assert_eq!(
        reply["replies"][2]["addProtectedRange"]["protectedRange"]["requestingUserCanEdit"],
        true
    );
    let sheet = client.get(&format!("/v4/spreadsheets/{id}")).json["sheets"][0].clone();
    assert_eq!(sheet["basicFilter"]["range"], range((0, 5), (0, 3)));
    assert_eq!(sheet["filterViews"][0]["title"], "Oslo only");
    assert_eq!(sheet["protectedRanges"][0]["description"], "header");
    assert_eq!(
        sheet["conditionalFormats"][0]["booleanRule"]["condition"]["type"],
        "NUMBER_GREATER"
    );
    assert!(sheet["bandedRanges"][0]["bandedRangeId"].is_i64());
    // Deleting a row shrinks every range that spans it.
    batch(
        &client,
        &id,
        json!([{"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 2, "endIndex": 3}}}]),
    );
    let sheet = client.get(&format!("/v4/spreadsheets/{id}")).json["sheets"][0].clone();
    assert_eq!(sheet["basicFilter"]["range"], range((0, 4), (0, 3)));
    assert_eq!(
        sheet["conditionalFormats"][0]["ranges"][0],
        range((1, 4), (1, 2))
    );
    batch(
        &client,
        &id,
        json!([
            {"updateFilterView": {"filter": {"filterViewId": filter_view_id, "title": "renamed"}, "fields": "title"}},
            {"deleteProtectedRange": {"protectedRangeId": protected_id}},
            {"deleteConditionalFormatRule": {"sheetId": 0, "index": 0}},
            {"clearBasicFilter": {"sheetId": 0}},
        ]),
    );
    let sheet = client.get(&format!("/v4/spreadsheets/{id}")).json["sheets"][0].clone();
    assert_eq!(sheet["filterViews"][0]["title"], "renamed");
    for gone in ["protectedRanges", "conditionalFormats", "basicFilter"] {
        assert!(sheet.get(gone).is_none(), "{gone}: {sheet}");
    }
}

#[test]
fn named_ranges_read_compute_and_follow_rows() {
    let (running, client) = start();
    let id = seeded(&running);
    let reply = batch(
        &client,
        &id,
        json!([{"addNamedRange": {"namedRange": {"name": "scores", "range": range((1, 5), (1, 2))}}}]),
    );
    let named_id = reply["replies"][0]["addNamedRange"]["namedRange"]["namedRangeId"].clone();
    assert!(named_id.is_string(), "{reply}");
    assert_eq!(values(&client, &id, "scores"), json!([["7"], ["5"], ["9"]]));
    let put = client.put(
        &format!(
            "{}?valueInputOption=USER_ENTERED",
            values_path(&id, "Sheet1!E1")
        ),
        &json!({"values": [["=SUM(scores)"]]}),
    );
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(values(&client, &id, "Sheet1!E1"), json!([["21"]]));
    batch(
        &client,
        &id,
        json!([{"insertDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 2}}}]),
    );
    let metadata = client.get(&format!("/v4/spreadsheets/{id}"));
    assert_eq!(
        metadata.json["namedRanges"][0]["range"],
        range((3, 7), (1, 2))
    );
    assert_eq!(values(&client, &id, "scores"), json!([["7"], ["5"], ["9"]]));
    let message = refused(
        &client,
        &id,
        json!([{"addNamedRange": {"namedRange": {"name": "A1", "range": range((0, 1), (0, 1))}}}]),
    );
    assert!(message.contains("Invalid name"), "{message}");
    batch(
        &client,
        &id,
        json!([{"deleteNamedRange": {"namedRangeId": named_id}}]),
    );
    assert!(
        client
            .get(&format!("/v4/spreadsheets/{id}"))
            .json
            .get("namedRanges")
            .is_none()
    );
}

#[test]
fn sheets_duplicate_dimension_properties_borders_and_spreadsheet_properties() {
    let (running, client) = start();
    let id = seeded(&running);
    let reply = batch(
        &client,
        &id,
        json!([
            {"duplicateSheet": {"sourceSheetId": 0}},
            {"updateDimensionProperties": {"range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1},
                "properties": {"pixelSize": 240}, "fields": "pixelSize"}},
            {"updateDimensionProperties": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 2},
                "properties": {"hiddenByUser": true}, "fields": "hiddenByUser"}},
            {"autoResizeDimensions": {"dimensions": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 3}}},
            {"updateBorders": {"range": range((0, 2), (0, 2)),
                "top": {"style": "SOLID", "width": 1}, "innerHorizontal": {"style": "DASHED"}}},
            {"updateSpreadsheetProperties": {"properties": {"title": "Renamed", "defaultFormat": {"textFormat": {"fontSize": 11}}},
                "fields": "title,defaultFormat.textFormat.fontSize"}},
        ]),
    );
    let properties = &reply["replies"][0]["duplicateSheet"]["properties"];
    assert_eq!(properties["title"], "Copy of Sheet1");
    assert_eq!(properties["index"], 1);
    assert_eq!(
        values(&client, &id, "'Copy of Sheet1'!A1:C2"),
        json!([["name", "score", "city"], ["cy", "7", "Oslo"]])
    );
    let grid = client.get(&format!(
        "/v4/spreadsheets/{id}?includeGridData=true&ranges={}",
        support::encode("Sheet1!A1:B2")
    ));
    let data = &grid.json["sheets"][0]["data"][0];
    assert_eq!(data["columnMetadata"][0], json!({"pixelSize": 240}));
    assert_eq!(
        data["rowMetadata"][1],
        json!({"pixelSize": 21, "hiddenByUser": true})
    );
    let first = &data["rowData"][0]["values"][0]["userEnteredFormat"]["borders"];
    assert_eq!(first["top"]["style"], "SOLID");
    assert_eq!(first["bottom"]["style"], "DASHED");
    let below = &data["rowData"][1]["values"][0]["userEnteredFormat"]["borders"];
    assert_eq!(below["top"]["style"], "DASHED");
    assert!(below.get("bottom").is_none(), "{below}");
    let metadata = client.get(&format!("/v4/spreadsheets/{id}"));
    assert_eq!(metadata.json["properties"]["title"], "Renamed");
    assert_eq!(
        metadata.json["properties"]["defaultFormat"]["textFormat"]["fontSize"],
        11
    );
    assert_eq!(
        metadata.json["properties"]["defaultFormat"]["textFormat"]["fontFamily"],
        "arial,sans,sans-serif"
    );
}

#[test]
fn data_filters_and_developer_metadata_find_rows_after_they_move() {
    let (running, client) = start();
    let id = seeded(&running);
    let reply = batch(
        &client,
        &id,
        json!([{"createDeveloperMetadata": {"developerMetadata": {
            "metadataKey": "batch", "metadataValue": "42",
            "location": {"dimensionRange": {"sheetId": 0, "dimension": "ROWS", "startIndex": 2, "endIndex": 4}},
            "visibility": "DOCUMENT"}}}]),
    );
    let created = &reply["replies"][0]["createDeveloperMetadata"]["developerMetadata"];
    assert_eq!(created["location"]["locationType"], "ROW");
    let metadata_id = created["metadataId"].as_i64().expect("an id");
    // Rows inserted above: the metadata moves with its rows.
    batch(
        &client,
        &id,
        json!([{"insertDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 1}}}]),
    );
    let lookup = json!({"developerMetadataLookup": {"metadataKey": "batch"}});
    let read = client.post(
        &format!("/v4/spreadsheets/{id}/values:batchGetByDataFilter"),
        &json!({"dataFilters": [lookup]}),
    );
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(
        read.json["valueRanges"][0]["valueRange"]["values"],
        json!([["ada", "5", "Paris"], ["bob", "9", "oslo"]])
    );
    assert_eq!(read.json["valueRanges"][0]["dataFilters"][0], lookup);
    let written = client.post(
        &format!("/v4/spreadsheets/{id}/values:batchUpdateByDataFilter"),
        &json!({"valueInputOption": "RAW", "data": [
            {"dataFilter": {"a1Range": "Sheet1!D1"}, "values": [["flag"]]},
            {"dataFilter": {"gridRange": range((3, 4), (3, 4))}, "values": [["x"]]},
        ]}),
    );
    assert_eq!(written.status, 200, "{}", written.text);
    assert_eq!(written.json["totalUpdatedCells"], 2);
    assert_eq!(written.json["responses"][1]["updatedRange"], "Sheet1!D4");
    assert_eq!(
        values(&client, &id, "Sheet1!D1:D4"),
        json!([["flag"], [], [], ["x"]])
    );
    let found = client.post(
        &format!("/v4/spreadsheets/{id}/developerMetadata:search"),
        &json!({"dataFilters": [{"a1Range": "Sheet1!A4"}]}),
    );
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(
        found.json["matchedDeveloperMetadata"][0]["developerMetadata"]["location"]["dimensionRange"],
        json!({"sheetId": 0, "dimension": "ROWS", "startIndex": 3, "endIndex": 5})
    );
    let one = client.get(&format!(
        "/v4/spreadsheets/{id}/developerMetadata/{metadata_id}"
    ));
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.json["metadataValue"], "42");
    let by_filter = client.post(
        &format!("/v4/spreadsheets/{id}:getByDataFilter"),
        &json!({"dataFilters": [{"a1Range": "Sheet1!A1:B2"}], "includeGridData": true}),
    );
    assert_eq!(by_filter.status, 200, "{}", by_filter.text);
    assert_eq!(
        by_filter.json["sheets"][0]["data"][0]["rowMetadata"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let cleared = client.post(
        &format!("/v4/spreadsheets/{id}/values:batchClearByDataFilter"),
        &json!({"dataFilters": [lookup]}),
    );
    assert_eq!(cleared.json["clearedRanges"], json!(["Sheet1!A4:Z5"]));
    assert_eq!(values(&client, &id, "Sheet1!A4:A5"), json!([]));
    let deleted = batch(
        &client,
        &id,
        json!([{"deleteDeveloperMetadata": {"dataFilter": lookup}}]),
    );
    assert_eq!(
        deleted["replies"][0]["deleteDeveloperMetadata"]["deletedDeveloperMetadata"][0]["metadataId"],
        metadata_id
    );
}

#[test]
fn copy_to_copies_a_sheet_into_another_spreadsheet() {
    let (running, client) = start();
    let id = seeded(&running);
    let other = running
        .create_spreadsheet(SpreadsheetSeed::new("Other").writer(OWNER))
        .expect("seeded");
    let reply = client.post(
        &format!("/v4/spreadsheets/{id}/sheets/0:copyTo"),
        &json!({"destinationSpreadsheetId": other}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["title"], "Copy of Sheet1");
    assert_eq!(reply.json["index"], 1);
    assert_eq!(
        values(&client, &other, "'Copy of Sheet1'!A2:B2"),
        json!([["cy", "7"]])
    );
    let unknown = client.post(
        &format!("/v4/spreadsheets/{id}/sheets/0:copyTo"),
        &json!({"destinationSpreadsheetId": "nope"}),
    );
    assert_eq!(unknown.status, 404);
}
