//! Schemas: Kafka Connect's `Schema`, `SchemaBuilder` and `Field`.

use std::fmt;
use std::sync::{Arc, LazyLock};

use indexmap::IndexMap;

use super::Value;
use crate::errors::{ConnectError, ConnectResult};

/// The physical type of a schema, with Kafka Connect's lower-case names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SchemaType {
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Boolean,
    String,
    Bytes,
    Array,
    Map,
    Struct,
}

impl SchemaType {
    pub const ALL: [SchemaType; 12] = [
        SchemaType::Int8,
        SchemaType::Int16,
        SchemaType::Int32,
        SchemaType::Int64,
        SchemaType::Float32,
        SchemaType::Float64,
        SchemaType::Boolean,
        SchemaType::String,
        SchemaType::Bytes,
        SchemaType::Array,
        SchemaType::Map,
        SchemaType::Struct,
    ];

    /// The name used in JSON schemas and error messages (`int32`, `struct`, ...).
    pub fn name(self) -> &'static str {
        match self {
            SchemaType::Int8 => "int8",
            SchemaType::Int16 => "int16",
            SchemaType::Int32 => "int32",
            SchemaType::Int64 => "int64",
            SchemaType::Float32 => "float32",
            SchemaType::Float64 => "float64",
            SchemaType::Boolean => "boolean",
            SchemaType::String => "string",
            SchemaType::Bytes => "bytes",
            SchemaType::Array => "array",
            SchemaType::Map => "map",
            SchemaType::Struct => "struct",
        }
    }

    /// Parses a type name, case-insensitively as Kafka does.
    pub fn from_name(name: &str) -> Option<SchemaType> {
        SchemaType::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }

    pub fn is_primitive(self) -> bool {
        !matches!(
            self,
            SchemaType::Array | SchemaType::Map | SchemaType::Struct
        )
    }
}

impl fmt::Display for SchemaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name().to_ascii_uppercase())
    }
}

/// A field of a struct schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    name: String,
    index: usize,
    schema: Schema,
}

impl Field {
    pub fn new(name: impl Into<String>, index: usize, schema: Schema) -> Self {
        Field {
            name: name.into(),
            index,
            schema,
        }
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn index(&self) -> usize {
        self.index
    }
    pub fn schema(&self) -> &Schema {
        &self.schema
    }
}

#[derive(Debug, PartialEq)]
struct SchemaInner {
    schema_type: SchemaType,
    optional: bool,
    default_value: Option<Value>,
    name: Option<String>,
    version: Option<i32>,
    doc: Option<String>,
    parameters: Option<IndexMap<String, String>>,
    fields: Vec<Field>,
    key_schema: Option<Schema>,
    value_schema: Option<Schema>,
}

/// An immutable, cheaply cloned schema (Kafka's `ConnectSchema`). Equality is structural
/// (two clones of one schema are equal without comparing their contents).
#[derive(Clone)]
pub struct Schema(Arc<SchemaInner>);

impl PartialEq for Schema {
    fn eq(&self, other: &Schema) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.name {
            Some(name) => write!(f, "Schema{{{}:{}}}", name, self.0.schema_type),
            None => write!(f, "Schema{{{}}}", self.0.schema_type),
        }
    }
}

macro_rules! predefined {
    ($($fn_name:ident => $t:expr, $optional:expr;)*) => {
        $(
            pub fn $fn_name() -> Schema {
                static SCHEMA: LazyLock<Schema> = LazyLock::new(|| {
                    let builder = SchemaBuilder::new($t);
                    let builder = if $optional { builder.optional() } else { builder };
                    builder.build()
                });
                SCHEMA.clone()
            }
        )*
    };
}

impl Schema {
    predefined! {
        int8 => SchemaType::Int8, false;
        int16 => SchemaType::Int16, false;
        int32 => SchemaType::Int32, false;
        int64 => SchemaType::Int64, false;
        float32 => SchemaType::Float32, false;
        float64 => SchemaType::Float64, false;
        boolean => SchemaType::Boolean, false;
        string => SchemaType::String, false;
        bytes => SchemaType::Bytes, false;
        optional_int8 => SchemaType::Int8, true;
        optional_int16 => SchemaType::Int16, true;
        optional_int32 => SchemaType::Int32, true;
        optional_int64 => SchemaType::Int64, true;
        optional_float32 => SchemaType::Float32, true;
        optional_float64 => SchemaType::Float64, true;
        optional_boolean => SchemaType::Boolean, true;
        optional_string => SchemaType::String, true;
        optional_bytes => SchemaType::Bytes, true;
    }

