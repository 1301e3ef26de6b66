//! `JsonConverter`: Kafka Connect's JSON converter, byte-compatible with Apache Kafka's.
//!
//! With `schemas.enable=true` (the default) every value is written as an envelope,
//! exactly `{"schema":<schema>,"payload":<value>}`, and reading requires that envelope;
//! with `schemas.enable=false` only the payload is written and reading infers types the
//! way Kafka does (integers are `int64`, other numbers `float64`, objects maps with string
//! keys). A null value without a schema is a tombstone: no bytes at all.
//!
//! The conversion rules are Kafka's `JsonConverter.convertToJson` / `convertToConnect`,
//! including their leniencies (a JSON number where a `string` is expected reads as null,
//! a string where a number is expected reads as 0, as Jackson's accessors answer) and
//! their error messages. Logical types use this SDK's physical values: `Date` and `Time`
//! are `Int32`, `Timestamp` is `Int64`, `Decimal` is [`Value::Decimal`], written as base64
//! of the two's-complement unscaled value (`decimal.format=BASE64`) or as a plain JSON
//! number with `BigDecimal.toString()`'s digits (`NUMERIC`). Numbers are formatted as
//! Java formats them, so the bytes equal Kafka's. Schemas are translated by
//! [`crate::schema_json`]. Kafka's schema caches only save work, so there are none here;
//! `schemas.cache.size` is accepted and kept.

use base64::Engine as _;
use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::BigInt;
use connect_api::config::validators::ValidString;
use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, Width};
use connect_api::data::Decimal;
use connect_api::data::logical::{
    DATE_LOGICAL_NAME, DECIMAL_LOGICAL_NAME, TIME_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME,
};
use connect_api::storage::{Converter, HeaderConverter};
use connect_api::{
    ConnectError, ConnectResult, Headers, Props, Schema, SchemaAndValue, SchemaType, Struct, Value,
};
use serde_json::Value as JValue;

use crate::config::{self, ConverterType};
use crate::java::{self, JavaDecimal, KeyIndex, MILLIS_PER_DAY};
use crate::json_text::{self, JsonNode, is_integral_text, node_type, number_text};
use crate::schema_json;

/// `schemas.enable`.
pub const SCHEMAS_ENABLE_CONFIG: &str = "schemas.enable";
/// `schemas.cache.size`.
pub const SCHEMAS_CACHE_SIZE_CONFIG: &str = "schemas.cache.size";
/// `decimal.format`.
pub const DECIMAL_FORMAT_CONFIG: &str = "decimal.format";
/// `replace.null.with.default`.
pub const REPLACE_NULL_WITH_DEFAULT_CONFIG: &str = "replace.null.with.default";

const SCHEMAS_ENABLE_DOC: &str = "Include schemas within each of the serialized values and keys.";
const SCHEMAS_CACHE_SIZE_DOC: &str =
    "The maximum number of schemas that can be cached in this converter instance.";
const DECIMAL_FORMAT_DOC: &str = "Controls which format this converter will serialize \
    decimals in. This value is case insensitive and can be either 'BASE64' (default) or \
    'NUMERIC'";
const REPLACE_NULL_WITH_DEFAULT_DOC: &str = "Whether to replace fields that have a default \
    value and that are null to the default value. When set to true, the default value is \
    used, otherwise null is used.";

const ENVELOPE_REQUIRED: &str = "JsonConverter with schemas.enable requires \"schema\" and \
    \"payload\" fields and may not contain additional fields. If you are trying to \
    deserialize plain JSON data, set schemas.enable=false in your converter configuration.";
const TIME_HAS_DATE: &str =
    "Kafka Connect Time type should not have any date fields set to non-zero values.";
pub(crate) const TIME_OUT_OF_RANGE: &str =
    "Time values must use number of milliseconds greater than 0 and less than 86400000";

const ENVELOPE_SCHEMA: &str = "schema";
const ENVELOPE_PAYLOAD: &str = "payload";

/// How decimals are written (Kafka's `DecimalFormat`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DecimalFormat {
    /// Base64 of the two's-complement big-endian unscaled value.
    #[default]
    Base64,
    /// A JSON number with the decimal's exact digits.
    Numeric,
}

impl DecimalFormat {
    pub fn name(self) -> &'static str {
        match self {
            DecimalFormat::Base64 => "BASE64",
            DecimalFormat::Numeric => "NUMERIC",
        }
    }
}

/// The parsed configuration of a [`JsonConverter`] (Kafka's `JsonConverterConfig`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonConverterConfig {
    pub converter_type: ConverterType,
    pub schemas_enabled: bool,
    pub schema_cache_size: i32,
    pub decimal_format: DecimalFormat,
    pub replace_null_with_default: bool,
}

