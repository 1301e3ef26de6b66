//! Medians, tables and target verdicts.

use std::fmt;

/// The median (mean of the middle two for an even count); 0 for no values.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return 0.0;
    }
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

pub fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

pub fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// Least-squares slope of `(x, y)` points; 0 with fewer than two distinct x.
pub fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    if points.len() < 2 {
        return 0.0;
    }
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    if sxx == 0.0 {
        return 0.0;
    }
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    sxy / sxx
}

/// `1234567.8` as `1,234,568`.
pub fn thousands(value: f64) -> String {
    let rounded = value.round() as i64;
    let digits = rounded.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if rounded < 0 { format!("-{out}") } else { out }
}

/// KiB as MiB with one decimal.
pub fn mib(kb: f64) -> String {
    format!("{:.1} MiB", kb / 1024.0)
}

/// A titled table of strings, printed with aligned columns.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub notes: Vec<String>,
}

impl Table {
    pub fn new(title: impl Into<String>, headers: &[&str]) -> Table {
        Table {
            title: title.into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        writeln!(f, "## {}", self.title)?;
        writeln!(f)?;
        let line = |cells: &[String]| -> String {
            let padded: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c:<width$}", width = widths.get(i).copied().unwrap_or(0)))
                .collect();
            format!("| {} |", padded.join(" | "))
        };
        writeln!(f, "{}", line(&self.headers))?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        writeln!(f, "|-{}-|", rule.join("-|-"))?;
        for row in &self.rows {
            writeln!(f, "{}", line(row))?;
        }
        for note in &self.notes {
            writeln!(f)?;
            writeln!(f, "{note}")?;
        }
        Ok(())
    }
}

/// A target and whether the measurement met it.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub scenario: &'static str,
    pub target: String,
    pub measured: String,
    pub met: bool,
}

impl Verdict {
    pub fn new(
        scenario: &'static str,
        target: impl Into<String>,
        measured: impl Into<String>,
        met: bool,
    ) -> Verdict {
        Verdict {
            scenario,
            target: target.into(),
            measured: measured.into(),
            met,
        }
    }
}

/// The verdicts as a table.
pub fn verdict_table(verdicts: &[Verdict]) -> Table {
    let mut table = Table::new("Targets", &["scenario", "target", "measured", "verdict"]);
    for v in verdicts {
        table.row(vec![
            v.scenario.to_string(),
            v.target.clone(),
            v.measured.clone(),
            if v.met { "met" } else { "MISSED" }.to_string(),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_slopes() {
        assert!((median(&[3.0, 1.0, 2.0]) - 2.0).abs() < 1e-9);
        assert!((median(&[4.0, 1.0, 2.0, 3.0]) - 2.5).abs() < 1e-9);
        assert!(median(&[]).abs() < 1e-9);
        assert!((slope(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]) - 2.0).abs() < 1e-9);
        assert!(slope(&[(1.0, 1.0)]).abs() < 1e-9);
        assert_eq!(thousands(1_234_567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
    }

    #[test]
    fn tables_align() {
        let mut t = Table::new("T", &["a", "long header"]);
        t.row(vec!["wide cell".into(), "x".into()]);
        let text = t.to_string();
        assert!(text.contains("| a         | long header |"), "{text}");
        assert!(text.contains("| wide cell | x           |"), "{text}");
    }
}
