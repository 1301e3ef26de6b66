//! The keys every connector has (Kafka's `ConnectorConfig`, `SourceConnectorConfig` and
//! `SinkConnectorConfig`), in Kafka's groups, so that validate answers look like Kafka's.

use std::time::Duration;

use connect_api::config::validators::{NonEmptyStringWithoutControlChars, Range, ValidString};
use connect_api::config::{ConfigDef, ConfigError, ConfigKey, ConfigType, Importance, Width};
use connect_api::{ParsedConfig, Props};

pub const NAME: &str = "name";
pub const CONNECTOR_CLASS: &str = "connector.class";
pub const CONNECTOR_VERSION: &str = "connector.plugin.version";
pub const TASKS_MAX: &str = "tasks.max";
pub const TASKS_MAX_ENFORCE: &str = "tasks.max.enforce";
pub const KEY_CONVERTER: &str = "key.converter";
pub const KEY_CONVERTER_VERSION: &str = "key.converter.plugin.version";
pub const VALUE_CONVERTER: &str = "value.converter";
pub const VALUE_CONVERTER_VERSION: &str = "value.converter.plugin.version";
pub const HEADER_CONVERTER: &str = "header.converter";
pub const HEADER_CONVERTER_VERSION: &str = "header.converter.plugin.version";
pub const CONFIG_RELOAD_ACTION: &str = "config.action.reload";
pub const TRANSFORMS: &str = "transforms";
pub const PREDICATES: &str = "predicates";
pub const TOPICS: &str = "topics";
pub const TOPICS_REGEX: &str = "topics.regex";
pub const ERRORS_RETRY_TIMEOUT: &str = "errors.retry.timeout";
pub const ERRORS_RETRY_DELAY_MAX_MS: &str = "errors.retry.delay.max.ms";
pub const ERRORS_TOLERANCE: &str = "errors.tolerance";
pub const ERRORS_LOG_ENABLE: &str = "errors.log.enable";
pub const ERRORS_LOG_INCLUDE_MESSAGES: &str = "errors.log.include.messages";
pub const DLQ_TOPIC_NAME: &str = "errors.deadletterqueue.topic.name";
pub const DLQ_TOPIC_REPLICATION_FACTOR: &str = "errors.deadletterqueue.topic.replication.factor";
pub const DLQ_CONTEXT_HEADERS_ENABLE: &str = "errors.deadletterqueue.context.headers.enable";
pub const TOPIC_CREATION_GROUPS: &str = "topic.creation.groups";
pub const TOPIC_CREATION_DEFAULT_PARTITIONS: &str = "topic.creation.default.partitions";
pub const TOPIC_CREATION_DEFAULT_REPLICATION_FACTOR: &str =
    "topic.creation.default.replication.factor";
pub const EXACTLY_ONCE_SUPPORT: &str = "exactly.once.support";
pub const TRANSACTION_BOUNDARY: &str = "transaction.boundary";
pub const TRANSACTION_BOUNDARY_INTERVAL_MS: &str = "transaction.boundary.interval.ms";
pub const OFFSETS_STORAGE_TOPIC: &str = "offsets.storage.topic";

const COMMON_GROUP: &str = "Common";
const TRANSFORMS_GROUP: &str = "Transforms";
const PREDICATES_GROUP: &str = "Predicates";
const ERROR_GROUP: &str = "Error Handling";
const TOPIC_CREATION_GROUP: &str = "Topic Creation";
const EXACTLY_ONCE_GROUP: &str = "Exactly Once Support";
const OFFSETS_TOPIC_GROUP: &str = "offsets.topic";

