//! DropHeadersTest.

use connect_api::source::SourceRecord;
use connect_api::{Headers, Schema};
use connect_transforms::DropHeaders;

use crate::common::*;

fn record(headers: &[(&str, &str)]) -> SourceRecord {
    let mut record = source(
        "topic",
        Some(0),
        Some(Schema::string()),
        s("key"),
        Some(Schema::string()),
        s("value"),
        Some(0),
    );
    for (k, v) in headers {
        record.headers.add_string(*k, *v);
    }
    record
}

fn keys(headers: &Headers) -> Vec<String> {
    headers.iter().map(|h| h.key.clone()).collect()
}

#[test]
fn drops_existing_headers() {
    let xform = configured(DropHeaders::new(), &[("headers", "dropped-a,dropped-b")]);
    let transformed = apply(
        &xform,
        record(&[
            ("dont-drop-a", "a"),
            ("dropped-a", "b"),
            ("dont-drop-b", "c"),
            ("dropped-b", "d"),
        ]),
    );
    assert_eq!(
        keys(&transformed.headers),
        vec!["dont-drop-a", "dont-drop-b"]
    );
    assert_eq!(transformed.value, s("value"));
    assert_eq!(transformed.key, s("key"));
}

#[test]
fn drops_every_header_with_the_same_name() {
    let xform = configured(DropHeaders::new(), &[("headers", "dropped")]);
    let transformed = apply(
        &xform,
        record(&[("dropped", "a"), ("kept", "b"), ("dropped", "c")]),
    );
    assert_eq!(keys(&transformed.headers), vec!["kept"]);
}

#[test]
fn dropping_absent_headers_changes_nothing() {
    let xform = configured(DropHeaders::new(), &[("headers", "absent")]);
    let original = record(&[("kept", "b")]);
    assert_eq!(apply(&xform, original.clone()), original);
}

#[test]
fn config_rejects_empty_list() {
    assert_eq!(
        config_error(DropHeaders::<SourceRecord>::new(), &[("headers", "")]),
        // Kafka 4.3's ValidList.anyNonDuplicateValues(false, false).
        "Configuration 'headers' must not be empty. Valid values include: any non-empty value"
    );
    assert_eq!(
        config_error(DropHeaders::<SourceRecord>::new(), &[]),
        "Missing required configuration \"headers\" which has no default value."
    );
}
