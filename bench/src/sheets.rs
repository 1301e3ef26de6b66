//! Google Sheets ingest: a sheet of `rows` x 10 columns in the Sheets API emulator (no
//! quota: limits raised far above what the ingest needs), read by the Google Sheets
//! connector in a `tributary standalone` process into the broker.
//!
//! The clock starts when the connector is created (`POST /connectors` on a worker that is
//! already up) and stops when the worker's offsets file says the last row is committed, i.e.
//! Kafka acknowledged every record (the offsets file is flushed every 20 ms). API cost is
//! the emulator's request counters against the floor `ceil(response bytes / 2 MiB)` (the
//! connector's `fetch.max.bytes` window). Memory is the worker's `VmHWM`, compared between
//! a sheet a quarter the size and the full one.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use sheets_emulator::{
    EmulatorConfig, EndpointKind, RunningEmulator, SheetSeed, SpreadsheetSeed, ValueInputOption,
};

use crate::broker::Broker;
use crate::process::{WorkerBin, WorkerProcess};
use crate::report::{Table, Verdict, median, mib, thousands};

pub const ROWS_TARGET_PER_SEC: f64 = 100_000.0;
/// Requests allowed above the floor.
pub const REQUEST_SLACK: u64 = 5;
const EMAIL: &str = "bench-reader@bench-project.iam.gserviceaccount.com";
const COLUMNS: usize = 10;
const TWO_MB: u64 = 2 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct SheetsConfig {
    pub runs: usize,
    pub worker: WorkerBin,
    /// Sheet sizes to ingest, smallest first (memory is compared between them).
    pub sizes: Vec<usize>,
}

/// The same ingest against a broker that accepts only `bytes_per_sec` from producers: with
/// the worker's source buffer bounded by `producer.buffer.memory = buffer_memory`, and, as
/// the baseline measured in the same run, with librdkafka's own 1 GiB queue bound (what
/// Tributary used before it read Kafka's key).
#[derive(Clone, Debug)]
pub struct ThrottledConfig {
    pub sheets: SheetsConfig,
    pub bytes_per_sec: u64,
    pub buffer_memory: u64,
}

/// librdkafka's default `queue.buffering.max.kbytes` (1 GiB).
const LIBRDKAFKA_DEFAULT_QUEUE_KBYTES: u64 = 1_048_576;

/// How the source's buffer is bounded in a throttled run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// `producer.buffer.memory` as configured.
    BufferMemory,
    /// librdkafka's default queue bound.
    LibrdkafkaDefault,
}

/// One throttled ingest.
#[derive(Clone, Debug)]
pub struct ThrottledRun {
    pub bound: Bound,
    pub run: SheetsRun,
}

/// One ingest.
#[derive(Clone, Debug, Default)]
pub struct SheetsRun {
    pub rows: usize,
    pub seconds: f64,
    pub sheet_reads: u64,
    pub token_requests: u64,
    pub total_requests: u64,
    pub response_bytes: u64,
    pub peak_rss_kb: u64,
    /// `(seconds since the connector was created, VmRSS KiB, last row committed)`, every
    /// ~100 ms.
    pub rss_samples: Vec<(f64, u64, u64)>,
    /// `(endpoint, response KiB, range asked)` of every Sheets API request, in order.
    pub requests: Vec<(String, u64, String)>,
}

impl SheetsRun {
    pub fn rows_per_sec(&self) -> f64 {
        if self.seconds <= 0.0 {
            return 0.0;
        }
        self.rows as f64 / self.seconds
    }

    /// `ceil(response bytes / 2 MiB)`: the fewest reads that can carry the sheet.
    pub fn floor(&self) -> u64 {
        self.response_bytes.div_ceil(TWO_MB)
    }
}

/// An emulator holding one spreadsheet per size, shared with the bench's service account.
pub struct SheetsFixture {
    pub emulator: RunningEmulator,
    pub key_json: String,
    /// `(rows, spreadsheet id)`.
    pub spreadsheets: Vec<(usize, String)>,
}