    pub fn schema_type(&self) -> SchemaType {
        self.0.schema_type
    }
    pub fn is_optional(&self) -> bool {
        self.0.optional
    }
    pub fn default_value(&self) -> Option<&Value> {
        self.0.default_value.as_ref()
    }
    pub fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    pub fn version(&self) -> Option<i32> {
        self.0.version
    }
    pub fn doc(&self) -> Option<&str> {
        self.0.doc.as_deref()
    }
    /// Schema parameters in insertion order; `None` when none were ever set.
    pub fn parameters(&self) -> Option<&IndexMap<String, String>> {
        self.0.parameters.as_ref()
    }
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.0.parameters.as_ref()?.get(key).map(String::as_str)
    }

    /// The fields of a struct schema; an error for any other type.
    pub fn fields(&self) -> ConnectResult<&[Field]> {
        if self.0.schema_type != SchemaType::Struct {
            return Err(ConnectError::data(
                "Cannot list fields on non-struct type".to_string(),
            ));
        }
        Ok(&self.0.fields)
    }

    /// The field called `name` of a struct schema.
    pub fn field(&self, name: &str) -> ConnectResult<Option<&Field>> {
        Ok(self.fields()?.iter().find(|f| f.name == name))
    }

    /// The key schema of a map schema.
    pub fn key_schema(&self) -> ConnectResult<&Schema> {
        match (&self.0.schema_type, &self.0.key_schema) {
            (SchemaType::Map, Some(schema)) => Ok(schema),
            _ => Err(ConnectError::data(
                "Cannot look up key schema on non-map type",
            )),
        }
    }

    /// The value schema of a map or array schema.
    pub fn value_schema(&self) -> ConnectResult<&Schema> {
        match (&self.0.schema_type, &self.0.value_schema) {
            (SchemaType::Map | SchemaType::Array, Some(schema)) => Ok(schema),
            _ => Err(ConnectError::data(
                "Cannot look up value schema on non-array and non-map type",
            )),
        }
    }

    /// A builder initialised with everything this schema has, to derive a variant.
    pub fn to_builder(&self) -> SchemaBuilder {
        SchemaBuilder {
            inner: SchemaInner {
                schema_type: self.0.schema_type,
                optional: self.0.optional,
                default_value: self.0.default_value.clone(),
                name: self.0.name.clone(),
                version: self.0.version,
                doc: self.0.doc.clone(),
                parameters: self.0.parameters.clone(),
                fields: self.0.fields.clone(),
                key_schema: self.0.key_schema.clone(),
                value_schema: self.0.value_schema.clone(),
            },
        }
    }

    /// Checks that `value` is valid for this schema (Kafka's
    /// `ConnectSchema.validateValue`): types match, required values are present, logical
    /// types hold the right representation, struct values carry an equal schema.
    pub fn validate_value(&self, value: &Value) -> ConnectResult<()> {
        validate_field_value(None, self, value)
    }
}

/// Kafka's `ConnectSchema.validateValue(field, schema, value)`: the value is checked against
/// where it sits, `field: "name"` (or `value` at the top), and nested elements are named as
/// Kafka names them (`element of array field: "tags"`, `key of map value`), so that error
/// messages read as Kafka's do.
///
/// As in Kafka, only the representation is checked, not a logical value's range (a `Time`
/// past midnight or a `Decimal` of another scale fails when it is converted), and `null`
/// passes only for an optional schema: a required field with a default may be left unset in
/// a struct ([`super::Struct::validate`]) but not set to `null`.
pub(crate) fn validate_field_value(
    field: Option<&str>,
    schema: &Schema,
    value: &Value,
) -> ConnectResult<()> {
    let location = match field {
        Some(name) => format!("field: \"{name}\""),
        None => "value".to_string(),
    };
    validate_at(schema, value, &location)
}

