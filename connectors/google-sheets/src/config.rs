//! The connector's configuration: its [`ConfigDef`] (the single source of the REST
//! validation, the task's parsing and the README's reference table) and the validated
//! [`SheetsConfig`] a task runs with.
//!
//! Configs go raw props -> [`config_def`] (types, defaults, ranges) -> [`SheetsConfig::build`]
//! (cross-key rules, credentials, the spreadsheet id) -> a value that carries the
//! guarantees. [`validate`] runs the same steps and attaches each problem to the key a person
//! has to change, for `PUT /connector-plugins/{p}/config/validate`.
//!
//! The seed connector's keys (`sheet_id`, `sheet_fetch_size`, `type`, `project_id`,
//! `private_key_id`, `private_key`, `client_email`, ...) are defined here too, so its JSON
//! config is accepted unchanged, by either class name.

use std::collections::HashSet;
use std::sync::LazyLock;
use std::time::Duration;

use connect_api::config::validators::{Range, ValidString};
use connect_api::config::{ConfigError, ConfigValueT, HIDDEN, Validator};
use connect_api::{ConfigDef, ConfigKey, ConfigType, ConfigValue, Importance, Password, Props};
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::a1;
use crate::auth::{Credentials, KeyError, ServiceAccountKey, UserCredentials};
use crate::client::ValueRender;
use crate::retry::RetryPolicy;
use crate::window::WindowLimits;

/// The connector's class name.
pub const CONNECTOR_CLASS: &str = "io.tributary.connect.googlesheets.GoogleSheetsSourceConnector";
/// The seed connector's class name, accepted with its record shape (see the crate docs).
pub const SEED_CONNECTOR_CLASS: &str = "io.github.brewagebear.SimpleGoogleSheetConnector";

pub const TOPIC_CONFIG: &str = "topic";
pub const SPREADSHEET_ID_CONFIG: &str = "spreadsheet.id";
pub const SHEETS_CONFIG: &str = "sheets";
pub const HEADER_ROW_CONFIG: &str = "header.row";
pub const START_ROW_CONFIG: &str = "start.row";

pub const KEY_MODE_CONFIG: &str = "key.mode";
pub const KEY_COLUMN_CONFIG: &str = "key.column";
pub const VALUE_RENDER_CONFIG: &str = "value.render.option";
pub const TIMESTAMP_COLUMN_CONFIG: &str = "timestamp.column";
pub const TIMESTAMP_FORMAT_CONFIG: &str = "timestamp.format";

pub const POLL_INTERVAL_CONFIG: &str = "poll.interval.ms";
pub const FETCH_MAX_BYTES_CONFIG: &str = "fetch.max.bytes";
pub const FETCH_MAX_ROWS_CONFIG: &str = "fetch.max.rows";
pub const ANCHOR_SEARCH_ROWS_CONFIG: &str = "anchor.search.rows";
pub const QUOTA_READS_CONFIG: &str = "quota.reads.per.minute";
pub const QUOTA_WINDOW_CONFIG: &str = "quota.window.ms";
pub const RETRY_BACKOFF_INITIAL_CONFIG: &str = "retry.backoff.initial.ms";
pub const RETRY_BACKOFF_MAX_CONFIG: &str = "retry.backoff.max.ms";

pub const API_BASE_URL_CONFIG: &str = "api.base.url";
pub const TOKEN_URI_OVERRIDE_CONFIG: &str = "oauth.token.uri";
pub const REQUEST_TIMEOUT_CONFIG: &str = "request.timeout.ms";

pub const CREDENTIALS_JSON_CONFIG: &str = "credentials.json";
pub const CREDENTIALS_FILE_CONFIG: &str = "credentials.file";
pub const API_KEY_CONFIG: &str = "api.key";
pub const OAUTH_CLIENT_ID_CONFIG: &str = "oauth.client.id";
pub const OAUTH_CLIENT_SECRET_CONFIG: &str = "oauth.client.secret";
pub const OAUTH_REFRESH_TOKEN_CONFIG: &str = "oauth.refresh.token";

pub const SEED_SHEET_ID_CONFIG: &str = "sheet_id";
pub const SEED_FETCH_SIZE_CONFIG: &str = "sheet_fetch_size";
pub const SEED_TYPE_CONFIG: &str = "type";
pub const SEED_PROJECT_ID_CONFIG: &str = "project_id";
pub const SEED_PRIVATE_KEY_ID_CONFIG: &str = "private_key_id";
pub const SEED_PRIVATE_KEY_CONFIG: &str = "private_key";
pub const SEED_CLIENT_EMAIL_CONFIG: &str = "client_email";
pub const SEED_CLIENT_ID_CONFIG: &str = "client_id";
pub const SEED_AUTH_URI_CONFIG: &str = "auth_uri";
pub const SEED_TOKEN_URI_CONFIG: &str = "token_uri";
pub const SEED_AUTH_PROVIDER_CERT_URL_CONFIG: &str = "auth_provider_x509_cert_url";
pub const SEED_CLIENT_CERT_URL_CONFIG: &str = "client_x509_cert_url";
pub const SEED_UNIVERSE_DOMAIN_CONFIG: &str = "universe_domain";

/// Internal: the sheets a task reads, as JSON, set by the connector in each task config.
pub const TASK_SHEETS_CONFIG: &str = "tributary.google.sheets.task.sheets";

pub const DEFAULT_API_BASE_URL: &str = "https://sheets.googleapis.com";
pub const DEFAULT_POLL_INTERVAL_MS: i64 = 5_000;
pub const DEFAULT_FETCH_MAX_BYTES: i32 = 2_000_000;
pub const DEFAULT_FETCH_MAX_ROWS: i32 = 50_000;
pub const DEFAULT_ANCHOR_SEARCH_ROWS: i32 = 1_000;
pub const DEFAULT_QUOTA_READS: i32 = 50;

const GROUP_SPREADSHEET: &str = "Spreadsheet";
const GROUP_RECORDS: &str = "Records";
const GROUP_POLLING: &str = "Polling and quotas";
const GROUP_CONNECTION: &str = "Connection";
const GROUP_CREDENTIALS: &str = "Credentials";
const GROUP_SEED: &str = "Service-account key fields (the seed connector's keys)";

/// Which class the config was given to: the record shape differs (see the crate docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// `GoogleSheetsSourceConnector`: one Struct per row, named fields.
    Tributary,
    /// `io.github.brewagebear.SimpleGoogleSheetConnector`: key = column A, value = column B,
    /// both strings, from row 2 of the first sheet.
    Seed,
}

/// What the record key is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyMode {
    None,
    /// The 1-based row number, an INT64.
    RowNumber,
    /// One column's value, by header name or column letter.
    Column(String),
}

/// Where the record timestamp comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimestampSource {
    /// The time the row was read.
    Ingestion,
    /// A column (by header name or column letter) holding a date-time.
    Column(String),
}

/// A sheet assigned to a task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSheet {
    pub id: i64,
    pub title: String,
}

