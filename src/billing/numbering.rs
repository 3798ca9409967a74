//! Invoice number patterns: `RE-{YYYY}-{SEQ:05}`.
//!
//! `{YYYY}` is the invoice year; when the pattern contains it the sequence
//! restarts each year (the year keeps numbers unique). `{SEQ}` or `{SEQ:0N}`
//! is the gapless sequence, zero-padded to N digits.

use chrono::{DateTime, Datelike, Utc};

/// The counter a pattern draws from: one per year when the year is in the number.
pub fn counter_name(prefix: &str, pattern: &str, date: DateTime<Utc>) -> String {
    if pattern.contains("{YYYY}") { format!("{prefix}:{}", date.year()) } else { prefix.to_owned() }
}

/// Renders `pattern` for sequence number `seq` issued on `date`.
pub fn render(pattern: &str, date: DateTime<Utc>, seq: i64) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let token = &rest[open + 1..open + close];
        match token {
            "YYYY" => out.push_str(&format!("{:04}", date.year())),
            "YY" => out.push_str(&format!("{:02}", date.year() % 100)),
            "MM" => out.push_str(&format!("{:02}", date.month())),
            "SEQ" => out.push_str(&seq.to_string()),
            t if t.starts_with("SEQ:") => {
                let width: usize = t[4..].trim_start_matches('0').parse().unwrap_or(0);
                out.push_str(&format!("{seq:0width$}"));
            }
            other => {
                out.push('{');
                out.push_str(other);
                out.push('}');
            }
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn on(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).single().expect("date")
    }

    #[test]
    fn renders_the_default_pattern() {
        assert_eq!(render("RE-{YYYY}-{SEQ:05}", on(2024, 1, 31), 1), "RE-2024-00001");
        assert_eq!(render("RE-{YYYY}-{SEQ:05}", on(2024, 1, 31), 123456), "RE-2024-123456");
        assert_eq!(render("{YY}{MM}/{SEQ}", on(2025, 3, 1), 7), "2503/7");
        assert_eq!(render("INV-{X}-{SEQ:3}", on(2025, 3, 1), 7), "INV-{X}-007");
    }

    #[test]
    fn yearly_patterns_count_per_year() {
        assert_eq!(counter_name("invoice", "RE-{YYYY}-{SEQ:05}", on(2024, 12, 31)), "invoice:2024");
        assert_eq!(counter_name("invoice", "R{SEQ}", on(2024, 12, 31)), "invoice");
    }
}
