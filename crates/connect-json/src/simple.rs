//! The simple converters: `StringConverter`, `ByteArrayConverter`, the number converters
//! (`Double`, `Float`, `Integer`, `Long`, `Short`) and `BooleanConverter`.
//!
//! Each is Kafka's converter of the same name and also serves as a header converter, as in
//! Kafka. They ignore the topic and headers. Numbers are Kafka's serializers' big-endian
//! encodings (floats by their raw IEEE-754 bits); a value of another type is rejected with
//! Kafka's message rather than widened, and reading always returns the converter's
//! optional schema, with a null value for null bytes. `StringConverter` writes what Java's
//! `Object.toString()` prints for the value (so `1.0E10` for a double, `[1, 2]` for a list)
//! in `converter.encoding`, and reads anything as an optional string.

use connect_api::config::{ConfigDef, ConfigError, ConfigKey, ConfigType, Importance, Width};
use connect_api::data::logical::{DATE_LOGICAL_NAME, TIME_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME};
use connect_api::storage::{Converter, HeaderConverter};
use connect_api::{
    ConnectError, ConnectResult, Headers, Props, Schema, SchemaAndValue, SchemaType, Value,
};

use crate::config;
use crate::java::{self, MILLIS_PER_DAY};

/// A Kafka `SerializationException`, kept as the cause of the `DataException` a converter
/// reports, as in Kafka.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SerializationError(pub String);

fn data_error(message: impl Into<String>, cause: impl Into<String>) -> ConnectError {
    ConnectError::data_with(message, SerializationError(cause.into()))
}

/// `converter.encoding`.
pub const ENCODING_CONFIG: &str = "converter.encoding";
const ENCODING_DOC: &str =
    "The name of the Java character set to use for encoding strings as byte arrays.";
const BYTES_AS_STRING: &str = "StringConverter cannot serialize a byte array: Java's \
    toString() would write the array's identity, not its content; use ByteArrayConverter";

/// A character set `StringConverter` can use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Encoding {
    #[default]
    Utf8,
    UsAscii,
    Iso8859_1,
    /// Big-endian with a byte-order mark when encoding; a mark picks the order when
    /// decoding (big-endian without one), as Java's `UTF-16`.
    Utf16,
    Utf16Be,
    Utf16Le,
}

