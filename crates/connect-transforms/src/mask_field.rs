//! `MaskField$Key` / `MaskField$Value`: replaces the listed fields with the "null value"
//! of their type (0, false, "", an empty array or map, the epoch for temporal values), or
//! with a configured `replacement` converted to the field's type (numbers and strings
//! only). A null field stays null. Kafka decides by the Java class of the value; here the
//! class is the one Kafka would hold for the value and its schema (a `Date` logical value
//! is a `java.util.Date`, a `Decimal` a `java.math.BigDecimal`).

use std::marker::PhantomData;

use bigdecimal::BigDecimal;
use connect_api::config::validators::NonEmptyString;
use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::data::logical::{DATE_LOGICAL_NAME, TIME_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME};
use connect_api::transforms::Transformation;
use connect_api::{ConnectError, ConnectRecord, ConnectResult, Props, Schema, Struct, Value};
use connect_json::values;

use crate::util::{
    REPLACE_NULL_WITH_DEFAULT_CONFIG, Side, field_value, map_get, map_put, not_configured,
    parse_config, replace_null_with_default_key, require_map, require_struct,
};

pub const OVERVIEW_DOC: &str = "Mask specified fields with a valid null value for the field type (i.e. 0, false, empty string, and so on).<p/>For numeric and string fields, an optional replacement value can be specified that is converted to the correct type.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.MaskField$Key</code>) or value (<code>org.apache.kafka.connect.transforms.MaskField$Value</code>).";
pub const FIELDS_CONFIG: &str = "fields";
pub const REPLACEMENT_CONFIG: &str = "replacement";
const PURPOSE: &str = "mask fields";

pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(FIELDS_CONFIG, ConfigType::List)
                .validator(connect_api::config::validators::ValidList::any_non_duplicate_values(false, false))
                .importance(Importance::High)
                .doc("Names of fields to mask."),
        )
        .define(
            ConfigKey::new(REPLACEMENT_CONFIG, ConfigType::String)
                .default_null()
                .validator(NonEmptyString)
                .importance(Importance::Low)
                .doc("Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only)."),
        )
        .define(replace_null_with_default_key())
}

struct Config {
    fields: Vec<String>,
    replacement: Option<String>,
    replace_null_with_default: bool,
}

/// Kafka's `MaskField`.
pub struct MaskField<R> {
    side: Side,
    config: Option<Config>,
    _record: PhantomData<fn() -> R>,
}

impl<R> MaskField<R> {
    pub fn new(side: Side) -> Self {
        MaskField {
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

impl<R: ConnectRecord> Transformation<R> for MaskField<R> {
    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        let parsed = parse_config(&config_def(), props)?;
        // Kafka keeps the fields in a HashSet and masks a schemaless value's fields in its
        // order, which decides which failure is reported first.
        let listed: Vec<&str> = parsed
            .list(FIELDS_CONFIG)
            .unwrap_or_default()
            .iter()
            .map(String::as_str)
            .collect();
        let fields: Vec<String> = crate::util::java_hash_map_order(&listed)
            .into_iter()
            .map(str::to_string)
            .collect();
        self.config = Some(Config {
            fields,
            replacement: parsed.string(REPLACEMENT_CONFIG).map(str::to_string),
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
            .ok_or_else(|| not_configured("MaskField"))?;
        let value = self.side.value(&record);
        let masker = Masker {
            replacement: config.replacement.as_deref(),
        };
        if self.side.schema(&record).is_none() {
            let original = require_map(value, PURPOSE)?;
            let mut updated = original.to_vec();
            for field in &config.fields {
                let field_value = map_get(original, field).unwrap_or(&Value::Null);
                map_put(&mut updated, field, masker.masked(None, field_value)?);
            }
            let schema = self.side.schema(&record).cloned();
            return Ok(Some(self.side.replace(record, schema, Value::Map(updated))));
        }
        let original = require_struct(value, self.side.schema(&record), PURPOSE)?;
        let mut updated = Struct::new(original.schema().clone())?;
        for field in original.schema().fields()? {
            let field_value = field_value(original, field, config.replace_null_with_default)?;
            let new_value = if config.fields.iter().any(|f| f == field.name()) {
                masker.masked(Some(field.schema()), field_value)?
            } else {
                field_value.clone()
            };
            updated.put(field.name(), new_value)?;
        }
        let schema = self.side.schema(&record).cloned();
        Ok(Some(self.side.replace(
            record,
            schema,
            Value::Struct(updated),
        )))
    }
}

/// The Java class Kafka's `MaskField` would see for a value.
fn class_name(schema: Option<&Schema>, value: &Value) -> &'static str {
    match schema.and_then(Schema::name) {
        Some(DATE_LOGICAL_NAME | TIME_LOGICAL_NAME | TIMESTAMP_LOGICAL_NAME) => "java.util.Date",
        _ => value.java_class_name(),
    }
}

struct Masker<'a> {
    replacement: Option<&'a str>,
}

impl Masker<'_> {
    fn masked(&self, schema: Option<&Schema>, value: &Value) -> ConnectResult<Value> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        match self.replacement {
            None => mask_with_null_value(schema, value),
            Some(replacement) => mask_with_replacement(schema, value, replacement),
        }
    }
}

