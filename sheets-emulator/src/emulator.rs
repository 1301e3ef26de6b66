//! The [`Emulator`] handle: configuration, state, and the in-process admin API.
//!
//! Every admin operation of the HTTP admin API (`/__admin/...`) is a method here, so a test
//! in the same process can seed data, register credentials, inject faults and read counters
//! without HTTP. The handle is cheap to clone; all clones share one state.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cell::{ValueInputOption, ValueRenderOption};
use crate::error::{ApiError, EmulatorError};
use crate::faults::{
    Counters, DropSpec, FaultSpec, Faults, LatencySpec, RequestLog, RequestRecord,
};
use crate::model::{self, MajorDimension, Role, Sheet, Spreadsheet};
use crate::quota::{QuotaConfig, Quotas};
use crate::store::{self, ApiKey, OAuthClient, RefreshGrant, RegisteredKey, ServiceAccount, State};
use crate::testing::ServiceAccountKey;

/// How an emulator behaves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EmulatorConfig {
    /// Request quotas (Sheets' defaults).
    pub quotas: QuotaConfig,
    /// Lifetime of issued access tokens (an hour; `expires_in` answers one second less).
    #[serde(with = "secs", rename = "accessTokenLifetimeSecs")]
    pub access_token_lifetime: Duration,
    /// Load the state from this file at start (when it exists) and save it there: after
    /// changes while serving (at most every half second) and at shutdown.
    pub state_path: Option<PathBuf>,
    /// `aud` values accepted in assertions besides `http://{Host}/token` of the request
    /// (e.g. a token URI behind a proxy).
    pub token_audiences: Vec<String>,
    /// Prefix of `spreadsheetUrl` (followed by `{id}/edit`).
    pub spreadsheet_url_prefix: String,
    /// Project of accounts and keys registered without one.
    pub default_project_id: String,
    /// Largest accepted request body.
    pub max_request_bytes: usize,
}

impl Default for EmulatorConfig {
    fn default() -> EmulatorConfig {
        EmulatorConfig {
            quotas: QuotaConfig::default(),
            access_token_lifetime: Duration::from_secs(3600),
            state_path: None,
            token_audiences: Vec::new(),
            spreadsheet_url_prefix: "https://docs.google.com/spreadsheets/d/".to_owned(),
            default_project_id: "tributary-emulator".to_owned(),
            max_request_bytes: 10 * 1024 * 1024,
        }
    }
}

mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(duration.as_secs())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_secs(u64::deserialize(deserializer)?))
    }
}

/// A spreadsheet to create through the admin API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SpreadsheetSeed {
    /// The id; a random 44-character id when absent.
    pub spreadsheet_id: Option<String>,
    pub title: String,
    pub locale: String,
    pub time_zone: String,
    /// The sheets; one empty `Sheet1` when none.
    pub sheets: Vec<SheetSeed>,
    /// Accounts (emails) given write access.
    pub writers: Vec<String>,
    /// Accounts given read access.
    pub readers: Vec<String>,
    /// Readable with an API key ("anyone with the link").
    pub public: bool,
    /// How seeded strings are read (`USER_ENTERED` by default: numbers and dates parse).
    pub value_input_option: ValueInputOption,
}

impl Default for SpreadsheetSeed {
    fn default() -> SpreadsheetSeed {
        SpreadsheetSeed {
            spreadsheet_id: None,
            title: "Untitled spreadsheet".to_owned(),
            locale: store::default_locale(),
            time_zone: store::default_time_zone(),
            sheets: Vec::new(),
            writers: Vec::new(),
            readers: Vec::new(),
            public: false,
            value_input_option: ValueInputOption::UserEntered,
        }
    }
}

impl SpreadsheetSeed {
    pub fn new(title: impl Into<String>) -> SpreadsheetSeed {
        SpreadsheetSeed {
            title: title.into(),
            ..SpreadsheetSeed::default()
        }
    }

    pub fn id(mut self, spreadsheet_id: impl Into<String>) -> SpreadsheetSeed {
        self.spreadsheet_id = Some(spreadsheet_id.into());
        self
    }

