//! Whether the worker can reach Kafka, for the log, `/metrics` and `/health`.
//!
//! # Why a watch of its own
//!
//! Tasks ride out a broker outage by themselves: librdkafka reconnects, a source's records
//! wait in the producer's queue (bounded, see [`crate::kafka`]) and a sink's consumer waits
//! for the broker. Their statuses rightly stay RUNNING. But then a 5 to 60 s outage left no
//! trace at all: every client logged librdkafka's "all brokers down" at most, nothing said
//! when it ended, and `/health` answered 200 throughout.
//!
//! The worker therefore keeps one small client of its own (a consumer without a group, so it
//! joins nothing and commits nothing) that only holds a connection to the cluster and
//! reports librdkafka's view of it: an "all brokers down" error marks Kafka unreachable at
//! once, and the client's statistics (every second) say when a broker is `UP` again. Each
//! transition is logged once, with how long the outage lasted; `/metrics` has
//! `tributary_kafka_reachable` (1 or 0) and `tributary_kafka_outages_total`; `/health`
//! answers unhealthy while Kafka cannot be reached, as Kafka Connect's does when its herder
//! cannot reach the cluster.
//!
//! The watch starts optimistic (reachable) and only an observed failure turns it: a worker
//! whose cluster is down from the start is reported once its client has tried and failed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::ClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::statistics::Statistics;

use crate::metrics::WorkerMetrics;

/// What the watch has seen.
#[derive(Debug, Default)]
struct Seen {
    /// When the current outage began; `None` while Kafka is reachable.
    down_since: Option<Instant>,
    /// librdkafka's reason for the current outage.
    reason: String,
}

/// The shared view of the cluster, updated from librdkafka's callbacks.
pub struct ClusterWatch {
    bootstrap: String,
    seen: Mutex<Seen>,
    metrics: Arc<WorkerMetrics>,
    stop: AtomicBool,
}

impl ClusterWatch {
    /// Starts watching the cluster at `bootstrap_servers` with the client settings in
    /// `overrides` (the worker's security settings); the watch runs until
    /// [`ClusterWatch::stop`].
    pub fn start(
        bootstrap_servers: &str,
        overrides: &BTreeMap<String, String>,
        metrics: Arc<WorkerMetrics>,
    ) -> Result<Arc<ClusterWatch>, KafkaError> {
        let watch = Arc::new(ClusterWatch {
            bootstrap: bootstrap_servers.to_string(),
            seen: Mutex::new(Seen::default()),
            metrics,
            stop: AtomicBool::new(false),
        });
        let mut forced = BTreeMap::new();
        forced.insert("statistics.interval.ms".to_string(), "1000".to_string());
        forced.insert(
            "client.id".to_string(),
            "tributary-cluster-watch".to_string(),
        );
        let consumer: BaseConsumer<WatchContext> =
            crate::kafka::client_config(bootstrap_servers, &[overrides, &forced])?
                .create_with_context(WatchContext {
                    watch: Arc::downgrade(&watch),
                })?;
        let polled = Arc::clone(&watch);
        std::thread::Builder::new()
            .name("cluster-watch".to_string())
            .spawn(move || {
                // One metadata request makes librdkafka connect; from then on it keeps the
                // connection and reports on it through the callbacks served by poll.
                let _ = consumer.fetch_metadata(None, Duration::from_secs(5));
                while !polled.stop.load(Ordering::Relaxed) {
                    let _ = consumer.poll(Duration::from_millis(200));
                }
            })
            .map_err(|e| KafkaError::ClientCreation(e.to_string()))?;
        Ok(watch)
    }

    /// Ends the watch's thread (at worker shutdown).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// `None` while Kafka is reachable; otherwise what `/health` says about it.
    pub fn problem(&self) -> Option<String> {
        let seen = self.lock();
        let since = seen.down_since?;
        Some(format!(
            "Cannot reach the Kafka cluster at {} for {:.0} s: {}",
            self.bootstrap,
            since.elapsed().as_secs_f64(),
            seen.reason
        ))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn went_down(&self, reason: &str) {
        let mut seen = self.lock();
        if seen.down_since.is_some() {
            return;
        }
        seen.down_since = Some(Instant::now());
        seen.reason = reason.to_string();
        drop(seen);
        self.metrics.kafka_reachable.set(0);
        self.metrics.kafka_outages.inc();
        tracing::error!(
            bootstrap = %self.bootstrap,
            reason,
            "cannot reach Kafka: all brokers are down; tasks keep their records and retry, and /health reports the outage until a broker answers again"
        );
    }

    fn came_back(&self) {
        let mut seen = self.lock();
        let Some(since) = seen.down_since.take() else {
            return;
        };
        drop(seen);
        self.metrics.kafka_reachable.set(1);
        tracing::warn!(
            bootstrap = %self.bootstrap,
            outage_seconds = format!("{:.1}", since.elapsed().as_secs_f64()),
            "reached Kafka again"
        );
    }
}

/// The watch client's callbacks.
struct WatchContext {
    watch: std::sync::Weak<ClusterWatch>,
}

impl rdkafka::consumer::ConsumerContext for WatchContext {}

impl ClientContext for WatchContext {
    fn stats(&self, statistics: Statistics) {
        let Some(watch) = self.watch.upgrade() else {
            return;
        };
        if statistics.brokers.values().any(|b| b.state == "UP") {
            watch.came_back();
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        let Some(watch) = self.watch.upgrade() else {
            return;
        };
        if error.rdkafka_error_code() == Some(RDKafkaErrorCode::AllBrokersDown) {
            watch.went_down(reason);
        } else {
            tracing::debug!(%error, reason, "cluster watch client error");
        }
    }
}
