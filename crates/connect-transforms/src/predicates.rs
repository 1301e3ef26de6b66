//! Kafka's built-in predicates (`org.apache.kafka.connect.transforms.predicates`):
//! `HasHeaderKey`, `RecordIsTombstone` and `TopicNameMatches`. A predicate decides whether
//! a transformation applies to a record (`transforms.<alias>.predicate`, with `.negate`).

use std::marker::PhantomData;

use connect_api::config::validators::NonEmptyString;
use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::transforms::Predicate;
use connect_api::{ConnectRecord, ConnectResult, Props};
use regex::Regex;

use crate::util::{AllOf, RegexValidator, full_match_regex, parse_config};

pub const HAS_HEADER_KEY_OVERVIEW_DOC: &str =
    "A predicate which is true for records with at least one header with the configured name.";
pub const RECORD_IS_TOMBSTONE_OVERVIEW_DOC: &str =
    "A predicate which is true for records which are tombstones (i.e. have null value).";
pub const TOPIC_NAME_MATCHES_OVERVIEW_DOC: &str = "A predicate which is true for records with a topic name that matches the configured regular expression.";

pub const NAME_CONFIG: &str = "name";
pub const PATTERN_CONFIG: &str = "pattern";

pub fn has_header_key_config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(NAME_CONFIG, ConfigType::String)
            .validator(NonEmptyString)
            .importance(Importance::Medium)
            .doc("The header name."),
    )
}

pub fn record_is_tombstone_config_def() -> ConfigDef {
    ConfigDef::new()
}

pub fn topic_name_matches_config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(PATTERN_CONFIG, ConfigType::String)
            .validator(AllOf(vec![
                Box::new(NonEmptyString),
                Box::new(RegexValidator),
            ]))
            .importance(Importance::Medium)
            .doc("A Java regular expression for matching against the name of a record's topic."),
    )
}

/// Kafka's `HasHeaderKey`: true when the record has a header with the configured name.
pub struct HasHeaderKey<R> {
    name: Option<String>,
    _record: PhantomData<fn() -> R>,
}

impl<R> HasHeaderKey<R> {
    pub fn new() -> Self {
        HasHeaderKey {
            name: None,
            _record: PhantomData,
        }
    }
}

impl<R> Default for HasHeaderKey<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: ConnectRecord> Predicate<R> for HasHeaderKey<R> {
    fn config_def(&self) -> ConfigDef {
        has_header_key_config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        let parsed = parse_config(&has_header_key_config_def(), props)?;
        self.name = parsed.string(NAME_CONFIG).map(str::to_string);
        Ok(())
    }

    fn test(&self, record: &R) -> bool {
        self.name
            .as_deref()
            .is_some_and(|name| record.headers().all_with_name(name).next().is_some())
    }
}

/// Kafka's `RecordIsTombstone`: true when the record's value is null.
pub struct RecordIsTombstone<R> {
    _record: PhantomData<fn() -> R>,
}

impl<R> RecordIsTombstone<R> {
    pub fn new() -> Self {
        RecordIsTombstone {
            _record: PhantomData,
        }
    }
}

impl<R> Default for RecordIsTombstone<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: ConnectRecord> Predicate<R> for RecordIsTombstone<R> {
    fn config_def(&self) -> ConfigDef {
        record_is_tombstone_config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        parse_config(&record_is_tombstone_config_def(), props).map(|_| ())
    }

    fn test(&self, record: &R) -> bool {
        record.value().is_null()
    }
}

/// Kafka's `TopicNameMatches`: true when the whole topic name matches the pattern.
pub struct TopicNameMatches<R> {
    pattern: Option<Regex>,
    _record: PhantomData<fn() -> R>,
}

impl<R> TopicNameMatches<R> {
    pub fn new() -> Self {
        TopicNameMatches {
            pattern: None,
            _record: PhantomData,
        }
    }
}

impl<R> Default for TopicNameMatches<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: ConnectRecord> Predicate<R> for TopicNameMatches<R> {
    fn config_def(&self) -> ConfigDef {
        topic_name_matches_config_def()
    }

    fn configure(&mut self, props: &Props) -> ConnectResult<()> {
        let parsed = parse_config(&topic_name_matches_config_def(), props)?;
        let pattern = parsed.string(PATTERN_CONFIG).unwrap_or_default();
        let regex = full_match_regex(pattern).map_err(|e| {
            connect_api::ConnectError::Config(connect_api::config::ConfigError::invalid(
                PATTERN_CONFIG,
                pattern,
                format!("Invalid regex: {e}"),
            ))
        })?;
        self.pattern = Some(regex);
        Ok(())
    }

    fn test(&self, record: &R) -> bool {
        self.pattern
            .as_ref()
            .is_some_and(|pattern| pattern.is_match(record.topic()))
    }
}
