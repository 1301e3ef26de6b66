//! A task that panics becomes FAILED with the panic as its trace, while another connector
//! on the same worker keeps running and delivering, against a real broker.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use connect_api::plugin::PluginDesc;
use connect_api::source::{SourceConnector, SourceRecord, SourceTask, SourceTaskContext};
use connect_api::{
    ConfigDef, ConnectResult, Connector, ConnectorContext, Props, Schema, Value, async_trait,
};
use connect_runtime::config::WorkerConfig;
use connect_runtime::herder::Herder;
use connect_runtime::herder::entities::State;
use connect_runtime::herder::standalone::StandaloneHerder;
use connect_runtime::plugins::PluginRegistry;
use connect_runtime::storage::{
    MemoryConfigBackingStore, MemoryOffsetBackingStore, MemoryStatusBackingStore,
};
use connect_runtime::worker::Worker;
use connect_testkit::KafkaCluster;

/// A source whose task emits `count` numbered records then idles, or panics in poll.
struct CountingSource {
    props: Props,
    panic_in_poll: bool,
}

#[async_trait]
impl Connector for CountingSource {
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

impl SourceConnector for CountingSource {
    fn create_task(&self) -> Box<dyn SourceTask> {
        Box::new(CountingTask {
            topic: String::new(),
            next: 0,
            count: 0,
            panic_in_poll: self.panic_in_poll,
        })
    }
}

struct CountingTask {
    topic: String,
    next: u64,
    count: u64,
    panic_in_poll: bool,
}

#[async_trait]
impl SourceTask for CountingTask {
    fn version(&self) -> String {
        "test".into()
    }
    async fn start(&mut self, _context: SourceTaskContext, props: Props) -> ConnectResult<()> {
        self.topic = props.get("topic").cloned().unwrap_or_default();
        self.count = props
            .get("count")
            .and_then(|c| c.parse().ok())
            .unwrap_or(10);
        Ok(())
    }
    async fn poll(&mut self) -> ConnectResult<Vec<SourceRecord>> {
        if self.panic_in_poll {
            panic!("boom: the connector has a bug");
        }
        if self.next >= self.count {
            tokio::time::sleep(Duration::from_millis(100)).await;
            return Ok(Vec::new());
        }
        let partition =
            serde_json::Map::from_iter([("source".to_string(), serde_json::json!("counter"))]);
        let offset = serde_json::Map::from_iter([("n".to_string(), serde_json::json!(self.next))]);
        let record = SourceRecord::new(
            partition,
            offset,
            self.topic.clone(),
            Some(Schema::string()),
            Value::String(format!("n={}", self.next)),
        );
        self.next += 1;
        Ok(vec![record])
    }
    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }
}

fn props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panicking_task_fails_alone() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let mut registry = PluginRegistry::with_default_converters();
    registry.register([
        PluginDesc::source("test.CountingSourceConnector", "test", || {
            Box::new(CountingSource {
                props: Props::new(),
                panic_in_poll: false,
            })
        }),
        PluginDesc::source("test.PanickingSourceConnector", "test", || {
            Box::new(CountingSource {
                props: Props::new(),
                panic_in_poll: true,
            })
        }),
    ]);
    let bootstrap = cluster.bootstrap_servers();
    let config = WorkerConfig::new(props(&[
        ("bootstrap.servers", &bootstrap),
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        ("offset.flush.interval.ms", "200"),
    ]))?;
    let worker = Arc::new(Worker::new(
        "test-worker".into(),
        config,
        Arc::new(registry),
        Arc::new(MemoryOffsetBackingStore::new()),
        Arc::new(MemoryStatusBackingStore::new()),
    ));
    let herder =
        StandaloneHerder::start(worker, Arc::new(MemoryConfigBackingStore::new()), None).await;
    let good_topic = cluster.unique_topic("good");
    let bad_topic = cluster.unique_topic("bad");
    herder
        .put_connector_config(
            "bad",
            props(&[
                ("connector.class", "PanickingSource"),
                ("topic", &bad_topic),
            ]),
            false,
            None,
        )
        .await?;
    herder
        .put_connector_config(
            "good",
            props(&[
                ("connector.class", "CountingSource"),
                ("topic", &good_topic),
                ("count", "25"),
            ]),
            false,
            None,
        )
        .await?;

    let failed = connect_testkit::wait_for(
        Duration::from_secs(30),
        Duration::from_millis(50),
        || async {
            let status = herder.connector_status("bad").await?;
            Ok((status.tasks.first().map(|t| t.state) == Some(State::Failed)).then_some(status))
        },
    )
    .await
    .context("the panicking task never became FAILED")?;
    let trace = failed.tasks[0].trace.clone().unwrap_or_default();
    assert!(
        trace.contains("task panicked: boom: the connector has a bug"),
        "{trace}"
    );
    assert!(trace.contains("TASK_POLL"), "{trace}");
    assert_eq!(
        failed.connector.state,
        State::Running,
        "the connector itself is fine"
    );

    let records = cluster
        .consume_all(&good_topic, 25, Duration::from_secs(60))
        .await?;
    // The topic has the broker's default partition count: order holds per partition only.
    let mut values: Vec<String> = records.iter().filter_map(|r| r.value_str()).collect();
    values.sort_by_key(|v| v[2..].parse::<u32>().unwrap_or(u32::MAX));
    let expected: Vec<String> = (0..25).map(|n| format!("n={n}")).collect();
    assert_eq!(values, expected);
    let good = herder.connector_status("good").await?;
    assert_eq!(good.tasks[0].state, State::Running);

    // Restarting only failed tasks answers with the failed task marked RESTARTING, and it
    // fails again the same way while the good connector is untouched.
    let restarting = herder
        .restart_connector("bad", true, true)
        .await?
        .context("includeTasks answers a status")?;
    assert_eq!(restarting.tasks[0].state, State::Restarting);
    assert_eq!(restarting.connector.state, State::Running);
    connect_testkit::wait_until(
        Duration::from_secs(30),
        Duration::from_millis(50),
        || async {
            herder
                .connector_status("bad")
                .await
                .map(|s| s.tasks[0].state == State::Failed)
                .unwrap_or(false)
        },
    )
    .await?;
    assert_eq!(
        herder.connector_status("good").await?.tasks[0].state,
        State::Running
    );
    herder.shutdown().await;
    Ok(())
}