impl Encoding {
    /// Java's canonical charset name.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::UsAscii => "US-ASCII",
            Encoding::Iso8859_1 => "ISO-8859-1",
            Encoding::Utf16 => "UTF-16",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Utf16Le => "UTF-16LE",
        }
    }

    /// Looks a charset up by its Java name or one of Java's aliases, ignoring case.
    pub fn for_name(name: &str) -> Option<Encoding> {
        const ALIASES: &[(Encoding, &[&str])] = &[
            (Encoding::Utf8, &["utf-8", "utf8", "unicode-1-1-utf-8"]),
            (
                Encoding::UsAscii,
                &[
                    "us-ascii",
                    "ascii",
                    "iso646-us",
                    "ascii7",
                    "646",
                    "us",
                    "cp367",
                    "csascii",
                    "ibm367",
                    "iso_646.irv:1991",
                    "iso-ir-6",
                    "ansi_x3.4-1986",
                    "ansi_x3.4-1968",
                    "default",
                ],
            ),
            (
                Encoding::Iso8859_1,
                &[
                    "iso-8859-1",
                    "iso8859-1",
                    "iso8859_1",
                    "iso_8859_1",
                    "iso_8859-1",
                    "iso_8859-1:1987",
                    "8859_1",
                    "latin1",
                    "l1",
                    "cp819",
                    "ibm819",
                    "ibm-819",
                    "819",
                    "csisolatin1",
                    "iso-ir-100",
                ],
            ),
            (Encoding::Utf16, &["utf-16", "utf_16", "utf16", "unicode"]),
            (
                Encoding::Utf16Be,
                &[
                    "utf-16be",
                    "utf_16be",
                    "iso-10646-ucs-2",
                    "x-utf-16be",
                    "unicodebigunmarked",
                ],
            ),
            (
                Encoding::Utf16Le,
                &[
                    "utf-16le",
                    "utf_16le",
                    "x-utf-16le",
                    "unicodelittleunmarked",
                ],
            ),
        ];
        ALIASES
            .iter()
            .find(|(_, names)| names.iter().any(|n| n.eq_ignore_ascii_case(name)))
            .map(|(encoding, _)| *encoding)
    }

    /// `String.getBytes(charset)`: unmappable characters become `?`.
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Encoding::Utf8 => text.as_bytes().to_vec(),
            Encoding::UsAscii => text
                .chars()
                .map(|c| if c.is_ascii() { c as u8 } else { b'?' })
                .collect(),
            Encoding::Iso8859_1 => text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect(),
            // Java writes the byte-order mark only in front of some text.
            Encoding::Utf16 if text.is_empty() => Vec::new(),
            Encoding::Utf16 => [0xFE, 0xFF]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
                .collect(),
            Encoding::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            Encoding::Utf16Le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        }
    }

    /// `new String(bytes, charset)`: malformed input becomes U+FFFD.
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            Encoding::Utf8 => crate::java::utf8_to_string(bytes),
            Encoding::UsAscii => bytes
                .iter()
                .map(|&b| {
                    if b.is_ascii() {
                        char::from(b)
                    } else {
                        '\u{FFFD}'
                    }
                })
                .collect(),
            Encoding::Iso8859_1 => bytes.iter().map(|&b| char::from(b)).collect(),
            Encoding::Utf16 => match bytes {
                [0xFE, 0xFF, rest @ ..] => crate::java::decode_utf16(rest, u16::from_be_bytes),
                [0xFF, 0xFE, rest @ ..] => crate::java::decode_utf16(rest, u16::from_le_bytes),
                _ => crate::java::decode_utf16(bytes, u16::from_be_bytes),
            },
            // A leading byte-order mark is kept, as a ZERO WIDTH NO-BREAK SPACE.
            Encoding::Utf16Be => crate::java::decode_utf16(bytes, u16::from_be_bytes),
            Encoding::Utf16Le => crate::java::decode_utf16(bytes, u16::from_le_bytes),
        }
    }
}

/// Kafka's `org.apache.kafka.connect.storage.StringConverter`.
#[derive(Clone, Debug, Default)]
pub struct StringConverter {
    encoding: Encoding,
}

