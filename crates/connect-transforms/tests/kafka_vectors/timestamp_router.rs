//! TimestampRouterTest.

use connect_api::Value;
use connect_api::source::SourceRecord;
use connect_transforms::TimestampRouter;

use crate::common::*;

#[test]
fn default_configuration() {
    let router: TimestampRouter<SourceRecord> = configured(TimestampRouter::new(), &[]);
    let record = source(
        "test",
        Some(0),
        None,
        Value::Null,
        None,
        Value::Null,
        Some(1_483_425_001_864),
    );
    assert_eq!(apply(&router, record).topic, "test-20170103");
}

#[test]
fn custom_formats() {
    let router: TimestampRouter<SourceRecord> = configured(
        TimestampRouter::new(),
        &[
            ("topic.format", "${timestamp}_${topic}_${timestamp}"),
            ("timestamp.format", "yyyy-MM-dd'T'HH"),
        ],
    );
    let record = source(
        "test",
        Some(0),
        None,
        Value::Null,
        None,
        s("v"),
        Some(1_483_425_001_864),
    );
    let transformed = apply(&router, record);
    assert_eq!(transformed.topic, "2017-01-03T06_test_2017-01-03T06");
    assert_eq!(transformed.value, s("v"));
    assert_eq!(transformed.timestamp, Some(1_483_425_001_864));
}

#[test]
fn missing_timestamp_is_an_error() {
    let router: TimestampRouter<SourceRecord> = configured(TimestampRouter::new(), &[]);
    let err = data_error(
        &router,
        source("test", Some(0), None, Value::Null, None, Value::Null, None),
    );
    assert_eq!(err, "Timestamp missing on record: test");
}

#[test]
fn invalid_timestamp_format() {
    assert_eq!(
        config_error(
            TimestampRouter::<SourceRecord>::new(),
            &[("timestamp.format", "yyyy-bb")]
        ),
        // Kafka accepts the config and fails every record; Tributary refuses the config
        // (see tests/kafka_oracle.rs).
        "Invalid value yyyy-bb for configuration timestamp.format: Illegal pattern character 'b'"
    );
}
