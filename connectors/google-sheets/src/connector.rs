//! The connector: validates the config, reads the spreadsheet's metadata, and divides its
//! sheets among the tasks.
//!
//! Sheets are the unit of work: each task config carries the list of sheets (ids and
//! titles) that task reads, and the lists are disjoint, so no two tasks ever read the same
//! sheet (the seed connector gave every task the same range and so produced `tasks.max`
//! copies of every row). With more tasks than sheets, only as many tasks as sheets are
//! created. Sheets are dealt out in the spreadsheet's tab order, round robin.
//!
//! The sheet list is read when the runtime asks for task configs (at start and on every
//! reconfiguration), so a sheet added to a spreadsheet read with an empty `sheets` is picked
//! up when the connector is restarted.

use std::sync::Arc;

use connect_api::{
    ConfigDef, ConfigValue, ConnectError, ConnectResult, Connector, ConnectorContext, Props,
    SourceConnector, SourceOffset, SourcePartition, SourceTask, async_trait,
};

use crate::auth::shared_authenticator;
use crate::budget::shared_budget;
use crate::client::{SheetMeta, SheetsClient, SpreadsheetMeta, http_client};
use crate::config::{self, Flavor, SheetsConfig, TASK_SHEETS_CONFIG, TaskSheet};
use crate::offsets::{Anchor, FINGERPRINT_FIELD, ROW_FIELD, SHEET_FIELD, SPREADSHEET_FIELD};
use crate::task::GoogleSheetsSourceTask;

/// Builds the API client a config describes: the shared authenticator and request budget
/// of its credential, and an HTTP client with its timeout.
pub fn build_client(config: &SheetsConfig) -> ConnectResult<SheetsClient> {
    let http = http_client(config.request_timeout)
        .map_err(|e| ConnectError::other_with("could not create the HTTP client", e))?;
    let token_uri = config
        .credentials
        .token_uri(config.token_uri_override.as_deref());
    let auth = shared_authenticator(&config.credentials, &token_uri, &http, config.retry).map_err(
        |e| {
            ConnectError::other_with(
                format!(
                    "cannot use the credentials of {}",
                    config.credentials.principal()
                ),
                e,
            )
        },
    )?;
    let budget = shared_budget(
        &config.api_base_url,
        &config.credentials.identity(),
        config.quota_limit,
        config.quota_window,
    );
    Ok(SheetsClient::new(
        http,
        &config.api_base_url,
        &config.spreadsheet_id,
        auth,
        budget,
        config.retry,
    ))
}

