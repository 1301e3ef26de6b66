//! `TimestampConverter$Key` / `TimestampConverter$Value`: converts a timestamp field, or
//! the whole key or value, between five representations: `string` (a `SimpleDateFormat`
//! pattern, see [`crate::date_format`]), `unix` (epoch number at `unix.precision`), and
//! the `Date`, `Time` and `Timestamp` logical types.
//!
//! Every conversion goes through epoch milliseconds in UTC, as Kafka's goes through
//! `java.util.Date`: a sub-millisecond part of a micro- or nanosecond input is dropped,
//! `Date` keeps the day (midnight UTC) and `Time` the time of day. Seconds are truncated
//! toward zero when converting to them; microseconds and nanoseconds saturate like
//! Java's `TimeUnit`.
//!
//! With a schema, the input kind comes from the schema: the logical types by name, then
//! `string` for strings and `unix` for int64. Without a schema it comes from the value:
//! a string is `string`, an int64 is `unix` (a schemaless value cannot say that it is a
//! `java.util.Date`). Without a schema the outputs `Date`, `Time` and `Timestamp` are the
//! logical types' physical values: days (int32), milliseconds of the day (int32) and
//! epoch milliseconds (int64).

use std::marker::PhantomData;

use connect_api::config::validators::ValidString;
use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::data::logical::{
    DATE_LOGICAL_NAME, MILLIS_PER_DAY, TIME_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME,
};
use connect_api::data::{Date, Time, Timestamp};
use connect_api::transforms::Transformation;
use connect_api::{
    ConnectError, ConnectRecord, ConnectResult, Props, Schema, SchemaBuilder, SchemaType, Struct,
    Value,
};

use crate::date_format::SimpleDateFormat;
use crate::util::{
    REPLACE_NULL_WITH_DEFAULT_CONFIG, SchemaCache, Side, config_error, copy_schema_basics,
    field_value, java_class, map_get, map_put, not_configured, parse_config,
    replace_null_with_default_key, require_map, require_struct_or_null,
};

pub const OVERVIEW_DOC: &str = "Convert timestamps between different formats such as Unix epoch, strings, and Connect Date/Timestamp types.Applies to individual fields or to the entire value.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.TimestampConverter$Key</code>) or value (<code>org.apache.kafka.connect.transforms.TimestampConverter$Value</code>).";
pub const FIELD_CONFIG: &str = "field";
pub const TARGET_TYPE_CONFIG: &str = "target.type";
pub const FORMAT_CONFIG: &str = "format";
pub const UNIX_PRECISION_CONFIG: &str = "unix.precision";
const PURPOSE: &str = "converting timestamp formats";

pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(FIELD_CONFIG, ConfigType::String)
                .default_value("")
                .importance(Importance::High)
                .doc("The field containing the timestamp, or empty if the entire value is a timestamp"),
        )
        .define(
            ConfigKey::new(TARGET_TYPE_CONFIG, ConfigType::String)
                .validator(ValidString::one_of(["string", "unix", "Date", "Time", "Timestamp"]))
                .importance(Importance::High)
                .doc("The desired timestamp representation: string, unix, Date, Time, or Timestamp"),
        )
        .define(
            ConfigKey::new(FORMAT_CONFIG, ConfigType::String)
                .default_value("")
                .importance(Importance::Medium)
                .doc("A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or used to parse the input if the input is a string."),
        )
        .define(
            ConfigKey::new(UNIX_PRECISION_CONFIG, ConfigType::String)
                .default_value("milliseconds")
                .validator(ValidString::one_of(["nanoseconds", "microseconds", "milliseconds", "seconds"]))
                .importance(Importance::Low)
                .doc("The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. Used to generate the output when type=unix or used to parse the input if the input is a Long.Note: This SMT will cause precision loss during conversions from, and to, values with sub-millisecond components."),
        )
        .define(replace_null_with_default_key())
}

/// The five timestamp representations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    String,
    Unix,
    Date,
    Time,
    Timestamp,
}

impl Kind {
    fn from_name(name: &str) -> Option<Kind> {
        Some(match name {
            "string" => Kind::String,
            "unix" => Kind::Unix,
            "Date" => Kind::Date,
            "Time" => Kind::Time,
            "Timestamp" => Kind::Timestamp,
            _ => return None,
        })
    }

    /// Kafka's `TimestampTranslator.typeSchema`.
    fn type_schema(self, optional: bool) -> Schema {
        let builder = match self {
            Kind::String => SchemaBuilder::string(),
            Kind::Unix => SchemaBuilder::int64(),
            Kind::Date => Date::builder(),
            Kind::Time => Time::builder(),
            Kind::Timestamp => Timestamp::builder(),
        };
        builder.set_optional(optional).build()
    }

