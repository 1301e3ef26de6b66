//! `/connectors/...` (Kafka's `ConnectorsResource`).
//!
//! The connector's name is the key of everything here. Kafka keeps it twice, in the URL (or
//! the `name` of a create request) and as the `name` key of the configuration; the two must
//! agree. A configuration without `name` gets the URL's; one with a different `name` answers
//! 400 "Connector name configuration (x) doesn't match connector name in the URL (y)".
//!
//! Status codes follow Kafka: create 201 with `Location: http://<host>/connectors/<name>`; `PUT .../config`
//! 201 (with `Location`) when it created the connector, else 200; pause, resume and topic
//! reset 202 without a body; stop, delete and task restart 204; connector restart 204 when it
//! restarted only the connector (both flags false), else 202 with the status marked
//! RESTARTING. Unknown connectors answer 404 from the herder.

use std::collections::BTreeMap;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::header::{HOST, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::{Map, Value};

use connect_api::Props;
use connect_runtime::herder::HerderError;
use connect_runtime::herder::entities::{
    ConnectorInfo, ConnectorOffset, ConnectorOffsets, ConnectorStateInfo, ConnectorTaskId, Message,
    TargetState, TaskInfo, TaskState, TopicsInfo,
};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{JsonBody, PathParams, QueryParams, config_from_json, config_patch_from_json};

type ApiResult<T> = Result<T, ApiError>;

/// The configuration key that holds a connector's name.
const NAME_CONFIG: &str = "name";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/connectors", get(list_connectors).post(create_connector))
        .route("/connectors/", get(list_connectors).post(create_connector))
        .route(
            "/connectors/{connector}",
            get(connector_info).delete(delete_connector),
        )
        .route(
            "/connectors/{connector}/config",
            get(connector_config)
                .put(put_connector_config)
                .patch(patch_connector_config),
        )
        .route("/connectors/{connector}/status", get(connector_status))
        .route(
            "/connectors/{connector}/tasks",
            get(task_configs).post(put_task_configs),
        )
        .route("/connectors/{connector}/fence", put(fence_zombies))
        .route(
            "/connectors/{connector}/tasks/{task}/status",
            get(task_status),
        )
        .route(
            "/connectors/{connector}/tasks/{task}/restart",
            post(restart_task),
        )
        .route("/connectors/{connector}/restart", post(restart_connector))
        .route("/connectors/{connector}/pause", put(pause_connector))
        .route("/connectors/{connector}/resume", put(resume_connector))
        .route("/connectors/{connector}/stop", put(stop_connector))
        .route("/connectors/{connector}/topics", get(active_topics))
        .route(
            "/connectors/{connector}/topics/reset",
            put(reset_active_topics),
        )
        .route(
            "/connectors/{connector}/offsets",
            get(connector_offsets)
                .patch(alter_connector_offsets)
                .delete(reset_connector_offsets),
        )
}

/// `GET /connectors[?expand=status][&expand=info]`: the names, or with `expand` a map from
/// name to the requested expansions. A connector deleted while the map is built is left out;
/// unknown expansions are ignored, as in Kafka.
async fn list_connectors(State(state): State<AppState>, query: QueryParams) -> ApiResult<Response> {
    let names = state.herder.connectors().await;
    if !query.contains("expand") {
        return Ok(Json(names).into_response());
    }
    let expansions: Vec<&str> = query.all("expand").collect();
    let mut out = Map::new();
    'connectors: for name in names {
        let mut expanded = Map::new();
        for expansion in &expansions {
            let value = match *expansion {
                "status" => to_json(state.herder.connector_status(&name).await),
                "info" => to_json(state.herder.connector_info(&name).await),
                other => {
                    tracing::debug!(expansion = other, "ignoring unknown expansion type");
                    continue;
                }
            };
            match value {
                Ok(value) => {
                    expanded.insert((*expansion).to_owned(), value);
                }
                Err(HerderError::NotFound(_)) => {
                    tracing::debug!(connector = %name, "connector vanished while listing");
                    continue 'connectors;
                }
                Err(error) => return Err(error.into()),
            }
        }
        out.insert(name, Value::Object(expanded));
    }
    Ok(Json(Value::Object(out)).into_response())
}

