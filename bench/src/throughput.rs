//! Pipeline throughput against the raw producer.
//!
//! The pipeline is datagen -> two transformations (`InsertField$Value` adding a static
//! field, `RegexRouter` renaming the topic) -> `JsonConverter` with schemas (keys through
//! `StringConverter`) -> the broker, run in this process by `connect_runtime`'s `Worker` and
//! `StandaloneHerder` with memory stores: exactly the task loop, converters, transformations
//! and producer settings of `tributary standalone`, minus the process around them. In-process
//! because the baseline must run "from the same process": both then share the same rdkafka
//! build, the same CPU budget and the same broker, and the pipeline's delivery is observed
//! exactly (the datagen task counts `commit_record` calls, which the worker makes for each
//! record after Kafka acknowledged it), with no consumer or offsets file in between.
//!
//! The baseline is rdkafka's `ThreadedProducer` with the settings the worker forces on a
//! source task's producer (`acks=all`, one request in flight, no idempotence, `linger.ms=5`,
//! an unbounded message timeout), sending the very bytes the pipeline sends (the key
//! `"<seq>"` and the JSON the converter makes of the transformed value, built by splicing
//! the sequence number into a template made by the real transformations and converter) to
//! a topic of the same shape (one partition) on the same kind of fresh broker. Its delivery
//! callback counts acknowledgements.
//!
//! Both rates are measured from the first acknowledgement to the last one, so neither
//! includes start-up (client creation, metadata, topic creation), which the start-up
//! benchmark covers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use connect_api::source::SourceRecord;
use connect_api::storage::Converter;
use connect_api::{Headers, Props, Schema, Struct, Value};
use connect_datagen::DatagenProgress;
use connect_runtime::config::WorkerConfig;
use connect_runtime::herder::Herder;
use connect_runtime::herder::standalone::StandaloneHerder;
use connect_runtime::plugins::PluginRegistry;
use connect_runtime::storage::{
    MemoryConfigBackingStore, MemoryOffsetBackingStore, MemoryStatusBackingStore,
};
use connect_runtime::transforms::TransformationChain;
use connect_runtime::worker::Worker;
use rdkafka::ClientContext;
use rdkafka::producer::{BaseRecord, DeliveryResult, ProducerContext, ThreadedProducer};
use rdkafka::types::RDKafkaErrorCode;

use crate::broker::Broker;
use crate::report::{Table, Verdict, median, thousands};

/// What to measure.
#[derive(Clone, Debug)]
pub struct ThroughputConfig {
    pub runs: usize,
    pub records: u64,
    pub payloads: Vec<usize>,
    /// The pipeline connector's `tasks.max` (each task has its own producer); the
    /// baseline is always one producer.
    pub tasks: usize,
    /// Worker config keys over the defaults (`--worker-prop`), e.g. `producer.*`.
    pub worker_props: Vec<(String, String)>,
}

/// One timed run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Measurement {
    pub records: u64,
    pub bytes: u64,
    /// First acknowledgement to last.
    pub seconds: f64,
    /// Start (connector created / producer created) to last acknowledgement.
    pub total_seconds: f64,
}

impl Measurement {
    pub fn records_per_sec(&self) -> f64 {
        if self.seconds <= 0.0 {
            return 0.0;
        }
        (self.records.saturating_sub(1)) as f64 / self.seconds
    }

    pub fn mb_per_sec(&self) -> f64 {
        if self.records == 0 {
            return 0.0;
        }
        self.records_per_sec() * (self.bytes as f64 / self.records as f64) / 1_000_000.0
    }
}

/// The runs of one payload size.
#[derive(Clone, Debug, Default)]
pub struct PayloadResult {
    pub payload: usize,
    pub pipeline: Vec<Measurement>,
    pub baseline: Vec<Measurement>,
}

impl PayloadResult {
    pub fn pipeline_rps(&self) -> f64 {
        median(
            &self
                .pipeline
                .iter()
                .map(Measurement::records_per_sec)
                .collect::<Vec<_>>(),
        )
    }
    pub fn baseline_rps(&self) -> f64 {
        median(
            &self
                .baseline
                .iter()
                .map(Measurement::records_per_sec)
                .collect::<Vec<_>>(),
        )
    }
    pub fn pipeline_mbps(&self) -> f64 {
        median(
            &self
                .pipeline
                .iter()
                .map(Measurement::mb_per_sec)
                .collect::<Vec<_>>(),
        )
    }
    pub fn baseline_mbps(&self) -> f64 {
        median(
            &self
                .baseline
                .iter()
                .map(Measurement::mb_per_sec)
                .collect::<Vec<_>>(),
        )
    }
    /// Median of the per-run ratios (each run pairs a pipeline and a baseline measurement
    /// taken back to back).
    pub fn ratio(&self) -> f64 {
        let ratios: Vec<f64> = self
            .pipeline
            .iter()
            .zip(&self.baseline)
            .map(|(p, b)| p.records_per_sec() / b.records_per_sec())
            .collect();
        median(&ratios)
    }
}

