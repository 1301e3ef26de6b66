//! The rdkafka adapter: the producer a source task sends through, the consumer a sink task
//! reads from, and topic creation.
//!
//! Source tasks use a `ThreadedProducer` whose delivery callback hands `(sequence, result)`
//! pairs to the task loop over a channel: no future is allocated per record, and the loop
//! learns of acknowledgements in the order Kafka gives them. Producer settings follow
//! Kafka Connect's forced defaults for source tasks (acks=all, one request in flight per
//! connection so that per-partition order holds through retries), then the worker's
//! `producer.*` keys, then the connector's `producer.override.*` keys.
//!
//! # Bounded memory
//!
//! Kafka's producer holds at most `buffer.memory` bytes (32 MiB by default) of records not
//! yet acknowledged, and `send` blocks while that is full, which stops the source task's
//! poll loop. librdkafka's equivalent bound, `queue.buffering.max.kbytes`, defaults to 1 GiB,
//! so a slow broker let a task's memory grow to hundreds of MiB. The source producer takes
//! Kafka's key (`producer.buffer.memory` in the worker config,
//! `producer.override.buffer.memory` in a connector's) and Kafka's default, and sets
//! librdkafka's bound from it unless `queue.buffering.max.kbytes` is given itself. When the
//! queue is full the task loop serves acknowledgements until there is room, and polls the
//! connector again only after its last batch is handed over: what a task holds is at most
//! the bound (and `queue.buffering.max.messages` records), one poll's batch and the offsets
//! of the records in flight.

use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::ClientContext;
use rdkafka::Message;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{DeliveryResult, ProducerContext, ThreadedProducer};
use tokio::sync::mpsc;

/// A delivery report: the record's sequence number in its task, and where it landed.
#[derive(Debug)]
pub struct Ack {
    pub sequence: usize,
    pub result: Result<(i32, i64, Option<i64>), KafkaError>,
}

/// Routes delivery reports to the task loop.
pub struct AckContext {
    sender: mpsc::UnboundedSender<Ack>,
    security_failed: std::sync::atomic::AtomicBool,
}

impl AckContext {
    /// Whether the producer's TLS or SASL handshake failed (see [`security_failure`]).
    pub fn security_failed(&self) -> bool {
        self.security_failed
            .load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// The sequence of the [`Ack`] that reports a [`ClientSecurityError`] instead of a
/// delivery (its result is `KafkaError::ClientCreation` with the explanation).
pub const SECURITY_FAILURE: usize = usize::MAX;

impl ClientContext for AckContext {
    fn error(&self, error: KafkaError, reason: &str) {
        log_client_error(&error, reason);
        if let Some(failure) = security_failure(&error, reason)
            && !self
                .security_failed
                .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            let _ = self.sender.send(Ack {
                sequence: SECURITY_FAILURE,
                result: Err(KafkaError::ClientCreation(failure.0)),
            });
        }
    }
}

/// A client's TLS or SASL handshake failed: the broker's certificate is not trusted, the
/// credentials or the mechanism are refused, or the protocol does not match the listener.
/// librdkafka keeps retrying, but only a change of settings can cure it, so the task fails
/// (and is not restarted automatically) with this explanation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ClientSecurityError(pub String);

/// The security failure a client error reports, if it is one.
pub fn security_failure(error: &KafkaError, reason: &str) -> Option<ClientSecurityError> {
    let code = error.rdkafka_error_code();
    let explained = match code {
        Some(RDKafkaErrorCode::Authentication | RDKafkaErrorCode::SaslAuthenticationFailed) => {
            format!(
                "Kafka refused the client's authentication: {reason}. Check security.protocol, sasl.mechanism and sasl.jaas.config."
            )
        }
        Some(RDKafkaErrorCode::SSL) => format!(
            "the TLS handshake with the broker failed: {reason}. Check security.protocol, ssl.truststore.* (it must hold the CA that signed the broker's certificate) and ssl.endpoint.identification.algorithm."
        ),
        _ if reason.contains("incorrect security.protocol") => format!(
            "the broker closed the connection: {reason}. Check that security.protocol matches the listener."
        ),
        _ => return None,
    };
    Some(ClientSecurityError(explained))
}

/// A Kafka client's error: "all brokers down" is the cluster watch's to report, once for the
/// worker rather than once per task ([`crate::cluster_watch`]); the rest are logged as
/// warnings, since librdkafka recovers from them by itself.
pub fn log_client_error(error: &KafkaError, reason: &str) {
    if error.rdkafka_error_code() == Some(RDKafkaErrorCode::AllBrokersDown) {
        tracing::debug!(%error, reason, "librdkafka client error");
    } else {
        tracing::warn!(%error, reason, "librdkafka client error");
    }
}

impl ProducerContext for AckContext {
    type DeliveryOpaque = usize;

