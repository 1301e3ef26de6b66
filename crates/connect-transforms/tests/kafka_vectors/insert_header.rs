//! InsertHeaderTest.

use connect_api::source::SourceRecord;
use connect_api::{Schema, Value};
use connect_transforms::InsertHeader;

use crate::common::*;

#[test]
fn insertion_with_existing_other_header() {
    let xform: InsertHeader<SourceRecord> = configured(
        InsertHeader::new(),
        &[("header", "inserted"), ("value.literal", "inserted-value")],
    );
    let mut record = source_value(None, Value::Null);
    record.headers.add_string("existing", "existing-value");
    let transformed = apply(&xform, record);
    assert_eq!(transformed.headers.len(), 2);
    let inserted = transformed
        .headers
        .last_with_name("inserted")
        .expect("header");
    assert_eq!(inserted.schema, Some(Schema::string()));
    assert_eq!(inserted.value, s("inserted-value"));
}

#[test]
fn insertion_with_existing_same_header() {
    let xform: InsertHeader<SourceRecord> = configured(
        InsertHeader::new(),
        &[("header", "existing"), ("value.literal", "inserted-value")],
    );
    let mut record = source_value(None, Value::Null);
    record.headers.add_string("existing", "preexisting-value");
    let transformed = apply(&xform, record);
    let values: Vec<Value> = transformed
        .headers
        .all_with_name("existing")
        .map(|h| h.value.clone())
        .collect();
    assert_eq!(values, vec![s("preexisting-value"), s("inserted-value")]);
}

#[test]
fn literal_is_parsed_like_kafka_values() {
    let xform: InsertHeader<SourceRecord> = configured(
        InsertHeader::new(),
        &[("header", "n"), ("value.literal", "42")],
    );
    let transformed = apply(&xform, source_value(None, Value::Null));
    let header = transformed.headers.last_with_name("n").expect("header");
    assert_eq!(
        (header.schema.clone(), header.value.clone()),
        (Some(Schema::int8()), Value::Int8(42))
    );
}

#[test]
fn configs_are_required() {
    assert_eq!(
        config_error(
            InsertHeader::<SourceRecord>::new(),
            &[("value.literal", "v")]
        ),
        "Missing required configuration \"header\" which has no default value."
    );
    assert_eq!(
        config_error(InsertHeader::<SourceRecord>::new(), &[("header", "h")]),
        "Missing required configuration \"value.literal\" which has no default value."
    );
}