    pub fn locale(mut self, locale: impl Into<String>) -> SpreadsheetSeed {
        self.locale = locale.into();
        self
    }

    pub fn time_zone(mut self, time_zone: impl Into<String>) -> SpreadsheetSeed {
        self.time_zone = time_zone.into();
        self
    }

    pub fn sheet(mut self, sheet: SheetSeed) -> SpreadsheetSeed {
        self.sheets.push(sheet);
        self
    }

    /// Gives an account write access.
    pub fn writer(mut self, email: impl Into<String>) -> SpreadsheetSeed {
        self.writers.push(email.into());
        self
    }

    /// Gives an account read access.
    pub fn reader(mut self, email: impl Into<String>) -> SpreadsheetSeed {
        self.readers.push(email.into());
        self
    }

    pub fn public(mut self, public: bool) -> SpreadsheetSeed {
        self.public = public;
        self
    }

    pub fn value_input_option(mut self, option: ValueInputOption) -> SpreadsheetSeed {
        self.value_input_option = option;
        self
    }
}

/// A sheet to create, with its first rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SheetSeed {
    pub title: String,
    pub sheet_id: Option<i32>,
    /// Grid rows (1000 by default, more if the rows need it).
    pub row_count: Option<u32>,
    /// Grid columns (26 by default, more if the rows need it).
    pub column_count: Option<u32>,
    pub frozen_row_count: u32,
    /// The rows from A1: an array of arrays of strings, numbers, booleans or nulls.
    pub rows: Value,
}

impl Default for SheetSeed {
    fn default() -> SheetSeed {
        SheetSeed {
            title: "Sheet1".to_owned(),
            sheet_id: None,
            row_count: None,
            column_count: None,
            frozen_row_count: 0,
            rows: Value::Array(Vec::new()),
        }
    }
}

impl SheetSeed {
    pub fn new(title: impl Into<String>) -> SheetSeed {
        SheetSeed {
            title: title.into(),
            ..SheetSeed::default()
        }
    }

    /// The rows from A1, e.g. `json!([["Timestamp", "Score"], ["4/6/2025 18:56:53", 7]])`.
    pub fn rows(mut self, rows: impl Into<Value>) -> SheetSeed {
        self.rows = rows.into();
        self
    }

    pub fn grid(mut self, row_count: u32, column_count: u32) -> SheetSeed {
        self.row_count = Some(row_count);
        self.column_count = Some(column_count);
        self
    }

    pub fn frozen_rows(mut self, count: u32) -> SheetSeed {
        self.frozen_row_count = count;
        self
    }

    pub fn sheet_id(mut self, sheet_id: i32) -> SheetSeed {
        self.sheet_id = Some(sheet_id);
        self
    }
}

/// The emulator: shared state behind a cheap, cloneable handle.
#[derive(Clone)]
pub struct Emulator {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub config: Mutex<EmulatorConfig>,
    pub state: Mutex<State>,
    pub quotas: Mutex<Quotas>,
    pub faults: Mutex<Faults>,
    pub counters: Mutex<Counters>,
    pub log: Mutex<RequestLog>,
}

/// Locks a mutex, ignoring poisoning (state stays consistent: no lock is held across a
/// panic point that leaves it half-changed).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Default for Emulator {
    fn default() -> Emulator {
        Emulator::with_state(EmulatorConfig::default(), State::default())
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Emulator").finish_non_exhaustive()
    }
}

/// Parses rows given as JSON: an array of arrays.
pub(crate) fn rows_of(rows: Value) -> Result<Vec<Vec<Value>>, EmulatorError> {
    serde_json::from_value(rows).map_err(|error| {
        EmulatorError::InvalidArgument(format!("rows must be an array of arrays: {error}"))
    })
}