    fn delivery(&self, delivery_result: &DeliveryResult<'_>, sequence: usize) {
        let result = match delivery_result {
            Ok(message) => Ok((
                message.partition(),
                message.offset(),
                message.timestamp().to_millis(),
            )),
            Err((error, _)) => Err(error.clone()),
        };
        // The loop may be gone after a hard stop; nothing is waiting for the ack then.
        let _ = self.sender.send(Ack { sequence, result });
    }
}

pub type SourceProducer = ThreadedProducer<AckContext>;

/// Builds a client config from Kafka client settings: layers in order (the last that
/// has a key wins), translated to librdkafka's keys ([`crate::client_configs`]). A key
/// that cannot be honoured is a `ClientConfig` error naming it (never its value).
pub fn client_config(
    bootstrap_servers: &str,
    layers: &[&BTreeMap<String, String>],
) -> Result<ClientConfig, KafkaError> {
    let settings = crate::client_configs::to_librdkafka(layers).map_err(config_error)?;
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", bootstrap_servers);
    for (key, value) in settings {
        config.set(key, value);
    }
    Ok(config)
}

/// A translation error as rdkafka's config error (key and reason, no value).
fn config_error(error: crate::client_configs::ClientConfigError) -> KafkaError {
    KafkaError::ClientConfig(
        rdkafka::types::RDKafkaConfRes::RD_KAFKA_CONF_INVALID,
        format!(
            "fix the Kafka client setting {}: {}",
            error.key, error.reason
        ),
        error.key,
        String::new(),
    )
}

/// Kafka's producer key for the bytes of unacknowledged records a producer may hold.
pub const BUFFER_MEMORY: &str = "buffer.memory";
/// Kafka's default `buffer.memory`: 32 MiB.
pub const DEFAULT_BUFFER_MEMORY: u64 = 32 * 1024 * 1024;
const QUEUE_MAX_KBYTES: &str = "queue.buffering.max.kbytes";

/// Reads Kafka's `buffer.memory` from the layers (the last one that has it wins), removes it
/// (librdkafka does not know the key), and answers librdkafka's `queue.buffering.max.kbytes`
/// for it, or `None` when a layer sets that key itself.
fn buffer_memory_kbytes(
    layers: &mut [BTreeMap<String, String>],
) -> Result<Option<String>, KafkaError> {
    let mut bytes = DEFAULT_BUFFER_MEMORY;
    for layer in layers.iter_mut() {
        if let Some(value) = layer.remove(BUFFER_MEMORY) {
            bytes = value
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|b| *b > 0)
                .ok_or_else(|| {
                    KafkaError::ClientConfig(
                        rdkafka::types::RDKafkaConfRes::RD_KAFKA_CONF_INVALID,
                        "must be a positive number of bytes".to_string(),
                        BUFFER_MEMORY.to_string(),
                        value.clone(),
                    )
                })?;
        }
    }
    if layers
        .iter()
        .any(|layer| layer.contains_key(QUEUE_MAX_KBYTES))
    {
        return Ok(None);
    }
    // librdkafka's bound is in KiB, at most 2^31-1.
    let kbytes = bytes.div_ceil(1024).clamp(1, i32::MAX as u64);
    Ok(Some(kbytes.to_string()))
}