/// The datagen connector class the pipeline uses (with progress reporting).
const DATAGEN: &str = connect_datagen::CONNECTOR_CLASS;
/// The sequence number spliced out of the template value.
const SENTINEL_SEQ: i64 = 8_765_432_109_876_543;
/// Acknowledgements must arrive within this, plus a microsecond per record.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(120);

/// The connector config of the pipeline: datagen into `in_topic`, routed to
/// [`routed_topic`].
pub fn pipeline_connector(in_topic: &str, payload: usize, max_records: u64) -> Props {
    let pairs = [
        ("connector.class", DATAGEN.to_string()),
        ("tasks.max", "1".into()),
        ("topic", in_topic.to_string()),
        ("payload.bytes", payload.to_string()),
        ("max.records", max_records.to_string()),
        ("records.per.poll", "1000".into()),
        ("transforms", "insert,route".into()),
        (
            "transforms.insert.type",
            "org.apache.kafka.connect.transforms.InsertField$Value".into(),
        ),
        ("transforms.insert.static.field", "source".into()),
        ("transforms.insert.static.value", "datagen".into()),
        (
            "transforms.route.type",
            "org.apache.kafka.connect.transforms.RegexRouter".into(),
        ),
        ("transforms.route.regex", "(.*)-in".into()),
        ("transforms.route.replacement", "$1-out".into()),
        ("topic.creation.default.partitions", "1".into()),
        ("topic.creation.default.replication.factor", "1".into()),
    ];
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Where [`pipeline_connector`]'s `RegexRouter` sends the records of `in_topic`.
pub fn routed_topic(in_topic: &str) -> String {
    match in_topic.strip_suffix("-in") {
        Some(base) => format!("{base}-out"),
        None => in_topic.to_string(),
    }
}

/// The worker config of the in-process pipeline.
pub fn worker_props(bootstrap: &str) -> Props {
    [
        ("bootstrap.servers", bootstrap),
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("value.converter.schemas.enable", "true"),
        ("offset.flush.interval.ms", "10000"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// The plugins of the in-process worker: converters, transformations and datagen
/// reporting to `progress`.
pub fn plugins(progress: Arc<DatagenProgress>) -> PluginRegistry {
    let mut registry = PluginRegistry::with_default_converters();
    registry.register(connect_transforms::plugins());
    registry.register([connect_datagen::plugin(Some(progress))]);
    registry
}

/// Runs `record` through a pipeline's transformations and `JsonConverter` with schemas, as
/// its worker does: the transformed record, and its key and value bytes.
pub fn through_pipeline(
    chain: &TransformationChain<SourceRecord>,
    record: SourceRecord,
) -> Result<(SourceRecord, Option<Vec<u8>>, Vec<u8>)> {
    let transformed = chain
        .apply(record)
        .map_err(|f| anyhow::anyhow!("{}: {}", f.class_name, f.error))?
        .context("the pipeline's transformations dropped the record")?;
    let mut config = Props::new();
    config.insert("schemas.enable".into(), "true".into());
    let mut key_converter = connect_json::JsonConverter::new();
    Converter::configure(&mut key_converter, &config, true)?;
    let mut value_converter = connect_json::JsonConverter::new();
    Converter::configure(&mut value_converter, &config, false)?;
    let key = Converter::from_connect_data(
        &key_converter,
        &transformed.topic,
        &Headers::new(),
        transformed.key_schema.as_ref(),
        &transformed.key,
    )?;
    let value = Converter::from_connect_data(
        &value_converter,
        &transformed.topic,
        &Headers::new(),
        transformed.value_schema.as_ref(),
        &transformed.value,
    )?
    .context("no value bytes")?;
    Ok((transformed, key, value))
}

/// The bytes before and after the one occurrence of `sentinel` in the JSON `bytes`.
pub fn split_at_sentinel(bytes: Vec<u8>, sentinel: &str) -> Result<(Vec<u8>, Vec<u8>)> {
    let text = String::from_utf8(bytes).context("JSON is UTF-8")?;
    let (prefix, suffix) = text
        .split_once(sentinel)
        .with_context(|| format!("{sentinel} is not in {text}"))?;
    if suffix.contains(sentinel) {
        bail!("{sentinel} occurs twice in {text}");
    }
    Ok((prefix.as_bytes().to_vec(), suffix.as_bytes().to_vec()))
}

/// The bytes the pipeline sends for a record: key `"<seq>"` and `prefix <seq> suffix`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordTemplate {
    pub topic: String,
    pub prefix: Vec<u8>,
    pub suffix: Vec<u8>,
}

impl RecordTemplate {
    /// Runs a datagen record through the pipeline's real transformations and converter.
    pub fn of_pipeline(in_topic: &str, payload: usize) -> Result<RecordTemplate> {
        let registry = plugins(DatagenProgress::new());
        let chain = connect_runtime::transforms::build_chain::<SourceRecord>(
            &registry,
            &pipeline_connector(in_topic, payload, 0),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let schema = connect_datagen::value_schema();
        let mut value = Struct::new(schema.clone())?;
        value
            .put(connect_datagen::SEQ_FIELD, Value::Int64(SENTINEL_SEQ))?
            .put(connect_datagen::TASK_FIELD, Value::Int32(0))?
            .put(
                connect_datagen::PAYLOAD_FIELD,
                Value::String(connect_datagen::payload(payload)),
            )?;
        let record = SourceRecord::new(
            connect_datagen::source_partition(0),
            Default::default(),
            in_topic,
            Some(schema),
            Value::Struct(value),
        )
        .with_key(
            Some(Schema::string()),
            Value::String(SENTINEL_SEQ.to_string()),
        );
        let (transformed, _, bytes) = through_pipeline(&chain, record)?;
        let sentinel = SENTINEL_SEQ.to_string();
        let (prefix, suffix) = split_at_sentinel(bytes, &sentinel)?;
        Ok(RecordTemplate {
            topic: transformed.topic,
            prefix,
            suffix,
        })
    }

    /// The value bytes of `seq`, into `out`.
    pub fn value_into(&self, seq: u64, out: &mut Vec<u8>) {
        use std::io::Write as _;
        out.clear();
        out.extend_from_slice(&self.prefix);
        let _ = write!(out, "{seq}");
        out.extend_from_slice(&self.suffix);
    }

    /// Key and value bytes of records `0 .. n`.
    pub fn total_bytes(&self, n: u64) -> u64 {
        let fixed = (self.prefix.len() + self.suffix.len()) as u64;
        (0..n).map(|seq| fixed + 2 * digits(seq)).sum()
    }
}

fn digits(n: u64) -> u64 {
    u64::from(n.checked_ilog10().unwrap_or(0)) + 1
}

/// The baseline's delivery counter.
#[derive(Default)]
struct Acks {
    acked: AtomicU64,
    failed: AtomicU64,
    times: Mutex<(Option<Instant>, Option<Instant>)>,
}

struct BaselineContext(Arc<Acks>);

impl ClientContext for BaselineContext {}

impl ProducerContext for BaselineContext {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        let now = Instant::now();
        if let Ok(mut times) = self.0.times.lock() {
            times.0.get_or_insert(now);
            times.1 = Some(now);
        }
        if result.is_err() {
            self.0.failed.fetch_add(1, Ordering::Relaxed);
        }
        self.0.acked.fetch_add(1, Ordering::Release);
    }
}

/// The raw producer: `records` records of `template` to `topic`, timed by acknowledgements.
pub fn run_baseline(
    broker: &Broker,
    topic: &str,
    template: &RecordTemplate,
    records: u64,
) -> Result<Measurement> {
    let measurement = run_raw_producer(broker, topic, records, |seq, key, value| {
        use std::io::Write as _;
        key.clear();
        let _ = write!(key, "{seq}");
        template.value_into(seq, value);
        true
    })?;
    debug_assert_eq!(measurement.bytes, template.total_bytes(records));
    Ok(measurement)
}

/// The raw producer with the settings the worker forces on a source task's producer:
/// `records` records to `topic` (partition chosen by librdkafka), timed by acknowledgements.
/// `fill(seq, key, value)` replaces the buffers' contents with record `seq`'s key and value
/// bytes and says whether the record has a key (`false`: a null key, what `JsonConverter`
/// writes for a connector without keys). The measurement's `bytes` counts keys and values.
pub fn run_raw_producer(
    broker: &Broker,
    topic: &str,
    records: u64,
    mut fill: impl FnMut(u64, &mut Vec<u8>, &mut Vec<u8>) -> bool,
) -> Result<Measurement> {
    let acks = Arc::new(Acks::default());
    let started = Instant::now();
    // The settings connect_runtime::kafka::source_producer forces on a source task.
    let producer: ThreadedProducer<BaselineContext> = broker
        .client_config()
        .set("acks", "all")
        .set("max.in.flight.requests.per.connection", "1")
        .set("enable.idempotence", "false")
        .set("message.timeout.ms", "2147483647")
        .set("linger.ms", "5")
        .set("client.id", "bench-baseline")
        .create_with_context(BaselineContext(Arc::clone(&acks)))?;
    let mut key = Vec::new();
    let mut value = Vec::new();
    let mut bytes = 0u64;
    for seq in 0..records {
        let keyed = fill(seq, &mut key, &mut value);
        bytes += (value.len() + if keyed { key.len() } else { 0 }) as u64;
        let mut record: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(topic).payload(&value[..]);
        if keyed {
            record = record.key(&key[..]);
        }
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((e, returned))
                    if e.rdkafka_error_code() == Some(RDKafkaErrorCode::QueueFull) =>
                {
                    record = returned;
                    std::thread::sleep(Duration::from_micros(200));
                }
                Err((e, _)) => bail!("baseline send failed: {e}"),
            }
        }
    }
    let deadline = Instant::now() + DELIVERY_TIMEOUT + Duration::from_micros(records);
    while acks.acked.load(Ordering::Acquire) < records {
        if Instant::now() > deadline {
            bail!(
                "the baseline got {} of {records} acknowledgements",
                acks.acked.load(Ordering::Acquire)
            );
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let failed = acks.failed.load(Ordering::Relaxed);
    if failed > 0 {
        bail!("{failed} baseline records failed");
    }
    let (first, last) = *acks.times.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
    let (first, last) = first.zip(last).context("no acknowledgement times")?;
    drop(producer);
    Ok(Measurement {
        records,
        bytes,
        seconds: (last - first).as_secs_f64(),
        total_seconds: (last - started).as_secs_f64(),
    })
}

/// The pipeline, in-process: `records` datagen records through the worker into the broker.
pub async fn run_pipeline(
    broker: &Broker,
    in_topic: &str,
    payload: usize,
    records: u64,
    tasks: usize,
    extra_worker_props: &[(String, String)],
) -> Result<Measurement> {
    let template = RecordTemplate::of_pipeline(in_topic, payload)?;
    let progress = DatagenProgress::new();
    let mut props = worker_props(broker.bootstrap());
    props.extend(extra_worker_props.iter().cloned());
    let config = WorkerConfig::new(props).map_err(|e| anyhow::anyhow!("{e}"))?;
    let worker = Arc::new(Worker::new(
        "bench-worker".into(),
        config,
        Arc::new(plugins(Arc::clone(&progress))),
        Arc::new(MemoryOffsetBackingStore::new()),
        Arc::new(MemoryStatusBackingStore::new()),
    ));
    let herder =
        StandaloneHerder::start(worker, Arc::new(MemoryConfigBackingStore::new()), None).await;
    let name = "bench-pipeline";
    let counters = progress.connector(name);
    let started = Instant::now();
    let mut connector = pipeline_connector(in_topic, payload, records);
    connector.insert("tasks.max".into(), tasks.max(1).to_string());
    herder
        .put_connector_config(name, connector, false, None)
        .await
        .map_err(|e| anyhow::anyhow!("creating the connector: {e}"))?;
    let deadline = Instant::now() + DELIVERY_TIMEOUT + Duration::from_micros(records);
    let outcome = loop {
        let acked = counters.acknowledged.load(Ordering::Acquire);
        if acked >= records {
            break Ok(());
        }
        if Instant::now() > deadline {
            let status = herder.connector_status(name).await.ok();
            break Err(anyhow::anyhow!(
                "the pipeline got {acked} of {records} acknowledgements; status {status:?}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    let (first, last) = counters.ack_times();
    herder.shutdown().await;
    outcome?;
    let delivered = counters.delivered.load(Ordering::Relaxed);
    if delivered != records {
        bail!("{delivered} of {records} pipeline records reached Kafka");
    }
    let (first, last) = first.zip(last).context("no acknowledgement times")?;
    Ok(Measurement {
        records,
        bytes: template.total_bytes(records),
        seconds: (last - first).as_secs_f64(),
        total_seconds: (last - started).as_secs_f64(),
    })
}

/// Runs both sides `runs` times per payload, alternating which goes first, each on a fresh
/// broker (an external cluster is shared, with fresh topics).
pub async fn run(config: &ThroughputConfig) -> Result<Vec<PayloadResult>> {
    let mut shared = None;
    let mut results = Vec::new();
    for &payload in &config.payloads {
        let mut result = PayloadResult {
            payload,
            ..PayloadResult::default()
        };
        for run in 0..config.runs {
            for side in 0..2 {
                let pipeline_side = (run + side) % 2 == 0;
                let fresh;
                let broker = match &shared {
                    Some(b) => b,
                    None => {
                        let b = Broker::start()?;
                        if b.is_external() {
                            shared = Some(b);
                            shared.as_ref().context("shared broker")?
                        } else {
                            fresh = b;
                            &fresh
                        }
                    }
                };
                let base = format!("bench-{}", connect_testkit::unique_suffix());
                let in_topic = format!("{base}-in");
                let out_topic = routed_topic(&in_topic);
                broker
                    .create_topics(std::slice::from_ref(&out_topic), 1)
                    .await?;
                if pipeline_side {
                    let m = run_pipeline(
                        broker,
                        &in_topic,
                        payload,
                        config.records,
                        config.tasks,
                        &config.worker_props,
                    )
                    .await
                    .with_context(|| format!("pipeline, {payload}-byte payload, run {run}"))?;
                    tracing::info!(payload, run, rps = m.records_per_sec(), "pipeline");
                    result.pipeline.push(m);
                } else {
                    let template = RecordTemplate::of_pipeline(&in_topic, payload)?;
                    let records = config.records;
                    let bootstrap_broker = broker;
                    let m = tokio::task::block_in_place(|| {
                        run_baseline(bootstrap_broker, &out_topic, &template, records)
                    })
                    .with_context(|| format!("baseline, {payload}-byte payload, run {run}"))?;
                    tracing::info!(payload, run, rps = m.records_per_sec(), "baseline");
                    result.baseline.push(m);
                }
            }
        }
        results.push(result);
    }
    Ok(results)
}

/// The results as a table, and the verdicts (target: ratio >= 0.9).
pub fn report(results: &[PayloadResult], config: &ThroughputConfig) -> (Table, Vec<Verdict>) {
    let mut table = Table::new(
        "Pipeline throughput (datagen -> InsertField + RegexRouter -> JsonConverter -> broker) vs the raw producer",
        &[
            "payload",
            "record bytes",
            "pipeline rec/s",
            "pipeline MB/s",
            "raw producer rec/s",
            "raw producer MB/s",
            "ratio",
            "runs (pipeline rec/s)",
        ],
    );
    let mut verdicts = Vec::new();
    for r in results {
        let record_bytes = r
            .pipeline
            .first()
            .map(|m| m.bytes as f64 / m.records.max(1) as f64)
            .unwrap_or(0.0);
        let runs: Vec<String> = r
            .pipeline
            .iter()
            .map(|m| thousands(m.records_per_sec()))
            .collect();
        let ratio = r.ratio();
        table.row(vec![
            format!("{} B", r.payload),
            format!("{record_bytes:.0}"),
            thousands(r.pipeline_rps()),
            format!("{:.1}", r.pipeline_mbps()),
            thousands(r.baseline_rps()),
            format!("{:.1}", r.baseline_mbps()),
            format!("{ratio:.2}"),
            runs.join(" / "),
        ]);
        verdicts.push(Verdict::new(
            "throughput",
            format!("{} B records: pipeline >= 0.9 x raw producer", r.payload),
            format!("{ratio:.2}"),
            ratio >= 0.9,
        ));
    }
    table.note(format!(
        "{} records per run, {} runs per side, medians; rates from the first delivery \
         acknowledgement to the last; broker: {}; \
         pipeline tasks.max={} (the raw producer is one producer); ratio = median of per-run \
         pipeline/raw ratios.",
        thousands(config.records as f64),
        config.runs,
        Broker::describe(),
        config.tasks
    ));
    (table, verdicts)
}