impl Default for JsonConverterConfig {
    fn default() -> Self {
        JsonConverterConfig {
            converter_type: ConverterType::Value,
            schemas_enabled: true,
            schema_cache_size: 1000,
            decimal_format: DecimalFormat::Base64,
            replace_null_with_default: true,
        }
    }
}

impl JsonConverterConfig {
    /// Kafka's `JsonConverterConfig.configDef()`, key for key.
    pub fn config_def() -> ConfigDef {
        config::converter_config_def()
            .define(
                ConfigKey::new(SCHEMAS_ENABLE_CONFIG, ConfigType::Boolean)
                    .default_value("true")
                    .importance(Importance::High)
                    .doc(SCHEMAS_ENABLE_DOC)
                    .group("Schemas", 0)
                    .width(Width::Medium)
                    .display_name("Enable Schemas"),
            )
            .define(
                ConfigKey::new(SCHEMAS_CACHE_SIZE_CONFIG, ConfigType::Int)
                    .default_value("1000")
                    .importance(Importance::High)
                    .doc(SCHEMAS_CACHE_SIZE_DOC)
                    .group("Schemas", 1)
                    .width(Width::Medium)
                    .display_name("Schema Cache Size"),
            )
            .define(
                ConfigKey::new(DECIMAL_FORMAT_CONFIG, ConfigType::String)
                    .default_value("BASE64")
                    .validator(ValidString::one_of_ignore_case(["BASE64", "NUMERIC"]))
                    .importance(Importance::Low)
                    .doc(DECIMAL_FORMAT_DOC)
                    .group("Serialization", 0)
                    .width(Width::Medium)
                    .display_name("Decimal Format"),
            )
            .define(
                ConfigKey::new(REPLACE_NULL_WITH_DEFAULT_CONFIG, ConfigType::Boolean)
                    .default_value("true")
                    .importance(Importance::Low)
                    .doc(REPLACE_NULL_WITH_DEFAULT_DOC)
                    .group("Serialization", 1)
                    .width(Width::Medium)
                    .display_name("Replace null with default"),
            )
    }

    /// Parses a configuration that already has `converter.type`.
    pub fn parse(props: &Props) -> ConnectResult<JsonConverterConfig> {
        let (parsed, converter_type) = config::parse(&Self::config_def(), props)?;
        let defaults = JsonConverterConfig::default();
        let decimal_format = match parsed.string(DECIMAL_FORMAT_CONFIG) {
            Some(s) if s.eq_ignore_ascii_case("NUMERIC") => DecimalFormat::Numeric,
            _ => DecimalFormat::Base64,
        };
        Ok(JsonConverterConfig {
            converter_type,
            schemas_enabled: parsed
                .boolean(SCHEMAS_ENABLE_CONFIG)
                .unwrap_or(defaults.schemas_enabled),
            schema_cache_size: parsed
                .int(SCHEMAS_CACHE_SIZE_CONFIG)
                .unwrap_or(defaults.schema_cache_size),
            decimal_format,
            replace_null_with_default: parsed
                .boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                .unwrap_or(defaults.replace_null_with_default),
        })
    }
}

/// Kafka's `org.apache.kafka.connect.json.JsonConverter`, for keys, values and headers.
///
/// Usable without `configure` (Kafka's defaults: schemas enabled, BASE64 decimals).
#[derive(Clone, Debug, Default)]
pub struct JsonConverter {
    config: JsonConverterConfig,
    /// The last schema written in an envelope and its JSON text (Kafka's
    /// `fromConnectSchemaCache`, of size one: a task's records mostly share a schema).
    envelope_schema: EnvelopeSchemaCache,
}

#[derive(Debug, Default)]
struct EnvelopeSchemaCache(std::sync::Mutex<Option<(Schema, std::sync::Arc<[u8]>)>>);

impl Clone for EnvelopeSchemaCache {
    fn clone(&self) -> Self {
        EnvelopeSchemaCache::default()
    }
}

/// Standard base64 with padding, as Jackson writes it.
const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

impl JsonConverter {
    /// A converter with Kafka's defaults.
    pub fn new() -> Self {
        JsonConverter::default()
    }

    /// A converter with the given configuration.
    pub fn with_config(config: JsonConverterConfig) -> Self {
        JsonConverter {
            config,
            envelope_schema: EnvelopeSchemaCache::default(),
        }
    }

    pub fn config(&self) -> &JsonConverterConfig {
        &self.config
    }

