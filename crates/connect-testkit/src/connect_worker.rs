//! Apache Kafka Connect's own standalone worker (`ConnectStandalone`), started from the jars
//! `scripts/setup-test-env.sh` fetched, for tests that compare Tributary with it.
//!
//! [`KafkaConnectWorker::start`] writes a `worker.properties` into a temp dir of its own
//! (`bootstrap.servers`, `listeners=http://127.0.0.1:<free port>`, `plugin.path` naming the
//! installation's `plugins/connect-file`, an offsets file in the temp dir, String
//! converters, and any extra keys), starts
//! `java -cp <lib>/* org.apache.kafka.connect.cli.ConnectStandalone worker.properties` with
//! its output in `connect.log` there, and waits until `GET /health` answers 200. The JVM
//! takes several seconds to come up on a small machine, so the wait is generous
//! ([`START_TIMEOUT`]).
//!
//! The process is killed when the value drops, or by a watchdog (`sh` reading a pipe from
//! the test process) if the test process dies without unwinding, as a dedicated broker is.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tempfile::TempDir;

use crate::kafka::{KafkaDist, file_tail, free_port};

/// How long the worker may take to answer `GET /health` with 200.
pub const START_TIMEOUT: Duration = Duration::from_secs(120);

/// JVM settings: a small heap is plenty for the file connectors.
const JVM_OPTS: &[&str] = &["-Xms64m", "-Xmx512m", "-XX:+UseSerialGC"];

/// The main class of `connect-standalone.sh`.
const MAIN_CLASS: &str = "org.apache.kafka.connect.cli.ConnectStandalone";

/// A running Kafka Connect standalone worker, killed on drop.
pub struct KafkaConnectWorker {
    dir: TempDir,
    port: u16,
    child: Option<Child>,
    /// `sh` that kills the worker when its stdin (a pipe from this process) reaches EOF.
    watchdog: Option<Child>,
}

impl std::fmt::Debug for KafkaConnectWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaConnectWorker")
            .field("rest", &self.rest_url())
            .field("dir", &self.dir.path())
            .finish()
    }
}

impl KafkaConnectWorker {
    /// Starts a standalone worker against `bootstrap_servers` with the file connectors on its
    /// `plugin.path`, plus `extra` worker keys (which replace the defaults of the same
    /// name), and waits until it serves.
    pub async fn start(
        dist: &KafkaDist,
        bootstrap_servers: &str,
        extra: &[(&str, &str)],
    ) -> Result<KafkaConnectWorker> {
        let dir = tempfile::Builder::new()
            .prefix("tributary-connect-")
            .tempdir()
            .context("creating the Connect worker's temp dir")?;
        let port = free_port()?;
        let offsets = dir.path().join("connect.offsets");
        let plugin_path = dist.plugins_dir().join("connect-file");
        let mut keys: Vec<(String, String)> = vec![
            ("bootstrap.servers".into(), bootstrap_servers.into()),
            (
                "key.converter".into(),
                "org.apache.kafka.connect.storage.StringConverter".into(),
            ),
            (
                "value.converter".into(),
                "org.apache.kafka.connect.storage.StringConverter".into(),
            ),
            (
                "offset.storage.file.filename".into(),
                offsets.display().to_string(),
            ),
            ("listeners".into(), format!("http://127.0.0.1:{port}")),
            ("plugin.path".into(), plugin_path.display().to_string()),
        ];
        for (key, value) in extra {
            keys.retain(|(k, _)| k != key);
            keys.push(((*key).to_owned(), (*value).to_owned()));
        }
        let config = dir.path().join("worker.properties");
        crate::write_properties(&config, keys)?;
        let log_path = dir.path().join("connect.log");
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("creating {}", log_path.display()))?;
        let child = dist
            .java_command(JVM_OPTS, &[], MAIN_CLASS)
            .arg(&config)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("spawning {} ({MAIN_CLASS})", dist.java().display()))?;
        let pid = child.id();
        let mut worker = KafkaConnectWorker {
            dir,
            port,
            child: Some(child),
            watchdog: None,
        };
        worker.watchdog = crate::kafka::spawn_watchdog(pid, "the Kafka Connect worker");
        worker.wait_until_serving(START_TIMEOUT).await?;
        Ok(worker)
    }

    /// Polls `GET /health` until it answers 200.
    async fn wait_until_serving(&mut self, timeout: Duration) -> Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                bail!(
                    "Kafka Connect exited with {status} while starting; log:\n{}",
                    self.log_tail(8000)
                );
            }
            let probe = tokio::task::spawn_blocking(move || http_status(addr, "/health"));
            if let Ok(Ok(200)) = probe.await {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                bail!(
                    "Kafka Connect did not serve GET /health within {timeout:?}; log:\n{}",
                    self.log_tail(8000)
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn rest_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The temp dir holding `worker.properties`, `connect.log` and the offsets file.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("connect.log")
    }

    /// The last `max` bytes of the worker's log, for error messages.
    pub fn log_tail(&self, max: u64) -> String {
        file_tail(&self.log_path(), max)
    }

    /// Kills the worker (SIGKILL) and waits for it.
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut w) = self.watchdog.take() {
            // Kill it before it could see EOF and kill a (possibly reused) pid.
            let _ = w.kill();
            let _ = w.wait();
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            child.wait().context("waiting for Kafka Connect to exit")?;
        }
        Ok(())
    }
}

impl Drop for KafkaConnectWorker {
    fn drop(&mut self) {
        if let Err(e) = self.kill() {
            tracing::warn!("stopping Kafka Connect: {e:#}");
        }
    }
}

/// The status code of `GET <path>` (HTTP/1.0, no keep-alive).
fn http_status(addr: SocketAddr, path: &str) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\n\r\n",
        addr.port()
    )?;
    let mut head = [0u8; 32];
    let mut read = 0;
    while read < 12 {
        let n = stream.read(&mut head[read..])?;
        if n == 0 {
            break;
        }
        read += n;
    }
    let line = String::from_utf8_lossy(&head[..read]);
    line.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP status line: {line:?}")))
}
