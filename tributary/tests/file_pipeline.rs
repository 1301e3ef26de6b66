//! End to end: `tributary standalone` with the file connectors against a real broker,
//! read back by an independent client, through crashes and graceful restarts.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context, Result};
use common::*;
use connect_testkit::KafkaCluster;

const LINES: usize = 100_000;

async fn topic_count(cluster: &KafkaCluster, topic: &str) -> i64 {
    cluster
        .end_offsets(topic)
        .await
        .map(|o| o.values().sum())
        .unwrap_or(0)
}

/// A FileStreamSource in a worker of its own whose first `lines` lines are in Kafka.
struct SourceRun {
    cluster: KafkaCluster,
    dir: tempfile::TempDir,
    input: std::path::PathBuf,
    topic: String,
    name: String,
    worker: WorkerProcess,
}

impl SourceRun {
    async fn start(
        cluster: KafkaCluster,
        name: &str,
        lines: usize,
        settings: &[(&str, String)],
    ) -> Result<SourceRun> {
        let dir = tempfile::tempdir()?;
        let input = dir.path().join("input.txt");
        append_lines(&input, 0, lines)?;
        let topic = cluster.unique_topic(name);
        cluster.create_topic(&topic, 1).await?;
        let source = source_config(&dir.path().join("source.properties"), name, &input, &topic)?;
        let worker = WorkerProcess::start(
            dir.path(),
            &cluster.bootstrap_servers(),
            settings,
            vec![source],
        )
        .await?;
        let run = SourceRun {
            cluster,
            dir,
            input,
            topic,
            name: name.to_string(),
            worker,
        };
        run.wait_for_topic(lines).await?;
        Ok(run)
    }

    async fn wait_for_topic(&self, lines: usize) -> Result<()> {
        connect_testkit::wait_until(
            Duration::from_secs(120),
            Duration::from_millis(50),
            || async { topic_count(&self.cluster, &self.topic).await >= lines as i64 },
        )
        .await
        .with_context(|| {
            format!(
                "{lines} lines in {}; log:\n{}",
                self.topic,
                self.worker.log_text()
            )
        })
    }

    /// Waits until the task has polled `lines` lines in all.
    async fn wait_until_polled(&self, lines: usize) -> Result<()> {
        connect_testkit::wait_until(
            Duration::from_secs(60),
            Duration::from_millis(50),
            || async {
                let Ok((_, metrics)) = self.worker.get_text("/metrics").await else {
                    return false;
                };
                metric(&metrics, "tributary_source_records_polled_total") >= lines as f64
            },
        )
        .await
        .with_context(|| format!("{lines} lines polled; log:\n{}", self.worker.log_text()))
    }

    /// Waits until `/health` answers `code`; returns its answer.
    async fn wait_for_health(&self, code: u16) -> Result<serde_json::Value> {
        connect_testkit::wait_for(
            Duration::from_secs(120),
            Duration::from_millis(100),
            || async {
                let (answered, health) = self.worker.get_json("/health").await?;
                Ok((answered == code).then_some(health))
            },
        )
        .await
        .with_context(|| format!("/health {code}; log:\n{}", self.worker.log_text()))
    }
}

