//! The Sheets API emulator, a service account and connector configs for end-to-end tests.

use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::Value;
use sheets_emulator::testing::ServiceAccountKey;
use sheets_emulator::{Emulator, EmulatorConfig, RunningEmulator, SheetSeed, SpreadsheetSeed};

pub const EMAIL: &str = "tributary-reader@test-project.iam.gserviceaccount.com";

/// An emulator with a registered service account.
pub struct Sheets {
    pub emulator: RunningEmulator,
    pub key: ServiceAccountKey,
}

impl Sheets {
    pub fn start(config: EmulatorConfig) -> Result<Sheets> {
        let emulator = Emulator::start_local_with(config).context("emulator")?;
        let key = emulator
            .create_service_account(EMAIL)
            .context("service account")?;
        Ok(Sheets { emulator, key })
    }

    /// A spreadsheet shared with the service account.
    pub fn spreadsheet(&self, seed: SpreadsheetSeed) -> Result<String> {
        Ok(self.emulator.create_spreadsheet(seed.reader(EMAIL))?)
    }

    /// The body of the private key: what must never show up anywhere.
    pub fn secret_fragment(&self) -> String {
        self.key
            .private_key_pem
            .lines()
            .nth(3)
            .unwrap_or_default()
            .to_string()
    }

    /// Connector keys that reach the emulator with this service account.
    pub fn connection(&self) -> Vec<(&'static str, String)> {
        vec![
            ("api.base.url", self.emulator.base_url().to_string()),
            ("credentials.json", self.key.to_json_string()),
        ]
    }
}

impl Sheets {
    /// Writes a connector properties file: `pairs` plus the keys that reach this emulator.
    pub fn write_connector(
        &self,
        path: &std::path::Path,
        mut pairs: Vec<(&'static str, String)>,
    ) -> Result<std::path::PathBuf> {
        pairs.extend(self.connection());
        super::write_properties(path, &pairs)?;
        Ok(path.to_path_buf())
    }
}

pub fn sheet(title: &str, rows: Value) -> SheetSeed {
    SheetSeed::new(title).rows(rows)
}

/// Asserts that `text` does not contain the private key.
pub fn assert_no_secret(sheets: &Sheets, what: &str, text: &str) {
    let fragment = sheets.secret_fragment();
    assert!(fragment.len() > 20, "the fragment must be distinctive");
    assert!(!text.contains(&fragment), "{what} contains the private key");
    // Any line of the key's body, also as it looks JSON-escaped.
    for line in sheets
        .key
        .private_key_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
    {
        assert!(
            !text.contains(line),
            "{what} contains a line of the private key"
        );
    }
}

/// Waits until `count` records are in `topic`.
pub async fn wait_for_records(
    cluster: &connect_testkit::KafkaCluster,
    topic: &str,
    count: i64,
    timeout: Duration,
) -> Result<()> {
    connect_testkit::wait_until(timeout, Duration::from_millis(100), || async {
        cluster
            .end_offsets(topic)
            .await
            .is_ok_and(|o| o.values().sum::<i64>() >= count)
    })
    .await
    .with_context(|| format!("{count} records in {topic}"))
}
