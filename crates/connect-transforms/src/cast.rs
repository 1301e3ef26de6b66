//! `Cast$Key` / `Cast$Value`: casts fields, or the whole key or value, to another
//! primitive type.
//!
//! Kafka's rules, which this follows exactly:
//! - the spec is `field:type,...`, or a single `type` for the whole value (then nothing
//!   else may be in the spec); the output types are the primitives except bytes;
//! - inputs may be any primitive or bytes. A logical type is cast from its physical
//!   representation: a `Date` to int32 is its day count, a `Timestamp` to int64 its epoch
//!   milliseconds, a `Decimal` to an integer its integral part truncated to the target
//!   width like Java's `Number.intValue()` (so 2147483648 becomes -2147483648);
//! - casting to string prints the Java way: numbers as `Number.toString()`, decimals as
//!   `BigDecimal.toString()`, bytes as base64, and temporal logical values as ISO-8601 in
//!   UTC (`HH:mm:ss.SSS'Z'` below one day, `yyyy-MM-dd` on whole days, else a timestamp);
//! - schema defaults are cast too, and optionality is kept; the cast schema is cached
//!   per input schema;
//! - schemaless, a configured field that is absent is put as null.

use std::marker::PhantomData;
use std::str::FromStr;

use bigdecimal::num_bigint::Sign;
use bigdecimal::{BigDecimal, RoundingMode, ToPrimitive};
use connect_api::config::validators::FnValidator;
use connect_api::config::{
    ConfigDef, ConfigError, ConfigKey, ConfigType, ConfigValueT, Importance,
};
use connect_api::transforms::Transformation;
use connect_api::{
    ConnectError, ConnectRecord, ConnectResult, Props, Schema, SchemaBuilder, SchemaType, Struct,
    Value,
};

use crate::util::{
    REPLACE_NULL_WITH_DEFAULT_CONFIG, SchemaCache, Side, copy_schema_basics, field_value,
    java_class, java_list, java_split, map_get, map_put, not_configured, parse_config,
    replace_null_with_default_key, require_map, require_struct,
};

pub const OVERVIEW_DOC: &str = "Cast fields or the entire key or value to a specific type, e.g. to force an integer field to a smaller width. Cast from integers, floats, boolean and string to any other type, and cast binary to string (base64 encoded).<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.Cast$Key</code>) or value (<code>org.apache.kafka.connect.transforms.Cast$Value</code>).";

pub const SPEC_CONFIG: &str = "spec";
const PURPOSE: &str = "cast types";
const RENAME_CONFIG: &str = "renames";

const INPUT_TYPES: [SchemaType; 9] = [
    SchemaType::Int8,
    SchemaType::Int16,
    SchemaType::Int32,
    SchemaType::Int64,
    SchemaType::Float32,
    SchemaType::Float64,
    SchemaType::Boolean,
    SchemaType::String,
    SchemaType::Bytes,
];
const OUTPUT_TYPES: [SchemaType; 8] = [
    SchemaType::Int8,
    SchemaType::Int16,
    SchemaType::Int32,
    SchemaType::Int64,
    SchemaType::Float32,
    SchemaType::Float64,
    SchemaType::Boolean,
    SchemaType::String,
];

pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(SPEC_CONFIG, ConfigType::List)
                .validator(FnValidator::new(
                    |_name: &str, value: &ConfigValueT| match value {
                        ConfigValueT::List(items) if !items.is_empty() => {
                            parse_field_types(items).map(|_| ())
                        }
                        _ => Err(ConfigError::Other(
                            "Must specify at least one field to cast.".to_string(),
                        )),
                    },
                    Some("list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>".to_string()),
                ))
                .importance(Importance::High)
                .doc("List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string."),
        )
        .define(replace_null_with_default_key())
}

/// What a spec asks for.
#[derive(Clone, Debug, PartialEq)]
enum Casts {
    WholeValue(SchemaType),
    Fields(Vec<(String, SchemaType)>),
}

impl Casts {
    fn field(&self, name: &str) -> Option<SchemaType> {
        match self {
            Casts::WholeValue(_) => None,
            Casts::Fields(fields) => fields.iter().find(|(f, _)| f == name).map(|(_, t)| *t),
        }
    }
}

