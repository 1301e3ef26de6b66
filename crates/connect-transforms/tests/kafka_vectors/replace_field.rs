//! ReplaceFieldTest.

use connect_api::sink::SinkRecord;
use connect_api::{Schema, SchemaBuilder, Value};
use connect_transforms::ReplaceField;

use crate::common::*;

fn record(schema: Option<Schema>, value: Value) -> SinkRecord {
    sink("test", 0, None, Value::Null, schema, value, 0, None)
}

fn schemaless_value() -> Value {
    map(&[
        ("dont", s("whatever")),
        ("abc", Value::Int32(42)),
        ("foo", Value::Boolean(true)),
        ("etc", s("etc")),
    ])
}

fn schema() -> Schema {
    struct_schema(&[
        ("dont", Schema::string()),
        ("abc", Schema::int32()),
        ("foo", Schema::boolean()),
        ("etc", Schema::string()),
    ])
}

fn struct_value() -> Value {
    Value::Struct(new_struct(
        &schema(),
        &[
            ("dont", s("whatever")),
            ("abc", Value::Int32(42)),
            ("foo", Value::Boolean(true)),
            ("etc", s("etc")),
        ],
    ))
}

#[test]
fn tombstone_schemaless() {
    let xform: ReplaceField<SinkRecord> = configured(
        ReplaceField::value(),
        &[("include", "abc,foo"), ("renames", "abc:xyz,foo:bar")],
    );
    let transformed = apply(&xform, record(None, Value::Null));
    assert_eq!(transformed.value, Value::Null);
    assert_eq!(transformed.value_schema, None);
}

#[test]
fn tombstone_with_schema() {
    let xform: ReplaceField<SinkRecord> = configured(
        ReplaceField::value(),
        &[("include", "abc,foo"), ("renames", "abc:xyz,foo:bar")],
    );
    let schema = struct_builder(&[
        ("dont", Schema::optional_string()),
        ("abc", Schema::optional_int32()),
    ])
    .optional()
    .build();
    let transformed = apply(&xform, record(Some(schema.clone()), Value::Null));
    assert_eq!(transformed.value, Value::Null);
    assert_eq!(transformed.value_schema, Some(schema));
}

#[test]
fn schemaless() {
    let xform: ReplaceField<SinkRecord> = configured(
        ReplaceField::value(),
        &[("exclude", "dont"), ("renames", "abc:xyz,foo:bar")],
    );
    let updated = apply(&xform, record(None, schemaless_value())).value;
    assert_eq!(map_len(&updated), 3);
    assert_eq!(entry(&updated, "xyz"), Some(&Value::Int32(42)));
    assert_eq!(entry(&updated, "bar"), Some(&Value::Boolean(true)));
    assert_eq!(entry(&updated, "etc"), Some(&s("etc")));
}

#[test]
fn with_schema() {
    let xform: ReplaceField<SinkRecord> = configured(
        ReplaceField::value(),
        &[("include", "abc,foo"), ("renames", "abc:xyz,foo:bar")],
    );
    let transformed = apply(&xform, record(Some(schema()), struct_value()));
    let updated = as_struct(&transformed.value);
    assert_eq!(updated.schema().fields().map(<[_]>::len).ok(), Some(2));
    assert_eq!(updated.get("xyz").ok(), Some(&Value::Int32(42)));
    assert_eq!(updated.get("bar").ok(), Some(&Value::Boolean(true)));
}

#[test]
fn include_backwards_compatibility() {
    let xform: ReplaceField<SinkRecord> = configured(
        ReplaceField::value(),
        &[("whitelist", "abc,foo"), ("renames", "abc:xyz,foo:bar")],
    );
    let transformed = apply(&xform, record(Some(schema()), struct_value()));
    let updated = as_struct(&transformed.value);
    assert_eq!(updated.schema().fields().map(<[_]>::len).ok(), Some(2));
    assert_eq!(updated.get("xyz").ok(), Some(&Value::Int32(42)));
    assert_eq!(updated.get("bar").ok(), Some(&Value::Boolean(true)));
}

#[test]
fn exclude_backwards_compatibility() {
    let xform: ReplaceField<SinkRecord> = configured(
        ReplaceField::value(),
        &[("blacklist", "dont"), ("renames", "abc:xyz,foo:bar")],
    );
    let updated = apply(&xform, record(None, schemaless_value())).value;
    assert_eq!(map_len(&updated), 3);
    assert_eq!(entry(&updated, "xyz"), Some(&Value::Int32(42)));
    assert_eq!(entry(&updated, "bar"), Some(&Value::Boolean(true)));
    assert_eq!(entry(&updated, "etc"), Some(&s("etc")));
}

