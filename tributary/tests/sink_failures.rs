//! A sink fed bad JSON fails with a trace that names the converter stage; the worker keeps
//! serving its REST API.

mod common;

use std::time::Duration;

use anyhow::Result;
use common::*;
use connect_testkit::{KafkaCluster, ProduceRecord};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_json_fails_the_sink_task_at_the_value_converter() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let topic = cluster.unique_topic("bad-json");
    cluster.create_topic(&topic, 1).await?;
    cluster
        .produce_record(&topic, ProduceRecord::new().value("{\"ok\": true}"))
        .await?;
    cluster
        .produce_record(&topic, ProduceRecord::new().value("this is { not json"))
        .await?;
    let output = dir.path().join("out.txt");
    let worker =
        WorkerProcess::start(dir.path(), &cluster.bootstrap_servers(), &[], vec![]).await?;

    let body = serde_json::json!({
        "name": "json-sink",
        "config": {
            "connector.class": "FileStreamSink",
            "topics": topic,
            "file": output.display().to_string(),
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false"
        }
    });
    let url = format!("{}/connectors", worker.rest);
    let (code, created) =
        tokio::task::spawn_blocking(move || -> Result<(u16, serde_json::Value)> {
            let mut response = ureq::post(&url)
                .config()
                .http_status_as_error(false)
                .build()
                .send_json(&body)?;
            Ok((response.status().as_u16(), response.body_mut().read_json()?))
        })
        .await??;
    assert_eq!(code, 201, "{created}");
    assert_eq!(created["name"], "json-sink");
    assert_eq!(created["type"], "sink");

    let status = worker
        .wait_for_state("json-sink", "FAILED", Duration::from_secs(60))
        .await?;
    let trace = status["tasks"][0]["trace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        trace.contains("Tolerance exceeded in error handler"),
        "{trace}"
    );
    assert!(trace.contains("Executing stage 'VALUE_CONVERTER' with class 'org.apache.kafka.connect.json.JsonConverter'"), "{trace}");
    assert!(
        trace.contains(&format!("topic='{topic}', partition=0, offset=1")),
        "{trace}"
    );
    assert!(
        trace.contains("org.apache.kafka.connect.errors.DataException"),
        "{trace}"
    );
    assert_eq!(status["connector"]["state"], "RUNNING");

    let (code, root) = worker.get_json("/").await?;
    assert_eq!(code, 200);
    assert!(root["version"].is_string());
    let (code, missing) = worker.get_json("/connectors/nope").await?;
    assert_eq!(code, 404);
    assert_eq!(missing["error_code"], 404);
    Ok(())
}
