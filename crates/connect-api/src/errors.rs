//! Errors a connector, converter or transformation reports to the runtime.
//!
//! The runtime decides what to do with a failure from the error alone: a
//! [`ConnectError::Retriable`] is retried (within `errors.retry.timeout`), everything else is
//! either tolerated (`errors.tolerance=all`) or fails the task. A
//! [`ConnectError::Data`] is Kafka's `DataException`: the input was not what the schema or
//! the format says.

use std::error::Error as StdError;

/// A boxed error kept as the cause of a [`ConnectError`].
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// The result type of every SDK contract.
pub type ConnectResult<T> = Result<T, ConnectError>;

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The data does not match its schema or its serialized form (Kafka's DataException).
    #[error("{message}")]
    Data {
        message: String,
        #[source]
        source: Option<BoxError>,
    },
    /// A configuration is invalid (Kafka's ConfigException).
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// A transient failure: the same call may succeed later (Kafka's RetriableException).
    #[error("{message}")]
    Retriable {
        message: String,
        #[source]
        source: Option<BoxError>,
    },
    /// An argument the code cannot work with: Kafka's `IllegalArgumentException`, which some
    /// of its transformations throw (`ExtractField` for a field the schema does not have).
    /// Kept apart so that traces and DLQ headers name the class Kafka would.
    #[error("{message}")]
    InvalidArgument { message: String },
    /// Any other failure (Kafka's ConnectException).
    #[error("{message}")]
    Other {
        message: String,
        #[source]
        source: Option<BoxError>,
    },
}

impl ConnectError {
    pub fn data(message: impl Into<String>) -> Self {
        ConnectError::Data {
            message: message.into(),
            source: None,
        }
    }

    pub fn data_with(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        ConnectError::Data {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    pub fn retriable(message: impl Into<String>) -> Self {
        ConnectError::Retriable {
            message: message.into(),
            source: None,
        }
    }

    pub fn retriable_with(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        ConnectError::Retriable {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    pub fn other(message: impl Into<String>) -> Self {
        ConnectError::Other {
            message: message.into(),
            source: None,
        }
    }

    pub fn other_with(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        ConnectError::Other {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// Kafka's `IllegalArgumentException`.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        ConnectError::InvalidArgument {
            message: message.into(),
        }
    }

    pub fn is_retriable(&self) -> bool {
        matches!(self, ConnectError::Retriable { .. })
    }

    /// The Java exception class a Kafka Connect user would expect in a trace or a DLQ
    /// header for this kind of failure.
    pub fn exception_class_name(&self) -> &'static str {
        match self {
            ConnectError::Data { .. } => "org.apache.kafka.connect.errors.DataException",
            ConnectError::Config(_) => "org.apache.kafka.common.config.ConfigException",
            ConnectError::Retriable { .. } => "org.apache.kafka.connect.errors.RetriableException",
            ConnectError::InvalidArgument { .. } => "java.lang.IllegalArgumentException",
            ConnectError::Other { .. } => "org.apache.kafka.connect.errors.ConnectException",
        }
    }

    /// The message followed by its chain of causes, one per line, as a status trace shows it.
    pub fn trace(&self) -> String {
        error_chain(self)
    }
}

/// Renders an error and its causes, Java-trace style: the error, then `Caused by: ...` lines.
pub fn error_chain(error: &(dyn StdError + 'static)) -> String {
    let mut rendered = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        rendered.push_str("\nCaused by: ");
        rendered.push_str(&inner.to_string());
        cause = inner.source();
    }
    rendered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_lists_causes() {
        let io = std::io::Error::other("disk on fire");
        let error = ConnectError::other_with("could not write offsets", io);
        assert_eq!(
            error.trace(),
            "could not write offsets\nCaused by: disk on fire"
        );
        assert!(!error.is_retriable());
        assert!(ConnectError::retriable("later").is_retriable());
    }
}
