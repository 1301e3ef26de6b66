//! The source task: polling sheets, turning rows into records.
//!
//! # One poll
//!
//! A task reads a fixed set of sheets (given by the connector, or all of them when the task
//! runs alone). Every poll is **one** `values:batchGet` for all of them. For each sheet it
//! asks for two ranges:
//!
//! * the header row (when there is one), so that a column added to the sheet — a question
//!   added to a form — becomes a new optional field at once, without a restart;
//! * a *window* of whole rows that starts at the anchor (the last row emitted; see
//!   [`crate::offsets`] for how the anchor is verified and re-found when rows move) and
//!   extends over as many rows as fit the byte budget ([`crate::window`]).
//!
//! Rows after the anchor become records. Empty rows are skipped and never become an
//! anchor. The anchor only ever advances to a row that was returned with data, so a window
//! that ends early (the sheet has fewer rows than asked for) never moves the position past
//! rows that are not written yet: an appended row is read by a later poll, whatever the
//! window sizes were (the seed advanced by its fetch size and lost such rows). A sheet with
//! no new rows is not an error (the API then omits `values`; the seed failed on that).
//!
//! # Pacing
//!
//! The first poll reads at once. A poll that found every sheet caught up (each window ended
//! inside the data) schedules the next read `poll.interval.ms` later; a poll that filled a
//! window (a large sheet being read for the first time) lets the next poll read at once,
//! only paced by the request budget ([`crate::budget`]). Waits are tokio sleeps inside
//! `poll`, so when the worker stops or pauses the task and drops the `poll` future, the wait
//! ends at once (the seed slept in a blocking call and raced its own `stop`).
//!
//! # Never past the grid
//!
//! A read that *starts* past the last row of the grid is refused by the API ("exceeds grid
//! limits"); one that *ends* past it is clamped. Windows start at the anchor row, which
//! exists, or at the first data row, which is checked against the grid size from the
//! metadata; the clamped end of each answer tells the task how large the grid has grown. If
//! the API still refuses a range (rows were deleted, a sheet was renamed), the task reloads
//! the metadata and plans the poll again instead of failing.
//!
//! # Cancel safety
//!
//! A poll has an asynchronous phase that only reads (metadata, the batch, a re-anchoring
//! search) into local variables, and a synchronous phase that applies what was read to the
//! task's state and builds the records it returns. Dropping the future during the first
//! phase leaves the state untouched; the second cannot be interrupted. So a row's position is
//! advanced exactly when its record is returned. The metadata cache, the token cache and
//! the request budget may change during the first phase; none of them says what was read.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use connect_api::{
    ConnectError, ConnectResult, Headers, Props, Schema, SourcePartition, SourceRecord, SourceTask,
    SourceTaskContext, Value, async_trait,
};
use tokio::time::Instant;

use crate::a1;
use crate::client::{
    SheetMeta, SheetsClient, SheetsError, SpreadsheetMeta, ValueRange, ValueRender,
};
use crate::columns::{Columns, cell_text, struct_name};
use crate::config::{Flavor, KeyMode, SheetsConfig, TaskSheet, TimestampSource};
use crate::connector::{build_client, select_sheets};
use crate::offsets::{
    Anchor, Fingerprint, Reanchor, SearchedRow, is_empty_row, reanchor, source_partition,
};
use crate::timestamp::TimestampParser;
use crate::window::{RowSizeEstimate, byte_budget_per_sheet, row_bytes};

/// Record header: the spreadsheet id.
pub const HEADER_SPREADSHEET_ID: &str = "google.sheets.spreadsheet.id";
/// Record header: the sheet's title.
pub const HEADER_SHEET_TITLE: &str = "google.sheets.sheet.title";
/// Record header: the 1-based row number, as a string.
pub const HEADER_ROW: &str = "google.sheets.row";

/// The most reads one poll makes when reads return no rows without being caught up.
const MAX_READS_PER_POLL: usize = 3;

/// The metadata is reloaded at most this often when a sheet waits for its grid to grow.
const METADATA_REFRESH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);

