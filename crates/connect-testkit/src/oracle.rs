//! Apache Kafka Connect's own classes as the oracle for formats and transformations.
//!
//! Tributary promises to write what Kafka Connect writes and to transform records the way
//! its SMTs do. Hand-copied expectations drift; the real classes do not. [`KafkaOracle`]
//! runs `tests/kafka/oracle/KafkaOracle.java` (compiled by `scripts/setup-test-env.sh`
//! against the pinned Kafka's jars) as a child JVM and asks it, one JSON line per request,
//! what Kafka's `JsonConverter`, the simple converters, the header converters, every
//! built-in transformation and predicate make of an input. The protocol is
//! `tests/kafka/oracle/PROTOCOL.md`; this module holds the Rust half: the encoding of
//! [`Schema`], [`Value`] and records into that protocol and back, and the process.
//!
//! Differential tests build many requests, send them in one batch
//! ([`KafkaOracle::call_all`], a writer thread feeding the JVM while answers are read, so
//! neither pipe fills), and compare each answer with what Tributary's implementation does
//! with the same input: the same bytes, the same record, or an error where Kafka errs.
//!
//! The encoding mirrors [`Value`] exactly: logical values travel in their physical form
//! (`Date` as days in an `int32`, ...) and the oracle converts them to `java.util.Date` where
//! the schema says so; a `Decimal` travels as its `BigDecimal` text, so its scale survives.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::str::FromStr;

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use bigdecimal::BigDecimal;
use connect_api::data::{Schema, SchemaBuilder, SchemaType, Struct, Value};
use connect_api::header::{Header, Headers};
use connect_api::record::ConnectRecord;
use connect_api::sink::{SinkRecord, TimestampType};
use connect_api::source::SourceRecord;
use serde_json::{Map, Value as Json, json};

use crate::kafka::{KafkaDist, file_tail};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// An exception thrown by Kafka's code (or the oracle's own complaint, class `oracle`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaError {
    /// The exception's class, e.g. `org.apache.kafka.connect.errors.DataException`.
    pub class: String,
    /// Its `getMessage()`.
    pub message: Option<String>,
    /// The cause chain, outermost first: `(class, message)`.
    pub causes: Vec<(String, Option<String>)>,
}

impl JavaError {
    /// The message, or "" when Java's was null.
    pub fn message(&self) -> &str {
        self.message.as_deref().unwrap_or("")
    }

    /// The class name without its package.
    pub fn simple_class(&self) -> &str {
        self.class.rsplit('.').next().unwrap_or(&self.class)
    }

    /// Whether `ours` is the kind of error this exception is: a data error for Kafka's
    /// `DataException` and the schema exceptions, a config error for `ConfigException`, an
    /// invalid argument for `IllegalArgumentException`, any other error for any other
    /// exception (a Java runtime exception where we fail otherwise: both fail).
    pub fn is_kind_of(&self, ours: &connect_api::ConnectError) -> bool {
        use connect_api::ConnectError;
        let class = self.simple_class();
        let data = matches!(
            class,
            "DataException" | "SchemaBuilderException" | "SchemaProjectorException"
        );
        match ours {
            ConnectError::Data { .. } => data,
            ConnectError::Config(_) => class == "ConfigException",
            ConnectError::InvalidArgument { .. } => class == "IllegalArgumentException",
            _ => !data && class != "ConfigException",
        }
    }
}

impl std::fmt::Display for JavaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.class, self.message())?;
        for (class, message) in &self.causes {
            write!(
                f,
                "; caused by {class}: {}",
                message.as_deref().unwrap_or("")
            )?;
        }
        Ok(())
    }
}

/// What the oracle answered: the `ok` object, or Kafka's exception.
pub type Answer = std::result::Result<Json, JavaError>;

/// A running oracle JVM. Killed on drop.
pub struct KafkaOracle {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    stderr: tempfile::NamedTempFile,
    version: String,
    java_major: u32,
}

impl std::fmt::Debug for KafkaOracle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaOracle")
            .field("pid", &self.child.id())
            .field("kafka", &self.version)
            .finish()
    }
}

