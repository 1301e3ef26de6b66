//! Golden tests for `JsonConverter`, ported from Kafka's `JsonConverterTest`.
//!
//! `to_connect` tests read the exact JSON strings of the Java test. `from_connect` tests
//! compare our bytes with the compact JSON Kafka writes (files under `tests/golden/`),
//! where Kafka's test compares parsed trees.

use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::BigInt;
use connect_api::data::{Date, Decimal, Time, Timestamp};
use connect_api::storage::{Converter, HeaderConverter};
use connect_api::{
    ConnectError, Headers, Props, Schema, SchemaAndValue, SchemaBuilder, Struct, Value,
};
use connect_json::{DecimalFormat, JsonConverter};

const TOPIC: &str = "topic";

fn props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn converter(pairs: &[(&str, &str)]) -> JsonConverter {
    let mut converter = JsonConverter::new();
    Converter::configure(&mut converter, &props(pairs), false).expect("valid config");
    converter
}

fn default_converter() -> JsonConverter {
    converter(&[])
}

fn schemaless() -> JsonConverter {
    converter(&[("schemas.enable", "false")])
}

fn to_connect(converter: &JsonConverter, json: &str) -> SchemaAndValue {
    converter
        .to_connect_data(TOPIC, &Headers::new(), Some(json.as_bytes()))
        .unwrap_or_else(|e| panic!("{json} should convert: {e}"))
}

fn to_connect_err(converter: &JsonConverter, json: &str) -> ConnectError {
    match converter.to_connect_data(TOPIC, &Headers::new(), Some(json.as_bytes())) {
        Ok(converted) => panic!("{json} should fail, got {converted:?}"),
        Err(e) => e,
    }
}

fn from_connect(converter: &JsonConverter, schema: Option<&Schema>, value: &Value) -> String {
    let bytes = converter
        .from_connect_data(TOPIC, &Headers::new(), schema, value)
        .unwrap_or_else(|e| panic!("{value:?} should convert: {e}"))
        .expect("not a tombstone");
    String::from_utf8(bytes).expect("utf-8")
}

fn from_connect_err(
    converter: &JsonConverter,
    schema: Option<&Schema>,
    value: &Value,
) -> ConnectError {
    match converter.from_connect_data(TOPIC, &Headers::new(), schema, value) {
        Ok(bytes) => panic!("{value:?} should fail, got {bytes:?}"),
        Err(e) => e,
    }
}

macro_rules! golden {
    ($name:literal) => {
        include_str!(concat!("golden/", $name, ".json")).trim_end()
    };
}

fn decimal(unscaled: i64, scale: i64) -> BigDecimal {
    BigDecimal::new(BigInt::from(unscaled), scale)
}

fn sv(schema: Schema, value: impl Into<Value>) -> SchemaAndValue {
    SchemaAndValue::new(Some(schema), value.into())
}

fn build(builder: connect_api::ConnectResult<SchemaBuilder>) -> Schema {
    builder.expect("valid schema").build()
}

fn assert_data_error(error: &ConnectError, message: &str) {
    assert!(matches!(error, ConnectError::Data { .. }), "{error:?}");
    assert_eq!(error.to_string(), message);
}

// ---------------------------------------------------------------- schema metadata

#[test]
fn connect_schema_metadata_translation() {
    let c = default_converter();
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"boolean\" }, \"payload\": true }"
        ),
        sv(Schema::boolean(), true)
    );
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"boolean\", \"optional\": true }, \"payload\": null }"
        ),
        sv(Schema::optional_boolean(), Value::Null)
    );
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"boolean\", \"default\": true }, \"payload\": null }"
        ),
        sv(
            build(SchemaBuilder::boolean().default_value(Value::Boolean(true))),
            true
        )
    );
    let expected = SchemaBuilder::boolean()
        .required()
        .name("bool")
        .version(2)
        .doc("the documentation")
        .parameter("foo", "bar")
        .build();
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"boolean\", \"optional\": false, \"name\": \"bool\", \"version\": 2, \"doc\": \"the documentation\", \"parameters\": { \"foo\": \"bar\" }}, \"payload\": true }"
        ),
        sv(expected, true)
    );
}

#[test]
fn json_schema_metadata_translation() {
    let c = default_converter();
    assert_eq!(
        from_connect(&c, Some(&Schema::boolean()), &Value::Boolean(true)),
        golden!("boolean")
    );
    assert_eq!(
        from_connect(&c, Some(&Schema::optional_boolean()), &Value::Null),
        golden!("boolean_optional_null")
    );
    let with_default = build(SchemaBuilder::boolean().default_value(Value::Boolean(true)));
    assert_eq!(
        from_connect(&c, Some(&with_default), &Value::Boolean(true)),
        golden!("boolean_default")
    );
    let metadata = SchemaBuilder::boolean()
        .required()
        .name("bool")
        .version(3)
        .doc("the documentation")
        .parameter("foo", "bar")
        .build();
    assert_eq!(
        from_connect(&c, Some(&metadata), &Value::Boolean(true)),
        golden!("boolean_metadata")
    );
}

// ---------------------------------------------------------------- schema types, to Connect

#[test]
fn primitives_to_connect() {
    let c = default_converter();
    let read = |json: &str| to_connect(&c, json);
    assert_eq!(
        read("{ \"schema\": { \"type\": \"boolean\" }, \"payload\": false }"),
        sv(Schema::boolean(), false)
    );
    assert_eq!(
        read("{ \"schema\": { \"type\": \"int8\" }, \"payload\": 12 }"),
        sv(Schema::int8(), Value::Int8(12))
    );
    assert_eq!(
        read("{ \"schema\": { \"type\": \"int16\" }, \"payload\": 12 }"),
        sv(Schema::int16(), Value::Int16(12))
    );
    assert_eq!(
        read("{ \"schema\": { \"type\": \"int32\" }, \"payload\": 12 }"),
        sv(Schema::int32(), Value::Int32(12))
    );
    assert_eq!(
        read("{ \"schema\": { \"type\": \"int64\" }, \"payload\": 12 }"),
        sv(Schema::int64(), Value::Int64(12))
    );
    assert_eq!(
        read("{ \"schema\": { \"type\": \"int64\" }, \"payload\": 4398046511104 }"),
        sv(Schema::int64(), Value::Int64(4_398_046_511_104))
    );
    assert_eq!(
        read("{ \"schema\": { \"type\": \"float\" }, \"payload\": 12.34 }"),
        sv(Schema::float32(), Value::Float32(12.34))
    );
    assert_eq!(
        read("{ \"schema\": { \"type\": \"double\" }, \"payload\": 12.34 }"),
        sv(Schema::float64(), Value::Float64(12.34))
    );
    assert_eq!(
        read("{ \"schema\": { \"type\": \"bytes\" }, \"payload\": \"dGVzdC1zdHJpbmc=\" }"),
        sv(Schema::bytes(), Value::Bytes(b"test-string".to_vec()))
    );
    assert_eq!(
        read("{ \"schema\": { \"type\": \"string\" }, \"payload\": \"foo-bar-baz\" }"),
        sv(Schema::string(), "foo-bar-baz")
    );
}

