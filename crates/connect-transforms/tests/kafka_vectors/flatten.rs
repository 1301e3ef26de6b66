//! FlattenTest.

use connect_api::source::SourceRecord;
use connect_api::{Schema, SchemaBuilder, SchemaType, Struct, Value};
use connect_transforms::Flatten;

use crate::common::*;

fn value_xform(pairs: &[(&str, &str)]) -> Flatten<SourceRecord> {
    configured(Flatten::value(), pairs)
}

fn supported_types_schema() -> Schema {
    struct_schema(&[
        ("int8", Schema::int8()),
        ("int16", Schema::int16()),
        ("int32", Schema::int32()),
        ("int64", Schema::int64()),
        ("float32", Schema::float32()),
        ("float64", Schema::float64()),
        ("boolean", Schema::boolean()),
        ("string", Schema::string()),
        ("bytes", Schema::bytes()),
    ])
}

fn supported_values() -> Vec<(&'static str, Value)> {
    vec![
        ("int8", Value::Int8(8)),
        ("int16", Value::Int16(16)),
        ("int32", Value::Int32(32)),
        ("int64", Value::Int64(64)),
        ("float32", Value::Float32(32.0)),
        ("float64", Value::Float64(64.0)),
        ("boolean", Value::Boolean(true)),
        ("string", s("stringy")),
        ("bytes", bytes("bytes")),
    ]
}

#[test]
fn top_level_struct_required() {
    let err = data_error(
        &value_xform(&[]),
        source_value(Some(Schema::int32()), Value::Int32(42)),
    );
    assert_eq!(
        err,
        "Only Struct objects supported for [flattening], found: java.lang.Integer"
    );
}

#[test]
fn top_level_map_required() {
    let err = data_error(&value_xform(&[]), source_value(None, Value::Int32(42)));
    assert_eq!(
        err,
        "Only Map objects supported in absence of schema for [flattening], found: java.lang.Integer"
    );
}

#[test]
fn nested_struct() {
    let supported = supported_types_schema();
    let one_level = struct_schema(&[("B", supported.clone())]);
    let two_level = struct_schema(&[("A", one_level.clone())]);
    let b = new_struct(&supported, &supported_values());
    let a = new_struct(&one_level, &[("B", Value::Struct(b))]);
    let root = new_struct(&two_level, &[("A", Value::Struct(a))]);

    let transformed = apply(
        &value_xform(&[]),
        source_value(Some(two_level), Value::Struct(root)),
    );
    assert_eq!(
        transformed.value_schema.as_ref().map(Schema::schema_type),
        Some(SchemaType::Struct)
    );
    let flat = as_struct(&transformed.value);
    assert_eq!(flat.schema().fields().map(<[_]>::len).ok(), Some(9));
    for (name, value) in supported_values() {
        assert_eq!(
            flat.get(&format!("A.B.{name}")).ok(),
            Some(&value),
            "{name}"
        );
    }
}

#[test]
fn nested_map_with_delimiter() {
    let supported = map(&supported_values());
    let nested = map(&[("A", map(&[("B", supported)]))]);
    let transformed = apply(
        &value_xform(&[("delimiter", "#")]),
        source_value(None, nested),
    );
    assert_eq!(transformed.value_schema, None);
    assert_eq!(map_len(&transformed.value), 9);
    for (name, value) in supported_values() {
        assert_eq!(
            entry(&transformed.value, &format!("A#B#{name}")),
            Some(&value),
            "{name}"
        );
    }
}

#[test]
fn optional_field_struct() {
    let supported = struct_schema(&[("opt_int32", Schema::optional_int32())]);
    let one_level = struct_schema(&[("B", supported.clone())]);
    let b = new_struct(&supported, &[("opt_int32", Value::Null)]);
    let root = new_struct(&one_level, &[("B", Value::Struct(b))]);
    let transformed = apply(
        &value_xform(&[]),
        source_value(Some(one_level), Value::Struct(root)),
    );
    assert_eq!(get(&transformed.value, "B.opt_int32"), &Value::Null);
}

#[test]
fn optional_struct() {
    let schema = struct_builder(&[("opt_int32", Schema::optional_int32())])
        .optional()
        .build();
    let transformed = apply(&value_xform(&[]), source_value(Some(schema), Value::Null));
    assert_eq!(
        transformed.value_schema.as_ref().map(Schema::schema_type),
        Some(SchemaType::Struct)
    );
    assert_eq!(transformed.value, Value::Null);
}