impl StringConverter {
    pub fn new() -> Self {
        StringConverter::default()
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Kafka's `StringConverterConfig.configDef()`.
    pub fn config_def() -> ConfigDef {
        config::converter_config_def().define(
            ConfigKey::new(ENCODING_CONFIG, ConfigType::String)
                .default_value("UTF-8")
                .importance(Importance::High)
                .doc(ENCODING_DOC)
                .width(Width::Medium)
                .display_name("Encoding"),
        )
    }

    fn configure_props(&mut self, props: &Props) -> ConnectResult<()> {
        let (parsed, _) = config::parse(&Self::config_def(), props)?;
        let name = parsed.string(ENCODING_CONFIG).unwrap_or("UTF-8");
        self.encoding = Encoding::for_name(name).ok_or_else(|| {
            ConfigError::invalid(
                ENCODING_CONFIG,
                name,
                format!(
                    "Unsupported encoding {name}; supported: UTF-8, US-ASCII, ISO-8859-1, \
                     UTF-16, UTF-16BE, UTF-16LE (and their Java aliases)"
                ),
            )
        })?;
        Ok(())
    }

    fn serialize(&self, schema: Option<&Schema>, value: &Value) -> ConnectResult<Option<Vec<u8>>> {
        if value.is_null() {
            return Ok(None);
        }
        Ok(Some(self.encoding.encode(&java_to_string(schema, value)?)))
    }

    fn deserialize(&self, data: Option<&[u8]>) -> SchemaAndValue {
        let value = data.map_or(Value::Null, |bytes| {
            Value::String(self.encoding.decode(bytes))
        });
        SchemaAndValue::new(Some(Schema::optional_string()), value)
    }
}

/// What Java's `String.valueOf(value)` prints for a Connect value. Temporal logical values
/// (integers here, `java.util.Date` in Kafka) print as `Date.toString()` in UTC when the
/// schema says what they are. Bytes are refused: Java would print the array's identity
/// (`[B@1b6d3586`), which no reader can use.
pub(crate) fn java_to_string(schema: Option<&Schema>, value: &Value) -> ConnectResult<String> {
    let mut out = String::new();
    append_java(&mut out, schema, value)?;
    Ok(out)
}

fn append_java(out: &mut String, schema: Option<&Schema>, value: &Value) -> ConnectResult<()> {
    let logical = schema.and_then(Schema::name);
    match (logical, value) {
        (Some(DATE_LOGICAL_NAME), Value::Int32(days)) => {
            out.push_str(&java::date_to_string(i64::from(*days) * MILLIS_PER_DAY));
            return Ok(());
        }
        (Some(TIME_LOGICAL_NAME), Value::Int32(ms)) => {
            out.push_str(&java::date_to_string(i64::from(*ms)));
            return Ok(());
        }
        (Some(TIMESTAMP_LOGICAL_NAME), Value::Int64(ms)) => {
            out.push_str(&java::date_to_string(*ms));
            return Ok(());
        }
        _ => {}
    }
    match value {
        Value::Null => out.push_str("null"),
        Value::Int8(v) => out.push_str(&v.to_string()),
        Value::Int16(v) => out.push_str(&v.to_string()),
        Value::Int32(v) => out.push_str(&v.to_string()),
        Value::Int64(v) => out.push_str(&v.to_string()),
        Value::Float32(v) => out.push_str(&java::float_to_string(*v)),
        Value::Float64(v) => out.push_str(&java::double_to_string(*v)),
        Value::Boolean(v) => out.push_str(if *v { "true" } else { "false" }),
        Value::String(v) => out.push_str(v),
        Value::Decimal(v) => out.push_str(&java::big_decimal_to_string(v)),
        Value::Bytes(_) => {
            return Err(ConnectError::data(BYTES_AS_STRING));
        }
        Value::Array(items) => {
            let item_schema = schema.and_then(|s| s.value_schema().ok());
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                append_java(out, item_schema, item)?;
            }
            out.push(']');
        }
        Value::Map(entries) => {
            let key_schema = schema.and_then(|s| s.key_schema().ok());
            let value_schema = schema.and_then(|s| s.value_schema().ok());
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                append_java(out, key_schema, k)?;
                out.push('=');
                append_java(out, value_schema, v)?;
            }
            out.push('}');
        }
        Value::Struct(s) => {
            out.push_str("Struct{");
            let mut first = true;
            for (field, raw) in s.iter() {
                if raw.is_null() {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(field.name());
                out.push('=');
                append_java(out, Some(field.schema()), raw)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

impl Converter for StringConverter {
    fn config_def(&self) -> ConfigDef {
        StringConverter::config_def()
    }

    fn configure(&mut self, props: &Props, is_key: bool) -> ConnectResult<()> {
        self.configure_props(&config::data_props(props, is_key))
    }

    fn from_connect_data(
        &self,
        _topic: &str,
        _headers: &Headers,
        schema: Option<&Schema>,
        value: &Value,
    ) -> ConnectResult<Option<Vec<u8>>> {
        self.serialize(schema, value)
    }

    fn to_connect_data(
        &self,
        _topic: &str,
        _headers: &Headers,
        data: Option<&[u8]>,
    ) -> ConnectResult<SchemaAndValue> {
        Ok(self.deserialize(data))
    }
}

impl HeaderConverter for StringConverter {
    fn config_def(&self) -> ConfigDef {
        StringConverter::config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        self.configure_props(&config::header_props(props))
    }

    fn from_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> ConnectResult<Option<Vec<u8>>> {
        self.serialize(schema, value)
    }

    fn to_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        data: Option<&[u8]>,
    ) -> ConnectResult<SchemaAndValue> {
        Ok(self.deserialize(data))
    }
}

/// Kafka's `org.apache.kafka.connect.converters.ByteArrayConverter`: bytes pass through.
#[derive(Clone, Copy, Debug, Default)]
pub struct ByteArrayConverter;

impl ByteArrayConverter {
    pub fn new() -> Self {
        ByteArrayConverter
    }

    fn serialize(schema: Option<&Schema>, value: &Value) -> ConnectResult<Option<Vec<u8>>> {
        if let Some(schema) = schema
            && schema.schema_type() != SchemaType::Bytes
        {
            return Err(ConnectError::data(format!(
                "Invalid schema type for ByteArrayConverter: {}",
                schema.schema_type()
            )));
        }
        match value {
            Value::Null => Ok(None),
            Value::Bytes(bytes) => Ok(Some(bytes.clone())),
            other => Err(ConnectError::data(format!(
                "ByteArrayConverter is not compatible with objects of type {}",
                java::class_of_under(schema, other)
            ))),
        }
    }

    fn deserialize(data: Option<&[u8]>) -> SchemaAndValue {
        let value = data.map_or(Value::Null, |bytes| Value::Bytes(bytes.to_vec()));
        SchemaAndValue::new(Some(Schema::optional_bytes()), value)
    }
}

impl Converter for ByteArrayConverter {
    fn config_def(&self) -> ConfigDef {
        config::converter_config_def()
    }

    /// Kafka's ByteArrayConverter ignores its configuration entirely.
    fn configure(&mut self, _props: &Props, _is_key: bool) -> ConnectResult<()> {
        Ok(())
    }

    fn from_connect_data(
        &self,
        _topic: &str,
        _headers: &Headers,
        schema: Option<&Schema>,
        value: &Value,
    ) -> ConnectResult<Option<Vec<u8>>> {
        Self::serialize(schema, value)
    }

    fn to_connect_data(
        &self,
        _topic: &str,
        _headers: &Headers,
        data: Option<&[u8]>,
    ) -> ConnectResult<SchemaAndValue> {
        Ok(Self::deserialize(data))
    }
}

impl HeaderConverter for ByteArrayConverter {
    fn config_def(&self) -> ConfigDef {
        config::converter_config_def()
    }

    fn configure(&mut self, _props: &Props) -> ConnectResult<()> {
        Ok(())
    }

    fn from_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> ConnectResult<Option<Vec<u8>>> {
        Self::serialize(schema, value)
    }

    fn to_connect_header(
        &self,
        _topic: &str,
        _header_key: &str,
        data: Option<&[u8]>,
    ) -> ConnectResult<SchemaAndValue> {
        Ok(Self::deserialize(data))
    }
}

/// The number types of Kafka's `NumberConverter` subclasses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NumberKind {
    Double,
    Float,
    Integer,
    Long,
    Short,
}

impl NumberKind {
    /// The `typeName` Kafka's messages use.
    fn type_name(self) -> &'static str {
        match self {
            NumberKind::Double => "double",
            NumberKind::Float => "float",
            NumberKind::Integer => "integer",
            NumberKind::Long => "long",
            NumberKind::Short => "short",
        }
    }

    fn java_class(self) -> &'static str {
        match self {
            NumberKind::Double => "java.lang.Double",
            NumberKind::Float => "java.lang.Float",
            NumberKind::Integer => "java.lang.Integer",
            NumberKind::Long => "java.lang.Long",
            NumberKind::Short => "java.lang.Short",
        }
    }

