//! Kafka Connect's data model: schemas, values, structs and logical types.

pub mod logical;
mod schema;
mod value;

pub use logical::{Date, Decimal, Time, Timestamp};
pub use schema::{Field, Schema, SchemaBuilder, SchemaType};
pub use value::{Struct, Value};

/// A value with its (optional) schema, as converters return it.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemaAndValue {
    pub schema: Option<Schema>,
    pub value: Value,
}

impl SchemaAndValue {
    pub fn new(schema: Option<Schema>, value: Value) -> Self {
        SchemaAndValue { schema, value }
    }

    /// Kafka's `SchemaAndValue.NULL`: no schema, null value.
    pub fn null() -> Self {
        SchemaAndValue {
            schema: None,
            value: Value::Null,
        }
    }
}
