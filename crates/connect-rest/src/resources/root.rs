//! `GET /` and `GET /health` (Kafka's `RootResource`).
//!
//! `/health` (KIP-1017) answers 200 when the worker is up and serving, 503 while it is still
//! starting and 500 when it is unhealthy, always with `{"status","message"}`. A herder that
//! does not answer within the health-check timeout is reported unhealthy with Kafka's text.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use connect_runtime::herder::entities::{ServerInfo, WorkerStatus};

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(server_info))
        .route("/health", get(health))
}

async fn server_info(State(state): State<AppState>) -> Json<ServerInfo> {
    Json(state.herder.server_info())
}

async fn health(State(state): State<AppState>) -> Response {
    let timeout = state.options.health_check_timeout;
    let status = match tokio::time::timeout(timeout, state.herder.health()).await {
        Ok(status) => status,
        Err(_elapsed) => WorkerStatus {
            status: "unhealthy".to_owned(),
            message: "Worker was unable to handle this request and may be unable to handle \
                      other requests."
                .to_owned(),
        },
    };
    let code = match status.status.as_str() {
        "healthy" => StatusCode::OK,
        "starting" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (code, Json(status)).into_response()
}