/// The keys shared by source and sink connectors, in Kafka 4.3's order and groups.
///
/// The `*.plugin.version` keys (KIP-891) are accepted and shown; a worker has one version
/// of each plugin, so they select nothing. Their defaults are the plugins' versions, which
/// the herder fills in for each connector. `tasks.max.enforce` and `config.action.reload`
/// are accepted as Kafka accepts them.
pub fn common_config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(NAME, ConfigType::String)
                .validator(NonEmptyStringWithoutControlChars)
                .importance(Importance::High)
                .doc("Globally unique name to use for this connector.")
                .group(COMMON_GROUP, 1)
                .width(Width::Medium)
                .display_name("Connector name"),
        )
        .define(
            ConfigKey::new(CONNECTOR_CLASS, ConfigType::String)
                .importance(Importance::High)
                .doc("Name or alias of the class for this connector. Must be a subclass of org.apache.kafka.connect.connector.Connector. If the connector is org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this full name,  or use \"FileStreamSink\" or \"FileStreamSinkConnector\" to make the configuration a bit shorter")
                .group(COMMON_GROUP, 2)
                .width(Width::Long)
                .display_name("Connector class"),
        )
        .define(
            ConfigKey::new(CONNECTOR_VERSION, ConfigType::String)
                .default_null()
                .importance(Importance::Medium)
                .doc("Version of the connector.")
                .group(COMMON_GROUP, 3)
                .width(Width::Medium)
                .display_name("Connector version"),
        )
        .define(
            ConfigKey::new(TASKS_MAX, ConfigType::Int)
                .default_value("1")
                .validator(Range::at_least(1))
                .importance(Importance::High)
                .doc("Maximum number of tasks to use for this connector.")
                .group(COMMON_GROUP, 4)
                .width(Width::Short)
                .display_name("Tasks max"),
        )
        .define(
            ConfigKey::new(TASKS_MAX_ENFORCE, ConfigType::Boolean)
                .default_value("true")
                .importance(Importance::Low)
                .doc("(Deprecated) Whether to enforce that the tasks.max property is respected by the connector. By default, connectors that generate too many tasks will fail, and existing sets of tasks that exceed the tasks.max property will also be failed. If this property is set to false, then connectors will be allowed to generate more than the maximum number of tasks, and existing sets of tasks that exceed the tasks.max property will be allowed to run. This property is deprecated and will be removed in an upcoming major release.")
                .group(COMMON_GROUP, 5)
                .width(Width::Short)
                .display_name("Enforce tasks max"),
        )
        .define(
            ConfigKey::new(KEY_CONVERTER, ConfigType::Class)
                .default_null()
                .importance(Importance::Low)
                .doc("Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the keys in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro.")
                .group(COMMON_GROUP, 6)
                .width(Width::Short)
                .display_name("Key converter class"),
        )
        .define(converter_version_key(KEY_CONVERTER_VERSION, "key converter", 7, "Key"))
        .define(
            ConfigKey::new(VALUE_CONVERTER, ConfigType::Class)
                .default_null()
                .importance(Importance::Low)
                .doc("Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro.")
                .group(COMMON_GROUP, 8)
                .width(Width::Short)
                .display_name("Value converter class"),
        )
        .define(converter_version_key(VALUE_CONVERTER_VERSION, "value converter", 9, "Value"))
        .define(
            ConfigKey::new(HEADER_CONVERTER, ConfigType::Class)
                .default_null()
                .importance(Importance::Low)
                .doc("HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the header values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro. By default, the SimpleHeaderConverter is used to serialize header values to strings and deserialize them by inferring the schemas.")
                .group(COMMON_GROUP, 10)
                .width(Width::Short)
                .display_name("Header converter class"),
        )
        .define(converter_version_key(
            HEADER_CONVERTER_VERSION,
            "header converter",
            11,
            "Header",
        ))
        .define(
            ConfigKey::new(TRANSFORMS, ConfigType::List)
                .default_value("")
                .importance(Importance::Low)
                .doc("Aliases for the transformations to be applied to records.")
                .group(TRANSFORMS_GROUP, 12)
                .width(Width::Long)
                .display_name("Transforms"),
        )
        .define(
            ConfigKey::new(PREDICATES, ConfigType::List)
                .default_value("")
                .importance(Importance::Low)
                .doc("Aliases for the predicates used by transformations.")
                .group(PREDICATES_GROUP, 13)
                .width(Width::Long)
                .display_name("Predicates"),
        )
        .define(
            ConfigKey::new(CONFIG_RELOAD_ACTION, ConfigType::String)
                .default_value("restart")
                .validator(ValidString::one_of_ignore_case(["none", "restart"]))
                .importance(Importance::Low)
                .doc("The action that Connect should take on the connector when changes in external configuration providers result in a change in the connector's configuration properties. A value of 'none' indicates that Connect will do nothing. A value of 'restart' indicates that Connect should restart/reload the connector with the updated configuration properties.The restart may actually be scheduled in the future if the external configuration provider indicates that a configuration value will expire in the future.")
                .group(COMMON_GROUP, 14)
                .width(Width::Medium)
                .display_name("Reload Action"),
        )
        .define(
            ConfigKey::new(ERRORS_RETRY_TIMEOUT, ConfigType::Long)
                .default_value("0")
                .importance(Importance::Medium)
                .doc("The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.")
                .group(ERROR_GROUP, 1)
                .width(Width::Medium)
                .display_name("Retry Timeout for Errors"),
        )
        .define(
            ConfigKey::new(ERRORS_RETRY_DELAY_MAX_MS, ConfigType::Long)
                .default_value("60000")
                .importance(Importance::Medium)
                .doc("The maximum duration in milliseconds between consecutive retry attempts. Jitter will be added to the delay once this limit is reached to prevent thundering herd issues.")
                .group(ERROR_GROUP, 2)
                .width(Width::Medium)
                .display_name("Maximum Delay Between Retries for Errors"),
        )
        .define(
            ConfigKey::new(ERRORS_TOLERANCE, ConfigType::String)
                .default_value("none")
                .validator(ValidString::one_of(["none", "all"]))
                .importance(Importance::Medium)
                .doc("Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.")
                .group(ERROR_GROUP, 3)
                .width(Width::Short)
                .display_name("Error Tolerance"),
        )
        .define(
            ConfigKey::new(ERRORS_LOG_ENABLE, ConfigType::Boolean)
                .default_value("false")
                .importance(Importance::Medium)
                .doc("If true, write each error and the details of the failed operation and problematic record to the Connect application log. This is 'false' by default, so that only errors that are not tolerated are reported.")
                .group(ERROR_GROUP, 4)
                .width(Width::Short)
                .display_name("Log Errors"),
        )
        .define(
            ConfigKey::new(ERRORS_LOG_INCLUDE_MESSAGES, ConfigType::Boolean)
                .default_value("false")
                .importance(Importance::Medium)
                .doc("Whether to include in the log the Connect record that resulted in a failure. For sink records, the topic, partition, offset, and timestamp will be logged. For source records, the key and value (and their schemas), all headers, and the timestamp, Kafka topic, Kafka partition, source partition, and source offset will be logged. This is 'false' by default, which will prevent record keys, values, and headers from being written to log files.")
                .group(ERROR_GROUP, 5)
                .width(Width::Short)
                .display_name("Log Error Details"),
        )
}