/// The producer of one source task, and the receiver of its delivery reports.
pub fn source_producer(
    bootstrap_servers: &str,
    client_id: &str,
    worker_overrides: &BTreeMap<String, String>,
    connector_overrides: &BTreeMap<String, String>,
) -> Result<(SourceProducer, mpsc::UnboundedReceiver<Ack>), KafkaError> {
    let mut forced = BTreeMap::new();
    forced.insert("acks".to_string(), "all".to_string());
    forced.insert(
        "max.in.flight.requests.per.connection".to_string(),
        "1".to_string(),
    );
    forced.insert("enable.idempotence".to_string(), "false".to_string());
    // Kafka Connect uses an unbounded delivery timeout (Integer.MAX_VALUE); librdkafka's
    // maximum is 2^31-1 ms as well.
    forced.insert("message.timeout.ms".to_string(), "2147483647".to_string());
    forced.insert("linger.ms".to_string(), "5".to_string());
    forced.insert("client.id".to_string(), client_id.to_string());
    let mut layers = [worker_overrides.clone(), connector_overrides.clone()];
    if let Some(kbytes) = buffer_memory_kbytes(&mut layers)? {
        forced.insert(QUEUE_MAX_KBYTES.to_string(), kbytes);
    }
    let [worker_overrides, connector_overrides] = &layers;
    let config = client_config(
        bootstrap_servers,
        &[&forced, worker_overrides, connector_overrides],
    )?;
    let (sender, receiver) = mpsc::unbounded_channel();
    let producer = config.create_with_context(AckContext {
        sender,
        security_failed: std::sync::atomic::AtomicBool::new(false),
    })?;
    Ok((producer, receiver))
}

/// Creates topics that do not exist yet. Partitions and replication of -1 ask for the
/// broker's defaults; brokers that do not support that (older than KIP-464) get 1 and 1.
pub struct TopicAdmin {
    admin: AdminClient<DefaultClientContext>,
}

impl TopicAdmin {
    pub fn new(
        bootstrap_servers: &str,
        overrides: &BTreeMap<String, String>,
    ) -> Result<Self, KafkaError> {
        let admin = client_config(bootstrap_servers, &[overrides])?.create()?;
        Ok(TopicAdmin { admin })
    }

    /// Creates `topic` unless it exists; `Ok(true)` when this call created it.
    pub async fn create_topic_if_missing(
        &self,
        topic: &str,
        partitions: i32,
        replication: i32,
    ) -> Result<bool, KafkaError> {
        let attempt = |partitions: i32, replication: i32| async move {
            let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
            let new_topic = NewTopic::new(topic, partitions, TopicReplication::Fixed(replication));
            self.admin.create_topics([&new_topic], &options).await
        };
        let first = attempt(partitions, replication).await?;
        match first.into_iter().next() {
            Some(Ok(_)) => Ok(true),
            Some(Err((_, RDKafkaErrorCode::TopicAlreadyExists))) => Ok(false),
            Some(Err((_, code)))
                if (partitions < 0 || replication < 0)
                    && matches!(
                        code,
                        RDKafkaErrorCode::InvalidPartitions
                            | RDKafkaErrorCode::InvalidReplicationFactor
                            | RDKafkaErrorCode::UnsupportedVersion
                            | RDKafkaErrorCode::InvalidRequest
                    ) =>
            {
                let retry = attempt(partitions.max(1), replication.max(1)).await?;
                match retry.into_iter().next() {
                    Some(Ok(_)) => Ok(true),
                    Some(Err((_, RDKafkaErrorCode::TopicAlreadyExists))) => Ok(false),
                    Some(Err((_, code))) => Err(KafkaError::AdminOp(code)),
                    None => Ok(false),
                }
            }
            Some(Err((_, code))) => Err(KafkaError::AdminOp(code)),
            None => Ok(false),
        }
    }
}

