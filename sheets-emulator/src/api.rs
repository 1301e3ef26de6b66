//! The Sheets API v4 and the token endpoint over HTTP.
//!
//! Routing is done here on the raw (percent-encoded) path, as Google's front end does:
//! a range is one path segment, so a `/` in a sheet name must arrive as `%2F` (a bare `/`
//! answers 404), `+` and `%20` both mean a space, and the `:append` / `:clear` suffixes may
//! arrive encoded (`%3A`). Every request goes through the same steps: counting, fault
//! rules, authentication, quota, access to the spreadsheet, the operation, the `fields`
//! selection, and the request log.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tokio::sync::Notify;

use crate::auth;
use crate::cell::{DateTimeRenderOption, ValueInputOption, ValueRenderOption};
use crate::emulator::{Emulator, lock};
use crate::error::ApiError;
use crate::faults::{EndpointKind, RequestRecord};
use crate::fields::FieldTree;
use crate::model::{self, InsertDataOption, MajorDimension, Role, Sheet, Spreadsheet};
use crate::quota::QuotaKind;
use crate::store::State;

/// Closes the connection a request came on (set by [`crate::serve`]).
pub(crate) type KillSwitch = Arc<Notify>;

/// A routed request.
#[derive(Debug, Clone)]
enum Route {
    Token,
    Create,
    Get { id: String },
    BatchUpdate { id: String },
    ValuesGet { id: String, range: String },
    ValuesUpdate { id: String, range: String },
    Append { id: String, range: String },
    Clear { id: String, range: String },
    BatchGet { id: String },
    ValuesBatchUpdate { id: String },
    ValuesBatchClear { id: String },
    GetByDataFilter { id: String },
    BatchGetByDataFilter { id: String },
    BatchUpdateByDataFilter { id: String },
    BatchClearByDataFilter { id: String },
    CopyTo { id: String, sheet_id: String },
    SearchDeveloperMetadata { id: String },
    GetDeveloperMetadata { id: String, metadata_id: String },
}

impl Route {
    fn kind(&self) -> EndpointKind {
        match self {
            Route::Token => EndpointKind::Token,
            Route::Create => EndpointKind::Create,
            Route::Get { .. } => EndpointKind::Metadata,
            Route::BatchUpdate { .. } => EndpointKind::BatchUpdate,
            Route::ValuesGet { .. } => EndpointKind::ValuesGet,
            Route::ValuesUpdate { .. } => EndpointKind::ValuesUpdate,
            Route::Append { .. } => EndpointKind::Append,
            Route::Clear { .. } => EndpointKind::ValuesClear,
            Route::BatchGet { .. } => EndpointKind::BatchGet,
            Route::ValuesBatchUpdate { .. } => EndpointKind::ValuesBatchUpdate,
            Route::ValuesBatchClear { .. } => EndpointKind::ValuesBatchClear,
            Route::GetByDataFilter { .. }
            | Route::BatchGetByDataFilter { .. }
            | Route::BatchUpdateByDataFilter { .. }
            | Route::BatchClearByDataFilter { .. } => EndpointKind::ByDataFilter,
            Route::CopyTo { .. } => EndpointKind::CopyTo,
            Route::SearchDeveloperMetadata { .. } | Route::GetDeveloperMetadata { .. } => {
                EndpointKind::DeveloperMetadata
            }
        }
    }

    /// The RPC behind the route, as Google names it in error details.
    fn method_name(&self) -> &'static str {
        match self {
            Route::Token => "Token",
            Route::Create => "CreateSpreadsheet",
            Route::Get { .. } => "GetSpreadsheet",
            Route::BatchUpdate { .. } => "BatchUpdateSpreadsheet",
            Route::ValuesGet { .. } => "GetValues",
            Route::ValuesUpdate { .. } => "UpdateValues",
            Route::Append { .. } => "AppendValues",
            Route::Clear { .. } => "ClearValues",
            Route::BatchGet { .. } => "BatchGetValues",
            Route::ValuesBatchUpdate { .. } => "BatchUpdateValues",
            Route::ValuesBatchClear { .. } => "BatchClearValues",
            Route::GetByDataFilter { .. } => "GetSpreadsheetByDataFilter",
            Route::BatchGetByDataFilter { .. } => "BatchGetValuesByDataFilter",
            Route::BatchUpdateByDataFilter { .. } => "BatchUpdateValuesByDataFilter",
            Route::BatchClearByDataFilter { .. } => "BatchClearValuesByDataFilter",
            Route::CopyTo { .. } => "CopySheetToAnotherSpreadsheet",
            Route::SearchDeveloperMetadata { .. } => "SearchDeveloperMetadata",
            Route::GetDeveloperMetadata { .. } => "GetDeveloperMetadata",
        }
    }

    fn is_write(&self) -> bool {
        !matches!(
            self,
            Route::Get { .. }
                | Route::ValuesGet { .. }
                | Route::BatchGet { .. }
                | Route::Token
                | Route::GetByDataFilter { .. }
                | Route::BatchGetByDataFilter { .. }
                | Route::SearchDeveloperMetadata { .. }
                | Route::GetDeveloperMetadata { .. }
        )
    }

    /// Query parameters the method takes, besides the system ones.
    fn parameters(&self) -> &'static [&'static str] {
        match self {
            Route::Token | Route::Create | Route::BatchUpdate { .. } => &[],
            Route::Clear { .. }
            | Route::ValuesBatchUpdate { .. }
            | Route::ValuesBatchClear { .. }
            | Route::GetByDataFilter { .. }
            | Route::BatchGetByDataFilter { .. }
            | Route::BatchUpdateByDataFilter { .. }
            | Route::BatchClearByDataFilter { .. }
            | Route::CopyTo { .. }
            | Route::SearchDeveloperMetadata { .. }
            | Route::GetDeveloperMetadata { .. } => &[],
            Route::Get { .. } => &["includeGridData", "ranges", "excludeTablesInBandedRanges"],
            Route::ValuesGet { .. } => &[
                "majorDimension",
                "valueRenderOption",
                "dateTimeRenderOption",
            ],
            Route::BatchGet { .. } => &[
                "ranges",
                "majorDimension",
                "valueRenderOption",
                "dateTimeRenderOption",
            ],
            Route::ValuesUpdate { .. } => &[
                "valueInputOption",
                "includeValuesInResponse",
                "responseValueRenderOption",
                "responseDateTimeRenderOption",
            ],
            Route::Append { .. } => &[
                "valueInputOption",
                "insertDataOption",
                "includeValuesInResponse",
                "responseValueRenderOption",
                "responseDateTimeRenderOption",
            ],
        }
    }
}