fn type_list(types: &[SchemaType]) -> String {
    let names: Vec<String> = types.iter().map(ToString::to_string).collect();
    format!("[{}]", names.join(", "))
}

fn valid_output_type(t: SchemaType) -> Result<SchemaType, ConfigError> {
    if OUTPUT_TYPES.contains(&t) {
        Ok(t)
    } else {
        Err(ConfigError::Other(format!(
            "Cast transformation does not support casting to {t}; supported types are {}",
            type_list(&OUTPUT_TYPES)
        )))
    }
}

fn valid_input_type(t: SchemaType) -> ConnectResult<()> {
    if INPUT_TYPES.contains(&t) {
        Ok(())
    } else {
        Err(ConnectError::data(format!(
            "Cast transformation does not support casting from {t}; supported types are {}",
            type_list(&INPUT_TYPES)
        )))
    }
}

/// Kafka's error for a type name that is not a `Schema.Type`: it passes the
/// `IllegalArgumentException` of `Schema.Type.valueOf` as the *value* of a `ConfigException`
/// and its own message as the *name*, so that is what the message says.
fn unknown_type(name: &str) -> ConfigError {
    ConfigError::Other(format!(
        "Invalid value java.lang.IllegalArgumentException: No enum constant \
         org.apache.kafka.connect.data.Schema.Type.{} for configuration Invalid type found in \
         casting spec: {name}",
        name.to_uppercase()
    ))
}

/// Kafka's `Cast.parseFieldTypes`, with its messages (the rename message included).
fn parse_field_types(mappings: &[String]) -> Result<Casts, ConfigError> {
    let mut whole: Option<SchemaType> = None;
    let mut fields: Vec<(String, SchemaType)> = Vec::new();
    for mapping in mappings {
        let parts = java_split(mapping, ':');
        if parts.len() > 2 {
            return Err(ConfigError::invalid(
                RENAME_CONFIG,
                java_list(mappings),
                format!("Invalid rename mapping: {mapping}"),
            ));
        }
        if parts.len() <= 1 {
            let name = parts.first().map_or("", |p| p.trim());
            let target = SchemaType::from_name(name).ok_or_else(|| unknown_type(name))?;
            whole = Some(valid_output_type(target)?);
        } else {
            let type_name = parts[1].trim();
            let target = SchemaType::from_name(type_name).ok_or_else(|| unknown_type(type_name))?;
            let target = valid_output_type(target)?;
            let field = parts[0].trim().to_string();
            match fields.iter_mut().find(|(f, _)| *f == field) {
                Some(existing) => existing.1 = target,
                None => fields.push((field, target)),
            }
        }
    }
    match whole {
        Some(_) if mappings.len() > 1 => Err(ConfigError::Other(
            "Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec".to_string(),
        )),
        Some(t) => Ok(Casts::WholeValue(t)),
        None => Ok(Casts::Fields(fields)),
    }
}

#[derive(Debug)]
struct CastConfig {
    casts: Casts,
    replace_null_with_default: bool,
}

/// Kafka's `Cast` (see the module documentation).
pub struct Cast<R> {
    side: Side,
    config: Option<CastConfig>,
    cache: SchemaCache,
    _record: PhantomData<fn() -> R>,
}

