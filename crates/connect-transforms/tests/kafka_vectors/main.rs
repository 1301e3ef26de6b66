//! Kafka's own test cases for its transforms and predicates
//! (`connect/transforms/src/test/java/org/apache/kafka/connect/transforms/*Test.java`),
//! ported as test vectors: one module per transform, schema-ful and schemaless, error
//! cases and messages included. One test binary keeps the build small.

mod common;

mod cast;
mod drop_headers;
mod extract_field;
mod filter;
mod flatten;
mod header_from;
mod hoist_field;
mod insert_field;
mod insert_header;
mod mask_field;
mod plugins;
mod predicates;
mod regex_router;
mod replace_field;
mod set_schema_metadata;
mod timestamp_converter;
mod timestamp_router;
mod value_to_key;
