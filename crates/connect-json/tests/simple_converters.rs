//! Tests for the simple converters, ported from Kafka's `StringConverterTest`,
//! `ByteArrayConverterTest`, `NumberConverterTest` (and its subclasses) and
//! `BooleanConverterTest`.

use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::BigInt;
use connect_api::data::{Date, Timestamp};
use connect_api::storage::{Converter, HeaderConverter};
use connect_api::{
    ConnectError, Headers, Props, Schema, SchemaAndValue, SchemaBuilder, Struct, Value,
};
use connect_json::{
    BooleanConverter, ByteArrayConverter, DoubleConverter, Encoding, FloatConverter,
    IntegerConverter, LongConverter, ShortConverter, StringConverter,
};

const TOPIC: &str = "topic";
const HEADER: &str = "header";

fn props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn write(converter: &dyn Converter, schema: Option<&Schema>, value: &Value) -> Option<Vec<u8>> {
    converter
        .from_connect_data(TOPIC, &Headers::new(), schema, value)
        .unwrap_or_else(|e| panic!("{value:?} should convert: {e}"))
}

fn write_err(converter: &dyn Converter, schema: Option<&Schema>, value: &Value) -> ConnectError {
    match converter.from_connect_data(TOPIC, &Headers::new(), schema, value) {
        Ok(bytes) => panic!("{value:?} should fail, got {bytes:?}"),
        Err(e) => e,
    }
}

fn read(converter: &dyn Converter, data: Option<&[u8]>) -> SchemaAndValue {
    converter
        .to_connect_data(TOPIC, &Headers::new(), data)
        .unwrap_or_else(|e| panic!("{data:?} should convert: {e}"))
}

fn read_err(converter: &dyn Converter, data: &[u8]) -> ConnectError {
    match converter.to_connect_data(TOPIC, &Headers::new(), Some(data)) {
        Ok(converted) => panic!("{data:?} should fail, got {converted:?}"),
        Err(e) => e,
    }
}

fn assert_data_error(error: &ConnectError, message: &str, cause: Option<&str>) {
    assert!(matches!(error, ConnectError::Data { .. }), "{error:?}");
    assert_eq!(error.to_string(), message);
    if let Some(cause) = cause {
        assert_eq!(error.trace(), format!("{message}\nCaused by: {cause}"));
    }
}

// ---------------------------------------------------------------- StringConverter

fn string_converter(pairs: &[(&str, &str)]) -> StringConverter {
    let mut converter = StringConverter::new();
    Converter::configure(&mut converter, &props(pairs), true).expect("valid config");
    converter
}

#[test]
fn string_to_bytes() {
    let c = string_converter(&[]);
    assert_eq!(
        write(&c, Some(&Schema::string()), &Value::from("test-string")),
        Some(b"test-string".to_vec())
    );
}

#[test]
fn non_string_to_bytes_uses_java_to_string() {
    let c = string_converter(&[]);
    let text = |schema: Option<&Schema>, value: Value| {
        String::from_utf8(write(&c, schema, &value).expect("bytes")).expect("utf-8")
    };
    assert_eq!(text(Some(&Schema::boolean()), Value::Boolean(true)), "true");
    // testToBytesIgnoresSchema: the schema does not matter, only the value.
    assert_eq!(text(Some(&Schema::int32()), Value::Boolean(true)), "true");
    assert_eq!(text(None, Value::Int32(12)), "12");
    assert_eq!(text(None, Value::Float64(1.0e10)), "1.0E10");
    assert_eq!(text(None, Value::Float32(12.34)), "12.34");
    assert_eq!(
        text(None, Value::Decimal(BigDecimal::new(BigInt::from(12), -2))),
        "1.2E+3"
    );
    assert_eq!(
        text(
            None,
            Value::Array(vec![Value::Int32(1), Value::Null, Value::from("a")])
        ),
        "[1, null, a]"
    );
    assert_eq!(
        text(
            None,
            Value::Map(vec![
                (Value::from("k"), Value::Int64(2)),
                (Value::Int8(3), Value::from("v"))
            ])
        ),
        "{k=2, 3=v}"
    );
    let schema = SchemaBuilder::struct_()
        .field("name", Schema::string())
        .and_then(|b| b.field("age", Schema::optional_int32()))
        .and_then(|b| b.field("born", Date::schema()))
        .expect("schema")
        .build();
    let person = Struct::new(schema.clone())
        .and_then(|s| s.with("name", "ada"))
        .and_then(|s| s.with("born", Value::Int32(1)))
        .expect("struct");
    assert_eq!(
        text(Some(&schema), Value::Struct(person)),
        "Struct{name=ada,born=Fri Jan 02 00:00:00 UTC 1970}"
    );
    assert_eq!(
        text(Some(&Timestamp::schema()), Value::Int64(0)),
        "Thu Jan 01 00:00:00 UTC 1970"
    );
}

