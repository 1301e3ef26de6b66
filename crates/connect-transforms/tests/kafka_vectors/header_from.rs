//! HeaderFromTest.

use connect_api::source::SourceRecord;
use connect_api::{Header, Headers, Schema, SchemaBuilder, Value};
use connect_transforms::HeaderFrom;

use crate::common::*;

fn value_xform(fields: &str, headers: &str, operation: &str) -> HeaderFrom<SourceRecord> {
    configured(
        HeaderFrom::value(),
        &[
            ("fields", fields),
            ("headers", headers),
            ("operation", operation),
        ],
    )
}

fn existing_headers() -> Headers {
    let mut headers = Headers::new();
    headers.add_string("existing", "existing-value");
    headers
}

fn with_headers(mut record: SourceRecord) -> SourceRecord {
    record.headers = existing_headers();
    record
}

fn header(headers: &Headers, key: &str) -> Option<Header> {
    headers.last_with_name(key).cloned()
}

fn schema() -> Schema {
    struct_schema(&[
        ("field1", Schema::string()),
        ("field2", Schema::int32()),
        ("other", Schema::string()),
    ])
}

fn value() -> Value {
    Value::Struct(new_struct(
        &schema(),
        &[
            ("field1", s("field1-value")),
            ("field2", Value::Int32(2)),
            ("other", s("other-value")),
        ],
    ))
}

#[test]
fn copy_with_schema() {
    let xform = value_xform("field1,field2", "inserted1,inserted2", "copy");
    let transformed = apply(&xform, with_headers(source_value(Some(schema()), value())));
    assert_eq!(transformed.value_schema, Some(schema()));
    assert_eq!(transformed.value, value());
    let h1 = header(&transformed.headers, "inserted1").expect("header");
    assert_eq!(
        (h1.schema, h1.value),
        (Some(Schema::string()), s("field1-value"))
    );
    let h2 = header(&transformed.headers, "inserted2").expect("header");
    assert_eq!(
        (h2.schema, h2.value),
        (Some(Schema::int32()), Value::Int32(2))
    );
    assert!(header(&transformed.headers, "existing").is_some());
    assert_eq!(transformed.headers.len(), 3);
}

#[test]
fn move_with_schema() {
    let xform = value_xform("field1,field2", "inserted1,inserted2", "move");
    let transformed = apply(&xform, with_headers(source_value(Some(schema()), value())));
    let moved_schema = struct_schema(&[("other", Schema::string())]);
    assert_eq!(transformed.value_schema, Some(moved_schema.clone()));
    assert_eq!(
        transformed.value,
        Value::Struct(new_struct(&moved_schema, &[("other", s("other-value"))]))
    );
    assert_eq!(
        header(&transformed.headers, "inserted1").map(|h| h.value),
        Some(s("field1-value"))
    );
    assert_eq!(
        header(&transformed.headers, "inserted2").map(|h| h.value),
        Some(Value::Int32(2))
    );
}

#[test]
fn copy_and_move_schemaless() {
    let value = map(&[
        ("field1", s("field1-value")),
        ("field2", Value::Int32(2)),
        ("other", s("other-value")),
    ]);
    let copied = apply(
        &value_xform("field1,field2", "inserted1,inserted2", "copy"),
        with_headers(source_value(None, value.clone())),
    );
    assert!(same_entries(&copied.value, &value));
    let h1 = header(&copied.headers, "inserted1").expect("header");
    assert_eq!((h1.schema, h1.value), (None, s("field1-value")));

    let moved = apply(
        &value_xform("field1,field2", "inserted1,inserted2", "move"),
        with_headers(source_value(None, value)),
    );
    assert!(same_entries(
        &moved.value,
        &map(&[("other", s("other-value"))])
    ));
    assert_eq!(
        header(&moved.headers, "inserted2").map(|h| h.value),
        Some(Value::Int32(2))
    );
}

