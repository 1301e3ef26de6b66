//! Requests whose answers differed from Google's: what Google accepts (capitalised query
//! booleans, whole-row and R1C1 ranges, `null` body fields, `/` in field masks), what it
//! refuses (empty batches, hiding every sheet), and smaller differences in answers.

mod support;

use serde_json::{Value, json};
use sheets_emulator::{SCOPE_SPREADSHEETS_READONLY, SheetSeed, SpreadsheetSeed};
use support::{Client, OWNER, start, values_path};

fn seeded(running: &sheets_emulator::Emulator) -> String {
    running
        .create_spreadsheet(
            SpreadsheetSeed::new("Parity")
                .sheet(SheetSeed::new("Sheet1").rows(json!([
                    ["name", "score", "total"],
                    ["ada", 5, 7],
                    ["bob", 3, 4],
                ])))
                .writer(OWNER),
        )
        .expect("seeded")
}

fn batch(client: &Client, id: &str, requests: Value) -> support::Reply {
    client.batch_update(id, requests)
}

#[test]
fn query_booleans_are_read_case_insensitively() {
    let (running, client) = start();
    let id = seeded(&running);
    let appended = client.post(
        &format!(
            "{}:append?valueInputOption=RAW&includeValuesInResponse=True",
            values_path(&id, "Sheet1")
        ),
        &json!({"values": [["cy", 1]]}),
    );
    assert_eq!(appended.status, 200, "{}", appended.text);
    assert_eq!(
        appended.json["updates"]["updatedData"]["values"],
        json!([["cy", "1"]])
    );
    let metadata = client.get(&format!("/v4/spreadsheets/{id}?includeGridData=False"));
    assert_eq!(metadata.status, 200, "{}", metadata.text);
    assert!(metadata.json["sheets"][0].get("data").is_none());
    let refused = client.get(&format!("/v4/spreadsheets/{id}?includeGridData=yes"));
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.json["error"]["message"],
        "Invalid value at 'include_grid_data' (TYPE_BOOL), \"yes\""
    );
}

#[test]
fn whole_row_and_r1c1_ranges_read_like_a1() {
    let (running, client) = start();
    let id = seeded(&running);
    let row = client.get(&values_path(&id, "'Sheet1'!A2:2"));
    assert_eq!(row.status, 200, "{}", row.text);
    assert_eq!(row.json["range"], "Sheet1!A2:Z2");
    assert_eq!(row.json["values"], json!([["ada", "5", "7"]]));
    let r1c1 = client.get(&values_path(&id, "Sheet1!R2C1:R3C2"));
    assert_eq!(r1c1.status, 200, "{}", r1c1.text);
    assert_eq!(r1c1.json["range"], "Sheet1!A2:B3");
    assert_eq!(r1c1.json["values"], json!([["ada", "5"], ["bob", "3"]]));
}

#[test]
fn null_fields_in_bodies_mean_their_defaults() {
    let (running, client) = start();
    let id = seeded(&running);
    let reply = client.post(
        &format!("/v4/spreadsheets/{id}/values:batchUpdate"),
        &json!({
            "valueInputOption": "RAW",
            "includeValuesInResponse": null,
            "responseValueRenderOption": null,
            "data": [{"range": "Sheet1!E1", "values": [["x"]], "majorDimension": null}],
        }),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["totalUpdatedCells"], 1);
}