impl Emulator {
    /// An emulator; with a `state_path` whose file exists, its state is loaded.
    pub fn new(config: EmulatorConfig) -> Result<Emulator, EmulatorError> {
        let state = match &config.state_path {
            Some(path) if path.exists() => store::load(path)?,
            _ => State::default(),
        };
        Ok(Emulator::with_state(config, state))
    }

    fn with_state(config: EmulatorConfig, state: State) -> Emulator {
        Emulator {
            inner: Arc::new(Inner {
                config: Mutex::new(config),
                state: Mutex::new(state),
                quotas: Mutex::new(Quotas::default()),
                faults: Mutex::new(Faults::default()),
                counters: Mutex::new(Counters::default()),
                log: Mutex::new(RequestLog::default()),
            }),
        }
    }

    pub fn config(&self) -> EmulatorConfig {
        lock(&self.inner.config).clone()
    }

    // ----- credentials -----

    /// Registers a service account's public key (`key_id` is the key file's
    /// `private_key_id`); the account is created when new, in `project_id` or the
    /// project named by its email (`name@PROJECT.iam.gserviceaccount.com`).
    pub fn register_service_account(
        &self,
        email: &str,
        project_id: Option<&str>,
        key_id: &str,
        public_key_pem: &str,
    ) -> Result<(), EmulatorError> {
        jsonwebtoken::DecodingKey::from_rsa_pem(public_key_pem.as_bytes()).map_err(|error| {
            EmulatorError::InvalidArgument(format!("not an RSA public key PEM: {error}"))
        })?;
        let project_id = project_id
            .map(str::to_owned)
            .unwrap_or_else(|| self.project_of_email(email));
        let mut state = lock(&self.inner.state);
        let account = state
            .service_accounts
            .entry(email.to_lowercase())
            .or_insert_with(|| ServiceAccount {
                email: email.to_owned(),
                project_id,
                keys: Vec::new(),
            });
        account.keys.retain(|key| key.key_id != key_id);
        account.keys.push(RegisteredKey {
            key_id: key_id.to_owned(),
            public_key_pem: public_key_pem.to_owned(),
        });
        state.dirty = true;
        Ok(())
    }

    fn project_of_email(&self, email: &str) -> String {
        email
            .split_once('@')
            .and_then(|(_, domain)| domain.strip_suffix(".iam.gserviceaccount.com"))
            .map(str::to_owned)
            .unwrap_or_else(|| self.config().default_project_id)
    }

    /// Generates a key pair for a new service account whose key file names `token_uri`,
    /// and registers its public half. The returned key file works with any Google client.
    pub fn create_service_account(
        &self,
        email: &str,
        token_uri: &str,
    ) -> Result<ServiceAccountKey, EmulatorError> {
        let key = ServiceAccountKey::generate_for(email, token_uri)?;
        self.register_service_account(
            email,
            Some(&key.project_id),
            &key.private_key_id,
            &key.public_key_pem,
        )?;
        Ok(key)
    }

    /// Registers an OAuth client for the refresh-token grant.
    pub fn register_oauth_client(
        &self,
        client_id: &str,
        client_secret: &str,
        project_id: Option<&str>,
    ) {
        let project_id = project_id
            .map(str::to_owned)
            .unwrap_or_else(|| self.config().default_project_id);
        let mut state = lock(&self.inner.state);
        state.oauth_clients.insert(
            client_id.to_owned(),
            OAuthClient {
                client_id: client_id.to_owned(),
                client_secret: client_secret.to_owned(),
                project_id,
            },
        );
        state.dirty = true;
    }

    /// Issues a refresh token of `email` to a registered client.
    pub fn issue_refresh_token(
        &self,
        client_id: &str,
        email: &str,
        scopes: &[&str],
    ) -> Result<String, EmulatorError> {
        let mut state = lock(&self.inner.state);
        if !state.oauth_clients.contains_key(client_id) {
            return Err(EmulatorError::NotFound(format!("OAuth client {client_id}")));
        }
        let token = format!("1//{}", crate::random_token(64));
        state.refresh_tokens.insert(
            token.clone(),
            RefreshGrant {
                refresh_token: token.clone(),
                client_id: client_id.to_owned(),
                email: email.to_owned(),
                scopes: scopes.iter().map(|scope| (*scope).to_owned()).collect(),
            },
        );
        state.dirty = true;
        Ok(token)
    }

