//! Tests for `SimpleHeaderConverter` and the `Values` text forms, ported from Kafka's
//! `SimpleHeaderConverterTest`, with `Values.parseString` cases from `ValuesTest`.

use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::BigInt;
use connect_api::data::{Date, Decimal, Time, Timestamp};
use connect_api::storage::HeaderConverter;
use connect_api::{Schema, SchemaAndValue, SchemaBuilder, SchemaType, Struct, Value};
use connect_json::SimpleHeaderConverter;
use connect_json::values::{convert_to_string, parse_string};

const TOPIC: &str = "topic";
const HEADER: &str = "header";

fn round_trip(schema: Option<&Schema>, value: &Value) -> (Option<Vec<u8>>, SchemaAndValue) {
    let converter = SimpleHeaderConverter::new();
    let bytes = converter
        .from_connect_header(TOPIC, HEADER, schema, value)
        .expect("serializes");
    let result = converter
        .to_connect_header(TOPIC, HEADER, bytes.as_deref())
        .expect("deserializes");
    (bytes, result)
}

/// Kafka's `assertRoundTrip`: the value and schema come back, and converting the result
/// again gives the same result.
fn assert_round_trip(schema: &Schema, value: Value) {
    let (bytes, result) = round_trip(Some(schema), &value);
    assert!(bytes.is_some());
    assert_eq!(
        result,
        SchemaAndValue::new(Some(schema.clone()), value.clone())
    );
    let (bytes2, result2) = round_trip(result.schema.as_ref(), &result.value);
    assert_eq!(bytes2, bytes);
    assert_eq!(result2, result);
}

fn string_map() -> Value {
    Value::Map(vec![
        (Value::from("foo"), Value::from("123")),
        (Value::from("bar"), Value::from("baz")),
    ])
}

fn string_short_map() -> Value {
    Value::Map(vec![
        (Value::from("foo"), Value::Int16(12345)),
        (Value::from("bar"), Value::Int16(0)),
        (Value::from("baz"), Value::Int16(-4321)),
    ])
}

fn string_int_map() -> Value {
    Value::Map(vec![
        (Value::from("foo"), Value::Int32(1_234_567_890)),
        (Value::from("bar"), Value::Int32(0)),
        (Value::from("baz"), Value::Int32(-987_654_321)),
    ])
}

fn map_schema(value: Schema) -> Schema {
    SchemaBuilder::map(Schema::string(), value).build()
}

fn parse_bytes(text: &str) -> SchemaAndValue {
    SimpleHeaderConverter::new()
        .to_connect_header(TOPIC, HEADER, Some(text.as_bytes()))
        .expect("deserializes")
}

#[test]
fn should_convert_null_value() {
    for schema in [Schema::string(), Schema::optional_string()] {
        let (bytes, result) = round_trip(Some(&schema), &Value::Null);
        assert_eq!(bytes, None);
        assert_eq!(result, SchemaAndValue::null());
    }
}

#[test]
fn should_convert_simple_and_empty_strings() {
    assert_round_trip(&Schema::string(), Value::from("simple"));
    assert_round_trip(&Schema::string(), Value::from(""));
}

#[test]
fn should_convert_string_with_quotes_and_other_delimiter_characters() {
    assert_round_trip(&Schema::string(), Value::from("three\"blind\\\"mice"));
    assert_round_trip(
        &Schema::string(),
        Value::from("string with delimiters: <>?,./\\=+-!@#$%^&*(){}[]|;':"),
    );
}

#[test]
fn should_convert_map_with_string_keys() {
    assert_round_trip(&map_schema(Schema::string()), string_map());
}

#[test]
fn should_parse_string_of_map_with_string_values_as_map() {
    for text in [
        "{\"foo\":\"123\",\"bar\":\"baz\"}",
        "{ \"foo\" : \"123\", \n\"bar\" : \"baz\" } ",
    ] {
        let (_, result) = round_trip(Some(&Schema::string()), &Value::from(text));
        assert_eq!(
            result,
            SchemaAndValue::new(Some(map_schema(Schema::string())), string_map())
        );
    }
}

#[test]
fn should_convert_map_with_string_keys_and_short_values() {
    assert_round_trip(&map_schema(Schema::int16()), string_short_map());
    for text in [
        "{\"foo\":12345,\"bar\":0,\"baz\":-4321}",
        " { \"foo\" :  12345 , \"bar\" : 0,  \"baz\" : -4321 }  ",
    ] {
        let (_, result) = round_trip(Some(&Schema::string()), &Value::from(text));
        assert_eq!(
            result,
            SchemaAndValue::new(Some(map_schema(Schema::int16())), string_short_map())
        );
    }
}

