//! CastTest.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use connect_api::data::{Date, Decimal, Time, Timestamp};
use connect_api::source::SourceRecord;
use connect_api::transforms::Transformation;
use connect_api::{Schema, SchemaBuilder, SchemaType, Value};
use connect_transforms::Cast;

use crate::common::*;

const MILLIS_PER_DAY: i64 = 86_400_000;

fn key(spec: &str) -> Cast<SourceRecord> {
    configured(Cast::key(), &[("spec", spec)])
}

fn value(spec: &str) -> Cast<SourceRecord> {
    configured(Cast::value(), &[("spec", spec)])
}

#[test]
fn config_errors() {
    assert_eq!(
        config_error(Cast::<SourceRecord>::key(), &[("spec", "")]),
        "Must specify at least one field to cast."
    );
    assert_eq!(
        config_error(Cast::<SourceRecord>::key(), &[("spec", "foo:faketype")]),
        // Kafka 4.3 passes the enum lookup's exception as the value of a ConfigException.
        "Invalid value java.lang.IllegalArgumentException: No enum constant org.apache.kafka.connect.data.Schema.Type.FAKETYPE for configuration Invalid type found in casting spec: faketype"
    );
    assert_eq!(
        config_error(Cast::<SourceRecord>::key(), &[("spec", "foo:array")]),
        "Cast transformation does not support casting to ARRAY; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"
    );
    assert_eq!(
        config_error(Cast::<SourceRecord>::key(), &[("spec", "foo:bytes")]),
        "Cast transformation does not support casting to BYTES; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"
    );
    assert_eq!(
        config_error(Cast::<SourceRecord>::key(), &[("spec", "foo:int8:extra")]),
        "Invalid value [foo:int8:extra] for configuration renames: Invalid rename mapping: foo:int8:extra"
    );
    assert_eq!(
        config_error(Cast::<SourceRecord>::key(), &[("spec", "foo:int8,int32")]),
        "Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec"
    );
    assert!(config_error(Cast::<SourceRecord>::key(), &[]).contains("\"spec\""));
}

#[test]
fn cast_whole_record_key_with_schema() {
    let record = source(
        "topic",
        Some(0),
        Some(Schema::int32()),
        Value::Int32(42),
        Some(Schema::string()),
        s("bogus"),
        None,
    );
    let transformed = apply(&key("int8"), record);
    assert_eq!(
        transformed.key_schema.as_ref().map(Schema::schema_type),
        Some(SchemaType::Int8)
    );
    assert_eq!(transformed.key, Value::Int8(42));
    assert_eq!(transformed.value, s("bogus"));
}

#[test]
fn cast_whole_record_value_with_schema() {
    let cases = [
        ("int8", SchemaType::Int8, Value::Int8(42), 42),
        ("int16", SchemaType::Int16, Value::Int16(42), 42),
        ("int32", SchemaType::Int32, Value::Int32(42), 42),
        ("int64", SchemaType::Int64, Value::Int64(42), 42),
        ("float32", SchemaType::Float32, Value::Float32(42.0), 42),
        ("float64", SchemaType::Float64, Value::Float64(42.0), 42),
        ("boolean", SchemaType::Boolean, Value::Boolean(true), 42),
        ("boolean", SchemaType::Boolean, Value::Boolean(false), 0),
        ("string", SchemaType::String, s("42"), 42),
    ];
    for (spec, schema_type, expected, input) in cases {
        let transformed = apply(
            &value(spec),
            source_value(Some(Schema::int32()), Value::Int32(input)),
        );
        assert_eq!(
            transformed.value_schema.as_ref().map(Schema::schema_type),
            Some(schema_type),
            "{spec}"
        );
        assert_eq!(transformed.value, expected, "{spec}");
    }
}

#[test]
fn cast_whole_big_decimal_record_value_with_schema_string() {
    let decimal = BigDecimal::from(42);
    let transformed = apply(
        &value("string"),
        source_value(Some(Decimal::schema(0)), Value::Decimal(decimal)),
    );
    assert_eq!(
        transformed.value_schema.as_ref().map(Schema::schema_type),
        Some(SchemaType::String)
    );
    assert_eq!(transformed.value, s("42"));
}

