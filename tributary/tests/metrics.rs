//! `GET /metrics` after records flowed: Prometheus text whose counters match what was
//! written; and structured JSON logs.

mod common;

use std::time::Duration;

use anyhow::{Context, Result};
use common::*;
use connect_testkit::KafkaCluster;

/// The value of the series `name{labels}` in a Prometheus text exposition.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|line| line.starts_with(series) && line[series.len()..].starts_with(' '))
        .and_then(|line| line[series.len()..].trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_what_was_written_and_logs_can_be_json() -> Result<()> {
    const LINES: usize = 500;
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    append_lines(&input, 0, LINES)?;
    let topic = cluster.unique_topic("metrics");
    let source = source_config(
        &dir.path().join("source.properties"),
        "m-source",
        &input,
        &topic,
    )?;
    let sink = sink_config(
        &dir.path().join("sink.properties"),
        "m-sink",
        &output,
        &topic,
    )?;
    let mut worker = WorkerProcess::start(
        dir.path(),
        &cluster.bootstrap_servers(),
        &[("offset.flush.interval.ms", "100".to_string())],
        vec![],
    )
    .await?;
    // Restart with JSON logs and the connectors.
    worker.terminate().await?;
    worker
        .env
        .push(("TRIBUTARY_LOG_FORMAT".into(), "json".into()));
    worker.connector_files = vec![source, sink];
    worker.spawn().await?;

    connect_testkit::wait_until(
        Duration::from_secs(60),
        Duration::from_millis(100),
        || async { std::fs::read_to_string(&output).is_ok_and(|t| t.lines().count() == LINES) },
    )
    .await
    .with_context(|| worker.log_text())?;
    let written = r#"tributary_source_records_written_total{connector="m-source",task="0"}"#;
    let put = r#"tributary_sink_records_put_total{connector="m-sink",task="0"}"#;
    let text = connect_testkit::wait_for(
        Duration::from_secs(30),
        Duration::from_millis(100),
        || async {
            let (code, text) = worker.get_text("/metrics").await?;
            anyhow::ensure!(code == 200, "status {code}");
            Ok((sample(&text, written) == Some(LINES as f64)
                && sample(&text, put) == Some(LINES as f64))
            .then_some(text))
        },
    )
    .await
    .context("metrics never matched the records written")?;
    assert_eq!(
        sample(
            &text,
            r#"tributary_source_records_polled_total{connector="m-source",task="0"}"#
        ),
        Some(LINES as f64)
    );
    assert_eq!(
        sample(
            &text,
            r#"tributary_sink_records_read_total{connector="m-sink",task="0"}"#
        ),
        Some(LINES as f64)
    );
    assert_eq!(
        sample(
            &text,
            r#"tributary_task_state{connector="m-source",task="0",state="RUNNING"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"tributary_task_state{connector="m-source",task="0",state="FAILED"}"#
        ),
        Some(0.0)
    );
    assert!(
        sample(
            &text,
            r#"tributary_offset_commit_seconds_count{connector="m-source",task="0"}"#
        )
        .is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(
        sample(
            &text,
            r#"tributary_source_poll_batch_size_sum{connector="m-source",task="0"}"#
        ) == Some(LINES as f64),
        "{text}"
    );

    // Every log line of the JSON run is a JSON object with a level and a message.
    let log = worker.log_text();
    let json_lines: Vec<&str> = log.lines().filter(|l| l.starts_with('{')).collect();
    assert!(json_lines.len() > 3, "{log}");
    for line in json_lines {
        let value: serde_json::Value =
            serde_json::from_str(line).with_context(|| line.to_string())?;
        assert!(
            value["level"].is_string() && value["fields"]["message"].is_string(),
            "{line}"
        );
    }
    Ok(())
}
