//! ExtractFieldTest.

use connect_api::source::SourceRecord;
use connect_api::{ConnectError, Schema, SchemaBuilder, Value};
use connect_transforms::ExtractField;

use crate::common::*;

fn key(field: &str) -> ExtractField<SourceRecord> {
    configured(ExtractField::key(), &[("field", field)])
}

fn key_v2(field: &str) -> ExtractField<SourceRecord> {
    configured(
        ExtractField::key(),
        &[("field", field), ("field.syntax.version", "V2")],
    )
}

#[test]
fn schemaless() {
    let transformed = apply(
        &key("magic"),
        source_key(None, map(&[("magic", Value::Int32(42))])),
    );
    assert_eq!(transformed.key_schema, None);
    assert_eq!(transformed.key, Value::Int32(42));
}

#[test]
fn schemaless_nested_path() {
    let nested = map(&[("magic", map(&[("foo", Value::Int32(42))]))]);
    let transformed = apply(&key_v2("magic.foo"), source_key(None, nested.clone()));
    assert_eq!(transformed.key, Value::Int32(42));
    // V1 reads the dotted name at the root.
    let transformed = apply(&key("magic.foo"), source_key(None, nested));
    assert_eq!(transformed.key, Value::Null);
    let dotted = map(&[("magic.foo", Value::Int32(7))]);
    assert_eq!(
        apply(&key("magic.foo"), source_key(None, dotted.clone())).key,
        Value::Int32(7)
    );
    assert_eq!(
        apply(&key_v2("`magic.foo`"), source_key(None, dotted)).key,
        Value::Int32(7)
    );
}

#[test]
fn null_schemaless() {
    let transformed = apply(&key("magic"), source_key(None, Value::Null));
    assert_eq!(transformed.key_schema, None);
    assert_eq!(transformed.key, Value::Null);
}

#[test]
fn with_schema() {
    let schema = struct_schema(&[("magic", Schema::int32())]);
    let record = new_struct(&schema, &[("magic", Value::Int32(42))]);
    let transformed = apply(
        &key("magic"),
        source_key(Some(schema), Value::Struct(record)),
    );
    assert_eq!(transformed.key_schema, Some(Schema::int32()));
    assert_eq!(transformed.key, Value::Int32(42));
}

#[test]
fn with_schema_nested_path() {
    let inner = struct_schema(&[("foo", Schema::int32())]);
    let schema = struct_schema(&[("magic", inner.clone())]);
    let record = new_struct(
        &schema,
        &[(
            "magic",
            Value::Struct(new_struct(&inner, &[("foo", Value::Int32(42))])),
        )],
    );
    let transformed = apply(
        &key_v2("magic.foo"),
        source_key(Some(schema), Value::Struct(record)),
    );
    assert_eq!(transformed.key_schema, Some(Schema::int32()));
    assert_eq!(transformed.key, Value::Int32(42));
}

#[test]
fn null_with_schema() {
    let schema = struct_builder(&[("magic", Schema::int32())])
        .optional()
        .build();
    let transformed = apply(&key("magic"), source_key(Some(schema), Value::Null));
    assert_eq!(transformed.key_schema, Some(Schema::int32()));
    assert_eq!(transformed.key, Value::Null);
}

#[test]
fn non_existent_field_schemaless_should_return_null() {
    let transformed = apply(
        &key("nonexistent"),
        source_key(None, map(&[("magic", Value::Int32(42))])),
    );
    assert_eq!(transformed.key_schema, None);
    assert_eq!(transformed.key, Value::Null);
    let transformed = apply(
        &key_v2("magic.nonexistent"),
        source_key(None, map(&[("magic", map(&[]))])),
    );
    assert_eq!(transformed.key, Value::Null);
}

#[test]
fn non_existent_field_with_schema_should_fail() {
    let schema = struct_schema(&[("magic", Schema::int32())]);
    let record = new_struct(&schema, &[("magic", Value::Int32(42))]);
    // Kafka throws an IllegalArgumentException here, not a DataException.
    let err = apply_error(
        &key("nonexistent"),
        source_key(Some(schema.clone()), Value::Struct(record.clone())),
    );
    assert!(
        matches!(&err, ConnectError::InvalidArgument { message } if message == "Unknown field: nonexistent"),
        "{err:?}"
    );
    let err = data_error(
        &key_v2("magic.nonexistent"),
        source_key(Some(schema), Value::Struct(record)),
    );
    assert_eq!(err, "Cannot look up fields on non-struct type");
}

#[test]
fn requires_struct_or_map() {
    let err = data_error(&key("magic"), source_key(None, Value::Int32(42)));
    assert_eq!(
        err,
        "Only Map objects supported in absence of schema for [field extraction], found: java.lang.Integer"
    );
    let schema = struct_schema(&[("magic", Schema::int32())]);
    let err = data_error(&key("magic"), source_key(Some(schema), Value::Int32(42)));
    assert_eq!(
        err,
        "Only Struct objects supported for [field extraction], found: java.lang.Integer"
    );
}

#[test]
fn value_variant_extracts_from_the_value() {
    let xform = configured(ExtractField::<SourceRecord>::value(), &[("field", "magic")]);
    let transformed = apply(&xform, source_value(None, map(&[("magic", s("x"))])));
    assert_eq!(transformed.value, s("x"));
}

#[test]
fn replace_null_with_default() {
    let schema = struct_schema(&[(
        "magic",
        SchemaBuilder::int32()
            .optional()
            .default_value(Value::Int32(5))
            .expect("default")
            .build(),
    )]);
    let record = new_struct(&schema, &[]);
    let transformed = apply(
        &key("magic"),
        source_key(Some(schema.clone()), Value::Struct(record.clone())),
    );
    assert_eq!(transformed.key, Value::Int32(5));
    let keep_null = configured(
        ExtractField::<SourceRecord>::key(),
        &[("field", "magic"), ("replace.null.with.default", "false")],
    );
    assert_eq!(
        apply(&keep_null, source_key(Some(schema), Value::Struct(record))).key,
        Value::Null
    );
}

#[test]
fn syntax_version_is_validated() {
    assert_eq!(
        config_error(
            ExtractField::<SourceRecord>::key(),
            &[("field", "a"), ("field.syntax.version", "V3")]
        ),
        "Invalid value V3 for configuration field.syntax.version: String must be one of (case insensitive): V1, V2"
    );
    assert!(
        configured(
            ExtractField::<SourceRecord>::key(),
            &[("field", "a"), ("field.syntax.version", "v2")]
        )
        .config_def_has_syntax_key()
    );
    assert_eq!(
        config_error(
            ExtractField::<SourceRecord>::key(),
            &[("field", "`a"), ("field.syntax.version", "V2")]
        ),
        "Incomplete backtick pair in path: [`a], consider adding a backslash before backtick at position 0 to escape it"
    );
}

trait SyntaxKey {
    fn config_def_has_syntax_key(&self) -> bool;
}

impl SyntaxKey for ExtractField<SourceRecord> {
    fn config_def_has_syntax_key(&self) -> bool {
        connect_api::transforms::Transformation::<SourceRecord>::config_def(self)
            .key("field.syntax.version")
            .is_some()
    }
}
