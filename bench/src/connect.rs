//! The same pipeline on Apache Kafka Connect and on Tributary, one after the other, against
//! the same Apache Kafka broker, next to the raw producer sending the same bytes.
//!
//! The pipeline: `FileStreamSourceConnector` over a file of N lines (one task,
//! `batch.size` set on both sides) -> `HoistField$Value` (`line`: the line, a STRING, becomes
//! the struct `{line}`) -> `InsertField$Value` (`source` = `bench`) -> `RegexRouter` (`(.*)-in`
//! to `$1-out`) -> `JsonConverter` with schemas for keys and values (FileStreamSource makes no
//! keys: every key is null) -> Kafka. `HoistField` comes first because `InsertField$Value`
//! needs a struct or a map and FileStreamSource's values are strings.
//!
//! Both workers are processes started the standalone way, `ConnectStandalone
//! worker.properties connector.properties` (JVM flags of Kafka's `connect-standalone.sh`) and
//! `tributary standalone worker.properties connector.properties`, from identical files: only
//! the REST port, the offsets file and the topic differ. The bench watches each process:
//!
//! - REST ready: `GET /` answers 200 (probed every 0.5 ms from the spawn).
//! - Connector created: `GET /connectors` lists it (probed every 2 ms once REST answers);
//!   the process's CPU time is read there, and again when the last record is in.
//! - Delivery: the routed topic's high watermark (`ListOffsets`), polled every 2 ms until the
//!   first record is in and every 10 ms after. The rate runs from the first poll that sees a
//!   record to the first that sees all N, over the records that arrived in between.
//! - Peak RSS: `VmHWM` once all N records are in.
//!
//! The raw producer (`throughput::run_raw_producer`: rdkafka with the producer settings the
//! worker forces on a source task) sends N records with null keys and the exact value bytes
//! the pipeline writes for each line (prefix + line + suffix, the template made by running a
//! line through Tributary's transformations and `JsonConverter`), timed by the same watermark
//! polling. After each run the bench reads back the first and last record of its topic and
//! checks them byte for byte against the template (so both workers wrote the same bytes as
//! each other and as the raw producer), checks the count is exactly N after the worker
//! stopped, and checks through REST that the connector and its one task ran the configured
//! transformations.

use std::io::{BufWriter, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use connect_api::source::SourceRecord;
use connect_api::{Props, Schema, Value};
use connect_runtime::plugins::PluginRegistry;
use connect_testkit::KafkaDist;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers as _, Message};
use rdkafka::{Offset, TopicPartitionList};

use crate::broker::Broker;
use crate::process::{WorkerBin, WorkerProcess, cpu_seconds, write_properties};
use crate::report::{Table, Verdict, median, mib, thousands};
use crate::throughput::{routed_topic, run_raw_producer, split_at_sentinel, through_pipeline};

/// The connector's name on both sides.
pub const CONNECTOR_NAME: &str = "bench";
/// `connect-standalone.sh`'s main class.
pub const MAIN_CLASS: &str = "org.apache.kafka.connect.cli.ConnectStandalone";
/// `connect-standalone.sh`'s JVM flags: `KAFKA_HEAP_OPTS` and kafka-run-class.sh's
/// `KAFKA_JVM_PERFORMANCE_OPTS`.
pub const JVM_OPTS: &[&str] = &[
    "-Xms256M",
    "-Xmx2G",
    "-server",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-XX:MaxInlineLevel=15",
    "-Djava.awt.headless=true",
];
/// The field `HoistField$Value` wraps the line in.
pub const LINE_FIELD: &str = "line";
/// The field and value `InsertField$Value` adds.
pub const STATIC_FIELD: &str = "source";
pub const STATIC_VALUE: &str = "bench";
/// FileStreamSource's `batch.size`, set on both sides (Kafka's and Tributary's default).
pub const DEFAULT_BATCH_SIZE: usize = 2000;

/// Targets: Tributary's records/s over Kafka Connect's, Kafka Connect's CPU per record and
/// peak RSS over Tributary's, Kafka Connect's REST start over Tributary's, and the pipeline's
/// records/s over the raw producer's.
pub const THROUGHPUT_TARGET: f64 = 5.0;
pub const CPU_TARGET: f64 = 5.0;
pub const RSS_TARGET: f64 = 10.0;
pub const REST_TARGET: f64 = 100.0;
pub const RAW_TARGET: f64 = 0.9;

/// Polling of the routed topic's high watermark before the first record is in, and after.
const POLL_BEFORE_FIRST: Duration = Duration::from_millis(2);
const POLL_AFTER_FIRST: Duration = Duration::from_millis(10);
/// How long a worker may take to answer REST, and to deliver (plus 1 ms per 100 records).
const REST_TIMEOUT: Duration = Duration::from_secs(120);
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(180);

/// What to measure.
#[derive(Clone, Debug)]
pub struct ConnectConfig {
    pub runs: usize,
    /// Lines per run (records per side).
    pub records: u64,
    /// Line lengths in bytes, without the newline.
    pub line_sizes: Vec<usize>,
    /// FileStreamSource's `batch.size`, both sides.
    pub batch_size: usize,
    /// The Tributary binary; its `extra_props` (`--worker-prop`) go into both sides'
    /// worker.properties.
    pub worker: WorkerBin,
}

/// The three sides of a round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    KafkaConnect,
    Tributary,
    RawProducer,
}

impl Side {
    /// The order of round `round`: Kafka Connect, Tributary, raw; then Tributary, raw,
    /// Kafka Connect; then raw, Kafka Connect, Tributary; and again.
    pub fn order(round: usize) -> [Side; 3] {
        let mut sides = [Side::KafkaConnect, Side::Tributary, Side::RawProducer];
        sides.rotate_left(round % 3);
        sides
    }