#[test]
fn new_keys_win_over_deprecated_ones() {
    let xform: ReplaceField<SinkRecord> = configured(
        ReplaceField::value(),
        &[("blacklist", "abc"), ("exclude", "dont")],
    );
    let updated = apply(&xform, record(None, schemaless_value())).value;
    assert_eq!(entry(&updated, "abc"), Some(&Value::Int32(42)));
    assert_eq!(entry(&updated, "dont"), None);
}

#[test]
fn exclude_takes_precedence_over_include() {
    let xform: ReplaceField<SinkRecord> = configured(
        ReplaceField::value(),
        &[("include", "abc,foo"), ("exclude", "foo")],
    );
    let updated = apply(&xform, record(None, schemaless_value())).value;
    assert!(same_entries(&updated, &map(&[("abc", Value::Int32(42))])));
}

#[test]
fn renames_with_schema_caching() {
    // The same input schema twice: the second record takes the cached schema and its values
    // are read back through the reversed renames.
    let xform: ReplaceField<SinkRecord> =
        configured(ReplaceField::value(), &[("renames", "abc:etc,etc:abc")]);
    for _ in 0..2 {
        let transformed = apply(&xform, record(Some(schema()), struct_value()));
        let updated = as_struct(&transformed.value);
        let names: Vec<&str> = updated
            .schema()
            .fields()
            .map(|f| f.iter().map(|f| f.name()).collect())
            .unwrap_or_default();
        assert_eq!(names, vec!["dont", "etc", "foo", "abc"]);
        assert_eq!(updated.get("etc").ok(), Some(&Value::Int32(42)));
        assert_eq!(updated.get("abc").ok(), Some(&s("etc")));
    }
}

#[test]
fn schema_basics_are_kept() {
    let named = SchemaBuilder::struct_()
        .name("n")
        .version(3)
        .doc("d")
        .field("abc", Schema::int32())
        .expect("schema")
        .build();
    let xform: ReplaceField<SinkRecord> =
        configured(ReplaceField::value(), &[("renames", "abc:xyz")]);
    let transformed = apply(
        &xform,
        record(
            Some(named.clone()),
            Value::Struct(new_struct(&named, &[("abc", Value::Int32(1))])),
        ),
    );
    let schema = transformed.value_schema.expect("schema");
    assert_eq!(
        (schema.name(), schema.version(), schema.doc()),
        (Some("n"), Some(3), Some("d"))
    );
}

#[test]
fn replace_null_with_default() {
    let schema = struct_schema(&[(
        "a",
        SchemaBuilder::int32()
            .optional()
            .default_value(Value::Int32(4))
            .expect("default")
            .build(),
    )]);
    let value = Value::Struct(new_struct(&schema, &[]));
    let keep: ReplaceField<SinkRecord> = configured(
        ReplaceField::value(),
        &[("renames", "a:b"), ("replace.null.with.default", "false")],
    );
    let transformed = apply(&keep, record(Some(schema.clone()), value.clone()));
    assert_eq!(
        as_struct(&transformed.value).get_without_default("b").ok(),
        Some(&Value::Null)
    );
    let replace: ReplaceField<SinkRecord> =
        configured(ReplaceField::value(), &[("renames", "a:b")]);
    let transformed = apply(&replace, record(Some(schema), value));
    assert_eq!(
        as_struct(&transformed.value).get_without_default("b").ok(),
        Some(&Value::Int32(4))
    );
}

#[test]
fn invalid_rename_mapping() {
    assert_eq!(
        config_error(
            ReplaceField::<SinkRecord>::value(),
            &[("renames", "abc:xyz,foo")]
        ),
        "Invalid value [abc:xyz, foo] for configuration renames: Invalid rename mapping: foo"
    );
}

#[test]
fn requires_struct_or_map() {
    let xform: ReplaceField<SinkRecord> = configured(ReplaceField::value(), &[("exclude", "a")]);
    let err = data_error(&xform, record(None, Value::Int32(1)));
    assert_eq!(
        err,
        "Only Map objects supported in absence of schema for [field replacement], found: java.lang.Integer"
    );
}