#[test]
fn should_convert_map_with_string_keys_and_integer_values() {
    assert_round_trip(&map_schema(Schema::int32()), string_int_map());
    for text in [
        "{\"foo\":1234567890,\"bar\":0,\"baz\":-987654321}",
        " { \"foo\" :  1234567890 , \"bar\" : 0,  \"baz\" : -987654321 }  ",
    ] {
        let (_, result) = round_trip(Some(&Schema::string()), &Value::from(text));
        assert_eq!(
            result,
            SchemaAndValue::new(Some(map_schema(Schema::int32())), string_int_map())
        );
    }
}

#[test]
fn should_convert_lists() {
    assert_round_trip(
        &SchemaBuilder::array(Schema::string()).build(),
        Value::Array(vec![Value::from("foo"), Value::from("bar")]),
    );
    assert_round_trip(
        &SchemaBuilder::array(Schema::int32()).build(),
        Value::Array(vec![
            Value::Int32(1_234_567_890),
            Value::Int32(-987_654_321),
        ]),
    );
}

#[test]
fn should_convert_map_with_string_keys_and_mixed_values_to_map() {
    let map = Value::Map(vec![
        (Value::from("foo"), Value::from("bar")),
        (Value::from("baz"), Value::Int16(3456)),
    ]);
    let (_, result) = round_trip(None, &map);
    let schema = result.schema.expect("schema");
    assert_eq!(schema.schema_type(), SchemaType::Map);
    // Kafka keeps the key schema (STRING) here; this SDK's map schemas cannot have a key
    // schema without a value schema, so neither is set.
    assert!(schema.value_schema().is_err());
    assert_eq!(result.value, map);
}

#[test]
fn should_convert_list_with_mixed_values_to_list_without_schema() {
    let list = Value::Array(vec![Value::from("foo"), Value::Int16(13344)]);
    let (_, result) = round_trip(None, &list);
    let schema = result.schema.expect("schema");
    assert_eq!(schema.schema_type(), SchemaType::Array);
    assert!(schema.value_schema().is_err());
    assert_eq!(result.value, list);
}

#[test]
fn should_convert_empty_map_and_list() {
    let (_, result) = round_trip(None, &Value::Map(vec![]));
    let schema = result.schema.expect("schema");
    assert_eq!(schema.schema_type(), SchemaType::Map);
    assert!(schema.key_schema().is_err() && schema.value_schema().is_err());
    assert_eq!(result.value, Value::Map(vec![]));

    let (_, result) = round_trip(None, &Value::Array(vec![]));
    let schema = result.schema.expect("schema");
    assert_eq!(schema.schema_type(), SchemaType::Array);
    assert!(schema.value_schema().is_err());
    assert_eq!(result.value, Value::Array(vec![]));
}

// ---------------------------------------------------------------- Values.parseString

fn parsed(text: &str) -> (Option<SchemaType>, Value) {
    let result = parse_string(text);
    (result.schema.map(|s| s.schema_type()), result.value)
}

#[test]
fn parses_literals() {
    assert_eq!(
        parse_string("true"),
        SchemaAndValue::new(Some(Schema::boolean()), Value::Boolean(true))
    );
    assert_eq!(
        parse_string("false"),
        SchemaAndValue::new(Some(Schema::boolean()), Value::Boolean(false))
    );
    assert_eq!(parse_string("null"), SchemaAndValue::null());
    assert_eq!(parse_string(" null "), SchemaAndValue::null());
    // A literal followed by more tokens is just a string.
    assert_eq!(
        parsed("true}"),
        (Some(SchemaType::String), Value::from("true}"))
    );
    assert_eq!(
        parsed("   "),
        (Some(SchemaType::String), Value::from("   "))
    );
    assert_eq!(
        parsed("hello world"),
        (Some(SchemaType::String), Value::from("hello world"))
    );
}

