//! [`KafkaCluster`]: a real Apache Kafka broker (the test run's shared one, one of the
//! test's own, or an external cluster) and the Kafka helpers tests need around it.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use rdkafka::util::Timeout;

use crate::kafka::{
    KafkaBroker, KafkaDist, SharedBroker, accepts_connections, lock_run, process_alive,
};
use crate::record::{Delivered, ProduceRecord, Record};
use crate::wait::wait_for;

/// Env variable: bootstrap servers of an existing cluster to test against instead of
/// the Apache Kafka broker the test kit starts (`TRIBUTARY_TEST_BOOTSTRAP_SERVERS=host:9092`).
pub const BOOTSTRAP_SERVERS_ENV: &str = "TRIBUTARY_TEST_BOOTSTRAP_SERVERS";
/// Env variable: when set, a dedicated broker's temp dir (data and log) is kept after the
/// test.
pub const KEEP_BROKER_DIR_ENV: &str = "TRIBUTARY_KEEP_BROKER_DIR";
/// Env variable: seconds to wait for a started broker to answer metadata (default 120).
pub const BROKER_START_TIMEOUT_ENV: &str = "TRIBUTARY_BROKER_START_TIMEOUT_SECS";

/// How long admin requests and metadata queries may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Start attempts (each on fresh ports) before giving up on a broker.
const START_ATTEMPTS: u32 = 3;

type Admin = AdminClient<DefaultClientContext>;

/// Which broker a [`KafkaCluster`] talks to.
enum Broker {
    /// Named by [`BOOTSTRAP_SERVERS_ENV`]; nothing is started or stopped.
    External,
    /// The test run's shared Apache Kafka broker (see the `kafka` module).
    Shared(SharedBroker),
    /// A broker of this test's own, killed on drop.
    Dedicated(KafkaBroker),
}

/// A Kafka cluster for a test: the test run's shared Apache Kafka broker, a broker of the
/// test's own ([`KafkaCluster::start_dedicated`]), or an external cluster named by
/// [`BOOTSTRAP_SERVERS_ENV`].
///
/// Use [`KafkaCluster::unique_topic`] for topic names (and unique group ids) so that tests
/// sharing a cluster never collide.
pub struct KafkaCluster {
    // Fields drop in order: the clients close before a dedicated broker is killed.
    admin: Arc<Admin>,
    meta: Arc<BaseConsumer>,
    producer: FutureProducer,
    bootstrap: String,
    cluster_id: Option<String>,
    broker: Broker,
}

impl std::fmt::Debug for KafkaCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaCluster")
            .field("bootstrap", &self.bootstrap)
            .field("external", &self.is_external())
            .field("log", &self.broker_log_path())
            .finish()
    }
}

impl KafkaCluster {
    /// The cluster for a test: the external one if [`BOOTSTRAP_SERVERS_ENV`] is set,
    /// otherwise the test run's shared Apache Kafka broker (started by the first test that
    /// asks for it, stopped when the test runner exits).
    pub async fn start() -> Result<KafkaCluster> {
        match std::env::var(BOOTSTRAP_SERVERS_ENV) {
            Ok(servers) if !servers.trim().is_empty() => Self::external(servers.trim()).await,
            _ => Self::shared().await,
        }
    }

    /// Connects to an existing cluster and checks that it answers metadata.
    pub async fn external(bootstrap_servers: &str) -> Result<KafkaCluster> {
        let cluster = Self::connect(bootstrap_servers.to_owned(), None, Broker::External)?;
        cluster
            .wait_for_metadata(Duration::from_secs(30))
            .await
            .with_context(|| format!("external cluster {bootstrap_servers} does not answer"))?;
        Ok(cluster)
    }