fn validate_at(schema: &Schema, value: &Value, location: &str) -> ConnectResult<()> {
    if value.is_null() {
        if schema.is_optional() {
            return Ok(());
        }
        return Err(ConnectError::data(format!(
            "Invalid value: null used for required {location}, schema type: {}",
            schema.schema_type()
        )));
    }
    let matches = match schema.name().and_then(super::logical::physical_type) {
        // A logical type's value is held in its physical form, except Decimal.
        Some(expected) => expected(value),
        None => matches!(
            (schema.schema_type(), value),
            (SchemaType::Int8, Value::Int8(_))
                | (SchemaType::Int16, Value::Int16(_))
                | (SchemaType::Int32, Value::Int32(_))
                | (SchemaType::Int64, Value::Int64(_))
                | (SchemaType::Float32, Value::Float32(_))
                | (SchemaType::Float64, Value::Float64(_))
                | (SchemaType::Boolean, Value::Boolean(_))
                | (SchemaType::String, Value::String(_))
                | (SchemaType::Bytes, Value::Bytes(_))
                | (SchemaType::Array, Value::Array(_))
                | (SchemaType::Map, Value::Map(_))
                | (SchemaType::Struct, Value::Struct(_))
        ),
    };
    if !matches {
        let name = schema
            .name()
            .map(|n| format!(" \"{n}\""))
            .unwrap_or_default();
        return Err(ConnectError::data(format!(
            "Invalid Java object for schema{name} with type {}: class {} for {location}",
            schema.schema_type(),
            value.java_class_name(),
        )));
    }
    match value {
        Value::Struct(s) => {
            if s.schema() != schema {
                return Err(ConnectError::data("Struct schemas do not match."));
            }
            s.validate()
        }
        Value::Array(items) => {
            let location = format!("element of array {location}");
            let item_schema = schema
                .value_schema()
                .map_err(|_| ConnectError::data(format!("No schema defined for {location}")))?;
            items
                .iter()
                .try_for_each(|item| validate_at(item_schema, item, &location))
        }
        Value::Map(entries) => {
            let key_location = format!("key of map {location}");
            let value_location = format!("value of map {location}");
            let key_schema = schema
                .key_schema()
                .map_err(|_| ConnectError::data(format!("No schema defined for {key_location}")))?;
            let value_schema = schema.value_schema().map_err(|_| {
                ConnectError::data(format!("No schema defined for {value_location}"))
            })?;
            entries.iter().try_for_each(|(k, v)| {
                validate_at(key_schema, k, &key_location)?;
                validate_at(value_schema, v, &value_location)
            })
        }
        _ => Ok(()),
    }
}

/// Builds a [`Schema`] (Kafka's `SchemaBuilder`).
#[derive(Debug)]
pub struct SchemaBuilder {
    inner: SchemaInner,
}

impl SchemaBuilder {
    pub fn new(schema_type: SchemaType) -> Self {
        SchemaBuilder {
            inner: SchemaInner {
                schema_type,
                optional: false,
                default_value: None,
                name: None,
                version: None,
                doc: None,
                parameters: None,
                fields: Vec::new(),
                key_schema: None,
                value_schema: None,
            },
        }
    }

    pub fn int8() -> Self {
        Self::new(SchemaType::Int8)
    }
    pub fn int16() -> Self {
        Self::new(SchemaType::Int16)
    }
    pub fn int32() -> Self {
        Self::new(SchemaType::Int32)
    }
    pub fn int64() -> Self {
        Self::new(SchemaType::Int64)
    }
    pub fn float32() -> Self {
        Self::new(SchemaType::Float32)
    }
    pub fn float64() -> Self {
        Self::new(SchemaType::Float64)
    }
    pub fn boolean() -> Self {
        Self::new(SchemaType::Boolean)
    }
    pub fn string() -> Self {
        Self::new(SchemaType::String)
    }
    pub fn bytes() -> Self {
        Self::new(SchemaType::Bytes)
    }
    pub fn struct_() -> Self {
        Self::new(SchemaType::Struct)
    }
    pub fn array(value_schema: Schema) -> Self {
        let mut builder = Self::new(SchemaType::Array);
        builder.inner.value_schema = Some(value_schema);
        builder
    }
    pub fn map(key_schema: Schema, value_schema: Schema) -> Self {
        let mut builder = Self::new(SchemaType::Map);
        builder.inner.key_schema = Some(key_schema);
        builder.inner.value_schema = Some(value_schema);
        builder
    }

