//! Quotas, large sheets, several sheets and tasks, and columns added while running,
//! against the Sheets API emulator.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::*;
use connect_api::{ConnectError, Connector, ConnectorContext, SourceTask};
use connect_google_sheets::GoogleSheetsSourceConnector;
use connect_google_sheets::config::Flavor;
use serde_json::json;
use sheets_emulator::{
    EmulatorConfig, EndpointKind, QuotaConfig, SheetSeed, SpreadsheetSeed, ValueInputOption,
};

struct NoContext;

impl ConnectorContext for NoContext {
    fn request_task_reconfiguration(&self) {}
    fn raise_error(&self, _error: ConnectError) {}
}

#[tokio::test]
async fn a_quota_of_10_reads_per_window_is_never_exceeded() {
    let window = Duration::from_secs(2);
    let emulator = sheets_emulator::Emulator::start_local_with(EmulatorConfig {
        quotas: QuotaConfig {
            read_requests_per_user: 10,
            read_requests_per_project: 300,
            window,
            ..QuotaConfig::default()
        },
        ..EmulatorConfig::default()
    })
    .expect("the emulator starts");
    let key = emulator
        .create_service_account("scale-quota@tributary-test.iam.gserviceaccount.com")
        .expect("a service account");
    let harness = Harness { emulator, key };
    let id = harness
        .spreadsheet(SpreadsheetSeed::new("F").sheet(sheet("Form responses 1", forms_rows(250))));
    // Ten rows a request: about 26 reads, three windows' worth of quota.
    let props = harness.props(
        &id,
        &[
            ("fetch.max.rows", "10"),
            ("quota.reads.per.minute", "10"),
            ("quota.window.ms", "2000"),
        ],
    );
    let offsets = Offsets::new();
    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    let started = std::time::Instant::now();
    let records = poll_until(&mut task, &offsets, Duration::from_secs(60), |r| {
        r.len() >= 250
    })
    .await;
    let rows: Vec<u64> = records.iter().map(row_of).collect();
    assert_eq!(rows, (2..252).collect::<Vec<u64>>());
    let counters = harness.emulator().counters();
    assert_eq!(counters.status(429), 0, "{counters:?}");
    let reads =
        counters.endpoint(EndpointKind::BatchGet) + counters.endpoint(EndpointKind::Metadata);
    assert!(reads >= 26, "{counters:?}");
    // 10 reads per 2 s window: the reads cannot have taken less than this.
    let windows_needed = (reads - 1) / 10;
    assert!(
        started.elapsed() >= window * windows_needed as u32,
        "{reads} reads in {:?}",
        started.elapsed()
    );
    task.stop().await.expect("stops");
}

#[tokio::test]
async fn a_100k_row_sheet_takes_few_requests() {
    let harness = Harness::start("scale-large@tributary-test.iam.gserviceaccount.com");
    let mut rows = Vec::with_capacity(100_001);
    rows.push(json!(["id", "b", "c", "d", "e", "f", "g", "h", "i", "j"]));
    for i in 0..100_000 {
        rows.push(json!([
            format!("row-{i:06}"),
            "alpha",
            "bravo",
            "charlie",
            "delta",
            "echo",
            "foxtrot",
            "golf",
            "hotel",
            "india"
        ]));
    }
    let id = harness.spreadsheet(
        SpreadsheetSeed::new("Big")
            .value_input_option(ValueInputOption::Raw)
            .sheet(SheetSeed::new("Data").rows(serde_json::Value::Array(rows))),
    );
    harness.emulator().reset();
    let offsets = Offsets::new();
    let props = harness.props(&id, &[]);
    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    let mut count = 0usize;
    let mut last_row = 1;
    loop {
        let records = task
            .poll()
            .await
            .unwrap_or_else(|e| panic!("{}", e.trace()));
        if records.is_empty() {
            break;
        }
        for record in &records {
            let row = row_of(record);
            assert_eq!(row, last_row + 1);
            last_row = row;
        }
        count += records.len();
        offsets.commit(&records);
    }
    assert_eq!(count, 100_000);
    assert_eq!(
        field(&offsets_last(&offsets), "id"),
        None,
        "offsets hold no values"
    );
    let counters = harness.emulator().counters();
    let batches = counters.endpoint(EndpointKind::BatchGet);
    let ideal = counters.response_bytes / 2_000_000 + 1;
    eprintln!(
        "100,000 rows: {batches} batchGet requests, {} response bytes (ideal {ideal})",
        counters.response_bytes
    );
    assert!(
        batches <= ideal + 4,
        "{batches} batchGet requests for {} response bytes",
        counters.response_bytes
    );
    let largest = harness
        .emulator()
        .requests()
        .iter()
        .map(|r| r.response_bytes)
        .max()
        .unwrap_or(0);
    assert!(largest <= 2_300_000, "a response of {largest} bytes");
    task.stop().await.expect("stops");
}

