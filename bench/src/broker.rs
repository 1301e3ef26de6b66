//! The broker a benchmark runs against: a Tansu child process of its own (memory engine for
//! speed, sqlite where offsets must be right), or an external cluster named by
//! [`BOOTSTRAP_ENV`].

use std::io::Write as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::types::RDKafkaErrorCode;
use tempfile::TempDir;

/// Bootstrap servers of an existing cluster to benchmark against instead of starting Tansu.
pub const BOOTSTRAP_ENV: &str = "TRIBUTARY_BENCH_BOOTSTRAP_SERVERS";

/// Tansu's storage engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// `memory://`: fast; its offsets are wrong at batch granularity (Tansu 0.6.0), so
    /// benchmarks count delivery acknowledgements instead of reading end offsets.
    Memory,
    /// `sqlite://`: correct offsets, ~70k records/s.
    Sqlite,
}

/// A broker for one measurement.
pub struct Broker {
    bootstrap: String,
    child: Option<Child>,
    watchdog: Option<Child>,
    dir: Option<TempDir>,
}

impl Broker {
    /// The external cluster when [`BOOTSTRAP_ENV`] is set, otherwise a fresh Tansu.
    pub fn start(engine: Engine) -> Result<Broker> {
        match std::env::var(BOOTSTRAP_ENV) {
            Ok(servers) if !servers.trim().is_empty() => Broker::external(servers.trim()),
            _ => {
                let mut last = None;
                for _ in 0..5 {
                    match Self::start_tansu(engine) {
                        Ok(broker) => return Ok(broker),
                        Err(e) => last = Some(e),
                    }
                }
                Err(last.unwrap_or_else(|| anyhow!("tansu did not start")))
            }
        }
    }

    /// An existing cluster (checked to answer metadata).
    pub fn external(bootstrap: &str) -> Result<Broker> {
        let broker = Broker {
            bootstrap: bootstrap.to_string(),
            child: None,
            watchdog: None,
            dir: None,
        };
        broker.wait_for_metadata(Duration::from_secs(30))?;
        Ok(broker)
    }

    /// Whether this is an external cluster (shared between measurements).
    pub fn is_external(&self) -> bool {
        self.child.is_none()
    }

    fn start_tansu(engine: Engine) -> Result<Broker> {
        let bin = connect_testkit::find_tansu()?;
        let port = connect_testkit::free_port()?;
        let dir = tempfile::Builder::new()
            .prefix("tributary-bench-tansu-")
            .tempdir()?;
        let log = std::fs::File::create(dir.path().join("tansu.log"))?;
        let url = format!("tcp://127.0.0.1:{port}");
        let storage = match engine {
            Engine::Memory => "memory://tansu/",
            // Tansu 0.6.0 resolves sqlite paths relative to its working directory.
            Engine::Sqlite => "sqlite:///tansu.db",
        };
        let child = Command::new(&bin)
            .arg("broker")
            .arg("--listener-url")
            .arg(&url)
            .arg("--advertised-listener-url")
            .arg(&url)
            .arg("--storage-engine")
            .arg(storage)
            .arg("--cluster-id")
            .arg(format!("bench-{}", connect_testkit::unique_suffix()))
            .current_dir(dir.path())
            .env_remove("CLUSTER_ID")
            .env_remove("LISTENER_URL")
            .env_remove("ADVERTISED_LISTENER_URL")
            .env_remove("STORAGE_ENGINE")
            .env_remove("SCHEMA_REGISTRY")
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .env_remove("DATA_LAKE")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("spawning {}", bin.display()))?;
        let pid = child.id();
        // Kills the broker if this process dies without dropping the Broker.
        let watchdog = Command::new("sh")
            .arg("-c")
            .arg(format!("read -r _ || kill -9 {pid} 2>/dev/null"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok();
        let mut broker = Broker {
            bootstrap: format!("127.0.0.1:{port}"),
            child: Some(child),
            watchdog,
            dir: Some(dir),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = broker
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                bail!("tansu exited with {status}: {}", broker.log_tail());
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if Instant::now() > deadline {
                bail!("tansu did not listen on {port}: {}", broker.log_tail());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        broker.wait_for_metadata(Duration::from_secs(30))?;
        Ok(broker)
    }

    fn wait_for_metadata(&self, timeout: Duration) -> Result<()> {
        let consumer: BaseConsumer = self.client_config().create()?;
        let deadline = Instant::now() + timeout;
        loop {
            match consumer.fetch_metadata(None, Duration::from_secs(2)) {
                Ok(md) if !md.brokers().is_empty() => return Ok(()),
                Ok(_) => {}
                Err(e) if Instant::now() > deadline => {
                    return Err(anyhow!(e).context(format!("{} does not answer", self.bootstrap)));
                }
                Err(_) => {}
            }
            if Instant::now() > deadline {
                bail!("{} lists no brokers", self.bootstrap);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log_tail(&self) -> String {
        self.dir
            .as_ref()
            .and_then(|d| std::fs::read_to_string(d.path().join("tansu.log")).ok())
            .map(|log| {
                let start = log.len().saturating_sub(2000);
                log.get(start..).unwrap_or_default().to_string()
            })
            .unwrap_or_default()
    }

    pub fn bootstrap(&self) -> &str {
        &self.bootstrap
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn client_config(&self) -> ClientConfig {
        let mut config = ClientConfig::new();
        config.set("bootstrap.servers", &self.bootstrap);
        config
    }

    /// Creates topics (existing ones are fine), one partition each unless given.
    pub async fn create_topics(&self, names: &[String], partitions: i32) -> Result<()> {
        let admin: AdminClient<DefaultClientContext> = self.client_config().create()?;
        let topics: Vec<NewTopic<'_>> = names
            .iter()
            .map(|n| NewTopic::new(n, partitions, TopicReplication::Fixed(1)))
            .collect();
        let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
        for result in admin.create_topics(&topics, &options).await? {
            match result {
                Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((topic, code)) => bail!("creating topic {topic}: {code}"),
            }
        }
        Ok(())
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(mut w) = self.watchdog.take() {
            if let Some(stdin) = w.stdin.as_mut() {
                // Any line disarms the watchdog (`read` succeeds); then it exits.
                let _ = stdin.write_all(b"\n");
            }
            let _ = w.wait();
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