    /// `fromConnectData`: the bytes Kafka writes, `None` for a tombstone.
    pub fn serialize(
        &self,
        schema: Option<&Schema>,
        value: &Value,
    ) -> ConnectResult<Option<Vec<u8>>> {
        if schema.is_none() && value.is_null() {
            return Ok(None);
        }
        if !self.config.schemas_enabled {
            let mut out = Vec::with_capacity(estimated_json_len(value, 3));
            self.write_json(schema, value, &mut out)?;
            return Ok(Some(out));
        }
        // {"schema":<schema>,"payload":<payload>}, as the envelope tree would be written.
        let schema_text = match schema {
            Some(schema) => self.envelope_schema_text(schema)?,
            None => std::sync::Arc::from(&b"null"[..]),
        };
        let mut out = Vec::with_capacity(schema_text.len() + 24 + estimated_json_len(value, 3));
        out.extend_from_slice(b"{\"");
        out.extend_from_slice(ENVELOPE_SCHEMA.as_bytes());
        out.extend_from_slice(b"\":");
        out.extend_from_slice(&schema_text);
        out.extend_from_slice(b",\"");
        out.extend_from_slice(ENVELOPE_PAYLOAD.as_bytes());
        out.extend_from_slice(b"\":");
        self.write_json(schema, value, &mut out)?;
        out.push(b'}');
        Ok(Some(out))
    }

