//! The Tributary worker runtime (Kafka's `connect/runtime`).
//!
//! - [`herder`]: the Herder trait the REST API talks to, its entities, and the standalone
//!   herder.
//! - [`worker`]: runs connectors and tasks on tokio.
//! - [`task`]: the source and sink task loops.
//! - [`storage`]: offset, config and status backing stores (memory and file now, Kafka
//!   topics for distributed mode).
//! - [`plugins`]: the registry of connectors, converters, transformations and predicates.
//! - [`config`]: worker and connector configuration, properties files.
//! - [`kafka`]: the rdkafka adapter (producer, consumer, admin).
//! - [`cluster_watch`]: whether the worker reaches Kafka (log, metrics, health).

pub mod client_configs;
pub mod cluster_watch;
pub mod config;
pub mod docs;
pub mod errors;
pub mod herder;
pub mod kafka;
pub mod keystores;
pub mod metrics;
pub mod plugins;
pub mod storage;
pub mod task;
pub mod transforms;
pub mod worker;
