//! `SourceTask::commit_record` gets, for every record Kafka acknowledged, the record the
//! task returned (before transformations) and where Kafka stored the transformed one, as
//! Kafka Connect's `WorkerSourceTask` does; against a real broker.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
mod common;

use common::props;
use connect_api::source::{RecordMetadata, SourceRecord, SourceTask, SourceTaskContext};
use connect_api::{ConfigDef, ConnectResult, Props, Schema, Value, async_trait};
use connect_runtime::herder::Herder;
use connect_testkit::KafkaCluster;

/// What `commit_record` saw: the record's topic and `n` offset, and the metadata.
type Seen = Arc<Mutex<Vec<(String, u64, Option<RecordMetadata>)>>>;

struct RecordingTask {
    topic: String,
    next: u64,
    count: u64,
    seen: Seen,
}

#[async_trait]
impl SourceTask for RecordingTask {
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
        if self.next >= self.count {
            tokio::time::sleep(Duration::from_millis(50)).await;
            return Ok(Vec::new());
        }
        let mut batch = Vec::new();
        while self.next < self.count && batch.len() < 7 {
            let partition =
                serde_json::Map::from_iter([("source".to_string(), serde_json::json!("counter"))]);
            let offset =
                serde_json::Map::from_iter([("n".to_string(), serde_json::json!(self.next))]);
            batch.push(SourceRecord::new(
                partition,
                offset,
                self.topic.clone(),
                Some(Schema::string()),
                Value::String(format!("n={}", self.next)),
            ));
            self.next += 1;
        }
        Ok(batch)
    }
    async fn commit_record(
        &mut self,
        record: &SourceRecord,
        metadata: Option<&RecordMetadata>,
    ) -> ConnectResult<()> {
        let n = record
            .source_offset
            .get("n")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(u64::MAX);
        if let Ok(mut seen) = self.seen.lock() {
            seen.push((record.topic.clone(), n, metadata.cloned()));
        }
        Ok(())
    }
    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_record_gets_the_original_record_and_the_metadata_of_the_routed_one() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let seen: Seen = Arc::default();
    let task_seen = Arc::clone(&seen);
    let herder = common::herder(
        &cluster.bootstrap_servers(),
        connect_transforms::plugins()
            .into_iter()
            .chain([common::source_plugin(
                "test.RecordingSourceConnector",
                ConfigDef::new(),
                move || -> Box<dyn SourceTask> {
                    Box::new(RecordingTask {
                        topic: String::new(),
                        next: 0,
                        count: 0,
                        seen: Arc::clone(&task_seen),
                    })
                },
            )])
            .collect(),
        &[("offset.flush.interval.ms", "100")],
    )
    .await?;
    let base = cluster.unique_topic("commit-record");
    let in_topic = format!("{base}-in");
    let out_topic = format!("{base}-out");
    let count = 50u64;
    herder
        .put_connector_config(
            "recording",
            props(&[
                ("connector.class", "RecordingSource"),
                ("topic", &in_topic),
                ("count", &count.to_string()),
                ("transforms", "route"),
                (
                    "transforms.route.type",
                    "org.apache.kafka.connect.transforms.RegexRouter",
                ),
                ("transforms.route.regex", "(.*)-in"),
                ("transforms.route.replacement", "$1-out"),
            ]),
            false,
            None,
        )
        .await?;
    connect_testkit::wait_until(Duration::from_secs(60), Duration::from_millis(50), || {
        let done = seen
            .lock()
            .map(|s| s.len() as u64 >= count)
            .unwrap_or(false);
        async move { done }
    })
    .await
    .context("commit_record was not called for every record")?;
    herder.shutdown().await;

    let seen = seen
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?
        .clone();
    assert_eq!(seen.len() as u64, count, "one call per record");
    let mut ns: Vec<u64> = seen.iter().map(|(_, n, _)| *n).collect();
    ns.sort_unstable();
    assert_eq!(ns, (0..count).collect::<Vec<_>>(), "each record once");
    // Acknowledgements come in Kafka's order: per partition, the order sent.
    let mut last: std::collections::HashMap<i32, (u64, i64)> = Default::default();
    for (topic, n, metadata) in &seen {
        assert_eq!(
            topic, &in_topic,
            "record {n}: the record as the task made it"
        );
        let metadata = metadata
            .as_ref()
            .context("an acknowledged record has metadata")?;
        assert_eq!(
            metadata.topic, out_topic,
            "record {n}: metadata names the topic Kafka stored it in"
        );
        if let Some((last_n, last_offset)) = last.get(&metadata.partition) {
            assert!(
                *n > *last_n && metadata.offset > *last_offset,
                "record {n}: {metadata:?}"
            );
        }
        last.insert(metadata.partition, (*n, metadata.offset));
    }
    Ok(())
}
