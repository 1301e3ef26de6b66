//! Runs `tributary standalone` as a real process for end-to-end tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// A worker process with its own config dir, REST port and log file.
pub struct WorkerProcess {
    child: Option<Child>,
    pub rest: String,
    pub dir: PathBuf,
    pub worker_properties: PathBuf,
    pub connector_files: Vec<PathBuf>,
    pub log: PathBuf,
    /// Extra environment variables for the process.
    pub env: Vec<(String, String)>,
}

pub fn write_properties(path: &Path, pairs: &[(&str, String)]) -> Result<()> {
    connect_testkit::write_properties(path, pairs.iter().map(|(k, v)| (k, v)))
}

impl WorkerProcess {
    /// Writes `worker.properties` (plus `extra` keys) into `dir` and starts the worker with
    /// the given connector files.
    pub async fn start(
        dir: &Path,
        bootstrap: &str,
        extra: &[(&str, String)],
        connector_files: Vec<PathBuf>,
    ) -> Result<WorkerProcess> {
        let port = connect_testkit::free_port()?;
        let worker_properties = dir.join("worker.properties");
        let mut pairs = vec![
            ("bootstrap.servers", bootstrap.to_string()),
            (
                "key.converter",
                "org.apache.kafka.connect.storage.StringConverter".to_string(),
            ),
            (
                "value.converter",
                "org.apache.kafka.connect.storage.StringConverter".to_string(),
            ),
            (
                "offset.storage.file.filename",
                dir.join("connect.offsets").display().to_string(),
            ),
            ("listeners", format!("http://127.0.0.1:{port}")),
        ];
        pairs.extend(extra.iter().cloned());
        write_properties(&worker_properties, &pairs)?;
        let mut worker = WorkerProcess {
            child: None,
            rest: format!("http://127.0.0.1:{port}"),
            dir: dir.to_path_buf(),
            worker_properties,
            connector_files,
            log: dir.join("worker.log"),
            env: Vec::new(),
        };
        worker.spawn().await?;
        Ok(worker)
    }

