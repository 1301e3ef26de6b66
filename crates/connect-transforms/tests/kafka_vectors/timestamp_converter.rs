//! TimestampConverterTest. Kafka's `java.util.Date` values are the logical types'
//! physical values here: `Timestamp` epoch millis (int64), `Date` days (int32), `Time`
//! millis of the day (int32).

use connect_api::data::{Date, Time, Timestamp};
use connect_api::source::SourceRecord;
use connect_api::{ConnectError, Schema, SchemaBuilder, Value};
use connect_transforms::TimestampConverter;

use crate::common::*;

const STRING_DATE_FMT: &str = "yyyy MM dd HH mm ss SSS z";
const DATE_PLUS_TIME_STRING: &str = "1970 01 02 00 00 01 234 UTC";
/// 86 401 234 milliseconds: one day, one second and 234 ms.
const DATE_PLUS_TIME_UNIX: i64 = 86_401_234;
const DATE_PLUS_TIME_UNIX_MICROS: i64 = DATE_PLUS_TIME_UNIX * 1000 + 123;
const DATE_PLUS_TIME_UNIX_NANOS: i64 = DATE_PLUS_TIME_UNIX_MICROS * 1000 + 456;
const DATE_PLUS_TIME_UNIX_SECONDS: i64 = DATE_PLUS_TIME_UNIX / 1000;
/// The DATE of Kafka's test, as a Date value (days) and as epoch millis.
const DATE_DAYS: i32 = 1;
const DATE_MILLIS: i64 = 86_400_000;
/// The TIME of Kafka's test: 1234 ms after midnight.
const TIME_MILLIS: i32 = 1234;

fn value_xform(pairs: &[(&str, &str)]) -> TimestampConverter<SourceRecord> {
    configured(TimestampConverter::value(), pairs)
}

fn optional_date() -> Schema {
    Date::builder().optional().build()
}
fn optional_time() -> Schema {
    Time::builder().optional().build()
}
fn optional_timestamp() -> Schema {
    Timestamp::builder().optional().build()
}

#[test]
fn config_errors() {
    let new = TimestampConverter::<SourceRecord>::value;
    assert_eq!(
        config_error(new(), &[]),
        "Missing required configuration \"target.type\" which has no default value."
    );
    assert_eq!(
        config_error(new(), &[("target.type", "invalid")]),
        "Invalid value invalid for configuration target.type: String must be one of: string, unix, Date, Time, Timestamp"
    );
    assert_eq!(
        config_error(
            new(),
            &[("target.type", "unix"), ("unix.precision", "invalid")]
        ),
        "Invalid value invalid for configuration unix.precision: String must be one of: nanoseconds, microseconds, milliseconds, seconds"
    );
    assert_eq!(
        config_error(new(), &[("target.type", "string")]),
        "TimestampConverter requires format option to be specified when using string timestamps"
    );
    assert_eq!(
        config_error(
            new(),
            &[("target.type", "string"), ("format", "bad-format")]
        ),
        // Kafka 4.3 passes SimpleDateFormat's exception as the value of a ConfigException.
        "Invalid value java.lang.IllegalArgumentException: Illegal pattern character 'b' for configuration TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: bad-format"
    );
    configured(
        new(),
        &[("target.type", "unix"), ("unix.precision", "seconds")],
    );
}

// Conversions without schemas (most flexible Timestamp -> other types)

#[test]
fn schemaless_identity_and_conversions_from_unix() {
    let cases = [
        ("Timestamp", Value::Int64(DATE_PLUS_TIME_UNIX)),
        ("Date", Value::Int32(DATE_DAYS)),
        ("Time", Value::Int32(TIME_MILLIS)),
        ("unix", Value::Int64(DATE_PLUS_TIME_UNIX)),
    ];
    for (target, expected) in cases {
        let transformed = apply(
            &value_xform(&[("target.type", target)]),
            source_value(None, Value::Int64(DATE_PLUS_TIME_UNIX)),
        );
        assert_eq!(transformed.value_schema, None);
        assert_eq!(transformed.value, expected, "{target}");
    }
}

#[test]
fn schemaless_timestamp_to_string() {
    let xform = value_xform(&[("target.type", "string"), ("format", STRING_DATE_FMT)]);
    let transformed = apply(
        &xform,
        source_value(None, Value::Int64(DATE_PLUS_TIME_UNIX)),
    );
    assert_eq!(transformed.value_schema, None);
    assert_eq!(transformed.value, s(DATE_PLUS_TIME_STRING));
}

