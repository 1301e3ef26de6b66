//! Differential tests: every built-in transformation and predicate against Apache Kafka's.
//!
//! Seeded random records (connect-testkit's `VectorGen`: struct keys and values over a small
//! set of field names, schemaless maps, primitives, logical types, headers, timestamps, source
//! and sink records) and seeded random configurations of each transformation (field lists,
//! renames, casts, timestamp formats, ... drawn from the same field names, so that they meet
//! the records' fields) go through Kafka's classes (connect-testkit's `KafkaOracle`) and
//! Tributary's. The transformed records must be the same; where Kafka throws (a bad config,
//! a record it cannot transform), Tributary must fail with the same kind of error and the
//! same message.
//!
//! A failure lists the differences with each case's seed; rerun one with
//! `TRIBUTARY_ORACLE_SEED=<seed> TRIBUTARY_ORACLE_CASES=1`.
//!
//! Deliberate differences, handled where they are compared:
//!
//! - Kafka's transformations build schemaless maps as `HashMap`s, which iterate in Java's
//!   hash order; Tributary keeps insertion order. Maps are compared without regard to order.
//! - The oracle builds Java maps as `LinkedHashMap`; error messages that name the class are
//!   read with `HashMap`, which a connector usually hands Kafka.
//! - `MaskField` without a replacement masks a `Decimal` field with `BigDecimal.ZERO` of
//!   scale 0 in Kafka, which then fails conversion under the field's Decimal schema (its
//!   scale differs); Tributary masks it with zero at the schema's scale. Records that differ
//!   only there are counted, not compared.
//! - Where Kafka's code fails with a Java runtime exception on input it does not expect
//!   (`ClassCastException` for a map key that is not a string, `NullPointerException` for
//!   a field the schema lacks), Tributary fails with a `DataException` that says what is
//!   wrong; both fail, and the messages are not compared.
//! - Invalid regular expressions are reported in the words of each side's regex engine
//!   (Java's `PatternSyntaxException`, Rust's `regex`); the messages are compared up to
//!   `Invalid regex:`.
//! - Kafka 4.3's `SetSchemaMetadata` fails on every schema that is not a struct ("Cannot
//!   list fields on non-struct type": it lists the fields of any schema it copies, a
//!   regression from 3.x); Tributary sets the name and version of such schemas as Kafka
//!   3.x did.
//! - A logical date moved into a field of another type (a `ReplaceField` rename onto an
//!   existing name): Kafka's error names the value's class, `java.util.Date`; Tributary,
//!   which holds dates physically, names `java.lang.Integer` or `java.lang.Long`. Those
//!   class names are compared as one.
//! - `TimestampRouter` says which record has no timestamp with the record's Java
//!   `toString()`, identity hashes of byte arrays included; Tributary names the topic. The
//!   messages are compared up to `Timestamp missing on record:`.
//! - A `TimestampRouter` `timestamp.format` that is not a `SimpleDateFormat` pattern: Kafka
//!   accepts the configuration and fails every record (the pattern is compiled when the
//!   first record arrives); Tributary refuses the configuration, naming the key.
//! - A schemaless `TimestampConverter` to `Date`, `Time` or `Timestamp` gives Kafka a
//!   `java.util.Date` object with no schema; Tributary's values hold dates physically
//!   (`Int32`/`Int64`) only under a logical schema, so such results are counted, not
//!   compared.

use std::collections::BTreeMap;

use connect_api::plugin::PluginFactory;
use connect_api::sink::{SinkRecord, TimestampType};
use connect_api::source::SourceRecord;
use connect_api::transforms::{Predicate, Transformation};
use connect_api::{ConnectError, ConnectRecord, Header, Headers, Props, Schema, Value};
use connect_testkit::KafkaOracle;
use connect_testkit::oracle::{
    self, Answer, Differences, JavaError, answer_bool, answer_record, schemas_identical,
    sink_record_from_json, sink_record_json, source_record_from_json, source_record_json,
};
use connect_testkit::vectors::{FIELD_NAMES, VectorGen, base_seed, case_count};

const PKG: &str = "org.apache.kafka.connect.transforms.";

