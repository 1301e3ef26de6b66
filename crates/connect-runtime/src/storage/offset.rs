//! Source offset storage (Kafka's `OffsetBackingStore`).
//!
//! An offset entry is keyed by the connector name and the source partition, and holds the
//! source offset of the last record of that partition whose delivery Kafka acknowledged.
//! Keys use the same JSON shape as Kafka's offsets topic, `["<connector>", {partition}]`,
//! so a future migration between standalone and distributed mode is a copy.
//!
//! # The standalone offsets file
//!
//! [`FileOffsetBackingStore`] keeps all offsets in memory and rewrites the whole file on
//! every flush, atomically (see [`super::atomic_file`]). The file is JSON:
//!
//! ```json
//! {
//!   "version": 1,
//!   "offsets": [
//!     {"key": ["local-file-source", {"filename": "/tmp/in.txt"}], "value": {"position": 4096}}
//!   ]
//! }
//! ```
//!
//! Entries are sorted by key. A partition whose offset was reset is absent. Kafka's own
//! standalone worker writes Java-serialized objects here instead; that format is not read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use connect_api::ConnectError;
use connect_api::errors::ConnectResult;
use connect_api::source::{OffsetStorageReader, SourceOffset, SourcePartition};
use serde::{Deserialize, Serialize};

use super::StorageError;
use super::atomic_file::{Visibility, replace_file};

/// Where source offsets are kept.
#[async_trait]
pub trait OffsetBackingStore: Send + Sync {
    /// The stored offsets of `connector` for the given partitions (absent ones omitted).
    async fn get(
        &self,
        connector: &str,
        partitions: &[SourcePartition],
    ) -> Result<Vec<(SourcePartition, SourceOffset)>, StorageError>;

    /// Stores offsets; a `None` offset removes the partition's entry. Durable on return.
    async fn set(
        &self,
        connector: &str,
        offsets: Vec<(SourcePartition, Option<SourceOffset>)>,
    ) -> Result<(), StorageError>;

    /// Every stored offset of `connector`.
    async fn connector_offsets(
        &self,
        connector: &str,
    ) -> Result<Vec<(SourcePartition, SourceOffset)>, StorageError>;

    /// Why the last write failed, while no write has succeeded since (for `/health`).
    fn problem(&self) -> Option<String> {
        None
    }
}

