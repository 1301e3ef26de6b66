//! Connector configuration storage (Kafka's `ConfigBackingStore`).
//!
//! Holds each connector's config and target state. In standalone mode Kafka keeps these in
//! memory only, so connectors created through REST vanish on restart; Tributary's
//! [`FileConfigBackingStore`] writes them to a JSON file (atomically, like offsets) so
//! they survive. Connectors given on the command line are written there too and the
//! command line wins on the next start.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use async_trait::async_trait;
use connect_api::Props;
use serde::{Deserialize, Serialize};

use super::StorageError;
use super::atomic_file::{Visibility, replace_file};
use crate::herder::entities::TargetState;

/// One connector's stored state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectorEntry {
    pub config: Props,
    pub target_state: TargetState,
}

/// Where connector configs and target states are kept.
#[async_trait]
pub trait ConfigBackingStore: Send + Sync {
    /// Every stored connector.
    fn snapshot(&self) -> BTreeMap<String, ConnectorEntry>;
    /// Stores (or replaces) a connector.
    async fn put(&self, name: &str, entry: ConnectorEntry) -> Result<(), StorageError>;
    /// Removes a connector.
    async fn remove(&self, name: &str) -> Result<(), StorageError>;
}

/// Configs in memory only.
#[derive(Default)]
pub struct MemoryConfigBackingStore {
    connectors: Mutex<BTreeMap<String, ConnectorEntry>>,
}

impl MemoryConfigBackingStore {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl ConfigBackingStore for MemoryConfigBackingStore {
    fn snapshot(&self) -> BTreeMap<String, ConnectorEntry> {
        self.connectors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
    async fn put(&self, name: &str, entry: ConnectorEntry) -> Result<(), StorageError> {
        self.connectors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_string(), entry);
        Ok(())
    }
    async fn remove(&self, name: &str) -> Result<(), StorageError> {
        self.connectors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct ConfigFile {
    version: u32,
    connectors: BTreeMap<String, ConnectorEntry>,
}

/// Configs in a local JSON file: `{"version":1,"connectors":{"<name>":{"config":{...},"target_state":"RUNNING"}}}`.
/// The file holds connector configs as given, secrets included, so it is created readable
/// by its owner only.
pub struct FileConfigBackingStore {
    path: PathBuf,
    connectors: tokio::sync::Mutex<BTreeMap<String, ConnectorEntry>>,
    snapshot: Mutex<BTreeMap<String, ConnectorEntry>>,
}

impl FileConfigBackingStore {
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, StorageError> {
        let path = path.into();
        for stale in super::atomic_file::remove_stale_temporaries(&path) {
            tracing::info!(file = %stale.display(), "removed a temporary file left by a worker that died while writing");
        }
        let connectors = match std::fs::read(&path) {
            Ok(bytes) => {
                let file: ConfigFile =
                    serde_json::from_slice(&bytes).map_err(|source| StorageError::Corrupt {
                        path: path.display().to_string(),
                        what: "connector configs",
                        source,
                    })?;
                file.connectors
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(source) => {
                return Err(StorageError::Io {
                    path: path.display().to_string(),
                    error: source,
                });
            }
        };
        Ok(FileConfigBackingStore {
            path,
            snapshot: Mutex::new(connectors.clone()),
            connectors: tokio::sync::Mutex::new(connectors),
        })
    }

    async fn write(
        &self,
        connectors: BTreeMap<String, ConnectorEntry>,
    ) -> Result<(), StorageError> {
        let file = ConfigFile {
            version: 1,
            connectors: connectors.clone(),
        };
        let contents = serde_json::to_vec_pretty(&file).unwrap_or_default();
        replace_file(self.path.clone(), contents, Visibility::Private).await?;
        *self.snapshot.lock().unwrap_or_else(|e| e.into_inner()) = connectors;
        Ok(())
    }
}

#[async_trait]
impl ConfigBackingStore for FileConfigBackingStore {
    fn snapshot(&self) -> BTreeMap<String, ConnectorEntry> {
        self.snapshot
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    async fn put(&self, name: &str, entry: ConnectorEntry) -> Result<(), StorageError> {
        let mut connectors = self.connectors.lock().await;
        let mut updated = connectors.clone();
        updated.insert(name.to_string(), entry);
        self.write(updated.clone()).await?;
        *connectors = updated;
        Ok(())
    }

    async fn remove(&self, name: &str) -> Result<(), StorageError> {
        let mut connectors = self.connectors.lock().await;
        let mut updated = connectors.clone();
        updated.remove(name);
        self.write(updated.clone()).await?;
        *connectors = updated;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn file_store_round_trips() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("connectors.json");
        let store = FileConfigBackingStore::open(&path).expect("open");
        let mut config = Props::new();
        config.insert("connector.class".into(), "FileStreamSource".into());
        store
            .put(
                "a",
                ConnectorEntry {
                    config: config.clone(),
                    target_state: TargetState::Paused,
                },
            )
            .await
            .expect("put");
        store
            .put(
                "b",
                ConnectorEntry {
                    config,
                    target_state: TargetState::Running,
                },
            )
            .await
            .expect("put");
        store.remove("b").await.expect("remove");
        let reopened = FileConfigBackingStore::open(&path)
            .expect("reopen")
            .snapshot();
        assert_eq!(reopened.len(), 1);
        assert_eq!(reopened["a"].target_state, TargetState::Paused);
    }
}
