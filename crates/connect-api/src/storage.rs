//! Converters (Kafka's `connect/api/storage`): the boundary between Connect's data model
//! and the bytes in Kafka.
//!
//! A source task's records are turned into bytes by the key, value and header converters
//! configured for the connector (or the worker); a sink task's records are made from bytes
//! by the same kinds of converter. A converter is configured once per use (`is_key` tells
//! whether it serves keys or values) and then shared by one task.

use crate::Props;
use crate::config::ConfigDef;
use crate::data::{Schema, SchemaAndValue, Value};
use crate::errors::ConnectResult;
use crate::header::Headers;

/// Converts record keys or values (Kafka's `Converter`).
pub trait Converter: Send + Sync {
    /// The converter's config keys (without the `key.converter.` / `value.converter.` prefix).
    fn config_def(&self) -> ConfigDef {
        ConfigDef::new()
    }

    /// Configures the converter; `props` has the prefix already removed.
    fn configure(&mut self, props: &Props, is_key: bool) -> ConnectResult<()>;

    /// Serializes a value; `None` means a null Kafka key or value (a tombstone).
    #[allow(clippy::wrong_self_convention)] // Kafka's name, kept for Connect users
    fn from_connect_data(
        &self,
        topic: &str,
        headers: &Headers,
        schema: Option<&Schema>,
        value: &Value,
    ) -> ConnectResult<Option<Vec<u8>>>;

    /// Deserializes bytes (`None` for a null key or value).
    fn to_connect_data(
        &self,
        topic: &str,
        headers: &Headers,
        data: Option<&[u8]>,
    ) -> ConnectResult<SchemaAndValue>;
}

/// Converts header values (Kafka's `HeaderConverter`).
pub trait HeaderConverter: Send + Sync {
    fn config_def(&self) -> ConfigDef {
        ConfigDef::new()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()>;

    #[allow(clippy::wrong_self_convention)] // Kafka's name, kept for Connect users
    fn from_connect_header(
        &self,
        topic: &str,
        header_key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> ConnectResult<Option<Vec<u8>>>;

    fn to_connect_header(
        &self,
        topic: &str,
        header_key: &str,
        data: Option<&[u8]>,
    ) -> ConnectResult<SchemaAndValue>;
}
