//! The Google Sheets source end to end: a `tributary standalone` process reading from the
//! Sheets API emulator (RS256 service-account auth, quotas, faults) into a real broker,
//! checked with independent consumers.

mod common;

use std::time::Duration;

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, Result};
use common::sheets::*;
use common::*;
use connect_testkit::{KafkaCluster, Record};
use serde_json::{Value, json};
use sheets_emulator::{EmulatorConfig, SpreadsheetSeed, ValueInputOption};

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
    let (code, validation) = http(
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

    let (code, created) = http("POST", format!("{}/connectors", worker.rest), Some(seed)).await?;
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
        let (_, body) = http("GET", format!("{}{path}", worker.rest), None).await?;
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
    let pairs = vec![
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
    let connector = sheets.write_connector(&dir.path().join("form.properties"), pairs)?;
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
    let pairs = vec![
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
    let connector = sheets.write_connector(&dir.path().join("moving.properties"), pairs)?;
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

/// The committed row of every sheet (by sheet id) in the worker's offsets file.
fn committed_rows(dir: &std::path::Path) -> BTreeMap<i64, i64> {
    let Ok(text) = std::fs::read_to_string(dir.join("connect.offsets")) else {
        return BTreeMap::new();
    };
    let Ok(json) = serde_json::from_str::<Value>(&text) else {
        panic!("the offsets file must always be valid JSON:\n{text}");
    };
    json["offsets"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .filter_map(|e| Some((e["key"][1]["sheet"].as_i64()?, e["value"]["row"].as_i64()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// A pseudo-random number in [0, bound) from the clock, for kill timing.
fn jitter(bound: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    nanos % bound.max(1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_sheets_three_tasks_and_three_kills_lose_nothing() -> Result<()> {
    const SHEETS: usize = 5;
    const ROWS_PER_SHEET: usize = 120;
    let cluster = KafkaCluster::start().await?;
    let mut config = EmulatorConfig::default();
    // This test is about crashes; quotas have their own test.
    config.quotas.read_requests_per_user = 100_000;
    config.quotas.read_requests_per_project = 100_000;
    let sheets = Sheets::start(config)?;
    let mut seed = SpreadsheetSeed::new("Five").value_input_option(ValueInputOption::Raw);
    for s in 0..SHEETS {
        seed = seed.sheet(sheet(&format!("S{s}"), json!([["id", "n"]])));
    }
    let spreadsheet = sheets.spreadsheet(seed)?;
    let meta = sheets.emulator.spreadsheet_json(&spreadsheet)?;
    let sheet_ids: HashMap<String, i64> = meta["sheets"]
        .as_array()
        .context("sheets")?
        .iter()
        .filter_map(|s| {
            Some((
                s["properties"]["title"].as_str()?.to_string(),
                s["properties"]["sheetId"].as_i64()?,
            ))
        })
        .collect();
    let dir = tempfile::tempdir()?;
    let topic = cluster.unique_topic("five");
    let pairs = vec![
        ("name", "five".to_string()),
        ("connector.class", "GoogleSheetsSource".to_string()),
        ("tasks.max", "3".to_string()),
        ("topic", topic.clone()),
        ("spreadsheet.id", spreadsheet.clone()),
        ("poll.interval.ms", "100".to_string()),
        ("quota.reads.per.minute", "100000".to_string()),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter".to_string(),
        ),
        ("value.converter.schemas.enable", "false".to_string()),
    ];
    let connector = sheets.write_connector(&dir.path().join("five.properties"), pairs)?;
    let mut worker = WorkerProcess::start(
        dir.path(),
        &cluster.bootstrap_servers(),
        &[("offset.flush.interval.ms", "300".to_string())],
        vec![connector],
    )
    .await?;
    let status = worker
        .wait_for_state("five", "RUNNING", Duration::from_secs(60))
        .await?;
    assert_eq!(
        status["tasks"].as_array().map(Vec::len),
        Some(3),
        "{status}"
    );

    // Rows are appended to every sheet, concurrently with everything below.
    let appender = {
        let emulator = sheets.emulator.emulator().clone();
        let spreadsheet = spreadsheet.clone();
        tokio::spawn(async move {
            for n in 0..ROWS_PER_SHEET {
                for s in 0..SHEETS {
                    let row = json!([[format!("S{s}-{n}"), n]]);
                    if let Err(e) = emulator.append_rows(
                        &spreadsheet,
                        &format!("S{s}"),
                        row,
                        ValueInputOption::Raw,
                    ) {
                        return Err(anyhow::anyhow!("append failed: {e}"));
                    }
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            Ok(())
        })
    };
    // Three kills at random moments; what was committed at each kill is remembered.
    let mut committed_at_kills: Vec<BTreeMap<i64, i64>> = Vec::new();
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(400 + jitter(1200))).await;
        worker.kill()?;
        committed_at_kills.push(committed_rows(dir.path()));
        worker.spawn().await?;
    }
    appender.await??;
    let read_counts = || async {
        let records = cluster
            .consume_to_end(&topic, Duration::from_secs(60))
            .await?;
        let mut counts: HashMap<String, usize> = HashMap::new();
        for record in &records {
            let id = json_value(record)["id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            *counts.entry(id).or_default() += 1;
        }
        anyhow::Ok(counts)
    };
    // Wait until every row is in the topic at least once...
    let expected_ids = SHEETS * ROWS_PER_SHEET;
    connect_testkit::wait_for(
        Duration::from_secs(180),
        Duration::from_millis(500),
        || async {
            let counts = read_counts().await?;
            Ok((counts.len() >= expected_ids).then_some(()))
        },
    )
    .await
    .with_context(|| worker.log_text())?;
    // ...and until the worker, which re-sends from the last committed row after each kill,
    // has caught up: every sheet's last row committed. Only then is nothing left to re-send,
    // and what a graceful restart sends after the new rows would be a duplicate of its own.
    let last_row = ROWS_PER_SHEET as i64 + 1;
    connect_testkit::wait_until(Duration::from_secs(120), Duration::from_millis(200), || {
        let committed = committed_rows(dir.path());
        let caught_up = sheet_ids
            .values()
            .all(|id| committed.get(id).copied() == Some(last_row));
        async move { caught_up }
    })
    .await
    .with_context(|| {
        format!(
            "every sheet committed up to row {last_row}: {:?}; log:\n{}",
            committed_rows(dir.path()),
            worker.log_text()
        )
    })?;
    // ...then stop gracefully, so that what is in the topic is final.
    let exit = worker.terminate().await?;
    assert!(exit.success(), "{}", worker.log_text());
    // Every row arrived at least once, none was skipped; duplicates only for rows above
    // what was committed when a kill happened (the unflushed window).
    let counts = read_counts().await?;
    assert_eq!(counts.len(), expected_ids, "no unknown rows");
    for s in 0..SHEETS {
        let sheet_id = sheet_ids[&format!("S{s}")];
        for n in 0..ROWS_PER_SHEET {
            let id = format!("S{s}-{n}");
            let count = counts.get(&id).copied().unwrap_or(0);
            assert!(count >= 1, "{id} was lost; log:\n{}", worker.log_text());
            let row = n as i64 + 2; // header is row 1
            let unflushed_at_some_kill = committed_at_kills
                .iter()
                .any(|committed| committed.get(&sheet_id).copied().unwrap_or(1) < row);
            if count > 1 {
                assert!(
                    unflushed_at_some_kill,
                    "{id} (row {row}) was sent {count} times although it was committed before every kill"
                );
            }
            assert!(
                count <= 4,
                "{id} sent {count} times: at most once plus once per kill"
            );
        }
    }

    // A graceful restart adds no duplicates.
    for s in 0..SHEETS {
        sheets.emulator.append_rows(
            &spreadsheet,
            &format!("S{s}"),
            json!([[format!("S{s}-late"), 0]]),
            ValueInputOption::Raw,
        )?;
    }
    worker.spawn().await?;
    let before: usize = counts.values().sum();
    wait_for_records(
        &cluster,
        &topic,
        (before + SHEETS) as i64,
        Duration::from_secs(120),
    )
    .await
    .with_context(|| worker.log_text())?;
    let after = read_counts().await?;
    assert_eq!(
        after.values().sum::<usize>(),
        before + SHEETS,
        "only the new rows were sent"
    );
    for s in 0..SHEETS {
        assert_eq!(after.get(&format!("S{s}-late")).copied(), Some(1));
    }
    assert_no_secret(&sheets, "the worker log", &worker.log_text());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quota_of_ten_reads_a_minute_and_injected_500s_lose_nothing() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let mut config = EmulatorConfig::default();
    config.quotas.read_requests_per_user = 10;
    let sheets = Sheets::start(config)?;
    let mut rows = vec![json!(["id", "payload"])];
    rows.extend((0..300).map(|i| json!([format!("r{i}"), "x".repeat(100)])));
    let spreadsheet = sheets.spreadsheet(
        SpreadsheetSeed::new("Quota")
            .value_input_option(ValueInputOption::Raw)
            .sheet(sheet("Data", Value::Array(rows))),
    )?;
    // Three failures on the values endpoints, before anything is read.
    sheets.emulator.inject_fault(
        sheets_emulator::FaultSpec::status(500, 3)
            .path_prefix(format!("/v4/spreadsheets/{spreadsheet}/values")),
    );
    let dir = tempfile::tempdir()?;
    let topic = cluster.unique_topic("quota");
    let pairs = vec![
        ("name", "quota".to_string()),
        ("connector.class", "GoogleSheetsSource".to_string()),
        ("topic", topic.clone()),
        ("spreadsheet.id", spreadsheet.clone()),
        ("poll.interval.ms", "200".to_string()),
        // Windows of 50 rows: the ingest needs more reads than one minute allows.
        ("fetch.max.rows", "50".to_string()),
        ("sheet_fetch_size", "50".to_string()),
        ("quota.reads.per.minute", "10".to_string()),
        ("retry.backoff.initial.ms", "100".to_string()),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter".to_string(),
        ),
        ("value.converter.schemas.enable", "false".to_string()),
        ("topic.creation.default.partitions", "1".to_string()),
        ("topic.creation.default.replication.factor", "1".to_string()),
    ];
    let connector = sheets.write_connector(&dir.path().join("quota.properties"), pairs)?;
    let worker = WorkerProcess::start(
        dir.path(),
        &cluster.bootstrap_servers(),
        &[],
        vec![connector],
    )
    .await?;
    wait_for_records(&cluster, &topic, 300, Duration::from_secs(240))
        .await
        .with_context(|| worker.log_text())?;
    let records = cluster
        .consume_to_end(&topic, Duration::from_secs(30))
        .await?;
    let ids: Vec<String> = records
        .iter()
        .map(|r| json_value(r)["id"].as_str().unwrap_or_default().to_string())
        .collect();
    let expected: Vec<String> = (0..300).map(|i| format!("r{i}")).collect();
    assert_eq!(
        ids,
        expected,
        "every row exactly once, in order; the worker's log:\n{}",
        worker.log_text()
    );
    let counters = sheets.emulator.counters();
    assert_eq!(counters.injected_faults, 3, "{counters:?}");
    assert_eq!(
        counters.status(429),
        0,
        "the connector's budget kept it within the emulator's quota: {counters:?}"
    );
    let reads = counters.endpoint(sheets_emulator::EndpointKind::BatchGet)
        + counters.endpoint(sheets_emulator::EndpointKind::ValuesGet)
        + counters.endpoint(sheets_emulator::EndpointKind::Metadata);
    assert!(
        reads > 10,
        "the ingest needed more than one minute's budget: {counters:?}"
    );
    let status = worker
        .wait_for_state("quota", "RUNNING", Duration::from_secs(10))
        .await?;
    assert!(
        status["tasks"][0]["restarts"].is_null(),
        "the task never failed: {status}"
    );
    // The worker's /metrics counts the same requests the emulator saw (tokens aside),
    // and the retries of the injected failures.
    let (code, metrics) = worker.get_text("/metrics").await?;
    assert_eq!(code, 200);
    let sum = |prefix: &str| -> f64 {
        metrics
            .lines()
            .filter(|l| l.starts_with(prefix))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    };
    let counters = sheets.emulator.counters();
    let api_requests = counters.total - counters.endpoint(sheets_emulator::EndpointKind::Token);
    // The connector itself read the metadata once to divide the sheets among tasks; every
    // other request was a task's, counted on its metrics.
    assert_eq!(
        sum(r#"google_sheets_api_requests_total{connector="quota""#) + 1.0,
        api_requests as f64,
        "{metrics}"
    );
    assert!(
        sum(r#"google_sheets_api_retries_total{connector="quota""#) >= 3.0,
        "{metrics}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_rows_by_ten_columns_in_few_requests() -> Result<()> {
    const ROWS: usize = 100_000;
    let cluster = KafkaCluster::start().await?;
    let mut config = EmulatorConfig::default();
    config.quotas.read_requests_per_user = 100_000;
    config.quotas.read_requests_per_project = 100_000;
    let sheets = Sheets::start(config)?;
    let header: Vec<String> = (0..10).map(|c| format!("col{c}")).collect();
    let mut rows = vec![json!(header)];
    rows.extend(
        (0..ROWS).map(|r| Value::Array((0..10).map(|c| json!(format!("r{r}c{c}"))).collect())),
    );
    let spreadsheet = sheets.spreadsheet(
        SpreadsheetSeed::new("Big")
            .value_input_option(ValueInputOption::Raw)
            .sheet(sheet("Data", Value::Array(rows)).grid(ROWS as u32 + 1, 10)),
    )?;
    sheets.emulator.reset();
    let dir = tempfile::tempdir()?;
    let topic = cluster.unique_topic("big");
    let pairs = vec![
        ("name", "big".to_string()),
        ("connector.class", "GoogleSheetsSource".to_string()),
        ("topic", topic.clone()),
        ("spreadsheet.id", spreadsheet.clone()),
        // Once caught up, one read per 5 s: idle reads do not blur the count below.
        ("poll.interval.ms", "5000".to_string()),
        ("quota.reads.per.minute", "100000".to_string()),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter".to_string(),
        ),
        ("value.converter.schemas.enable", "false".to_string()),
        ("topic.creation.default.partitions", "1".to_string()),
        ("topic.creation.default.replication.factor", "1".to_string()),
    ];
    let connector = sheets.write_connector(&dir.path().join("big.properties"), pairs)?;
    let worker = WorkerProcess::start(
        dir.path(),
        &cluster.bootstrap_servers(),
        &[],
        vec![connector],
    )
    .await?;
    wait_for_records(&cluster, &topic, ROWS as i64, Duration::from_secs(300))
        .await
        .with_context(|| worker.log_text())?;
    // The cost of the ingest itself, taken as soon as it is complete.
    let counters = sheets.emulator.counters();
    let records = connect_testkit::consume_with_python(
        &cluster.bootstrap_servers(),
        &topic,
        ROWS,
        Duration::from_secs(180),
    )
    .await?;
    assert_eq!(records.len(), ROWS, "complete");
    assert_eq!(
        cluster.end_offsets(&topic).await?.values().sum::<i64>(),
        ROWS as i64,
        "nothing twice"
    );
    assert_eq!(
        json_value(&records[ROWS - 1])["col9"],
        format!("r{}c9", ROWS - 1)
    );
    // Every record keeps the connector's headers (the last data row is sheet row ROWS + 1).
    let last_row = (ROWS + 1).to_string();
    assert_eq!(
        records[ROWS - 1].header("google.sheets.row"),
        Some(last_row.as_bytes())
    );
    assert!(
        records
            .iter()
            .all(|r| r.header("google.sheets.sheet.title") == Some(&b"Data"[..])),
        "a record without its sheet title header"
    );
    // Reads that carried rows; once caught up, the task also asks every poll interval
    // whether new rows arrived (small answers), which depends on how long the broker took,
    // not on the sheet.
    let reads: Vec<u64> = sheets
        .emulator
        .requests()
        .iter()
        .filter(|r| r.endpoint == sheets_emulator::EndpointKind::BatchGet)
        .map(|r| r.response_bytes)
        .collect();
    let data_reads = reads.iter().filter(|bytes| **bytes > 64 * 1024).count() as u64;
    let data_bytes: u64 = reads.iter().filter(|bytes| **bytes > 64 * 1024).sum();
    let two_mb = 2 * 1024 * 1024;
    let floor = data_bytes.div_ceil(two_mb);
    assert!(
        data_reads <= floor + 3,
        "{data_reads} reads for {data_bytes} bytes of rows (floor {floor}); all reads: {reads:?}"
    );
    assert!(
        reads.iter().all(|bytes| *bytes <= 5 * two_mb / 2),
        "no answer much above 2 MB: {reads:?}"
    );
    assert!(
        counters.endpoint(sheets_emulator::EndpointKind::BatchGet) >= data_reads,
        "{counters:?}"
    );
    Ok(())
}