    /// The test run's shared Apache Kafka broker: found under the run's lock, or started.
    async fn shared() -> Result<KafkaCluster> {
        let lock = tokio::task::spawn_blocking(lock_run).await??;
        if let Some(broker) = lock.recorded() {
            let bootstrap = broker.bootstrap.clone();
            let cluster = Self::connect(
                bootstrap.clone(),
                Some(broker.cluster_id.clone()),
                Broker::Shared(broker),
            )?;
            match cluster.wait_for_metadata(Duration::from_secs(30)).await {
                Ok(_) => {
                    cluster.announce();
                    return Ok(cluster);
                }
                Err(e) => tracing::warn!("the run's broker {bootstrap} does not answer: {e:#}"),
            }
        }
        let dist = KafkaDist::locate()?;
        let timeout = start_timeout();
        let mut failures = Vec::new();
        for attempt in 1..=START_ATTEMPTS {
            let started = Instant::now();
            let (broker, mut child) = {
                let dist = dist.clone();
                let lock = &lock;
                tokio::task::block_in_place(|| lock.spawn(&dist, attempt))?
            };
            let cluster = Self::connect(
                broker.bootstrap.clone(),
                Some(broker.cluster_id.clone()),
                Broker::Shared(broker.clone()),
            )?;
            let exited = || child.try_wait().ok().flatten().map(|s| s.to_string());
            match cluster.wait_until_ready(timeout, exited).await {
                Ok(()) => {
                    lock.record(&broker)?;
                    tracing::info!(
                        bootstrap = %broker.bootstrap,
                        "apache kafka {} ready in {:?}",
                        broker.version,
                        started.elapsed()
                    );
                    cluster.announce();
                    return Ok(cluster);
                }
                Err(StartFailure::Exited(e)) => {
                    // Typically a port was taken between free_port() and the bind: retry.
                    tracing::warn!("kafka start attempt {attempt} failed: {e:#}");
                    failures.push(format!("attempt {attempt}: {e:#}"));
                }
                Err(StartFailure::Fatal(e)) => {
                    let _ = child.kill();
                    return Err(e);
                }
            }
        }
        bail!(
            "apache kafka did not start after {START_ATTEMPTS} attempts:\n{}",
            failures.join("\n")
        )
    }

    /// A broker of this test's own (an Apache Kafka child process on free ports, with its
    /// data in a temp dir), for tests that stop, kill or restart their broker. Killed when
    /// the cluster drops. With [`BOOTSTRAP_SERVERS_ENV`] set, this is an error: such tests
    /// cannot run against an external cluster.
    pub async fn start_dedicated() -> Result<KafkaCluster> {
        Self::start_own(false).await
    }

    /// [`KafkaCluster::start_dedicated`] with SSL, SASL_PLAINTEXT (SCRAM-SHA-512) and
    /// SASL_SSL (PLAIN) listeners beside the PLAINTEXT one the test's own clients use; see
    /// [`KafkaCluster::secured`].
    pub async fn start_secured() -> Result<KafkaCluster> {
        Self::start_own(true).await
    }

    /// The secured listeners of a cluster from [`KafkaCluster::start_secured`].
    pub fn secured(&self) -> Option<&crate::kafka::SecuredListeners> {
        match &self.broker {
            Broker::Dedicated(broker) => broker.secured(),
            _ => None,
        }
    }

    async fn start_own(secured: bool) -> Result<KafkaCluster> {
        if std::env::var(BOOTSTRAP_SERVERS_ENV).is_ok_and(|s| !s.trim().is_empty()) {
            bail!(
                "{BOOTSTRAP_SERVERS_ENV} is set: a test that needs a broker of its own cannot run"
            );
        }
        let dist = KafkaDist::locate()?;
        let timeout = start_timeout();
        let mut failures = Vec::new();
        for attempt in 1..=START_ATTEMPTS {
            let started = Instant::now();
            let broker = tokio::task::block_in_place(|| {
                if secured {
                    KafkaBroker::spawn_secured(&dist)
                } else {
                    KafkaBroker::spawn(&dist)
                }
            })?;
            let bootstrap = broker.bootstrap_servers();
            let cluster_id = broker.cluster_id().to_owned();
            let mut cluster =
                Self::connect(bootstrap, Some(cluster_id), Broker::Dedicated(broker))?;
            match cluster.wait_until_dedicated_ready(timeout).await {
                Ok(()) => {
                    tracing::info!(
                        bootstrap = %cluster.bootstrap,
                        log = ?cluster.broker_log_path(),
                        "dedicated apache kafka ready in {:?}",
                        started.elapsed()
                    );
                    cluster.announce();
                    return Ok(cluster);
                }
                Err(StartFailure::Exited(e)) => {
                    tracing::warn!("kafka start attempt {attempt} failed: {e:#}");
                    failures.push(format!("attempt {attempt}: {e:#}"));
                }
                Err(StartFailure::Fatal(e)) => return Err(e),
            }
        }
        bail!(
            "apache kafka did not start after {START_ATTEMPTS} attempts:\n{}",
            failures.join("\n")
        )
    }