#[test]
fn cast_whole_date_record_value_with_schema_string() {
    // A day and one millisecond: formatted as a full timestamp.
    let transformed = apply(
        &value("string"),
        source_value(Some(Timestamp::schema()), Value::Int64(MILLIS_PER_DAY + 1)),
    );
    assert_eq!(
        transformed.value_schema.as_ref().map(Schema::schema_type),
        Some(SchemaType::String)
    );
    assert_eq!(transformed.value, s("1970-01-02T00:00:00.001Z"));
}

#[test]
fn cast_whole_record_default_value() {
    let schema = SchemaBuilder::float32()
        .default_value(Value::Float32(-42.125))
        .expect("default")
        .build();
    let transformed = apply(
        &value("int32"),
        source_value(Some(schema), Value::Float32(42.125)),
    );
    let updated = transformed.value_schema.expect("schema");
    assert_eq!(updated.schema_type(), SchemaType::Int32);
    assert_eq!(transformed.value, Value::Int32(42));
    assert_eq!(updated.default_value(), Some(&Value::Int32(-42)));
}

#[test]
fn cast_whole_record_schemaless() {
    let transformed = apply(
        &key("int8"),
        source(
            "topic",
            Some(0),
            None,
            Value::Int32(42),
            Some(Schema::string()),
            s("bogus"),
            None,
        ),
    );
    assert_eq!(transformed.key_schema, None);
    assert_eq!(transformed.key, Value::Int8(42));

    let cases = [
        ("int8", Value::Int8(42), 42),
        ("int16", Value::Int16(42), 42),
        ("int32", Value::Int32(42), 42),
        ("int64", Value::Int64(42), 42),
        ("float32", Value::Float32(42.0), 42),
        ("float64", Value::Float64(42.0), 42),
        ("boolean", Value::Boolean(true), 42),
        ("boolean", Value::Boolean(false), 0),
        ("string", s("42"), 42),
    ];
    for (spec, expected, input) in cases {
        let transformed = apply(&value(spec), source_value(None, Value::Int32(input)));
        assert_eq!(transformed.value_schema, None);
        assert_eq!(transformed.value, expected, "{spec}");
    }
}

#[test]
fn cast_whole_record_value_schemaless_unsupported_type() {
    let err = data_error(
        &value("int8"),
        source_value(None, Value::Array(vec![s("foo")])),
    );
    assert_eq!(
        err,
        "Cast transformation does not support casting from ARRAY; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"
    );
}

#[test]
fn cast_null_values_pass_through() {
    let with_schema = source_value(Some(Schema::optional_int32()), Value::Null);
    let transformed = apply(&value("int8"), with_schema.clone());
    assert_eq!(transformed, with_schema);
    let schemaless = source_value(None, Value::Null);
    assert_eq!(apply(&value("foo:int8"), schemaless.clone()), schemaless);
}

#[test]
fn cast_logical_to_primitive() {
    let xform = value(
        "date_to_int32:int32,timestamp_to_int64:int64,time_to_int64:int64,decimal_to_int32:int32,timestamp_to_float64:float64,null_timestamp_to_int32:int32",
    );
    let schema = struct_schema(&[
        ("date_to_int32", Date::schema()),
        ("timestamp_to_int64", Timestamp::schema()),
        ("time_to_int64", Time::schema()),
        ("decimal_to_int32", Decimal::schema(0)),
        ("timestamp_to_float64", Timestamp::schema()),
        (
            "null_timestamp_to_int32",
            Timestamp::builder().optional().build(),
        ),
    ]);
    let record = new_struct(
        &schema,
        &[
            ("date_to_int32", Value::Int32(1)),
            ("timestamp_to_int64", Value::Int64(0)),
            ("time_to_int64", Value::Int32(1)),
            (
                "decimal_to_int32",
                Value::Decimal(BigDecimal::from_str("2147483648").expect("decimal")),
            ),
            ("timestamp_to_float64", Value::Int64(i64::MAX)),
        ],
    );
    let transformed = apply(&xform, source_value(Some(schema), Value::Struct(record))).value;
    assert_eq!(get(&transformed, "date_to_int32"), &Value::Int32(1));
    assert_eq!(get(&transformed, "timestamp_to_int64"), &Value::Int64(0));
    assert_eq!(get(&transformed, "time_to_int64"), &Value::Int64(1));
    assert_eq!(
        get(&transformed, "decimal_to_int32"),
        &Value::Int32(i32::MIN)
    );
    assert_eq!(
        get(&transformed, "timestamp_to_float64"),
        &Value::Float64(9.223372036854776E18)
    );
    assert_eq!(get(&transformed, "null_timestamp_to_int32"), &Value::Null);
    let updated = as_struct(&transformed).schema().clone();
    let type_of = |name: &str| {
        updated
            .field(name)
            .ok()
            .flatten()
            .map(|f| f.schema().schema_type())
    };
    assert_eq!(type_of("date_to_int32"), Some(SchemaType::Int32));
    assert_eq!(type_of("timestamp_to_int64"), Some(SchemaType::Int64));
    assert_eq!(type_of("time_to_int64"), Some(SchemaType::Int64));
    assert_eq!(type_of("decimal_to_int32"), Some(SchemaType::Int32));
    assert_eq!(type_of("timestamp_to_float64"), Some(SchemaType::Float64));
    assert_eq!(type_of("null_timestamp_to_int32"), Some(SchemaType::Int32));
}

