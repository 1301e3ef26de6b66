//! MaskFieldTest.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use connect_api::data::{Date, Decimal, Time, Timestamp};
use connect_api::sink::SinkRecord;
use connect_api::{Schema, SchemaBuilder, Value};
use connect_transforms::MaskField;

use crate::common::*;

fn schema() -> Schema {
    struct_schema(&[
        ("magic", Schema::int32()),
        ("bool", Schema::boolean()),
        ("byte", Schema::int8()),
        ("short", Schema::int16()),
        ("int", Schema::int32()),
        ("long", Schema::int64()),
        ("float", Schema::float32()),
        ("double", Schema::float64()),
        ("string", Schema::string()),
        ("date", Date::schema()),
        ("time", Time::schema()),
        ("timestamp", Timestamp::schema()),
        ("decimal", Decimal::schema(0)),
        ("array", SchemaBuilder::array(Schema::int32()).build()),
        (
            "map",
            SchemaBuilder::map(Schema::string(), Schema::string()).build(),
        ),
        (
            "withDefault",
            SchemaBuilder::string()
                .optional()
                .default_value(s("default"))
                .expect("default")
                .build(),
        ),
    ])
}

fn values_with_schema() -> Value {
    Value::Struct(new_struct(
        &schema(),
        &[
            ("magic", Value::Int32(42)),
            ("bool", Value::Boolean(true)),
            ("byte", Value::Int8(42)),
            ("short", Value::Int16(42)),
            ("int", Value::Int32(42)),
            ("long", Value::Int64(42)),
            ("float", Value::Float32(42.0)),
            ("double", Value::Float64(42.0)),
            ("string", s("hmm")),
            ("date", Value::Int32(19_000)),
            ("time", Value::Int32(1_000)),
            ("timestamp", Value::Int64(1_483_425_001_864)),
            ("decimal", Value::Decimal(BigDecimal::from(42))),
            (
                "array",
                Value::Array(vec![Value::Int32(1), Value::Int32(2), Value::Int32(3)]),
            ),
            ("map", Value::Map(vec![(s("what"), s("what"))])),
            ("withDefault", Value::Null),
        ],
    ))
}

fn values() -> Value {
    map(&[
        ("magic", Value::Int32(42)),
        ("bool", Value::Boolean(true)),
        ("byte", Value::Int8(42)),
        ("short", Value::Int16(42)),
        ("int", Value::Int32(42)),
        ("long", Value::Int64(42)),
        ("float", Value::Float32(42.0)),
        ("double", Value::Float64(42.0)),
        ("string", s("55.121.20.20")),
        (
            "bigdec",
            Value::Decimal(BigDecimal::from_str("42.0").expect("decimal")),
        ),
        ("list", Value::Array(vec![Value::Int32(42)])),
        ("map", Value::Map(vec![(s("key"), s("value"))])),
        ("bytes", bytes("x")),
    ])
}

fn transform(fields: &str, replacement: Option<&str>) -> MaskField<SinkRecord> {
    let mut pairs = vec![("fields", fields), ("replace.null.with.default", "false")];
    if let Some(replacement) = replacement {
        pairs.push(("replacement", replacement));
    }
    configured(MaskField::value(), &pairs)
}

fn record(schema: Option<Schema>, value: Value) -> SinkRecord {
    sink("", 0, None, Value::Null, schema, value, 0, None)
}

#[test]
fn schemaless() {
    let fields = "bool,byte,short,int,long,float,double,string,bigdec,list,map";
    let updated = apply(&transform(fields, None), record(None, values())).value;
    assert_eq!(entry(&updated, "magic"), Some(&Value::Int32(42)));
    assert_eq!(entry(&updated, "bool"), Some(&Value::Boolean(false)));
    assert_eq!(entry(&updated, "byte"), Some(&Value::Int8(0)));
    assert_eq!(entry(&updated, "short"), Some(&Value::Int16(0)));
    assert_eq!(entry(&updated, "int"), Some(&Value::Int32(0)));
    assert_eq!(entry(&updated, "long"), Some(&Value::Int64(0)));
    assert_eq!(entry(&updated, "float"), Some(&Value::Float32(0.0)));
    assert_eq!(entry(&updated, "double"), Some(&Value::Float64(0.0)));
    assert_eq!(entry(&updated, "string"), Some(&s("")));
    assert_eq!(
        entry(&updated, "bigdec"),
        Some(&Value::Decimal(BigDecimal::from(0)))
    );
    assert_eq!(entry(&updated, "list"), Some(&Value::Array(vec![])));
    assert_eq!(entry(&updated, "map"), Some(&Value::Map(vec![])));
}

#[test]
fn with_schema() {
    let fields = "bool,byte,short,int,long,float,double,string,date,time,timestamp,decimal,array,map,withDefault";
    let updated = apply(
        &transform(fields, None),
        record(Some(schema()), values_with_schema()),
    )
    .value;
    assert_eq!(get(&updated, "magic"), &Value::Int32(42));
    assert_eq!(get(&updated, "bool"), &Value::Boolean(false));
    assert_eq!(get(&updated, "byte"), &Value::Int8(0));
    assert_eq!(get(&updated, "short"), &Value::Int16(0));
    assert_eq!(get(&updated, "int"), &Value::Int32(0));
    assert_eq!(get(&updated, "long"), &Value::Int64(0));
    assert_eq!(get(&updated, "float"), &Value::Float32(0.0));
    assert_eq!(get(&updated, "double"), &Value::Float64(0.0));
    assert_eq!(get(&updated, "string"), &s(""));
    assert_eq!(get(&updated, "date"), &Value::Int32(0));
    assert_eq!(get(&updated, "time"), &Value::Int32(0));
    assert_eq!(get(&updated, "timestamp"), &Value::Int64(0));
    assert_eq!(
        get(&updated, "decimal"),
        &Value::Decimal(BigDecimal::from(0))
    );
    assert_eq!(get(&updated, "array"), &Value::Array(vec![]));
    assert_eq!(get(&updated, "map"), &Value::Map(vec![]));
    assert_eq!(
        as_struct(&updated).get_without_default("withDefault").ok(),
        Some(&Value::Null)
    );
}