#[test]
fn same_header_twice() {
    let xform = value_xform("field1,field2", "inserted,inserted", "copy");
    let transformed = apply(&xform, source_value(Some(schema()), value()));
    let values: Vec<Value> = transformed
        .headers
        .all_with_name("inserted")
        .map(|h| h.value.clone())
        .collect();
    assert_eq!(values, vec![s("field1-value"), Value::Int32(2)]);
}

#[test]
fn key_variant_reads_the_key() {
    let xform: HeaderFrom<SourceRecord> = configured(
        HeaderFrom::key(),
        &[
            ("fields", "field1"),
            ("headers", "h"),
            ("operation", "move"),
        ],
    );
    let record = source(
        "topic",
        Some(0),
        Some(schema()),
        value(),
        None,
        s("v"),
        None,
    );
    let transformed = apply(&xform, record);
    assert_eq!(
        header(&transformed.headers, "h").map(|h| h.value),
        Some(s("field1-value"))
    );
    assert_eq!(
        transformed
            .key_schema
            .and_then(|s| s.field("field1").ok().flatten().cloned()),
        None
    );
    assert_eq!(transformed.value, s("v"));
}

#[test]
fn missing_schemaless_field_is_a_null_header() {
    let xform = value_xform("absent", "h", "copy");
    let transformed = apply(&xform, source_value(None, map(&[("a", Value::Int32(1))])));
    assert_eq!(
        header(&transformed.headers, "h").map(|h| h.value),
        Some(Value::Null)
    );
}

#[test]
fn replace_null_with_default() {
    let schema = struct_schema(&[(
        "f",
        SchemaBuilder::int32()
            .optional()
            .default_value(Value::Int32(9))
            .expect("default")
            .build(),
    )]);
    let record = || {
        source_value(
            Some(schema.clone()),
            Value::Struct(new_struct(&schema, &[])),
        )
    };
    let transformed = apply(&value_xform("f", "h", "copy"), record());
    assert_eq!(
        header(&transformed.headers, "h").map(|h| h.value),
        Some(Value::Int32(9))
    );
    let keep_null: HeaderFrom<SourceRecord> = configured(
        HeaderFrom::value(),
        &[
            ("fields", "f"),
            ("headers", "h"),
            ("operation", "copy"),
            ("replace.null.with.default", "false"),
        ],
    );
    let transformed = apply(&keep_null, record());
    assert_eq!(
        header(&transformed.headers, "h").map(|h| h.value),
        Some(Value::Null)
    );
}

#[test]
fn invalid_configs() {
    let new = HeaderFrom::<SourceRecord>::value;
    assert_eq!(
        config_error(
            new(),
            &[("fields", "a,b"), ("headers", "h"), ("operation", "copy")]
        ),
        "'fields' config must have the same number of elements as 'headers' config."
    );
    assert_eq!(
        config_error(
            new(),
            &[("fields", "a"), ("headers", "h"), ("operation", "cut")]
        ),
        "Invalid value cut for configuration operation: String must be one of: move, copy"
    );
    assert_eq!(
        config_error(
            new(),
            &[("fields", ""), ("headers", "h"), ("operation", "copy")]
        ),
        "Invalid value [] for configuration fields: Empty list"
    );
    assert_eq!(
        config_error(new(), &[("fields", "a"), ("headers", "h")]),
        "Missing required configuration \"operation\" which has no default value."
    );
}

#[test]
fn requires_struct_or_map() {
    let err = data_error(
        &value_xform("a", "h", "move"),
        source_value(None, Value::Int32(1)),
    );
    assert_eq!(
        err,
        "Only Map objects supported in absence of schema for [header move], found: java.lang.Integer"
    );
    let err = data_error(
        &value_xform("a", "h", "copy"),
        source_value(Some(Schema::int32()), Value::Int32(1)),
    );
    assert_eq!(
        err,
        "Only Struct objects supported for [header copy], found: java.lang.Integer"
    );
}
