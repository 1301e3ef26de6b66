//! Single message transformations and predicates (Kafka's `connect/transforms` API).
//!
//! A transformation sees one record at a time, after a source task's poll (before the
//! converters) or after a sink's converters (before `put`). It returns the record to pass
//! on, changed or not, or `None` to drop it. A predicate decides whether a transformation
//! applies to a record (`transforms.<alias>.predicate`, with `.negate`).

use crate::Props;
use crate::config::ConfigDef;
use crate::errors::ConnectResult;
use crate::record::ConnectRecord;

/// Transforms records of type `R` (Kafka's `Transformation<R>`).
pub trait Transformation<R: ConnectRecord>: Send + Sync {
    fn config_def(&self) -> ConfigDef;
    /// Configures the transformation with its keys (the `transforms.<alias>.` prefix removed).
    fn configure(&mut self, props: &Props) -> ConnectResult<()>;
    /// The transformed record, or `None` to drop it.
    fn apply(&self, record: R) -> ConnectResult<Option<R>>;
}

/// Tests records of type `R` (Kafka's `Predicate<R>`).
pub trait Predicate<R: ConnectRecord>: Send + Sync {
    fn config_def(&self) -> ConfigDef;
    fn configure(&mut self, props: &Props) -> ConnectResult<()>;
    fn test(&self, record: &R) -> bool;
}