    /// Revokes a refresh token.
    pub fn revoke_refresh_token(&self, refresh_token: &str) {
        let mut state = lock(&self.inner.state);
        state.refresh_tokens.remove(refresh_token);
        state.dirty = true;
    }

    /// Registers an API key (`?key=`), good for reading public spreadsheets.
    pub fn register_api_key(&self, key: &str, project_id: Option<&str>) {
        let project_id = project_id
            .map(str::to_owned)
            .unwrap_or_else(|| self.config().default_project_id);
        let mut state = lock(&self.inner.state);
        state.api_keys.insert(
            key.to_owned(),
            ApiKey {
                key: key.to_owned(),
                project_id,
            },
        );
        state.dirty = true;
    }

    /// Mints an access token for `email` directly (no JWT), lasting `lifetime` or the
    /// configured token lifetime.
    pub fn mint_access_token(
        &self,
        email: &str,
        scopes: &[&str],
        lifetime: Option<Duration>,
    ) -> String {
        let config = self.config();
        let mut state = lock(&self.inner.state);
        let project_id = state
            .service_accounts
            .get(&email.to_lowercase())
            .map(|account| account.project_id.clone())
            .unwrap_or_else(|| self.project_of_email(email));
        crate::auth::issue_token(
            &mut state,
            email,
            scopes.iter().map(|scope| (*scope).to_owned()).collect(),
            &project_id,
            lifetime.unwrap_or(config.access_token_lifetime),
        )
    }

    /// Expires every access token issued so far: the next Sheets call with one answers 401.
    pub fn expire_access_tokens(&self) {
        let now = Instant::now();
        for token in lock(&self.inner.state).access_tokens.values_mut() {
            token.expires_at = now;
        }
    }

    // ----- spreadsheets -----

    /// Creates a spreadsheet; its id.
    pub fn create_spreadsheet(&self, seed: SpreadsheetSeed) -> Result<String, EmulatorError> {
        let spreadsheet_id = seed
            .spreadsheet_id
            .clone()
            .unwrap_or_else(crate::new_spreadsheet_id);
        let mut spreadsheet = Spreadsheet {
            spreadsheet_id: spreadsheet_id.clone(),
            title: seed.title.clone(),
            locale: seed.locale.clone(),
            time_zone: seed.time_zone.clone(),
            sheets: Vec::new(),
            permissions: Default::default(),
            public: seed.public,
            objects: Default::default(),
            other_properties: Default::default(),
        };
        for email in &seed.readers {
            spreadsheet
                .permissions
                .insert(email.to_lowercase(), Role::Reader);
        }
        for email in &seed.writers {
            spreadsheet
                .permissions
                .insert(email.to_lowercase(), Role::Writer);
        }
        let sheets = if seed.sheets.is_empty() {
            vec![SheetSeed::default()]
        } else {
            seed.sheets.clone()
        };
        for sheet in sheets {
            add_seeded_sheet(&mut spreadsheet, sheet, seed.value_input_option)?;
        }
        spreadsheet.recalculate();
        let mut state = lock(&self.inner.state);
        if state.spreadsheets.contains_key(&spreadsheet_id) {
            return Err(EmulatorError::InvalidArgument(format!(
                "spreadsheet {spreadsheet_id} already exists"
            )));
        }
        state
            .spreadsheets
            .insert(spreadsheet_id.clone(), spreadsheet);
        state.dirty = true;
        Ok(spreadsheet_id)
    }

    /// Adds a sheet to a spreadsheet; its sheet id.
    pub fn add_sheet(&self, spreadsheet_id: &str, sheet: SheetSeed) -> Result<i32, EmulatorError> {
        self.with_spreadsheet(spreadsheet_id, |spreadsheet| {
            add_seeded_sheet(spreadsheet, sheet, ValueInputOption::UserEntered)
        })
    }

