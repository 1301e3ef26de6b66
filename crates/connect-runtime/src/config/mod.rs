//! Worker and connector configuration, and the files they come from.
//!
//! Worker configs are Java `.properties` files with Kafka's keys ([`worker`]); connector
//! configs are `.properties` or JSON files ([`files`]) validated against Kafka's common
//! connector keys ([`connector`]) plus the connector's own `ConfigDef`.

pub mod connector;
pub mod files;
pub mod providers;
pub mod worker;

pub use connector::ConnectorConfig;
pub use files::{load_connector_config, load_properties};
pub use providers::ConfigTransformer;
pub use worker::WorkerConfig;