#[test]
fn bytes_are_refused_by_string_converter() {
    let c = string_converter(&[]);
    assert_data_error(
        &write_err(&c, Some(&Schema::bytes()), &Value::Bytes(vec![1])),
        "StringConverter cannot serialize a byte array: Java's toString() would write the \
         array's identity, not its content; use ByteArrayConverter",
        None,
    );
}

#[test]
fn null_to_bytes_is_null() {
    let c = string_converter(&[]);
    assert_eq!(
        write(&c, Some(&Schema::optional_string()), &Value::Null),
        None
    );
}

#[test]
fn bytes_to_string() {
    let c = string_converter(&[]);
    assert_eq!(
        read(&c, Some(b"test-string")),
        SchemaAndValue::new(Some(Schema::optional_string()), Value::from("test-string"))
    );
    assert_eq!(
        read(&c, None),
        SchemaAndValue::new(Some(Schema::optional_string()), Value::Null)
    );
    // Invalid UTF-8 is replaced, as new String(bytes, UTF_8) does.
    assert_eq!(read(&c, Some(b"a\xFFb")).value, Value::from("a\u{FFFD}b"));
}

#[test]
fn other_encodings() {
    let latin1 = string_converter(&[("converter.encoding", "ISO-8859-1")]);
    assert_eq!(latin1.encoding(), Encoding::Iso8859_1);
    assert_eq!(
        write(&latin1, None, &Value::from("é€")),
        Some(vec![0xE9, b'?'])
    );
    assert_eq!(read(&latin1, Some(&[0xE9])).value, Value::from("é"));
    let ascii = string_converter(&[("converter.encoding", "us-ascii")]);
    assert_eq!(
        write(&ascii, None, &Value::from("aé")),
        Some(b"a?".to_vec())
    );
    assert_eq!(
        read(&ascii, Some(&[b'a', 0xE9])).value,
        Value::from("a\u{FFFD}")
    );
    let utf8 = string_converter(&[("converter.encoding", "utf8")]);
    assert_eq!(utf8.encoding(), Encoding::Utf8);
}

#[test]
fn unknown_encoding_is_a_config_error_naming_the_key() {
    let mut c = StringConverter::new();
    let error = Converter::configure(&mut c, &props(&[("converter.encoding", "KOI8-R")]), false)
        .expect_err("unsupported");
    let ConnectError::Config(config_error) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(config_error.key(), Some("converter.encoding"));
    assert_eq!(
        error.to_string(),
        "Invalid value KOI8-R for configuration converter.encoding: Unsupported encoding KOI8-R; \
         supported: UTF-8, US-ASCII, ISO-8859-1, UTF-16, UTF-16BE, UTF-16LE (and their Java \
         aliases)"
    );
}

