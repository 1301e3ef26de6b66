//! ValueToKeyTest.

use connect_api::sink::SinkRecord;
use connect_api::{Schema, SchemaBuilder, Value};
use connect_transforms::ValueToKey;

use crate::common::*;

fn xform(fields: &str) -> ValueToKey<SinkRecord> {
    configured(ValueToKey::new(), &[("fields", fields)])
}

#[test]
fn schemaless() {
    let value = map(&[
        ("a", Value::Int32(1)),
        ("b", Value::Int32(2)),
        ("c", Value::Int32(3)),
    ]);
    let transformed = apply(
        &xform("a,b"),
        sink("", 0, None, Value::Null, None, value.clone(), 0, None),
    );
    assert_eq!(transformed.value_schema, None);
    assert_eq!(transformed.value, value);
    assert_eq!(transformed.key_schema, None);
    assert_eq!(
        transformed.key,
        map(&[("a", Value::Int32(1)), ("b", Value::Int32(2))])
    );
}

#[test]
fn with_schema() {
    let value_schema = struct_schema(&[
        ("a", Schema::int32()),
        ("b", Schema::int32()),
        ("c", Schema::int32()),
    ]);
    let value = new_struct(
        &value_schema,
        &[
            ("a", Value::Int32(1)),
            ("b", Value::Int32(2)),
            ("c", Value::Int32(3)),
        ],
    );
    let transformed = apply(
        &xform("a,b"),
        sink(
            "",
            0,
            None,
            Value::Null,
            Some(value_schema.clone()),
            Value::Struct(value.clone()),
            0,
            None,
        ),
    );
    let expected_key_schema = struct_schema(&[("a", Schema::int32()), ("b", Schema::int32())]);
    let expected_key = new_struct(
        &expected_key_schema,
        &[("a", Value::Int32(1)), ("b", Value::Int32(2))],
    );
    assert_eq!(transformed.value_schema, Some(value_schema));
    assert_eq!(transformed.value, Value::Struct(value));
    assert_eq!(transformed.key_schema, Some(expected_key_schema));
    assert_eq!(transformed.key, Value::Struct(expected_key));
}

#[test]
fn non_existing_field() {
    let value_schema = struct_schema(&[("a", Schema::int32())]);
    let value = new_struct(&value_schema, &[("a", Value::Int32(1))]);
    let err = data_error(
        &xform("not_exist"),
        sink(
            "",
            0,
            None,
            Value::Null,
            Some(value_schema),
            Value::Struct(value),
            0,
            None,
        ),
    );
    assert_eq!(err, "Field does not exist: not_exist");
}

#[test]
fn tombstone_without_schema_is_refused() {
    let err = data_error(
        &xform("a"),
        sink("", 0, None, Value::Null, None, Value::Null, 0, None),
    );
    assert_eq!(
        err,
        "Only Map objects supported in absence of schema for [copying fields from value to key], found: null"
    );
}

#[test]
fn replace_null_with_default() {
    let value_schema = struct_schema(&[(
        "a",
        SchemaBuilder::int32()
            .optional()
            .default_value(Value::Int32(6))
            .expect("default")
            .build(),
    )]);
    let value = Value::Struct(new_struct(&value_schema, &[]));
    let record = || {
        sink(
            "",
            0,
            None,
            Value::Null,
            Some(value_schema.clone()),
            value.clone(),
            0,
            None,
        )
    };
    let replaced = apply(&xform("a"), record());
    assert_eq!(
        as_struct(&replaced.key).get_without_default("a").ok(),
        Some(&Value::Int32(6))
    );
    let keep: ValueToKey<SinkRecord> = configured(
        ValueToKey::new(),
        &[("fields", "a"), ("replace.null.with.default", "false")],
    );
    assert_eq!(
        as_struct(&apply(&keep, record()).key)
            .get_without_default("a")
            .ok(),
        Some(&Value::Null)
    );
}

#[test]
fn fields_must_not_be_empty() {
    assert_eq!(
        config_error(ValueToKey::<SinkRecord>::new(), &[("fields", "")]),
        // Kafka 4.3's ValidList.anyNonDuplicateValues(false, false).
        "Configuration 'fields' must not be empty. Valid values include: any non-empty value"
    );
}
