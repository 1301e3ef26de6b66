//! Connector and task status storage (Kafka's `StatusBackingStore`): the latest state of
//! each connector and task, with the failure trace, as `GET /connectors/{c}/status` shows.

use std::collections::BTreeMap;
use std::sync::Mutex;

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
}

/// Statuses in memory (standalone mode).
#[derive(Default)]
pub struct MemoryStatusBackingStore {
    connectors: Mutex<BTreeMap<String, Status>>,
    tasks: Mutex<BTreeMap<ConnectorTaskId, Status>>,
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
    }

    fn remove_tasks_from(&self, connector: &str, from: u32) {
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|id, _| id.connector != connector || id.task < from);
    }
}
