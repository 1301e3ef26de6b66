//! The task against the Sheets API emulator: reading, naming, timestamps, the seed's shape.

mod common;

use std::time::Duration;

use common::*;
use connect_api::{Schema, SourceTask, Value};
use connect_google_sheets::config::Flavor;
use serde_json::json;
use sheets_emulator::SpreadsheetSeed;

#[tokio::test]
async fn reads_forms_rows_with_header_names_and_timestamps() {
    let harness = Harness::start("basics-forms@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(
        SpreadsheetSeed::new("Feedback")
            .locale("en_US")
            .time_zone("America/New_York")
            .sheet(sheet("Form responses 1", forms_rows(3))),
    );
    let props = harness.props(
        &id,
        &[("timestamp.column", "Timestamp"), ("key.mode", "ROW")],
    );
    let offsets = Offsets::new();
    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    let records = poll_until(&mut task, &offsets, Duration::from_secs(20), |r| {
        r.len() >= 3
    })
    .await;
    assert_eq!(records.len(), 3);
    let first = &records[0];
    assert_eq!(row_of(first), 2);
    assert_eq!(first.topic, "responses");
    assert_eq!(
        field(first, "Email address").as_deref(),
        Some("user0@example.com")
    );
    assert_eq!(field(first, "Question").as_deref(), Some("answer 0"));
    assert_eq!(field(first, "Question_2").as_deref(), Some("second 0"));
    assert_eq!(first.key, Value::Int64(2));
    let schema = first.value_schema.as_ref().expect("a value schema");
    assert_eq!(schema.name(), Some("form_responses_1"));
    // 4/1/2025 0:00:00 in New York (EDT, UTC-4).
    assert_eq!(first.timestamp, Some(1_743_480_000_000));
    assert_eq!(
        serde_json::Value::Object(first.source_partition.clone())["spreadsheet"],
        json!(id)
    );
    task.stop().await.expect("stops");
}

#[tokio::test]
async fn the_seed_shape_is_key_a_value_b_from_row_2() {
    let harness = Harness::start("basics-seed@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(SpreadsheetSeed::new("Seed").sheet(sheet(
        "Form responses 1",
        json!([["Timestamp", "Answer"], ["a", "b"], ["c"], ["e", "f", "g"]]),
    )));
    let mut props = harness.props(&id, &[]);
    props.remove("spreadsheet.id");
    props.remove("credentials.json");
    for (k, v) in [
        ("sheet_id", id.as_str()),
        ("private_key", harness.key.private_key_pem.as_str()),
        ("private_key_id", harness.key.private_key_id.as_str()),
        ("client_email", harness.key.client_email.as_str()),
        ("token_uri", &harness.emulator.token_uri()),
        ("project_id", harness.key.project_id.as_str()),
    ] {
        props.insert(k.to_string(), v.to_string());
    }
    let offsets = Offsets::new();
    let mut task = start_task(&props, &offsets, Flavor::Seed).await;
    let records = poll_until(&mut task, &offsets, Duration::from_secs(20), |r| {
        r.len() >= 3
    })
    .await;
    let pairs: Vec<(Value, Value)> = records
        .iter()
        .map(|r| (r.key.clone(), r.value.clone()))
        .collect();
    assert_eq!(
        pairs,
        vec![
            (Value::String("a".into()), Value::String("b".into())),
            (Value::String("c".into()), Value::String(String::new())),
            (Value::String("e".into()), Value::String("f".into())),
        ]
    );
    assert!(
        records
            .iter()
            .all(|r| r.key_schema == Some(Schema::string()))
    );
    assert!(
        records
            .iter()
            .all(|r| r.value_schema == Some(Schema::string()))
    );
    task.stop().await.expect("stops");
}

#[tokio::test]
async fn unformatted_values_are_typed() {
    let harness = Harness::start("basics-typed@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(
        SpreadsheetSeed::new("Typed")
            .locale("en_GB")
            .time_zone("Europe/London")
            .sheet(sheet(
                "Scores",
                json!([
                    ["When", "Score", "Passed", "Note"],
                    ["06/04/2025 18:56:53", 9.5, true, "fine"],
                    ["07/04/2025 09:00:00", 7, false, ""]
                ]),
            )),
    );
    let props = harness.props(
        &id,
        &[
            ("value.render.option", "UNFORMATTED_VALUE"),
            ("timestamp.column", "When"),
        ],
    );
    let offsets = Offsets::new();
    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    let records = poll_until(&mut task, &offsets, Duration::from_secs(20), |r| {
        r.len() >= 2
    })
    .await;
    let first = records[0].value.as_struct().expect("a struct");
    // 6 April 2025 18:56:53 in London (BST, UTC+1).
    assert_eq!(
        first.get("When").ok(),
        Some(&Value::Int64(1_743_962_213_000))
    );
    assert_eq!(records[0].timestamp, Some(1_743_962_213_000));
    assert_eq!(first.get("Score").ok(), Some(&Value::Float64(9.5)));
    assert_eq!(first.get("Passed").ok(), Some(&Value::Boolean(true)));
    assert_eq!(first.get("Note").ok(), Some(&Value::String("fine".into())));
    let second = records[1].value.as_struct().expect("a struct");
    assert_eq!(second.get("Score").ok(), Some(&Value::Float64(7.0)));
    assert_eq!(second.get("Note").ok(), Some(&Value::Null));
    let schema = records[0].value_schema.as_ref().expect("a schema");
    let types: Vec<String> = schema
        .fields()
        .unwrap_or(&[])
        .iter()
        .map(|f| format!("{:?}", f.schema()))
        .collect();
    assert_eq!(
        types,
        [
            "Schema{org.apache.kafka.connect.data.Timestamp:INT64}",
            "Schema{FLOAT64}",
            "Schema{BOOLEAN}",
            "Schema{STRING}"
        ]
    );
    task.stop().await.expect("stops");
}