#[test]
fn numbers_narrow_like_jackson_accessors() {
    let c = default_converter();
    let read = |json: &str| to_connect(&c, json).value;
    // intValue()/longValue() truncate fractions and keep the low bits.
    assert_eq!(
        read(r#"{"schema":{"type":"int32"},"payload":12.9}"#),
        Value::Int32(12)
    );
    assert_eq!(
        read(r#"{"schema":{"type":"int8"},"payload":300}"#),
        Value::Int8(44)
    );
    assert_eq!(
        read(r#"{"schema":{"type":"int64"},"payload":9223372036854775808}"#),
        Value::Int64(i64::MIN)
    );
    // Jackson answers 0, false and null for accessors of the wrong node type.
    assert_eq!(
        read(r#"{"schema":{"type":"int32"},"payload":"12"}"#),
        Value::Int32(0)
    );
    assert_eq!(
        read(r#"{"schema":{"type":"boolean"},"payload":1}"#),
        Value::Boolean(false)
    );
    assert_eq!(
        read(r#"{"schema":{"type":"string"},"payload":12}"#),
        Value::Null
    );
    assert_eq!(
        read(r#"{"schema":{"type":"double"},"payload":"NaN"}"#),
        Value::Float64(0.0)
    );
    assert_eq!(
        read(r#"{"schema":{"type":"double"},"payload":1e400}"#),
        Value::Float64(f64::INFINITY)
    );
}

#[test]
fn array_to_connect() {
    let c = default_converter();
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"array\", \"items\": { \"type\" : \"int32\" } }, \"payload\": [1, 2, 3] }"
        ),
        sv(
            SchemaBuilder::array(Schema::int32()).build(),
            Value::Array(vec![Value::Int32(1), Value::Int32(2), Value::Int32(3)])
        )
    );
}

#[test]
fn map_to_connect_string_keys() {
    let c = default_converter();
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"map\", \"keys\": { \"type\" : \"string\" }, \"values\": { \"type\" : \"int32\" } }, \"payload\": { \"key1\": 12, \"key2\": 15} }"
        ),
        sv(
            SchemaBuilder::map(Schema::string(), Schema::int32()).build(),
            Value::Map(vec![
                (Value::from("key1"), Value::Int32(12)),
                (Value::from("key2"), Value::Int32(15)),
            ])
        )
    );
}

#[test]
fn map_to_connect_non_string_keys() {
    let c = default_converter();
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"map\", \"keys\": { \"type\" : \"int32\" }, \"values\": { \"type\" : \"int32\" } }, \"payload\": [ [1, 12], [2, 15] ] }"
        ),
        sv(
            SchemaBuilder::map(Schema::int32(), Schema::int32()).build(),
            Value::Map(vec![
                (Value::Int32(1), Value::Int32(12)),
                (Value::Int32(2), Value::Int32(15)),
            ])
        )
    );
    // A repeated key replaces the earlier value, as in Kafka's HashMap.
    let repeated = to_connect(
        &c,
        r#"{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"int32"}},"payload":[[1,12],[1,13]]}"#,
    );
    assert_eq!(
        repeated.value,
        Value::Map(vec![(Value::Int32(1), Value::Int32(13))])
    );
}

#[test]
fn map_encoding_errors() {
    let c = default_converter();
    assert_data_error(
        &to_connect_err(
            &c,
            r#"{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int32"}},"payload":[]}"#,
        ),
        "Maps with string fields should be encoded as JSON objects, but found ARRAY",
    );
    assert_data_error(
        &to_connect_err(
            &c,
            r#"{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"int32"}},"payload":{}}"#,
        ),
        "Maps with non-string fields should be encoded as JSON array of tuples, but found OBJECT",
    );
    assert_data_error(
        &to_connect_err(
            &c,
            r#"{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"int32"}},"payload":[1]}"#,
        ),
        "Found invalid map entry instead of array tuple: NUMBER",
    );
    assert_data_error(
        &to_connect_err(
            &c,
            r#"{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"int32"}},"payload":[[1,2,3]]}"#,
        ),
        "Found invalid map entry, expected length 2 but found :3",
    );
}

fn struct_schema(fields: &[(&str, Schema)]) -> Schema {
    let mut builder = SchemaBuilder::struct_();
    for (name, schema) in fields {
        builder = builder.field(*name, schema.clone()).expect("field");
    }
    builder.build()
}

#[test]
fn struct_to_connect() {
    let c = default_converter();
    let schema = struct_schema(&[("field1", Schema::boolean()), ("field2", Schema::string())]);
    let expected = Struct::new(schema.clone())
        .and_then(|s| s.with("field1", true))
        .and_then(|s| s.with("field2", "string"))
        .expect("struct");
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"struct\", \"fields\": [{ \"field\": \"field1\", \"type\": \"boolean\" }, { \"field\": \"field2\", \"type\": \"string\" }] }, \"payload\": { \"field1\": true, \"field2\": \"string\" } }"
        ),
        sv(schema, expected)
    );
}

#[test]
fn struct_with_optional_field_to_connect() {
    let c = default_converter();
    let schema = struct_schema(&[
        ("optional", Schema::optional_string()),
        ("required", Schema::string()),
    ]);
    let expected = Struct::new(schema.clone())
        .and_then(|s| s.with("required", "required"))
        .expect("struct");
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"struct\", \"fields\": [{ \"field\":\"optional\", \"type\": \"string\", \"optional\": true }, {  \"field\": \"required\", \"type\": \"string\" }] }, \"payload\": { \"required\": \"required\" } }"
        ),
        sv(schema, expected)
    );
}