/// Parameters every Google API accepts.
const SYSTEM_PARAMETERS: [&str; 12] = [
    "key",
    "access_token",
    "oauth_token",
    "fields",
    "alt",
    "prettyPrint",
    "quotaUser",
    "userIp",
    "$.xgafv",
    "callback",
    "upload_protocol",
    "uploadType",
];

/// Decodes `%XX` escapes (and `+` as a space when asked); `None` for invalid UTF-8.
pub(crate) fn percent_decode(text: &str, plus_is_space: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'%' && index + 3 <= bytes.len() {
            let hex = bytes
                .get(index + 1..index + 3)
                .and_then(|pair| std::str::from_utf8(pair).ok());
            if let Some(value) = hex.and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
                decoded.push(value);
                index += 3;
                continue;
            }
        }
        decoded.push(if plus_is_space && byte == b'+' {
            b' '
        } else {
            byte
        });
        index += 1;
    }
    String::from_utf8(decoded).ok()
}

/// `a=1&b=x+y` as decoded pairs, in order (repeated names kept).
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                percent_decode(name, true).unwrap_or_else(|| name.to_owned()),
                percent_decode(value, true).unwrap_or_else(|| value.to_owned()),
            )
        })
        .collect()
}

fn route(method: &Method, raw_path: &str) -> Result<Route, ApiError> {
    let not_found = ApiError::method_not_found;
    if raw_path == "/token" || raw_path == "/oauth2/v4/token" {
        return if method == Method::POST {
            Ok(Route::Token)
        } else {
            Err(not_found())
        };
    }
    let Some(rest) = raw_path.strip_prefix("/v4/spreadsheets") else {
        return Err(not_found());
    };
    if rest.is_empty() || rest == "/" {
        return if method == Method::POST {
            Ok(Route::Create)
        } else {
            Err(not_found())
        };
    }
    let rest = rest.strip_prefix('/').ok_or_else(not_found)?;
    let (id_segment, after) = match rest.split_once('/') {
        Some((id, after)) => (id, Some(after)),
        None => (rest, None),
    };
    let id_segment = percent_decode(id_segment, false).ok_or_else(not_found)?;
    let Some(after) = after else {
        if let Some(id) = id_segment.strip_suffix(":batchUpdate") {
            return expect(
                method,
                Method::POST,
                Route::BatchUpdate { id: id.to_owned() },
            );
        }
        if let Some(id) = id_segment.strip_suffix(":getByDataFilter") {
            return expect(
                method,
                Method::POST,
                Route::GetByDataFilter { id: id.to_owned() },
            );
        }
        return expect(method, Method::GET, Route::Get { id: id_segment });
    };
    let id = id_segment;
    if id.contains(':') {
        return Err(not_found());
    }
    if let Some(range) = after.strip_prefix("values/") {
        if range.contains('/') || range.is_empty() {
            return Err(not_found());
        }
        let range = percent_decode(range, true)
            .ok_or_else(|| ApiError::invalid_argument(format!("Unable to parse range: {range}")))?;
        if let Some(range) = range.strip_suffix(":append") {
            return expect(
                method,
                Method::POST,
                Route::Append {
                    id,
                    range: range.to_owned(),
                },
            );
        }
        if let Some(range) = range.strip_suffix(":clear") {
            return expect(
                method,
                Method::POST,
                Route::Clear {
                    id,
                    range: range.to_owned(),
                },
            );
        }
        return match *method {
            Method::GET => Ok(Route::ValuesGet { id, range }),
            Method::PUT => Ok(Route::ValuesUpdate { id, range }),
            _ => Err(not_found()),
        };
    }
    let decoded = percent_decode(after, false).unwrap_or_default();
    if let Some(sheet_id) = decoded
        .strip_prefix("sheets/")
        .and_then(|rest| rest.strip_suffix(":copyTo"))
    {
        let sheet_id = sheet_id.to_owned();
        return expect(method, Method::POST, Route::CopyTo { id, sheet_id });
    }
    if let Some(metadata_id) = decoded.strip_prefix("developerMetadata/") {
        let metadata_id = metadata_id.to_owned();
        return expect(
            method,
            Method::GET,
            Route::GetDeveloperMetadata { id, metadata_id },
        );
    }
    match decoded.as_str() {
        "values:batchGetByDataFilter" => {
            expect(method, Method::POST, Route::BatchGetByDataFilter { id })
        }
        "values:batchUpdateByDataFilter" => {
            expect(method, Method::POST, Route::BatchUpdateByDataFilter { id })
        }
        "values:batchClearByDataFilter" => {
            expect(method, Method::POST, Route::BatchClearByDataFilter { id })
        }
        "developerMetadata:search" => {
            expect(method, Method::POST, Route::SearchDeveloperMetadata { id })
        }
        _ => route_values_batch(method, &decoded, id),
    }
}

fn route_values_batch(method: &Method, decoded: &str, id: String) -> Result<Route, ApiError> {
    match Some(decoded) {
        Some("values:batchGet") => expect(method, Method::GET, Route::BatchGet { id }),
        Some("values:batchUpdate") => expect(method, Method::POST, Route::ValuesBatchUpdate { id }),
        Some("values:batchClear") => expect(method, Method::POST, Route::ValuesBatchClear { id }),
        _ => Err(ApiError::method_not_found()),
    }
}

fn expect(method: &Method, wanted: Method, route: Route) -> Result<Route, ApiError> {
    if *method == wanted {
        Ok(route)
    } else {
        Err(ApiError::method_not_found())
    }
}

/// An answer before serialisation.
struct Answer {
    status: u16,
    body: Value,
    headers: Vec<(&'static str, String)>,
    /// Apply `fields` (successful API answers only).
    selectable: bool,
}

impl Answer {
    fn ok(body: Value) -> Answer {
        Answer {
            status: 200,
            body,
            headers: Vec::new(),
            selectable: true,
        }
    }

