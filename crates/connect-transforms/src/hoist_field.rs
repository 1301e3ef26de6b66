//! `HoistField$Key` / `HoistField$Value`: wraps the key or value in a struct (with a
//! schema) or a map (without) that has one field holding it. The wrapping schema is
//! cached per input schema.

use std::marker::PhantomData;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::transforms::Transformation;
use connect_api::{ConnectRecord, ConnectResult, Props, SchemaBuilder, Struct, Value};

use crate::util::{SchemaCache, Side, not_configured, parse_config};

pub const OVERVIEW_DOC: &str = "Wrap data using the specified field name in a Struct when schema present, or a Map in the case of schemaless data.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.HoistField$Key</code>) or value (<code>org.apache.kafka.connect.transforms.HoistField$Value</code>).";
pub const FIELD_CONFIG: &str = "field";

pub fn config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(FIELD_CONFIG, ConfigType::String)
            .importance(Importance::Medium)
            .doc("Field name for the single field that will be created in the resulting Struct or Map."),
    )
}

/// Kafka's `HoistField`.
pub struct HoistField<R> {
    side: Side,
    field_name: Option<String>,
    cache: SchemaCache,
    _record: PhantomData<fn() -> R>,
}

impl<R> HoistField<R> {
    pub fn new(side: Side) -> Self {
        HoistField {
            side,
            field_name: None,
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

impl<R: ConnectRecord> Transformation<R> for HoistField<R> {
    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        let parsed = parse_config(&config_def(), props)?;
        self.field_name = Some(parsed.string(FIELD_CONFIG).unwrap_or_default().to_string());
        self.cache.clear();
        Ok(())
    }

    fn apply(&self, record: R) -> ConnectResult<Option<R>> {
        let field_name = self
            .field_name
            .as_deref()
            .ok_or_else(|| not_configured("HoistField"))?;
        let value = self.side.value(&record).clone();
        let Some(schema) = self.side.schema(&record) else {
            let hoisted = Value::Map(vec![(Value::String(field_name.to_string()), value)]);
            return Ok(Some(self.side.replace(record, None, hoisted)));
        };
        let updated_schema = self.cache.get_or_build(schema, || {
            Ok(SchemaBuilder::struct_()
                .field(field_name, schema.clone())?
                .build())
        })?;
        let hoisted = Struct::new(updated_schema.clone())?.with(field_name, value)?;
        Ok(Some(self.side.replace(
            record,
            Some(updated_schema),
            Value::Struct(hoisted),
        )))
    }
}
