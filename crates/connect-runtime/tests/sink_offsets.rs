//! A sink connector's offsets through the herder (KIP-875, as `GET`/`PATCH`/`DELETE
//! /connectors/{c}/offsets` serve them): its consumer group's committed offsets, altered
//! and reset while the connector is stopped, and what the sink then consumes again;
//! against a real broker.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
mod common;

use common::props;
use connect_api::plugin::PluginDesc;
use connect_api::sink::{SinkConnector, SinkRecord, SinkTask, SinkTaskContext};
use connect_api::{ConfigDef, ConnectResult, Connector, ConnectorContext, Props, async_trait};
use connect_runtime::herder::entities::{ConnectorOffset, ConnectorOffsets, State};
use connect_runtime::herder::{Herder, HerderError};
use connect_testkit::{KafkaCluster, ProduceRecord};
use serde_json::json;

/// `(partition, value)` of every record a task was given.
type Seen = Arc<Mutex<Vec<(i32, String)>>>;

struct RecordingSink {
    props: Props,
    seen: Seen,
}

#[async_trait]
impl Connector for RecordingSink {
    fn version(&self) -> String {
        "test".into()
    }
    fn config_def(&self) -> ConfigDef {
        ConfigDef::new()
    }
    async fn start(
        &mut self,
        _context: Arc<dyn ConnectorContext>,
        props: Props,
    ) -> ConnectResult<()> {
        self.props = props;
        Ok(())
    }
    async fn task_configs(&mut self, _max_tasks: usize) -> ConnectResult<Vec<Props>> {
        Ok(vec![self.props.clone()])
    }
    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }
}

impl SinkConnector for RecordingSink {
    fn create_task(&self) -> Box<dyn SinkTask> {
        Box::new(RecordingSinkTask {
            seen: Arc::clone(&self.seen),
        })
    }
}

struct RecordingSinkTask {
    seen: Seen,
}

#[async_trait]
impl SinkTask for RecordingSinkTask {
    fn version(&self) -> String {
        "test".into()
    }
    async fn start(&mut self, _context: SinkTaskContext, _props: Props) -> ConnectResult<()> {
        Ok(())
    }
    async fn put(&mut self, records: Vec<SinkRecord>) -> ConnectResult<()> {
        if let Ok(mut seen) = self.seen.lock() {
            for record in records {
                let value = record.value.as_str().unwrap_or_default().to_string();
                seen.push((record.kafka_partition, value));
            }
        }
        Ok(())
    }
    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }
}

fn plugin(seen: Seen) -> PluginDesc {
    PluginDesc::sink("test.RecordingSinkConnector", "test", move || {
        Box::new(RecordingSink {
            props: Props::new(),
            seen: Arc::clone(&seen),
        })
    })
}

/// `partition -> offset` of a sink connector's offsets answer.
fn by_partition(offsets: &ConnectorOffsets, topic: &str) -> Result<BTreeMap<i64, i64>> {
    let mut map = BTreeMap::new();
    for entry in &offsets.offsets {
        assert_eq!(entry.partition.get("kafka_topic"), Some(&json!(topic)));
        let partition = entry
            .partition
            .get("kafka_partition")
            .and_then(serde_json::Value::as_i64)
            .context("kafka_partition")?;
        let offset = entry
            .offset
            .as_ref()
            .and_then(|o| o.get("kafka_offset"))
            .and_then(serde_json::Value::as_i64)
            .context("kafka_offset")?;
        map.insert(partition, offset);
    }
    Ok(map)
}

fn entry(partition: serde_json::Value, offset: serde_json::Value) -> Result<ConnectorOffset> {
    Ok(serde_json::from_value(
        json!({"partition": partition, "offset": offset}),
    )?)
}

fn bad_request(result: Result<impl std::fmt::Debug, HerderError>) -> String {
    match result {
        Err(HerderError::BadRequest(message)) => message,
        other => panic!("expected a 400, got {other:?}"),
    }
}

