//! The HTTP admin API under `/__admin/...`: the in-process [`Emulator`] methods over HTTP,
//! for tests in other processes and for people developing pipelines against a running
//! emulator. Bodies and answers are JSON with camelCase keys; errors have Google's shape.
//! The admin API needs no credentials and is neither counted nor subject to faults.
//! See the crate's README for the endpoint list.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::cell::{ValueInputOption, ValueRenderOption};
use crate::emulator::{Emulator, SheetSeed, SpreadsheetSeed};
use crate::error::{ApiError, EmulatorError};
use crate::faults::{DropSpec, FaultSpec, LatencySpec};
use crate::model::Role;
use crate::quota::QuotaConfig;

/// An admin answer: JSON or a Google-shaped error.
struct Reply(Result<Value, ApiError>);

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let (status, body) = match self.0 {
            Ok(body) => (StatusCode::OK, body),
            Err(error) => (
                StatusCode::from_u16(error.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                error.body(),
            ),
        };
        let text = serde_json::to_vec_pretty(&body).unwrap_or_default();
        (
            status,
            [(header::CONTENT_TYPE, "application/json; charset=UTF-8")],
            text,
        )
            .into_response()
    }
}

impl From<Result<Value, EmulatorError>> for Reply {
    fn from(result: Result<Value, EmulatorError>) -> Reply {
        Reply(result.map_err(|error| error.to_api_error()))
    }
}

fn parse<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, EmulatorError> {
    let text: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(text)
        .map_err(|error| EmulatorError::InvalidArgument(format!("bad request body: {error}")))
}

fn done() -> Value {
    json!({})
}

/// The admin routes, to be nested under `/__admin`.
pub(crate) fn routes() -> Router<Emulator> {
    Router::new()
        .route("/reset", post(reset))
        .route("/reset-all", post(reset_all))
        .route("/counters", get(counters))
        .route("/requests", get(requests))
        .route("/faults", post(add_fault).delete(clear_faults))
        .route("/latency", post(add_latency))
        .route("/drops", post(add_drop))
        .route("/quotas", get(get_quotas).put(set_quotas))
        .route("/quotas/reset", post(reset_quotas))
        .route("/service-accounts", post(register_service_account))
        .route("/service-accounts/generate", post(generate_service_account))
        .route("/oauth-clients", post(register_oauth_client))
        .route("/refresh-tokens", post(issue_refresh_token))
        .route("/api-keys", post(register_api_key))
        .route("/access-tokens", post(mint_access_token))
        .route("/access-tokens/expire", post(expire_access_tokens))
        .route(
            "/spreadsheets",
            get(list_spreadsheets).post(create_spreadsheet),
        )
        .route(
            "/spreadsheets/{id}",
            get(get_spreadsheet).delete(delete_spreadsheet),
        )
        .route("/spreadsheets/{id}/sheets", post(add_sheet))
        .route("/spreadsheets/{id}/share", post(share))
        .route("/spreadsheets/{id}/unshare", post(unshare))
        .route("/spreadsheets/{id}/public", put(set_public))
        .route("/spreadsheets/{id}/values", put(set_values))
        .route(
            "/spreadsheets/{id}/sheets/{sheet}/values",
            get(sheet_values),
        )
        .route(
            "/spreadsheets/{id}/sheets/{sheet}/append",
            post(append_rows),
        )
        .route(
            "/spreadsheets/{id}/sheets/{sheet}/insert-rows",
            post(insert_rows),
        )
        .route(
            "/spreadsheets/{id}/sheets/{sheet}/delete-rows",
            post(delete_rows),
        )
        .route("/spreadsheets/{id}/sheets/{sheet}/grid", put(resize_sheet))
        .route("/state", get(get_state).put(put_state))
        .route("/state/save", post(save_state))
        .fallback(|| async {
            Reply(Err(ApiError::new(
                404,
                "NOT_FOUND",
                "no such admin endpoint",
            )))
        })
}

async fn reset(State(emulator): State<Emulator>) -> Reply {
    emulator.reset();
    Reply(Ok(done()))
}

async fn reset_all(State(emulator): State<Emulator>) -> Reply {
    emulator.reset_all();
    Reply(Ok(done()))
}

async fn counters(State(emulator): State<Emulator>) -> Reply {
    Reply(Ok(
        serde_json::to_value(emulator.counters()).unwrap_or_default()
    ))
}

async fn requests(State(emulator): State<Emulator>) -> Reply {
    Reply(Ok(json!({ "requests": emulator.requests() })))
}

async fn add_fault(State(emulator): State<Emulator>, body: Bytes) -> Reply {
    parse::<FaultSpec>(&body)
        .map(|fault| {
            emulator.inject_fault(fault);
            done()
        })
        .into()
}

async fn clear_faults(State(emulator): State<Emulator>) -> Reply {
    emulator.clear_faults();
    Reply(Ok(done()))
}

async fn add_latency(State(emulator): State<Emulator>, body: Bytes) -> Reply {
    parse::<LatencySpec>(&body)
        .map(|latency| {
            emulator.add_latency(latency);
            done()
        })
        .into()
}