    fn error(error: ApiError) -> Answer {
        Answer {
            status: error.code,
            body: error.body(),
            headers: error.headers,
            selectable: false,
        }
    }
}

/// Handles one request outside the admin API.
pub(crate) async fn handle(
    emulator: Emulator,
    request: Request<Body>,
    kill: Option<KillSwitch>,
) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let method = parts.method.clone();
    let raw_path = parts.uri.path().to_owned();
    let query_text = parts.uri.query().unwrap_or_default().to_owned();
    let uri_text = parts
        .uri
        .path_and_query()
        .map_or_else(|| raw_path.clone(), |path| path.as_str().to_owned());
    let routed = route(&method, &raw_path);
    let kind = routed.as_ref().map_or(EndpointKind::Other, Route::kind);
    {
        let mut counters = lock(&emulator.inner.counters);
        counters.total += 1;
        *counters.by_endpoint.entry(kind).or_default() += 1;
    }
    let decoded_path = percent_decode(&raw_path, false).unwrap_or_else(|| raw_path.clone());
    let plan = lock(&emulator.inner.faults).plan(&raw_path, &decoded_path);
    if let Some(delay) = plan.delay {
        lock(&emulator.inner.counters).delayed_requests += 1;
        tokio::time::sleep(delay).await;
    }
    let config = emulator.config();
    let body = axum::body::to_bytes(body, config.max_request_bytes).await;
    if plan.drop {
        lock(&emulator.inner.counters).dropped_connections += 1;
        lock(&emulator.inner.log).push(RequestRecord {
            method: method.to_string(),
            uri: uri_text.clone(),
            endpoint: kind,
            status: None,
            principal: None,
            response_bytes: 0,
        });
        if let Some(kill) = kill {
            kill.notify_one();
            std::future::pending::<()>().await;
        }
        let error = ApiError::new(
            500,
            "INTERNAL",
            "connection dropped (no connection to close)",
        );
        return finish(
            &emulator,
            &method,
            uri_text,
            kind,
            None,
            Answer::error(error),
            None,
            true,
        );
    }
    let query = parse_query(&query_text);
    let pretty = !query
        .iter()
        .any(|(name, value)| name == "prettyPrint" && value == "false");
    if let Some(fault) = plan.failure {
        lock(&emulator.inner.counters).injected_faults += 1;
        let mut error = ApiError::for_status(fault.status);
        if let Some(message) = fault.message {
            error.message = message;
        }
        if let Some(seconds) = fault.retry_after_secs {
            error.headers.push(("retry-after", seconds.to_string()));
        }
        return finish(
            &emulator,
            &method,
            uri_text,
            kind,
            None,
            Answer::error(error),
            None,
            pretty,
        );
    }
    let route = match routed {
        Ok(route) => route,
        Err(error) => {
            return finish(
                &emulator,
                &method,
                uri_text,
                kind,
                None,
                Answer::error(error),
                None,
                pretty,
            );
        }
    };
    let body = match body {
        Ok(body) => body,
        Err(_) => {
            let error = ApiError::invalid_argument(format!(
                "Request payload size exceeds the limit: {} bytes.",
                config.max_request_bytes
            ));
            return finish(
                &emulator,
                &method,
                uri_text,
                kind,
                None,
                Answer::error(error),
                None,
                pretty,
            );
        }
    };
    if let Route::Token = route {
        let form = parse_query(&String::from_utf8_lossy(&body));
        // Google's own token endpoints first: google-auth and other Google libraries sign
        // for `https://oauth2.googleapis.com/token` whatever the key's `token_uri` says, and
        // Google names that audience when the check fails.
        let mut audiences: Vec<String> = auth::GOOGLE_TOKEN_AUDIENCES
            .iter()
            .map(|audience| audience.to_string())
            .collect();
        if let Some(host) = parts
            .headers
            .get(header::HOST)
            .and_then(|host| host.to_str().ok())
        {
            audiences.push(format!("http://{host}/token"));
            audiences.push(format!("https://{host}/token"));
        }
        audiences.extend(config.token_audiences.iter().cloned());
        let answer = {
            let mut state = lock(&emulator.inner.state);
            auth::token_request(&mut state, &form, &audiences, config.access_token_lifetime)
        };
        let answer = match answer {
            Ok(body) => Answer {
                status: 200,
                body,
                headers: vec![(
                    "cache-control",
                    "no-cache, no-store, max-age=0, must-revalidate".into(),
                )],
                selectable: false,
            },
            Err(error) => Answer {
                status: error.status,
                body: error.body(),
                headers: Vec::new(),
                selectable: false,
            },
        };
        return finish(
            &emulator, &method, uri_text, kind, None, answer, None, pretty,
        );
    }
    let (principal, answer) = sheets_call(&emulator, &route, &parts.headers, &query, &body);
    let fields = query
        .iter()
        .find(|(name, _)| name == "fields")
        .map(|(_, value)| value.clone());
    finish(
        &emulator, &method, uri_text, kind, principal, answer, fields, pretty,
    )
}

/// Serialises an answer, counts it, logs it.
#[allow(clippy::too_many_arguments)]
fn finish(
    emulator: &Emulator,
    method: &Method,
    uri: String,
    kind: EndpointKind,
    principal: Option<String>,
    answer: Answer,
    fields: Option<String>,
    pretty: bool,
) -> Response<Body> {
    let mut answer = answer;
    if answer.selectable
        && let Some(mask) = fields.filter(|mask| !mask.is_empty())
    {
        match FieldTree::parse(&mask) {
            Some(tree) => answer.body = tree.apply(&answer.body),
            None => {
                let shown: String = mask.chars().take(100).collect();
                answer = Answer::error(ApiError::invalid_argument(format!(
                    "Invalid field selection {shown}"
                )))
            }
        }
    }
    let bytes = if pretty {
        serde_json::to_vec_pretty(&answer.body)
    } else {
        serde_json::to_vec(&answer.body)
    }
    .unwrap_or_default();
    let length = bytes.len() as u64;
    {
        let mut counters = lock(&emulator.inner.counters);
        counters.response_bytes += length;
        *counters.by_status.entry(answer.status).or_default() += 1;
    }
    lock(&emulator.inner.log).push(RequestRecord {
        method: method.to_string(),
        uri,
        endpoint: kind,
        status: Some(answer.status),
        principal,
        response_bytes: length,
    });
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    for (name, value) in answer.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

/// Who is calling.
struct Caller {
    /// The account's lower-case email; `None` for an API key.
    email: Option<String>,
    /// Quota user: the email or `key:...`.
    user: String,
    project_id: String,
}

fn authenticate(
    state: &State,
    route: &Route,
    headers: &HeaderMap,
    query: &[(String, String)],
) -> Result<Caller, ApiError> {
    let parameter = |name: &str| {
        query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let bearer = match headers.get(header::AUTHORIZATION) {
        Some(value) => {
            let text = value.to_str().map_err(|_| ApiError::unauthenticated())?;
            let (scheme, token) = text.split_once(' ').ok_or_else(ApiError::unauthenticated)?;
            if !scheme.eq_ignore_ascii_case("bearer") {
                return Err(ApiError::unauthenticated());
            }
            Some(token.trim())
        }
        None => parameter("access_token").or_else(|| parameter("oauth_token")),
    };
    if let Some(token) = bearer {
        let access = state
            .access_tokens
            .get(token)
            .filter(|access| access.expires_at > Instant::now())
            .ok_or_else(ApiError::unauthenticated)?;
        let allowed = if route.is_write() {
            auth::can_write(&access.scopes)
        } else {
            auth::can_read(&access.scopes)
        };
        if !allowed {
            return Err(ApiError::insufficient_scopes(route.method_name()));
        }
        return Ok(Caller {
            email: Some(access.email.clone()),
            user: access.email.clone(),
            project_id: access.project_id.clone(),
        });
    }
    if let Some(key) = parameter("key") {
        let Some(api_key) = state.api_keys.get(key) else {
            let mut error =
                ApiError::invalid_argument("API key not valid. Please pass a valid API key.");
            error.details = Some(Box::new(json!([{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "sheets.googleapis.com"}
            }])));
            return Err(error);
        };
        if route.is_write() {
            return Err(ApiError::new(
                401,
                "UNAUTHENTICATED",
                "API keys are not supported by this API. Expected OAuth2 access token or other authentication credentials that assert a principal. See https://cloud.google.com/docs/authentication",
            ));
        }
        return Ok(Caller {
            email: None,
            user: format!("key:{key}"),
            project_id: api_key.project_id.clone(),
        });
    }
    Err(ApiError::new(
        403,
        "PERMISSION_DENIED",
        "The request is missing a valid API key.",
    ))
}

fn check_access(spreadsheet: &Spreadsheet, caller: &Caller, write: bool) -> Result<(), ApiError> {
    let role = caller
        .email
        .as_ref()
        .and_then(|email| spreadsheet.permissions.get(email));
    let allowed = match (role, write) {
        (Some(Role::Writer), _) => true,
        (Some(Role::Reader), false) => true,
        (None, false) => spreadsheet.public,
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::permission_denied())
    }
}

