//! The Sheets API v4 client: spreadsheet metadata and batched value reads, with the
//! request budget, authentication, retries and error classification every call shares.
//!
//! Every request first gets an authorization from the shared [`Authenticator`], then takes
//! a permit from the credential's [`RequestBudget`] right before it is sent. Failures are classified:
//!
//! * **transient** — a network error, 408, 429 or any 5xx: retried with exponential backoff
//!   and jitter, honouring `Retry-After`, for as long as it takes (each retry is logged);
//!   the caller's future can be dropped at any wait to stop;
//! * **401** — the token is dropped and a new one fetched, once; a second 401 is permanent;
//! * **permanent** — 400, 403, 404 and the rest: an error naming the spreadsheet, the sheets
//!   and the principal (the service-account email), with what to do about it. A 400 for a
//!   range past the end of the grid is told apart ([`SheetsError::GridLimits`]) so that the
//!   task refreshes the grid size instead of failing.
//!
//! Nothing logged or returned contains a secret or a URL (an API key travels in the query
//! string, so URLs are never printed).

use std::error::Error as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Deserialize;

use crate::auth::{AuthError, Authenticator, Authorization};
use crate::budget::RequestBudget;
use crate::retry::{RetryPolicy, parse_retry_after};

/// How cell values are rendered (the API's `valueRenderOption`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueRender {
    /// Strings as the sheet shows them.
    Formatted,
    /// Numbers and booleans as such; dates as their formatted text.
    Unformatted,
}

impl ValueRender {
    pub fn api_name(self) -> &'static str {
        match self {
            ValueRender::Formatted => "FORMATTED_VALUE",
            ValueRender::Unformatted => "UNFORMATTED_VALUE",
        }
    }
}

/// A spreadsheet's metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct SpreadsheetMeta {
    pub spreadsheet_id: String,
    pub title: String,
    pub locale: String,
    pub time_zone: String,
    pub sheets: Vec<SheetMeta>,
}

/// One sheet (tab) of a spreadsheet.
#[derive(Clone, Debug, PartialEq)]
pub struct SheetMeta {
    pub sheet_id: i64,
    pub title: String,
    pub index: i64,
    /// `GRID` for a sheet of cells; `OBJECT` (a chart sheet) and others have no values.
    pub sheet_type: String,
    pub row_count: u64,
    pub column_count: u64,
}

impl SheetMeta {
    pub fn is_grid(&self) -> bool {
        self.sheet_type.is_empty() || self.sheet_type == "GRID"
    }
}

/// The rows of one requested range. Rows are as the API sends them: trailing empty cells
/// and trailing empty rows trimmed, an interior empty row as `[]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ValueRange {
    pub range: String,
    pub values: Vec<Vec<serde_json::Value>>,
}

/// The answer to a `values:batchGet`: one [`ValueRange`] per requested range, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchResponse {
    pub value_ranges: Vec<ValueRange>,
    /// The size of the response body.
    pub body_bytes: usize,
}

/// A failed Sheets API call that is not worth retrying.
#[derive(Debug, thiserror::Error)]
pub enum SheetsError {
    #[error(
        "the Sheets API refused {operation} {target} as {principal}: HTTP {status}{}: {message}{}",
        google_status.as_ref().map(|s| format!(" {s}")).unwrap_or_default(),
        hint.as_ref().map(|h| format!("; {h}")).unwrap_or_default()
    )]
    Refused {
        operation: &'static str,
        target: String,
        principal: String,
        status: u16,
        google_status: Option<String>,
        message: String,
        hint: Option<String>,
    },
    #[error("reading {target}: a range starts past the end of the grid: {message}")]
    GridLimits { target: String, message: String },
    #[error("could not authenticate to {operation} {target}")]
    Auth {
        operation: &'static str,
        target: String,
        #[source]
        source: AuthError,
    },
    #[error(
        "the Sheets API answered {operation} {target} with a body that is not what it documents"
    )]
    Decode {
        operation: &'static str,
        target: String,
        #[source]
        source: serde_json::Error,
    },
}