fn offsets_last(offsets: &Offsets) -> connect_api::SourceRecord {
    let (partition, offset) = offsets.all().pop().expect("an offset");
    connect_api::SourceRecord::new(partition, offset, "t", None, connect_api::Value::Null)
}

#[tokio::test]
async fn a_question_added_to_the_form_becomes_a_new_optional_field() {
    let harness = Harness::start("scale-schema@tributary-test.iam.gserviceaccount.com");
    let id = harness.spreadsheet(SpreadsheetSeed::new("F").sheet(sheet(
        "Form responses 1",
        json!([
            ["Timestamp", "Email address", "Q1", "Q2"],
            ["4/6/2025 18:56:53", "a@example.com", "yes", "no"]
        ]),
    )));
    let offsets = Offsets::new();
    let props = harness.props(&id, &[("timestamp.column", "Timestamp")]);
    let mut task = start_task(&props, &offsets, Flavor::Tributary).await;
    let first = poll_idle(&mut task, &offsets).await;
    assert_eq!(first.len(), 1);
    let before = first[0].value_schema.clone().expect("a schema");
    assert_eq!(before.fields().map(<[_]>::len).unwrap_or(0), 4);

    // The form gets a third question: a new header cell and longer rows.
    let emulator = harness.emulator();
    emulator
        .set_values(
            &id,
            "'Form responses 1'!E1",
            json!([["Q3"]]),
            ValueInputOption::Raw,
        )
        .expect("header");
    emulator
        .append_rows(
            &id,
            "Form responses 1",
            json!([["4/6/2025 19:00:00", "b@example.com", "no", "yes", "maybe"]]),
            ValueInputOption::Raw,
        )
        .expect("appended");
    let next = poll_idle(&mut task, &offsets).await;
    assert_eq!(next.len(), 1);
    let after = next[0].value_schema.clone().expect("a schema");
    let fields = after.fields().unwrap_or(&[]);
    assert_eq!(fields.len(), 5);
    assert_eq!(fields[4].name(), "Q3");
    assert!(fields[4].schema().is_optional());
    assert_eq!(field(&next[0], "Q3").as_deref(), Some("maybe"));
    assert!(
        task.stats()
            .schema_changes
            .load(std::sync::atomic::Ordering::Relaxed)
            >= 2
    );
    task.stop().await.expect("stops");
}

#[tokio::test]
async fn five_sheets_and_three_tasks_read_every_row_once() {
    let harness = Harness::start("scale-tasks@tributary-test.iam.gserviceaccount.com");
    let mut seed = SpreadsheetSeed::new("Many");
    for s in 0..5 {
        let rows: Vec<serde_json::Value> = std::iter::once(json!(["Name", "Sheet"]))
            .chain((0..20).map(|i| json!([format!("s{s}-r{i}"), format!("{s}")])))
            .collect();
        seed =
            seed.sheet(SheetSeed::new(format!("Sheet {s}")).rows(serde_json::Value::Array(rows)));
    }
    let id = harness.spreadsheet(seed);
    let props = harness.props(&id, &[("tasks.max", "3")]);

    let mut connector = GoogleSheetsSourceConnector::new();
    assert!(
        connector
            .validate(&props)
            .iter()
            .all(|v| v.errors.is_empty())
    );
    connector
        .start(std::sync::Arc::new(NoContext), props.clone())
        .await
        .expect("starts");
    let task_configs = connector.task_configs(3).await.expect("task configs");
    assert_eq!(task_configs.len(), 3);

    let offsets = Offsets::new();
    let mut names = Vec::new();
    let mut partitions = BTreeSet::new();
    for task_props in &task_configs {
        let mut task = start_task(task_props, &offsets, Flavor::Tributary).await;
        let records = poll_idle(&mut task, &offsets).await;
        let mine: BTreeSet<String> = records
            .iter()
            .map(|r| serde_json::Value::Object(r.source_partition.clone()).to_string())
            .collect();
        assert!(
            mine.is_disjoint(&partitions),
            "two tasks read the same sheet"
        );
        partitions.extend(mine);
        names.extend(records.iter().filter_map(|r| field(r, "Name")));
        task.stop().await.expect("stops");
    }
    names.sort();
    let mut expected: Vec<String> = (0..5)
        .flat_map(|s| (0..20).map(move |i| format!("s{s}-r{i}")))
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    assert_eq!(partitions.len(), 5);
    connector.stop().await.expect("stops");
}
