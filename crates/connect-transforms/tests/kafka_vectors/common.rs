//! Record and data builders shared by the vectors.

#![allow(dead_code)]

use connect_api::sink::{SinkRecord, TimestampType};
use connect_api::source::SourceRecord;
use connect_api::transforms::{Predicate, Transformation};
use connect_api::{ConnectError, Headers, Props, Schema, SchemaBuilder, Struct, Value};

pub fn props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Kafka's `new SourceRecord(null, null, topic, partition, keySchema, key, valueSchema, value, timestamp)`.
pub fn source(
    topic: &str,
    partition: Option<i32>,
    key_schema: Option<Schema>,
    key: Value,
    value_schema: Option<Schema>,
    value: Value,
    timestamp: Option<i64>,
) -> SourceRecord {
    SourceRecord::new(
        Default::default(),
        Default::default(),
        topic,
        value_schema,
        value,
    )
    .with_key(key_schema, key)
    .with_partition(partition)
    .with_timestamp(timestamp)
}

/// A source record with only a value.
pub fn source_value(value_schema: Option<Schema>, value: Value) -> SourceRecord {
    source(
        "topic",
        Some(0),
        None,
        Value::Null,
        value_schema,
        value,
        None,
    )
}

/// A source record with only a key.
pub fn source_key(key_schema: Option<Schema>, key: Value) -> SourceRecord {
    source("topic", Some(0), key_schema, key, None, Value::Null, None)
}

/// Kafka's `new SinkRecord(topic, partition, keySchema, key, valueSchema, value, offset, timestamp, type)`.
#[allow(clippy::too_many_arguments)]
pub fn sink(
    topic: &str,
    partition: i32,
    key_schema: Option<Schema>,
    key: Value,
    value_schema: Option<Schema>,
    value: Value,
    offset: i64,
    timestamp: Option<i64>,
) -> SinkRecord {
    SinkRecord {
        topic: topic.to_string(),
        kafka_partition: partition,
        kafka_offset: offset,
        key_schema,
        key,
        value_schema,
        value,
        timestamp,
        timestamp_type: TimestampType::CreateTime,
        headers: Headers::new(),
        original_topic: topic.to_string(),
        original_kafka_partition: partition,
    }
}

pub fn map(entries: &[(&str, Value)]) -> Value {
    Value::Map(
        entries
            .iter()
            .map(|(k, v)| (Value::String(k.to_string()), v.clone()))
            .collect(),
    )
}

/// A schemaless map's entry.
pub fn entry<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    value.map_get(&Value::String(key.to_string()))
}

/// The number of entries of a schemaless map.
pub fn map_len(value: &Value) -> usize {
    match value {
        Value::Map(entries) => entries.len(),
        _ => 0,
    }
}

/// Two schemaless maps with the same entries, in any order (Java's `HashMap.equals`).
pub fn same_entries(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| b.map_get(k) == Some(v))
        }
        _ => a == b,
    }
}

pub fn struct_schema(fields: &[(&str, Schema)]) -> Schema {
    struct_builder(fields).build()
}

pub fn struct_builder(fields: &[(&str, Schema)]) -> SchemaBuilder {
    fields
        .iter()
        .try_fold(SchemaBuilder::struct_(), |b, (name, schema)| {
            b.field(*name, schema.clone())
        })
        .expect("valid struct schema")
}

pub fn new_struct(schema: &Schema, values: &[(&str, Value)]) -> Struct {
    values
        .iter()
        .try_fold(
            Struct::new(schema.clone()).expect("struct schema"),
            |s, (k, v)| s.with(k, v.clone()),
        )
        .expect("valid struct")
}

pub fn as_struct(value: &Value) -> &Struct {
    value.as_struct().expect("a struct")
}

/// A struct field's value (with the default fallback, as Kafka's `Struct.get`).
pub fn get<'a>(value: &'a Value, field: &str) -> &'a Value {
    as_struct(value).get(field).expect("field exists")
}

pub fn configured<R, T: Transformation<R>>(mut transform: T, pairs: &[(&str, &str)]) -> T
where
    R: connect_api::ConnectRecord,
{
    transform.configure(&props(pairs)).expect("valid config");
    transform
}

pub fn configured_predicate<R, P: Predicate<R>>(mut predicate: P, pairs: &[(&str, &str)]) -> P
where
    R: connect_api::ConnectRecord,
{
    predicate.configure(&props(pairs)).expect("valid config");
    predicate
}

pub fn apply<R: connect_api::ConnectRecord, T: Transformation<R>>(transform: &T, record: R) -> R {
    transform
        .apply(record)
        .expect("transformed")
        .expect("not dropped")
}

/// The error `apply` fails with, whatever its kind.
pub fn apply_error<R: connect_api::ConnectRecord, T: Transformation<R>>(
    transform: &T,
    record: R,
) -> ConnectError {
    match transform.apply(record) {
        Err(e) => e,
        Ok(_) => panic!("expected an error, got a record"),
    }
}

pub fn data_error<R: connect_api::ConnectRecord, T: Transformation<R>>(
    transform: &T,
    record: R,
) -> String {
    match transform.apply(record) {
        Err(e @ ConnectError::Data { .. }) => e.to_string(),
        Err(other) => panic!("expected a data error, got {other:?}"),
        Ok(_) => panic!("expected a data error, got a record"),
    }
}

pub fn config_error<R: connect_api::ConnectRecord, T: Transformation<R>>(
    mut transform: T,
    pairs: &[(&str, &str)],
) -> String {
    match transform.configure(&props(pairs)) {
        Err(e @ ConnectError::Config(_)) => e.to_string(),
        Err(other) => panic!("expected a config error, got {other:?}"),
        Ok(()) => panic!("expected a config error"),
    }
}

pub fn bytes(text: &str) -> Value {
    Value::Bytes(text.as_bytes().to_vec())
}

pub fn s(text: &str) -> Value {
    Value::String(text.to_string())
}
