//! Kafka Connect's REST API for Tributary, served by axum over an `Arc<dyn Herder>`.
//!
//! The API is the contract every Connect tool speaks (kcctl, kafka-ui, Strimzi, the
//! Terraform providers, REST scripts), so the paths, methods, status codes and JSON shapes
//! are Kafka's, resource by resource, as in Kafka's `runtime/rest/resources`:
//!
//! - [`resources::root`]: `GET /` and `GET /health`.
//! - [`resources::connectors`]: `/connectors/...`: create, configure, inspect, pause, resume,
//!   stop, restart and delete connectors and tasks; active topics; offsets.
//! - [`resources::plugins`]: `/connector-plugins/...`: installed plugins, their config
//!   definitions, and validation.
//! - [`resources::loggers`]: `/admin/loggers/...`: runtime log levels through a
//!   [`LoggerAdmin`].
//!
//! The inter-worker endpoints of distributed mode (`POST /connectors/{c}/tasks`,
//! `PUT /connectors/{c}/fence`) answer as Kafka's standalone worker does: 500, not
//! supported in standalone mode.
//!
//! Every failure, including malformed JSON, a wrong content type, an unknown route, a wrong
//! method, a bad query parameter, a panicking handler and a timed-out request, answers in
//! Kafka's error shape `{"error_code": <status>, "message": "..."}` (see [`ApiError`]).
//!
//! Requests are logged at debug level (method, path, status, duration); bodies never are,
//! since connector configurations carry credentials.
//!
//! [`app`] builds the router without a socket, so tests drive it with
//! `tower::ServiceExt::oneshot`; [`serve`] runs it on a listener until a shutdown signal.

mod error;
mod extract;
mod logging;
pub mod resources;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;

use connect_runtime::herder::Herder;

pub use error::{ApiError, ErrorMessage, invalid_config_message};
pub use extract::{JsonBody, PathParams, QueryParams};
pub use logging::{
    LogLevel, LoggerAdmin, LoggerAdminError, LoggerLevel, ROOT_LOGGER, TracingLoggerAdmin,
};

/// What the handlers share: the worker's herder and its log-level admin.
#[derive(Clone)]
pub struct RestState {
    pub herder: Arc<dyn Herder>,
    pub loggers: Arc<dyn LoggerAdmin>,
}

/// Timeouts of the REST server (Kafka's `RestServer` defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RestOptions {
    /// How long any request may take before it answers 500 "Request timed out" (Kafka: 90 s).
    /// The herder operation itself goes on, as in Kafka.
    pub request_timeout: Duration,
    /// How long `GET /health` waits for the herder before answering unhealthy (Kafka: 10 s).
    pub health_check_timeout: Duration,
}

impl Default for RestOptions {
    fn default() -> Self {
        RestOptions {
            request_timeout: Duration::from_secs(90),
            health_check_timeout: Duration::from_secs(10),
        }
    }
}

/// The state the routers carry: [`RestState`] plus the options.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) herder: Arc<dyn Herder>,
    pub(crate) loggers: Arc<dyn LoggerAdmin>,
    pub(crate) options: RestOptions,
}

/// The REST API with default options.
pub fn app(state: RestState) -> Router {
    app_with_options(state, RestOptions::default())
}

/// The REST API.
pub fn app_with_options(state: RestState, options: RestOptions) -> Router {
    let state = AppState {
        herder: state.herder,
        loggers: state.loggers,
        options,
    };
    Router::new()
        .merge(resources::root::routes())
        .merge(resources::connectors::routes())
        .merge(resources::plugins::routes())
        .merge(resources::loggers::routes())
        .fallback(not_found)
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            run_detached_with_timeout,
        ))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// Serves the REST API on `listener` until `shutdown` completes, then lets in-flight
/// requests finish.
pub async fn serve(
    listener: TcpListener,
    state: RestState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_router(listener, app(state), shutdown).await
}

/// Serves `router` (the REST API, possibly with routes of the worker's own such as
/// `/metrics`) until `shutdown` completes.
pub async fn serve_router(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, "rest server listening");
    }
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await?;
    tracing::info!("rest server stopped");
    Ok(())
}

async fn not_found() -> ApiError {
    ApiError::from_status(StatusCode::NOT_FOUND)
}

/// Logs each request at debug level: method, path and outcome, never the body or the query.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::debug!(
        %method,
        %path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "handled rest request"
    );
    response
}

/// Runs the handler on its own task: a panic answers 500 instead of dropping the connection,
/// and a request that outlives `request_timeout` answers 500 "Request timed out" while the
/// herder operation completes in the background (Kafka behaves the same).
async fn run_detached_with_timeout(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let handler = tokio::spawn(next.run(request));
    match tokio::time::timeout(state.options.request_timeout, handler).await {
        Ok(Ok(response)) => response,
        Ok(Err(join_error)) => ApiError::internal("Request failed unexpectedly")
            .with_source(join_error)
            .into_response(),
        Err(_elapsed) => ApiError::internal("Request timed out").into_response(),
    }
}

/// Gives the error answers axum writes itself (405 from a method router, any other non-JSON
/// error) Kafka's JSON shape, keeping their headers (such as `Allow`).
async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, _body) = response.into_parts();
    let replacement = ApiError::from_status(status).into_response();
    parts.headers.remove(CONTENT_LENGTH);
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let (_, body) = replacement.into_parts();
    Response::from_parts(parts, body)
}
