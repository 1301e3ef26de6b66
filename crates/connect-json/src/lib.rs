//! Kafka Connect's converters, byte-compatible with Apache Kafka's.
//!
//! A converter turns Connect data into the bytes of a Kafka record and back. This crate
//! has the converters that ship with Kafka Connect, each under Kafka's class name so that
//! existing connector configurations work unchanged:
//!
//! - [`JsonConverter`] (`org.apache.kafka.connect.json.JsonConverter`): JSON with an
//!   optional `{"schema":...,"payload":...}` envelope; the bytes equal Kafka's, down to
//!   the number formatting and the order of schema members.
//! - [`StringConverter`], [`ByteArrayConverter`], the number converters
//!   ([`DoubleConverter`], [`FloatConverter`], [`IntegerConverter`], [`LongConverter`],
//!   [`ShortConverter`]) and [`BooleanConverter`].
//! - [`SimpleHeaderConverter`], Kafka's default header converter, with Kafka's `Values`
//!   text forms ([`values`]).
//!
//! [`plugins`] lists them all for a worker's plugin registry. The internals that make the
//! bytes exact (Java's number and date formatting, Jackson's JSON output) live in private
//! modules.

pub mod calendar;
mod config;
mod header;
mod java;
mod json;
mod json_text;
mod schema_json;
mod simple;
pub mod values;

use connect_api::plugin::PluginDesc;

pub use config::{ConverterType, TYPE_CONFIG, converter_config_def};
pub use header::SimpleHeaderConverter;
pub use json::{
    DECIMAL_FORMAT_CONFIG, DecimalFormat, JsonConverter, JsonConverterConfig,
    REPLACE_NULL_WITH_DEFAULT_CONFIG, SCHEMAS_CACHE_SIZE_CONFIG, SCHEMAS_ENABLE_CONFIG,
};
pub use json_text::JsonNode;
pub use simple::{
    BooleanConverter, ByteArrayConverter, DoubleConverter, ENCODING_CONFIG, Encoding,
    FloatConverter, IntegerConverter, LongConverter, SerializationError, ShortConverter,
    StringConverter,
};

/// The converters' plugin descriptors, under Kafka's class names. Every converter is also
/// registered as a header converter, as Kafka's plugin scan reports them (they all
/// implement `HeaderConverter` too); `SimpleHeaderConverter` is only a header converter.
pub fn plugins() -> Vec<PluginDesc> {
    let version = env!("CARGO_PKG_VERSION");
    macro_rules! both {
        ($class:expr, $ty:ty) => {
            [
                PluginDesc::converter($class, version, || Box::new(<$ty>::default())),
                PluginDesc::header_converter($class, version, || Box::new(<$ty>::default())),
            ]
        };
    }
    let mut plugins = Vec::new();
    plugins.extend(both!(
        "org.apache.kafka.connect.json.JsonConverter",
        JsonConverter
    ));
    plugins.extend(both!(
        "org.apache.kafka.connect.storage.StringConverter",
        StringConverter
    ));
    plugins.extend(both!(
        "org.apache.kafka.connect.converters.ByteArrayConverter",
        ByteArrayConverter
    ));
    plugins.extend(both!(
        "org.apache.kafka.connect.converters.DoubleConverter",
        DoubleConverter
    ));
    plugins.extend(both!(
        "org.apache.kafka.connect.converters.FloatConverter",
        FloatConverter
    ));
    plugins.extend(both!(
        "org.apache.kafka.connect.converters.IntegerConverter",
        IntegerConverter
    ));
    plugins.extend(both!(
        "org.apache.kafka.connect.converters.LongConverter",
        LongConverter
    ));
    plugins.extend(both!(
        "org.apache.kafka.connect.converters.ShortConverter",
        ShortConverter
    ));
    plugins.extend(both!(
        "org.apache.kafka.connect.converters.BooleanConverter",
        BooleanConverter
    ));
    plugins.push(PluginDesc::header_converter(
        "org.apache.kafka.connect.storage.SimpleHeaderConverter",
        version,
        || Box::new(SimpleHeaderConverter),
    ));
    plugins
}