fn to_json<T: serde::Serialize>(result: Result<T, HerderError>) -> Result<Value, HerderError> {
    result.and_then(|value| {
        serde_json::to_value(value)
            .map_err(|error| HerderError::internal_with("could not serialize the answer", error))
    })
}

/// The body of `POST /connectors`. Configuration values are read leniently (see
/// [`config_from_json`]).
/// An unknown field is an error, as in Kafka (Jackson's `UnrecognizedPropertyException`):
/// a misspelt `initial_state` would otherwise start a connector the user meant paused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateConnectorBody {
    /// A string, or a number or boolean read as its text, as Jackson reads Kafka's `name`.
    name: Option<Value>,
    config: Option<Map<String, Value>>,
    #[serde(default)]
    initial_state: Option<TargetState>,
}

async fn create_connector(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateConnectorBody>,
) -> ApiResult<Response> {
    // Kafka trims the name and lets the name validator reject an empty one.
    let name = match body.name {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(name)) => name.trim().to_owned(),
        Some(scalar @ (Value::Number(_) | Value::Bool(_))) => scalar.to_string(),
        Some(_) => {
            return Err(ApiError::bad_request(
                "Request body does not have the expected shape: name must be a string",
            ));
        }
    };
    if name.is_empty() {
        return Err(ApiError::bad_request(
            "Connector configuration is invalid and contains the following 1 error(s):\n\
             Invalid value  for configuration name: String may not be empty\n\
             You can also find the above list of errors at the endpoint \
             `/connector-plugins/{connectorType}/config/validate`",
        ));
    }
    let Some(config) = body.config else {
        return Err(ApiError::bad_request(
            "Connector config must be provided in the 'config' field of the request",
        ));
    };
    let mut config = config_from_json(config)?;
    check_and_put_connector_name(&name, &mut config)?;
    let created = state
        .herder
        .put_connector_config(&name, config, false, body.initial_state)
        .await?;
    Ok(created_response(&headers, &name, created.value))
}

/// Kafka's `checkAndPutConnectorConfigName`.
fn check_and_put_connector_name(name: &str, config: &mut Props) -> ApiResult<()> {
    match config.get(NAME_CONFIG) {
        Some(included) if included != name => Err(name_mismatch(included, name)),
        Some(_) => Ok(()),
        None => {
            config.insert(NAME_CONFIG.to_owned(), name.to_owned());
            Ok(())
        }
    }
}

fn name_mismatch(included: &str, name: &str) -> ApiError {
    ApiError::bad_request(format!(
        "Connector name configuration ({included}) doesn't match connector name in the URL ({name})"
    ))
}

/// 201 with `Location`: an absolute URL on the host the request was sent to, as Jersey
/// resolves Kafka's relative `/connectors/<name>` (the bare path without a `Host`).
fn created_response(headers: &HeaderMap, name: &str, info: ConnectorInfo) -> Response {
    let path = format!("/connectors/{}", encode_path_segment(name));
    let location = match headers.get(HOST).and_then(|host| host.to_str().ok()) {
        Some(host) => format!("http://{host}{path}"),
        None => path,
    };
    match HeaderValue::from_str(&location) {
        Ok(location) => (StatusCode::CREATED, [(LOCATION, location)], Json(info)).into_response(),
        // Unreachable: the encoded path is ASCII without control characters.
        Err(_) => (StatusCode::CREATED, Json(info)).into_response(),
    }
}

/// Percent-encodes a connector name as one path segment, as Kafka's `UriBuilder.path` does
/// for the `Location` header (and `/` too, so the name stays one segment).
fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
            );
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

