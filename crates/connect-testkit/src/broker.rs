//! A Tansu broker child process.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use tempfile::TempDir;

/// Env variable naming the `tansu` binary to run.
pub const TANSU_BIN_ENV: &str = "TANSU_BIN";
/// Env variable with the `RUST_LOG` filter given to the broker (default `info`).
pub const TANSU_LOG_ENV: &str = "TRIBUTARY_TANSU_LOG";

/// Finds the `tansu` binary: `$TANSU_BIN`, else `tansu` on `PATH`, else
/// `$CARGO_HOME/bin/tansu`, else `~/.cargo/bin/tansu`.
pub fn find_tansu() -> Result<PathBuf> {
    if let Some(bin) = std::env::var_os(TANSU_BIN_ENV).filter(|v| !v.is_empty()) {
        let bin = PathBuf::from(bin);
        if bin.is_file() {
            return Ok(bin);
        }
        bail!("{TANSU_BIN_ENV}={} is not a file", bin.display());
    }
    let mut candidates = Vec::new();
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|d| d.join("tansu")));
    }
    if let Some(cargo_home) = std::env::var_os("CARGO_HOME").filter(|v| !v.is_empty()) {
        candidates.push(PathBuf::from(cargo_home).join("bin/tansu"));
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        candidates.push(PathBuf::from(home).join(".cargo/bin/tansu"));
    }
    candidates.into_iter().find(|c| c.is_file()).ok_or_else(|| {
        anyhow!(
            "the tansu broker binary was not found (set {TANSU_BIN_ENV}, put tansu on PATH, \
             or run scripts/setup-test-env.sh; or point {} at an existing cluster)",
            crate::BOOTSTRAP_SERVERS_ENV
        )
    })
}

/// Asks the kernel for a currently free port on 127.0.0.1.
///
/// There is a window between this returning and the broker binding the port in which
/// something else may take it; [`crate::KafkaCluster::start_tansu`] detects that (the
/// broker exits, or another broker answers with a different cluster id) and retries on
/// another port.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A running (or stopped) Tansu broker with its own temporary directory holding the
/// sqlite database and the log file.
pub struct TansuBroker {
    bin: PathBuf,
    port: u16,
    cluster_id: String,
    dir: TempDir,
    log_path: PathBuf,
    child: Option<Child>,
    /// `sh` process that kills the broker if this process dies without running `Drop`
    /// (its stdin is a pipe from us: EOF means we are gone).
    watchdog: Option<Child>,
}

impl TansuBroker {
    /// Creates the temp dir and spawns the broker on `port` with the given cluster id (unique
    /// per broker, so that a client can tell it reached the right one). Does not wait for
    /// readiness.
    pub fn spawn(bin: PathBuf, port: u16, cluster_id: String) -> Result<TansuBroker> {
        let dir = tempfile::Builder::new()
            .prefix("tributary-tansu-")
            .tempdir()
            .context("creating the broker's temp dir")?;
        let log_path = dir.path().join("tansu.log");
        let mut broker = TansuBroker {
            bin,
            port,
            cluster_id,
            dir,
            log_path,
            child: None,
            watchdog: None,
        };
        broker.spawn_process()?;
        Ok(broker)
    }