impl KafkaOracle {
    /// Starts the oracle on the pinned Kafka's jars.
    pub fn start() -> Result<KafkaOracle> {
        let dist = KafkaDist::locate()?;
        let classes = dist.oracle_classes()?;
        let stderr = tempfile::Builder::new()
            .prefix("kafka-oracle-")
            .suffix(".log")
            .tempfile()?;
        let (java, java_major) = dist.oracle_java();
        let mut cmd = dist.java_command_with(
            &java,
            &[
                "-Xms64m",
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
            ],
            &[&classes],
            "KafkaOracle",
        );
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr.reopen()?));
        let mut child = cmd
            .spawn()
            .with_context(|| format!("starting the Kafka oracle ({})", java.display()))?;
        let stdin = child.stdin.take().ok_or_else(|| anyhow!("no stdin"))?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
        Ok(KafkaOracle {
            child,
            stdin: Some(stdin),
            stdout: BufReader::new(stdout),
            stderr,
            version: dist.version().to_owned(),
            java_major,
        })
    }

    /// The Kafka version answering.
    pub fn kafka_version(&self) -> &str {
        &self.version
    }

    /// The major version of the JVM it runs on (see `KafkaDist::oracle_java`).
    pub fn java_major(&self) -> u32 {
        self.java_major
    }

    /// Whether Java prints floats as Tributary does (shortest digits, Java 19+); on an
    /// older JVM, tests compare float text by value.
    pub fn prints_shortest_floats(&self) -> bool {
        self.java_major >= 19
    }

    /// Sends one request and reads its answer.
    pub fn call(&mut self, request: &Json) -> Result<Answer> {
        let mut answers = self.call_all(std::slice::from_ref(request))?;
        answers.pop().ok_or_else(|| anyhow!("no answer"))
    }

    /// Sends every request (from a writer thread) while reading the answers, in order.
    pub fn call_all(&mut self, requests: &[Json]) -> Result<Vec<Answer>> {
        let mut stdin = self
            .stdin
            .take()
            .ok_or_else(|| anyhow!("the oracle's stdin was lost by an earlier failure"))?;
        let mut lines = Vec::with_capacity(requests.len());
        for request in requests {
            let mut line = serde_json::to_vec(request)?;
            line.push(b'\n');
            lines.push(line);
        }
        let writer = std::thread::spawn(move || -> std::io::Result<ChildStdin> {
            for line in lines {
                stdin.write_all(&line)?;
            }
            stdin.flush()?;
            Ok(stdin)
        });
        let mut answers = Vec::with_capacity(requests.len());
        let mut line = String::new();
        let mut failure = None;
        for _ in requests {
            line.clear();
            match self.stdout.read_line(&mut line) {
                Ok(0) => {
                    failure = Some(anyhow!("the oracle exited"));
                    break;
                }
                Ok(_) => match parse_answer(&line) {
                    Ok(answer) => answers.push(answer),
                    Err(e) => {
                        failure = Some(e.context(format!("oracle answer {line:?}")));
                        break;
                    }
                },
                Err(e) => {
                    failure = Some(anyhow!(e).context("reading from the oracle"));
                    break;
                }
            }
        }
        if let Some(e) = failure {
            let _ = self.child.kill();
            let _ = writer.join();
            return Err(e.context(format!(
                "Kafka oracle stderr:\n{}",
                file_tail(self.stderr.path(), 8192)
            )));
        }
        let stdin = writer
            .join()
            .map_err(|_| anyhow!("the oracle's writer thread panicked"))?
            .context("writing to the oracle")?;
        self.stdin = Some(stdin);
        Ok(answers)
    }
}