async fn wait_for_seen(seen: &Seen, count: usize, what: &str) -> Result<()> {
    connect_testkit::wait_until(Duration::from_secs(60), Duration::from_millis(50), || {
        let len = seen.lock().map(|s| s.len()).unwrap_or(0);
        async move { len >= count }
    })
    .await
    .with_context(|| format!("{what}: the sink did not get {count} records"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sink_offsets_are_the_groups_and_can_be_altered_and_reset_while_stopped() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let topic = cluster.unique_topic("sink-offsets");
    cluster.create_topic(&topic, 2).await?;
    let records = (0..10).map(|i| {
        let mut record = ProduceRecord::kv(format!("k{i}"), format!("v{i}"));
        record.partition = Some(i % 2);
        record
    });
    cluster.produce_batch(&topic, records).await?;

    let seen: Seen = Arc::default();
    let herder = common::herder(
        &cluster.bootstrap_servers(),
        vec![plugin(Arc::clone(&seen))],
        &[("offset.flush.interval.ms", "100")],
    )
    .await?;
    let name = "recording-sink";
    herder
        .put_connector_config(
            name,
            props(&[("connector.class", "RecordingSink"), ("topics", &topic)]),
            false,
            None,
        )
        .await?;
    wait_for_seen(&seen, 10, "first run").await?;

    // The group's committed offsets: 5 records per partition.
    let committed = connect_testkit::wait_for(
        Duration::from_secs(30),
        Duration::from_millis(100),
        || async {
            let offsets = herder.connector_offsets(name).await?;
            let map = by_partition(&offsets, &topic)?;
            Ok((map == BTreeMap::from([(0, 5), (1, 5)])).then_some(map))
        },
    )
    .await
    .context("the group never committed 5 and 5")?;
    assert_eq!(committed.len(), 2);

    // Offsets change only while the connector is stopped.
    let patch = ConnectorOffsets {
        offsets: vec![entry(
            json!({"kafka_topic": topic, "kafka_partition": 0}),
            json!({"kafka_offset": 2}),
        )?],
    };
    let running = bad_request(herder.alter_connector_offsets(name, patch.clone()).await);
    assert!(running.contains("STOPPED"), "{running}");
    herder.stop_connector(name).await?;
    connect_testkit::wait_for(
        Duration::from_secs(30),
        Duration::from_millis(50),
        || async {
            let status = herder.connector_status(name).await?;
            Ok((status.connector.state == State::Stopped).then_some(()))
        },
    )
    .await
    .context("the connector never stopped")?;

    // Bad offsets name what is wrong, in Kafka's words.
    let cases = [
        (
            json!({"kafka_topic": topic}),
            json!({"kafka_offset": 1}),
            "must contain the keys 'kafka_topic' and 'kafka_partition'",
        ),
        (
            json!({"kafka_topic": topic, "kafka_partition": "zero"}),
            json!({"kafka_offset": 1}),
            "Failed to parse the following Kafka partition value in the provided offsets: 'zero'",
        ),
        (
            json!({"kafka_topic": topic, "kafka_partition": 0}),
            json!({"position": 1}),
            "should either be null or contain the key 'kafka_offset'",
        ),
    ];
    for (partition, offset, expected) in cases {
        let message = bad_request(
            herder
                .alter_connector_offsets(
                    name,
                    ConnectorOffsets {
                        offsets: vec![entry(partition, offset)?],
                    },
                )
                .await,
        );
        assert!(message.contains(expected), "{message}");
    }
    // A negative offset parses and fails to commit: Kafka Connect 4.3.1 answers 500.
    let negative = herder
        .alter_connector_offsets(
            name,
            ConnectorOffsets {
                offsets: vec![entry(
                    json!({"kafka_topic": topic, "kafka_partition": 0}),
                    json!({"kafka_offset": -3}),
                )?],
            },
        )
        .await;
    match negative {
        Err(HerderError::Internal { message, .. }) => assert_eq!(
            message,
            format!("Failed to modify offsets for sink connector {name}")
        ),
        other => panic!("expected a 500, got {other:?}"),
    }
    let empty = bad_request(
        herder
            .alter_connector_offsets(name, ConnectorOffsets { offsets: vec![] })
            .await,
    );
    assert!(empty.contains("must not be null or empty"), "{empty}");

    // Partition 0 back to offset 2 ("2" as a string is accepted, as in Kafka).
    let altered = herder
        .alter_connector_offsets(
            name,
            ConnectorOffsets {
                offsets: vec![entry(
                    json!({"kafka_topic": topic, "kafka_partition": "0"}),
                    json!({"kafka_offset": "2"}),
                )?],
            },
        )
        .await?;
    assert!(
        altered.message.contains("altered successfully"),
        "{altered:?}"
    );
    let offsets = by_partition(&herder.connector_offsets(name).await?, &topic)?;
    assert_eq!(offsets, BTreeMap::from([(0, 2), (1, 5)]));

    // Resumed, the sink gets partition 0's records from offset 2 again, and nothing else.
    let before = seen.lock().map(|s| s.len()).unwrap_or(0);
    herder.resume_connector(name).await?;
    wait_for_seen(&seen, before + 3, "after altering").await?;
    let again: Vec<(i32, String)> = seen
        .lock()
        .map(|s| s[before..].to_vec())
        .unwrap_or_default();
    assert_eq!(
        again,
        vec![
            (0, "v4".to_string()),
            (0, "v6".to_string()),
            (0, "v8".to_string())
        ]
    );

    // Reset: the group is gone, and the sink starts over from the beginning.
    herder.stop_connector(name).await?;
    connect_testkit::wait_for(
        Duration::from_secs(30),
        Duration::from_millis(50),
        || async {
            let status = herder.connector_status(name).await?;
            Ok((status.connector.state == State::Stopped).then_some(()))
        },
    )
    .await
    .context("the connector never stopped")?;
    let reset = herder.reset_connector_offsets(name).await?;
    assert!(reset.message.contains("reset successfully"), "{reset:?}");
    assert_eq!(herder.connector_offsets(name).await?.offsets, vec![]);
    let before = seen.lock().map(|s| s.len()).unwrap_or(0);
    herder.resume_connector(name).await?;
    wait_for_seen(&seen, before + 10, "after the reset").await?;
    let mut replayed: Vec<String> = seen
        .lock()
        .map(|s| s[before..].iter().map(|(_, v)| v.clone()).collect())
        .unwrap_or_default();
    replayed.sort();
    let mut all: Vec<String> = (0..10).map(|i| format!("v{i}")).collect();
    all.sort();
    assert_eq!(replayed, all);
    herder.shutdown().await;
    Ok(())
}
