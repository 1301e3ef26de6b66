//! Secrets in connector configs: config provider placeholders are resolved only for the
//! running connector and task, PASSWORD values are `[hidden]` in every answer, and a
//! `[hidden]` sent back keeps the stored secret.

use std::time::Duration;

use anyhow::{Context, Result};
mod common;

use common::props;
use connect_api::config::{ConfigKey, ConfigType};
use connect_api::source::{SourceRecord, SourceTask, SourceTaskContext};
use connect_api::{ConfigDef, ConnectResult, Props, Schema, Value, async_trait};
use connect_runtime::herder::Herder;
use connect_testkit::KafkaCluster;

struct EchoTask {
    props: Props,
    sent: bool,
}

#[async_trait]
impl SourceTask for EchoTask {
    fn version(&self) -> String {
        "test".into()
    }
    async fn start(&mut self, _context: SourceTaskContext, props: Props) -> ConnectResult<()> {
        self.props = props;
        Ok(())
    }
    async fn poll(&mut self) -> ConnectResult<Vec<SourceRecord>> {
        if self.sent {
            tokio::time::sleep(Duration::from_millis(100)).await;
            return Ok(Vec::new());
        }
        self.sent = true;
        let get = |k: &str| self.props.get(k).cloned().unwrap_or_default();
        let value = format!("{}|{}", get("token"), get("password"));
        Ok(vec![SourceRecord::new(
            serde_json::Map::new(),
            serde_json::Map::new(),
            get("topic"),
            Some(Schema::string()),
            Value::String(value),
        )])
    }
    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_reach_the_task_and_nothing_else() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let creds = dir.path().join("creds.properties");
    std::fs::write(&creds, "token=hunter2-from-file\n")?;
    let def = ConfigDef::new()
        .define(ConfigKey::new("topic", ConfigType::String))
        .define(ConfigKey::new("token", ConfigType::Password))
        .define(ConfigKey::new("password", ConfigType::Password));
    let echo = common::source_plugin("test.EchoSecretsConnector", def, || {
        Box::new(EchoTask {
            props: Props::new(),
            sent: false,
        })
    });
    let herder = common::herder(
        &cluster.bootstrap_servers(),
        vec![echo],
        &[
            ("config.providers", "file"),
            (
                "config.providers.file.class",
                "org.apache.kafka.common.config.provider.FileConfigProvider",
            ),
        ],
    )
    .await?;
    let topic = cluster.unique_topic("secrets");
    let placeholder = format!("${{file:{}:token}}", creds.display());
    let connector = props(&[
        ("connector.class", "EchoSecrets"),
        ("topic", &topic),
        ("token", &placeholder),
        ("password", "plain-s3cret"),
    ]);

    let mut to_validate = connector.clone();
    to_validate.insert("name".into(), "echo".into());
    let validated = herder.validate_connector_config(to_validate).await?;
    let validated_text = serde_json::to_string(&validated)?;
    assert_eq!(validated.error_count, 0, "{validated_text}");
    assert!(!validated_text.contains("hunter2"), "{validated_text}");
    assert!(!validated_text.contains("plain-s3cret"), "{validated_text}");

    let created = herder
        .put_connector_config("echo", connector, false, None)
        .await?;
    assert_eq!(created.value.config["token"], placeholder);
    assert_eq!(created.value.config["password"], "[hidden]");

    // The task got the resolved values.
    let records = cluster
        .consume_all(&topic, 1, Duration::from_secs(60))
        .await?;
    assert_eq!(
        records[0].value_str().as_deref(),
        Some("hunter2-from-file|plain-s3cret")
    );

    // Nothing the REST API shows holds a secret.
    let shown = serde_json::to_string(&(
        herder.connector_config("echo").await?,
        herder.connector_info("echo").await?,
        herder.task_configs("echo").await?,
        herder.connector_status("echo").await?,
    ))?;
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(!shown.contains("plain-s3cret"), "{shown}");
    let tasks = herder.task_configs("echo").await?;
    assert_eq!(
        tasks[0].config["token"], placeholder,
        "stored as the placeholder"
    );
    assert_eq!(tasks[0].config["password"], "[hidden]");

    // GET, edit, PUT back: the [hidden] password keeps the stored secret.
    let mut edited = herder.connector_config("echo").await?;
    let topic2 = cluster.unique_topic("secrets-edited");
    edited.insert("topic".into(), topic2.clone());
    herder
        .put_connector_config("echo", edited, true, None)
        .await?;
    let records = cluster
        .consume_all(&topic2, 1, Duration::from_secs(60))
        .await
        .context("the edited connector must still have its secrets")?;
    assert_eq!(
        records[0].value_str().as_deref(),
        Some("hunter2-from-file|plain-s3cret")
    );

    // A [hidden] with nothing stored behind it is refused, naming the key.
    let err = herder
        .put_connector_config(
            "fresh",
            props(&[
                ("connector.class", "EchoSecrets"),
                ("topic", &topic),
                ("token", "x"),
                ("password", "[hidden]"),
            ]),
            false,
            None,
        )
        .await
        .err()
        .context("a [hidden] value without a stored secret")?;
    assert_eq!(err.status_code(), 400);
    assert!(err.to_string().contains("password"), "{err}");
    herder.shutdown().await;
    Ok(())
}