#[test]
fn string_header_values() {
    let mut c = StringConverter::new();
    HeaderConverter::configure(&mut c, &props(&[])).expect("config");
    assert_eq!(
        c.from_connect_header(
            TOPIC,
            HEADER,
            Some(&Schema::string()),
            &Value::from("test-string")
        )
        .expect("converts"),
        Some(b"test-string".to_vec())
    );
    assert_eq!(
        c.from_connect_header(
            TOPIC,
            HEADER,
            Some(&Schema::boolean()),
            &Value::Boolean(true)
        )
        .expect("converts"),
        Some(b"true".to_vec())
    );
    assert_eq!(
        c.from_connect_header(
            TOPIC,
            HEADER,
            Some(&Schema::optional_string()),
            &Value::Null
        )
        .expect("converts"),
        None
    );
    assert_eq!(
        c.to_connect_header(TOPIC, HEADER, Some(b"x"))
            .expect("converts"),
        SchemaAndValue::new(Some(Schema::optional_string()), Value::from("x"))
    );
}

// ---------------------------------------------------------------- ByteArrayConverter

#[test]
fn byte_array_from_connect() {
    let c = ByteArrayConverter::new();
    let sample = b"sample string".to_vec();
    assert_eq!(
        write(&c, Some(&Schema::bytes()), &Value::Bytes(sample.clone())),
        Some(sample.clone())
    );
    assert_eq!(write(&c, None, &Value::Bytes(sample.clone())), Some(sample));
    assert_eq!(
        write(&c, Some(&Schema::optional_bytes()), &Value::Null),
        None
    );
    assert_data_error(
        &write_err(&c, Some(&Schema::int32()), &Value::Bytes(vec![1])),
        "Invalid schema type for ByteArrayConverter: INT32",
        None,
    );
    assert_data_error(
        &write_err(&c, Some(&Schema::bytes()), &Value::Int32(12)),
        "ByteArrayConverter is not compatible with objects of type class java.lang.Integer",
        None,
    );
}

#[test]
fn byte_array_to_connect() {
    let mut c = ByteArrayConverter::new();
    Converter::configure(&mut c, &props(&[("anything", "ignored")]), false).expect("no config");
    assert_eq!(
        read(&c, Some(b"sample")),
        SchemaAndValue::new(
            Some(Schema::optional_bytes()),
            Value::Bytes(b"sample".to_vec())
        )
    );
    assert_eq!(
        read(&c, None),
        SchemaAndValue::new(Some(Schema::optional_bytes()), Value::Null)
    );
    assert_eq!(
        c.to_connect_header(TOPIC, HEADER, Some(b"h"))
            .expect("header"),
        SchemaAndValue::new(Some(Schema::optional_bytes()), Value::Bytes(b"h".to_vec()))
    );
    assert_eq!(
        c.from_connect_header(TOPIC, HEADER, None, &Value::Bytes(b"h".to_vec()))
            .expect("header"),
        Some(b"h".to_vec())
    );
}

// ---------------------------------------------------------------- number converters

/// One of Kafka's `NumberConverterTest` subclasses: samples, their big-endian bytes, the
/// schema reads return, the converter's type name and the deserializer's size message.
struct NumberCase {
    converter: Box<dyn Converter>,
    header: Box<dyn HeaderConverter>,
    schema: Schema,
    samples: Vec<(Value, Vec<u8>)>,
    type_name: &'static str,
    size_message: &'static str,
    wrong_type: Value,
    wrong_class: &'static str,
}

