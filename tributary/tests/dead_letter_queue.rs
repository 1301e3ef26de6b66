//! errors.tolerance=all with dead letter queues, for a sink (Kafka's behaviour) and for a
//! source (Tributary's addition), read back by an independent consumer.

mod common;

use std::time::Duration;

use anyhow::{Context, Result};
use common::*;
use connect_testkit::{KafkaCluster, ProduceRecord, Record};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sink_writes_good_records_and_sends_poison_to_the_dlq() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let topic = cluster.unique_topic("mixed");
    let dlq = cluster.unique_topic("mixed-dlq");
    cluster.create_topic(&topic, 1).await?;
    // JSON strings are good; the others are poison for a JSON converter.
    let inputs = [
        "\"good-0\"",
        "not json{",
        "\"good-1\"",
        "{\"unterminated\": ",
        "\"good-2\"",
    ];
    for (i, value) in inputs.iter().enumerate() {
        cluster
            .produce_record(
                &topic,
                ProduceRecord::new()
                    .key(format!("k{i}"))
                    .value(value)
                    .header("origin", "test"),
            )
            .await?;
    }
    let output = dir.path().join("out.txt");
    let sink = dir.path().join("sink.properties");
    write_properties(
        &sink,
        &[
            ("name", "tolerant-sink".to_string()),
            ("connector.class", "FileStreamSink".to_string()),
            ("topics", topic.clone()),
            ("file", output.display().to_string()),
            (
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter".to_string(),
            ),
            ("value.converter.schemas.enable", "false".to_string()),
            ("errors.tolerance", "all".to_string()),
            ("errors.log.enable", "true".to_string()),
            ("errors.deadletterqueue.topic.name", dlq.clone()),
            (
                "errors.deadletterqueue.topic.replication.factor",
                "1".to_string(),
            ),
            (
                "errors.deadletterqueue.context.headers.enable",
                "true".to_string(),
            ),
        ],
    )?;
    let mut worker = WorkerProcess::start(
        dir.path(),
        &cluster.bootstrap_servers(),
        &[("offset.flush.interval.ms", "200".to_string())],
        vec![sink],
    )
    .await?;

    let dead = cluster
        .consume_all(&dlq, 2, Duration::from_secs(60))
        .await
        .with_context(|| worker.log_text())?;
    assert_eq!(dead.len(), 2);
    for (record, offset, original) in [(&dead[0], 1, inputs[1]), (&dead[1], 3, inputs[3])] {
        assert_eq!(
            record.value_str().as_deref(),
            Some(original),
            "the original bytes"
        );
        assert_eq!(record.key_str(), Some(format!("k{offset}")));
        assert_eq!(
            header_text(record, "origin"),
            "test",
            "original headers are kept"
        );
        assert_eq!(header_text(record, "__connect.errors.topic"), topic);
        assert_eq!(header_text(record, "__connect.errors.partition"), "0");
        assert_eq!(
            header_text(record, "__connect.errors.offset"),
            offset.to_string()
        );
        assert_eq!(
            header_text(record, "__connect.errors.connector.name"),
            "tolerant-sink"
        );
        assert_eq!(header_text(record, "__connect.errors.task.id"), "0");
        assert_eq!(
            header_text(record, "__connect.errors.stage"),
            "VALUE_CONVERTER"
        );
        assert_eq!(
            header_text(record, "__connect.errors.class.name"),
            "org.apache.kafka.connect.json.JsonConverter"
        );
        assert_eq!(
            header_text(record, "__connect.errors.exception.class.name"),
            "org.apache.kafka.connect.errors.DataException"
        );
        assert!(!header_text(record, "__connect.errors.exception.message").is_empty());
        assert!(!header_text(record, "__connect.errors.exception.stacktrace").is_empty());
    }
    connect_testkit::wait_until(
        Duration::from_secs(30),
        Duration::from_millis(100),
        || async { std::fs::read_to_string(&output).is_ok_and(|t| t.lines().count() == 3) },
    )
    .await
    .with_context(|| worker.log_text())?;
    assert_eq!(
        std::fs::read_to_string(&output)?,
        "good-0\ngood-1\ngood-2\n"
    );
    let status = worker
        .wait_for_state("tolerant-sink", "RUNNING", Duration::from_secs(10))
        .await?;
    assert!(status["tasks"][0]["trace"].is_null());
    assert!(
        worker
            .log_text()
            .contains("Executing stage 'VALUE_CONVERTER'"),
        "errors.log.enable logs the failure"
    );

    // Offsets advanced past the poison: a graceful restart redelivers nothing.
    let exit = worker.terminate().await?;
    assert!(exit.success());
    cluster
        .produce_record(&topic, ProduceRecord::new().key("k5").value("\"good-3\""))
        .await?;
    worker.spawn().await?;
    connect_testkit::wait_until(
        Duration::from_secs(60),
        Duration::from_millis(100),
        || async { std::fs::read_to_string(&output).is_ok_and(|t| t.lines().count() >= 4) },
    )
    .await
    .with_context(|| worker.log_text())?;
    assert_eq!(
        std::fs::read_to_string(&output)?,
        "good-0\ngood-1\ngood-2\ngood-3\n"
    );
    assert_eq!(
        cluster.end_offsets(&dlq).await?.values().sum::<i64>(),
        2,
        "nothing reached the DLQ twice"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_records_failing_conversion_reach_the_source_dlq_with_their_offsets() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("in.txt");
    append_lines(&input, 0, 20)?;
    let topic = cluster.unique_topic("src");
    let dlq = cluster.unique_topic("src-dlq");
    let source = dir.path().join("source.properties");
    write_properties(
        &source,
        &[
            ("name", "failing-source".to_string()),
            ("connector.class", "FileStreamSource".to_string()),
            ("file", input.display().to_string()),
            ("topic", topic.clone()),
            // Lines are strings: an IntegerConverter cannot serialize them.
            (
                "value.converter",
                "org.apache.kafka.connect.converters.IntegerConverter".to_string(),
            ),
            ("errors.tolerance", "all".to_string()),
            ("errors.deadletterqueue.topic.name", dlq.clone()),
            (
                "errors.deadletterqueue.context.headers.enable",
                "true".to_string(),
            ),
            ("topic.creation.default.partitions", "1".to_string()),
            ("topic.creation.default.replication.factor", "1".to_string()),
        ],
    )?;
    let mut worker = WorkerProcess::start(
        dir.path(),
        &cluster.bootstrap_servers(),
        &[("offset.flush.interval.ms", "100".to_string())],
        vec![source],
    )
    .await?;
    let dead = cluster
        .consume_all(&dlq, 20, Duration::from_secs(60))
        .await
        .with_context(|| worker.log_text())?;
    let mut values: Vec<String> = dead.iter().filter_map(Record::value_str).collect();
    values.sort();
    let expected: Vec<String> = (0..20).map(|i| format!("\"{}\"", line(i))).collect();
    assert_eq!(values, expected, "each failed line, as schemaless JSON");
    let first = &dead[0];
    assert_eq!(
        header_text(first, "__connect.errors.stage"),
        "VALUE_CONVERTER"
    );
    assert_eq!(
        header_text(first, "__connect.errors.class.name"),
        "org.apache.kafka.connect.converters.IntegerConverter"
    );
    assert_eq!(
        header_text(first, "__connect.errors.connector.name"),
        "failing-source"
    );
    assert_eq!(header_text(first, "__connect.errors.topic"), topic);
    let partition: serde_json::Value =
        serde_json::from_str(&header_text(first, "__connect.errors.source.partition"))?;
    assert_eq!(partition["filename"], input.display().to_string());
    let offset: serde_json::Value =
        serde_json::from_str(&header_text(first, "__connect.errors.source.offset"))?;
    assert!(offset["position"].as_u64().is_some(), "{offset}");
    // The failed records' offsets were committed, so a graceful restart resends nothing.
    let exit = worker.terminate().await?;
    assert!(exit.success());
    worker.spawn().await?;
    worker
        .wait_for_state("failing-source", "RUNNING", Duration::from_secs(30))
        .await?;
    append_lines(&input, 20, 1)?;
    connect_testkit::wait_until(
        Duration::from_secs(60),
        Duration::from_millis(100),
        || async {
            cluster
                .end_offsets(&dlq)
                .await
                .is_ok_and(|o| o.values().sum::<i64>() >= 21)
        },
    )
    .await
    .with_context(|| worker.log_text())?;
    assert_eq!(cluster.end_offsets(&dlq).await?.values().sum::<i64>(), 21);
    // The main topic got nothing: it was never even created.
    let topics = cluster.topics().await?;
    assert!(
        !topics.contains(&topic) || cluster.end_offsets(&topic).await?.values().sum::<i64>() == 0,
        "nothing reached the main topic"
    );
    Ok(())
}
