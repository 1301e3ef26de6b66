//! Connector and task status storage (Kafka's `StatusBackingStore`): the latest state of
//! each connector and task, with the failure trace, as `GET /connectors/{c}/status` shows,
//! and the topics each connector's tasks have used (`GET /connectors/{c}/topics`).
//!
//! Active topics (KIP-558) are recorded by the tasks themselves, for the topic each record
//! really went to (after transformations) or came from, never guessed from the config;
//! `topic.tracking.enable=false` stops the recording and answers 403, as does a reset with
//! `topic.tracking.allow.reset=false`. A standalone worker keeps them in memory, as Kafka's
//! standalone worker does (its `MemoryStatusBackingStore`): after a restart a connector's
//! topics reappear as its tasks use them again. Kafka's distributed workers keep them in
//! the status topic; ours will when distributed mode comes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::herder::entities::{ConnectorTaskId, State};

/// The status of one connector or task.
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    pub state: State,
    pub trace: Option<String>,
    pub worker_id: String,
}

/// Where statuses are kept.
pub trait StatusBackingStore: Send + Sync {
    fn put_connector(&self, connector: &str, status: Status);
    fn put_task(&self, id: &ConnectorTaskId, status: Status);
    fn connector(&self, connector: &str) -> Option<Status>;
    fn task(&self, id: &ConnectorTaskId) -> Option<Status>;
    /// Forgets the connector and all of its tasks.
    fn remove_connector(&self, connector: &str);
    /// Forgets tasks numbered `from` and above (after a reconfiguration to fewer tasks).
    fn remove_tasks_from(&self, connector: &str, from: u32);
    /// Records that a task of `connector` produced to or consumed from `topic` (Kafka's
    /// `TopicStatus`).
    fn put_topic(&self, connector: &str, topic: &str);
    /// The topics `connector` has used since it was created or its topics were reset,
    /// sorted.
    fn topics(&self, connector: &str) -> Vec<String>;
    /// Forgets the topics `connector` has used (`PUT /connectors/{c}/topics/reset`).
    fn delete_topics(&self, connector: &str);
    /// A number that changes whenever topics are forgotten, so that a task can tell
    /// whether the topics it recorded are still recorded.
    fn topics_generation(&self) -> u64;
}

/// Statuses in memory (standalone mode).
#[derive(Default)]
pub struct MemoryStatusBackingStore {
    connectors: Mutex<BTreeMap<String, Status>>,
    tasks: Mutex<BTreeMap<ConnectorTaskId, Status>>,
    topics: Mutex<BTreeMap<String, BTreeSet<String>>>,
    topics_generation: AtomicU64,
}

impl MemoryStatusBackingStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl StatusBackingStore for MemoryStatusBackingStore {
    fn put_connector(&self, connector: &str, status: Status) {
        self.connectors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(connector.to_string(), status);
    }

    fn put_task(&self, id: &ConnectorTaskId, status: Status) {
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.clone(), status);
    }

    fn connector(&self, connector: &str) -> Option<Status> {
        self.connectors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(connector)
            .cloned()
    }

    fn task(&self, id: &ConnectorTaskId) -> Option<Status> {
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    fn remove_connector(&self, connector: &str) {
        self.connectors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(connector);
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|id, _| id.connector != connector);
        self.delete_topics(connector);
    }

    fn remove_tasks_from(&self, connector: &str, from: u32) {
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|id, _| id.connector != connector || id.task < from);
    }

    fn put_topic(&self, connector: &str, topic: &str) {
        self.topics
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(connector.to_string())
            .or_default()
            .insert(topic.to_string());
    }

    fn topics(&self, connector: &str) -> Vec<String> {
        self.topics
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(connector)
            .map(|topics| topics.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn delete_topics(&self, connector: &str) {
        self.topics
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(connector);
        self.topics_generation.fetch_add(1, Ordering::SeqCst);
    }

    fn topics_generation(&self) -> u64 {
        self.topics_generation.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_recorded_until_reset() {
        let store = MemoryStatusBackingStore::new();
        store.put_topic("c", "b");
        store.put_topic("c", "a");
        store.put_topic("c", "a");
        store.put_topic("d", "x");
        assert_eq!(store.topics("c"), ["a", "b"]);
        let generation = store.topics_generation();
        store.delete_topics("c");
        assert!(store.topics("c").is_empty());
        assert_eq!(store.topics("d"), ["x"]);
        assert_ne!(store.topics_generation(), generation);
        store.remove_connector("d");
        assert!(store.topics("d").is_empty());
    }
}