impl Drop for KafkaOracle {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn parse_answer(line: &str) -> Result<Answer> {
    let line = without_lone_surrogates(line);
    let v: Json = serde_json::from_str(&line)?;
    if let Some(ok) = v.get("ok") {
        return Ok(Ok(ok.clone()));
    }
    let e = v
        .get("error")
        .ok_or_else(|| anyhow!("neither ok nor error"))?;
    let text = |j: &Json| j.as_str().map(str::to_owned);
    let err = JavaError {
        class: e
            .get("class")
            .and_then(Json::as_str)
            .unwrap_or("?")
            .to_owned(),
        message: e.get("message").and_then(text),
        causes: e
            .get("causes")
            .and_then(Json::as_array)
            .map(|cs| {
                cs.iter()
                    .map(|c| {
                        (
                            c.get("class")
                                .and_then(Json::as_str)
                                .unwrap_or("?")
                                .to_owned(),
                            c.get("message").and_then(text),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    if err.class == "oracle" {
        bail!("the oracle did not understand a request: {}", err.message());
    }
    Ok(Err(err))
}

/// Java strings may hold unpaired surrogates (Jackson quotes one in an error message about
/// them); Jackson writes them as `\uD83D` escapes, which no Rust string can hold. Each
/// becomes `\uFFFD`.
fn without_lone_surrogates(line: &str) -> std::borrow::Cow<'_, str> {
    fn unit_at(bytes: &[u8], i: usize) -> Option<u16> {
        let hex = bytes.get(i + 2..i + 6)?;
        if bytes.get(i..i + 2)? != b"\\u" {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
    }
    if !line.contains("\\uD") && !line.contains("\\ud") {
        return std::borrow::Cow::Borrowed(line);
    }
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    let mut run = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        match unit_at(bytes, i) {
            Some(high @ 0xD800..=0xDBFF)
                if unit_at(bytes, i + 6).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low)) =>
            {
                let _ = high;
                i += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.push_str(&line[run..i]);
                out.push_str("\\uFFFD");
                i += 6;
                run = i;
            }
            // Any other escape: skip the backslash and the escaped character.
            _ => i += 2,
        }
    }
    out.push_str(&line[run.min(line.len())..]);
    std::borrow::Cow::Owned(out)
}

// ------------------------------------------------------------------------------------------
// Requests.

fn config_json(config: &[(&str, &str)]) -> Json {
    Json::Object(
        config
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Json::String((*v).to_owned())))
            .collect(),
    )
}

fn bytes_json(bytes: Option<&[u8]>) -> Json {
    bytes.map_or(Json::Null, |b| Json::String(B64.encode(b)))
}

/// `configure` of a plugin (`kind`: converter, header_converter, transformation, predicate).
pub fn configure_request(kind: &str, class: &str, config: &[(&str, &str)], is_key: bool) -> Json {
    json!({"op": "configure", "kind": kind, "class": class, "config": config_json(config), "is_key": is_key})
}

/// `Converter.fromConnectData(topic, headers, schema, value)`.
pub fn from_connect_request(
    class: &str,
    config: &[(&str, &str)],
    is_key: bool,
    topic: &str,
    schema: Option<&Schema>,
    value: &Value,
) -> Json {
    json!({
        "op": "from_connect", "class": class, "config": config_json(config), "is_key": is_key,
        "topic": topic, "schema": opt_schema_json(schema), "value": value_json(value),
    })
}

/// `Converter.toConnectData(topic, headers, bytes)`.
pub fn to_connect_request(
    class: &str,
    config: &[(&str, &str)],
    is_key: bool,
    topic: &str,
    bytes: Option<&[u8]>,
) -> Json {
    json!({
        "op": "to_connect", "class": class, "config": config_json(config), "is_key": is_key,
        "topic": topic, "bytes": bytes_json(bytes),
    })
}

/// `HeaderConverter.fromConnectHeader(topic, key, schema, value)`.
pub fn header_from_connect_request(
    class: &str,
    config: &[(&str, &str)],
    topic: &str,
    header_key: &str,
    schema: Option<&Schema>,
    value: &Value,
) -> Json {
    json!({
        "op": "header_from_connect", "class": class, "config": config_json(config),
        "topic": topic, "header_key": header_key, "schema": opt_schema_json(schema),
        "value": value_json(value),
    })
}

/// `HeaderConverter.toConnectHeader(topic, key, bytes)`.
pub fn header_to_connect_request(
    class: &str,
    config: &[(&str, &str)],
    topic: &str,
    header_key: &str,
    bytes: Option<&[u8]>,
) -> Json {
    json!({
        "op": "header_to_connect", "class": class, "config": config_json(config),
        "topic": topic, "header_key": header_key, "bytes": bytes_json(bytes),
    })
}

/// `Transformation.apply(record)`.
pub fn apply_request(class: &str, config: &[(&str, &str)], record: &Json) -> Json {
    json!({"op": "apply", "class": class, "config": config_json(config), "record": record})
}

/// `Predicate.test(record)`.
pub fn test_request(class: &str, config: &[(&str, &str)], record: &Json) -> Json {
    json!({"op": "test", "class": class, "config": config_json(config), "record": record})
}

// ------------------------------------------------------------------------------------------
// Answers.

/// The `bytes` of a `from_connect` / `header_from_connect` answer.
pub fn answer_bytes(ok: &Json) -> Result<Option<Vec<u8>>> {
    match ok.get("bytes") {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(B64.decode(s).context("bytes")?)),
        Some(other) => bail!("bytes: {other}"),
    }
}

/// The `(schema, value)` of a `to_connect` / `header_to_connect` answer.
pub fn answer_schema_and_value(ok: &Json) -> Result<(Option<Schema>, Value)> {
    let schema = opt_schema_from_json(ok.get("schema").unwrap_or(&Json::Null))?;
    let value = value_from_json(ok.get("value").unwrap_or(&Json::Null))?;
    Ok((schema, value))
}

/// The `result` of a `test` answer.
pub fn answer_bool(ok: &Json) -> Result<bool> {
    ok.get("result")
        .and_then(Json::as_bool)
        .ok_or_else(|| anyhow!("no boolean result in {ok}"))
}

/// The `record` of an `apply` answer (`None`: the record was dropped), as JSON: compare it
/// with [`source_record_json`] / [`sink_record_json`] of Tributary's result.
pub fn answer_record(ok: &Json) -> Option<&Json> {
    ok.get("record").filter(|r| !r.is_null())
}

// ------------------------------------------------------------------------------------------
// Schemas.

fn opt_schema_json(schema: Option<&Schema>) -> Json {
    schema.map_or(Json::Null, schema_json)
}

/// A schema in the protocol's form.
pub fn schema_json(schema: &Schema) -> Json {
    let mut m = Map::new();
    m.insert(
        "type".into(),
        json!(schema.schema_type().name().to_ascii_uppercase()),
    );
    m.insert("optional".into(), json!(schema.is_optional()));
    m.insert("name".into(), json!(schema.name()));
    m.insert("version".into(), json!(schema.version()));
    m.insert("doc".into(), json!(schema.doc()));
    m.insert(
        "parameters".into(),
        schema.parameters().map_or(Json::Null, |p| {
            Json::Object(
                p.iter()
                    .map(|(k, v)| (k.clone(), Json::String(v.clone())))
                    .collect(),
            )
        }),
    );
    if let Some(default) = schema.default_value() {
        m.insert("default".into(), value_json(default));
    }
    match schema.schema_type() {
        SchemaType::Struct => {
            let fields = schema
                .fields()
                .map(|fs| {
                    fs.iter()
                        .map(|f| json!({"name": f.name(), "schema": schema_json(f.schema())}))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            m.insert("fields".into(), Json::Array(fields));
        }
        SchemaType::Map => {
            if let Ok(k) = schema.key_schema() {
                m.insert("key".into(), schema_json(k));
            }
            if let Ok(v) = schema.value_schema() {
                m.insert("value".into(), schema_json(v));
            }
        }
        SchemaType::Array => {
            if let Ok(v) = schema.value_schema() {
                m.insert("value".into(), schema_json(v));
            }
        }
        _ => {}
    }
    Json::Object(m)
}

fn opt_schema_from_json(j: &Json) -> Result<Option<Schema>> {
    if j.is_null() {
        Ok(None)
    } else {
        schema_from_json(j).map(Some)
    }
}

/// A schema from the protocol's form.
pub fn schema_from_json(j: &Json) -> Result<Schema> {
    let type_name = j
        .get("type")
        .and_then(Json::as_str)
        .ok_or_else(|| anyhow!("schema without type: {j}"))?;
    let schema_type =
        SchemaType::from_name(type_name).ok_or_else(|| anyhow!("schema type {type_name}"))?;
    let key = opt_schema_from_json(j.get("key").unwrap_or(&Json::Null))?;
    let value = opt_schema_from_json(j.get("value").unwrap_or(&Json::Null))?;
    // A MAP or ARRAY without its key or element schema (Kafka's Values.parseString makes
    // them): Tributary's builder leaves both out when either is missing.
    let mut b = match (schema_type, key, value) {
        (SchemaType::Array, _, Some(value)) => SchemaBuilder::array(value),
        (SchemaType::Map, Some(key), Some(value)) => SchemaBuilder::map(key, value),
        (other, _, _) => SchemaBuilder::new(other),
    };
    if let Some(fields) = j.get("fields").and_then(Json::as_array) {
        for f in fields {
            let name = f
                .get("name")
                .and_then(Json::as_str)
                .ok_or_else(|| anyhow!("field without name"))?;
            let schema = schema_from_json(f.get("schema").unwrap_or(&Json::Null))?;
            b = b.field(name, schema).map_err(|e| anyhow!("{e}"))?;
        }
    }
    if j.get("optional").and_then(Json::as_bool).unwrap_or(false) {
        b = b.optional();
    }
    if let Some(name) = j.get("name").and_then(Json::as_str) {
        b = b.name(name);
    }
    if let Some(version) = j.get("version").and_then(Json::as_i64) {
        b = b.version(i32::try_from(version)?);
    }
    if let Some(doc) = j.get("doc").and_then(Json::as_str) {
        b = b.doc(doc);
    }
    if let Some(params) = j.get("parameters").and_then(Json::as_object) {
        for (k, v) in params {
            b = b.parameter(k, v.as_str().unwrap_or_default());
        }
    }
    if let Some(default) = j.get("default") {
        b = b
            .default_value(value_from_json(default)?)
            .map_err(|e| anyhow!("default: {e}"))?;
    }
    Ok(b.build())
}

// ------------------------------------------------------------------------------------------
// Values.

/// A value in the protocol's tagged form.
pub fn value_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Int8(v) => json!({"int8": v}),
        Value::Int16(v) => json!({"int16": v}),
        Value::Int32(v) => json!({"int32": v}),
        Value::Int64(v) => json!({"int64": v}),
        Value::Float32(v) => json!({"float32": if v.is_nan() && v.to_bits() != f32::NAN.to_bits() {
            format!("NaN:0x{:x}", v.to_bits())
        } else {
            java_float(f64::from(*v), v.to_string())
        }}),
        Value::Float64(v) => json!({"float64": if v.is_nan() && v.to_bits() != f64::NAN.to_bits() {
            format!("NaN:0x{:x}", v.to_bits())
        } else {
            java_float(*v, v.to_string())
        }}),
        Value::Boolean(v) => json!({"boolean": v}),
        Value::String(v) => json!({"string": v}),
        Value::Bytes(v) => json!({"bytes": B64.encode(v)}),
        Value::Array(items) => json!({"array": items.iter().map(value_json).collect::<Vec<_>>()}),
        Value::Map(entries) => json!({"map": entries
            .iter()
            .map(|(k, v)| json!([value_json(k), value_json(v)]))
            .collect::<Vec<_>>()}),
        Value::Struct(s) => json!({"struct": {
            "schema": schema_json(s.schema()),
            "values": s.iter().map(|(_, v)| value_json(v)).collect::<Vec<_>>(),
        }}),
        Value::Decimal(d) => json!({"decimal": java_big_decimal(d)}),
    }
}

/// A float as text Java's `parseFloat`/`parseDouble` read back exactly (Rust's shortest
/// representation does; only the non-finite spellings differ).
fn java_float(v: f64, text: String) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        text
    }
}