/// A validated configuration.
#[derive(Clone, Debug)]
pub struct SheetsConfig {
    pub flavor: Flavor,
    pub topic: String,
    pub spreadsheet_id: String,
    /// The configured sheet names; empty for every grid sheet (the first, for the seed).
    pub sheets: Vec<String>,
    /// The header row, `None` without one.
    pub header_row: Option<u64>,
    /// The first data row.
    pub start_row: u64,
    pub key: KeyMode,
    pub render: ValueRender,
    pub timestamp: TimestampSource,
    pub timestamp_format: Option<String>,
    pub poll_interval: Duration,
    pub window: WindowLimits,
    pub anchor_search_rows: u64,
    pub quota_limit: u32,
    pub quota_window: Duration,
    pub retry: RetryPolicy,
    pub request_timeout: Duration,
    pub api_base_url: String,
    pub token_uri_override: Option<String>,
    pub credentials: Credentials,
    /// Set by the connector in task configs.
    pub task_sheets: Option<Vec<TaskSheet>>,
}

/// Accepts any URL with an http or https scheme.
struct HttpUrl;

impl Validator for HttpUrl {
    fn ensure_valid(&self, name: &str, value: &ConfigValueT) -> Result<(), ConfigError> {
        match value {
            ConfigValueT::String(s) if !s.is_empty() => {
                check_http_url(s).map_err(|reason| ConfigError::invalid(name, s.as_str(), reason))
            }
            _ => Ok(()),
        }
    }
    fn describe(&self) -> Option<String> {
        Some("an http or https URL".to_string())
    }
}

/// A range check that lets an unset (null) value through.
struct OptionalAtLeast(i64);

impl Validator for OptionalAtLeast {
    fn ensure_valid(&self, name: &str, value: &ConfigValueT) -> Result<(), ConfigError> {
        if *value == ConfigValueT::Null {
            return Ok(());
        }
        Range::at_least(self.0 as f64).ensure_valid(name, value)
    }
    fn describe(&self) -> Option<String> {
        Range::at_least(self.0 as f64).describe()
    }
}

fn check_http_url(text: &str) -> Result<(), String> {
    match reqwest::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(()),
        Ok(_) => Err("must be an http or https URL with a host".to_string()),
        Err(e) => Err(format!("is not a URL ({e})")),
    }
}

fn key(name: &str, config_type: ConfigType) -> ConfigKey {
    ConfigKey::new(name, config_type)
}

