//! The two connectors: config validation, task configs and offset alteration.

mod common;

use common::*;
use connect_api::config::ConfigValue;
use connect_api::{ConnectError, Connector, SourceConnector, SourceOffset, SourcePartition};
use connect_file::{FileStreamSinkConnector, FileStreamSourceConnector};

const FILENAME: &str = "/somefilename";

fn source_props() -> connect_api::Props {
    props(&[("topic", "test"), ("file", FILENAME)])
}

/// The errors reported for each key that has any.
fn errors(results: &[ConfigValue]) -> Vec<(String, Vec<String>)> {
    results
        .iter()
        .filter(|v| !v.errors.is_empty())
        .map(|v| (v.name.clone(), v.errors.clone()))
        .collect()
}

fn single_error(results: &[ConfigValue], key: &str) -> String {
    let errors = errors(results);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, key, "{errors:?}");
    assert_eq!(errors[0].1.len(), 1, "{errors:?}");
    let message = errors[0].1[0].clone();
    assert!(
        message.contains(key),
        "the message names the key: {message}"
    );
    message
}

#[test]
fn a_valid_source_config_has_no_errors() {
    let connector = FileStreamSourceConnector::new();
    assert!(errors(&connector.validate(&source_props())).is_empty());
    let stdin = props(&[("topic", "test")]);
    assert!(errors(&connector.validate(&stdin)).is_empty());
}

#[test]
fn source_validation_names_the_bad_key() {
    let connector = FileStreamSourceConnector::new();

    let message = single_error(&connector.validate(&props(&[("file", FILENAME)])), "topic");
    assert_eq!(
        message,
        "Missing required configuration \"topic\" which has no default value."
    );

    let mut blank = source_props();
    blank.insert("topic".into(), "     ".into());
    let message = single_error(&connector.validate(&blank), "topic");
    assert!(message.contains("non-empty"), "{message}");

    let mut several = source_props();
    several.insert("topic".into(), "test1,test2".into());
    let message = single_error(&connector.validate(&several), "topic");
    assert!(
        message.contains("requires definition of a single topic"),
        "{message}"
    );

    let mut not_a_number = source_props();
    not_a_number.insert("batch.size".into(), "abcd".into());
    let message = single_error(&connector.validate(&not_a_number), "batch.size");
    assert_eq!(
        message,
        "Invalid value abcd for configuration batch.size: Not a number of type INT"
    );

    // Kafka's batch.size has no validator: validate accepts 0 (Kafka Connect 4.3.1 does).
    let mut zero = source_props();
    zero.insert("batch.size".into(), "0".into());
    let errors: Vec<String> = connector
        .validate(&zero)
        .into_iter()
        .flat_map(|v| v.errors)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[tokio::test]
async fn source_start_rejects_an_invalid_config() {
    let mut connector = FileStreamSourceConnector::new();
    let mut several = source_props();
    several.insert("topic".into(), "test1,test2".into());
    let err = connector
        .start(connector_context(), several)
        .await
        .expect_err("several topics");
    assert!(
        matches!(&err, ConnectError::Config(c) if c.key() == Some("topic")),
        "{err}"
    );
}

#[tokio::test]
async fn the_source_makes_one_task_whatever_tasks_max_is() {
    let mut connector = FileStreamSourceConnector::new();
    connector
        .start(connector_context(), source_props())
        .await
        .expect("start");
    for max_tasks in [1, 2, 10] {
        let configs = connector
            .task_configs(max_tasks)
            .await
            .expect("task configs");
        assert_eq!(configs, vec![source_props()]);
    }
    connector.stop().await.expect("stop");

    let mut stdin = FileStreamSourceConnector::new();
    stdin
        .start(connector_context(), props(&[("topic", "test")]))
        .await
        .expect("start");
    let configs = stdin.task_configs(1).await.expect("task configs");
    assert_eq!(configs.len(), 1);
    assert!(!configs[0].contains_key("file"));
}

#[tokio::test]
async fn the_sink_makes_tasks_max_tasks() {
    let mut connector = FileStreamSinkConnector::new();
    let config = props(&[("topics", "t1,t2"), ("file", "/tmp/out.txt")]);
    connector
        .start(connector_context(), config.clone())
        .await
        .expect("start");
    let configs = connector.task_configs(3).await.expect("task configs");
    assert_eq!(configs, vec![config.clone(), config.clone(), config]);
    connector.stop().await.expect("stop");
}

#[test]
fn the_sink_defines_only_file() {
    let connector = FileStreamSinkConnector::new();
    let def = connector.config_def();
    let keys: Vec<&str> = def.keys().map(|k| k.name.as_str()).collect();
    assert_eq!(keys, vec!["file"]);
    assert!(errors(&connector.validate(&props(&[("topics", "t")]))).is_empty());
}

#[tokio::test]
async fn task_configs_before_start_is_an_error() {
    let mut source = FileStreamSourceConnector::new();
    assert!(source.task_configs(1).await.is_err());
    let mut sink = FileStreamSinkConnector::new();
    assert!(sink.task_configs(1).await.is_err());
}

fn alter(
    config: &connect_api::Props,
    offsets: &[(SourcePartition, Option<SourceOffset>)],
) -> Result<bool, String> {
    FileStreamSourceConnector::new()
        .alter_offsets(config, offsets)
        .map_err(|e| e.to_string())
}

#[test]
fn alter_offsets_accepts_valid_positions_and_resets() {
    let config = source_props();
    assert_eq!(
        alter(
            &config,
            &[(partition(FILENAME), Some(position(serde_json::json!(10))))]
        ),
        Ok(true)
    );
    assert_eq!(
        alter(
            &config,
            &[(partition(FILENAME), Some(position(serde_json::json!(0))))]
        ),
        Ok(true)
    );
    // A null offset is a reset and is allowed for anything, even a partition without a
    // filename, so that garbage can be cleaned up.
    assert_eq!(alter(&config, &[(SourcePartition::new(), None)]), Ok(true));
    // An older file's partition can be altered too.
    assert_eq!(
        alter(
            &config,
            &[(partition("/other"), Some(position(serde_json::json!(3))))]
        ),
        Ok(true)
    );
}

#[test]
fn alter_offsets_rejects_what_kafka_rejects() {
    let config = source_props();
    let err = |offsets: &[(SourcePartition, Option<SourceOffset>)]| {
        alter(&config, offsets).expect_err("rejected")
    };

    let message = err(&[(partition(FILENAME), Some(SourceOffset::new()))]);
    assert!(message.contains("'position'"), "{message}");

    for bad in [
        serde_json::json!("10"),
        serde_json::json!(1.5),
        serde_json::Value::Null,
    ] {
        let message = err(&[(partition(FILENAME), Some(position(bad.clone())))]);
        assert!(
            message.contains("expected to be a Long value"),
            "{bad}: {message}"
        );
    }

    let message = err(&[(partition(FILENAME), Some(position(serde_json::json!(-1))))]);
    assert!(message.contains("non-negative"), "{message}");

    let message = err(&[(SourcePartition::new(), Some(position(serde_json::json!(1))))]);
    assert!(message.contains("'filename'"), "{message}");

    let stdin = props(&[("topic", "test")]);
    let message = alter(&stdin, &[(partition(FILENAME), None)]).expect_err("stdin");
    assert!(
        message.contains("'file' configuration is unspecified"),
        "{message}"
    );
}