    pub fn name(self) -> &'static str {
        match self {
            Side::KafkaConnect => "Apache Kafka Connect",
            Side::Tributary => "Tributary",
            Side::RawProducer => "raw producer (rdkafka)",
        }
    }

    fn short(self) -> &'static str {
        match self {
            Side::KafkaConnect => "kc",
            Side::Tributary => "tb",
            Side::RawProducer => "raw",
        }
    }
}

/// One side's run.
#[derive(Clone, Debug)]
pub struct SideRun {
    pub side: Side,
    pub records: u64,
    /// Records already in the topic at the first poll that saw any.
    pub first_count: u64,
    /// From that poll to the first poll that saw all records.
    pub window_seconds: f64,
    /// Records in the topic at the first poll that saw at least half of them, and the
    /// seconds from then to all records in: the second half of the run, when a JVM has
    /// compiled more of its hot code.
    pub half_count: u64,
    pub half_window_seconds: f64,
    /// From the connector's creation (the producer's, for the raw side) to all records in.
    pub created_to_last_seconds: f64,
    /// Spawn to `GET /` answering 200 (workers only).
    pub rest_ms: Option<f64>,
    /// Spawn (producer creation for the raw side) to the first record in the topic.
    pub first_record_ms: f64,
    /// Process CPU from the connector's creation to the last record in; for the raw side,
    /// the bench process's (the producer and the watermark polling) from the producer's
    /// creation.
    pub cpu_seconds: Option<f64>,
    /// Of which from the first record in to the last.
    pub cpu_window_seconds: Option<f64>,
    /// Of which over the second half ([`SideRun::half_count`] to the last record in).
    pub cpu_half_seconds: Option<f64>,
    /// `VmHWM` once all records were in (workers only).
    pub peak_rss_kb: Option<u64>,
}

impl SideRun {
    /// Records per second between the first record in and the last one; when the first
    /// poll already saw every record (tiny runs), from the connector's creation instead.
    pub fn records_per_sec(&self) -> f64 {
        let arrived = self.records.saturating_sub(self.first_count);
        if arrived > 0 && self.window_seconds > 0.0 {
            arrived as f64 / self.window_seconds
        } else if self.created_to_last_seconds > 0.0 {
            self.records as f64 / self.created_to_last_seconds
        } else {
            0.0
        }
    }

    /// CPU seconds per million records.
    pub fn cpu_per_million(&self) -> Option<f64> {
        self.cpu_seconds
            .map(|cpu| cpu * 1_000_000.0 / self.records.max(1) as f64)
    }

    /// Records per second over the second half of the run (0 when one poll saw it all).
    pub fn second_half_records_per_sec(&self) -> f64 {
        let arrived = self.records.saturating_sub(self.half_count);
        if arrived > 0 && self.half_window_seconds > 0.0 {
            arrived as f64 / self.half_window_seconds
        } else {
            0.0
        }
    }

    /// CPU seconds per million records over the second half of the run.
    pub fn second_half_cpu_per_million(&self) -> Option<f64> {
        let arrived = self.records.saturating_sub(self.half_count);
        (arrived > 0)
            .then_some(self.cpu_half_seconds?)
            .map(|cpu| cpu * 1_000_000.0 / arrived as f64)
    }
}

/// One round: each side once, back to back.
#[derive(Clone, Debug)]
pub struct Round {
    pub kafka_connect: SideRun,
    pub tributary: SideRun,
    pub raw: SideRun,
}

impl Round {
    fn side(&self, side: Side) -> &SideRun {
        match side {
            Side::KafkaConnect => &self.kafka_connect,
            Side::Tributary => &self.tributary,
            Side::RawProducer => &self.raw,
        }
    }
}

/// The rounds of one line length.
#[derive(Clone, Debug)]
pub struct LineResult {
    pub line_bytes: usize,
    /// Value bytes of a record (the JSON envelope with the line).
    pub value_bytes: usize,
    pub rounds: Vec<Round>,
    /// One record's value as both workers wrote it (the first line).
    pub sample_value: String,
}

impl LineResult {
    /// Median over the rounds of `f(side run)`.
    pub fn median_of(&self, side: Side, f: impl Fn(&SideRun) -> Option<f64>) -> Option<f64> {
        let values: Vec<f64> = self.rounds.iter().filter_map(|r| f(r.side(side))).collect();
        (!values.is_empty()).then(|| median(&values))
    }

    /// Median over the rounds of `f(round)` (per-round ratios: both sides measured back to
    /// back).
    pub fn median_ratio(&self, f: impl Fn(&Round) -> Option<f64>) -> f64 {
        median(&self.rounds.iter().filter_map(f).collect::<Vec<_>>())
    }

    pub fn throughput_ratio(&self) -> f64 {
        self.median_ratio(|r| {
            ratio(
                r.tributary.records_per_sec(),
                r.kafka_connect.records_per_sec(),
            )
        })
    }

    pub fn cpu_ratio(&self) -> f64 {
        self.median_ratio(|r| {
            ratio(
                r.kafka_connect.cpu_per_million()?,
                r.tributary.cpu_per_million()?,
            )
        })
    }

    pub fn rss_ratio(&self) -> f64 {
        self.median_ratio(|r| {
            ratio(
                r.kafka_connect.peak_rss_kb? as f64,
                r.tributary.peak_rss_kb? as f64,
            )
        })
    }

    pub fn raw_ratio(&self) -> f64 {
        self.median_ratio(|r| ratio(r.tributary.records_per_sec(), r.raw.records_per_sec()))
    }
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (a.is_finite() && b.is_finite() && b > 0.0).then(|| a / b)
}

/// Everything the scenario measured.
#[derive(Clone, Debug, Default)]
pub struct ConnectResults {
    pub lines: Vec<LineResult>,
    /// `GET /` of the last Kafka Connect and Tributary workers (version, commit).
    pub kafka_connect_root: String,
    pub tributary_root: String,
    /// `java -version`'s first line.
    pub java: String,
    pub kafka_version: String,
    /// Load average before and after.
    pub load_before: String,
    pub load_after: String,
}

