//! SetSchemaMetadataTest.

use connect_api::sink::SinkRecord;
use connect_api::{Schema, SchemaBuilder, Value};
use connect_transforms::SetSchemaMetadata;

use crate::common::*;

fn record(schema: Option<Schema>, value: Value) -> SinkRecord {
    sink("", 0, None, Value::Null, schema, value, 0, None)
}

fn xform(pairs: &[(&str, &str)]) -> SetSchemaMetadata<SinkRecord> {
    configured(SetSchemaMetadata::value(), pairs)
}

#[test]
fn schema_name_update() {
    let updated = apply(
        &xform(&[("schema.name", "foo")]),
        record(Some(SchemaBuilder::struct_().build()), Value::Null),
    );
    assert_eq!(
        updated
            .value_schema
            .and_then(|s| s.name().map(str::to_string)),
        Some("foo".to_string())
    );
}

#[test]
fn schema_version_update() {
    let updated = apply(
        &xform(&[("schema.version", "42")]),
        record(Some(SchemaBuilder::struct_().build()), Value::Null),
    );
    assert_eq!(updated.value_schema.and_then(|s| s.version()), Some(42));
}

#[test]
fn schema_name_and_version_update() {
    let updated = apply(
        &xform(&[("schema.name", "foo"), ("schema.version", "42")]),
        record(Some(SchemaBuilder::struct_().build()), Value::Null),
    );
    let schema = updated.value_schema.expect("schema");
    assert_eq!((schema.name(), schema.version()), (Some("foo"), Some(42)));
}

#[test]
fn schema_name_and_version_update_with_struct() {
    let field_name = "stringField";
    let schema = SchemaBuilder::struct_()
        .name("my.orig.SchemaDefn")
        .field(field_name, Schema::string())
        .expect("schema")
        .build();
    let value = Value::Struct(new_struct(&schema, &[(field_name, s("value"))]));
    let updated = apply(
        &xform(&[("schema.name", "foo"), ("schema.version", "42")]),
        record(Some(schema), value),
    );
    let new_schema = updated.value_schema.clone().expect("schema");
    assert_eq!(
        (new_schema.name(), new_schema.version()),
        (Some("foo"), Some(42))
    );
    let new_value = as_struct(&updated.value);
    assert_eq!(new_value.schema(), &new_schema);
    assert_eq!(new_value.get(field_name).ok(), Some(&s("value")));
    assert_eq!(new_schema.fields().map(<[_]>::len).ok(), Some(1));
}

#[test]
fn update_schema_of_struct_keeps_everything_else() {
    let schema = SchemaBuilder::struct_()
        .name("my.orig.SchemaDefn")
        .version(1)
        .doc("doc")
        .parameter("p", "v")
        .optional()
        .field("a", Schema::int32())
        .expect("schema")
        .build();
    let updated = apply(
        &xform(&[("schema.name", "renamed")]),
        record(Some(schema.clone()), Value::Null),
    );
    let new_schema = updated.value_schema.expect("schema");
    assert_eq!(new_schema.name(), Some("renamed"));
    assert_eq!(new_schema.version(), Some(1));
    assert_eq!(new_schema.doc(), Some("doc"));
    assert_eq!(new_schema.parameter("p"), Some("v"));
    assert!(new_schema.is_optional());
    assert_eq!(new_schema.fields().ok(), schema.fields().ok());
}

#[test]
fn update_schema_of_non_struct() {
    let updated = apply(
        &xform(&[("schema.name", "foo")]),
        record(Some(Schema::int32()), Value::Int32(42)),
    );
    assert_eq!(updated.value, Value::Int32(42));
    let schema = updated.value_schema.expect("schema");
    assert_eq!(
        (schema.name(), schema.schema_type()),
        (Some("foo"), connect_api::SchemaType::Int32)
    );
}

#[test]
fn update_schema_of_map_and_array() {
    let map_schema = SchemaBuilder::map(Schema::string(), Schema::int32()).build();
    let updated = apply(
        &xform(&[("schema.name", "m")]),
        record(Some(map_schema), map(&[("a", Value::Int32(1))])),
    );
    let schema = updated.value_schema.expect("schema");
    assert_eq!(schema.key_schema().ok(), Some(&Schema::string()));
    assert_eq!(schema.value_schema().ok(), Some(&Schema::int32()));
}

#[test]
fn ignore_record_with_null_value_and_schema() {
    let original = record(None, Value::Null);
    assert_eq!(
        apply(&xform(&[("schema.name", "foo")]), original.clone()),
        original
    );
}

#[test]
fn value_schema_required() {
    let err = data_error(
        &xform(&[("schema.name", "foo")]),
        record(None, Value::Int32(42)),
    );
    assert_eq!(err, "Schema required for [updating schema metadata]");
}

#[test]
fn neither_name_nor_version() {
    assert_eq!(
        config_error(SetSchemaMetadata::<SinkRecord>::value(), &[]),
        "Neither schema name nor version configured"
    );
    assert_eq!(
        config_error(
            SetSchemaMetadata::<SinkRecord>::value(),
            &[("schema.version", "x")]
        ),
        "Invalid value x for configuration schema.version: Not a number of type INT"
    );
}

#[test]
fn key_variant() {
    let key_xform: SetSchemaMetadata<SinkRecord> =
        configured(SetSchemaMetadata::key(), &[("schema.name", "k")]);
    let updated = apply(
        &key_xform,
        sink(
            "t",
            0,
            Some(Schema::string()),
            s("key"),
            None,
            Value::Null,
            0,
            None,
        ),
    );
    assert_eq!(
        updated
            .key_schema
            .and_then(|s| s.name().map(str::to_string)),
        Some("k".to_string())
    );
    assert_eq!(updated.key, s("key"));
}

#[test]
fn replace_null_with_default() {
    let schema = struct_schema(&[(
        "a",
        SchemaBuilder::int32()
            .optional()
            .default_value(Value::Int32(8))
            .expect("default")
            .build(),
    )]);
    let value = Value::Struct(new_struct(&schema, &[]));
    let replaced = apply(
        &xform(&[("schema.name", "n")]),
        record(Some(schema.clone()), value.clone()),
    );
    assert_eq!(
        as_struct(&replaced.value).get_without_default("a").ok(),
        Some(&Value::Int32(8))
    );
    let kept = apply(
        &xform(&[("schema.name", "n"), ("replace.null.with.default", "false")]),
        record(Some(schema), value),
    );
    assert_eq!(
        as_struct(&kept.value).get_without_default("a").ok(),
        Some(&Value::Null)
    );
}
