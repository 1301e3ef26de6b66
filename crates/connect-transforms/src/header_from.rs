//! `HeaderFrom$Key` / `HeaderFrom$Value`: copies or moves fields of the key or value into
//! headers. `fields` and `headers` pair up by position. With `move` the fields are
//! removed from the struct (its reduced schema is cached per input schema) or map; with
//! `copy` the key or value is left as it is. A header carries the field's schema when
//! there is one.

use std::marker::PhantomData;

use connect_api::config::validators::ValidString;
use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::transforms::Transformation;
use connect_api::{
    ConnectError, ConnectRecord, ConnectResult, Props, SchemaAndValue, SchemaBuilder, Struct, Value,
};

use crate::util::{
    NonEmptyList, REPLACE_NULL_WITH_DEFAULT_CONFIG, SchemaCache, Side, config_error,
    copy_schema_basics, field_value_by_name, map_get, map_remove, not_configured, parse_config,
    replace_null_with_default_key, require_map, require_struct,
};

pub const OVERVIEW_DOC: &str = "Moves or copies fields in the key/value of a record into that record's headers. Corresponding elements of <code>fields</code> and <code>headers</code> together identify a field and the header it should be moved or copied to. Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.HeaderFrom$Key</code>) or value (<code>org.apache.kafka.connect.transforms.HeaderFrom$Value</code>).";
pub const FIELDS_FIELD: &str = "fields";
pub const HEADERS_FIELD: &str = "headers";
pub const OPERATION_FIELD: &str = "operation";

pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(FIELDS_FIELD, ConfigType::List)
                .validator(NonEmptyList)
                .importance(Importance::High)
                .doc("Field names in the record whose values are to be copied or moved to headers."),
        )
        .define(
            ConfigKey::new(HEADERS_FIELD, ConfigType::List)
                .validator(NonEmptyList)
                .importance(Importance::High)
                .doc("Header names, in the same order as the field names listed in the fields configuration property."),
        )
        .define(
            ConfigKey::new(OPERATION_FIELD, ConfigType::String)
                .validator(ValidString::one_of(["move", "copy"]))
                .importance(Importance::High)
                .doc("Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value)."),
        )
        .define(replace_null_with_default_key())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operation {
    Move,
    Copy,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Operation::Move => "move",
            Operation::Copy => "copy",
        }
    }
}

struct Config {
    fields: Vec<String>,
    headers: Vec<String>,
    operation: Operation,
    replace_null_with_default: bool,
}

/// Kafka's `HeaderFrom`.
pub struct HeaderFrom<R> {
    side: Side,
    config: Option<Config>,
    move_cache: SchemaCache,
    _record: PhantomData<fn() -> R>,
}

impl<R> HeaderFrom<R> {
    pub fn new(side: Side) -> Self {
        HeaderFrom {
            side,
            config: None,
            move_cache: SchemaCache::new(),
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

impl<R: ConnectRecord> Transformation<R> for HeaderFrom<R> {
    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        let parsed = parse_config(&config_def(), props)?;
        let fields = parsed.list(FIELDS_FIELD).unwrap_or_default().to_vec();
        let headers = parsed.list(HEADERS_FIELD).unwrap_or_default().to_vec();
        if fields.len() != headers.len() {
            return Err(config_error(format!(
                "'{FIELDS_FIELD}' config must have the same number of elements as '{HEADERS_FIELD}' config."
            )));
        }
        let operation = match parsed.string(OPERATION_FIELD) {
            Some("move") => Operation::Move,
            _ => Operation::Copy,
        };
        self.config = Some(Config {
            fields,
            headers,
            operation,
            replace_null_with_default: parsed
                .boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                .unwrap_or(true),
        });
        self.move_cache.clear();
        Ok(())
    }

    fn apply(&self, record: R) -> ConnectResult<Option<R>> {
        let config = self
            .config
            .as_ref()
            .ok_or_else(|| not_configured("HeaderFrom"))?;
        let purpose = format!("header {}", config.operation.name());
        let mut headers = record.headers().clone();
        let value = self.side.value(&record);
        let Some(schema) = self.side.schema(&record) else {
            let original = require_map(value, &purpose)?;
            let mut updated = original.to_vec();
            for (field, header) in config.fields.iter().zip(&config.headers) {
                let field_value = map_get(original, field).cloned().unwrap_or(Value::Null);
                if config.operation == Operation::Move {
                    map_remove(&mut updated, field);
                }
                headers.add(header.clone(), SchemaAndValue::new(None, field_value));
            }
            return Ok(Some(self.side.replace_with_headers(
                record,
                None,
                Value::Map(updated),
                headers,
            )));
        };
        let original = require_struct(value, Some(schema), &purpose)?;
        let (updated_schema, updated_value) = match config.operation {
            Operation::Move => {
                let moved = self.move_cache.get_or_build(schema, || {
                    let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
                    for field in schema.fields()? {
                        if !config.fields.iter().any(|f| f == field.name()) {
                            builder = builder.field(field.name(), field.schema().clone())?;
                        }
                    }
                    Ok(builder.build())
                })?;
                let mut updated = Struct::new(moved.clone())?;
                for field in moved.fields()? {
                    let field_value = field_value_by_name(
                        original,
                        field.name(),
                        config.replace_null_with_default,
                    )?;
                    updated.put(field.name(), field_value.clone())?;
                }
                (moved, Value::Struct(updated))
            }
            Operation::Copy => (schema.clone(), value.clone()),
        };
        for (field, header) in config.fields.iter().zip(&config.headers) {
            let field_value = if original.schema().field(field)?.is_some() {
                field_value_by_name(original, field, config.replace_null_with_default)?.clone()
            } else {
                Value::Null
            };
            let field_schema = schema
                .field(field)?
                .ok_or_else(|| ConnectError::data(format!("Unknown field: {field}")))?
                .schema()
                .clone();
            headers.add_checked(
                header.clone(),
                SchemaAndValue::new(Some(field_schema), field_value),
            )?;
        }
        Ok(Some(self.side.replace_with_headers(
            record,
            Some(updated_schema),
            updated_value,
            headers,
        )))
    }
}