/// A configuration generator for one transformation.
type Configs = fn(&mut VectorGen) -> Vec<(String, String)>;

/// Every built-in transformation (both sides where Kafka has `$Key`/`$Value`) with the
/// configurations to try it with.
fn transformations() -> Vec<(String, Configs)> {
    let both: &[(&str, Configs)] = &[
        ("Cast", cast_config),
        ("ExtractField", extract_field_config),
        ("Flatten", flatten_config),
        ("HoistField", hoist_field_config),
        ("InsertField", insert_field_config),
        ("MaskField", mask_field_config),
        ("ReplaceField", replace_field_config),
        ("SetSchemaMetadata", set_schema_metadata_config),
        ("TimestampConverter", timestamp_converter_config),
        ("HeaderFrom", header_from_config),
    ];
    let mut out: Vec<(String, Configs)> = Vec::new();
    for (name, configs) in both {
        out.push((format!("{PKG}{name}$Key"), *configs));
        out.push((format!("{PKG}{name}$Value"), *configs));
    }
    let single: &[(&str, Configs)] = &[
        ("RegexRouter", regex_router_config),
        ("TimestampRouter", timestamp_router_config),
        ("ValueToKey", value_to_key_config),
        ("Filter", |_| Vec::new()),
        ("InsertHeader", insert_header_config),
        ("DropHeaders", drop_headers_config),
    ];
    for (name, configs) in single {
        out.push((format!("{PKG}{name}"), *configs));
    }
    out
}

fn predicates() -> Vec<(String, Configs)> {
    vec![
        (format!("{PKG}predicates.HasHeaderKey"), |g| {
            vec![("name".into(), header_name(g))]
        }),
        (format!("{PKG}predicates.RecordIsTombstone"), |_| Vec::new()),
        (format!("{PKG}predicates.TopicNameMatches"), |g| {
            let pattern = g.pick(&[
                "topic-.*",
                ".*-a",
                "topic-a",
                "nomatch",
                "(",
                "t.pic-[ab]",
                "",
            ]);
            vec![("pattern".into(), (*pattern).to_owned())]
        }),
    ]
}

// --- configurations ---------------------------------------------------------------------

fn field(g: &mut VectorGen) -> String {
    (*g.pick(FIELD_NAMES)).to_owned()
}

fn field_list(g: &mut VectorGen) -> String {
    let n = 1 + g.below(3);
    (0..n).map(|_| field(g)).collect::<Vec<_>>().join(",")
}

fn header_name(g: &mut VectorGen) -> String {
    (*g.pick(&["a", "b", "h", "ts", "x"])).to_owned()
}

fn maybe_replace_null(g: &mut VectorGen, out: &mut Vec<(String, String)>) {
    if g.chance(0.2) {
        out.push((
            "replace.null.with.default".into(),
            (*g.pick(&["true", "false"])).to_owned(),
        ));
    }
}

const CAST_TYPES: &[&str] = &[
    "int8", "int16", "int32", "int64", "float32", "float64", "boolean", "string",
];

fn cast_config(g: &mut VectorGen) -> Vec<(String, String)> {
    let spec = match g.below(6) {
        0 => (*g.pick(CAST_TYPES)).to_owned(),
        1 => (*g.pick(&[
            "",
            "foo:faketype",
            "a:array",
            "a:int8:extra",
            "a",
            "int32,a:int8",
        ]))
        .to_owned(),
        _ => {
            let n = 1 + g.below(3);
            (0..n)
                .map(|_| format!("{}:{}", field(g), g.pick(CAST_TYPES)))
                .collect::<Vec<_>>()
                .join(",")
        }
    };
    let mut out = vec![("spec".into(), spec)];
    maybe_replace_null(g, &mut out);
    out
}

fn extract_field_config(g: &mut VectorGen) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if g.chance(0.3) {
        out.push((
            "field.syntax.version".into(),
            (*g.pick(&["V1", "V2", "v3"])).to_owned(),
        ));
        out.push(("field".into(), format!("{}.{}", field(g), field(g))));
    } else {
        out.push(("field".into(), field(g)));
    }
    maybe_replace_null(g, &mut out);
    out
}