    /// Says on stderr which broker a test uses and where its log is: the test runner shows
    /// a failing test's output, so a failure always names the log to read.
    fn announce(&self) {
        match &self.broker {
            Broker::External => {}
            Broker::Shared(b) => eprintln!(
                "connect-testkit: Apache Kafka {} (shared by this test run) at {}, log {}",
                b.version,
                b.bootstrap,
                b.log_path.display()
            ),
            Broker::Dedicated(b) => eprintln!(
                "connect-testkit: Apache Kafka (this test's own) at {}, log {}",
                b.bootstrap_servers(),
                b.log_path().display()
            ),
        }
    }

    fn connect(
        bootstrap: String,
        cluster_id: Option<String>,
        broker: Broker,
    ) -> Result<KafkaCluster> {
        let base = base_config(&bootstrap);
        let admin: Admin = base.create().context("creating the admin client")?;
        let meta: BaseConsumer = consumer_config(&bootstrap)
            .create()
            .context("creating the metadata client")?;
        let producer: FutureProducer = base
            .clone()
            .set("message.timeout.ms", "30000")
            .set("linger.ms", "5")
            .set("acks", "all")
            .create()
            .context("creating the producer")?;
        Ok(KafkaCluster {
            admin: Arc::new(admin),
            meta: Arc::new(meta),
            producer,
            bootstrap,
            cluster_id,
            broker,
        })
    }

