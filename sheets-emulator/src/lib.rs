//! A stateful, faithful emulator of the Google Sheets API v4 and of Google's OAuth 2.0 token
//! endpoint, for tests and for developing pipelines offline.
//!
//! Google ships emulators for Pub/Sub, Datastore, Firestore, Bigtable and Spanner, but not
//! for Sheets, and the existing fakes answer canned JSON. A connector that streams a sheet
//! into Kafka lives or dies by details a canned fake never shows: a read whose start row is
//! past the grid fails with 400 while one whose end is past it is clamped; an answer with
//! no data has no `values` key at all; trailing empty cells and rows are dropped while
//! interior empty rows come back as `[]`; a sheet called `Form responses 1` must be quoted
//! and a `/` in its name encoded; 60 reads a minute per user is all there is; rows inserted
//! above the read position move everything. This crate keeps real spreadsheets in memory and
//! answers as Google does, byte for byte where we know the bytes.
//!
//! # What it emulates
//!
//! - **Spreadsheets and values** ([`app`]): `spreadsheets.get` (with `fields`, `ranges`,
//!   `includeGridData`), `spreadsheets.create`, `spreadsheets.batchUpdate` (structure,
//!   values, formats and the objects Sheets keeps: merges, filters, named and protected
//!   ranges, conditional formats, banding, dimension properties, developer metadata; all or
//!   nothing), `values.get`, `values.batchGet`, `values.update`, `values.append` (Google's
//!   table detection, `INSERT_ROWS`/`OVERWRITE`, the grid grows), `values.clear`,
//!   `values.batchUpdate`, `values.batchClear`, the `...ByDataFilter` methods,
//!   `sheets.copyTo` and `developerMetadata.search`/`get`. A1 and R1C1 notation are parsed
//!   as Google parses them ([`a1`]); answers carry normalised ranges; errors have Google's
//!   shape and, where known, Google's words. The README lists every request and what
//!   still differs from Google.
//! - **Cells** ([`cell`]): strings, numbers, booleans, formulas and their computed values
//!   (IronCalc's engine, recomputed on every change, references moved by row and column
//!   changes), number formats and other formatting. `USER_ENTERED` input parses numbers,
//!   percentages, currency, booleans, dates and times per the spreadsheet's locale; dates
//!   become serial numbers (days since 1899-12-30) rendered back per locale by
//!   `FORMATTED_VALUE`.
//! - **Authentication**: `POST /token` verifies RS256 service-account assertions against
//!   registered public keys (padded or unpadded base64), exchanges refresh tokens of
//!   registered OAuth clients, and issues bearer tokens that expire. Sheets requests need a
//!   token (401 otherwise) whose scopes allow the call (a `spreadsheets.readonly` token
//!   cannot write), an account the spreadsheet is shared with as reader or writer (403
//!   otherwise), or an API key for a public spreadsheet. [`testing::ServiceAccountKey`]
//!   generates real key files pointing at the emulator.
//! - **Quotas**: read and write requests per user and per project per window, answered
//!   with Google's 429 `RESOURCE_EXHAUSTED` text and details.
//! - **Faults and observability**: failures with a status (and `Retry-After`), latency,
//!   connections closed without an answer, all optionally limited to a path prefix and a
//!   number of requests; counters per endpoint and status, response bytes, a request log.
//! - **State**: everything can be saved to and loaded from a JSON file (see [`EmulatorConfig`]
//!   and the README), so a developer can keep sheets between runs.
//!
//! All of it is reachable in-process through the cloneable [`Emulator`] handle and over
//! HTTP under `/__admin/...` (documented in the README). [`Emulator::start_local`] serves a
//! fresh emulator on `127.0.0.1:0` from its own thread for tests; [`serve`] serves one on a
//! listener the caller owns (what `tributary sheets-emulator --port N --state f.json` runs).
//!
//! # What it does not emulate
//!
//! - Sheets-only formula functions (`QUERY`, `IMPORTRANGE`, `GOOGLEFINANCE`, ...) and
//!   array results spilling into neighbouring cells.
//! - Presentation is stored and answered back, never acted upon: filters hide no rows,
//!   protection and validation are not enforced, conditional formats are not evaluated.
//!   Charts, slicers, pivot tables, dimension groups and data sources are not emulated.
//! - Drive: there is no file listing, no revisions, no `modifiedTime`. Sharing is a list of
//!   accounts per spreadsheet plus a public flag, set through the admin API.
//! - Number formats are a practical subset (date/time tokens, `0`, `#,##0.00`, `%`,
//!   currency, scientific); locales are a table of common ones, unknown ones act as
//!   `en_US`. The automatic format of numbers approximates Sheets' (15 significant digits,
//!   at most 10 decimals).
//! - Domain-wide delegation (`sub` in assertions), ID tokens, the metadata server and
//!   token revocation endpoints. Quota windows open at a consumer's first request rather
//!   than on the wall-clock minute, so tests are deterministic.
//! - Size limits other than the 10-million-cell spreadsheet limit and a request body limit
//!   (10 MiB by default); the 180-second request deadline.
//!
//! # Where Google's behaviour is uncertain
//!
//! Error texts marked in the README as "emulator wording" (for instance an `insertDimension`
//! past the grid) are ours: Google's exact words are not known to us. Everything in
//! `shared/reference/google-sheets.md` is reproduced as stated there.

pub mod a1;
mod admin;
mod api;
mod auth;
mod batch;
pub mod cell;
mod emulator;
mod error;
mod faults;
mod fields;
mod filters;
mod formula;
mod model;
mod quota;
mod ranges;
mod requests;
mod server;
mod store;
pub mod testing;

use rand::Rng;

pub use auth::{JWT_BEARER, SCOPE_SPREADSHEETS, SCOPE_SPREADSHEETS_READONLY};
pub use cell::{DateTimeRenderOption, ValueInputOption, ValueRenderOption};
pub use emulator::{Emulator, EmulatorConfig, SheetSeed, SpreadsheetSeed};
pub use error::{ApiError, EmulatorError};
pub use faults::{Counters, DropSpec, EndpointKind, FaultSpec, LatencySpec, RequestRecord};
pub use model::Role;
pub use quota::{QuotaConfig, project_number};
pub use server::{RunningEmulator, app, serve};
pub use store::{ApiKey, OAuthClient, RefreshGrant, RegisteredKey, STATE_VERSION, ServiceAccount};

const TOKEN_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `length` random characters of `[A-Za-z0-9_-]`.
pub(crate) fn random_token(length: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..length)
        .map(|_| char::from(TOKEN_ALPHABET[rng.gen_range(0..TOKEN_ALPHABET.len())]))
        .collect()
}

/// A 44-character id like Google's (`1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms`).
pub(crate) fn new_spreadsheet_id() -> String {
    format!("1{}", random_token(43))
}

/// A random positive sheet id not used in the spreadsheet.
pub(crate) fn new_sheet_id(spreadsheet: &model::Spreadsheet) -> i32 {
    let mut rng = rand::thread_rng();
    loop {
        let candidate = rng.gen_range(1..i32::MAX);
        if spreadsheet.sheet_index_by_id(candidate).is_none() {
            return candidate;
        }
    }
}
