//! The emulator's state (spreadsheets and credentials) and its JSON state file.
//!
//! The file is the state, readable and editable by hand:
//!
//! ```json
//! {
//!   "version": 1,
//!   "spreadsheets": [{
//!     "spreadsheetId": "1x...", "title": "Feedback", "locale": "en_US", "timeZone": "Etc/GMT",
//!     "public": false, "permissions": {"svc@proj.iam.gserviceaccount.com": "writer"},
//!     "sheets": [{"sheetId": 0, "title": "Form responses 1", "rowCount": 1000, "columnCount": 26,
//!                 "frozenRowCount": 1,
//!                 "rows": [[{"stringValue": "Timestamp"}], [{"numberValue": 45753.78950231482,
//!                          "numberFormat": {"type": "DATE_TIME", "pattern": "M/d/yyyy H:mm:ss"}}]]}]
//!   }],
//!   "serviceAccounts": [{"email": "...", "projectId": "...", "keys": [{"keyId": "...", "publicKeyPem": "..."}]}],
//!   "oauthClients": [], "refreshTokens": [], "apiKeys": []
//! }
//! ```
//!
//! A cell is `null` (empty) or an object with one of `stringValue`, `numberValue`,
//! `boolValue`, optionally `formulaValue` and `numberFormat`. Access tokens are not saved:
//! after a restart clients fetch new ones, as after a token expiry.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::cell::{Cell, CellValue, NumberFormat};
use crate::error::EmulatorError;
use crate::model::{Role, Sheet, Spreadsheet};

/// Version of the state file format.
pub const STATE_VERSION: u32 = 1;

/// A service account allowed to use the JWT-bearer grant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccount {
    pub email: String,
    pub project_id: String,
    /// Public keys whose private halves may sign assertions.
    pub keys: Vec<RegisteredKey>,
}

/// A service-account public key: the `private_key_id` of the key file and the PEM
/// (`-----BEGIN PUBLIC KEY-----` or `-----BEGIN RSA PUBLIC KEY-----`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisteredKey {
    pub key_id: String,
    pub public_key_pem: String,
}

/// An OAuth client that may exchange refresh tokens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthClient {
    pub client_id: String,
    pub client_secret: String,
    pub project_id: String,
}

/// A user's refresh token, issued to an OAuth client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshGrant {
    pub refresh_token: String,
    pub client_id: String,
    /// The user the token acts for.
    pub email: String,
    pub scopes: Vec<String>,
}

/// An API key (`?key=`), good for reading public spreadsheets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub key: String,
    pub project_id: String,
}

/// An issued access token (kept in memory only).
#[derive(Clone, Debug)]
pub struct AccessToken {
    pub email: String,
    pub scopes: Vec<String>,
    pub project_id: String,
    pub expires_at: Instant,
}

