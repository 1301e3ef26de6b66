//! Apache Kafka itself, started from the jars that `scripts/setup-test-env.sh` fetched.
//!
//! # Where Kafka comes from
//!
//! The setup script reads the pinned version from `tests/kafka/pom.xml` and copies Apache
//! Kafka's artifacts (broker, storage tool, tools, Connect runtime, converters, transforms,
//! a log4j2 backend) with Maven into `<workspace>/.cache/kafka/<version>/lib`, and the
//! Connect plugins into `.../plugins/<name>/` ([`KafkaDist`]). Nothing here downloads: a
//! missing cache is an error that says to run the setup script. `TRIBUTARY_KAFKA_HOME`
//! points at another folder of the same layout.
//!
//! # One broker per test run
//!
//! A JVM broker takes a couple of seconds and a few hundred megabytes, so the tests of one
//! run share one ([`shared_broker`]): a single-node KRaft broker (combined broker and
//! controller, storage formatted by Kafka's own `kafka.tools.StorageTool`) on free ports.
//! cargo-nextest runs every test in a process of its own, so "the run" is the test
//! runner: the parent process of the test process (cargo-nextest, or cargo for `cargo
//! test`). The first test process of a run that needs a broker takes a file lock in
//! `target/kafka-test/run-<runner pid>/`, starts the broker detached from itself (its own
//! process group, so the runner's timeout kills of one test do not take the broker along)
//! and writes `broker.json` there; every later test process of the run finds it under the
//! same lock and connects to it. A reaper (`sh`) started next to the broker waits for the
//! runner to exit, whatever the tests' outcome, then stops the broker (SIGTERM, SIGKILL after
//! 10 s) and removes its data, keeping `broker.log`; the last few runs' folders are kept for
//! their logs. Every test keeps to its own topics and group ids (`unique_topic`).
//!
//! A test that stops, kills or restarts its broker gets one of its own instead
//! ([`KafkaBroker`], through `KafkaCluster::start_dedicated`): a child process killed when
//! the value drops, or by a watchdog if the test process dies without unwinding.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use tempfile::TempDir;

use crate::python::workspace_root;

/// Env variable: a folder laid out like `.cache/kafka/<version>` (`lib/`, `plugins/`) to
/// use instead of the setup script's cache.
pub const KAFKA_HOME_ENV: &str = "TRIBUTARY_KAFKA_HOME";
/// Env variable: the JDK to run Kafka with (`$JAVA_HOME/bin/java`); default `java` on PATH.
pub const JAVA_HOME_ENV: &str = "JAVA_HOME";
/// Env variable: the JDK the Kafka oracle runs on (see [`KafkaDist::oracle_java`]).
pub const ORACLE_JAVA_HOME_ENV: &str = "TRIBUTARY_ORACLE_JAVA_HOME";

/// Run folders (each holding one run's broker log) kept under `target/kafka-test`.
const KEPT_RUNS: usize = 8;

/// An Apache Kafka installation as `scripts/setup-test-env.sh` lays it out.
#[derive(Debug, Clone)]
pub struct KafkaDist {
    home: PathBuf,
    version: String,
    workspace: PathBuf,
}

impl KafkaDist {
    /// The installation of the version pinned in `tests/kafka/pom.xml`: `$TRIBUTARY_KAFKA_HOME`,
    /// else `<workspace>/.cache/kafka/<version>`.
    pub fn locate() -> Result<KafkaDist> {
        let workspace = workspace_root()?;
        let version = pinned_version(&workspace)?;
        let home = match std::env::var_os(KAFKA_HOME_ENV).filter(|v| !v.is_empty()) {
            Some(home) => PathBuf::from(home),
            None => workspace.join(".cache/kafka").join(&version),
        };
        let has_jars = std::fs::read_dir(home.join("lib"))
            .map(|mut entries| entries.next().is_some())
            .unwrap_or(false);
        if !has_jars {
            bail!(
                "Apache Kafka {version} is not installed in {}: run scripts/setup-test-env.sh \
                 (or set {KAFKA_HOME_ENV}, or point {} at a running cluster)",
                home.display(),
                crate::BOOTSTRAP_SERVERS_ENV
            );
        }
        Ok(KafkaDist {
            home,
            version,
            workspace,
        })
    }