    pub fn delete_spreadsheet(&self, spreadsheet_id: &str) -> Result<(), EmulatorError> {
        let mut state = lock(&self.inner.state);
        state
            .spreadsheets
            .remove(spreadsheet_id)
            .ok_or_else(|| EmulatorError::NotFound(format!("spreadsheet {spreadsheet_id}")))?;
        state.dirty = true;
        Ok(())
    }

    /// Ids of all spreadsheets.
    pub fn spreadsheet_ids(&self) -> Vec<String> {
        lock(&self.inner.state)
            .spreadsheets
            .keys()
            .cloned()
            .collect()
    }

    /// Gives an account access to a spreadsheet.
    pub fn share(
        &self,
        spreadsheet_id: &str,
        email: &str,
        role: Role,
    ) -> Result<(), EmulatorError> {
        self.with_spreadsheet(spreadsheet_id, |spreadsheet| {
            spreadsheet.permissions.insert(email.to_lowercase(), role);
            Ok(())
        })
    }

    /// Takes an account's access away.
    pub fn unshare(&self, spreadsheet_id: &str, email: &str) -> Result<(), EmulatorError> {
        self.with_spreadsheet(spreadsheet_id, |spreadsheet| {
            spreadsheet.permissions.remove(&email.to_lowercase());
            Ok(())
        })
    }

    /// Marks a spreadsheet readable by anyone with the link (API keys may read it).
    pub fn set_public(&self, spreadsheet_id: &str, public: bool) -> Result<(), EmulatorError> {
        self.with_spreadsheet(spreadsheet_id, |spreadsheet| {
            spreadsheet.public = public;
            Ok(())
        })
    }

    /// Appends rows after the last non-empty row of a sheet, from column A (as a Google
    /// Form adds responses), growing the grid when needed; the range written.
    pub fn append_rows(
        &self,
        spreadsheet_id: &str,
        sheet: &str,
        rows: impl Into<Value>,
        option: ValueInputOption,
    ) -> Result<String, EmulatorError> {
        let rows = rows_of(rows.into())?;
        self.with_spreadsheet(spreadsheet_id, |spreadsheet| {
            let index = sheet_index(spreadsheet, sheet)?;
            // After the last row holding a value (formatting alone is not data).
            let after = spreadsheet.sheets[index]
                .rows
                .iter()
                .rposition(|cells| cells.iter().flatten().any(|cell| !cell.is_blank()))
                .map_or(0, |last| last as u32 + 1);
            let width = rows.iter().map(Vec::len).max().unwrap_or(0) as u32;
            let locale = spreadsheet.locale_rules();
            let sheet_ref = &mut spreadsheet.sheets[index];
            sheet_ref.row_count = sheet_ref.row_count.max(after + rows.len() as u32);
            sheet_ref.column_count = sheet_ref.column_count.max(width);
            let summary = sheet_ref.write(
                after,
                0,
                None,
                "",
                &rows,
                MajorDimension::Rows,
                option,
                &locale,
            )?;
            let written = summary
                .rect
                .map(|rect| sheet_ref.a1(&rect))
                .unwrap_or_default();
            spreadsheet.check_cell_limit()?;
            Ok(written)
        })
    }

    /// Inserts rows before the 0-based `start_index`, filled with `rows` (one inserted row
    /// per given row; `[[]]` inserts one empty row); data below moves down.
    pub fn insert_rows(
        &self,
        spreadsheet_id: &str,
        sheet: &str,
        start_index: u32,
        rows: impl Into<Value>,
        option: ValueInputOption,
    ) -> Result<(), EmulatorError> {
        let rows = rows_of(rows.into())?;
        self.with_spreadsheet(spreadsheet_id, |spreadsheet| {
            let index = sheet_index(spreadsheet, sheet)?;
            let locale = spreadsheet.locale_rules();
            if start_index > spreadsheet.sheets[index].row_count {
                return Err(EmulatorError::InvalidArgument(format!(
                    "start index {start_index} is past the grid ({} rows)",
                    spreadsheet.sheets[index].row_count
                )));
            }
            spreadsheet.insert_rows(index, start_index, rows.len() as u32);
            let sheet = &mut spreadsheet.sheets[index];
            let width = rows.iter().map(Vec::len).max().unwrap_or(0) as u32;
            sheet.column_count = sheet.column_count.max(width);
            sheet.write(
                start_index,
                0,
                None,
                "",
                &rows,
                MajorDimension::Rows,
                option,
                &locale,
            )?;
            spreadsheet.check_cell_limit()?;
            Ok(())
        })
    }

