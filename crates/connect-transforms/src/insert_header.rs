//! `InsertHeader`: adds a header with a literal value to every record. The literal is
//! read as Kafka's `Values.parseString` reads it, so `42` becomes an int8 header and
//! `true` a boolean one, while plain text stays a string.

use std::marker::PhantomData;

use connect_api::config::validators::NonNull;
use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::transforms::Transformation;
use connect_api::{ConnectRecord, ConnectResult, Props, SchemaAndValue};

use crate::util::{not_configured, parse_config};

pub const OVERVIEW_DOC: &str = "Add a header to each record.";
pub const HEADER_FIELD: &str = "header";
pub const VALUE_LITERAL_FIELD: &str = "value.literal";

pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(HEADER_FIELD, ConfigType::String)
                .validator(NonNull)
                .importance(Importance::High)
                .doc("The name of the header."),
        )
        .define(
            ConfigKey::new(VALUE_LITERAL_FIELD, ConfigType::String)
                .validator(NonNull)
                .importance(Importance::High)
                .doc("The literal value that is to be set as the header value on all records."),
        )
}

/// Kafka's `InsertHeader`.
pub struct InsertHeader<R> {
    header: Option<(String, SchemaAndValue)>,
    _record: PhantomData<fn() -> R>,
}

impl<R> InsertHeader<R> {
    pub fn new() -> Self {
        InsertHeader {
            header: None,
            _record: PhantomData,
        }
    }
}

impl<R> Default for InsertHeader<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: ConnectRecord> Transformation<R> for InsertHeader<R> {
    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        let parsed = parse_config(&config_def(), props)?;
        let name = parsed.string(HEADER_FIELD).unwrap_or_default().to_string();
        let literal = parsed.string(VALUE_LITERAL_FIELD).unwrap_or_default();
        self.header = Some((name, connect_json::values::parse_string(literal)));
        Ok(())
    }

    fn apply(&self, record: R) -> ConnectResult<Option<R>> {
        let (name, value) = self
            .header
            .as_ref()
            .ok_or_else(|| not_configured("InsertHeader"))?;
        let mut record = record;
        record.headers_mut().add(name.clone(), value.clone());
        Ok(Some(record))
    }
}