    /// Writes what [`JsonConverter::convert_to_json`] makes of a value, as
    /// [`JsonNode::to_bytes`] would write it, without building the tree for the common
    /// types (primitives, strings, arrays, structs): the source loop's hot path. Logical
    /// types and maps (whose repeated keys replace earlier members) go through the tree.
    fn write_json(
        &self,
        schema: Option<&Schema>,
        value: &Value,
        out: &mut Vec<u8>,
    ) -> ConnectResult<()> {
        use std::io::Write as _;
        let tree = |out: &mut Vec<u8>| -> ConnectResult<()> {
            json_text::write_node(&self.convert_to_json(schema, value)?, out);
            Ok(())
        };
        let logical = |s: &Schema| {
            matches!(
                s.name(),
                Some(
                    DECIMAL_LOGICAL_NAME
                        | DATE_LOGICAL_NAME
                        | TIME_LOGICAL_NAME
                        | TIMESTAMP_LOGICAL_NAME
                )
            )
        };
        if value.is_null() || schema.is_some_and(logical) {
            return tree(out);
        }
        let schema_type = match schema {
            Some(schema) => schema.schema_type(),
            None => match value.inferred_type() {
                Some(t) if !matches!(value, Value::Decimal(_)) => t,
                _ => return tree(out),
            },
        };
        // Writing into a Vec cannot fail.
        match (schema_type, value) {
            (SchemaType::Int8, Value::Int8(v)) => {
                let _ = write!(out, "{v}");
            }
            (SchemaType::Int16, Value::Int16(v)) => {
                let _ = write!(out, "{v}");
            }
            (SchemaType::Int32, Value::Int32(v)) => {
                let _ = write!(out, "{v}");
            }
            (SchemaType::Int64, Value::Int64(v)) => {
                let _ = write!(out, "{v}");
            }
            (SchemaType::Boolean, Value::Boolean(v)) => {
                out.extend_from_slice(if *v { b"true" } else { b"false" });
            }
            (SchemaType::String, Value::String(v)) => json_text::write_string(v, out),
            (SchemaType::Array, Value::Array(items)) => {
                let item_schema = schema.and_then(|s| s.value_schema().ok());
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    self.write_json(item_schema, item, out)?;
                }
                out.push(b']');
            }
            (SchemaType::Struct, Value::Struct(s)) if schema.is_some_and(|sc| s.schema() == sc) => {
                out.push(b'{');
                for (i, (field, raw)) in s.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    json_text::write_string(field.name(), out);
                    out.push(b':');
                    self.write_json(Some(field.schema()), raw, out)?;
                }
                out.push(b'}');
            }
            _ => return tree(out),
        }
        Ok(())
    }

    /// The JSON text of `schema`, from the one-entry cache when it is the last one seen.
    fn envelope_schema_text(&self, schema: &Schema) -> ConnectResult<std::sync::Arc<[u8]>> {
        let mut cache = self
            .envelope_schema
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((cached, text)) = cache.as_ref()
            && cached == schema
        {
            return Ok(std::sync::Arc::clone(text));
        }
        let text: std::sync::Arc<[u8]> = self.as_json_schema(schema)?.to_bytes().into();
        *cache = Some((schema.clone(), std::sync::Arc::clone(&text)));
        Ok(text)
    }

    /// `toConnectData`: `None` (a tombstone) is [`SchemaAndValue::null`].
    pub fn deserialize(&self, data: Option<&[u8]>) -> ConnectResult<SchemaAndValue> {
        let Some(data) = data else {
            return Ok(SchemaAndValue::null());
        };
        let tree = json_text::read_tree(data).map_err(|e| {
            ConnectError::data_with(
                "Converting byte[] to Kafka Connect data failed due to serialization error: ",
                e,
            )
        })?;
        if self.config.schemas_enabled {
            let envelope = match &tree {
                Some(JValue::Object(members))
                    if members.len() == 2
                        && members.contains_key(ENVELOPE_SCHEMA)
                        && members.contains_key(ENVELOPE_PAYLOAD) =>
                {
                    members
                }
                _ => {
                    return Err(ConnectError::data(ENVELOPE_REQUIRED));
                }
            };
            let schema = match envelope.get(ENVELOPE_SCHEMA) {
                Some(schema_json) => self.as_connect_schema(schema_json)?,
                None => None,
            };
            let value = self.to_connect(schema.as_ref(), envelope.get(ENVELOPE_PAYLOAD))?;
            Ok(SchemaAndValue::new(schema, value))
        } else {
            let value = self.to_connect(None, tree.as_ref())?;
            Ok(SchemaAndValue::new(None, value))
        }
    }

    /// `asJsonSchema`: a Connect schema as Kafka's JSON schema object.
    pub fn as_json_schema(&self, schema: &Schema) -> ConnectResult<JsonNode> {
        schema_json::as_json_schema(self, schema)
    }

    /// `asConnectSchema`: a JSON schema as a Connect schema (`None` for JSON `null`).
    pub fn as_connect_schema(&self, json: &JValue) -> ConnectResult<Option<Schema>> {
        schema_json::as_connect_schema(self, json)
    }

    /// `convertToConnect`: a payload as a Connect value under `schema`.
    pub fn convert_to_connect(
        &self,
        schema: Option<&Schema>,
        json: &JValue,
    ) -> ConnectResult<Value> {
        self.to_connect(schema, Some(json))
    }

    /// `convertToJson`: a Connect value as a JSON tree (numbers hold Java's text).
    pub fn convert_to_json(
        &self,
        schema: Option<&Schema>,
        value: &Value,
    ) -> ConnectResult<JsonNode> {
        if value.is_null() {
            let Some(schema) = schema else {
                return Ok(JsonNode::Null);
            };
            if let Some(default) = schema.default_value()
                && self.config.replace_null_with_default
            {
                return self.convert_to_json(Some(schema), default);
            }
            if schema.is_optional() {
                return Ok(JsonNode::Null);
            }
            return Err(ConnectError::data(
                "Conversion error: null value for field that is required and has no default value",
            ));
        }
        if let Some(schema) = schema
            && let Some(json) = self.logical_to_json(schema, value)?
        {
            return Ok(json);
        }
        let schema_type = match schema {
            Some(schema) => schema.schema_type(),
            None => match value {
                Value::Decimal(_) => {
                    return Err(ConnectError::data(format!(
                        "Java class {} does not have corresponding schema type.",
                        java::class_of(value)
                    )));
                }
                other => other.inferred_type().unwrap_or(SchemaType::String),
            },
        };
        let mismatch = || {
            let expected = match schema {
                Some(schema) => schema.schema_type().to_string(),
                None => "unknown schema".to_string(),
            };
            ConnectError::data(format!(
                "Invalid type for {expected}: {}",
                java::class_of(value)
            ))
        };
        Ok(match (schema_type, value) {
            (SchemaType::Int8, Value::Int8(v)) => JsonNode::number(v.to_string()),
            (SchemaType::Int16, Value::Int16(v)) => JsonNode::number(v.to_string()),
            (SchemaType::Int32, Value::Int32(v)) => JsonNode::number(v.to_string()),
            (SchemaType::Int64, Value::Int64(v)) => JsonNode::number(v.to_string()),
            (SchemaType::Float32, Value::Float32(v)) => JsonNode::number(java::float_to_string(*v)),
            (SchemaType::Float64, Value::Float64(v)) => {
                JsonNode::number(java::double_to_string(*v))
            }
            (SchemaType::Boolean, Value::Boolean(v)) => JsonNode::Bool(*v),
            (SchemaType::String, Value::String(v)) => JsonNode::String(v.clone()),
            (SchemaType::Bytes, Value::Bytes(v)) => JsonNode::String(BASE64.encode(v)),
            (SchemaType::Bytes, other) => {
                return Err(ConnectError::data(format!(
                    "Invalid type for bytes type: {}",
                    java::class_of(other)
                )));
            }
            (SchemaType::Array, Value::Array(items)) => {
                let item_schema = schema.and_then(|s| s.value_schema().ok());
                let mut list = Vec::with_capacity(items.len());
                for item in items {
                    list.push(self.convert_to_json(item_schema, item)?);
                }
                JsonNode::Array(list)
            }
            (SchemaType::Map, Value::Map(entries)) => self.map_to_json(schema, entries)?,
            (SchemaType::Struct, value) => {
                // Kafka casts to Struct first (a ClassCastException is "Invalid type"),
                // then compares the struct's schema with the one given.
                let Value::Struct(s) = value else {
                    return Err(mismatch());
                };
                let Some(schema) = schema else {
                    return Err(ConnectError::data("Mismatching schema."));
                };
                if s.schema() != schema {
                    return Err(ConnectError::data("Mismatching schema."));
                }
                // Field names are unique, so members are pushed without a lookup.
                let mut members = Vec::new();
                for (field, raw) in s.iter() {
                    members.push((
                        field.name().to_string(),
                        self.convert_to_json(Some(field.schema()), raw)?,
                    ));
                }
                JsonNode::Object(members)
            }
            _ => return Err(mismatch()),
        })
    }

    fn map_to_json(
        &self,
        schema: Option<&Schema>,
        entries: &[(Value, Value)],
    ) -> ConnectResult<JsonNode> {
        let key_schema = schema.and_then(|s| s.key_schema().ok());
        let value_schema = schema.and_then(|s| s.value_schema().ok());
        let object_mode = match schema {
            Some(_) => key_schema.is_some_and(|k| k.schema_type() == SchemaType::String),
            None => entries.iter().all(|(k, _)| matches!(k, Value::String(_))),
        };
        if object_mode {
            // ObjectNode.set: a repeated key text replaces the earlier member in place.
            let mut members: Vec<(String, JsonNode)> = Vec::with_capacity(entries.len());
            let mut index = KeyIndex::default();
            for (k, v) in entries {
                let key = as_text(&self.convert_to_json(key_schema, k)?);
                let value = self.convert_to_json(value_schema, v)?;
                match index.slot(key.clone(), members.len()) {
                    Some(slot) => members[slot].1 = value,
                    None => members.push((key, value)),
                }
            }
            Ok(JsonNode::Object(members))
        } else {
            let mut list = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                list.push(JsonNode::Array(vec![
                    self.convert_to_json(key_schema, k)?,
                    self.convert_to_json(value_schema, v)?,
                ]));
            }
            Ok(JsonNode::Array(list))
        }
    }

    /// The logical-type half of `convertToJson`; `None` when `schema` is not logical.
    fn logical_to_json(&self, schema: &Schema, value: &Value) -> ConnectResult<Option<JsonNode>> {
        let Some(name) = schema.name() else {
            return Ok(None);
        };
        let wrong = |logical: &str, expected: &str| {
            ConnectError::data(format!(
                "Invalid type for {logical}, expected {expected} but was {}",
                java::class_of(value)
            ))
        };
        Ok(Some(match name {
            DECIMAL_LOGICAL_NAME => {
                let Value::Decimal(decimal) = value else {
                    return Err(wrong("Decimal", "BigDecimal"));
                };
                match self.config.decimal_format {
                    DecimalFormat::Numeric => {
                        JsonNode::number(java::big_decimal_to_string(decimal))
                    }
                    DecimalFormat::Base64 => {
                        JsonNode::String(BASE64.encode(Decimal::from_logical(schema, decimal)?))
                    }
                }
            }
            DATE_LOGICAL_NAME => match value {
                Value::Int32(days) => JsonNode::number(days.to_string()),
                _ => return Err(wrong("Date", "Date")),
            },
            TIME_LOGICAL_NAME => match value {
                Value::Int32(ms) if i64::from(*ms) >= 0 && i64::from(*ms) <= MILLIS_PER_DAY => {
                    JsonNode::number(ms.to_string())
                }
                Value::Int32(_) => {
                    return Err(ConnectError::data(TIME_HAS_DATE));
                }
                _ => return Err(wrong("Time", "Date")),
            },
            TIMESTAMP_LOGICAL_NAME => match value {
                Value::Int64(ms) => JsonNode::number(ms.to_string()),
                _ => return Err(wrong("Timestamp", "Date")),
            },
            _ => return Ok(None),
        }))
    }

    /// `convertToConnect`; `json` is `None` where Jackson has no node (a missing field).
    pub(crate) fn to_connect(
        &self,
        schema: Option<&Schema>,
        json: Option<&JValue>,
    ) -> ConnectResult<Value> {
        let Some(schema) = schema else {
            return schemaless_to_connect(json);
        };
        let json = match json {
            None | Some(JValue::Null) => {
                if let Some(default) = schema.default_value()
                    && self.config.replace_null_with_default
                {
                    return Ok(default.clone());
                }
                if schema.is_optional() {
                    return Ok(Value::Null);
                }
                return Err(ConnectError::data(format!(
                    "Invalid null value for required {} field",
                    schema.schema_type()
                )));
            }
            Some(json) => json,
        };
        if let Some(value) = logical_to_connect(schema, json)? {
            return Ok(value);
        }
        Ok(match schema.schema_type() {
            SchemaType::Boolean => Value::Boolean(json.as_bool().unwrap_or(false)),
            SchemaType::Int8 => Value::Int8(long_value(json) as i8),
            SchemaType::Int16 => Value::Int16(long_value(json) as i16),
            SchemaType::Int32 => Value::Int32(long_value(json) as i32),
            SchemaType::Int64 => Value::Int64(long_value(json)),
            SchemaType::Float32 => Value::Float32(decimal_of(json).map_or(0.0, |d| d.to_f32())),
            SchemaType::Float64 => Value::Float64(decimal_of(json).map_or(0.0, |d| d.to_f64())),
            SchemaType::String => match json {
                JValue::String(s) => Value::String(s.clone()),
                _ => Value::Null,
            },
            SchemaType::Bytes => match json {
                JValue::String(s) => Value::Bytes(
                    json_text::decode_base64(s)
                        .map_err(|e| ConnectError::data_with("Invalid bytes field", e))?,
                ),
                _ => Value::Null,
            },
            SchemaType::Array => {
                let item_schema = schema.value_schema().ok();
                let items: Vec<&JValue> = match json {
                    JValue::Array(items) => items.iter().collect(),
                    JValue::Object(members) => members.values().collect(),
                    _ => Vec::new(),
                };
                let mut list = Vec::with_capacity(items.len());
                for item in items {
                    list.push(self.to_connect(item_schema, Some(item))?);
                }
                Value::Array(list)
            }
            SchemaType::Map => {
                let key_schema = schema.key_schema().ok();
                let value_schema = schema.value_schema().ok();
                if key_schema.is_none_or(|k| k.schema_type() == SchemaType::String) {
                    let JValue::Object(members) = json else {
                        return Err(ConnectError::data(format!(
                            "Maps with string fields should be encoded as JSON objects, \
                             but found {}",
                            node_type(Some(json))
                        )));
                    };
                    let mut entries = Vec::with_capacity(members.len());
                    for (k, v) in members {
                        entries.push((
                            Value::String(k.clone()),
                            self.to_connect(value_schema, Some(v))?,
                        ));
                    }
                    Value::Map(entries)
                } else {
                    let JValue::Array(items) = json else {
                        return Err(ConnectError::data(format!(
                            "Maps with non-string fields should be encoded as JSON array of \
                             tuples, but found {}",
                            node_type(Some(json))
                        )));
                    };
                    let mut entries: Vec<(Value, Value)> = Vec::with_capacity(items.len());
                    let mut index = KeyIndex::default();
                    for entry in items {
                        let JValue::Array(pair) = entry else {
                            return Err(ConnectError::data(format!(
                                "Found invalid map entry instead of array tuple: {}",
                                node_type(Some(entry))
                            )));
                        };
                        if pair.len() != 2 {
                            return Err(ConnectError::data(format!(
                                "Found invalid map entry, expected length 2 but found :{}",
                                pair.len()
                            )));
                        }
                        let key = self.to_connect(key_schema, pair.first())?;
                        let value = self.to_connect(value_schema, pair.get(1))?;
                        // HashMap.put: a repeated key replaces the earlier value.
                        match index.value_slot(&key, entries.len()) {
                            Some(slot) => entries[slot].1 = value,
                            None => entries.push((key, value)),
                        }
                    }
                    Value::Map(entries)
                }
            }
            SchemaType::Struct => {
                let JValue::Object(members) = json else {
                    return Err(ConnectError::data(format!(
                        "Structs should be encoded as JSON objects, but found {}",
                        node_type(Some(json))
                    )));
                };
                let mut result = Struct::new(schema.clone())?;
                for field in schema.fields()? {
                    let value = self.to_connect(Some(field.schema()), members.get(field.name()))?;
                    result.put(field.name(), value)?;
                }
                Value::Struct(result)
            }
        })
    }
}

