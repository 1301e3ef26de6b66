//! Values: what Kafka Connect passes around as `Object`, typed.

use std::fmt;

use bigdecimal::BigDecimal;

use super::{Field, Schema, SchemaType};
use crate::errors::{ConnectError, ConnectResult};

/// A Connect value. Logical types use their physical representation (`Date` and `Time` are
/// [`Value::Int32`], `Timestamp` is [`Value::Int64`]), except `Decimal`, which is
/// [`Value::Decimal`] so that arithmetic and scale checks stay exact.
///
/// Equality is Java's `equals`, which Kafka Connect compares values, struct fields and
/// schema defaults with: floats by their bits as `Float.equals` does (any NaN equals any
/// NaN, `0.0` is not `-0.0`), decimals with their scale as `BigDecimal.equals` does (`1.0`
/// is not `1.00`), maps whatever the order of their entries, as `Map.equals` does.
#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Int8(i8),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    Float32(f32),
    Float64(f64),
    Boolean(bool),
    String(String),
    Bytes(Vec<u8>),
    Array(Vec<Value>),
    /// Entries in insertion order; keys may be of any type, as in Kafka Connect.
    Map(Vec<(Value, Value)>),
    Struct(Struct),
    Decimal(BigDecimal),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Int8(a), Value::Int8(b)) => a == b,
            (Value::Int16(a), Value::Int16(b)) => a == b,
            (Value::Int32(a), Value::Int32(b)) => a == b,
            (Value::Int64(a), Value::Int64(b)) => a == b,
            (Value::Float32(a), Value::Float32(b)) => java_float_bits(*a) == java_float_bits(*b),
            (Value::Float64(a), Value::Float64(b)) => java_double_bits(*a) == java_double_bits(*b),
            (Value::Boolean(a), Value::Boolean(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => a == b,
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && (a == b
                        || a.iter()
                            .all(|(k, v)| b.iter().any(|(k2, v2)| k == k2 && v == v2)))
            }
            (Value::Struct(a), Value::Struct(b)) => a == b,
            (Value::Decimal(a), Value::Decimal(b)) => {
                a.as_bigint_and_exponent() == b.as_bigint_and_exponent()
            }
            _ => false,
        }
    }
}

/// `Float.floatToIntBits`: the bits, every NaN as the canonical one.
fn java_float_bits(f: f32) -> u32 {
    if f.is_nan() { 0x7fc0_0000 } else { f.to_bits() }
}

/// `Double.doubleToLongBits`: the bits, every NaN as the canonical one.
fn java_double_bits(d: f64) -> u64 {
    if d.is_nan() {
        0x7ff8_0000_0000_0000
    } else {
        d.to_bits()
    }
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_struct(&self) -> Option<&Struct> {
        match self {
            Value::Struct(s) => Some(s),
            _ => None,
        }
    }

    /// The schema type this value has when no schema is given (Kafka's
    /// `ConnectSchema.schemaType(Class)`); `None` for null.
    pub fn inferred_type(&self) -> Option<SchemaType> {
        Some(match self {
            Value::Null => return None,
            Value::Int8(_) => SchemaType::Int8,
            Value::Int16(_) => SchemaType::Int16,
            Value::Int32(_) => SchemaType::Int32,
            Value::Int64(_) => SchemaType::Int64,
            Value::Float32(_) => SchemaType::Float32,
            Value::Float64(_) => SchemaType::Float64,
            Value::Boolean(_) => SchemaType::Boolean,
            Value::String(_) => SchemaType::String,
            Value::Bytes(_) | Value::Decimal(_) => SchemaType::Bytes,
            Value::Array(_) => SchemaType::Array,
            Value::Map(_) => SchemaType::Map,
            Value::Struct(_) => SchemaType::Struct,
        })
    }

    /// The Java class Kafka Connect would hold for this value, for error messages that a
    /// Connect user recognises.
    pub fn java_class_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Int8(_) => "java.lang.Byte",
            Value::Int16(_) => "java.lang.Short",
            Value::Int32(_) => "java.lang.Integer",
            Value::Int64(_) => "java.lang.Long",
            Value::Float32(_) => "java.lang.Float",
            Value::Float64(_) => "java.lang.Double",
            Value::Boolean(_) => "java.lang.Boolean",
            Value::String(_) => "java.lang.String",
            Value::Bytes(_) => "[B",
            Value::Array(_) => "java.util.ArrayList",
            Value::Map(_) => "java.util.HashMap",
            Value::Struct(_) => "org.apache.kafka.connect.data.Struct",
            Value::Decimal(_) => "java.math.BigDecimal",
        }
    }

    /// The Java class Kafka Connect would hold for this value under `schema`: a logical
    /// `Date`, `Time` or `Timestamp` is a `java.util.Date` there, whatever its physical form
    /// here.
    pub fn java_class_name_under(&self, schema: Option<&Schema>) -> &'static str {
        use super::logical::{DATE_LOGICAL_NAME, TIME_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME};
        match (schema.and_then(Schema::name), self) {
            (Some(DATE_LOGICAL_NAME | TIME_LOGICAL_NAME), Value::Int32(_))
            | (Some(TIMESTAMP_LOGICAL_NAME), Value::Int64(_)) => "java.util.Date",
            _ => self.java_class_name(),
        }
    }

    /// Looks up a key in a map value.
    pub fn map_get(&self, key: &Value) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::String(value.to_string())
    }
}
impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::String(value)
    }
}
impl From<i32> for Value {
    fn from(value: i32) -> Self {
        Value::Int32(value)
    }
}
impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Int64(value)
    }
}
impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Value::Boolean(value)
    }
}
impl From<f64> for Value {
    fn from(value: f64) -> Self {
        Value::Float64(value)
    }
}
impl From<Struct> for Value {
    fn from(value: Struct) -> Self {
        Value::Struct(value)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Null, Into::into)
    }
}

