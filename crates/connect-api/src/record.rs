//! What source and sink records have in common (Kafka's `ConnectRecord`), so that one
//! transformation or predicate works on both.

use crate::data::{Schema, Value};
use crate::header::Headers;

/// The common view of [`crate::SourceRecord`] and [`crate::SinkRecord`].
pub trait ConnectRecord: Clone + Send + Sync + 'static {
    fn topic(&self) -> &str;
    fn kafka_partition(&self) -> Option<i32>;
    fn key_schema(&self) -> Option<&Schema>;
    fn key(&self) -> &Value;
    fn value_schema(&self) -> Option<&Schema>;
    fn value(&self) -> &Value;
    fn timestamp(&self) -> Option<i64>;
    fn headers(&self) -> &Headers;
    fn headers_mut(&mut self) -> &mut Headers;

    /// A copy of this record with the given routing and data, everything else kept (Kafka's
    /// `newRecord`).
    #[allow(clippy::too_many_arguments)]
    fn new_record(
        &self,
        topic: String,
        kafka_partition: Option<i32>,
        key_schema: Option<Schema>,
        key: Value,
        value_schema: Option<Schema>,
        value: Value,
        timestamp: Option<i64>,
        headers: Headers,
    ) -> Self;

    /// This record sent to another topic, everything else kept. The default copies through
    /// [`ConnectRecord::new_record`]; records override it to move their data instead.
    fn with_topic(self, topic: String) -> Self
    where
        Self: Sized,
    {
        self.new_record(
            topic,
            self.kafka_partition(),
            self.key_schema().cloned(),
            self.key().clone(),
            self.value_schema().cloned(),
            self.value().clone(),
            self.timestamp(),
            self.headers().clone(),
        )
    }

    /// This record with another key, everything else kept. The default copies through
    /// [`ConnectRecord::new_record`]; records override it to move their data instead.
    fn with_key(self, key_schema: Option<Schema>, key: Value) -> Self
    where
        Self: Sized,
    {
        self.new_record(
            self.topic().to_string(),
            self.kafka_partition(),
            key_schema,
            key,
            self.value_schema().cloned(),
            self.value().clone(),
            self.timestamp(),
            self.headers().clone(),
        )
    }

    /// This record with another value, everything else kept (see
    /// [`ConnectRecord::with_key`]).
    fn with_value(self, value_schema: Option<Schema>, value: Value) -> Self
    where
        Self: Sized,
    {
        self.new_record(
            self.topic().to_string(),
            self.kafka_partition(),
            self.key_schema().cloned(),
            self.key().clone(),
            value_schema,
            value,
            self.timestamp(),
            self.headers().clone(),
        )
    }
}