/// Counters of one client's requests.
#[derive(Debug, Default)]
pub struct ClientStats {
    /// Requests sent to the Sheets API (retries included).
    pub requests: AtomicU64,
    /// Requests that failed transiently and were retried.
    pub retries: AtomicU64,
    /// Of those, the ones answered 429.
    pub throttled: AtomicU64,
}

/// A Sheets API client bound to one spreadsheet.
#[derive(Clone, Debug)]
pub struct SheetsClient {
    http: reqwest::Client,
    base_url: String,
    spreadsheet_id: String,
    auth: Arc<Authenticator>,
    budget: Arc<RequestBudget>,
    retry: RetryPolicy,
    stats: Arc<ClientStats>,
    /// The task's counters on the worker's `/metrics`, once a task owns the client.
    metrics: Option<connect_api::metrics::TaskMetrics>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpreadsheetJson {
    #[serde(default)]
    spreadsheet_id: Option<String>,
    #[serde(default)]
    properties: SpreadsheetPropertiesJson,
    #[serde(default)]
    sheets: Vec<SheetJson>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpreadsheetPropertiesJson {
    #[serde(default)]
    title: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    time_zone: String,
}

#[derive(Deserialize)]
struct SheetJson {
    #[serde(default)]
    properties: SheetPropertiesJson,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SheetPropertiesJson {
    #[serde(default)]
    sheet_id: i64,
    #[serde(default)]
    title: String,
    #[serde(default)]
    index: i64,
    #[serde(default)]
    sheet_type: String,
    #[serde(default)]
    grid_properties: GridPropertiesJson,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GridPropertiesJson {
    #[serde(default)]
    row_count: u64,
    #[serde(default)]
    column_count: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchGetJson {
    #[serde(default)]
    value_ranges: Vec<ValueRangeJson>,
}

#[derive(Deserialize)]
struct ValueRangeJson {
    #[serde(default)]
    range: String,
    #[serde(default)]
    values: Vec<Vec<serde_json::Value>>,
}

#[derive(Deserialize)]
struct GoogleErrorJson {
    error: GoogleErrorBody,
}

#[derive(Deserialize)]
struct GoogleErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    status: Option<String>,
}

/// What a request was about, for messages.
struct Target<'a> {
    operation: &'static str,
    sheets: &'a [&'a str],
}

/// A network failure, described without its URL (which may carry an API key).
pub(crate) fn describe_transport_error(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "the request timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the response could not be read"
    } else {
        "the request failed"
    };
    let mut described = kind.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        described.push_str(": ");
        described.push_str(&inner.to_string());
        cause = inner.source();
    }
    described
}

impl SheetsClient {
    pub fn new(
        http: reqwest::Client,
        base_url: &str,
        spreadsheet_id: &str,
        auth: Arc<Authenticator>,
        budget: Arc<RequestBudget>,
        retry: RetryPolicy,
    ) -> SheetsClient {
        SheetsClient {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            spreadsheet_id: spreadsheet_id.to_string(),
            auth,
            budget,
            retry,
            stats: Arc::new(ClientStats::default()),
            metrics: None,
        }
    }

    /// Counts this client's requests, retries and throttled answers on the task's metrics
    /// (`google_sheets_api_requests_total`, `..._retries_total`, `..._throttled_total`).
    pub fn with_metrics(mut self, metrics: connect_api::metrics::TaskMetrics) -> SheetsClient {
        self.metrics = Some(metrics);
        self
    }

    fn count(&self, name: &str, help: &str, operation: &str) {
        if let Some(metrics) = &self.metrics {
            metrics.count(name, help, &[("operation", operation)], 1);
        }
    }

    pub fn spreadsheet_id(&self) -> &str {
        &self.spreadsheet_id
    }

    pub fn principal(&self) -> &str {
        self.auth.principal()
    }

    pub fn stats(&self) -> &Arc<ClientStats> {
        &self.stats
    }

    pub fn budget(&self) -> &Arc<RequestBudget> {
        &self.budget
    }

