//! Every benchmark at a tiny scale, so that CI builds and exercises the code paths: each
//! must complete and report sane (positive) numbers. Timings are not judged here.
//!
//! The worker process is this package's own binary serving as the worker
//! (`TRIBUTARY_BENCH_AS_WORKER=1`), so no separate `tributary` build is needed.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use tributary_bench::broker::Broker;
use tributary_bench::throughput::{self, RecordTemplate, routed_topic};
use tributary_bench::{WorkerBin, connect, memory, sheets, startup, sustained};

fn worker() -> WorkerBin {
    WorkerBin {
        path: PathBuf::from(env!("CARGO_BIN_EXE_tributary-bench")),
        via_bench: true,
        extra_props: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throughput_runs_both_sides() -> Result<()> {
    let config = throughput::ThroughputConfig {
        runs: 1,
        records: 3_000,
        payloads: vec![100],
        tasks: 2,
        worker_props: Vec::new(),
    };
    let results = throughput::run(&config).await?;
    assert_eq!(results.len(), 1);
    let result = &results[0];
    assert!(result.pipeline_rps() > 0.0, "{result:?}");
    assert!(result.baseline_rps() > 0.0, "{result:?}");
    assert!(result.pipeline_mbps() > 0.0 && result.baseline_mbps() > 0.0);
    assert!(result.ratio() > 0.0);
    let (table, verdicts) = throughput::report(&results, &config);
    assert_eq!(table.rows.len(), 1);
    assert_eq!(verdicts.len(), 1);
    Ok(())
}

/// The baseline sends exactly the bytes the pipeline sends, and datagen is a verifiable
/// source: every sequence number once, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_baseline_sends_the_pipelines_bytes() -> Result<()> {
    const RECORDS: u64 = 2_000;
    let cluster = connect_testkit::KafkaCluster::start().await?;
    let broker = Broker::external(&cluster.bootstrap_servers())?;
    let in_topic = format!("{}-in", cluster.unique_topic("bytes"));
    let out_topic = routed_topic(&in_topic);
    let baseline_topic = cluster.unique_topic("baseline");
    cluster.create_topic(&out_topic, 1).await?;
    cluster.create_topic(&baseline_topic, 1).await?;

    let pipeline = throughput::run_pipeline(&broker, &in_topic, 100, RECORDS, 1, &[]).await?;
    let template = RecordTemplate::of_pipeline(&in_topic, 100)?;
    assert_eq!(template.topic, out_topic);
    let baseline = tokio::task::block_in_place(|| {
        throughput::run_baseline(&broker, &baseline_topic, &template, RECORDS)
    })?;
    assert_eq!(pipeline.bytes, baseline.bytes);

    let sent = cluster
        .consume_all(&out_topic, RECORDS as usize, Duration::from_secs(60))
        .await?;
    let raw = cluster
        .consume_all(&baseline_topic, RECORDS as usize, Duration::from_secs(60))
        .await?;
    assert_eq!(sent.len(), RECORDS as usize);
    assert_eq!(raw.len(), RECORDS as usize);
    let mut value = Vec::new();
    for (seq, (p, b)) in sent.iter().zip(&raw).enumerate() {
        let seq = seq as u64;
        template.value_into(seq, &mut value);
        assert_eq!(
            p.key.as_deref(),
            Some(seq.to_string().as_bytes()),
            "key {seq}"
        );
        assert_eq!(p.value.as_deref(), Some(&value[..]), "value {seq}");
        assert_eq!((&p.key, &p.value), (&b.key, &b.value), "record {seq}");
    }
    let total: u64 = sent
        .iter()
        .map(|r| (r.key.as_ref().map_or(0, Vec::len) + r.value.as_ref().map_or(0, Vec::len)) as u64)
        .sum();
    assert_eq!(total, pipeline.bytes);
    let json = sent[7].value_json()?.expect("a value");
    assert_eq!(json["payload"]["seq"], 7);
    assert_eq!(json["payload"]["source"], "datagen");
    assert_eq!(json["schema"]["name"], connect_datagen::VALUE_SCHEMA_NAME);
    Ok(())
}

/// Apache Kafka Connect and Tributary run the same FileStreamSource pipeline; the scenario
/// itself checks that each side delivered exactly every line, with the raw producer's bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_runs_kafka_connect_tributary_and_the_raw_producer() -> Result<()> {
    let config = connect::ConnectConfig {
        runs: 1,
        records: 2_000,
        line_sizes: vec![100],
        batch_size: 500,
        worker: worker(),
    };
    let results = connect::run(&config).await?;
    assert_eq!(results.lines.len(), 1);
    let line = &results.lines[0];
    assert_eq!(line.rounds.len(), 1);
    let round = &line.rounds[0];
    for run in [&round.kafka_connect, &round.tributary, &round.raw] {
        assert_eq!(run.records, 2_000, "{run:?}");
        assert!(run.records_per_sec() > 0.0, "{run:?}");
        assert!(run.first_record_ms > 0.0, "{run:?}");
        assert!(run.cpu_seconds.is_some_and(|c| c >= 0.0), "{run:?}");
    }
    for run in [&round.kafka_connect, &round.tributary] {
        let rest = run.rest_ms.expect("REST ready");
        assert!(rest > 0.0 && rest <= run.first_record_ms, "{run:?}");
        assert!(run.peak_rss_kb.is_some_and(|kb| kb > 0), "{run:?}");
    }
    assert!(
        line.sample_value
            .contains(r#""payload":{"line":"000000000000-"#)
            && line.sample_value.ends_with(r#","source":"bench"}}"#),
        "{}",
        line.sample_value
    );
    assert!(
        results.kafka_connect_root.contains(&results.kafka_version),
        "{}",
        results.kafka_connect_root
    );
    let (table, verdicts) = connect::report(&results, &config);
    assert_eq!(table.rows.len(), 3);
    assert_eq!(verdicts.len(), 5);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn startup_measures_rest_and_first_record() -> Result<()> {
    let config = startup::StartupConfig {
        runs: 1,
        worker: worker(),
    };
    let runs = startup::run(&config).await?;
    assert_eq!(runs.len(), 1);
    assert!(runs[0].rest_ms > 0.0, "{runs:?}");
    assert!(runs[0].first_record_ms > 0.0, "{runs:?}");
    let (table, verdicts) = startup::report(&runs, &config);
    assert_eq!(table.rows.len(), 2);
    assert_eq!(verdicts.len(), 1);
    Ok(())
}

#[test]
fn memory_measures_idle_and_loaded_workers() -> Result<()> {
    let config = memory::MemoryConfig {
        runs: 1,
        worker: worker(),
        connectors: 2,
        rate: 50,
        idle_hold: Duration::from_millis(200),
        loaded_hold: Duration::from_secs(1),
    };
    let runs = memory::run(&config)?;
    let run = runs[0];
    assert!(run.idle_peak_kb > 0 && run.loaded_peak_kb > 0, "{run:?}");
    assert_eq!(run.connectors_delivering, 2, "{run:?}");
    assert!(run.records_committed > 0, "{run:?}");
    let (table, verdicts) = memory::report(&runs, &config);
    assert_eq!(table.rows.len(), 2);
    assert_eq!(verdicts.len(), 2);
    Ok(())
}

#[test]
fn sheets_ingest_is_measured() -> Result<()> {
    let config = sheets::SheetsConfig {
        runs: 1,
        worker: worker(),
        sizes: vec![250, 1_000],
    };
    let fixture = sheets::SheetsFixture::new(&config.sizes)?;
    let runs = sheets::run(&config, &fixture)?;
    assert_eq!(runs.len(), 2);
    for run in &runs {
        assert!(run.rows_per_sec() > 0.0, "{run:?}");
        assert!(run.sheet_reads > 0 && run.response_bytes > 0, "{run:?}");
        assert!(run.floor() >= 1 && run.peak_rss_kb > 0, "{run:?}");
    }
    let (table, verdicts) = sheets::report(&runs, &config);
    assert_eq!(table.rows.len(), 2);
    assert_eq!(verdicts.len(), 3);
    Ok(())
}

#[test]
fn a_short_sustained_run_samples_memory() -> Result<()> {
    let config = sustained::SustainedConfig {
        worker: worker(),
        duration: Duration::from_secs(3),
        rate: 200,
        payload: 100,
        sample_every: Duration::from_millis(500),
    };
    let run = sustained::run(&config)?;
    assert!(run.samples.len() >= 5, "{run:?}");
    assert!(run.samples.iter().all(|s| s.1 > 0), "{run:?}");
    assert!(run.records_committed > 0, "{run:?}");
    let (table, verdicts) = sustained::report(&run, &config);
    assert_eq!(table.rows.len(), 1);
    assert_eq!(verdicts.len(), 1);
    Ok(())
}

#[test]
fn a_throttled_broker_ingest_compares_the_bounds() -> Result<()> {
    let config = sheets::ThrottledConfig {
        sheets: sheets::SheetsConfig {
            runs: 1,
            worker: worker(),
            sizes: vec![250, 1_000],
        },
        bytes_per_sec: 512 * 1024,
        buffer_memory: 64 * 1024,
    };
    let fixture = sheets::SheetsFixture::new(&config.sheets.sizes)?;
    let runs = sheets::run_throttled(&config, &fixture)?;
    assert_eq!(runs.len(), 4);
    for throttled in &runs {
        assert!(
            throttled.run.seconds > 0.0 && throttled.run.peak_rss_kb > 0,
            "{throttled:?}"
        );
    }
    let (table, verdicts) = sheets::report_throttled(&runs, &config);
    assert_eq!(table.rows.len(), 2);
    assert_eq!(verdicts.len(), 1);
    Ok(())
}