#[test]
fn parses_numbers_into_the_smallest_type() {
    assert_eq!(
        parse_string("12"),
        SchemaAndValue::new(Some(Schema::int8()), Value::Int8(12))
    );
    assert_eq!(
        parsed("-300"),
        (Some(SchemaType::Int16), Value::Int16(-300))
    );
    assert_eq!(
        parsed("70000"),
        (Some(SchemaType::Int32), Value::Int32(70_000))
    );
    assert_eq!(
        parsed("5000000000"),
        (Some(SchemaType::Int64), Value::Int64(5_000_000_000))
    );
    assert_eq!(parsed("+1.0"), (Some(SchemaType::Int8), Value::Int8(1)));
    assert_eq!(parsed("1e2"), (Some(SchemaType::Int8), Value::Int8(100)));
    assert_eq!(
        parsed("1.5"),
        (Some(SchemaType::Float32), Value::Float32(1.5))
    );
    assert_eq!(
        parsed("0.1"),
        (Some(SchemaType::Float32), Value::Float32(0.1))
    );
    assert_eq!(
        parsed("1e40"),
        (Some(SchemaType::Float64), Value::Float64(1e40))
    );
    // Whole numbers beyond long keep every digit as a Decimal of scale 0.
    let big = parse_string("12345678901234567890");
    assert_eq!(big.schema, Some(Decimal::schema(0)));
    assert_eq!(
        big.value,
        Value::Decimal(BigDecimal::new(
            "12345678901234567890".parse::<BigInt>().expect("int"),
            0
        ))
    );
    assert_eq!(
        parsed("12abc"),
        (Some(SchemaType::String), Value::from("12abc"))
    );
}

#[test]
fn parses_temporal_literals() {
    assert_eq!(
        parse_string("2019-08-23"),
        SchemaAndValue::new(Some(Date::schema()), Value::Int32(18_131))
    );
    assert_eq!(
        parse_string("14:34:54.346Z"),
        SchemaAndValue::new(Some(Time::schema()), Value::Int32(52_494_346))
    );
    let timestamp = SchemaAndValue::new(
        Some(Timestamp::schema()),
        Value::Int64(18_131 * 86_400_000 + 52_494_346),
    );
    assert_eq!(parse_string("2019-08-23T14:34:54.346Z"), timestamp);
    assert_eq!(parse_string("2019-08-23T14\\:34\\:54.346Z"), timestamp);
    assert_eq!(
        parse_string("[\"2019-08-23T14:34:54.346Z\"]").value,
        Value::Array(vec![timestamp.value.clone()])
    );
}

#[test]
fn parses_arrays_with_a_common_schema() {
    assert_eq!(
        parse_string("[1, 300, 70000]"),
        SchemaAndValue::new(
            Some(SchemaBuilder::array(Schema::int32()).build()),
            Value::Array(vec![
                Value::Int32(1),
                Value::Int32(300),
                Value::Int32(70_000)
            ])
        )
    );
    assert_eq!(
        parse_string("[1, 2.5]"),
        SchemaAndValue::new(
            Some(SchemaBuilder::array(Schema::float32()).build()),
            Value::Array(vec![Value::Float32(1.0), Value::Float32(2.5)])
        )
    );
    assert_eq!(
        parse_string("[true, false]").schema,
        Some(SchemaBuilder::array(Schema::boolean()).build())
    );
    assert_eq!(
        parse_string("[[1], [2, 3]]").value,
        Value::Array(vec![
            Value::Array(vec![Value::Int8(1)]),
            Value::Array(vec![Value::Int8(2), Value::Int8(3)])
        ])
    );
}

#[test]
fn nulls_beside_other_values_make_the_whole_text_a_string() {
    for text in ["[1, null]", "[null, 1]", "{\"a\":1,\"b\":null}"] {
        assert_eq!(parsed(text), (Some(SchemaType::String), Value::from(text)));
    }
    let all_null = parse_string("[null, null]");
    assert_eq!(all_null.value, Value::Array(vec![Value::Null, Value::Null]));
    assert!(all_null.schema.expect("schema").value_schema().is_err());
}

#[test]
fn malformed_arrays_and_maps_are_strings() {
    for text in [
        "[1,2", "[1,,2]", "[1 2]", "{\"a\"}", "{\"a\":1", "{,}", "{null:1}",
    ] {
        assert_eq!(
            parsed(text),
            (Some(SchemaType::String), Value::from(text)),
            "{text}"
        );
    }
}

#[test]
fn quoted_strings_keep_delimiters() {
    assert_eq!(
        parse_string("[\"a,b\", \"c:d\", \"{e}\"]"),
        SchemaAndValue::new(
            Some(SchemaBuilder::array(Schema::string()).build()),
            Value::Array(vec![
                Value::from("a,b"),
                Value::from("c:d"),
                Value::from("{e}")
            ])
        )
    );
}

