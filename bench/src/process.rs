//! The worker as a process: finding the binary, spawning `tributary standalone`, its REST
//! API, its offsets file and its memory (`/proc/<pid>/status`).

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Env variable naming the worker binary (default: `tributary` next to the bench binary).
pub const WORKER_BIN_ENV: &str = "TRIBUTARY_BIN";
/// When set, the bench binary runs as the worker (`tributary::main_with`).
pub const AS_WORKER_ENV: &str = "TRIBUTARY_BENCH_AS_WORKER";

/// How much of a worker's log an error message quotes.
const LOG_TAIL: usize = 16 * 1024;

/// How to start a worker process.
#[derive(Clone, Debug)]
pub struct WorkerBin {
    pub path: PathBuf,
    /// The bench binary itself, serving as the worker through [`AS_WORKER_ENV`].
    pub via_bench: bool,
    /// Worker config keys added to (and overriding) every worker's config, e.g.
    /// `producer.queue.buffering.max.messages=10000` (`--worker-prop`).
    pub extra_props: Vec<(String, String)>,
}

impl WorkerBin {
    /// `$TRIBUTARY_BIN`, else `tributary` in the bench binary's directory (what
    /// `cargo build --release -p tributary -p tributary-bench` makes), else the bench
    /// binary itself as the worker.
    pub fn locate() -> Result<WorkerBin> {
        if let Some(path) = std::env::var_os(WORKER_BIN_ENV).filter(|v| !v.is_empty()) {
            let path = PathBuf::from(path);
            if !path.is_file() {
                bail!("{WORKER_BIN_ENV}={} is not a file", path.display());
            }
            return Ok(WorkerBin {
                path,
                via_bench: false,
                extra_props: Vec::new(),
            });
        }
        let exe = std::env::current_exe().context("locating the bench binary")?;
        if let Some(sibling) = exe.parent().map(|d| d.join("tributary"))
            && sibling.is_file()
        {
            return Ok(WorkerBin {
                path: sibling,
                via_bench: false,
                extra_props: Vec::new(),
            });
        }
        Ok(WorkerBin {
            path: exe,
            via_bench: true,
            extra_props: Vec::new(),
        })
    }

    /// A command that runs this worker binary (add the arguments).
    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.path);
        if self.via_bench {
            command.env(AS_WORKER_ENV, "1");
        }
        command
    }

    pub fn describe(&self) -> String {
        if self.via_bench {
            format!("{} (as the worker)", self.path.display())
        } else {
            self.path.display().to_string()
        }
    }
}

/// Peak and current resident set size, in KiB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rss {
    /// `VmHWM`: the peak resident set size.
    pub peak_kb: u64,
    /// `VmRSS`: the current resident set size.
    pub current_kb: u64,
}

/// Reads `VmHWM` and `VmRSS` of a process.
pub fn rss(pid: u32) -> Result<Rss> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let field = |name: &str| -> Option<u64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
    };
    Ok(Rss {
        peak_kb: field("VmHWM:").unwrap_or(0),
        current_kb: field("VmRSS:").unwrap_or(0),
    })
}

/// Clock ticks per second of `/proc/<pid>/stat`'s times (`getconf CLK_TCK`, else 100).
fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .trim()
                    .parse::<f64>()
                    .ok()
            })
            .filter(|t| *t > 0.0)
            .unwrap_or(100.0)
    })
}

/// CPU time a process has used so far, all its threads (live and exited) together: `utime`
/// + `stime` of `/proc/<pid>/stat`, in seconds (at the kernel's tick resolution, 10 ms).
pub fn cpu_seconds(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces), from field 3 (`state`) on.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .context("no command name in /proc/<pid>/stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |number: usize| -> Result<f64> {
        fields
            .get(number - 3)
            .and_then(|f| f.parse::<f64>().ok())
            .with_context(|| format!("field {number} of /proc/{pid}/stat"))
    };
    Ok((field(14)? + field(15)?) / clock_ticks())
}