    /// `spreadsheets.get`: the title, locale, time zone and sheets, without cell data.
    pub async fn spreadsheet(&self) -> Result<SpreadsheetMeta, SheetsError> {
        let url = format!("{}/v4/spreadsheets/{}", self.base_url, self.spreadsheet_id);
        let query = vec![
            ("includeGridData".to_string(), "false".to_string()),
            (
                "fields".to_string(),
                "spreadsheetId,properties(title,locale,timeZone),sheets(properties(sheetId,\
                 title,index,sheetType,gridProperties(rowCount,columnCount)))"
                    .to_string(),
            ),
        ];
        let target = Target {
            operation: "reading the metadata of",
            sheets: &[],
        };
        let body = self.get(&url, &query, &target).await?;
        let parsed: SpreadsheetJson =
            serde_json::from_slice(&body).map_err(|source| SheetsError::Decode {
                operation: target.operation,
                target: self.describe(&target),
                source,
            })?;
        Ok(SpreadsheetMeta {
            spreadsheet_id: parsed
                .spreadsheet_id
                .unwrap_or_else(|| self.spreadsheet_id.clone()),
            title: parsed.properties.title,
            locale: parsed.properties.locale,
            time_zone: parsed.properties.time_zone,
            sheets: parsed
                .sheets
                .into_iter()
                .map(|s| SheetMeta {
                    sheet_id: s.properties.sheet_id,
                    title: s.properties.title,
                    index: s.properties.index,
                    sheet_type: s.properties.sheet_type,
                    row_count: s.properties.grid_properties.row_count,
                    column_count: s.properties.grid_properties.column_count,
                })
                .collect(),
        })
    }

    /// `values:batchGet` of `ranges` (A1, with quoted sheet names) in one request, rows
    /// major. `sheets` names the sheets read, for error messages.
    pub async fn batch_get(
        &self,
        ranges: &[String],
        render: ValueRender,
        sheets: &[&str],
    ) -> Result<BatchResponse, SheetsError> {
        let url = format!(
            "{}/v4/spreadsheets/{}/values:batchGet",
            self.base_url, self.spreadsheet_id
        );
        let mut query: Vec<(String, String)> = ranges
            .iter()
            .map(|r| ("ranges".to_string(), r.clone()))
            .collect();
        query.push(("majorDimension".to_string(), "ROWS".to_string()));
        query.push((
            "valueRenderOption".to_string(),
            render.api_name().to_string(),
        ));
        query.push((
            "dateTimeRenderOption".to_string(),
            "FORMATTED_STRING".to_string(),
        ));
        let target = Target {
            operation: "reading",
            sheets,
        };
        let body = self.get(&url, &query, &target).await?;
        let parsed: BatchGetJson =
            serde_json::from_slice(&body).map_err(|source| SheetsError::Decode {
                operation: target.operation,
                target: self.describe(&target),
                source,
            })?;
        let mut value_ranges: Vec<ValueRange> = parsed
            .value_ranges
            .into_iter()
            .map(|v| ValueRange {
                range: v.range,
                values: v.values,
            })
            .collect();
        // The API answers every range, in order; a short answer means "no values" for the
        // missing ones rather than a reason to fail.
        value_ranges.resize_with(ranges.len(), ValueRange::default);
        Ok(BatchResponse {
            value_ranges,
            body_bytes: body.len(),
        })
    }

    fn describe(&self, target: &Target<'_>) -> String {
        let mut described = format!("spreadsheet {}", self.spreadsheet_id);
        if !target.sheets.is_empty() {
            let names: Vec<String> = target.sheets.iter().map(|s| format!("'{s}'")).collect();
            described.push_str(if names.len() == 1 {
                " sheet "
            } else {
                " sheets "
            });
            described.push_str(&names.join(", "));
        }
        described
    }

    fn hint(&self, status: u16) -> Option<String> {
        let principal = self.auth.principal();
        match status {
            403 => Some(match principal.strip_prefix("service account ") {
                Some(email) => format!(
                    "share the spreadsheet with {email} (Viewer is enough), and check that \
                     the Google Sheets API is enabled in the service account's project"
                ),
                None if principal == "an API key" => "an API key only reads spreadsheets \
                     shared as 'anyone with the link'; share it so, or use a service account"
                    .to_string(),
                None => "check that this user can open the spreadsheet and that the Google \
                         Sheets API is enabled in the OAuth client's project"
                    .to_string(),
            }),
            404 => Some(
                "check spreadsheet.id (the part of the URL after /d/) and that the spreadsheet \
                 and the configured sheets still exist"
                    .to_string(),
            ),
            401 => Some(
                "the access token was refused twice; check that the credential was not \
                 revoked or deleted"
                    .to_string(),
            ),
            _ => None,
        }
    }

