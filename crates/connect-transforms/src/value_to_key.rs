//! `ValueToKey`: replaces the key with a struct (or map) made of some fields of the value.
//! The key schema is built from the value schema's fields, once per value schema.

use std::marker::PhantomData;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::transforms::Transformation;
use connect_api::{
    ConnectError, ConnectRecord, ConnectResult, Props, SchemaBuilder, Struct, Value,
};

use crate::util::{
    REPLACE_NULL_WITH_DEFAULT_CONFIG, SchemaCache, field_value_by_name, map_get, map_put,
    not_configured, parse_config, replace_null_with_default_key, require_map, require_struct,
};

pub const OVERVIEW_DOC: &str =
    "Replace the record key with a new key formed from a subset of fields in the record value.";
pub const FIELDS_CONFIG: &str = "fields";
const PURPOSE: &str = "copying fields from value to key";

pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(FIELDS_CONFIG, ConfigType::List)
                .validator(
                    connect_api::config::validators::ValidList::any_non_duplicate_values(
                        false, false,
                    ),
                )
                .importance(Importance::High)
                .doc("Field names on the record value to extract as the record key."),
        )
        .define(replace_null_with_default_key())
}

struct Config {
    fields: Vec<String>,
    replace_null_with_default: bool,
}

/// Kafka's `ValueToKey`.
pub struct ValueToKey<R> {
    config: Option<Config>,
    cache: SchemaCache,
    _record: PhantomData<fn() -> R>,
}

impl<R> ValueToKey<R> {
    pub fn new() -> Self {
        ValueToKey {
            config: None,
            cache: SchemaCache::new(),
            _record: PhantomData,
        }
    }
}

impl<R> Default for ValueToKey<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: ConnectRecord> Transformation<R> for ValueToKey<R> {
    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        let parsed = parse_config(&config_def(), props)?;
        self.config = Some(Config {
            fields: parsed.list(FIELDS_CONFIG).unwrap_or_default().to_vec(),
            replace_null_with_default: parsed
                .boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                .unwrap_or(true),
        });
        self.cache.clear();
        Ok(())
    }

    fn apply(&self, record: R) -> ConnectResult<Option<R>> {
        let config = self
            .config
            .as_ref()
            .ok_or_else(|| not_configured("ValueToKey"))?;
        let (key_schema, key) = match record.value_schema() {
            None => {
                let value = require_map(record.value(), PURPOSE)?;
                let mut key = Vec::with_capacity(config.fields.len());
                for field in &config.fields {
                    let field_value = map_get(value, field).cloned().unwrap_or(Value::Null);
                    map_put(&mut key, field, field_value);
                }
                (None, Value::Map(key))
            }
            Some(_) => {
                let value = require_struct(record.value(), record.value_schema(), PURPOSE)?;
                let key_schema = self.cache.get_or_build(value.schema(), || {
                    let mut builder = SchemaBuilder::struct_();
                    for field in &config.fields {
                        let from_value = value.schema().field(field)?.ok_or_else(|| {
                            ConnectError::data(format!("Field does not exist: {field}"))
                        })?;
                        builder = builder.field(field.as_str(), from_value.schema().clone())?;
                    }
                    Ok(builder.build())
                })?;
                let mut key = Struct::new(key_schema.clone())?;
                for field in &config.fields {
                    let field_value =
                        field_value_by_name(value, field, config.replace_null_with_default)?;
                    key.put(field, field_value.clone())?;
                }
                (Some(key_schema), Value::Struct(key))
            }
        };
        Ok(Some(record.new_record(
            record.topic().to_string(),
            record.kafka_partition(),
            key_schema,
            key,
            record.value_schema().cloned(),
            record.value().clone(),
            record.timestamp(),
            record.headers().clone(),
        )))
    }
}