fn flatten_config(g: &mut VectorGen) -> Vec<(String, String)> {
    if g.chance(0.5) {
        vec![(
            "delimiter".into(),
            (*g.pick(&[".", "_", "--", ""])).to_owned(),
        )]
    } else {
        Vec::new()
    }
}

fn hoist_field_config(g: &mut VectorGen) -> Vec<(String, String)> {
    vec![("field".into(), field(g))]
}

fn insert_field_config(g: &mut VectorGen) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let suffix = |g: &mut VectorGen| (*g.pick(&["", "", "!", "?"])).to_owned();
    if g.chance(0.5) {
        let s = suffix(g);
        out.push(("topic.field".into(), format!("topic_name{s}")));
    }
    if g.chance(0.4) {
        let s = suffix(g);
        out.push(("partition.field".into(), format!("partition{s}")));
    }
    if g.chance(0.3) {
        let s = suffix(g);
        out.push(("offset.field".into(), format!("offset{s}")));
    }
    if g.chance(0.4) {
        let s = suffix(g);
        out.push(("timestamp.field".into(), format!("ts_field{s}")));
    }
    if g.chance(0.5) {
        out.push(("static.field".into(), "instance_id".into()));
        out.push((
            "static.value".into(),
            (*g.pick(&["my-instance", "", "42"])).to_owned(),
        ));
    }
    if g.chance(0.1) {
        // A name that clashes with a field the record may already have.
        out.push(("topic.field".into(), field(g)));
    }
    maybe_replace_null(g, &mut out);
    out
}

fn mask_field_config(g: &mut VectorGen) -> Vec<(String, String)> {
    let mut out = vec![("fields".into(), field_list(g))];
    if g.chance(0.5) {
        out.push((
            "replacement".into(),
            (*g.pick(&["****", "0", "1.5", "true", "", "x"])).to_owned(),
        ));
    }
    maybe_replace_null(g, &mut out);
    out
}

fn replace_field_config(g: &mut VectorGen) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if g.chance(0.5) {
        out.push(("exclude".into(), field_list(g)));
    }
    if g.chance(0.4) {
        out.push(("include".into(), field_list(g)));
    }
    if g.chance(0.5) {
        let n = 1 + g.below(2);
        let renames: Vec<String> = (0..n)
            .map(|_| format!("{}:{}", field(g), g.pick(&["renamed", "x", "b", "id2"])))
            .collect();
        out.push(("renames".into(), renames.join(",")));
    }
    if g.chance(0.05) {
        out.push(("renames".into(), "a:b:c".into()));
    }
    maybe_replace_null(g, &mut out);
    out
}

fn set_schema_metadata_config(g: &mut VectorGen) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if g.chance(0.7) {
        out.push((
            "schema.name".into(),
            (*g.pick(&["com.example.New", "x", ""])).to_owned(),
        ));
    }
    if g.chance(0.5) {
        out.push((
            "schema.version".into(),
            (*g.pick(&["1", "7", "-1", "x"])).to_owned(),
        ));
    }
    maybe_replace_null(g, &mut out);
    out
}

fn timestamp_converter_config(g: &mut VectorGen) -> Vec<(String, String)> {
    let target = *g.pick(&["string", "unix", "Date", "Time", "Timestamp", "bogus"]);
    let mut out = vec![("target.type".into(), target.to_owned())];
    if g.chance(0.6) {
        out.push(("field".into(), field(g)));
    }
    if target == "string" || g.chance(0.3) {
        out.push((
            "format".into(),
            (*g.pick(&[
                "yyyy-MM-dd",
                "yyyy-MM-dd'T'HH:mm:ss.SSSZ",
                "HH:mm:ss",
                "yyyyMMdd",
                "dd/MM/yyyy HH:mm",
                "yyyy-MM-dd HH:mm:ss.SSS",
                "'unterminated",
            ]))
            .to_owned(),
        ));
    }
    if g.chance(0.3) {
        out.push((
            "unix.precision".into(),
            (*g.pick(&[
                "seconds",
                "milliseconds",
                "microseconds",
                "nanoseconds",
                "hours",
            ]))
            .to_owned(),
        ));
    }
    maybe_replace_null(g, &mut out);
    out
}