/// Everything the emulator holds, behind one lock.
#[derive(Debug, Default)]
pub struct State {
    pub spreadsheets: BTreeMap<String, Spreadsheet>,
    /// By lower-case email.
    pub service_accounts: BTreeMap<String, ServiceAccount>,
    pub oauth_clients: BTreeMap<String, OAuthClient>,
    pub refresh_tokens: BTreeMap<String, RefreshGrant>,
    pub api_keys: BTreeMap<String, ApiKey>,
    pub access_tokens: HashMap<String, AccessToken>,
    /// Changed since the last save.
    pub dirty: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateFile {
    version: u32,
    #[serde(default)]
    spreadsheets: Vec<SpreadsheetFile>,
    #[serde(default)]
    service_accounts: Vec<ServiceAccount>,
    #[serde(default)]
    oauth_clients: Vec<OAuthClient>,
    #[serde(default)]
    refresh_tokens: Vec<RefreshGrant>,
    #[serde(default)]
    api_keys: Vec<ApiKey>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpreadsheetFile {
    spreadsheet_id: String,
    title: String,
    #[serde(default = "default_locale")]
    locale: String,
    #[serde(default = "default_time_zone")]
    time_zone: String,
    #[serde(default)]
    public: bool,
    #[serde(default)]
    permissions: BTreeMap<String, Role>,
    /// `namedRanges`, `developerMetadata` as in the API.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    objects: serde_json::Map<String, serde_json::Value>,
    /// `SpreadsheetProperties` kept as given (`defaultFormat`, `autoRecalc`, ...).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    other_properties: serde_json::Map<String, serde_json::Value>,
    sheets: Vec<SheetFile>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SheetFile {
    sheet_id: i32,
    title: String,
    row_count: u32,
    column_count: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    frozen_row_count: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    frozen_column_count: u32,
    /// Sheet properties the emulator keeps without acting on them (`hidden`, `tabColor`,
    /// `gridProperties.hideGridlines`, ...), as `SheetProperties` JSON.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    other_properties: serde_json::Map<String, serde_json::Value>,
    /// `merges`, `basicFilter`, `filterViews`, `protectedRanges`, ... as in the API.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    objects: serde_json::Map<String, serde_json::Value>,
    /// `DimensionProperties` by row / column index.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    row_properties: BTreeMap<u32, serde_json::Map<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    column_properties: BTreeMap<u32, serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    rows: Vec<Vec<Option<CellFile>>>,
}

/// A cell in the file, shaped like Sheets' `ExtendedValue`.
#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CellFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    string_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    number_value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bool_value: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    formula_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    number_format: Option<NumberFormat>,
    /// `userEnteredFormat` other than `numberFormat`.
    #[serde(skip_serializing_if = "Option::is_none")]
    user_entered_format: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_validation: Option<serde_json::Value>,
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

pub(crate) fn default_locale() -> String {
    "en_US".to_owned()
}

pub(crate) fn default_time_zone() -> String {
    "Etc/GMT".to_owned()
}

impl CellFile {
    fn from_cell(cell: &Cell) -> CellFile {
        let mut file = CellFile {
            formula_value: cell.formula.clone(),
            number_format: cell.format.clone(),
            user_entered_format: cell.style().cloned(),
            note: cell.note().map(str::to_owned),
            data_validation: cell.data_validation().cloned(),
            ..CellFile::default()
        };
        // A formula's value is computed again when the state is loaded.
        let value = if cell.formula.is_some() {
            None
        } else {
            cell.value.as_ref()
        };
        match value {
            Some(CellValue::String(text)) => file.string_value = Some(text.clone()),
            Some(CellValue::Number(number)) => file.number_value = Some(*number),
            Some(CellValue::Bool(flag)) => file.bool_value = Some(*flag),
            Some(CellValue::Error(_)) | None => {}
        }
        file
    }

    fn into_cell(self) -> Option<Cell> {
        let value = match (self.string_value, self.number_value, self.bool_value) {
            (Some(text), None, None) => Some(CellValue::String(text)),
            (None, Some(number), None) => Some(CellValue::Number(number)),
            (None, None, Some(flag)) => Some(CellValue::Bool(flag)),
            _ => None,
        };
        if value.is_none()
            && self.formula_value.is_none()
            && self.number_format.is_none()
            && self.user_entered_format.is_none()
            && self.note.is_none()
            && self.data_validation.is_none()
        {
            return None;
        }
        let mut cell = Cell {
            value,
            formula: self.formula_value,
            format: self.number_format,
            ..Cell::default()
        };
        cell.set_style(self.user_entered_format);
        cell.set_note(self.note);
        cell.set_data_validation(self.data_validation);
        Some(cell)
    }
}

impl State {
    /// The state as the file's JSON.
    pub fn to_json(&self) -> serde_json::Value {
        let file = StateFile {
            version: STATE_VERSION,
            spreadsheets: self
                .spreadsheets
                .values()
                .map(|spreadsheet| SpreadsheetFile {
                    spreadsheet_id: spreadsheet.spreadsheet_id.clone(),
                    title: spreadsheet.title.clone(),
                    locale: spreadsheet.locale.clone(),
                    time_zone: spreadsheet.time_zone.clone(),
                    public: spreadsheet.public,
                    permissions: spreadsheet.permissions.clone(),
                    objects: spreadsheet.objects.clone(),
                    other_properties: spreadsheet.other_properties.clone(),
                    sheets: spreadsheet
                        .sheets
                        .iter()
                        .map(|sheet| SheetFile {
                            sheet_id: sheet.sheet_id,
                            title: sheet.title.clone(),
                            row_count: sheet.row_count,
                            column_count: sheet.column_count,
                            frozen_row_count: sheet.frozen_row_count,
                            frozen_column_count: sheet.frozen_column_count,
                            other_properties: sheet.other_properties.clone(),
                            objects: sheet.objects.clone(),
                            row_properties: sheet.row_properties.clone(),
                            column_properties: sheet.column_properties.clone(),
                            rows: sheet
                                .rows
                                .iter()
                                .map(|cells| {
                                    cells
                                        .iter()
                                        .map(|cell| cell.as_ref().map(CellFile::from_cell))
                                        .collect()
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
            service_accounts: self.service_accounts.values().cloned().collect(),
            oauth_clients: self.oauth_clients.values().cloned().collect(),
            refresh_tokens: self.refresh_tokens.values().cloned().collect(),
            api_keys: self.api_keys.values().cloned().collect(),
        };
        serde_json::to_value(file).unwrap_or_default()
    }

    /// Reads a state from the file's JSON.
    pub fn from_json(value: serde_json::Value) -> Result<State, serde_json::Error> {
        let file: StateFile = serde_json::from_value(value)?;
        let mut state = State::default();
        for spreadsheet in file.spreadsheets {
            let sheets = spreadsheet
                .sheets
                .into_iter()
                .map(|sheet| {
                    let mut loaded = Sheet {
                        sheet_id: sheet.sheet_id,
                        title: sheet.title,
                        row_count: sheet.row_count.max(1),
                        column_count: sheet.column_count.max(1),
                        frozen_row_count: sheet.frozen_row_count,
                        frozen_column_count: sheet.frozen_column_count,
                        other_properties: sheet.other_properties,
                        objects: sheet.objects,
                        row_properties: sheet.row_properties,
                        column_properties: sheet.column_properties,
                        rows: Vec::new(),
                    };
                    for (row, cells) in sheet.rows.into_iter().enumerate() {
                        for (column, cell) in cells.into_iter().enumerate() {
                            let cell = cell.and_then(CellFile::into_cell);
                            if cell.is_some() {
                                let (row, column) = (row as u32, column as u32);
                                loaded.row_count = loaded.row_count.max(row + 1);
                                loaded.column_count = loaded.column_count.max(column + 1);
                                loaded.set(row, column, cell);
                            }
                        }
                    }
                    loaded
                })
                .collect();
            let permissions = spreadsheet
                .permissions
                .into_iter()
                .map(|(email, role)| (email.to_lowercase(), role))
                .collect();
            let mut loaded = Spreadsheet {
                spreadsheet_id: spreadsheet.spreadsheet_id,
                title: spreadsheet.title,
                locale: spreadsheet.locale,
                time_zone: spreadsheet.time_zone,
                sheets,
                permissions,
                public: spreadsheet.public,
                objects: spreadsheet.objects,
                other_properties: spreadsheet.other_properties,
            };
            loaded.recalculate();
            state
                .spreadsheets
                .insert(loaded.spreadsheet_id.clone(), loaded);
        }
        for account in file.service_accounts {
            state
                .service_accounts
                .insert(account.email.to_lowercase(), account);
        }
        for client in file.oauth_clients {
            state.oauth_clients.insert(client.client_id.clone(), client);
        }
        for grant in file.refresh_tokens {
            state
                .refresh_tokens
                .insert(grant.refresh_token.clone(), grant);
        }
        for key in file.api_keys {
            state.api_keys.insert(key.key.clone(), key);
        }
        Ok(state)
    }
}

/// Reads a state file.
pub fn load(path: &Path) -> Result<State, EmulatorError> {
    let text = std::fs::read(path).map_err(|source| EmulatorError::StateFile {
        path: path.to_owned(),
        source,
    })?;
    let value: serde_json::Value =
        serde_json::from_slice(&text).map_err(|source| EmulatorError::StateFormat {
            path: path.to_owned(),
            source,
        })?;
    State::from_json(value).map_err(|source| EmulatorError::StateFormat {
        path: path.to_owned(),
        source,
    })
}

/// Writes a state file atomically (a temporary file renamed over the old one).
pub fn save(path: &Path, json: &serde_json::Value) -> Result<(), EmulatorError> {
    let io_error = |source| EmulatorError::StateFile {
        path: path.to_owned(),
        source,
    };
    let text = serde_json::to_vec_pretty(json).map_err(|source| EmulatorError::StateFormat {
        path: path.to_owned(),
        source,
    })?;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = std::path::PathBuf::from(temporary);
    std::fs::write(&temporary, text).map_err(io_error)?;
    std::fs::rename(&temporary, path).map_err(io_error)
}
