//! The worker configured by `CONNECT_*` environment variables alone, as in a container, and
//! the deployment files (deploy/docker-compose.yml, the Dockerfile's commands) checked
//! against the code so that they cannot drift. No Docker engine runs here: what the
//! container does is run as a process.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use tributary::env_config::{EnvSettings, WorkerSettings, env_var_to_key, is_worker_key};

const BIN: &str = env!("CARGO_BIN_EXE_tributary");

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

fn repo_file(path: &str) -> Result<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
}

/// A child process that is stopped (SIGTERM, then SIGKILL) when dropped.
struct Process {
    child: Child,
    log: PathBuf,
}

impl Process {
    /// Spawns `tributary args...` with exactly `env` as its environment.
    fn spawn(args: &[&str], env: &[(String, String)], log: PathBuf) -> Result<Process> {
        let out = std::fs::File::create(&log)?;
        let child = Command::new(BIN)
            .args(args)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::from(out.try_clone()?))
            .stderr(Stdio::from(out))
            .spawn()
            .context("spawning tributary")?;
        Ok(Process { child, log })
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn signal(&self, signal: &str) {
        let _ = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status();
    }

    async fn wait(&mut self, timeout: Duration) -> Result<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            if Instant::now() > deadline {
                bail!("still running after {timeout:?}; log:\n{}", self.log_text());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.signal("TERM");
            let deadline = Instant::now() + Duration::from_secs(10);
            while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs `tributary args...` to completion with exactly `env`: (status, stdout, stderr).
async fn run_to_end(
    args: &[&str],
    env: &[(String, String)],
) -> Result<(ExitStatus, String, String)> {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let env = env.to_vec();
    let output = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::task::spawn_blocking(move || {
            Command::new(BIN)
                .args(&args)
                .env_clear()
                .envs(env)
                .stdin(Stdio::null())
                .output()
        }),
    )
    .await
    .context("tributary did not exit within 60 s")???;
    Ok((
        output.status,
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

async fn http(method: &'static str, url: String, body: Option<Value>) -> Result<(u16, Value)> {
    tokio::task::spawn_blocking(move || -> Result<(u16, Value)> {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .new_agent();
        let mut response = match (method, body) {
            ("GET", _) => agent.get(&url).call()?,
            ("POST", Some(b)) => agent.post(&url).send_json(&b)?,
            ("PUT", Some(b)) => agent.put(&url).send_json(&b)?,
            (m, _) => bail!("unsupported {m}"),
        };
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string()?;
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok((status, value))
    })
    .await?
}

fn vars(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// The env-only worker of the container: it starts, answers `/health` and `/`, runs the
/// deploy/ Google Sheets example against the emulator with the offsets file and flush
/// interval from the environment, is reported healthy by `tributary health`, and stops
/// cleanly on SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_starts_from_connect_variables_alone() -> Result<()> {
    let cluster = connect_testkit::KafkaCluster::start().await?;
    let dir = tempfile::tempdir()?;
    let port = connect_testkit::free_port()?;
    let offsets = dir.path().join("connect.offsets");
    let env = vars(&[
        ("CONNECT_BOOTSTRAP_SERVERS", cluster.bootstrap_servers()),
        (
            "CONNECT_KEY_CONVERTER",
            "org.apache.kafka.connect.storage.StringConverter".into(),
        ),
        (
            "CONNECT_VALUE_CONVERTER",
            "org.apache.kafka.connect.json.JsonConverter".into(),
        ),
        ("CONNECT_VALUE_CONVERTER_SCHEMAS_ENABLE", "false".into()),
        ("CONNECT_LISTENERS", format!("http://127.0.0.1:{port}")),
        (
            "CONNECT_OFFSET_STORAGE_FILE_FILENAME",
            offsets.display().to_string(),
        ),
        ("CONNECT_OFFSET_FLUSH_INTERVAL_MS", "300".into()),
        // The image's own variables are skipped, not errors.
        ("CONNECT_LOG4J_ROOT_LOGLEVEL", "INFO".into()),
        ("RUST_LOG", "info,librdkafka=warn,rdkafka=warn".into()),
    ]);
    let mut worker = Process::spawn(&["standalone"], &env, dir.path().join("worker.log"))?;
    let base = format!("http://127.0.0.1:{port}");

    let health = format!("{base}/health");
    let healthy =
        connect_testkit::wait_until(Duration::from_secs(60), Duration::from_millis(100), || {
            let url = health.clone();
            async move { matches!(http("GET", url, None).await, Ok((200, _))) }
        })
        .await;
    if healthy.is_err() {
        bail!(
            "GET /health never answered 200; log:\n{}",
            worker.log_text()
        );
    }
    let (code, body) = http("GET", format!("{base}/health"), None).await?;
    assert_eq!((code, &body["status"]), (200, &json!("healthy")), "{body}");
    let (code, info) = http("GET", format!("{base}/"), None).await?;
    assert_eq!(code, 200, "{info}");
    assert!(info["version"].is_string(), "{info}");
    assert!(
        info["kafka_cluster_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "the worker reached the cluster named by CONNECT_BOOTSTRAP_SERVERS: {info}"
    );
    let log = worker.log_text();
    assert!(
        log.contains("CONNECT_LOG4J_ROOT_LOGLEVEL"),
        "skip is logged:\n{log}"
    );

    // `tributary health`, the image's HEALTHCHECK: with --url, and with the default URL
    // derived from the same CONNECT_LISTENERS the worker reads.
    let (status, stdout, stderr) =
        run_to_end(&["health", "--url", &format!("{base}/health")], &[]).await?;
    assert!(status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("healthy"), "{stdout}");
    let listeners = vars(&[("CONNECT_LISTENERS", format!("http://0.0.0.0:{port}"))]);
    let (status, stdout, stderr) = run_to_end(&["health"], &listeners).await?;
    assert!(status.success(), "{stdout}{stderr}");

    // The deploy/ example: the emulator seeded with deploy/sheets/, the connector of
    // deploy/connectors/ registered as README's curl does (its emulator host and topic
    // adjusted to this test).
    let emulator_port = connect_testkit::free_port()?;
    let _emulator = Process::spawn(
        &[
            "sheets-emulator",
            "--host",
            "127.0.0.1",
            "--port",
            &emulator_port.to_string(),
        ],
        &[],
        dir.path().join("emulator.log"),
    )?;
    let emulator = format!("http://127.0.0.1:{emulator_port}");
    let counters = format!("{emulator}/__admin/counters");
    connect_testkit::wait_until(Duration::from_secs(30), Duration::from_millis(50), || {
        let url = counters.clone();
        async move { matches!(http("GET", url, None).await, Ok((200, _))) }
    })
    .await
    .context("emulator did not come up")?;
    let spreadsheet: Value =
        serde_json::from_str(&repo_file("deploy/sheets/form-responses-spreadsheet.json")?)?;
    let (code, created) = http(
        "POST",
        format!("{emulator}/__admin/spreadsheets"),
        Some(spreadsheet),
    )
    .await?;
    assert_eq!(code, 200, "{created}");
    let (code, answer) = http(
        "POST",
        format!("{emulator}/__admin/api-keys"),
        Some(json!({"key": "demo-key"})),
    )
    .await?;
    assert_eq!(code, 200, "{answer}");

    let topic = cluster.unique_topic("form-responses");
    let connector_json = repo_file("deploy/connectors/form-responses.json")?
        .replace("http://sheets-emulator:8089", &emulator)
        .replace(
            "\"topic\": \"form-responses\"",
            &format!("\"topic\": \"{topic}\""),
        );
    let connector: Value = serde_json::from_str(&connector_json)?;
    assert_eq!(connector["config"]["topic"], json!(topic));
    let mut to_validate = connector["config"].clone();
    to_validate["name"] = connector["name"].clone();
    let (code, validated) = http(
        "PUT",
        format!("{base}/connector-plugins/GoogleSheetsSourceConnector/config/validate"),
        Some(to_validate),
    )
    .await?;
    assert_eq!(
        (code, &validated["error_count"]),
        (200, &json!(0)),
        "{validated}"
    );
    let (code, created) = http("POST", format!("{base}/connectors"), Some(connector)).await?;
    assert_eq!(code, 201, "{created}");

    let records = cluster
        .consume_all(&topic, 1, Duration::from_secs(60))
        .await
        .with_context(|| format!("log:\n{}", worker.log_text()))?;
    let value = records[0].value_json()?.context("a value")?;
    assert_eq!(value["Email address"], json!("ada@example.com"), "{value}");
    let (code, appended) = http(
        "POST",
        format!(
            "{emulator}/__admin/spreadsheets/form-responses-demo/sheets/Form%20responses%201/append"
        ),
        Some(json!({"rows": [["4/6/2025 19:02:11", "grace@example.com", "A search engine"]]})),
    )
    .await?;
    assert_eq!(code, 200, "{appended}");
    let records = cluster
        .consume_all(&topic, 2, Duration::from_secs(60))
        .await?;
    let value = records[1].value_json()?.context("a value")?;
    assert_eq!(
        value["Email address"],
        json!("grace@example.com"),
        "{value}"
    );

    // Offsets reach the file named by CONNECT_OFFSET_STORAGE_FILE_FILENAME, flushed every
    // CONNECT_OFFSET_FLUSH_INTERVAL_MS; REST-created connectors are kept beside it.
    let flushed =
        connect_testkit::wait_until(Duration::from_secs(30), Duration::from_millis(100), || {
            let offsets = offsets.clone();
            async move {
                std::fs::read_to_string(&offsets)
                    .is_ok_and(|text| text.contains("form-responses-demo"))
            }
        })
        .await;
    assert!(flushed.is_ok(), "no offsets in {}", offsets.display());
    let mut stored = offsets.clone().into_os_string();
    stored.push(".connectors.json");
    assert!(Path::new(&stored).exists(), "REST-created connector kept");

    worker.signal("TERM");
    let status = worker.wait(Duration::from_secs(30)).await?;
    assert!(
        status.success(),
        "SIGTERM exits 0; log:\n{}",
        worker.log_text()
    );
    Ok(())
}

/// A bad value in the environment stops the worker at start with a message naming the key
/// and the variable; no broker is needed to find out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_connect_variable_exits_non_zero_naming_the_key() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let env = vars(&[
        ("CONNECT_BOOTSTRAP_SERVERS", "127.0.0.1:1".into()),
        (
            "CONNECT_KEY_CONVERTER",
            "org.apache.kafka.connect.storage.StringConverter".into(),
        ),
        (
            "CONNECT_VALUE_CONVERTER",
            "org.apache.kafka.connect.storage.StringConverter".into(),
        ),
        ("CONNECT_LISTENERS", "http://127.0.0.1:0".into()),
        (
            "CONNECT_OFFSET_STORAGE_FILE_FILENAME",
            dir.path().join("o").display().to_string(),
        ),
        ("CONNECT_OFFSET_FLUSH_INTERVAL_MS", "soon".into()),
    ]);
    let (status, stdout, stderr) = run_to_end(&["standalone"], &env).await?;
    assert!(!status.success(), "{stdout}{stderr}");
    assert!(stderr.contains("offset.flush.interval.ms"), "{stderr}");
    assert!(
        stderr.contains("CONNECT_OFFSET_FLUSH_INTERVAL_MS"),
        "{stderr}"
    );

    // A missing required key names the variable to set.
    let env: Vec<_> = env
        .into_iter()
        .filter(|(k, _)| {
            k != "CONNECT_OFFSET_FLUSH_INTERVAL_MS" && k != "CONNECT_OFFSET_STORAGE_FILE_FILENAME"
        })
        .collect();
    let (status, _, stderr) = run_to_end(&["standalone"], &env).await?;
    assert!(!status.success(), "{stderr}");
    assert!(
        stderr.contains("CONNECT_OFFSET_STORAGE_FILE_FILENAME"),
        "{stderr}"
    );

    // Four underscores in a row have no meaning.
    let mut bad = env.clone();
    bad.push(("CONNECT_PRODUCER____LINGER_MS".into(), "5".into()));
    let (status, _, stderr) = run_to_end(&["standalone"], &bad).await?;
    assert!(!status.success(), "{stderr}");
    assert!(stderr.contains("CONNECT_PRODUCER____LINGER_MS"), "{stderr}");

    // Neither a file nor a variable: say what to set.
    let (status, _, stderr) = run_to_end(&["standalone"], &[]).await?;
    assert!(!status.success(), "{stderr}");
    assert!(stderr.contains("CONNECT_BOOTSTRAP_SERVERS"), "{stderr}");
    Ok(())
}

/// `tributary health` exits non-zero when nothing answers, or the answer is not 2xx.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_command_fails_without_a_healthy_worker() -> Result<()> {
    let port = connect_testkit::free_port()?;
    let url = format!("http://127.0.0.1:{port}/health");
    let (status, stdout, stderr) = run_to_end(&["health", "--url", &url], &[]).await?;
    assert!(!status.success(), "{stdout}{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");

    // A server that answers 404 (the emulator has no /health).
    let dir = tempfile::tempdir()?;
    let _emulator = Process::spawn(
        &["sheets-emulator", "--port", &port.to_string()],
        &[],
        dir.path().join("emulator.log"),
    )?;
    let counters = format!("http://127.0.0.1:{port}/__admin/counters");
    connect_testkit::wait_until(Duration::from_secs(30), Duration::from_millis(50), || {
        let url = counters.clone();
        async move { matches!(http("GET", url, None).await, Ok((200, _))) }
    })
    .await
    .context("emulator did not come up")?;
    let (status, _, stderr) = run_to_end(&["health", "--url", &url], &[]).await?;
    assert!(!status.success(), "{stderr}");
    assert!(stderr.contains("404"), "{stderr}");
    // ... and succeeds on a URL that answers 200 (the compose file's emulator healthcheck).
    let (status, _, stderr) = run_to_end(&["health", "--url", &counters], &[]).await?;
    assert!(status.success(), "{stderr}");
    Ok(())
}

/// `NAME: value` and `- NAME=value` lines of a compose file whose name starts with `prefix`.
fn compose_variables(text: &str, prefix: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("- ").unwrap_or(line);
        if !line.starts_with(prefix) {
            continue;
        }
        let split = match (line.find(':'), line.find('=')) {
            (Some(c), Some(e)) => c.min(e),
            (Some(c), None) => c,
            (None, Some(e)) => e,
            (None, None) => continue,
        };
        let name = line[..split].trim().to_string();
        let value = line[split + 1..]
            .trim()
            .trim_matches('"')
            .trim_matches('\'');
        found.push((name, value.to_string()));
    }
    found
}