    /// Kafka's version, e.g. `4.3.1`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The installation folder.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// Connect's `plugin.path` folder: one sub-folder per plugin (`connect-file`,
    /// `test-plugins`), as in Kafka's distribution, where the file connectors are not on
    /// the worker's classpath.
    pub fn plugins_dir(&self) -> PathBuf {
        self.home.join("plugins")
    }

    /// The compiled Kafka oracle (`tests/kafka/oracle`), see the `oracle` module.
    pub fn oracle_classes(&self) -> Result<PathBuf> {
        let classes = self.home.join("oracle/classes");
        if !classes.join("KafkaOracle.class").is_file() {
            bail!(
                "the Kafka oracle is not compiled in {}: run scripts/setup-test-env.sh",
                classes.display()
            );
        }
        Ok(classes)
    }

    /// The log4j2 configuration of every Kafka process the tests start.
    pub fn log4j_config(&self) -> PathBuf {
        self.workspace.join("tests/kafka/log4j2.properties")
    }

    /// The `java` binary.
    pub fn java(&self) -> PathBuf {
        match std::env::var_os(JAVA_HOME_ENV).filter(|v| !v.is_empty()) {
            Some(home) => PathBuf::from(home).join("bin/java"),
            None => PathBuf::from("java"),
        }
    }

    /// The JDK the oracle runs on, and its major version: `$TRIBUTARY_ORACLE_JAVA_HOME`,
    /// else the newest JDK 19 or later under `/usr/lib/jvm`, else [`KafkaDist::java`].
    ///
    /// Kafka's JSON is written by Jackson with `Float.toString`/`Double.toString`, whose
    /// digits changed in Java 19 (JDK-4511638: before it, some floats print with more digits
    /// than they need, `1.17549435E-38` for what Java 19+ and Tributary write as
    /// `1.1754944E-38`). Tributary writes what Kafka writes on a current JVM.
    pub fn oracle_java(&self) -> (PathBuf, u32) {
        if let Some(home) = std::env::var_os(ORACLE_JAVA_HOME_ENV).filter(|v| !v.is_empty()) {
            let home = PathBuf::from(home);
            let major = release_major(&home).unwrap_or(0);
            return (home.join("bin/java"), major);
        }
        let newest = std::fs::read_dir("/usr/lib/jvm")
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|home| home.join("bin/java").is_file())
            .filter_map(|home| Some((release_major(&home)?, home)))
            .filter(|(major, _)| *major >= 19)
            .max();
        if let Some((major, home)) = newest {
            return (home.join("bin/java"), major);
        }
        let java = self.java();
        let major = Command::new(&java)
            .arg("-version")
            .output()
            .ok()
            .and_then(|o| {
                let text = String::from_utf8_lossy(&o.stderr).into_owned();
                let version = text.split('"').nth(1)?.to_owned();
                version.split('.').next()?.parse().ok()
            })
            .unwrap_or(0);
        (java, major)
    }

    /// `java <jvm_opts> -cp <extra>:<lib>/* <logging> <main_class>`; add the program's
    /// arguments, stdio and working directory.
    pub fn java_command(
        &self,
        jvm_opts: &[&str],
        extra_classpath: &[&Path],
        main_class: &str,
    ) -> Command {
        self.java_command_with(&self.java(), jvm_opts, extra_classpath, main_class)
    }

    /// [`KafkaDist::java_command`] with a given `java` binary.
    pub fn java_command_with(
        &self,
        java: &Path,
        jvm_opts: &[&str],
        extra_classpath: &[&Path],
        main_class: &str,
    ) -> Command {
        let mut classpath: Vec<String> = extra_classpath
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        classpath.push(format!("{}/*", self.home.join("lib").display()));
        let mut cmd = Command::new(java);
        cmd.args(jvm_opts)
            .arg("-cp")
            .arg(classpath.join(":"))
            .arg(format!(
                "-Dlog4j2.configurationFile={}",
                self.log4j_config().display()
            ))
            .arg("-Djava.awt.headless=true")
            .arg(main_class);
        cmd
    }
}