/// A decimal as `BigDecimal(String)` reads it back with the same unscaled value and scale.
fn java_big_decimal(d: &BigDecimal) -> String {
    let (digits, scale) = d.as_bigint_and_exponent();
    if scale >= 0 {
        // Plain text keeps the scale: 12.30 has scale 2.
        d.to_plain_string()
    } else {
        // A negative scale needs the exponent form: 1.2E+4 is 12 with scale -3.
        format!("{digits}E+{}", -scale)
    }
}

/// A value from the protocol's tagged form.
pub fn value_from_json(j: &Json) -> Result<Value> {
    if j.is_null() {
        return Ok(Value::Null);
    }
    let obj = j
        .as_object()
        .filter(|o| o.len() == 1)
        .ok_or_else(|| anyhow!("not a tagged value: {j}"))?;
    let Some((tag, v)) = obj.iter().next() else {
        bail!("empty tagged value");
    };
    let int = |v: &Json| v.as_i64().ok_or_else(|| anyhow!("{tag}: {v}"));
    Ok(match tag.as_str() {
        "int8" => Value::Int8(i8::try_from(int(v)?)?),
        "int16" => Value::Int16(i16::try_from(int(v)?)?),
        "int32" => Value::Int32(i32::try_from(int(v)?)?),
        "int64" => Value::Int64(int(v)?),
        "float32" => Value::Float32(match nan_bits(v)? {
            Some(bits) => f32::from_bits(u32::try_from(bits)?),
            None => parse_java_float(v)? as f32,
        }),
        "float64" => Value::Float64(match nan_bits(v)? {
            Some(bits) => f64::from_bits(bits),
            None => parse_java_float(v)?,
        }),
        "boolean" => Value::Boolean(v.as_bool().ok_or_else(|| anyhow!("boolean: {v}"))?),
        "string" => Value::String(v.as_str().ok_or_else(|| anyhow!("string: {v}"))?.to_owned()),
        "bytes" => Value::Bytes(B64.decode(v.as_str().ok_or_else(|| anyhow!("bytes: {v}"))?)?),
        "array" => Value::Array(
            v.as_array()
                .ok_or_else(|| anyhow!("array: {v}"))?
                .iter()
                .map(value_from_json)
                .collect::<Result<_>>()?,
        ),
        "map" => Value::Map(
            v.as_array()
                .ok_or_else(|| anyhow!("map: {v}"))?
                .iter()
                .map(|e| match e.as_array().map(Vec::as_slice) {
                    Some([k, v]) => Ok((value_from_json(k)?, value_from_json(v)?)),
                    _ => bail!("map entry: {e}"),
                })
                .collect::<Result<_>>()?,
        ),
        "struct" => {
            let schema =
                schema_from_json(v.get("schema").ok_or_else(|| anyhow!("struct schema"))?)?;
            let values = v
                .get("values")
                .and_then(Json::as_array)
                .ok_or_else(|| anyhow!("struct values"))?;
            let mut s = Struct::new(schema.clone()).map_err(|e| anyhow!("{e}"))?;
            let fields = schema.fields().map_err(|e| anyhow!("{e}"))?;
            if fields.len() != values.len() {
                bail!("{} values for {} fields", values.len(), fields.len());
            }
            for (field, value) in fields.iter().zip(values) {
                let value = value_from_json(value)?;
                if !value.is_null() {
                    s.put(field.name(), value).map_err(|e| anyhow!("{e}"))?;
                }
            }
            Value::Struct(s)
        }
        "decimal" => Value::Decimal(
            BigDecimal::from_str(v.as_str().ok_or_else(|| anyhow!("decimal: {v}"))?)
                .map_err(|e| anyhow!("decimal {v}: {e}"))?,
        ),
        "date_object" => bail!(
            "Kafka answered a java.util.Date without a logical schema ({v} ms), which Tributary's \
             Value cannot hold"
        ),
        other => bail!("unknown value tag {other}"),
    })
}