/// What a task did, for tests and monitoring.
#[derive(Debug, Default)]
pub struct TaskStats {
    /// Polls that read from the API.
    pub polls: AtomicU64,
    /// Records returned.
    pub records: AtomicU64,
    /// Anchors found at another row after rows moved (policy 1 in [`crate::offsets`]).
    pub anchors_moved: AtomicU64,
    /// Anchors not found (policies 2 and 3).
    pub anchors_lost: AtomicU64,
    /// Records whose timestamp cell did not parse and got the read time instead.
    pub timestamp_fallbacks: AtomicU64,
    /// Value schema changes (new or widened columns, changed headers).
    pub schema_changes: AtomicU64,
    /// Metadata reloads.
    pub metadata_loads: AtomicU64,
}

impl TaskStats {
    fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn bump_by(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

/// Reads rows of Google Sheets and returns them as records.
pub struct GoogleSheetsSourceTask {
    flavor: Flavor,
    stats: Arc<TaskStats>,
    running: Option<Running>,
}

impl Default for GoogleSheetsSourceTask {
    fn default() -> Self {
        Self::new()
    }
}

impl GoogleSheetsSourceTask {
    pub fn new() -> Self {
        Self::with_flavor(Flavor::Tributary)
    }

    pub fn with_flavor(flavor: Flavor) -> Self {
        GoogleSheetsSourceTask {
            flavor,
            stats: Arc::new(TaskStats::default()),
            running: None,
        }
    }

    /// The task's counters (shared, live).
    pub fn stats(&self) -> Arc<TaskStats> {
        Arc::clone(&self.stats)
    }

    /// The API client's request counters, once started.
    pub fn client_stats(&self) -> Option<Arc<crate::client::ClientStats>> {
        self.running.as_ref().map(|r| Arc::clone(r.client.stats()))
    }
}

struct Running {
    config: SheetsConfig,
    client: SheetsClient,
    context: SourceTaskContext,
    stats: Arc<TaskStats>,
    /// Empty until the first poll loaded the metadata and the offsets.
    sheets: Vec<SheetState>,
    initialized: bool,
    parser: TimestampParser,
    /// When the next read may start; `None`: at once.
    next_read_at: Option<Instant>,
    metadata_loaded_at: Option<Instant>,
}

/// What the task knows about one of its sheets.
struct SheetState {
    id: i64,
    title: String,
    partition: SourcePartition,
    grid_rows: u64,
    /// The last row emitted (or re-found); `None` before the first.
    anchor: Option<Anchor>,
    /// The first row to read when there is no anchor.
    start_row: u64,
    columns: Columns,
    estimate: RowSizeEstimate,
    /// The grid ends before the next row to read: wait for the metadata to say it grew.
    waiting_for_grid: bool,
    warned_timestamp: bool,
}

impl SheetState {
    fn next_row(&self) -> u64 {
        self.anchor.as_ref().map_or(self.start_row, |a| a.row + 1)
    }

    /// The first row of the next window: the anchor (to verify it), else the first row.
    /// An anchor past the end of the grid (rows were deleted) cannot be read: the window
    /// then starts at the grid's last row, the check fails, and the anchor is searched for.
    fn window_first_row(&self) -> u64 {
        match &self.anchor {
            Some(anchor) if anchor.row > self.grid_rows => self.grid_rows.max(1),
            Some(anchor) => anchor.row,
            None => self.start_row,
        }
    }

    /// Without an anchor, the first data row may lie past the grid: nothing to read until
    /// the grid grows.
    fn beyond_grid(&self) -> bool {
        self.anchor.is_none() && self.start_row > self.grid_rows
    }
}

/// One sheet's part of a batch.
struct Planned {
    sheet: usize,
    header_range: Option<usize>,
    window_range: usize,
    first_row: u64,
    last_row: u64,
    verifies_anchor: bool,
}

/// A search window read for a sheet whose anchor did not verify.
struct Search {
    first_row: u64,
    rows: Vec<Vec<serde_json::Value>>,
}

/// What one poll read for one sheet.
struct SheetRead {
    header_cells: Option<Vec<String>>,
    window: ValueRange,
    search: Option<Search>,
    bytes_ratio: f64,
    ingestion_time: i64,
}

/// Everything the asynchronous phase of a poll read.
struct Fetched {
    planned: Vec<Planned>,
    ranges: Vec<ValueRange>,
    /// How many response bytes one byte of [`row_bytes`] stood for in this answer (the
    /// API indents its JSON), to calibrate the estimates.
    bytes_ratio: f64,
    /// Per planned sheet: `Some` when its anchor did not verify.
    searches: Vec<Option<Search>>,
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .unwrap_or(0)
}

fn sheets_error(error: SheetsError) -> ConnectError {
    ConnectError::other_with("the Google Sheets source could not read its sheets", error)
}

/// The last row number of a range the API answered (`'S'!A5:Z1000` -> 1000).
fn range_end_row(range: &str) -> Option<u64> {
    let tail = range.rsplit(':').next()?;
    let digits = tail.bytes().rev().take_while(u8::is_ascii_digit).count();
    tail[tail.len() - digits..].parse().ok()
}

impl Running {
    /// Loads the metadata, matches the task's sheets, reads their committed offsets.
    async fn initialize(&mut self) -> ConnectResult<()> {
        let meta = self.client.spreadsheet().await.map_err(sheets_error)?;
        TaskStats::bump(&self.stats.metadata_loads);
        let assigned: Vec<TaskSheet> = match &self.config.task_sheets {
            Some(sheets) => sheets.clone(),
            None => select_sheets(&meta, &self.config)?
                .into_iter()
                .map(|s| TaskSheet {
                    id: s.sheet_id,
                    title: s.title,
                })
                .collect(),
        };
        let mut metas = Vec::new();
        for sheet in &assigned {
            let found = meta
                .sheets
                .iter()
                .find(|s| s.sheet_id == sheet.id)
                .ok_or_else(|| {
                    ConnectError::other(format!(
                        "sheet '{}' (id {}) no longer exists in spreadsheet {}; restart the \
                         connector to read the sheets it has now",
                        sheet.title, sheet.id, meta.spreadsheet_id
                    ))
                })?;
            metas.push(found.clone());
        }
        let partitions: Vec<SourcePartition> = metas
            .iter()
            .map(|s| source_partition(&self.config.spreadsheet_id, s.sheet_id))
            .collect();
        let committed = self
            .context
            .offset_storage_reader()
            .offsets(&partitions)
            .await
            .map_err(|e| {
                let message = format!(
                    "could not read the committed offsets of spreadsheet {}",
                    self.config.spreadsheet_id
                );
                if e.is_retriable() {
                    ConnectError::retriable_with(message, e)
                } else {
                    ConnectError::other_with(message, e)
                }
            })?;
        let parser = self.parser_for(&meta);

        let mut sheets = Vec::new();
        for (sheet, partition) in metas.into_iter().zip(partitions) {
            let anchor = match committed.iter().find(|(p, _)| *p == partition) {
                Some((_, offset)) => Anchor::from_offset(offset).map_err(|e| {
                    ConnectError::other_with(
                        format!(
                            "the committed offset of sheet '{}' of spreadsheet {} cannot be \
                             resumed from; reset or alter the connector's offsets",
                            sheet.title, self.config.spreadsheet_id
                        ),
                        e,
                    )
                })?,
                None => None,
            };
            match &anchor {
                Some(anchor) => tracing::info!(
                    "sheet '{}' of spreadsheet {}: resuming after row {}",
                    sheet.title,
                    self.config.spreadsheet_id,
                    anchor.row
                ),
                None => tracing::info!(
                    "sheet '{}' of spreadsheet {}: no committed offset, reading from row {}",
                    sheet.title,
                    self.config.spreadsheet_id,
                    self.config.start_row
                ),
            }
            sheets.push(SheetState {
                id: sheet.sheet_id,
                title: sheet.title.clone(),
                partition,
                grid_rows: sheet.row_count,
                anchor,
                start_row: self.config.start_row,
                columns: Columns::new(
                    struct_name(&sheet.title),
                    self.config.render == ValueRender::Unformatted,
                ),
                estimate: RowSizeEstimate::initial(sheet.column_count),
                waiting_for_grid: false,
                warned_timestamp: false,
            });
            if let Some(state) = sheets.last_mut() {
                state.waiting_for_grid = state.beyond_grid();
            }
        }
        // Everything awaited is done: commit the new state in one step.
        self.parser = parser;
        self.sheets = sheets;
        self.initialized = true;
        self.metadata_loaded_at = Some(Instant::now());
        Ok(())
    }

    fn parser_for(&self, meta: &SpreadsheetMeta) -> TimestampParser {
        let format = self.config.timestamp_format.as_deref();
        match TimestampParser::new(&meta.locale, &meta.time_zone, format) {
            Ok(parser) => parser,
            Err(e) => {
                tracing::warn!(
                    "spreadsheet {}: {e}; reading its date-times as UTC",
                    meta.spreadsheet_id
                );
                TimestampParser::utc(&meta.locale, format)
            }
        }
    }

    /// Reloads the metadata: grid sizes and titles (a renamed sheet keeps its id).
    async fn refresh_metadata(&mut self) -> ConnectResult<()> {
        let meta = self.client.spreadsheet().await.map_err(sheets_error)?;
        TaskStats::bump(&self.stats.metadata_loads);
        self.apply_metadata(&meta)?;
        self.metadata_loaded_at = Some(Instant::now());
        Ok(())
    }

    fn apply_metadata(&mut self, meta: &SpreadsheetMeta) -> ConnectResult<()> {
        for sheet in &mut self.sheets {
            let found: Option<&SheetMeta> = meta.sheets.iter().find(|s| s.sheet_id == sheet.id);
            let Some(found) = found else {
                return Err(ConnectError::other(format!(
                    "sheet '{}' (id {}) was deleted from spreadsheet {}; restart the connector \
                     to read the sheets it has now",
                    sheet.title, sheet.id, meta.spreadsheet_id
                )));
            };
            if found.title != sheet.title {
                tracing::info!(
                    "sheet '{}' of spreadsheet {} was renamed '{}'",
                    sheet.title,
                    meta.spreadsheet_id,
                    found.title
                );
                sheet.title = found.title.clone();
            }
            sheet.grid_rows = found.row_count;
            sheet.waiting_for_grid = sheet.beyond_grid();
        }
        Ok(())
    }

    /// The ranges of one batch: header and window of every sheet that can be read.
    fn plan(&self) -> (Vec<Planned>, Vec<String>) {
        let readable: Vec<usize> = (0..self.sheets.len())
            .filter(|i| !self.sheets[*i].waiting_for_grid)
            .collect();
        let budget = byte_budget_per_sheet(&self.config.window, readable.len());
        let mut planned = Vec::new();
        let mut ranges = Vec::new();
        for index in readable {
            let sheet = &self.sheets[index];
            let header_range = self.config.header_row.map(|header| {
                ranges.push(a1::rows_range(&sheet.title, header, header));
                ranges.len() - 1
            });
            let verifies_anchor = sheet.anchor.is_some();
            let first_row = sheet.window_first_row();
            let new_rows = sheet.estimate.window_rows(budget, &self.config.window);
            let last_row = sheet.next_row() + new_rows - 1;
            ranges.push(a1::rows_range(&sheet.title, first_row, last_row));
            planned.push(Planned {
                sheet: index,
                header_range,
                window_range: ranges.len() - 1,
                first_row,
                last_row,
                verifies_anchor,
            });
        }
        (planned, ranges)
    }

    fn sheet_titles(&self, planned: &[Planned]) -> Vec<String> {
        planned
            .iter()
            .map(|p| self.sheets[p.sheet].title.clone())
            .collect()
    }

    /// The asynchronous phase: reads the batch and any re-anchoring searches. Changes no
    /// state that says what was read.
    async fn fetch(&mut self) -> ConnectResult<Option<Fetched>> {
        if !self.initialized {
            self.initialize().await?;
        }
        if self.sheets.iter().any(|s| s.waiting_for_grid)
            && self
                .metadata_loaded_at
                .is_none_or(|at| at.elapsed() >= METADATA_REFRESH_INTERVAL)
        {
            self.refresh_metadata().await?;
        }
        let mut refreshed = false;
        let (planned, response) = loop {
            let (planned, ranges) = self.plan();
            if planned.is_empty() {
                return Ok(None);
            }
            let titles = self.sheet_titles(&planned);
            let title_refs: Vec<&str> = titles.iter().map(String::as_str).collect();
            match self
                .client
                .batch_get(&ranges, self.config.render, &title_refs)
                .await
            {
                Ok(response) => break (planned, response),
                Err(
                    e @ (SheetsError::GridLimits { .. } | SheetsError::Refused { status: 400, .. }),
                ) if !refreshed => {
                    tracing::info!("{e}; reloading the spreadsheet's metadata and planning again");
                    self.refresh_metadata().await?;
                    refreshed = true;
                }
                Err(e) => return Err(sheets_error(e)),
            }
        };
        TaskStats::bump(&self.stats.polls);
        let estimated: u64 = response
            .value_ranges
            .iter()
            .flat_map(|r| r.values.iter())
            .map(|cells| row_bytes(cells))
            .sum();
        let envelope = 64 + 96 * response.value_ranges.len() as u64;
        let bytes_ratio = if estimated > 0 {
            ((response.body_bytes as u64).saturating_sub(envelope) as f64 / estimated as f64)
                .max(1.0)
        } else {
            1.0
        };

        // Which anchors did not verify?
        let mut search_ranges = Vec::new();
        let mut search_owners = Vec::new();
        for (position, plan) in planned.iter().enumerate() {
            if !plan.verifies_anchor {
                continue;
            }
            let sheet = &self.sheets[plan.sheet];
            let Some(anchor) = &sheet.anchor else {
                continue;
            };
            if anchor.fingerprint.is_unknown() {
                // An offset without a fingerprint (set by hand): trust its row number.
                continue;
            }
            let first = response.value_ranges[plan.window_range]
                .values
                .first()
                .map(|cells| Fingerprint::of_cells(cells));
            if plan.first_row == anchor.row && first.as_ref() == Some(&anchor.fingerprint) {
                continue;
            }
            let radius = self.config.anchor_search_rows;
            let from = anchor
                .row
                .saturating_sub(radius)
                .clamp(1, sheet.grid_rows.max(1));
            let to = anchor.row.saturating_add(radius).max(from);
            search_ranges.push(a1::rows_range(&sheet.title, from, to));
            search_owners.push((position, from));
        }
        let mut searches: Vec<Option<Search>> = planned.iter().map(|_| None).collect();
        if !search_ranges.is_empty() {
            let titles: Vec<String> = search_owners
                .iter()
                .map(|(p, _)| self.sheets[planned[*p].sheet].title.clone())
                .collect();
            let title_refs: Vec<&str> = titles.iter().map(String::as_str).collect();
            let found = self
                .client
                .batch_get(&search_ranges, self.config.render, &title_refs)
                .await
                .map_err(sheets_error)?;
            for ((position, from), range) in search_owners.into_iter().zip(found.value_ranges) {
                searches[position] = Some(Search {
                    first_row: from,
                    rows: range.values,
                });
            }
        }
        Ok(Some(Fetched {
            planned,
            ranges: response.value_ranges,
            bytes_ratio,
            searches,
        }))
    }

    /// The synchronous phase: applies a fetched batch and builds the records. Returns the
    /// records and whether every sheet is caught up.
    fn apply(&mut self, fetched: Fetched) -> ConnectResult<(Vec<SourceRecord>, bool)> {
        let ingestion_time = now_millis();
        let mut records = Vec::new();
        let mut all_caught_up = true;
        let Fetched {
            planned,
            mut ranges,
            bytes_ratio,
            mut searches,
        } = fetched;
        for (position, plan) in planned.iter().enumerate() {
            let header_cells: Option<Vec<String>> = plan.header_range.map(|index| {
                ranges[index]
                    .values
                    .first()
                    .map(|cells| {
                        cells
                            .iter()
                            .map(|c| cell_text(c).unwrap_or_default())
                            .collect()
                    })
                    .unwrap_or_default()
            });
            let window = std::mem::take(&mut ranges[plan.window_range]);
            let search = searches[position].take();
            let read = SheetRead {
                header_cells,
                window,
                search,
                bytes_ratio,
                ingestion_time,
            };
            let caught_up = self.apply_sheet(plan, read, &mut records)?;
            all_caught_up &= caught_up;
        }
        TaskStats::bump_by(&self.stats.records, records.len() as u64);
        Ok((records, all_caught_up))
    }

    fn apply_sheet(
        &mut self,
        plan: &Planned,
        read: SheetRead,
        records: &mut Vec<SourceRecord>,
    ) -> ConnectResult<bool> {
        let SheetRead {
            header_cells,
            window,
            search,
            bytes_ratio,
            ingestion_time,
        } = read;
        let spreadsheet_id = self.config.spreadsheet_id.clone();
        let flavor = self.config.flavor;
        let search_radius = self.config.anchor_search_rows;
        let sheet = &mut self.sheets[plan.sheet];

        if let Some(header) = header_cells
            && sheet.columns.set_header(header)
        {
            TaskStats::bump(&self.stats.schema_changes);
            tracing::info!(
                "sheet '{}' of spreadsheet {}: columns are now {:?}",
                sheet.title,
                spreadsheet_id,
                sheet.columns.names()
            );
        }

        // The answered range is the asked one clamped to the grid: learn the grid's size.
        if let Some(end) = range_end_row(&window.range) {
            sheet.grid_rows = if end < plan.last_row {
                end
            } else {
                sheet.grid_rows.max(end)
            };
        }

        // Re-anchoring.
        if let Some(search) = search {
            let Some(old) = sheet.anchor.clone() else {
                return Ok(true);
            };
            let searched: Vec<SearchedRow> = search
                .rows
                .iter()
                .enumerate()
                .map(|(i, cells)| SearchedRow {
                    row: search.first_row + i as u64,
                    fingerprint: Fingerprint::of_cells(cells),
                    has_data: !is_empty_row(cells),
                })
                .collect();
            let fingerprint_at = |row: u64| {
                searched
                    .iter()
                    .find(|r| r.row == row)
                    .map(|r| r.fingerprint.clone())
            };
            match reanchor(&old, search.first_row, &searched) {
                Reanchor::Moved { row } => {
                    TaskStats::bump(&self.stats.anchors_moved);
                    tracing::info!(
                        "sheet '{}' of spreadsheet {}: rows were inserted or deleted above row \
                         {}; the last row read is now row {row}, reading on from there",
                        sheet.title,
                        spreadsheet_id,
                        old.row
                    );
                    sheet.anchor = Some(Anchor { row, ..old });
                }
                Reanchor::AfterPrevious { row } => {
                    TaskStats::bump(&self.stats.anchors_moved);
                    tracing::info!(
                        "sheet '{}' of spreadsheet {}: the last row read (row {}) was deleted \
                         or edited; the row read before it is now row {row}, reading on after \
                         it",
                        sheet.title,
                        spreadsheet_id,
                        old.row
                    );
                    sheet.anchor = old
                        .previous
                        .clone()
                        .map(|previous| Anchor::at(row, previous));
                }
                Reanchor::EditedInPlace { row } => {
                    TaskStats::bump(&self.stats.anchors_lost);
                    tracing::warn!(
                        "sheet '{}' of spreadsheet {}: the last row read (row {row}) changed \
                         and was not found within {search_radius} rows; assuming it was \
                         edited in place and reading on after row {row} (if rows were \
                         inserted or deleted above it instead, as many rows are repeated or \
                         skipped; raise anchor.search.rows to search further)",
                        sheet.title,
                        spreadsheet_id
                    );
                    sheet.anchor = Some(Anchor {
                        row,
                        fingerprint: fingerprint_at(row).unwrap_or(old.fingerprint),
                        previous: old.previous,
                    });
                }
                Reanchor::Shrunk { row } => {
                    TaskStats::bump(&self.stats.anchors_lost);
                    tracing::warn!(
                        "sheet '{}' of spreadsheet {}: the last row read (row {}) is gone and \
                         the sheet's data now ends above it; reading again after row {row}, \
                         the top of the {search_radius}-row search window (rows read before \
                         may be repeated; rows that moved up farther are skipped)",
                        sheet.title,
                        spreadsheet_id,
                        old.row
                    );
                    // Never anchor above the first data row (the header, say): without an
                    // anchor the sheet is read from its first data row again.
                    sheet.anchor = (row >= sheet.start_row).then(|| {
                        Anchor::at(
                            row,
                            fingerprint_at(row).unwrap_or_else(Fingerprint::unknown),
                        )
                    });
                }
            }
            // Read from the new position on the next poll, at once.
            return Ok(false);
        }

        // Adopt the current fingerprint of an anchor that had none (an offset set by hand).
        if plan.verifies_anchor
            && let Some(anchor) = sheet.anchor.as_mut()
            && anchor.fingerprint.is_unknown()
            && let Some(cells) = window.values.first()
        {
            anchor.fingerprint = Fingerprint::of_cells(cells);
        }

        let requested_rows = plan.last_row - plan.first_row + 1;
        let caught_up = (window.values.len() as u64) < requested_rows;
        let next_row = sheet.next_row();
        let mut window_bytes = 0;
        for (offset, cells) in window.values.iter().enumerate() {
            window_bytes += row_bytes(cells);
            let row = plan.first_row + offset as u64;
            if row < next_row {
                continue;
            }
            let empty = match flavor {
                Flavor::Seed => cells.iter().take(2).all(crate::offsets::is_empty_cell),
                Flavor::Tributary => is_empty_row(cells),
            };
            if empty {
                continue;
            }
            let fingerprint = Fingerprint::of_cells(cells);
            let anchor = match &sheet.anchor {
                Some(previous) => previous.followed_by(row, fingerprint),
                None => Anchor::at(row, fingerprint),
            };
            let record = match flavor {
                Flavor::Seed => {
                    seed_record(&self.config.topic, &spreadsheet_id, sheet, &anchor, cells)
                }
                Flavor::Tributary => {
                    if sheet.columns.observe_row(cells, &self.parser) {
                        TaskStats::bump(&self.stats.schema_changes);
                    }
                    row_record(
                        &self.config,
                        &spreadsheet_id,
                        sheet,
                        &self.parser,
                        &self.stats,
                        &anchor,
                        cells,
                        ingestion_time,
                    )?
                }
            };
            records.push(record);
            sheet.anchor = Some(anchor);
        }
        sheet.estimate.observe(
            (window_bytes as f64 * bytes_ratio) as u64,
            window.values.len() as u64,
        );
        Ok(caught_up)
    }
}

fn record_headers(spreadsheet_id: &str, sheet: &SheetState, row: u64) -> Headers {
    let mut headers = Headers::new();
    headers.add_string(HEADER_SPREADSHEET_ID, spreadsheet_id);
    headers.add_string(HEADER_SHEET_TITLE, sheet.title.clone());
    headers.add_string(HEADER_ROW, row.to_string());
    headers
}

/// The seed's record: key = column A, value = column B, both STRING ("" when empty).
fn seed_record(
    topic: &str,
    spreadsheet_id: &str,
    sheet: &SheetState,
    anchor: &Anchor,
    cells: &[serde_json::Value],
) -> SourceRecord {
    let text = |index: usize| cells.get(index).and_then(cell_text).unwrap_or_default();
    let mut record = SourceRecord::new(
        sheet.partition.clone(),
        anchor.to_offset(),
        topic,
        Some(Schema::string()),
        Value::String(text(1)),
    )
    .with_key(Some(Schema::string()), Value::String(text(0)));
    record.headers = record_headers(spreadsheet_id, sheet, anchor.row);
    record
}

#[allow(clippy::too_many_arguments)]
fn row_record(
    config: &SheetsConfig,
    spreadsheet_id: &str,
    sheet: &mut SheetState,
    parser: &TimestampParser,
    stats: &TaskStats,
    anchor: &Anchor,
    cells: &[serde_json::Value],
    ingestion_time: i64,
) -> ConnectResult<SourceRecord> {
    let value = sheet.columns.to_struct(cells, parser).map_err(|e| {
        ConnectError::other_with(
            format!(
                "could not turn row {} of sheet '{}' into a record",
                anchor.row, sheet.title
            ),
            e,
        )
    })?;
    let column = |name: &str, key: &str| -> ConnectResult<usize> {
        sheet.columns.index_of(name).ok_or_else(|| {
            ConnectError::other(format!(
                "{key} '{name}' is neither a column name of sheet '{}' ({}) nor a column \
                 letter; fix {key}",
                sheet.title,
                sheet.columns.names().join(", ")
            ))
        })
    };
    let (key_schema, key) = match &config.key {
        KeyMode::None => (None, Value::Null),
        KeyMode::RowNumber => (Some(Schema::int64()), Value::Int64(anchor.row as i64)),
        KeyMode::Column(name) => {
            let index = column(name, crate::config::KEY_COLUMN_CONFIG)?;
            let value = cells
                .get(index)
                .map_or(Value::Null, |c| sheet.columns.cell_value(index, c, parser));
            (Some(sheet.columns.field_schema(index)), value)
        }
    };
    let timestamp = match &config.timestamp {
        TimestampSource::Ingestion => ingestion_time,
        TimestampSource::Column(name) => {
            let index = column(name, crate::config::TIMESTAMP_COLUMN_CONFIG)?;
            let parsed = cells.get(index).and_then(|cell| match cell {
                serde_json::Value::Number(n) => n.as_f64().and_then(|s| parser.from_serial(s)),
                serde_json::Value::String(s) => parser.parse(s),
                _ => None,
            });
            match parsed {
                Some(millis) => millis,
                None => {
                    TaskStats::bump(&stats.timestamp_fallbacks);
                    if !sheet.warned_timestamp {
                        sheet.warned_timestamp = true;
                        tracing::warn!(
                            "sheet '{}' of spreadsheet {spreadsheet_id}: row {} has no date-time \
                             in column '{name}'; using the time it was read (further rows like \
                             it are counted, not logged)",
                            sheet.title,
                            anchor.row
                        );
                    }
                    ingestion_time
                }
            }
        }
    };
    let mut record = SourceRecord::new(
        sheet.partition.clone(),
        anchor.to_offset(),
        config.topic.clone(),
        Some(sheet.columns.schema().clone()),
        Value::Struct(value),
    )
    .with_key(key_schema, key)
    .with_timestamp(Some(timestamp));
    record.headers = record_headers(spreadsheet_id, sheet, anchor.row);
    Ok(record)
}

#[async_trait]
impl SourceTask for GoogleSheetsSourceTask {
    fn version(&self) -> String {
        crate::VERSION.to_string()
    }

    /// No `commit_record`: the worker need not keep a copy of each record in flight.
    fn uses_commit_record(&self) -> bool {
        false
    }

    async fn start(&mut self, context: SourceTaskContext, props: Props) -> ConnectResult<()> {
        let config = SheetsConfig::build(&props, self.flavor)
            .map_err(|problems| ConnectError::Config(problems.into_error()))?;
        let client = build_client(&config)?.with_metrics(context.metrics());
        tracing::info!(
            "starting a Google Sheets source task for spreadsheet {} as {}",
            config.spreadsheet_id,
            client.principal()
        );
        self.running = Some(Running {
            parser: TimestampParser::utc("", config.timestamp_format.as_deref()),
            config,
            client,
            context,
            stats: Arc::clone(&self.stats),
            sheets: Vec::new(),
            initialized: false,
            next_read_at: None,
            metadata_loaded_at: None,
        });
        Ok(())
    }

    /// Reads new rows of every sheet of the task in one request (see the module
    /// documentation). Cancel safe.
    async fn poll(&mut self) -> ConnectResult<Vec<SourceRecord>> {
        let running = self.running.as_mut().ok_or_else(|| {
            ConnectError::other(
                "the Google Sheets source task has not been started; call start before poll",
            )
        })?;
        if let Some(at) = running.next_read_at {
            tokio::time::sleep_until(at).await;
        }
        // A read that re-anchored a sheet returns no rows for it: read again at once (a few
        // times at most), so that an empty batch means "caught up".
        for _ in 0..MAX_READS_PER_POLL {
            let Some(fetched) = running.fetch().await? else {
                // Every sheet waits for its grid to grow: look again after the interval.
                running.next_read_at = Some(Instant::now() + running.config.poll_interval);
                return Ok(Vec::new());
            };
            let (records, caught_up) = running.apply(fetched)?;
            running.next_read_at = caught_up.then(|| Instant::now() + running.config.poll_interval);
            if !records.is_empty() || caught_up {
                return Ok(records);
            }
        }
        Ok(Vec::new())
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        if let Some(running) = self.running.take() {
            tracing::info!(
                "stopped the Google Sheets source task of spreadsheet {}",
                running.config.spreadsheet_id
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_row_of_an_answered_range() {
        assert_eq!(range_end_row("'Form responses 1'!A5:Z1000"), Some(1000));
        assert_eq!(range_end_row("'S'!5:12"), Some(12));
        assert_eq!(range_end_row("Sheet1!A1:B2"), Some(2));
        assert_eq!(range_end_row("'S'!A:B"), None);
        assert_eq!(range_end_row(""), None);
    }
}