/// Every `CONNECT_*` variable of deploy/docker-compose.yml maps to a key the worker
/// accepts, and together they make a valid standalone worker config.
#[test]
fn the_compose_files_connect_variables_are_worker_keys() -> Result<()> {
    let compose = std::fs::read_to_string(deploy_dir().join("docker-compose.yml"))?;
    let connect = compose_variables(&compose, "CONNECT_");
    let names: Vec<&str> = connect.iter().map(|(n, _)| n.as_str()).collect();
    for required in [
        "CONNECT_BOOTSTRAP_SERVERS",
        "CONNECT_KEY_CONVERTER",
        "CONNECT_VALUE_CONVERTER",
        "CONNECT_OFFSET_STORAGE_FILE_FILENAME",
        "CONNECT_LISTENERS",
    ] {
        assert!(
            names.contains(&required),
            "{required} missing from {names:?}"
        );
    }
    for (name, _) in &connect {
        let key = env_var_to_key(name)?.with_context(|| format!("{name} sets no key"))?;
        assert!(is_worker_key(&key), "{name} -> {key} is not a worker key");
    }
    let env = EnvSettings::from_vars(connect.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    assert_eq!(env.props.len(), connect.len(), "one key per variable");
    let config = WorkerSettings::load(None, env)?.standalone_config()?;

    // kafka-ui reaches Tributary on the port the worker listens on.
    let listen = tributary::standalone::listen_address(&config.listeners())?;
    let ui: BTreeMap<String, String> =
        compose_variables(&compose, "KAFKA_CLUSTERS_0_KAFKACONNECT_0_")
            .into_iter()
            .collect();
    let address = ui
        .get("KAFKA_CLUSTERS_0_KAFKACONNECT_0_ADDRESS")
        .context("kafka-ui's Kafka Connect address")?;
    assert_eq!(address, &format!("http://tributary:{}", listen.port()));
    assert!(compose.contains(&format!("\"{}:{}\"", listen.port(), listen.port())));
    Ok(())
}

/// The commands the Dockerfile and the compose file run exist with the flags they use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deployment_files_commands_exist() -> Result<()> {
    let dockerfile = repo_file("Dockerfile")?;
    assert!(dockerfile.contains(r#"ENTRYPOINT ["tributary"]"#));
    assert!(dockerfile.contains(r#"CMD ["standalone"]"#));
    assert!(dockerfile.contains(r#"CMD ["tributary", "health"]"#));
    assert!(dockerfile.contains("EXPOSE 8083"));
    let (status, help, _) = run_to_end(&["standalone", "--help"], &[]).await?;
    assert!(status.success());
    assert!(
        help.contains("[WORKER_CONFIG]"),
        "the file is optional:\n{help}"
    );
    let (status, help, _) = run_to_end(&["health", "--help"], &[]).await?;
    assert!(status.success());
    assert!(help.contains("--url"), "{help}");

    let compose = std::fs::read_to_string(deploy_dir().join("docker-compose.yml"))?;
    let (status, help, _) = run_to_end(&["sheets-emulator", "--help"], &[]).await?;
    assert!(status.success());
    let command = compose
        .lines()
        .find(|l| l.contains("\"sheets-emulator\""))
        .context("the emulator's command")?;
    for flag in command.split('"').filter(|s| s.starts_with("--")) {
        assert!(
            help.contains(flag),
            "sheets-emulator has no {flag}:\n{help}"
        );
    }
    Ok(())
}