    /// Waits until the broker at `self.bootstrap` listens and answers metadata with the
    /// expected cluster id; `exited` tells whether its process has died meanwhile.
    async fn wait_until_ready(
        &self,
        timeout: Duration,
        mut exited: impl FnMut() -> Option<String>,
    ) -> Result<(), StartFailure> {
        let deadline = Instant::now() + timeout;
        let addr: std::net::SocketAddr = self
            .bootstrap
            .parse()
            .map_err(|e| StartFailure::Fatal(anyhow!("bad address {}: {e}", self.bootstrap)))?;
        let log_tail = || self.broker_log_tail(8192).unwrap_or_default();
        let log_path = || {
            self.broker_log_path()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        };
        // Cheap first: wait for the port to accept connections (or the process to die).
        loop {
            if let Some(status) = exited() {
                return Err(StartFailure::Exited(anyhow!(
                    "kafka exited with {status} before answering; log {}:\n{}",
                    log_path(),
                    log_tail()
                )));
            }
            if accepts_connections(addr) {
                break;
            }
            if Instant::now() >= deadline {
                return Err(StartFailure::Fatal(anyhow!(
                    "kafka did not listen on {addr} within {timeout:?}; log {}:\n{}",
                    log_path(),
                    log_tail()
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Then a real Kafka metadata round trip through rdkafka, and a check that the
        // broker answering is ours (another test's broker may have won a port race).
        let remaining = deadline.saturating_duration_since(Instant::now());
        let result = self.wait_for_metadata(remaining).await;
        if let Some(status) = exited() {
            return Err(StartFailure::Exited(anyhow!(
                "kafka exited with {status}; log {}:\n{}",
                log_path(),
                log_tail()
            )));
        }
        let found_id = result.map_err(|e| {
            StartFailure::Fatal(e.context(format!(
                "kafka on {addr} does not answer metadata; log {}:\n{}",
                log_path(),
                log_tail()
            )))
        })?;
        match (&self.cluster_id, found_id) {
            (Some(want), Some(got)) if *want != got => Err(StartFailure::Exited(anyhow!(
                "{addr} is served by another broker (cluster id {got}, expected {want})"
            ))),
            _ => Ok(()),
        }
    }

    async fn wait_until_dedicated_ready(&mut self, timeout: Duration) -> Result<(), StartFailure> {
        let Broker::Dedicated(broker) = &mut self.broker else {
            return Err(StartFailure::Fatal(anyhow!("not a dedicated broker")));
        };
        // The exit-status probe would need `&mut` to the broker while `self` is borrowed:
        // look the process up by pid instead.
        let pid = broker.pid();
        let this = &*self;
        this.wait_until_ready(timeout, || {
            pid.filter(|pid| !process_alive(*pid))
                .map(|pid| format!("process {pid} gone"))
        })
        .await
    }

    /// Polls metadata until at least one broker is listed; returns the cluster id.
    async fn wait_for_metadata(&self, timeout: Duration) -> Result<Option<String>> {
        let meta = Arc::clone(&self.meta);
        let probe = move || {
            let meta = Arc::clone(&meta);
            async move {
                tokio::task::spawn_blocking(move || -> Result<Option<Option<String>>> {
                    let md = meta.fetch_metadata(None, Duration::from_secs(2))?;
                    if md.brokers().is_empty() {
                        return Ok(None);
                    }
                    Ok(Some(meta.client().fetch_cluster_id(Duration::from_secs(2))))
                })
                .await?
            }
        };
        Ok(wait_for(timeout, Duration::from_millis(25), probe).await?)
    }

    /// `host:port` list for `bootstrap.servers`.
    pub fn bootstrap_servers(&self) -> String {
        self.bootstrap.clone()
    }

    /// True when testing against an external cluster (no broker process is owned).
    pub fn is_external(&self) -> bool {
        matches!(self.broker, Broker::External)
    }

    /// A client config with `bootstrap.servers` set, for tests that build their own
    /// rdkafka clients.
    pub fn client_config(&self) -> ClientConfig {
        base_config(&self.bootstrap)
    }

    /// The shared producer used by [`KafkaCluster::produce`].
    pub fn producer(&self) -> &FutureProducer {
        &self.producer
    }

    /// The admin client.
    pub fn admin(&self) -> &AdminClient<DefaultClientContext> {
        &self.admin
    }

    /// The broker's log file (`None` for an external cluster). The shared broker's log is
    /// kept after the run, under `target/kafka-test/run-<runner pid>/`.
    pub fn broker_log_path(&self) -> Option<PathBuf> {
        match &self.broker {
            Broker::External => None,
            Broker::Shared(b) => Some(b.log_path.clone()),
            Broker::Dedicated(b) => Some(b.log_path()),
        }
    }

    /// The last `max_bytes` of the broker log (`None` for an external cluster).
    pub fn broker_log_tail(&self, max_bytes: u64) -> Option<String> {
        match &self.broker {
            Broker::External => None,
            Broker::Shared(b) => Some(b.log_tail(max_bytes)),
            Broker::Dedicated(b) => Some(b.log_tail(max_bytes)),
        }
    }

    /// A dedicated broker's temp dir holding `server.properties`, `broker.log` and `data/`
    /// (`None` for the shared broker or an external cluster).
    pub fn broker_data_dir(&self) -> Option<&Path> {
        match &self.broker {
            Broker::Dedicated(b) => Some(b.data_dir()),
            _ => None,
        }
    }

    /// True when this test owns its broker ([`KafkaCluster::start_dedicated`]).
    pub fn is_dedicated(&self) -> bool {
        matches!(self.broker, Broker::Dedicated(_))
    }

    /// A topic name `<prefix>-<random>` that no other test uses.
    pub fn unique_topic(&self, prefix: &str) -> String {
        unique_topic(prefix)
    }

    /// Creates a topic (replication factor 1) and waits until its metadata shows every
    /// partition with a leader. An existing topic is fine.
    pub async fn create_topic(&self, name: &str, partitions: i32) -> Result<()> {
        self.create_topic_with_config(name, partitions, &[]).await
    }

    /// Like [`KafkaCluster::create_topic`], with topic configs such as
    /// `("cleanup.policy", "compact")`.
    pub async fn create_topic_with_config(
        &self,
        name: &str,
        partitions: i32,
        config: &[(&str, &str)],
    ) -> Result<()> {
        let mut topic = NewTopic::new(name, partitions, TopicReplication::Fixed(1));
        for (k, v) in config {
            topic = topic.set(k, v);
        }
        let opts = AdminOptions::new().operation_timeout(Some(REQUEST_TIMEOUT));
        let results = self
            .admin
            .create_topics([&topic], &opts)
            .await
            .with_context(|| format!("CreateTopics {name}"))?;
        for result in results {
            match result {
                Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((t, code)) => bail!("creating topic {t}: {code}"),
            }
        }
        let name_owned = name.to_owned();
        let meta = Arc::clone(&self.meta);
        wait_for(REQUEST_TIMEOUT, Duration::from_millis(25), move || {
            let meta = Arc::clone(&meta);
            let topic = name_owned.clone();
            async move {
                tokio::task::spawn_blocking(move || {
                    let parts = partition_leaders(&meta, &topic)?;
                    Ok((parts.len() >= usize::try_from(partitions).unwrap_or(0)
                        && parts.iter().all(|(_, leader)| *leader >= 0))
                    .then_some(()))
                })
                .await?
            }
        })
        .await
        .with_context(|| format!("topic {name} did not show up in metadata"))?;
        Ok(())
    }

    /// Deletes a topic (a missing topic is fine).
    pub async fn delete_topic(&self, name: &str) -> Result<()> {
        let opts = AdminOptions::new().operation_timeout(Some(REQUEST_TIMEOUT));
        let results = self
            .admin
            .delete_topics(&[name], &opts)
            .await
            .with_context(|| format!("DeleteTopics {name}"))?;
        for result in results {
            match result {
                Ok(_) | Err((_, RDKafkaErrorCode::UnknownTopicOrPartition)) => {}
                Err((t, code)) => bail!("deleting topic {t}: {code}"),
            }
        }
        Ok(())
    }

    /// Names of all topics in the cluster.
    pub async fn topics(&self) -> Result<Vec<String>> {
        let meta = Arc::clone(&self.meta);
        tokio::task::spawn_blocking(move || {
            let md = meta.fetch_metadata(None, REQUEST_TIMEOUT)?;
            Ok(md.topics().iter().map(|t| t.name().to_owned()).collect())
        })
        .await?
    }

    /// The partition ids of a topic (error if it does not exist).
    pub async fn partitions(&self, topic: &str) -> Result<Vec<i32>> {
        let meta = Arc::clone(&self.meta);
        let topic = topic.to_owned();
        tokio::task::spawn_blocking(move || {
            Ok(partition_leaders(&meta, &topic)?
                .into_iter()
                .map(|(p, _)| p)
                .collect())
        })
        .await?
    }

    /// Topic configs as returned by DescribeConfigs (every config with a value: the
    /// broker's defaults too).
    pub async fn topic_config(&self, topic: &str) -> Result<BTreeMap<String, String>> {
        let opts = AdminOptions::new().request_timeout(Some(REQUEST_TIMEOUT));
        let results = self
            .admin
            .describe_configs([&ResourceSpecifier::Topic(topic)], &opts)
            .await
            .with_context(|| format!("DescribeConfigs {topic}"))?;
        let mut out = BTreeMap::new();
        for result in results {
            let resource = result.map_err(|code| anyhow!("DescribeConfigs {topic}: {code}"))?;
            for entry in resource.entries {
                if let Some(value) = entry.value {
                    out.insert(entry.name, value);
                }
            }
        }
        Ok(out)
    }

    /// `(low, high)` watermarks per partition.
    pub async fn watermarks(&self, topic: &str) -> Result<BTreeMap<i32, (i64, i64)>> {
        let meta = Arc::clone(&self.meta);
        let topic = topic.to_owned();
        tokio::task::spawn_blocking(move || watermarks_blocking(&meta, &topic)).await?
    }

    /// The end offset (high watermark: offset of the next record) per partition.
    pub async fn end_offsets(&self, topic: &str) -> Result<BTreeMap<i32, i64>> {
        Ok(self
            .watermarks(topic)
            .await?
            .into_iter()
            .map(|(p, (_, high))| (p, high))
            .collect())
    }

    /// Produces one record with a key and a value and waits for its delivery report.
    pub async fn produce(
        &self,
        topic: &str,
        key: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<Delivered> {
        self.produce_record(topic, ProduceRecord::kv(key, value))
            .await
    }

    /// Produces one record (null key/value, headers, partition, timestamp as given) and
    /// waits for its delivery report.
    pub async fn produce_record(&self, topic: &str, record: ProduceRecord) -> Result<Delivered> {
        let mut delivered = self.produce_batch(topic, [record]).await?;
        delivered.pop().ok_or_else(|| anyhow!("no delivery report"))
    }

    /// Produces records in order, pipelined, and waits for all delivery reports. Fails on
    /// the first failed delivery. Records for one partition keep their order.
    pub async fn produce_batch(
        &self,
        topic: &str,
        records: impl IntoIterator<Item = ProduceRecord>,
    ) -> Result<Vec<Delivered>> {
        let mut pending: VecDeque<DeliveryFuture> = VecDeque::new();
        let mut delivered = Vec::new();
        for record in records {
            let headers = (!record.headers.is_empty()).then(|| {
                record.headers.iter().fold(
                    OwnedHeaders::new_with_capacity(record.headers.len()),
                    |hs, (k, v)| {
                        hs.insert(Header {
                            key: k,
                            value: v.as_deref(),
                        })
                    },
                )
            });
            loop {
                let mut fr = FutureRecord::<[u8], [u8]>::to(topic);
                if let Some(k) = &record.key {
                    fr = fr.key(k.as_slice());
                }
                if let Some(v) = &record.value {
                    fr = fr.payload(v.as_slice());
                }
                if let Some(h) = &headers {
                    fr = fr.headers(h.clone());
                }
                if let Some(p) = record.partition {
                    fr = fr.partition(p);
                }
                if let Some(t) = record.timestamp {
                    fr = fr.timestamp(t);
                }
                match self.producer.send_result(fr) {
                    Ok(future) => {
                        pending.push_back(future);
                        break;
                    }
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                        match pending.pop_front() {
                            Some(oldest) => delivered.push(await_delivery(topic, oldest).await?),
                            None => tokio::time::sleep(Duration::from_millis(10)).await,
                        }
                    }
                    Err((e, _)) => return Err(e).with_context(|| format!("producing to {topic}")),
                }
            }
        }
        while let Some(future) = pending.pop_front() {
            delivered.push(await_delivery(topic, future).await?);
        }
        Ok(delivered)
    }

    /// Reads `topic` from the beginning of every partition (assign, no consumer group, no
    /// commits) until `expected` records have been read, and returns them in arrival order
    /// (offset order within a partition). Fails if fewer arrive within `timeout`; waits for
    /// the topic to exist within that time too. Does not check for records beyond
    /// `expected`: compare [`KafkaCluster::end_offsets`] for that, or use
    /// [`KafkaCluster::consume_to_end`].
    pub async fn consume_all(
        &self,
        topic: &str,
        expected: usize,
        timeout: Duration,
    ) -> Result<Vec<Record>> {
        let bootstrap = self.bootstrap.clone();
        let topic = topic.to_owned();
        tokio::task::spawn_blocking(move || {
            let deadline = Instant::now() + timeout;
            let consumer: BaseConsumer = consumer_config(&bootstrap).create()?;
            let partitions = wait_partitions(&consumer, &topic, deadline)?;
            assign_from_beginning(&consumer, &topic, &partitions)?;
            let mut out = Vec::with_capacity(expected);
            while out.len() < expected {
                let remaining = deadline.saturating_duration_since(Instant::now());
                if remaining.is_zero() {
                    bail!(
                        "read {} of {expected} expected records from {topic} within \
                         {timeout:?}; first ones: {:?}",
                        out.len(),
                        out.iter().take(5).collect::<Vec<_>>()
                    );
                }
                match consumer.poll(remaining.min(Duration::from_millis(200))) {
                    None | Some(Err(KafkaError::PartitionEOF(_))) => {}
                    Some(Ok(m)) => out.push(Record::from_message(&m)),
                    Some(Err(e)) => return Err(e).with_context(|| format!("consuming {topic}")),
                }
            }
            Ok(out)
        })
        .await?
    }

    /// Reads every record of `topic` up to the end offsets as of the call (assign from the
    /// beginning, no consumer group). Fails if that takes longer than `timeout`.
    pub async fn consume_to_end(&self, topic: &str, timeout: Duration) -> Result<Vec<Record>> {
        let bootstrap = self.bootstrap.clone();
        let topic = topic.to_owned();
        tokio::task::spawn_blocking(move || {
            let deadline = Instant::now() + timeout;
            let consumer: BaseConsumer = consumer_config(&bootstrap).create()?;
            let marks = watermarks_blocking(&consumer, &topic)?;
            // Partitions still to read, with the end offset to reach.
            let mut todo: BTreeMap<i32, i64> = marks
                .iter()
                .filter(|(_, (low, high))| high > low)
                .map(|(p, (_, high))| (*p, *high))
                .collect();
            let mut out = Vec::new();
            if todo.is_empty() {
                return Ok(out);
            }
            let partitions: Vec<i32> = todo.keys().copied().collect();
            assign_from_beginning(&consumer, &topic, &partitions)?;
            while !todo.is_empty() {
                let remaining = deadline.saturating_duration_since(Instant::now());
                if remaining.is_zero() {
                    bail!(
                        "{topic} not read to its end offsets {marks:?} within {timeout:?} \
                         (read {}, partitions left {todo:?})",
                        out.len()
                    );
                }
                match consumer.poll(remaining.min(Duration::from_millis(200))) {
                    None => {}
                    // EOF also covers an end offset that is a transaction marker.
                    Some(Err(KafkaError::PartitionEOF(p))) => {
                        todo.remove(&p);
                    }
                    Some(Ok(m)) => {
                        let r = Record::from_message(&m);
                        if todo
                            .get(&r.partition)
                            .is_some_and(|end| r.offset + 1 >= *end)
                        {
                            todo.remove(&r.partition);
                        }
                        out.push(r);
                    }
                    Some(Err(e)) => return Err(e).with_context(|| format!("consuming {topic}")),
                }
            }
            Ok(out)
        })
        .await?
    }

    /// Stops the broker gracefully (SIGTERM, SIGKILL after 10 s), keeping its data.
    /// Only for a broker of the test's own ([`KafkaCluster::start_dedicated`]).
    pub fn stop_broker(&mut self) -> Result<()> {
        self.owned_broker()?.stop(Duration::from_secs(10))
    }

    /// Freezes the broker (SIGSTOP): its connections stay open but nothing is answered, as
    /// with a broker stuck in a long pause. [`KafkaCluster::resume_broker`] thaws it.
    pub fn pause_broker(&mut self) -> Result<()> {
        self.signal_broker("-STOP")
    }

    /// Thaws a broker frozen by [`KafkaCluster::pause_broker`] (SIGCONT).
    pub fn resume_broker(&mut self) -> Result<()> {
        self.signal_broker("-CONT")
    }

    fn signal_broker(&mut self, signal: &str) -> Result<()> {
        let pid = self
            .owned_broker()?
            .pid()
            .context("the broker is not running")?;
        let status = std::process::Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()?;
        if !status.success() {
            bail!("kill {signal} {pid} failed with {status}");
        }
        Ok(())
    }

    /// Kills the broker (SIGKILL, like a crash), keeping its data.
    pub fn kill_broker(&mut self) -> Result<()> {
        self.owned_broker()?.kill()
    }

    /// Starts a stopped or killed broker again on the same port with the same data, and
    /// waits until it answers. Stops it first if it is running.
    pub async fn restart_broker(&mut self) -> Result<()> {
        let broker = self.owned_broker()?;
        if broker.is_running() {
            broker.stop(Duration::from_secs(10))?;
        }
        broker.respawn()?;
        self.wait_until_dedicated_ready(start_timeout())
            .await
            .map_err(|e| match e {
                StartFailure::Exited(e) | StartFailure::Fatal(e) => e,
            })
            .context("restarting kafka")?;
        // A broker that answers metadata may still be loading its logs: wait until every
        // partition has a leader again, so that the test sees the cluster as a client would
        // after a restart settles.
        let meta = Arc::clone(&self.meta);
        wait_for(start_timeout(), Duration::from_millis(50), move || {
            let meta = Arc::clone(&meta);
            async move {
                tokio::task::spawn_blocking(move || -> Result<Option<()>> {
                    let md = meta.fetch_metadata(None, Duration::from_secs(5))?;
                    let settled = md.topics().iter().all(|t| {
                        t.error().is_none()
                            && !t.partitions().is_empty()
                            && t.partitions()
                                .iter()
                                .all(|p| p.leader() >= 0 && p.error().is_none())
                    });
                    Ok(settled.then_some(()))
                })
                .await?
            }
        })
        .await
        .context("partitions without a leader after the restart")?;
        Ok(())
    }

    fn owned_broker(&mut self) -> Result<&mut KafkaBroker> {
        match &mut self.broker {
            Broker::Dedicated(b) => Ok(b),
            Broker::Shared(_) => Err(anyhow!(
                "the test run's shared broker cannot be controlled: use KafkaCluster::start_dedicated"
            )),
            Broker::External => Err(anyhow!(
                "the broker of an external cluster cannot be controlled"
            )),
        }
    }
}

enum StartFailure {
    /// The process exited or the port is someone else's: worth a retry on another port.
    Exited(anyhow::Error),
    Fatal(anyhow::Error),
}

fn start_timeout() -> Duration {
    std::env::var(BROKER_START_TIMEOUT_ENV)
        .ok()
        .and_then(|s| s.parse().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(120))
}

/// A topic name `<prefix>-<random>`.
pub fn unique_topic(prefix: &str) -> String {
    format!("{prefix}-{}", crate::unique_suffix())
}

fn base_config(bootstrap: &str) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", bootstrap)
        // Brokers of these tests start and stop quickly: reconnect fast.
        .set("reconnect.backoff.ms", "20")
        .set("reconnect.backoff.max.ms", "500")
        .set("topic.metadata.refresh.interval.ms", "5000");
    c
}

fn consumer_config(bootstrap: &str) -> ClientConfig {
    let mut c = base_config(bootstrap);
    // librdkafka's assign() needs a group id; the group is never joined (no subscribe) and
    // nothing is committed.
    c.set(
        "group.id",
        format!("tributary-testkit-{}", crate::unique_suffix()),
    )
    .set("enable.auto.commit", "false")
    .set("enable.auto.offset.store", "false")
    .set("auto.offset.reset", "earliest")
    .set("enable.partition.eof", "true")
    .set("allow.auto.create.topics", "false")
    .set("fetch.wait.max.ms", "100");
    c
}

async fn await_delivery(topic: &str, future: DeliveryFuture) -> Result<Delivered> {
    match future.await {
        Ok(Ok(d)) => Ok(Delivered {
            partition: d.partition,
            offset: d.offset,
        }),
        Ok(Err((e, _))) => Err(e).with_context(|| format!("delivery to {topic} failed")),
        Err(_) => bail!("delivery to {topic}: producer dropped the report"),
    }
}

/// `(partition, leader)` for every partition; error if the topic does not exist.
fn partition_leaders(client: &BaseConsumer, topic: &str) -> Result<Vec<(i32, i32)>> {
    let md = client.fetch_metadata(Some(topic), REQUEST_TIMEOUT)?;
    let t = md
        .topics()
        .iter()
        .find(|t| t.name() == topic)
        .ok_or_else(|| anyhow!("topic {topic} missing from metadata"))?;
    if let Some(err) = t.error() {
        bail!("topic {topic}: {}", RDKafkaErrorCode::from(err));
    }
    if t.partitions().is_empty() {
        bail!("topic {topic} has no partitions");
    }
    Ok(t.partitions()
        .iter()
        .map(|p| (p.id(), p.leader()))
        .collect())
}

fn wait_partitions(client: &BaseConsumer, topic: &str, deadline: Instant) -> Result<Vec<i32>> {
    loop {
        match partition_leaders(client, topic) {
            Ok(parts) => return Ok(parts.into_iter().map(|(p, _)| p).collect()),
            Err(e) if Instant::now() >= deadline => return Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

fn watermarks_blocking(client: &BaseConsumer, topic: &str) -> Result<BTreeMap<i32, (i64, i64)>> {
    let deadline = Instant::now() + REQUEST_TIMEOUT;
    partition_leaders(client, topic)?
        .into_iter()
        .map(|(p, _)| {
            // A partition just created (or a broker just restarted) can answer "not the
            // leader" for a moment after metadata names its leader: ask again until the
            // deadline.
            let marks = loop {
                match client.fetch_watermarks(topic, p, Timeout::After(REQUEST_TIMEOUT)) {
                    Ok(marks) => break marks,
                    Err(KafkaError::MetadataFetch(
                        RDKafkaErrorCode::NotLeaderForPartition
                        | RDKafkaErrorCode::LeaderNotAvailable
                        | RDKafkaErrorCode::UnknownTopicOrPartition,
                    )) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    Err(e) => {
                        return Err(e).with_context(|| format!("watermarks of {topic}-{p}"));
                    }
                }
            };
            Ok((p, marks))
        })
        .collect()
}

fn assign_from_beginning(consumer: &BaseConsumer, topic: &str, partitions: &[i32]) -> Result<()> {
    let mut tpl = TopicPartitionList::with_capacity(partitions.len());
    for p in partitions {
        tpl.add_partition_offset(topic, *p, Offset::Beginning)?;
    }
    consumer
        .assign(&tpl)
        .with_context(|| format!("assigning {topic}"))
}