/// Jackson's `JsonNode.asText()` of a converted map key.
fn as_text(node: &JsonNode) -> String {
    match node {
        JsonNode::String(s) | JsonNode::Number(s) => s.clone(),
        JsonNode::Null => "null".to_string(),
        JsonNode::Bool(b) => b.to_string(),
        JsonNode::Array(_) | JsonNode::Object(_) => String::new(),
    }
}

fn decimal_of(json: &JValue) -> Option<JavaDecimal> {
    number_text(json).and_then(|text| JavaDecimal::parse(&text))
}

/// Jackson's `longValue()`: numbers narrowed as Java does, anything else 0.
fn long_value(json: &JValue) -> i64 {
    decimal_of(json).map_or(0, |d| d.wrapping_long())
}

fn schemaless_to_connect(json: Option<&JValue>) -> ConnectResult<Value> {
    Ok(match json {
        None | Some(JValue::Null) => Value::Null,
        Some(JValue::Bool(b)) => Value::Boolean(*b),
        Some(number @ JValue::Number(_)) => {
            let text = number_text(number).unwrap_or_default();
            if is_integral_text(&text) {
                Value::Int64(long_value(number))
            } else {
                Value::Float64(decimal_of(number).map_or(0.0, |d| d.to_f64()))
            }
        }
        Some(JValue::String(s)) => Value::String(s.clone()),
        Some(JValue::Array(items)) => Value::Array(
            items
                .iter()
                .map(|item| schemaless_to_connect(Some(item)))
                .collect::<ConnectResult<_>>()?,
        ),
        Some(JValue::Object(members)) => Value::Map(
            members
                .iter()
                .map(|(k, v)| Ok((Value::String(k.clone()), schemaless_to_connect(Some(v))?)))
                .collect::<ConnectResult<_>>()?,
        ),
    })
}

