//! Apache Kafka's built-in single message transforms and predicates, for Tributary.
//!
//! Every transformation and predicate that ships with Kafka Connect is here, under
//! Kafka's class name (with the `$Key` / `$Value` variants where Kafka has them), with
//! Kafka's config keys, defaults, validation messages and behaviour, for records with a
//! schema (a `Struct`) and without (a map with string keys). A connector config written
//! for Apache Kafka works unchanged:
//!
//! ```properties
//! transforms=route
//! transforms.route.type=org.apache.kafka.connect.transforms.RegexRouter
//! transforms.route.regex=(.*)
//! transforms.route.replacement=$1-copy
//! ```
//!
//! [`plugins`] lists them all for a worker's plugin registry; [`overview_doc`] gives the
//! overview paragraph Kafka prints for each class in its reference documentation, and each
//! transform's `ConfigDef` documents its keys.
//!
//! Each transformation is generic over the record type and works for source and sink
//! records alike. `InsertField`'s `offset.field` needs the Kafka offset, which only sink
//! records have: [`RecordOffset`] says whether a record has one.

pub mod cast;
pub mod date_format;
pub mod drop_headers;
pub mod extract_field;
pub mod field_path;
pub mod filter;
pub mod flatten;
pub mod header_from;
pub mod hoist_field;
pub mod insert_field;
pub mod insert_header;
pub mod mask_field;
pub mod predicates;
pub mod regex_router;
pub mod replace_field;
pub mod set_schema_metadata;
pub mod timestamp_converter;
pub mod timestamp_router;
mod util;
pub mod value_to_key;

use std::sync::Arc;

use connect_api::plugin::{PluginDesc, PluginFactory};
use connect_api::sink::SinkRecord;
use connect_api::source::SourceRecord;
use connect_api::transforms::{Predicate, Transformation};

pub use cast::Cast;
pub use drop_headers::DropHeaders;
pub use extract_field::ExtractField;
pub use filter::Filter;
pub use flatten::Flatten;
pub use header_from::HeaderFrom;
pub use hoist_field::HoistField;
pub use insert_field::InsertField;
pub use insert_header::InsertHeader;
pub use mask_field::MaskField;
pub use predicates::{HasHeaderKey, RecordIsTombstone, TopicNameMatches};
pub use regex_router::RegexRouter;
pub use replace_field::ReplaceField;
pub use set_schema_metadata::SetSchemaMetadata;
pub use timestamp_converter::TimestampConverter;
pub use timestamp_router::TimestampRouter;
pub use util::{REPLACE_NULL_WITH_DEFAULT_CONFIG, RecordOffset, Side};
pub use value_to_key::ValueToKey;

const TRANSFORMS_PACKAGE: &str = "org.apache.kafka.connect.transforms";
const PREDICATES_PACKAGE: &str = "org.apache.kafka.connect.transforms.predicates";
const VERSION: &str = env!("CARGO_PKG_VERSION");

type SourceTransformation = Box<dyn Transformation<SourceRecord>>;
type SinkTransformation = Box<dyn Transformation<SinkRecord>>;

fn transformation(
    simple_name: &str,
    source: impl Fn() -> SourceTransformation + Send + Sync + 'static,
    sink: impl Fn() -> SinkTransformation + Send + Sync + 'static,
) -> PluginDesc {
    PluginDesc::new(
        format!("{TRANSFORMS_PACKAGE}.{simple_name}"),
        VERSION,
        PluginFactory::Transformation {
            source: Arc::new(source),
            sink: Arc::new(sink),
        },
    )
}

fn predicate(
    simple_name: &str,
    source: impl Fn() -> Box<dyn Predicate<SourceRecord>> + Send + Sync + 'static,
    sink: impl Fn() -> Box<dyn Predicate<SinkRecord>> + Send + Sync + 'static,
) -> PluginDesc {
    PluginDesc::new(
        format!("{PREDICATES_PACKAGE}.{simple_name}"),
        VERSION,
        PluginFactory::Predicate {
            source: Arc::new(source),
            sink: Arc::new(sink),
        },
    )
}

/// A `$Key` and a `$Value` plugin for a transformation made by `make(side)`.
fn keyed<S, K>(name: &str, make_source: S, make_sink: K) -> [PluginDesc; 2]
where
    S: Fn(Side) -> SourceTransformation + Copy + Send + Sync + 'static,
    K: Fn(Side) -> SinkTransformation + Copy + Send + Sync + 'static,
{
    [Side::Key, Side::Value].map(|side| {
        transformation(
            &format!("{name}{}", side.class_suffix()),
            move || make_source(side),
            move || make_sink(side),
        )
    })
}

