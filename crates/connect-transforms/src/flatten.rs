//! `Flatten$Key` / `Flatten$Value`: flattens nested structs (or nested maps, schemaless)
//! into one level, joining the names with the delimiter (`.` by default): `{a: {b: 1}}`
//! becomes `{"a.b": 1}`.
//!
//! What Kafka does, and this does too:
//! - arrays and maps inside a struct are kept as they are, under their joined name; inside
//!   a schemaless map, arrays are kept and maps are flattened further;
//! - a flattened field is optional when its own schema or any enclosing struct's schema is
//!   optional, so that a null parent struct can be represented;
//! - a flattened field's default is its own default, or else the value the enclosing
//!   struct's default holds for it;
//! - a null nested struct leaves all of its flattened fields null;
//! - a null key or value (a tombstone) passes through untouched, schema included;
//! - the flattened schema is cached per input schema.

use std::marker::PhantomData;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::transforms::Transformation;
use connect_api::{
    ConnectError, ConnectRecord, ConnectResult, Props, Schema, SchemaBuilder, SchemaType, Struct,
    Value,
};

use crate::util::{
    SchemaCache, Side, copy_schema_basics, copy_schema_basics_of, java_class, not_configured,
    parse_config, require_map, require_struct_or_null, string_key,
};

pub const OVERVIEW_DOC: &str = "Flatten a nested data structure, generating names for each field by concatenating the field names at each level with a configurable delimiter character. Applies to Struct when schema present, or a Map in the case of schemaless data. Array fields and their contents are not modified. The default delimiter is '.'.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.Flatten$Key</code>) or value (<code>org.apache.kafka.connect.transforms.Flatten$Value</code>).";
pub const DELIMITER_CONFIG: &str = "delimiter";
const DELIMITER_DEFAULT: &str = ".";
const PURPOSE: &str = "flattening";

pub fn config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(DELIMITER_CONFIG, ConfigType::String)
            .default_value(DELIMITER_DEFAULT)
            .importance(Importance::Medium)
            .doc("Delimiter to insert between field names from the input record when generating field names for the output record"),
    )
}

/// Kafka's `Flatten`.
pub struct Flatten<R> {
    side: Side,
    delimiter: Option<String>,
    cache: SchemaCache,
    _record: PhantomData<fn() -> R>,
}

