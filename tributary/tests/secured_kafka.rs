//! Tributary on secured Kafka listeners, configured with Kafka's own client keys as users
//! have them: SSL with JKS and PKCS12 truststores, SASL_PLAINTEXT with SCRAM-SHA-512,
//! SASL_SSL with PLAIN and a PEM truststore (Apache Kafka with those listeners, certificates
//! made at test time). Each carries a FileStreamSource -> FileStreamSink pipeline of 10,000
//! lines end to end; zstd and lz4 topics round-trip. A client setting that cannot work
//! fails the task with a message naming it (never its secret), without a restart loop; a
//! connector override Tributary cannot honour is refused by validate and create.

mod common;

use std::time::Duration;

use anyhow::{Context, Result};
use common::*;
use connect_testkit::tls::STORE_PASSWORD;
use connect_testkit::{KafkaCluster, SecuredListeners};

const LINES: usize = 10_000;

/// Kafka client settings (`security.protocol`, `ssl.*`, `sasl.*`) for the worker's
/// clients: the same keys at the top level and under `producer.`, `consumer.`, `admin.`,
/// as a Connect user writes them.
fn client_settings(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    let mut settings = Vec::new();
    for prefix in ["", "producer.", "consumer.", "admin."] {
        for (key, value) in pairs {
            settings.push((format!("{prefix}{key}"), value.clone()));
        }
    }
    settings
}

fn jaas(module: &str) -> String {
    format!(
        "org.apache.kafka.common.security.{module} required username=\"{}\" password=\"{}\";",
        SecuredListeners::USER,
        SecuredListeners::PASSWORD
    )
}

