//! InsertFieldTest.

use connect_api::data::Timestamp;
use connect_api::sink::SinkRecord;
use connect_api::source::SourceRecord;
use connect_api::{Schema, SchemaBuilder, Value};
use connect_transforms::InsertField;

use crate::common::*;

const FIELDS: [(&str, &str); 5] = [
    ("topic.field", "topic_field!"),
    ("partition.field", "partition_field"),
    ("timestamp.field", "timestamp_field?"),
    ("static.field", "instance_id"),
    ("static.value", "my-instance-id"),
];

fn value_xform() -> InsertField<SourceRecord> {
    configured(InsertField::value(), &FIELDS)
}

#[test]
fn top_level_struct_required() {
    let xform: InsertField<SourceRecord> =
        configured(InsertField::value(), &[("topic.field", "topic_field")]);
    let err = data_error(
        &xform,
        source_value(Some(Schema::int32()), Value::Int32(42)),
    );
    assert_eq!(
        err,
        "Only Struct objects supported for [field insertion], found: java.lang.Integer"
    );
    let err = data_error(&xform, source_value(None, Value::Int32(42)));
    assert_eq!(
        err,
        "Only Map objects supported in absence of schema for [field insertion], found: java.lang.Integer"
    );
}

#[test]
fn copy_schema_and_insert_configured_fields() {
    let schema = SchemaBuilder::struct_()
        .name("name")
        .version(1)
        .doc("doc")
        .field("magic", Schema::optional_int64())
        .expect("schema")
        .build();
    let value = new_struct(&schema, &[("magic", Value::Int64(42))]);
    let record = source(
        "test",
        Some(0),
        None,
        Value::Null,
        Some(schema.clone()),
        Value::Struct(value),
        Some(1_483_425_001_864),
    );
    let xform = value_xform();
    let transformed = apply(&xform, record.clone());

    let updated = transformed.value_schema.clone().expect("schema");
    assert_eq!(updated.name(), Some("name"));
    assert_eq!(updated.version(), Some(1));
    assert_eq!(updated.doc(), Some("doc"));
    let field = |name: &str| {
        updated
            .field(name)
            .ok()
            .flatten()
            .map(|f| f.schema().clone())
    };
    assert_eq!(field("magic"), Some(Schema::optional_int64()));
    assert_eq!(get(&transformed.value, "magic"), &Value::Int64(42));
    assert_eq!(field("topic_field"), Some(Schema::string()));
    assert_eq!(get(&transformed.value, "topic_field"), &s("test"));
    assert_eq!(field("partition_field"), Some(Schema::optional_int32()));
    assert_eq!(get(&transformed.value, "partition_field"), &Value::Int32(0));
    assert_eq!(
        field("timestamp_field"),
        Some(Timestamp::builder().optional().build())
    );
    assert_eq!(
        get(&transformed.value, "timestamp_field"),
        &Value::Int64(1_483_425_001_864)
    );
    assert_eq!(field("instance_id"), Some(Schema::optional_string()));
    assert_eq!(get(&transformed.value, "instance_id"), &s("my-instance-id"));

    // Exercise the schema cache.
    let again = apply(&xform, record);
    assert_eq!(again.value_schema, transformed.value_schema);
}

#[test]
fn schemaless_insert_configured_fields() {
    let record = source(
        "test",
        Some(0),
        None,
        Value::Null,
        None,
        map(&[("magic", Value::Int64(42))]),
        None,
    );
    let transformed = apply(&value_xform(), record);
    let v = &transformed.value;
    assert_eq!(entry(v, "magic"), Some(&Value::Int64(42)));
    assert_eq!(entry(v, "topic_field"), Some(&s("test")));
    assert_eq!(entry(v, "partition_field"), Some(&Value::Int32(0)));
    assert_eq!(entry(v, "timestamp_field"), None);
    assert_eq!(entry(v, "instance_id"), Some(&s("my-instance-id")));
}

#[test]
fn insert_configured_fields_into_tombstone_event_without_schema_leaves_value_unchanged() {
    let record = source("test", Some(0), None, Value::Null, None, Value::Null, None);
    let transformed = apply(&value_xform(), record.clone());
    assert_eq!(transformed, record);
}

#[test]
fn insert_configured_fields_into_tombstone_event_with_schema_leaves_value_unchanged() {
    let schema = struct_builder(&[("magic", Schema::optional_int64())])
        .optional()
        .build();
    let record = source(
        "test",
        Some(0),
        None,
        Value::Null,
        Some(schema),
        Value::Null,
        None,
    );
    assert_eq!(apply(&value_xform(), record.clone()), record);
}

