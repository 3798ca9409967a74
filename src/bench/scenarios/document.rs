//! `document`: PDFs per second of one invoice with 10 lines (two VAT rates, a discount), rendered
//! in-process by the same renderer `/hosted/i/...` serves (`document::pdf`: layout, text shaping, font
//! subsetting, the Factur-X XML and its embedding). One thread per connection (default 1) on the
//! blocking pool; latency is per PDF. No database: a document is rendered from the stored invoice,
//! whose loading the `get` scenario already measures.

use std::str::FromStr;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;

use super::{Bench, Measured, Scenario};
use crate::bench::{BenchResult, rss};
use crate::document::{
    Buyer, DocumentKind, DocumentLine, InvoiceDocument, Language, LineKind, Seller, ServicePeriod, VatItem,
};

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_default()
}

/// Nine priced lines (six at 19 %, three at 7 %) and a 10 % discount at 19 %: ten lines.
pub fn ten_lines() -> InvoiceDocument {
    let at = |m: u32, day: u32| Utc.with_ymd_and_hms(2025, m, day, 8, 0, 0).single().unwrap_or_default();
    let lines = ten_document_lines();
    let (net19, net7) = (d("236.25"), d("300.00"));
    let (vat19, vat7) = (d("44.89"), d("21.00"));
    InvoiceDocument {
        kind: DocumentKind::Invoice,
        number: "RE-2025-00001".into(),
        invoice_date: at(3, 1),
        due_date: Some(at(3, 15)),
        service_period: Some(ServicePeriod { start: at(3, 1), end: at(4, 1) }),
        currency: "EUR".into(),
        language: Language::De,
        timezone: "Europe/Berlin".into(),
        seller: sample_seller(),
        buyer: sample_buyer(),
        lines,
        vat_items: vec![
            VatItem { rate: d("7"), net: net7, vat: vat7 },
            VatItem { rate: d("19"), net: net19, vat: vat19 },
        ],
        sub_total: net19 + net7,
        vat_total: vat19 + vat7,
        total: net19 + net7 + vat19 + vat7,
        related_invoice_number: None,
        related_invoice_date: None,
        payment_days: Some(14),
        vat_exemption_reason: None,
        invoice_title: None,
        intro_text: None,
        invoice_footer: Some("Amtsgericht Charlottenburg HRB 12345".into()),
    }
}

/// Nine article lines at 19 % and 7 %, and a 10 % discount on the 19 % ones.
fn ten_document_lines() -> Vec<DocumentLine> {
    let mut lines: Vec<DocumentLine> = (1..=9)
        .map(|i| DocumentLine {
            position: i,
            article_number: Some(format!("ART-{i}")),
            description: format!("Service line {i} with a description long enough to wrap in the table"),
            quantity: Decimal::from(i),
            unit_price: d("12.50"),
            vat_percent: if i <= 6 { d("19") } else { d("7") },
            net: Decimal::from(i) * d("12.50"),
            kind: if i == 1 { LineKind::Plan } else { LineKind::Addon },
        })
        .collect();
    // Nets: 19 % lines 1..=6 = 262.50, discount -26.25; 7 % lines 7..=9 = 300.00.
    lines.push(DocumentLine {
        position: 10,
        article_number: None,
        description: "Loyalty discount 10 %".into(),
        quantity: Decimal::ONE,
        unit_price: d("-26.25"),
        vat_percent: d("19"),
        net: d("-26.25"),
        kind: LineKind::Discount,
    });
    lines
}

fn sample_seller() -> Seller {
    Seller {
        name: "Muster Software GmbH".into(),
        address: "Hauptstraße 1".into(),
        zipcode: "10115".into(),
        city: "Berlin".into(),
        country_code: "DE".into(),
        vat_id: Some("DE123456789".into()),
        iban: Some("DE02120300000000202051".into()),
        ..Seller::default()
    }
}

fn sample_buyer() -> Buyer {
    Buyer {
        organization: Some("Beispiel AG".into()),
        city: Some("München".into()),
        country_code: "DE".into(),
        ..Buyer::default()
    }
}

/// Renders PDFs on `connections` blocking threads for the warm-up and the measured time.
pub async fn run(bench: &Bench) -> BenchResult<Measured> {
    let connections = bench.connections_for(Scenario::Document);
    let start = Instant::now();
    let (from, until) = (start + bench.warmup, start + bench.warmup + bench.measure);
    let watch = rss::Watch::start(bench.child_pids());
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            tokio::task::spawn_blocking(move || -> Result<Vec<u32>, String> {
                let doc = ten_lines();
                let mut latencies = Vec::new();
                while Instant::now() < until {
                    let began = Instant::now();
                    crate::document::pdf(&doc).map_err(|e| e.to_string())?;
                    let done = Instant::now();
                    if done >= from && done <= until {
                        latencies.push(u32::try_from(done.duration_since(began).as_micros()).unwrap_or(u32::MAX));
                    }
                }
                Ok(latencies)
            })
        })
        .collect();
    let mut latencies_us = Vec::new();
    for worker in workers {
        latencies_us.extend(worker.await??);
    }
    let rss = watch.finish().await;
    latencies_us.sort_unstable();
    Ok(Measured {
        count: latencies_us.len() as u64,
        elapsed: bench.measure,
        latencies_us,
        errors: 0,
        connections,
        peak_rss_kib: rss.peak(),
        rss,
        note: "one 10-line invoice as PDF/A-3 with its Factur-X XML, in-process, one thread per connection".into(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bench_invoice_renders() {
        let pdf = crate::document::pdf(&super::ten_lines()).expect("renders");
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