#[test]
fn field_masks_with_slashes_update_what_they_name() {
    let (running, client) = start();
    let id = seeded(&running);
    let reply = batch(
        &client,
        &id,
        json!([
            {"updateSheetProperties": {
                "properties": {"sheetId": 0, "gridProperties": {"rowCount": 50, "frozenRowCount": 1}},
                "fields": "gridProperties/rowCount,gridProperties/frozenRowCount"
            }},
            {"updateSheetProperties": {
                "properties": {"sheetId": 0, "gridProperties": {"columnCount": 8, "hideGridlines": true}, "tabColor": {"red": 1}},
                "fields": "gridProperties(columnCount,hideGridlines),tabColor"
            }},
        ]),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let metadata = client.get(&format!("/v4/spreadsheets/{id}"));
    let properties = &metadata.json["sheets"][0]["properties"];
    assert_eq!(
        properties["gridProperties"],
        json!({"rowCount": 50, "columnCount": 8, "frozenRowCount": 1, "hideGridlines": true})
    );
    assert_eq!(properties["tabColor"], json!({"red": 1}));
}

#[test]
fn google_refuses_empty_batches_and_hiding_every_sheet() {
    let (running, client) = start();
    let id = seeded(&running);
    let empty = client.post(
        &format!("/v4/spreadsheets/{id}:batchUpdate"),
        &json!({"requests": []}),
    );
    assert_eq!(empty.status, 400);
    assert_eq!(
        empty.json["error"]["message"],
        "Must specify at least one request."
    );
    let hide = json!([{"updateSheetProperties": {
        "properties": {"sheetId": 0, "hidden": true}, "fields": "hidden"
    }}]);
    let refused = batch(&client, &id, hide.clone());
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(
        refused.json["error"]["message"],
        "Invalid requests[0].updateSheetProperties: You can't hide all the sheets in a document."
    );
    // With a second sheet visible, hiding the first works and shows in its properties.
    let added = batch(
        &client,
        &id,
        json!([{"addSheet": {"properties": {"title": "Other"}}}]),
    );
    assert_eq!(added.status, 200, "{}", added.text);
    let hidden = batch(&client, &id, hide);
    assert_eq!(hidden.status, 200, "{}", hidden.text);
    let metadata = client.get(&format!("/v4/spreadsheets/{id}"));
    assert_eq!(metadata.json["sheets"][0]["properties"]["hidden"], true);
    assert!(
        metadata.json["sheets"][1]["properties"]
            .get("hidden")
            .is_none()
    );
}

#[test]
fn append_under_a_header_with_a_gap_goes_under_its_last_part() {
    let (running, client) = start();
    let id = running
        .create_spreadsheet(
            SpreadsheetSeed::new("Gap")
                .sheet(SheetSeed::new("Sheet1").rows(json!([["a", null, "c"]])))
                .writer(OWNER),
        )
        .expect("seeded");
    let reply = client.post(
        &format!("{}:append?valueInputOption=RAW", values_path(&id, "Sheet1")),
        &json!({"values": [["1", "2", "3"]]}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["tableRange"], "Sheet1!C1");
    assert_eq!(reply.json["updates"]["updatedRange"], "Sheet1!C2:E2");
}

#[test]
fn typed_iso_dates_keep_their_form() {
    let (running, client) = start();
    let id = seeded(&running);
    let written = client.put(
        &format!(
            "{}?valueInputOption=USER_ENTERED",
            values_path(&id, "Sheet1!D1")
        ),
        &json!({"values": [["2020-01-01"]]}),
    );
    assert_eq!(written.status, 200, "{}", written.text);
    let read = client.get(&values_path(&id, "Sheet1!D1"));
    assert_eq!(read.json["values"], json!([["2020-01-01"]]));
    let unformatted = client.get(&format!(
        "{}?valueRenderOption=UNFORMATTED_VALUE",
        values_path(&id, "Sheet1!D1")
    ));
    assert_eq!(unformatted.json["values"], json!([[43831]]));
}

#[test]
fn batch_update_totals_count_distinct_rows_and_columns() {
    let (running, client) = start();
    let id = seeded(&running);
    let reply = client.post(
        &format!("/v4/spreadsheets/{id}/values:batchUpdate"),
        &json!({
            "valueInputOption": "RAW",
            "data": [
                {"range": "Sheet1!E1", "values": [["a"]]},
                {"range": "Sheet1!E2", "values": [["b"]]},
                {"range": "Sheet1!F2", "values": [["c"]]},
            ],
        }),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["totalUpdatedRows"], 2);
    assert_eq!(reply.json["totalUpdatedColumns"], 2);
    assert_eq!(reply.json["totalUpdatedCells"], 3);
    assert_eq!(reply.json["totalUpdatedSheets"], 1);
}

#[test]
fn a_missing_value_input_option_is_named() {
    let (running, client) = start();
    let id = seeded(&running);
    let reply = client.put(&values_path(&id, "Sheet1!A1"), &json!({"values": [["x"]]}));
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json["error"]["message"],
        "'valueInputOption' is required but not specified"
    );
}

#[test]
fn scope_errors_name_the_method() {
    let (running, client) = start();
    let id = seeded(&running);
    let reader = Client::new(&running).with_token(running.mint_access_token(
        OWNER,
        &[SCOPE_SPREADSHEETS_READONLY],
        None,
    ));
    drop(client);
    let refused = reader.put(
        &format!("{}?valueInputOption=RAW", values_path(&id, "Sheet1!A1")),
        &json!({"values": [["x"]]}),
    );
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.json["error"]["details"][0]["metadata"]["method"],
        "google.apps.sheets.v4.SpreadsheetsService.UpdateValues"
    );
}