/// Every key of both classes, grouped, with the documentation the README shows.
pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        // Spreadsheet
        .define(
            key(TOPIC_CONFIG, ConfigType::String)
                .validator(connect_api::config::validators::NonEmptyString)
                .importance(Importance::High)
                .group(GROUP_SPREADSHEET, 0)
                .display_name("Topic")
                .doc("The topic every record is written to."),
        )
        .define(
            key(SPREADSHEET_ID_CONFIG, ConfigType::String)
                .default_null()
                .importance(Importance::High)
                .group(GROUP_SPREADSHEET, 1)
                .display_name("Spreadsheet")
                .doc(
                    "The spreadsheet to read: its id (the part of its URL after /d/) or its \
                     whole URL (https://docs.google.com/spreadsheets/d/ID/edit). Required, \
                     unless the seed's sheet_id is given.",
                ),
        )
        .define(
            key(SHEETS_CONFIG, ConfigType::List)
                .default_value("")
                .importance(Importance::High)
                .group(GROUP_SPREADSHEET, 2)
                .display_name("Sheets")
                .doc(
                    "The names of the sheets (tabs) to read, comma-separated, e.g. Form \
                     responses 1. Empty: every grid sheet of the spreadsheet (the \
                     SimpleGoogleSheetConnector class reads the first sheet only). Sheets are \
                     divided among up to tasks.max tasks; no two tasks read the same sheet.",
                ),
        )
        .define(
            key(HEADER_ROW_CONFIG, ConfigType::Int)
                .default_value("1")
                .validator(Range::at_least(0))
                .importance(Importance::Medium)
                .group(GROUP_SPREADSHEET, 3)
                .display_name("Header row")
                .doc(
                    "The row holding the column names, which become the value's field \
                     names; it is re-read on every poll, so a column added later (a new \
                     question of a form) adds a field without a restart. A blank header cell \
                     names its field after the column letter (C), a repeated name gets a \
                     suffix (Question, Question_2, Question_3). 0: no header row, every \
                     field is named by its column letter.",
                ),
        )
        .define(
            key(START_ROW_CONFIG, ConfigType::Int)
                .default_value("0")
                .validator(Range::at_least(0))
                .importance(Importance::Medium)
                .group(GROUP_SPREADSHEET, 4)
                .display_name("First data row")
                .doc(
                    "The first row to read when there is no committed offset. 0: the row \
                     after header.row (row 2 with the default header, row 1 without a \
                     header; row 2 for the SimpleGoogleSheetConnector class).",
                ),
        )
        // Records
        .define(
            key(KEY_MODE_CONFIG, ConfigType::String)
                .default_value("NONE")
                .validator(ValidString::one_of_ignore_case(["NONE", "ROW", "COLUMN"]))
                .importance(Importance::Medium)
                .group(GROUP_RECORDS, 0)
                .display_name("Key")
                .doc(
                    "The record key. NONE: no key. ROW: the row number (INT64); note that \
                     row numbers change when rows are deleted above. COLUMN: the value of \
                     key.column.",
                ),
        )
        .define(
            key(KEY_COLUMN_CONFIG, ConfigType::String)
                .default_null()
                .importance(Importance::Medium)
                .group(GROUP_RECORDS, 1)
                .display_name("Key column")
                .doc(
                    "With key.mode=COLUMN, the column whose value is the key: a header name \
                     (Email address) or a column letter (B).",
                ),
        )
        .define(
            key(VALUE_RENDER_CONFIG, ConfigType::String)
                .default_value("FORMATTED_VALUE")
                .validator(ValidString::one_of_ignore_case([
                    "FORMATTED_VALUE",
                    "UNFORMATTED_VALUE",
                ]))
                .importance(Importance::Medium)
                .group(GROUP_RECORDS, 2)
                .display_name("Value rendering")
                .doc(
                    "FORMATTED_VALUE: every field is an optional string, the cell's text as \
                     the sheet shows it. UNFORMATTED_VALUE: numbers become FLOAT64, booleans \
                     BOOLEAN, date-times a Timestamp (parsed with the spreadsheet's locale \
                     and time zone), other cells strings; a column's type is set by its first \
                     value, and a column whose values disagree becomes a string column. An \
                     empty cell is null either way.",
                ),
        )
        .define(
            key(TIMESTAMP_COLUMN_CONFIG, ConfigType::String)
                .default_null()
                .importance(Importance::Medium)
                .group(GROUP_RECORDS, 3)
                .display_name("Timestamp column")
                .doc(
                    "A column (header name or letter) whose date-time becomes the record \
                     timestamp, read in the spreadsheet's locale and time zone, e.g. \
                     Timestamp in a Google Forms response sheet (4/6/2025 18:56:53 in \
                     en_US). Empty: the time the row was read. A cell that does not parse \
                     falls back to the read time, with a warning.",
                ),
        )
        .define(
            key(TIMESTAMP_FORMAT_CONFIG, ConfigType::String)
                .default_null()
                .importance(Importance::Low)
                .group(GROUP_RECORDS, 4)
                .display_name("Timestamp format")
                .doc(
                    "A strftime format (e.g. %d %B %Y %H:%M) for timestamp.column and typed \
                     date-times, for sheets with a custom date format. Empty: the \
                     spreadsheet locale's date and time.",
                ),
        )
        // Polling and quotas
        .define(
            key(POLL_INTERVAL_CONFIG, ConfigType::Long)
                .default_value(DEFAULT_POLL_INTERVAL_MS.to_string())
                .validator(Range::at_least(0))
                .importance(Importance::High)
                .group(GROUP_POLLING, 0)
                .display_name("Poll interval")
                .doc(
                    "How long to wait between two reads once every sheet is caught up, in \
                     milliseconds. The first poll is immediate, and a task that is behind \
                     reads again at once. Each poll is one request for all of a task's \
                     sheets, so this is also what a task spends of the read quota.",
                ),
        )
        .define(
            key(FETCH_MAX_BYTES_CONFIG, ConfigType::Int)
                .default_value(DEFAULT_FETCH_MAX_BYTES.to_string())
                .validator(Range::at_least(1_000))
                .importance(Importance::Low)
                .group(GROUP_POLLING, 1)
                .display_name("Bytes per request")
                .doc(
                    "The response size one request aims to stay under (Google recommends \
                     about 2 MB); windows of rows are sized from the bytes per row seen so \
                     far, and requests reading several sheets share it.",
                ),
        )
        .define(
            key(FETCH_MAX_ROWS_CONFIG, ConfigType::Int)
                .default_value(DEFAULT_FETCH_MAX_ROWS.to_string())
                .validator(Range::at_least(1))
                .importance(Importance::Low)
                .group(GROUP_POLLING, 2)
                .display_name("Rows per request")
                .doc("The most rows one request reads from one sheet."),
        )
        .define(
            key(ANCHOR_SEARCH_ROWS_CONFIG, ConfigType::Int)
                .default_value(DEFAULT_ANCHOR_SEARCH_ROWS.to_string())
                .validator(Range::at_least(0))
                .importance(Importance::Low)
                .group(GROUP_POLLING, 3)
                .display_name("Re-anchoring search window")
                .doc(
                    "When the last row read no longer has its fingerprint (rows were \
                     inserted or deleted above it, or it was edited), how many rows on each \
                     side of its old position are searched for it. See the README on \
                     re-anchoring.",
                ),
        )
        .define(
            key(QUOTA_READS_CONFIG, ConfigType::Int)
                .default_value(DEFAULT_QUOTA_READS.to_string())
                .validator(Range::at_least(1))
                .importance(Importance::Medium)
                .group(GROUP_POLLING, 4)
                .display_name("Read requests per minute")
                .doc(
                    "The most Sheets API requests per quota.window.ms made with one \
                     credential by the whole worker process: every task of every connector \
                     using the same credential shares this budget. Google allows 60 read \
                     requests per minute per user; the default leaves room for others.",
                ),
        )
        .define(
            key(QUOTA_WINDOW_CONFIG, ConfigType::Long)
                .default_value("60000")
                .validator(Range::at_least(1))
                .importance(Importance::Low)
                .group(GROUP_POLLING, 5)
                .display_name("Quota window")
                .doc(
                    "The window quota.reads.per.minute counts in, in milliseconds (Google's \
                     is a minute; shorter windows are for tests against the emulator).",
                ),
        )
        .define(
            key(RETRY_BACKOFF_INITIAL_CONFIG, ConfigType::Long)
                .default_value("1000")
                .validator(Range::at_least(1))
                .importance(Importance::Low)
                .group(GROUP_POLLING, 6)
                .display_name("Initial retry backoff")
                .doc(
                    "The wait before retrying a request that failed transiently (a network \
                     error, 429 or 5xx), doubled on each further failure, with jitter. A \
                     Retry-After from the server is honoured. Transient failures are retried \
                     until they succeed; they never fail the task or skip rows.",
                ),
        )
        .define(
            key(RETRY_BACKOFF_MAX_CONFIG, ConfigType::Long)
                .default_value("60000")
                .validator(Range::at_least(1))
                .importance(Importance::Low)
                .group(GROUP_POLLING, 7)
                .display_name("Maximum retry backoff")
                .doc("The longest wait between two retries, in milliseconds."),
        )
        // Connection
        .define(
            key(API_BASE_URL_CONFIG, ConfigType::String)
                .default_value(DEFAULT_API_BASE_URL)
                .validator(HttpUrl)
                .importance(Importance::Low)
                .group(GROUP_CONNECTION, 0)
                .display_name("Sheets API URL")
                .doc(
                    "The Sheets API base URL. Point it at a Sheets API emulator (e.g. \
                     http://127.0.0.1:8085, with oauth.token.uri or the key's token_uri at the \
                     emulator's token endpoint) to run offline.",
                ),
        )
        .define(
            key(TOKEN_URI_OVERRIDE_CONFIG, ConfigType::String)
                .default_null()
                .validator(HttpUrl)
                .importance(Importance::Low)
                .group(GROUP_CONNECTION, 1)
                .display_name("Token endpoint")
                .doc(
                    "The OAuth 2.0 token endpoint, overriding the token_uri of the \
                     service-account key. Empty: the key's token_uri, else \
                     https://oauth2.googleapis.com/token.",
                ),
        )
        .define(
            key(REQUEST_TIMEOUT_CONFIG, ConfigType::Long)
                .default_value("120000")
                .validator(Range::at_least(100))
                .importance(Importance::Low)
                .group(GROUP_CONNECTION, 2)
                .display_name("Request timeout")
                .doc(
                    "How long one HTTP request may take, in milliseconds, before it is \
                     abandoned and retried.",
                ),
        )
        // Credentials
        .define(
            key(CREDENTIALS_JSON_CONFIG, ConfigType::Password)
                .default_null()
                .importance(Importance::High)
                .group(GROUP_CREDENTIALS, 0)
                .display_name("Service-account key (JSON)")
                .doc(
                    "The JSON key of a service account, inline. Share the spreadsheet with \
                     the account's client_email (Viewer is enough). Configure exactly one \
                     credential: this, credentials.file, the seed's private_key and \
                     client_email, oauth.refresh.token, or api.key. Keep it out of the \
                     config with a config provider, e.g. ${file:/etc/secrets/sheets.properties:key}.",
                ),
        )
        .define(
            key(CREDENTIALS_FILE_CONFIG, ConfigType::String)
                .default_null()
                .importance(Importance::High)
                .group(GROUP_CREDENTIALS, 1)
                .display_name("Service-account key file")
                .doc(
                    "The path of a service account's JSON key file, read by the worker.",
                ),
        )
        .define(
            key(API_KEY_CONFIG, ConfigType::Password)
                .default_null()
                .importance(Importance::Medium)
                .group(GROUP_CREDENTIALS, 2)
                .display_name("API key")
                .doc(
                    "A Google API key, for spreadsheets shared as 'anyone with the link' \
                     only.",
                ),
        )
        .define(
            key(OAUTH_CLIENT_ID_CONFIG, ConfigType::String)
                .default_null()
                .importance(Importance::Medium)
                .group(GROUP_CREDENTIALS, 3)
                .display_name("OAuth client id")
                .doc("The OAuth client id, with oauth.refresh.token."),
        )
        .define(
            key(OAUTH_CLIENT_SECRET_CONFIG, ConfigType::Password)
                .default_null()
                .importance(Importance::Medium)
                .group(GROUP_CREDENTIALS, 4)
                .display_name("OAuth client secret")
                .doc("The OAuth client secret, with oauth.refresh.token."),
        )
        .define(
            key(OAUTH_REFRESH_TOKEN_CONFIG, ConfigType::Password)
                .default_null()
                .importance(Importance::Medium)
                .group(GROUP_CREDENTIALS, 5)
                .display_name("OAuth refresh token")
                .doc(
                    "A user's OAuth refresh token with the spreadsheets.readonly scope: the \
                     connector reads as that user.",
                ),
        )
        // The seed's keys
        .define(
            key(SEED_SHEET_ID_CONFIG, ConfigType::String)
                .default_null()
                .importance(Importance::High)
                .group(GROUP_SEED, 0)
                .doc("The seed's name for spreadsheet.id (an id or a URL)."),
        )
        .define(
            key(SEED_FETCH_SIZE_CONFIG, ConfigType::Int)
                .default_null()
                .validator(OptionalAtLeast(1))
                .importance(Importance::Low)
                .group(GROUP_SEED, 1)
                .doc(
                    "The seed's rows per request. Windows are sized by fetch.max.bytes \
                     instead; when set, this is the smallest window.",
                ),
        )
        .define(
            key(SEED_TYPE_CONFIG, ConfigType::String)
                .default_value("service_account")
                .validator(ValidString::one_of(["service_account"]))
                .importance(Importance::Low)
                .group(GROUP_SEED, 2)
                .doc("The key type; only service_account."),
        )
        .define(
            key(SEED_PROJECT_ID_CONFIG, ConfigType::String)
                .default_null()
                .importance(Importance::Low)
                .group(GROUP_SEED, 3)
                .doc("The service account's Google Cloud project id (informational)."),
        )
        .define(
            key(SEED_PRIVATE_KEY_ID_CONFIG, ConfigType::String)
                .default_null()
                .importance(Importance::Medium)
                .group(GROUP_SEED, 4)
                .doc("The id of the private key, sent as the JWT's kid."),
        )
        .define(
            key(SEED_PRIVATE_KEY_CONFIG, ConfigType::Password)
                .default_null()
                .importance(Importance::High)
                .group(GROUP_SEED, 5)
                .doc(
                    "The service account's private key, PEM (-----BEGIN PRIVATE KEY-----); \
                     \\n escapes are accepted. With client_email, this is a credential.",
                ),
        )
        .define(
            key(SEED_CLIENT_EMAIL_CONFIG, ConfigType::String)
                .default_null()
                .importance(Importance::High)
                .group(GROUP_SEED, 6)
                .doc("The service account's email, required with private_key."),
        )
        .define(
            key(SEED_CLIENT_ID_CONFIG, ConfigType::String)
                .default_null()
                .importance(Importance::Low)
                .group(GROUP_SEED, 7)
                .doc("The service account's client id (informational)."),
        )
        .define(
            key(SEED_AUTH_URI_CONFIG, ConfigType::String)
                .default_null()
                .importance(Importance::Low)
                .group(GROUP_SEED, 8)
                .doc("Accepted for compatibility; not used."),
        )
        .define(
            key(SEED_TOKEN_URI_CONFIG, ConfigType::String)
                .default_null()
                .validator(HttpUrl)
                .importance(Importance::Low)
                .group(GROUP_SEED, 9)
                .doc(
                    "The token endpoint of the private_key credential. Empty: \
                     https://oauth2.googleapis.com/token.",
                ),
        )
        .define(
            key(SEED_AUTH_PROVIDER_CERT_URL_CONFIG, ConfigType::String)
                .default_null()
                .importance(Importance::Low)
                .group(GROUP_SEED, 10)
                .doc("Accepted for compatibility; not used."),
        )
        .define(
            key(SEED_CLIENT_CERT_URL_CONFIG, ConfigType::String)
                .default_null()
                .importance(Importance::Low)
                .group(GROUP_SEED, 11)
                .doc("Accepted for compatibility; not used."),
        )
        .define(
            key(SEED_UNIVERSE_DOMAIN_CONFIG, ConfigType::String)
                .default_null()
                .importance(Importance::Low)
                .group(GROUP_SEED, 12)
                .doc("Accepted for compatibility; not used."),
        )
        .define(
            key(TASK_SHEETS_CONFIG, ConfigType::String)
                .default_null()
                .internal()
                .doc("The sheets assigned to a task, set by the connector."),
        )
}

