//! Differential tests: Tributary's converters against Apache Kafka's own classes.
//!
//! Thousands of seeded random vectors (connect-testkit's `VectorGen`: schemas of every type
//! and logical type, nested optional structs with defaults, maps with non-string keys,
//! schemaless values, values that do not fit their schema, JSON texts) go through Kafka's
//! converter (run by connect-testkit's `KafkaOracle`) and through ours, with the same
//! configuration. Where Kafka writes bytes, ours must write the same bytes; where Kafka
//! reads a value, ours must read the same schema and value; where Kafka throws, ours must
//! fail too, with an error of the same kind and the same message.
//!
//! A failure prints the differences by kind with the seed of each case; rerun one with
//! `TRIBUTARY_ORACLE_SEED=<seed> TRIBUTARY_ORACLE_CASES=1`.
//!
//! Deliberate differences, each handled where it is compared:
//!
//! - `StringConverter` writes a `byte[]` as Java's `toString()` does, `[B@2d778add`: an
//!   identity hash, different in every JVM. Tributary refuses such a value with an error
//!   that says to use `ByteArrayConverter`; those inputs are not compared.
//! - The oracle builds Java maps as `LinkedHashMap` (so that entries keep the order both
//!   sides write them in); a connector usually hands Kafka a `HashMap`, which Tributary's
//!   error messages name. Kafka's messages are read with `LinkedHashMap` as `HashMap`.
//! - Kafka's `JsonConverter` reads JSON objects into a `HashMap`, so its maps iterate in
//!   Java's hash order; Tributary keeps the order of the text. Maps a JsonConverter read are
//!   compared without regard to entry order.
//! - `SimpleHeaderConverter` (Kafka's `Values.parseString`) keeps a date or time it finds
//!   inside a map or array whose elements have no common schema as a `java.util.Date`, an
//!   object with no schema. Tributary's values hold dates only under a logical schema, so it
//!   keeps the text it parsed. Those reads are counted, not compared.
//! - On a JVM before 19 (`KafkaOracle::prints_shortest_floats`), Java prints some floats with
//!   more digits than it needs (JDK-4511638); Tributary writes the digits of Java 19 and
//!   later. The oracle runs on the newest JDK the machine has; on an old one, float text is
//!   compared by value.

use connect_api::storage::{Converter, HeaderConverter};
use connect_api::{ConnectError, Headers, Props, Schema, Value};
use connect_json::{
    BooleanConverter, ByteArrayConverter, DoubleConverter, FloatConverter, IntegerConverter,
    JsonConverter, LongConverter, ShortConverter, SimpleHeaderConverter, StringConverter,
};
use connect_testkit::KafkaOracle;
use connect_testkit::oracle::{
    self, Answer, Differences, JavaError, answer_bytes, answer_schema_and_value,
};
use connect_testkit::vectors::{VectorGen, base_seed, case_count};

const TOPIC: &str = "topic";
const JSON: &str = "org.apache.kafka.connect.json.JsonConverter";

/// The JsonConverter configurations every vector is tried with (one per vector, chosen by
/// its seed).
const JSON_CONFIGS: &[&[(&str, &str)]] = &[
    &[],
    &[("schemas.enable", "false")],
    &[("decimal.format", "NUMERIC")],
    &[("schemas.enable", "false"), ("decimal.format", "NUMERIC")],
    &[("replace.null.with.default", "false")],
    &[("schemas.enable", "true"), ("schemas.cache.size", "0")],
];

