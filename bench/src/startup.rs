//! Start-up: from spawning `tributary standalone` to its REST API answering `GET /`, and to
//! the first datagen record delivered (acknowledged by Kafka).
//!
//! `GET /` is probed over a plain socket every half millisecond. Delivery is read from the
//! worker's offsets file, flushed every 5 ms: a record's offset is committed only once Kafka
//! acknowledged it, so the first `{"seq": ...}` in the file marks the first delivery (late
//! by at most the flush interval and the file write).
//!
//! A consumer is not used, so that the figure does not include a consumer's own fetch and
//! metadata latency (it was also stalled for 100-300 ms by the CreateTopics the worker sends
//! before its first record on the Tansu broker the benchmarks first ran on).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::broker::Broker;
use crate::process::{WorkerBin, WorkerProcess, write_properties};
use crate::report::{Table, Verdict, median};
use crate::throughput::{pipeline_connector, routed_topic};

/// The REST readiness target, in milliseconds.
pub const REST_TARGET_MS: f64 = 50.0;

#[derive(Clone, Debug)]
pub struct StartupConfig {
    pub runs: usize,
    pub worker: WorkerBin,
}

/// One start.
#[derive(Clone, Copy, Debug, Default)]
pub struct StartupRun {
    pub rest_ms: f64,
    pub first_record_ms: f64,
}

/// One start of the worker with a datagen connector.
pub async fn run_once(config: &StartupConfig) -> Result<StartupRun> {
    let broker = tokio::task::block_in_place(Broker::start)?;
    let base = format!("startup-{}", connect_testkit::unique_suffix());
    let in_topic = format!("{base}-in");
    let out_topic = routed_topic(&in_topic);
    broker
        .create_topics(std::slice::from_ref(&out_topic), 1)
        .await?;
    let dir = tempfile::tempdir()?;
    let connector = dir.path().join("datagen.properties");
    let mut props: Vec<(String, String)> = vec![("name".into(), "startup".into())];
    let mut config_props = pipeline_connector(&in_topic, 100, 0);
    config_props.insert("records.per.second".into(), "1000".into());
    props.extend(config_props);
    write_properties(&connector, &props)?;
    tokio::task::block_in_place(|| -> Result<StartupRun> {
        let extra = vec![("offset.flush.interval.ms".to_string(), "5".to_string())];
        let mut worker = WorkerProcess::spawn(
            &config.worker,
            dir.path(),
            broker.bootstrap(),
            &extra,
            &[PathBuf::from(&connector)],
        )?;
        let rest = worker.wait_rest(Duration::from_secs(30), Duration::from_micros(500))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        let first = loop {
            if worker
                .offsets()
                .iter()
                .any(|(c, _, o)| c == "startup" && o["seq"].is_u64())
            {
                break Instant::now();
            }
            if Instant::now() > deadline {
                anyhow::bail!(
                    "no record delivered within 30 s; log:\n{}",
                    worker.log_text()
                );
            }
            std::thread::sleep(Duration::from_micros(500));
        };
        worker.terminate()?;
        Ok(StartupRun {
            rest_ms: (rest - worker.spawned_at).as_secs_f64() * 1000.0,
            first_record_ms: (first - worker.spawned_at).as_secs_f64() * 1000.0,
        })
    })
    .context("starting the worker")
}

pub async fn run(config: &StartupConfig) -> Result<Vec<StartupRun>> {
    let mut runs = Vec::new();
    for i in 0..config.runs {
        let run = run_once(config)
            .await
            .with_context(|| format!("start-up run {i}"))?;
        tracing::info!(
            rest_ms = run.rest_ms,
            first_ms = run.first_record_ms,
            "start-up"
        );
        runs.push(run);
    }
    Ok(runs)
}

pub fn report(runs: &[StartupRun], config: &StartupConfig) -> (Table, Vec<Verdict>) {
    let rest: Vec<f64> = runs.iter().map(|r| r.rest_ms).collect();
    let first: Vec<f64> = runs.iter().map(|r| r.first_record_ms).collect();
    let rest_median = median(&rest);
    let first_median = median(&first);
    let mut table = Table::new(
        "Start-up (process spawn -> ...)",
        &["milestone", "median", "runs", "target", "ratio to target"],
    );
    let list = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:.1}"))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    table.row(vec![
        "REST `GET /` answers 200".into(),
        format!("{rest_median:.1} ms"),
        list(&rest),
        format!("< {REST_TARGET_MS:.0} ms (Apache Kafka Connect: seconds)"),
        format!("{:.2}", rest_median / REST_TARGET_MS),
    ]);
    table.row(vec![
        "first datagen record delivered (acknowledged)".into(),
        format!("{first_median:.1} ms"),
        list(&first),
        "-".into(),
        "-".into(),
    ]);
    table.note(format!(
        "{} runs of {}; broker: {}; the worker runs the throughput \
         pipeline's connector (1,000 records/s) from a properties file.",
        config.runs,
        config.worker.describe(),
        Broker::describe()
    ));
    let verdicts = vec![Verdict::new(
        "startup",
        format!("REST ready < {REST_TARGET_MS:.0} ms"),
        format!("{rest_median:.1} ms"),
        rest_median < REST_TARGET_MS,
    )];
    (table, verdicts)
}
