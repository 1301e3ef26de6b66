//! The one error type of the REST API and its wire shape.
//!
//! Kafka Connect answers every failure with the same body, `{"error_code": <int>,
//! "message": "<text>"}`, where `error_code` repeats the HTTP status (Kafka's
//! `ConnectExceptionMapper` and `ErrorMessage`). Clients such as kcctl and kafka-ui read
//! `message` to show the user what went wrong, so every path out of this crate that is not a
//! success goes through [`ApiError`]: herder errors, malformed bodies, bad query strings,
//! unknown routes, wrong methods, and even panics and timeouts (see `lib.rs`).
//!
//! Messages written to the wire follow Kafka's texts where Kafka has one (capitalised, as
//! Kafka writes them); log lines stay lower-case. A 5xx is logged at error level with its
//! source chain; a 4xx only at debug and without its message, because validation messages
//! can quote configuration values.

use std::error::Error as StdError;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use connect_runtime::herder::HerderError;
use connect_runtime::herder::entities::ConfigInfos;

/// The JSON body of every error answer (Kafka's `ErrorMessage`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorMessage {
    pub error_code: u16,
    pub message: String,
}

/// A failed request: an HTTP status, the message the client sees, and (for 5xx) the cause
/// that is logged but never sent.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    status: StatusCode,
    message: String,
    #[source]
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            source: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// Kafka's (Jersey's) text for a status without a more specific message, such as
    /// `HTTP 404 Not Found`.
    pub fn from_status(status: StatusCode) -> Self {
        ApiError::new(status, status_text(status))
    }

    pub fn with_source(mut self, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        self.source = Some(source.into());
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

/// `HTTP 405 Method Not Allowed`: how Jersey words an error that has no message of its own.
pub(crate) fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("HTTP {} {reason}", status.as_u16()),
        None => format!("HTTP {}", status.as_u16()),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(
                status = self.status.as_u16(),
                error = %self.message,
                cause = %SourceChain(self.source.as_deref()),
                "request failed"
            );
        } else {
            tracing::debug!(status = self.status.as_u16(), "request rejected");
        }
        let body = ErrorMessage {
            error_code: self.status.as_u16(),
            message: self.message,
        };
        (self.status, Json(body)).into_response()
    }
}

/// Displays an error's source chain as `a: b: c` (empty when there is none).
struct SourceChain<'a>(Option<&'a (dyn StdError + Send + Sync)>);

impl std::fmt::Display for SourceChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut next: Option<&dyn StdError> = self.0.map(|e| e as &dyn StdError);
        let mut first = true;
        while let Some(error) = next {
            if !first {
                f.write_str(": ")?;
            }
            write!(f, "{error}")?;
            first = false;
            next = error.source();
        }
        Ok(())
    }
}

impl From<HerderError> for ApiError {
    fn from(error: HerderError) -> Self {
        let status =
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match error {
            HerderError::InvalidConfig { message, infos } => {
                // The wire text is Kafka's, built from the validation answer, so every herder
                // produces the same 400 whatever its own message says.
                if infos.error_count > 0 {
                    ApiError::new(status, invalid_config_message(&infos))
                } else {
                    ApiError::new(status, message)
                }
            }
            HerderError::Internal { message, source } => ApiError {
                status,
                message,
                source,
            },
            other => ApiError::new(status, other.to_string()),
        }
    }
}

/// Kafka's answer to a create or update whose configuration does not validate
/// (`AbstractHerder.maybeAddConfigErrors`): the error count, then each error message on its
/// own line, then a pointer to the validate endpoint.
pub fn invalid_config_message(infos: &ConfigInfos) -> String {
    let mut message = format!(
        "Connector configuration is invalid and contains the following {} error(s):",
        infos.error_count
    );
    for error in infos.configs.iter().flat_map(|c| c.value.errors.iter()) {
        message.push('\n');
        message.push_str(error);
    }
    message.push_str(
        "\nYou can also find the above list of errors at the endpoint \
         `/connector-plugins/{connectorType}/config/validate`",
    );
    message
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => {
                ApiError::from_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
            }
            JsonRejection::JsonSyntaxError(error) => ApiError::bad_request(format!(
                "Request body is not valid JSON: {}",
                cause_text(&error)
            )),
            JsonRejection::JsonDataError(error) => ApiError::bad_request(format!(
                "Request body does not have the expected shape: {}",
                cause_text(&error)
            )),
            JsonRejection::BytesRejection(error) => {
                ApiError::new(error.status(), error.body_text())
            }
            other => ApiError::new(other.status(), other.body_text()),
        }
    }
}

/// The text of an axum rejection's cause (the serde error, which names the line and column
/// or the path of the offending field), without axum's own prefix.
fn cause_text(error: &dyn StdError) -> String {
    match error.source() {
        Some(source) => source.to_string(),
        None => error.to_string(),
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::bad_request(format!("Invalid query string: {}", rejection.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::new(rejection.status(), rejection.body_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_runtime::herder::entities::{ConfigInfo, ConfigKeyInfo, ConfigValueInfo};

    fn config_info(name: &str, errors: &[&str]) -> ConfigInfo {
        ConfigInfo {
            definition: ConfigKeyInfo {
                name: name.to_owned(),
                config_type: "STRING".to_owned(),
                required: true,
                default_value: None,
                importance: "HIGH".to_owned(),
                documentation: String::new(),
                group: None,
                order_in_group: -1,
                width: "NONE".to_owned(),
                display_name: name.to_owned(),
                dependents: vec![],
            },
            value: ConfigValueInfo {
                name: name.to_owned(),
                value: None,
                recommended_values: vec![],
                errors: errors.iter().map(|e| e.to_string()).collect(),
                visible: true,
            },
        }
    }

    #[test]
    fn invalid_config_message_matches_kafka() {
        let infos = ConfigInfos {
            name: "FileStreamSource".to_owned(),
            error_count: 2,
            groups: vec!["Common".to_owned()],
            configs: vec![
                config_info(
                    "file",
                    &["Missing required configuration \"file\" which has no default value."],
                ),
                config_info("name", &[]),
                config_info(
                    "tasks.max",
                    &["Invalid value 0 for configuration tasks.max: Value must be at least 1"],
                ),
            ],
        };
        assert_eq!(
            invalid_config_message(&infos),
            "Connector configuration is invalid and contains the following 2 error(s):\n\
             Missing required configuration \"file\" which has no default value.\n\
             Invalid value 0 for configuration tasks.max: Value must be at least 1\n\
             You can also find the above list of errors at the endpoint \
             `/connector-plugins/{connectorType}/config/validate`"
        );
    }

    #[test]
    fn herder_errors_keep_their_status() {
        let cases = [
            (
                HerderError::connector_not_found("a"),
                404,
                "Connector a not found",
            ),
            (
                HerderError::AlreadyExists("Connector a already exists".into()),
                409,
                "Connector a already exists",
            ),
            (HerderError::Conflict("rebalance".into()), 409, "rebalance"),
            (HerderError::BadRequest("bad".into()), 400, "bad"),
            (HerderError::internal("boom"), 500, "boom"),
        ];
        for (error, status, message) in cases {
            let api = ApiError::from(error);
            assert_eq!(api.status().as_u16(), status);
            assert_eq!(api.message(), message);
        }
    }

    #[test]
    fn status_text_is_jersey_like() {
        assert_eq!(
            status_text(StatusCode::METHOD_NOT_ALLOWED),
            "HTTP 405 Method Not Allowed"
        );
    }
}