/// The major version in a JDK's `release` file (`JAVA_VERSION="25.0.3"`).
fn release_major(home: &Path) -> Option<u32> {
    let text = std::fs::read_to_string(home.join("release")).ok()?;
    let line = text.lines().find(|l| l.starts_with("JAVA_VERSION="))?;
    let version = line.split('"').nth(1)?;
    version.split(['.', '-', '+']).next()?.parse().ok()
}

/// The `<kafka.version>` of `tests/kafka/pom.xml`.
fn pinned_version(workspace: &Path) -> Result<String> {
    let pom = workspace.join("tests/kafka/pom.xml");
    let text =
        std::fs::read_to_string(&pom).with_context(|| format!("reading {}", pom.display()))?;
    // The element, not a mention in a comment: the text between the tags is a version.
    text.split("<kafka.version>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</kafka.version>"))
        .map(|(version, _)| version.trim())
        .find(|v| {
            !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        })
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("no <kafka.version> in {}", pom.display()))
}

/// Asks the kernel for a currently free port on 127.0.0.1.
///
/// Something else may take the port before the broker binds it; the broker then exits and
/// its starter retries on other ports.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A Kafka cluster id: a random UUID in Kafka's base64url form (what `kafka-storage.sh
/// random-uuid` prints), so that a client can tell which broker answers a port.
pub fn random_cluster_id() -> String {
    loop {
        let mut bytes = [0u8; 16];
        for (i, chunk) in bytes.chunks_mut(8).enumerate() {
            let word = u64::from_str_radix(&crate::unique_suffix(), 16).unwrap_or(i as u64);
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        // As Kafka's Uuid.randomUuid: an id that starts with '-' would read as an option on
        // a command line (StorageTool's --cluster-id).
        if !id.starts_with('-') {
            return id;
        }
    }
}

/// JVM settings of a test broker: `kafka-server-start.sh`'s collector flags, a smaller heap.
const BROKER_JVM_OPTS: &[&str] = &[
    "-Xms128m",
    "-Xmx1g",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-XX:MaxInlineLevel=15",
];

/// Files and ports of one broker: `server.properties` and `broker.log` in `dir`, data in
/// `dir/data`.
#[derive(Debug, Clone)]
struct BrokerLayout {
    dir: PathBuf,
    port: u16,
    controller_port: u16,
    cluster_id: String,
    /// Extra TLS and SASL listeners, for [`KafkaBroker::spawn_secured`].
    secured: Option<Box<SecuredListeners>>,
}

/// A broker's TLS and SASL listeners, beside its PLAINTEXT one: what
/// [`KafkaBroker::spawn_secured`] starts, and what a client needs to reach each.
#[derive(Debug, Clone)]
pub struct SecuredListeners {
    /// `SSL://127.0.0.1:<ssl>`: server certificate signed by the test CA.
    pub ssl: u16,
    /// `SASL_PLAINTEXT://127.0.0.1:<scram>`: SCRAM-SHA-512.
    pub scram: u16,
    /// `SASL_SSL://127.0.0.1:<plain>`: PLAIN over TLS.
    pub plain_over_tls: u16,
    /// The certificates and stores ([`crate::tls::TestPki`]).
    pub pki: crate::tls::TestPki,
}

impl SecuredListeners {
    /// The user both SASL listeners know (SCRAM-SHA-512 credentials created at format time,
    /// PLAIN in the listener's JAAS line), and its password.
    pub const USER: &'static str = "alice";
    pub const PASSWORD: &'static str = "alice-secret";
}

impl BrokerLayout {
    fn new(dir: &Path) -> Result<BrokerLayout> {
        Self::with_port(dir, None)
    }

    fn with_port(dir: &Path, port: Option<u16>) -> Result<BrokerLayout> {
        Ok(BrokerLayout {
            dir: dir.to_path_buf(),
            port: match port {
                Some(port) => port,
                None => free_port()?,
            },
            controller_port: free_port()?,
            cluster_id: random_cluster_id(),
            secured: None,
        })
    }

    fn config_path(&self) -> PathBuf {
        self.dir.join("server.properties")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("broker.log")
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Writes `server.properties` (single-node KRaft, everything on 127.0.0.1, internal
    /// topics with replication factor 1) and formats the storage with Kafka's StorageTool.
    fn prepare(&self, dist: &KafkaDist) -> Result<()> {
        let BrokerLayout {
            port,
            controller_port: cport,
            ..
        } = self;
        let data = self.data_dir();
        let config = format!(
            "# Written by connect-testkit: a single-node KRaft broker for Tributary's tests.\n\
             process.roles=broker,controller\n\
             node.id=1\n\
             controller.quorum.voters=1@127.0.0.1:{cport}\n\
             listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{cport}\n\
             advertised.listeners=PLAINTEXT://127.0.0.1:{port}\n\
             controller.listener.names=CONTROLLER\n\
             inter.broker.listener.name=PLAINTEXT\n\
             listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT\n\
             log.dirs={data}\n\
             num.partitions=1\n\
             offsets.topic.replication.factor=1\n\
             offsets.topic.num.partitions=10\n\
             transaction.state.log.replication.factor=1\n\
             transaction.state.log.min.isr=1\n\
             transaction.state.log.num.partitions=10\n\
             share.coordinator.state.topic.replication.factor=1\n\
             share.coordinator.state.topic.min.isr=1\n\
             group.initial.rebalance.delay.ms=0\n",
            data = data.display()
        );
        let config = match &self.secured {
            None => config,
            Some(secured) => secured_config(&config, *port, *cport, secured),
        };
        std::fs::write(self.config_path(), config)
            .with_context(|| format!("writing {}", self.config_path().display()))?;
        let mut format = dist.java_command(&["-Xmx256m"], &[], "kafka.tools.StorageTool");
        format
            .arg("format")
            .arg("--cluster-id")
            .arg(&self.cluster_id)
            .arg("--config")
            .arg(self.config_path());
        if self.secured.is_some() {
            format.arg("--add-scram").arg(format!(
                "SCRAM-SHA-512=[name={},password={}]",
                SecuredListeners::USER,
                SecuredListeners::PASSWORD
            ));
        }
        let output = format.stdin(Stdio::null()).output().with_context(|| {
            format!(
                "running {} (kafka.tools.StorageTool)",
                dist.java().display()
            )
        })?;
        if !output.status.success() {
            bail!(
                "kafka.tools.StorageTool format failed with {}:\n{}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    }

    /// `java ... kafka.Kafka server.properties`, output appended to `broker.log`.
    fn command(&self, dist: &KafkaDist) -> Result<Command> {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .with_context(|| format!("opening {}", self.log_path().display()))?;
        let log_err = log.try_clone()?;
        let mut cmd = dist.java_command(BROKER_JVM_OPTS, &[], "kafka.Kafka");
        cmd.arg(self.config_path())
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err));
        Ok(cmd)
    }
}

/// `server.properties` with the SSL, SASL_PLAINTEXT (SCRAM-SHA-512) and SASL_SSL (PLAIN)
/// listeners added to the PLAINTEXT one (which stays the inter-broker listener).
fn secured_config(base: &str, port: u16, cport: u16, secured: &SecuredListeners) -> String {
    let SecuredListeners {
        ssl,
        scram,
        plain_over_tls: plain,
        pki,
    } = secured;
    let pass = crate::tls::STORE_PASSWORD;
    let (user, password) = (SecuredListeners::USER, SecuredListeners::PASSWORD);
    let mut config: String = base
        .lines()
        .filter(|line| {
            !line.starts_with("listeners=")
                && !line.starts_with("advertised.listeners=")
                && !line.starts_with("listener.security.protocol.map=")
        })
        .map(|line| format!("{line}\n"))
        .collect();
    config.push_str(&format!(
        "listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{cport},SSL://127.0.0.1:{ssl},SASL_PLAINTEXT://127.0.0.1:{scram},SASL_SSL://127.0.0.1:{plain}\n\
         advertised.listeners=PLAINTEXT://127.0.0.1:{port},SSL://127.0.0.1:{ssl},SASL_PLAINTEXT://127.0.0.1:{scram},SASL_SSL://127.0.0.1:{plain}\n\
         listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL\n\
         ssl.keystore.location={keystore}\n\
         ssl.keystore.type=PKCS12\n\
         ssl.keystore.password={pass}\n\
         ssl.key.password={pass}\n\
         ssl.client.auth=none\n\
         sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN\n\
         listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-512\n\
         listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;\n\
         listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN\n\
         listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"{user}\" password=\"{password}\" user_{user}=\"{password}\";\n",
        keystore = pki.broker_keystore.display(),
    ));
    config
}

/// The last `max` bytes of a log file, for error messages.
pub(crate) fn file_tail(path: &Path, max: u64) -> String {
    let read = || -> std::io::Result<String> {
        let mut f = File::open(path)?;
        let len = f.metadata()?.len();
        f.seek(SeekFrom::Start(len.saturating_sub(max)))?;
        let mut buf = Vec::new();
        f.read_to_end(&mut buf)?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    };
    read().unwrap_or_else(|e| format!("<cannot read {}: {e}>", path.display()))
}

/// True once `addr` accepts TCP connections.
pub(crate) fn accepts_connections(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
}

/// Whether a process exists and is not a zombie (Linux `/proc`).
pub(crate) fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name, which may itself hold ")".
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

// ------------------------------------------------------------------------------------------
// The shared broker of a test run.

/// The broker a test run shares, as recorded in `broker.json`.
#[derive(Debug, Clone)]
pub struct SharedBroker {
    /// `127.0.0.1:<port>`.
    pub bootstrap: String,
    /// The cluster id it was formatted with.
    pub cluster_id: String,
    /// Its log file (kept after the run).
    pub log_path: PathBuf,
    /// Its process id.
    pub pid: u32,
    /// The Kafka version.
    pub version: String,
}

impl SharedBroker {
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "bootstrap": self.bootstrap,
            "cluster_id": self.cluster_id,
            "log": self.log_path,
            "pid": self.pid,
            "version": self.version,
        })
    }

    fn from_json(v: &serde_json::Value) -> Option<SharedBroker> {
        Some(SharedBroker {
            bootstrap: v.get("bootstrap")?.as_str()?.to_owned(),
            cluster_id: v.get("cluster_id")?.as_str()?.to_owned(),
            log_path: PathBuf::from(v.get("log")?.as_str()?),
            pid: u32::try_from(v.get("pid")?.as_u64()?).ok()?,
            version: v.get("version")?.as_str()?.to_owned(),
        })
    }

    /// Whether its process still runs.
    pub fn is_alive(&self) -> bool {
        process_alive(self.pid)
    }

    /// The last `max` bytes of its log.
    pub fn log_tail(&self, max: u64) -> String {
        file_tail(&self.log_path, max)
    }
}

/// The folder of this test run: `<workspace>/target/kafka-test/run-<runner pid>`.
fn run_dir() -> Result<PathBuf> {
    let base = workspace_root()?.join("target/kafka-test");
    Ok(base.join(format!("run-{}", std::os::unix::process::parent_id())))
}

/// Holds the run's lock file locked; dropping it unlocks.
pub(crate) struct RunLock {
    _file: File,
    dir: PathBuf,
}

/// Takes the run's lock (blocking: another test process may be starting the broker).
pub(crate) fn lock_run() -> Result<RunLock> {
    let dir = run_dir()?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    file.lock()
        .with_context(|| format!("locking {}", path.display()))?;
    Ok(RunLock { _file: file, dir })
}

impl RunLock {
    /// The broker recorded for this run, if its process still runs.
    pub(crate) fn recorded(&self) -> Option<SharedBroker> {
        let text = std::fs::read_to_string(self.dir.join("broker.json")).ok()?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        SharedBroker::from_json(&value).filter(SharedBroker::is_alive)
    }

    /// Starts the run's broker detached, with its reaper; does not wait for readiness.
    /// Returns it and a handle to notice an early exit while waiting.
    pub(crate) fn spawn(&self, dist: &KafkaDist, attempt: u32) -> Result<(SharedBroker, Child)> {
        if attempt == 1 {
            prune_old_runs(&self.dir);
        }
        let dir = self.dir.join(format!("broker-{attempt}"));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let layout = BrokerLayout::new(&dir)?;
        layout.prepare(dist)?;
        let mut cmd = layout.command(dist)?;
        // Its own process group: nextest kills a timed-out test's group, not the run's broker.
        cmd.process_group(0);
        let child = cmd
            .spawn()
            .with_context(|| format!("spawning {}", dist.java().display()))?;
        let pid = child.id();
        spawn_reaper(std::os::unix::process::parent_id(), pid, &layout.data_dir())?;
        Ok((
            SharedBroker {
                bootstrap: layout.bootstrap(),
                cluster_id: layout.cluster_id.clone(),
                log_path: layout.log_path(),
                pid,
                version: dist.version().to_owned(),
            },
            child,
        ))
    }

    /// Records a ready broker for the run's other test processes.
    pub(crate) fn record(&self, broker: &SharedBroker) -> Result<()> {
        let path = self.dir.join("broker.json");
        let tmp = self.dir.join("broker.json.tmp");
        let mut f = File::create(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
        f.write_all(broker.to_json().to_string().as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }
}

/// Stops `broker` once `runner` has exited, and removes `data`.
fn spawn_reaper(runner: u32, broker: u32, data: &Path) -> Result<()> {
    const SCRIPT: &str = r#"runner=$1 broker=$2 data=$3
while kill -0 "$runner" 2>/dev/null; do sleep 1; done
kill -TERM "$broker" 2>/dev/null
i=0
while kill -0 "$broker" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
kill -KILL "$broker" 2>/dev/null
rm -rf "$data""#;
    Command::new("sh")
        .arg("-c")
        .arg(SCRIPT)
        .arg("kafka-test-reaper")
        .arg(runner.to_string())
        .arg(broker.to_string())
        .arg(data)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("spawning the broker's reaper (sh)")?;
    Ok(())
}

/// Removes the folders of finished runs beyond the newest [`KEPT_RUNS`].
fn prune_old_runs(current: &Path) {
    let Some(base) = current.parent() else { return };
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    let mut runs: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p != current
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("run-"))
        })
        .filter_map(|p| Some((p.metadata().ok()?.modified().ok()?, p)))
        .collect();
    runs.sort();
    let excess = runs.len().saturating_sub(KEPT_RUNS - 1);
    for (_, path) in runs.into_iter().take(excess) {
        let pid = path.file_name().and_then(|n| {
            n.to_string_lossy()
                .strip_prefix("run-")?
                .parse::<u32>()
                .ok()
        });
        if pid.is_some_and(process_alive) {
            continue; // another run in progress
        }
        let _ = std::fs::remove_dir_all(&path);
    }
}

