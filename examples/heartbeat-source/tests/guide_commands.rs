//! The guide's commands (docs/guides/writing-a-connector.md, 4.6 and 4.7) against a real
//! broker: the example's worker binary runs with the guide's config files, and the REST
//! calls are the guide's curl commands, made with ureq. Only what must differ on a test
//! machine is changed: the broker address, the REST port, the offsets file and the topic
//! names (unique, so the test can share a cluster).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use connect_testkit::{KafkaCluster, Record};
use serde_json::{Value, json};

const CRATE_DIR: &str = env!("CARGO_MANIFEST_DIR");
const WAIT: Duration = Duration::from_secs(60);

/// The guide's REST calls, word for word (checked against the guide below).
const VALIDATE: &str = "jq .config examples/heartbeat-source/config/heartbeat-source.json | curl -s -X PUT -H 'Content-Type: application/json' -d @- http://localhost:8083/connector-plugins/HeartbeatSourceConnector/config/validate";
const CREATE: &str = "curl -s -X POST -H 'Content-Type: application/json' -d @examples/heartbeat-source/config/heartbeat-source.json http://localhost:8083/connectors";
const STATUS: &str = "curl -s http://localhost:8083/connectors/heartbeat-rest/status";
const RUN: &str = "cargo run -p heartbeat-source -- standalone examples/heartbeat-source/config/worker.properties examples/heartbeat-source/config/heartbeat-source.properties";
/// More of the guide's commands, which the test makes too.
const ALSO_IN_THE_GUIDE: [&str; 4] = [
    "jq '.config + {\"interval.ms\": \"5\"}' examples/heartbeat-source/config/heartbeat-source.json",
    "curl -X PUT localhost:8083/connectors/heartbeat/stop",
    "curl -X DELETE localhost:8083/connectors/heartbeat/offsets",
    "curl -X PUT localhost:8083/connectors/heartbeat/resume",
];

fn config_file(name: &str) -> Result<String> {
    let path = Path::new(CRATE_DIR).join("config").join(name);
    std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
}