/// Authenticates, charges quota, checks access and runs a Sheets method.
fn sheets_call(
    emulator: &Emulator,
    route: &Route,
    headers: &HeaderMap,
    query: &[(String, String)],
    body: &[u8],
) -> (Option<String>, Answer) {
    let config = emulator.config();
    let mut state = lock(&emulator.inner.state);
    let caller = match authenticate(&state, route, headers, query) {
        Ok(caller) => caller,
        Err(error) => return (None, Answer::error(error)),
    };
    let principal = Some(caller.user.clone());
    let kind = if route.is_write() {
        QuotaKind::Write
    } else {
        QuotaKind::Read
    };
    let charged = lock(&emulator.inner.quotas).charge(
        &config.quotas,
        kind,
        &caller.user,
        &caller.project_id,
        Instant::now(),
    );
    if let Err(error) = charged {
        return (principal, Answer::error(error));
    }
    let result = validate_parameters(route, query).and_then(|()| {
        run(
            &mut state,
            route,
            &caller,
            query,
            body,
            &config.spreadsheet_url_prefix,
        )
    });
    match result {
        Ok((body, changed)) => {
            if changed {
                state.dirty = true;
            }
            (principal, Answer::ok(body))
        }
        Err(error) => (principal, Answer::error(error)),
    }
}

fn validate_parameters(route: &Route, query: &[(String, String)]) -> Result<(), ApiError> {
    for (name, _) in query {
        if !SYSTEM_PARAMETERS.contains(&name.as_str())
            && !route.parameters().contains(&name.as_str())
        {
            return Err(ApiError::invalid_argument(format!(
                "Invalid JSON payload received. Unknown name \"{name}\": Cannot bind query parameter. Field '{name}' could not be found in request message."
            )));
        }
    }
    Ok(())
}

/// The last value of a query parameter.
fn parameter<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .rev()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

fn invalid_enum(field: &str, type_name: &str, value: &str) -> ApiError {
    ApiError::invalid_argument(format!(
        "Invalid value at '{field}' (type.googleapis.com/google.apps.sheets.v4.{type_name}), \"{value}\""
    ))
}

pub(crate) fn major_dimension(
    value: Option<&str>,
    field: &str,
) -> Result<MajorDimension, ApiError> {
    match value {
        None | Some("ROWS") | Some("DIMENSION_UNSPECIFIED") => Ok(MajorDimension::Rows),
        Some("COLUMNS") => Ok(MajorDimension::Columns),
        Some(other) => Err(invalid_enum(field, "Dimension", other)),
    }
}

pub(crate) fn render_option(
    value: Option<&str>,
    field: &str,
) -> Result<ValueRenderOption, ApiError> {
    match value {
        None | Some("FORMATTED_VALUE") => Ok(ValueRenderOption::FormattedValue),
        Some("UNFORMATTED_VALUE") => Ok(ValueRenderOption::UnformattedValue),
        Some("FORMULA") => Ok(ValueRenderOption::Formula),
        Some(other) => Err(invalid_enum(field, "ValueRenderOption", other)),
    }
}

pub(crate) fn date_time_option(
    value: Option<&str>,
    field: &str,
) -> Result<DateTimeRenderOption, ApiError> {
    match value {
        None | Some("SERIAL_NUMBER") => Ok(DateTimeRenderOption::SerialNumber),
        Some("FORMATTED_STRING") => Ok(DateTimeRenderOption::FormattedString),
        Some(other) => Err(invalid_enum(field, "DateTimeRenderOption", other)),
    }
}

pub(crate) fn input_option(value: Option<&str>) -> Result<ValueInputOption, ApiError> {
    match value {
        Some("RAW") => Ok(ValueInputOption::Raw),
        Some("USER_ENTERED") => Ok(ValueInputOption::UserEntered),
        None => Err(ApiError::invalid_argument(
            "'valueInputOption' is required but not specified",
        )),
        Some("INPUT_VALUE_OPTION_UNSPECIFIED") => Err(ApiError::invalid_argument(
            "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED",
        )),
        Some(other) => Err(invalid_enum(
            "value_input_option",
            "ValueInputOption",
            other,
        )),
    }
}

fn boolean(value: Option<&str>, field: &str) -> Result<bool, ApiError> {
    // Google reads query booleans case-insensitively: Python clients send `True`.
    match value.map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(ApiError::invalid_argument(format!(
            "Invalid value at '{field}' (TYPE_BOOL), \"{}\"",
            value.unwrap_or_default()
        ))),
    }
}

/// Render options of an answer (`valueRenderOption`/`dateTimeRenderOption` or their
/// `response...` forms).
#[derive(Clone, Copy)]
pub(crate) struct Rendering {
    pub major: MajorDimension,
    pub render: ValueRenderOption,
    pub date_time: DateTimeRenderOption,
}