    fn schema(self) -> Schema {
        match self {
            NumberKind::Double => Schema::optional_float64(),
            NumberKind::Float => Schema::optional_float32(),
            NumberKind::Integer => Schema::optional_int32(),
            NumberKind::Long => Schema::optional_int64(),
            NumberKind::Short => Schema::optional_int16(),
        }
    }

    fn size(self) -> usize {
        match self {
            NumberKind::Double | NumberKind::Long => 8,
            NumberKind::Float | NumberKind::Integer => 4,
            NumberKind::Short => 2,
        }
    }

    /// The name in the deserializer's size message (Kafka's Float and Double deserializers
    /// say just "Deserializer").
    fn deserializer_name(self) -> &'static str {
        match self {
            NumberKind::Double | NumberKind::Float => "Deserializer",
            NumberKind::Integer => "IntegerDeserializer",
            NumberKind::Long => "LongDeserializer",
            NumberKind::Short => "ShortDeserializer",
        }
    }

    /// Kafka's message when the serializer's cast of the value fails.
    fn cast_error(self, schema: Option<&Schema>, value: &Value) -> ConnectError {
        data_error(
            format!(
                "Failed to serialize to {} (was {}): ",
                self.type_name(),
                java::class_of_under(schema, value)
            ),
            format!(
                "{} cannot be cast to class {}",
                java::class_of_under(schema, value),
                self.java_class()
            ),
        )
    }

    fn serialize(self, schema: Option<&Schema>, value: &Value) -> ConnectResult<Option<Vec<u8>>> {
        // A logical Date, Time or Timestamp is a java.util.Date to Kafka, not a number.
        let temporal = value.java_class_name_under(schema) == "java.util.Date";
        Ok(Some(match (self, value) {
            (_, Value::Null) => return Ok(None),
            (_, other) if temporal => return Err(self.cast_error(schema, other)),
            (NumberKind::Double, Value::Float64(v)) => v.to_bits().to_be_bytes().to_vec(),
            (NumberKind::Float, Value::Float32(v)) => v.to_bits().to_be_bytes().to_vec(),
            (NumberKind::Integer, Value::Int32(v)) => v.to_be_bytes().to_vec(),
            (NumberKind::Long, Value::Int64(v)) => v.to_be_bytes().to_vec(),
            (NumberKind::Short, Value::Int16(v)) => v.to_be_bytes().to_vec(),
            (_, other) => return Err(self.cast_error(schema, other)),
        }))
    }

    fn deserialize(self, data: Option<&[u8]>) -> ConnectResult<SchemaAndValue> {
        let Some(bytes) = data else {
            return Ok(SchemaAndValue::new(Some(self.schema()), Value::Null));
        };
        let wrong_size = || {
            data_error(
                format!("Failed to deserialize {}: ", self.type_name()),
                format!(
                    "Size of data received by {} is not {}",
                    self.deserializer_name(),
                    self.size()
                ),
            )
        };
        let value = match self {
            NumberKind::Double => Value::Float64(f64::from_bits(u64::from_be_bytes(
                bytes.try_into().map_err(|_| wrong_size())?,
            ))),
            NumberKind::Float => Value::Float32(f32::from_bits(u32::from_be_bytes(
                bytes.try_into().map_err(|_| wrong_size())?,
            ))),
            NumberKind::Integer => Value::Int32(i32::from_be_bytes(
                bytes.try_into().map_err(|_| wrong_size())?,
            )),
            NumberKind::Long => Value::Int64(i64::from_be_bytes(
                bytes.try_into().map_err(|_| wrong_size())?,
            )),
            NumberKind::Short => Value::Int16(i16::from_be_bytes(
                bytes.try_into().map_err(|_| wrong_size())?,
            )),
        };
        Ok(SchemaAndValue::new(Some(self.schema()), value))
    }
}