impl ConnectResults {
    /// Median over every round of every line length of Kafka Connect's REST start over
    /// Tributary's.
    pub fn rest_ratio(&self) -> f64 {
        let ratios: Vec<f64> = self
            .lines
            .iter()
            .flat_map(|l| &l.rounds)
            .filter_map(|r| ratio(r.kafka_connect.rest_ms?, r.tributary.rest_ms?))
            .collect();
        median(&ratios)
    }

    pub fn rest_ms(&self, side: Side) -> f64 {
        let values: Vec<f64> = self
            .lines
            .iter()
            .flat_map(|l| &l.rounds)
            .filter_map(|r| r.side(side).rest_ms)
            .collect();
        median(&values)
    }
}

/// Line `seq` of the input: its number, then a repeating alphabet, `len` bytes (no JSON
/// escaping needed), into `out` (cleared).
pub fn line_into(seq: u64, len: usize, out: &mut Vec<u8>) {
    const FILL: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    out.clear();
    let _ = write!(out, "{seq:012}-");
    let mut i = 0;
    while out.len() < len {
        out.push(FILL[i % FILL.len()]);
        i += 1;
    }
    out.truncate(len);
}

/// Writes `records` lines of `len` bytes (plus `\n`) to `path`.
pub fn write_lines(path: &Path, records: u64, len: usize) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut line = Vec::with_capacity(len + 1);
    for seq in 0..records {
        line_into(seq, len, &mut line);
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()?;
    Ok(())
}

/// The worker.properties of both sides (Kafka's `connect-standalone.properties` with JSON
/// converters, plus the REST listener), then `extra`.
pub fn worker_properties(
    bootstrap: &str,
    port: u16,
    offsets_file: &Path,
    plugin_path: &Path,
    extra: &[(String, String)],
) -> Vec<(String, String)> {
    let mut props: Vec<(String, String)> = [
        ("bootstrap.servers", bootstrap.to_string()),
        (
            "key.converter",
            "org.apache.kafka.connect.json.JsonConverter".into(),
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter".into(),
        ),
        ("key.converter.schemas.enable", "true".into()),
        ("value.converter.schemas.enable", "true".into()),
        (
            "offset.storage.file.filename",
            offsets_file.display().to_string(),
        ),
        ("offset.flush.interval.ms", "10000".into()),
        ("plugin.path", plugin_path.display().to_string()),
        ("listeners", format!("http://127.0.0.1:{port}")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (key, value) in extra {
        props.retain(|(k, _)| k != key);
        props.push((key.clone(), value.clone()));
    }
    props
}

/// The connector.properties of both sides.
pub fn connector_properties(
    file: &Path,
    in_topic: &str,
    batch_size: usize,
) -> Vec<(String, String)> {
    [
        ("name", CONNECTOR_NAME.to_string()),
        (
            "connector.class",
            "org.apache.kafka.connect.file.FileStreamSourceConnector".into(),
        ),
        ("tasks.max", "1".into()),
        ("file", file.display().to_string()),
        ("topic", in_topic.to_string()),
        ("batch.size", batch_size.to_string()),
        ("transforms", "hoist,insert,route".into()),
        (
            "transforms.hoist.type",
            "org.apache.kafka.connect.transforms.HoistField$Value".into(),
        ),
        ("transforms.hoist.field", LINE_FIELD.into()),
        (
            "transforms.insert.type",
            "org.apache.kafka.connect.transforms.InsertField$Value".into(),
        ),
        ("transforms.insert.static.field", STATIC_FIELD.into()),
        ("transforms.insert.static.value", STATIC_VALUE.into()),
        (
            "transforms.route.type",
            "org.apache.kafka.connect.transforms.RegexRouter".into(),
        ),
        ("transforms.route.regex", "(.*)-in".into()),
        ("transforms.route.replacement", "$1-out".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// The value bytes the pipeline writes for a line: `prefix line suffix`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineTemplate {
    /// The routed topic.
    pub topic: String,
    pub prefix: Vec<u8>,
    pub suffix: Vec<u8>,
}

impl LineTemplate {
    /// Runs a line through the connector's transformations (Tributary's) and
    /// `JsonConverter` with schemas, and checks the result is what the pipeline claims:
    /// a null key, `{line, source}` with the line and `bench`, routed to `-out`.
    pub fn of_pipeline(in_topic: &str) -> Result<LineTemplate> {
        const SENTINEL: &str = "TributaryBenchSentinelLine";
        let mut registry = PluginRegistry::with_default_converters();
        registry.register(connect_transforms::plugins());
        let props: Props = connector_properties(Path::new("/dev/null"), in_topic, 1)
            .into_iter()
            .collect();
        let chain = connect_runtime::transforms::build_chain::<SourceRecord>(&registry, &props)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let record = SourceRecord::new(
            Default::default(),
            Default::default(),
            in_topic,
            Some(Schema::string()),
            Value::String(SENTINEL.to_string()),
        );
        let (transformed, key, bytes) = through_pipeline(&chain, record)?;
        if key.is_some() {
            bail!("the pipeline writes a key: {key:?}");
        }
        let json: serde_json::Value = serde_json::from_slice(&bytes)?;
        let expected_schema = serde_json::json!({
            "type": "struct",
            "fields": [
                {"type": "string", "optional": false, "field": LINE_FIELD},
                {"type": "string", "optional": true, "field": STATIC_FIELD},
            ],
            "optional": false,
        });
        if json["schema"] != expected_schema
            || json["payload"][LINE_FIELD] != SENTINEL
            || json["payload"][STATIC_FIELD] != STATIC_VALUE
        {
            bail!("the pipeline's JSON is not the hoisted line with the inserted field: {json}");
        }
        if transformed.topic != routed_topic(in_topic) {
            bail!("RegexRouter sent {in_topic} to {}", transformed.topic);
        }
        let (prefix, suffix) = split_at_sentinel(bytes, SENTINEL)?;
        Ok(LineTemplate {
            topic: transformed.topic,
            prefix,
            suffix,
        })
    }

    /// The value bytes of line `seq` of `len` bytes, into `out`.
    pub fn value_into(&self, seq: u64, len: usize, line: &mut Vec<u8>, out: &mut Vec<u8>) {
        line_into(seq, len, line);
        out.clear();
        out.extend_from_slice(&self.prefix);
        out.extend_from_slice(line);
        out.extend_from_slice(&self.suffix);
    }

    pub fn value(&self, seq: u64, len: usize) -> Vec<u8> {
        let mut out = Vec::new();
        self.value_into(seq, len, &mut Vec::new(), &mut out);
        out
    }
}

/// A consumer for high watermarks and single records (no group is joined).
fn consumer(broker: &Broker) -> Result<BaseConsumer> {
    Ok(broker
        .client_config()
        .set(
            "group.id",
            format!("bench-connect-{}", connect_testkit::unique_suffix()),
        )
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("allow.auto.create.topics", "false")
        .set("fetch.wait.max.ms", "50")
        .create()?)
}

/// The high watermark of partition 0 of `topic`.
fn high_watermark(consumer: &BaseConsumer, topic: &str) -> Result<u64> {
    let (_, high) = consumer
        .fetch_watermarks(topic, 0, Duration::from_secs(5))
        .with_context(|| format!("high watermark of {topic}"))?;
    Ok(u64::try_from(high).unwrap_or(0))
}

/// One record of partition 0 of `topic`: key, value and header count.
type Fetched = (Option<Vec<u8>>, Option<Vec<u8>>, usize);

fn read_record(broker: &Broker, topic: &str, offset: u64) -> Result<Fetched> {
    let consumer = consumer(broker)?;
    let mut assignment = TopicPartitionList::new();
    assignment.add_partition_offset(topic, 0, Offset::Offset(offset as i64))?;
    consumer.assign(&assignment)?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(m)) if m.offset() == offset as i64 => {
                return Ok((
                    m.key().map(<[u8]>::to_vec),
                    m.payload().map(<[u8]>::to_vec),
                    m.headers().map_or(0, |h| h.count()),
                ));
            }
            Some(Ok(_)) | None => {}
            Some(Err(e)) => return Err(e).with_context(|| format!("reading {topic}")),
        }
    }
    bail!("offset {offset} of {topic} not read within 30 s")
}

/// Checks the topic of a finished run: exactly `records` records, and its first and last
/// are the template's bytes for their lines, with null keys and no headers. Returns the
/// first record's value.
fn verify_topic(
    broker: &Broker,
    topic: &str,
    records: u64,
    line_len: usize,
    template: &LineTemplate,
    side: Side,
) -> Result<Vec<u8>> {
    let count = high_watermark(&consumer(broker)?, topic)?;
    if count != records {
        bail!(
            "{}: {count} records in {topic}, expected {records}",
            side.name()
        );
    }
    let mut first_value = Vec::new();
    for seq in [0, records - 1] {
        let (key, value, headers) = read_record(broker, topic, seq)?;
        let expected = template.value(seq, line_len);
        if key.is_some() || headers != 0 {
            bail!(
                "{}: record {seq} of {topic} has key {key:?} and {headers} headers; expected a \
                 null key and none",
                side.name()
            );
        }
        if value.as_deref() != Some(&expected[..]) {
            bail!(
                "{}: record {seq} of {topic} is\n{}\nexpected\n{}",
                side.name(),
                String::from_utf8_lossy(value.as_deref().unwrap_or_default()),
                String::from_utf8_lossy(&expected)
            );
        }
        if seq == 0 {
            first_value = expected;
        }
    }
    Ok(first_value)
}

/// `GET path` over a plain socket: the status and body, `None` if it did not answer.
fn http_get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    let attempt = || -> std::io::Result<(u16, String)> {
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(200))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"
        )?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response)?;
        let text = String::from_utf8_lossy(&response).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        Ok((status, body))
    };
    attempt().ok()
}

