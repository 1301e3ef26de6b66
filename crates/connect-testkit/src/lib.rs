//! Test harness for Tributary's integration tests: a real Kafka-protocol broker per test,
//! Kafka helpers around it, deadline-based waiting, and independent verification through
//! Python Kafka clients.
//!
//! # Brokers
//!
//! [`KafkaCluster::start`] gives a test its own cluster:
//!
//! - If `TRIBUTARY_TEST_BOOTSTRAP_SERVERS` is set (e.g. `host:9092` of an Apache Kafka
//!   cluster), that cluster is used and no process is started. Tests must then keep to
//!   their own topics: use [`KafkaCluster::unique_topic`] for every topic name.
//! - Otherwise a [Tansu](https://crates.io/crates/tansu) 0.6.0 broker is started as a child
//!   process: `tansu broker --listener-url tcp://127.0.0.1:PORT --advertised-listener-url
//!   tcp://127.0.0.1:PORT --storage-engine sqlite://<tempdir>/tansu.db --cluster-id <unique>`
//!   on a free port, with its stdout/stderr in `<tempdir>/tansu.log`
//!   ([`KafkaCluster::broker_log_path`]). Start-up waits for a metadata answer through an
//!   rdkafka client (and checks the cluster id, so a port race with a parallel test is
//!   detected and retried on another port). The process is killed and the temp dir removed
//!   when the [`KafkaCluster`] is dropped; a watchdog also kills it if the test process dies
//!   without unwinding. The sqlite engine is used because Tansu 0.6.0's memory engine
//!   reports wrong offsets.
//!
//! Each broker takes ~25 ms to start, so every test can have its own; many can run in
//! parallel (cargo-nextest runs test binaries and tests in parallel).
//!
//! Tansu 0.6.0 does not auto-create topics: create them with
//! [`KafkaCluster::create_topic`] (producing to a missing topic only fails at the message
//! timeout). Its DescribeConfigs returns only explicitly set configs.
//!
//! Records are produced with [`KafkaCluster::produce`] / [`KafkaCluster::produce_batch`]
//! (which wait for delivery reports) and read back with [`KafkaCluster::consume_all`] or
//! [`KafkaCluster::consume_to_end`], which assign all partitions from the beginning without
//! a consumer group. [`KafkaCluster::end_offsets`] gives high watermarks.
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
//! read from Tansu 0.6.0 ([`PyClient`]).
//!
//! # Environment variables
//!
//! | variable | effect |
//! |---|---|
//! | `TRIBUTARY_TEST_BOOTSTRAP_SERVERS` | use this external cluster instead of starting Tansu |
//! | `TANSU_BIN` | the `tansu` binary (default: `tansu` on `PATH`, then `~/.cargo/bin/tansu`) |
//! | `TRIBUTARY_TANSU_LOG` | `RUST_LOG` filter for the broker (default `info`) |
//! | `TRIBUTARY_BROKER_START_TIMEOUT_SECS` | how long to wait for a broker to answer (default 60) |
//! | `TRIBUTARY_KEEP_BROKER_DIR` | if set, keep each broker's temp dir (db and log) after the test |
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

mod broker;
mod cluster;
pub mod connector;
mod python;
mod record;
mod wait;

pub use broker::{TANSU_BIN_ENV, TANSU_LOG_ENV, find_tansu, free_port};
pub use cluster::{
    BOOTSTRAP_SERVERS_ENV, BROKER_START_TIMEOUT_ENV, KEEP_BROKER_DIR_ENV, KafkaCluster,
    unique_topic,
};
pub use connector::{MemoryOffsetStore, SourceTaskHarness};
pub use python::{
    PYTHON_ENV, PyClient, PyRecord, PythonEnv, ScriptOutput, consume_with_python,
    run_python_script, workspace_root,
};
pub use record::{Delivered, ProduceRecord, Record, TimestampType, sort_by_position};
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