#[test]
fn struct_errors() {
    let c = default_converter();
    assert_data_error(
        &to_connect_err(
            &c,
            r#"{"schema":{"type":"struct","fields":[{"field":"a","type":"string"}]},"payload":[]}"#,
        ),
        "Structs should be encoded as JSON objects, but found ARRAY",
    );
    assert_data_error(
        &to_connect_err(
            &c,
            r#"{"schema":{"type":"struct","fields":[{"field":"a","type":"string"}]},"payload":{}}"#,
        ),
        "Invalid null value for required STRING field",
    );
    assert_data_error(
        &to_connect_err(
            &c,
            r#"{"schema":{"type":"struct","fields":{}},"payload":{}}"#,
        ),
        "Struct schema's \"fields\" argument is not an array.",
    );
    assert_data_error(
        &to_connect_err(
            &c,
            r#"{"schema":{"type":"struct","fields":[{"type":"string"}]},"payload":{}}"#,
        ),
        "Struct schema's field name not specified properly",
    );
}

#[test]
fn null_and_empty_input_to_connect() {
    // A tombstone is SchemaAndValue.NULL whether or not schemas are enabled.
    let c = default_converter();
    assert_eq!(
        c.to_connect_data(TOPIC, &Headers::new(), None)
            .expect("tombstone"),
        SchemaAndValue::null()
    );
    // Empty bytes read as Jackson's missing node, which is null without schemas ...
    assert_eq!(to_connect(&schemaless(), ""), SchemaAndValue::null());
    // ... and not an envelope with them.
    assert_data_error(
        &to_connect_err(&c, ""),
        "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.",
    );
}

#[test]
fn schemaless_with_empty_field_value_to_connect() {
    let converted = to_connect(&schemaless(), "{ \"a\": \"\", \"b\": null}");
    assert_eq!(
        converted,
        SchemaAndValue::new(
            None,
            Value::Map(vec![
                (Value::from("a"), Value::from("")),
                (Value::from("b"), Value::Null)
            ])
        )
    );
}

#[test]
fn null_schema_primitive_to_connect() {
    let c = default_converter();
    assert_eq!(
        to_connect(&c, "{ \"schema\": null, \"payload\": null }"),
        SchemaAndValue::null()
    );
    assert_eq!(
        to_connect(&c, "{ \"schema\": null, \"payload\": true }"),
        SchemaAndValue::new(None, Value::Boolean(true))
    );
    // Integers are always int64 and other numbers float64 without a schema.
    assert_eq!(
        to_connect(&c, "{ \"schema\": null, \"payload\": 12 }"),
        SchemaAndValue::new(None, Value::Int64(12))
    );
    assert_eq!(
        to_connect(&c, "{ \"schema\": null, \"payload\": 12.24 }"),
        SchemaAndValue::new(None, Value::Float64(12.24))
    );
    assert_eq!(
        to_connect(&c, "{ \"schema\": null, \"payload\": \"a string\" }"),
        SchemaAndValue::new(None, Value::from("a string"))
    );
    assert_eq!(
        to_connect(&c, "{ \"schema\": null, \"payload\": [1, \"2\", 3] }"),
        SchemaAndValue::new(
            None,
            Value::Array(vec![Value::Int64(1), Value::from("2"), Value::Int64(3)])
        )
    );
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": null, \"payload\": { \"field1\": 1, \"field2\": 2} }"
        ),
        SchemaAndValue::new(
            None,
            Value::Map(vec![
                (Value::from("field1"), Value::Int64(1)),
                (Value::from("field2"), Value::Int64(2)),
            ])
        )
    );
    // 1e2 and 1.0 are floating point tokens for Jackson.
    assert_eq!(
        to_connect(&c, r#"{"schema":null,"payload":[1e2,1.0,-0]}"#).value,
        Value::Array(vec![
            Value::Float64(100.0),
            Value::Float64(1.0),
            Value::Int64(0)
        ])
    );
}

#[test]
fn no_schema_to_connect() {
    let c = converter(&[("schemas.enable", "false")]);
    assert_eq!(
        to_connect(&c, "true"),
        SchemaAndValue::new(None, Value::Boolean(true))
    );
    // Jackson reads only the first value.
    assert_eq!(
        to_connect(&c, "{\"a\":1} trailing"),
        to_connect(&c, "{\"a\":1}")
    );
}

// ---------------------------------------------------------------- logical types, to Connect

const DECIMAL_SCHEMA_2: &str = "{ \"type\": \"bytes\", \"name\": \"org.apache.kafka.connect.data.Decimal\", \"version\": 1, \"parameters\": { \"scale\": \"2\" } }";

#[test]
fn decimal_to_connect() {
    let c = default_converter();
    // "AJw=" is byte[]{0, -100}, the two's complement encoding of 156.
    let msg = format!("{{ \"schema\": {DECIMAL_SCHEMA_2}, \"payload\": \"AJw=\" }}");
    assert_eq!(
        to_connect(&c, &msg),
        sv(Decimal::schema(2), Value::Decimal(decimal(156, 2)))
    );
}

#[test]
fn decimal_to_connect_optional_and_defaults() {
    let c = default_converter();
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"bytes\", \"name\": \"org.apache.kafka.connect.data.Decimal\", \"version\": 1, \"optional\": true, \"parameters\": { \"scale\": \"2\" } }, \"payload\": null }"
        ),
        sv(Decimal::builder(2).optional().build(), Value::Null)
    );
    let reference = Value::Decimal(decimal(156, 2));
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"bytes\", \"name\": \"org.apache.kafka.connect.data.Decimal\", \"version\": 1, \"default\": \"AJw=\", \"parameters\": { \"scale\": \"2\" } }, \"payload\": null }"
        ),
        sv(
            build(Decimal::builder(2).default_value(reference.clone())),
            reference.clone()
        )
    );
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"bytes\", \"name\": \"org.apache.kafka.connect.data.Decimal\", \"version\": 1, \"optional\": true, \"default\": \"AJw=\", \"parameters\": { \"scale\": \"2\" } }, \"payload\": null }"
        ),
        sv(
            build(
                Decimal::builder(2)
                    .optional()
                    .default_value(reference.clone())
            ),
            reference
        )
    );
}

