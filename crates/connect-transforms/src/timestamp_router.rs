//! `TimestampRouter`: renames the topic from a format with `${topic}` and `${timestamp}`,
//! the timestamp being the record's, formatted with a Java `SimpleDateFormat` pattern in
//! UTC (see [`crate::date_format`]). A record without a timestamp is an error.

use std::marker::PhantomData;

use connect_api::config::{ConfigDef, ConfigError, ConfigKey, ConfigType, Importance};
use connect_api::transforms::Transformation;
use connect_api::{ConnectError, ConnectRecord, ConnectResult, Props};

use crate::date_format::SimpleDateFormat;
use crate::util::{not_configured, parse_config};

pub const OVERVIEW_DOC: &str = "Update the record's topic field as a function of the original topic value and the record timestamp.<p/>This is mainly useful for sink connectors, since the topic field is often used to determine the equivalent entity name in the destination system(e.g. database table or search index name).";
pub const TOPIC_FORMAT: &str = "topic.format";
pub const TIMESTAMP_FORMAT: &str = "timestamp.format";

pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(TOPIC_FORMAT, ConfigType::String)
                .default_value("${topic}-${timestamp}")
                .importance(Importance::High)
                .doc("Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as placeholders for the topic and timestamp, respectively."),
        )
        .define(
            ConfigKey::new(TIMESTAMP_FORMAT, ConfigType::String)
                .default_value("yyyyMMdd")
                .importance(Importance::High)
                .doc("Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>."),
        )
}

struct Config {
    topic_format: String,
    timestamp_format: SimpleDateFormat,
}

/// Kafka's `TimestampRouter`.
pub struct TimestampRouter<R> {
    config: Option<Config>,
    _record: PhantomData<fn() -> R>,
}

impl<R> TimestampRouter<R> {
    pub fn new() -> Self {
        TimestampRouter {
            config: None,
            _record: PhantomData,
        }
    }
}

impl<R> Default for TimestampRouter<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: ConnectRecord> Transformation<R> for TimestampRouter<R> {
    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        let parsed = parse_config(&config_def(), props)?;
        let pattern = parsed.string(TIMESTAMP_FORMAT).unwrap_or("yyyyMMdd");
        // Kafka compiles the pattern when the first record arrives, so a bad one fails every
        // record; here it is a config error naming the key, found when the connector is
        // validated or created.
        let timestamp_format = SimpleDateFormat::new(pattern).map_err(|reason| {
            ConnectError::Config(ConfigError::invalid(TIMESTAMP_FORMAT, pattern, reason))
        })?;
        self.config = Some(Config {
            topic_format: parsed
                .string(TOPIC_FORMAT)
                .unwrap_or("${topic}-${timestamp}")
                .to_string(),
            timestamp_format,
        });
        Ok(())
    }

    fn apply(&self, record: R) -> ConnectResult<Option<R>> {
        let config = self
            .config
            .as_ref()
            .ok_or_else(|| not_configured("TimestampRouter"))?;
        let Some(timestamp) = record.timestamp() else {
            return Err(ConnectError::data(format!(
                "Timestamp missing on record: {}",
                record.topic()
            )));
        };
        let formatted = config.timestamp_format.format(timestamp);
        let topic = config
            .topic_format
            .replace("${topic}", record.topic())
            .replace("${timestamp}", &formatted);
        Ok(Some(record.new_record(
            topic,
            record.kafka_partition(),
            record.key_schema().cloned(),
            record.key().clone(),
            record.value_schema().cloned(),
            record.value().clone(),
            Some(timestamp),
            record.headers().clone(),
        )))
    }
}