// ------------------------------------------------------------------------------------------
// A broker of one's own.

/// A broker process owned by one test (or benchmark): killed on drop, its temp dir removed
/// unless `TRIBUTARY_KEEP_BROKER_DIR` is set.
pub struct KafkaBroker {
    dist: KafkaDist,
    layout: BrokerLayout,
    dir: TempDir,
    child: Option<Child>,
    /// `sh` process that kills the broker if this process dies without running `Drop`
    /// (its stdin is a pipe from us: EOF means we are gone).
    watchdog: Option<Child>,
}

impl std::fmt::Debug for KafkaBroker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaBroker")
            .field("bootstrap", &self.layout.bootstrap())
            .field("dir", &self.dir.path())
            .finish()
    }
}

impl KafkaBroker {
    /// Formats a new broker's storage in a temp dir and starts it on free ports. Does not
    /// wait for readiness.
    pub fn spawn(dist: &KafkaDist) -> Result<KafkaBroker> {
        Self::spawn_on(dist, None)
    }

    /// [`KafkaBroker::spawn`] with the client port given (`None`: a free one).
    pub fn spawn_on(dist: &KafkaDist, port: Option<u16>) -> Result<KafkaBroker> {
        Self::spawn_with(dist, port, false)
    }

    /// A broker with SSL, SASL_PLAINTEXT (SCRAM-SHA-512) and SASL_SSL (PLAIN) listeners
    /// beside its PLAINTEXT one, certificates made at start by [`crate::tls::TestPki`]; see
    /// [`KafkaBroker::secured`]. Does not wait for readiness.
    pub fn spawn_secured(dist: &KafkaDist) -> Result<KafkaBroker> {
        Self::spawn_with(dist, None, true)
    }