#[test]
fn numeric_decimal_to_connect() {
    let c = default_converter();
    let msg = format!("{{ \"schema\": {DECIMAL_SCHEMA_2}, \"payload\": 1.56 }}");
    assert_eq!(
        to_connect(&c, &msg),
        sv(Decimal::schema(2), Value::Decimal(decimal(156, 2)))
    );

    let trailing = "{ \"schema\": { \"type\": \"bytes\", \"name\": \"org.apache.kafka.connect.data.Decimal\", \"version\": 1, \"parameters\": { \"scale\": \"4\" } }, \"payload\": 1.5600 }";
    let converted = to_connect(&c, trailing);
    assert_eq!(converted.schema, Some(Decimal::schema(4)));
    let Value::Decimal(value) = converted.value else {
        panic!("decimal")
    };
    assert_eq!(value.as_bigint_and_exponent(), (BigInt::from(15600), 4));

    let precise = "{ \"schema\": { \"type\": \"bytes\", \"name\": \"org.apache.kafka.connect.data.Decimal\", \"version\": 1, \"parameters\": { \"scale\": \"17\" } }, \"payload\": 1.23456789123456789 }";
    let converted = to_connect(&c, precise);
    assert_eq!(converted.schema, Some(Decimal::schema(17)));
    let Value::Decimal(value) = converted.value else {
        panic!("decimal")
    };
    assert_eq!(
        value.as_bigint_and_exponent(),
        (BigInt::from(123_456_789_123_456_789_i64), 17)
    );
}

#[test]
fn decimal_to_connect_errors() {
    let c = default_converter();
    assert_data_error(
        &to_connect_err(
            &c,
            &format!("{{\"schema\":{DECIMAL_SCHEMA_2},\"payload\":true}}"),
        ),
        "Invalid type for Decimal, underlying representation should be numeric or bytes but was BOOLEAN",
    );
    assert_data_error(
        &to_connect_err(
            &c,
            &format!("{{\"schema\":{DECIMAL_SCHEMA_2},\"payload\":\"not base64!\"}}"),
        ),
        "Invalid bytes for Decimal field",
    );
    assert_data_error(
        &to_connect_err(
            &c,
            &format!("{{\"schema\":{DECIMAL_SCHEMA_2},\"payload\":\"\"}}"),
        ),
        "Invalid bytes for Decimal field",
    );
}

#[test]
fn date_to_connect() {
    let c = default_converter();
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"int32\", \"name\": \"org.apache.kafka.connect.data.Date\", \"version\": 1 }, \"payload\": 10000 }"
        ),
        sv(Date::schema(), Value::Int32(10000))
    );
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"int32\", \"name\": \"org.apache.kafka.connect.data.Date\", \"version\": 1, \"optional\": true }, \"payload\": null }"
        ),
        sv(Date::builder().optional().build(), Value::Null)
    );
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"int32\", \"name\": \"org.apache.kafka.connect.data.Date\", \"version\": 1, \"default\": 0 }, \"payload\": null }"
        ),
        sv(
            build(Date::builder().default_value(Value::Int32(0))),
            Value::Int32(0)
        )
    );
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"int32\", \"name\": \"org.apache.kafka.connect.data.Date\", \"version\": 1, \"optional\": true, \"default\": 0 }, \"payload\": null }"
        ),
        sv(
            build(Date::builder().optional().default_value(Value::Int32(0))),
            Value::Int32(0)
        )
    );
    assert_data_error(
        &to_connect_err(
            &c,
            r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":"10000"}"#,
        ),
        "Invalid type for Date, underlying representation should be integer but was STRING",
    );
    assert_data_error(
        &to_connect_err(
            &c,
            r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":4000000000}"#,
        ),
        "Invalid type for Date, underlying representation should be integer but was NUMBER",
    );
}

#[test]
fn time_to_connect() {
    let c = default_converter();
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"int32\", \"name\": \"org.apache.kafka.connect.data.Time\", \"version\": 1 }, \"payload\": 14400000 }"
        ),
        sv(Time::schema(), Value::Int32(14_400_000))
    );
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"int32\", \"name\": \"org.apache.kafka.connect.data.Time\", \"version\": 1, \"optional\": true }, \"payload\": null }"
        ),
        sv(Time::builder().optional().build(), Value::Null)
    );
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"int32\", \"name\": \"org.apache.kafka.connect.data.Time\", \"version\": 1, \"default\": 0 }, \"payload\": null }"
        ),
        sv(
            build(Time::builder().default_value(Value::Int32(0))),
            Value::Int32(0)
        )
    );
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"int32\", \"name\": \"org.apache.kafka.connect.data.Time\", \"version\": 1, \"optional\": true, \"default\": 0 }, \"payload\": null }"
        ),
        sv(
            build(Time::builder().optional().default_value(Value::Int32(0))),
            Value::Int32(0)
        )
    );
    assert_data_error(
        &to_connect_err(
            &c,
            r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Time"},"payload":-1}"#,
        ),
        "Time values must use number of milliseconds greater than 0 and less than 86400000",
    );
}

#[test]
fn timestamp_to_connect() {
    let c = default_converter();
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"int64\", \"name\": \"org.apache.kafka.connect.data.Timestamp\", \"version\": 1 }, \"payload\": 4000000000 }"
        ),
        sv(Timestamp::schema(), Value::Int64(4_000_000_000))
    );
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"int64\", \"name\": \"org.apache.kafka.connect.data.Timestamp\", \"version\": 1, \"optional\": true }, \"payload\": null }"
        ),
        sv(Timestamp::builder().optional().build(), Value::Null)
    );
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"int64\", \"name\": \"org.apache.kafka.connect.data.Timestamp\", \"version\": 1, \"default\": 42 }, \"payload\": null }"
        ),
        sv(
            build(Timestamp::builder().default_value(Value::Int64(42))),
            Value::Int64(42)
        )
    );
    assert_eq!(
        to_connect(
            &c,
            "{ \"schema\": { \"type\": \"int64\", \"name\": \"org.apache.kafka.connect.data.Timestamp\", \"version\": 1,  \"optional\": true, \"default\": 42 }, \"payload\": null }"
        ),
        sv(
            build(
                Timestamp::builder()
                    .optional()
                    .default_value(Value::Int64(42))
            ),
            Value::Int64(42)
        )
    );
    assert_data_error(
        &to_connect_err(
            &c,
            r#"{"schema":{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp"},"payload":1.5}"#,
        ),
        "Invalid type for Timestamp, underlying representation should be integral but was NUMBER",
    );
}

