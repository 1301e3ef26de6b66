//! Kafka's `ConverterConfig`: the `converter.type` key every converter configuration has.
//!
//! Kafka tells a converter how it is used through `converter.type` (`key`, `value` or
//! `header`): `Converter.configure(configs, isKey)` adds `key` or `value` itself, and the
//! worker adds `header` before configuring a header converter. The same happens here;
//! a header converter configured without the key gets `header`.

use connect_api::config::validators::ValidString;
use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, ParsedConfig};
use connect_api::{ConnectResult, Props};

/// `converter.type`.
pub const TYPE_CONFIG: &str = "converter.type";
const TYPE_DOC: &str = "How this converter will be used.";

/// How a converter is used (Kafka's `ConverterType`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ConverterType {
    Key,
    #[default]
    Value,
    Header,
}

impl ConverterType {
    pub fn name(self) -> &'static str {
        match self {
            ConverterType::Key => "key",
            ConverterType::Value => "value",
            ConverterType::Header => "header",
        }
    }

    fn from_name(name: &str) -> Option<ConverterType> {
        [
            ConverterType::Key,
            ConverterType::Value,
            ConverterType::Header,
        ]
        .into_iter()
        .find(|t| t.name() == name)
    }
}

/// Kafka's `ConverterConfig.newConfigDef()`: just `converter.type`.
pub fn converter_config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(TYPE_CONFIG, ConfigType::String)
            .validator(ValidString::one_of(["key", "value", "header"]))
            .importance(Importance::Low)
            .doc(TYPE_DOC),
    )
}

/// The props with `converter.type` set for a key or value converter.
pub(crate) fn data_props(props: &Props, is_key: bool) -> Props {
    let mut props = props.clone();
    let kind = if is_key {
        ConverterType::Key
    } else {
        ConverterType::Value
    };
    props.insert(TYPE_CONFIG.to_string(), kind.name().to_string());
    props
}

/// The props of a header converter: `converter.type=header` unless given.
pub(crate) fn header_props(props: &Props) -> Props {
    let mut props = props.clone();
    props
        .entry(TYPE_CONFIG.to_string())
        .or_insert_with(|| ConverterType::Header.name().to_string());
    props
}

/// Parses `props` against `def` and reads the converter type.
pub(crate) fn parse(
    def: &ConfigDef,
    props: &Props,
) -> ConnectResult<(ParsedConfig, ConverterType)> {
    let parsed = def.parse(props)?;
    let kind = parsed
        .string(TYPE_CONFIG)
        .and_then(ConverterType::from_name)
        .unwrap_or_default();
    Ok((parsed, kind))
}