/// Whether a Kafka error is worth retrying.
pub fn is_retriable(error: &KafkaError) -> bool {
    match error.rdkafka_error_code() {
        Some(code) => matches!(
            code,
            RDKafkaErrorCode::QueueFull
                | RDKafkaErrorCode::MessageTimedOut
                | RDKafkaErrorCode::RequestTimedOut
                | RDKafkaErrorCode::NetworkException
                | RDKafkaErrorCode::NotEnoughReplicas
                | RDKafkaErrorCode::NotEnoughReplicasAfterAppend
                | RDKafkaErrorCode::LeaderNotAvailable
                | RDKafkaErrorCode::NotLeaderForPartition
                | RDKafkaErrorCode::BrokerTransportFailure
                | RDKafkaErrorCode::AllBrokersDown
        ),
        None => false,
    }
}

/// The committed offsets of a sink connector's consumer group, read and written by a
/// consumer of the group that never joins it (Kafka Connect's KIP-875 for sink
/// connectors). Writing is only safe while the group has no members, which is why the
/// herder requires the connector to be STOPPED first.
pub struct SinkGroupOffsets {
    consumer: rdkafka::consumer::BaseConsumer,
    timeout: Duration,
}

/// A sink connector's topics: its `topics` list or its `topics.regex`.
pub enum SinkTopics {
    List(Vec<String>),
    Regex(regex::Regex),
}

impl SinkTopics {
    fn matches(&self, topic: &str) -> bool {
        match self {
            SinkTopics::List(topics) => topics.iter().any(|t| t == topic),
            SinkTopics::Regex(regex) => regex.is_match(topic),
        }
    }
}

impl SinkGroupOffsets {
    /// A client of `group_id` with the given config layers (`group.id` is set last).
    pub fn new(
        bootstrap_servers: &str,
        group_id: &str,
        layers: &[&BTreeMap<String, String>],
        timeout: Duration,
    ) -> Result<Self, KafkaError> {
        let mut config = client_config(bootstrap_servers, layers)?;
        config
            .set("group.id", group_id)
            .set("enable.auto.commit", "false");
        Ok(SinkGroupOffsets {
            consumer: config.create()?,
            timeout,
        })
    }

    /// `(topic, partition, offset)` for every partition of `topics` with a committed
    /// offset, sorted. Blocking.
    pub fn committed(&self, topics: &SinkTopics) -> Result<Vec<(String, i32, i64)>, KafkaError> {
        use rdkafka::consumer::Consumer;
        let metadata = self.consumer.fetch_metadata(None, self.timeout)?;
        let mut list = rdkafka::TopicPartitionList::new();
        for topic in metadata.topics() {
            if topics.matches(topic.name()) {
                for partition in topic.partitions() {
                    list.add_partition(topic.name(), partition.id());
                }
            }
        }
        if list.count() == 0 {
            return Ok(Vec::new());
        }
        let committed = self.consumer.committed_offsets(list, self.timeout)?;
        let mut offsets: Vec<(String, i32, i64)> = committed
            .elements()
            .iter()
            .filter_map(|e| match e.offset() {
                rdkafka::Offset::Offset(offset) => {
                    Some((e.topic().to_string(), e.partition(), offset))
                }
                _ => None,
            })
            .collect();
        offsets.sort();
        Ok(offsets)
    }

    /// Commits `(topic, partition, offset)` for the group. Blocking.
    pub fn commit(&self, offsets: &[(String, i32, i64)]) -> Result<(), KafkaError> {
        use rdkafka::consumer::{CommitMode, Consumer};
        let mut list = rdkafka::TopicPartitionList::new();
        for (topic, partition, offset) in offsets {
            list.add_partition_offset(topic, *partition, rdkafka::Offset::Offset(*offset))?;
        }
        self.consumer.commit(&list, CommitMode::Sync)
    }
}

