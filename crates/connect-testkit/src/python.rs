//! Independent verification through Python Kafka clients (confluent-kafka, kafka-python)
//! in the workspace's virtualenv.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use serde_json::Value;

use crate::record::{Record, TimestampType};

/// Env variable: the Python interpreter to use instead of `<workspace>/.venv/bin/python`.
pub const PYTHON_ENV: &str = "TRIBUTARY_PYTHON";

/// A record read by `tests/python/consume.py`: the same type as the Rust side's
/// [`Record`], so the two reads compare directly.
pub type PyRecord = Record;

/// Default limit for [`PythonEnv::run_python_script`].
const DEFAULT_SCRIPT_TIMEOUT: Duration = Duration::from_secs(300);

/// Which Python Kafka client `consume.py` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PyClient {
    /// confluent-kafka (librdkafka underneath, but a separately built copy and version).
    #[default]
    Confluent,
    /// kafka-python: a pure Python implementation of the protocol, independent of
    /// librdkafka altogether.
    KafkaPython,
}

impl PyClient {
    fn arg(self) -> &'static str {
        match self {
            PyClient::Confluent => "confluent",
            PyClient::KafkaPython => "kafka-python",
        }
    }
}

/// The output of a finished Python script.
#[derive(Debug, Clone)]
pub struct ScriptOutput {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl ScriptOutput {
    /// Errors (with both outputs) unless the script exited with status 0.
    pub fn ensure_success(self) -> Result<ScriptOutput> {
        if self.status.success() {
            Ok(self)
        } else {
            bail!(
                "python script failed with {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
                self.status,
                self.stdout,
                self.stderr
            )
        }
    }
}

/// The Python interpreter for independent-client checks, with the workspace it serves.
#[derive(Debug, Clone)]
pub struct PythonEnv {
    python: PathBuf,
    workspace_root: PathBuf,
}

impl PythonEnv {
    /// Finds the interpreter: `$TRIBUTARY_PYTHON`, else `<workspace root>/.venv/bin/python`
    /// (created by `scripts/setup-test-env.sh`).
    pub fn get() -> Result<PythonEnv> {
        let workspace_root = workspace_root()?;
        let python = match std::env::var_os(PYTHON_ENV).filter(|v| !v.is_empty()) {
            Some(p) => PathBuf::from(p),
            None => {
                let p = workspace_root.join(".venv/bin/python");
                if !p.exists() {
                    bail!(
                        "{} does not exist: run scripts/setup-test-env.sh (or set {PYTHON_ENV})",
                        p.display()
                    );
                }
                p
            }
        };
        Ok(PythonEnv {
            python,
            workspace_root,
        })
    }

    /// The interpreter.
    pub fn python(&self) -> &Path {
        &self.python
    }

    /// The workspace root (the directory with the workspace `Cargo.toml`).
    pub fn workspace_root(&self) -> &Path {
        &self.workspace_root
    }

    /// `<workspace root>/tests/python/<name>`.
    pub fn script(&self, name: &str) -> PathBuf {
        self.workspace_root.join("tests/python").join(name)
    }

    /// Runs a script (relative paths are taken from the workspace root) with arguments,
    /// killing it after 5 minutes. Does not check the exit status: see
    /// [`ScriptOutput::ensure_success`].
    pub async fn run_python_script<I, S>(
        &self,
        script: impl AsRef<Path>,
        args: I,
    ) -> Result<ScriptOutput>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run_python_script_with_timeout(script, args, DEFAULT_SCRIPT_TIMEOUT)
            .await
    }

    /// [`PythonEnv::run_python_script`] with an explicit time limit.
    pub async fn run_python_script_with_timeout<I, S>(
        &self,
        script: impl AsRef<Path>,
        args: I,
        timeout: Duration,
    ) -> Result<ScriptOutput>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let script = self.workspace_root.join(script.as_ref());
        let mut cmd = tokio::process::Command::new(&self.python);
        cmd.arg(&script)
            .args(args)
            .current_dir(&self.workspace_root)
            .env("PYTHONUNBUFFERED", "1")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let child = cmd
            .spawn()
            .with_context(|| format!("running {} {}", self.python.display(), script.display()))?;
        let output = tokio::time::timeout(timeout, child.wait_with_output())
            .await
            .map_err(|_| anyhow!("{} did not finish within {timeout:?}", script.display()))?
            .with_context(|| format!("waiting for {}", script.display()))?;
        Ok(ScriptOutput {
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }

    /// Reads `topic` from the beginning with `tests/python/consume.py` using
    /// confluent-kafka (assign, no group commits) until `expected` records arrived; fails if
    /// fewer arrive within `timeout`.
    pub async fn consume_with_python(
        &self,
        bootstrap: &str,
        topic: &str,
        expected: usize,
        timeout: Duration,
    ) -> Result<Vec<PyRecord>> {
        self.consume_with_python_client(PyClient::Confluent, bootstrap, topic, expected, timeout)
            .await
    }

    /// [`PythonEnv::consume_with_python`] with a choice of Python client.
    pub async fn consume_with_python_client(
        &self,
        client: PyClient,
        bootstrap: &str,
        topic: &str,
        expected: usize,
        timeout: Duration,
    ) -> Result<Vec<PyRecord>> {
        let args = [
            "--bootstrap-servers".to_owned(),
            bootstrap.to_owned(),
            "--topic".to_owned(),
            topic.to_owned(),
            "--expected".to_owned(),
            expected.to_string(),
            "--timeout".to_owned(),
            format!("{:.3}", timeout.as_secs_f64()),
            "--client".to_owned(),
            client.arg().to_owned(),
        ];
        // The script enforces `timeout` itself; the outer limit only catches a hang.
        let out = self
            .run_python_script_with_timeout(
                "tests/python/consume.py",
                args,
                timeout + Duration::from_secs(60),
            )
            .await?;
        let records = out
            .stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(parse_py_record)
            .collect::<Result<Vec<_>>>()
            .with_context(|| format!("parsing consume.py output:\n{}", out.stdout))?;
        if !out.status.success() {
            bail!(
                "consume.py ({}) read {} of {expected} records from {topic}: {}\n--- stderr ---\n{}",
                client.arg(),
                records.len(),
                out.status,
                out.stderr
            );
        }
        Ok(records)
    }
}

/// [`PythonEnv::consume_with_python`] with the default [`PythonEnv`].
pub async fn consume_with_python(
    bootstrap: &str,
    topic: &str,
    expected: usize,
    timeout: Duration,
) -> Result<Vec<PyRecord>> {
    PythonEnv::get()?
        .consume_with_python(bootstrap, topic, expected, timeout)
        .await
}

/// [`PythonEnv::run_python_script`] with the default [`PythonEnv`].
pub async fn run_python_script<I, S>(script: impl AsRef<Path>, args: I) -> Result<ScriptOutput>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    PythonEnv::get()?.run_python_script(script, args).await
}

