//! FileStreamSourceTask against real files and a fake offset store.

mod common;

use std::future::Future;
use std::io::Write;
use std::path::Path;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use common::*;
use connect_api::{Schema, SourceRecord, SourceTask, Value};
use connect_file::FileStreamSourceTask;

const TOPIC: &str = "test";

fn append(path: &Path, bytes: &[u8]) {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open test file for appending");
    file.write_all(bytes).expect("append to test file");
}

async fn started_task(
    path: &Path,
    batch_size: usize,
    reader: Arc<FakeOffsetReader>,
) -> FileStreamSourceTask {
    let mut task = FileStreamSourceTask::new();
    let file = path.to_str().expect("utf-8 temp path");
    task.start(
        source_context(reader),
        props(&[
            ("file", file),
            ("topic", TOPIC),
            ("batch.size", &batch_size.to_string()),
        ]),
    )
    .await
    .expect("start");
    task
}

async fn poll(task: &mut FileStreamSourceTask) -> Vec<SourceRecord> {
    tokio::time::timeout(Duration::from_secs(10), task.poll())
        .await
        .expect("poll returns within its wait")
        .expect("poll succeeds")
}

fn lines_and_positions(records: &[SourceRecord]) -> Vec<(String, i64)> {
    records
        .iter()
        .map(|r| (record_line(r).to_string(), record_position(r).unwrap_or(-1)))
        .collect()
}

fn owned(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    pairs.iter().map(|(l, p)| (l.to_string(), *p)).collect()
}

#[tokio::test]
async fn reads_lines_in_batches_with_kafkas_record_shape() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("input.txt");
    append(&path, b"one\ntwo\nthree\nfour\nfive\n");
    let mut task = started_task(&path, 2, Arc::new(FakeOffsetReader::empty())).await;

    let first = poll(&mut task).await;
    assert_eq!(
        lines_and_positions(&first),
        owned(&[("one", 4), ("two", 8)])
    );
    let record = &first[0];
    let file = path.to_str().expect("utf-8 temp path");
    assert_eq!(record.topic, TOPIC);
    assert_eq!(record.source_partition, partition(file));
    assert_eq!(record.source_offset, position(serde_json::json!(4)));
    assert_eq!(record.key, Value::Null);
    assert_eq!(record.key_schema, None);
    assert_eq!(record.value_schema, Some(Schema::string()));
    assert_eq!(record.kafka_partition, None);
    assert!(record.timestamp.is_some_and(|t| t > 0));

    let second = poll(&mut task).await;
    assert_eq!(
        lines_and_positions(&second),
        owned(&[("three", 14), ("four", 19)])
    );
    let third = poll(&mut task).await;
    assert_eq!(lines_and_positions(&third), owned(&[("five", 24)]));
    task.stop().await.expect("stop");
}

#[tokio::test]
async fn a_partial_line_waits_for_its_newline() {
    // The sequence of Kafka's FileStreamSourceTaskTest.testNormalLifecycle.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("input.txt");
    append(&path, b"");
    let mut task = started_task(&path, 2000, Arc::new(FakeOffsetReader::empty())).await;

    append(&path, b"partial line");
    let started = Instant::now();
    assert!(poll(&mut task).await.is_empty());
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "an idle poll waits about a second, waited {waited:?}"
    );

    append(&path, b" finished\n");
    let records = poll(&mut task).await;
    assert_eq!(
        lines_and_positions(&records),
        owned(&[("partial line finished", 22)])
    );

    // Different line endings; the final `\r` is not a line until the next byte is known.
    append(&path, b"line1\rline2\r\nline3\nline4\n\r");
    let records = poll(&mut task).await;
    assert_eq!(
        lines_and_positions(&records),
        owned(&[("line1", 28), ("line2", 35), ("line3", 41), ("line4", 47)])
    );
    append(&path, b"subsequent text");
    let records = poll(&mut task).await;
    assert_eq!(lines_and_positions(&records), owned(&[("", 48)]));
    task.stop().await.expect("stop");
}

#[tokio::test]
async fn resumes_after_the_committed_position() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("input.txt");
    append(&path, b"first\nsecond\nthird\n");
    let file = path.to_str().expect("utf-8 temp path");
    let reader = Arc::new(FakeOffsetReader::with(
        partition(file),
        position(serde_json::json!(6)),
    ));
    let mut task = started_task(&path, 2000, reader.clone()).await;
    assert_eq!(reader.requested(), vec![partition(file)]);

    let records = poll(&mut task).await;
    assert_eq!(
        lines_and_positions(&records),
        owned(&[("second", 13), ("third", 19)])
    );
    task.stop().await.expect("stop");
}

#[tokio::test]
async fn resumes_in_bytes_after_multibyte_characters() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("input.txt");
    append(&path, "héllo wörld\nnäxt\n".as_bytes());
    let mut task = started_task(&path, 1, Arc::new(FakeOffsetReader::empty())).await;
    let first = poll(&mut task).await;
    assert_eq!(lines_and_positions(&first), owned(&[("héllo wörld", 14)]));
    task.stop().await.expect("stop");

    // A new task resuming from the first record's offset reads exactly the second line.
    let file = path.to_str().expect("utf-8 temp path");
    let reader = Arc::new(FakeOffsetReader::with(
        partition(file),
        first[0].source_offset.clone(),
    ));
    let mut task = started_task(&path, 1, reader).await;
    let next = poll(&mut task).await;
    assert_eq!(lines_and_positions(&next), owned(&[("näxt", 20)]));
    task.stop().await.expect("stop");
}

