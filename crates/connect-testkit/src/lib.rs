//! Test harness for Tributary's integration tests: Apache Kafka as the broker, Kafka
//! helpers around it, deadline-based waiting, independent verification through Python Kafka
//! clients, and Apache Kafka Connect's own classes as an oracle ([`oracle`]).
//!
//! # Brokers
//!
//! [`KafkaCluster::start`] gives a test a cluster:
//!
//! - If `TRIBUTARY_TEST_BOOTSTRAP_SERVERS` is set (`host:9092` of any Kafka cluster), that
//!   cluster is used and no process is started.
//! - Otherwise the test run's shared Apache Kafka broker: the version pinned in
//!   `tests/kafka/pom.xml`, from the jars `scripts/setup-test-env.sh` put in
//!   `.cache/kafka/<version>/`, a single-node KRaft broker (combined broker and controller,
//!   storage formatted by Kafka's `StorageTool`) on free ports of 127.0.0.1. The first test
//!   of a run starts it; the others connect to it; it stops when the test runner (nextest or
//!   cargo) exits, whether tests passed or not. See the [`kafka`] module for how.
//!
//! Either way tests share the cluster, so every test keeps to its own topics and group
//! ids: use [`KafkaCluster::unique_topic`] for every name. Each test prints on stderr
//! which broker it uses and where the broker's log is (kept in
//! `target/kafka-test/run-<runner pid>/`), so a failing test's output names the log.
//!
//! A test that stops, kills or restarts its broker takes one of its own with
//! [`KafkaCluster::start_dedicated`] (a child process, killed when the value drops).
//!
//! Records are produced with [`KafkaCluster::produce`] / [`KafkaCluster::produce_batch`]
//! (which wait for delivery reports) and read back with [`KafkaCluster::consume_all`] or
//! [`KafkaCluster::consume_to_end`], which assign all partitions from the beginning without
//! a consumer group. [`KafkaCluster::end_offsets`] gives high watermarks.
//!
//! # Kafka Connect itself
//!
//! [`KafkaConnectWorker::start`] runs Apache Kafka Connect's standalone worker from the same
//! installation, with the file connectors on its `plugin.path`, for tests that send the same
//! requests to it and to Tributary (see the [`connect_worker`] module).
//!
//! # Waiting
//!
//! Never sleep for a fixed time: use [`wait_until`] (a boolean condition) or [`wait_for`]
//! (a probe returning a value) with a deadline and a polling interval.
//!
//! # Python clients
//!
//! [`PythonEnv::get`] finds the interpreter of the workspace's virtualenv
//! (`<workspace>/.venv/bin/python`, made by `scripts/setup-test-env.sh` with kafka-python,
//! confluent-kafka and kafka-connect-py). [`PythonEnv::consume_with_python`] runs
//! `tests/python/consume.py` to read a topic with a client that is not ours;
//! [`PythonEnv::run_python_script`] runs any script. Both confluent-kafka and kafka-python
//! read from Apache Kafka ([`PyClient`]).
//!
//! # Environment variables
//!
//! | variable | effect |
//! |---|---|
//! | `TRIBUTARY_TEST_BOOTSTRAP_SERVERS` | use this external cluster instead of starting Apache Kafka |
//! | `TRIBUTARY_KAFKA_HOME` | an Apache Kafka folder laid out like `.cache/kafka/<version>` (`lib/`, `plugins/`) |
//! | `JAVA_HOME` | the JDK that runs Kafka (default: `java` on `PATH`) |
//! | `TRIBUTARY_BROKER_START_TIMEOUT_SECS` | how long to wait for a broker to answer (default 120) |
//! | `TRIBUTARY_KEEP_BROKER_DIR` | if set, keep a dedicated broker's temp dir (data and log) after the test |
//! | `TRIBUTARY_PYTHON` | the Python interpreter (default `<workspace>/.venv/bin/python`) |
//!
//! # Example
//!
//! ```no_run
//! use std::time::Duration;
//! use connect_testkit::KafkaCluster;
//!
//! # async fn demo() -> anyhow::Result<()> {
//! let cluster = KafkaCluster::start().await?;
//! let topic = cluster.unique_topic("orders");
//! cluster.create_topic(&topic, 3).await?;
//! cluster.produce(&topic, "k", "v").await?;
//! let records = cluster.consume_all(&topic, 1, Duration::from_secs(30)).await?;
//! assert_eq!(records[0].value.as_deref(), Some(&b"v"[..]));
//! let py = connect_testkit::PythonEnv::get()?;
//! let seen = py
//!     .consume_with_python(&cluster.bootstrap_servers(), &topic, 1, Duration::from_secs(30))
//!     .await?;
//! assert_eq!(seen, records);
//! # Ok(()) }
//! ```

mod cluster;
pub mod connect_worker;
pub mod connector;
pub mod kafka;
pub mod oracle;
mod properties;
mod python;
mod record;
pub mod tls;
pub mod vectors;
mod wait;

pub use cluster::{
    BOOTSTRAP_SERVERS_ENV, BROKER_START_TIMEOUT_ENV, KEEP_BROKER_DIR_ENV, KafkaCluster,
    unique_topic,
};
pub use connect_worker::KafkaConnectWorker;
pub use connector::{MemoryOffsetStore, SourceTaskHarness};
pub use kafka::{KAFKA_HOME_ENV, KafkaBroker, KafkaDist, SecuredListeners, free_port};
pub use oracle::{JavaError, KafkaOracle};
pub use properties::write_properties;
pub use python::{
    PYTHON_ENV, PyClient, PyRecord, PythonEnv, ScriptOutput, consume_with_python,
    run_python_script, workspace_root,
};
pub use record::{Delivered, ProduceRecord, Record, TimestampType, sort_by_position};
pub use vectors::VectorGen;
pub use wait::{WaitTimeout, wait_for, wait_until};

/// The rdkafka version the harness is built with, for tests that need their own clients.
pub use rdkafka;

/// A random-enough 16 hex digit suffix (process id, time, a counter and std's random
/// hasher keys), unique across the parallel tests of one machine.
pub fn unique_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(d.as_nanos());
    }
    format!("{:016x}", h.finish())
}