#[test]
fn schemaless_with_replacement() {
    let cases = [
        ("short", Value::Int16(123)),
        ("byte", Value::Int8(123)),
        ("int", Value::Int32(123)),
        ("long", Value::Int64(123)),
        ("float", Value::Float32(123.0)),
        ("double", Value::Float64(123.0)),
        ("string", s("123")),
        (
            "bigdec",
            Value::Decimal(BigDecimal::from_str("123.0").expect("decimal")),
        ),
    ];
    for (field, expected) in cases {
        let replacement = match field {
            "float" | "double" | "bigdec" => "123.0",
            _ => "123",
        };
        let updated = apply(&transform(field, Some(replacement)), record(None, values())).value;
        assert_eq!(entry(&updated, field), Some(&expected), "{field}");
    }
}

#[test]
fn schemaless_unsupported_replacement_type() {
    for field in ["bool", "list", "map"] {
        let err = data_error(&transform(field, Some("123")), record(None, values()));
        assert!(err.starts_with("Cannot mask value of type class"), "{err}");
    }
    let err = data_error(&transform("bool", Some("123")), record(None, values()));
    assert_eq!(
        err,
        "Cannot mask value of type class java.lang.Boolean with custom replacement."
    );
    let err = data_error(&transform("bytes", None), record(None, values()));
    assert_eq!(err, "Cannot mask value of type: class [B");
}

#[test]
fn with_schema_and_replacement() {
    let cases = [
        ("short", "123", Value::Int16(123)),
        ("byte", "123", Value::Int8(123)),
        ("int", "123", Value::Int32(123)),
        ("long", "123", Value::Int64(123)),
        ("float", "123.0", Value::Float32(123.0)),
        ("double", "123.0", Value::Float64(123.0)),
        ("string", "123", s("123")),
        ("decimal", "123", Value::Decimal(BigDecimal::from(123))),
    ];
    for (field, replacement, expected) in cases {
        let updated = apply(
            &transform(field, Some(replacement)),
            record(Some(schema()), values_with_schema()),
        )
        .value;
        assert_eq!(get(&updated, field), &expected, "{field}");
    }
}

#[test]
fn with_schema_unsupported_replacement_type() {
    for field in ["time", "timestamp", "date"] {
        let err = data_error(
            &transform(field, Some("123")),
            record(Some(schema()), values_with_schema()),
        );
        assert_eq!(
            err,
            "Cannot mask value of type class java.util.Date with custom replacement."
        );
    }
    let err = data_error(
        &transform("array", Some("123")),
        record(Some(schema()), values_with_schema()),
    );
    assert_eq!(
        err,
        "Cannot mask value of type class java.util.ArrayList with custom replacement."
    );
}

#[test]
fn replacement_type_mismatch() {
    // Kafka 4.3 converts numbers with Values.convertTo*, whose message says "a number";
    // BigDecimal's own NumberFormatException is still MaskField's "to number".
    for field in ["byte", "short", "int", "long", "float", "double"] {
        let err = data_error(&transform(field, Some("foo")), record(None, values()));
        assert_eq!(
            err, "Unable to convert foo (class java.lang.String) to a number",
            "{field}"
        );
    }
    let err = data_error(&transform("bigdec", Some("foo")), record(None, values()));
    assert_eq!(
        err,
        "Unable to convert foo (class java.lang.String) to number"
    );
    let err = data_error(
        &transform("string,int", Some("foo")),
        record(None, values()),
    );
    assert_eq!(
        err,
        "Unable to convert foo (class java.lang.String) to a number"
    );
}

#[test]
fn empty_string_replacement_value() {
    assert_eq!(
        config_error(
            MaskField::<SinkRecord>::value(),
            &[("fields", "short"), ("replacement", "")]
        ),
        "Invalid value  for configuration replacement: String must be non-empty"
    );
}

#[test]
fn fields_are_required() {
    assert_eq!(
        config_error(MaskField::<SinkRecord>::value(), &[("fields", "")]),
        // Kafka 4.3's ValidList.anyNonDuplicateValues(false, false).
        "Configuration 'fields' must not be empty. Valid values include: any non-empty value"
    );
}

#[test]
fn null_fields_stay_null_and_default_replaces_null() {
    let replace: MaskField<SinkRecord> =
        configured(MaskField::value(), &[("fields", "withDefault")]);
    let updated = apply(&replace, record(Some(schema()), values_with_schema())).value;
    assert_eq!(
        as_struct(&updated).get_without_default("withDefault").ok(),
        Some(&s(""))
    );
    let updated = apply(
        &transform("withDefault", None),
        record(Some(schema()), values_with_schema()),
    )
    .value;
    assert_eq!(
        as_struct(&updated).get_without_default("withDefault").ok(),
        Some(&Value::Null)
    );
}

#[test]
fn key_variant() {
    let xform: MaskField<SinkRecord> = configured(MaskField::key(), &[("fields", "a")]);
    let transformed = apply(
        &xform,
        sink(
            "t",
            0,
            None,
            map(&[("a", Value::Int32(5))]),
            None,
            s("v"),
            0,
            None,
        ),
    );
    assert_eq!(entry(&transformed.key, "a"), Some(&Value::Int32(0)));
    assert_eq!(transformed.value, s("v"));
}
