//! FileStreamSinkTask against real files.

mod common;

use std::path::Path;

use common::*;
use connect_api::sink::CommitOffsets;
use connect_api::{Schema, SchemaBuilder, SinkTask, Struct, TopicPartition, Value};
use connect_file::FileStreamSinkTask;

async fn started_task(path: &Path) -> FileStreamSinkTask {
    let mut task = FileStreamSinkTask::new();
    let file = path.to_str().expect("utf-8 temp path");
    task.start(
        sink_context(),
        props(&[("file", file), ("topics", "topic1")]),
    )
    .await
    .expect("start");
    task
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read the sink's file")
}

fn string_record(topic: &str, offset: i64, line: &str) -> connect_api::SinkRecord {
    sink_record(topic, offset, Some(Schema::string()), Value::from(line))
}

#[tokio::test]
async fn put_then_flush_makes_the_lines_visible() {
    // Kafka's FileStreamSinkTaskTest.testStart, with the file read between flushes.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("connect.output");
    let mut task = started_task(&path).await;

    let mut offsets = CommitOffsets::new();
    task.put(vec![string_record("topic1", 1, "line0")])
        .await
        .expect("put");
    assert_eq!(read(&path), "", "small writes are buffered until flush");
    offsets.insert(TopicPartition::new("topic1", 0), 1);
    task.flush(&offsets).await.expect("flush");
    assert_eq!(read(&path), "line0\n");

    task.put(vec![
        string_record("topic1", 2, "line1"),
        string_record("topic2", 1, "line2"),
    ])
    .await
    .expect("put");
    offsets.insert(TopicPartition::new("topic1", 0), 2);
    offsets.insert(TopicPartition::new("topic2", 0), 1);
    let committable = task.pre_commit(offsets.clone()).await.expect("pre_commit");
    assert_eq!(committable, offsets);
    assert_eq!(read(&path), "line0\nline1\nline2\n");
    task.stop().await.expect("stop");
}

#[tokio::test]
async fn appends_to_an_existing_file_and_stop_flushes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("existing.txt");
    std::fs::write(&path, "already here\n").expect("seed file");
    let mut task = started_task(&path).await;
    task.put(vec![string_record("t", 0, "appended")])
        .await
        .expect("put");
    task.stop().await.expect("stop");
    assert_eq!(read(&path), "already here\nappended\n");
}

#[tokio::test]
async fn large_puts_reach_the_file_before_flush() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.txt");
    let mut task = started_task(&path).await;
    let line = "y".repeat(1000);
    let records = (0..200).map(|i| string_record("t", i, &line)).collect();
    task.put(records).await.expect("put");
    task.flush(&CommitOffsets::new()).await.expect("flush");
    let written = read(&path);
    assert_eq!(written.len(), 200 * 1001);
    assert!(written.lines().all(|l| l == line));
    task.stop().await.expect("stop");
}

#[tokio::test]
async fn null_and_structured_values_are_written_as_java_would_print_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("values.txt");
    let mut task = started_task(&path).await;
    let schema = SchemaBuilder::struct_()
        .field("id", Schema::int64())
        .and_then(|b| b.field("note", Schema::optional_string()))
        .map(SchemaBuilder::build)
        .expect("schema");
    let value = Struct::new(schema.clone())
        .and_then(|s| s.with("id", 7i64))
        .expect("struct");
    task.put(vec![
        sink_record("t", 0, None, Value::Null),
        sink_record("t", 1, Some(Schema::int32()), Value::Int32(42)),
        sink_record("t", 2, Some(Schema::float64()), Value::Float64(2.0)),
        sink_record("t", 3, Some(schema), Value::Struct(value)),
        sink_record(
            "t",
            4,
            None,
            Value::Map(vec![(
                Value::from("k"),
                Value::Array(vec![Value::Boolean(true)]),
            )]),
        ),
        sink_record("t", 5, None, Value::from("")),
    ])
    .await
    .expect("put");
    task.flush(&CommitOffsets::new()).await.expect("flush");
    assert_eq!(read(&path), "null\n42\n2.0\nStruct{id=7}\n{k=[true]}\n\n");
    task.stop().await.expect("stop");
}

#[tokio::test]
async fn an_unwritable_file_fails_start_with_the_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("no-such-dir").join("out.txt");
    let file = path.to_str().expect("utf-8 temp path");
    let mut task = FileStreamSinkTask::new();
    let err = task
        .start(sink_context(), props(&[("file", file)]))
        .await
        .expect_err("the directory does not exist");
    let message = err.to_string();
    assert!(message.contains(file), "{message}");
    assert!(
        message.contains("couldn't find or create file"),
        "{message}"
    );
}

#[tokio::test]
async fn put_before_start_is_an_error_not_a_panic() {
    let mut task = FileStreamSinkTask::new();
    let err = task
        .put(vec![string_record("t", 0, "x")])
        .await
        .expect_err("not started");
    assert!(err.to_string().contains("start"), "{err}");
}
