//! A sustained run: the throughput pipeline at a fixed rate in a `tributary standalone`
//! process for minutes, its RSS sampled every few seconds, and its progress read from the
//! offsets file (flushed every second) to show it kept the rate.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::broker::Broker;
use crate::process::{WorkerBin, WorkerProcess, write_properties};
use crate::report::{Table, Verdict, max, mib, slope, thousands};
use crate::throughput::pipeline_connector;

/// Growth per minute, after warm-up, that still counts as "no growth" (allocator noise).
pub const SLOPE_LIMIT_KB_PER_MIN: f64 = 64.0;

#[derive(Clone, Debug)]
pub struct SustainedConfig {
    pub worker: WorkerBin,
    pub duration: Duration,
    pub rate: u64,
    pub payload: usize,
    pub sample_every: Duration,
}

/// The samples of one run.
#[derive(Clone, Debug, Default)]
pub struct SustainedRun {
    /// `(seconds since the connector started, RSS KiB, records committed)`.
    pub samples: Vec<(f64, u64, u64)>,
    pub peak_kb: u64,
    pub records_committed: u64,
    pub seconds: f64,
}

impl SustainedRun {
    /// Samples after the warm-up: the first fifth of the run (at most a minute).
    pub fn steady(&self) -> &[(f64, u64, u64)] {
        let warmup = (self.seconds / 5.0).min(60.0);
        let start = self
            .samples
            .iter()
            .position(|s| s.0 >= warmup)
            .unwrap_or(self.samples.len());
        &self.samples[start..]
    }

    /// Least-squares RSS slope over the steady samples, KiB per minute.
    pub fn slope_kb_per_min(&self) -> f64 {
        let points: Vec<(f64, f64)> = self
            .steady()
            .iter()
            .map(|s| (s.0 / 60.0, s.1 as f64))
            .collect();
        slope(&points)
    }

    pub fn achieved_rate(&self) -> f64 {
        if self.seconds <= 0.0 {
            return 0.0;
        }
        self.records_committed as f64 / self.seconds
    }
}

pub fn run(config: &SustainedConfig) -> Result<SustainedRun> {
    let broker = Broker::start()?;
    let dir = tempfile::tempdir()?;
    let connector = dir.path().join("sustained.properties");
    let mut props: Vec<(String, String)> = vec![("name".into(), "sustained".into())];
    let mut connector_props = pipeline_connector(
        &format!("sustained-{}-in", connect_testkit::unique_suffix()),
        config.payload,
        0,
    );
    connector_props.insert("records.per.second".into(), config.rate.to_string());
    props.extend(connector_props);
    write_properties(&connector, &props)?;
    let extra = vec![("offset.flush.interval.ms".to_string(), "1000".to_string())];
    let mut worker = WorkerProcess::spawn(
        &config.worker,
        dir.path(),
        broker.bootstrap(),
        &extra,
        &[PathBuf::from(&connector)],
    )?;
    worker.wait_rest(Duration::from_secs(30), Duration::from_millis(5))?;
    worker.wait_running(1, Duration::from_secs(60))?;
    let started = Instant::now();
    let committed = |w: &WorkerProcess| {
        w.offsets()
            .iter()
            .filter_map(|(_, _, o)| o["seq"].as_u64())
            .map(|s| s + 1)
            .sum::<u64>()
    };
    let mut run = SustainedRun::default();
    let mut next = started;
    loop {
        let now = Instant::now();
        if now >= next {
            let rss = worker.rss().context("sampling the worker's RSS")?;
            let at = (now - started).as_secs_f64();
            run.samples.push((at, rss.current_kb, committed(&worker)));
            tracing::info!(seconds = at, rss_kb = rss.current_kb, "sustained sample");
            next += config.sample_every;
        }
        if now - started >= config.duration {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    run.seconds = (Instant::now() - started).as_secs_f64();
    run.peak_kb = worker.rss()?.peak_kb;
    worker.terminate()?;
    run.records_committed = committed(&worker);
    Ok(run)
}

pub fn report(run: &SustainedRun, config: &SustainedConfig) -> (Table, Vec<Verdict>) {
    let steady = run.steady();
    let first = steady.first().map_or(0, |s| s.1);
    let last = steady.last().map_or(0, |s| s.1);
    let max_rss = max(&steady.iter().map(|s| s.1 as f64).collect::<Vec<_>>());
    let slope = run.slope_kb_per_min();
    let mut table = Table::new(
        "Sustained run (the throughput pipeline at a fixed rate)",
        &[
            "duration",
            "rate (target / achieved)",
            "RSS first (after warm-up)",
            "RSS last",
            "RSS max",
            "peak (VmHWM)",
            "slope",
        ],
    );
    table.row(vec![
        format!("{:.1} min", run.seconds / 60.0),
        format!(
            "{} / {} rec/s",
            thousands(config.rate as f64),
            thousands(run.achieved_rate())
        ),
        mib(first as f64),
        mib(last as f64),
        mib(max_rss),
        mib(run.peak_kb as f64),
        format!("{slope:+.1} KiB/min"),
    ]);
    let samples: Vec<String> = run
        .samples
        .iter()
        .map(|s| format!("{:.0}s:{:.1}", s.0, s.1 as f64 / 1024.0))
        .collect();
    table.note(format!(
        "{}-byte payloads; RSS sampled every {:?}; warm-up (excluded from first/last/max/slope) \
         is the first fifth of the run, at most a minute. Samples (s:MiB): {}",
        config.payload,
        config.sample_every,
        samples.join(" ")
    ));
    let verdicts = vec![Verdict::new(
        "sustained",
        format!("no RSS growth (slope < {SLOPE_LIMIT_KB_PER_MIN:.0} KiB/min after warm-up)"),
        format!(
            "{slope:+.1} KiB/min, {} -> {}",
            mib(first as f64),
            mib(last as f64)
        ),
        slope < SLOPE_LIMIT_KB_PER_MIN,
    )];
    (table, verdicts)
}