#[test]
fn insert_key_fields_into_tombstone_event() {
    let xform: InsertField<SourceRecord> = configured(InsertField::key(), &FIELDS);
    let record = source(
        "test",
        Some(0),
        None,
        map(&[("magic", Value::Int64(42))]),
        None,
        Value::Null,
        None,
    );
    let transformed = apply(&xform, record);
    assert_eq!(entry(&transformed.key, "magic"), Some(&Value::Int64(42)));
    assert_eq!(entry(&transformed.key, "topic_field"), Some(&s("test")));
    assert_eq!(
        entry(&transformed.key, "instance_id"),
        Some(&s("my-instance-id"))
    );
    assert_eq!(transformed.value, Value::Null);
}

#[test]
fn insert_into_null_key_leaves_record_unchanged() {
    let xform: InsertField<SourceRecord> = configured(InsertField::key(), &FIELDS);
    let record = source(
        "test",
        Some(0),
        None,
        Value::Null,
        None,
        map(&[("magic", Value::Int64(42))]),
        None,
    );
    assert_eq!(apply(&xform, record.clone()), record);
}

#[test]
fn offset_field_for_sink_records() {
    let xform: InsertField<SinkRecord> =
        configured(InsertField::value(), &[("offset.field", "offset!")]);
    let schema = struct_schema(&[("magic", Schema::int32())]);
    let value = new_struct(&schema, &[("magic", Value::Int32(1))]);
    let transformed = apply(
        &xform,
        sink(
            "t",
            3,
            None,
            Value::Null,
            Some(schema),
            Value::Struct(value),
            77,
            None,
        ),
    );
    assert_eq!(get(&transformed.value, "offset"), &Value::Int64(77));
    let field = transformed
        .value_schema
        .and_then(|s| s.field("offset").ok().flatten().map(|f| f.schema().clone()));
    assert_eq!(field, Some(Schema::int64()));
    let schemaless = apply(
        &xform,
        sink("t", 3, None, Value::Null, None, map(&[]), 78, None),
    );
    assert_eq!(entry(&schemaless.value, "offset"), Some(&Value::Int64(78)));
}

#[test]
fn offset_field_refuses_source_records() {
    let xform: InsertField<SourceRecord> =
        configured(InsertField::value(), &[("offset.field", "offset")]);
    let err = data_error(&xform, source_value(None, map(&[])));
    assert_eq!(
        err,
        "Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord"
    );
}

#[test]
fn partition_and_timestamp_only_when_present() {
    let xform: InsertField<SourceRecord> = configured(
        InsertField::value(),
        &[("partition.field", "p"), ("timestamp.field", "ts")],
    );
    let schema = struct_schema(&[("a", Schema::int32())]);
    let value = new_struct(&schema, &[("a", Value::Int32(1))]);
    let record = source(
        "t",
        None,
        None,
        Value::Null,
        Some(schema),
        Value::Struct(value),
        None,
    );
    let transformed = apply(&xform, record);
    assert_eq!(get(&transformed.value, "p"), &Value::Null);
    assert_eq!(get(&transformed.value, "ts"), &Value::Null);
}

#[test]
fn existing_field_name_is_a_duplicate() {
    let xform: InsertField<SourceRecord> =
        configured(InsertField::value(), &[("topic.field", "a")]);
    let schema = struct_schema(&[("a", Schema::int32())]);
    let value = new_struct(&schema, &[("a", Value::Int32(1))]);
    let err = data_error(&xform, source_value(Some(schema), Value::Struct(value)));
    assert_eq!(
        err,
        "Cannot create field because of field name duplication a"
    );
}

#[test]
fn replace_null_with_default() {
    let schema = struct_schema(&[(
        "a",
        SchemaBuilder::int32()
            .optional()
            .default_value(Value::Int32(3))
            .expect("default")
            .build(),
    )]);
    let record = || {
        source_value(
            Some(schema.clone()),
            Value::Struct(new_struct(&schema, &[])),
        )
    };
    let replace: InsertField<SourceRecord> =
        configured(InsertField::value(), &[("topic.field", "t")]);
    let transformed = apply(&replace, record());
    assert_eq!(
        as_struct(&transformed.value).get_without_default("a").ok(),
        Some(&Value::Int32(3))
    );
    let keep: InsertField<SourceRecord> = configured(
        InsertField::value(),
        &[("topic.field", "t"), ("replace.null.with.default", "false")],
    );
    let transformed = apply(&keep, record());
    assert_eq!(
        as_struct(&transformed.value).get_without_default("a").ok(),
        Some(&Value::Null)
    );
}

#[test]
fn config_errors() {
    assert_eq!(
        config_error(InsertField::<SourceRecord>::value(), &[]),
        "No field insertion configured"
    );
    assert_eq!(
        config_error(
            InsertField::<SourceRecord>::value(),
            &[("static.field", "s")]
        ),
        "Invalid value null for configuration static.value: No value specified for static field: s"
    );
}