/// The sum of a metric's samples (all label sets) in a `/metrics` answer.
fn metric(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with([' ', '{']))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_thousand_lines_flow_source_to_sink_into_an_identical_file() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("input.txt");
    let output = dir.path().join("output.txt");
    append_lines(&input, 0, LINES)?;
    let topic = cluster.unique_topic("file-pipeline");
    let source = source_config(
        &dir.path().join("source.properties"),
        "file-source",
        &input,
        &topic,
    )?;
    let sink = sink_config(
        &dir.path().join("sink.properties"),
        "file-sink",
        &output,
        &topic,
    )?;
    let worker = WorkerProcess::start(
        dir.path(),
        &cluster.bootstrap_servers(),
        &[("offset.flush.interval.ms", "1000".to_string())],
        vec![source, sink],
    )
    .await?;

    let expected = std::fs::read(&input)?;
    let done = connect_testkit::wait_until(
        Duration::from_secs(180),
        Duration::from_millis(200),
        || async {
            std::fs::metadata(&output)
                .map(|m| m.len() >= expected.len() as u64)
                .unwrap_or(false)
        },
    )
    .await;
    if done.is_err() {
        anyhow::bail!(
            "sink wrote {} of {} bytes; log:\n{}",
            std::fs::metadata(&output).map(|m| m.len()).unwrap_or(0),
            expected.len(),
            worker.log_text()
        );
    }
    // Let the sink finish its final flush of the last buffer, then compare.
    connect_testkit::wait_until(Duration::from_secs(30), Duration::from_millis(100), || async {
        std::fs::read(&output).map(|b| b == expected).unwrap_or(false)
    })
    .await
    .with_context(|| {
        let got = std::fs::read_to_string(&output).unwrap_or_default();
        let want = String::from_utf8_lossy(&expected).into_owned();
        let first_diff = got.lines().zip(want.lines()).position(|(a, b)| a != b);
        format!(
            "the sink's file differs from the source file: {} lines written, {} expected, first difference at line {first_diff:?}; log:\n{}",
            got.lines().count(),
            want.lines().count(),
            worker.log_text()
        )
    })?;

    // The topic holds exactly one record per line, in order, as an independent client sees it.
    let records = connect_testkit::consume_with_python(
        &cluster.bootstrap_servers(),
        &topic,
        LINES,
        Duration::from_secs(120),
    )
    .await?;
    assert_eq!(records.len(), LINES);
    for (i, record) in records.iter().enumerate() {
        assert_eq!(
            record.value_str().as_deref(),
            Some(line(i).as_str()),
            "record {i}"
        );
        assert_eq!(record.key, None, "FileStreamSource writes no key");
    }
    assert_eq!(topic_count(&cluster, &topic).await, LINES as i64);

    let (code, status) = worker.get_json("/connectors/file-source/status").await?;
    assert_eq!(code, 200);
    assert_eq!(status["connector"]["state"], "RUNNING");
    assert_eq!(status["tasks"][0]["state"], "RUNNING");
    assert_eq!(status["type"], "source");
    let (_, offsets) = worker.get_json("/connectors/file-source/offsets").await?;
    assert_eq!(
        offsets["offsets"][0]["partition"]["filename"],
        input.display().to_string()
    );
    Ok(())
}

/// Reads the committed position of the source from the offsets file.
fn committed_position(dir: &std::path::Path) -> Result<u64> {
    let text = std::fs::read_to_string(dir.join("connect.offsets")).context("offsets file")?;
    let json: serde_json::Value =
        serde_json::from_str(&text).context("the offsets file must be valid JSON")?;
    let position = json["offsets"][0]["value"]["position"]
        .as_u64()
        .context("position")?;
    Ok(position)
}