#[test]
fn cast_logical_to_string() {
    let xform = value("date:string,decimal:string,time:string,timestamp:string");
    let schema = struct_schema(&[
        ("date", Date::schema()),
        ("decimal", Decimal::schema(0)),
        ("time", Time::schema()),
        ("timestamp", Timestamp::schema()),
    ]);
    let record = new_struct(
        &schema,
        &[
            ("date", Value::Int32(1)),
            ("decimal", Value::Decimal(BigDecimal::from(1982))),
            ("time", Value::Int32(3_600_000)),
            ("timestamp", Value::Int64(1_483_425_001_864)),
        ],
    );
    let transformed = apply(&xform, source_value(Some(schema), Value::Struct(record))).value;
    assert_eq!(get(&transformed, "date"), &s("1970-01-02"));
    assert_eq!(get(&transformed, "decimal"), &s("1982"));
    assert_eq!(get(&transformed, "time"), &s("01:00:00.000Z"));
    assert_eq!(
        get(&transformed, "timestamp"),
        &s("2017-01-03T06:30:01.864Z")
    );
    for name in ["date", "decimal", "time", "timestamp"] {
        let field_type = as_struct(&transformed)
            .schema()
            .field(name)
            .ok()
            .flatten()
            .map(|f| f.schema().schema_type());
        assert_eq!(field_type, Some(SchemaType::String));
    }
}

#[test]
fn cast_bytes_to_string_is_base64() {
    let transformed = apply(
        &value("string"),
        source_value(Some(Schema::bytes()), bytes("hi there")),
    );
    assert_eq!(transformed.value, s("aGkgdGhlcmU="));
}

#[test]
fn cast_bytes_to_number_is_refused() {
    let err = data_error(
        &value("int32"),
        source_value(Some(Schema::bytes()), bytes("42")),
    );
    assert_eq!(err, "Unexpected type in Cast transformation: class [B");
}

