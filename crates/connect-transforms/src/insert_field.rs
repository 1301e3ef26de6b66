//! `InsertField$Key` / `InsertField$Value`: adds fields holding the record's topic,
//! partition, offset (sink records only) or timestamp, or a static string.
//!
//! Each `*.field` names the field to add; a trailing `!` makes it required in the schema,
//! a trailing `?` (or nothing) optional. The partition and the timestamp are only put
//! when the record has them; the timestamp is a `Timestamp` logical field. A null key or
//! value is passed through. The extended schema is cached per input schema, and keeps the
//! input's name, version, doc and parameters.

use std::marker::PhantomData;

use connect_api::config::{ConfigDef, ConfigError, ConfigKey, ConfigType, Importance};
use connect_api::data::Timestamp;
use connect_api::transforms::Transformation;
use connect_api::{
    ConnectError, ConnectRecord, ConnectResult, Props, Schema, SchemaBuilder, Struct, Value,
};

use crate::util::{
    REPLACE_NULL_WITH_DEFAULT_CONFIG, RecordOffset, SchemaCache, Side, config_error,
    copy_schema_basics, field_value, map_put, not_configured, parse_config,
    replace_null_with_default_key, require_map, require_sink_offset, require_struct,
};

pub const OVERVIEW_DOC: &str = "Insert field(s) using attributes from the record metadata or a configured static value.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.InsertField$Key</code>) or value (<code>org.apache.kafka.connect.transforms.InsertField$Value</code>).";

pub const TOPIC_FIELD: &str = "topic.field";
pub const PARTITION_FIELD: &str = "partition.field";
pub const OFFSET_FIELD: &str = "offset.field";
pub const TIMESTAMP_FIELD: &str = "timestamp.field";
pub const STATIC_FIELD: &str = "static.field";
pub const STATIC_VALUE: &str = "static.value";
const PURPOSE: &str = "field insertion";
const OPTIONALITY_DOC: &str = "Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).";

pub fn config_def() -> ConfigDef {
    let optional_string = |name: &str, doc: String| {
        ConfigKey::new(name, ConfigType::String)
            .default_null()
            .importance(Importance::Medium)
            .doc(doc)
    };
    ConfigDef::new()
        .define(optional_string(TOPIC_FIELD, format!("Field name for Kafka topic. {OPTIONALITY_DOC}")))
        .define(optional_string(PARTITION_FIELD, format!("Field name for Kafka partition. {OPTIONALITY_DOC}")))
        .define(optional_string(
            OFFSET_FIELD,
            format!("Field name for Kafka offset - only applicable to sink connectors.<br/>{OPTIONALITY_DOC}"),
        ))
        .define(optional_string(TIMESTAMP_FIELD, format!("Field name for record timestamp. {OPTIONALITY_DOC}")))
        .define(optional_string(STATIC_FIELD, format!("Field name for static data field. {OPTIONALITY_DOC}")))
        .define(optional_string(STATIC_VALUE, "Static field value, if field name configured.".to_string()))
        .define(replace_null_with_default_key())
}

/// A field to insert: its name, and whether its schema is optional.
#[derive(Clone, Debug, PartialEq, Eq)]
struct InsertionSpec {
    name: String,
    optional: bool,
}

impl InsertionSpec {
    fn parse(spec: Option<&str>) -> Option<InsertionSpec> {
        let spec = spec?;
        Some(if let Some(name) = spec.strip_suffix('?') {
            InsertionSpec {
                name: name.to_string(),
                optional: true,
            }
        } else if let Some(name) = spec.strip_suffix('!') {
            InsertionSpec {
                name: name.to_string(),
                optional: false,
            }
        } else {
            InsertionSpec {
                name: spec.to_string(),
                optional: true,
            }
        })
    }
}

struct Config {
    topic: Option<InsertionSpec>,
    partition: Option<InsertionSpec>,
    offset: Option<InsertionSpec>,
    timestamp: Option<InsertionSpec>,
    static_field: Option<InsertionSpec>,
    static_value: Option<String>,
    replace_null_with_default: bool,
}

/// Kafka's `InsertField`.
pub struct InsertField<R> {
    side: Side,
    config: Option<Config>,
    cache: SchemaCache,
    _record: PhantomData<fn() -> R>,
}