/// A canonical, hashable form of a partition map: its JSON with keys sorted.
pub fn partition_key(partition: &SourcePartition) -> String {
    let sorted: BTreeMap<&String, &serde_json::Value> = partition.iter().collect();
    serde_json::to_string(&sorted).unwrap_or_default()
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct FileEntry {
    key: (String, SourcePartition),
    value: SourceOffset,
}

#[derive(Debug, Serialize, Deserialize)]
struct OffsetsFile {
    version: u32,
    offsets: Vec<FileEntry>,
}

type OffsetMap = BTreeMap<(String, String), (SourcePartition, SourceOffset)>;

fn apply(
    map: &mut OffsetMap,
    connector: &str,
    offsets: Vec<(SourcePartition, Option<SourceOffset>)>,
) {
    for (partition, offset) in offsets {
        let key = (connector.to_string(), partition_key(&partition));
        match offset {
            Some(offset) => {
                map.insert(key, (partition, offset));
            }
            None => {
                map.remove(&key);
            }
        }
    }
}

fn lookup(
    map: &OffsetMap,
    connector: &str,
    partitions: &[SourcePartition],
) -> Vec<(SourcePartition, SourceOffset)> {
    partitions
        .iter()
        .filter_map(|p| {
            map.get(&(connector.to_string(), partition_key(p)))
                .map(|(partition, offset)| (partition.clone(), offset.clone()))
        })
        .collect()
}

fn all_of(map: &OffsetMap, connector: &str) -> Vec<(SourcePartition, SourceOffset)> {
    map.iter()
        .filter(|((c, _), _)| c == connector)
        .map(|(_, (p, o))| (p.clone(), o.clone()))
        .collect()
}

/// Offsets in memory only (tests; lost on exit).
#[derive(Default)]
pub struct MemoryOffsetBackingStore {
    offsets: Mutex<OffsetMap>,
}

impl MemoryOffsetBackingStore {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl OffsetBackingStore for MemoryOffsetBackingStore {
    async fn get(
        &self,
        connector: &str,
        partitions: &[SourcePartition],
    ) -> Result<Vec<(SourcePartition, SourceOffset)>, StorageError> {
        let map = self.offsets.lock().unwrap_or_else(|e| e.into_inner());
        Ok(lookup(&map, connector, partitions))
    }

    async fn set(
        &self,
        connector: &str,
        offsets: Vec<(SourcePartition, Option<SourceOffset>)>,
    ) -> Result<(), StorageError> {
        let mut map = self.offsets.lock().unwrap_or_else(|e| e.into_inner());
        apply(&mut map, connector, offsets);
        Ok(())
    }

    async fn connector_offsets(
        &self,
        connector: &str,
    ) -> Result<Vec<(SourcePartition, SourceOffset)>, StorageError> {
        let map = self.offsets.lock().unwrap_or_else(|e| e.into_inner());
        Ok(all_of(&map, connector))
    }
}

/// Offsets in a local JSON file, rewritten atomically on every `set`.
pub struct FileOffsetBackingStore {
    path: PathBuf,
    offsets: Arc<tokio::sync::Mutex<OffsetMap>>,
    /// The last write's error, until a write succeeds.
    failing: std::sync::Mutex<Option<String>>,
}

impl FileOffsetBackingStore {
    /// Opens the store, loading the file when it exists. A file that cannot be parsed is an
    /// error: starting with no offsets would silently replay every source.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, StorageError> {
        let path = path.into();
        for stale in super::atomic_file::remove_stale_temporaries(&path) {
            tracing::info!(file = %stale.display(), "removed a temporary file left by a worker that died while writing");
        }
        let offsets = Self::load(&path)?;
        Ok(FileOffsetBackingStore {
            path,
            offsets: Arc::new(tokio::sync::Mutex::new(offsets)),
            failing: std::sync::Mutex::new(None),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn load(path: &Path) -> Result<OffsetMap, StorageError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(OffsetMap::new()),
            Err(source) => {
                return Err(StorageError::Io {
                    path: path.display().to_string(),
                    error: source,
                });
            }
        };
        let file: OffsetsFile =
            serde_json::from_slice(&bytes).map_err(|source| StorageError::Corrupt {
                path: path.display().to_string(),
                what: "offsets",
                source,
            })?;
        let mut map = OffsetMap::new();
        for entry in file.offsets {
            let (connector, partition) = entry.key;
            apply(&mut map, &connector, vec![(partition, Some(entry.value))]);
        }
        Ok(map)
    }

    fn render(map: &OffsetMap) -> Vec<u8> {
        let file = OffsetsFile {
            version: 1,
            offsets: map
                .iter()
                .map(|((connector, _), (partition, offset))| FileEntry {
                    key: (connector.clone(), partition.clone()),
                    value: offset.clone(),
                })
                .collect(),
        };
        serde_json::to_vec_pretty(&file).unwrap_or_default()
    }
}

#[async_trait]
impl OffsetBackingStore for FileOffsetBackingStore {
    async fn get(
        &self,
        connector: &str,
        partitions: &[SourcePartition],
    ) -> Result<Vec<(SourcePartition, SourceOffset)>, StorageError> {
        let map = self.offsets.lock().await;
        Ok(lookup(&map, connector, partitions))
    }

    async fn set(
        &self,
        connector: &str,
        offsets: Vec<(SourcePartition, Option<SourceOffset>)>,
    ) -> Result<(), StorageError> {
        // Hold the lock across the write so that concurrent flushes reach the file in order.
        let mut map = self.offsets.lock().await;
        let mut updated = map.clone();
        apply(&mut updated, connector, offsets);
        let contents = Self::render(&updated);
        let written = replace_file(self.path.clone(), contents, Visibility::Default).await;
        *self.failing.lock().unwrap_or_else(|e| e.into_inner()) =
            written.as_ref().err().map(|e| e.to_string());
        written?;
        *map = updated;
        Ok(())
    }

    fn problem(&self) -> Option<String> {
        self.failing
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|error| format!("Source offsets cannot be stored: {error}"))
    }

    async fn connector_offsets(
        &self,
        connector: &str,
    ) -> Result<Vec<(SourcePartition, SourceOffset)>, StorageError> {
        let map = self.offsets.lock().await;
        Ok(all_of(&map, connector))
    }
}

/// The [`OffsetStorageReader`] a task of `connector` reads its offsets through.
pub struct ConnectorOffsetReader {
    pub connector: String,
    pub store: Arc<dyn OffsetBackingStore>,
}

#[async_trait]
impl OffsetStorageReader for ConnectorOffsetReader {
    async fn offset(&self, partition: &SourcePartition) -> ConnectResult<Option<SourceOffset>> {
        let found = self
            .store
            .get(&self.connector, std::slice::from_ref(partition))
            .await
            .map_err(|e| ConnectError::other_with("failed to read offsets", e))?;
        Ok(found.into_iter().next().map(|(_, offset)| offset))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[tokio::test]
    async fn file_store_survives_reopen_and_keys_ignore_map_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("connect.offsets");
        let store = FileOffsetBackingStore::open(&path).expect("open");
        store
            .set(
                "c",
                vec![(
                    map(json!({"a": 1, "b": "x"})),
                    Some(map(json!({"position": 10}))),
                )],
            )
            .await
            .expect("set");
        let reopened = FileOffsetBackingStore::open(&path).expect("reopen");
        let found = reopened
            .get("c", &[map(json!({"b": "x", "a": 1}))])
            .await
            .expect("get");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, map(json!({"position": 10})));
        assert!(
            reopened
                .get("other", &[map(json!({"a": 1, "b": "x"}))])
                .await
                .expect("get")
                .is_empty()
        );
        reopened
            .set("c", vec![(map(json!({"a": 1, "b": "x"})), None)])
            .await
            .expect("reset");
        assert!(
            FileOffsetBackingStore::open(&path)
                .expect("reopen")
                .connector_offsets("c")
                .await
                .expect("all")
                .is_empty()
        );
    }

    #[test]
    fn corrupt_file_is_an_error_not_an_empty_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("connect.offsets");
        std::fs::write(&path, b"{not json").expect("write");
        let err = FileOffsetBackingStore::open(&path).err().expect("corrupt");
        assert!(
            err.to_string().contains("not a valid offsets file"),
            "{err}"
        );
    }
}