    /// Deletes `count` rows from the 0-based `start_index`; data below moves up.
    pub fn delete_rows(
        &self,
        spreadsheet_id: &str,
        sheet: &str,
        start_index: u32,
        count: u32,
    ) -> Result<(), EmulatorError> {
        self.with_spreadsheet(spreadsheet_id, |spreadsheet| {
            let index = sheet_index(spreadsheet, sheet)?;
            let row_count = spreadsheet.sheets[index].row_count;
            let end = start_index.saturating_add(count);
            if count == 0 || end > row_count || count >= row_count {
                return Err(EmulatorError::InvalidArgument(format!(
                    "cannot delete rows [{start_index}, {end}) of a sheet of {row_count} rows"
                )));
            }
            spreadsheet.delete_rows(index, start_index, end);
            Ok(())
        })
    }

    /// Writes values at an A1 range as `values.update` does; the range written.
    pub fn set_values(
        &self,
        spreadsheet_id: &str,
        range: &str,
        rows: impl Into<Value>,
        option: ValueInputOption,
    ) -> Result<String, EmulatorError> {
        let rows = rows_of(rows.into())?;
        self.with_spreadsheet(spreadsheet_id, |spreadsheet| {
            let response =
                crate::api::update_values(spreadsheet, range, &rows, MajorDimension::Rows, option)?;
            Ok(response
                .get("updatedRange")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned())
        })
    }

    /// Sets a sheet's grid size (data outside the new grid is dropped).
    pub fn resize_sheet(
        &self,
        spreadsheet_id: &str,
        sheet: &str,
        row_count: u32,
        column_count: u32,
    ) -> Result<(), EmulatorError> {
        self.with_spreadsheet(spreadsheet_id, |spreadsheet| {
            let index = sheet_index(spreadsheet, sheet)?;
            if row_count == 0 || column_count == 0 {
                return Err(EmulatorError::InvalidArgument(
                    "a grid needs a row and a column".into(),
                ));
            }
            resize(spreadsheet, index, Some(row_count), Some(column_count));
            spreadsheet.check_cell_limit()?;
            Ok(())
        })
    }

    /// The values of an A1 range as `values.get` answers them (rows, trailing empties
    /// trimmed, empty list when no data).
    pub fn read_range(
        &self,
        spreadsheet_id: &str,
        range: &str,
        render: ValueRenderOption,
    ) -> Result<Vec<Vec<Value>>, EmulatorError> {
        let state = lock(&self.inner.state);
        let spreadsheet = state
            .spreadsheets
            .get(spreadsheet_id)
            .ok_or_else(|| EmulatorError::NotFound(format!("spreadsheet {spreadsheet_id}")))?;
        let target = spreadsheet.target(range)?;
        let sheet = &spreadsheet.sheets[target.sheet_index];
        let rect = sheet.rect(target.area.as_ref())?;
        let values = sheet.read(
            &rect,
            MajorDimension::Rows,
            render,
            crate::cell::DateTimeRenderOption::SerialNumber,
            &spreadsheet.locale_rules(),
        );
        values
            .map(|values| rows_of(Value::Array(values)))
            .transpose()
            .map(Option::unwrap_or_default)
    }

    /// A sheet's values, unformatted (numbers, booleans, dates as serial numbers).
    pub fn sheet_values(
        &self,
        spreadsheet_id: &str,
        sheet: &str,
    ) -> Result<Vec<Vec<Value>>, EmulatorError> {
        self.read_range(
            spreadsheet_id,
            &crate::a1::quoted(sheet),
            ValueRenderOption::UnformattedValue,
        )
    }

