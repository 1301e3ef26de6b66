//! `SetSchemaMetadata$Key` / `SetSchemaMetadata$Value`: sets the name and/or version of
//! the key or value schema. A struct is rebuilt against the renamed schema (a struct
//! carries its schema), every field copied as it is. A record without schema and without
//! value passes through; a value without a schema is an error.

use std::marker::PhantomData;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::transforms::Transformation;
use connect_api::{ConnectRecord, ConnectResult, Props, Schema, Struct, Value};

use crate::util::{
    REPLACE_NULL_WITH_DEFAULT_CONFIG, Side, config_error, field_value, not_configured,
    parse_config, replace_null_with_default_key, require_schema,
};

pub const OVERVIEW_DOC: &str = "Set the schema name, version or both on the record's key (<code>org.apache.kafka.connect.transforms.SetSchemaMetadata$Key</code>) or value (<code>org.apache.kafka.connect.transforms.SetSchemaMetadata$Value</code>) schema.";
pub const SCHEMA_NAME: &str = "schema.name";
pub const SCHEMA_VERSION: &str = "schema.version";

pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(SCHEMA_NAME, ConfigType::String)
                .default_null()
                .importance(Importance::High)
                .doc("Schema name to set."),
        )
        .define(
            ConfigKey::new(SCHEMA_VERSION, ConfigType::Int)
                .default_null()
                .importance(Importance::High)
                .doc("Schema version to set."),
        )
        .define(replace_null_with_default_key())
}

struct Config {
    name: Option<String>,
    version: Option<i32>,
    replace_null_with_default: bool,
}

/// Kafka's `SetSchemaMetadata`.
pub struct SetSchemaMetadata<R> {
    side: Side,
    config: Option<Config>,
    _record: PhantomData<fn() -> R>,
}

impl<R> SetSchemaMetadata<R> {
    pub fn new(side: Side) -> Self {
        SetSchemaMetadata {
            side,
            config: None,
            _record: PhantomData,
        }
    }
    pub fn key() -> Self {
        Self::new(Side::Key)
    }
    pub fn value() -> Self {
        Self::new(Side::Value)
    }
}

impl<R: ConnectRecord> Transformation<R> for SetSchemaMetadata<R> {
    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        let parsed = parse_config(&config_def(), props)?;
        let name = parsed.string(SCHEMA_NAME).map(str::to_string);
        let version = parsed.int(SCHEMA_VERSION);
        if name.is_none() && version.is_none() {
            return Err(config_error("Neither schema name nor version configured"));
        }
        self.config = Some(Config {
            name,
            version,
            replace_null_with_default: parsed
                .boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                .unwrap_or(true),
        });
        Ok(())
    }

    fn apply(&self, record: R) -> ConnectResult<Option<R>> {
        let config = self
            .config
            .as_ref()
            .ok_or_else(|| not_configured("SetSchemaMetadata"))?;
        let value = self.side.value(&record);
        let schema = self.side.schema(&record);
        if value.is_null() && schema.is_none() {
            return Ok(Some(record));
        }
        let schema = require_schema(schema, "updating schema metadata")?;
        let mut builder = schema.to_builder();
        if let Some(name) = &config.name {
            builder = builder.name(name.clone());
        }
        if let Some(version) = config.version {
            builder = builder.version(version);
        }
        let updated_schema = builder.build();
        let updated_value =
            update_schema_in(value, &updated_schema, config.replace_null_with_default)?;
        Ok(Some(self.side.replace(
            record,
            Some(updated_schema),
            updated_value,
        )))
    }
}

/// Kafka's `updateSchemaIn`: a struct is copied onto the renamed schema; anything else
/// does not reference its schema and is kept.
fn update_schema_in(
    value: &Value,
    updated_schema: &Schema,
    replace_null_with_default: bool,
) -> ConnectResult<Value> {
    let Value::Struct(original) = value else {
        return Ok(value.clone());
    };
    let mut updated = Struct::new(updated_schema.clone())?;
    for field in original.schema().fields()? {
        updated.put(
            field.name(),
            field_value(original, field, replace_null_with_default)?.clone(),
        )?;
    }
    Ok(Value::Struct(updated))
}
