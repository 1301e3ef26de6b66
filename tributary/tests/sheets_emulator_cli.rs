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
