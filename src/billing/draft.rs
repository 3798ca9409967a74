//! What the engine hands the invoice writer: an invoice that is not written
//! yet. Every invoice (a period billed, a proration, a terminate credit, a
//! renewal, a manual invoice, a credit note) is a `Draft` first, and only
//! `billing::writer` turns drafts into rows.

use chrono::{DateTime, Utc};

use crate::domain::pricing::Line;
use entity::{invoice, invoice_item};

/// Outgoing invoice or credit note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Outgoing,
    Credit,
}

impl Kind {
    /// The stored and wire text (`TYPE`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Outgoing => "outgoing",
            Kind::Credit => "credit",
        }
    }
}

/// Everything needed to issue one invoice.
#[derive(Clone, Debug)]
pub struct Draft {
    pub kind: Kind,
    pub customer_id: i64,
    pub subscription_id: Option<i64>,
    pub related_invoice_id: Option<i64>,
    pub invoice_title: Option<String>,
    pub invoice_date: DateTime<Utc>,
    pub period: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The period start of a subscription's regular invoice (unique per subscription).
    pub billed_period: Option<DateTime<Utc>>,
    pub currency: String,
    pub lines: Vec<Line>,
    /// Usage records this invoice bills; marked invoiced with it.
    pub usage_ids: Vec<i64>,
    /// Consumptions this invoice bills, in the order of its `consumption`
    /// lines (the k-th id is the k-th such line); marked invoiced with it.
    pub consumption_ids: Vec<i64>,
}

impl Draft {
    /// A subscription's invoice of `kind` dated `invoice_date` over `period`:
    /// customer, currency and title come from the subscription.
    pub fn for_subscription(
        sub: &entity::subscription::Model,
        kind: Kind,
        invoice_date: DateTime<Utc>,
        period: Option<(DateTime<Utc>, DateTime<Utc>)>,
        lines: Vec<Line>,
    ) -> Draft {
        Draft {
            kind,
            customer_id: sub.customer_id,
            subscription_id: Some(sub.id),
            related_invoice_id: None,
            invoice_title: sub.invoice_title.clone(),
            invoice_date,
            period,
            billed_period: None,
            currency: sub.currency_code.clone(),
            lines,
            usage_ids: Vec::new(),
            consumption_ids: Vec::new(),
        }
    }

    /// The regular invoice of the period starting at `start` (unique per subscription).
    pub fn regular(mut self, start: DateTime<Utc>) -> Draft {
        self.billed_period = Some(start);
        self
    }

    /// Bills these usage records (they are marked invoiced with it).
    pub fn with_usage(mut self, usage_ids: Vec<i64>) -> Draft {
        self.usage_ids = usage_ids;
        self
    }

    /// Bills these consumptions: `lines` are appended, one per consumption,
    /// and the consumptions are marked invoiced with it.
    pub fn with_consumptions(mut self, consumptions: Vec<(i64, Line)>) -> Draft {
        for (id, line) in consumptions {
            self.consumption_ids.push(id);
            self.lines.push(line);
        }
        self
    }

    /// Names the invoice a credit note corrects.
    pub fn related_to(mut self, invoice_id: Option<i64>) -> Draft {
        self.related_invoice_id = invoice_id;
        self
    }
}

/// An issued invoice with its lines. Lines of an invoice just issued carry
/// id 0; loaded ones carry their ids.
#[derive(Clone, Debug)]
pub struct Issued {
    pub invoice: invoice::Model,
    pub items: Vec<invoice_item::Model>,
}
