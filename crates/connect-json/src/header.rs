//! `SimpleHeaderConverter`: header values as plain text, schemas inferred on the way back.
//!
//! Kafka's default header converter. A value is written as the UTF-8 bytes of
//! [`crate::values::convert_to_string`] (no schema is written); bytes are read as UTF-8
//! (invalid sequences replaced, as Java's `new String(bytes, UTF_8)` does) and parsed with
//! [`crate::values::parse_string`], which infers booleans, the smallest fitting integer
//! type, floats, decimals, ISO-8601 dates and times, and arrays and maps in Kafka's bracket
//! syntax; anything else is a string. A null value is written as no bytes and read back as
//! a null value without a schema.

use connect_api::config::ConfigDef;
use connect_api::storage::HeaderConverter;
use connect_api::{ConnectResult, Props, Schema, SchemaAndValue, Value};

use crate::values;

/// Kafka's `org.apache.kafka.connect.storage.SimpleHeaderConverter`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SimpleHeaderConverter;

impl SimpleHeaderConverter {
    pub fn new() -> Self {
        SimpleHeaderConverter
    }
}

impl HeaderConverter for SimpleHeaderConverter {
    /// Kafka's SimpleHeaderConverter has no configuration.
    fn config_def(&self) -> ConfigDef {
        ConfigDef::new()
    }

    fn configure(&mut self, _props: &Props) -> ConnectResult<()> {
        Ok(())
    }

    fn from_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> ConnectResult<Option<Vec<u8>>> {
        Ok(values::convert_to_string(schema, value)?.map(String::into_bytes))
    }

    fn to_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        data: Option<&[u8]>,
    ) -> ConnectResult<SchemaAndValue> {
        Ok(match data {
            None => SchemaAndValue::null(),
            // Where Kafka's parser would overflow its stack, it keeps the raw bytes.
            Some(bytes) => values::parse_checked(&crate::java::utf8_to_string(bytes))
                .unwrap_or_else(|| {
                    SchemaAndValue::new(Some(Schema::bytes()), Value::Bytes(bytes.to_vec()))
                }),
        })
    }
}
