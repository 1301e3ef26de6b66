//! Kafka Connect's REST API as an independent client sees it: kafka-connect-py (PyPI)
//! drives a real worker through create, validate, status, pause, resume, restart, stop,
//! offsets and delete.

mod common;

use std::time::Duration;

use anyhow::Result;
use common::*;
use connect_testkit::{KafkaCluster, PythonEnv};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafka_connect_py_drives_the_rest_api() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("in.txt");
    append_lines(&input, 0, 100)?;
    let topic = cluster.unique_topic("py-rest");
    let worker = WorkerProcess::start(
        dir.path(),
        &cluster.bootstrap_servers(),
        &[("offset.flush.interval.ms", "100".to_string())],
        vec![],
    )
    .await?;
    let python = PythonEnv::get()?;
    let output = python
        .run_python_script_with_timeout(
            "tests/python/rest_client_check.py",
            [
                "--url".to_string(),
                worker.rest.clone(),
                "--topic".to_string(),
                topic.clone(),
                "--file".to_string(),
                input.display().to_string(),
            ],
            Duration::from_secs(180),
        )
        .await?;
    assert!(
        output.status.success(),
        "rest_client_check.py failed\n--- stdout ---\n{}\n--- stderr ---\n{}\n--- worker log ---\n{}",
        output.stdout,
        output.stderr,
        worker.log_text()
    );
    assert_eq!(output.stdout.trim(), "ok");
    // What the connector wrote before it was deleted is in the topic.
    let records = cluster
        .consume_all(&topic, 100, Duration::from_secs(60))
        .await?;
    assert_eq!(records.len(), 100);
    Ok(())
}