fn read_rendering(query: &[(String, String)]) -> Result<Rendering, ApiError> {
    Ok(Rendering {
        major: major_dimension(parameter(query, "majorDimension"), "major_dimension")?,
        render: render_option(parameter(query, "valueRenderOption"), "value_render_option")?,
        date_time: date_time_option(
            parameter(query, "dateTimeRenderOption"),
            "date_time_render_option",
        )?,
    })
}

fn response_rendering(query: &[(String, String)]) -> Result<Rendering, ApiError> {
    Ok(Rendering {
        major: MajorDimension::Rows,
        render: render_option(
            parameter(query, "responseValueRenderOption"),
            "response_value_render_option",
        )?,
        date_time: date_time_option(
            parameter(query, "responseDateTimeRenderOption"),
            "response_date_time_render_option",
        )?,
    })
}

/// A JSON `null` reads as the field's default, as in Google's proto3 JSON parsing
/// (gspread sends `"includeValuesInResponse": null`).
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A JSON body, with Google's message for malformed ones.
fn json_body<T: for<'de> Deserialize<'de> + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|error| {
        ApiError::invalid_argument(format!("Invalid JSON payload received. {error}"))
    })
}

/// The `ValueRange` of writes.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ValueRangeBody {
    #[serde(default, deserialize_with = "null_as_default")]
    range: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    major_dimension: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    values: Option<Vec<Vec<Value>>>,
}

fn spreadsheet_mut<'a>(
    state: &'a mut State,
    id: &str,
    caller: &Caller,
    write: bool,
) -> Result<&'a mut Spreadsheet, ApiError> {
    let spreadsheet = state
        .spreadsheets
        .get_mut(id)
        .ok_or_else(ApiError::not_found)?;
    check_access(spreadsheet, caller, write)?;
    Ok(spreadsheet)
}