/// A moment of a run: when, the records in the topic then, the process's CPU then.
#[derive(Clone, Copy, Debug)]
struct Mark {
    at: Instant,
    count: u64,
    cpu: Option<f64>,
}

/// The routed topic's progress, poll by poll: the first poll that saw a record, the first
/// that saw half of them, the first that saw all.
struct Progress {
    records: u64,
    first: Option<Mark>,
    half: Option<Mark>,
}

impl Progress {
    fn new(records: u64) -> Progress {
        Progress {
            records,
            first: None,
            half: None,
        }
    }

    /// Records a poll that saw `count` records at `now`; `cpu` reads the CPU time when a
    /// mark is taken. Returns the last mark once every record is in.
    fn see(
        &mut self,
        count: u64,
        now: Instant,
        cpu: impl Fn() -> Result<Option<f64>>,
    ) -> Result<Option<Mark>> {
        if count == 0 {
            return Ok(None);
        }
        let needs_mark = self.first.is_none() || self.half.is_none() && count * 2 >= self.records;
        let mark = Mark {
            at: now,
            count,
            cpu: if needs_mark || count >= self.records {
                cpu()?
            } else {
                None
            },
        };
        self.first.get_or_insert(mark);
        if count * 2 >= self.records {
            self.half.get_or_insert(mark);
        }
        Ok((count >= self.records).then_some(mark))
    }

    /// How long to wait before the next poll.
    fn step(&self) -> Duration {
        if self.first.is_some() {
            POLL_AFTER_FIRST
        } else {
            POLL_BEFORE_FIRST
        }
    }
}

/// What the observer saw of a run.
#[derive(Clone, Copy, Debug)]
struct Observed {
    /// When the clock started: the spawn, or the producer's creation.
    start: Instant,
    rest: Option<Instant>,
    /// When the connector was first listed (or the producer created), with the CPU then.
    created: Mark,
    first: Mark,
    half: Mark,
    last: Mark,
    peak_rss_kb: Option<u64>,
}