#[test]
fn cast_fields_with_schema() {
    let xform = value(
        "int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,boolean:int8,string:int32,bigdecimal:string,date:string,optional:int32",
    );
    let schema = struct_schema(&[
        ("int8", Schema::int8()),
        ("int16", Schema::optional_int16()),
        (
            "int32",
            SchemaBuilder::int32()
                .default_value(Value::Int32(2))
                .expect("default")
                .build(),
        ),
        ("int64", Schema::int64()),
        ("float32", Schema::float32()),
        (
            "float64",
            SchemaBuilder::float64()
                .default_value(Value::Float64(-1.125))
                .expect("default")
                .build(),
        ),
        ("boolean", Schema::boolean()),
        ("string", Schema::string()),
        ("bigdecimal", Decimal::schema(0)),
        ("date", Date::schema()),
        ("optional", Schema::optional_float32()),
        ("timestamp", Timestamp::schema()),
    ]);
    let record = new_struct(
        &schema,
        &[
            ("int8", Value::Int8(8)),
            ("int16", Value::Int16(16)),
            ("int32", Value::Int32(32)),
            ("int64", Value::Int64(64)),
            ("float32", Value::Float32(32.0)),
            ("float64", Value::Float64(-64.0)),
            ("boolean", Value::Boolean(true)),
            ("bigdecimal", Value::Decimal(BigDecimal::from(42))),
            ("date", Value::Int32(1)),
            ("string", s("42")),
            ("timestamp", Value::Int64(0)),
        ],
    );
    let transformed = apply(&xform, source_value(Some(schema), Value::Struct(record))).value;
    let updated = as_struct(&transformed).schema().clone();
    let field_schema = |name: &str| {
        updated
            .field(name)
            .ok()
            .flatten()
            .map(|f| f.schema().clone())
            .expect("field")
    };
    assert_eq!(get(&transformed, "int8"), &Value::Int16(8));
    assert!(field_schema("int16").is_optional());
    assert_eq!(get(&transformed, "int16"), &Value::Int32(16));
    assert_eq!(get(&transformed, "int32"), &Value::Int64(32));
    assert_eq!(
        field_schema("int32").default_value(),
        Some(&Value::Int64(2))
    );
    assert_eq!(get(&transformed, "int64"), &Value::Boolean(true));
    assert_eq!(get(&transformed, "float32"), &Value::Float64(32.0));
    assert_eq!(get(&transformed, "float64"), &Value::Boolean(true));
    assert_eq!(
        field_schema("float64").default_value(),
        Some(&Value::Boolean(true))
    );
    assert_eq!(get(&transformed, "boolean"), &Value::Int8(1));
    assert_eq!(get(&transformed, "string"), &Value::Int32(42));
    assert_eq!(get(&transformed, "bigdecimal"), &s("42"));
    assert_eq!(get(&transformed, "date"), &s("1970-01-02"));
    assert_eq!(get(&transformed, "timestamp"), &Value::Int64(0));
    assert_eq!(get(&transformed, "optional"), &Value::Null);

    let expected_types = [
        ("int8", SchemaType::Int16),
        ("int16", SchemaType::Int32),
        ("int32", SchemaType::Int64),
        ("int64", SchemaType::Boolean),
        ("float32", SchemaType::Float64),
        ("float64", SchemaType::Boolean),
        ("boolean", SchemaType::Int8),
        ("string", SchemaType::Int32),
        ("bigdecimal", SchemaType::String),
        ("date", SchemaType::String),
        ("optional", SchemaType::Int32),
        ("timestamp", SchemaType::Int64),
    ];
    for (name, schema_type) in expected_types {
        assert_eq!(field_schema(name).schema_type(), schema_type, "{name}");
    }
    assert_eq!(field_schema("timestamp"), Timestamp::schema());
}

#[test]
fn cast_fields_schemaless() {
    let xform = value(
        "int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,boolean:int8,string:int32",
    );
    let record = map(&[
        ("int8", Value::Int8(8)),
        ("int16", Value::Int16(16)),
        ("int32", Value::Int32(32)),
        ("int64", Value::Int64(64)),
        ("float32", Value::Float32(32.0)),
        ("float64", Value::Float64(-64.0)),
        ("boolean", Value::Boolean(true)),
        ("string", s("42")),
    ]);
    let transformed = apply(&xform, source_value(None, record));
    assert_eq!(transformed.value_schema, None);
    let v = &transformed.value;
    assert_eq!(entry(v, "int8"), Some(&Value::Int16(8)));
    assert_eq!(entry(v, "int16"), Some(&Value::Int32(16)));
    assert_eq!(entry(v, "int32"), Some(&Value::Int64(32)));
    assert_eq!(entry(v, "int64"), Some(&Value::Boolean(true)));
    assert_eq!(entry(v, "float32"), Some(&Value::Float64(32.0)));
    assert_eq!(entry(v, "float64"), Some(&Value::Boolean(true)));
    assert_eq!(entry(v, "boolean"), Some(&Value::Int8(1)));
    assert_eq!(entry(v, "string"), Some(&Value::Int32(42)));
}