// ---------------------------------------------------------------- schema types, to JSON

#[test]
fn primitives_to_json() {
    let c = default_converter();
    assert_eq!(
        from_connect(&c, Some(&Schema::int8()), &Value::Int8(12)),
        golden!("int8")
    );
    assert_eq!(
        from_connect(&c, Some(&Schema::int16()), &Value::Int16(12)),
        golden!("int16")
    );
    assert_eq!(
        from_connect(&c, Some(&Schema::int32()), &Value::Int32(12)),
        golden!("int32")
    );
    assert_eq!(
        from_connect(&c, Some(&Schema::int64()), &Value::Int64(4_398_046_511_104)),
        golden!("int64")
    );
    assert_eq!(
        from_connect(&c, Some(&Schema::float32()), &Value::Float32(12.34)),
        golden!("float")
    );
    assert_eq!(
        from_connect(&c, Some(&Schema::float64()), &Value::Float64(12.34)),
        golden!("double")
    );
    assert_eq!(
        from_connect(
            &c,
            Some(&Schema::bytes()),
            &Value::Bytes(b"test-string".to_vec())
        ),
        golden!("bytes")
    );
    assert_eq!(
        from_connect(&c, Some(&Schema::string()), &Value::from("test-string")),
        golden!("string")
    );
}

#[test]
fn floating_point_numbers_are_written_as_java_prints_them() {
    let c = schemaless();
    let write = |value: Value| from_connect(&c, None, &value);
    assert_eq!(write(Value::Float64(1.0e10)), "1.0E10");
    assert_eq!(write(Value::Float64(100.0)), "100.0");
    assert_eq!(write(Value::Float64(-0.0)), "-0.0");
    assert_eq!(write(Value::Float64(1.0e-4)), "1.0E-4");
    assert_eq!(write(Value::Float32(0.1)), "0.1");
    assert_eq!(write(Value::Float32(1.0e10)), "1.0E10");
    // Jackson writes non-finite numbers as strings.
    assert_eq!(write(Value::Float64(f64::NAN)), "\"NaN\"");
    assert_eq!(write(Value::Float32(f32::NEG_INFINITY)), "\"-Infinity\"");
}

#[test]
fn array_to_json() {
    let c = default_converter();
    let schema = SchemaBuilder::array(Schema::int32()).build();
    let value = Value::Array(vec![Value::Int32(1), Value::Int32(2), Value::Int32(3)]);
    assert_eq!(from_connect(&c, Some(&schema), &value), golden!("array"));
}

#[test]
fn map_to_json_string_keys() {
    let c = default_converter();
    let schema = SchemaBuilder::map(Schema::string(), Schema::int32()).build();
    let value = Value::Map(vec![
        (Value::from("key1"), Value::Int32(12)),
        (Value::from("key2"), Value::Int32(15)),
    ]);
    assert_eq!(
        from_connect(&c, Some(&schema), &value),
        golden!("map_string_keys")
    );
}

#[test]
fn map_to_json_non_string_keys() {
    let c = default_converter();
    let schema = SchemaBuilder::map(Schema::int32(), Schema::int32()).build();
    let value = Value::Map(vec![
        (Value::Int32(1), Value::Int32(12)),
        (Value::Int32(2), Value::Int32(15)),
    ]);
    assert_eq!(
        from_connect(&c, Some(&schema), &value),
        golden!("map_int_keys")
    );
}

#[test]
fn map_keys_with_the_same_text_collapse_like_object_node_set() {
    let c = schemaless();
    let schema = SchemaBuilder::map(Schema::optional_string(), Schema::int32()).build();
    let value = Value::Map(vec![
        (Value::Null, Value::Int32(1)),
        (Value::from("x"), Value::Int32(2)),
        (Value::from("null"), Value::Int32(3)),
    ]);
    assert_eq!(
        from_connect(&c, Some(&schema), &value),
        "{\"null\":3,\"x\":2}"
    );
}

#[test]
fn large_maps_convert_in_linear_time() {
    let c = default_converter();
    let pairs: Vec<String> = (0..50_000).map(|i| format!("[{i},{i}]")).collect();
    let json = format!(
        "{{\"schema\":{{\"type\":\"map\",\"keys\":{{\"type\":\"int32\"}},\"values\":{{\"type\":\"int32\"}}}},\"payload\":[{},[7,-7]]}}",
        pairs.join(",")
    );
    let read = to_connect(&c, &json);
    let Value::Map(entries) = &read.value else {
        panic!("map")
    };
    assert_eq!(entries.len(), 50_000);
    assert_eq!(entries[7], (Value::Int32(7), Value::Int32(-7)));
    let written = from_connect(&schemaless(), read.schema.as_ref(), &read.value);
    assert!(written.starts_with("[[0,0],[1,1]"), "{}", &written[..20]);
}

#[test]
fn struct_to_json() {
    let c = default_converter();
    let schema = struct_schema(&[
        ("field1", Schema::boolean()),
        ("field2", Schema::string()),
        ("field3", Schema::string()),
        ("field4", Schema::boolean()),
    ]);
    let input = Struct::new(schema.clone())
        .and_then(|s| s.with("field1", true))
        .and_then(|s| s.with("field2", "string2"))
        .and_then(|s| s.with("field3", "string3"))
        .and_then(|s| s.with("field4", false))
        .expect("struct");
    assert_eq!(
        from_connect(&c, Some(&schema), &Value::Struct(input.clone())),
        golden!("struct")
    );
    // An equal schema built separately is the same schema (structSchemaIdentical).
    let same = struct_schema(&[
        ("field1", Schema::boolean()),
        ("field2", Schema::string()),
        ("field3", Schema::string()),
        ("field4", Schema::boolean()),
    ]);
    assert_eq!(
        from_connect(&c, Some(&same), &Value::Struct(input)),
        golden!("struct")
    );
}