    /// A sheet's values as the UI shows them.
    pub fn sheet_values_formatted(
        &self,
        spreadsheet_id: &str,
        sheet: &str,
    ) -> Result<Vec<Vec<String>>, EmulatorError> {
        let rows = self.read_range(
            spreadsheet_id,
            &crate::a1::quoted(sheet),
            ValueRenderOption::FormattedValue,
        )?;
        Ok(rows
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|value| value.as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .collect())
    }

    /// The `Spreadsheet` resource as `spreadsheets.get` answers it.
    pub fn spreadsheet_json(&self, spreadsheet_id: &str) -> Result<Value, EmulatorError> {
        let prefix = self.config().spreadsheet_url_prefix;
        let state = lock(&self.inner.state);
        let spreadsheet = state
            .spreadsheets
            .get(spreadsheet_id)
            .ok_or_else(|| EmulatorError::NotFound(format!("spreadsheet {spreadsheet_id}")))?;
        let sheets = spreadsheet
            .sheets
            .iter()
            .enumerate()
            .map(|(index, sheet)| serde_json::json!({ "properties": sheet.properties_json(index) }))
            .collect();
        Ok(spreadsheet.resource(&prefix, sheets))
    }

    fn with_spreadsheet<T>(
        &self,
        spreadsheet_id: &str,
        change: impl FnOnce(&mut Spreadsheet) -> Result<T, EmulatorError>,
    ) -> Result<T, EmulatorError> {
        let mut state = lock(&self.inner.state);
        let spreadsheet = state
            .spreadsheets
            .get_mut(spreadsheet_id)
            .ok_or_else(|| EmulatorError::NotFound(format!("spreadsheet {spreadsheet_id}")))?;
        // Changes are atomic: made on a copy, kept only when they succeed.
        let mut copy = spreadsheet.clone();
        let result = change(&mut copy)?;
        copy.recalculate();
        *spreadsheet = copy;
        state.dirty = true;
        Ok(result)
    }

    // ----- quotas, faults, observability -----

    /// Replaces the quotas (usage so far is kept).
    pub fn set_quotas(&self, quotas: QuotaConfig) {
        lock(&self.inner.config).quotas = quotas;
    }

    /// Refills every quota window.
    pub fn reset_quota_usage(&self) {
        lock(&self.inner.quotas).reset();
    }

    /// Fails matching requests with a status.
    pub fn inject_fault(&self, fault: FaultSpec) {
        lock(&self.inner.faults).failures.push(fault);
    }

    /// Delays matching requests.
    pub fn add_latency(&self, latency: LatencySpec) {
        lock(&self.inner.faults).latencies.push(latency);
    }

    /// Closes matching connections without answering.
    pub fn drop_connections(&self, drop: DropSpec) {
        lock(&self.inner.faults).drops.push(drop);
    }

    /// Removes every fault, latency and drop rule.
    pub fn clear_faults(&self) {
        *lock(&self.inner.faults) = Faults::default();
    }

    /// Clears fault rules, counters, the request log and quota usage (data and
    /// credentials stay).
    pub fn reset(&self) {
        self.clear_faults();
        *lock(&self.inner.counters) = Counters::default();
        *lock(&self.inner.log) = RequestLog::default();
        self.reset_quota_usage();
    }

    /// Also forgets every spreadsheet, credential and token.
    pub fn reset_all(&self) {
        self.reset();
        let mut state = lock(&self.inner.state);
        *state = State::default();
        state.dirty = true;
    }

    pub fn counters(&self) -> Counters {
        lock(&self.inner.counters).clone()
    }

