//! Backing stores (Kafka's `runtime/storage`): where a worker keeps source offsets,
//! connector configurations and connector/task statuses.
//!
//! Each kind of data has a trait with interchangeable implementations: in memory (tests,
//! status in standalone mode), in a local file (standalone mode), and — for distributed
//! mode — in compacted Kafka topics. Herders and task loops see only the traits.

pub mod atomic_file;
pub mod config;
pub mod offset;
pub mod status;

pub use config::{
    ConfigBackingStore, ConnectorEntry, FileConfigBackingStore, MemoryConfigBackingStore,
};
pub use offset::{FileOffsetBackingStore, MemoryOffsetBackingStore, OffsetBackingStore};
pub use status::{MemoryStatusBackingStore, StatusBackingStore};

/// A failure to read or write a backing store.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The operating system's reason is part of the message ("No space left on device"),
    /// since log lines show the message alone.
    #[error("cannot access {path}: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{path} is not a valid {what} file")]
    Corrupt {
        path: String,
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
}