fn header_from_config(g: &mut VectorGen) -> Vec<(String, String)> {
    let n = 1 + g.below(2);
    let fields: Vec<String> = (0..n).map(|_| field(g)).collect();
    let headers_n = if g.chance(0.1) { n + 1 } else { n };
    let headers: Vec<String> = (0..headers_n).map(|_| header_name(g)).collect();
    let mut out = vec![
        ("fields".into(), fields.join(",")),
        ("headers".into(), headers.join(",")),
        (
            "operation".into(),
            (*g.pick(&["copy", "move", "swap"])).to_owned(),
        ),
    ];
    maybe_replace_null(g, &mut out);
    out
}

fn regex_router_config(g: &mut VectorGen) -> Vec<(String, String)> {
    let (regex, replacement) = *g.pick(&[
        ("topic-(.*)", "routed-$1"),
        (".*", "all"),
        ("(.*)-(.*)", "$2.$1"),
        ("nomatch", "x"),
        ("topic-a", ""),
        ("(", "x"),
        ("(.*)", "$2"),
    ]);
    vec![
        ("regex".into(), regex.to_owned()),
        ("replacement".into(), replacement.to_owned()),
    ]
}

fn timestamp_router_config(g: &mut VectorGen) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if g.chance(0.7) {
        out.push((
            "topic.format".into(),
            (*g.pick(&[
                "${topic}-${timestamp}",
                "${timestamp}",
                "x-${topic}",
                "plain",
            ]))
            .to_owned(),
        ));
    }
    if g.chance(0.7) {
        out.push((
            "timestamp.format".into(),
            (*g.pick(&["yyyyMMdd", "yyyy-MM-dd'T'HH", "HHmmss", "'bad"])).to_owned(),
        ));
    }
    out
}

fn value_to_key_config(g: &mut VectorGen) -> Vec<(String, String)> {
    let mut out = vec![("fields".into(), field_list(g))];
    maybe_replace_null(g, &mut out);
    out
}

fn insert_header_config(g: &mut VectorGen) -> Vec<(String, String)> {
    vec![
        ("header".into(), header_name(g)),
        (
            "value.literal".into(),
            (*g.pick(&[
                "text",
                "42",
                "1.5",
                "true",
                "[1,2]",
                "{\"a\":1}",
                "2024-01-02",
                "",
            ]))
            .to_owned(),
        ),
    ]
}

fn drop_headers_config(g: &mut VectorGen) -> Vec<(String, String)> {
    let n = 1 + g.below(3);
    let names: Vec<String> = (0..n).map(|_| header_name(g)).collect();
    vec![("headers".into(), names.join(","))]
}

// --- records ------------------------------------------------------------------------------

/// A key or value: a struct most often (the transformations work on fields), else a
/// schemaless map of the same field names, a primitive with or without schema, or null.
fn data(g: &mut VectorGen) -> (Option<Schema>, Value) {
    match g.below(10) {
        0..=4 => {
            let s = g.struct_schema();
            let v = g.value(&s);
            (Some(s), v)
        }
        5 | 6 => {
            let mut entries: Vec<(Value, Value)> = Vec::new();
            for name in FIELD_NAMES {
                if g.chance(0.5) {
                    entries.push((Value::String((*name).to_owned()), g.schemaless_value()));
                }
            }
            (None, Value::Map(entries))
        }
        7 => {
            let s = g.primitive_schema();
            let v = g.value(&s);
            (Some(s), v)
        }
        8 => (None, g.schemaless_value()),
        _ => (None, Value::Null),
    }
}

fn headers(g: &mut VectorGen) -> Headers {
    let n = *g.pick(&[0usize, 0, 1, 2, 3]);
    (0..n)
        .map(|_| {
            let key = header_name(g);
            let (schema, value) = if g.chance(0.5) {
                let s = g.primitive_schema();
                let v = g.value(&s);
                (Some(s), v)
            } else {
                (None, Value::String(g.string()))
            };
            Header { key, schema, value }
        })
        .collect()
}