/// The logical-type half of `convertToConnect`; `None` when `schema` is not logical.
fn logical_to_connect(schema: &Schema, json: &JValue) -> ConnectResult<Option<Value>> {
    let Some(name) = schema.name() else {
        return Ok(None);
    };
    let int_value = || -> Option<i32> {
        let text = number_text(json)?;
        if !is_integral_text(&text) {
            return None;
        }
        text.parse::<i32>().ok()
    };
    Ok(Some(match name {
        DECIMAL_LOGICAL_NAME => match json {
            JValue::Number(_) => match decimal_of(json) {
                Some(decimal) => Value::Decimal(decimal.to_big_decimal()),
                None => Value::Null,
            },
            JValue::String(text) => {
                let bytes = json_text::decode_base64(text)
                    .map_err(|e| ConnectError::data_with("Invalid bytes for Decimal field", e))?;
                if bytes.is_empty() {
                    return Err(ConnectError::data_with(
                        "Invalid bytes for Decimal field",
                        ConnectError::other("Zero length BigInteger"),
                    ));
                }
                let scale = Decimal::scale_of(schema)
                    .map_err(|e| ConnectError::data_with("Invalid bytes for Decimal field", e))?;
                Value::Decimal(BigDecimal::new(
                    BigInt::from_signed_bytes_be(&bytes),
                    i64::from(scale),
                ))
            }
            other => {
                return Err(ConnectError::data(format!(
                    "Invalid type for Decimal, underlying representation should be numeric or \
                     bytes but was {}",
                    node_type(Some(other))
                )));
            }
        },
        DATE_LOGICAL_NAME => match int_value() {
            Some(days) => Value::Int32(days),
            None => {
                return Err(ConnectError::data(format!(
                    "Invalid type for Date, underlying representation should be integer but was {}",
                    node_type(Some(json))
                )));
            }
        },
        TIME_LOGICAL_NAME => match int_value() {
            Some(ms) if ms < 0 || i64::from(ms) > MILLIS_PER_DAY => {
                return Err(ConnectError::data(TIME_OUT_OF_RANGE));
            }
            Some(ms) => Value::Int32(ms),
            None => {
                return Err(ConnectError::data(format!(
                    "Invalid type for Time, underlying representation should be integer but was {}",
                    node_type(Some(json))
                )));
            }
        },
        TIMESTAMP_LOGICAL_NAME => match number_text(json) {
            Some(text) if is_integral_text(&text) => Value::Int64(long_value(json)),
            _ => {
                return Err(ConnectError::data(format!(
                    "Invalid type for Timestamp, underlying representation should be integral \
                     but was {}",
                    node_type(Some(json))
                )));
            }
        },
        _ => return Ok(None),
    }))
}