static URL_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/d/([-A-Za-z0-9_]{20,})").expect("the spreadsheet URL pattern is a valid regex")
});
static ANY_URL_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/([-A-Za-z0-9_]{20,})(?:[/?#]|$)")
        .expect("the spreadsheet URL pattern is a valid regex")
});
static PLAIN_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[-A-Za-z0-9_]+$").expect("the spreadsheet id pattern is a valid regex")
});

/// The spreadsheet id in `input`: an id as is, or the id in a spreadsheet URL.
pub fn parse_spreadsheet_id(input: &str) -> Result<String, String> {
    let input = input.trim();
    if input.contains("://") || input.starts_with("docs.google.com") {
        let found = URL_ID
            .captures(input)
            .or_else(|| ANY_URL_ID.captures(input))
            .and_then(|c| c.get(1));
        return found.map(|m| m.as_str().to_string()).ok_or_else(|| {
            "is a URL without a spreadsheet id in it; copy the spreadsheet's own URL \
             (https://docs.google.com/spreadsheets/d/<id>/edit)"
                .to_string()
        });
    }
    if PLAIN_ID.is_match(input) {
        return Ok(input.to_string());
    }
    Err(
        "is neither a spreadsheet id (letters, digits, '-' and '_': the part of the \
         spreadsheet's URL after /d/) nor a spreadsheet URL"
            .to_string(),
    )
}

/// The values a config was parsed into, by key; keys that did not parse are absent. It
/// lets validation (where some keys may not parse) and parsing share one set of rules.
#[derive(Default)]
struct Values(Vec<(String, ConfigValueT)>);

impl Values {
    fn raw(&self, name: &str) -> Option<&ConfigValueT> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// A string value, trimmed, `None` when unset or empty.
    fn string(&self, name: &str) -> Option<String> {
        match self.raw(name)? {
            ConfigValueT::String(s) | ConfigValueT::Class(s) if !s.trim().is_empty() => {
                Some(s.trim().to_string())
            }
            _ => None,
        }
    }

    fn password(&self, name: &str) -> Option<Password> {
        match self.raw(name)? {
            ConfigValueT::Password(p) if !p.value().trim().is_empty() => Some(p.clone()),
            _ => None,
        }
    }

    fn long(&self, name: &str) -> Option<i64> {
        match self.raw(name)? {
            ConfigValueT::Long(v) => Some(*v),
            ConfigValueT::Int(v) => Some(i64::from(*v)),
            ConfigValueT::Short(v) => Some(i64::from(*v)),
            _ => None,
        }
    }

    fn list(&self, name: &str) -> Vec<String> {
        match self.raw(name) {
            Some(ConfigValueT::List(items)) => items.clone(),
            _ => Vec::new(),
        }
    }
}

/// Problems found by [`SheetsConfig::build`], each with the key to change.
#[derive(Debug, Default)]
pub struct ConfigProblems(pub Vec<ConfigError>);

impl ConfigProblems {
    fn add(&mut self, name: &str, shown_value: impl Into<String>, reason: impl Into<String>) {
        self.0.push(ConfigError::invalid(name, shown_value, reason));
    }