#[test]
fn decimal_to_json() {
    let c = default_converter();
    assert_eq!(
        from_connect(
            &c,
            Some(&Decimal::schema(2)),
            &Value::Decimal(decimal(156, 2))
        ),
        golden!("decimal_base64")
    );
    // BigInteger.ZERO.toByteArray() is one zero byte, not an empty array.
    assert!(
        from_connect(
            &c,
            Some(&Decimal::schema(0)),
            &Value::Decimal(decimal(0, 0))
        )
        .ends_with(",\"payload\":\"AA==\"}")
    );
    let base64 = converter(&[("decimal.format", "BASE64")]);
    assert_eq!(base64.config().decimal_format, DecimalFormat::Base64);
    assert_eq!(
        from_connect(
            &base64,
            Some(&Decimal::schema(2)),
            &Value::Decimal(decimal(156, 2))
        ),
        golden!("decimal_base64")
    );
}

#[test]
fn decimal_to_numeric_json() {
    let c = converter(&[("decimal.format", "NUMERIC")]);
    assert_eq!(
        from_connect(
            &c,
            Some(&Decimal::schema(2)),
            &Value::Decimal(decimal(156, 2))
        ),
        golden!("decimal_numeric")
    );
    assert_eq!(
        from_connect(
            &c,
            Some(&Decimal::schema(4)),
            &Value::Decimal(decimal(15600, 4))
        ),
        golden!("decimal_numeric_trailing_zeros")
    );
    // BigDecimal.toString(): scientific notation for negative scales and tiny values.
    let payload = |d: BigDecimal, scale: i32| {
        let json = from_connect(&c, Some(&Decimal::schema(scale)), &Value::Decimal(d));
        let start = json.find("\"payload\":").expect("payload") + "\"payload\":".len();
        json[start..json.len() - 1].to_string()
    };
    assert_eq!(payload(decimal(12, -2), -2), "1.2E+3");
    assert_eq!(payload(decimal(1, 7), 7), "1E-7");
    assert_eq!(payload(decimal(-5, 3), 3), "-0.005");
    // The case-insensitive setting reads back both forms.
    let lower = converter(&[("decimal.format", "numeric")]);
    assert_eq!(lower.config().decimal_format, DecimalFormat::Numeric);
}

#[test]
fn decimal_to_json_errors() {
    let c = default_converter();
    assert_data_error(
        &from_connect_err(&c, None, &Value::Decimal(decimal(156, 2))),
        "Java class class java.math.BigDecimal does not have corresponding schema type.",
    );
    assert_data_error(
        &from_connect_err(
            &c,
            Some(&Decimal::schema(3)),
            &Value::Decimal(decimal(156, 2)),
        ),
        "Decimal value has mismatching scale for given Decimal schema. Schema has scale 3, value has scale 2.",
    );
    assert_data_error(
        &from_connect_err(&c, Some(&Decimal::schema(2)), &Value::Bytes(vec![0, 0x9C])),
        "Invalid type for Decimal, expected BigDecimal but was class [B",
    );
}

#[test]
fn temporal_types_to_json() {
    let c = default_converter();
    assert_eq!(
        from_connect(&c, Some(&Date::schema()), &Value::Int32(10000)),
        golden!("date")
    );
    assert_eq!(
        from_connect(&c, Some(&Time::schema()), &Value::Int32(14_400_000)),
        golden!("time")
    );
    assert_eq!(
        from_connect(&c, Some(&Timestamp::schema()), &Value::Int64(4_000_000_000)),
        golden!("timestamp")
    );
    // Kafka's Time.fromLogical refuses more than a day (unixMillis > MILLIS_PER_DAY), so
    // exactly a day, 24:00:00.000, is written (the differential tests found this).
    assert_eq!(
        from_connect(&c, Some(&Time::schema()), &Value::Int32(86_400_000)),
        r#"{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Time","version":1},"payload":86400000}"#
    );
    assert_data_error(
        &from_connect_err(&c, Some(&Time::schema()), &Value::Int32(86_400_001)),
        "Kafka Connect Time type should not have any date fields set to non-zero values.",
    );
    assert_data_error(
        &from_connect_err(&c, Some(&Date::schema()), &Value::Int64(1)),
        "Invalid type for Date, expected Date but was class java.lang.Long",
    );
}

#[test]
fn null_schema_to_json() {
    let c = default_converter();
    assert_eq!(
        from_connect(&c, None, &Value::Boolean(true)),
        golden!("null_schema_boolean")
    );
    let array = Value::Array(vec![
        Value::Int32(1),
        Value::from("string"),
        Value::Boolean(true),
    ]);
    assert_eq!(from_connect(&c, None, &array), golden!("null_schema_array"));
    let map = Value::Map(vec![
        (Value::from("key1"), Value::Int32(12)),
        (Value::from("key2"), Value::from("string")),
        (Value::from("key3"), Value::Boolean(true)),
    ]);
    assert_eq!(from_connect(&c, None, &map), golden!("null_schema_map"));
    // Any non-string key turns the whole map into an array of [key, value] pairs.
    let mixed = Value::Map(vec![
        (Value::from("string"), Value::Int32(12)),
        (Value::Int32(52), Value::from("string")),
        (Value::Boolean(false), Value::Boolean(true)),
    ]);
    assert_eq!(
        from_connect(&c, None, &mixed),
        golden!("null_schema_map_non_string_keys")
    );
}

#[test]
fn null_value_without_schema_is_a_tombstone() {
    for enabled in ["true", "false"] {
        let mut c = JsonConverter::new();
        Converter::configure(&mut c, &props(&[("schemas.enable", enabled)]), true).expect("config");
        assert_eq!(
            c.from_connect_data(TOPIC, &Headers::new(), None, &Value::Null)
                .expect("tombstone"),
            None
        );
    }
}

#[test]
fn mismatching_schema_and_value_is_a_data_error() {
    let c = default_converter();
    assert_data_error(
        &from_connect_err(&c, Some(&Schema::float64()), &Value::Boolean(true)),
        "Invalid type for FLOAT64: class java.lang.Boolean",
    );
    assert_data_error(
        &from_connect_err(&c, Some(&Schema::bytes()), &Value::from("x")),
        "Invalid type for bytes type: class java.lang.String",
    );
    let schema = struct_schema(&[("a", Schema::int32())]);
    let other = struct_schema(&[("b", Schema::int32())]);
    let value = Struct::new(other)
        .and_then(|s| s.with("b", 1))
        .expect("struct");
    assert_data_error(
        &from_connect_err(&c, Some(&schema), &Value::Struct(value.clone())),
        "Mismatching schema.",
    );
    assert_data_error(
        &from_connect_err(&c, None, &Value::Struct(value)),
        "Mismatching schema.",
    );
    assert_data_error(
        &from_connect_err(&c, Some(&Schema::string()), &Value::Null),
        "Conversion error: null value for field that is required and has no default value",
    );
}