#[test]
fn schemaless_string_to_timestamp() {
    let xform = value_xform(&[("target.type", "Timestamp"), ("format", STRING_DATE_FMT)]);
    let transformed = apply(&xform, source_value(None, s(DATE_PLUS_TIME_STRING)));
    assert_eq!(transformed.value_schema, None);
    assert_eq!(transformed.value, Value::Int64(DATE_PLUS_TIME_UNIX));
}

// Conversions with schemas (most flexible Timestamp -> other types)

#[test]
fn with_schema_from_timestamp() {
    let cases = [
        (
            "Timestamp",
            Timestamp::schema(),
            Value::Int64(DATE_PLUS_TIME_UNIX),
        ),
        ("Date", Date::schema(), Value::Int32(DATE_DAYS)),
        ("Time", Time::schema(), Value::Int32(TIME_MILLIS)),
        ("unix", Schema::int64(), Value::Int64(DATE_PLUS_TIME_UNIX)),
    ];
    for (target, schema, expected) in cases {
        let transformed = apply(
            &value_xform(&[("target.type", target)]),
            source_value(Some(Timestamp::schema()), Value::Int64(DATE_PLUS_TIME_UNIX)),
        );
        assert_eq!(transformed.value_schema, Some(schema), "{target}");
        assert_eq!(transformed.value, expected, "{target}");
    }
}

#[test]
fn with_schema_timestamp_to_string() {
    let xform = value_xform(&[("target.type", "string"), ("format", STRING_DATE_FMT)]);
    let transformed = apply(
        &xform,
        source_value(Some(Timestamp::schema()), Value::Int64(DATE_PLUS_TIME_UNIX)),
    );
    assert_eq!(transformed.value_schema, Some(Schema::string()));
    assert_eq!(transformed.value, s(DATE_PLUS_TIME_STRING));
}

// Conversions with schemas (core types -> most flexible Timestamp format)

#[test]
fn with_schema_to_timestamp() {
    let xform = value_xform(&[("target.type", "Timestamp"), ("format", STRING_DATE_FMT)]);
    let cases = [
        (Date::schema(), Value::Int32(DATE_DAYS), DATE_MILLIS),
        (
            Time::schema(),
            Value::Int32(TIME_MILLIS),
            i64::from(TIME_MILLIS),
        ),
        (
            Schema::int64(),
            Value::Int64(DATE_PLUS_TIME_UNIX),
            DATE_PLUS_TIME_UNIX,
        ),
        (
            Schema::string(),
            s(DATE_PLUS_TIME_STRING),
            DATE_PLUS_TIME_UNIX,
        ),
    ];
    for (schema, value, expected) in cases {
        let transformed = apply(&xform, source_value(Some(schema.clone()), value));
        assert_eq!(
            transformed.value_schema,
            Some(Timestamp::schema()),
            "{schema:?}"
        );
        assert_eq!(transformed.value, Value::Int64(expected), "{schema:?}");
    }
}

// Null-value conversions

#[test]
fn schemaless_null_value_and_field_conversions() {
    for target in ["string", "Date", "Timestamp", "unix", "Time"] {
        let xform = value_xform(&[("target.type", target), ("format", STRING_DATE_FMT)]);
        let transformed = apply(&xform, source_value(None, Value::Null));
        assert_eq!(
            (transformed.value_schema, transformed.value),
            (None, Value::Null)
        );
        let xform = value_xform(&[
            ("target.type", target),
            ("format", STRING_DATE_FMT),
            ("field", "ts"),
        ]);
        let transformed = apply(&xform, source_value(None, Value::Null));
        assert_eq!(
            (transformed.value_schema, transformed.value),
            (None, Value::Null)
        );
    }
}

fn optional_inputs() -> Vec<Schema> {
    vec![
        Schema::optional_int64(),
        optional_time(),
        optional_date(),
        Schema::optional_string(),
        optional_timestamp(),
    ]
}

fn optional_target(target: &str) -> Schema {
    match target {
        "Timestamp" => optional_timestamp(),
        "unix" => Schema::optional_int64(),
        "Time" => optional_time(),
        "Date" => optional_date(),
        _ => Schema::optional_string(),
    }
}