fn props(config: &[(&str, &str)]) -> Props {
    config
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn oracle() -> KafkaOracle {
    KafkaOracle::start().expect("the Kafka oracle starts (run scripts/setup-test-env.sh)")
}

/// Compares an error both sides raised: kind, then message.
fn compare_errors(diffs: &mut Differences, case: &str, ours: &ConnectError, kafka: &JavaError) {
    let kafka_message = kafka
        .message()
        .replace("java.util.LinkedHashMap", "java.util.HashMap");
    if !kafka.is_kind_of(ours) {
        diffs.found(
            "error kind",
            format!("{case}\n  kafka: {kafka}\n  ours:  {ours:?}"),
        );
    } else if ours.to_string() != kafka_message {
        diffs.found(
            "error message",
            format!("{case}\n  kafka: {}\n  ours:  {ours}", kafka.message()),
        );
    }
}

/// Compares serialized bytes (or the errors) of both sides.
fn compare_bytes(
    diffs: &mut Differences,
    case: &str,
    ours: &Result<Option<Vec<u8>>, ConnectError>,
    kafka: &Answer,
    shortest_floats: bool,
) {
    diffs.compared();
    match (ours, kafka) {
        (Ok(ours), Ok(ok)) => match answer_bytes(ok) {
            Ok(theirs) if theirs == *ours => {}
            Ok(Some(theirs))
                if !shortest_floats
                    && ours
                        .as_deref()
                        .is_some_and(|ours| oracle::same_text_but_float_digits(&theirs, ours)) => {}
            Ok(theirs) => diffs.found(
                "bytes",
                format!(
                    "{case}\n  kafka: {}\n  ours:  {}",
                    show_bytes(theirs.as_deref()),
                    show_bytes(ours.as_deref())
                ),
            ),
            Err(e) => diffs.found("oracle answer", format!("{case}: {e:#}")),
        },
        (Err(ours), Err(kafka)) => compare_errors(diffs, case, ours, kafka),
        (Ok(ours), Err(kafka)) => diffs.found(
            "kafka fails, ours does not",
            format!(
                "{case}\n  kafka: {kafka}\n  ours:  {}",
                show_bytes(ours.as_deref())
            ),
        ),
        (Err(ours), Ok(ok)) => diffs.found(
            "ours fails, kafka does not",
            format!(
                "{case}\n  kafka: {}\n  ours:  {ours}",
                answer_bytes(ok)
                    .map(|b| show_bytes(b.as_deref()))
                    .unwrap_or_default()
            ),
        ),
    }
}

/// Compares read schemas and values (or the errors) of both sides.
fn compare_read(
    diffs: &mut Differences,
    case: &str,
    ours: &Result<(Option<Schema>, Value), ConnectError>,
    kafka: &Answer,
    any_map_order: bool,
) {
    diffs.compared();
    match (ours, kafka) {
        (Ok((schema, value)), Ok(ok)) => match answer_schema_and_value(ok) {
            Ok((their_schema, their_value)) => {
                let same_schema = match (&their_schema, schema) {
                    (Some(x), Some(y)) => oracle::schemas_identical(x, y, any_map_order),
                    (None, None) => true,
                    _ => false,
                };
                if !same_schema {
                    diffs.found(
                        "schema read",
                        format!("{case}\n  kafka: {their_schema:?}\n  ours:  {schema:?}"),
                    );
                } else if !(if any_map_order {
                    oracle::identical_in_any_map_order(&their_value, value)
                } else {
                    oracle::identical(&their_value, value)
                }) {
                    diffs.found(
                        "value read",
                        format!("{case}\n  kafka: {their_value:?}\n  ours:  {value:?}"),
                    );
                }
            }
            // Kafka's Values.parseString keeps a date it found inside a map or array
            // without a common schema as a java.util.Date (see the module docs).
            Err(e) if format!("{e}").contains("java.util.Date without a logical schema") => {
                diffs.found_deliberate();
            }
            Err(e) => diffs.found("oracle answer", format!("{case}: {e:#}")),
        },
        (Err(ours), Err(kafka)) => compare_errors(diffs, case, ours, kafka),
        (Ok(ours), Err(kafka)) => diffs.found(
            "kafka fails, ours does not",
            format!("{case}\n  kafka: {kafka}\n  ours:  {ours:?}"),
        ),
        (Err(ours), Ok(ok)) => diffs.found(
            "ours fails, kafka does not",
            format!("{case}\n  kafka: {ok}\n  ours:  {ours}"),
        ),
    }
}

fn contains_bytes(value: &Value) -> bool {
    match value {
        Value::Bytes(_) => true,
        Value::Array(items) => items.iter().any(contains_bytes),
        Value::Map(entries) => entries
            .iter()
            .any(|(k, v)| contains_bytes(k) || contains_bytes(v)),
        Value::Struct(s) => s.iter().any(|(_, v)| contains_bytes(v)),
        _ => false,
    }
}

fn show_bytes(bytes: Option<&[u8]>) -> String {
    match bytes {
        None => "null".into(),
        Some(b) => match std::str::from_utf8(b) {
            Ok(text) => format!("{text:?}"),
            Err(_) => format!("{b:?}"),
        },
    }
}

fn json_converter(config: &[(&str, &str)], is_key: bool) -> Result<JsonConverter, ConnectError> {
    let mut converter = JsonConverter::new();
    Converter::configure(&mut converter, &props(config), is_key)?;
    Ok(converter)
}

/// One converter input: the case's seed, configuration and data.
struct Input {
    seed: u64,
    config: &'static [(&'static str, &'static str)],
    is_key: bool,
    schema: Option<Schema>,
    value: Value,
}

impl Input {
    fn describe(&self) -> String {
        format!(
            "seed {} config {:?} is_key {}\n  schema: {:?}\n  value:  {:?}",
            self.seed, self.config, self.is_key, self.schema, self.value
        )
    }
}

fn json_inputs(base: u64, cases: usize) -> Vec<Input> {
    (0..cases)
        .map(|i| {
            let seed = base.wrapping_add(i as u64);
            let mut g = VectorGen::new(seed);
            let (schema, value) = match g.below(10) {
                0 | 1 => (None, g.schemaless_value()),
                2 => {
                    let s = g.schema();
                    let v = g.invalid_value(&s);
                    (Some(s), v)
                }
                _ => {
                    let s = g.schema();
                    let v = g.value(&s);
                    (Some(s), v)
                }
            };
            Input {
                seed,
                config: JSON_CONFIGS[g.below(JSON_CONFIGS.len())],
                is_key: g.chance(0.3),
                schema,
                value,
            }
        })
        .collect()
}

/// JsonConverter.fromConnectData, then toConnectData of the bytes Kafka wrote, on every
/// vector: the same bytes, the same schema and value read back, the same errors.
#[test]
fn json_converter_writes_and_reads_what_kafka_does() {
    let cases = case_count(3000);
    let inputs = json_inputs(base_seed(0x4a53_4f4e_0000), cases);
    let mut oracle = oracle();
    let requests: Vec<_> = inputs
        .iter()
        .map(|i| {
            oracle::from_connect_request(
                JSON,
                i.config,
                i.is_key,
                TOPIC,
                i.schema.as_ref(),
                &i.value,
            )
        })
        .collect();
    let answers = oracle.call_all(&requests).expect("the oracle answers");
    let shortest = oracle.prints_shortest_floats();
    let mut diffs = Differences::new("JsonConverter.fromConnectData");
    let mut reads = Vec::new();
    for (input, answer) in inputs.iter().zip(&answers) {
        let case = input.describe();
        let ours = json_converter(input.config, input.is_key).and_then(|c| {
            c.from_connect_data(TOPIC, &Headers::new(), input.schema.as_ref(), &input.value)
        });
        compare_bytes(&mut diffs, &case, &ours, answer, shortest);
        if let Ok(ok) = answer
            && let Ok(bytes) = answer_bytes(ok)
        {
            reads.push((input, bytes));
        }
    }

    // Read back what Kafka wrote, with the same configuration.
    let requests: Vec<_> = reads
        .iter()
        .map(|(input, bytes)| {
            oracle::to_connect_request(JSON, input.config, input.is_key, TOPIC, bytes.as_deref())
        })
        .collect();
    let answers = oracle.call_all(&requests).expect("the oracle answers");
    let mut read_diffs = Differences::new("JsonConverter.toConnectData");
    for ((input, bytes), answer) in reads.iter().zip(&answers) {
        let case = format!(
            "{}\n  bytes: {}",
            input.describe(),
            show_bytes(bytes.as_deref())
        );
        let ours = json_converter(input.config, input.is_key)
            .and_then(|c| c.to_connect_data(TOPIC, &Headers::new(), bytes.as_deref()))
            .map(|sv| (sv.schema, sv.value));
        compare_read(&mut read_diffs, &case, &ours, answer, true);
    }
    let min = cases * 3 / 4;
    let (writes, reads) = (diffs.count(), read_diffs.count());
    eprintln!("{writes} writes, {reads} reads compared");
    diffs.assert_none(min);
    read_diffs.assert_none(min / 2);
}

/// JsonConverter.toConnectData of JSON texts a producer may have written (numbers in every
/// form, escapes, nesting), schemaless and, wrapped in an envelope, with schemas.
#[test]
fn json_converter_reads_arbitrary_json_as_kafka_does() {
    let cases = case_count(3000);
    let base = base_seed(0x4a53_4f4e_1000);
    let mut inputs = Vec::new();
    for i in 0..cases {
        let seed = base.wrapping_add(i as u64);
        let mut g = VectorGen::new(seed);
        let text = g.json_text();
        let (config, text): (&[(&str, &str)], String) = match g.below(4) {
            0 => (&[], text),
            1 => {
                // An envelope with a schema Kafka itself wrote, and a random payload.
                let schema = g.schema();
                let converter = json_converter(&[], false).expect("default config");
                let envelope = converter
                    .from_connect_data(TOPIC, &Headers::new(), Some(&schema), &g.value(&schema))
                    .ok()
                    .flatten()
                    .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
                match envelope {
                    Some(mut env) => {
                        env["payload"] = serde_json::from_str(&text).unwrap_or_default();
                        (&[], env.to_string())
                    }
                    None => (&[], text),
                }
            }
            _ => (&[("schemas.enable", "false")], text),
        };
        inputs.push((seed, config, text));
    }
    let mut oracle = oracle();
    let requests: Vec<_> = inputs
        .iter()
        .map(|(_, config, text)| {
            oracle::to_connect_request(JSON, config, false, TOPIC, Some(text.as_bytes()))
        })
        .collect();
    let answers = oracle.call_all(&requests).expect("the oracle answers");
    let mut diffs = Differences::new("JsonConverter.toConnectData (JSON texts)");
    for ((seed, config, text), answer) in inputs.iter().zip(&answers) {
        let case = format!("seed {seed} config {config:?}\n  text: {text}");
        let ours = json_converter(config, false)
            .and_then(|c| c.to_connect_data(TOPIC, &Headers::new(), Some(text.as_bytes())))
            .map(|sv| (sv.schema, sv.value));
        compare_read(&mut diffs, &case, &ours, answer, true);
    }
    diffs.assert_none(cases);
}

/// The simple converters (String, ByteArray, the number converters, Boolean): every value
/// of every schema type, both ways, keys and values, as Kafka's do.
#[test]
fn simple_converters_match_kafka() {
    type Make = fn() -> Box<dyn Converter>;
    let converters: &[(&str, Make)] = &[
        ("org.apache.kafka.connect.storage.StringConverter", || {
            Box::new(StringConverter::default())
        }),
        (
            "org.apache.kafka.connect.converters.ByteArrayConverter",
            || Box::new(ByteArrayConverter),
        ),
        (
            "org.apache.kafka.connect.converters.IntegerConverter",
            || Box::new(IntegerConverter),
        ),
        ("org.apache.kafka.connect.converters.LongConverter", || {
            Box::new(LongConverter)
        }),
        ("org.apache.kafka.connect.converters.ShortConverter", || {
            Box::new(ShortConverter)
        }),
        ("org.apache.kafka.connect.converters.FloatConverter", || {
            Box::new(FloatConverter)
        }),
        (
            "org.apache.kafka.connect.converters.DoubleConverter",
            || Box::new(DoubleConverter),
        ),
        (
            "org.apache.kafka.connect.converters.BooleanConverter",
            || Box::new(BooleanConverter),
        ),
    ];
    let configs: &[&[(&str, &str)]] = &[
        &[],
        &[("converter.encoding", "UTF-16")],
        &[("converter.encoding", "UTF-16BE")],
        &[("converter.encoding", "utf-16le")],
        &[("converter.encoding", "US-ASCII")],
        &[("converter.encoding", "ISO-8859-1")],
    ];
    // 2,000 per converter.
    let cases = case_count(2000 * converters.len());
    let base = base_seed(0x5349_4d50_0000);
    let mut oracle = oracle();
    let mut writes = Differences::new("simple converters, fromConnectData");
    let mut reads = Differences::new("simple converters, toConnectData");
    let mut inputs = Vec::new();
    for i in 0..cases {
        let seed = base.wrapping_add(i as u64);
        let mut g = VectorGen::new(seed);
        let converter = g.below(converters.len());
        let config = if converter == 0 && g.chance(0.4) {
            configs[1 + g.below(configs.len() - 1)]
        } else {
            configs[0]
        };
        let (schema, value) = match g.below(5) {
            0 => (None, g.schemaless_value()),
            1 => {
                let s = g.primitive_schema();
                (Some(s.clone()), g.invalid_value(&s))
            }
            _ => {
                let s = g.primitive_schema();
                (Some(s.clone()), g.value(&s))
            }
        };
        // Bytes a producer may have written: what the value's own converter would write,
        // or random bytes of the lengths the number converters care about.
        let bytes = if g.chance(0.3) {
            None
        } else {
            let len = *g.pick(&[0usize, 1, 2, 4, 8, 3]);
            Some((0..len).map(|_| g.below(256) as u8).collect::<Vec<u8>>())
        };
        inputs.push((seed, converter, config, g.chance(0.5), schema, value, bytes));
    }
    let mut requests = Vec::new();
    for (_, converter, config, is_key, schema, value, bytes) in &inputs {
        let class = converters[*converter].0;
        requests.push(oracle::from_connect_request(
            class,
            config,
            *is_key,
            TOPIC,
            schema.as_ref(),
            value,
        ));
        requests.push(oracle::to_connect_request(
            class,
            config,
            *is_key,
            TOPIC,
            bytes.as_deref(),
        ));
    }
    let answers = oracle.call_all(&requests).expect("the oracle answers");
    let shortest = oracle.prints_shortest_floats();
    for (input, pair) in inputs.iter().zip(answers.chunks(2)) {
        let (seed, converter, config, is_key, schema, value, bytes) = input;
        let (class, make) = converters[*converter];
        let configured = || {
            let mut c = make();
            c.configure(&props(config), *is_key).map(|()| c)
        };
        let case = format!(
            "seed {seed} {class} config {config:?} is_key {is_key}\n  schema: {schema:?}\n  \
             value: {value:?}\n  bytes: {bytes:?}"
        );
        // Kafka's StringConverter writes a byte[]'s identity hash (see the module docs).
        if !(class.ends_with("StringConverter") && contains_bytes(value)) {
            let write = configured()
                .and_then(|c| c.from_connect_data(TOPIC, &Headers::new(), schema.as_ref(), value));
            compare_bytes(&mut writes, &case, &write, &pair[0], shortest);
        }
        let read = configured()
            .and_then(|c| c.to_connect_data(TOPIC, &Headers::new(), bytes.as_deref()))
            .map(|sv| (sv.schema, sv.value));
        compare_read(&mut reads, &case, &read, &pair[1], false);
    }
    writes.assert_none(cases * 9 / 10);
    reads.assert_none(cases);
}

/// Header converters: SimpleHeaderConverter (which infers a schema from header text) and
/// JsonConverter as a header converter, both ways.
#[test]
fn header_converters_match_kafka() {
    const SIMPLE: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";
    let cases = case_count(4000);
    let base = base_seed(0x4844_5200_0000);
    let mut oracle = oracle();
    let mut inputs = Vec::new();
    for i in 0..cases {
        let seed = base.wrapping_add(i as u64);
        let mut g = VectorGen::new(seed);
        let json = g.chance(0.3);
        let (schema, value) = match g.below(6) {
            0 => (None, g.schemaless_value()),
            1 => {
                let s = g.schema();
                (Some(s.clone()), g.invalid_value(&s))
            }
            _ => {
                let s = g.schema();
                (Some(s.clone()), g.value(&s))
            }
        };
        // Header text a producer may have written: JSON-ish text, plain strings, numbers
        // and dates, as SimpleHeaderConverter parses them.
        let text = match g.below(4) {
            0 => g.json_text(),
            1 => g.string(),
            2 => (*g.pick(&[
                "2024-01-02",
                "12:34:56.789",
                "2024-01-02T03:04:05.678Z",
                "1",
                "-1",
                "128",
                "32768",
                "2147483648",
                "9223372036854775808",
                "1.5",
                "1e400",
                "true",
                "false",
                "null",
                "",
                "[1, \"a\"]",
                "{\"a\": [1, 2]}",
                "[",
                "{\"a\":}",
                "1.0E10",
            ]))
            .to_owned(),
            _ => serde_json::Value::String(g.string()).to_string(),
        };
        let bytes = if g.chance(0.1) {
            None
        } else {
            Some(text.into_bytes())
        };
        inputs.push((seed, json, schema, value, bytes));
    }
    let json_config: &[(&str, &str)] = &[("converter.type", "header")];
    let mut requests = Vec::new();
    for (_, json, schema, value, bytes) in &inputs {
        let (class, config) = if *json {
            (JSON, json_config)
        } else {
            (SIMPLE, &[][..])
        };
        requests.push(oracle::header_from_connect_request(
            class,
            config,
            TOPIC,
            "h",
            schema.as_ref(),
            value,
        ));
        requests.push(oracle::header_to_connect_request(
            class,
            config,
            TOPIC,
            "h",
            bytes.as_deref(),
        ));
    }
    let answers = oracle.call_all(&requests).expect("the oracle answers");
    let shortest = oracle.prints_shortest_floats();
    let mut writes = Differences::new("header converters, fromConnectHeader");
    let mut reads = Differences::new("header converters, toConnectHeader");
    for (input, pair) in inputs.iter().zip(answers.chunks(2)) {
        let (seed, json, schema, value, bytes) = input;
        let config = if *json { json_config } else { &[][..] };
        let configured = || {
            let mut c: Box<dyn HeaderConverter> = if *json {
                Box::new(JsonConverter::new())
            } else {
                Box::new(SimpleHeaderConverter)
            };
            c.configure(&props(config)).map(|()| c)
        };
        let case = format!(
            "seed {seed} {} \n  schema: {schema:?}\n  value: {value:?}\n  bytes: {}",
            if *json {
                "JsonConverter"
            } else {
                "SimpleHeaderConverter"
            },
            show_bytes(bytes.as_deref())
        );
        let write =
            configured().and_then(|c| c.from_connect_header(TOPIC, "h", schema.as_ref(), value));
        compare_bytes(&mut writes, &case, &write, &pair[0], shortest);
        let read = configured()
            .and_then(|c| c.to_connect_header(TOPIC, "h", bytes.as_deref()))
            .map(|sv| (sv.schema, sv.value));
        compare_read(&mut reads, &case, &read, &pair[1], *json);
    }
    writes.assert_none(cases);
    reads.assert_none(cases);
}