    /// Kafka's `timestampTypeFromSchema`.
    fn from_schema(schema: &Schema) -> ConnectResult<Kind> {
        match schema.name() {
            Some(TIMESTAMP_LOGICAL_NAME) => return Ok(Kind::Timestamp),
            Some(DATE_LOGICAL_NAME) => return Ok(Kind::Date),
            Some(TIME_LOGICAL_NAME) => return Ok(Kind::Time),
            _ => {}
        }
        match schema.schema_type() {
            SchemaType::String => Ok(Kind::String),
            SchemaType::Int64 => Ok(Kind::Unix),
            // A ConnectException in Kafka, not a DataException.
            _ => Err(ConnectError::other(format!(
                "Schema {schema:?} does not correspond to a known timestamp type format"
            ))),
        }
    }

    /// Kafka's `inferTimestampType`, for schemaless values.
    fn infer(value: &Value) -> ConnectResult<Kind> {
        match value {
            Value::Int64(_) => Ok(Kind::Unix),
            Value::String(_) => Ok(Kind::String),
            other => Err(ConnectError::data(format!(
                "TimestampConverter does not support {} objects as timestamps",
                java_class(other)
            ))),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Precision {
    Seconds,
    Milliseconds,
    Microseconds,
    Nanoseconds,
}

struct Config {
    field: String,
    target: Kind,
    format: Option<SimpleDateFormat>,
    precision: Precision,
    replace_null_with_default: bool,
}

impl Config {
    /// Kafka's `TimestampTranslator.toRaw`: epoch milliseconds.
    fn to_raw(&self, kind: Kind, value: &Value) -> ConnectResult<i64> {
        match (kind, value) {
            (Kind::String, Value::String(text)) => {
                let format = self.format.as_ref().ok_or_else(|| {
                    ConnectError::data(format!(
                        "Could not parse timestamp: value ({text}) does not match pattern (null)"
                    ))
                })?;
                format.parse(text).ok_or_else(|| {
                    ConnectError::data(format!(
                        "Could not parse timestamp: value ({text}) does not match pattern ({})",
                        format.pattern()
                    ))
                })
            }
            (Kind::String, other) => Err(ConnectError::data(format!(
                "Expected string timestamp to be a String, but found {}",
                java_class(other)
            ))),
            (Kind::Unix, Value::Int64(unix)) => Ok(match self.precision {
                Precision::Seconds => unix.saturating_mul(1000),
                Precision::Milliseconds => *unix,
                Precision::Microseconds => unix / 1000,
                Precision::Nanoseconds => unix / 1_000_000,
            }),
            (Kind::Unix, other) => Err(ConnectError::data(format!(
                "Expected Unix timestamp to be a Long, but found {}",
                java_class(other)
            ))),
            (Kind::Date, Value::Int32(days)) => Ok(i64::from(*days) * MILLIS_PER_DAY),
            (Kind::Time, Value::Int32(millis)) => Ok(i64::from(*millis)),
            (Kind::Timestamp, Value::Int64(millis)) => Ok(*millis),
            (kind, other) => Err(ConnectError::data(format!(
                "Expected {kind:?} to be a java.util.Date, but found {}",
                java_class(other)
            ))),
        }
    }

    /// Kafka's `TimestampTranslator.toType` for the target representation.
    fn to_type(&self, millis: i64) -> ConnectResult<Value> {
        Ok(match self.target {
            Kind::String => {
                let format = self
                    .format
                    .as_ref()
                    .ok_or_else(|| config_error("TimestampConverter requires format option to be specified when using string timestamps"))?;
                Value::String(format.format(millis))
            }
            Kind::Unix => Value::Int64(match self.precision {
                Precision::Seconds => millis / 1000,
                Precision::Milliseconds => millis,
                Precision::Microseconds => millis.saturating_mul(1000),
                Precision::Nanoseconds => millis.saturating_mul(1_000_000),
            }),
            // Kafka holds a java.util.Date; what any converter then writes is
            // Date.fromLogical's `(int) (millis / MILLIS_PER_DAY)`, which wraps for dates more
            // than 5.8 million years away.
            Kind::Date => Value::Int32(millis.div_euclid(MILLIS_PER_DAY) as i32),
            Kind::Time => Value::Int32(millis.rem_euclid(MILLIS_PER_DAY) as i32),
            Kind::Timestamp => Value::Int64(millis),
        })
    }

    /// Kafka's `convertTimestamp`: `kind` is the input's, or inferred when `None`.
    fn convert(&self, value: &Value, kind: Option<Kind>) -> ConnectResult<Value> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let kind = match kind {
            Some(kind) => kind,
            None => Kind::infer(value)?,
        };
        let raw = self.to_raw(kind, value)?;
        self.to_type(raw)
    }
}

/// Kafka's `TimestampConverter`.
pub struct TimestampConverter<R> {
    side: Side,
    config: Option<Config>,
    cache: SchemaCache,
    _record: PhantomData<fn() -> R>,
}

impl<R> TimestampConverter<R> {
    pub fn new(side: Side) -> Self {
        TimestampConverter {
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

impl<R: ConnectRecord> Transformation<R> for TimestampConverter<R> {
    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        let parsed = parse_config(&config_def(), props)?;
        let target_name = parsed.string(TARGET_TYPE_CONFIG).unwrap_or_default();
        let target = Kind::from_name(target_name)
            .ok_or_else(|| config_error(format!("Unknown target type: {target_name}")))?;
        let pattern = parsed.string(FORMAT_CONFIG).unwrap_or_default();
        if target == Kind::String && pattern.trim().is_empty() {
            return Err(config_error(
                "TimestampConverter requires format option to be specified when using string timestamps",
            ));
        }
        let format = if pattern.trim().is_empty() {
            None
        } else {
            // Kafka passes SimpleDateFormat's IllegalArgumentException as the *value* of a
            // ConfigException and its own sentence as the *name*.
            Some(SimpleDateFormat::new(pattern).map_err(|cause| {
                config_error(format!(
                    "Invalid value java.lang.IllegalArgumentException: {cause} for configuration \
                     TimestampConverter requires a SimpleDateFormat-compatible pattern for \
                     string timestamps: {pattern}"
                ))
            })?)
        };
        let precision = match parsed.string(UNIX_PRECISION_CONFIG) {
            Some("seconds") => Precision::Seconds,
            Some("microseconds") => Precision::Microseconds,
            Some("nanoseconds") => Precision::Nanoseconds,
            _ => Precision::Milliseconds,
        };
        self.config = Some(Config {
            field: parsed.string(FIELD_CONFIG).unwrap_or_default().to_string(),
            target,
            format,
            precision,
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
            .ok_or_else(|| not_configured("TimestampConverter"))?;
        let value = self.side.value(&record);
        let Some(schema) = self.side.schema(&record) else {
            let converted = if value.is_null() || config.field.is_empty() {
                config.convert(value, None)?
            } else {
                let original = require_map(value, PURPOSE)?;
                let mut updated = original.to_vec();
                let field_value = map_get(original, &config.field).unwrap_or(&Value::Null);
                map_put(
                    &mut updated,
                    &config.field,
                    config.convert(field_value, None)?,
                );
                Value::Map(updated)
            };
            return Ok(Some(self.side.replace(record, None, converted)));
        };
        if config.field.is_empty() {
            let updated_schema = config.target.type_schema(schema.is_optional());
            let converted = config.convert(value, Some(Kind::from_schema(schema)?))?;
            return Ok(Some(self.side.replace(
                record,
                Some(updated_schema),
                converted,
            )));
        }
        let original = require_struct_or_null(value, Some(schema), PURPOSE)?;
        let updated_schema = self.cache.get_or_build(schema, || {
            let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
            for field in schema.fields()? {
                let field_schema = if field.name() == config.field {
                    config.target.type_schema(field.schema().is_optional())
                } else {
                    field.schema().clone()
                };
                builder = builder.field(field.name(), field_schema)?;
            }
            if schema.is_optional() {
                builder = builder.optional();
            }
            if let Some(Value::Struct(default)) = schema.default_value() {
                // The struct default must carry the schema being built, as the SDK's
                // builder sees it while checking the default: no doc, no version.
                let mut probe = SchemaBuilder::struct_();
                if let Some(name) = schema.name() {
                    probe = probe.name(name);
                }
                if let Some(parameters) = schema.parameters() {
                    probe =
                        probe.parameters(parameters.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
                let probe = schema.fields()?.iter().try_fold(probe, |b, f| {
                    let field_schema = if f.name() == config.field {
                        config.target.type_schema(f.schema().is_optional())
                    } else {
                        f.schema().clone()
                    };
                    b.field(f.name(), field_schema)
                })?;
                let probe = if schema.is_optional() {
                    probe.optional()
                } else {
                    probe
                };
                let updated_default = convert_struct(config, default, &probe.build())?;
                builder = builder.default_value(Value::Struct(updated_default))?;
            }
            Ok(builder.build())
        })?;
        let converted = match original {
            Some(original) => Value::Struct(convert_struct(config, original, &updated_schema)?),
            None => Value::Null,
        };
        Ok(Some(self.side.replace(
            record,
            Some(updated_schema),
            converted,
        )))
    }
}

/// Kafka's `applyValueWithSchema`.
fn convert_struct(
    config: &Config,
    original: &Struct,
    updated_schema: &Schema,
) -> ConnectResult<Struct> {
    let mut updated = Struct::new(updated_schema.clone())?;
    for field in original.schema().fields()? {
        let field_value = field_value(original, field, config.replace_null_with_default)?;
        let new_value = if field.name() == config.field {
            config.convert(field_value, Some(Kind::from_schema(field.schema())?))?
        } else {
            field_value.clone()
        };
        updated.put(field.name(), new_value)?;
    }
    Ok(updated)
}