const LINE_BYTES: u64 = 39; // "line-0000000 the quick brown fox jumps\n"

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_stream_loses_nothing_and_duplicates_only_after_the_last_flush() -> Result<()> {
    assert_eq!(line(0).len() as u64 + 1, LINE_BYTES);
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("input.txt");
    append_lines(&input, 0, LINES)?;
    let topic = cluster.unique_topic("crash");
    let source = source_config(
        &dir.path().join("source.properties"),
        "crash-source",
        &input,
        &topic,
    )?;
    let mut worker = WorkerProcess::start(
        dir.path(),
        &cluster.bootstrap_servers(),
        &[
            ("offset.flush.interval.ms", "100".to_string()),
            // Slow the source down so that the kill lands mid-stream.
            ("producer.linger.ms", "50".to_string()),
        ],
        vec![source],
    )
    .await?;
    // Kill once some, but not all, lines are in Kafka and at least one flush happened.
    connect_testkit::wait_until(
        Duration::from_secs(120),
        Duration::from_millis(10),
        || async {
            topic_count(&cluster, &topic).await >= 1 && committed_position(dir.path()).is_ok()
        },
    )
    .await
    .context("no records or no offsets before the kill")?;
    worker.kill()?;
    // Requests the broker received before the kill may still be landing: wait until the
    // count is stable.
    let mut before_restart = topic_count(&cluster, &topic).await as usize;
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = topic_count(&cluster, &topic).await as usize;
        if now == before_restart {
            break;
        }
        before_restart = now;
    }
    let flushed_lines = (committed_position(dir.path())? / LINE_BYTES) as usize;
    assert!(
        flushed_lines <= before_restart,
        "offsets never run ahead of what Kafka acknowledged"
    );

    worker.spawn().await?;
    worker
        .wait_for_state("crash-source", "RUNNING", Duration::from_secs(30))
        .await?;
    let expected_total = before_restart + (LINES - flushed_lines);
    connect_testkit::wait_until(
        Duration::from_secs(180),
        Duration::from_millis(100),
        || async { topic_count(&cluster, &topic).await as usize >= expected_total },
    )
    .await
    .with_context(|| {
        format!(
            "expected {expected_total} records; log:\n{}",
            worker.log_text()
        )
    })?;

    let records = cluster
        .consume_to_end(&topic, Duration::from_secs(120))
        .await?;
    assert_eq!(
        records.len(),
        expected_total,
        "exactly the replayed window is sent again"
    );
    let mut seen: HashMap<usize, usize> = HashMap::new();
    for record in &records {
        let value = record.value_str().context("value")?;
        *seen
            .entry(index_of(&value).context("line index")?)
            .or_default() += 1;
    }
    for i in 0..LINES {
        let count = seen.get(&i).copied().unwrap_or(0);
        assert!(count >= 1, "line {i} was lost");
        if i < flushed_lines {
            assert_eq!(
                count, 1,
                "line {i} was before the last flush and must not repeat"
            );
        }
    }
    // The offsets file is whole and now points at the end of the input.
    let position = connect_testkit::wait_for(
        Duration::from_secs(30),
        Duration::from_millis(100),
        || async {
            let p = committed_position(dir.path())?;
            Ok((p == LINES as u64 * LINE_BYTES).then_some(p))
        },
    )
    .await?;
    assert_eq!(position, LINES as u64 * LINE_BYTES);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_stop_and_restart_sends_nothing_twice() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("input.txt");
    append_lines(&input, 0, 20_000)?;
    let topic = cluster.unique_topic("graceful");
    let source = source_config(
        &dir.path().join("source.properties"),
        "graceful-source",
        &input,
        &topic,
    )?;
    // A long flush interval: only the graceful stop's final flush can save the offsets.
    let mut worker = WorkerProcess::start(
        dir.path(),
        &cluster.bootstrap_servers(),
        &[("offset.flush.interval.ms", "600000".to_string())],
        vec![source],
    )
    .await?;
    connect_testkit::wait_until(
        Duration::from_secs(120),
        Duration::from_millis(50),
        || async { topic_count(&cluster, &topic).await >= 20_000 },
    )
    .await
    .with_context(|| format!("first batch; log:\n{}", worker.log_text()))?;
    let status = worker.terminate().await?;
    assert!(
        status.success(),
        "SIGTERM exits 0, got {status}; log:\n{}",
        worker.log_text()
    );
    assert_eq!(committed_position(dir.path())?, 20_000 * LINE_BYTES);

    append_lines(&input, 20_000, 5_000)?;
    worker.spawn().await?;
    connect_testkit::wait_until(
        Duration::from_secs(120),
        Duration::from_millis(50),
        || async { topic_count(&cluster, &topic).await >= 25_000 },
    )
    .await
    .with_context(|| format!("second batch; log:\n{}", worker.log_text()))?;
    let records = cluster
        .consume_to_end(&topic, Duration::from_secs(60))
        .await?;
    let values: Vec<String> = records.iter().filter_map(|r| r.value_str()).collect();
    let expected: Vec<String> = (0..25_000).map(line).collect();
    assert_eq!(
        values.len(),
        25_000,
        "no duplicates after a graceful restart"
    );
    assert_eq!(values, expected);
    Ok(())
}

/// A worker stopped while Kafka does not acknowledge its records (here a broker frozen
/// with SIGSTOP: connected, silent) waits for the graceful timeout, then says what becomes
/// of those records (sent again from the last committed offset after the restart), so that
/// an operator is not alarmed by "cancelled".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_that_times_out_says_the_unacknowledged_records_are_sent_again() -> Result<()> {
    let settings = [("task.shutdown.graceful.timeout.ms", "1000".to_string())];
    let cluster = KafkaCluster::start_dedicated().await?;
    let mut run = SourceRun::start(cluster, "stop-timeout", 1_000, &settings).await?;
    run.cluster.pause_broker()?;
    append_lines(&run.input, 1_000, 1_000)?;
    // Polled, so in flight and unacknowledged.
    run.wait_until_polled(2_000).await?;
    let status = run.worker.terminate().await?;
    run.cluster.resume_broker()?;
    let log = run.worker.log_text();
    assert!(status.success(), "{status}; log:\n{log}");
    assert!(
        log.lines().any(|l| l.contains("did not stop in time")
            && l.contains("again from its last committed offset")),
        "{log}"
    );
    Ok(())
}