/// `key.converter.plugin.version` and its siblings.
fn converter_version_key(name: &str, what: &str, order: i32, display: &str) -> ConfigKey {
    ConfigKey::new(name, ConfigType::String)
        .default_null()
        .importance(Importance::Low)
        .doc(format!("Version of the {what}."))
        .group(COMMON_GROUP, order)
        .width(Width::Short)
        .display_name(format!("{display} converter version"))
}

/// The common keys plus Tributary's automatic restart keys.
fn with_restart(def: ConfigDef) -> ConfigDef {
    def.merge(&crate::herder::restart::restart_config_def(
        Some(ERROR_GROUP),
        20,
    ))
}

/// The keys of a source connector.
pub fn source_config_def() -> ConfigDef {
    with_restart(with_dead_letter_queue(common_config_def()))
        .define(
            ConfigKey::new(TOPIC_CREATION_GROUPS, ConfigType::List)
                .default_value("")
                .importance(Importance::Low)
                .doc("Groups of configurations for topics created by source connectors")
                .group(TOPIC_CREATION_GROUP, 1)
                .width(Width::Long)
                .display_name("Topic Creation Groups"),
        )
        .define(
            ConfigKey::new(EXACTLY_ONCE_SUPPORT, ConfigType::String)
                .default_value("requested")
                .validator(ValidString::one_of_ignore_case(["requested", "required"]))
                .importance(Importance::Medium)
                .doc("Permitted values are requested, required. If set to \"required\", forces a preflight check for the connector to ensure that it can provide exactly-once semantics with the given configuration. Some connectors may be capable of providing exactly-once semantics but not signal to Connect that they support this; in that case, documentation for the connector should be consulted carefully before creating it, and the value for this property should be set to \"requested\". Additionally, if the value is set to \"required\" but the worker that performs preflight validation does not have exactly-once support enabled for source connectors, requests to create or validate the connector will fail.")
                .group(EXACTLY_ONCE_GROUP, 2)
                .width(Width::Short)
                .display_name("Exactly once support"),
        )
        .define(
            ConfigKey::new(TRANSACTION_BOUNDARY, ConfigType::String)
                .default_value("poll")
                .validator(ValidString::one_of_ignore_case(["poll", "interval", "connector"]))
                .importance(Importance::Medium)
                .doc("Permitted values are: poll, interval, connector. If set to 'poll', a new producer transaction will be started and committed for every batch of records that each task from this connector provides to Connect. If set to 'connector', relies on connector-defined transaction boundaries; note that not all connectors are capable of defining their own transaction boundaries, and in that case, attempts to instantiate a connector with this value will fail. Finally, if set to 'interval', commits transactions only after a user-defined time interval has passed.")
                .group(EXACTLY_ONCE_GROUP, 3)
                .width(Width::Short)
                .display_name("Transaction Boundary"),
        )
        .define(
            ConfigKey::new(TRANSACTION_BOUNDARY_INTERVAL_MS, ConfigType::Long)
                .default_null()
                .importance(Importance::Low)
                .doc("If 'transaction.boundary' is set to 'interval', determines the interval for producer transaction commits by connector tasks. If unset, defaults to the value of the worker-level 'offset.flush.interval.ms' property. It has no effect if a different transaction.boundary is specified.")
                .group(EXACTLY_ONCE_GROUP, 4)
                .width(Width::Short)
                .display_name("Transaction boundary interval"),
        )
        .define(
            ConfigKey::new(OFFSETS_STORAGE_TOPIC, ConfigType::String)
                .default_null()
                .importance(Importance::Low)
                .doc("The name of a separate offsets topic to use for this connector. If empty or not specified, the worker’s global offsets topic name will be used. If specified, the offsets topic will be created if it does not already exist on the Kafka cluster targeted by this connector (which may be different from the one used for the worker's global offsets topic if the bootstrap.servers property of the connector's producer has been overridden from the worker's). Only applicable in distributed mode; in standalone mode, setting this property will have no effect.")
                .group(OFFSETS_TOPIC_GROUP, 1)
                .width(Width::Long)
                .display_name("Offsets topic"),
        )
        .define(
            ConfigKey::new(TOPIC_CREATION_DEFAULT_REPLICATION_FACTOR, ConfigType::Short)
                .default_value("-1")
                .importance(Importance::Low)
                .doc("The replication factor for new topics created by this connector. The value must not be larger than the number of brokers in the Kafka cluster. -1 uses the broker's default.")
                .group(TOPIC_CREATION_GROUP, 2)
                .width(Width::Short)
                .display_name("Replication Factor for Topics in default Group"),
        )
        .define(
            ConfigKey::new(TOPIC_CREATION_DEFAULT_PARTITIONS, ConfigType::Int)
                .default_value("-1")
                .importance(Importance::Low)
                .doc("The number of partitions new topics created by this connector have. -1 uses the broker's default.")
                .group(TOPIC_CREATION_GROUP, 3)
                .width(Width::Short)
                .display_name("Partition Count for Topics in default Group"),
        )
}

