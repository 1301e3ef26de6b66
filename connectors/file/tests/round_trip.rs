//! A 100,000-line file through the source task, into records, and out of the sink task
//! comes back byte for byte.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use connect_api::sink::CommitOffsets;
use connect_api::{SinkTask, SourceTask, TopicPartition};
use connect_file::{FileStreamSinkTask, FileStreamSourceTask};

const LINES: usize = 100_000;

fn content() -> String {
    let mut text = String::with_capacity(LINES * 60);
    for i in 0..LINES {
        match i % 7 {
            0 => text.push('\n'),
            1 => text.push_str(&format!("{i}: ünïcödé ✓ 日本語 {}\n", "z".repeat(i % 13))),
            2 => text.push_str(&format!("{i}\twith\ttabs and trailing spaces   \n")),
            _ => text.push_str(&format!(
                "{i} The quick brown fox jumps over the lazy dog {}\n",
                i * 31
            )),
        }
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_file_round_trips_unchanged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("input.txt");
    let output = dir.path().join("output.txt");
    let text = content();
    std::fs::write(&input, &text).expect("write input");

    let mut source = FileStreamSourceTask::new();
    source
        .start(
            source_context(Arc::new(FakeOffsetReader::empty())),
            props(&[
                ("file", input.to_str().expect("utf-8 path")),
                ("topic", "round-trip"),
            ]),
        )
        .await
        .expect("start source");
    let mut sink = FileStreamSinkTask::new();
    sink.start(
        sink_context(),
        props(&[
            ("file", output.to_str().expect("utf-8 path")),
            ("topics", "round-trip"),
        ]),
    )
    .await
    .expect("start sink");

    let mut read = 0usize;
    let mut polls = 0usize;
    let mut source_time = Duration::ZERO;
    let mut kafka_offset = 0i64;
    let mut last_position = 0i64;
    while read < LINES {
        let started = Instant::now();
        let batch = tokio::time::timeout(Duration::from_secs(10), source.poll())
            .await
            .expect("poll returns")
            .expect("poll succeeds");
        source_time += started.elapsed();
        polls += 1;
        assert!(!batch.is_empty(), "the source stalled after {read} lines");
        assert!(batch.len() <= 2000, "batch.size defaults to 2000");
        read += batch.len();
        last_position = batch
            .last()
            .and_then(record_position)
            .expect("records carry a position");
        let records = batch
            .into_iter()
            .map(|r| {
                kafka_offset += 1;
                sink_record(&r.topic, kafka_offset, r.value_schema, r.value)
            })
            .collect();
        sink.put(records).await.expect("put");
    }
    let mut offsets = CommitOffsets::new();
    offsets.insert(TopicPartition::new("round-trip", 0), kafka_offset + 1);
    sink.flush(&offsets).await.expect("flush");
    source.stop().await.expect("stop source");
    sink.stop().await.expect("stop sink");

    assert_eq!(read, LINES);
    assert_eq!(polls, LINES / 2000);
    assert_eq!(last_position, text.len() as i64);
    let written = std::fs::read(&output).expect("read output");
    assert!(
        written == text.as_bytes(),
        "the output differs from the input"
    );
    eprintln!(
        "read {LINES} lines ({} bytes) in {polls} polls, {source_time:?} in poll",
        text.len()
    );
    assert!(
        source_time < Duration::from_secs(5),
        "reading {LINES} lines took {source_time:?}"
    );
}
