//! HasHeaderKeyTest, TopicNameMatchesTest, and RecordIsTombstone.

use connect_api::source::SourceRecord;
use connect_api::transforms::Predicate;
use connect_api::{ConnectError, Value};
use connect_transforms::{HasHeaderKey, RecordIsTombstone, TopicNameMatches};

use crate::common::*;

fn predicate_config_error<P: Predicate<SourceRecord>>(
    mut predicate: P,
    pairs: &[(&str, &str)],
) -> String {
    match predicate.configure(&props(pairs)) {
        Err(e @ ConnectError::Config(_)) => e.to_string(),
        other => panic!("expected a config error, got {other:?}"),
    }
}

fn with_headers(keys: &[&str]) -> SourceRecord {
    let mut record = source_value(None, Value::Null);
    for key in keys {
        record.headers.add_string(*key, "value");
    }
    record
}

#[test]
fn has_header_key_name_required_in_config() {
    assert_eq!(
        predicate_config_error(HasHeaderKey::new(), &[]),
        "Missing required configuration \"name\" which has no default value."
    );
}

#[test]
fn has_header_key_name_may_not_be_empty_in_config() {
    assert_eq!(
        predicate_config_error(HasHeaderKey::new(), &[("name", "")]),
        "Invalid value  for configuration name: String must be non-empty"
    );
}

#[test]
fn has_header_key_test() {
    let predicate = configured_predicate(HasHeaderKey::new(), &[("name", "foo")]);
    assert!(predicate.test(&with_headers(&["foo"])));
    assert!(predicate.test(&with_headers(&["foo", "bar"])));
    assert!(predicate.test(&with_headers(&["bar", "foo", "bar", "foo"])));
    assert!(!predicate.test(&with_headers(&["bar"])));
    assert!(!predicate.test(&with_headers(&["bar", "bar"])));
    assert!(!predicate.test(&with_headers(&[])));
}

#[test]
fn topic_name_matches_pattern_required_in_config() {
    assert_eq!(
        predicate_config_error(TopicNameMatches::new(), &[]),
        "Missing required configuration \"pattern\" which has no default value."
    );
}

#[test]
fn topic_name_matches_pattern_may_not_be_empty_in_config() {
    assert_eq!(
        predicate_config_error(TopicNameMatches::new(), &[("pattern", "")]),
        "Invalid value  for configuration pattern: String must be non-empty"
    );
}

#[test]
fn topic_name_matches_pattern_is_valid_regex_in_config() {
    let err = predicate_config_error(TopicNameMatches::new(), &[("pattern", "[")]);
    assert!(
        err.starts_with("Invalid value [ for configuration pattern: Invalid regex:"),
        "{err}"
    );
}

#[test]
fn topic_name_matches_test() {
    let predicate = configured_predicate(TopicNameMatches::new(), &[("pattern", "my-prefix-.*")]);
    let with_topic =
        |topic: &str| source(topic, Some(0), None, Value::Null, None, Value::Null, None);
    assert!(predicate.test(&with_topic("my-prefix-")));
    assert!(predicate.test(&with_topic("my-prefix-foo")));
    assert!(!predicate.test(&with_topic("x-my-prefix-")));
    assert!(!predicate.test(&with_topic("x-my-prefix-foo")));
    assert!(!predicate.test(&with_topic("your-prefix-")));
    assert!(!predicate.test(&with_topic("your-prefix-foo")));
    assert!(!predicate.test(&with_topic("my-prefix")));
}

#[test]
fn record_is_tombstone() {
    let predicate = configured_predicate(RecordIsTombstone::new(), &[]);
    assert!(predicate.test(&source_value(None, Value::Null)));
    assert!(!predicate.test(&source_value(None, Value::Int32(1))));
    let sink_predicate: RecordIsTombstone<connect_api::sink::SinkRecord> =
        configured_predicate(RecordIsTombstone::new(), &[]);
    assert!(sink_predicate.test(&sink("t", 0, None, s("k"), None, Value::Null, 0, None)));
}