enum Rec {
    Source(SourceRecord),
    Sink(SinkRecord),
}

impl Rec {
    fn json(&self) -> serde_json::Value {
        match self {
            Rec::Source(r) => source_record_json(r),
            Rec::Sink(r) => sink_record_json(r),
        }
    }
}

fn record(g: &mut VectorGen) -> Rec {
    let topic = (*g.pick(&["topic-a", "topic-b", "other"])).to_owned();
    let (key_schema, key) = data(g);
    let (value_schema, value) = data(g);
    let timestamp = if g.chance(0.8) {
        Some(*g.pick(&[
            0i64,
            1_700_000_000_123,
            1_234,
            -86_400_001,
            253_402_300_799_999,
        ]))
    } else {
        None
    };
    let headers = headers(g);
    if g.chance(0.3) {
        let partition = g.below(4) as i32;
        Rec::Sink(SinkRecord {
            original_topic: topic.clone(),
            original_kafka_partition: partition,
            topic,
            kafka_partition: partition,
            kafka_offset: *g.pick(&[0i64, 42, 1 << 40]),
            key_schema,
            key,
            value_schema,
            value,
            timestamp,
            timestamp_type: if timestamp.is_some() {
                TimestampType::CreateTime
            } else {
                TimestampType::NoTimestampType
            },
            headers,
        })
    } else {
        Rec::Source(SourceRecord {
            source_partition: Default::default(),
            source_offset: Default::default(),
            topic,
            kafka_partition: if g.chance(0.8) {
                Some(g.below(4) as i32)
            } else {
                None
            },
            key_schema,
            key,
            value_schema,
            value,
            timestamp,
            headers,
        })
    }
}

// --- Tributary's side ----------------------------------------------------------------------

fn props(config: &[(String, String)]) -> Props {
    config.iter().cloned().collect()
}

fn factory(class: &str) -> PluginFactory {
    connect_transforms::plugins()
        .into_iter()
        .find(|p| p.class_name == class)
        .unwrap_or_else(|| panic!("Tributary has no plugin {class}"))
        .factory
}

fn apply_ours(
    class: &str,
    config: &[(String, String)],
    record: &Rec,
) -> Result<Option<Rec>, ConnectError> {
    let PluginFactory::Transformation { source, sink } = factory(class) else {
        panic!("{class} is not a transformation");
    };
    match record {
        Rec::Source(r) => {
            let mut t: Box<dyn Transformation<SourceRecord>> = source();
            t.configure(&props(config))?;
            Ok(t.apply(r.clone())?.map(Rec::Source))
        }
        Rec::Sink(r) => {
            let mut t: Box<dyn Transformation<SinkRecord>> = sink();
            t.configure(&props(config))?;
            Ok(t.apply(r.clone())?.map(Rec::Sink))
        }
    }
}

fn test_ours(class: &str, config: &[(String, String)], record: &Rec) -> Result<bool, ConnectError> {
    let PluginFactory::Predicate { source, sink } = factory(class) else {
        panic!("{class} is not a predicate");
    };
    match record {
        Rec::Source(r) => {
            let mut p: Box<dyn Predicate<SourceRecord>> = source();
            p.configure(&props(config))?;
            Ok(p.test(r))
        }
        Rec::Sink(r) => {
            let mut p: Box<dyn Predicate<SinkRecord>> = sink();
            p.configure(&props(config))?;
            Ok(p.test(r))
        }
    }
}

// --- comparing -----------------------------------------------------------------------------

/// A Java runtime exception Kafka's code throws on input it did not expect (see the module
/// docs): both sides fail, messages are not compared.
fn is_java_runtime_failure(kafka: &JavaError) -> bool {
    matches!(
        kafka.simple_class(),
        "ClassCastException"
            | "NullPointerException"
            | "IndexOutOfBoundsException"
            | "ArrayIndexOutOfBoundsException"
    )
}