    /// The problems as one error (for `start`), keeping the first key.
    pub fn into_error(self) -> ConfigError {
        let mut errors = self.0.into_iter();
        match (errors.next(), errors.len()) {
            (Some(first), 0) => first,
            (Some(first), _) => {
                let mut message = first.to_string();
                for other in errors {
                    message.push_str("; ");
                    message.push_str(&other.to_string());
                }
                ConfigError::Other(message)
            }
            (None, _) => ConfigError::Other("invalid configuration".to_string()),
        }
    }
}

fn unresolved_placeholder(text: &str) -> bool {
    text.contains("${") && text.contains('}')
}

const PLACEHOLDER_REASON: &str = "holds a config provider placeholder that was not resolved; \
     declare the provider in the worker config (config.providers) and check its key";

impl SheetsConfig {
    /// Parses and checks `props` for a connector of `flavor`; every problem is reported,
    /// each on its key.
    pub fn build(props: &Props, flavor: Flavor) -> Result<SheetsConfig, ConfigProblems> {
        let parsed = config_def()
            .parse(props)
            .map_err(|e| ConfigProblems(vec![e]))?;
        let mut values = Values::default();
        for key in config_def().keys() {
            if let Some(value) = parsed.get(&key.name) {
                values.0.push((key.name.clone(), value.clone()));
            }
        }
        let (config, problems) = check(&values, flavor);
        match config {
            Some(config) if problems.0.is_empty() => Ok(config),
            _ => Err(problems),
        }
    }
}

/// Validates `props` key by key (for the REST API): the ConfigDef's checks, then the
/// connector's own, each attached to its key.
pub fn validate(props: &Props, flavor: Flavor) -> Vec<ConfigValue> {
    let mut results = config_def().validate(props);
    let mut values = Values::default();
    for result in &results {
        if result.errors.is_empty() {
            values.0.push((result.name.clone(), result.value.clone()));
        }
    }
    let (_, problems) = check(&values, flavor);
    for problem in problems.0 {
        let message = problem.to_string();
        let target = problem.key().unwrap_or(CREDENTIALS_JSON_CONFIG).to_string();
        match results.iter_mut().find(|r| r.name == target) {
            Some(result) => {
                if !result.errors.contains(&message) {
                    result.errors.push(message);
                }
            }
            None => {
                let mut result = ConfigValue::new(target);
                result.errors.push(message);
                results.push(result);
            }
        }
    }
    results
}

/// The connector's own rules; returns the config when everything needed is there.
fn check(values: &Values, flavor: Flavor) -> (Option<SheetsConfig>, ConfigProblems) {
    let mut problems = ConfigProblems::default();

    // The spreadsheet.
    let spreadsheet_id = spreadsheet(values, &mut problems);

    // Sheets.
    let sheets = values.list(SHEETS_CONFIG);
    let mut seen = HashSet::new();
    for sheet in &sheets {
        if sheet.is_empty() {
            problems.add(
                SHEETS_CONFIG,
                sheets.join(","),
                "holds an empty sheet name; list sheet names separated by commas",
            );
        } else if !seen.insert(sheet.as_str()) {
            problems.add(
                SHEETS_CONFIG,
                sheets.join(","),
                format!("names the sheet '{sheet}' twice"),
            );
        }
    }

    // Rows.
    let header_row = values.long(HEADER_ROW_CONFIG).unwrap_or(1).max(0) as u64;
    let header_row = (header_row > 0 && flavor == Flavor::Tributary).then_some(header_row);
    let configured_start = values.long(START_ROW_CONFIG).unwrap_or(0).max(0) as u64;
    let start_row = match (configured_start, flavor) {
        (0, Flavor::Seed) => 2,
        (0, Flavor::Tributary) => header_row.map_or(1, |h| h + 1),
        (start, _) => start,
    };
    if let Some(header) = header_row
        && configured_start != 0
        && configured_start <= header
    {
        problems.add(
            START_ROW_CONFIG,
            configured_start.to_string(),
            format!(
                "must come after {HEADER_ROW_CONFIG} ({header}); set {START_ROW_CONFIG} to \
                 at least {} or to 0",
                header + 1
            ),
        );
    }

    // Key and timestamp columns.
    let key_mode = values
        .string(KEY_MODE_CONFIG)
        .unwrap_or_else(|| "NONE".to_string())
        .to_ascii_uppercase();
    let key_column = values.string(KEY_COLUMN_CONFIG);
    let key = match key_mode.as_str() {
        "ROW" => KeyMode::RowNumber,
        "COLUMN" => match &key_column {
            Some(column) => {
                check_column(KEY_COLUMN_CONFIG, column, header_row, &mut problems);
                KeyMode::Column(column.clone())
            }
            None => {
                problems.add(
                    KEY_COLUMN_CONFIG,
                    "null",
                    format!(
                        "is required with {KEY_MODE_CONFIG}=COLUMN: name the key column by \
                         its header or its letter"
                    ),
                );
                KeyMode::None
            }
        },
        _ => KeyMode::None,
    };
    let timestamp = match values.string(TIMESTAMP_COLUMN_CONFIG) {
        Some(column) => {
            check_column(TIMESTAMP_COLUMN_CONFIG, &column, header_row, &mut problems);
            TimestampSource::Column(column)
        }
        None => TimestampSource::Ingestion,
    };
    let timestamp_format = values.string(TIMESTAMP_FORMAT_CONFIG);
    if let Some(format) = &timestamp_format {
        let sample = jiff::civil::date(2025, 4, 6).at(18, 56, 53, 0);
        if let Err(e) = jiff::fmt::strtime::format(format.as_str(), sample) {
            problems.add(
                TIMESTAMP_FORMAT_CONFIG,
                format.as_str(),
                format!("is not a strftime format ({e})"),
            );
        }
    }
    let render = match values
        .string(VALUE_RENDER_CONFIG)
        .map(|s| s.to_ascii_uppercase())
        .as_deref()
    {
        Some("UNFORMATTED_VALUE") => ValueRender::Unformatted,
        _ => ValueRender::Formatted,
    };

    // Polling.
    let millis = |name: &str, default: i64| {
        Duration::from_millis(values.long(name).unwrap_or(default).max(0) as u64)
    };
    let min_rows = values.long(SEED_FETCH_SIZE_CONFIG).unwrap_or(1).max(1) as u64;
    let max_rows = (values
        .long(FETCH_MAX_ROWS_CONFIG)
        .unwrap_or(i64::from(DEFAULT_FETCH_MAX_ROWS))
        .max(1) as u64)
        .max(min_rows);
    let window = WindowLimits {
        max_bytes: values
            .long(FETCH_MAX_BYTES_CONFIG)
            .unwrap_or(i64::from(DEFAULT_FETCH_MAX_BYTES))
            .max(1) as u64,
        max_rows,
        min_rows,
    };
    let retry = RetryPolicy {
        initial: millis(RETRY_BACKOFF_INITIAL_CONFIG, 1_000),
        max: millis(RETRY_BACKOFF_MAX_CONFIG, 60_000),
    };

    // Connection and credentials.
    let api_base_url = values
        .string(API_BASE_URL_CONFIG)
        .unwrap_or_else(|| DEFAULT_API_BASE_URL.to_string());
    let token_uri_override = values.string(TOKEN_URI_OVERRIDE_CONFIG);
    let credentials = credentials(values, &mut problems);

    let task_sheets = match values.string(TASK_SHEETS_CONFIG) {
        None => None,
        Some(text) => match serde_json::from_str::<Vec<TaskSheet>>(&text) {
            Ok(sheets) => Some(sheets),
            Err(e) => {
                problems.add(
                    TASK_SHEETS_CONFIG,
                    text.as_str(),
                    format!("is not the list of sheets the connector writes ({e})"),
                );
                None
            }
        },
    };

    let topic = values.string(TOPIC_CONFIG);
    let config = match (topic, spreadsheet_id, credentials) {
        (Some(topic), Some(spreadsheet_id), Some(credentials)) => Some(SheetsConfig {
            flavor,
            topic,
            spreadsheet_id,
            sheets,
            header_row,
            start_row,
            key,
            render,
            timestamp,
            timestamp_format,
            poll_interval: millis(POLL_INTERVAL_CONFIG, DEFAULT_POLL_INTERVAL_MS),
            window,
            anchor_search_rows: values
                .long(ANCHOR_SEARCH_ROWS_CONFIG)
                .unwrap_or(i64::from(DEFAULT_ANCHOR_SEARCH_ROWS))
                .max(0) as u64,
            quota_limit: values
                .long(QUOTA_READS_CONFIG)
                .unwrap_or(i64::from(DEFAULT_QUOTA_READS))
                .clamp(1, i64::from(u32::MAX)) as u32,
            quota_window: millis(QUOTA_WINDOW_CONFIG, 60_000).max(Duration::from_millis(1)),
            retry,
            request_timeout: millis(REQUEST_TIMEOUT_CONFIG, 120_000),
            api_base_url,
            token_uri_override,
            credentials,
            task_sheets,
        }),
        _ => None,
    };
    (config, problems)
}

