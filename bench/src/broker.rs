//! The broker a benchmark runs against: an Apache Kafka broker of its own (the version the
//! test setup pinned and fetched, started by connect-testkit), or an external cluster named
//! by [`BOOTSTRAP_ENV`].

use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use connect_testkit::{KafkaBroker, KafkaDist};
use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::types::RDKafkaErrorCode;

/// Bootstrap servers of an existing cluster to benchmark against instead of starting one.
pub const BOOTSTRAP_ENV: &str = "TRIBUTARY_BENCH_BOOTSTRAP_SERVERS";

/// Records sent to a fresh broker before it is measured, so that its JVM has compiled
/// the produce path (a cold broker is several times slower for its first seconds).
const WARM_UP_RECORDS: usize = 200_000;

/// A broker for one measurement.
pub struct Broker {
    bootstrap: String,
    kafka: Option<KafkaBroker>,
}

impl Broker {
    /// The external cluster when [`BOOTSTRAP_ENV`] is set, otherwise a fresh Apache Kafka
    /// broker, warmed up.
    pub fn start() -> Result<Broker> {
        match std::env::var(BOOTSTRAP_ENV) {
            Ok(servers) if !servers.trim().is_empty() => Broker::external(servers.trim()),
            _ => {
                let mut last = None;
                for _ in 0..3 {
                    match Self::start_kafka() {
                        Ok(broker) => return Ok(broker),
                        Err(e) => last = Some(e),
                    }
                }
                Err(last.unwrap_or_else(|| anyhow!("kafka did not start")))
            }
        }
    }

    /// Whether [`Broker::start`] starts a broker of the bench's own (no external cluster).
    pub fn is_own() -> bool {
        std::env::var(BOOTSTRAP_ENV).map_or(true, |servers| servers.trim().is_empty())
    }

    /// What [`Broker::start`] gives, for the report.
    pub fn describe() -> String {
        match std::env::var(BOOTSTRAP_ENV) {
            Ok(servers) if !servers.trim().is_empty() => format!("external cluster {servers}"),
            _ => KafkaDist::locate().map_or_else(
                |e| format!("apache kafka not found: {e:#}"),
                |dist| {
                    format!(
                        "Apache Kafka {} (KRaft, one node; a fresh broker per measurement, \
                         one for all runs of the connect scenario; warmed up with \
                         {WARM_UP_RECORDS} records)",
                        dist.version()
                    )
                },
            ),
        }
    }

    /// An existing cluster (checked to answer metadata).
    pub fn external(bootstrap: &str) -> Result<Broker> {
        let broker = Broker {
            bootstrap: bootstrap.to_string(),
            kafka: None,
        };
        broker.wait_for_metadata(Duration::from_secs(30))?;
        Ok(broker)
    }

    /// Whether this is an external cluster (shared between measurements).
    pub fn is_external(&self) -> bool {
        self.kafka.is_none()
    }

    fn start_kafka() -> Result<Broker> {
        let dist = KafkaDist::locate()?;
        let mut kafka = KafkaBroker::spawn(&dist)?;
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Some(status) = kafka.exit_status() {
                bail!("kafka exited with {status}: {}", kafka.log_tail(4000));
            }
            if kafka.accepts_connections() {
                break;
            }
            if Instant::now() > deadline {
                bail!(
                    "kafka did not listen on {}: {}",
                    kafka.addr(),
                    kafka.log_tail(4000)
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let broker = Broker {
            bootstrap: kafka.bootstrap_servers(),
            kafka: Some(kafka),
        };
        broker.wait_for_metadata(Duration::from_secs(60))?;
        broker.warm_up()?;
        Ok(broker)
    }

    fn warm_up(&self) -> Result<()> {
        let topic = format!("bench-warm-up-{}", connect_testkit::unique_suffix());
        let producer: ThreadedProducer<DefaultProducerContext> = self
            .client_config()
            .set("linger.ms", "5")
            .set("acks", "all")
            .create()
            .context("warm-up producer")?;
        let payload = vec![b'x'; 100];
        for _ in 0..WARM_UP_RECORDS {
            let mut record = BaseRecord::<(), [u8]>::to(&topic).payload(&payload);
            loop {
                match producer.send(record) {
                    Ok(()) => break,
                    Err((_, r)) => {
                        record = r;
                        producer.poll(Duration::from_millis(5));
                    }
                }
            }
        }
        producer
            .flush(Duration::from_secs(60))
            .context("warming up the broker")?;
        Ok(())
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

    pub fn bootstrap(&self) -> &str {
        &self.bootstrap
    }

    pub fn pid(&self) -> Option<u32> {
        self.kafka.as_ref().and_then(KafkaBroker::pid)
    }

    /// Throttles every producer of the broker to `bytes_per_sec` (a default client quota,
    /// set with Kafka's own `kafka-configs` tool): the broker then delays its produce
    /// answers, as an overloaded cluster does. Only on the bench's own broker.
    pub fn throttle_producers(&self, bytes_per_sec: u64) -> Result<()> {
        if self.is_external() {
            bail!(
                "the bench throttles only a broker of its own, not {}",
                self.bootstrap
            );
        }
        let dist = KafkaDist::locate()?;
        let output = dist
            .java_command(&["-Xmx128m"], &[], "kafka.admin.ConfigCommand")
            .args([
                "--bootstrap-server",
                &self.bootstrap,
                "--alter",
                "--add-config",
                &format!("producer_byte_rate={bytes_per_sec}"),
                "--entity-type",
                "clients",
                "--entity-default",
            ])
            .output()
            .context("running kafka.admin.ConfigCommand")?;
        if !output.status.success() {
            bail!(
                "kafka-configs failed with {}: {}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
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

    /// Deletes topics (missing ones are fine).
    pub async fn delete_topics(&self, names: &[&str]) -> Result<()> {
        let admin: AdminClient<DefaultClientContext> = self.client_config().create()?;
        let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
        for result in admin.delete_topics(names, &options).await? {
            match result {
                Ok(_) | Err((_, RDKafkaErrorCode::UnknownTopicOrPartition)) => {}
                Err((topic, code)) => bail!("deleting topic {topic}: {code}"),
            }
        }
        Ok(())
    }
}