    /// The last requests (at most 1000), oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.inner.log).records.iter().cloned().collect()
    }

    // ----- state file -----

    /// The state as the state file's JSON.
    pub fn state_json(&self) -> Value {
        lock(&self.inner.state).to_json()
    }

    /// Replaces the state with a state file's JSON (access tokens are forgotten).
    pub fn load_state_json(&self, json: Value) -> Result<(), EmulatorError> {
        let mut loaded = State::from_json(json)
            .map_err(|error| EmulatorError::InvalidArgument(format!("bad state: {error}")))?;
        loaded.dirty = true;
        *lock(&self.inner.state) = loaded;
        Ok(())
    }

    /// Writes the state to a file.
    pub fn save_state(&self, path: &Path) -> Result<(), EmulatorError> {
        let json = {
            let mut state = lock(&self.inner.state);
            state.dirty = false;
            state.to_json()
        };
        store::save(path, &json)
    }

    /// Writes the state to the configured `state_path` if it changed since the last save.
    pub fn save_if_dirty(&self) -> Result<bool, EmulatorError> {
        let Some(path) = self.config().state_path else {
            return Ok(false);
        };
        if !lock(&self.inner.state).dirty {
            return Ok(false);
        }
        self.save_state(&path)?;
        Ok(true)
    }
}

/// Sets a sheet's grid size: rows or columns past the new size are deleted (formulas that
/// referred to them read `#REF!`), or empty ones added.
pub(crate) fn resize(
    spreadsheet: &mut Spreadsheet,
    index: usize,
    row_count: Option<u32>,
    column_count: Option<u32>,
) {
    if let Some(rows) = row_count {
        let current = spreadsheet.sheets[index].row_count;
        if rows < current {
            spreadsheet.delete_rows(index, rows, current);
        } else {
            spreadsheet.sheets[index].row_count = rows;
        }
    }
    if let Some(columns) = column_count {
        let current = spreadsheet.sheets[index].column_count;
        if columns < current {
            spreadsheet.delete_columns(index, columns, current);
        } else {
            spreadsheet.sheets[index].column_count = columns;
        }
    }
}

fn sheet_index(spreadsheet: &Spreadsheet, title: &str) -> Result<usize, EmulatorError> {
    spreadsheet
        .sheet_index(title)
        .ok_or_else(|| EmulatorError::NotFound(format!("sheet {title}")))
}

/// Adds a seeded sheet: id, grid grown to fit the rows, rows written from A1.
fn add_seeded_sheet(
    spreadsheet: &mut Spreadsheet,
    seed: SheetSeed,
    option: ValueInputOption,
) -> Result<i32, EmulatorError> {
    if seed.title.is_empty() || spreadsheet.sheet_index(&seed.title).is_some() {
        return Err(EmulatorError::Api(ApiError::invalid_argument(format!(
            "A sheet with the name \"{}\" already exists. Please enter another name.",
            seed.title
        ))));
    }
    let sheet_id = match seed.sheet_id {
        Some(sheet_id) if spreadsheet.sheet_index_by_id(sheet_id).is_some() => {
            return Err(EmulatorError::InvalidArgument(format!(
                "sheet id {sheet_id} is taken"
            )));
        }
        Some(sheet_id) => sheet_id,
        None if spreadsheet.sheets.is_empty() => 0,
        None => crate::new_sheet_id(spreadsheet),
    };
    let rows = rows_of(seed.rows)?;
    let mut sheet = Sheet::new(sheet_id, seed.title);
    let width = rows.iter().map(Vec::len).max().unwrap_or(0) as u32;
    sheet.row_count = seed
        .row_count
        .unwrap_or(model::DEFAULT_ROW_COUNT)
        .max(rows.len() as u32)
        .max(1);
    sheet.column_count = seed
        .column_count
        .unwrap_or(model::DEFAULT_COLUMN_COUNT)
        .max(width)
        .max(1);
    sheet.frozen_row_count = seed.frozen_row_count;
    let locale = spreadsheet.locale_rules();
    sheet.write(0, 0, None, "", &rows, MajorDimension::Rows, option, &locale)?;
    spreadsheet.sheets.push(sheet);
    spreadsheet.check_cell_limit()?;
    Ok(sheet_id)
}