fn compare_errors(diffs: &mut Differences, case: &str, ours: &ConnectError, kafka: &JavaError) {
    let bad_router_format = case.contains(" TimestampRouter\n")
        && matches!(ours, ConnectError::Config(e) if e.key() == Some("timestamp.format"));
    if is_java_runtime_failure(kafka) || bad_router_format {
        diffs.found_deliberate();
        return;
    }
    let mut kafka_message = kafka
        .message()
        .replace("java.util.LinkedHashMap", "java.util.HashMap");
    let mut our_message = ours.to_string();
    // Where a logical date moved into a field of another type, Kafka names its Java class
    // (java.util.Date) and Tributary the class of its physical form.
    for message in [&mut kafka_message, &mut our_message] {
        if message.starts_with("Invalid Java object for schema") {
            for class in ["java.util.Date", "java.lang.Integer", "java.lang.Long"] {
                *message = message.replace(&format!("class {class} for"), "class <date> for");
            }
        }
    }
    // Up to where the rest is another engine's words or a Java object's toString().
    for message in [&mut kafka_message, &mut our_message] {
        for prefix in ["Invalid regex:", "Timestamp missing on record:"] {
            if let Some(at) = message.find(prefix) {
                message.truncate(at + prefix.len());
            }
        }
    }
    if !kafka.is_kind_of(ours) {
        diffs.found(
            "error kind",
            format!("{case}\n  kafka: {kafka}\n  ours:  {ours:?}"),
        );
    } else if our_message != kafka_message {
        diffs.found(
            "error message",
            format!("{case}\n  kafka: {kafka_message}\n  ours:  {ours}"),
        );
    }
}

fn same_schema(a: Option<&Schema>, b: Option<&Schema>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => schemas_identical(a, b, true),
        (None, None) => true,
        _ => false,
    }
}

fn same_headers(a: &Headers, b: &Headers) -> bool {
    a.len() == b.len()
        && a.iter().zip(b.iter()).all(|(x, y)| {
            x.key == y.key
                && same_schema(x.schema.as_ref(), y.schema.as_ref())
                && oracle::identical_in_any_map_order(&x.value, &y.value)
        })
}

/// The fields of two records that differ (empty: the same record).
fn record_differences<R: ConnectRecord>(kafka: &R, ours: &R) -> Vec<String> {
    let mut out = Vec::new();
    if kafka.topic() != ours.topic() {
        out.push(format!("topic: {} vs {}", kafka.topic(), ours.topic()));
    }
    if kafka.kafka_partition() != ours.kafka_partition() {
        out.push(format!(
            "partition: {:?} vs {:?}",
            kafka.kafka_partition(),
            ours.kafka_partition()
        ));
    }
    if !same_schema(kafka.key_schema(), ours.key_schema()) {
        out.push(format!(
            "key schema: {:?} vs {:?}",
            kafka.key_schema(),
            ours.key_schema()
        ));
    }
    if !oracle::identical_in_any_map_order(kafka.key(), ours.key()) {
        out.push(format!("key: {:?} vs {:?}", kafka.key(), ours.key()));
    }
    if !same_schema(kafka.value_schema(), ours.value_schema()) {
        out.push(format!(
            "value schema: {:?} vs {:?}",
            kafka.value_schema(),
            ours.value_schema()
        ));
    }
    if !oracle::identical_in_any_map_order(kafka.value(), ours.value()) {
        out.push(format!("value: {:?} vs {:?}", kafka.value(), ours.value()));
    }
    if kafka.timestamp() != ours.timestamp() {
        out.push(format!(
            "timestamp: {:?} vs {:?}",
            kafka.timestamp(),
            ours.timestamp()
        ));
    }
    if !same_headers(kafka.headers(), ours.headers()) {
        out.push(format!(
            "headers: {:?} vs {:?}",
            kafka.headers(),
            ours.headers()
        ));
    }
    out
}