impl SheetsFixture {
    pub fn new(sizes: &[usize]) -> Result<SheetsFixture> {
        let mut config = EmulatorConfig::default();
        config.quotas.read_requests_per_user = 1_000_000;
        config.quotas.read_requests_per_project = 1_000_000;
        let emulator = sheets_emulator::Emulator::start_local_with(config)?;
        let key = emulator.create_service_account(EMAIL)?;
        let mut spreadsheets = Vec::new();
        for &rows in sizes {
            let header: Vec<String> = (0..COLUMNS).map(|c| format!("col{c}")).collect();
            let mut values = Vec::with_capacity(rows + 1);
            values.push(json!(header));
            values.extend(
                (0..rows).map(|r| {
                    Value::Array((0..COLUMNS).map(|c| json!(format!("r{r}c{c}"))).collect())
                }),
            );
            let grid_rows = u32::try_from(rows + 1).context("too many rows")?;
            let id = emulator.create_spreadsheet(
                SpreadsheetSeed::new(format!("Bench {rows}"))
                    .value_input_option(ValueInputOption::Raw)
                    .sheet(
                        SheetSeed::new("Data")
                            .rows(Value::Array(values))
                            .grid(grid_rows, 10),
                    )
                    .reader(EMAIL),
            )?;
            spreadsheets.push((rows, id));
        }
        Ok(SheetsFixture {
            emulator,
            key_json: key.to_json_string(),
            spreadsheets,
        })
    }
}

/// The connector config (as POSTed) for one spreadsheet.
fn connector_config(fixture: &SheetsFixture, spreadsheet: &str, topic: &str) -> Value {
    json!({
        "connector.class": "GoogleSheetsSource",
        "tasks.max": "1",
        "topic": topic,
        "spreadsheet.id": spreadsheet,
        "api.base.url": fixture.emulator.base_url(),
        "credentials.json": fixture.key_json,
        // Once caught up, one read per 5 s: idle reads do not blur the count.
        "poll.interval.ms": "5000",
        "quota.reads.per.minute": "100000",
        "topic.creation.default.partitions": "1",
        "topic.creation.default.replication.factor": "1",
    })
}

/// One ingest of `rows` rows on a fresh broker and worker.
pub fn run_once(
    config: &SheetsConfig,
    fixture: &SheetsFixture,
    rows: usize,
    spreadsheet: &str,
) -> Result<SheetsRun> {
    run_once_with(config, fixture, rows, spreadsheet, None, &[])
}

