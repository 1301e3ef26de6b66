//! `ExtractField$Key` / `ExtractField$Value`: replaces the key or value with one of its
//! fields (a nested one with `field.syntax.version=V2`, see [`crate::field_path`]). The
//! new schema is the field's schema; a null key or value stays null.

use std::marker::PhantomData;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::transforms::Transformation;
use connect_api::{ConnectError, ConnectRecord, ConnectResult, Props, Value};

use crate::field_path::{FIELD_SYNTAX_VERSION_CONFIG, FieldSyntaxVersion, SingleFieldPath};
use crate::util::{
    REPLACE_NULL_WITH_DEFAULT_CONFIG, Side, not_configured, parse_config,
    replace_null_with_default_key, require_map_or_null, require_struct_or_null,
};

pub const OVERVIEW_DOC: &str = "Extract the specified field from a Struct when schema present, or a Map in the case of schemaless data. Any null values are passed through unmodified.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.ExtractField$Key</code>) or value (<code>org.apache.kafka.connect.transforms.ExtractField$Value</code>).";
pub const FIELD_CONFIG: &str = "field";
const PURPOSE: &str = "field extraction";

pub fn config_def() -> ConfigDef {
    FieldSyntaxVersion::append_config_to(
        ConfigDef::new().define(
            ConfigKey::new(FIELD_CONFIG, ConfigType::String)
                .importance(Importance::Medium)
                .doc("Field name to extract."),
        ),
    )
    .define(replace_null_with_default_key())
}

struct Config {
    original_path: String,
    path: SingleFieldPath,
    replace_null_with_default: bool,
}

/// Kafka's `ExtractField`.
pub struct ExtractField<R> {
    side: Side,
    config: Option<Config>,
    _record: PhantomData<fn() -> R>,
}

impl<R> ExtractField<R> {
    pub fn new(side: Side) -> Self {
        ExtractField {
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

impl<R: ConnectRecord> Transformation<R> for ExtractField<R> {
    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        let parsed = parse_config(&config_def(), props)?;
        let original_path = parsed.string(FIELD_CONFIG).unwrap_or_default().to_string();
        let version = FieldSyntaxVersion::from_config(parsed.string(FIELD_SYNTAX_VERSION_CONFIG))?;
        self.config = Some(Config {
            path: SingleFieldPath::new(&original_path, version)?,
            original_path,
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
            .ok_or_else(|| not_configured("ExtractField"))?;
        let value = self.side.value(&record);
        let Some(schema) = self.side.schema(&record) else {
            let extracted = match require_map_or_null(value, PURPOSE)? {
                Some(map) => config.path.value_from_map(map)?,
                None => Value::Null,
            };
            return Ok(Some(self.side.replace(record, None, extracted)));
        };
        let value = require_struct_or_null(value, Some(schema), PURPOSE)?;
        let field = config.path.field_from(schema)?.ok_or_else(|| {
            ConnectError::invalid_argument(format!("Unknown field: {}", config.original_path))
        })?;
        let extracted = match value {
            Some(value) => config
                .path
                .value_from_struct(value, config.replace_null_with_default)?,
            None => Value::Null,
        };
        let field_schema = field.schema().clone();
        Ok(Some(self.side.replace(
            record,
            Some(field_schema),
            extracted,
        )))
    }
}
