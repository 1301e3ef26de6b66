//! The values and spreadsheets endpoints, over real HTTP, as a client sees them.

mod support;

use serde_json::{Value, json};
use sheets_emulator::{SheetSeed, SpreadsheetSeed, ValueInputOption};
use support::{OWNER, encode, start, values_path};

fn form_sheet() -> SheetSeed {
    SheetSeed::new("Form responses 1")
        .frozen_rows(1)
        .rows(json!([
            ["Timestamp", "Email address", "Score"],
            ["4/6/2025 18:56:53", "a@example.com", 7],
            [],
            ["4/7/2025 9:01:02", "", 9, "", ""]
        ]))
}

#[test]
fn values_are_trimmed_and_ranges_normalised() {
    let (running, client) = start();
    let id = running
        .create_spreadsheet(
            SpreadsheetSeed::new("Feedback")
                .sheet(form_sheet())
                .writer(OWNER),
        )
        .expect("seeded");

    let reply = client.get(&values_path(&id, "'Form responses 1'!A1:E"));
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json,
        json!({
            "range": "'Form responses 1'!A1:E1000",
            "majorDimension": "ROWS",
            "values": [
                ["Timestamp", "Email address", "Score"],
                ["4/6/2025 18:56:53", "a@example.com", "7"],
                [],
                ["4/7/2025 9:01:02", "", "9"]
            ]
        })
    );

    // No data: no `values` key at all.
    let empty = client.get(&values_path(&id, "'Form responses 1'!A5:C10"));
    assert_eq!(
        empty.json,
        json!({"range": "'Form responses 1'!A5:C10", "majorDimension": "ROWS"})
    );

    // `+` and `%20` are spaces; a plain sheet name is the whole grid.
    let plus = client.get(&format!(
        "/v4/spreadsheets/{id}/values/'Form+responses%201'"
    ));
    assert_eq!(plus.json["range"], "'Form responses 1'!A1:Z1000");
    assert_eq!(plus.json["values"].as_array().map(Vec::len), Some(4));

    // No sheet name: the first sheet. One cell prints as one cell.
    assert_eq!(
        client.get(&values_path(&id, "A1:B2")).json["range"],
        "'Form responses 1'!A1:B2"
    );
    let cell = client.get(&values_path(&id, "B2"));
    assert_eq!(
        cell.json,
        json!({"range": "'Form responses 1'!B2", "majorDimension": "ROWS", "values": [["a@example.com"]]})
    );
    assert_eq!(
        client.get(&values_path(&id, "2:3")).json["range"],
        "'Form responses 1'!A2:Z3"
    );
    assert_eq!(
        client.get(&values_path(&id, "b:c")).json["range"],
        "'Form responses 1'!B1:C1000"
    );

    let columns = client.get(&format!(
        "{}?majorDimension=COLUMNS",
        values_path(&id, "A1:C4")
    ));
    assert_eq!(
        columns.json["values"],
        json!([
            ["Timestamp", "4/6/2025 18:56:53", "", "4/7/2025 9:01:02"],
            ["Email address", "a@example.com"],
            ["Score", "7", "", "9"]
        ])
    );
}