/// During a broker outage a stopping task does not wait for acknowledgements that cannot
/// come: a restart through REST answers at once instead of after the graceful timeout, and
/// the log says the records in flight are sent again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_during_an_outage_does_not_wait_for_acknowledgements() -> Result<()> {
    let settings = [("task.shutdown.graceful.timeout.ms", "3000".to_string())];
    let cluster = KafkaCluster::start_dedicated().await?;
    let mut run = SourceRun::start(cluster, "outage-restart", 100, &settings).await?;
    run.cluster.kill_broker()?;
    append_lines(&run.input, 100, 100)?;
    // The outage is seen and the new lines are in flight.
    run.wait_for_health(500).await?;
    run.wait_until_polled(200).await?;
    let url = format!(
        "{}/connectors/{}/restart?includeTasks=true",
        run.worker.rest, run.name
    );
    // Twice: the second stop meets a task that is still learning its topic from Kafka.
    for _ in 0..2 {
        let (code, body) = http("POST", url.clone(), None).await?;
        assert!(code == 202 || code == 204, "{code} {body}");
        run.worker
            .wait_for_state(&run.name, "RUNNING", Duration::from_secs(30))
            .await?;
    }
    let log = run.worker.log_text();
    assert!(
        log.contains("Kafka is unreachable: not waiting for the records in flight"),
        "{log}"
    );
    assert!(!log.contains("did not stop in time"), "{log}");
    Ok(())
}

async fn wait_until_healthy(worker: &WorkerProcess) -> Result<()> {
    connect_testkit::wait_until(
        Duration::from_secs(60),
        Duration::from_millis(50),
        || async {
            worker
                .get_json("/health")
                .await
                .is_ok_and(|(code, _)| code == 200)
        },
    )
    .await
    .with_context(|| format!("/health; log:\n{}", worker.log_text()))
}

/// A connector file given on the command line is applied when it differs from the stored
/// config, not at every start: an unchanged file leaves the connector as stored (no second
/// start of its task, no rewrite of the config file, which a full disk would refuse); a
/// changed file is applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_connector_file_is_not_applied_again_at_start() -> Result<()> {
    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("input.txt");
    append_lines(&input, 0, 10)?;
    let topic = cluster.unique_topic("unchanged");
    let properties = dir.path().join("source.properties");
    let source = source_config(&properties, "unchanged-source", &input, &topic)?;
    let mut worker =
        WorkerProcess::start(dir.path(), &cluster.bootstrap_servers(), &[], vec![source]).await?;
    worker
        .wait_for_state("unchanged-source", "RUNNING", Duration::from_secs(60))
        .await?;
    let stored = dir.path().join("connect.offsets.connectors.json");
    let written_at = std::fs::metadata(&stored)?.modified()?;
    let exit = worker.terminate().await?;
    assert!(exit.success(), "{}", worker.log_text());

    worker.spawn().await?;
    // /health answers 200 once the command-line connectors are applied.
    wait_until_healthy(&worker).await?;
    let log = worker.log_text();
    let count = |needle: &str| log.lines().filter(|l| l.contains(needle)).count();
    assert_eq!(count("created connector from the command line"), 1, "{log}");
    assert_eq!(count("from the command line is unchanged"), 1, "{log}");
    // Once per run: the stored connector's task, never stopped and started again.
    assert_eq!(count("source task started"), 2, "{log}");
    assert_eq!(std::fs::metadata(&stored)?.modified()?, written_at);
    worker.terminate().await?;

    // A changed file is applied.
    source_config(
        &properties,
        "unchanged-source",
        &input,
        &format!("{topic}-2"),
    )?;
    worker.spawn().await?;
    // /health answers 200 once the command-line connectors are applied.
    wait_until_healthy(&worker).await?;
    let log = worker.log_text();
    assert_eq!(
        log.lines()
            .filter(|l| l.contains("created connector from the command line"))
            .count(),
        2,
        "{log}"
    );
    let (_, config) = worker
        .get_json("/connectors/unchanged-source/config")
        .await?;
    assert_eq!(config["topic"], format!("{topic}-2"), "{config}");
    Ok(())
}

