//! The worker's configuration (Kafka's `WorkerConfig` and `StandaloneConfig`), with Kafka's
//! keys and defaults so that an existing `connect-standalone.properties` works unchanged.

use std::path::PathBuf;
use std::time::Duration;

use connect_api::config::validators::Range;
use connect_api::config::{ConfigDef, ConfigError, ConfigKey, ConfigType, Importance};
use connect_api::{ParsedConfig, Props};

pub const BOOTSTRAP_SERVERS: &str = "bootstrap.servers";
pub const KEY_CONVERTER: &str = "key.converter";
pub const VALUE_CONVERTER: &str = "value.converter";
pub const HEADER_CONVERTER: &str = "header.converter";
pub const LISTENERS: &str = "listeners";
pub const REST_ADVERTISED_HOST_NAME: &str = "rest.advertised.host.name";
pub const REST_ADVERTISED_PORT: &str = "rest.advertised.port";
pub const OFFSET_FLUSH_INTERVAL_MS: &str = "offset.flush.interval.ms";
pub const OFFSET_FLUSH_TIMEOUT_MS: &str = "offset.flush.timeout.ms";
pub const TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS: &str = "task.shutdown.graceful.timeout.ms";
pub const TOPIC_CREATION_ENABLE: &str = "topic.creation.enable";
pub const TOPIC_TRACKING_ENABLE: &str = "topic.tracking.enable";
pub const TOPIC_TRACKING_ALLOW_RESET: &str = "topic.tracking.allow.reset";
pub const OFFSET_STORAGE_FILE_FILENAME: &str = "offset.storage.file.filename";
/// Tributary's addition: where a standalone worker keeps connectors created or changed
/// through REST, so that they survive a restart.
pub const CONFIG_STORAGE_FILE_FILENAME: &str = "config.storage.file.filename";
pub const PLUGIN_PATH: &str = "plugin.path";
pub const CONFIG_PROVIDERS: &str = "config.providers";
pub const CLIENT_ID: &str = "client.id";

pub const DEFAULT_HEADER_CONVERTER: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

/// The worker keys Tributary understands. Unknown keys are kept (and `producer.*`,
/// `consumer.*`, `admin.*` are passed to the Kafka clients), as Kafka does.
pub fn worker_config_def() -> ConfigDef {
    base_worker_config_def().merge(&crate::herder::restart::restart_config_def(None, 0))
}