#[test]
fn invalid_utf8_header_bytes_are_replaced() {
    let converter = SimpleHeaderConverter::new();
    let result = converter
        .to_connect_header(TOPIC, HEADER, Some(b"a\xFFb"))
        .expect("deserializes");
    assert_eq!(result.value, Value::from("a\u{FFFD}b"));
    assert_eq!(parse_bytes("42").value, Value::Int8(42));
}

#[test]
fn nesting_is_followed_to_a_depth_limit() {
    let nested = |depth: usize| format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let mut expected = Value::Int8(1);
    for _ in 0..100 {
        expected = Value::Array(vec![expected]);
    }
    assert_eq!(parse_string(&nested(100)).value, expected);
    // Where Kafka's recursive parser would overflow its stack, the header keeps its bytes.
    let deep = nested(100_000);
    assert_eq!(
        parse_bytes(&deep),
        SchemaAndValue::new(
            Some(Schema::bytes()),
            Value::Bytes(deep.clone().into_bytes())
        )
    );
    assert_eq!(
        parse_string(&deep),
        SchemaAndValue::new(Some(Schema::string()), Value::from(deep))
    );
}

// ---------------------------------------------------------------- Values.convertToString

fn text(schema: Option<&Schema>, value: Value) -> String {
    convert_to_string(schema, &value)
        .expect("converts")
        .expect("not null")
}

#[test]
fn converts_values_to_kafkas_text_forms() {
    assert_eq!(text(None, Value::Float64(1.0e10)), "1.0E10");
    assert_eq!(text(None, Value::Float32(12.5)), "12.5");
    assert_eq!(text(None, Value::Bytes(b"hello".to_vec())), "aGVsbG8=");
    assert_eq!(
        text(
            None,
            Value::Array(vec![Value::Bytes(b"hi".to_vec()), Value::from("a\"b\\c")])
        ),
        "[\"aGk=\",\"a\\\"b\\\\c\"]"
    );
    assert_eq!(
        text(
            None,
            Value::Map(vec![
                (Value::Int8(1), Value::Null),
                (Value::from("k"), Value::Boolean(true))
            ])
        ),
        "{1:null,\"k\":true}"
    );
    assert_eq!(
        text(None, Value::Decimal(BigDecimal::new(BigInt::from(156), 2))),
        "1.56"
    );
    assert_eq!(
        convert_to_string(Some(&Schema::optional_int32()), &Value::Null).expect("null"),
        None
    );
}

#[test]
fn converts_temporal_values_to_iso_8601() {
    assert_eq!(
        text(Some(&Date::schema()), Value::Int32(18_131)),
        "2019-08-23"
    );
    assert_eq!(
        text(Some(&Time::schema()), Value::Int32(52_494_346)),
        "14:34:54.346Z"
    );
    assert_eq!(
        text(
            Some(&Timestamp::schema()),
            Value::Int64(18_131 * 86_400_000 + 52_494_346)
        ),
        "2019-08-23T14:34:54.346Z"
    );
    // Kafka picks the form by the value: the epoch day itself prints as a time.
    assert_eq!(
        text(Some(&Date::schema()), Value::Int32(0)),
        "00:00:00.000Z"
    );
    // Temporal values round-trip through the header converter.
    let schema = Timestamp::schema();
    let value = Value::Int64(18_131 * 86_400_000 + 52_494_346);
    let (_, result) = round_trip(Some(&schema), &value);
    assert_eq!(result, SchemaAndValue::new(Some(schema), value));
}

#[test]
fn converts_structs_with_field_defaults() {
    let schema = SchemaBuilder::struct_()
        .field("name", Schema::string())
        .and_then(|b| {
            b.field(
                "age",
                SchemaBuilder::int32()
                    .default_value(Value::Int32(7))
                    .expect("default")
                    .build(),
            )
        })
        .and_then(|b| b.field("born", Date::schema()))
        .expect("schema")
        .build();
    let value = Struct::new(schema.clone())
        .and_then(|s| s.with("name", "ada"))
        .and_then(|s| s.with("born", Value::Int32(18_131)))
        .expect("struct");
    assert_eq!(
        text(Some(&schema), Value::Struct(value)),
        "{\"name\":\"ada\",\"age\":7,\"born\":2019-08-23}"
    );
}