    fn spawn_process(&mut self) -> Result<()> {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .with_context(|| format!("opening {}", self.log_path.display()))?;
        let log_err = log.try_clone()?;
        let url = format!("tcp://127.0.0.1:{}", self.port);
        // Tansu 0.6.0 resolves a sqlite URL's host and path *relative to its working
        // directory* (`sqlite:///abs/x.db` becomes `$PWD/abs/x.db`), so run it in the temp
        // dir and name the file relative to it.
        let storage = "sqlite:///tansu.db";
        let mut cmd = Command::new(&self.bin);
        cmd.arg("broker")
            .arg("--listener-url")
            .arg(&url)
            .arg("--advertised-listener-url")
            .arg(&url)
            .arg("--storage-engine")
            .arg(storage)
            .arg("--cluster-id")
            .arg(&self.cluster_id)
            .current_dir(self.dir.path())
            // Tansu reads these too (clap `env`): keep the test's environment out of it.
            .env_remove("CLUSTER_ID")
            .env_remove("LISTENER_URL")
            .env_remove("ADVERTISED_LISTENER_URL")
            .env_remove("STORAGE_ENGINE")
            .env_remove("SCHEMA_REGISTRY")
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .env_remove("DATA_LAKE")
            .env(
                "RUST_LOG",
                std::env::var(TANSU_LOG_ENV).unwrap_or_else(|_| "info".to_owned()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err));
        tracing::debug!(?cmd, "starting tansu");
        let child = cmd
            .spawn()
            .with_context(|| format!("spawning {}", self.bin.display()))?;
        let pid = child.id();
        self.child = Some(child);
        // Best effort: without the watchdog, Drop still kills the broker.
        match Command::new("sh")
            .arg("-c")
            .arg(format!("read -r _ || kill -9 {pid} 2>/dev/null"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(w) => self.watchdog = Some(w),
            Err(e) => tracing::warn!("no watchdog for the tansu broker: {e}"),
        }
        Ok(())
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn is_running(&mut self) -> bool {
        self.exit_status().is_none() && self.child.is_some()
    }

    /// `Some(status)` if the process has exited; `None` while it runs (or when stopped).
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        let child = self.child.as_mut()?;
        child.try_wait().ok().flatten()
    }

    /// True once the port accepts TCP connections.
    pub fn accepts_connections(&self) -> bool {
        TcpStream::connect_timeout(&self.addr(), Duration::from_millis(200)).is_ok()
    }

    /// The last `max` bytes of the broker's log, for error messages.
    pub fn log_tail(&self, max: u64) -> String {
        let read = || -> std::io::Result<String> {
            let mut f = File::open(&self.log_path)?;
            let len = f.metadata()?.len();
            f.seek(SeekFrom::Start(len.saturating_sub(max)))?;
            let mut buf = Vec::new();
            f.read_to_end(&mut buf)?;
            Ok(String::from_utf8_lossy(&buf).into_owned())
        };
        read().unwrap_or_else(|e| format!("<cannot read {}: {e}>", self.log_path.display()))
    }

    fn disarm_watchdog(&mut self) {
        if let Some(mut w) = self.watchdog.take() {
            // Kill it before it could see EOF and kill a (possibly reused) pid.
            let _ = w.kill();
            let _ = w.wait();
        }
    }

    /// Stops the broker: SIGTERM, then SIGKILL after `grace`. The data dir is kept.
    pub fn stop(&mut self, grace: Duration) -> Result<()> {
        self.disarm_watchdog();
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        if child.try_wait()?.is_none() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let deadline = std::time::Instant::now() + grace;
            while child.try_wait()?.is_none() {
                if std::time::Instant::now() >= deadline {
                    tracing::warn!("tansu did not stop within {grace:?}; killing it");
                    let _ = child.kill();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        child.wait().context("waiting for tansu to exit")?;
        Ok(())
    }

    /// Kills the broker at once (SIGKILL), like a crash. The data dir is kept.
    pub fn kill(&mut self) -> Result<()> {
        self.disarm_watchdog();
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            child.wait().context("waiting for tansu to exit")?;
        }
        Ok(())
    }

    /// Starts the broker again on the same port with the same database.
    pub fn respawn(&mut self) -> Result<()> {
        if self.child.is_some() {
            bail!("the broker is still running");
        }
        self.spawn_process()
    }
}

impl Drop for TansuBroker {
    fn drop(&mut self) {
        if let Err(e) = self.kill() {
            tracing::warn!("stopping tansu: {e:#}");
        }
        if std::env::var_os(crate::KEEP_BROKER_DIR_ENV).is_some() {
            self.dir.disable_cleanup(true);
            let path = self.dir.path().display();
            eprintln!("connect-testkit: kept broker dir {path}");
        }
    }
}