/// A broker outage is visible: logged once when it starts and once when it ends (with its
/// length), counted in /metrics, and reported by /health (500 "unhealthy") while it lasts;
/// the records read meanwhile arrive once the broker is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_outage_is_logged_counted_and_reported_by_health() -> Result<()> {
    let settings = [("offset.flush.interval.ms", "500".to_string())];
    let cluster = KafkaCluster::start_dedicated().await?;
    let mut run = SourceRun::start(cluster, "outage", 100, &settings).await?;
    let health = run.wait_for_health(200).await?;
    assert_eq!(health["status"], "healthy");

    run.cluster.kill_broker()?;
    append_lines(&run.input, 100, 100)?;
    let health = run.wait_for_health(500).await?;
    assert_eq!(health["status"], "unhealthy", "{health}");
    let message = health["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Cannot reach the Kafka cluster at")
            && message.contains(&run.cluster.bootstrap_servers()),
        "{message}"
    );
    let (_, metrics) = run.worker.get_text("/metrics").await?;
    assert_eq!(
        metric(&metrics, "tributary_kafka_reachable"),
        0.0,
        "{metrics}"
    );
    assert_eq!(
        metric(&metrics, "tributary_kafka_outages_total"),
        1.0,
        "{metrics}"
    );
    // The task's status does not change: it keeps its records and retries.
    let (_, status) = run
        .worker
        .get_json(&format!("/connectors/{}/status", run.name))
        .await?;
    assert_eq!(status["tasks"][0]["state"], "RUNNING", "{status}");

    run.cluster.restart_broker().await?;
    run.wait_for_health(200).await?;
    let (_, metrics) = run.worker.get_text("/metrics").await?;
    assert_eq!(
        metric(&metrics, "tributary_kafka_reachable"),
        1.0,
        "{metrics}"
    );
    run.wait_for_topic(200).await?;
    let log = run.worker.log_text();
    let count = |needle: &str| log.lines().filter(|l| l.contains(needle)).count();
    assert_eq!(
        count("cannot reach Kafka: all brokers are down"),
        1,
        "{log}"
    );
    assert_eq!(count("reached Kafka again"), 1, "{log}");
    Ok(())
}

/// Offsets that cannot be stored (here the temporary file's path is taken by a directory;
/// on a full disk the cause reads "No space left on device") make /health unhealthy with
/// the cause, until a flush succeeds again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offsets_that_cannot_be_stored_make_the_worker_unhealthy_with_the_cause() -> Result<()> {
    let settings = [("offset.flush.interval.ms", "200".to_string())];
    let cluster = KafkaCluster::start().await?;
    let run = SourceRun::start(cluster, "unstorable", 10, &settings).await?;
    let pid = run.worker.pid().context("the worker's pid")?;
    let blocker = run.dir.path().join(format!(".connect.offsets.tmp-{pid}"));
    std::fs::create_dir(&blocker)?;
    append_lines(&run.input, 10, 10)?;
    let health = run.wait_for_health(500).await?;
    let message = health["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Source offsets cannot be stored")
            && message.contains("connect.offsets")
            && message.contains("Is a directory"),
        "{message}"
    );
    std::fs::remove_dir(&blocker)?;
    run.wait_for_health(200).await?;
    Ok(())
}

/// A stop that finds the producer's queue full (here `producer.buffer.memory` holds a few
/// records and the broker is down) ends at once: the records not handed over are sent again
/// after the restart, as their offsets were not committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_with_a_full_producer_queue_during_an_outage_is_prompt() -> Result<()> {
    let settings = [
        ("producer.buffer.memory", "1024".to_string()),
        ("task.shutdown.graceful.timeout.ms", "3000".to_string()),
    ];
    let cluster = KafkaCluster::start_dedicated().await?;
    let mut run = SourceRun::start(cluster, "full-queue", 10, &settings).await?;
    run.cluster.kill_broker()?;
    append_lines(&run.input, 10, 2_000)?;
    run.wait_for_health(500).await?;
    run.wait_until_polled(100).await?;
    let status = run.worker.terminate().await?;
    let log = run.worker.log_text();
    assert!(status.success(), "{status}; log:\n{log}");
    assert!(!log.contains("did not stop in time"), "{log}");
    assert!(log.contains("source task stopped"), "{log}");
    Ok(())
}