#[test]
fn no_schema_to_json() {
    let c = converter(&[("schemas.enable", "false")]);
    assert_eq!(from_connect(&c, None, &Value::Boolean(true)), "true");
    // An optional schema with a null value is JSON null, not a tombstone.
    assert_eq!(
        from_connect(&c, Some(&Schema::optional_string()), &Value::Null),
        "null"
    );
}

// ---------------------------------------------------------------- nulls and defaults

#[test]
fn null_is_replaced_by_the_default_unless_disabled() {
    let schema = build(
        SchemaBuilder::string()
            .optional()
            .default_value(Value::from("default")),
    );
    let replacing = default_converter();
    assert_eq!(
        from_connect(&replacing, Some(&schema), &Value::Null),
        golden!("string_optional_default_replaced")
    );
    let keeping = converter(&[("replace.null.with.default", "false")]);
    assert_eq!(
        from_connect(&keeping, Some(&schema), &Value::Null),
        golden!("string_optional_default_kept_null")
    );

    let json = golden!("string_optional_default_kept_null");
    assert_eq!(to_connect(&replacing, json), sv(schema.clone(), "default"));
    assert_eq!(to_connect(&keeping, json), sv(schema, Value::Null));
}

#[test]
fn null_fields_are_replaced_by_their_default_unless_disabled() {
    let field = build(
        SchemaBuilder::string()
            .optional()
            .default_value(Value::from("default")),
    );
    let schema = struct_schema(&[("field1", field)]);
    let empty = Value::Struct(Struct::new(schema.clone()).expect("struct"));
    let replacing = default_converter();
    assert_eq!(
        from_connect(&replacing, Some(&schema), &empty),
        golden!("struct_field_default_replaced")
    );
    let keeping = converter(&[("replace.null.with.default", "false")]);
    assert_eq!(
        from_connect(&keeping, Some(&schema), &empty),
        golden!("struct_field_default_kept_null")
    );

    let json = golden!("struct_field_default_kept_null");
    let read = to_connect(&replacing, json);
    let Value::Struct(s) = &read.value else {
        panic!("struct")
    };
    assert_eq!(
        s.get_without_default("field1").expect("field"),
        &Value::from("default")
    );
    let read = to_connect(&keeping, json);
    let Value::Struct(s) = &read.value else {
        panic!("struct")
    };
    assert_eq!(
        s.get_without_default("field1").expect("field"),
        &Value::Null
    );
}

#[test]
fn required_null_without_default_is_an_error_when_reading() {
    let c = default_converter();
    assert_data_error(
        &to_connect_err(&c, r#"{"schema":{"type":"int32"},"payload":null}"#),
        "Invalid null value for required INT32 field",
    );
}

// ---------------------------------------------------------------- round trips and envelope

fn nested_schema() -> Schema {
    let amount = build(
        Decimal::builder(-2)
            .optional()
            .default_value(Value::Decimal(decimal(12, -2))),
    );
    let maps = SchemaBuilder::array(
        SchemaBuilder::map(Schema::string(), Schema::optional_float64()).build(),
    )
    .build();
    SchemaBuilder::struct_()
        .name("com.example.Doc")
        .version(7)
        .doc("a \"doc\" with\ttab")
        .field("maps", maps)
        .and_then(|b| b.field("amount", amount))
        .and_then(|b| b.field("ratio", Schema::float32()))
        .expect("schema")
        .build()
}

fn nested_value(schema: &Schema) -> Value {
    let maps = Value::Array(vec![
        Value::Map(vec![
            (Value::from("a"), Value::Float64(1.0e10)),
            (Value::from("b"), Value::Null),
            (Value::from("c"), Value::Float64(100.0)),
        ]),
        Value::Map(vec![]),
    ]);
    Value::Struct(
        Struct::new(schema.clone())
            .and_then(|s| s.with("maps", maps))
            .and_then(|s| s.with("ratio", Value::Float32(1.0e-5)))
            .expect("struct"),
    )
}

#[test]
fn nested_schema_and_value_to_json() {
    let c = default_converter();
    let schema = nested_schema();
    assert_eq!(
        from_connect(&c, Some(&schema), &nested_value(&schema)),
        golden!("nested_everything")
    );
}

#[test]
fn nested_schema_and_value_round_trip() {
    let c = default_converter();
    let read = to_connect(&c, golden!("nested_everything"));
    let schema = nested_schema();
    assert_eq!(read.schema.as_ref(), Some(&schema));
    let Value::Struct(s) = &read.value else {
        panic!("struct")
    };
    // The null amount was written as its default, so it reads back as that value.
    assert_eq!(
        s.get_without_default("amount").expect("amount"),
        &Value::Decimal(decimal(12, -2))
    );
    assert_eq!(
        from_connect(&c, read.schema.as_ref(), &read.value),
        golden!("nested_everything")
    );
}

#[test]
fn values_round_trip_through_json() {
    let c = default_converter();
    let cases: Vec<(Schema, Value)> = vec![
        (Schema::int8(), Value::Int8(-128)),
        (Schema::int64(), Value::Int64(i64::MAX)),
        (Schema::float32(), Value::Float32(f32::MIN_POSITIVE)),
        (Schema::float64(), Value::Float64(-1.2345678901234567e-300)),
        (
            Schema::string(),
            Value::from("tab\tquote\"back\\slash\u{1}é\u{1F600}"),
        ),
        (Schema::bytes(), Value::Bytes((0..=255).collect())),
        (Decimal::schema(0), Value::Decimal(decimal(0, 0))),
        (Decimal::schema(3), Value::Decimal(decimal(-128, 3))),
        (
            SchemaBuilder::map(
                Schema::int64(),
                SchemaBuilder::array(Schema::string()).build(),
            )
            .build(),
            Value::Map(vec![(
                Value::Int64(-1),
                Value::Array(vec![Value::from("x")]),
            )]),
        ),
    ];
    for (schema, value) in cases {
        let json = from_connect(&c, Some(&schema), &value);
        assert_eq!(to_connect(&c, &json), sv(schema, value.clone()), "{json}");
    }
}

#[test]
fn strings_are_escaped_like_jackson() {
    let c = schemaless();
    assert_eq!(
        from_connect(
            &c,
            None,
            &Value::from("a\"b\\c/d\u{0}\u{1f}\u{7f}\u{8}\u{c}é")
        ),
        "\"a\\\"b\\\\c/d\\u0000\\u001F\u{7f}\\b\\fé\""
    );
}

#[test]
fn envelope_is_required_with_schemas_enabled() {
    let c = default_converter();
    let message = "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.";
    for json in [
        "{\"payload\":1}",
        "{\"schema\":null}",
        "{\"schema\":null,\"payload\":1,\"extra\":2}",
        "[1,2]",
        "true",
    ] {
        assert_data_error(&to_connect_err(&c, json), message);
    }
}

#[test]
fn invalid_json_is_a_serialization_error() {
    let error = to_connect_err(&default_converter(), "{\"schema\":");
    assert_data_error(
        &error,
        "Converting byte[] to Kafka Connect data failed due to serialization error: ",
    );
    assert!(error.trace().contains("Caused by: "), "{}", error.trace());
    assert_data_error(
        &to_connect_err(&schemaless(), "{not json}"),
        "Converting byte[] to Kafka Connect data failed due to serialization error: ",
    );
}

#[test]
fn deeply_nested_json_is_a_data_error_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_data_error(
        &to_connect_err(&schemaless(), &deep),
        "Converting byte[] to Kafka Connect data failed due to serialization error: ",
    );
}