/// Implements `Converter` and `HeaderConverter` for a converter type through its inherent
/// `configure_props`, `serialize` and `deserialize`.
macro_rules! converter_impls {
    ($ty:ty) => {
        impl Converter for $ty {
            fn config_def(&self) -> ConfigDef {
                config::converter_config_def()
            }

            fn configure(&mut self, props: &Props, is_key: bool) -> ConnectResult<()> {
                self.configure_props(&config::data_props(props, is_key))
            }

            fn from_connect_data(
                &self,
                _topic: &str,
                _headers: &Headers,
                schema: Option<&Schema>,
                value: &Value,
            ) -> ConnectResult<Option<Vec<u8>>> {
                self.serialize(schema, value)
            }

            fn to_connect_data(
                &self,
                _topic: &str,
                _headers: &Headers,
                data: Option<&[u8]>,
            ) -> ConnectResult<SchemaAndValue> {
                self.deserialize(data)
            }
        }

        impl HeaderConverter for $ty {
            fn config_def(&self) -> ConfigDef {
                config::converter_config_def()
            }

            fn configure(&mut self, props: &Props) -> ConnectResult<()> {
                self.configure_props(&config::header_props(props))
            }

            fn from_connect_header(
                &self,
                _topic: &str,
                _header_key: &str,
                schema: Option<&Schema>,
                value: &Value,
            ) -> ConnectResult<Option<Vec<u8>>> {
                self.serialize(schema, value)
            }

            fn to_connect_header(
                &self,
                _topic: &str,
                _header_key: &str,
                data: Option<&[u8]>,
            ) -> ConnectResult<SchemaAndValue> {
                self.deserialize(data)
            }
        }
    };
}