fn spreadsheet(values: &Values, problems: &mut ConfigProblems) -> Option<String> {
    let native = values.string(SPREADSHEET_ID_CONFIG);
    let seed = values.string(SEED_SHEET_ID_CONFIG);
    let mut parse = |name: &str, text: &str| match parse_spreadsheet_id(text) {
        Ok(id) => Some(id),
        Err(reason) => {
            problems.add(name, text, reason);
            None
        }
    };
    match (native, seed) {
        (Some(native), Some(seed)) => {
            let a = parse(SPREADSHEET_ID_CONFIG, &native);
            let b = parse(SEED_SHEET_ID_CONFIG, &seed);
            if let (Some(a), Some(b)) = (&a, &b)
                && a != b
            {
                problems.add(
                    SEED_SHEET_ID_CONFIG,
                    seed.as_str(),
                    format!(
                        "names another spreadsheet than {SPREADSHEET_ID_CONFIG} ({a}); set \
                         only one of them"
                    ),
                );
                return None;
            }
            a
        }
        (Some(native), None) => parse(SPREADSHEET_ID_CONFIG, &native),
        (None, Some(seed)) => parse(SEED_SHEET_ID_CONFIG, &seed),
        (None, None) => {
            problems.add(
                SPREADSHEET_ID_CONFIG,
                "null",
                "is required: the spreadsheet's id (the part of its URL after /d/) or its URL",
            );
            None
        }
    }
}

fn check_column(name: &str, column: &str, header_row: Option<u64>, problems: &mut ConfigProblems) {
    if header_row.is_none() && a1::column_index(column).is_none() {
        problems.add(
            name,
            column,
            format!(
                "must be a column letter such as A or BC when there is no header row \
                 ({HEADER_ROW_CONFIG}=0)"
            ),
        );
    }
}

/// The one configured credential, or problems on the keys involved.
fn credentials(values: &Values, problems: &mut ConfigProblems) -> Option<Credentials> {
    let mut found: Vec<(&'static str, Option<Credentials>)> = Vec::new();

    if let Some(json) = values.password(CREDENTIALS_JSON_CONFIG) {
        found.push((
            CREDENTIALS_JSON_CONFIG,
            service_account_from_json(CREDENTIALS_JSON_CONFIG, HIDDEN, json.value(), problems),
        ));
    }
    if let Some(path) = values.string(CREDENTIALS_FILE_CONFIG) {
        let credential = if unresolved_placeholder(&path) {
            problems.add(CREDENTIALS_FILE_CONFIG, path.as_str(), PLACEHOLDER_REASON);
            None
        } else {
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    service_account_from_json(CREDENTIALS_FILE_CONFIG, &path, &text, problems)
                }
                Err(e) => {
                    problems.add(
                        CREDENTIALS_FILE_CONFIG,
                        path.as_str(),
                        format!("cannot be read by the worker ({e})"),
                    );
                    None
                }
            }
        };
        found.push((CREDENTIALS_FILE_CONFIG, credential));
    }
    if let Some(private_key) = values.password(SEED_PRIVATE_KEY_CONFIG) {
        found.push((
            SEED_PRIVATE_KEY_CONFIG,
            service_account_from_fields(values, private_key, problems),
        ));
    }
    if let Some(refresh_token) = values.password(OAUTH_REFRESH_TOKEN_CONFIG) {
        let client_id = values.string(OAUTH_CLIENT_ID_CONFIG);
        let client_secret = values.password(OAUTH_CLIENT_SECRET_CONFIG);
        if client_id.is_none() {
            problems.add(
                OAUTH_CLIENT_ID_CONFIG,
                "null",
                format!("is required with {OAUTH_REFRESH_TOKEN_CONFIG}"),
            );
        }
        if client_secret.is_none() {
            problems.add(
                OAUTH_CLIENT_SECRET_CONFIG,
                "null",
                format!("is required with {OAUTH_REFRESH_TOKEN_CONFIG}"),
            );
        }
        let credential = match (client_id, client_secret) {
            (Some(client_id), Some(client_secret)) => {
                Some(Credentials::RefreshToken(UserCredentials {
                    client_id,
                    client_secret,
                    refresh_token,
                }))
            }
            _ => None,
        };
        found.push((OAUTH_REFRESH_TOKEN_CONFIG, credential));
    }
    if let Some(api_key) = values.password(API_KEY_CONFIG) {
        let credential = if unresolved_placeholder(api_key.value()) {
            problems.add(API_KEY_CONFIG, HIDDEN, PLACEHOLDER_REASON);
            None
        } else {
            Some(Credentials::ApiKey(api_key))
        };
        found.push((API_KEY_CONFIG, credential));
    }

    match found.len() {
        0 => {
            problems.add(
                CREDENTIALS_JSON_CONFIG,
                "null",
                "no credentials are configured: set one of credentials.json (a \
                 service-account key), credentials.file (its path), private_key with \
                 client_email (the seed's fields), oauth.refresh.token with oauth.client.id \
                 and oauth.client.secret, or api.key (public spreadsheets only)",
            );
            None
        }
        1 => found.pop().and_then(|(_, credential)| credential),
        _ => {
            let names: Vec<&str> = found.iter().map(|(name, _)| *name).collect();
            for name in &names {
                problems.add(
                    name,
                    if *name == CREDENTIALS_FILE_CONFIG {
                        values.string(name).unwrap_or_default()
                    } else {
                        HIDDEN.to_string()
                    },
                    format!(
                        "only one credential may be configured, found {}; remove the others",
                        names.join(", ")
                    ),
                );
            }
            None
        }
    }
}