#[tokio::test]
async fn a_committed_position_of_the_wrong_type_fails_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("input.txt");
    let file = path.to_str().expect("utf-8 temp path");
    let reader = Arc::new(FakeOffsetReader::with(
        partition(file),
        position(serde_json::json!("12")),
    ));
    let mut task = FileStreamSourceTask::new();
    let err = task
        .start(
            source_context(reader),
            props(&[("file", file), ("topic", TOPIC)]),
        )
        .await
        .expect_err("a string position is rejected");
    let message = err.to_string();
    assert!(
        message.contains("position") && message.contains(file),
        "{message}"
    );
}

#[tokio::test]
async fn an_offset_store_failure_fails_start_and_stays_retriable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("input.txt");
    let file = path.to_str().expect("utf-8 temp path");
    let mut task = FileStreamSourceTask::new();
    let err = task
        .start(
            source_context(Arc::new(FakeOffsetReader::failing())),
            props(&[("file", file), ("topic", TOPIC)]),
        )
        .await
        .expect_err("the offset store failed");
    assert!(err.is_retriable());
    assert!(
        err.trace().contains("offset topic unavailable"),
        "{}",
        err.trace()
    );
}

#[tokio::test]
async fn start_rejects_an_invalid_config_naming_the_key() {
    let mut task = FileStreamSourceTask::new();
    let err = task
        .start(
            source_context(Arc::new(FakeOffsetReader::empty())),
            props(&[("topic", TOPIC), ("batch.size", "abcd")]),
        )
        .await
        .expect_err("batch.size is not a number");
    assert!(err.to_string().contains("batch.size"), "{err}");
}

#[tokio::test]
async fn waits_for_a_missing_file_to_appear() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("later.txt");
    let mut task = started_task(&path, 2000, Arc::new(FakeOffsetReader::empty())).await;
    assert!(poll(&mut task).await.is_empty());
    append(&path, b"arrived\n");
    let records = poll(&mut task).await;
    assert_eq!(lines_and_positions(&records), owned(&[("arrived", 8)]));
    task.stop().await.expect("stop");
}

#[tokio::test]
async fn a_poll_dropped_while_waiting_loses_and_repeats_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("input.txt");
    append(&path, b"first\nsec");
    let mut task = started_task(&path, 2000, Arc::new(FakeOffsetReader::empty())).await;
    assert_eq!(
        lines_and_positions(&poll(&mut task).await),
        owned(&[("first", 6)])
    );

    // Only a partial line is available: poll waits, and the worker gives up on it.
    let dropped = tokio::time::timeout(Duration::from_millis(200), task.poll()).await;
    assert!(
        dropped.is_err(),
        "poll should still be waiting for a newline"
    );

    append(&path, b"ond\nthird\n");
    let records = poll(&mut task).await;
    assert_eq!(
        lines_and_positions(&records),
        owned(&[("second", 13), ("third", 19)])
    );
    task.stop().await.expect("stop");
}

/// Polls `future` `times` times with a waker that does nothing, then drops it unless it
/// finished: cancellation at whatever await point it reached.
fn poll_then_drop<F: Future>(future: F, times: usize) -> Option<F::Output> {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..times {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Some(output);
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polls_dropped_at_any_await_point_lose_and_repeat_nothing() {
    const LINES: usize = 30_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("input.txt");
    let mut content = String::new();
    for i in 0..LINES {
        content.push_str(&format!("line {i} {}\n", "x".repeat(i % 50)));
    }
    append(&path, content.as_bytes());
    let mut task = started_task(&path, 700, Arc::new(FakeOffsetReader::empty())).await;

    let mut received: Vec<SourceRecord> = Vec::new();
    let mut dropped = 0;
    for round in 0..400 {
        match poll_then_drop(task.poll(), 1 + round % 3) {
            Some(batch) => received.extend(batch.expect("poll succeeds")),
            None => dropped += 1,
        }
        // Let reads in flight on the blocking pool finish (or not) before the next poll.
        if round % 2 == 0 {
            tokio::task::yield_now().await;
        } else {
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }
    while received.len() < LINES {
        let batch = poll(&mut task).await;
        assert!(
            !batch.is_empty(),
            "lines are missing: got {}",
            received.len()
        );
        received.extend(batch);
    }
    assert!(dropped > 0, "the test should have dropped some polls");

    assert_eq!(received.len(), LINES);
    let mut expected_position = 0;
    for (i, record) in received.iter().enumerate() {
        let expected = format!("line {i} {}", "x".repeat(i % 50));
        assert_eq!(record_line(record), expected, "record {i}");
        expected_position += expected.len() as i64 + 1;
        assert_eq!(
            record_position(record),
            Some(expected_position),
            "record {i}"
        );
    }
    task.stop().await.expect("stop");
}