fn number_cases() -> Vec<NumberCase> {
    vec![
        NumberCase {
            converter: Box::new(DoubleConverter::new()),
            header: Box::new(DoubleConverter::new()),
            schema: Schema::optional_float64(),
            samples: [f64::MIN, 1234.31, f64::MAX, f64::NEG_INFINITY, -0.0]
                .into_iter()
                .map(|d| (Value::Float64(d), d.to_bits().to_be_bytes().to_vec()))
                .collect(),
            type_name: "double",
            size_message: "Size of data received by Deserializer is not 8",
            wrong_type: Value::Float32(1.0),
            wrong_class: "java.lang.Float",
        },
        NumberCase {
            converter: Box::new(FloatConverter::new()),
            header: Box::new(FloatConverter::new()),
            schema: Schema::optional_float32(),
            samples: vec![
                (Value::Float32(f32::MIN), vec![0xFF, 0x7F, 0xFF, 0xFF]),
                (
                    Value::Float32(1234.31),
                    1234.31f32.to_bits().to_be_bytes().to_vec(),
                ),
                (Value::Float32(f32::MAX), vec![0x7F, 0x7F, 0xFF, 0xFF]),
                (Value::Float32(1.0), vec![0x3F, 0x80, 0x00, 0x00]),
            ],
            type_name: "float",
            size_message: "Size of data received by Deserializer is not 4",
            wrong_type: Value::Float64(1.0),
            wrong_class: "java.lang.Double",
        },
        NumberCase {
            converter: Box::new(IntegerConverter::new()),
            header: Box::new(IntegerConverter::new()),
            schema: Schema::optional_int32(),
            samples: vec![
                (Value::Int32(i32::MIN), vec![0x80, 0, 0, 0]),
                (Value::Int32(1234), vec![0, 0, 0x04, 0xD2]),
                (Value::Int32(i32::MAX), vec![0x7F, 0xFF, 0xFF, 0xFF]),
                (Value::Int32(-1), vec![0xFF; 4]),
            ],
            type_name: "integer",
            size_message: "Size of data received by IntegerDeserializer is not 4",
            wrong_type: Value::Int64(1),
            wrong_class: "java.lang.Long",
        },
        NumberCase {
            converter: Box::new(LongConverter::new()),
            header: Box::new(LongConverter::new()),
            schema: Schema::optional_int64(),
            samples: vec![
                (Value::Int64(i64::MIN), vec![0x80, 0, 0, 0, 0, 0, 0, 0]),
                (Value::Int64(1234), vec![0, 0, 0, 0, 0, 0, 0x04, 0xD2]),
                (
                    Value::Int64(i64::MAX),
                    vec![0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                ),
            ],
            type_name: "long",
            size_message: "Size of data received by LongDeserializer is not 8",
            wrong_type: Value::Int32(1),
            wrong_class: "java.lang.Integer",
        },
        NumberCase {
            converter: Box::new(ShortConverter::new()),
            header: Box::new(ShortConverter::new()),
            schema: Schema::optional_int16(),
            samples: vec![
                (Value::Int16(i16::MIN), vec![0x80, 0]),
                (Value::Int16(1234), vec![0x04, 0xD2]),
                (Value::Int16(i16::MAX), vec![0x7F, 0xFF]),
            ],
            type_name: "short",
            size_message: "Size of data received by ShortDeserializer is not 2",
            wrong_type: Value::Int32(1),
            wrong_class: "java.lang.Integer",
        },
    ]
}

#[test]
fn numbers_convert_to_and_from_big_endian_bytes() {
    for case in number_cases() {
        for (value, bytes) in &case.samples {
            let written = write(case.converter.as_ref(), Some(&case.schema), value);
            assert_eq!(written.as_deref(), Some(bytes.as_slice()), "{value:?}");
            assert_eq!(
                read(case.converter.as_ref(), Some(bytes)),
                SchemaAndValue::new(Some(case.schema.clone()), value.clone())
            );
            // The header side is the same conversion.
            let header = case
                .header
                .from_connect_header(TOPIC, HEADER, None, value)
                .expect("header");
            assert_eq!(header.as_deref(), Some(bytes.as_slice()));
            assert_eq!(
                case.header
                    .to_connect_header(TOPIC, HEADER, Some(bytes))
                    .expect("header")
                    .value,
                value.clone()
            );
        }
    }
}

#[test]
fn number_deserializing_with_wrong_size_fails() {
    for case in number_cases() {
        let too_many = vec![0u8; 10];
        assert_data_error(
            &read_err(case.converter.as_ref(), &too_many),
            &format!("Failed to deserialize {}: ", case.type_name),
            Some(case.size_message),
        );
        let header_error = case
            .header
            .to_connect_header(TOPIC, HEADER, Some(&too_many))
            .expect_err("too many bytes");
        assert!(matches!(header_error, ConnectError::Data { .. }));
    }
}

#[test]
fn number_serializing_incorrect_type_fails() {
    for case in number_cases() {
        let error = write_err(
            case.converter.as_ref(),
            Some(&case.schema),
            &Value::from("not a valid number"),
        );
        assert_data_error(
            &error,
            &format!(
                "Failed to serialize to {} (was class java.lang.String): ",
                case.type_name
            ),
            None,
        );
        // No widening either: Kafka's serializers cast, they do not convert.
        let error = write_err(case.converter.as_ref(), None, &case.wrong_type);
        assert_data_error(
            &error,
            &format!(
                "Failed to serialize to {} (was class {}): ",
                case.type_name, case.wrong_class
            ),
            None,
        );
        assert!(
            case.header
                .from_connect_header(TOPIC, HEADER, None, &Value::Boolean(true))
                .is_err()
        );
    }
}

#[test]
fn number_nulls() {
    for case in number_cases() {
        assert_eq!(
            write(case.converter.as_ref(), Some(&case.schema), &Value::Null),
            None
        );
        assert_eq!(
            read(case.converter.as_ref(), None),
            SchemaAndValue::new(Some(case.schema.clone()), Value::Null)
        );
    }
}

#[test]
fn number_converters_validate_converter_type() {
    let mut c = IntegerConverter::new();
    HeaderConverter::configure(&mut c, &props(&[])).expect("header by default");
    let error = HeaderConverter::configure(&mut c, &props(&[("converter.type", "sideways")]))
        .expect_err("invalid type");
    assert_eq!(
        error.to_string(),
        "Invalid value sideways for configuration converter.type: String must be one of: key, value, header"
    );
    Converter::configure(&mut c, &props(&[("converter.type", "sideways")]), true)
        .expect("configure(props, isKey) sets the type itself");
}

// ---------------------------------------------------------------- BooleanConverter

#[test]
fn boolean_from_connect() {
    let c = BooleanConverter::new();
    assert_eq!(
        write(&c, Some(&Schema::boolean()), &Value::Boolean(true)),
        Some(vec![1])
    );
    assert_eq!(
        write(&c, Some(&Schema::boolean()), &Value::Boolean(false)),
        Some(vec![0])
    );
    assert_eq!(write(&c, None, &Value::Boolean(true)), Some(vec![1]));
    assert_eq!(
        write(&c, Some(&Schema::optional_boolean()), &Value::Null),
        None
    );
    assert_data_error(
        &write_err(&c, Some(&Schema::int32()), &Value::Boolean(true)),
        "Invalid schema type for BooleanConverter: INT32",
        None,
    );
    assert_data_error(
        &write_err(&c, Some(&Schema::boolean()), &Value::from("true")),
        "BooleanConverter is not compatible with objects of type class java.lang.String",
        None,
    );
}

#[test]
fn boolean_to_connect() {
    let c = BooleanConverter::new();
    assert_eq!(
        read(&c, Some(&[1])),
        SchemaAndValue::new(Some(Schema::optional_boolean()), Value::Boolean(true))
    );
    assert_eq!(read(&c, Some(&[0])).value, Value::Boolean(false));
    assert_eq!(
        read(&c, None),
        SchemaAndValue::new(Some(Schema::optional_boolean()), Value::Null)
    );
    assert_data_error(
        &read_err(&c, &[0, 1]),
        "Failed to deserialize boolean: ",
        Some("Size of data received by BooleanDeserializer is not 1"),
    );
    assert_data_error(
        &read_err(&c, &[0xFF]),
        "Failed to deserialize boolean: ",
        Some("Unexpected byte received by BooleanDeserializer: -1"),
    );
}