/// Writes a `.properties` file.
pub fn write_properties(path: &Path, pairs: &[(String, String)]) -> Result<()> {
    connect_testkit::write_properties(path, pairs.iter().map(|(k, v)| (k, v)))
}

/// `(key, value)` pairs from string slices.
pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A `tributary standalone` process with its config dir, REST address and log.
pub struct WorkerProcess {
    child: Option<Child>,
    pub rest: SocketAddr,
    pub dir: PathBuf,
    pub log: PathBuf,
    pub offsets_file: PathBuf,
    /// When the process was spawned (just before `spawn`).
    pub spawned_at: Instant,
}

impl WorkerProcess {
    /// Writes `worker.properties` (bootstrap servers, String keys, JSON values with
    /// schemas, the offsets file, a free REST port, then `extra`) into `dir` and starts the
    /// worker with the given connector files. Does not wait for anything.
    pub fn spawn(
        bin: &WorkerBin,
        dir: &Path,
        bootstrap: &str,
        extra: &[(String, String)],
        connector_files: &[PathBuf],
    ) -> Result<WorkerProcess> {
        let port = connect_testkit::free_port()?;
        let offsets_file = dir.join("connect.offsets");
        let mut props = pairs(&[
            ("bootstrap.servers", bootstrap),
            (
                "key.converter",
                "org.apache.kafka.connect.storage.StringConverter",
            ),
            (
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            ("value.converter.schemas.enable", "true"),
        ]);
        props.push((
            "offset.storage.file.filename".into(),
            offsets_file.display().to_string(),
        ));
        props.push(("listeners".into(), format!("http://127.0.0.1:{port}")));
        props.extend(extra.iter().cloned());
        props.extend(bin.extra_props.iter().cloned());
        let worker_properties = dir.join("worker.properties");
        write_properties(&worker_properties, &props)?;
        let mut command = bin.command();
        command
            .arg("standalone")
            .arg(&worker_properties)
            .args(connector_files)
            .env("RUST_LOG", "warn");
        WorkerProcess::spawn_command(
            command,
            dir,
            SocketAddr::from(([127, 0, 0, 1], port)),
            offsets_file,
        )
        .with_context(|| format!("spawning {}", bin.describe()))
    }

    /// Starts `command`, a worker whose config files are written (its REST API on `rest`,
    /// its offsets in `offsets_file`), with stdin closed and its output in `dir/worker.log`.
    /// Does not wait for anything.
    pub fn spawn_command(
        mut command: Command,
        dir: &Path,
        rest: SocketAddr,
        offsets_file: PathBuf,
    ) -> Result<WorkerProcess> {
        let log = dir.join("worker.log");
        let log_file = std::fs::File::create(&log)?;
        command
            .stdin(Stdio::null())
            .stdout(Stdio::from(log_file.try_clone()?))
            .stderr(Stdio::from(log_file));
        let spawned_at = Instant::now();
        let child = command
            .spawn()
            .with_context(|| format!("spawning {:?}", command.get_program()))?;
        Ok(WorkerProcess {
            child: Some(child),
            rest,
            dir: dir.to_path_buf(),
            log,
            offsets_file,
            spawned_at,
        })
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn rss(&self) -> Result<Rss> {
        rss(self.pid().context("the worker is not running")?)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The last `max` bytes of the log (a JVM worker's log is long), for error messages.
    pub fn log_tail(&self, max: usize) -> String {
        let text = self.log_text();
        let mut start = text.len().saturating_sub(max);
        while !text.is_char_boundary(start) {
            start += 1;
        }
        text[start..].to_string()
    }

    /// CPU seconds the process has used so far ([`cpu_seconds`]).
    pub fn cpu_seconds(&self) -> Result<f64> {
        cpu_seconds(self.pid().context("the worker is not running")?)
    }

    /// Fails (with the log) if the process has exited.
    pub fn ensure_alive(&mut self) -> Result<()> {
        if let Some(child) = self.child.as_mut()
            && let Some(status) = child.try_wait()?
        {
            bail!(
                "the worker exited with {status}; log:\n{}",
                self.log_tail(LOG_TAIL)
            );
        }
        Ok(())
    }

    /// Polls `GET /` (every `step`) until it answers 200; returns when it first did.
    pub fn wait_rest(&mut self, timeout: Duration, step: Duration) -> Result<Instant> {
        let deadline = Instant::now() + timeout;
        loop {
            if rest_answers(self.rest) {
                return Ok(Instant::now());
            }
            self.ensure_alive()?;
            if Instant::now() > deadline {
                bail!(
                    "the worker's REST API did not answer within {timeout:?}; log:\n{}",
                    self.log_tail(LOG_TAIL)
                );
            }
            std::thread::sleep(step);
        }
    }

    /// `GET path` as JSON.
    pub fn get_json(&self, path: &str) -> Result<(u16, serde_json::Value)> {
        let url = format!("http://{}{path}", self.rest);
        let mut response = ureq::get(&url)
            .config()
            .http_status_as_error(false)
            .build()
            .call()?;
        let status = response.status().as_u16();
        let body = response.body_mut().read_json()?;
        Ok((status, body))
    }

    /// `POST path` with a JSON body.
    pub fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<(u16, serde_json::Value)> {
        let url = format!("http://{}{path}", self.rest);
        let mut response = ureq::post(&url)
            .config()
            .http_status_as_error(false)
            .build()
            .send_json(body)?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .read_json()
            .unwrap_or(serde_json::Value::Null);
        Ok((status, body))
    }

    /// Waits until `count` connectors and all their tasks are RUNNING.
    pub fn wait_running(&mut self, count: usize, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let (status, body) = self.get_json("/connectors?expand=status")?;
            if status == 200
                && let Some(map) = body.as_object()
            {
                let running = map
                    .values()
                    .filter(|c| {
                        let s = &c["status"];
                        let tasks = s["tasks"].as_array().cloned().unwrap_or_default();
                        s["connector"]["state"] == "RUNNING"
                            && !tasks.is_empty()
                            && tasks.iter().all(|t| t["state"] == "RUNNING")
                    })
                    .count();
                if running >= count {
                    return Ok(());
                }
            }
            self.ensure_alive()?;
            if Instant::now() > deadline {
                bail!(
                    "{count} connectors were not RUNNING within {timeout:?}: {body}; log:\n{}",
                    self.log_tail(LOG_TAIL)
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The committed offsets in the offsets file: `(connector, partition, offset)`.
    pub fn offsets(&self) -> Vec<(String, serde_json::Value, serde_json::Value)> {
        read_offsets(&self.offsets_file)
    }

    /// SIGTERM, and wait (up to 30 s, then SIGKILL) for the exit.
    pub fn terminate(&mut self) -> Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        child.wait()?;
        Ok(())
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Whether `GET /` on `addr` answers 200, over a plain socket (no client set-up cost).
pub fn rest_answers(addr: SocketAddr) -> bool {
    let attempt = || -> std::io::Result<bool> {
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(200))?;
        stream.set_read_timeout(Some(Duration::from_secs(2)))?;
        stream.write_all(b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head)?;
        Ok(head.starts_with(b"HTTP/1.1 200") || head.starts_with(b"HTTP/1.0 200"))
    };
    attempt().unwrap_or(false)
}

/// The entries of a standalone offsets file: `(connector, partition, offset)`.
pub fn read_offsets(path: &Path) -> Vec<(String, serde_json::Value, serde_json::Value)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    json["offsets"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| {
                    (
                        e["key"][0].as_str().unwrap_or_default().to_string(),
                        e["key"][1].clone(),
                        e["value"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