/// A structured record value with a struct schema (Kafka's `Struct`). Every `put` is
/// validated against the field's schema; [`Struct::validate`] checks required fields.
#[derive(Clone, PartialEq)]
pub struct Struct {
    schema: Schema,
    values: Vec<Value>,
}

impl fmt::Debug for Struct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Struct{")?;
        let mut first = true;
        if let Ok(fields) = self.schema.fields() {
            for (field, value) in fields.iter().zip(&self.values) {
                if value.is_null() {
                    continue;
                }
                if !first {
                    f.write_str(",")?;
                }
                first = false;
                write!(f, "{}={:?}", field.name(), value)?;
            }
        }
        f.write_str("}")
    }
}

impl Struct {
    /// An empty struct of `schema`; an error when the schema is not a struct schema.
    pub fn new(schema: Schema) -> ConnectResult<Self> {
        if schema.schema_type() != SchemaType::Struct {
            return Err(ConnectError::data(format!(
                "Not a struct schema: {:?}",
                schema
            )));
        }
        let len = schema.fields()?.len();
        Ok(Struct {
            schema,
            values: vec![Value::Null; len],
        })
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    fn lookup(&self, name: &str) -> ConnectResult<&Field> {
        self.schema
            .field(name)?
            .ok_or_else(|| ConnectError::data(format!("{name} is not a valid field name")))
    }

    /// Sets a field after validating the value against the field's schema.
    pub fn put(&mut self, name: &str, value: impl Into<Value>) -> ConnectResult<&mut Self> {
        let value = value.into();
        let field = self.lookup(name)?;
        let index = field.index();
        super::schema::validate_field_value(Some(name), field.schema(), &value)?;
        self.values[index] = value;
        Ok(self)
    }

    /// Builder-style `put`.
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> ConnectResult<Self> {
        self.put(name, value)?;
        Ok(self)
    }

    /// The field's value, or the field schema's default when the value is null.
    pub fn get(&self, name: &str) -> ConnectResult<&Value> {
        let field = self.lookup(name)?;
        Ok(self.get_by_field(field))
    }

    pub fn get_by_field<'a>(&'a self, field: &'a Field) -> &'a Value {
        let value = &self.values[field.index()];
        if value.is_null()
            && let Some(default) = field.schema().default_value()
        {
            return default;
        }
        value
    }

    /// The raw value without falling back to the default.
    pub fn get_without_default(&self, name: &str) -> ConnectResult<&Value> {
        let field = self.lookup(name)?;
        Ok(&self.values[field.index()])
    }

    /// Checks every field's value against its schema, including required fields left null.
    pub fn validate(&self) -> ConnectResult<()> {
        for field in self.schema.fields()? {
            let value = &self.values[field.index()];
            // Kafka's Struct.validate: an unset field is fine if it may be null or has a
            // default.
            if value.is_null()
                && (field.schema().is_optional() || field.schema().default_value().is_some())
            {
                continue;
            }
            super::schema::validate_field_value(Some(field.name()), field.schema(), value)?;
        }
        Ok(())
    }

    /// Iterates `(field, value)` in field order, values without default fallback.
    pub fn iter(&self) -> impl Iterator<Item = (&Field, &Value)> {
        self.schema
            .fields()
            .unwrap_or(&[])
            .iter()
            .zip(self.values.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SchemaBuilder;

    fn person() -> Schema {
        SchemaBuilder::struct_()
            .name("person")
            .field("name", Schema::string())
            .and_then(|b| b.field("age", Schema::optional_int32()))
            .map(SchemaBuilder::build)
            .expect("schema")
    }

    #[test]
    fn put_validates_and_get_reads() {
        let mut s = Struct::new(person()).expect("struct");
        s.put("name", "ada").expect("valid");
        assert_eq!(s.get("name").expect("field"), &Value::from("ada"));
        assert_eq!(s.get("age").expect("field"), &Value::Null);
        assert!(s.put("age", "old").is_err());
        assert!(s.put("nope", 1).is_err());
        assert!(s.validate().is_ok());
    }

    #[test]
    fn validate_reports_missing_required_field() {
        let s = Struct::new(person()).expect("struct");
        let err = s.validate().expect_err("name is required");
        assert!(err.to_string().contains("\"name\""), "{err}");
    }

    #[test]
    fn struct_value_must_carry_the_same_schema() {
        let other = SchemaBuilder::struct_()
            .field("name", Schema::string())
            .map(SchemaBuilder::build)
            .expect("schema");
        let value = Struct::new(other)
            .and_then(|s| s.with("name", "x"))
            .expect("struct");
        assert!(person().validate_value(&Value::Struct(value)).is_err());
    }
}