    /// (Re)starts the process and waits for its REST API.
    pub async fn spawn(&mut self) -> Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let child = Command::new(env!("CARGO_BIN_EXE_tributary"))
            .arg("standalone")
            .arg(&self.worker_properties)
            .args(&self.connector_files)
            // TRIBUTARY_TEST_WORKER_LOG (RUST_LOG's syntax) to look closer, e.g.
            // `info,librdkafka=debug` with a `producer.debug` worker setting.
            .env(
                "RUST_LOG",
                std::env::var("TRIBUTARY_TEST_WORKER_LOG")
                    .unwrap_or_else(|_| "info,librdkafka=warn,rdkafka=warn".to_string()),
            )
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .context("spawning tributary")?;
        self.child = Some(child);
        let url = format!("{}/", self.rest);
        let ready =
            connect_testkit::wait_until(Duration::from_secs(60), Duration::from_millis(50), || {
                let url = url.clone();
                async move {
                    tokio::task::spawn_blocking(move || ureq::get(&url).call().is_ok())
                        .await
                        .unwrap_or(false)
                }
            })
            .await;
        if ready.is_err() {
            bail!("worker REST API did not come up; log:\n{}", self.log_text());
        }
        Ok(())
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILL: no shutdown work at all.
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// SIGTERM and wait for the exit status.
    pub async fn terminate(&mut self) -> Result<std::process::ExitStatus> {
        let Some(mut child) = self.child.take() else {
            bail!("not running")
        };
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()?;
        if !status.success() {
            bail!("kill -TERM failed");
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(status);
            }
            if std::time::Instant::now() > deadline {
                child.kill()?;
                bail!(
                    "worker did not exit within 60 s of SIGTERM; log:\n{}",
                    self.log_text()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// GET a path, answering the status and the body text.
    pub async fn get_text(&self, path: &str) -> Result<(u16, String)> {
        let url = format!("{}{}", self.rest, path);
        tokio::task::spawn_blocking(move || -> Result<(u16, String)> {
            let mut response = ureq::get(&url)
                .config()
                .http_status_as_error(false)
                .build()
                .call()?;
            let status = response.status().as_u16();
            Ok((status, response.body_mut().read_to_string()?))
        })
        .await?
    }

    pub async fn get_json(&self, path: &str) -> Result<(u16, serde_json::Value)> {
        let url = format!("{}{}", self.rest, path);
        tokio::task::spawn_blocking(move || -> Result<(u16, serde_json::Value)> {
            let mut response = ureq::get(&url)
                .config()
                .http_status_as_error(false)
                .build()
                .call()?;
            let status = response.status().as_u16();
            let body: serde_json::Value = response.body_mut().read_json()?;
            Ok((status, body))
        })
        .await?
    }

    /// Waits until the connector and all its tasks report `state`; returns the status.
    pub async fn wait_for_state(
        &self,
        connector: &str,
        state: &str,
        timeout: Duration,
    ) -> Result<serde_json::Value> {
        let path = format!("/connectors/{connector}/status");
        let found = connect_testkit::wait_for(timeout, Duration::from_millis(100), || {
            let path = path.clone();
            async move {
                let (code, body) = self.get_json(&path).await?;
                let tasks = body["tasks"].as_array().cloned().unwrap_or_default();
                let all =
                    code == 200 && !tasks.is_empty() && tasks.iter().all(|t| t["state"] == state);
                Ok(all.then_some(body))
            }
        })
        .await;
        match found {
            Ok(body) => Ok(body),
            Err(e) => bail!(
                "{connector} did not reach {state}: {e}; log:\n{}",
                self.log_text()
            ),
        }
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}

/// Writes `count` numbered lines starting at `first` (appending).
pub fn append_lines(path: &Path, first: usize, count: usize) -> Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let mut text = String::with_capacity(count * 40);
    for i in first..first + count {
        text.push_str(&format!("line-{i:07} the quick brown fox jumps\n"));
    }
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

pub fn line(i: usize) -> String {
    format!("line-{i:07} the quick brown fox jumps")
}

/// The index encoded in a line written by [`append_lines`].
pub fn index_of(line: &str) -> Option<usize> {
    line.strip_prefix("line-")?.get(..7)?.parse().ok()
}

pub fn source_config(path: &Path, name: &str, file: &Path, topic: &str) -> Result<PathBuf> {
    write_properties(
        path,
        &[
            ("name", name.to_string()),
            ("connector.class", "FileStreamSource".to_string()),
            ("tasks.max", "1".to_string()),
            ("file", file.display().to_string()),
            ("topic", topic.to_string()),
            // One partition keeps the file's order end to end.
            ("topic.creation.default.partitions", "1".to_string()),
            ("topic.creation.default.replication.factor", "1".to_string()),
        ],
    )?;
    Ok(path.to_path_buf())
}

pub fn sink_config(path: &Path, name: &str, file: &Path, topic: &str) -> Result<PathBuf> {
    write_properties(
        path,
        &[
            ("name", name.to_string()),
            (
                "connector.class",
                "org.apache.kafka.connect.file.FileStreamSinkConnector".to_string(),
            ),
            ("tasks.max", "1".to_string()),
            ("file", file.display().to_string()),
            ("topics", topic.to_string()),
        ],
    )?;
    Ok(path.to_path_buf())
}
pub mod sheets;

/// A header's value as text ("" when absent).
pub fn header_text(record: &connect_testkit::Record, key: &str) -> String {
    record
        .header(key)
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .unwrap_or_default()
}

/// An HTTP call answering the status and the JSON body (`Null` when empty), whatever the
/// status.
pub async fn http(
    method: &'static str,
    url: String,
    body: Option<serde_json::Value>,
) -> Result<(u16, serde_json::Value)> {
    tokio::task::spawn_blocking(move || -> Result<(u16, serde_json::Value)> {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .new_agent();
        let mut response = match (method, body) {
            ("GET", _) => agent.get(&url).call()?,
            ("DELETE", _) => agent.delete(&url).call()?,
            ("POST", Some(b)) => agent.post(&url).send_json(&b)?,
            ("PUT", Some(b)) => agent.put(&url).send_json(&b)?,
            ("POST", None) => agent.post(&url).send_empty()?,
            ("PUT", None) => agent.put(&url).send_empty()?,
            (m, _) => bail!("unsupported method {m}"),
        };
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string()?;
        let value = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text)?
        };
        Ok((status, value))
    })
    .await?
}