#[test]
fn with_schema_null_value_conversions() {
    for target in ["Timestamp", "unix", "Time", "Date", "string"] {
        for input in optional_inputs() {
            let xform = value_xform(&[("target.type", target), ("format", STRING_DATE_FMT)]);
            let transformed = apply(&xform, source_value(Some(input.clone()), Value::Null));
            assert_eq!(
                transformed.value_schema,
                Some(optional_target(target)),
                "{target} {input:?}"
            );
            assert_eq!(transformed.value, Value::Null);
        }
    }
}

#[test]
fn with_schema_null_field_conversions() {
    for target in ["Timestamp", "unix", "Time", "Date", "string"] {
        for input in optional_inputs() {
            let xform = value_xform(&[
                ("target.type", target),
                ("format", STRING_DATE_FMT),
                ("field", "ts"),
            ]);
            let struct_schema_of =
                |ts: Schema| struct_builder(&[("ts", ts), ("other", Schema::string())]);
            let original_schema = struct_schema_of(input.clone()).build();
            let expected_schema = struct_schema_of(optional_target(target)).build();
            let original = new_struct(
                &original_schema,
                &[("ts", Value::Null), ("other", s("test"))],
            );
            let transformed = apply(
                &xform,
                source_value(Some(original_schema), Value::Struct(original)),
            );
            assert_eq!(
                transformed.value_schema,
                Some(expected_schema),
                "{target} {input:?}"
            );
            assert_eq!(get(&transformed.value, "ts"), &Value::Null);

            // The entire struct is null.
            let optional_schema = struct_schema_of(input.clone()).optional().build();
            let transformed = apply(&xform, source_value(Some(optional_schema), Value::Null));
            assert_eq!(
                transformed.value_schema,
                Some(struct_schema_of(optional_target(target)).optional().build())
            );
            assert_eq!(transformed.value, Value::Null);
        }
    }
}

// Convert a field instead of the entire key or value

#[test]
fn schemaless_field_conversion() {
    let xform = value_xform(&[("target.type", "Date"), ("field", "ts")]);
    let transformed = apply(
        &xform,
        source_value(None, map(&[("ts", Value::Int64(DATE_PLUS_TIME_UNIX))])),
    );
    assert_eq!(transformed.value_schema, None);
    assert_eq!(transformed.value, map(&[("ts", Value::Int32(DATE_DAYS))]));
}

fn unix_field_record(unix: i64) -> SourceRecord {
    let schema = struct_schema(&[("ts", Schema::int64()), ("other", Schema::string())]);
    let value = new_struct(&schema, &[("ts", Value::Int64(unix)), ("other", s("test"))]);
    source_value(Some(schema), Value::Struct(value))
}

#[test]
fn with_schema_field_conversion() {
    let xform = value_xform(&[("target.type", "Timestamp"), ("field", "ts")]);
    let transformed = apply(&xform, unix_field_record(DATE_PLUS_TIME_UNIX));
    let expected_schema =
        struct_schema(&[("ts", Timestamp::schema()), ("other", Schema::string())]);
    assert_eq!(transformed.value_schema, Some(expected_schema));
    assert_eq!(
        get(&transformed.value, "ts"),
        &Value::Int64(DATE_PLUS_TIME_UNIX)
    );
    assert_eq!(get(&transformed.value, "other"), &s("test"));
}

#[test]
fn with_schema_field_conversion_precisions() {
    let cases = [
        (
            "microseconds",
            DATE_PLUS_TIME_UNIX_MICROS,
            DATE_PLUS_TIME_UNIX,
        ),
        (
            "nanoseconds",
            DATE_PLUS_TIME_UNIX_NANOS,
            DATE_PLUS_TIME_UNIX,
        ),
        ("seconds", DATE_PLUS_TIME_UNIX_SECONDS, 86_401_000),
    ];
    for (precision, input, expected) in cases {
        let xform = value_xform(&[
            ("target.type", "Timestamp"),
            ("field", "ts"),
            ("unix.precision", precision),
        ]);
        let transformed = apply(&xform, unix_field_record(input));
        assert_eq!(
            get(&transformed.value, "ts"),
            &Value::Int64(expected),
            "{precision}"
        );
    }
}