fn base_worker_config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(BOOTSTRAP_SERVERS, ConfigType::List)
                .default_value("localhost:9092")
                .importance(Importance::High)
                .doc("A list of host/port pairs used to establish the initial connection to the Kafka cluster."),
        )
        .define(
            ConfigKey::new(KEY_CONVERTER, ConfigType::Class)
                .importance(Importance::High)
                .doc("Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the keys in messages written to or read from Kafka."),
        )
        .define(
            ConfigKey::new(VALUE_CONVERTER, ConfigType::Class)
                .importance(Importance::High)
                .doc("Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the values in messages written to or read from Kafka."),
        )
        .define(
            ConfigKey::new(HEADER_CONVERTER, ConfigType::Class)
                .default_value(DEFAULT_HEADER_CONVERTER)
                .importance(Importance::Low)
                .doc("HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka."),
        )
        .define(
            ConfigKey::new(LISTENERS, ConfigType::List)
                .default_value("http://:8083")
                .importance(Importance::Low)
                .doc("List of comma-separated URIs the REST API will listen on. The supported protocols are HTTP. Specify hostname as 0.0.0.0 to bind to all interfaces. Leave hostname empty to bind to all interfaces."),
        )
        .define(
            ConfigKey::new(REST_ADVERTISED_HOST_NAME, ConfigType::String)
                .default_null()
                .importance(Importance::Low)
                .doc("If this is set, this is the hostname that will be given out to other workers to connect to."),
        )
        .define(
            ConfigKey::new(REST_ADVERTISED_PORT, ConfigType::Int)
                .default_null()
                .importance(Importance::Low)
                .doc("If this is set, this is the port that will be given out to other workers to connect to."),
        )
        .define(
            ConfigKey::new(OFFSET_FLUSH_INTERVAL_MS, ConfigType::Long)
                .default_value("60000")
                .validator(Range::at_least(1))
                .importance(Importance::Low)
                .doc("Interval at which to try committing offsets for tasks."),
        )
        .define(
            ConfigKey::new(OFFSET_FLUSH_TIMEOUT_MS, ConfigType::Long)
                .default_value("5000")
                .validator(Range::at_least(0))
                .importance(Importance::Low)
                .doc("Maximum number of milliseconds to wait for records to flush and partition offset data to be committed to offset storage before cancelling the process and restoring the offset data to be committed in a future attempt."),
        )
        .define(
            ConfigKey::new(TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS, ConfigType::Long)
                .default_value("5000")
                .validator(Range::at_least(0))
                .importance(Importance::Low)
                .doc("Amount of time to wait for tasks to shutdown gracefully. This is the total amount of time, not per task."),
        )
        .define(
            ConfigKey::new(TOPIC_CREATION_ENABLE, ConfigType::Boolean)
                .default_value("true")
                .importance(Importance::Low)
                .doc("Whether to allow automatic creation of topics used by source connectors, when source connectors are configured with `topic.creation.` properties. Tributary also creates a missing topic with the broker's defaults when no `topic.creation.` properties are given."),
        )
        .define(
            ConfigKey::new(TOPIC_TRACKING_ENABLE, ConfigType::Boolean)
                .default_value("true")
                .importance(Importance::Low)
                .doc("Enable tracking the set of active topics per connector during runtime."),
        )
        .define(
            ConfigKey::new(TOPIC_TRACKING_ALLOW_RESET, ConfigType::Boolean)
                .default_value("true")
                .importance(Importance::Low)
                .doc("If set to true, it allows user requests to reset the set of active topics per connector."),
        )
        .define(
            ConfigKey::new(OFFSET_STORAGE_FILE_FILENAME, ConfigType::String)
                .default_null()
                .importance(Importance::High)
                .doc("File to store source connector offsets in (standalone mode)."),
        )
        .define(
            ConfigKey::new(CONFIG_STORAGE_FILE_FILENAME, ConfigType::String)
                .default_null()
                .importance(Importance::Low)
                .doc("File to store connector configurations created or changed through the REST API in (standalone mode), so they survive a restart. Defaults to the offsets file's path with `.connectors.json` appended."),
        )
        .define(
            ConfigKey::new(PLUGIN_PATH, ConfigType::List)
                .default_null()
                .importance(Importance::Low)
                .doc("Accepted for compatibility and ignored: Tributary's plugins are compiled into the worker binary."),
        )
        .define(
            ConfigKey::new(CONFIG_PROVIDERS, ConfigType::List)
                .default_value("")
                .importance(Importance::Low)
                .doc("Comma-separated names of ConfigProvider classes, loaded and used in the order specified."),
        )
        .define(
            ConfigKey::new(CLIENT_ID, ConfigType::String)
                .default_value("")
                .importance(Importance::Low)
                .doc("An id string to pass to the server when making requests."),
        )
}

/// A parsed and validated worker configuration.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    parsed: ParsedConfig,
    transformer: super::providers::ConfigTransformer,
}

impl WorkerConfig {
    /// Parses worker properties; the error names the offending key.
    pub fn new(props: Props) -> Result<Self, ConfigError> {
        let parsed = worker_config_def().parse(&props)?;
        let transformer = super::providers::ConfigTransformer::from_worker_props(&props)?;
        Ok(WorkerConfig {
            parsed,
            transformer,
        })
    }

    /// Resolves `${provider:path:key}` placeholders in connector configs.
    pub fn config_transformer(&self) -> &super::providers::ConfigTransformer {
        &self.transformer
    }

    /// A standalone worker additionally requires `offset.storage.file.filename`.
    pub fn new_standalone(props: Props) -> Result<Self, ConfigError> {
        let config = Self::new(props)?;
        if config.offset_storage_file().is_none() {
            return Err(ConfigError::Missing {
                name: OFFSET_STORAGE_FILE_FILENAME.to_string(),
            });
        }
        Ok(config)
    }

    pub fn parsed(&self) -> &ParsedConfig {
        &self.parsed
    }

    pub fn originals(&self) -> &Props {
        self.parsed.originals()
    }

    pub fn bootstrap_servers(&self) -> String {
        self.parsed
            .list(BOOTSTRAP_SERVERS)
            .map(|l| l.join(","))
            .unwrap_or_default()
    }

    pub fn key_converter(&self) -> &str {
        self.parsed.string(KEY_CONVERTER).unwrap_or_default()
    }

    pub fn value_converter(&self) -> &str {
        self.parsed.string(VALUE_CONVERTER).unwrap_or_default()
    }