/// Every built-in transformation and predicate, under Kafka's class names.
pub fn plugins() -> Vec<PluginDesc> {
    let mut plugins = Vec::new();
    plugins.extend(keyed(
        "Cast",
        |side| Box::new(Cast::<SourceRecord>::new(side)),
        |side| Box::new(Cast::<SinkRecord>::new(side)),
    ));
    plugins.push(transformation(
        "DropHeaders",
        || Box::new(DropHeaders::<SourceRecord>::new()),
        || Box::new(DropHeaders::<SinkRecord>::new()),
    ));
    plugins.extend(keyed(
        "ExtractField",
        |side| Box::new(ExtractField::<SourceRecord>::new(side)),
        |side| Box::new(ExtractField::<SinkRecord>::new(side)),
    ));
    plugins.push(transformation(
        "Filter",
        || Box::new(Filter::<SourceRecord>::new()),
        || Box::new(Filter::<SinkRecord>::new()),
    ));
    plugins.extend(keyed(
        "Flatten",
        |side| Box::new(Flatten::<SourceRecord>::new(side)),
        |side| Box::new(Flatten::<SinkRecord>::new(side)),
    ));
    plugins.extend(keyed(
        "HeaderFrom",
        |side| Box::new(HeaderFrom::<SourceRecord>::new(side)),
        |side| Box::new(HeaderFrom::<SinkRecord>::new(side)),
    ));
    plugins.extend(keyed(
        "HoistField",
        |side| Box::new(HoistField::<SourceRecord>::new(side)),
        |side| Box::new(HoistField::<SinkRecord>::new(side)),
    ));
    plugins.extend(keyed(
        "InsertField",
        |side| Box::new(InsertField::<SourceRecord>::new(side)),
        |side| Box::new(InsertField::<SinkRecord>::new(side)),
    ));
    plugins.push(transformation(
        "InsertHeader",
        || Box::new(InsertHeader::<SourceRecord>::new()),
        || Box::new(InsertHeader::<SinkRecord>::new()),
    ));
    plugins.extend(keyed(
        "MaskField",
        |side| Box::new(MaskField::<SourceRecord>::new(side)),
        |side| Box::new(MaskField::<SinkRecord>::new(side)),
    ));
    plugins.push(transformation(
        "RegexRouter",
        || Box::new(RegexRouter::<SourceRecord>::new()),
        || Box::new(RegexRouter::<SinkRecord>::new()),
    ));
    plugins.extend(keyed(
        "ReplaceField",
        |side| Box::new(ReplaceField::<SourceRecord>::new(side)),
        |side| Box::new(ReplaceField::<SinkRecord>::new(side)),
    ));
    plugins.extend(keyed(
        "SetSchemaMetadata",
        |side| Box::new(SetSchemaMetadata::<SourceRecord>::new(side)),
        |side| Box::new(SetSchemaMetadata::<SinkRecord>::new(side)),
    ));
    plugins.extend(keyed(
        "TimestampConverter",
        |side| Box::new(TimestampConverter::<SourceRecord>::new(side)),
        |side| Box::new(TimestampConverter::<SinkRecord>::new(side)),
    ));
    plugins.push(transformation(
        "TimestampRouter",
        || Box::new(TimestampRouter::<SourceRecord>::new()),
        || Box::new(TimestampRouter::<SinkRecord>::new()),
    ));
    plugins.push(transformation(
        "ValueToKey",
        || Box::new(ValueToKey::<SourceRecord>::new()),
        || Box::new(ValueToKey::<SinkRecord>::new()),
    ));
    plugins.push(predicate(
        "HasHeaderKey",
        || Box::new(HasHeaderKey::<SourceRecord>::new()),
        || Box::new(HasHeaderKey::<SinkRecord>::new()),
    ));
    plugins.push(predicate(
        "RecordIsTombstone",
        || Box::new(RecordIsTombstone::<SourceRecord>::new()),
        || Box::new(RecordIsTombstone::<SinkRecord>::new()),
    ));
    plugins.push(predicate(
        "TopicNameMatches",
        || Box::new(TopicNameMatches::<SourceRecord>::new()),
        || Box::new(TopicNameMatches::<SinkRecord>::new()),
    ));
    plugins
        .into_iter()
        .map(|plugin| match overview_doc(&plugin.class_name) {
            Some(doc) => plugin.with_doc(doc),
            None => plugin,
        })
        .collect()
}

/// Kafka's `OVERVIEW_DOC` for a plugin class name (with or without `$Key`/`$Value`), for
/// generated reference documentation; `None` for a class this crate does not provide.
pub fn overview_doc(class_name: &str) -> Option<&'static str> {
    let simple = class_name.rsplit('.').next().unwrap_or(class_name);
    let base = simple.split('$').next().unwrap_or(simple);
    Some(match base {
        "Cast" => cast::OVERVIEW_DOC,
        "DropHeaders" => drop_headers::OVERVIEW_DOC,
        "ExtractField" => extract_field::OVERVIEW_DOC,
        "Filter" => filter::OVERVIEW_DOC,
        "Flatten" => flatten::OVERVIEW_DOC,
        "HeaderFrom" => header_from::OVERVIEW_DOC,
        "HoistField" => hoist_field::OVERVIEW_DOC,
        "InsertField" => insert_field::OVERVIEW_DOC,
        "InsertHeader" => insert_header::OVERVIEW_DOC,
        "MaskField" => mask_field::OVERVIEW_DOC,
        "RegexRouter" => regex_router::OVERVIEW_DOC,
        "ReplaceField" => replace_field::OVERVIEW_DOC,
        "SetSchemaMetadata" => set_schema_metadata::OVERVIEW_DOC,
        "TimestampConverter" => timestamp_converter::OVERVIEW_DOC,
        "TimestampRouter" => timestamp_router::OVERVIEW_DOC,
        "ValueToKey" => value_to_key::OVERVIEW_DOC,
        "HasHeaderKey" => predicates::HAS_HEADER_KEY_OVERVIEW_DOC,
        "RecordIsTombstone" => predicates::RECORD_IS_TOMBSTONE_OVERVIEW_DOC,
        "TopicNameMatches" => predicates::TOPIC_NAME_MATCHES_OVERVIEW_DOC,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_plugin_has_a_unique_kafka_class_name_and_an_overview() {
        let plugins = plugins();
        assert_eq!(plugins.len(), 29);
        let mut names: Vec<&str> = plugins.iter().map(|p| p.class_name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), plugins.len());
        for plugin in &plugins {
            assert!(
                plugin
                    .class_name
                    .starts_with("org.apache.kafka.connect.transforms.")
            );
            assert!(
                overview_doc(&plugin.class_name).is_some(),
                "{}",
                plugin.class_name
            );
            assert_eq!(plugin.version, VERSION);
        }
    }
}
