//! Formulas as Sheets computes them: values in every render option, grid data, dependents
//! recomputed on writes, references moved by row and column inserts and deletes, errors.

mod support;

use serde_json::{Value, json};
use sheets_emulator::{SheetSeed, SpreadsheetSeed};
use support::{Client, OWNER, start, values_path};

fn seeded(running: &sheets_emulator::Emulator) -> String {
    running
        .create_spreadsheet(
            SpreadsheetSeed::new("Formulas")
                .sheet(SheetSeed::new("Sheet1").rows(json!([
                    ["item", "qty", "price"],
                    ["tea", 3, 2.5],
                    ["cake", 12, 0.5],
                    ["total", "=sum(b2:b3)", "=SUMPRODUCT(B2:B3,C2:C3)"],
                ])))
                .writer(OWNER),
        )
        .expect("seeded")
}

fn get(client: &Client, id: &str, range: &str, query: &str) -> Value {
    client.values(id, range, query)
}

fn put(client: &Client, id: &str, range: &str, values: Value) {
    let reply = client.put(
        &format!("{}?valueInputOption=USER_ENTERED", values_path(id, range)),
        &json!({ "values": values }),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
}

fn batch(client: &Client, id: &str, requests: Value) -> Value {
    client.batch_ok(id, requests)
}

#[test]
fn formula_cells_read_their_computed_values_and_keep_the_last_column() {
    let (running, client) = start();
    let id = seeded(&running);
    assert_eq!(
        get(
            &client,
            &id,
            "Sheet1!A4:C4",
            "valueRenderOption=FORMATTED_VALUE"
        ),
        json!([["total", "15", "13.5"]])
    );
    assert_eq!(
        get(
            &client,
            &id,
            "Sheet1!A4:C4",
            "valueRenderOption=UNFORMATTED_VALUE"
        ),
        json!([["total", 15, 13.5]])
    );
    // The formula as Sheets keeps it: function names and references upper-cased.
    assert_eq!(
        get(&client, &id, "Sheet1!A4:C4", "valueRenderOption=FORMULA"),
        json!([["total", "=SUM(B2:B3)", "=SUMPRODUCT(B2:B3,C2:C3)"]])
    );
}

#[test]
fn grid_data_carries_the_formula_and_its_effective_value() {
    let (running, client) = start();
    let id = seeded(&running);
    let reply = client.get(&format!(
        "/v4/spreadsheets/{id}?includeGridData=true&ranges=Sheet1!B4"
    ));
    assert_eq!(reply.status, 200, "{}", reply.text);
    let cell = &reply.json["sheets"][0]["data"][0]["rowData"][0]["values"][0];
    assert_eq!(
        cell["userEnteredValue"],
        json!({"formulaValue": "=SUM(B2:B3)"})
    );
    assert_eq!(cell["effectiveValue"], json!({"numberValue": 15}));
    assert_eq!(cell["formattedValue"], "15");
}

#[test]
fn dependents_are_recomputed_when_a_value_changes() {
    let (running, client) = start();
    let id = seeded(&running);
    put(&client, &id, "Sheet1!B2", json!([["10"]]));
    assert_eq!(
        get(
            &client,
            &id,
            "Sheet1!B4:C4",
            "valueRenderOption=UNFORMATTED_VALUE"
        ),
        json!([[22, 31]])
    );
    // A formula written through the API, referring to another sheet.
    batch(
        &client,
        &id,
        json!([{"addSheet": {"properties": {"title": "Summary"}}}]),
    );
    put(
        &client,
        &id,
        "Summary!A1",
        json!([["=Sheet1!B4*2", "=CONCATENATE(Sheet1!A2,\"-\",Sheet1!A3)"]]),
    );
    assert_eq!(
        get(&client, &id, "Summary!A1:B1", ""),
        json!([["44", "tea-cake"]])
    );
    // The admin API's writes recompute too.
    running
        .set_values(
            &id,
            "Sheet1!B3",
            json!([[0]]),
            sheets_emulator::ValueInputOption::Raw,
        )
        .expect("admin write");
    assert_eq!(get(&client, &id, "Summary!A1", ""), json!([["20"]]));
}

#[test]
fn inserted_and_deleted_rows_move_references_as_in_sheets() {
    let (running, client) = start();
    let id = seeded(&running);
    // A row inserted above the data: the formulas move to row 5 and follow their ranges.
    batch(
        &client,
        &id,
        json!([{"insertDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}}}]),
    );
    assert_eq!(
        get(&client, &id, "Sheet1!B5:C5", "valueRenderOption=FORMULA"),
        json!([["=SUM(B3:B4)", "=SUMPRODUCT(B3:B4,C3:C4)"]])
    );
    assert_eq!(get(&client, &id, "Sheet1!B5", ""), json!([["15"]]));
    // A column inserted before B.
    batch(
        &client,
        &id,
        json!([{"insertDimension": {"range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 2}}}]),
    );
    assert_eq!(
        get(&client, &id, "Sheet1!C5", "valueRenderOption=FORMULA"),
        json!([["=SUM(C3:C4)"]])
    );
    // Deleting a cell a formula points at leaves #REF!, as Sheets does.
    put(&client, &id, "Sheet1!A7", json!([["=C3"]]));
    batch(
        &client,
        &id,
        json!([{"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 2, "endIndex": 3}}}]),
    );
    assert_eq!(
        get(&client, &id, "Sheet1!A6", "valueRenderOption=FORMULA"),
        json!([["=#REF!"]])
    );
    assert_eq!(get(&client, &id, "Sheet1!A6", ""), json!([["#REF!"]]));
    // The sum shrank to the one row left.
    assert_eq!(
        get(&client, &id, "Sheet1!C4", "valueRenderOption=FORMULA"),
        json!([["=SUM(C3:C3)"]])
    );
    assert_eq!(get(&client, &id, "Sheet1!C4", ""), json!([["12"]]));
}

#[test]
fn failing_formulas_show_sheets_error_values() {
    let (running, client) = start();
    let id = seeded(&running);
    put(
        &client,
        &id,
        "Sheet1!E1",
        json!([["=1/0", "=NOSUCHFUNCTION(1)", "=E1+"]]),
    );
    assert_eq!(
        get(
            &client,
            &id,
            "Sheet1!E1:G1",
            "valueRenderOption=UNFORMATTED_VALUE"
        ),
        json!([["#DIV/0!", "#NAME?", "#ERROR!"]])
    );
    let reply = client.get(&format!(
        "/v4/spreadsheets/{id}?includeGridData=true&ranges=Sheet1!E1"
    ));
    let cell = &reply.json["sheets"][0]["data"][0]["rowData"][0]["values"][0];
    assert_eq!(
        cell["effectiveValue"]["errorValue"]["type"],
        "DIVIDE_BY_ZERO"
    );
    assert_eq!(cell["formattedValue"], "#DIV/0!");
}