/// The keys of a sink connector: the topics, then the dead letter queue, as Kafka orders
/// them.
pub fn sink_config_def() -> ConfigDef {
    let topics = common_config_def()
        .define(
            ConfigKey::new(TOPICS, ConfigType::List)
                .default_value("")
                .importance(Importance::High)
                .doc("List of topics to consume, separated by commas")
                .group(COMMON_GROUP, 4)
                .width(Width::Long)
                .display_name("Topics"),
        )
        .define(
            ConfigKey::new(TOPICS_REGEX, ConfigType::String)
                .default_value("")
                .importance(Importance::High)
                .doc("Regular expression giving topics to consume. Under the hood, the regex is compiled to a <code>java.util.regex.Pattern</code>. Only one of topics or topics.regex should be specified.")
                .group(COMMON_GROUP, 4)
                .width(Width::Long)
                .display_name("Topics regex"),
        );
    with_restart(with_dead_letter_queue(topics))
}

/// The dead letter queue keys: Kafka's, for sinks; Tributary also honours them for sources.
fn with_dead_letter_queue(def: ConfigDef) -> ConfigDef {
    def
        .define(
            ConfigKey::new(DLQ_TOPIC_NAME, ConfigType::String)
                .default_value("")
                .importance(Importance::Medium)
                .doc("The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error when processed by this sink connector, or its transformations or converters. The topic name is blank by default, which means that no messages are to be recorded in the DLQ. Tributary also accepts it for source connectors: a source record that fails a transformation or a converter is written there (key and value as schemaless JSON) with errors.tolerance=all.")
                .group(ERROR_GROUP, 6)
                .width(Width::Medium)
                .display_name("Dead Letter Queue Topic Name"),
        )
        .define(
            ConfigKey::new(DLQ_TOPIC_REPLICATION_FACTOR, ConfigType::Short)
                .default_value("3")
                .importance(Importance::Medium)
                .doc("Replication factor used to create the dead letter queue topic when it doesn't already exist.")
                .group(ERROR_GROUP, 7)
                .width(Width::Medium)
                .display_name("Dead Letter Queue Topic Replication Factor"),
        )
        .define(
            ConfigKey::new(DLQ_CONTEXT_HEADERS_ENABLE, ConfigType::Boolean)
                .default_value("false")
                .importance(Importance::Medium)
                .doc("If true, add headers containing error context to the messages written to the dead letter queue. To avoid clashing with headers from the original record, all error context header keys, all error context header keys will start with <code>__connect.errors.</code>")
                .group(ERROR_GROUP, 8)
                .width(Width::Medium)
                .display_name("Enable Error Context Headers"),
        )
}

