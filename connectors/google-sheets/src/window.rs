//! Window sizing: how many rows one read asks for.
//!
//! Google recommends responses of at most about 2 MB, and every request costs one unit of
//! a small per-minute quota, so a read should be as large as it can be without going over
//! the byte budget. Bytes per row are not known in advance: each sheet keeps an estimate,
//! starting from a pessimistic guess for its column count and then following what its
//! responses actually weighed, and the window is the byte budget divided by the estimate
//! (with a safety margin), within `[min_rows, max_rows]`. When one request reads several
//! sheets, the byte budget is shared between them.

/// Bounds on one sheet's window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WindowLimits {
    /// The byte budget of one response, shared by the sheets it reads.
    pub max_bytes: u64,
    /// Never more rows than this in one window.
    pub max_rows: u64,
    /// Never fewer rows than this in one window (at least 1).
    pub min_rows: u64,
}

/// How much larger than the estimate a row is assumed to be, to stay under the budget when
/// rows grow: generous while the estimate is a guess or rests on a small sample, and small
/// once a window of at least [`LARGE_SAMPLE_ROWS`] rows was weighed (an average over that
/// many rows moves little from one window to the next, and every point of margin costs a
/// point of extra requests on a long backlog).
const SAFETY_FACTOR_GUESSED: f64 = 1.15;
const SAFETY_FACTOR_MEASURED: f64 = 1.03;

/// A window of at least this many rows measures the row size well.
const LARGE_SAMPLE_ROWS: u64 = 256;

/// The JSON overhead of a row (`[`, `]`, `,`, indentation) and of a cell (quotes, comma).
pub const ROW_OVERHEAD_BYTES: u64 = 8;
pub const CELL_OVERHEAD_BYTES: u64 = 4;

/// The size of one row as the API serialises it, approximately.
pub fn row_bytes(cells: &[serde_json::Value]) -> u64 {
    let cells_bytes: u64 = cells
        .iter()
        .map(|cell| {
            CELL_OVERHEAD_BYTES
                + match cell {
                    serde_json::Value::String(s) => s.len() as u64,
                    serde_json::Value::Null => 4,
                    other => other.to_string().len() as u64,
                }
        })
        .sum();
    ROW_OVERHEAD_BYTES + cells_bytes
}

/// A sheet's running estimate of the bytes one row weighs in a response.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowSizeEstimate {
    bytes_per_row: f64,
    /// Whether the estimate comes from a large sample (see [`LARGE_SAMPLE_ROWS`]).
    measured: bool,
}

impl RowSizeEstimate {
    /// Before anything was read: 64 bytes for each of the sheet's grid columns, which
    /// overestimates typical cells, so the first window is conservative.
    pub fn initial(columns: u64) -> RowSizeEstimate {
        RowSizeEstimate {
            bytes_per_row: (ROW_OVERHEAD_BYTES + 64 * columns.max(1)) as f64,
            measured: false,
        }
    }

    pub fn bytes_per_row(&self) -> f64 {
        self.bytes_per_row
    }

    /// Learns from a response: `rows` rows weighed `bytes`. Larger rows grow the estimate
    /// at once (the next response must not overshoot). Smaller rows shrink it at once when
    /// the sample is large (hundreds of rows average out), and only halfway otherwise, so
    /// that a few short rows do not make the next window huge. Windows of a handful of rows
    /// say little and are ignored.
    pub fn observe(&mut self, bytes: u64, rows: u64) {
        if rows < 8 {
            return;
        }
        let observed = (bytes as f64 / rows as f64).max(ROW_OVERHEAD_BYTES as f64);
        let large = rows >= LARGE_SAMPLE_ROWS;
        self.bytes_per_row = if observed >= self.bytes_per_row || large {
            observed
        } else {
            (self.bytes_per_row + observed) / 2.0
        };
        self.measured = large;
    }

    /// How many rows fit in `byte_budget` bytes, within the limits.
    pub fn window_rows(&self, byte_budget: u64, limits: &WindowLimits) -> u64 {
        let factor = if self.measured {
            SAFETY_FACTOR_MEASURED
        } else {
            SAFETY_FACTOR_GUESSED
        };
        let per_row = (self.bytes_per_row * factor).max(1.0);
        let fitting = (byte_budget as f64 / per_row).floor() as u64;
        let min_rows = limits.min_rows.max(1);
        fitting.clamp(min_rows, limits.max_rows.max(min_rows))
    }
}