fn mask_with_null_value(schema: Option<&Schema>, value: &Value) -> ConnectResult<Value> {
    Ok(match value {
        Value::Boolean(_) => Value::Boolean(false),
        Value::Int8(_) => Value::Int8(0),
        Value::Int16(_) => Value::Int16(0),
        Value::Int32(_) => Value::Int32(0),
        Value::Int64(_) => Value::Int64(0),
        Value::Float32(_) => Value::Float32(0.0),
        Value::Float64(_) => Value::Float64(0.0),
        // Kafka's BigDecimal.ZERO; under a Decimal schema at the schema's scale, so that the
        // record can still be converted (Kafka's scale-0 zero fails conversion there).
        Value::Decimal(_) => {
            let scale = schema
                .and_then(|s| connect_api::data::Decimal::scale_of(s).ok())
                .unwrap_or(0);
            Value::Decimal(BigDecimal::new(0.into(), i64::from(scale)))
        }
        Value::String(_) => Value::String(String::new()),
        Value::Array(_) => Value::Array(Vec::new()),
        Value::Map(_) => Value::Map(Vec::new()),
        other => {
            return Err(ConnectError::data(format!(
                "Cannot mask value of type: class {}",
                class_name(schema, other)
            )));
        }
    })
}

fn mask_with_replacement(
    schema: Option<&Schema>,
    value: &Value,
    replacement: &str,
) -> ConnectResult<Value> {
    let class = class_name(schema, value);
    // Kafka 4.3 converts the replacement with Values.convertToByte/Short/...: the text as
    // a BigDecimal, narrowed as Java's casts do ("1.5" masks an int as 1).
    let not_a_number = || {
        ConnectError::data(format!(
            "Unable to convert {replacement} (class java.lang.String) to a number"
        ))
    };
    let long = || values::string_as_long(replacement).ok_or_else(not_a_number);
    let double = || values::string_as_double(replacement).ok_or_else(not_a_number);
    Ok(match (class, value) {
        ("java.util.Date", _) => return Err(cannot_mask(class)),
        (_, Value::Int8(_)) => Value::Int8(long()? as i8),
        (_, Value::Int16(_)) => Value::Int16(long()? as i16),
        (_, Value::Int32(_)) => Value::Int32(long()? as i32),
        (_, Value::Int64(_)) => Value::Int64(long()?),
        (_, Value::Float32(_)) => Value::Float32(double()? as f32),
        (_, Value::Float64(_)) => Value::Float64(double()?),
        (_, Value::String(_)) => Value::String(replacement.to_string()),
        // `BigDecimal::new`, as it is: its own NumberFormatException message.
        (_, Value::Decimal(_)) => {
            Value::Decimal(values::string_as_big_decimal(replacement).ok_or_else(|| {
                ConnectError::data(format!(
                    "Unable to convert {replacement} (class java.lang.String) to number"
                ))
            })?)
        }
        _ => return Err(cannot_mask(class)),
    })
}

fn cannot_mask(class: &str) -> ConnectError {
    ConnectError::data(format!(
        "Cannot mask value of type class {class} with custom replacement."
    ))
}