impl<R> InsertField<R> {
    pub fn new(side: Side) -> Self {
        InsertField {
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

impl<R: ConnectRecord + RecordOffset> Transformation<R> for InsertField<R> {
    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        let parsed = parse_config(&config_def(), props)?;
        let config = Config {
            topic: InsertionSpec::parse(parsed.string(TOPIC_FIELD)),
            partition: InsertionSpec::parse(parsed.string(PARTITION_FIELD)),
            offset: InsertionSpec::parse(parsed.string(OFFSET_FIELD)),
            timestamp: InsertionSpec::parse(parsed.string(TIMESTAMP_FIELD)),
            static_field: InsertionSpec::parse(parsed.string(STATIC_FIELD)),
            static_value: parsed.string(STATIC_VALUE).map(str::to_string),
            replace_null_with_default: parsed
                .boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                .unwrap_or(true),
        };
        if config.topic.is_none()
            && config.partition.is_none()
            && config.offset.is_none()
            && config.timestamp.is_none()
            && config.static_field.is_none()
        {
            return Err(config_error("No field insertion configured"));
        }
        if let Some(static_field) = &config.static_field
            && config.static_value.is_none()
        {
            return Err(ConnectError::Config(ConfigError::invalid(
                STATIC_VALUE,
                "null",
                format!("No value specified for static field: {}", static_field.name),
            )));
        }
        self.config = Some(config);
        self.cache.clear();
        Ok(())
    }

    fn apply(&self, record: R) -> ConnectResult<Option<R>> {
        let config = self
            .config
            .as_ref()
            .ok_or_else(|| not_configured("InsertField"))?;
        let value = self.side.value(&record);
        if value.is_null() {
            return Ok(Some(record));
        }
        if self.side.schema(&record).is_none() {
            let mut updated = require_map(value, PURPOSE)?.to_vec();
            if let Some(spec) = &config.topic {
                map_put(
                    &mut updated,
                    &spec.name,
                    Value::String(record.topic().to_string()),
                );
            }
            if let (Some(spec), Some(partition)) = (&config.partition, record.kafka_partition()) {
                map_put(&mut updated, &spec.name, Value::Int32(partition));
            }
            if let Some(spec) = &config.offset {
                map_put(
                    &mut updated,
                    &spec.name,
                    Value::Int64(require_sink_offset(&record, PURPOSE)?),
                );
            }
            if let (Some(spec), Some(timestamp)) = (&config.timestamp, record.timestamp()) {
                map_put(&mut updated, &spec.name, Value::Int64(timestamp));
            }
            if let (Some(spec), Some(static_value)) = (&config.static_field, &config.static_value) {
                map_put(
                    &mut updated,
                    &spec.name,
                    Value::String(static_value.clone()),
                );
            }
            return Ok(Some(self.side.replace(record, None, Value::Map(updated))));
        }
        let original = require_struct(value, self.side.schema(&record), PURPOSE)?;
        let updated_schema = self.cache.get_or_build(original.schema(), || {
            make_updated_schema(config, original.schema())
        })?;
        let mut updated = Struct::new(updated_schema.clone())?;
        for field in original.schema().fields()? {
            let field_value = field_value(original, field, config.replace_null_with_default)?;
            updated.put(field.name(), field_value.clone())?;
        }
        if let Some(spec) = &config.topic {
            updated.put(&spec.name, record.topic())?;
        }
        if let (Some(spec), Some(partition)) = (&config.partition, record.kafka_partition()) {
            updated.put(&spec.name, partition)?;
        }
        if let Some(spec) = &config.offset {
            updated.put(&spec.name, require_sink_offset(&record, PURPOSE)?)?;
        }
        if let (Some(spec), Some(timestamp)) = (&config.timestamp, record.timestamp()) {
            updated.put(&spec.name, timestamp)?;
        }
        if let (Some(spec), Some(static_value)) = (&config.static_field, &config.static_value) {
            updated.put(&spec.name, static_value.as_str())?;
        }
        Ok(Some(self.side.replace(
            record,
            Some(updated_schema),
            Value::Struct(updated),
        )))
    }
}

fn make_updated_schema(config: &Config, schema: &Schema) -> ConnectResult<Schema> {
    let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
    for field in schema.fields()? {
        builder = builder.field(field.name(), field.schema().clone())?;
    }
    let choose = |spec: &InsertionSpec, optional: Schema, required: Schema| {
        if spec.optional { optional } else { required }
    };
    if let Some(spec) = &config.topic {
        builder = builder.field(
            &spec.name,
            choose(spec, Schema::optional_string(), Schema::string()),
        )?;
    }
    if let Some(spec) = &config.partition {
        builder = builder.field(
            &spec.name,
            choose(spec, Schema::optional_int32(), Schema::int32()),
        )?;
    }
    if let Some(spec) = &config.offset {
        builder = builder.field(
            &spec.name,
            choose(spec, Schema::optional_int64(), Schema::int64()),
        )?;
    }
    if let Some(spec) = &config.timestamp {
        builder = builder.field(
            &spec.name,
            choose(
                spec,
                Timestamp::builder().optional().build(),
                Timestamp::schema(),
            ),
        )?;
    }
    if let Some(spec) = &config.static_field {
        builder = builder.field(
            &spec.name,
            choose(spec, Schema::optional_string(), Schema::string()),
        )?;
    }
    Ok(builder.build())
}