/// The raw bits of a `"NaN:0x..."` (a NaN with a payload).
fn nan_bits(v: &Json) -> Result<Option<u64>> {
    match v.as_str().and_then(|t| t.strip_prefix("NaN:0x")) {
        Some(hex) => Ok(Some(u64::from_str_radix(hex, 16)?)),
        None => Ok(None),
    }
}

fn parse_java_float(v: &Json) -> Result<f64> {
    let text = v.as_str().ok_or_else(|| anyhow!("float: {v}"))?;
    Ok(match text {
        "NaN" => f64::NAN,
        "Infinity" => f64::INFINITY,
        "-Infinity" => f64::NEG_INFINITY,
        t => t.parse().map_err(|e| anyhow!("float {t}: {e}"))?,
    })
}

// ------------------------------------------------------------------------------------------
// Records.

fn headers_json(headers: &Headers) -> Json {
    Json::Array(
        headers
            .iter()
            .map(|h| {
                json!({"key": h.key, "schema": opt_schema_json(h.schema.as_ref()), "value": value_json(&h.value)})
            })
            .collect(),
    )
}

fn headers_from_json(j: Option<&Json>) -> Result<Headers> {
    let Some(items) = j.and_then(Json::as_array) else {
        return Ok(Headers::new());
    };
    items
        .iter()
        .map(|h| {
            Ok(Header {
                key: h
                    .get("key")
                    .and_then(Json::as_str)
                    .ok_or_else(|| anyhow!("header key"))?
                    .to_owned(),
                schema: opt_schema_from_json(h.get("schema").unwrap_or(&Json::Null))?,
                value: value_from_json(h.get("value").unwrap_or(&Json::Null))?,
            })
        })
        .collect()
}