impl Converter for JsonConverter {
    fn config_def(&self) -> ConfigDef {
        JsonConverterConfig::config_def()
    }

    fn configure(&mut self, props: &Props, is_key: bool) -> ConnectResult<()> {
        self.config = JsonConverterConfig::parse(&config::data_props(props, is_key))?;
        self.envelope_schema = EnvelopeSchemaCache::default();
        Ok(())
    }

    fn from_connect_data(
        &self,
        _topic: &str,
        _headers: &Headers,
        schema: Option<&Schema>,
        value: &Value,
    ) -> ConnectResult<Option<Vec<u8>>> {
        self.serialize(schema, value)
    }

    fn to_connect_data(
        &self,
        _topic: &str,
        _headers: &Headers,
        data: Option<&[u8]>,
    ) -> ConnectResult<SchemaAndValue> {
        self.deserialize(data)
    }
}

/// About how many bytes `value` takes as JSON (at least, for clean strings), looking at
/// most `depth` levels down: the output buffer is sized once instead of doubling (and
/// copying) its way up to a large string.
fn estimated_json_len(value: &Value, depth: u8) -> usize {
    const SCALAR: usize = 16;
    match value {
        Value::String(text) => text.len() + 2,
        Value::Bytes(bytes) => bytes.len().div_ceil(3) * 4 + 2,
        Value::Array(items) if depth > 0 => {
            2 + items
                .iter()
                .map(|item| estimated_json_len(item, depth - 1) + 1)
                .sum::<usize>()
        }
        Value::Map(entries) if depth > 0 => {
            2 + entries
                .iter()
                .map(|(key, value)| {
                    estimated_json_len(key, depth - 1) + estimated_json_len(value, depth - 1) + 2
                })
                .sum::<usize>()
        }
        Value::Struct(record) if depth > 0 => match record.schema().fields() {
            Ok(fields) => {
                2 + fields
                    .iter()
                    .map(|field| {
                        field.name().len()
                            + 4
                            + estimated_json_len(record.get_by_field(field), depth - 1)
                    })
                    .sum::<usize>()
            }
            Err(_) => SCALAR,
        },
        _ => SCALAR,
    }
}

