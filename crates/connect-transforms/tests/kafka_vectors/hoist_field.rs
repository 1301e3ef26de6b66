//! HoistFieldTest.

use connect_api::source::SourceRecord;
use connect_api::{Schema, SchemaType, Value};
use connect_transforms::HoistField;

use crate::common::*;

#[test]
fn schemaless() {
    let xform: HoistField<SourceRecord> = configured(HoistField::key(), &[("field", "magic")]);
    let transformed = apply(&xform, source_key(None, Value::Int32(42)));
    assert_eq!(transformed.key_schema, None);
    assert_eq!(transformed.key, map(&[("magic", Value::Int32(42))]));
}

#[test]
fn with_schema() {
    let xform: HoistField<SourceRecord> = configured(HoistField::key(), &[("field", "magic")]);
    let transformed = apply(&xform, source_key(Some(Schema::int32()), Value::Int32(42)));
    let schema = transformed.key_schema.clone().expect("schema");
    assert_eq!(schema.schema_type(), SchemaType::Struct);
    assert_eq!(
        schema
            .field("magic")
            .ok()
            .flatten()
            .map(|f| f.schema().clone()),
        Some(Schema::int32())
    );
    assert_eq!(get(&transformed.key, "magic"), &Value::Int32(42));
}

#[test]
fn value_variant_and_cache() {
    let xform: HoistField<SourceRecord> = configured(HoistField::value(), &[("field", "wrapped")]);
    let first = apply(&xform, source_value(Some(Schema::string()), s("a")));
    let second = apply(&xform, source_value(Some(Schema::string()), s("b")));
    assert_eq!(first.value_schema, second.value_schema);
    assert_eq!(get(&second.value, "wrapped"), &s("b"));
    let schemaless = apply(&xform, source_value(None, Value::Null));
    assert_eq!(schemaless.value, map(&[("wrapped", Value::Null)]));
}

#[test]
fn required_value_cannot_be_null() {
    let xform: HoistField<SourceRecord> = configured(HoistField::value(), &[("field", "wrapped")]);
    let err = data_error(&xform, source_value(Some(Schema::string()), Value::Null));
    assert!(err.contains("null used for required field"), "{err}");
}

#[test]
fn field_is_required() {
    assert_eq!(
        config_error(HoistField::<SourceRecord>::key(), &[]),
        "Missing required configuration \"field\" which has no default value."
    );
}
