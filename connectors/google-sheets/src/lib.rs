//! The Google Sheets source connector: streams the rows of Google Sheets — Google Forms
//! response sheets above all — into Kafka, row by row, resuming exactly where it stopped.
//!
//! Class `io.tributary.connect.googlesheets.GoogleSheetsSourceConnector` (aliases
//! `GoogleSheetsSourceConnector`, `GoogleSheetsSource`). Each row after the header becomes
//! one record: the value is a Struct named after the sheet with one optional field per
//! column, named from the header row ([`columns`]); the key is configurable (none, the row
//! number, or a column); the timestamp comes from a column such as the Forms `Timestamp`,
//! read in the spreadsheet's locale and time zone ([`timestamp`]), or is the read time; the
//! headers `google.sheets.spreadsheet.id`, `google.sheets.sheet.title` and
//! `google.sheets.row` say where the row came from.
//!
//! The modules hold the ideas:
//!
//! * [`offsets`] — partitions, offsets, and the anchor that survives rows inserted or
//!   deleted above it (the re-anchoring policy is documented there);
//! * [`task`] — one batched request per poll, pacing, never reading past the grid, cancel
//!   safety;
//! * [`budget`] — the process-wide request budget per credential that keeps every task
//!   within Google's per-user read quota;
//! * [`client`] and [`auth`] — the Sheets API, errors and retries, service-account JWTs,
//!   refresh tokens, API keys, secrets that never print;
//! * [`connector`] — sheets divided among tasks, none read twice;
//! * [`config`] — every key, validation with actionable per-key errors, and the generated
//!   reference ([`config_reference_markdown`]).
//!
//! # The seed connector's config
//!
//! The config of the Java connector this project started from
//! (`io.github.brewagebear.SimpleGoogleSheetConnector`: `topic`, `poll.interval.ms`,
//! `sheet_id`, `sheet_fetch_size`, `type`, `project_id`, `private_key_id`, `private_key`,
//! `client_email`, `client_id`, `auth_uri`, `token_uri`, `auth_provider_x509_cert_url`,
//! `client_x509_cert_url`, `universe_domain`) is accepted unchanged under that class name,
//! and produces what that connector meant to: from row 2 of the first sheet, one record per
//! row with key = column A and value = column B, both with a `STRING` schema (an empty cell
//! is `""`). It does so without that connector's defects: its source partition is the sheet
//! (not the task number), offsets are used on restart, rows are neither repeated nor
//! skipped, empty polls and grid ends are not errors, quotas and transient errors are
//! handled, and the private key is a password that is never logged.

pub mod a1;
pub mod auth;
pub mod budget;
pub mod client;
pub mod columns;
pub mod config;
pub mod connector;
pub mod offsets;
pub mod retry;
pub mod task;
pub mod timestamp;
pub mod window;

use connect_api::plugin::PluginDesc;

pub use config::{CONNECTOR_CLASS, SEED_CONNECTOR_CLASS, config_def, config_reference_markdown};
pub use connector::GoogleSheetsSourceConnector;
pub use task::{GoogleSheetsSourceTask, TaskStats};

/// The crate's version, reported by the connector and its tasks.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The connector under its class name (with the automatic aliases
/// `GoogleSheetsSourceConnector` and `GoogleSheetsSource`) and under the seed connector's
/// class name (alias `SimpleGoogleSheetConnector`, `SimpleGoogleSheet`), for a worker's
/// plugin list.
pub fn plugins() -> Vec<PluginDesc> {
    vec![
        PluginDesc::source(CONNECTOR_CLASS, VERSION, || {
            Box::new(GoogleSheetsSourceConnector::new())
        }),
        PluginDesc::source(SEED_CONNECTOR_CLASS, VERSION, || {
            Box::new(GoogleSheetsSourceConnector::seed())
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::plugin::PluginType;

    #[test]
    fn plugins_answer_to_their_names() {
        let plugins = plugins();
        assert_eq!(plugins.len(), 2);
        for name in [
            CONNECTOR_CLASS,
            "GoogleSheetsSourceConnector",
            "GoogleSheetsSource",
        ] {
            assert!(plugins[0].matches(name), "{name}");
        }
        for name in [SEED_CONNECTOR_CLASS, "SimpleGoogleSheetConnector"] {
            assert!(plugins[1].matches(name), "{name}");
        }
        assert!(
            plugins
                .iter()
                .all(|p| p.plugin_type() == PluginType::Source)
        );
        assert!(!plugins[1].matches("GoogleSheetsSource"));
    }
}
