//! A task that panics becomes FAILED with the panic as its trace, while another connector
//! on the same worker keeps running and delivering, against a real broker.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
mod common;

use common::props;
use connect_api::source::{SourceRecord, SourceTask, SourceTaskContext};
use connect_api::{ConfigDef, ConnectResult, Props, Schema, Value, async_trait};
use connect_runtime::herder::Herder;
use connect_runtime::herder::entities::State;
use connect_testkit::KafkaCluster;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panicking_task_fails_alone() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let counting = |panic_in_poll: bool| {
        move || -> Box<dyn SourceTask> {
            Box::new(CountingTask {
                topic: String::new(),
                next: 0,
                count: 0,
                panic_in_poll,
            })
        }
    };
    let herder = common::herder(
        &cluster.bootstrap_servers(),
        vec![
            common::source_plugin(
                "test.CountingSourceConnector",
                ConfigDef::new(),
                counting(false),
            ),
            common::source_plugin(
                "test.PanickingSourceConnector",
                ConfigDef::new(),
                counting(true),
            ),
        ],
        &[("offset.flush.interval.ms", "200")],
    )
    .await?;
    let good_topic = cluster.unique_topic("good");
    let bad_topic = cluster.unique_topic("bad");
    herder
        .put_connector_config(
            "bad",
            props(&[
                ("connector.class", "PanickingSource"),
                // This test drives restarts by hand.
                ("errors.restart.enable", "false"),
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

struct FlakyTask {
    inner: CountingTask,
    starts: Arc<std::sync::atomic::AtomicU32>,
}

#[async_trait]
impl SourceTask for FlakyTask {
    fn version(&self) -> String {
        "test".into()
    }
    async fn start(&mut self, context: SourceTaskContext, props: Props) -> ConnectResult<()> {
        let start = self
            .starts
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if start < 2 {
            return Err(connect_api::ConnectError::other(format!(
                "the database is down (start {start})"
            )));
        }
        self.inner.start(context, props).await
    }
    async fn poll(&mut self) -> ConnectResult<Vec<SourceRecord>> {
        self.inner.poll().await
    }
    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_that_fails_twice_heals_itself() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let starts = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let shared = Arc::clone(&starts);
    let flaky = common::source_plugin("test.FlakySourceConnector", ConfigDef::new(), move || {
        Box::new(FlakyTask {
            inner: CountingTask {
                topic: String::new(),
                next: 0,
                count: 0,
                panic_in_poll: false,
            },
            starts: Arc::clone(&shared),
        })
    });
    let herder = common::herder(
        &cluster.bootstrap_servers(),
        vec![flaky],
        // Worker-wide defaults, overridden per connector below.
        &[("errors.restart.backoff.initial.ms", "5000")],
    )
    .await?;
    let topic = cluster.unique_topic("flaky");
    herder
        .put_connector_config(
            "flaky",
            props(&[
                ("connector.class", "FlakySource"),
                ("topic", &topic),
                ("count", "5"),
                ("errors.restart.backoff.initial.ms", "100"),
                ("errors.restart.backoff.max.ms", "400"),
            ]),
            false,
            None,
        )
        .await?;
    // No REST call, no herder call: the task comes back on its own.
    let healed = connect_testkit::wait_for(
        Duration::from_secs(30),
        Duration::from_millis(50),
        || async {
            let status = herder.connector_status("flaky").await?;
            let task = status.tasks.first().cloned();
            Ok(task.filter(|t| t.state == State::Running && t.restarts == Some(2)))
        },
    )
    .await
    .context("the task never healed")?;
    assert_eq!(starts.load(std::sync::atomic::Ordering::SeqCst), 3);
    let last_failure = healed.last_failure.unwrap_or_default();
    assert!(
        last_failure.contains("the database is down (start 1)"),
        "{last_failure}"
    );
    assert!(healed.trace.is_none(), "a running task has no trace");
    let records = cluster
        .consume_all(&topic, 5, Duration::from_secs(60))
        .await?;
    assert_eq!(records.len(), 5);

    // With restarts off, a failure stays a failure.
    starts.store(0, std::sync::atomic::Ordering::SeqCst);
    herder
        .put_connector_config(
            "flaky",
            props(&[
                ("connector.class", "FlakySource"),
                ("topic", &topic),
                ("errors.restart.enable", "false"),
            ]),
            true,
            None,
        )
        .await?;
    connect_testkit::wait_until(
        Duration::from_secs(30),
        Duration::from_millis(50),
        || async {
            herder
                .connector_status("flaky")
                .await
                .is_ok_and(|s| s.tasks.first().is_some_and(|t| t.state == State::Failed))
        },
    )
    .await?;
    // Absence of a restart can only be shown over time: five times the backoff the
    // connector would otherwise have used.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let status = herder.connector_status("flaky").await?;
    assert_eq!(status.tasks[0].state, State::Failed);
    assert_eq!(status.tasks[0].restarts, None);
    assert_eq!(starts.load(std::sync::atomic::Ordering::SeqCst), 1);
    herder.shutdown().await;
    Ok(())
}