impl<R> Cast<R> {
    pub fn new(side: Side) -> Self {
        Cast {
            side,
            config: None,
            cache: SchemaCache::new(),
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

impl<R: ConnectRecord> Transformation<R> for Cast<R> {
    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        let parsed = parse_config(&config_def(), props)?;
        let spec = parsed.list(SPEC_CONFIG).unwrap_or_default();
        let casts = parse_field_types(spec).map_err(ConnectError::Config)?;
        self.config = Some(CastConfig {
            casts,
            replace_null_with_default: parsed
                .boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                .unwrap_or(true),
        });
        self.cache.clear();
        Ok(())
    }

    fn apply(&self, record: R) -> ConnectResult<Option<R>> {
        let config = self.config.as_ref().ok_or_else(|| not_configured("Cast"))?;
        let value = self.side.value(&record);
        if value.is_null() {
            return Ok(Some(record));
        }
        let Some(schema) = self.side.schema(&record) else {
            return self.apply_schemaless(config, record).map(Some);
        };
        let updated_schema = self
            .cache
            .get_or_build(schema, || build_schema(&config.casts, schema))?;
        let updated_value = match &config.casts {
            Casts::WholeValue(target) => cast_value(Some(schema), value, *target)?,
            Casts::Fields(_) => {
                let original = require_struct(value, Some(schema), PURPOSE)?;
                let mut updated = Struct::new(updated_schema.clone())?;
                for field in original.schema().fields()? {
                    let field_value =
                        field_value(original, field, config.replace_null_with_default)?;
                    let new_value = match config.casts.field(field.name()) {
                        Some(target) => cast_value(Some(field.schema()), field_value, target)?,
                        None => field_value.clone(),
                    };
                    updated.put(field.name(), new_value)?;
                }
                Value::Struct(updated)
            }
        };
        Ok(Some(self.side.replace(
            record,
            Some(updated_schema),
            updated_value,
        )))
    }
}

impl<R: ConnectRecord> Cast<R> {
    fn apply_schemaless(&self, config: &CastConfig, record: R) -> ConnectResult<R> {
        let value = self.side.value(&record);
        match &config.casts {
            Casts::WholeValue(target) => {
                let cast = cast_value(None, value, *target)?;
                Ok(self.side.replace(record, None, cast))
            }
            Casts::Fields(fields) => {
                let original = require_map(value, PURPOSE)?;
                let mut updated = original.to_vec();
                // Kafka casts a schemaless value's fields in the order of its spec HashMap,
                // which decides which failure is reported first.
                let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
                let order = crate::util::java_hash_map_order(&names);
                let mut fields: Vec<&(String, SchemaType)> = fields.iter().collect();
                fields.sort_by_key(|(f, _)| order.iter().position(|o| o == f));
                for (field, target) in fields {
                    let field_value = map_get(original, field).unwrap_or(&Value::Null);
                    map_put(&mut updated, field, cast_value(None, field_value, *target)?);
                }
                Ok(self.side.replace(record, None, Value::Map(updated)))
            }
        }
    }
}

fn builder_of(t: SchemaType) -> ConnectResult<SchemaBuilder> {
    if OUTPUT_TYPES.contains(&t) {
        Ok(SchemaBuilder::new(t))
    } else {
        Err(ConnectError::data(format!(
            "Unexpected type in Cast transformation: {t}"
        )))
    }
}

/// Kafka's `getOrBuildSchema` (without the cache).
fn build_schema(casts: &Casts, schema: &Schema) -> ConnectResult<Schema> {
    let mut builder = match casts {
        Casts::WholeValue(target) => copy_schema_basics(schema, builder_of(*target)?),
        Casts::Fields(_) => {
            let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
            for field in schema.fields()? {
                match casts.field(field.name()) {
                    Some(target) => {
                        let mut field_builder = builder_of(target)?;
                        if field.schema().is_optional() {
                            field_builder = field_builder.optional();
                        }
                        if let Some(default) = field.schema().default_value() {
                            let cast = cast_value(Some(field.schema()), default, target)?;
                            field_builder = field_builder.default_value(cast)?;
                        }
                        builder = builder.field(field.name(), field_builder.build())?;
                    }
                    None => builder = builder.field(field.name(), field.schema().clone())?,
                }
            }
            builder
        }
    };
    if schema.is_optional() {
        builder = builder.optional();
    }
    if let Some(default) = schema.default_value() {
        let cast = cast_value(Some(schema), default, builder.schema_type())?;
        builder = builder.default_value(cast)?;
    }
    Ok(builder.build())
}

/// A value as a Java `Number`, for the `xxxValue()` narrowing conversions.
enum Number<'a> {
    Integer(i64),
    Float(f32),
    Double(f64),
    Decimal(&'a BigDecimal),
}

impl Number<'_> {
    /// `longValue()`: integers as they are, floating point saturated, decimals truncated
    /// to their low 64 bits.
    fn long_value(&self) -> i64 {
        match self {
            Number::Integer(i) => *i,
            Number::Float(f) => *f as i64,
            Number::Double(d) => *d as i64,
            Number::Decimal(d) => low_64_bits(d),
        }
    }
    /// `intValue()`: floating point saturates at the int range first, as Java does.
    fn int_value(&self) -> i32 {
        match self {
            Number::Float(f) => *f as i32,
            Number::Double(d) => *d as i32,
            other => other.long_value() as i32,
        }
    }
    fn float_value(&self) -> f32 {
        match self {
            Number::Integer(i) => *i as f32,
            Number::Float(f) => *f,
            Number::Double(d) => *d as f32,
            Number::Decimal(d) => d.to_f32().unwrap_or(f32::NAN),
        }
    }
    fn double_value(&self) -> f64 {
        match self {
            Number::Integer(i) => *i as f64,
            Number::Float(f) => f64::from(*f),
            Number::Double(d) => *d,
            Number::Decimal(d) => d.to_f64().unwrap_or(f64::NAN),
        }
    }
}

/// The low 64 bits of the integral part of a decimal (Java's `BigDecimal.longValue()`).
fn low_64_bits(value: &BigDecimal) -> i64 {
    let (integral, _) = value
        .with_scale_round(0, RoundingMode::Down)
        .into_bigint_and_exponent();
    let bytes = integral.to_signed_bytes_le();
    let fill = if integral.sign() == Sign::Minus {
        0xff
    } else {
        0
    };
    let mut buffer = [fill; 8];
    for (slot, byte) in buffer.iter_mut().zip(bytes) {
        *slot = byte;
    }
    i64::from_le_bytes(buffer)
}

fn as_number(value: &Value) -> Option<Number<'_>> {
    Some(match value {
        Value::Int8(v) => Number::Integer(i64::from(*v)),
        Value::Int16(v) => Number::Integer(i64::from(*v)),
        Value::Int32(v) => Number::Integer(i64::from(*v)),
        Value::Int64(v) => Number::Integer(*v),
        Value::Float32(v) => Number::Float(*v),
        Value::Float64(v) => Number::Double(*v),
        Value::Decimal(v) => Number::Decimal(v),
        _ => return None,
    })
}