impl Observed {
    fn new(
        start: Instant,
        rest: Option<Instant>,
        created: Mark,
        progress: &Progress,
        last: Mark,
        peak_rss_kb: Option<u64>,
    ) -> Result<Observed> {
        let first = progress.first.context("no first record")?;
        Ok(Observed {
            start,
            rest,
            created,
            first,
            half: progress.half.unwrap_or(first),
            last,
            peak_rss_kb,
        })
    }

    fn side_run(&self, side: Side, records: u64) -> SideRun {
        let ms = |t: Instant| (t - self.start).as_secs_f64() * 1000.0;
        let cpu = |from: Mark| from.cpu.zip(self.last.cpu).map(|(a, b)| b - a);
        SideRun {
            side,
            records,
            first_count: self.first.count,
            window_seconds: (self.last.at - self.first.at).as_secs_f64(),
            half_count: self.half.count,
            half_window_seconds: (self.last.at - self.half.at).as_secs_f64(),
            created_to_last_seconds: (self.last.at - self.created.at).as_secs_f64(),
            rest_ms: self.rest.map(ms),
            first_record_ms: ms(self.first.at),
            cpu_seconds: cpu(self.created),
            cpu_window_seconds: cpu(self.first),
            cpu_half_seconds: cpu(self.half),
            peak_rss_kb: self.peak_rss_kb,
        }
    }
}

/// Watches a worker process from its spawn until `records` records are in `topic`.
fn observe_worker(
    worker: &mut WorkerProcess,
    watermarks: &BaseConsumer,
    topic: &str,
    records: u64,
) -> Result<Observed> {
    let start = worker.spawned_at;
    let rest = worker.wait_rest(REST_TIMEOUT, Duration::from_micros(500))?;
    let deadline = Instant::now() + DELIVERY_TIMEOUT + Duration::from_millis(records / 100);
    let mut created: Option<Mark> = None;
    let mut progress = Progress::new(records);
    loop {
        if created.is_none()
            && let Some((200, body)) = http_get(worker.rest, "/connectors")
            && body.contains(&format!("\"{CONNECTOR_NAME}\""))
        {
            created = Some(Mark {
                at: Instant::now(),
                count: 0,
                cpu: Some(worker.cpu_seconds()?),
            });
        }
        let count = high_watermark(watermarks, topic)?;
        let now = Instant::now();
        let last = progress.see(count, now, || worker.cpu_seconds().map(Some))?;
        if created.is_none() {
            // Delivering before GET /connectors listed the connector: it exists.
            created = progress.first;
        }
        if let Some(last) = last {
            let peak = worker.rss()?.peak_kb;
            let created = created.context("no creation time")?;
            return Observed::new(start, Some(rest), created, &progress, last, Some(peak));
        }
        worker.ensure_alive()?;
        if Instant::now() > deadline {
            bail!(
                "{count} of {records} records in {topic} after {:?}; log:\n{}",
                Instant::now() - start,
                worker.log_tail(16 * 1024)
            );
        }
        std::thread::sleep(progress.step());
    }
}

/// What a round's sides share.
struct Setup<'a> {
    broker: &'a Broker,
    dist: &'a KafkaDist,
    config: &'a ConnectConfig,
    root: &'a Path,
    input: &'a Path,
    line_len: usize,
    template: &'a LineTemplate,
}

/// The topics of one side's run.
struct Topics {
    input: String,
    output: String,
}

impl Topics {
    fn new(base: &str, line_len: usize, round: usize, side: Side) -> Topics {
        let input = format!("{base}-{line_len}b-r{round}-{}-in", side.short());
        Topics {
            output: routed_topic(&input),
            input,
        }
    }
}

/// One worker side: writes its files, spawns it, watches it deliver, checks what it wrote
/// and ran, stops it. Returns the run, the first record's value and `GET /`.
fn run_worker(
    setup: &Setup<'_>,
    side: Side,
    round: usize,
    topics: &Topics,
) -> Result<(SideRun, Vec<u8>, String)> {
    let dir = setup
        .root
        .join(format!("{}b-r{round}-{}", setup.line_len, side.short()));
    std::fs::create_dir_all(&dir)?;
    let port = connect_testkit::free_port()?;
    let offsets_file = dir.join("connect.offsets");
    let worker_file = dir.join("worker.properties");
    let connector_file = dir.join("connector.properties");
    write_properties(
        &worker_file,
        &worker_properties(
            setup.broker.bootstrap(),
            port,
            &offsets_file,
            &plugin_path(setup.dist),
            &setup.config.worker.extra_props,
        ),
    )?;
    write_properties(
        &connector_file,
        &connector_properties(setup.input, &topics.input, setup.config.batch_size),
    )?;
    let mut command = match side {
        Side::KafkaConnect => setup.dist.java_command(JVM_OPTS, &[], MAIN_CLASS),
        Side::Tributary => {
            let mut c = setup.config.worker.command();
            c.arg("standalone").env("RUST_LOG", "info");
            c
        }
        Side::RawProducer => bail!("the raw producer is not a worker"),
    };
    command
        .arg(&worker_file)
        .arg(&connector_file)
        .current_dir(&dir);
    let watermarks = consumer(setup.broker)?;
    // Metadata of the topic before the clock starts.
    high_watermark(&watermarks, &topics.output)?;
    let rest = SocketAddr::from(([127, 0, 0, 1], port));
    let mut worker = WorkerProcess::spawn_command(command, &dir, rest, offsets_file)?;
    let records = setup.config.records;
    let observed = observe_worker(&mut worker, &watermarks, &topics.output, records)
        .with_context(|| format!("{} delivering {records} lines", side.name()))?;
    check_connector(&worker, side)?;
    tracing::debug!(
        side = side.name(),
        log_bytes = worker.log_text().len(),
        "worker log"
    );
    let root = worker
        .get_json("/")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    worker.terminate()?;
    let value = verify_topic(
        setup.broker,
        &topics.output,
        records,
        setup.line_len,
        setup.template,
        side,
    )?;
    Ok((observed.side_run(side, records), value, root))
}

