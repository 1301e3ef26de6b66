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

/// A sink whose topics do not exist yet waits for them, as Kafka Connect's does: its task
/// stays RUNNING (no failure, no restart) and consumes once the topic is created, for a
/// `topics` list and for a `topics.regex`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sink_created_before_its_topic_waits_for_it() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let listed = cluster.unique_topic("late-listed");
    let matched = cluster.unique_topic("late-matched");
    // FileStreamSink writes its file out when offsets are committed.
    let worker = WorkerProcess::start(
        dir.path(),
        &cluster.bootstrap_servers(),
        &[("offset.flush.interval.ms", "500".to_string())],
        vec![],
    )
    .await?;
    let sinks = [
        ("late-list", "topics", listed.clone()),
        ("late-regex", "topics.regex", format!("{}.*", matched)),
    ];
    for (name, key, value) in &sinks {
        let body = serde_json::json!({
            "name": name,
            "config": {
                "connector.class": "FileStreamSink",
                *key: value,
                "file": dir.path().join(format!("{name}.txt")).display().to_string(),
                "value.converter": "org.apache.kafka.connect.storage.StringConverter",
                // Without automatic restarts a failure would stay visible.
                "errors.restart.enable": "false",
                // A pattern subscription learns of new topics when the consumer refreshes
                // its metadata: every 5 minutes by default, as Kafka's metadata.max.age.ms.
                "consumer.override.topic.metadata.refresh.interval.ms": "1000",
            }
        });
        let (code, created) =
            http("POST", format!("{}/connectors", worker.rest), Some(body)).await?;
        assert_eq!(code, 201, "{created}");
    }
    // The listed topic's absence reaches the consumer (librdkafka reports it within a
    // metadata round trip, which used to fail the task).
    connect_testkit::wait_until(Duration::from_secs(60), Duration::from_millis(100), || {
        let log = worker.log_text();
        let listed = listed.clone();
        async move {
            log.lines()
                .any(|l| l.contains("does not exist yet") && l.contains(&listed))
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}; log:\n{}", worker.log_text()))?;
    for (name, _, _) in &sinks {
        let status = worker
            .wait_for_state(name, "RUNNING", Duration::from_secs(30))
            .await?;
        assert_eq!(status["connector"]["state"], "RUNNING", "{status}");
    }

    // The topics appear; each sink consumes its record.
    for topic in [&listed, &matched] {
        cluster.create_topic(topic, 1).await?;
        cluster
            .produce_record(topic, ProduceRecord::new().value(format!("hello {topic}")))
            .await?;
    }
    for ((name, _, _), topic) in sinks.iter().zip([&listed, &matched]) {
        let file = dir.path().join(format!("{name}.txt"));
        let expected = format!("hello {topic}\n");
        connect_testkit::wait_until(Duration::from_secs(120), Duration::from_millis(200), || {
            let written = std::fs::read_to_string(&file).unwrap_or_default();
            let done = written == expected;
            async move { done }
        })
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "{name} wrote {expected:?}: {e}; log:\n{}",
                worker.log_text()
            )
        })?;
        let (code, status) = worker
            .get_json(&format!("/connectors/{name}/status"))
            .await?;
        assert_eq!(code, 200);
        assert_eq!(status["tasks"][0]["state"], "RUNNING", "{status}");
        assert!(status["tasks"][0]["restarts"].is_null(), "{status}");
    }
    Ok(())
}