/// [`run_once`] with the broker's producers throttled to `throttle` bytes/s and more worker
/// settings.
fn run_once_with(
    config: &SheetsConfig,
    fixture: &SheetsFixture,
    rows: usize,
    spreadsheet: &str,
    throttle: Option<u64>,
    worker_settings: &[(String, String)],
) -> Result<SheetsRun> {
    let broker = Broker::start()?;
    if let Some(bytes_per_sec) = throttle {
        broker.throttle_producers(bytes_per_sec)?;
    }
    let dir = tempfile::tempdir()?;
    let mut extra = vec![("offset.flush.interval.ms".to_string(), "20".to_string())];
    extra.extend(worker_settings.iter().cloned());
    let mut worker =
        WorkerProcess::spawn(&config.worker, dir.path(), broker.bootstrap(), &extra, &[])?;
    worker.wait_rest(Duration::from_secs(30), Duration::from_millis(5))?;
    fixture.emulator.reset();
    let name = format!("sheets-{}", connect_testkit::unique_suffix());
    let topic = format!("{name}-out");
    let body = json!({"name": name, "config": connector_config(fixture, spreadsheet, &topic)});
    let started = Instant::now();
    let (status, answer) = worker.post_json("/connectors", &body)?;
    if status != 201 {
        bail!("creating the connector answered {status}: {answer}");
    }
    let last_row = u64::try_from(rows + 1)?;
    let deadline = started + Duration::from_secs(600);
    let mut peak_kb = 0;
    let mut rss_samples = Vec::new();
    let mut next_sample = started;
    let done = loop {
        let committed = worker
            .offsets()
            .iter()
            .filter(|(c, _, _)| *c == name)
            .filter_map(|(_, _, o)| o["row"].as_u64())
            .max();
        if committed.is_some_and(|row| row >= last_row) {
            break Instant::now();
        }
        if let Ok(rss) = worker.rss() {
            peak_kb = peak_kb.max(rss.peak_kb);
            let now = Instant::now();
            if now >= next_sample {
                rss_samples.push((
                    (now - started).as_secs_f64(),
                    rss.current_kb,
                    committed.unwrap_or(0),
                ));
                next_sample += Duration::from_millis(100);
            }
        }
        if Instant::now() > deadline {
            bail!(
                "{rows} rows were not committed within 10 minutes (last {committed:?}); log:\n{}",
                worker.log_text()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let counters = fixture.emulator.counters();
    let requests = fixture
        .emulator
        .requests()
        .into_iter()
        .map(|r| {
            let ranges: Vec<&str> = r
                .uri
                .split(['?', '&'])
                .filter_map(|p| p.strip_prefix("ranges="))
                .collect();
            (
                format!("{:?}", r.endpoint),
                r.response_bytes / 1024,
                ranges.join(","),
            )
        })
        .collect();
    let rss = worker.rss()?;
    worker.terminate()?;
    let sheet_reads = counters.endpoint(EndpointKind::BatchGet)
        + counters.endpoint(EndpointKind::ValuesGet)
        + counters.endpoint(EndpointKind::Metadata);
    Ok(SheetsRun {
        rows,
        seconds: (done - started).as_secs_f64(),
        sheet_reads,
        token_requests: counters.endpoint(EndpointKind::Token),
        total_requests: counters.total,
        response_bytes: counters.response_bytes,
        peak_rss_kb: rss.peak_kb.max(peak_kb),
        rss_samples,
        requests,
    })
}

/// Every size of `fixture` (made for `config.sizes`), `runs` times.
pub fn run(config: &SheetsConfig, fixture: &SheetsFixture) -> Result<Vec<SheetsRun>> {
    let mut runs = Vec::new();
    for i in 0..config.runs {
        for (rows, id) in &fixture.spreadsheets {
            let run = run_once(config, fixture, *rows, id)
                .with_context(|| format!("{rows}-row sheet, run {i}"))?;
            tracing::info!(
                rows = run.rows,
                rows_per_sec = run.rows_per_sec(),
                peak_kb = run.peak_rss_kb,
                "sheets"
            );
            runs.push(run);
        }
    }
    Ok(runs)
}

/// Every size, bounded and unbounded, `runs` times, against a throttled broker.
pub fn run_throttled(
    config: &ThrottledConfig,
    fixture: &SheetsFixture,
) -> Result<Vec<ThrottledRun>> {
    let mut runs = Vec::new();
    for i in 0..config.sheets.runs {
        for (rows, id) in &fixture.spreadsheets {
            for bound in [Bound::BufferMemory, Bound::LibrdkafkaDefault] {
                let settings = match bound {
                    Bound::BufferMemory => vec![(
                        "producer.buffer.memory".to_string(),
                        config.buffer_memory.to_string(),
                    )],
                    Bound::LibrdkafkaDefault => vec![(
                        "producer.queue.buffering.max.kbytes".to_string(),
                        LIBRDKAFKA_DEFAULT_QUEUE_KBYTES.to_string(),
                    )],
                };
                let run = run_once_with(
                    &config.sheets,
                    fixture,
                    *rows,
                    id,
                    Some(config.bytes_per_sec),
                    &settings,
                )
                .with_context(|| format!("throttled {rows}-row sheet ({bound:?}), run {i}"))?;
                tracing::info!(
                    rows = run.rows,
                    ?bound,
                    seconds = run.seconds,
                    peak_kb = run.peak_rss_kb,
                    "sheets, throttled broker"
                );
                runs.push(ThrottledRun { bound, run });
            }
        }
    }
    Ok(runs)
}

/// The throttled runs' table: peak RSS per size and bound, and the verdict that the bounded
/// worker's peak does not grow with the sheet.
pub fn report_throttled(runs: &[ThrottledRun], config: &ThrottledConfig) -> (Table, Vec<Verdict>) {
    let mib_of = |bytes: u64| bytes as f64 / 1024.0 / 1024.0;
    let mut table = Table::new(
        format!(
            "Google Sheets ingest against a throttled broker (producers limited to {:.1} MiB/s)",
            mib_of(config.bytes_per_sec)
        ),
        &[
            "rows x 10 cols",
            "seconds",
            "peak RSS, buffer.memory bound",
            "peak RSS, librdkafka's 1 GiB bound (before)",
            "bounded / unbounded",
        ],
    );
    let median_of = |rows: usize, bound: Bound, f: &dyn Fn(&SheetsRun) -> f64| {
        median(
            &runs
                .iter()
                .filter(|r| r.run.rows == rows && r.bound == bound)
                .map(|r| f(&r.run))
                .collect::<Vec<_>>(),
        )
    };
    let mut bounded_peaks = Vec::new();
    for &rows in &config.sheets.sizes {
        let bounded = median_of(rows, Bound::BufferMemory, &|r| r.peak_rss_kb as f64);
        let unbounded = median_of(rows, Bound::LibrdkafkaDefault, &|r| r.peak_rss_kb as f64);
        bounded_peaks.push((rows, bounded));
        table.row(vec![
            thousands(rows as f64),
            format!(
                "{:.1}",
                median_of(rows, Bound::BufferMemory, &|r| r.seconds)
            ),
            mib(bounded),
            mib(unbounded),
            format!("{:.2}", bounded / unbounded.max(1.0)),
        ]);
    }
    let mut verdicts = Vec::new();
    if let (Some((small_rows, small)), Some((big_rows, big))) =
        (bounded_peaks.first(), bounded_peaks.last())
        && small_rows != big_rows
    {
        let growth = big / small.max(1.0);
        verdicts.push(Verdict::new(
            "sheets",
            format!(
                "throttled broker: peak RSS with buffer.memory {} bounded, {} rows within \
                 1.25 x {} rows",
                mib(config.buffer_memory as f64 / 1024.0),
                thousands(*big_rows as f64),
                thousands(*small_rows as f64)
            ),
            format!("{} vs {} ({growth:.2} x)", mib(*big), mib(*small)),
            growth <= 1.25,
        ));
    }
    table.note(format!(
        "{} runs per size and bound, medians; a fresh broker per run, its producers throttled \
         by a default client quota (producer_byte_rate, Kafka's kafka-configs), so it delays \
         produce answers as an overloaded cluster does. Bounded: producer.buffer.memory={} \
         (Kafka's default is 32 MiB); before: librdkafka's own queue bound of 1 GiB, which \
         Tributary used until it read Kafka's key.",
        config.sheets.runs,
        mib(config.buffer_memory as f64 / 1024.0)
    ));
    (table, verdicts)
}

pub fn report(runs: &[SheetsRun], config: &SheetsConfig) -> (Table, Vec<Verdict>) {
    let mut table = Table::new(
        "Google Sheets ingest (emulator without quota -> connector -> broker)",
        &[
            "rows x 10 cols",
            "rows/s",
            "seconds",
            "sheet API reads",
            "response MiB",
            "floor ceil(bytes/2MiB)",
            "token requests",
            "worker peak RSS",
            "runs (rows/s)",
        ],
    );
    let mut verdicts = Vec::new();
    let mut peaks = Vec::new();
    for &rows in &config.sizes {
        let of_size: Vec<&SheetsRun> = runs.iter().filter(|r| r.rows == rows).collect();
        if of_size.is_empty() {
            continue;
        }
        let med = |f: &dyn Fn(&SheetsRun) -> f64| {
            median(&of_size.iter().map(|r| f(r)).collect::<Vec<_>>())
        };
        let rps = med(&SheetsRun::rows_per_sec);
        let reads = med(&|r| r.sheet_reads as f64);
        let floor = med(&|r| r.floor() as f64);
        let peak = med(&|r| r.peak_rss_kb as f64);
        let bytes = med(&|r| r.response_bytes as f64);
        let tokens = med(&|r| r.token_requests as f64);
        peaks.push((rows, peak));
        table.row(vec![
            thousands(rows as f64),
            thousands(rps),
            format!("{:.2}", med(&|r| r.seconds)),
            format!("{reads:.0}"),
            format!("{:.1}", bytes / 1024.0 / 1024.0),
            format!("{floor:.0}"),
            format!("{tokens:.0}"),
            mib(peak),
            of_size
                .iter()
                .map(|r| thousands(r.rows_per_sec()))
                .collect::<Vec<_>>()
                .join(" / "),
        ]);
        if Some(&rows) == config.sizes.last() {
            verdicts.push(Verdict::new(
                "sheets",
                format!(
                    "{} rows: >= {} rows/s",
                    thousands(rows as f64),
                    thousands(ROWS_TARGET_PER_SEC)
                ),
                format!("{} rows/s", thousands(rps)),
                rps >= ROWS_TARGET_PER_SEC,
            ));
            verdicts.push(Verdict::new(
                "sheets",
                format!("reads <= ceil(bytes/2MiB) + {REQUEST_SLACK}"),
                format!("{reads:.0} reads, floor {floor:.0}"),
                reads <= floor + REQUEST_SLACK as f64,
            ));
        }
    }
    if let (Some((small_rows, small)), Some((big_rows, big))) = (peaks.first(), peaks.last())
        && small_rows != big_rows
    {
        // Bounded: 4x the rows may not cost more than 25% more memory.
        let growth = big / small;
        verdicts.push(Verdict::new(
            "sheets",
            format!(
                "peak RSS bounded: {} rows within 1.25 x {} rows",
                thousands(*big_rows as f64),
                thousands(*small_rows as f64)
            ),
            format!("{} vs {} ({growth:.2} x)", mib(*big), mib(*small)),
            growth <= 1.25,
        ));
    }
    if let Some(run) = runs
        .iter()
        .rev()
        .find(|r| Some(&r.rows) == config.sizes.last())
    {
        let samples: Vec<String> = run
            .rss_samples
            .iter()
            .map(|(t, kb, row)| format!("{t:.1}s:{:.0}MiB@{row}", *kb as f64 / 1024.0))
            .collect();
        table.note(format!(
            "Worker RSS during the last {}-row ingest (time: RSS @ last row committed): {}",
            thousands(run.rows as f64),
            samples.join(" ")
        ));
        let requests: Vec<String> = run
            .requests
            .iter()
            .map(|(endpoint, kb, range)| format!("{endpoint} {kb}KiB {range}"))
            .collect();
        table.note(format!(
            "Its requests (endpoint, response size, ranges asked): {}",
            requests.join("; ")
        ));
    }
    table.note(format!(
        "{} runs per size, medians; each run a fresh worker ({}) and a fresh broker ({}); \
         clock from POST /connectors to the last row's offset committed (offsets \
         flushed every 20 ms); values through JsonConverter with schemas; records keep the \
         connector's three headers (nothing consumes them here).",
        config.runs,
        config.worker.describe(),
        Broker::describe()
    ));
    (table, verdicts)
}