fn out_of_range(value: &Value) -> ConnectError {
    let shown = connect_json::values::convert_to_string(None, value)
        .ok()
        .flatten()
        .unwrap_or_default();
    ConnectError::data(format!(
        "Value ({shown}) was out of range for requested data type"
    ))
}

fn unexpected(value: &Value) -> ConnectError {
    ConnectError::data(format!(
        "Unexpected type in Cast transformation: {}",
        java_class(value)
    ))
}

/// Java's `Float.parseFloat` / `Double.parseDouble` on the forms Connect data holds.
fn parse_java_floating(text: &str) -> Option<f64> {
    // Java trims only the characters up to U+0020 (not U+2028 or other Unicode spaces).
    let trimmed = text.trim_matches(|c: char| c <= ' ');
    let body = trimmed
        .strip_suffix(['f', 'F', 'd', 'D'])
        .unwrap_or(trimmed);
    match body.trim_start_matches(['+', '-']) {
        "Infinity" | "NaN" => {}
        other
            if other
                .chars()
                .any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E') =>
        {
            return None;
        }
        _ => {}
    }
    let normalized = body.replace("Infinity", "inf");
    f64::from_str(&normalized).ok()
}

fn cast_to_integer<T: FromStr>(
    value: &Value,
    narrow: impl Fn(&Number<'_>) -> T,
    from_bool: impl Fn(bool) -> T,
) -> ConnectResult<T> {
    if let Some(number) = as_number(value) {
        return Ok(narrow(&number));
    }
    match value {
        Value::Boolean(b) => Ok(from_bool(*b)),
        Value::String(s) => s.parse::<T>().map_err(|_| out_of_range(value)),
        other => Err(unexpected(other)),
    }
}

/// Kafka's `castValueToType`.
fn cast_value(schema: Option<&Schema>, value: &Value, target: SchemaType) -> ConnectResult<Value> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let inferred = match schema {
        Some(schema) => Some(schema.schema_type()),
        None if matches!(value, Value::Decimal(_)) => None,
        None => value.inferred_type(),
    };
    let Some(inferred) = inferred else {
        return Err(ConnectError::data(format!(
            "Cast transformation was passed a value of type {} which is not supported by Connect's data API",
            java_class(value)
        )));
    };
    valid_input_type(inferred)?;
    // Logical values already hold their physical representation here (days, millis), which
    // is what Kafka's `encodeLogicalType` produces before a non-string cast.
    Ok(match target {
        SchemaType::Int8 => Value::Int8(cast_to_integer(value, |n| n.int_value() as i8, i8::from)?),
        SchemaType::Int16 => {
            Value::Int16(cast_to_integer(value, |n| n.int_value() as i16, i16::from)?)
        }
        SchemaType::Int32 => Value::Int32(cast_to_integer(value, |n| n.int_value(), i32::from)?),
        SchemaType::Int64 => Value::Int64(cast_to_integer(value, |n| n.long_value(), i64::from)?),
        SchemaType::Float32 => Value::Float32(match (as_number(value), value) {
            (Some(n), _) => n.float_value(),
            (None, Value::Boolean(b)) => f32::from(u8::from(*b)),
            (None, Value::String(s)) => {
                parse_java_floating(s).ok_or_else(|| out_of_range(value))? as f32
            }
            (None, other) => return Err(unexpected(other)),
        }),
        SchemaType::Float64 => Value::Float64(match (as_number(value), value) {
            (Some(n), _) => n.double_value(),
            (None, Value::Boolean(b)) => f64::from(u8::from(*b)),
            (None, Value::String(s)) => {
                parse_java_floating(s).ok_or_else(|| out_of_range(value))?
            }
            (None, other) => return Err(unexpected(other)),
        }),
        SchemaType::Boolean => Value::Boolean(match (as_number(value), value) {
            (Some(n), _) => n.long_value() != 0,
            (None, Value::Boolean(b)) => *b,
            (None, Value::String(s)) => s.eq_ignore_ascii_case("true"),
            (None, other) => return Err(unexpected(other)),
        }),
        SchemaType::String => Value::String(cast_to_string(schema, value)?),
        other => {
            return Err(ConnectError::data(format!(
                "{other} is not supported in the Cast transformation."
            )));
        }
    })
}