#[test]
fn optional_nested_struct() {
    let supported = struct_builder(&[("opt_int32", Schema::optional_int32())])
        .optional()
        .build();
    let one_level = struct_schema(&[("B", supported)]);
    let root = new_struct(&one_level, &[("B", Value::Null)]);
    let transformed = apply(
        &value_xform(&[]),
        source_value(Some(one_level), Value::Struct(root)),
    );
    assert_eq!(
        transformed.value_schema.as_ref().map(Schema::schema_type),
        Some(SchemaType::Struct)
    );
    assert_eq!(get(&transformed.value, "B.opt_int32"), &Value::Null);
    let field = as_struct(&transformed.value)
        .schema()
        .field("B.opt_int32")
        .ok()
        .flatten()
        .map(|f| f.schema().clone());
    assert_eq!(field, Some(Schema::optional_int32()));
}

#[test]
fn required_fields_under_an_optional_struct_become_optional() {
    let inner = struct_builder(&[("req", Schema::int32())])
        .optional()
        .build();
    let outer = struct_schema(&[("B", inner)]);
    let root = new_struct(&outer, &[("B", Value::Null)]);
    let transformed = apply(
        &value_xform(&[]),
        source_value(Some(outer), Value::Struct(root)),
    );
    let field = as_struct(&transformed.value)
        .schema()
        .field("B.req")
        .ok()
        .flatten()
        .map(|f| f.schema().clone());
    assert_eq!(field, Some(Schema::optional_int32()));
    assert_eq!(get(&transformed.value, "B.req"), &Value::Null);
}

#[test]
fn optional_field_map() {
    let nested = map(&[("B", map(&[("opt_int32", Value::Null)]))]);
    let transformed = apply(&value_xform(&[]), source_value(None, nested));
    assert_eq!(transformed.value_schema, None);
    assert_eq!(entry(&transformed.value, "B.opt_int32"), Some(&Value::Null));
}

#[test]
fn key() {
    let xform: Flatten<SourceRecord> = configured(Flatten::key(), &[]);
    let key = map(&[("A", map(&[("B", Value::Int32(12))]))]);
    let transformed = apply(
        &xform,
        source("topic", None, None, key, None, Value::Null, None),
    );
    assert_eq!(transformed.key_schema, None);
    assert_eq!(entry(&transformed.key, "A.B"), Some(&Value::Int32(12)));
}

#[test]
fn schemaless_array() {
    let value = map(&[(
        "foo",
        Value::Array(vec![s("bar"), map(&[("baz", map(&[("lfg", s("lfg"))]))])]),
    )]);
    let transformed = apply(&value_xform(&[]), source_value(None, value.clone()));
    assert_eq!(transformed.value, value);
}

#[test]
fn array_with_schema() {
    let nested_schema = struct_schema(&[("lfg", Schema::string())]);
    let inner_schema = struct_schema(&[("baz", nested_schema.clone())]);
    let array_schema = SchemaBuilder::array(inner_schema.clone())
        .doc("durk")
        .build();
    let schema = struct_schema(&[("foo", array_schema)]);
    let nested = new_struct(&nested_schema, &[("lfg", s("lfg"))]);
    let inner = new_struct(&inner_schema, &[("baz", Value::Struct(nested))]);
    let value = new_struct(
        &schema,
        &[("foo", Value::Array(vec![Value::Struct(inner)]))],
    );
    let transformed = apply(
        &value_xform(&[]),
        source_value(Some(schema.clone()), Value::Struct(value.clone())),
    );
    assert_eq!(transformed.value, Value::Struct(value));
    assert_eq!(transformed.value_schema, Some(schema));
}