/// Runs a method; its answer and whether the state changed.
fn run(
    state: &mut State,
    route: &Route,
    caller: &Caller,
    query: &[(String, String)],
    body: &[u8],
    url_prefix: &str,
) -> Result<(Value, bool), ApiError> {
    match route {
        Route::Token => Err(ApiError::method_not_found()),
        Route::Create => {
            let request: Value = json_body(body)?;
            let spreadsheet = create(state, &request, caller)?;
            let answer = resource(spreadsheet, false, &[], url_prefix)?;
            Ok((answer, true))
        }
        Route::Get { id } => {
            let spreadsheet = spreadsheet_mut(state, id, caller, false)?;
            let include = boolean(parameter(query, "includeGridData"), "include_grid_data")?;
            let ranges: Vec<&str> = query
                .iter()
                .filter(|(name, _)| name == "ranges")
                .map(|(_, value)| value.as_str())
                .collect();
            Ok((resource(spreadsheet, include, &ranges, url_prefix)?, false))
        }
        Route::ValuesGet { id, range } => {
            let rendering = read_rendering(query)?;
            let spreadsheet = spreadsheet_mut(state, id, caller, false)?;
            Ok((value_range(spreadsheet, range, rendering)?, false))
        }
        Route::BatchGet { id } => {
            let rendering = read_rendering(query)?;
            let spreadsheet = spreadsheet_mut(state, id, caller, false)?;
            let ranges: Vec<Value> = query
                .iter()
                .filter(|(name, _)| name == "ranges")
                .map(|(_, range)| value_range(spreadsheet, range, rendering))
                .collect::<Result<_, _>>()?;
            let mut answer = Map::new();
            answer.insert("spreadsheetId".into(), json!(spreadsheet.spreadsheet_id));
            if !ranges.is_empty() {
                answer.insert("valueRanges".into(), Value::Array(ranges));
            }
            Ok((Value::Object(answer), false))
        }
        Route::ValuesUpdate { id, range } => {
            let option = input_option(parameter(query, "valueInputOption"))?;
            let include = boolean(
                parameter(query, "includeValuesInResponse"),
                "include_values_in_response",
            )?;
            let rendering = response_rendering(query)?;
            let request: ValueRangeBody = json_body(body)?;
            let major = major_dimension(request.major_dimension.as_deref(), "major_dimension")?;
            let spreadsheet = spreadsheet_mut(state, id, caller, true)?;
            check_body_range(spreadsheet, range, request.range.as_deref())?;
            let mut copy = spreadsheet.clone();
            let mut answer = update_values(
                &mut copy,
                range,
                &request.values.unwrap_or_default(),
                major,
                option,
            )?;
            if include {
                add_updated_data(&copy, &mut answer, rendering)?;
            }
            *spreadsheet = copy;
            Ok((answer, true))
        }
        Route::Append { id, range } => {
            let option = input_option(parameter(query, "valueInputOption"))?;
            let insert = match parameter(query, "insertDataOption") {
                None | Some("OVERWRITE") => InsertDataOption::Overwrite,
                Some("INSERT_ROWS") => InsertDataOption::InsertRows,
                Some(other) => {
                    return Err(invalid_enum(
                        "insert_data_option",
                        "InsertDataOption",
                        other,
                    ));
                }
            };
            let include = boolean(
                parameter(query, "includeValuesInResponse"),
                "include_values_in_response",
            )?;
            let rendering = response_rendering(query)?;
            let request: ValueRangeBody = json_body(body)?;
            let major = major_dimension(request.major_dimension.as_deref(), "major_dimension")?;
            let spreadsheet = spreadsheet_mut(state, id, caller, true)?;
            check_body_range(spreadsheet, range, request.range.as_deref())?;
            let target = spreadsheet.target(range)?;
            let mut copy = spreadsheet.clone();
            let outcome = model::append(
                &mut copy,
                &target,
                &request.values.unwrap_or_default(),
                major,
                option,
                insert,
            )?;
            let mut updates = update_response(
                &copy.spreadsheet_id,
                &outcome.updated_range,
                &outcome.summary,
            );
            if include {
                add_updated_data(&copy, &mut updates, rendering)?;
            }
            let mut answer = Map::new();
            answer.insert("spreadsheetId".into(), json!(copy.spreadsheet_id));
            if let Some(table) = outcome.table_range {
                answer.insert("tableRange".into(), json!(table));
            }
            answer.insert("updates".into(), updates);
            *spreadsheet = copy;
            Ok((Value::Object(answer), true))
        }
        Route::Clear { id, range } => {
            let spreadsheet = spreadsheet_mut(state, id, caller, true)?;
            let cleared = clear(spreadsheet, range)?;
            Ok((
                json!({ "spreadsheetId": spreadsheet.spreadsheet_id, "clearedRange": cleared }),
                true,
            ))
        }
        Route::ValuesBatchUpdate { id } => {
            #[derive(Default, Deserialize)]
            #[serde(rename_all = "camelCase", deny_unknown_fields)]
            struct Request {
                value_input_option: Option<String>,
                #[serde(default, deserialize_with = "null_as_default")]
                data: Vec<RangedValues>,
                #[serde(default, deserialize_with = "null_as_default")]
                include_values_in_response: bool,
                response_value_render_option: Option<String>,
                response_date_time_render_option: Option<String>,
            }
            #[derive(Default, Deserialize)]
            #[serde(rename_all = "camelCase", deny_unknown_fields)]
            struct RangedValues {
                range: String,
                major_dimension: Option<String>,
                #[serde(default, deserialize_with = "null_as_default")]
                values: Vec<Vec<Value>>,
            }
            let request: Request = json_body(body)?;
            let option = input_option(request.value_input_option.as_deref())?;
            let rendering = Rendering {
                major: MajorDimension::Rows,
                render: render_option(
                    request.response_value_render_option.as_deref(),
                    "response_value_render_option",
                )?,
                date_time: date_time_option(
                    request.response_date_time_render_option.as_deref(),
                    "response_date_time_render_option",
                )?,
            };
            let spreadsheet = spreadsheet_mut(state, id, caller, true)?;
            let mut copy = spreadsheet.clone();
            let mut totals = BatchTotals::default();
            for (index, data) in request.data.iter().enumerate() {
                let major = major_dimension(
                    data.major_dimension.as_deref(),
                    &format!("data[{index}].major_dimension"),
                )?;
                let (mut response, sheet_index, summary) =
                    update_values_summarised(&mut copy, &data.range, &data.values, major, option)?;
                if request.include_values_in_response {
                    add_updated_data(&copy, &mut response, rendering)?;
                }
                totals.add(sheet_index, &summary, response);
            }
            let answer = totals.answer(&copy.spreadsheet_id);
            *spreadsheet = copy;
            Ok((answer, true))
        }
        Route::ValuesBatchClear { id } => {
            #[derive(Default, Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Request {
                #[serde(default, deserialize_with = "null_as_default")]
                ranges: Vec<String>,
            }
            let request: Request = json_body(body)?;
            let spreadsheet = spreadsheet_mut(state, id, caller, true)?;
            let mut copy = spreadsheet.clone();
            let cleared: Vec<String> = request
                .ranges
                .iter()
                .map(|range| clear(&mut copy, range))
                .collect::<Result<_, _>>()?;
            *spreadsheet = copy;
            let mut answer = Map::new();
            answer.insert("spreadsheetId".into(), json!(spreadsheet.spreadsheet_id));
            if !cleared.is_empty() {
                answer.insert("clearedRanges".into(), json!(cleared));
            }
            Ok((Value::Object(answer), true))
        }
        Route::BatchUpdate { id } => {
            let request: Value = json_body(body)?;
            let spreadsheet = spreadsheet_mut(state, id, caller, true)?;
            let mut copy = spreadsheet.clone();
            let answer = crate::batch::batch_update(&mut copy, &request, url_prefix)?;
            *spreadsheet = copy;
            Ok((answer, true))
        }
        Route::GetByDataFilter { id } => {
            let request: Value = json_body(body)?;
            let spreadsheet = spreadsheet_mut(state, id, caller, false)?;
            Ok((
                crate::filters::get_by_data_filter(spreadsheet, &request, url_prefix)?,
                false,
            ))
        }
        Route::BatchGetByDataFilter { id } => {
            let request: Value = json_body(body)?;
            let spreadsheet = spreadsheet_mut(state, id, caller, false)?;
            Ok((crate::filters::batch_get(spreadsheet, &request)?, false))
        }
        Route::BatchUpdateByDataFilter { id } => {
            let request: Value = json_body(body)?;
            let spreadsheet = spreadsheet_mut(state, id, caller, true)?;
            let mut copy = spreadsheet.clone();
            let answer = crate::filters::batch_update(&mut copy, &request)?;
            *spreadsheet = copy;
            Ok((answer, true))
        }
        Route::BatchClearByDataFilter { id } => {
            let request: Value = json_body(body)?;
            let spreadsheet = spreadsheet_mut(state, id, caller, true)?;
            let mut copy = spreadsheet.clone();
            let answer = crate::filters::batch_clear(&mut copy, &request)?;
            *spreadsheet = copy;
            Ok((answer, true))
        }
        Route::SearchDeveloperMetadata { id } => {
            let request: Value = json_body(body)?;
            let spreadsheet = spreadsheet_mut(state, id, caller, false)?;
            Ok((
                crate::filters::search_metadata(spreadsheet, &request)?,
                false,
            ))
        }
        Route::GetDeveloperMetadata { id, metadata_id } => {
            let spreadsheet = spreadsheet_mut(state, id, caller, false)?;
            let wanted: Option<i64> = metadata_id.parse().ok();
            crate::requests::developer_metadata(spreadsheet)
                .iter()
                .find(|entry| {
                    wanted.is_some() && entry.get("metadataId").and_then(Value::as_i64) == wanted
                })
                .map(|entry| (entry.clone(), false))
                .ok_or_else(ApiError::not_found)
        }
        Route::CopyTo { id, sheet_id } => {
            #[derive(Default, Deserialize)]
            #[serde(rename_all = "camelCase", deny_unknown_fields)]
            struct Request {
                destination_spreadsheet_id: Option<String>,
            }
            let request: Request = json_body(body)?;
            let destination = request.destination_spreadsheet_id.ok_or_else(|| {
                ApiError::invalid_argument("destinationSpreadsheetId must be set")
            })?;
            let source = spreadsheet_mut(state, id, caller, false)?;
            let sheet_id: i32 = sheet_id.parse().map_err(|_| {
                ApiError::invalid_argument(format!(
                    "Invalid value at 'sheet_id' (TYPE_INT32), \"{sheet_id}\""
                ))
            })?;
            let index = source.sheet_index_by_id(sheet_id).ok_or_else(|| {
                ApiError::invalid_argument(format!("No grid with id: {sheet_id}"))
            })?;
            let sheet = source.sheets[index].clone();
            let target = spreadsheet_mut(state, &destination, caller, true)?;
            let mut copy = target.clone();
            let properties = crate::filters::copy_sheet_into(&mut copy, sheet);
            copy.recalculate();
            *target = copy;
            Ok((properties, true))
        }
    }
}

