//! Tributary's benchmarks (`cargo run --release -p tributary-bench -- --help`): pipeline
//! throughput against the raw producer, the same pipeline on Apache Kafka Connect and on
//! Tributary, start-up, memory, Google Sheets ingest cost and a sustained run. Each scenario has a `run` (the measurement) and a `report` (a table of
//! medians and the verdicts against the targets); see docs/BENCHMARKS.md.

pub mod broker;
pub mod connect;
pub mod memory;
pub mod process;
pub mod report;
pub mod sheets;
pub mod startup;
pub mod sustained;
pub mod throughput;

pub use broker::{BOOTSTRAP_ENV, Broker};
pub use process::{AS_WORKER_ENV, WORKER_BIN_ENV, WorkerBin};