/// Kafka's API key of `DeleteGroups` (KIP-229, brokers 1.1 and later).
pub const API_DELETE_GROUPS: i16 = 42;

/// Whether the cluster's first bootstrap broker supports the Kafka API `api_key`, from its
/// answer to an `ApiVersions` v0 request (the request every client sends first; v0 because
/// every broker answers it). `None` when that could not be learnt: a TLS or SASL listener
/// (we would need the whole handshake), or no answer within `timeout`.
///
/// librdkafka aborts the whole process (`rd_kafka_q_destroy0` assertion, librdkafka 2.12)
/// when an admin request the broker does not support is sent through the coordinator
/// fan-out: DeleteGroups to librdkafka's mock cluster (the quickstart's broker) did so.
/// Asking first turns that into an error. Written by hand: one fixed request and a
/// six-byte-per-entry answer do not justify a Kafka protocol crate.
pub async fn broker_supports(
    bootstrap_servers: &str,
    layers: &[&BTreeMap<String, String>],
    api_key: i16,
    timeout: Duration,
) -> Option<bool> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let protocol = layers
        .iter()
        .rev()
        .find_map(|layer| layer.get("security.protocol"))
        .map(|p| p.to_ascii_uppercase());
    if protocol.is_some_and(|p| p != "PLAINTEXT") {
        return None;
    }
    let first = bootstrap_servers.split(',').next()?.trim();
    let address = first
        .rsplit_once("://")
        .map_or(first, |(_, a)| a)
        .to_string();
    let exchange = async move {
        let mut stream = tokio::net::TcpStream::connect(address).await.ok()?;
        const CLIENT_ID: &[u8] = b"tributary-probe";
        const CORRELATION_ID: i32 = 1;
        let mut request = Vec::with_capacity(14 + CLIENT_ID.len());
        request.extend_from_slice(&((10 + CLIENT_ID.len()) as i32).to_be_bytes());
        request.extend_from_slice(&18i16.to_be_bytes()); // ApiVersions
        request.extend_from_slice(&0i16.to_be_bytes()); // version 0
        request.extend_from_slice(&CORRELATION_ID.to_be_bytes());
        request.extend_from_slice(&(CLIENT_ID.len() as i16).to_be_bytes());
        request.extend_from_slice(CLIENT_ID);
        stream.write_all(&request).await.ok()?;
        let size = usize::try_from(stream.read_i32().await.ok()?).ok()?;
        if !(10..=1 << 20).contains(&size) {
            return None;
        }
        let mut body = vec![0u8; size];
        stream.read_exact(&mut body).await.ok()?;
        parse_api_versions_v0(&body, CORRELATION_ID).map(|keys| keys.contains(&api_key))
    };
    tokio::time::timeout(timeout, exchange).await.ok().flatten()
}

/// The API keys of an `ApiVersions` v0 response body (after its size), when it answers
/// `correlation_id` without error.
fn parse_api_versions_v0(body: &[u8], correlation_id: i32) -> Option<Vec<i16>> {
    let i16_at = |at: usize| Some(i16::from_be_bytes(body.get(at..at + 2)?.try_into().ok()?));
    let i32_at = |at: usize| Some(i32::from_be_bytes(body.get(at..at + 4)?.try_into().ok()?));
    if i32_at(0)? != correlation_id || i16_at(4)? != 0 {
        return None;
    }
    let count = usize::try_from(i32_at(6)?).ok()?;
    if body.len() < count.checked_mul(6)?.checked_add(10)? {
        return None;
    }
    (0..count).map(|i| i16_at(10 + 6 * i)).collect()
}