/// The byte budget of one sheet in a request that reads `sheets` sheets.
pub fn byte_budget_per_sheet(limits: &WindowLimits, sheets: usize) -> u64 {
    limits.max_bytes / (sheets.max(1) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const LIMITS: WindowLimits = WindowLimits {
        max_bytes: 2_000_000,
        max_rows: 50_000,
        min_rows: 1,
    };

    #[test]
    fn the_first_window_is_conservative() {
        let estimate = RowSizeEstimate::initial(26);
        let rows = estimate.window_rows(LIMITS.max_bytes, &LIMITS);
        assert!((800..1_500).contains(&rows), "{rows}");
    }

    #[test]
    fn windows_grow_to_fill_the_budget_once_rows_are_measured() {
        let mut estimate = RowSizeEstimate::initial(26);
        let first = estimate.window_rows(LIMITS.max_bytes, &LIMITS);
        // A 10-column sheet of short values: about 150 bytes a row.
        estimate.observe(150 * first, first);
        let settled = estimate.window_rows(LIMITS.max_bytes, &LIMITS);
        assert!(settled > 5 * first, "{first} -> {settled}");
        assert!(settled * 150 <= LIMITS.max_bytes, "{settled}");
        assert!(settled * 150 * 2 > LIMITS.max_bytes, "{settled}");
    }

    #[test]
    fn a_large_sample_narrows_the_margin_and_a_small_one_widens_it_again() {
        let mut estimate = RowSizeEstimate::initial(10);
        // 1,000 rows of 200 bytes: the window leaves about 3 % of the budget unused.
        estimate.observe(200 * 1_000, 1_000);
        let measured = estimate.window_rows(LIMITS.max_bytes, &LIMITS);
        assert!(measured * 200 <= LIMITS.max_bytes, "{measured}");
        assert!(measured * 200 > LIMITS.max_bytes * 96 / 100, "{measured}");
        // A window of 100 rows of the same size says less: the margin is wide again.
        estimate.observe(200 * 100, 100);
        let guessed = estimate.window_rows(LIMITS.max_bytes, &LIMITS);
        assert!(guessed * 200 < LIMITS.max_bytes * 88 / 100, "{guessed}");
    }

    #[test]
    fn a_few_short_rows_shrink_the_estimate_halfway() {
        let mut estimate = RowSizeEstimate::initial(1);
        let before = estimate.bytes_per_row();
        estimate.observe(20 * 10, 10);
        assert_eq!(estimate.bytes_per_row(), (before + 20.0) / 2.0);
    }

    #[test]
    fn larger_rows_shrink_the_window_at_once() {
        let mut estimate = RowSizeEstimate::initial(2);
        estimate.observe(100 * 1_000, 1_000);
        estimate.observe(10_000 * 100, 100);
        assert_eq!(estimate.bytes_per_row(), 10_000.0);
        let rows = estimate.window_rows(LIMITS.max_bytes, &LIMITS);
        assert!(rows * 10_000 <= LIMITS.max_bytes, "{rows}");
    }

    #[test]
    fn limits_bound_the_window() {
        let tiny = RowSizeEstimate {
            bytes_per_row: 1.0,
            measured: true,
        };
        assert_eq!(tiny.window_rows(LIMITS.max_bytes, &LIMITS), 50_000);
        let huge = RowSizeEstimate {
            bytes_per_row: 1e9,
            measured: true,
        };
        assert_eq!(huge.window_rows(LIMITS.max_bytes, &LIMITS), 1);
        let floor = WindowLimits {
            min_rows: 5,
            ..LIMITS
        };
        assert_eq!(huge.window_rows(LIMITS.max_bytes, &floor), 5);
        assert_eq!(byte_budget_per_sheet(&LIMITS, 4), 500_000);
        assert_eq!(byte_budget_per_sheet(&LIMITS, 0), 2_000_000);
    }

    #[test]
    fn row_bytes_follow_the_json() {
        let row = json!(["abc", 12.5, true, ""]);
        let cells = row.as_array().map(Vec::as_slice).unwrap_or(&[]);
        assert_eq!(row_bytes(cells), 8 + (4 + 3) + (4 + 4) + (4 + 4) + 4);
        // Small windows do not move the estimate.
        let mut estimate = RowSizeEstimate::initial(1);
        let before = estimate;
        estimate.observe(1_000_000, 2);
        assert_eq!(estimate, before);
    }
}