    /// The secured listeners of a broker from [`KafkaBroker::spawn_secured`].
    pub fn secured(&self) -> Option<&SecuredListeners> {
        self.layout.secured.as_deref()
    }

    fn spawn_with(dist: &KafkaDist, port: Option<u16>, secured: bool) -> Result<KafkaBroker> {
        let dir = tempfile::Builder::new()
            .prefix("tributary-kafka-")
            .tempdir()
            .context("creating the broker's temp dir")?;
        let mut layout = BrokerLayout::with_port(dir.path(), port)?;
        if secured {
            layout.secured = Some(Box::new(SecuredListeners {
                ssl: free_port()?,
                scram: free_port()?,
                plain_over_tls: free_port()?,
                pki: crate::tls::TestPki::generate(dist, &dir.path().join("pki"))?,
            }));
        }
        layout.prepare(dist)?;
        let mut broker = KafkaBroker {
            dist: dist.clone(),
            layout,
            dir,
            child: None,
            watchdog: None,
        };
        broker.spawn_process()?;
        Ok(broker)
    }

    fn spawn_process(&mut self) -> Result<()> {
        let child = self
            .layout
            .command(&self.dist)?
            .spawn()
            .with_context(|| format!("spawning {}", self.dist.java().display()))?;
        let pid = child.id();
        self.child = Some(child);
        self.watchdog = spawn_watchdog(pid, "the kafka broker");
        Ok(())
    }

