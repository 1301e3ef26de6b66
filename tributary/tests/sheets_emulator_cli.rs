//! `tributary sheets-emulator` as a user runs it: a server that speaks the Sheets API and
//! an admin API, and keeps its state in a file across restarts.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result};
use common::http;
use serde_json::json;

struct Emulator {
    child: Child,
    base: String,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-INT")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

async fn start(state: &std::path::Path) -> Result<Emulator> {
    let port = connect_testkit::free_port()?;
    let child = Command::new(env!("CARGO_BIN_EXE_tributary"))
        .args(["sheets-emulator", "--port", &port.to_string(), "--state"])
        .arg(state)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let emulator = Emulator {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let url = format!("{}/__admin/counters", emulator.base);
    connect_testkit::wait_until(Duration::from_secs(30), Duration::from_millis(50), || {
        let url = url.clone();
        async move {
            tokio::task::spawn_blocking(move || ureq::get(&url).call().is_ok())
                .await
                .unwrap_or(false)
        }
    })
    .await
    .context("emulator did not come up")?;
    Ok(emulator)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_command_serves_the_sheets_api_and_keeps_state() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let state = dir.path().join("sheets.json");
    let emulator = start(&state).await?;
    let admin = format!("{}/__admin", emulator.base);
    let (code, created) = http("POST", format!("{admin}/spreadsheets"), Some(json!({
        "title": "Form",
        "public": true,
        "sheets": [{"title": "Form responses 1", "rows": [["Timestamp", "Name"], ["4/6/2025 18:56:53", "Ada"]]}]
    }))).await?;
    assert_eq!(code, 200, "{created}");
    let id = created["spreadsheetId"].as_str().context("id")?.to_string();
    let (code, _) = http(
        "POST",
        format!("{admin}/api-keys"),
        Some(json!({"key": "test-key"})),
    )
    .await?;
    assert_eq!(code, 200);
    let values_url = format!(
        "{}/v4/spreadsheets/{id}/values/'Form%20responses%201'!A1:C10?key=test-key",
        emulator.base
    );
    let (code, values) = http("GET", values_url.clone(), None).await?;
    assert_eq!(code, 200, "{values}");
    assert_eq!(values["range"], "'Form responses 1'!A1:C10");
    assert_eq!(
        values["values"],
        json!([["Timestamp", "Name"], ["4/6/2025 18:56:53", "Ada"]])
    );
    let (code, error) = http(
        "GET",
        format!("{}/v4/spreadsheets/{id}/values/Sheet9!A1", emulator.base) + "?key=test-key",
        None,
    )
    .await?;
    assert_eq!(code, 400, "{error}");
    assert_eq!(error["error"]["status"], "INVALID_ARGUMENT");

    // Ctrl-C saves the state; a new emulator on the same file has the data.
    drop(emulator);
    assert!(state.exists(), "state file written at shutdown");
    let emulator = start(&state).await?;
    let values_url = values_url.replace(
        &values_url[..values_url.find("/v4").unwrap_or(0)],
        &emulator.base,
    );
    let (code, values) = http("GET", values_url, None).await?;
    assert_eq!(code, 200, "{values}");
    assert_eq!(values["values"][1][1], "Ada");
    Ok(())
}

/// Google's own auth library gets a token from the emulator through the service-account
/// flow, unpatched: google-auth signs the JWT for Google's token endpoint whatever the key
/// file's `token_uri` says, and the emulator accepts that audience as Google does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn google_auth_reads_through_the_service_account_flow() -> Result<()> {
    use sheets_emulator::{Emulator, EmulatorConfig, SheetSeed, SpreadsheetSeed};
    const EMAIL: &str = "python-reader@test-project.iam.gserviceaccount.com";
    let emulator = Emulator::start_local_with(EmulatorConfig::default())?;
    let key = emulator.create_service_account(EMAIL)?;
    let spreadsheet = emulator.create_spreadsheet(
        SpreadsheetSeed::new("From Python")
            .sheet(SheetSeed::new("Responses").rows(json!([["name", "score"], ["ada", "5"]])))
            .reader(EMAIL),
    )?;
    let dir = tempfile::tempdir()?;
    let key_file = dir.path().join("key.json");
    std::fs::write(&key_file, key.to_json_string())?;
    let python = connect_testkit::PythonEnv::get()?;
    let key_arg = key_file.display().to_string();
    let output = python
        .run_python_script(
            python.script("google_auth_read.py"),
            [
                key_arg.as_str(),
                emulator.base_url(),
                spreadsheet.as_str(),
                "Responses!A1:B2",
            ],
        )
        .await?
        .ensure_success()?;
    let answer: serde_json::Value = serde_json::from_str(output.stdout.trim())
        .with_context(|| format!("the script's answer: {}", output.stdout))?;
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(
        answer["body"]["values"],
        json!([["name", "score"], ["ada", "5"]]),
        "{answer}"
    );
    Ok(())
}

/// A spreadsheet "Feedback" with a "Responses" sheet of two form responses, shared with a
/// new service account; the key file written to `dir`.
fn feedback_spreadsheet(
    emulator: &sheets_emulator::RunningEmulator,
    email: &str,
    dir: &std::path::Path,
) -> Result<(String, std::path::PathBuf)> {
    use sheets_emulator::{SheetSeed, SpreadsheetSeed};
    let key = emulator.create_service_account(email)?;
    let spreadsheet = emulator.create_spreadsheet(
        SpreadsheetSeed::new("Feedback")
            .sheet(SheetSeed::new("Responses").rows(json!([
                ["Timestamp", "Email", "Score"],
                ["4/6/2025 18:56:53", "a@example.com", 7],
                ["4/6/2025 19:01:02", "b@example.com", 5],
            ])))
            .writer(email),
    )?;
    let key_file = dir.join("key.json");
    std::fs::write(&key_file, key.to_json_string())?;
    Ok((spreadsheet, key_file))
}

/// Runs `tests/python/sheets_clients.py <client>` against the emulator: what it saw.
async fn client_session(
    client: &str,
    emulator: &sheets_emulator::RunningEmulator,
    spreadsheet: &str,
    key_file: &std::path::Path,
) -> Result<serde_json::Value> {
    let python = connect_testkit::PythonEnv::get()?;
    let key_arg = key_file.display().to_string();
    let output = python
        .run_python_script(
            python.script("sheets_clients.py"),
            [client, key_arg.as_str(), emulator.base_url(), spreadsheet],
        )
        .await?
        .ensure_success()?;
    serde_json::from_str(output.stdout.trim())
        .with_context(|| format!("the script's answer: {}", output.stdout))
}

#[tokio::test]
async fn gspread_reads_appends_updates_and_formats_unpatched() -> Result<()> {
    use sheets_emulator::{Emulator, EmulatorConfig};
    let emulator = Emulator::start_local_with(EmulatorConfig::default())?;
    let dir = tempfile::tempdir()?;
    let (spreadsheet, key_file) = feedback_spreadsheet(
        &emulator,
        "gspread@test-project.iam.gserviceaccount.com",
        dir.path(),
    )?;
    let seen = client_session("gspread", &emulator, &spreadsheet, &key_file).await?;
    assert_eq!(seen["title"], "Feedback", "{seen}");
    assert_eq!(
        seen["records"],
        json!([
            {"Timestamp": "4/6/2025 18:56:53", "Email": "a@example.com", "Score": 7},
            {"Timestamp": "4/6/2025 19:01:02", "Email": "b@example.com", "Score": 5},
        ]),
        "{seen}"
    );
    // append_row (includeValuesInResponse=False) and row_values ('Responses'!A4:4).
    assert_eq!(
        seen["appended_row"],
        json!(["4/7/2025 10:00:00", "cy@example.com", "9"])
    );
    // A formula written with update_acell computes, and reads back as entered.
    assert_eq!(seen["total"], "21");
    assert_eq!(seen["total_formula"], "=SUM(C2:C4)");
    assert_eq!(seen["found"], json!([4, 2]));
    // insert_row then delete_rows left the scores as they were.
    assert_eq!(seen["scores"], json!(["Score", "7", "5", "9"]));
    // freeze() and resize() send gridProperties/... field masks.
    assert_eq!(seen["frozen_rows"], 1);
    assert_eq!(seen["row_count"], 200);
    assert_eq!(seen["backup_a1"], "Timestamp");
    assert_eq!(seen["sheets"], json!(["Responses"]));
    // What the emulator holds is what the client saw (gspread pads rows to one width).
    let held = emulator.sheet_values_formatted(&spreadsheet, "Responses")?;
    let width = held.iter().map(Vec::len).max().unwrap_or(0);
    let padded: Vec<Vec<String>> = held
        .iter()
        .map(|row| {
            let mut row = row.clone();
            row.resize(width, String::new());
            row
        })
        .collect();
    assert_eq!(json!(padded), seen["values"]);
    assert_eq!(
        held[1],
        vec!["4/6/2025 18:56:53", "a@example.com", "7", "21", "checked"]
    );
    Ok(())
}

#[tokio::test]
async fn google_api_python_client_runs_a_session_unpatched() -> Result<()> {
    use sheets_emulator::{Emulator, EmulatorConfig};
    let emulator = Emulator::start_local_with(EmulatorConfig::default())?;
    let dir = tempfile::tempdir()?;
    let (spreadsheet, key_file) = feedback_spreadsheet(
        &emulator,
        "api-client@test-project.iam.gserviceaccount.com",
        dir.path(),
    )?;
    let seen = client_session("api-client", &emulator, &spreadsheet, &key_file).await?;
    assert_eq!(seen["title"], "Feedback", "{seen}");
    assert_eq!(seen["sheet_titles"], json!(["Responses"]));
    assert_eq!(
        seen["read"]["values"][2],
        json!(["4/6/2025 19:01:02", "b@example.com", "5"])
    );
    assert_eq!(seen["appended"]["updatedRange"], "Responses!A4:C4");
    assert_eq!(
        seen["appended"]["updatedData"]["values"],
        json!([["4/7/2025 10:00:00", "cy@example.com", "9"]])
    );
    assert_eq!(seen["batch_get"][0]["values"], json!([[21]]));
    assert_eq!(seen["batch_get"][1]["range"], "Responses!C2:C4");
    assert_eq!(seen["batch_get"][1]["values"], json!([[7], [5], [9]]));
    assert_eq!(
        seen["by_filter"],
        json!([["a@example.com"], ["b@example.com"], ["cy@example.com"]])
    );
    assert_eq!(
        seen["header_cell"],
        json!({"formattedValue": "Timestamp", "userEnteredFormat": {"textFormat": {"bold": true}}})
    );
    assert_eq!(seen["grid_properties"]["frozenRowCount"], 1);
    // INSERT_ROWS added a row to the grid.
    assert_eq!(seen["grid_properties"]["rowCount"], 1001);
    assert_eq!(
        seen["empty_batch"],
        json!([400, "Must specify at least one request."])
    );
    let held = emulator.read_range(
        &spreadsheet,
        "Responses!D1:D2",
        sheets_emulator::ValueRenderOption::FormattedValue,
    )?;
    assert_eq!(held, vec![vec![json!("Total")], vec![json!("21")]]);
    Ok(())
}