/// Kafka's `castToString`: `toString()`, ISO-8601 for temporal values, base64 for bytes.
fn cast_to_string(schema: Option<&Schema>, value: &Value) -> ConnectResult<String> {
    let temporal_schema = schema.filter(|s| crate::util::is_temporal(Some(s)));
    Ok(connect_json::values::convert_to_string(temporal_schema, value)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_parsing_follows_kafka() {
        let list = |s: &str| s.split(',').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            parse_field_types(&list("int8")),
            Ok(Casts::WholeValue(SchemaType::Int8))
        );
        assert_eq!(
            parse_field_types(&list("a:int8, b : string")).map(|c| c.field("b")),
            Ok(Some(SchemaType::String))
        );
        assert_eq!(
            parse_field_types(&list("foo:int8:extra")).map_err(|e| e.to_string()),
            Err("Invalid value [foo:int8:extra] for configuration renames: Invalid rename mapping: foo:int8:extra".to_string())
        );
        assert!(parse_field_types(&list("foo:bytes")).is_err());
        assert!(parse_field_types(&list("foo:int8,int32")).is_err());
    }

    #[test]
    fn decimal_narrowing_is_javas() {
        let d = BigDecimal::from_str("2147483648").expect("decimal");
        assert_eq!(Number::Decimal(&d).int_value(), i32::MIN);
        let d = BigDecimal::from_str("-12.75").expect("decimal");
        assert_eq!(Number::Decimal(&d).long_value(), -12);
        assert_eq!(Number::Double(1e300).int_value(), i32::MAX);
        assert_eq!(Number::Double(300.0).int_value() as i8, 44);
    }

    #[test]
    fn floating_strings_parse_like_java() {
        assert_eq!(parse_java_floating("1.5f"), Some(1.5));
        assert_eq!(parse_java_floating(" -Infinity "), Some(f64::NEG_INFINITY));
        assert_eq!(parse_java_floating("inf"), None);
        assert_eq!(parse_java_floating("abc"), None);
    }
}