    /// `127.0.0.1:<port>`.
    pub fn bootstrap_servers(&self) -> String {
        self.layout.bootstrap()
    }

    /// The cluster id the storage was formatted with.
    pub fn cluster_id(&self) -> &str {
        &self.layout.cluster_id
    }

    pub fn port(&self) -> u16 {
        self.layout.port
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.layout.port))
    }

    pub fn log_path(&self) -> PathBuf {
        self.layout.log_path()
    }

    /// The temp dir holding `server.properties`, `broker.log` and `data/`.
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
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
        accepts_connections(self.addr())
    }

    /// The last `max` bytes of the broker's log, for error messages.
    pub fn log_tail(&self, max: u64) -> String {
        file_tail(&self.log_path(), max)
    }

    fn disarm_watchdog(&mut self) {
        if let Some(mut w) = self.watchdog.take() {
            // Kill it before it could see EOF and kill a (possibly reused) pid.
            let _ = w.kill();
            let _ = w.wait();
        }
    }

    /// Stops the broker: SIGTERM (a controlled shutdown), then SIGKILL after `grace`. The
    /// data is kept.
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
                    tracing::warn!("kafka did not stop within {grace:?}; killing it");
                    let _ = child.kill();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        child.wait().context("waiting for kafka to exit")?;
        Ok(())
    }

    /// Kills the broker at once (SIGKILL), like a crash. The data is kept.
    pub fn kill(&mut self) -> Result<()> {
        self.disarm_watchdog();
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            child.wait().context("waiting for kafka to exit")?;
        }
        Ok(())
    }

    /// Starts the broker again on the same ports with the same data.
    pub fn respawn(&mut self) -> Result<()> {
        if self.child.is_some() {
            bail!("the broker is still running");
        }
        self.spawn_process()
    }
}

