//! Shared by the emulator tests: an emulator with a service account and a spreadsheet, a
//! fake offset store, and helpers that run a task the way the worker does (start, poll,
//! "commit" the offsets of returned records, stop).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use connect_api::{
    ConnectResult, OffsetStorageReader, Props, SourceOffset, SourcePartition, SourceRecord,
    SourceTask, SourceTaskContext, Struct, Value, async_trait,
};
use connect_google_sheets::GoogleSheetsSourceTask;
use connect_google_sheets::config::Flavor;
use serde_json::json;
use sheets_emulator::testing::ServiceAccountKey;
use sheets_emulator::{Emulator, RunningEmulator, SheetSeed, SpreadsheetSeed};

/// An offset store: what the worker would have committed.
#[derive(Default)]
pub struct Offsets {
    committed: Mutex<BTreeMap<String, (SourcePartition, SourceOffset)>>,
}

impl Offsets {
    pub fn new() -> Arc<Offsets> {
        Arc::new(Offsets::default())
    }

    /// Commits the offsets of `records`, in order (the last one of a partition wins).
    pub fn commit(&self, records: &[SourceRecord]) {
        let mut committed = self.committed.lock().unwrap_or_else(|p| p.into_inner());
        for record in records {
            let key = serde_json::Value::Object(record.source_partition.clone()).to_string();
            committed.insert(
                key,
                (
                    record.source_partition.clone(),
                    record.source_offset.clone(),
                ),
            );
        }
    }

    pub fn set(&self, partition: SourcePartition, offset: SourceOffset) {
        let key = serde_json::Value::Object(partition.clone()).to_string();
        self.committed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, (partition, offset));
    }

    pub fn all(&self) -> Vec<(SourcePartition, SourceOffset)> {
        self.committed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }
}

#[async_trait]
impl OffsetStorageReader for Offsets {
    async fn offset(&self, partition: &SourcePartition) -> ConnectResult<Option<SourceOffset>> {
        let key = serde_json::Value::Object(partition.clone()).to_string();
        Ok(self
            .committed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .map(|(_, o)| o.clone()))
    }
}

pub fn context(offsets: Arc<Offsets>) -> SourceTaskContext {
    SourceTaskContext {
        connector_name: "sheets".to_string(),
        task_id: 0,
        configs: Props::new(),
        offset_storage_reader: offsets,
    }
}

/// A running emulator with one service account.
pub struct Harness {
    pub emulator: RunningEmulator,
    pub key: ServiceAccountKey,
}

impl Harness {
    /// An emulator and a service account `email` (each test uses its own email, so that
    /// the process-wide request budgets of tests running in parallel stay apart).
    pub fn start(email: &str) -> Harness {
        let emulator = Emulator::start_local().expect("the emulator starts");
        let key = emulator
            .create_service_account(email)
            .expect("a service account");
        Harness { emulator, key }
    }

    pub fn emulator(&self) -> &Emulator {
        self.emulator.emulator()
    }

    /// A spreadsheet shared with the service account.
    pub fn spreadsheet(&self, seed: SpreadsheetSeed) -> String {
        self.emulator()
            .create_spreadsheet(seed.reader(self.key.client_email.clone()))
            .expect("a spreadsheet")
    }

    /// A connector config reading `spreadsheet_id` through the emulator, fast retries.
    pub fn props(&self, spreadsheet_id: &str, extra: &[(&str, &str)]) -> Props {
        let mut props: Props = [
            ("name", "sheets"),
            ("topic", "responses"),
            ("spreadsheet.id", spreadsheet_id),
            ("api.base.url", self.emulator.base_url()),
            ("retry.backoff.initial.ms", "20"),
            ("retry.backoff.max.ms", "200"),
            ("poll.interval.ms", "50"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        props.insert("credentials.json".into(), self.key.to_json_string());
        for (k, v) in extra {
            props.insert(k.to_string(), v.to_string());
        }
        props
    }
}

/// A Forms-like response sheet: header plus `rows` responses.
pub fn forms_rows(rows: usize) -> serde_json::Value {
    let mut all = vec![json!([
        "Timestamp",
        "Email address",
        "Question",
        "Question"
    ])];
    for i in 0..rows {
        all.push(response(i));
    }
    serde_json::Value::Array(all)
}

/// Response `i`: a unique timestamp, an email, two answers.
pub fn response(i: usize) -> serde_json::Value {
    let day = 1 + (i / 1440) % 28;
    let minute = i % 1440;
    json!([
        format!("4/{day}/2025 {}:{:02}:00", minute / 60, minute % 60),
        format!("user{i}@example.com"),
        format!("answer {i}"),
        format!("second {i}")
    ])
}

pub fn sheet(title: &str, rows: serde_json::Value) -> SheetSeed {
    SheetSeed::new(title).rows(rows)
}

/// A started task.
pub async fn start_task(
    props: &Props,
    offsets: &Arc<Offsets>,
    flavor: Flavor,
) -> GoogleSheetsSourceTask {
    let mut task = GoogleSheetsSourceTask::with_flavor(flavor);
    task.start(context(Arc::clone(offsets)), props.clone())
        .await
        .expect("the task starts");
    task
}

/// Polls until `done(all records so far)` or `timeout`, committing offsets as it goes.
pub async fn poll_until(
    task: &mut GoogleSheetsSourceTask,
    offsets: &Offsets,
    timeout: Duration,
    mut done: impl FnMut(&[SourceRecord]) -> bool,
) -> Vec<SourceRecord> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut all = Vec::new();
    while !done(&all) {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            panic!("timed out after {} records", all.len());
        }
        match tokio::time::timeout(left, task.poll()).await {
            Ok(Ok(records)) => {
                offsets.commit(&records);
                all.extend(records);
            }
            Ok(Err(e)) => panic!("poll failed: {}", e.trace()),
            Err(_) => panic!("timed out after {} records", all.len()),
        }
    }
    all
}

/// Polls `n` more times (or until a poll returns nothing, when `until_idle`).
pub async fn poll_idle(task: &mut GoogleSheetsSourceTask, offsets: &Offsets) -> Vec<SourceRecord> {
    let mut all = Vec::new();
    loop {
        let records = tokio::time::timeout(Duration::from_secs(30), task.poll())
            .await
            .expect("a poll ends")
            .unwrap_or_else(|e| panic!("poll failed: {}", e.trace()));
        if records.is_empty() {
            return all;
        }
        offsets.commit(&records);
        all.extend(records);
    }
}

/// A record's value field as a string.
pub fn field(record: &SourceRecord, name: &str) -> Option<String> {
    let value: &Struct = record.value.as_struct()?;
    match value.get(name).ok()? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(format!("{other:?}")),
    }
}

/// The "Email address" answers of Forms records, in order (see [`forms_rows`]).
pub fn emails(records: &[SourceRecord]) -> Vec<String> {
    records
        .iter()
        .map(|r| field(r, "Email address").unwrap_or_default())
        .collect()
}

/// The addresses [`forms_rows`] writes for responses `range`.
pub fn users(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("user{i}@example.com")).collect()
}

/// The row number header of a record.
pub fn row_of(record: &SourceRecord) -> u64 {
    record
        .headers
        .last_with_name("google.sheets.row")
        .and_then(|h| h.value.as_str())
        .and_then(|s| s.parse().ok())
        .expect("a row header")
}