/// Cross-key checks of a sink config (Kafka's `SinkConnectorConfig.validate`): each error
/// with the key it belongs to. As in Kafka, a problem of `topics` and `topics.regex`
/// together is reported on both keys.
pub fn validate_sink_topics(props: &Props) -> Vec<(&'static str, String)> {
    let topics = props.get(TOPICS).map(|s| s.trim()).unwrap_or("");
    let regex = props.get(TOPICS_REGEX).map(|s| s.trim()).unwrap_or("");
    let both = |message: &str| {
        vec![
            (TOPICS, message.to_string()),
            (TOPICS_REGEX, message.to_string()),
        ]
    };
    if !topics.is_empty() && !regex.is_empty() {
        return both("topics and topics.regex are mutually exclusive options, but both are set.");
    }
    if topics.is_empty() && regex.is_empty() {
        return both("Must configure one of topics or topics.regex");
    }
    if !regex.is_empty()
        && let Err(e) = regex::Regex::new(regex)
    {
        return vec![(
            TOPICS_REGEX,
            format!("Invalid value {regex} for configuration topics.regex: {e}"),
        )];
    }
    let dlq = props.get(DLQ_TOPIC_NAME).map(|s| s.trim()).unwrap_or("");
    if !dlq.is_empty() && !topics.is_empty() {
        let list: Vec<&str> = topics
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        if list.contains(&dlq) {
            return vec![(
                TOPICS,
                format!(
                    "The DLQ topic '{dlq}' may not be included in the list of topics ('{TOPICS}=[{}]') consumed by the connector",
                    list.join(", ")
                ),
            )];
        }
    }
    Vec::new()
}