/// `text` with the line `key=...` replaced by `key=value`; fails if there is no such line,
/// so a guide config that loses a key the test relies on is noticed.
fn set_property(text: &str, key: &str, value: &str) -> Result<String> {
    let prefix = format!("{key}=");
    ensure!(
        text.lines().any(|line| line.starts_with(&prefix)),
        "no {key}= line in:\n{text}"
    );
    Ok(text
        .lines()
        .map(|line| {
            if line.starts_with(&prefix) {
                format!("{prefix}{value}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect())
}

/// The example's worker binary, with its log in a file; killed when dropped.
struct Worker {
    child: Option<Child>,
    args: Vec<PathBuf>,
    log: PathBuf,
    rest: String,
}

impl Worker {
    async fn start(args: Vec<PathBuf>, log: PathBuf, rest: String) -> Result<Worker> {
        let mut worker = Worker {
            child: None,
            args,
            log,
            rest,
        };
        worker.spawn().await?;
        Ok(worker)
    }

    /// `heartbeat-worker standalone <args>`, then waits for the REST API.
    async fn spawn(&mut self) -> Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let child = Command::new(env!("CARGO_BIN_EXE_heartbeat-worker"))
            .arg("standalone")
            .args(&self.args)
            .env("RUST_LOG", "info,librdkafka=warn,rdkafka=warn")
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .context("spawning heartbeat-worker")?;
        self.child = Some(child);
        let root = format!("{}/", self.rest);
        let up = connect_testkit::wait_for(WAIT, Duration::from_millis(50), || {
            let root = root.clone();
            async move { Ok(http("GET", &root, None).await.ok().map(|_| ())) }
        })
        .await;
        if up.is_err() {
            bail!("the REST API did not come up; log:\n{}", self.log_text());
        }
        Ok(())
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM (what Ctrl-C does), and the exit status.
    async fn terminate(&mut self) -> Result<ExitStatus> {
        let mut child = self.child.take().context("the worker is not running")?;
        let kill = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()?;
        ensure!(kill.success(), "kill -TERM failed");
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(status);
            }
            if std::time::Instant::now() > deadline {
                child.kill()?;
                bail!(
                    "no exit within {WAIT:?} of SIGTERM; log:\n{}",
                    self.log_text()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One HTTP exchange: the status and the JSON body (`null` when there is none).
async fn http(method: &str, url: &str, body: Option<Value>) -> Result<(u16, Value)> {
    let (method, url) = (method.to_owned(), url.to_owned());
    tokio::task::spawn_blocking(move || -> Result<(u16, Value)> {
        let mut response = match (method.as_str(), body) {
            ("GET", None) => ureq::get(&url)
                .config()
                .http_status_as_error(false)
                .build()
                .call()?,
            ("DELETE", None) => ureq::delete(&url)
                .config()
                .http_status_as_error(false)
                .build()
                .call()?,
            ("PUT", None) => ureq::put(&url)
                .config()
                .http_status_as_error(false)
                .build()
                .send_empty()?,
            ("PUT", Some(body)) => ureq::put(&url)
                .config()
                .http_status_as_error(false)
                .build()
                .send_json(&body)?,
            ("POST", Some(body)) => ureq::post(&url)
                .config()
                .http_status_as_error(false)
                .build()
                .send_json(&body)?,
            (method, _) => bail!("no such call in the guide: {method} {url}"),
        };
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string()?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    })
    .await?
}

/// The sequence numbers of `records` by key, in the order read.
fn sequences(
    records: &[Record],
    payload: impl Fn(&Value) -> Option<i64>,
) -> Result<Vec<(String, i64)>> {
    records
        .iter()
        .map(|record| {
            let key = record.key_str().context("a heartbeat has a key")?;
            let value = record.value_json()?.context("a heartbeat has a value")?;
            let seq = payload(&value).with_context(|| format!("unexpected value {value}"))?;
            Ok((key, seq))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guides_commands_work_against_a_real_broker() -> Result<()> {
    let guide = std::fs::read_to_string(
        Path::new(CRATE_DIR).join("../../docs/guides/writing-a-connector.md"),
    )?;
    for command in [RUN, VALIDATE, CREATE, STATUS]
        .iter()
        .chain(&ALSO_IN_THE_GUIDE)
    {
        ensure!(
            guide.contains(command),
            "the guide no longer shows `{command}`"
        );
    }

    let cluster = KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let port = connect_testkit::free_port()?;
    let rest = format!("http://127.0.0.1:{port}");

    // 4.6: the guide's worker.properties, pointed at the test broker.
    let mut worker_properties = config_file("worker.properties")?;
    worker_properties = set_property(
        &worker_properties,
        "bootstrap.servers",
        &cluster.bootstrap_servers(),
    )?;
    worker_properties = set_property(
        &worker_properties,
        "listeners",
        &format!("http://127.0.0.1:{port}"),
    )?;
    let offsets = dir.path().join("heartbeat.offsets");
    worker_properties = set_property(
        &worker_properties,
        "offset.storage.file.filename",
        &offsets.display().to_string(),
    )?;
    let worker_path = dir.path().join("worker.properties");
    std::fs::write(&worker_path, worker_properties)?;

    let topic = cluster.unique_topic("heartbeats");
    let connector_properties = set_property(
        &config_file("heartbeat-source.properties")?,
        "topic",
        &topic,
    )?;
    let connector_path = dir.path().join("heartbeat-source.properties");
    std::fs::write(&connector_path, connector_properties)?;

    let args = vec![worker_path.clone(), connector_path];
    let mut worker = Worker::start(args, dir.path().join("worker.log"), rest.clone()).await?;

    // What a user sees with kafka-console-consumer: key 0, values 1, 2, 3 (schemas off).
    let first = cluster.consume_all(&topic, 3, WAIT).await?;
    let plain = |value: &Value| value.as_i64();
    assert_eq!(
        sequences(&first, plain)?,
        [
            ("0".to_string(), 1),
            ("0".to_string(), 2),
            ("0".to_string(), 3)
        ]
    );

    // Ctrl-C, and the same command again: the sequence continues, nothing is sent twice.
    let status = worker.terminate().await?;
    ensure!(
        status.success(),
        "exit {status}; log:\n{}",
        worker.log_text()
    );
    let sent = cluster.consume_to_end(&topic, WAIT).await?.len();
    // The offsets file as the guide shows it: the last number sent, flushed on Ctrl-C.
    let stored: Value = serde_json::from_str(&std::fs::read_to_string(&offsets)?)?;
    assert_eq!(
        stored["offsets"],
        json!([{"key": ["heartbeat", {"task": 0}], "value": {"seq": sent}}])
    );
    worker.spawn().await?;
    let all = cluster.consume_all(&topic, sent + 2, WAIT).await?;
    let expected: Vec<(String, i64)> = (1..=i64::try_from(sent + 2)?)
        .map(|seq| ("0".to_string(), seq))
        .collect();
    assert_eq!(
        sequences(&all, plain)?,
        expected,
        "log:\n{}",
        worker.log_text()
    );

    // 4.7: validate, then register through REST with the guide's JSON.
    let mut request: Value = serde_json::from_str(&config_file("heartbeat-source.json")?)?;
    let rest_topic = cluster.unique_topic("heartbeats-rest");
    request["config"]["topic"] = json!(rest_topic);

    let validate_url = format!("{rest}/connector-plugins/HeartbeatSourceConnector/config/validate");
    let (code, answer) = http("PUT", &validate_url, Some(request["config"].clone())).await?;
    assert_eq!(code, 200, "{answer}");
    assert_eq!(
        answer["name"],
        "io.tributary.examples.HeartbeatSourceConnector"
    );
    assert_eq!(answer["error_count"], 0, "{answer}");

    // The mistake the guide shows: an interval below the validator's minimum.
    let mut too_fast = request["config"].clone();
    too_fast["interval.ms"] = json!("5");
    let (code, answer) = http("PUT", &validate_url, Some(too_fast)).await?;
    assert_eq!(code, 200, "{answer}");
    assert_eq!(answer["error_count"], 1, "{answer}");
    let errors: Vec<(String, Value)> = answer["configs"]
        .as_array()
        .context("configs")?
        .iter()
        .filter(|c| {
            c["value"]["errors"]
                .as_array()
                .is_some_and(|e| !e.is_empty())
        })
        .map(|c| {
            (
                c["value"]["name"].as_str().unwrap_or_default().to_string(),
                c["value"]["errors"].clone(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [(
            "interval.ms".to_string(),
            json!(["Invalid value 5 for configuration interval.ms: Value must be at least 10"])
        )]
    );

    let (code, created) =
        http("POST", &format!("{rest}/connectors"), Some(request.clone())).await?;
    assert_eq!(code, 201, "{created}");
    assert_eq!(created["name"], "heartbeat-rest");
    assert_eq!(created["type"], "source");

    let status_url = format!("{rest}/connectors/heartbeat-rest/status");
    let status = connect_testkit::wait_for(WAIT, Duration::from_millis(100), || {
        let url = status_url.clone();
        async move {
            let (code, body) = http("GET", &url, None).await?;
            let tasks = body["tasks"].as_array().cloned().unwrap_or_default();
            let running = code == 200
                && body["connector"]["state"] == "RUNNING"
                && tasks.len() == 2
                && tasks.iter().all(|task| task["state"] == "RUNNING");
            Ok(running.then_some(body))
        }
    })
    .await
    .with_context(|| format!("heartbeat-rest is not RUNNING; log:\n{}", worker.log_text()))?;
    assert_eq!(status["type"], "source");

    // tasks.max=2: two sequences, keys 0 and 1, each counting from 1; the JSON's own
    // value.converter writes the schema with every value.
    let with_schema = |value: &Value| value["payload"].as_i64();
    let by_task = connect_testkit::wait_for(WAIT, Duration::from_millis(200), || async {
        let records = cluster.consume_to_end(&rest_topic, WAIT).await?;
        if let Some(first) = records.first() {
            let value = first.value_json()?.context("a value")?;
            ensure!(
                value["schema"] == json!({"type": "int64", "optional": false}),
                "{value}"
            );
        }
        let seqs = sequences(&records, with_schema)?;
        let by_task: Vec<Vec<i64>> = ["0", "1"]
            .iter()
            .map(|task| {
                seqs.iter()
                    .filter(|(key, _)| key == task)
                    .map(|(_, seq)| *seq)
                    .collect()
            })
            .collect();
        Ok(by_task
            .iter()
            .all(|seqs| seqs.len() >= 3)
            .then_some(by_task))
    })
    .await
    .context("both tasks of heartbeat-rest should write")?;
    for seqs in by_task {
        let counted: Vec<i64> = (1..=i64::try_from(seqs.len())?).collect();
        assert_eq!(seqs, counted, "each task counts from 1 without a gap");
    }

    // 4.6's reset: stop the connector, delete its offsets, resume: the sequence starts over.
    let connector_url = format!("{rest}/connectors/heartbeat");
    let (code, answer) = http("PUT", &format!("{connector_url}/stop"), None).await?;
    ensure!((200..300).contains(&code), "stop: {code} {answer}");
    let stopped = connect_testkit::wait_for(WAIT, Duration::from_millis(100), || {
        let url = format!("{connector_url}/status");
        async move {
            let (_, body) = http("GET", &url, None).await?;
            Ok((body["connector"]["state"] == "STOPPED").then_some(()))
        }
    })
    .await;
    ensure!(
        stopped.is_ok(),
        "heartbeat did not stop; log:\n{}",
        worker.log_text()
    );
    let sent = cluster.consume_to_end(&topic, WAIT).await?.len();
    let (code, answer) = http("DELETE", &format!("{connector_url}/offsets"), None).await?;
    ensure!(
        (200..300).contains(&code),
        "delete offsets: {code} {answer}"
    );
    let (code, answer) = http("PUT", &format!("{connector_url}/resume"), None).await?;
    ensure!((200..300).contains(&code), "resume: {code} {answer}");
    let all = cluster.consume_all(&topic, sent + 1, WAIT).await?;
    assert_eq!(sequences(&all[sent..], plain)?, [("0".to_string(), 1)]);

    let status = worker.terminate().await?;
    ensure!(
        status.success(),
        "exit {status}; log:\n{}",
        worker.log_text()
    );
    Ok(())
}
