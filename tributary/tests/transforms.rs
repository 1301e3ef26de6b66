//! Kafka's transformations and predicates applied by a running worker, configured exactly
//! as for Apache Kafka, and read back by an independent (Python) consumer.

mod common;

use std::time::Duration;

use anyhow::{Context, Result};
use common::*;
use connect_testkit::{KafkaCluster, Record};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chain_with_predicates_reshapes_and_reroutes_records() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("in.txt");
    append_lines(&input, 0, 50)?;
    let base = cluster.unique_topic("orders");
    let raw = format!("{base}-raw");
    let clean = format!("{base}-clean");
    let source = dir.path().join("source.properties");
    write_properties(
        &source,
        &[
            ("name", "chain-source".to_string()),
            ("connector.class", "FileStreamSource".to_string()),
            ("file", input.display().to_string()),
            ("topic", raw.clone()),
            ("topic.creation.default.partitions", "1".to_string()),
            ("topic.creation.default.replication.factor", "1".to_string()),
            (
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter".to_string(),
            ),
            ("value.converter.schemas.enable", "false".to_string()),
            ("transforms", "hoist,rename,insert,route,tag".to_string()),
            (
                "transforms.hoist.type",
                "org.apache.kafka.connect.transforms.HoistField$Value".to_string(),
            ),
            ("transforms.hoist.field", "line".to_string()),
            (
                "transforms.rename.type",
                "org.apache.kafka.connect.transforms.ReplaceField$Value".to_string(),
            ),
            ("transforms.rename.renames", "line:text".to_string()),
            (
                "transforms.insert.type",
                "org.apache.kafka.connect.transforms.InsertField$Value".to_string(),
            ),
            ("transforms.insert.static.field", "origin".to_string()),
            ("transforms.insert.static.value", "file".to_string()),
            ("transforms.insert.topic.field", "from_topic".to_string()),
            ("transforms.route.type", "RegexRouter".to_string()),
            ("transforms.route.regex", "(.*)-raw".to_string()),
            ("transforms.route.replacement", "$1-clean".to_string()),
            ("transforms.route.predicate", "isRaw".to_string()),
            (
                "transforms.tag.type",
                "org.apache.kafka.connect.transforms.InsertHeader".to_string(),
            ),
            ("transforms.tag.header", "routed".to_string()),
            ("transforms.tag.value.literal", "yes".to_string()),
            // Applies to records that are no longer on a -raw topic.
            ("transforms.tag.predicate", "isRaw".to_string()),
            ("transforms.tag.negate", "true".to_string()),
            ("predicates", "isRaw".to_string()),
            (
                "predicates.isRaw.type",
                "org.apache.kafka.connect.transforms.predicates.TopicNameMatches".to_string(),
            ),
            ("predicates.isRaw.pattern", ".*-raw".to_string()),
        ],
    )?;
    let worker =
        WorkerProcess::start(dir.path(), &cluster.bootstrap_servers(), &[], vec![source]).await?;
    let records = connect_testkit::consume_with_python(
        &cluster.bootstrap_servers(),
        &clean,
        50,
        Duration::from_secs(90),
    )
    .await
    .with_context(|| worker.log_text())?;
    assert_eq!(records.len(), 50);
    for (i, record) in records.iter().enumerate() {
        let value: serde_json::Value =
            serde_json::from_slice(record.value.as_deref().unwrap_or_default())?;
        assert_eq!(
            value,
            serde_json::json!({"text": line(i), "origin": "file", "from_topic": raw}),
            "record {i}"
        );
        assert_eq!(header_text(record, "routed"), "yes");
    }
    let topics = cluster.topics().await?;
    assert!(
        !topics.contains(&raw) || cluster.end_offsets(&raw).await?.values().sum::<i64>() == 0,
        "nothing stayed on the -raw topic"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_records_failing_a_transformation_go_to_the_dlq_and_nothing_else_is_lost()
-> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("numbers.txt");
    let lines = ["1", "2", "three", "4", "five", "6"];
    std::fs::write(
        &input,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )?;
    let topic = cluster.unique_topic("numbers");
    let dlq = cluster.unique_topic("numbers-dlq");
    let source = dir.path().join("source.properties");
    write_properties(
        &source,
        &[
            ("name", "cast-source".to_string()),
            ("connector.class", "FileStreamSource".to_string()),
            ("file", input.display().to_string()),
            ("topic", topic.clone()),
            ("topic.creation.default.partitions", "1".to_string()),
            ("topic.creation.default.replication.factor", "1".to_string()),
            (
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter".to_string(),
            ),
            ("value.converter.schemas.enable", "false".to_string()),
            ("transforms", "toInt".to_string()),
            (
                "transforms.toInt.type",
                "org.apache.kafka.connect.transforms.Cast$Value".to_string(),
            ),
            ("transforms.toInt.spec", "int32".to_string()),
            ("errors.tolerance", "all".to_string()),
            ("errors.deadletterqueue.topic.name", dlq.clone()),
            (
                "errors.deadletterqueue.context.headers.enable",
                "true".to_string(),
            ),
        ],
    )?;
    let worker = WorkerProcess::start(
        dir.path(),
        &cluster.bootstrap_servers(),
        &[("offset.flush.interval.ms", "100".to_string())],
        vec![source],
    )
    .await?;
    let good = cluster
        .consume_all(&topic, 4, Duration::from_secs(60))
        .await
        .with_context(|| worker.log_text())?;
    let values: Vec<String> = good.iter().filter_map(Record::value_str).collect();
    assert_eq!(values, vec!["1", "2", "4", "6"]);
    let dead = connect_testkit::consume_with_python(
        &cluster.bootstrap_servers(),
        &dlq,
        2,
        Duration::from_secs(60),
    )
    .await?;
    let dead_values: Vec<String> = dead.iter().filter_map(Record::value_str).collect();
    assert_eq!(dead_values, vec!["\"three\"", "\"five\""]);
    for record in &dead {
        assert_eq!(
            header_text(record, "__connect.errors.stage"),
            "TRANSFORMATION"
        );
        assert_eq!(
            header_text(record, "__connect.errors.class.name"),
            "org.apache.kafka.connect.transforms.Cast$Value"
        );
        assert_eq!(
            header_text(record, "__connect.errors.connector.name"),
            "cast-source"
        );
        assert_eq!(header_text(record, "__connect.errors.task.id"), "0");
        assert!(!header_text(record, "__connect.errors.exception.message").is_empty());
        let partition: serde_json::Value =
            serde_json::from_str(&header_text(record, "__connect.errors.source.partition"))?;
        assert_eq!(partition["filename"], input.display().to_string());
        let offset: serde_json::Value =
            serde_json::from_str(&header_text(record, "__connect.errors.source.offset"))?;
        assert!(offset["position"].as_u64().is_some());
    }
    // Every line is accounted for exactly once, and the task never failed.
    let status = worker
        .wait_for_state("cast-source", "RUNNING", Duration::from_secs(10))
        .await?;
    assert!(status["tasks"][0]["restarts"].is_null());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_reports_transformation_mistakes_under_their_own_keys() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let worker =
        WorkerProcess::start(dir.path(), &cluster.bootstrap_servers(), &[], vec![]).await?;
    let body = serde_json::json!({
        "name": "v",
        "connector.class": "FileStreamSource",
        "topic": "t",
        "transforms": "cast,route,nope",
        "transforms.cast.type": "org.apache.kafka.connect.transforms.Cast$Value",
        "transforms.cast.spec": "int32:notatype",
        "transforms.route.type": "RegexRouter",
        "transforms.route.replacement": "x",
        "transforms.nope.type": "com.example.DoesNotExist",
    });
    let url = format!(
        "{}/connector-plugins/FileStreamSourceConnector/config/validate",
        worker.rest
    );
    let (code, infos) = tokio::task::spawn_blocking(move || -> Result<(u16, serde_json::Value)> {
        let mut response = ureq::put(&url)
            .config()
            .http_status_as_error(false)
            .build()
            .send_json(&body)?;
        Ok((response.status().as_u16(), response.body_mut().read_json()?))
    })
    .await??;
    assert_eq!(code, 200, "{infos}");
    let errors_of = |name: &str| -> Vec<String> {
        infos["configs"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["value"]["name"] == name))
            .and_then(|c| c["value"]["errors"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|e| e.as_str().map(str::to_string))
            .collect()
    };
    assert!(!errors_of("transforms.cast.spec").is_empty(), "{infos}");
    assert!(
        errors_of("transforms.route.regex")
            .iter()
            .any(|e| e.contains("transforms.route.regex")),
        "{infos}"
    );
    assert!(
        errors_of("transforms.nope.type")
            .iter()
            .any(|e| e.contains("com.example.DoesNotExist")),
        "{infos}"
    );
    assert!(
        infos["groups"]
            .as_array()
            .is_some_and(|g| g.iter().any(|g| g == "Transforms: cast"))
    );
    assert_eq!(infos["error_count"], 3, "{infos}");
    Ok(())
}