/// Deletes a consumer group (a sink connector's offsets reset); `Ok(false)` when there
/// was no such group, and [`RDKafkaErrorCode::UnsupportedVersion`] when the broker has no
/// `DeleteGroups` (see [`broker_supports`]).
pub async fn delete_group(
    bootstrap_servers: &str,
    group_id: &str,
    layers: &[&BTreeMap<String, String>],
    timeout: Duration,
) -> Result<bool, KafkaError> {
    if broker_supports(bootstrap_servers, layers, API_DELETE_GROUPS, timeout).await == Some(false) {
        return Err(KafkaError::AdminOp(RDKafkaErrorCode::UnsupportedVersion));
    }
    let admin: AdminClient<DefaultClientContext> =
        client_config(bootstrap_servers, layers)?.create()?;
    let options = AdminOptions::new().operation_timeout(Some(timeout));
    let results = admin.delete_groups(&[group_id], &options).await?;
    match results.into_iter().next() {
        Some(Ok(_)) | None => Ok(true),
        Some(Err((_, RDKafkaErrorCode::GroupIdNotFound))) => Ok(false),
        Some(Err((_, code))) => Err(KafkaError::AdminOp(code)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_versions_body(correlation_id: i32, error: i16, keys: &[i16]) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend_from_slice(&correlation_id.to_be_bytes());
        body.extend_from_slice(&error.to_be_bytes());
        body.extend_from_slice(&(keys.len() as i32).to_be_bytes());
        for key in keys {
            body.extend_from_slice(&key.to_be_bytes());
            body.extend_from_slice(&0i16.to_be_bytes());
            body.extend_from_slice(&3i16.to_be_bytes());
        }
        body
    }

    fn layer(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn buffer_memory_becomes_librdkafkas_queue_bound() -> Result<(), KafkaError> {
        // Kafka's default, 32 MiB.
        let mut layers = [layer(&[]), layer(&[])];
        assert_eq!(
            buffer_memory_kbytes(&mut layers)?,
            Some("32768".to_string())
        );
        // The connector's override wins over the worker's; the key is removed.
        let mut layers = [
            layer(&[("buffer.memory", "1048576")]),
            layer(&[("buffer.memory", "1000")]),
        ];
        assert_eq!(buffer_memory_kbytes(&mut layers)?, Some("1".to_string()));
        assert!(layers.iter().all(|l| !l.contains_key("buffer.memory")));
        // librdkafka's own key, when given, is the bound.
        let mut layers = [layer(&[("queue.buffering.max.kbytes", "64")]), layer(&[])];
        assert_eq!(buffer_memory_kbytes(&mut layers)?, None);
        // Nonsense is refused with the key and value.
        let mut layers = [layer(&[("buffer.memory", "lots")]), layer(&[])];
        let error = buffer_memory_kbytes(&mut layers)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.contains("buffer.memory") && error.contains("lots"),
            "{error}"
        );
        Ok(())
    }

    #[test]
    fn an_api_versions_answer_lists_its_keys() {
        let body = api_versions_body(7, 0, &[0, 1, 18, 42]);
        assert_eq!(parse_api_versions_v0(&body, 7), Some(vec![0, 1, 18, 42]));
        // Another request's answer, an error, a truncated answer: nothing learnt.
        assert_eq!(parse_api_versions_v0(&body, 8), None);
        assert_eq!(
            parse_api_versions_v0(&api_versions_body(7, 35, &[18]), 7),
            None
        );
        assert_eq!(parse_api_versions_v0(&body[..body.len() - 1], 7), None);
    }

    #[tokio::test]
    async fn a_tls_listener_is_not_probed() {
        let layer = BTreeMap::from([("security.protocol".to_string(), "SSL".to_string())]);
        // Nothing listens there; the answer comes from the protocol alone.
        let answer = broker_supports(
            "127.0.0.1:1",
            &[&layer],
            API_DELETE_GROUPS,
            Duration::from_secs(1),
        )
        .await;
        assert_eq!(answer, None);
    }
}
