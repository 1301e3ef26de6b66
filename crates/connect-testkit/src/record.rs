//! Records as read back from a topic, and records to produce.

use rdkafka::Timestamp;
use rdkafka::message::{BorrowedMessage, Headers, Message};

/// A record read from a topic, by the Rust consumer ([`crate::KafkaCluster::consume_all`])
/// or by the Python script ([`crate::PythonEnv::consume_with_python`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    /// `None` for a null key.
    pub key: Option<Vec<u8>>,
    /// `None` for a null value (a tombstone).
    pub value: Option<Vec<u8>>,
    /// In order; keys may repeat; `None` for a null header value.
    pub headers: Vec<(String, Option<Vec<u8>>)>,
    /// Milliseconds since the epoch, when the record has a timestamp.
    pub timestamp: Option<i64>,
    pub timestamp_type: TimestampType,
}

/// What a record's timestamp means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampType {
    NotAvailable,
    CreateTime,
    LogAppendTime,
}

impl Record {
    pub(crate) fn from_message(m: &BorrowedMessage<'_>) -> Record {
        let headers = m
            .headers()
            .map(|hs| {
                hs.iter()
                    .map(|h| (h.key.to_owned(), h.value.map(<[u8]>::to_vec)))
                    .collect()
            })
            .unwrap_or_default();
        let (timestamp, timestamp_type) = match m.timestamp() {
            Timestamp::NotAvailable => (None, TimestampType::NotAvailable),
            Timestamp::CreateTime(t) => (Some(t), TimestampType::CreateTime),
            Timestamp::LogAppendTime(t) => (Some(t), TimestampType::LogAppendTime),
        };
        Record {
            topic: m.topic().to_owned(),
            partition: m.partition(),
            offset: m.offset(),
            key: m.key().map(<[u8]>::to_vec),
            value: m.payload().map(<[u8]>::to_vec),
            headers,
            timestamp,
            timestamp_type,
        }
    }

    /// The key as UTF-8 text (lossy), `None` for a null key.
    pub fn key_str(&self) -> Option<String> {
        self.key
            .as_deref()
            .map(|k| String::from_utf8_lossy(k).into_owned())
    }

    /// The value as UTF-8 text (lossy), `None` for a null value.
    pub fn value_str(&self) -> Option<String> {
        self.value
            .as_deref()
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    /// The value parsed as JSON; `Ok(None)` for a null value.
    pub fn value_json(&self) -> serde_json::Result<Option<serde_json::Value>> {
        self.value
            .as_deref()
            .map(serde_json::from_slice)
            .transpose()
    }

    /// The value of the last header named `key` (Kafka Connect's `lastWithName`).
    pub fn header(&self, key: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_deref())
    }

    /// `(key, value)` as lossy UTF-8 text, handy in assertions.
    pub fn kv_str(&self) -> (Option<String>, Option<String>) {
        (self.key_str(), self.value_str())
    }
}

/// Sorts records by partition, then offset (a stable order for assertions across
/// partitions; within one partition records always arrive in offset order).
pub fn sort_by_position(records: &mut [Record]) {
    records.sort_by_key(|r| (r.partition, r.offset));
}

/// A record to produce with [`crate::KafkaCluster::produce_record`] or
/// [`crate::KafkaCluster::produce_batch`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProduceRecord {
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
    /// Explicit partition; `None` lets the partitioner choose (by key hash).
    pub partition: Option<i32>,
    /// Explicit create-time timestamp in ms; `None` means "now".
    pub timestamp: Option<i64>,
}

impl ProduceRecord {
    /// A record with both key and value null.
    pub fn new() -> Self {
        Self::default()
    }

    /// A record with the given key and value.
    pub fn kv(key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        Self::new().key(key).value(value)
    }

    pub fn key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.key = Some(key.as_ref().to_vec());
        self
    }

    pub fn value(mut self, value: impl AsRef<[u8]>) -> Self {
        self.value = Some(value.as_ref().to_vec());
        self
    }

    /// Adds a header (headers keep their order and may repeat).
    pub fn header(mut self, key: impl Into<String>, value: impl AsRef<[u8]>) -> Self {
        self.headers
            .push((key.into(), Some(value.as_ref().to_vec())));
        self
    }

    /// Adds a header with a null value.
    pub fn null_header(mut self, key: impl Into<String>) -> Self {
        self.headers.push((key.into(), None));
        self
    }

    pub fn partition(mut self, partition: i32) -> Self {
        self.partition = Some(partition);
        self
    }

    pub fn timestamp(mut self, ms: i64) -> Self {
        self.timestamp = Some(ms);
        self
    }
}

/// Where a produced record landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub partition: i32,
    pub offset: i64,
}