/// The workspace root: the nearest ancestor of `$CARGO_MANIFEST_DIR` (the crate under
/// test when run by cargo) or of this crate's source dir whose `Cargo.toml` has a
/// `[workspace]` table.
pub fn workspace_root() -> Result<PathBuf> {
    let starts = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from(env!("CARGO_MANIFEST_DIR"))]);
    for start in starts {
        for dir in start.ancestors() {
            let manifest = dir.join("Cargo.toml");
            if let Ok(text) = std::fs::read_to_string(&manifest)
                && text.lines().any(|l| l.trim() == "[workspace]")
            {
                return Ok(dir.to_path_buf());
            }
        }
    }
    bail!("no workspace Cargo.toml above CARGO_MANIFEST_DIR")
}

fn decode_bytes(v: &Value, encoding: Option<&str>, what: &str) -> Result<Option<Vec<u8>>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => match encoding.unwrap_or("utf-8") {
            "utf-8" => Ok(Some(s.clone().into_bytes())),
            "base64" => base64::engine::general_purpose::STANDARD
                .decode(s)
                .map(Some)
                .with_context(|| format!("{what}: bad base64")),
            other => bail!("{what}: unknown encoding {other}"),
        },
        other => bail!("{what}: expected a string or null, got {other}"),
    }
}

fn parse_py_record(line: &str) -> Result<PyRecord> {
    let v: Value = serde_json::from_str(line).with_context(|| format!("not JSON: {line}"))?;
    let str_field = |name: &str| v.get(name).and_then(Value::as_str);
    let int_field = |name: &str| {
        v.get(name)
            .and_then(Value::as_i64)
            .ok_or_else(|| anyhow!("missing integer {name} in {line}"))
    };
    let headers = match v.get("headers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(hs)) => hs
            .iter()
            .map(|h| {
                let key = h
                    .get("key")
                    .and_then(Value::as_str)
                    .ok_or_else(|| anyhow!("header without key in {line}"))?;
                let value = decode_bytes(
                    h.get("value").unwrap_or(&Value::Null),
                    h.get("encoding").and_then(Value::as_str),
                    "header value",
                )?;
                Ok((key.to_owned(), value))
            })
            .collect::<Result<_>>()?,
        Some(other) => bail!("headers must be a list, got {other}"),
    };
    let timestamp_type = match str_field("timestamp_type") {
        Some("CreateTime") => TimestampType::CreateTime,
        Some("LogAppendTime") => TimestampType::LogAppendTime,
        _ => TimestampType::NotAvailable,
    };
    Ok(Record {
        topic: str_field("topic").unwrap_or_default().to_owned(),
        partition: i32::try_from(int_field("partition")?)?,
        offset: int_field("offset")?,
        key: decode_bytes(
            v.get("key").unwrap_or(&Value::Null),
            str_field("key_encoding"),
            "key",
        )?,
        value: decode_bytes(
            v.get("value").unwrap_or(&Value::Null),
            str_field("value_encoding"),
            "value",
        )?,
        headers,
        timestamp: v.get("timestamp").and_then(Value::as_i64),
        timestamp_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_consume_py_line() -> Result<()> {
        let line = r#"{"topic":"t","partition":1,"offset":7,"timestamp":1700000000000,
            "timestamp_type":"CreateTime","key":"k1","key_encoding":"utf-8",
            "value":"/wA=","value_encoding":"base64",
            "headers":[{"key":"h","value":"x","encoding":"utf-8"},{"key":"n","value":null,"encoding":null}]}"#
            .replace('\n', " ");
        let r = parse_py_record(&line)?;
        assert_eq!(r.topic, "t");
        assert_eq!((r.partition, r.offset), (1, 7));
        assert_eq!(r.key.as_deref(), Some(&b"k1"[..]));
        assert_eq!(r.value.as_deref(), Some(&[0xff, 0x00][..]));
        assert_eq!(
            r.headers,
            vec![
                ("h".to_owned(), Some(b"x".to_vec())),
                ("n".to_owned(), None)
            ]
        );
        assert_eq!(r.timestamp, Some(1_700_000_000_000));
        assert_eq!(r.timestamp_type, TimestampType::CreateTime);
        Ok(())
    }

    #[test]
    fn finds_the_workspace_root() -> Result<()> {
        let root = workspace_root()?;
        assert!(
            root.join("crates/connect-testkit").is_dir(),
            "{}",
            root.display()
        );
        Ok(())
    }
}