    pub fn header_converter(&self) -> &str {
        self.parsed
            .string(HEADER_CONVERTER)
            .unwrap_or(DEFAULT_HEADER_CONVERTER)
    }

    pub fn listeners(&self) -> Vec<String> {
        self.parsed
            .list(LISTENERS)
            .map(<[String]>::to_vec)
            .unwrap_or_default()
    }

    pub fn offset_flush_interval(&self) -> Duration {
        Duration::from_millis(self.millis(OFFSET_FLUSH_INTERVAL_MS, 60_000))
    }

    pub fn offset_flush_timeout(&self) -> Duration {
        Duration::from_millis(self.millis(OFFSET_FLUSH_TIMEOUT_MS, 5_000))
    }

    pub fn task_shutdown_graceful_timeout(&self) -> Duration {
        Duration::from_millis(self.millis(TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS, 5_000))
    }

    fn millis(&self, key: &str, default: u64) -> u64 {
        self.parsed
            .long(key)
            .and_then(|v| u64::try_from(v).ok())
            .unwrap_or(default)
    }

    pub fn topic_creation_enable(&self) -> bool {
        self.parsed.boolean(TOPIC_CREATION_ENABLE).unwrap_or(true)
    }

    /// Whether tasks record the topics they use (`GET /connectors/{c}/topics`).
    pub fn topic_tracking_enable(&self) -> bool {
        self.parsed.boolean(TOPIC_TRACKING_ENABLE).unwrap_or(true)
    }

    /// Whether `PUT /connectors/{c}/topics/reset` is allowed.
    pub fn topic_tracking_allow_reset(&self) -> bool {
        self.parsed
            .boolean(TOPIC_TRACKING_ALLOW_RESET)
            .unwrap_or(true)
    }

    pub fn offset_storage_file(&self) -> Option<PathBuf> {
        self.parsed
            .string(OFFSET_STORAGE_FILE_FILENAME)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
    }

    /// Where REST-managed connector configs are kept in standalone mode.
    pub fn config_storage_file(&self) -> Option<PathBuf> {
        if let Some(path) = self
            .parsed
            .string(CONFIG_STORAGE_FILE_FILENAME)
            .filter(|s| !s.is_empty())
        {
            return Some(PathBuf::from(path));
        }
        self.offset_storage_file().map(|offsets| {
            let mut name = offsets.into_os_string();
            name.push(".connectors.json");
            PathBuf::from(name)
        })
    }

    /// Client settings with `prefix` (e.g. `producer.`) removed.
    pub fn client_overrides(&self, prefix: &str) -> Props {
        self.parsed.originals_with_prefix(prefix)
    }

    /// The key converter's own settings (`key.converter.` prefix removed).
    pub fn converter_props(&self, converter_key: &str) -> Props {
        self.parsed
            .originals_with_prefix(&format!("{converter_key}."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Props {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn kafka_defaults_apply() {
        let config = WorkerConfig::new_standalone(props(&[
            (
                "key.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            (
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            ("offset.storage.file.filename", "/tmp/x.offsets"),
            ("producer.linger.ms", "5"),
        ]))
        .expect("valid");
        assert_eq!(config.bootstrap_servers(), "localhost:9092");
        assert_eq!(config.offset_flush_interval(), Duration::from_secs(60));
        assert_eq!(config.header_converter(), DEFAULT_HEADER_CONVERTER);
        assert_eq!(config.listeners(), vec!["http://:8083".to_string()]);
        assert_eq!(
            config
                .client_overrides("producer.")
                .get("linger.ms")
                .map(String::as_str),
            Some("5")
        );
        assert_eq!(
            config.config_storage_file(),
            Some(PathBuf::from("/tmp/x.offsets.connectors.json"))
        );
    }

    #[test]
    fn errors_name_the_key() {
        let err = WorkerConfig::new(props(&[("value.converter", "x")])).expect_err("missing");
        assert_eq!(
            err.to_string(),
            "Missing required configuration \"key.converter\" which has no default value."
        );
        let err = WorkerConfig::new_standalone(props(&[
            ("key.converter", "x"),
            ("value.converter", "x"),
        ]))
        .expect_err("standalone needs offsets file");
        assert!(err.to_string().contains("offset.storage.file.filename"));
        let err = WorkerConfig::new(props(&[
            ("key.converter", "x"),
            ("value.converter", "x"),
            ("offset.flush.interval.ms", "soon"),
        ]))
        .expect_err("not a number");
        assert!(
            err.to_string().contains("offset.flush.interval.ms"),
            "{err}"
        );
    }
}