fn service_account_from_json(
    name: &str,
    shown_value: &str,
    json: &str,
    problems: &mut ConfigProblems,
) -> Option<Credentials> {
    if unresolved_placeholder(json) && !json.trim_start().starts_with('{') {
        problems.add(name, shown_value, PLACEHOLDER_REASON);
        return None;
    }
    let key = match ServiceAccountKey::from_json(json) {
        Ok(key) => key,
        Err(e) => {
            problems.add(name, shown_value, key_problem(&e));
            return None;
        }
    };
    if let Err(e) = key.signing_key() {
        problems.add(name, shown_value, key_problem(&e));
        return None;
    }
    Some(Credentials::ServiceAccount(key))
}

fn key_problem(error: &KeyError) -> String {
    format!("the service-account key {error}")
}

fn service_account_from_fields(
    values: &Values,
    private_key: Password,
    problems: &mut ConfigProblems,
) -> Option<Credentials> {
    if unresolved_placeholder(private_key.value()) {
        problems.add(SEED_PRIVATE_KEY_CONFIG, HIDDEN, PLACEHOLDER_REASON);
        return None;
    }
    let Some(client_email) = values.string(SEED_CLIENT_EMAIL_CONFIG) else {
        problems.add(
            SEED_CLIENT_EMAIL_CONFIG,
            "null",
            format!(
                "is required with {SEED_PRIVATE_KEY_CONFIG}: the service account's email \
                 (client_email in its key file)"
            ),
        );
        return None;
    };
    let key = ServiceAccountKey {
        client_email,
        private_key_id: values.string(SEED_PRIVATE_KEY_ID_CONFIG),
        private_key: Password::new(crate::auth::normalize_pem(private_key.value())),
        token_uri: values.string(SEED_TOKEN_URI_CONFIG),
        project_id: values.string(SEED_PROJECT_ID_CONFIG),
    };
    if let Err(e) = key.signing_key() {
        problems.add(SEED_PRIVATE_KEY_CONFIG, HIDDEN, format!("the {e}"));
        return None;
    }
    Some(Credentials::ServiceAccount(key))
}