#[test]
fn schema_errors() {
    let c = default_converter();
    let err =
        |schema: &str| to_connect_err(&c, &format!("{{\"schema\":{schema},\"payload\":null}}"));
    assert_data_error(&err("{}"), "Schema must contain 'type' field");
    assert_data_error(&err("\"string\""), "Schema must contain 'type' field");
    assert_data_error(&err("{\"type\":\"uuid\"}"), "Unknown schema type: uuid");
    assert_data_error(
        &err("{\"type\":\"array\"}"),
        "Array schema did not specify the element type",
    );
    assert_data_error(
        &err("{\"type\":\"map\",\"values\":{\"type\":\"string\"}}"),
        "Map schema did not specify the key type",
    );
    assert_data_error(
        &err("{\"type\":\"map\",\"keys\":{\"type\":\"string\"}}"),
        "Map schema did not specify the value type",
    );
    assert_data_error(
        &err("{\"type\":\"string\",\"parameters\":{\"a\":1}}"),
        "Schema parameters must have string values.",
    );
}

#[test]
fn invalid_bytes_are_a_data_error() {
    let c = default_converter();
    assert_data_error(
        &to_connect_err(&c, r#"{"schema":{"type":"bytes"},"payload":"***"}"#),
        "Invalid bytes field",
    );
}

// ---------------------------------------------------------------- configuration and headers

#[test]
fn configuration_is_validated_with_kafkas_messages() {
    let mut c = JsonConverter::new();
    let error = Converter::configure(&mut c, &props(&[("decimal.format", "HEX")]), false)
        .expect_err("invalid decimal.format");
    assert!(matches!(error, ConnectError::Config(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "Invalid value HEX for configuration decimal.format: String must be one of (case insensitive): BASE64, NUMERIC"
    );
    let error = Converter::configure(&mut c, &props(&[("schemas.enable", "maybe")]), false)
        .expect_err("invalid boolean");
    assert_eq!(
        error.to_string(),
        "Invalid value maybe for configuration schemas.enable: Expected value to be either true or false"
    );
    Converter::configure(
        &mut c,
        &props(&[("schemas.cache.size", "5"), ("unknown.key", "x")]),
        true,
    )
    .expect("unknown keys are ignored");
    assert_eq!(c.config().schema_cache_size, 5);
    assert_eq!(c.config().converter_type, connect_json::ConverterType::Key);
    let def = Converter::config_def(&c);
    assert_eq!(
        def.key("decimal.format").map(|k| k.documentation.as_str()),
        Some(
            "Controls which format this converter will serialize decimals in. This value is \
             case insensitive and can be either 'BASE64' (default) or 'NUMERIC'"
        )
    );
    assert_eq!(
        def.key("replace.null.with.default")
            .map(|k| k.documentation.as_str()),
        Some(
            "Whether to replace fields that have a default value and that are null to the \
             default value. When set to true, the default value is used, otherwise null is used."
        )
    );
    let keys: Vec<String> = def.keys().map(|k| k.name.clone()).collect();
    assert_eq!(
        keys,
        [
            "converter.type",
            "schemas.enable",
            "schemas.cache.size",
            "decimal.format",
            "replace.null.with.default"
        ]
    );
}

#[test]
fn header_conversion_delegates_to_data_conversion() {
    let mut c = JsonConverter::new();
    HeaderConverter::configure(&mut c, &props(&[])).expect("header config");
    assert_eq!(
        c.config().converter_type,
        connect_json::ConverterType::Header
    );
    let bytes = c
        .from_connect_header(
            TOPIC,
            "headerName",
            Some(&Schema::string()),
            &Value::from("test-string"),
        )
        .expect("converts")
        .expect("bytes");
    assert_eq!(bytes, golden!("string").as_bytes());
    assert_eq!(
        c.to_connect_header(
            TOPIC,
            "headerName",
            Some(
                "{ \"schema\": { \"type\": \"string\" }, \"payload\": \"foo-bar-baz\" }".as_bytes()
            )
        )
        .expect("converts"),
        sv(Schema::string(), "foo-bar-baz")
    );
}

#[test]
fn as_json_schema_is_public_and_exact() {
    let c = default_converter();
    let schema =
        SchemaBuilder::map(Schema::string(), Decimal::builder(2).optional().build()).build();
    assert_eq!(
        c.as_json_schema(&schema).expect("schema").to_string(),
        "{\"type\":\"map\",\"keys\":{\"type\":\"string\",\"optional\":false},\"values\":{\"type\":\"bytes\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data.Decimal\",\"version\":1,\"parameters\":{\"scale\":\"2\"}},\"optional\":false}"
    );
    let back = c
        .as_connect_schema(&c.as_json_schema(&schema).expect("schema").to_serde())
        .expect("reads back");
    assert_eq!(back, Some(schema));
}