fn record_common_json<R: ConnectRecord>(kind: &str, r: &R) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("kind".into(), json!(kind));
    m.insert("topic".into(), json!(r.topic()));
    m.insert("partition".into(), json!(r.kafka_partition()));
    m.insert("key_schema".into(), opt_schema_json(r.key_schema()));
    m.insert("key".into(), value_json(r.key()));
    m.insert("value_schema".into(), opt_schema_json(r.value_schema()));
    m.insert("value".into(), value_json(r.value()));
    m.insert("timestamp".into(), json!(r.timestamp()));
    m.insert("headers".into(), headers_json(r.headers()));
    m
}

/// A source record in the protocol's form (source partition and offset are not sent).
pub fn source_record_json(r: &SourceRecord) -> Json {
    Json::Object(record_common_json("source", r))
}

/// A sink record in the protocol's form.
pub fn sink_record_json(r: &SinkRecord) -> Json {
    let mut m = record_common_json("sink", r);
    m.insert("kafka_offset".into(), json!(r.kafka_offset));
    m.insert(
        "timestamp_type".into(),
        json!(match r.timestamp_type {
            TimestampType::NoTimestampType => "NoTimestampType",
            TimestampType::CreateTime => "CreateTime",
            TimestampType::LogAppendTime => "LogAppendTime",
        }),
    );
    Json::Object(m)
}

/// A source record from the protocol's form.
pub fn source_record_from_json(j: &Json) -> Result<SourceRecord> {
    Ok(SourceRecord {
        source_partition: Map::new(),
        source_offset: Map::new(),
        topic: j
            .get("topic")
            .and_then(Json::as_str)
            .ok_or_else(|| anyhow!("record topic"))?
            .to_owned(),
        kafka_partition: j
            .get("partition")
            .and_then(Json::as_i64)
            .map(i32::try_from)
            .transpose()?,
        key_schema: opt_schema_from_json(j.get("key_schema").unwrap_or(&Json::Null))?,
        key: value_from_json(j.get("key").unwrap_or(&Json::Null))?,
        value_schema: opt_schema_from_json(j.get("value_schema").unwrap_or(&Json::Null))?,
        value: value_from_json(j.get("value").unwrap_or(&Json::Null))?,
        timestamp: j.get("timestamp").and_then(Json::as_i64),
        headers: headers_from_json(j.get("headers"))?,
    })
}

/// A sink record from the protocol's form.
pub fn sink_record_from_json(j: &Json) -> Result<SinkRecord> {
    let source = source_record_from_json(j)?;
    let partition = source.kafka_partition.unwrap_or(0);
    Ok(SinkRecord {
        original_topic: source.topic.clone(),
        original_kafka_partition: partition,
        topic: source.topic,
        kafka_partition: partition,
        kafka_offset: j.get("kafka_offset").and_then(Json::as_i64).unwrap_or(0),
        key_schema: source.key_schema,
        key: source.key,
        value_schema: source.value_schema,
        value: source.value,
        timestamp: source.timestamp,
        timestamp_type: match j.get("timestamp_type").and_then(Json::as_str) {
            Some("CreateTime") => TimestampType::CreateTime,
            Some("LogAppendTime") => TimestampType::LogAppendTime,
            _ => TimestampType::NoTimestampType,
        },
        headers: source.headers,
    })
}

// ------------------------------------------------------------------------------------------
// Comparing.

/// Whether two values are the same down to what Java can tell apart: floats bit for bit
/// (any NaN equals any NaN), decimals with their scale (`1.0` is not `1.00`), structs with
/// equal schemas and fields.
pub fn identical(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float32(x), Value::Float32(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Value::Float64(x), Value::Float64(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Value::Decimal(x), Value::Decimal(y)) => {
            x.as_bigint_and_exponent() == y.as_bigint_and_exponent()
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| identical(a, b))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| identical(ka, kb) && identical(va, vb))
        }
        (Value::Struct(x), Value::Struct(y)) => {
            x.schema() == y.schema()
                && x.iter()
                    .zip(y.iter())
                    .all(|((_, a), (_, b))| identical(a, b))
        }
        _ => a == b,
    }
}

