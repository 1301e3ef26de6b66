//! Memory: the peak resident set size (`VmHWM`) of an idle `tributary standalone`, and of
//! one running many rate-limited datagen connectors at once (each with its own task and
//! producer, as in Kafka Connect).

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::broker::Broker;
use crate::process::{WorkerBin, WorkerProcess, write_properties};
use crate::report::{Table, Verdict, median, mib};
use crate::throughput::pipeline_connector;

pub const IDLE_TARGET_MB: f64 = 20.0;
pub const LOADED_TARGET_MB: f64 = 100.0;

#[derive(Clone, Debug)]
pub struct MemoryConfig {
    pub runs: usize,
    pub worker: WorkerBin,
    /// How many connectors run at once.
    pub connectors: usize,
    /// Records per second of each connector.
    pub rate: u64,
    /// How long the idle worker and the loaded worker are watched.
    pub idle_hold: Duration,
    pub loaded_hold: Duration,
}

/// One run: peak RSS idle and loaded, in KiB, and what the loaded worker delivered.
#[derive(Clone, Copy, Debug, Default)]
pub struct MemoryRun {
    pub idle_peak_kb: u64,
    pub idle_current_kb: u64,
    pub loaded_peak_kb: u64,
    pub loaded_current_kb: u64,
    /// Connectors with a committed offset at the end.
    pub connectors_delivering: usize,
    /// Records committed over all connectors.
    pub records_committed: u64,
}

fn idle(config: &MemoryConfig, broker: &Broker) -> Result<(u64, u64)> {
    let dir = tempfile::tempdir()?;
    let mut worker =
        WorkerProcess::spawn(&config.worker, dir.path(), broker.bootstrap(), &[], &[])?;
    worker.wait_rest(Duration::from_secs(30), Duration::from_millis(5))?;
    std::thread::sleep(config.idle_hold);
    let rss = worker.rss()?;
    worker.terminate()?;
    Ok((rss.peak_kb, rss.current_kb))
}

fn loaded(config: &MemoryConfig, broker: &Broker) -> Result<MemoryRun> {
    let dir = tempfile::tempdir()?;
    let mut files = Vec::new();
    for i in 0..config.connectors {
        let name = format!("mem-{i}");
        let mut props: Vec<(String, String)> = vec![("name".into(), name.clone())];
        let mut connector = pipeline_connector(&format!("{name}-{}-in", suffix()), 100, 0);
        connector.insert("records.per.second".into(), config.rate.to_string());
        props.extend(connector);
        let path = dir.path().join(format!("{name}.properties"));
        write_properties(&path, &props)?;
        files.push(path);
    }
    let extra = vec![("offset.flush.interval.ms".to_string(), "1000".to_string())];
    let mut worker = WorkerProcess::spawn(
        &config.worker,
        dir.path(),
        broker.bootstrap(),
        &extra,
        &files,
    )?;
    worker.wait_rest(Duration::from_secs(60), Duration::from_millis(5))?;
    worker.wait_running(config.connectors, Duration::from_secs(120))?;
    let until = Instant::now() + config.loaded_hold;
    while Instant::now() < until {
        worker.rss()?;
        std::thread::sleep(Duration::from_millis(250));
    }
    let rss = worker.rss()?;
    worker.terminate()?;
    // After the graceful stop every connector's last offsets are in the file.
    let offsets = worker.offsets();
    let records_committed = offsets
        .iter()
        .filter_map(|(_, _, o)| o["seq"].as_u64())
        .map(|s| s + 1)
        .sum();
    Ok(MemoryRun {
        idle_peak_kb: 0,
        idle_current_kb: 0,
        loaded_peak_kb: rss.peak_kb,
        loaded_current_kb: rss.current_kb,
        connectors_delivering: offsets.len(),
        records_committed,
    })
}

fn suffix() -> String {
    connect_testkit::unique_suffix()
}

pub fn run(config: &MemoryConfig) -> Result<Vec<MemoryRun>> {
    let mut runs = Vec::new();
    for i in 0..config.runs {
        let broker = Broker::start()?;
        let (idle_peak_kb, idle_current_kb) =
            idle(config, &broker).with_context(|| format!("idle worker, run {i}"))?;
        let mut run = loaded(config, &broker)
            .with_context(|| format!("{} connectors, run {i}", config.connectors))?;
        if run.connectors_delivering < config.connectors {
            bail!(
                "only {} of {} connectors committed offsets",
                run.connectors_delivering,
                config.connectors
            );
        }
        run.idle_peak_kb = idle_peak_kb;
        run.idle_current_kb = idle_current_kb;
        tracing::info!(?run, "memory");
        runs.push(run);
    }
    Ok(runs)
}

pub fn report(runs: &[MemoryRun], config: &MemoryConfig) -> (Table, Vec<Verdict>) {
    let med =
        |f: fn(&MemoryRun) -> u64| median(&runs.iter().map(|r| f(r) as f64).collect::<Vec<_>>());
    let idle_peak = med(|r| r.idle_peak_kb);
    let loaded_peak = med(|r| r.loaded_peak_kb);
    let list = |f: fn(&MemoryRun) -> u64| {
        runs.iter()
            .map(|r| format!("{:.1}", f(r) as f64 / 1024.0))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let mut table = Table::new(
        "Memory (worker process)",
        &[
            "state",
            "peak RSS (VmHWM)",
            "RSS at end",
            "runs (peak MiB)",
            "target",
        ],
    );
    table.row(vec![
        "idle (no connectors)".into(),
        mib(idle_peak),
        mib(med(|r| r.idle_current_kb)),
        list(|r| r.idle_peak_kb),
        format!("< {IDLE_TARGET_MB:.0} MB (JVM worker: 256 MB-2 GB heap alone)"),
    ]);
    table.row(vec![
        format!("{} datagen connectors running", config.connectors),
        mib(loaded_peak),
        mib(med(|r| r.loaded_current_kb)),
        list(|r| r.loaded_peak_kb),
        format!("< {LOADED_TARGET_MB:.0} MB"),
    ]);
    let per_connector = (loaded_peak - idle_peak) / config.connectors.max(1) as f64;
    table.note(format!(
        "{} runs; idle watched {:?} after REST ready; loaded: {} connectors (one task and one \
         producer each, the throughput pipeline at {} records/s each, 100-byte payloads) \
         watched {:?} once all are RUNNING; about {} per connector above idle. Median \
         records committed per run: {:.0}.",
        config.runs,
        config.idle_hold,
        config.connectors,
        config.rate,
        config.loaded_hold,
        mib(per_connector),
        median(
            &runs
                .iter()
                .map(|r| r.records_committed as f64)
                .collect::<Vec<_>>()
        ),
    ));
    // MB here as the issue states them: MiB, the unit /proc reports in.
    let verdicts = vec![
        Verdict::new(
            "memory",
            format!("idle peak RSS < {IDLE_TARGET_MB:.0} MB"),
            mib(idle_peak),
            idle_peak < IDLE_TARGET_MB * 1024.0,
        ),
        Verdict::new(
            "memory",
            format!(
                "{} connectors peak RSS < {LOADED_TARGET_MB:.0} MB",
                config.connectors
            ),
            mib(loaded_peak),
            loaded_peak < LOADED_TARGET_MB * 1024.0,
        ),
    ];
    (table, verdicts)
}