impl<R> Flatten<R> {
    pub fn new(side: Side) -> Self {
        Flatten {
            side,
            delimiter: None,
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

impl<R: ConnectRecord> Transformation<R> for Flatten<R> {
    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        let parsed = parse_config(&config_def(), props)?;
        self.delimiter = Some(
            parsed
                .string(DELIMITER_CONFIG)
                .unwrap_or(DELIMITER_DEFAULT)
                .to_string(),
        );
        self.cache.clear();
        Ok(())
    }

    fn apply(&self, record: R) -> ConnectResult<Option<R>> {
        let delimiter = self
            .delimiter
            .as_deref()
            .ok_or_else(|| not_configured("Flatten"))?;
        let flattener = Flattener { delimiter };
        let value = self.side.value(&record);
        if value.is_null() {
            return Ok(Some(record));
        }
        let Some(schema) = self.side.schema(&record) else {
            let map = require_map(value, PURPOSE)?;
            let mut flattened = Vec::new();
            flattener.flatten_schemaless(map, "", &mut flattened)?;
            return Ok(Some(self.side.replace(record, None, Value::Map(flattened))));
        };
        let original = require_struct_or_null(value, Some(schema), PURPOSE)?;
        let updated_schema = self.cache.get_or_build(schema, || {
            let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
            let default = schema.default_value().and_then(Value::as_struct);
            flattener.build_schema(schema, "", &mut builder, schema.is_optional(), default)?;
            Ok(builder.build())
        })?;
        let updated = match original {
            None => Value::Null,
            Some(original) => {
                let mut updated = Struct::new(updated_schema.clone())?;
                flattener.flatten_struct(Some(original), "", &mut updated)?;
                Value::Struct(updated)
            }
        };
        Ok(Some(self.side.replace(
            record,
            Some(updated_schema),
            updated,
        )))
    }
}

struct Flattener<'a> {
    delimiter: &'a str,
}

impl Flattener<'_> {
    fn field_name(&self, prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}{}{name}", self.delimiter)
        }
    }

    fn flatten_schemaless(
        &self,
        original: &[(Value, Value)],
        prefix: &str,
        out: &mut Vec<(Value, Value)>,
    ) -> ConnectResult<()> {
        for (key, value) in original {
            // Java concatenates a null key as "null", but keeps it null at the top level.
            let name: Option<String> = match key {
                Value::Null => (!prefix.is_empty()).then(|| self.field_name(prefix, "null")),
                other => Some(self.field_name(prefix, string_key(other, PURPOSE)?)),
            };
            let shown = name.clone().unwrap_or_else(|| "null".to_string());
            match value {
                Value::Null
                | Value::Int8(_)
                | Value::Int16(_)
                | Value::Int32(_)
                | Value::Int64(_)
                | Value::Float32(_)
                | Value::Float64(_)
                | Value::Boolean(_)
                | Value::String(_)
                | Value::Bytes(_)
                | Value::Array(_) => match name {
                    Some(name) => put(out, name, value.clone()),
                    None => {
                        out.retain(|(k, _)| !k.is_null());
                        out.push((Value::Null, value.clone()));
                    }
                },
                Value::Map(_) => {
                    let nested = require_map(value, PURPOSE)?;
                    let Some(name) = name else {
                        // Kafka fails here too (a NullPointerException on the null prefix).
                        return Err(ConnectError::data(
                            "Flatten transformation cannot flatten a map under a null key",
                        ));
                    };
                    self.flatten_schemaless(nested, &name, out)?;
                }
                Value::Decimal(_) => {
                    return Err(ConnectError::data(format!(
                        "Flatten transformation was passed a value of type {} which is not supported by Connect's data API",
                        java_class(value)
                    )));
                }
                Value::Struct(_) => {
                    return Err(ConnectError::data(format!(
                        "Flatten transformation does not support {} for record without schemas (for field {shown}).",
                        java_class(value)
                    )));
                }
            }
        }
        Ok(())
    }

    fn build_schema(
        &self,
        schema: &Schema,
        prefix: &str,
        builder: &mut SchemaBuilder,
        optional: bool,
        default_from_parent: Option<&Struct>,
    ) -> ConnectResult<()> {
        for field in schema.fields()? {
            let name = self.field_name(prefix, field.name());
            let field_optional = optional || field.schema().is_optional();
            let field_default = match (field.schema().default_value(), default_from_parent) {
                (Some(default), _) => Some(default.clone()),
                (None, Some(parent)) => {
                    Some(parent.get_by_field(field).clone()).filter(|v| !v.is_null())
                }
                (None, None) => None,
            };
            if field.schema().schema_type() == SchemaType::Struct {
                let nested_default = field_default.as_ref().and_then(Value::as_struct);
                self.build_schema(
                    field.schema(),
                    &name,
                    builder,
                    field_optional,
                    nested_default,
                )?;
            } else if field.schema().schema_type() == SchemaType::Map {
                // Kafka flattens structs only: a map field fails the whole schema.
                return Err(ConnectError::data(format!(
                    "Flatten transformation does not support MAP for record with schemas (for \
                     field {name})."
                )));
            } else {
                let converted =
                    convert_field_schema(field.schema(), field_optional, field_default)?;
                let current = std::mem::replace(builder, SchemaBuilder::struct_());
                *builder = current.field(name, converted)?;
            }
        }
        Ok(())
    }

    fn flatten_struct(
        &self,
        original: Option<&Struct>,
        prefix: &str,
        out: &mut Struct,
    ) -> ConnectResult<()> {
        let Some(original) = original else {
            return Ok(());
        };
        for field in original.schema().fields()? {
            let name = self.field_name(prefix, field.name());
            let value = original.get_by_field(field);
            if field.schema().schema_type() == SchemaType::Struct {
                let nested = require_struct_or_null(value, Some(field.schema()), PURPOSE)?;
                self.flatten_struct(nested, &name, out)?;
            } else {
                out.put(&name, value.clone())?;
            }
        }
        Ok(())
    }
}

fn put(out: &mut Vec<(Value, Value)>, name: String, value: Value) {
    crate::util::map_put(out, &name, value);
}

/// Kafka's `convertFieldSchema`: the field's schema, made optional when an ancestor is,
/// with the default taken from an ancestor when the field has none.
fn convert_field_schema(
    original: &Schema,
    optional: bool,
    default: Option<Value>,
) -> ConnectResult<Schema> {
    let mut builder = copy_schema_basics_of(original)?;
    if optional {
        builder = builder.optional();
    }
    if let Some(default) = default {
        builder = builder.default_value(default)?;
    }
    Ok(builder.build())
}
