//! The Google Sheets source end to end: a `tributary standalone` process reading from the
//! Sheets API emulator (RS256 service-account auth, quotas, faults) into a real broker,
//! checked with independent consumers.

mod common;

use std::time::Duration;

use anyhow::{Context, Result};
use common::sheets::*;
use common::*;
use connect_testkit::{KafkaCluster, Record};
use serde_json::{Value, json};
use sheets_emulator::{EmulatorConfig, SpreadsheetSeed, ValueInputOption};

async fn rest(method: &'static str, url: String, body: Option<Value>) -> Result<(u16, Value)> {
    tokio::task::spawn_blocking(move || -> Result<(u16, Value)> {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .new_agent();
        let mut response = match (method, body) {
            ("GET", _) => agent.get(&url).call()?,
            ("POST", Some(b)) => agent.post(&url).send_json(&b)?,
            ("PUT", Some(b)) => agent.put(&url).send_json(&b)?,
            (m, _) => anyhow::bail!("unsupported {m}"),
        };
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string()?;
        Ok((
            status,
            if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text)?
            },
        ))
    })
    .await?
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn json_value(record: &Record) -> Value {
    record
        .value
        .as_deref()
        .and_then(|v| serde_json::from_slice(v).ok())
        .unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_config_posted_unchanged_delivers_column_a_as_key_and_b_as_value() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let sheets = Sheets::start(EmulatorConfig::default())?;
    let spreadsheet = sheets.spreadsheet(SpreadsheetSeed::new("Seed").sheet(sheet(
        "Sheet1",
        json!([
            ["key", "value"],
            ["k1", "v1"],
            ["k2", "v2"],
            ["k3", ""],
            ["k4", "v4"]
        ]),
    )))?;
    let dir = tempfile::tempdir()?;
    let worker =
        WorkerProcess::start(dir.path(), &cluster.bootstrap_servers(), &[], vec![]).await?;

    // The seed's own JSON (connectors/google-sheets/config), with the user's real key
    // fields and sheet, and only token_uri and the API base pointed at the emulator.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../connectors/google-sheets/config/seed-simple-google-sheet.json"
    ))?;
    let mut seed: Value = serde_json::from_str(&text)?;
    let topic = cluster.unique_topic("sheet-data");
    let config = seed["config"].as_object_mut().context("config")?;
    config.insert("topic".into(), json!(topic));
    config.insert("sheet_id".into(), json!(spreadsheet));
    config.insert("project_id".into(), json!(sheets.key.project_id));
    config.insert("private_key_id".into(), json!(sheets.key.private_key_id));
    config.insert("private_key".into(), json!(sheets.key.private_key_pem));
    config.insert("client_email".into(), json!(sheets.key.client_email));
    config.insert("client_id".into(), json!(sheets.key.client_id));
    config.insert("token_uri".into(), json!(sheets.emulator.token_uri()));
    config.insert("api.base.url".into(), json!(sheets.emulator.base_url()));
    let mut to_validate = seed["config"].clone();
    to_validate["name"] = seed["name"].clone();
    let (code, validation) = rest(
        "PUT",
        format!(
            "{}/connector-plugins/io.github.brewagebear.SimpleGoogleSheetConnector/config/validate",
            worker.rest
        ),
        Some(to_validate),
    )
    .await?;
    assert_eq!(code, 200, "{validation}");
    assert_eq!(validation["error_count"], 0, "{validation}");
    assert_no_secret(&sheets, "validate", &validation.to_string());

    let (code, created) = rest("POST", format!("{}/connectors", worker.rest), Some(seed)).await?;
    assert_eq!(code, 201, "{created}");
    assert_no_secret(&sheets, "create answer", &created.to_string());
    assert_eq!(created["config"]["private_key"], "[hidden]");

    let records = connect_testkit::consume_with_python(
        &cluster.bootstrap_servers(),
        &topic,
        4,
        Duration::from_secs(90),
    )
    .await
    .with_context(|| worker.log_text())?;
    // The seed config leaves partitions to the broker: order holds per key only.
    let mut pairs: Vec<(Option<String>, Value)> = records
        .iter()
        .map(|r| (r.key_str(), json_value(r)))
        .collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let string_schema = json!({"type": "string", "optional": false});
    assert_eq!(
        pairs,
        vec![
            (
                Some("k1".into()),
                json!({"schema": string_schema, "payload": "v1"})
            ),
            (
                Some("k2".into()),
                json!({"schema": string_schema, "payload": "v2"})
            ),
            (
                Some("k3".into()),
                json!({"schema": string_schema, "payload": ""})
            ),
            (
                Some("k4".into()),
                json!({"schema": string_schema, "payload": "v4"})
            ),
        ]
    );
    // (The seed's poll.interval.ms is 50 s; live appends are covered by the Forms test.)
    for path in [
        "/connectors/google-sheet-source/config",
        "/connectors/google-sheet-source",
        "/connectors/google-sheet-source/tasks",
        "/connectors/google-sheet-source/status",
    ] {
        let (_, body) = rest("GET", format!("{}{path}", worker.rest), None).await?;
        assert_no_secret(&sheets, path, &body.to_string());
    }
    assert_no_secret(&sheets, "the worker log", &worker.log_text());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_responses_become_structs_with_form_timestamps_and_new_questions_become_fields()
-> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let sheets = Sheets::start(EmulatorConfig::default())?;
    let spreadsheet = sheets.spreadsheet(
        SpreadsheetSeed::new("Survey (Responses)")
            .locale("en_US")
            .time_zone("Asia/Seoul")
            .value_input_option(ValueInputOption::Raw)
            .sheet(sheet(
                "Form responses 1",
                json!([
                    ["Timestamp", "Email address", "Favourite colour", "Why?"],
                    ["4/6/2025 18:56:53", "ada@example.com", "Blue", "The sea"],
                    ["4/6/2025 19:02:10", "alan@example.com", "Green", "Trees"],
                ]),
            )),
    )?;
    let dir = tempfile::tempdir()?;
    let topic = cluster.unique_topic("form-responses");
    let mut pairs = vec![
        ("name", "form".to_string()),
        ("connector.class", "GoogleSheetsSource".to_string()),
        ("topic", topic.clone()),
        (
            "spreadsheet.id",
            format!("https://docs.google.com/spreadsheets/d/{spreadsheet}/edit"),
        ),
        ("sheets", "Form responses 1".to_string()),
        ("timestamp.column", "Timestamp".to_string()),
        ("key.mode", "ROW".to_string()),
        ("poll.interval.ms", "200".to_string()),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter".to_string(),
        ),
        ("value.converter.schemas.enable", "true".to_string()),
        ("topic.creation.default.partitions", "1".to_string()),
        ("topic.creation.default.replication.factor", "1".to_string()),
    ];
    pairs.extend(sheets.connection());
    let connector = dir.path().join("form.properties");
    write_properties(&connector, &pairs)?;
    let worker = WorkerProcess::start(
        dir.path(),
        &cluster.bootstrap_servers(),
        &[],
        vec![connector],
    )
    .await?;
    let records = cluster
        .consume_all(&topic, 2, Duration::from_secs(90))
        .await
        .with_context(|| worker.log_text())?;
    let first = json_value(&records[0]);
    assert_eq!(
        first["payload"],
        json!({"Timestamp": "4/6/2025 18:56:53", "Email address": "ada@example.com",
               "Favourite colour": "Blue", "Why?": "The sea"})
    );
    assert_eq!(first["schema"]["name"], "form_responses_1");
    let fields: Vec<(String, bool, String)> = first["schema"]["fields"]
        .as_array()
        .context("fields")?
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap_or_default().to_string(),
                f["optional"].as_bool().unwrap_or(false),
                f["type"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        ["Timestamp", "Email address", "Favourite colour", "Why?"]
            .iter()
            .map(|f| (f.to_string(), true, "string".to_string()))
            .collect::<Vec<_>>()
    );
    // 18:56:53 in Seoul (UTC+9) is 09:56:53 UTC.
    let expected = (days_from_civil(2025, 4, 6) * 86_400 + 9 * 3600 + 56 * 60 + 53) * 1000;
    assert_eq!(records[0].timestamp, Some(expected));
    assert_eq!(records[0].key_str().as_deref(), Some("2"), "the row number");
    assert_eq!(
        records[0].header("google.sheets.sheet.title"),
        Some(&b"Form responses 1"[..])
    );
    assert_eq!(records[0].header("google.sheets.row"), Some(&b"2"[..]));
    assert_eq!(
        records[0].header("google.sheets.spreadsheet.id"),
        Some(spreadsheet.as_bytes())
    );

    // A question added to the form: a new column, then a response that answers it.
    sheets.emulator.set_values(
        &spreadsheet,
        "'Form responses 1'!E1",
        json!([["Anything else?"]]),
        ValueInputOption::Raw,
    )?;
    sheets.emulator.append_rows(
        &spreadsheet,
        "Form responses 1",
        json!([[
            "4/7/2025 08:00:00",
            "grace@example.com",
            "Red",
            "Roses",
            "No"
        ]]),
        ValueInputOption::Raw,
    )?;
    let records = cluster
        .consume_all(&topic, 3, Duration::from_secs(90))
        .await
        .with_context(|| worker.log_text())?;
    let third = json_value(&records[2]);
    assert_eq!(third["payload"]["Anything else?"], "No");
    let last_field = &third["schema"]["fields"][4];
    assert_eq!(last_field["field"], "Anything else?");
    assert_eq!(last_field["optional"], true);
    assert_eq!(records.len(), 3, "no duplicates when the schema evolved");
    assert_no_secret(&sheets, "the worker log", &worker.log_text());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_inserted_and_deleted_above_the_offset_while_stopped_are_not_sent_again() -> Result<()>
{
    let cluster = KafkaCluster::start().await?;
    let sheets = Sheets::start(EmulatorConfig::default())?;
    let mut rows = vec![json!(["id", "text"])];
    rows.extend((1..=10).map(|i| json!([format!("row-{i}"), format!("text {i}")])));
    let spreadsheet = sheets.spreadsheet(
        SpreadsheetSeed::new("Moving rows")
            .value_input_option(ValueInputOption::Raw)
            .sheet(sheet("Data", Value::Array(rows))),
    )?;
    let dir = tempfile::tempdir()?;
    let topic = cluster.unique_topic("moving");
    let mut pairs = vec![
        ("name", "moving".to_string()),
        ("connector.class", "GoogleSheetsSource".to_string()),
        ("topic", topic.clone()),
        ("spreadsheet.id", spreadsheet.clone()),
        ("poll.interval.ms", "200".to_string()),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter".to_string(),
        ),
        ("value.converter.schemas.enable", "false".to_string()),
        ("topic.creation.default.partitions", "1".to_string()),
        ("topic.creation.default.replication.factor", "1".to_string()),
    ];
    pairs.extend(sheets.connection());
    let connector = dir.path().join("moving.properties");
    write_properties(&connector, &pairs)?;
    let mut worker = WorkerProcess::start(
        dir.path(),
        &cluster.bootstrap_servers(),
        &[],
        vec![connector],
    )
    .await?;
    cluster
        .consume_all(&topic, 10, Duration::from_secs(90))
        .await
        .with_context(|| worker.log_text())?;
    let status = worker.terminate().await?;
    assert!(status.success());

    // While stopped: two rows inserted above the last row read, one deleted, three appended.
    sheets.emulator.insert_rows(
        &spreadsheet,
        "Data",
        3,
        json!([["inserted-a", "x"], ["inserted-b", "y"]]),
        ValueInputOption::Raw,
    )?;
    sheets.emulator.delete_rows(&spreadsheet, "Data", 1, 1)?;
    sheets.emulator.append_rows(
        &spreadsheet,
        "Data",
        json!([
            ["row-11", "text 11"],
            ["row-12", "text 12"],
            ["row-13", "text 13"]
        ]),
        ValueInputOption::Raw,
    )?;
    worker.spawn().await?;
    wait_for_records(&cluster, &topic, 13, Duration::from_secs(90)).await?;
    let records = cluster
        .consume_to_end(&topic, Duration::from_secs(30))
        .await?;
    let ids: Vec<String> = records
        .iter()
        .map(|r| json_value(r)["id"].as_str().unwrap_or_default().to_string())
        .collect();
    let expected: Vec<String> = (1..=13).map(|i| format!("row-{i}")).collect();
    // As documented: the anchor row is found where it moved to; nothing already sent is
    // sent again, rows inserted above it are not read, the new rows are.
    assert_eq!(ids, expected, "{}", worker.log_text());
    Ok(())
}
