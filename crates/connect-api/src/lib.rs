//! The Tributary connector SDK: what a connector author depends on.
//!
//! This crate mirrors Apache Kafka's `connect/api` module. It holds the data model
//! ([`data`]: `Schema`, `Value`, `Struct` and the logical types), the configuration
//! language ([`config`]: `ConfigDef`), the connector and task contracts ([`connector`],
//! [`source`], [`sink`]), records and headers, and the pluggable pieces the runtime wires
//! around a task ([`storage::Converter`], [`storage::HeaderConverter`],
//! [`transforms::Transformation`], [`transforms::Predicate`]).
//!
//! It deliberately contains no Kafka client and no HTTP server: a connector is written
//! against these traits only, and the runtime (`connect-runtime`) supplies the producer,
//! the consumer, offset storage and the REST API.

pub mod config;
pub mod connector;
pub mod data;
pub mod errors;
pub mod header;
pub mod metrics;
pub mod plugin;
pub mod record;
pub mod sink;
pub mod source;
pub mod storage;
pub mod transforms;

pub use config::{
    ConfigDef, ConfigKey, ConfigType, ConfigValue, Importance, ParsedConfig, Password,
};
pub use connector::{Connector, ConnectorContext};
pub use data::{Field, Schema, SchemaAndValue, SchemaBuilder, SchemaType, Struct, Value};
pub use errors::{ConnectError, ConnectResult};
pub use header::{Header, Headers};
pub use record::ConnectRecord;
pub use sink::{SinkConnector, SinkRecord, SinkTask, SinkTaskContext, TopicPartition};
pub use source::{
    OffsetStorageReader, RecordMetadata, SourceConnector, SourceOffset, SourcePartition,
    SourceRecord, SourceTask, SourceTaskContext,
};

/// A connector's, task's or plugin's configuration as Kafka Connect passes it around: a
/// flat map of string keys to string values. Sorted, so that every rendering is stable.
pub type Props = std::collections::BTreeMap<String, String>;

/// Re-exported so connector crates implement the async traits without naming the crate.
pub use async_trait::async_trait;