#[test]
fn schemaless_string_to_unix_precisions() {
    let cases = [
        ("microseconds", 86_401_234_000),
        ("nanoseconds", 86_401_234_000_000),
        ("seconds", 86_401),
        ("milliseconds", 86_401_234),
    ];
    for (precision, expected) in cases {
        let xform = value_xform(&[
            ("target.type", "unix"),
            ("unix.precision", precision),
            ("format", STRING_DATE_FMT),
        ]);
        let transformed = apply(&xform, source_value(None, s(DATE_PLUS_TIME_STRING)));
        assert_eq!(transformed.value_schema, None);
        assert_eq!(transformed.value, Value::Int64(expected), "{precision}");
    }
}

#[test]
fn key_conversion_with_schema() {
    let xform: TimestampConverter<SourceRecord> =
        configured(TimestampConverter::key(), &[("target.type", "Timestamp")]);
    let record = source(
        "topic",
        Some(0),
        Some(Schema::int64()),
        Value::Int64(DATE_PLUS_TIME_UNIX),
        None,
        Value::Null,
        None,
    );
    let transformed = apply(&xform, record);
    assert_eq!(transformed.key_schema, Some(Timestamp::schema()));
    assert_eq!(transformed.key, Value::Int64(DATE_PLUS_TIME_UNIX));
}

#[test]
fn unparsable_strings_and_wrong_types() {
    let xform = value_xform(&[("target.type", "unix"), ("format", "yyyy-MM-dd")]);
    let err = data_error(&xform, source_value(None, s("not a date")));
    assert_eq!(
        err,
        "Could not parse timestamp: value (not a date) does not match pattern (yyyy-MM-dd)"
    );
    let err = data_error(&xform, source_value(None, Value::Int32(1)));
    assert_eq!(
        err,
        "TimestampConverter does not support class java.lang.Integer objects as timestamps"
    );
    // A ConnectException in Kafka, not a DataException.
    let err = apply_error(&xform, source_value(Some(Schema::int32()), Value::Int32(1)));
    assert!(matches!(&err, ConnectError::Other { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "Schema Schema{INT32} does not correspond to a known timestamp type format"
    );
}

#[test]
fn string_output_with_iso_pattern() {
    let xform = value_xform(&[
        ("target.type", "string"),
        ("format", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"),
    ]);
    let transformed = apply(
        &xform,
        source_value(Some(Timestamp::schema()), Value::Int64(1_483_425_001_864)),
    );
    assert_eq!(transformed.value, s("2017-01-03T06:30:01.864Z"));
}

#[test]
fn replace_null_with_default() {
    let ts_schema = Timestamp::builder()
        .optional()
        .default_value(Value::Int64(DATE_PLUS_TIME_UNIX))
        .expect("default")
        .build();
    let schema = struct_schema(&[("ts", ts_schema)]);
    let record = || {
        source_value(
            Some(schema.clone()),
            Value::Struct(new_struct(&schema, &[])),
        )
    };
    let replace = value_xform(&[("target.type", "unix"), ("field", "ts")]);
    assert_eq!(
        get(&apply(&replace, record()).value, "ts"),
        &Value::Int64(DATE_PLUS_TIME_UNIX)
    );
    let keep = value_xform(&[
        ("target.type", "unix"),
        ("field", "ts"),
        ("replace.null.with.default", "false"),
    ]);
    assert_eq!(get(&apply(&keep, record()).value, "ts"), &Value::Null);
}

#[test]
fn struct_default_is_converted_too() {
    let base = || struct_builder(&[("ts", Schema::int64())]).optional();
    let default = new_struct(
        &base().build(),
        &[("ts", Value::Int64(DATE_PLUS_TIME_UNIX))],
    );
    let schema = base()
        .default_value(Value::Struct(default))
        .expect("default")
        .version(2)
        .build();
    let xform = value_xform(&[("target.type", "Date"), ("field", "ts")]);
    let transformed = apply(&xform, source_value(Some(schema), Value::Null));
    let updated = transformed.value_schema.expect("schema");
    assert_eq!(updated.version(), Some(2));
    let default = updated
        .default_value()
        .and_then(Value::as_struct)
        .expect("struct default");
    assert_eq!(default.get("ts").ok(), Some(&Value::Int32(DATE_DAYS)));
    let _ = SchemaBuilder::int32();
}