/// A connector config parsed against the common keys.
#[derive(Clone, Debug)]
pub struct ConnectorConfig {
    parsed: ParsedConfig,
}

impl ConnectorConfig {
    pub fn new(def: &ConfigDef, props: &Props) -> Result<Self, ConfigError> {
        Ok(ConnectorConfig {
            parsed: def.parse(props)?,
        })
    }

    pub fn name(&self) -> &str {
        self.parsed.string(NAME).unwrap_or_default()
    }

    pub fn connector_class(&self) -> &str {
        self.parsed.string(CONNECTOR_CLASS).unwrap_or_default()
    }

    pub fn tasks_max(&self) -> usize {
        self.parsed
            .int(TASKS_MAX)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(1)
    }

    pub fn parsed(&self) -> &ParsedConfig {
        &self.parsed
    }

    pub fn topics(&self) -> Vec<String> {
        self.parsed
            .list(TOPICS)
            .map(|l| l.iter().filter(|t| !t.is_empty()).cloned().collect())
            .unwrap_or_default()
    }

    pub fn topics_regex(&self) -> Option<&str> {
        self.parsed.string(TOPICS_REGEX).filter(|s| !s.is_empty())
    }

    pub fn topic_creation_partitions(&self) -> i32 {
        self.parsed
            .int(TOPIC_CREATION_DEFAULT_PARTITIONS)
            .unwrap_or(-1)
    }

    pub fn topic_creation_replication_factor(&self) -> i32 {
        match self.parsed.get(TOPIC_CREATION_DEFAULT_REPLICATION_FACTOR) {
            Some(connect_api::config::ConfigValueT::Short(n)) => i32::from(*n),
            _ => -1,
        }
    }

    pub fn errors_retry_timeout(&self) -> Option<Duration> {
        match self.parsed.long(ERRORS_RETRY_TIMEOUT) {
            Some(-1) => None,
            Some(ms) => Some(Duration::from_millis(u64::try_from(ms).unwrap_or(0))),
            None => Some(Duration::ZERO),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sink_topics_are_checked_together() {
        let keys = |props: &Props| -> Vec<&str> {
            validate_sink_topics(props)
                .into_iter()
                .map(|(k, _)| k)
                .collect()
        };
        let mut props = Props::new();
        assert_eq!(keys(&props), [TOPICS, TOPICS_REGEX]);
        props.insert(TOPICS.into(), "a".into());
        assert!(keys(&props).is_empty());
        props.insert(TOPICS_REGEX.into(), "a.*".into());
        assert_eq!(keys(&props), [TOPICS, TOPICS_REGEX]);
        props.remove(TOPICS);
        props.insert(TOPICS_REGEX.into(), "(".into());
        assert_eq!(keys(&props), [TOPICS_REGEX]);
    }

    #[test]
    fn tasks_max_must_be_positive() {
        let mut props = Props::new();
        props.insert(NAME.into(), "c".into());
        props.insert(CONNECTOR_CLASS.into(), "X".into());
        props.insert(TASKS_MAX.into(), "0".into());
        let err = ConnectorConfig::new(&common_config_def(), &props).expect_err("0 tasks");
        assert_eq!(
            err.to_string(),
            "Invalid value 0 for configuration tasks.max: Value must be at least 1"
        );
        props.insert(TASKS_MAX.into(), "3".into());
        let config = ConnectorConfig::new(&common_config_def(), &props).expect("valid");
        assert_eq!(config.tasks_max(), 3);
        assert_eq!(config.name(), "c");
    }
}
