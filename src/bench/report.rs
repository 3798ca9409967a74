//! One row per scenario: a fixed-width table for people, or JSON lines with
//! the keys `scenario throughput unit p50_ms p99_ms reference ratio peak_rss_mib`.
//!
//! Numbers are kept as integers (thousandths, microseconds, KiB) and printed
//! as decimals, so no floating point is involved.

use std::fmt::Write as _;

use serde_json::Value;

use super::stats::{fixed, kib_to_mib_milli};

/// The figures of one scenario.
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub scenario: String,
    /// Concurrent connections (or writers) that drove it.
    pub connections: usize,
    /// Units per second, in thousandths.
    pub throughput_milli: u64,
    pub unit: &'static str,
    pub p50_us: Option<u32>,
    pub p99_us: Option<u32>,
    /// The scenario `ratio` divides by; `None` for the references themselves.
    pub reference: Option<String>,
    /// `throughput / reference throughput`, in thousandths.
    pub ratio_milli: Option<u64>,
    pub peak_rss_kib: Option<u64>,
    /// Requests answered with an error (not counted in the throughput).
    pub errors: u64,
    /// Free text for the table only (how the peak was taken, counts, ...).
    pub note: String,
}

/// The header of the table.
pub fn table_header() -> String {
    let mut out = format!(
        "{:<13} {:>5} {:>12} {:<11} {:>10} {:>10} {:<10} {:>7} {:>8} {:>6}",
        "scenario", "conns", "throughput", "unit", "p50 ms", "p99 ms", "reference", "ratio", "RSS MiB", "errors"
    );
    out.push('\n');
    out.push_str(&"-".repeat(out.len() - 1));
    out
}

/// One line of the table.
pub fn table_row(row: &Row) -> String {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
    let mut line = format!(
        "{:<13} {:>5} {:>12} {:<11} {:>10} {:>10} {:<10} {:>7} {:>8} {:>6}",
        row.scenario,
        row.connections,
        fixed(row.throughput_milli, 1),
        row.unit,
        opt(row.p50_us.map(|us| fixed(u64::from(us), 3))),
        opt(row.p99_us.map(|us| fixed(u64::from(us), 3))),
        row.reference.as_deref().unwrap_or("-"),
        opt(row.ratio_milli.map(|r| fixed(r, 3))),
        opt(row.peak_rss_kib.map(|kib| fixed(kib_to_mib_milli(kib), 1))),
        row.errors,
    );
    if !row.note.is_empty() {
        let _ = write!(line, "  {}", row.note);
    }
    line
}

/// One JSON object on one line.
pub fn json_line(row: &Row) -> String {
    let text = |s: &str| Value::from(s).to_string();
    let number = |v: Option<String>| v.unwrap_or_else(|| "null".to_owned());
    format!(
        r#"{{"scenario":{},"throughput":{},"unit":{},"p50_ms":{},"p99_ms":{},"reference":{},"ratio":{},"peak_rss_mib":{}}}"#,
        text(&row.scenario),
        fixed(row.throughput_milli, 1),
        text(row.unit),
        number(row.p50_us.map(|us| fixed(u64::from(us), 3))),
        number(row.p99_us.map(|us| fixed(u64::from(us), 3))),
        row.reference.as_deref().map_or_else(|| "null".to_owned(), text),
        number(row.ratio_milli.map(|r| fixed(r, 3))),
        number(row.peak_rss_kib.map(|kib| fixed(kib_to_mib_milli(kib), 1))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Row {
        Row {
            scenario: "get".into(),
            connections: 64,
            throughput_milli: 12_345_678,
            unit: "req/s",
            p50_us: Some(1_234),
            p99_us: Some(4_560),
            reference: Some("ping".into()),
            ratio_milli: Some(351),
            peak_rss_kib: Some(102_400),
            errors: 0,
            note: String::new(),
        }
    }

    #[test]
    fn a_json_line_has_exactly_the_documented_keys() {
        let line = json_line(&sample());
        let value: Value = serde_json::from_str(&line).expect("valid JSON");
        let mut keys: Vec<&str> = value.as_object().expect("object").keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut expected =
            vec!["scenario", "throughput", "unit", "p50_ms", "p99_ms", "reference", "ratio", "peak_rss_mib"];
        expected.sort_unstable();
        assert_eq!(keys, expected);
        assert!(line.contains(r#""throughput":12345.6,"#), "{line}");
        assert!(line.contains(r#""p99_ms":4.560,"#), "{line}");
        assert!(line.contains(r#""ratio":0.351,"peak_rss_mib":100.0}"#), "{line}");
    }

    #[test]
    fn a_reference_row_has_null_ratio() {
        let row = Row { reference: None, ratio_milli: None, p50_us: None, ..sample() };
        let line = json_line(&row);
        assert!(line.contains(r#""p50_ms":null"#) && line.contains(r#""reference":null,"ratio":null"#), "{line}");
        assert!(table_row(&row).starts_with("get"));
    }
}