fn compare_apply(
    diffs: &mut Differences,
    case: &str,
    ours: &Result<Option<Rec>, ConnectError>,
    kafka: &Answer,
) {
    diffs.compared();
    match (ours, kafka) {
        (Ok(ours), Ok(ok)) => {
            let theirs = answer_record(ok);
            match (theirs, ours) {
                (None, None) => {}
                (Some(_), None) => diffs.found("ours drops, kafka does not", case.to_owned()),
                (None, Some(_)) => diffs.found("kafka drops, ours does not", case.to_owned()),
                (Some(theirs), Some(ours)) => {
                    let differences = match ours {
                        Rec::Source(ours) => source_record_from_json(theirs)
                            .map(|theirs| record_differences(&theirs, ours)),
                        Rec::Sink(ours) => sink_record_from_json(theirs).map(|theirs| {
                            let mut d = record_differences(&theirs, ours);
                            if theirs.kafka_offset != ours.kafka_offset
                                || theirs.timestamp_type != ours.timestamp_type
                            {
                                d.push("offset or timestamp type".into());
                            }
                            d
                        }),
                    };
                    match differences {
                        Ok(d) if d.is_empty() => {}
                        Ok(d)
                            if case.contains(" MaskField$")
                                && d.iter()
                                    .all(|d| d.starts_with("key:") || d.starts_with("value:"))
                                && only_masked_decimal_scales_differ(theirs, ours) =>
                        {
                            diffs.found_deliberate();
                        }
                        Ok(d) => diffs.found(
                            "record",
                            format!("{case}\n  differs (kafka vs ours): {}", d.join("\n    ")),
                        ),
                        Err(e)
                            if format!("{e}")
                                .contains("java.util.Date without a logical schema") =>
                        {
                            diffs.found_deliberate();
                        }
                        Err(e) => diffs.found(
                            "oracle answer",
                            format!("{case}\n  kafka: {theirs}\n  cannot be read: {e:#}"),
                        ),
                    }
                }
            }
        }
        (Err(ours), Err(kafka)) => compare_errors(diffs, case, ours, kafka),
        (Ok(_), Err(kafka))
            if case.contains(" SetSchemaMetadata$")
                && kafka.message() == "Cannot list fields on non-struct type" =>
        {
            diffs.found_deliberate();
        }
        (Ok(ours), Err(kafka)) => diffs.found(
            "kafka fails, ours does not",
            format!(
                "{case}\n  kafka: {kafka}\n  ours:  {}",
                ours.as_ref()
                    .map(|r| r.json().to_string())
                    .unwrap_or("dropped".into())
            ),
        ),
        (Err(ours), Ok(ok)) => diffs.found(
            "ours fails, kafka does not",
            format!("{case}\n  kafka: {ok}\n  ours:  {ours}"),
        ),
    }
}

/// Whether Kafka's record and ours are the same once every decimal zero is read at scale 0
/// (the `MaskField` difference in the module docs).
fn only_masked_decimal_scales_differ(theirs: &serde_json::Value, ours: &Rec) -> bool {
    fn zeros_at_scale_0(v: &Value) -> Value {
        match v {
            Value::Decimal(d) if d.as_bigint_and_exponent().0 == 0.into() => {
                Value::Decimal(bigdecimal::BigDecimal::from(0))
            }
            Value::Array(items) => Value::Array(items.iter().map(zeros_at_scale_0).collect()),
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| (zeros_at_scale_0(k), zeros_at_scale_0(v)))
                    .collect(),
            ),
            Value::Struct(s) => {
                let mut out = connect_api::Struct::new(s.schema().clone()).expect("struct schema");
                for (field, value) in s.iter() {
                    if !value.is_null() {
                        out.put(field.name(), zeros_at_scale_0(value))
                            .expect("same schema");
                    }
                }
                Value::Struct(out)
            }
            other => other.clone(),
        }
    }
    let same = |a: &Value, b: &Value| {
        oracle::identical_in_any_map_order(&zeros_at_scale_0(a), &zeros_at_scale_0(b))
    };
    match ours {
        Rec::Source(ours) => source_record_from_json(theirs)
            .is_ok_and(|t| same(&t.key, &ours.key) && same(&t.value, &ours.value)),
        Rec::Sink(ours) => sink_record_from_json(theirs)
            .is_ok_and(|t| same(&t.key, &ours.key) && same(&t.value, &ours.value)),
    }
}

fn describe(seed: u64, class: &str, config: &[(String, String)], record: &Rec) -> String {
    let config: BTreeMap<&str, &str> = config
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    format!(
        "seed {seed} {}\n  config: {config:?}\n  record: {}",
        class.trim_start_matches(PKG),
        record.json()
    )
}

