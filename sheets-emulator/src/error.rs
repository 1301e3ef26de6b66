//! Errors: the Google API error answered on the wire, and the emulator's own error for the
//! in-process API.

use serde_json::{Value, json};

/// Google's canonical error, answered as `{"error":{"code","message","status"}}`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub code: u16,
    pub status: &'static str,
    pub message: String,
    /// Google's `error.details` (only quota errors carry them here).
    pub details: Option<Box<Value>>,
    /// Extra response headers (`WWW-Authenticate`, `Retry-After`).
    pub headers: Vec<(&'static str, String)>,
}

/// The message of Google's 401 for a missing, unknown or expired token.
pub const UNAUTHENTICATED_MESSAGE: &str = "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";

impl ApiError {
    pub fn new(code: u16, status: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            status,
            message: message.into(),
            details: None,
            headers: Vec::new(),
        }
    }

    pub fn invalid_argument(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "INVALID_ARGUMENT", message)
    }

    pub fn not_found() -> ApiError {
        ApiError::new(404, "NOT_FOUND", "Requested entity was not found.")
    }

    pub fn method_not_found() -> ApiError {
        ApiError::new(404, "NOT_FOUND", "Method not found.")
    }

    pub fn permission_denied() -> ApiError {
        ApiError::new(
            403,
            "PERMISSION_DENIED",
            "The caller does not have permission",
        )
    }

    pub fn unauthenticated() -> ApiError {
        let mut error = ApiError::new(401, "UNAUTHENTICATED", UNAUTHENTICATED_MESSAGE);
        error.headers.push((
            "www-authenticate",
            "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"".to_owned(),
        ));
        error
    }

    /// `method` is the RPC (`GetSpreadsheet`), named in the details as Google does.
    pub fn insufficient_scopes(method: &str) -> ApiError {
        let mut error = ApiError::new(
            403,
            "PERMISSION_DENIED",
            "Request had insufficient authentication scopes.",
        );
        error.details = Some(Box::new(json!([{
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
            "domain": "googleapis.com",
            "metadata": {
                "service": "sheets.googleapis.com",
                "method": format!("google.apps.sheets.v4.SpreadsheetsService.{method}")
            }
        }])));
        error.headers.push((
            "www-authenticate",
            "Bearer realm=\"https://accounts.google.com/\", error=\"insufficient_scope\""
                .to_owned(),
        ));
        error
    }

    /// The canonical status name and default message of an HTTP status, for injected
    /// faults.
    pub fn for_status(code: u16) -> ApiError {
        let (status, message) = match code {
            400 => ("INVALID_ARGUMENT", "Request contains an invalid argument."),
            401 => ("UNAUTHENTICATED", UNAUTHENTICATED_MESSAGE),
            403 => ("PERMISSION_DENIED", "The caller does not have permission"),
            404 => ("NOT_FOUND", "Requested entity was not found."),
            409 => ("ABORTED", "The operation was aborted."),
            429 => (
                "RESOURCE_EXHAUSTED",
                "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of service 'sheets.googleapis.com'.",
            ),
            500 => ("INTERNAL", "Internal error encountered."),
            501 => (
                "UNIMPLEMENTED",
                "Operation is not implemented, or supported, or enabled.",
            ),
            502 => ("UNAVAILABLE", "Bad Gateway"),
            503 => ("UNAVAILABLE", "The service is currently unavailable."),
            504 => ("DEADLINE_EXCEEDED", "The request timed out."),
            _ => ("UNKNOWN", "Unknown error."),
        };
        ApiError::new(code, status, message)
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut error = json!({
            "code": self.code,
            "message": self.message,
            "status": self.status,
        });
        if let (Some(details), Some(object)) = (&self.details, error.as_object_mut()) {
            object.insert("details".to_owned(), Value::clone(details));
        }
        json!({ "error": error })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{} {}: {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for ApiError {}

/// Errors of the in-process API ([`crate::Emulator`]) and of state files.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// No such spreadsheet, sheet, account or client.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request was refused as Google would refuse it (bad range, duplicate title...).
    #[error("{0}")]
    Api(#[from] ApiError),
    /// The arguments make no sense (rows that are not arrays, a bad key...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    #[error("state file {path}: {source}")]
    StateFile {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("state file {path}: {source}")]
    StateFormat {
        path: std::path::PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("key generation failed: {0}")]
    Key(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl EmulatorError {
    /// The Google-shaped error the admin API answers for this error.
    pub fn to_api_error(&self) -> ApiError {
        match self {
            EmulatorError::NotFound(what) => {
                ApiError::new(404, "NOT_FOUND", format!("not found: {what}"))
            }
            EmulatorError::Api(error) => error.clone(),
            EmulatorError::InvalidArgument(message) => ApiError::invalid_argument(message.clone()),
            other => ApiError::new(500, "INTERNAL", other.to_string()),
        }
    }
}