/// [`identical`], except that map entries may come in any order: Kafka's `JsonConverter`
/// reads JSON objects into a `HashMap`, which iterates in Java's hash order, not the order
/// of the text.
pub fn identical_in_any_map_order(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(a, b)| identical_in_any_map_order(a, b))
        }
        (Value::Map(x), Value::Map(y)) => {
            let mut unmatched: Vec<&(Value, Value)> = y.iter().collect();
            x.len() == y.len()
                && x.iter().all(|(ka, va)| {
                    match unmatched.iter().position(|(kb, vb)| {
                        identical_in_any_map_order(ka, kb) && identical_in_any_map_order(va, vb)
                    }) {
                        Some(found) => {
                            unmatched.swap_remove(found);
                            true
                        }
                        None => false,
                    }
                })
        }
        (Value::Struct(x), Value::Struct(y)) => {
            schemas_identical(x.schema(), y.schema(), true)
                && x.iter()
                    .zip(y.iter())
                    .all(|((_, a), (_, b))| identical_in_any_map_order(a, b))
        }
        _ => identical(a, b),
    }
}

/// Whether two schemas are equal, their default values compared with [`identical`] (or
/// [`identical_in_any_map_order`]: Kafka reads a map default into a `HashMap` too).
pub fn schemas_identical(a: &Schema, b: &Schema, any_map_order: bool) -> bool {
    let same_value = |x: &Value, y: &Value| {
        if any_map_order {
            identical_in_any_map_order(x, y)
        } else {
            identical(x, y)
        }
    };
    let same_child = |x: Result<&Schema, _>, y: Result<&Schema, _>| match (x, y) {
        (Ok(x), Ok(y)) => schemas_identical(x, y, any_map_order),
        (Err(_), Err(_)) => true,
        _ => false,
    };
    a.schema_type() == b.schema_type()
        && a.is_optional() == b.is_optional()
        && a.name() == b.name()
        && a.version() == b.version()
        && a.doc() == b.doc()
        && a.parameters() == b.parameters()
        && match (a.default_value(), b.default_value()) {
            (Some(x), Some(y)) => same_value(x, y),
            (None, None) => true,
            _ => false,
        }
        && match a.schema_type() {
            SchemaType::Struct => match (a.fields(), b.fields()) {
                (Ok(x), Ok(y)) => {
                    x.len() == y.len()
                        && x.iter().zip(y).all(|(f, g)| {
                            f.name() == g.name()
                                && schemas_identical(f.schema(), g.schema(), any_map_order)
                        })
                }
                _ => false,
            },
            SchemaType::Map => {
                same_child(a.key_schema(), b.key_schema())
                    && same_child(a.value_schema(), b.value_schema())
            }
            SchemaType::Array => same_child(a.value_schema(), b.value_schema()),
            _ => true,
        }
}