#[test]
fn cast_schemaless_puts_missing_fields_as_null() {
    let transformed = apply(
        &value("missing:int8"),
        source_value(None, map(&[("a", Value::Int32(1))])),
    );
    assert_eq!(entry(&transformed.value, "missing"), Some(&Value::Null));
    assert_eq!(entry(&transformed.value, "a"), Some(&Value::Int32(1)));
}

#[test]
fn cast_out_of_range_and_unparsable_strings() {
    let err = data_error(&value("int8"), source_value(None, s("300")));
    assert_eq!(err, "Value (300) was out of range for requested data type");
    let err = data_error(&value("int32"), source_value(None, s("forty-two")));
    assert_eq!(
        err,
        "Value (forty-two) was out of range for requested data type"
    );
    assert_eq!(
        apply(&value("boolean"), source_value(None, s("TRUE"))).value,
        Value::Boolean(true)
    );
    assert_eq!(
        apply(&value("boolean"), source_value(None, s("yes"))).value,
        Value::Boolean(false)
    );
    assert_eq!(
        apply(&value("float64"), source_value(None, s("1.5"))).value,
        Value::Float64(1.5)
    );
    assert_eq!(
        apply(&value("int8"), source_value(None, Value::Int32(300))).value,
        Value::Int8(44)
    );
    assert_eq!(
        apply(&value("int32"), source_value(None, Value::Float64(-7.9))).value,
        Value::Int32(-7)
    );
    assert_eq!(
        apply(&value("string"), source_value(None, Value::Float32(1.0))).value,
        s("1.0")
    );
    assert_eq!(
        apply(&value("string"), source_value(None, Value::Float64(1e21))).value,
        s("1.0E21")
    );
}

#[test]
fn cast_requires_struct_or_map() {
    let err = data_error(&value("foo:int8"), source_value(None, Value::Int32(42)));
    assert_eq!(
        err,
        "Only Map objects supported in absence of schema for [cast types], found: java.lang.Integer"
    );
    let err = data_error(
        &value("foo:int8"),
        source_value(Some(Schema::int32()), Value::Int32(42)),
    );
    assert_eq!(err, "Cannot list fields on non-struct type");
}

#[test]
fn cast_schemaless_decimal_is_unsupported() {
    let err = data_error(
        &value("int32"),
        source_value(None, Value::Decimal(BigDecimal::from(1))),
    );
    assert_eq!(
        err,
        "Cast transformation was passed a value of type class java.math.BigDecimal which is not supported by Connect's data API"
    );
}

#[test]
fn cast_field_with_default_value_and_replace_null_with_default() {
    let schema = struct_schema(&[(
        "a",
        SchemaBuilder::int32()
            .optional()
            .default_value(Value::Int32(7))
            .expect("default")
            .build(),
    )]);
    let record = new_struct(&schema, &[]);
    let replace = configured(Cast::<SourceRecord>::value(), &[("spec", "a:int64")]);
    let transformed = apply(
        &replace,
        source_value(Some(schema.clone()), Value::Struct(record.clone())),
    );
    assert_eq!(
        as_struct(&transformed.value).get_without_default("a").ok(),
        Some(&Value::Int64(7))
    );
    let keep = configured(
        Cast::<SourceRecord>::value(),
        &[("spec", "a:int64"), ("replace.null.with.default", "false")],
    );
    let transformed = apply(&keep, source_value(Some(schema), Value::Struct(record)));
    assert_eq!(
        as_struct(&transformed.value).get_without_default("a").ok(),
        Some(&Value::Null)
    );
}

#[test]
fn cast_schema_is_cached_per_input_schema() {
    let xform = value("a:string");
    let schema = struct_schema(&[("a", Schema::int32())]);
    let first = apply(
        &xform,
        source_value(
            Some(schema.clone()),
            Value::Struct(new_struct(&schema, &[("a", Value::Int32(1))])),
        ),
    );
    let second = apply(
        &xform,
        source_value(
            Some(schema.clone()),
            Value::Struct(new_struct(&schema, &[("a", Value::Int32(2))])),
        ),
    );
    assert_eq!(first.value_schema, second.value_schema);
    assert_eq!(get(&second.value, "a"), &s("2"));
    assert_eq!(
        <Cast<SourceRecord> as Transformation<SourceRecord>>::config_def(&xform)
            .keys()
            .count(),
        2
    );
}