async fn connector_info(
    State(state): State<AppState>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<Json<ConnectorInfo>> {
    Ok(Json(state.herder.connector_info(&connector).await?))
}

async fn delete_connector(
    State(state): State<AppState>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<StatusCode> {
    state.herder.delete_connector(&connector).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn connector_config(
    State(state): State<AppState>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<Json<Props>> {
    Ok(Json(state.herder.connector_config(&connector).await?))
}

async fn put_connector_config(
    State(state): State<AppState>,
    PathParams(connector): PathParams<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Response> {
    let mut config = config_from_json(body)?;
    check_and_put_connector_name(&connector, &mut config)?;
    let outcome = state
        .herder
        .put_connector_config(&connector, config, true, None)
        .await?;
    if outcome.created {
        Ok(created_response(&headers, &connector, outcome.value))
    } else {
        Ok(Json(outcome.value).into_response())
    }
}

/// `PATCH /connectors/{c}/config`: keys with `null` are removed. A patch may not rename the
/// connector: a `name` other than the URL's (or `name: null`) answers 400.
async fn patch_connector_config(
    State(state): State<AppState>,
    PathParams(connector): PathParams<String>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<ConnectorInfo>> {
    let patch: BTreeMap<String, Option<String>> = config_patch_from_json(body)?;
    if let Some(included) = patch.get(NAME_CONFIG) {
        let included = included.as_deref().unwrap_or("null");
        if included != connector {
            return Err(name_mismatch(included, &connector));
        }
    }
    Ok(Json(
        state
            .herder
            .patch_connector_config(&connector, patch)
            .await?,
    ))
}

async fn connector_status(
    State(state): State<AppState>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<Json<ConnectorStateInfo>> {
    Ok(Json(state.herder.connector_status(&connector).await?))
}

async fn task_configs(
    State(state): State<AppState>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<Json<Vec<TaskInfo>>> {
    Ok(Json(state.herder.task_configs(&connector).await?))
}

/// `POST /connectors/{c}/tasks`: in distributed mode, how a worker hands the leader the task
/// configs of a connector it runs. A standalone worker refuses it, in Kafka's words.
async fn put_task_configs() -> ApiError {
    ApiError::internal(
        "Kafka Connect in standalone mode does not support externally setting task configurations.",
    )
}

/// `PUT /connectors/{c}/fence`: in distributed mode, fences out the zombie tasks of an
/// exactly-once source connector. A standalone worker refuses it, in Kafka's words.
async fn fence_zombies() -> ApiError {
    ApiError::internal(
        "Kafka Connect in standalone mode does not support exactly-once source connectors.",
    )
}

/// Reads `/connectors/{connector}/tasks/{task}`; a task number that is not a number is a
/// resource that cannot exist, so Jersey's plain 404.
fn task_id(connector: String, task: &str) -> ApiResult<ConnectorTaskId> {
    match task.parse::<u32>() {
        Ok(task) => Ok(ConnectorTaskId::new(connector, task)),
        Err(_) => Err(ApiError::from_status(StatusCode::NOT_FOUND)),
    }
}

async fn task_status(
    State(state): State<AppState>,
    PathParams((connector, task)): PathParams<(String, String)>,
) -> ApiResult<Json<TaskState>> {
    let id = task_id(connector, &task)?;
    Ok(Json(state.herder.task_status(&id).await?))
}

async fn restart_task(
    State(state): State<AppState>,
    PathParams((connector, task)): PathParams<(String, String)>,
) -> ApiResult<StatusCode> {
    let id = task_id(connector, &task)?;
    state.herder.restart_task(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /connectors/{c}/restart?includeTasks=&onlyFailed=` (KIP-745).
async fn restart_connector(
    State(state): State<AppState>,
    PathParams(connector): PathParams<String>,
    query: QueryParams,
) -> ApiResult<Response> {
    let include_tasks = query.bool("includeTasks", false)?;
    let only_failed = query.bool("onlyFailed", false)?;
    let restarted = state
        .herder
        .restart_connector(&connector, include_tasks, only_failed)
        .await?;
    Ok(match restarted {
        None => StatusCode::NO_CONTENT.into_response(),
        Some(status) => (StatusCode::ACCEPTED, Json(status)).into_response(),
    })
}

async fn pause_connector(
    State(state): State<AppState>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<StatusCode> {
    state.herder.pause_connector(&connector).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn resume_connector(
    State(state): State<AppState>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<StatusCode> {
    state.herder.resume_connector(&connector).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn stop_connector(
    State(state): State<AppState>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<StatusCode> {
    state.herder.stop_connector(&connector).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /connectors/{c}/topics`: `{"<c>": {"topics": [...]}}`.
async fn active_topics(
    State(state): State<AppState>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<Json<BTreeMap<String, TopicsInfo>>> {
    let topics = state.herder.connector_active_topics(&connector).await?;
    Ok(Json(BTreeMap::from([(connector, TopicsInfo { topics })])))
}

async fn reset_active_topics(
    State(state): State<AppState>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<StatusCode> {
    state
        .herder
        .reset_connector_active_topics(&connector)
        .await?;
    Ok(StatusCode::ACCEPTED)
}

async fn connector_offsets(
    State(state): State<AppState>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<Json<ConnectorOffsets>> {
    Ok(Json(state.herder.connector_offsets(&connector).await?))
}

/// The body of `PATCH /connectors/{c}/offsets`; a missing or empty list is Kafka's 400.
#[derive(Deserialize)]
struct AlterOffsetsBody {
    offsets: Option<Vec<ConnectorOffset>>,
}

async fn alter_connector_offsets(
    State(state): State<AppState>,
    PathParams(connector): PathParams<String>,
    JsonBody(body): JsonBody<AlterOffsetsBody>,
) -> ApiResult<Json<Message>> {
    let offsets = match body.offsets {
        Some(offsets) if !offsets.is_empty() => offsets,
        _ => {
            return Err(ApiError::bad_request(
                "Partitions / offsets need to be provided for an alter offsets request",
            ));
        }
    };
    let message = state
        .herder
        .alter_connector_offsets(&connector, ConnectorOffsets { offsets })
        .await?;
    Ok(Json(message))
}

async fn reset_connector_offsets(
    State(state): State<AppState>,
    PathParams(connector): PathParams<String>,
) -> ApiResult<Json<Message>> {
    Ok(Json(
        state.herder.reset_connector_offsets(&connector).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_segments_are_percent_encoded() {
        assert_eq!(encode_path_segment("my-conn_1.x"), "my-conn_1.x");
        assert_eq!(encode_path_segment("a b/c?d#é"), "a%20b%2Fc%3Fd%23%C3%A9");
    }

    #[test]
    fn location_is_absolute_on_the_host_asked() {
        let info = ConnectorInfo {
            name: "a b".to_owned(),
            config: Props::new(),
            tasks: vec![],
            connector_type: connect_runtime::herder::entities::ConnectorType::Source,
        };
        let location = |headers: &HeaderMap| {
            created_response(headers, "a b", info.clone())
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let mut headers = HeaderMap::new();
        assert_eq!(location(&headers).as_deref(), Some("/connectors/a%20b"));
        headers.insert(HOST, HeaderValue::from_static("localhost:8083"));
        assert_eq!(
            location(&headers).as_deref(),
            Some("http://localhost:8083/connectors/a%20b")
        );
    }

    #[test]
    fn name_is_added_when_absent_and_checked_when_present() {
        let mut config = Props::new();
        assert!(check_and_put_connector_name("a", &mut config).is_ok());
        assert_eq!(config.get("name").map(String::as_str), Some("a"));

        config.insert("name".to_owned(), "b".to_owned());
        let error = check_and_put_connector_name("a", &mut config).err();
        assert_eq!(
            error.as_ref().map(ApiError::message),
            Some("Connector name configuration (b) doesn't match connector name in the URL (a)")
        );
    }
}
