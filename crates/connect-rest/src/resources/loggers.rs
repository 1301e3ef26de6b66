//! `/admin/loggers/...` (Kafka's `LoggingResource`, with KIP-976's scope and timestamps).
//!
//! - `GET /admin/loggers`: `{"<logger>": {"level": "INFO", "last_modified": null}, ...}`.
//! - `GET /admin/loggers/{name}`: `{"level", "last_modified"}`; 404 "Logger x not found."
//!   when the [`LoggerAdmin`](crate::LoggerAdmin) knows no such logger.
//! - `PUT /admin/loggers/{name}` with `{"level": "DEBUG"}`: 200 with the sorted names of the
//!   loggers changed (`?scope=worker`, the default). `?scope=cluster` answers 204 as Kafka
//!   does; this worker applies the level itself, since a standalone worker is the whole
//!   cluster (a distributed herder must still publish it to the others). Another scope is
//!   logged and read as `worker`. A missing level is 400; an unknown level is 404 (Kafka's
//!   `NotFoundException`, kept for compatibility).
//!
//! See [`crate::TracingLoggerAdmin`] for how logger names map onto `tracing` targets.

use std::collections::BTreeMap;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::logging::{LogLevel, LoggerAdminError, LoggerLevel};

type ApiResult<T> = Result<T, ApiError>;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/loggers", get(list_loggers))
        .route("/admin/loggers/", get(list_loggers))
        .route("/admin/loggers/{logger}", get(logger_level).put(set_level))
}

async fn list_loggers(State(state): State<AppState>) -> Json<BTreeMap<String, LoggerLevel>> {
    Json(state.loggers.all_levels())
}

async fn logger_level(
    State(state): State<AppState>,
    PathParams(logger): PathParams<String>,
) -> ApiResult<Json<LoggerLevel>> {
    match state.loggers.level(&logger) {
        Some(level) => Ok(Json(level)),
        None => Err(ApiError::not_found(format!("Logger {logger} not found."))),
    }
}

async fn set_level(
    State(state): State<AppState>,
    PathParams(logger): PathParams<String>,
    query: QueryParams,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Response> {
    // Kafka reads the level as a string, so a number or a boolean is its text.
    let requested = match body.get("level") {
        Some(Value::String(level)) => level.clone(),
        Some(scalar @ (Value::Number(_) | Value::Bool(_))) => scalar.to_string(),
        _ => {
            return Err(ApiError::bad_request(
                "Desired 'level' parameter was not specified in request.",
            ));
        }
    };
    let Some(level) = LogLevel::parse(&requested) else {
        return Err(ApiError::not_found(format!(
            "invalid log level '{requested}'."
        )));
    };
    let cluster = match query.first("scope").unwrap_or("worker") {
        scope if scope.eq_ignore_ascii_case("worker") => false,
        scope if scope.eq_ignore_ascii_case("cluster") => true,
        scope => {
            tracing::warn!(scope, "invalid scope for a log level change; using worker");
            false
        }
    };
    let changed = state
        .loggers
        .set_level(&logger, level)
        .map_err(|error| match error {
            LoggerAdminError::InvalidLoggerName(_) => ApiError::bad_request(error.to_string()),
            other => ApiError::internal(other.to_string()).with_source(other),
        })?;
    if cluster {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Ok(Json(changed).into_response())
    }
}
