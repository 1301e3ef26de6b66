//! The heartbeat connector under the test kit: no broker, no worker, milliseconds per test.
//! `SourceTaskHarness` plays the worker (start, poll, acknowledge, flush offsets, restart).

use std::time::Duration;

use anyhow::Result;
use connect_api::{SourceRecord, Value};
use connect_testkit::connector::{
    MemoryOffsetStore, SourceTaskHarness, assert_no_replay, json_map, props, task_configs, validate,
};
use heartbeat_source::{CLASS, HeartbeatConnector};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(10);

fn sequence(records: &[SourceRecord]) -> Vec<i64> {
    records
        .iter()
        .map(|record| match record.value {
            Value::Int64(seq) => seq,
            ref other => panic!("a heartbeat value is an INT64, got {other:?}"),
        })
        .collect()
}

fn heartbeat(interval_ms: &str) -> SourceTaskHarness {
    let config = props([("topic", "heartbeats"), ("interval.ms", interval_ms)]);
    SourceTaskHarness::for_connector(HeartbeatConnector::default(), config)
}

#[tokio::test]
async fn a_restarted_task_continues_the_sequence() -> Result<()> {
    let mut harness = heartbeat("10");
    harness.start().await?;
    let before = harness.poll_until(3, WAIT).await?;
    assert_eq!(sequence(&before), [1, 2, 3]);

    harness.restart().await?; // flushes the offsets, stops, starts a new task from them
    let after = harness.poll_until(2, WAIT).await?;
    assert_eq!(sequence(&after), [4, 5]);
    assert_no_replay(&before, &after);
    Ok(())
}

#[tokio::test]
async fn records_carry_the_task_partition_and_the_sequence_offset() -> Result<()> {
    let mut harness = heartbeat("10").with_task_id(3);
    harness.start().await?;
    let records = harness.poll_until(2, WAIT).await?;
    let record = &records[1];
    assert_eq!(record.topic, "heartbeats");
    assert_eq!(record.key, Value::String("3".to_string()));
    assert_eq!(record.source_partition, json_map(json!({"task": 3})));
    assert_eq!(record.source_offset, json_map(json!({"seq": 2})));

    harness.commit_offsets().await?;
    let committed = harness.offsets().get(&json_map(json!({"task": 3})));
    assert_eq!(committed, Some(json_map(json!({"seq": 2}))));
    Ok(())
}

#[tokio::test]
async fn a_task_starts_after_the_committed_offset() -> Result<()> {
    let committed = [(json_map(json!({"task": 0})), json_map(json!({"seq": 41})))];
    let mut harness = heartbeat("10").with_offsets(MemoryOffsetStore::with_offsets(committed));
    harness.start().await?;
    assert_eq!(sequence(&harness.poll_until(2, WAIT).await?), [42, 43]);
    Ok(())
}

#[tokio::test]
async fn after_a_crash_only_the_unflushed_heartbeats_are_sent_again() -> Result<()> {
    let mut harness = heartbeat("10");
    harness.start().await?;
    harness.poll_until(2, WAIT).await?;
    harness.commit_offsets().await?; // 1 and 2 are flushed
    harness.poll_until(2, WAIT).await?; // 3 and 4 are not
    harness.crash_and_restart().await?;
    assert_eq!(sequence(&harness.poll_until(1, WAIT).await?), [3]);
    Ok(())
}

#[tokio::test]
async fn dropping_a_poll_mid_sleep_loses_and_repeats_nothing() -> Result<()> {
    let mut harness = heartbeat("30");
    harness.start().await?;
    let cancel_after = Duration::from_millis(7); // most polls are dropped while they sleep
    let records = harness.poll_until_cancelling(5, WAIT, cancel_after).await?;
    assert_eq!(sequence(&records), [1, 2, 3, 4, 5]);
    Ok(())
}

#[tokio::test]
async fn heartbeats_are_interval_ms_apart() -> Result<()> {
    let mut harness = heartbeat("100");
    harness.start().await?;
    let started = std::time::Instant::now();
    harness.poll_until(3, WAIT).await?; // the first at once, then two intervals
    assert!(started.elapsed() >= Duration::from_millis(200));
    Ok(())
}

#[tokio::test]
async fn each_of_tasks_max_tasks_counts_its_own_sequence() -> Result<()> {
    let config = props([("topic", "heartbeats"), ("tasks.max", "2")]);
    let tasks = task_configs(&mut HeartbeatConnector::default(), config, 2).await?;
    assert_eq!(tasks.len(), 2);

    let offsets = MemoryOffsetStore::new();
    for (task_id, task_config) in (0..).zip(tasks) {
        let mut harness =
            SourceTaskHarness::for_connector(HeartbeatConnector::default(), task_config)
                .with_task_id(task_id)
                .with_offsets(offsets.clone());
        harness.start().await?;
        let records = harness.poll_until(1, WAIT).await?;
        assert_eq!(records[0].key, Value::String(task_id.to_string()));
        harness.stop().await?;
    }
    assert_eq!(offsets.all().len(), 2, "one committed offset per task");
    Ok(())
}

#[test]
fn validation_names_the_key_in_error() {
    let errors = validate(
        &HeartbeatConnector::default(),
        &props([("interval.ms", "5")]),
    );
    assert_eq!(errors.keys().collect::<Vec<_>>(), ["interval.ms", "topic"]);
    assert_eq!(
        errors["interval.ms"],
        ["Invalid value 5 for configuration interval.ms: Value must be at least 10"]
    );
    assert_eq!(
        errors["topic"],
        ["Missing required configuration \"topic\" which has no default value."]
    );

    let valid = props([("topic", "heartbeats")]);
    assert!(validate(&HeartbeatConnector::default(), &valid).is_empty());
}

#[test]
fn the_plugin_answers_to_its_class_and_aliases() {
    let plugins = heartbeat_source::plugins();
    for name in [CLASS, "HeartbeatSourceConnector", "HeartbeatSource"] {
        assert!(plugins[0].matches(name), "{name}");
    }
}
