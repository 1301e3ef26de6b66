//! RegexRouterTest.

use connect_api::Value;
use connect_api::sink::SinkRecord;
use connect_transforms::RegexRouter;

use crate::common::*;

fn apply_router(regex: &str, replacement: &str, topic: &str) -> String {
    let router: RegexRouter<SinkRecord> = configured(
        RegexRouter::new(),
        &[("regex", regex), ("replacement", replacement)],
    );
    apply(
        &router,
        sink(topic, 0, None, Value::Null, None, Value::Null, 0, None),
    )
    .topic
}

#[test]
fn static_replacement() {
    assert_eq!(apply_router("foo", "bar", "foo"), "bar");
}

#[test]
fn doesnt_match() {
    assert_eq!(apply_router("foo", "bar", "orig"), "orig");
}

#[test]
fn identity() {
    assert_eq!(apply_router("(.*)", "$1", "orig"), "orig");
}

#[test]
fn add_prefix() {
    assert_eq!(apply_router("(.*)", "prefix-$1", "orig"), "prefix-orig");
}

#[test]
fn add_suffix() {
    assert_eq!(apply_router("(.*)", "$1-suffix", "orig"), "orig-suffix");
}

#[test]
fn slice() {
    assert_eq!(
        apply_router("(.*)-(\\d\\d\\d\\d\\d\\d\\d\\d)", "$1", "index-20160117"),
        "index"
    );
}

#[test]
fn partial_match_is_not_a_match() {
    assert_eq!(apply_router("foo", "bar", "foo-bar"), "foo-bar");
}

#[test]
fn invalid_regex_is_a_config_error() {
    let err = config_error(
        RegexRouter::<SinkRecord>::new(),
        &[("regex", "(unclosed"), ("replacement", "x")],
    );
    assert!(
        err.starts_with("Invalid value (unclosed for configuration regex: Invalid regex:"),
        "{err}"
    );
}