async fn add_drop(State(emulator): State<Emulator>, body: Bytes) -> Reply {
    parse::<DropSpec>(&body)
        .map(|drop| {
            emulator.drop_connections(drop);
            done()
        })
        .into()
}

async fn get_quotas(State(emulator): State<Emulator>) -> Reply {
    Reply(Ok(
        serde_json::to_value(emulator.config().quotas).unwrap_or_default()
    ))
}

async fn set_quotas(State(emulator): State<Emulator>, body: Bytes) -> Reply {
    parse::<QuotaConfig>(&body)
        .map(|quotas| {
            emulator.set_quotas(quotas);
            done()
        })
        .into()
}

async fn reset_quotas(State(emulator): State<Emulator>) -> Reply {
    emulator.reset_quota_usage();
    Reply(Ok(done()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServiceAccountRequest {
    email: String,
    project_id: Option<String>,
    key_id: String,
    public_key_pem: String,
}

async fn register_service_account(State(emulator): State<Emulator>, body: Bytes) -> Reply {
    parse::<ServiceAccountRequest>(&body)
        .and_then(|request| {
            emulator.register_service_account(
                &request.email,
                request.project_id.as_deref(),
                &request.key_id,
                &request.public_key_pem,
            )
        })
        .map(|()| done())
        .into()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenerateRequest {
    email: String,
    token_uri: Option<String>,
}

async fn generate_service_account(
    State(emulator): State<Emulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let result = match parse::<GenerateRequest>(&body) {
        Ok(request) => {
            let token_uri = request
                .token_uri
                .unwrap_or_else(|| format!("http://{host}/token"));
            // Key generation takes a moment: off the async threads.
            tokio::task::spawn_blocking(move || {
                emulator.create_service_account(&request.email, &token_uri)
            })
            .await
            .map_err(|error| EmulatorError::Key(error.to_string()))
            .and_then(|result| result)
            .map(|key| key.to_json())
        }
        Err(error) => Err(error),
    };
    result.into()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OAuthClientRequest {
    client_id: String,
    client_secret: String,
    project_id: Option<String>,
}

async fn register_oauth_client(State(emulator): State<Emulator>, body: Bytes) -> Reply {
    parse::<OAuthClientRequest>(&body)
        .map(|request| {
            emulator.register_oauth_client(
                &request.client_id,
                &request.client_secret,
                request.project_id.as_deref(),
            );
            done()
        })
        .into()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefreshTokenRequest {
    client_id: String,
    email: String,
    scopes: Vec<String>,
}

async fn issue_refresh_token(State(emulator): State<Emulator>, body: Bytes) -> Reply {
    parse::<RefreshTokenRequest>(&body)
        .and_then(|request| {
            let scopes: Vec<&str> = request.scopes.iter().map(String::as_str).collect();
            emulator.issue_refresh_token(&request.client_id, &request.email, &scopes)
        })
        .map(|token| json!({ "refreshToken": token }))
        .into()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiKeyRequest {
    key: String,
    project_id: Option<String>,
}

async fn register_api_key(State(emulator): State<Emulator>, body: Bytes) -> Reply {
    parse::<ApiKeyRequest>(&body)
        .map(|request| {
            emulator.register_api_key(&request.key, request.project_id.as_deref());
            done()
        })
        .into()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccessTokenRequest {
    email: String,
    scopes: Vec<String>,
    lifetime_secs: Option<u64>,
}

async fn mint_access_token(State(emulator): State<Emulator>, body: Bytes) -> Reply {
    parse::<AccessTokenRequest>(&body)
        .map(|request| {
            let scopes: Vec<&str> = request.scopes.iter().map(String::as_str).collect();
            let lifetime = request.lifetime_secs.map(std::time::Duration::from_secs);
            let token = emulator.mint_access_token(&request.email, &scopes, lifetime);
            json!({ "accessToken": token })
        })
        .into()
}

async fn expire_access_tokens(State(emulator): State<Emulator>) -> Reply {
    emulator.expire_access_tokens();
    Reply(Ok(done()))
}

async fn list_spreadsheets(State(emulator): State<Emulator>) -> Reply {
    let spreadsheets: Vec<Value> = emulator
        .spreadsheet_ids()
        .iter()
        .filter_map(|id| emulator.spreadsheet_json(id).ok())
        .map(|resource| {
            json!({
                "spreadsheetId": resource["spreadsheetId"],
                "title": resource["properties"]["title"],
                "sheets": resource["sheets"].as_array().map(|sheets| {
                    sheets.iter().map(|sheet| sheet["properties"]["title"].clone()).collect::<Vec<_>>()
                }),
            })
        })
        .collect();
    Reply(Ok(json!({ "spreadsheets": spreadsheets })))
}

async fn create_spreadsheet(State(emulator): State<Emulator>, body: Bytes) -> Reply {
    parse::<SpreadsheetSeed>(&body)
        .and_then(|seed| emulator.create_spreadsheet(seed))
        .map(|id| json!({ "spreadsheetId": id }))
        .into()
}

async fn get_spreadsheet(State(emulator): State<Emulator>, Path(id): Path<String>) -> Reply {
    emulator.spreadsheet_json(&id).into()
}

async fn delete_spreadsheet(State(emulator): State<Emulator>, Path(id): Path<String>) -> Reply {
    emulator.delete_spreadsheet(&id).map(|()| done()).into()
}

async fn add_sheet(State(emulator): State<Emulator>, Path(id): Path<String>, body: Bytes) -> Reply {
    parse::<SheetSeed>(&body)
        .and_then(|seed| emulator.add_sheet(&id, seed))
        .map(|sheet_id| json!({ "sheetId": sheet_id }))
        .into()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShareRequest {
    email: String,
    #[serde(default)]
    role: Role,
}

async fn share(State(emulator): State<Emulator>, Path(id): Path<String>, body: Bytes) -> Reply {
    parse::<ShareRequest>(&body)
        .and_then(|request| emulator.share(&id, &request.email, request.role))
        .map(|()| done())
        .into()
}

async fn unshare(State(emulator): State<Emulator>, Path(id): Path<String>, body: Bytes) -> Reply {
    parse::<ShareRequest>(&body)
        .and_then(|request| emulator.unshare(&id, &request.email))
        .map(|()| done())
        .into()
}

#[derive(Deserialize)]
struct PublicRequest {
    public: bool,
}

async fn set_public(
    State(emulator): State<Emulator>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    parse::<PublicRequest>(&body)
        .and_then(|request| emulator.set_public(&id, request.public))
        .map(|()| done())
        .into()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RowsRequest {
    #[serde(default)]
    range: String,
    #[serde(default)]
    start_index: u32,
    #[serde(default)]
    count: u32,
    #[serde(default)]
    rows: Value,
    #[serde(default)]
    value_input_option: ValueInputOption,
}

async fn set_values(
    State(emulator): State<Emulator>,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    parse::<RowsRequest>(&body)
        .and_then(|request| {
            emulator.set_values(
                &id,
                &request.range,
                request.rows,
                request.value_input_option,
            )
        })
        .map(|range| json!({ "updatedRange": range }))
        .into()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RenderQuery {
    value_render_option: Option<String>,
}

async fn sheet_values(
    State(emulator): State<Emulator>,
    Path((id, sheet)): Path<(String, String)>,
    Query(query): Query<RenderQuery>,
) -> Reply {
    let render = match query.value_render_option.as_deref() {
        None | Some("UNFORMATTED_VALUE") => ValueRenderOption::UnformattedValue,
        Some("FORMATTED_VALUE") => ValueRenderOption::FormattedValue,
        Some("FORMULA") => ValueRenderOption::Formula,
        Some(other) => {
            return Reply(Err(ApiError::invalid_argument(format!(
                "unknown valueRenderOption {other}"
            ))));
        }
    };
    emulator
        .read_range(&id, &crate::a1::quoted(&sheet), render)
        .map(|values| json!({ "values": values }))
        .into()
}

async fn append_rows(
    State(emulator): State<Emulator>,
    Path((id, sheet)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    parse::<RowsRequest>(&body)
        .and_then(|request| {
            emulator.append_rows(&id, &sheet, request.rows, request.value_input_option)
        })
        .map(|range| json!({ "updatedRange": range }))
        .into()
}

async fn insert_rows(
    State(emulator): State<Emulator>,
    Path((id, sheet)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    parse::<RowsRequest>(&body)
        .and_then(|request| {
            emulator.insert_rows(
                &id,
                &sheet,
                request.start_index,
                request.rows,
                request.value_input_option,
            )
        })
        .map(|()| done())
        .into()
}

async fn delete_rows(
    State(emulator): State<Emulator>,
    Path((id, sheet)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    parse::<RowsRequest>(&body)
        .and_then(|request| emulator.delete_rows(&id, &sheet, request.start_index, request.count))
        .map(|()| done())
        .into()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GridRequest {
    row_count: u32,
    column_count: u32,
}

async fn resize_sheet(
    State(emulator): State<Emulator>,
    Path((id, sheet)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    parse::<GridRequest>(&body)
        .and_then(|request| {
            emulator.resize_sheet(&id, &sheet, request.row_count, request.column_count)
        })
        .map(|()| done())
        .into()
}

async fn get_state(State(emulator): State<Emulator>) -> Reply {
    Reply(Ok(emulator.state_json()))
}

async fn put_state(State(emulator): State<Emulator>, body: Bytes) -> Reply {
    parse::<Value>(&body)
        .and_then(|state| emulator.load_state_json(state))
        .map(|()| done())
        .into()
}

#[derive(Deserialize, Default)]
struct SaveRequest {
    path: Option<std::path::PathBuf>,
}

async fn save_state(State(emulator): State<Emulator>, body: Bytes) -> Reply {
    let result = parse::<SaveRequest>(&body).and_then(|request| {
        let path = request
            .path
            .or_else(|| emulator.config().state_path)
            .ok_or_else(|| {
                EmulatorError::InvalidArgument("no path given and no state file configured".into())
            })?;
        emulator.save_state(&path)?;
        Ok(json!({ "path": path }))
    });
    result.into()
}