/// The connector and its one task are RUNNING with the configured transformations.
fn check_connector(worker: &WorkerProcess, side: Side) -> Result<()> {
    let (status, body) = worker.get_json(&format!("/connectors/{CONNECTOR_NAME}/status"))?;
    let tasks = body["tasks"].as_array().cloned().unwrap_or_default();
    if status != 200
        || body["connector"]["state"] != "RUNNING"
        || body["type"] != "source"
        || tasks.len() != 1
        || tasks[0]["state"] != "RUNNING"
    {
        bail!("{}: connector status {status} {body}", side.name());
    }
    let (status, config) = worker.get_json(&format!("/connectors/{CONNECTOR_NAME}/config"))?;
    let expected: Props = connector_properties(Path::new("-"), "-", 0)
        .into_iter()
        .filter(|(k, _)| k.starts_with("transforms") || k == "connector.class")
        .collect();
    for (key, value) in &expected {
        if status != 200 || config[key] != value.as_str() {
            bail!("{}: connector config {status} {config}", side.name());
        }
    }
    Ok(())
}

/// Kafka Connect's `plugin.path`: the installation's `plugins/connect-file` (the file
/// connectors, which Kafka's distribution keeps off the worker's classpath).
pub fn plugin_path(dist: &KafkaDist) -> PathBuf {
    dist.plugins_dir().join("connect-file")
}

/// The raw producer: the pipeline's bytes for every line, watched like the workers.
fn run_raw(setup: &Setup<'_>, topics: &Topics) -> Result<SideRun> {
    let records = setup.config.records;
    let watermarks = consumer(setup.broker)?;
    high_watermark(&watermarks, &topics.output)?;
    let line_len = setup.line_len;
    let template = setup.template;
    let bench = std::process::id();
    std::thread::scope(|scope| -> Result<SideRun> {
        let cpu_start = cpu_seconds(bench)?;
        let start = Instant::now();
        let producer = scope.spawn(|| {
            let mut line = Vec::with_capacity(line_len);
            run_raw_producer(setup.broker, &topics.output, records, |seq, _key, value| {
                template.value_into(seq, line_len, &mut line, value);
                false
            })
        });
        let deadline = start + DELIVERY_TIMEOUT + Duration::from_millis(records / 100);
        let created = Mark {
            at: start,
            count: 0,
            cpu: Some(cpu_start),
        };
        let mut progress = Progress::new(records);
        let observed = loop {
            let count = high_watermark(&watermarks, &topics.output)?;
            let now = Instant::now();
            if let Some(last) = progress.see(count, now, || cpu_seconds(bench).map(Some))? {
                break Observed::new(start, None, created, &progress, last, None)?;
            }
            if producer.is_finished() {
                // It failed, or acknowledged everything: look once more, then report.
                let count = high_watermark(&watermarks, &topics.output)?;
                if count < records {
                    let outcome = producer
                        .join()
                        .map_err(|_| anyhow::anyhow!("the raw producer panicked"))?;
                    outcome?;
                    bail!("the raw producer was acknowledged but {count} of {records} are in");
                }
                continue;
            }
            if now > deadline {
                bail!(
                    "the raw producer: {count} of {records} records in after {:?}",
                    now - start
                );
            }
            std::thread::sleep(progress.step());
        };
        let acked = producer
            .join()
            .map_err(|_| anyhow::anyhow!("the raw producer panicked"))??;
        tracing::debug!(
            acked_rps = acked.records_per_sec(),
            "raw producer, by acknowledgements"
        );
        verify_topic(
            setup.broker,
            &topics.output,
            records,
            line_len,
            template,
            Side::RawProducer,
        )?;
        Ok(observed.side_run(Side::RawProducer, records))
    })
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `java -version`'s first line.
fn java_version(dist: &KafkaDist) -> String {
    Command::new(dist.java())
        .arg("-version")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .next()
                .map(str::to_string)
        })
        .unwrap_or_else(|| "java: unknown version".into())
}

/// Every round of every line length on one broker (needs a multi-threaded runtime: the
/// measurements block).
pub async fn run(config: &ConnectConfig) -> Result<ConnectResults> {
    if config.records < 2 {
        bail!("the connect scenario needs at least 2 records");
    }
    if let Some(short) = config.line_sizes.iter().find(|&&l| l < 16) {
        bail!("lines of {short} bytes: the connect scenario needs at least 16");
    }
    let dist = KafkaDist::locate()?;
    let load_before = load_average();
    let broker = tokio::task::block_in_place(Broker::start)?;
    let base = format!("connect-{}", connect_testkit::unique_suffix());
    let mut all_topics = Vec::new();
    for &line_len in &config.line_sizes {
        for round in 0..config.runs {
            for side in Side::order(0) {
                all_topics.push(Topics::new(&base, line_len, round, side).output);
            }
        }
    }
    broker.create_topics(&all_topics, 1).await?;
    tokio::task::block_in_place(|| run_rounds(config, &dist, &broker, &base, load_before))
}