impl Drop for KafkaBroker {
    fn drop(&mut self) {
        if let Err(e) = self.kill() {
            tracing::warn!("stopping kafka: {e:#}");
        }
        if std::env::var_os(crate::KEEP_BROKER_DIR_ENV).is_some() {
            self.dir.disable_cleanup(true);
            eprintln!(
                "connect-testkit: kept broker dir {}",
                self.dir.path().display()
            );
        }
    }
}

/// A `sh` that kills process `pid` when its stdin closes, i.e. when this process exits
/// (even by a panic or a signal), so that no test leaves a JVM behind; dropping the child's
/// stdin kills it too. Best effort: without it, `Drop` still kills the process.
pub(crate) fn spawn_watchdog(pid: u32, what: &str) -> Option<Child> {
    match Command::new("sh")
        .arg("-c")
        .arg(format!("read -r _ || kill -9 {pid} 2>/dev/null"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(watchdog) => Some(watchdog),
        Err(e) => {
            tracing::warn!("no watchdog for {what}: {e}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mechanism that stops the run's broker however the run ends: once the runner
    /// process is gone, the reaper sends SIGTERM to the broker and removes its data.
    #[test]
    fn the_reaper_stops_the_broker_when_the_runner_exits() -> Result<()> {
        let data = tempfile::tempdir()?;
        let data_path = data.path().join("data");
        std::fs::create_dir(&data_path)?;
        std::fs::write(data_path.join("segment"), "x")?;
        let mut broker = Command::new("sleep").arg("600").spawn()?;
        let mut runner = Command::new("sleep").arg("600").spawn()?;
        spawn_reaper(runner.id(), broker.id(), &data_path)?;
        std::thread::sleep(Duration::from_millis(1500));
        assert!(
            broker.try_wait()?.is_none(),
            "the broker must live while the runner does"
        );
        runner.kill()?;
        runner.wait()?;
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = broker.try_wait()? {
                break status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the reaper did not stop the broker"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        use std::os::unix::process::ExitStatusExt as _;
        assert_eq!(status.signal(), Some(15), "stopped with SIGTERM: {status}");
        while data_path.exists() {
            assert!(
                std::time::Instant::now() < deadline,
                "the reaper did not remove {}",
                data_path.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    #[test]
    fn cluster_ids_are_kafka_uuids() {
        let a = random_cluster_id();
        assert_eq!(a.len(), 22, "{a}");
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(a, random_cluster_id());
        assert!((0..2000).all(|_| !random_cluster_id().starts_with('-')));
    }

    #[test]
    fn the_pinned_version_comes_from_the_pom() -> Result<()> {
        let version = pinned_version(&workspace_root()?)?;
        assert!(version.starts_with("4."), "{version}");
        Ok(())
    }

    #[test]
    fn process_states() -> Result<()> {
        assert!(process_alive(std::process::id()));
        let mut child = Command::new("true").spawn()?;
        child.wait()?;
        assert!(!process_alive(child.id()));
        Ok(())
    }
}