/// The sheets a config reads, in tab order: the named ones, else every grid sheet (the
/// first grid sheet only for the seed class). An error names a missing sheet and lists the
/// spreadsheet's sheets.
pub fn select_sheets(
    meta: &SpreadsheetMeta,
    config: &SheetsConfig,
) -> ConnectResult<Vec<SheetMeta>> {
    let mut grid: Vec<&SheetMeta> = meta.sheets.iter().filter(|s| s.is_grid()).collect();
    grid.sort_by_key(|s| s.index);
    let available = || {
        meta.sheets
            .iter()
            .map(|s| format!("'{}'", s.title))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !config.sheets.is_empty() {
        let mut selected = Vec::new();
        for name in &config.sheets {
            let found = meta.sheets.iter().find(|s| &s.title == name).or_else(|| {
                meta.sheets
                    .iter()
                    .find(|s| s.title.eq_ignore_ascii_case(name))
            });
            match found {
                Some(sheet) if sheet.is_grid() => selected.push(sheet.clone()),
                Some(sheet) => {
                    return Err(ConnectError::other(format!(
                        "sheet '{}' of spreadsheet {} is a {} sheet, not a grid of cells; \
                         remove it from sheets",
                        sheet.title, meta.spreadsheet_id, sheet.sheet_type
                    )));
                }
                None => {
                    return Err(ConnectError::other(format!(
                        "spreadsheet {} has no sheet named '{name}'; its sheets are {}",
                        meta.spreadsheet_id,
                        available()
                    )));
                }
            }
        }
        selected.sort_by_key(|s| s.index);
        return Ok(selected);
    }
    if grid.is_empty() {
        return Err(ConnectError::other(format!(
            "spreadsheet {} has no grid sheet to read (its sheets are {})",
            meta.spreadsheet_id,
            available()
        )));
    }
    Ok(match config.flavor {
        Flavor::Seed => vec![grid[0].clone()],
        Flavor::Tributary => grid.into_iter().cloned().collect(),
    })
}

/// Divides `sheets` among at most `max_tasks` tasks, round robin, none empty.
pub fn split_sheets(sheets: &[TaskSheet], max_tasks: usize) -> Vec<Vec<TaskSheet>> {
    let tasks = max_tasks.max(1).min(sheets.len());
    let mut groups: Vec<Vec<TaskSheet>> = vec![Vec::new(); tasks];
    for (index, sheet) in sheets.iter().enumerate() {
        groups[index % tasks].push(sheet.clone());
    }
    groups
}

/// The Google Sheets source connector (also registered under the seed's class name, with
/// the seed's record shape).
pub struct GoogleSheetsSourceConnector {
    flavor: Flavor,
    started: Option<(Props, SheetsConfig)>,
}

impl GoogleSheetsSourceConnector {
    /// The connector with Tributary's record shape.
    pub fn new() -> Self {
        Self::with_flavor(Flavor::Tributary)
    }

    /// The connector for `io.github.brewagebear.SimpleGoogleSheetConnector`.
    pub fn seed() -> Self {
        Self::with_flavor(Flavor::Seed)
    }

    pub fn with_flavor(flavor: Flavor) -> Self {
        GoogleSheetsSourceConnector {
            flavor,
            started: None,
        }
    }
}

impl Default for GoogleSheetsSourceConnector {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Connector for GoogleSheetsSourceConnector {
    fn version(&self) -> String {
        crate::VERSION.to_string()
    }

    fn config_def(&self) -> ConfigDef {
        config::config_def()
    }

    fn validate(&self, props: &Props) -> Vec<ConfigValue> {
        config::validate(props, self.flavor)
    }

    async fn start(
        &mut self,
        _context: Arc<dyn ConnectorContext>,
        props: Props,
    ) -> ConnectResult<()> {
        let config = SheetsConfig::build(&props, self.flavor)
            .map_err(|problems| ConnectError::Config(problems.into_error()))?;
        tracing::info!(
            "starting the Google Sheets source for spreadsheet {} as {}",
            config.spreadsheet_id,
            config.credentials.principal()
        );
        self.started = Some((props, config));
        Ok(())
    }

    async fn task_configs(&mut self, max_tasks: usize) -> ConnectResult<Vec<Props>> {
        let (props, config) = self.started.as_ref().ok_or_else(|| {
            ConnectError::other(
                "the Google Sheets connector has not been started; call start before task_configs",
            )
        })?;
        let client = build_client(config)?;
        let meta = client.spreadsheet().await.map_err(|e| {
            ConnectError::other_with(
                format!(
                    "could not read the sheets of spreadsheet {}",
                    config.spreadsheet_id
                ),
                e,
            )
        })?;
        let sheets: Vec<TaskSheet> = select_sheets(&meta, config)?
            .into_iter()
            .map(|s| TaskSheet {
                id: s.sheet_id,
                title: s.title,
            })
            .collect();
        let groups = split_sheets(&sheets, max_tasks);
        tracing::info!(
            "dividing {} sheet(s) of spreadsheet {} among {} task(s)",
            sheets.len(),
            config.spreadsheet_id,
            groups.len()
        );
        groups
            .into_iter()
            .map(|group| {
                let mut task_props = props.clone();
                let encoded = serde_json::to_string(&group).map_err(|e| {
                    ConnectError::other_with("could not encode a task's sheet list", e)
                })?;
                task_props.insert(TASK_SHEETS_CONFIG.to_string(), encoded);
                Ok(task_props)
            })
            .collect()
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        self.started = None;
        Ok(())
    }
}

impl SourceConnector for GoogleSheetsSourceConnector {
    fn create_task(&self) -> Box<dyn SourceTask> {
        Box::new(GoogleSheetsSourceTask::with_flavor(self.flavor))
    }

    /// Checks offsets given to `PATCH /connectors/{c}/offsets`: a partition needs a string
    /// `spreadsheet` and an integer `sheet`; an offset is null (start the sheet over) or has
    /// a positive integer `row` and, optionally, a 16-hex-digit `fingerprint` (without one,
    /// the task trusts the row number).
    fn alter_offsets(
        &self,
        _props: &Props,
        offsets: &[(SourcePartition, Option<SourceOffset>)],
    ) -> ConnectResult<bool> {
        for (partition, offset) in offsets {
            let well_formed = partition
                .get(SPREADSHEET_FIELD)
                .is_some_and(serde_json::Value::is_string)
                && partition
                    .get(SHEET_FIELD)
                    .is_some_and(|s| s.as_i64().is_some());
            if !well_formed {
                return Err(ConnectError::other(format!(
                    "a partition must be {{\"{SPREADSHEET_FIELD}\": <spreadsheet id>, \
                     \"{SHEET_FIELD}\": <sheet id>}}, found {}",
                    serde_json::Value::Object(partition.clone())
                )));
            }
            if let Some(offset) = offset {
                Anchor::from_offset(offset).map_err(|e| {
                    ConnectError::other_with(
                        format!(
                            "an offset must be {{\"{ROW_FIELD}\": <row>, \"{FINGERPRINT_FIELD}\": \
                             <fingerprint>}} or null"
                        ),
                        e,
                    )
                })?;
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(id: i64, title: &str, index: i64, kind: &str) -> SheetMeta {
        SheetMeta {
            sheet_id: id,
            title: title.to_string(),
            index,
            sheet_type: kind.to_string(),
            row_count: 1000,
            column_count: 26,
        }
    }

    fn meta() -> SpreadsheetMeta {
        SpreadsheetMeta {
            spreadsheet_id: "abc".into(),
            title: "Responses".into(),
            locale: "en_US".into(),
            time_zone: "UTC".into(),
            sheets: vec![
                sheet(7, "Summary", 2, "GRID"),
                sheet(0, "Form responses 1", 0, "GRID"),
                sheet(9, "Chart1", 1, "OBJECT"),
                sheet(3, "Archive", 3, "GRID"),
            ],
        }
    }

    fn config(flavor: Flavor, sheets: &str) -> SheetsConfig {
        let props: Props = [
            ("topic", "t"),
            ("spreadsheet.id", "abc"),
            ("api.key", "k"),
            ("sheets", sheets),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        SheetsConfig::build(&props, flavor).unwrap_or_else(|e| panic!("{:?}", e.0))
    }

    fn titles(sheets: &[SheetMeta]) -> Vec<&str> {
        sheets.iter().map(|s| s.title.as_str()).collect()
    }

    #[test]
    fn every_grid_sheet_in_tab_order_by_default_and_the_first_for_the_seed() {
        let all = select_sheets(&meta(), &config(Flavor::Tributary, "")).unwrap_or_default();
        assert_eq!(titles(&all), ["Form responses 1", "Summary", "Archive"]);
        let seed = select_sheets(&meta(), &config(Flavor::Seed, "")).unwrap_or_default();
        assert_eq!(titles(&seed), ["Form responses 1"]);
    }

    #[test]
    fn named_sheets_are_checked() {
        let named = select_sheets(
            &meta(),
            &config(Flavor::Tributary, "Archive,form responses 1"),
        )
        .unwrap_or_default();
        assert_eq!(titles(&named), ["Form responses 1", "Archive"]);
        let err = select_sheets(&meta(), &config(Flavor::Tributary, "Responses"))
            .expect_err("no such sheet");
        assert!(
            err.to_string().contains("no sheet named 'Responses'"),
            "{err}"
        );
        assert!(err.to_string().contains("'Summary'"), "{err}");
        let err = select_sheets(&meta(), &config(Flavor::Tributary, "Chart1")).expect_err("chart");
        assert!(err.to_string().contains("not a grid"), "{err}");
    }

    #[test]
    fn no_two_tasks_share_a_sheet() {
        let sheets: Vec<TaskSheet> = (0..5)
            .map(|i| TaskSheet {
                id: i,
                title: format!("S{i}"),
            })
            .collect();
        let groups = split_sheets(&sheets, 3);
        assert_eq!(groups.len(), 3);
        let mut seen: Vec<i64> = groups.iter().flatten().map(|s| s.id).collect();
        seen.sort_unstable();
        assert_eq!(seen, vec![0, 1, 2, 3, 4]);
        assert_eq!(groups[0].len(), 2);
        assert_eq!(split_sheets(&sheets, 10).len(), 5);
        assert_eq!(split_sheets(&sheets, 0).len(), 1);
        assert!(split_sheets(&[], 3).is_empty());
    }

    #[test]
    fn offsets_are_checked_before_they_are_altered() {
        let connector = GoogleSheetsSourceConnector::new();
        let partition = crate::offsets::source_partition("abc", 0);
        let good = Anchor::at(5, crate::offsets::Fingerprint::of_cells(&[])).to_offset();
        let props = Props::new();
        assert!(
            connector
                .alter_offsets(
                    &props,
                    &[(partition.clone(), Some(good)), (partition.clone(), None)]
                )
                .unwrap_or(false)
        );
        let mut bad = SourceOffset::new();
        bad.insert(ROW_FIELD.into(), serde_json::json!(-1));
        assert!(
            connector
                .alter_offsets(&props, &[(partition, Some(bad))])
                .is_err()
        );
        let mut wrong_partition = SourcePartition::new();
        wrong_partition.insert("task".into(), serde_json::json!(0));
        assert!(
            connector
                .alter_offsets(&props, &[(wrong_partition, None)])
                .is_err()
        );
    }
}