fn run_rounds(
    config: &ConnectConfig,
    dist: &KafkaDist,
    broker: &Broker,
    base: &str,
    load_before: String,
) -> Result<ConnectResults> {
    let mut results = ConnectResults {
        java: java_version(dist),
        kafka_version: dist.version().to_string(),
        load_before,
        ..ConnectResults::default()
    };
    let root = tempfile::Builder::new()
        .prefix("bench-connect-")
        .tempdir()?;
    for &line_len in &config.line_sizes {
        let input = root.path().join(format!("lines-{line_len}.txt"));
        write_lines(&input, config.records, line_len)?;
        let template =
            LineTemplate::of_pipeline(&Topics::new(base, line_len, 0, Side::Tributary).input)?;
        let setup = Setup {
            broker,
            dist,
            config,
            root: root.path(),
            input: &input,
            line_len,
            template: &template,
        };
        let mut rounds = Vec::new();
        let mut sample_value = Vec::new();
        for round in 0..config.runs {
            let mut kafka_connect = None;
            let mut tributary = None;
            let mut raw = None;
            for side in Side::order(round) {
                let topics = Topics::new(base, line_len, round, side);
                let context = || format!("{}, {line_len}-byte lines, run {round}", side.name());
                let run = match side {
                    Side::RawProducer => run_raw(&setup, &topics).with_context(context)?,
                    _ => {
                        let (run, value, root) =
                            run_worker(&setup, side, round, &topics).with_context(context)?;
                        if !sample_value.is_empty() && value != sample_value {
                            bail!("the sides wrote different bytes for the first line");
                        }
                        sample_value = value;
                        if side == Side::KafkaConnect {
                            results.kafka_connect_root = root;
                        } else {
                            results.tributary_root = root;
                        }
                        run
                    }
                };
                tracing::info!(
                    side = side.name(),
                    line_len,
                    round,
                    rps = run.records_per_sec() as u64,
                    cpu_s = run.cpu_seconds,
                    cpu_window_s = run.cpu_window_seconds,
                    rss_kb = run.peak_rss_kb,
                    rest_ms = run.rest_ms,
                    first_ms = run.first_record_ms,
                    first_count = run.first_count,
                    "connect"
                );
                // Checked: the next runs need not share the broker's page cache and disk
                // with its records.
                tokio::runtime::Handle::current()
                    .block_on(broker.delete_topics(&[&topics.output]))
                    .with_context(context)?;
                match side {
                    Side::KafkaConnect => kafka_connect = Some(run),
                    Side::Tributary => tributary = Some(run),
                    Side::RawProducer => raw = Some(run),
                }
            }
            rounds.push(Round {
                kafka_connect: kafka_connect.context("no Kafka Connect run")?,
                tributary: tributary.context("no Tributary run")?,
                raw: raw.context("no raw producer run")?,
            });
        }
        results.lines.push(LineResult {
            line_bytes: line_len,
            value_bytes: template.prefix.len() + line_len + template.suffix.len(),
            rounds,
            sample_value: String::from_utf8_lossy(&sample_value).into_owned(),
        });
        std::fs::remove_file(&input).ok();
    }
    results.load_after = load_average();
    Ok(results)
}