#[test]
fn grid_limits_parse_errors_and_unknown_spreadsheets_answer_like_google() {
    let (running, client) = start();
    let id = running
        .create_spreadsheet(SpreadsheetSeed::new("Limits").writer(OWNER))
        .expect("seeded");

    let beyond = client.get(&values_path(&id, "Sheet1!A1001:B1200"));
    assert_eq!(beyond.status, 400);
    assert_eq!(
        beyond.json,
        json!({"error": {
            "code": 400,
            "message": "Range ('Sheet1'!A1001:B1200) exceeds grid limits. Max rows: 1000, max columns: 26",
            "status": "INVALID_ARGUMENT"
        }})
    );
    let column_beyond = client.get(&values_path(&id, "Sheet1!AA1"));
    assert_eq!(
        column_beyond.json["error"]["message"],
        "Range ('Sheet1'!AA1) exceeds grid limits. Max rows: 1000, max columns: 26"
    );

    // An end past the grid is clamped.
    let clamped = client.get(&values_path(&id, "Sheet1!A999:B1200"));
    assert_eq!(
        clamped.json,
        json!({"range": "Sheet1!A999:B1000", "majorDimension": "ROWS"})
    );

    for range in ["Nope!A1", "CO2!A1:B2", "Sheet1!A1:B2:C3", "Sheet1!"] {
        let reply = client.get(&values_path(&id, range));
        assert_eq!(
            reply.json,
            json!({"error": {"code": 400, "message": format!("Unable to parse range: {range}"), "status": "INVALID_ARGUMENT"}}),
            "{range}"
        );
    }

    let missing = client.get(&values_path("does-not-exist", "Sheet1!A1"));
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.json,
        json!({"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}})
    );

    let unknown_parameter = client.get(&format!(
        "{}?valueRenderOptions=FORMULA",
        values_path(&id, "A1")
    ));
    assert_eq!(
        unknown_parameter.json["error"]["message"],
        "Invalid JSON payload received. Unknown name \"valueRenderOptions\": Cannot bind query parameter. Field 'valueRenderOptions' could not be found in request message."
    );
    let bad_enum = client.get(&format!(
        "{}?valueRenderOption=PRETTY",
        values_path(&id, "A1")
    ));
    assert_eq!(
        bad_enum.json["error"]["message"],
        "Invalid value at 'value_render_option' (type.googleapis.com/google.apps.sheets.v4.ValueRenderOption), \"PRETTY\""
    );
}

#[test]
fn awkward_sheet_names_are_quoted_and_encoded_as_google_expects() {
    let (running, client) = start();
    let id = running
        .create_spreadsheet(
            SpreadsheetSeed::new("Names")
                .sheet(SheetSeed::new("Sheet1"))
                .sheet(SheetSeed::new("CO2").rows(json!([["ppm"], [415]])))
                .sheet(SheetSeed::new("Bob's data").rows(json!([["x"]])))
                .sheet(SheetSeed::new("in/out").rows(json!([["y"]])))
                .writer(OWNER),
        )
        .expect("seeded");

    let quoted = client.get(&values_path(&id, "'CO2'!A1:B2"));
    assert_eq!(
        quoted.json,
        json!({"range": "'CO2'!A1:B2", "majorDimension": "ROWS", "values": [["ppm"], ["415"]]})
    );
    // Bare, CO2 is a cell of the first sheet (column CO, past its 26 columns).
    assert_eq!(
        client.get(&values_path(&id, "CO2")).json["error"]["message"],
        "Range ('Sheet1'!CO2) exceeds grid limits. Max rows: 1000, max columns: 26"
    );

    let doubled = client.get(&values_path(&id, "'Bob''s data'!A1"));
    assert_eq!(
        doubled.json,
        json!({"range": "'Bob''s data'!A1", "majorDimension": "ROWS", "values": [["x"]]})
    );

    // A `/` travels as %2F; a bare `/` splits the path and matches no method.
    let slash = client.get(&values_path(&id, "'in/out'!A1"));
    assert_eq!(slash.json["values"], json!([["y"]]));
    let unencoded = client.get(&format!("/v4/spreadsheets/{id}/values/'in/out'!A1"));
    assert_eq!(unencoded.status, 404);
    // Sheet names match case-insensitively; answers use the real title.
    assert_eq!(
        client.get(&values_path(&id, "sheet1!a1:b2")).json["range"],
        "Sheet1!A1:B2"
    );
}

#[test]
fn render_options_and_serial_dates() {
    let (running, client) = start();
    let id = running
        .create_spreadsheet(
            SpreadsheetSeed::new("Types")
                .sheet(SheetSeed::new("Sheet1").rows(json!([[
                    "4/6/2025 18:56:53",
                    1234.5,
                    true,
                    "'007",
                    "50%",
                    "=A1"
                ]])))
                .writer(OWNER),
        )
        .expect("seeded");
    let path = values_path(&id, "Sheet1!A1:F1");
    let rendered = |option: &str| client.get(&format!("{path}?{option}")).json["values"][0].clone();

    assert_eq!(
        rendered("valueRenderOption=FORMATTED_VALUE"),
        // `=A1` computes A1's date and shows it in A1's format, as Sheets does.
        json!([
            "4/6/2025 18:56:53",
            "1234.5",
            "TRUE",
            "007",
            "50%",
            "4/6/2025 18:56:53"
        ])
    );
    let unformatted = rendered("valueRenderOption=UNFORMATTED_VALUE");
    assert_eq!(unformatted[5], unformatted[0]);
    let serial = unformatted[0].as_f64().expect("a serial number");
    assert!(
        (serial - (45753.0 + 68213.0 / 86400.0)).abs() < 1e-9,
        "{serial}"
    );
    assert_eq!(
        unformatted.as_array().map(|row| row[1..].to_vec()),
        Some(vec![
            json!(1234.5),
            json!(true),
            json!("007"),
            json!(0.5),
            unformatted[0].clone()
        ])
    );
    let formula = rendered("valueRenderOption=FORMULA");
    assert_eq!(formula[5], "=A1");
    assert_eq!(
        rendered("valueRenderOption=UNFORMATTED_VALUE&dateTimeRenderOption=FORMATTED_STRING")[0],
        "4/6/2025 18:56:53"
    );

    // The spreadsheet's locale decides how dates read and print.
    let british = running
        .create_spreadsheet(
            SpreadsheetSeed::new("UK")
                .locale("en_GB")
                .sheet(SheetSeed::new("Sheet1").rows(json!([["6/4/2025 18:56:53"]])))
                .writer(OWNER),
        )
        .expect("seeded");
    let reply = client.get(&values_path(&british, "Sheet1!A1"));
    assert_eq!(reply.json["values"], json!([["06/04/2025 18:56:53"]]));
    let serial = client.get(&format!(
        "{}?valueRenderOption=UNFORMATTED_VALUE",
        values_path(&british, "Sheet1!A1")
    ));
    assert_eq!(
        serial.json["values"][0][0].as_f64().map(f64::floor),
        Some(45753.0)
    );

    // USER_ENTERED through the API parses too; RAW keeps strings.
    let written = client.put(
        &format!(
            "{}?valueInputOption=USER_ENTERED",
            values_path(&id, "Sheet1!A2:C2")
        ),
        &json!({"values": [["2025-04-06", "12", "TRUE"]]}),
    );
    assert_eq!(written.status, 200, "{}", written.text);
    let raw = client.put(
        &format!("{}?valueInputOption=RAW", values_path(&id, "Sheet1!A3:C3")),
        &json!({"values": [["2025-04-06", "12", "TRUE"]]}),
    );
    assert_eq!(raw.status, 200);
    let typed = client.get(&format!(
        "{}?valueRenderOption=UNFORMATTED_VALUE",
        values_path(&id, "Sheet1!A2:C3")
    ));
    assert_eq!(
        typed.json["values"],
        json!([[45753, 12, true], ["2025-04-06", "12", "TRUE"]])
    );
}

#[test]
fn append_finds_the_table_grows_the_grid_and_reports_updates() {
    let (running, client) = start();
    let id = running
        .create_spreadsheet(
            SpreadsheetSeed::new("Append")
                .sheet(
                    SheetSeed::new("Sheet1")
                        .grid(3, 3)
                        .rows(json!([["a", "b"], ["c", "d"]])),
                )
                .writer(OWNER),
        )
        .expect("seeded");
    let append = |range: &str, options: &str, values: Value| {
        client.post(
            &format!(
                "/v4/spreadsheets/{id}/values/{}:append?{options}",
                encode(range)
            ),
            &json!({ "values": values }),
        )
    };

    let inserted = append(
        "Sheet1!A1",
        "valueInputOption=RAW&insertDataOption=INSERT_ROWS",
        json!([["e", "f", "g", "h"]]),
    );
    assert_eq!(inserted.status, 200, "{}", inserted.text);
    assert_eq!(
        inserted.json,
        json!({
            "spreadsheetId": id,
            "tableRange": "Sheet1!A1:B2",
            "updates": {
                "spreadsheetId": id,
                "updatedRange": "Sheet1!A3:D3",
                "updatedRows": 1,
                "updatedColumns": 4,
                "updatedCells": 4
            }
        })
    );
    let grid = &client.get(&format!("/v4/spreadsheets/{id}")).json["sheets"][0]["properties"]["gridProperties"];
    assert_eq!(grid, &json!({"rowCount": 4, "columnCount": 4}));

    // OVERWRITE past the end grows the grid as well.
    let overwritten = append(
        "Sheet1",
        "valueInputOption=USER_ENTERED",
        json!([["1"], ["2"]]),
    );
    assert_eq!(overwritten.json["tableRange"], "Sheet1!A1:D3");
    assert_eq!(overwritten.json["updates"]["updatedRange"], "Sheet1!A4:A5");
    let values = client.get(&format!(
        "{}?valueRenderOption=UNFORMATTED_VALUE",
        values_path(&id, "Sheet1")
    ));
    assert_eq!(
        values.json,
        json!({
            "range": "Sheet1!A1:D5",
            "majorDimension": "ROWS",
            "values": [["a", "b"], ["c", "d"], ["e", "f", "g", "h"], [1], [2]]
        })
    );

    // An empty sheet has no table: no tableRange, written at the range's start.
    let empty = running
        .create_spreadsheet(SpreadsheetSeed::new("Empty").writer(OWNER))
        .expect("seeded");
    let first = client.post(
        &format!(
            "/v4/spreadsheets/{empty}/values/{}:append?valueInputOption=RAW",
            encode("Sheet1!B2")
        ),
        &json!({"values": [["x"]]}),
    );
    assert_eq!(
        first.json,
        json!({"spreadsheetId": empty, "updates": {"spreadsheetId": empty, "updatedRange": "Sheet1!B2", "updatedRows": 1, "updatedColumns": 1, "updatedCells": 1}})
    );

    let missing_option = append("Sheet1", "", json!([["z"]]));
    assert_eq!(
        missing_option.json,
        json!({"error": {"code": 400, "message": "'valueInputOption' is required but not specified", "status": "INVALID_ARGUMENT"}})
    );
}

#[test]
fn append_uses_the_table_the_range_touches_as_google_documents() {
    let (running, client) = start();
    // Two tables: A1:B2 and A4:B4, with an empty row between.
    let id = running
        .create_spreadsheet(
            SpreadsheetSeed::new("Gap")
                .sheet(SheetSeed::new("Sheet1").rows(json!([
                    ["h1", "h2"],
                    ["1", "2"],
                    [],
                    ["x", "y"]
                ])))
                .writer(OWNER),
        )
        .expect("seeded");
    let into_first = client.post(
        &format!(
            "/v4/spreadsheets/{id}/values/{}:append?valueInputOption=RAW",
            encode("Sheet1!A1")
        ),
        &json!({"values": [["3", "4"]]}),
    );
    assert_eq!(into_first.json["tableRange"], "Sheet1!A1:B2");
    assert_eq!(into_first.json["updates"]["updatedRange"], "Sheet1!A3:B3");
    // The whole sheet: the last table, now A1:B4 (the gap was filled).
    let whole = client.post(
        &format!("/v4/spreadsheets/{id}/values/Sheet1:append?valueInputOption=RAW"),
        &json!({"values": [["5", "6"]]}),
    );
    assert_eq!(whole.json["tableRange"], "Sheet1!A1:B4");
    assert_eq!(whole.json["updates"]["updatedRange"], "Sheet1!A5:B5");
}

#[test]
fn inserted_and_deleted_rows_shift_data() {
    let (running, client) = start();
    let id = running
        .create_spreadsheet(
            SpreadsheetSeed::new("Shift")
                .sheet(SheetSeed::new("Sheet1").rows(json!([["r1"], ["r2"], ["r3"], ["r4"]])))
                .writer(OWNER),
        )
        .expect("seeded");
    let batch = |requests: Value| {
        client.post(
            &format!("/v4/spreadsheets/{id}:batchUpdate"),
            &json!({ "requests": requests }),
        )
    };
    let read = || client.get(&values_path(&id, "Sheet1!A1:A10")).json["values"].clone();

    let inserted = batch(
        json!([{"insertDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 3}}}]),
    );
    assert_eq!(inserted.json, json!({"spreadsheetId": id, "replies": [{}]}));
    assert_eq!(read(), json!([["r1"], [], [], ["r2"], ["r3"], ["r4"]]));
    let rows = |reply: &support::Reply| {
        reply.json["sheets"][0]["properties"]["gridProperties"]["rowCount"].clone()
    };
    assert_eq!(
        rows(&client.get(&format!("/v4/spreadsheets/{id}"))),
        json!(1002)
    );

    let deleted = batch(
        json!([{"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 2}}}]),
    );
    assert_eq!(deleted.status, 200);
    assert_eq!(read(), json!([[], ["r2"], ["r3"], ["r4"]]));

    // Sheets' 10-million-cell limit is checked before anything grows.
    let huge = batch(
        json!([{"insertDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 4000000}}}]),
    );
    assert_eq!(
        huge.json["error"]["message"],
        "Invalid requests[0].insertDimension: This action would increase the number of cells in the workbook above the limit of 10000000 cells."
    );

    // The same through the in-process admin API.
    running
        .insert_rows(&id, "Sheet1", 1, json!([["new"]]), ValueInputOption::Raw)
        .expect("inserted");
    running.delete_rows(&id, "Sheet1", 0, 1).expect("deleted");
    assert_eq!(read(), json!([["new"], ["r2"], ["r3"], ["r4"]]));
    assert_eq!(
        running.sheet_values(&id, "Sheet1").expect("values"),
        vec![
            vec![json!("new")],
            vec![json!("r2")],
            vec![json!("r3")],
            vec![json!("r4")]
        ]
    );

    // A failing request leaves the whole batch unapplied.
    let failed = batch(
        json!([{"addSheet": {"properties": {"title": "Extra"}}}, {"deleteSheet": {"sheetId": 999}}]),
    );
    assert_eq!(
        failed.json,
        json!({"error": {"code": 400, "message": "Invalid requests[1].deleteSheet: No grid with id: 999", "status": "INVALID_ARGUMENT"}})
    );
    let added = batch(json!([{"addSheet": {"properties": {"title": "Extra", "sheetId": 42}}}]));
    assert_eq!(
        added.json["replies"][0],
        json!({"addSheet": {"properties": {"sheetId": 42, "title": "Extra", "index": 1, "sheetType": "GRID", "gridProperties": {"rowCount": 1000, "columnCount": 26}}}})
    );
    let duplicate = batch(json!([{"addSheet": {"properties": {"title": "extra"}}}]));
    assert_eq!(
        duplicate.json["error"]["message"],
        "Invalid requests[0].addSheet: A sheet with the name \"extra\" already exists. Please enter another name."
    );
    let removed = batch(json!([{"deleteSheet": {"sheetId": 42}}]));
    assert_eq!(removed.json["replies"], json!([{}]));
    let last = batch(json!([{"deleteSheet": {"sheetId": 0}}]));
    assert_eq!(
        last.json["error"]["message"],
        "Invalid requests[0].deleteSheet: You can't remove all the sheets in a document."
    );
}

#[test]
fn update_batch_get_clear_metadata_fields_and_create() {
    let (running, client) = start();
    let id = running
        .create_spreadsheet(
            SpreadsheetSeed::new("Everything")
                .id("1everything")
                .time_zone("Europe/Paris")
                .sheet(SheetSeed::new("Sheet1").frozen_rows(1))
                .writer(OWNER),
        )
        .expect("seeded");

    let updated = client.put(
        &format!("{}?valueInputOption=RAW", values_path(&id, "Sheet1!A1:B2")),
        &json!({"range": "Sheet1!A1:B2", "majorDimension": "ROWS", "values": [["1", "2"], ["3", "4"]]}),
    );
    assert_eq!(
        updated.json,
        json!({"spreadsheetId": id, "updatedRange": "Sheet1!A1:B2", "updatedRows": 2, "updatedColumns": 2, "updatedCells": 4})
    );
    let overflow = client.put(
        &format!("{}?valueInputOption=RAW", values_path(&id, "Sheet1!A1:B2")),
        &json!({"values": [["1"], ["2"], ["3"]]}),
    );
    assert_eq!(
        overflow.json["error"]["message"],
        "Requested writing within range ['Sheet1'!A1:B2], but tried writing to row [3]"
    );

    let batch = client.get(&format!(
        "/v4/spreadsheets/{id}/values:batchGet?ranges={}&ranges={}&valueRenderOption=UNFORMATTED_VALUE",
        encode("Sheet1!B1:B2"),
        encode("A2")
    ));
    assert_eq!(
        batch.json,
        json!({
            "spreadsheetId": id,
            "valueRanges": [
                {"range": "Sheet1!B1:B2", "majorDimension": "ROWS", "values": [["2"], ["4"]]},
                {"range": "Sheet1!A2", "majorDimension": "ROWS", "values": [["3"]]}
            ]
        })
    );

    let cleared = client.post(
        &format!(
            "/v4/spreadsheets/{id}/values/{}:clear",
            encode("Sheet1!A1:A2")
        ),
        &json!({}),
    );
    assert_eq!(
        cleared.json,
        json!({"spreadsheetId": id, "clearedRange": "Sheet1!A1:A2"})
    );
    assert_eq!(
        client.get(&values_path(&id, "Sheet1")).json["values"],
        json!([["", "2"], ["", "4"]])
    );

    let mut metadata = client.get(&format!("/v4/spreadsheets/{id}?includeGridData=false"));
    // Sheets' default cell format and theme are part of every spreadsheet's properties.
    let properties = metadata.json["properties"]
        .as_object_mut()
        .expect("properties");
    assert_eq!(
        properties
            .remove("defaultFormat")
            .map(|format| format["textFormat"]["fontSize"].clone()),
        Some(json!(10))
    );
    assert_eq!(
        properties
            .remove("spreadsheetTheme")
            .map(|theme| theme["primaryFontFamily"].clone()),
        Some(json!("Arial"))
    );
    assert_eq!(
        metadata.json,
        json!({
            "spreadsheetId": "1everything",
            "properties": {"title": "Everything", "locale": "en_US", "autoRecalc": "ON_CHANGE", "timeZone": "Europe/Paris"},
            "sheets": [{"properties": {
                "sheetId": 0, "title": "Sheet1", "index": 0, "sheetType": "GRID",
                "gridProperties": {"rowCount": 1000, "columnCount": 26, "frozenRowCount": 1}
            }}],
            "spreadsheetUrl": "https://docs.google.com/spreadsheets/d/1everything/edit"
        })
    );
    let selected = client.get(&format!(
        "/v4/spreadsheets/{id}?fields=sheets(properties(title,gridProperties.rowCount))"
    ));
    assert_eq!(
        selected.json,
        json!({"sheets": [{"properties": {"title": "Sheet1", "gridProperties": {"rowCount": 1000}}}]})
    );

    let header = client.get(&format!(
        "/v4/spreadsheets/{id}?includeGridData=true&ranges={}&fields=sheets.data.rowData.values(userEnteredValue,effectiveValue,formattedValue)",
        encode("Sheet1!1:1")
    ));
    assert_eq!(
        header.json,
        json!({"sheets": [{"data": [{"rowData": [{"values": [{}, {
            "userEnteredValue": {"stringValue": "2"},
            "effectiveValue": {"stringValue": "2"},
            "formattedValue": "2"
        }]}]}]}]})
    );
    // Grid data lists the size of every row and column of the range.
    let sizes = client.get(&format!(
        "/v4/spreadsheets/{id}?includeGridData=true&ranges={}&fields=sheets.data(rowMetadata,columnMetadata)",
        encode("Sheet1!1:1")
    ));
    let data = &sizes.json["sheets"][0]["data"][0];
    assert_eq!(data["rowMetadata"], json!([{"pixelSize": 21}]));
    assert_eq!(data["columnMetadata"].as_array().map(Vec::len), Some(26));
    assert_eq!(data["columnMetadata"][25], json!({"pixelSize": 100}));

    let created = client.post(
        "/v4/spreadsheets",
        &json!({"properties": {"title": "Made by API"}}),
    );
    assert_eq!(created.status, 200, "{}", created.text);
    let new_id = created.json["spreadsheetId"]
        .as_str()
        .expect("an id")
        .to_owned();
    assert_eq!(new_id.len(), 44);
    assert_eq!(created.json["properties"]["title"], "Made by API");
    assert_eq!(
        created.json["sheets"],
        json!([{"properties": {"sheetId": 0, "title": "Sheet1", "index": 0, "sheetType": "GRID", "gridProperties": {"rowCount": 1000, "columnCount": 26}}}])
    );
    // The creator owns it.
    assert_eq!(client.get(&values_path(&new_id, "Sheet1!A1")).status, 200);
}