/// What a batch of value updates changed: Google's totals count distinct rows and
/// columns (per sheet), not the sum over the ranges.
#[derive(Default)]
pub(crate) struct BatchTotals {
    rows: std::collections::BTreeSet<(usize, u32)>,
    columns: std::collections::BTreeSet<(usize, u32)>,
    sheets: std::collections::BTreeSet<usize>,
    cells: u64,
    responses: Vec<Value>,
}

impl BatchTotals {
    pub(crate) fn add(&mut self, sheet: usize, summary: &model::WriteSummary, response: Value) {
        self.rows
            .extend(summary.touched_rows.iter().map(|row| (sheet, *row)));
        self.columns.extend(
            summary
                .touched_columns
                .iter()
                .map(|column| (sheet, *column)),
        );
        self.cells += u64::from(summary.cells);
        if summary.cells > 0 {
            self.sheets.insert(sheet);
        }
        self.responses.push(response);
    }

    /// The `BatchUpdateValuesResponse` (or its by-data-filter twin).
    pub(crate) fn answer(self, spreadsheet_id: &str) -> Value {
        let mut answer = Map::new();
        answer.insert("spreadsheetId".into(), json!(spreadsheet_id));
        for (name, value) in [
            ("totalUpdatedRows", self.rows.len() as u64),
            ("totalUpdatedColumns", self.columns.len() as u64),
            ("totalUpdatedCells", self.cells),
            ("totalUpdatedSheets", self.sheets.len() as u64),
        ] {
            if value > 0 {
                answer.insert(name.into(), json!(value));
            }
        }
        if !self.responses.is_empty() {
            answer.insert("responses".into(), Value::Array(self.responses));
        }
        Value::Object(answer)
    }
}

/// A body `range` must name the same cells as the URL's.
fn check_body_range(
    spreadsheet: &Spreadsheet,
    url_range: &str,
    body_range: Option<&str>,
) -> Result<(), ApiError> {
    let Some(body_range) = body_range else {
        return Ok(());
    };
    let url_target = spreadsheet.target(url_range)?;
    let body_target = spreadsheet.target(body_range)?;
    let same = url_target.sheet_index == body_target.sheet_index
        && url_target.area.map(|area| area.bounds()) == body_target.area.map(|area| area.bounds());
    if same {
        Ok(())
    } else {
        Err(ApiError::invalid_argument(format!(
            "Requested range [{url_range}] does not match the range in the ValueRange [{body_range}]"
        )))
    }
}

/// `ValueRange` of a read.
pub(crate) fn value_range(
    spreadsheet: &Spreadsheet,
    range: &str,
    rendering: Rendering,
) -> Result<Value, ApiError> {
    let target = spreadsheet.target(range)?;
    let sheet = &spreadsheet.sheets[target.sheet_index];
    let rect = sheet.rect(target.area.as_ref())?;
    let values = sheet.read(
        &rect,
        rendering.major,
        rendering.render,
        rendering.date_time,
        &spreadsheet.locale_rules(),
    );
    let mut answer = Map::new();
    answer.insert("range".into(), json!(sheet.a1(&rect)));
    answer.insert("majorDimension".into(), json!(rendering.major.as_str()));
    if let Some(values) = values {
        answer.insert("values".into(), Value::Array(values));
    }
    Ok(Value::Object(answer))
}

fn update_response(
    spreadsheet_id: &str,
    updated_range: &str,
    summary: &model::WriteSummary,
) -> Value {
    let mut answer = Map::new();
    answer.insert("spreadsheetId".into(), json!(spreadsheet_id));
    answer.insert("updatedRange".into(), json!(updated_range));
    for (name, value) in [
        ("updatedRows", summary.rows),
        ("updatedColumns", summary.columns),
        ("updatedCells", summary.cells),
    ] {
        if value > 0 {
            answer.insert(name.into(), json!(value));
        }
    }
    Value::Object(answer)
}

pub(crate) fn add_updated_data(
    spreadsheet: &Spreadsheet,
    response: &mut Value,
    rendering: Rendering,
) -> Result<(), ApiError> {
    let range = response
        .get("updatedRange")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let data = value_range(spreadsheet, &range, rendering)?;
    if let Some(object) = response.as_object_mut() {
        object.insert("updatedData".into(), data);
    }
    Ok(())
}

/// `values.update` on a spreadsheet: the `UpdateValuesResponse`.
pub(crate) fn update_values(
    spreadsheet: &mut Spreadsheet,
    range: &str,
    values: &[Vec<Value>],
    major: MajorDimension,
    option: ValueInputOption,
) -> Result<Value, ApiError> {
    update_values_summarised(spreadsheet, range, values, major, option).map(|(answer, ..)| answer)
}

/// `values.update`: the `UpdateValuesResponse`, the sheet written and what was written.
pub(crate) fn update_values_summarised(
    spreadsheet: &mut Spreadsheet,
    range: &str,
    values: &[Vec<Value>],
    major: MajorDimension,
    option: ValueInputOption,
) -> Result<(Value, usize, model::WriteSummary), ApiError> {
    let target = spreadsheet.target(range)?;
    let locale = spreadsheet.locale_rules();
    let spreadsheet_id = spreadsheet.spreadsheet_id.clone();
    let sheet: &mut Sheet = &mut spreadsheet.sheets[target.sheet_index];
    let rect = sheet.rect(target.area.as_ref())?;
    let (limit, limit_text) = match &target.area {
        Some(area) if area.is_single_cell() => (None, String::new()),
        Some(area) => {
            let bounds = area.bounds();
            let limit = model::Rect {
                start_row: bounds.start_row,
                end_row: bounds.end_row.unwrap_or(u32::MAX),
                start_column: bounds.start_column,
                end_column: bounds.end_column.unwrap_or(u32::MAX),
            };
            (
                Some(limit),
                format!("{}!{}", crate::a1::quoted(&sheet.title), area.to_a1()),
            )
        }
        None => (
            Some(model::Rect {
                start_row: 0,
                end_row: u32::MAX,
                start_column: 0,
                end_column: u32::MAX,
            }),
            crate::a1::quoted(&sheet.title),
        ),
    };
    let summary = sheet.write(
        rect.start_row,
        rect.start_column,
        limit,
        &limit_text,
        values,
        major,
        option,
        &locale,
    )?;
    let updated = match &summary.rect {
        Some(written) => sheet.a1(written),
        None => sheet.a1(&rect),
    };
    spreadsheet.recalculate();
    let answer = update_response(&spreadsheet_id, &updated, &summary);
    Ok((answer, target.sheet_index, summary))
}