fn oracle_config(config: &[(String, String)]) -> Vec<(&str, &str)> {
    config
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// Every built-in transformation, thousands of random records and configurations each
/// way: the same records out, or the same errors.
#[test]
fn transformations_transform_as_kafkas_do() {
    let smts = transformations();
    // 2,000 per transformation class.
    let cases = case_count(2000 * smts.len());
    let base = base_seed(0x534d_5400_0000);
    let mut inputs = Vec::with_capacity(cases);
    for i in 0..cases {
        let seed = base.wrapping_add(i as u64);
        let mut g = VectorGen::new(seed);
        // Every transformation gets its share; the record and config are random.
        let (class, configs) = &smts[i % smts.len()];
        let config = configs(&mut g);
        let record = record(&mut g);
        inputs.push((seed, class.clone(), config, record));
    }
    let requests: Vec<_> = inputs
        .iter()
        .map(|(_, class, config, record)| {
            oracle::apply_request(class, &oracle_config(config), &record.json())
        })
        .collect();
    let mut oracle =
        KafkaOracle::start().expect("the Kafka oracle starts (run scripts/setup-test-env.sh)");
    let answers = oracle.call_all(&requests).expect("the oracle answers");
    let mut per_class: BTreeMap<String, Differences> = BTreeMap::new();
    for ((seed, class, config, record), answer) in inputs.iter().zip(&answers) {
        let diffs = per_class
            .entry(class.clone())
            .or_insert_with(|| Differences::new(class.trim_start_matches(PKG)));
        let case = describe(*seed, class, config, record);
        let ours = apply_ours(class, config, record);
        compare_apply(diffs, &case, &ours, answer);
    }
    let per = cases / smts.len();
    let failures: Vec<String> = per_class
        .values()
        .filter_map(|d| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| d.assert_none(per * 9 / 10)))
                .err()
        })
        .map(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "a difference".into())
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The predicates, on the same kind of records.
#[test]
fn predicates_test_as_kafkas_do() {
    let preds = predicates();
    let cases = case_count(2000 * preds.len());
    let base = base_seed(0x5052_4544_0000);
    let mut inputs = Vec::with_capacity(cases);
    for i in 0..cases {
        let seed = base.wrapping_add(i as u64);
        let mut g = VectorGen::new(seed);
        let (class, configs) = &preds[i % preds.len()];
        let config = configs(&mut g);
        let record = record(&mut g);
        inputs.push((seed, class.clone(), config, record));
    }
    let requests: Vec<_> = inputs
        .iter()
        .map(|(_, class, config, record)| {
            oracle::test_request(class, &oracle_config(config), &record.json())
        })
        .collect();
    let mut oracle =
        KafkaOracle::start().expect("the Kafka oracle starts (run scripts/setup-test-env.sh)");
    let answers = oracle.call_all(&requests).expect("the oracle answers");
    let mut diffs = Differences::new("predicates");
    for ((seed, class, config, record), answer) in inputs.iter().zip(&answers) {
        let case = describe(*seed, class, config, record);
        diffs.compared();
        match (test_ours(class, config, record), answer) {
            (Ok(ours), Ok(ok)) => match answer_bool(ok) {
                Ok(theirs) if theirs == ours => {}
                Ok(theirs) => diffs.found(
                    "result",
                    format!("{case}\n  kafka: {theirs}\n  ours: {ours}"),
                ),
                Err(e) => diffs.found("oracle answer", format!("{case}: {e:#}")),
            },
            (Err(ours), Err(kafka)) => compare_errors(&mut diffs, &case, &ours, kafka),
            (Ok(ours), Err(kafka)) => diffs.found(
                "kafka fails, ours does not",
                format!("{case}\n  kafka: {kafka}\n  ours: {ours}"),
            ),
            (Err(ours), Ok(ok)) => diffs.found(
                "ours fails, kafka does not",
                format!("{case}\n  kafka: {ok}\n  ours: {ours}"),
            ),
        }
    }
    diffs.assert_none(cases);
}