/// [`identical`] for optional schemas and values: the schemas equal, the values identical.
pub fn identical_schema_and_value(
    a: (Option<&Schema>, &Value),
    b: (Option<&Schema>, &Value),
) -> bool {
    a.0 == b.0 && identical(a.1, b.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(value: &Value) -> Value {
        value_from_json(&value_json(value)).expect("decodes")
    }

    #[test]
    fn values_survive_the_encoding() {
        let schema = SchemaBuilder::struct_()
            .name("r")
            .field("a", Schema::optional_int32())
            .and_then(|b| b.field("b", Schema::string()))
            .map(SchemaBuilder::build)
            .expect("schema");
        let mut s = Struct::new(schema).expect("struct");
        s.put("b", "x").expect("put");
        let values = [
            Value::Null,
            Value::Int8(-128),
            Value::Int64(i64::MIN),
            Value::Float32(f32::NAN),
            Value::Float32(1.0e-45),
            Value::Float64(f64::NEG_INFINITY),
            Value::Float64(0.1),
            Value::Bytes(vec![0, 255]),
            Value::Map(vec![(
                Value::Int32(1),
                Value::Array(vec![Value::Boolean(true)]),
            )]),
            Value::Struct(s),
            Value::Decimal(BigDecimal::from_str("12.30").expect("decimal")),
            Value::Decimal(BigDecimal::from_str("1.2E+4").expect("decimal")),
            Value::Decimal(BigDecimal::from_str("-0.000").expect("decimal")),
        ];
        for v in values {
            assert!(identical(&roundtrip(&v), &v), "{v:?}");
        }
    }

    #[test]
    fn lone_surrogates_in_answers_become_replacement_characters() {
        let answer = parse_answer(
            r#"{"error":{"class":"X","message":"a \uD83D b \uD83D\uDE00 c \\uD83D \uDC00","causes":[]}}"#,
        )
        .expect("parses");
        let err = answer.expect_err("an error answer");
        assert_eq!(err.message(), "a \u{FFFD} b 😀 c \\uD83D \u{FFFD}");
    }

    #[test]
    fn map_order_can_be_ignored() {
        let a = Value::Map(vec![
            (Value::from("x"), Value::from(1)),
            (Value::from("y"), Value::from(2)),
        ]);
        let b = Value::Map(vec![
            (Value::from("y"), Value::from(2)),
            (Value::from("x"), Value::from(1)),
        ]);
        assert!(!identical(&a, &b));
        assert!(identical_in_any_map_order(&a, &b));
        let c = Value::Map(vec![
            (Value::from("y"), Value::from(2)),
            (Value::from("x"), Value::from(3)),
        ]);
        assert!(!identical_in_any_map_order(&a, &c));
    }

    #[test]
    fn identical_tells_scale_and_bits_apart() {
        let d = |s: &str| Value::Decimal(BigDecimal::from_str(s).expect("decimal"));
        assert!(!identical(&d("1.0"), &d("1.00")));
        assert!(identical(&d("1.0"), &d("1.0")));
        assert!(!identical(&Value::Float64(0.0), &Value::Float64(-0.0)));
        assert!(!identical(&Value::Int32(1), &Value::Int64(1)));
    }

    #[test]
    fn decimals_are_written_as_java_reads_them() {
        let text = |s: &str| java_big_decimal(&BigDecimal::from_str(s).expect("decimal"));
        assert_eq!(text("12.30"), "12.30");
        assert_eq!(text("1.2E+4"), "12E+3");
        assert_eq!(text("-5"), "-5");
    }
}

/// What a differential test found: every case that differed from Kafka, by kind.
#[derive(Debug, Default)]
pub struct Differences {
    name: String,
    compared: usize,
    deliberate: usize,
    found: Vec<(String, String)>,
}

impl Differences {
    /// A collector for the differential test `name`.
    pub fn new(name: impl Into<String>) -> Differences {
        Differences {
            name: name.into(),
            ..Differences::default()
        }
    }

    /// Counts one comparison.
    pub fn compared(&mut self) {
        self.compared += 1;
    }

    /// Counts a comparison that met a documented, deliberate difference.
    pub fn found_deliberate(&mut self) {
        self.deliberate += 1;
    }

    /// How many comparisons were made.
    pub fn count(&self) -> usize {
        self.compared
    }

    /// Records a difference of `kind` (e.g. "bytes", "error class") with its details.
    pub fn found(&mut self, kind: impl Into<String>, details: impl Into<String>) {
        self.found.push((kind.into(), details.into()));
    }

    /// The differences of one kind.
    pub fn of_kind(&self, kind: &str) -> Vec<&str> {
        self.found
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, d)| d.as_str())
            .collect()
    }

    /// Panics, listing a summary by kind and the first few of each, unless nothing
    /// differed. Also panics when fewer than `at_least` comparisons were made, so that a
    /// generator that stopped generating cannot pass.
    pub fn assert_none(&self, at_least: usize) {
        assert!(
            self.compared >= at_least,
            "{}: only {} comparisons were made (expected at least {at_least})",
            self.name,
            self.compared
        );
        if self.found.is_empty() {
            eprintln!(
                "{}: {} comparisons with Apache Kafka, no difference ({} met a documented \
                 deliberate difference)",
                self.name, self.compared, self.deliberate
            );
            return;
        }
        let mut kinds: Vec<&str> = self.found.iter().map(|(k, _)| k.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let mut report = format!(
            "{}: {} of {} comparisons differ from Apache Kafka\n",
            self.name,
            self.found.len(),
            self.compared
        );
        for kind in kinds {
            let all = self.of_kind(kind);
            report.push_str(&format!("\n== {kind}: {} ==\n", all.len()));
            for d in all.iter().take(8) {
                report.push_str(d);
                report.push_str("\n---\n");
            }
        }
        panic!("{report}");
    }
}

/// Whether two texts are the same but for the digits of floating-point numbers that denote
/// the same `f32` or `f64` (Java before 19 prints some with more digits than needed). Both
/// are split into number and non-number runs; the non-number runs must be equal.
pub fn same_text_but_float_digits(a: &[u8], b: &[u8]) -> bool {
    fn tokens(text: &str) -> Vec<(bool, &str)> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            let number = bytes[i].is_ascii_digit() || bytes[i] == b'-';
            while i < bytes.len() {
                let b = bytes[i];
                let in_number = b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'E' | b'e');
                if in_number != number {
                    break;
                }
                i += 1;
            }
            out.push((number, &text[start..i]));
        }
        out
    }
    let (Ok(a), Ok(b)) = (std::str::from_utf8(a), std::str::from_utf8(b)) else {
        return false;
    };
    let (ta, tb) = (tokens(a), tokens(b));
    ta.len() == tb.len()
        && ta.iter().zip(&tb).all(|((na, x), (nb, y))| {
            x == y
                || (*na
                    && *nb
                    && (x.parse::<f64>().ok() == y.parse::<f64>().ok() && x.parse::<f64>().is_ok()
                        || x.parse::<f32>().ok() == y.parse::<f32>().ok()
                            && x.parse::<f32>().is_ok()))
        })
}