/// Runs source -> topic -> sink through the listener at `port`, with `settings`; checks the
/// sink file holds every line in order and the topic (read over PLAINTEXT) every line.
async fn pipeline(
    cluster: &KafkaCluster,
    name: &str,
    port: u16,
    settings: &[(String, String)],
    topic_config: &[(&str, &str)],
) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("input.txt");
    let output = dir.path().join("output.txt");
    append_lines(&input, 0, LINES)?;
    let topic = cluster.unique_topic(name);
    cluster
        .create_topic_with_config(&topic, 1, topic_config)
        .await?;
    let source = source_config(
        &dir.path().join("source.properties"),
        &format!("{name}-source"),
        &input,
        &topic,
    )?;
    let sink = sink_config(
        &dir.path().join("sink.properties"),
        &format!("{name}-sink"),
        &output,
        &topic,
    )?;
    let mut settings: Vec<(&str, String)> = settings
        .iter()
        .map(|(key, value)| (key.as_str(), value.clone()))
        .collect();
    // The sink's file is flushed at each offset commit.
    settings.push(("offset.flush.interval.ms", "500".to_string()));
    let worker = WorkerProcess::start(
        dir.path(),
        &format!("127.0.0.1:{port}"),
        &settings,
        vec![source, sink],
    )
    .await?;
    connect_testkit::wait_until(Duration::from_secs(180), Duration::from_millis(100), || {
        let output = output.clone();
        async move {
            std::fs::read_to_string(&output)
                .map(|text| text.lines().count() >= LINES)
                .unwrap_or(false)
        }
    })
    .await
    .with_context(|| format!("{LINES} lines through {name}; log:\n{}", worker.log_text()))?;
    let written = std::fs::read_to_string(&output)?;
    let expected: Vec<String> = (0..LINES).map(line).collect();
    assert_eq!(written.lines().collect::<Vec<_>>(), expected, "{name}");
    let records = cluster
        .consume_to_end(&topic, Duration::from_secs(60))
        .await?;
    assert_eq!(records.len(), LINES, "{name}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelines_run_over_ssl_scram_and_plain_listeners() -> Result<()> {
    let cluster = KafkaCluster::start_secured().await?;
    let secured = cluster.secured().context("secured listeners")?.clone();
    let pki = &secured.pki;
    let path = |path: &std::path::Path| path.display().to_string();
    // SSL, JKS truststore (Kafka's default type), hostname verification on (the broker's
    // certificate names 127.0.0.1).
    let ssl_jks = client_settings(&[
        ("security.protocol", "SSL".into()),
        ("ssl.truststore.location", path(&pki.truststore_jks)),
        ("ssl.truststore.password", STORE_PASSWORD.into()),
    ]);
    pipeline(&cluster, "ssl-jks", secured.ssl, &ssl_jks, &[]).await?;
    // SSL, PKCS12 truststore, and a zstd topic.
    let ssl_p12 = client_settings(&[
        ("security.protocol", "SSL".into()),
        ("ssl.truststore.location", path(&pki.truststore_p12)),
        ("ssl.truststore.type", "PKCS12".into()),
        ("ssl.truststore.password", STORE_PASSWORD.into()),
        ("compression.type", "zstd".into()),
    ]);
    pipeline(
        &cluster,
        "ssl-p12-zstd",
        secured.ssl,
        &ssl_p12,
        &[("compression.type", "zstd")],
    )
    .await?;
    // SASL_PLAINTEXT with SCRAM-SHA-512, lz4.
    let scram = client_settings(&[
        ("security.protocol", "SASL_PLAINTEXT".into()),
        ("sasl.mechanism", "SCRAM-SHA-512".into()),
        ("sasl.jaas.config", jaas("scram.ScramLoginModule")),
        ("compression.type", "lz4".into()),
    ]);
    pipeline(
        &cluster,
        "scram-lz4",
        secured.scram,
        &scram,
        &[("compression.type", "lz4")],
    )
    .await?;
    // SASL_SSL with PLAIN, PEM truststore.
    let plain = client_settings(&[
        ("security.protocol", "SASL_SSL".into()),
        ("sasl.mechanism", "PLAIN".into()),
        ("sasl.jaas.config", jaas("plain.PlainLoginModule")),
        ("ssl.truststore.location", path(&pki.ca_pem)),
        ("ssl.truststore.type", "PEM".into()),
    ]);
    pipeline(
        &cluster,
        "sasl-ssl-plain",
        secured.plain_over_tls,
        &plain,
        &[],
    )
    .await?;

    // What cannot work fails the task once, saying what to check, without a restart loop.
    let wrong_password = client_settings(&[
        ("security.protocol", "SASL_PLAINTEXT".into()),
        ("sasl.mechanism", "SCRAM-SHA-512".into()),
        (
            "sasl.jaas.config",
            format!(
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"{}\" password=\"hunter2-wrong\";",
                SecuredListeners::USER
            ),
        ),
    ]);
    fails(
        &cluster,
        "wrong-password",
        secured.scram,
        &wrong_password,
        "sasl.jaas.config",
    )
    .await?;
    let untrusted = client_settings(&[
        ("security.protocol", "SSL".into()),
        (
            "ssl.truststore.location",
            path(&pki.untrusted_truststore_jks),
        ),
        ("ssl.truststore.password", STORE_PASSWORD.into()),
    ]);
    fails(
        &cluster,
        "untrusted",
        secured.ssl,
        &untrusted,
        "ssl.truststore",
    )
    .await?;
    let wrong_mechanism = client_settings(&[
        ("security.protocol", "SASL_PLAINTEXT".into()),
        ("sasl.mechanism", "PLAIN".into()),
        ("sasl.jaas.config", jaas("plain.PlainLoginModule")),
    ]);
    fails(
        &cluster,
        "wrong-mechanism",
        secured.scram,
        &wrong_mechanism,
        "sasl.mechanism",
    )
    .await?;
    Ok(())
}

/// A source connector through the listener at `port` with `settings` ends FAILED with a
/// trace giving the broker's reason `hint` and what to check (and no password), and is
/// not restarted automatically.
async fn fails(
    cluster: &KafkaCluster,
    name: &str,
    port: u16,
    settings: &[(String, String)],
    hint: &str,
) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("input.txt");
    append_lines(&input, 0, 10)?;
    let topic = cluster.unique_topic(name);
    cluster.create_topic(&topic, 1).await?;
    let source = source_config(&dir.path().join("source.properties"), name, &input, &topic)?;
    let mut settings: Vec<(&str, String)> = settings
        .iter()
        .map(|(key, value)| (key.as_str(), value.clone()))
        .collect();
    settings.push(("errors.restart.backoff.initial.ms", "100".to_string()));
    let worker = WorkerProcess::start(
        dir.path(),
        &format!("127.0.0.1:{port}"),
        &settings,
        vec![source],
    )
    .await?;
    fails_once(&worker, name, &[hint, "Check security.protocol"]).await
}