macro_rules! number_converter {
    ($(#[$doc:meta])* $name:ident, $kind:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default)]
        pub struct $name;

        impl $name {
            pub fn new() -> Self {
                $name
            }

            fn configure_props(&mut self, props: &Props) -> ConnectResult<()> {
                config::parse(&config::converter_config_def(), props).map(|_| ())
            }

            /// The schema is ignored, as in Kafka; only the value's type matters (the
            /// schema only tells which Java class a logical value would be, for errors).
            fn serialize(
                &self,
                schema: Option<&Schema>,
                value: &Value,
            ) -> ConnectResult<Option<Vec<u8>>> {
                $kind.serialize(schema, value)
            }

            fn deserialize(&self, data: Option<&[u8]>) -> ConnectResult<SchemaAndValue> {
                $kind.deserialize(data)
            }
        }

        converter_impls!($name);
    };
}

number_converter!(
    /// Kafka's `org.apache.kafka.connect.converters.DoubleConverter` (8 bytes, `Float64`).
    DoubleConverter,
    NumberKind::Double
);
number_converter!(
    /// Kafka's `org.apache.kafka.connect.converters.FloatConverter` (4 bytes, `Float32`).
    FloatConverter,
    NumberKind::Float
);
number_converter!(
    /// Kafka's `org.apache.kafka.connect.converters.IntegerConverter` (4 bytes, `Int32`).
    IntegerConverter,
    NumberKind::Integer
);
number_converter!(
    /// Kafka's `org.apache.kafka.connect.converters.LongConverter` (8 bytes, `Int64`).
    LongConverter,
    NumberKind::Long
);
number_converter!(
    /// Kafka's `org.apache.kafka.connect.converters.ShortConverter` (2 bytes, `Int16`).
    ShortConverter,
    NumberKind::Short
);

/// Kafka's `org.apache.kafka.connect.converters.BooleanConverter`: one byte, 1 or 0.
#[derive(Clone, Copy, Debug, Default)]
pub struct BooleanConverter;

impl BooleanConverter {
    pub fn new() -> Self {
        BooleanConverter
    }

    fn configure_props(&mut self, props: &Props) -> ConnectResult<()> {
        config::parse(&config::converter_config_def(), props).map(|_| ())
    }

    fn serialize(&self, schema: Option<&Schema>, value: &Value) -> ConnectResult<Option<Vec<u8>>> {
        if let Some(schema) = schema
            && schema.schema_type() != SchemaType::Boolean
        {
            return Err(ConnectError::data(format!(
                "Invalid schema type for BooleanConverter: {}",
                schema.schema_type()
            )));
        }
        match value {
            Value::Null => Ok(None),
            Value::Boolean(b) => Ok(Some(vec![u8::from(*b)])),
            other => Err(ConnectError::data(format!(
                "BooleanConverter is not compatible with objects of type {}",
                java::class_of_under(schema, other)
            ))),
        }
    }

    fn deserialize(&self, data: Option<&[u8]>) -> ConnectResult<SchemaAndValue> {
        let value = match data {
            None => Value::Null,
            Some([1]) => Value::Boolean(true),
            Some([0]) => Value::Boolean(false),
            Some([other]) => {
                return Err(data_error(
                    "Failed to deserialize boolean: ",
                    format!(
                        "Unexpected byte received by BooleanDeserializer: {}",
                        i8::from_be_bytes([*other])
                    ),
                ));
            }
            Some(_) => {
                return Err(data_error(
                    "Failed to deserialize boolean: ",
                    "Size of data received by BooleanDeserializer is not 1",
                ));
            }
        };
        Ok(SchemaAndValue::new(Some(Schema::optional_boolean()), value))
    }
}

converter_impls!(BooleanConverter);