impl HeaderConverter for JsonConverter {
    fn config_def(&self) -> ConfigDef {
        JsonConverterConfig::config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        self.config = JsonConverterConfig::parse(&config::header_props(props))?;
        self.envelope_schema = EnvelopeSchemaCache::default();
        Ok(())
    }

    fn from_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> ConnectResult<Option<Vec<u8>>> {
        self.serialize(schema, value)
    }

    fn to_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        data: Option<&[u8]>,
    ) -> ConnectResult<SchemaAndValue> {
        self.deserialize(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::data::{Decimal, Timestamp};
    use connect_api::{SchemaBuilder, Struct};

    /// The streaming writer of `serialize` writes exactly what the tree would.
    #[test]
    fn streaming_writes_the_bytes_of_the_tree() -> ConnectResult<()> {
        let inner = SchemaBuilder::struct_()
            .field("when", Timestamp::schema())?
            .field("amount", Decimal::builder(2).optional().build())?
            .field("ratio", Schema::float64())?
            .build();
        let schema = SchemaBuilder::struct_()
            .name("com.example.Record")
            .field("id", Schema::int64())?
            .field("text", Schema::string())?
            .field(
                "note",
                SchemaBuilder::string()
                    .optional()
                    .default_value(Value::from("n/a"))?
                    .build(),
            )?
            .field("flags", SchemaBuilder::array(Schema::boolean()).build())?
            .field(
                "tags",
                SchemaBuilder::map(Schema::string(), Schema::int32()).build(),
            )?
            .field("inner", SchemaBuilder::array(inner.clone()).build())?
            .field("raw", Schema::bytes())?
            .build();
        let mut item = Struct::new(inner.clone())?;
        item.put("when", Value::Int64(1_700_000_000_123))?;
        item.put("ratio", Value::Float64(1e10))?;
        let mut value = Struct::new(schema.clone())?;
        value.put("id", Value::Int64(-42))?;
        value.put("text", Value::from("a\"b\\c\u{1}\n\u{7f}é/"))?;
        value.put("flags", Value::Array(vec![true.into(), false.into()]))?;
        value.put(
            "tags",
            Value::Map(vec![
                (Value::from("x"), Value::Int32(1)),
                (Value::from("x"), Value::Int32(2)),
            ]),
        )?;
        value.put("inner", Value::Array(vec![Value::Struct(item)]))?;
        value.put("raw", Value::Bytes(vec![0, 1, 2, 255]))?;
        let value = Value::Struct(value);
        let schemaless = Value::Array(vec![
            Value::from("s"),
            Value::Int16(3),
            Value::Float32(0.5),
            Value::Null,
        ]);
        for replace in ["true", "false"] {
            let mut converter = JsonConverter::new();
            let mut props = Props::new();
            props.insert("replace.null.with.default".into(), replace.into());
            Converter::configure(&mut converter, &props, false)?;
            for (schema, value) in [(Some(&schema), &value), (None, &schemaless)] {
                let mut streamed = Vec::new();
                converter.write_json(schema, value, &mut streamed)?;
                let tree = converter.convert_to_json(schema, value)?.to_bytes();
                assert_eq!(
                    String::from_utf8_lossy(&streamed),
                    String::from_utf8_lossy(&tree)
                );
            }
        }
        Ok(())
    }
}