/// The connector `name` of `worker` ends FAILED with a trace holding every one of `hints`
/// (and no password), and is not restarted automatically.
async fn fails_once(worker: &WorkerProcess, name: &str, hints: &[&str]) -> Result<()> {
    let status = worker
        .wait_for_state(name, "FAILED", Duration::from_secs(90))
        .await?;
    let trace = status["tasks"][0]["trace"].as_str().unwrap_or_default();
    for hint in hints {
        assert!(trace.contains(hint), "{name}: {trace}");
    }
    assert!(!trace.contains("hunter2"), "{name}: {trace}");
    // Ten times the first backoff later, still the first failure: no restart loop.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let (_, status) = worker
        .get_json(&format!("/connectors/{name}/status"))
        .await?;
    assert_eq!(status["tasks"][0]["state"], "FAILED", "{name}: {status}");
    assert!(
        status["tasks"][0]
            .get("restarts")
            .is_none_or(|restarts| restarts == 0),
        "{name}: {status}"
    );
    assert!(!worker.log_text().contains("hunter2"), "{name}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_setting_that_cannot_work_fails_the_task_once_naming_it() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("input.txt");
    append_lines(&input, 0, 10)?;
    let topic = cluster.unique_topic("misconfigured");
    cluster.create_topic(&topic, 1).await?;
    let source = source_config(
        &dir.path().join("source.properties"),
        "misconfigured",
        &input,
        &topic,
    )?;
    // The worker's producer settings name a truststore that is not there: every task of
    // every connector would fail the same way, so none is restarted automatically.
    let missing = dir.path().join("no-such-truststore.jks");
    let worker = WorkerProcess::start(
        dir.path(),
        &cluster.bootstrap_servers(),
        &[
            ("producer.security.protocol", "SSL".to_string()),
            (
                "producer.ssl.truststore.location",
                missing.display().to_string(),
            ),
            (
                "producer.ssl.truststore.password",
                "hunter2-secret".to_string(),
            ),
            ("errors.restart.backoff.initial.ms", "100".to_string()),
        ],
        vec![source],
    )
    .await?;
    fails_once(
        &worker,
        "misconfigured",
        &["ssl.truststore.location", "no-such-truststore.jks"],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_override_that_cannot_be_honoured_is_refused_naming_it() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let worker =
        WorkerProcess::start(dir.path(), &cluster.bootstrap_servers(), &[], vec![]).await?;
    let config = serde_json::json!({
        "name": "refused",
        "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "file": dir.path().join("input.txt").display().to_string(),
        "topic": cluster.unique_topic("refused"),
        "producer.override.interceptor.classes": "com.example.Audit",
        "producer.override.sasl.jaas.config": "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"hunter2\";",
    });
    let (code, answer) = http(
        "PUT",
        format!(
            "{}/connector-plugins/FileStreamSourceConnector/config/validate",
            worker.rest
        ),
        Some(config.clone()),
    )
    .await?;
    assert_eq!(code, 200, "{answer}");
    assert_eq!(answer["error_count"], 1, "{answer}");
    let entry = answer["configs"]
        .as_array()
        .and_then(|configs| {
            configs
                .iter()
                .find(|c| c["value"]["name"] == "producer.override.interceptor.classes")
        })
        .cloned()
        .unwrap_or_default();
    assert!(
        entry["value"]["errors"][0]
            .as_str()
            .is_some_and(|error| error.contains("client interceptors are Java classes")),
        "{answer}"
    );
    assert!(!answer.to_string().contains("hunter2"), "{answer}");
    let (code, refused) = http(
        "POST",
        format!("{}/connectors", worker.rest),
        Some(serde_json::json!({"name": "refused", "config": config})),
    )
    .await?;
    assert_eq!(code, 400, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|message| message.contains("producer.override.interceptor.classes")),
        "{refused}"
    );
    assert!(!refused.to_string().contains("hunter2"), "{refused}");
    // A client secret in a connector's overrides is hidden like a PASSWORD key.
    let mut accepted = config.clone();
    if let Some(map) = accepted.as_object_mut() {
        map.remove("producer.override.interceptor.classes");
        map.insert("name".into(), "accepted".into());
    }
    let (code, created) = http(
        "POST",
        format!("{}/connectors", worker.rest),
        Some(serde_json::json!({"name": "accepted", "config": accepted})),
    )
    .await?;
    assert_eq!(code, 201, "{created}");
    assert_eq!(
        created["config"]["producer.override.sasl.jaas.config"], "[hidden]",
        "{created}"
    );
    let (_, shown) = worker.get_json("/connectors/accepted/config").await?;
    assert_eq!(
        shown["producer.override.sasl.jaas.config"], "[hidden]",
        "{shown}"
    );
    Ok(())
}