    pub fn schema_type(&self) -> SchemaType {
        self.inner.schema_type
    }
    pub fn optional(mut self) -> Self {
        self.inner.optional = true;
        self
    }
    pub fn required(mut self) -> Self {
        self.inner.optional = false;
        self
    }
    pub fn set_optional(mut self, optional: bool) -> Self {
        self.inner.optional = optional;
        self
    }
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.inner.name = Some(name.into());
        self
    }
    pub fn version(mut self, version: i32) -> Self {
        self.inner.version = Some(version);
        self
    }
    pub fn doc(mut self, doc: impl Into<String>) -> Self {
        self.inner.doc = Some(doc.into());
        self
    }
    pub fn parameter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.inner
            .parameters
            .get_or_insert_with(IndexMap::new)
            .insert(key.into(), value.into());
        self
    }
    pub fn parameters<K: Into<String>, V: Into<String>>(
        mut self,
        parameters: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let map = self.inner.parameters.get_or_insert_with(IndexMap::new);
        for (k, v) in parameters {
            map.insert(k.into(), v.into());
        }
        self
    }

    /// Sets the default value; an error when it is not valid for the schema so far.
    pub fn default_value(mut self, value: Value) -> ConnectResult<Self> {
        let probe = SchemaBuilder {
            inner: SchemaInner {
                default_value: None,
                fields: self.inner.fields.clone(),
                key_schema: self.inner.key_schema.clone(),
                value_schema: self.inner.value_schema.clone(),
                parameters: self.inner.parameters.clone(),
                name: self.inner.name.clone(),
                doc: None,
                version: None,
                ..self.inner
            },
        }
        .build();
        probe
            .validate_value(&value)
            // Kafka's SchemaBuilderException("Invalid default value", cause): the reason is
            // the cause, not part of the message.
            .map_err(|e| ConnectError::data_with("Invalid default value", e))?;
        self.inner.default_value = Some(value);
        Ok(self)
    }

    /// Adds a field to a struct schema. Panics never: a duplicate or a non-struct builder
    /// is reported as an error.
    pub fn field(mut self, name: impl Into<String>, schema: Schema) -> ConnectResult<Self> {
        let name = name.into();
        if self.inner.schema_type != SchemaType::Struct {
            return Err(ConnectError::data(
                "Cannot create fields on type ".to_string() + self.inner.schema_type.name(),
            ));
        }
        if name.is_empty() {
            return Err(ConnectError::data("fieldName cannot be null."));
        }
        if self.inner.fields.iter().any(|f| f.name == name) {
            return Err(ConnectError::data(format!(
                "Cannot create field because of field name duplication {name}"
            )));
        }
        let index = self.inner.fields.len();
        self.inner.fields.push(Field::new(name, index, schema));
        Ok(self)
    }

    pub fn build(self) -> Schema {
        Schema(Arc::new(self.inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predefined_schemas_are_shared_and_typed() {
        assert_eq!(Schema::int32().schema_type(), SchemaType::Int32);
        assert!(!Schema::int32().is_optional());
        assert!(Schema::optional_string().is_optional());
        assert_eq!(Schema::string(), SchemaBuilder::string().build());
        assert_ne!(Schema::string(), Schema::optional_string());
    }

    #[test]
    fn struct_fields_keep_order_and_reject_duplicates() {
        let schema = SchemaBuilder::struct_()
            .field("b", Schema::int32())
            .and_then(|b| b.field("a", Schema::string()))
            .map(SchemaBuilder::build)
            .expect("valid schema");
        let names: Vec<_> = schema
            .fields()
            .expect("struct")
            .iter()
            .map(|f| (f.name().to_string(), f.index()))
            .collect();
        assert_eq!(names, vec![("b".to_string(), 0), ("a".to_string(), 1)]);
        let duplicate = SchemaBuilder::struct_()
            .field("a", Schema::int32())
            .and_then(|b| b.field("a", Schema::int32()));
        assert!(duplicate.is_err());
        assert!(SchemaBuilder::int32().field("x", Schema::int32()).is_err());
    }

    #[test]
    fn validate_value_checks_types_and_nulls() {
        assert!(Schema::int32().validate_value(&Value::Int32(1)).is_ok());
        let err = Schema::int32()
            .validate_value(&Value::String("x".into()))
            .expect_err("mismatch");
        assert!(err.to_string().contains("INT32"), "{err}");
        assert!(Schema::int32().validate_value(&Value::Null).is_err());
        assert!(
            Schema::optional_int32()
                .validate_value(&Value::Null)
                .is_ok()
        );
        let with_default = SchemaBuilder::int32()
            .default_value(Value::Int32(7))
            .expect("valid default")
            .build();
        // Kafka's validateValue lets null through only for an optional schema; a struct
        // field with a default may be left unset (Struct::validate), not set to null.
        assert_eq!(
            with_default
                .validate_value(&Value::Null)
                .expect_err("required")
                .to_string(),
            "Invalid value: null used for required value, schema type: INT32"
        );
        assert!(
            SchemaBuilder::int32()
                .default_value(Value::String("x".into()))
                .is_err()
        );
        let array = SchemaBuilder::array(Schema::int8()).build();
        assert!(
            array
                .validate_value(&Value::Array(vec![Value::Int8(1), Value::Int8(2)]))
                .is_ok()
        );
        assert!(
            array
                .validate_value(&Value::Array(vec![Value::Int16(1)]))
                .is_err()
        );
    }
}