/// The results as a table, and the verdicts.
pub fn report(results: &ConnectResults, config: &ConnectConfig) -> (Table, Vec<Verdict>) {
    let mut table = Table::new(
        "Apache Kafka Connect vs Tributary (FileStreamSource -> HoistField + InsertField + RegexRouter -> JsonConverter -> Kafka) and the raw producer",
        &[
            "line",
            "side",
            "records/s",
            "MB/s",
            "CPU s / M records",
            "2nd half: records/s",
            "2nd half: CPU s / M",
            "peak RSS",
            "REST ready",
            "first record",
            "runs (records/s)",
        ],
    );
    let mut verdicts = Vec::new();
    let opt = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map_or_else(|| "-".to_string(), f);
    for line in &results.lines {
        for side in [Side::KafkaConnect, Side::Tributary, Side::RawProducer] {
            let rps = line.median_of(side, |r| Some(r.records_per_sec()));
            let runs: Vec<String> = line
                .rounds
                .iter()
                .map(|r| thousands(r.side(side).records_per_sec()))
                .collect();
            table.row(vec![
                format!("{} B", line.line_bytes),
                side.name().to_string(),
                opt(rps, &thousands),
                opt(rps, &|r| {
                    format!("{:.1}", r * line.value_bytes as f64 / 1e6)
                }),
                opt(line.median_of(side, SideRun::cpu_per_million), &|c| {
                    format!("{c:.2}")
                }),
                opt(
                    line.median_of(side, |r| Some(r.second_half_records_per_sec())),
                    &thousands,
                ),
                opt(
                    line.median_of(side, SideRun::second_half_cpu_per_million),
                    &|c| format!("{c:.2}"),
                ),
                opt(
                    line.median_of(side, |r| r.peak_rss_kb.map(|k| k as f64)),
                    &mib,
                ),
                opt(line.median_of(side, |r| r.rest_ms), &|m| {
                    format!("{m:.1} ms")
                }),
                opt(line.median_of(side, |r| Some(r.first_record_ms)), &|m| {
                    format!("{m:.1} ms")
                }),
                runs.join(" / "),
            ]);
        }
        let size = format!("{} B lines", line.line_bytes);
        let throughput = line.throughput_ratio();
        verdicts.push(Verdict::new(
            "connect",
            format!(
                "{size}: Tributary >= {THROUGHPUT_TARGET:.0} x Kafka Connect's records/s (1 task)"
            ),
            format!("{throughput:.2} x"),
            throughput >= THROUGHPUT_TARGET,
        ));
        let cpu = line.cpu_ratio();
        verdicts.push(Verdict::new(
            "connect",
            format!("{size}: CPU per record <= 1/{CPU_TARGET:.0} of Kafka Connect's"),
            format!("1/{cpu:.1}"),
            cpu >= CPU_TARGET,
        ));
        let rss = line.rss_ratio();
        verdicts.push(Verdict::new(
            "connect",
            format!("{size}: peak RSS <= 1/{RSS_TARGET:.0} of Kafka Connect's"),
            format!("1/{rss:.1}"),
            rss >= RSS_TARGET,
        ));
        let raw = line.raw_ratio();
        verdicts.push(Verdict::new(
            "connect",
            format!("{size}: pipeline >= {RAW_TARGET} x the raw producer"),
            format!("{raw:.2} x"),
            raw >= RAW_TARGET,
        ));
    }
    let rest = results.rest_ratio();
    verdicts.push(Verdict::new(
        "connect",
        format!("REST ready >= {REST_TARGET:.0} x sooner than Kafka Connect"),
        format!(
            "{rest:.0} x ({:.0} ms vs {:.1} ms)",
            results.rest_ms(Side::KafkaConnect),
            results.rest_ms(Side::Tributary)
        ),
        rest >= REST_TARGET,
    ));
    table.note(format!(
        "{} lines per run, {} runs per side, medians (ratios in the targets: medians of per-round \
         ratios); rounds alternate the order (Kafka Connect, Tributary, raw; then Tributary, raw, \
         Kafka Connect; ...). Broker: Apache Kafka {} (KRaft, one node, warmed up), one for the \
         whole scenario, a fresh one-partition topic per run, deleted once checked. records/s: \
         from the first poll of the routed topic's high watermark that sees a record to the \
         first that sees all (polled every 10 ms); MB/s counts value bytes ({}). CPU: the \
         process's utime+stime from the connector's creation (listed by GET /connectors) to \
         the last record in (raw producer: the bench process's, from the producer's \
         creation). 2nd half: from the first poll that saw half the records to the last (a \
         JVM has compiled more by then); the targets use the whole run. Peak RSS: VmHWM then. \
         REST ready and first record: from the process's spawn.",
        thousands(config.records as f64),
        config.runs,
        results.kafka_version,
        results
            .lines
            .iter()
            .map(|l| format!(
                "{} B per record for {} B lines",
                l.value_bytes, l.line_bytes
            ))
            .collect::<Vec<_>>()
            .join(", "),
    ));
    table.note(format!(
        "Both workers: `worker.properties` (JsonConverter keys and values with schemas, \
         offset.flush.interval.ms=10000, plugin.path=<kafka>/plugins/connect-file{}) and \
         `connector.properties` (FileStreamSourceConnector, tasks.max=1, batch.size={}, \
         transforms=hoist,insert,route: HoistField$Value field=line, InsertField$Value \
         static.field=source static.value=bench, RegexRouter (.*)-in -> $1-out), identical but \
         for the REST port, offsets file and topic. Kafka Connect: `{} {} worker.properties \
         connector.properties` ({}; Kafka {}, {}), log4j2 at INFO into a file \
         (tests/kafka/log4j2.properties); Tributary: `{} standalone worker.properties \
         connector.properties`, RUST_LOG=info into a file ({}). The raw producer: rdkafka with \
         the worker's source-producer settings (acks=all, one request in flight, linger.ms=5), \
         null keys, the same value bytes, in the bench process.",
        if config.worker.extra_props.is_empty() {
            String::new()
        } else {
            format!(
                ", plus {}",
                config
                    .worker
                    .extra_props
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        config.batch_size,
        JVM_OPTS.join(" "),
        MAIN_CLASS,
        results.java,
        results.kafka_version,
        results.kafka_connect_root.trim(),
        config.worker.describe(),
        results.tributary_root.trim(),
    ));
    if let Some(line) = results.lines.first() {
        table.note(format!(
            "Checked every run: exactly {} records in the routed topic after the worker \
             stopped; the first and last are byte for byte the raw producer's bytes for their \
             lines (null key, no headers); the connector and its one task RUNNING with the \
             transforms above. First record of the {} B lines, as both workers wrote it: `{}`",
            thousands(config.records as f64),
            line.line_bytes,
            line.sample_value
        ));
    }
    table.note(format!(
        "Load average before / after the scenario: {} / {}.",
        results.load_before, results.load_after
    ));
    (table, verdicts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_have_their_length_and_number() {
        let mut line = Vec::new();
        line_into(42, 100, &mut line);
        assert_eq!(line.len(), 100);
        assert!(line.starts_with(b"000000000042-abc"), "{line:?}");
        line_into(7, 16, &mut line);
        assert_eq!(line, b"000000000007-abc");
    }

    #[test]
    fn rounds_rotate_the_order() {
        use Side::*;
        assert_eq!(Side::order(0), [KafkaConnect, Tributary, RawProducer]);
        assert_eq!(Side::order(1), [Tributary, RawProducer, KafkaConnect]);
        assert_eq!(Side::order(2), [RawProducer, KafkaConnect, Tributary]);
        assert_eq!(Side::order(3), Side::order(0));
    }

    #[test]
    fn the_template_is_the_hoisted_line_with_the_inserted_field() -> Result<()> {
        let template = LineTemplate::of_pipeline("bench-x-in")?;
        assert_eq!(template.topic, "bench-x-out");
        let value = template.value(5, 20);
        let json: serde_json::Value = serde_json::from_slice(&value)?;
        assert_eq!(json["payload"][LINE_FIELD], "000000000005-abcdefg");
        assert_eq!(json["payload"][STATIC_FIELD], STATIC_VALUE);
        assert_eq!(json["schema"]["type"], "struct");
        Ok(())
    }

    #[test]
    fn progress_marks_the_first_the_half_and_the_last_poll() -> Result<()> {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut progress = Progress::new(100);
        let cpu = || Ok(Some(1.0));
        assert!(progress.see(0, at(1), cpu)?.is_none());
        assert!(progress.see(10, at(2), cpu)?.is_none());
        assert!(progress.see(60, at(3), cpu)?.is_none());
        let last = progress.see(100, at(4), || Ok(Some(2.0)))?.expect("done");
        let observed = Observed::new(
            t0,
            None,
            Mark {
                at: t0,
                count: 0,
                cpu: Some(0.5),
            },
            &progress,
            last,
            None,
        )?;
        let run = observed.side_run(Side::RawProducer, 100);
        assert_eq!((run.first_count, run.half_count), (10, 60));
        assert!(
            (run.records_per_sec() - 90.0 / 0.002).abs() < 1.0,
            "{run:?}"
        );
        assert!(
            (run.second_half_records_per_sec() - 40.0 / 0.001).abs() < 1.0,
            "{run:?}"
        );
        assert_eq!(run.cpu_seconds, Some(1.5));
        assert_eq!(run.cpu_half_seconds, Some(1.0));
        Ok(())
    }
}