fn clear(spreadsheet: &mut Spreadsheet, range: &str) -> Result<String, ApiError> {
    let target = spreadsheet.target(range)?;
    let sheet = &mut spreadsheet.sheets[target.sheet_index];
    let rect = sheet.rect(target.area.as_ref())?;
    sheet.clear(&rect);
    let cleared = sheet.a1(&rect);
    spreadsheet.recalculate();
    Ok(cleared)
}

/// The `Spreadsheet` resource, with grid data when asked, limited to `ranges` when given.
pub(crate) fn resource(
    spreadsheet: &Spreadsheet,
    include_grid_data: bool,
    ranges: &[&str],
    url_prefix: &str,
) -> Result<Value, ApiError> {
    let locale = spreadsheet.locale_rules();
    let mut selected: Vec<(usize, Vec<model::Rect>)> = Vec::new();
    if ranges.is_empty() {
        for (index, sheet) in spreadsheet.sheets.iter().enumerate() {
            selected.push((index, vec![sheet.rect(None)?]));
        }
    } else {
        for range in ranges {
            let target = spreadsheet.target(range)?;
            let rect = spreadsheet.sheets[target.sheet_index].rect(target.area.as_ref())?;
            match selected
                .iter_mut()
                .find(|(index, _)| *index == target.sheet_index)
            {
                Some((_, rects)) => rects.push(rect),
                None => selected.push((target.sheet_index, vec![rect])),
            }
        }
        selected.sort_by_key(|(index, _)| *index);
    }
    let default_format = spreadsheet.default_format();
    let metadata = crate::requests::developer_metadata(spreadsheet);
    let sheets = selected
        .iter()
        .map(|(index, rects)| {
            let sheet = &spreadsheet.sheets[*index];
            let mut entry = Map::new();
            entry.insert("properties".into(), sheet.properties_json(*index));
            if include_grid_data {
                let data: Vec<Value> = rects
                    .iter()
                    .map(|rect| sheet.grid_data(rect, &locale, &default_format, metadata))
                    .collect();
                entry.insert("data".into(), Value::Array(data));
            }
            for key in [
                "merges",
                "conditionalFormats",
                "filterViews",
                "protectedRanges",
                "basicFilter",
                "bandedRanges",
            ] {
                if let Some(value) = sheet.objects.get(key) {
                    entry.insert(key.into(), value.clone());
                }
            }
            let on_sheet = spreadsheet.developer_metadata_at(|location| {
                location.get("sheetId").and_then(Value::as_i64) == Some(i64::from(sheet.sheet_id))
            });
            if !on_sheet.is_empty() {
                entry.insert("developerMetadata".into(), Value::Array(on_sheet));
            }
            Value::Object(entry)
        })
        .collect();
    Ok(spreadsheet.resource(url_prefix, sheets))
}

/// `spreadsheets.create`: properties and sheets from the request, the caller as owner.
fn create<'a>(
    state: &'a mut State,
    request: &Value,
    caller: &Caller,
) -> Result<&'a Spreadsheet, ApiError> {
    let properties = request.get("properties").cloned().unwrap_or(Value::Null);
    let text = |value: &Value, name: &str, default: &str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_owned()
    };
    let spreadsheet_id = match request.get("spreadsheetId").and_then(Value::as_str) {
        Some(id) if !id.is_empty() => {
            return Err(ApiError::invalid_argument(format!(
                "Invalid value at 'spreadsheet.spreadsheet_id': setting the spreadsheetId on create is not allowed ({id})"
            )));
        }
        _ => crate::new_spreadsheet_id(),
    };
    let mut spreadsheet = Spreadsheet {
        spreadsheet_id: spreadsheet_id.clone(),
        title: text(&properties, "title", "Untitled spreadsheet"),
        locale: text(&properties, "locale", "en_US"),
        time_zone: text(&properties, "timeZone", "Etc/GMT"),
        sheets: Vec::new(),
        permissions: Default::default(),
        public: false,
        objects: Default::default(),
        other_properties: Default::default(),
    };
    if let Some(email) = &caller.email {
        spreadsheet.permissions.insert(email.clone(), Role::Writer);
    }
    let requested: Vec<Value> = request
        .get("sheets")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if requested.is_empty() {
        spreadsheet.sheets.push(Sheet::new(0, "Sheet1"));
    }
    for (index, entry) in requested.iter().enumerate() {
        let properties = entry.get("properties").cloned().unwrap_or(Value::Null);
        crate::batch::add_sheet(&mut spreadsheet, &properties, index == 0).map_err(|message| {
            ApiError::invalid_argument(format!("Invalid sheets[{index}]: {message}"))
        })?;
    }
    spreadsheet.check_cell_limit()?;
    state
        .spreadsheets
        .insert(spreadsheet_id.clone(), spreadsheet);
    state
        .spreadsheets
        .get(&spreadsheet_id)
        .ok_or_else(ApiError::not_found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_as_google_does() {
        let routed = |method: Method, path: &str| format!("{:?}", route(&method, path));
        assert_eq!(
            routed(
                Method::GET,
                "/v4/spreadsheets/abc/values/%27Form+responses%201%27%21A1%3AB2"
            ),
            "Ok(ValuesGet { id: \"abc\", range: \"'Form responses 1'!A1:B2\" })"
        );
        assert_eq!(
            routed(
                Method::POST,
                "/v4/spreadsheets/abc/values/Sheet1!A1%3Aappend"
            ),
            "Ok(Append { id: \"abc\", range: \"Sheet1!A1\" })"
        );
        assert_eq!(
            routed(Method::GET, "/v4/spreadsheets/abc/values/'a%2Fb'!A1"),
            "Ok(ValuesGet { id: \"abc\", range: \"'a/b'!A1\" })"
        );
        assert!(route(&Method::GET, "/v4/spreadsheets/abc/values/'a/b'!A1").is_err());
        assert_eq!(
            routed(Method::POST, "/v4/spreadsheets/abc:batchUpdate"),
            "Ok(BatchUpdate { id: \"abc\" })"
        );
        assert_eq!(
            routed(Method::GET, "/v4/spreadsheets/abc/values:batchGet"),
            "Ok(BatchGet { id: \"abc\" })"
        );
        assert!(route(&Method::DELETE, "/v4/spreadsheets/abc").is_err());
    }

    #[test]
    fn query_decoding() {
        assert_eq!(
            parse_query("ranges=Sheet1%21A1&ranges='My+Sheet'!B:B&x"),
            vec![
                ("ranges".to_owned(), "Sheet1!A1".to_owned()),
                ("ranges".to_owned(), "'My Sheet'!B:B".to_owned()),
                ("x".to_owned(), String::new()),
            ]
        );
        assert_eq!(percent_decode("%zz%4", false).as_deref(), Some("%zz%4"));
    }
}