#[test]
fn optional_and_default_values_nested() {
    // The child struct is optional and has a default; its flattened fields become optional
    // and take their defaults from the parent's default where they have none of their own.
    let base = || {
        struct_builder(&[
            ("req_field", Schema::string()),
            (
                "opt_field",
                SchemaBuilder::string()
                    .optional()
                    .default_value(s("child_default"))
                    .expect("default")
                    .build(),
            ),
        ])
        .optional()
    };
    let default = new_struct(&base().build(), &[("req_field", s("req_default"))]);
    let schema = base()
        .default_value(Value::Struct(default))
        .expect("default")
        .build();
    let value = Struct::new(schema.clone()).expect("struct");
    let transformed = apply(
        &value_xform(&[]),
        source_value(Some(schema), Value::Struct(value)),
    );
    let flat_schema = transformed.value_schema.expect("schema");
    assert_eq!(flat_schema.schema_type(), SchemaType::Struct);
    assert_eq!(flat_schema.fields().map(<[_]>::len).ok(), Some(2));
    let field = |name: &str| {
        flat_schema
            .field(name)
            .ok()
            .flatten()
            .map(|f| f.schema().clone())
    };
    let expected_req = SchemaBuilder::string()
        .optional()
        .default_value(s("req_default"))
        .expect("default")
        .build();
    assert_eq!(field("req_field"), Some(expected_req));
    let expected_opt = SchemaBuilder::string()
        .optional()
        .default_value(s("child_default"))
        .expect("default")
        .build();
    assert_eq!(field("opt_field"), Some(expected_opt));
}

#[test]
fn tombstone_event_without_schema_should_pass_through() {
    let record = source("test", Some(0), None, Value::Null, None, Value::Null, None);
    let transformed = apply(&value_xform(&[]), record);
    assert_eq!(transformed.value, Value::Null);
    assert_eq!(transformed.value_schema, None);
}

#[test]
fn tombstone_event_with_schema_should_pass_through() {
    let schema = SchemaBuilder::struct_()
        .name("name")
        .version(1)
        .doc("doc")
        .field("magic", Schema::optional_int64())
        .expect("schema")
        .build();
    let record = source(
        "test",
        Some(0),
        None,
        Value::Null,
        Some(schema.clone()),
        Value::Null,
        None,
    );
    let transformed = apply(&value_xform(&[]), record);
    assert_eq!(transformed.value, Value::Null);
    assert_eq!(transformed.value_schema, Some(schema));
}

#[test]
fn map_with_null_fields() {
    let value = map(&[
        ("firstNull", Value::Null),
        ("firstNonNull", s("nonNull")),
        ("secondNull", Value::Null),
        ("secondNonNull", s("alsoNonNull")),
        ("thirdNonNull", Value::Null),
    ]);
    let transformed = apply(
        &value_xform(&[]),
        source(
            "test",
            Some(0),
            None,
            Value::Null,
            None,
            value.clone(),
            None,
        ),
    );
    assert_eq!(transformed.value, value);
}

#[test]
fn struct_with_null_fields() {
    let schema = struct_schema(&[
        ("firstNull", Schema::optional_string()),
        ("firstNonNull", Schema::optional_string()),
        ("secondNull", Schema::optional_string()),
        ("secondNonNull", Schema::optional_string()),
        ("thirdNonNull", Schema::optional_string()),
    ]);
    let value = new_struct(
        &schema,
        &[
            ("firstNonNull", s("nonNull")),
            ("secondNonNull", s("alsoNonNull")),
        ],
    );
    let transformed = apply(
        &value_xform(&[]),
        source_value(Some(schema), Value::Struct(value.clone())),
    );
    assert_eq!(transformed.value, Value::Struct(value));
}

#[test]
fn struct_inside_schemaless_map_is_refused() {
    let schema = struct_schema(&[("a", Schema::int32())]);
    let value = map(&[(
        "s",
        Value::Struct(new_struct(&schema, &[("a", Value::Int32(1))])),
    )]);
    let err = data_error(&value_xform(&[]), source_value(None, value));
    assert_eq!(
        err,
        "Flatten transformation does not support class org.apache.kafka.connect.data.Struct for record without schemas (for field s)."
    );
}

#[test]
fn flattened_schema_is_cached() {
    let inner = struct_schema(&[("b", Schema::int32())]);
    let schema = SchemaBuilder::struct_()
        .name("outer")
        .field("a", inner.clone())
        .expect("schema")
        .build();
    let xform = value_xform(&[]);
    let record = |n: i32| {
        let a = new_struct(&inner, &[("b", Value::Int32(n))]);
        source_value(
            Some(schema.clone()),
            Value::Struct(new_struct(&schema, &[("a", Value::Struct(a))])),
        )
    };
    let first = apply(&xform, record(1));
    let second = apply(&xform, record(2));
    assert_eq!(first.value_schema, second.value_schema);
    assert_eq!(
        first.value_schema.as_ref().and_then(|s| s.name()),
        Some("outer")
    );
    assert_eq!(get(&second.value, "a.b"), &Value::Int32(2));
}