    /// One GET with budget, authorization, retries and classification.
    async fn get(
        &self,
        url: &str,
        query: &[(String, String)],
        target: &Target<'_>,
    ) -> Result<Vec<u8>, SheetsError> {
        let mut attempt: u32 = 0;
        let mut refreshed_after_401 = false;
        loop {
            attempt += 1;
            // The token first (fetching one may take a moment), then the permit, so that a
            // permit is spent right before its request goes out.
            let authorization =
                self.auth
                    .authorization()
                    .await
                    .map_err(|source| SheetsError::Auth {
                        operation: target.operation,
                        target: self.describe(target),
                        source,
                    })?;
            self.budget.acquire().await;
            let mut request = self.http.get(url).query(query);
            request = match &authorization {
                Authorization::Bearer(token) => request.bearer_auth(token.value()),
                Authorization::ApiKey(key) => request.query(&[("key", key.value())]),
            };
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            self.count(
                "google_sheets_api_requests_total",
                "Requests sent to the Google Sheets API",
                target.operation,
            );
            let (problem, retry_after) = match request.send().await {
                Err(e) => (describe_transport_error(&e), None),
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, jiff::Timestamp::now()));
                    match response.bytes().await {
                        Err(e) => (describe_transport_error(&e), retry_after),
                        Ok(body) if (200..300).contains(&status) => return Ok(body.to_vec()),
                        Ok(_) if status == 401 && !refreshed_after_401 => {
                            tracing::info!(
                                "the Sheets API refused the access token of {}; fetching a new one",
                                self.auth.principal()
                            );
                            self.auth.invalidate(&authorization).await;
                            refreshed_after_401 = true;
                            continue;
                        }
                        Ok(body) if status == 408 || status == 429 || status >= 500 => {
                            if status == 429 {
                                self.stats.throttled.fetch_add(1, Ordering::Relaxed);
                                self.count(
                                    "google_sheets_api_throttled_total",
                                    "Google Sheets API answers 429 (quota exceeded)",
                                    target.operation,
                                );
                            }
                            let google = google_error(&body);
                            (
                                format!(
                                    "HTTP {status}{}",
                                    google
                                        .map(|(message, _)| format!(": {message}"))
                                        .unwrap_or_default()
                                ),
                                retry_after,
                            )
                        }
                        Ok(body) => {
                            let (message, google_status) =
                                google_error(&body).unwrap_or_else(|| {
                                    (
                                        String::from_utf8_lossy(&body).chars().take(300).collect(),
                                        None,
                                    )
                                });
                            if status == 400 && message.contains("exceeds grid limits") {
                                return Err(SheetsError::GridLimits {
                                    target: self.describe(target),
                                    message,
                                });
                            }
                            return Err(SheetsError::Refused {
                                operation: target.operation,
                                target: self.describe(target),
                                principal: self.auth.principal().to_string(),
                                status,
                                google_status,
                                message,
                                hint: self.hint(status),
                            });
                        }
                    }
                }
            };
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            self.count(
                "google_sheets_api_retries_total",
                "Google Sheets API requests retried after a transient failure",
                target.operation,
            );
            let wait = self.retry.delay(attempt, retry_after);
            tracing::warn!(
                "{} {} failed (attempt {attempt}): {problem}; retrying in {} ms",
                target.operation,
                self.describe(target),
                wait.as_millis()
            );
            tokio::time::sleep(wait).await;
        }
    }
}

/// Google's `{"error": {"message", "status"}}`, when the body is one.
fn google_error(body: &[u8]) -> Option<(String, Option<String>)> {
    let parsed: GoogleErrorJson = serde_json::from_slice(body).ok()?;
    Some((parsed.error.message, parsed.error.status))
}

/// The HTTP client the connector uses: rustls, a connect timeout, and the request timeout
/// (`request.timeout.ms`; Google's own limit is 180 s).
pub fn http_client(request_timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10).min(request_timeout))
        .timeout(request_timeout)
        .user_agent(concat!(
            "tributary-connect-google-sheets/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
}