/// The reference table of every documented key, in Markdown, grouped as the ConfigDef
/// groups them. The README embeds it; a test fails when the README's copy is stale.
pub fn config_reference_markdown() -> String {
    let def = config_def();
    let mut out = String::new();
    for group in def.groups() {
        out.push_str(&format!("### {group}\n\n"));
        out.push_str("| key | type | default | valid values | importance | description |\n");
        out.push_str("|---|---|---|---|---|---|\n");
        let mut keys: Vec<_> = def
            .keys()
            .filter(|k| !k.internal && k.group.as_deref() == Some(group.as_str()))
            .collect();
        keys.sort_by_key(|k| k.order_in_group);
        for key in keys {
            let default = if key.is_required() {
                "(required)".to_string()
            } else {
                match key.default_string() {
                    Some(d) if d.is_empty() => "\"\"".to_string(),
                    Some(d) => format!("`{d}`"),
                    None => "null".to_string(),
                }
            };
            let valid = key
                .validator
                .as_ref()
                .and_then(|v| v.describe())
                .map(|d| format!("`{d}`"))
                .unwrap_or_default();
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} |\n",
                key.name,
                key.config_type.name(),
                escape_cell(&default),
                escape_cell(&valid),
                key.importance.name(),
                escape_cell(&key.documentation)
            ));
        }
        out.push('\n');
    }
    out
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::tests::{TEST_KEY, key_json};

    fn props(pairs: &[(&str, &str)]) -> Props {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn errors_of(results: &[ConfigValue]) -> Vec<(String, String)> {
        results
            .iter()
            .flat_map(|r| r.errors.iter().map(|e| (r.name.clone(), e.clone())))
            .collect()
    }

    fn base(extra: &[(&str, &str)]) -> Props {
        let mut p = props(&[
            (TOPIC_CONFIG, "responses"),
            (
                SPREADSHEET_ID_CONFIG,
                "1U_Q4qWeIzrXezL8CERnfxwNNxfNZlyyVwG0mujTKJZY",
            ),
            (API_KEY_CONFIG, "AIzaTESTKEY"),
        ]);
        for (k, v) in extra {
            p.insert(k.to_string(), v.to_string());
        }
        p
    }

    #[test]
    fn spreadsheet_ids_and_urls() {
        let id = "1U_Q4qWeIzrXezL8CERnfxwNNxfNZlyyVwG0mujTKJZY";
        assert_eq!(parse_spreadsheet_id(id).as_deref(), Ok(id));
        assert_eq!(parse_spreadsheet_id(&format!(" {id} ")).as_deref(), Ok(id));
        for url in [
            format!("https://docs.google.com/spreadsheets/d/{id}/edit#gid=0"),
            format!("https://docs.google.com/spreadsheets/d/{id}"),
            format!("https://docs.google.com/spreadsheets/u/1/d/{id}/edit?usp=sharing"),
            format!("docs.google.com/spreadsheets/d/{id}/"),
        ] {
            assert_eq!(parse_spreadsheet_id(&url).as_deref(), Ok(id), "{url}");
        }
        let err = parse_spreadsheet_id("https://docs.google.com/spreadsheets/").expect_err("no id");
        assert!(err.contains("without a spreadsheet id"), "{err}");
        let err = parse_spreadsheet_id("Form responses 1").expect_err("a title");
        assert!(err.contains("neither a spreadsheet id"), "{err}");
    }

    #[test]
    fn defaults_build_a_forms_friendly_config() {
        let config = SheetsConfig::build(&base(&[]), Flavor::Tributary)
            .unwrap_or_else(|e| panic!("{:?}", e.0));
        assert_eq!(config.header_row, Some(1));
        assert_eq!(config.start_row, 2);
        assert_eq!(config.key, KeyMode::None);
        assert_eq!(config.render, ValueRender::Formatted);
        assert_eq!(config.poll_interval, Duration::from_secs(5));
        assert_eq!(config.quota_limit, 50);
        assert_eq!(config.window.max_bytes, 2_000_000);
        assert_eq!(config.api_base_url, DEFAULT_API_BASE_URL);
        assert!(matches!(config.credentials, Credentials::ApiKey(_)));

        let no_header = SheetsConfig::build(&base(&[(HEADER_ROW_CONFIG, "0")]), Flavor::Tributary)
            .unwrap_or_else(|e| panic!("{:?}", e.0));
        assert_eq!((no_header.header_row, no_header.start_row), (None, 1));
        let seed =
            SheetsConfig::build(&base(&[]), Flavor::Seed).unwrap_or_else(|e| panic!("{:?}", e.0));
        assert_eq!((seed.header_row, seed.start_row), (None, 2));
    }

    #[test]
    fn the_seeds_sample_config_is_accepted_unchanged() {
        let (private_pem, _) = &*TEST_KEY;
        let seed = props(&[
            ("connector.class", SEED_CONNECTOR_CLASS),
            ("topic", "sheet-data"),
            ("tasks.max", "1"),
            ("poll.interval.ms", "50000"),
            ("project_id", "project_id"),
            ("private_key_id", "private_key_id"),
            ("private_key", private_pem),
            ("client_email", "test.iam.gserviceaccount.com"),
            ("client_id", "client_id"),
            ("sheet_id", "1U_Q4qWeIzrXezL8CERnfxwNNxfNZlyyVwG0mujTKJZY"),
        ]);
        let results = validate(&seed, Flavor::Seed);
        assert_eq!(errors_of(&results), Vec::<(String, String)>::new());
        let config =
            SheetsConfig::build(&seed, Flavor::Seed).unwrap_or_else(|e| panic!("{:?}", e.0));
        assert_eq!(
            config.spreadsheet_id,
            "1U_Q4qWeIzrXezL8CERnfxwNNxfNZlyyVwG0mujTKJZY"
        );
        assert_eq!(config.poll_interval, Duration::from_millis(50_000));
        match &config.credentials {
            Credentials::ServiceAccount(key) => {
                assert_eq!(key.client_email, "test.iam.gserviceaccount.com");
                assert_eq!(key.private_key_id.as_deref(), Some("private_key_id"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn validation_names_the_key_and_never_the_secret() {
        let (private_pem, _) = &*TEST_KEY;
        let secret_line = private_pem.lines().nth(2).unwrap_or_default().to_string();
        let damaged = private_pem.replace(&secret_line, &"B".repeat(secret_line.len()));
        let truncated_json = key_json(private_pem);
        let truncated_json = truncated_json[..truncated_json.len() - 40].to_string();
        let cases: Vec<(Props, &str, &str)> = vec![
            (
                props(&[
                    (TOPIC_CONFIG, "t"),
                    (
                        SPREADSHEET_ID_CONFIG,
                        "1U_Q4qWeIzrXezL8CERnfxwNNxfNZlyyVwG0mujTKJZY",
                    ),
                ]),
                CREDENTIALS_JSON_CONFIG,
                "no credentials are configured",
            ),
            (
                base(&[(SPREADSHEET_ID_CONFIG, "my responses")]),
                SPREADSHEET_ID_CONFIG,
                "neither a spreadsheet id",
            ),
            (
                props(&[
                    (TOPIC_CONFIG, "t"),
                    (SPREADSHEET_ID_CONFIG, "abc"),
                    (CREDENTIALS_JSON_CONFIG, &truncated_json),
                ]),
                CREDENTIALS_JSON_CONFIG,
                "is not valid JSON",
            ),
            (
                props(&[
                    (TOPIC_CONFIG, "t"),
                    (SPREADSHEET_ID_CONFIG, "abc"),
                    (CREDENTIALS_JSON_CONFIG, &key_json(&damaged)),
                ]),
                CREDENTIALS_JSON_CONFIG,
                "not a usable RSA private key",
            ),
            (
                props(&[
                    (TOPIC_CONFIG, "t"),
                    (SPREADSHEET_ID_CONFIG, "abc"),
                    (SEED_PRIVATE_KEY_CONFIG, private_pem),
                ]),
                SEED_CLIENT_EMAIL_CONFIG,
                "is required with private_key",
            ),
            (
                props(&[
                    (TOPIC_CONFIG, "t"),
                    (SPREADSHEET_ID_CONFIG, "abc"),
                    (
                        SEED_PRIVATE_KEY_CONFIG,
                        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                    ),
                    (SEED_CLIENT_EMAIL_CONFIG, "a@b"),
                ]),
                SEED_PRIVATE_KEY_CONFIG,
                "not a usable RSA private key",
            ),
            (
                props(&[
                    (TOPIC_CONFIG, "t"),
                    (SPREADSHEET_ID_CONFIG, "abc"),
                    (CREDENTIALS_FILE_CONFIG, "/nonexistent/key.json"),
                ]),
                CREDENTIALS_FILE_CONFIG,
                "cannot be read by the worker",
            ),
            (
                base(&[(CREDENTIALS_JSON_CONFIG, &key_json(private_pem))]),
                API_KEY_CONFIG,
                "only one credential may be configured",
            ),
            (
                base(&[(OAUTH_REFRESH_TOKEN_CONFIG, "1//tok")]),
                OAUTH_CLIENT_ID_CONFIG,
                "is required with oauth.refresh.token",
            ),
            (
                base(&[(KEY_MODE_CONFIG, "column")]),
                KEY_COLUMN_CONFIG,
                "is required with key.mode=COLUMN",
            ),
            (
                base(&[
                    (HEADER_ROW_CONFIG, "0"),
                    (TIMESTAMP_COLUMN_CONFIG, "Timestamp"),
                ]),
                TIMESTAMP_COLUMN_CONFIG,
                "must be a column letter",
            ),
            (
                base(&[(HEADER_ROW_CONFIG, "3"), (START_ROW_CONFIG, "2")]),
                START_ROW_CONFIG,
                "must come after header.row (3)",
            ),
            (
                base(&[(API_BASE_URL_CONFIG, "localhost:8085")]),
                API_BASE_URL_CONFIG,
                "http or https URL",
            ),
            (
                base(&[(TIMESTAMP_FORMAT_CONFIG, "%Q")]),
                TIMESTAMP_FORMAT_CONFIG,
                "is not a strftime format",
            ),
            (
                base(&[(SHEETS_CONFIG, "A, B, A")]),
                SHEETS_CONFIG,
                "names the sheet 'A' twice",
            ),
            (
                base(&[(API_KEY_CONFIG, "${env:SHEETS_KEY}")]),
                API_KEY_CONFIG,
                "placeholder that was not resolved",
            ),
        ];
        for (props, key, expected) in cases {
            let results = validate(&props, Flavor::Tributary);
            let errors = errors_of(&results);
            assert!(
                errors.iter().any(|(k, e)| k == key && e.contains(expected)),
                "expected {key}: {expected} in {errors:?}"
            );
            for (_, error) in &errors {
                assert!(!error.contains(&secret_line), "{error}");
                assert!(!error.contains("BEGIN PRIVATE KEY"), "{error}");
                assert!(!error.contains("AIzaTESTKEY"), "{error}");
                assert!(!error.contains("1//tok"), "{error}");
            }
            let built = SheetsConfig::build(&props, Flavor::Tributary);
            if let Err(problems) = built {
                let message = problems.into_error().to_string();
                assert!(!message.contains(&secret_line), "{message}");
                assert!(!message.contains("AIzaTESTKEY"), "{message}");
            }
        }
    }

    #[test]
    fn a_key_file_is_read_and_checked() {
        let (private_pem, _) = &*TEST_KEY;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("key.json");
        std::fs::write(&path, key_json(private_pem)).unwrap_or_else(|e| panic!("{e}"));
        let p = props(&[
            (TOPIC_CONFIG, "t"),
            (SPREADSHEET_ID_CONFIG, "abc"),
            (CREDENTIALS_FILE_CONFIG, path.to_str().unwrap_or_default()),
        ]);
        let config =
            SheetsConfig::build(&p, Flavor::Tributary).unwrap_or_else(|e| panic!("{:?}", e.0));
        assert!(matches!(config.credentials, Credentials::ServiceAccount(_)));

        std::fs::write(&path, "{\"type\": \"service_account\"").unwrap_or_else(|e| panic!("{e}"));
        let errors = errors_of(&validate(&p, Flavor::Tributary));
        assert!(
            errors
                .iter()
                .any(|(k, e)| k == CREDENTIALS_FILE_CONFIG && e.contains("line 1")),
            "{errors:?}"
        );
    }

    #[test]
    fn the_reference_documents_every_key_but_the_internal_one() {
        let markdown = config_reference_markdown();
        for key in config_def().keys() {
            let row = format!("| `{}` |", key.name);
            assert_eq!(markdown.contains(&row), !key.internal, "{}", key.name);
            assert!(
                key.internal || !key.documentation.is_empty(),
                "{}",
                key.name
            );
        }
        assert!(markdown.contains("### Credentials"));
    }
}
