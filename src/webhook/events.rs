//! The public event types of API.md section 13 (the ones webhooks carry and
//! EVENTS filters name), the map from the timeline's finer types onto them,
//! and the EVENTS filter of `webhook.create` / `webhook.update`.

use std::collections::BTreeSet;

use serde_json::Value;

macro_rules! event_types {
    ($($variant:ident = $name:literal, $subject:ident;)*) => {
        /// A public event type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum EventType { $($variant),* }

        impl EventType {
            /// Every public type, in the order of section 13.
            pub const ALL: &'static [EventType] = &[$(EventType::$variant),*];

            /// The wire name, `subscription.created`.
            pub fn as_str(self) -> &'static str {
                match self { $(EventType::$variant => $name),* }
            }

            /// The kind of object the event is about (`data.object`).
            pub fn subject(self) -> Subject {
                match self { $(EventType::$variant => Subject::$subject),* }
            }
        }
    };
}

event_types! {
    CustomerCreated = "customer.created", Customer;
    CustomerChanged = "customer.changed", Customer;
    CustomerDeleted = "customer.deleted", Customer;
    SubscriptionCreated = "subscription.created", Subscription;
    SubscriptionChanged = "subscription.changed", Subscription;
    SubscriptionCanceled = "subscription.canceled", Subscription;
    SubscriptionReactivated = "subscription.reactivated", Subscription;
    SubscriptionPaused = "subscription.paused", Subscription;
    SubscriptionUnpaused = "subscription.unpaused", Subscription;
    SubscriptionClosed = "subscription.closed", Subscription;
    InvoiceCreated = "invoice.created", Invoice;
    InvoicePaid = "invoice.paid", Invoice;
    InvoiceOverdue = "invoice.overdue", Invoice;
    InvoiceReminded = "invoice.reminded", Invoice;
    InvoiceCanceled = "invoice.canceled", Invoice;
    CreditnoteCreated = "creditnote.created", Invoice;
    PaymentCreated = "payment.created", Payment;
    PaymentReversed = "payment.reversed", Payment;
    ConsumptionCreated = "consumption.created", Consumption;
    ConsumptionRefunded = "consumption.refunded", Consumption;
    CouponRedeemed = "coupon.redeemed", Coupon;
    WebhookTest = "webhook.test", Webhook;
}

/// What kind of object an event carries, which names its id tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    Customer,
    Subscription,
    /// Invoices and credit notes.
    Invoice,
    Payment,
    Consumption,
    Coupon,
    Webhook,
}

impl Subject {
    /// The tag that identifies the object (what a thin body keeps).
    pub fn id_tag(self) -> &'static str {
        use Subject::*;
        match self {
            Customer => "CUSTOMER_ID",
            Subscription => "SUBSCRIPTION_ID",
            Invoice => "INVOICE_ID",
            Payment => "PAYMENT_ID",
            Consumption => "CONSUMPTION_ID",
            Coupon => "CODE",
            Webhook => "WEBHOOK_ID",
        }
    }
}

impl EventType {
    /// Reads a public type's wire name (exactly; names are lower case).
    pub fn parse(text: &str) -> Option<EventType> {
        EventType::ALL.iter().copied().find(|t| t.as_str() == text)
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every type the timeline writes today (`src/service`, `src/billing`) under
/// a name that is not public, and the public type it is delivered as (`None`:
/// it stays in the timeline).
pub const TIMELINE_TYPES: &[(&str, Option<EventType>)] = {
    use EventType::*;
    &[
        ("customer.updated", Some(CustomerChanged)),
        ("customer.credits_added", Some(CustomerChanged)),
        ("subscription.updated", Some(SubscriptionChanged)),
        ("subscription.plan_changed", Some(SubscriptionChanged)),
        ("subscription.change_scheduled", Some(SubscriptionChanged)),
        ("subscription.usage_recorded", Some(SubscriptionChanged)),
        ("subscription.usage_deleted", Some(SubscriptionChanged)),
        ("subscription.started", Some(SubscriptionChanged)),
        ("subscription.postponed", Some(SubscriptionChanged)),
        ("subscription.pause_scheduled", Some(SubscriptionChanged)),
        ("subscription.pause_deleted", Some(SubscriptionChanged)),
        ("subscription.period_skipped", Some(SubscriptionChanged)),
        ("subscription.resumed", Some(SubscriptionUnpaused)),
        ("subscription.restarted", Some(SubscriptionReactivated)),
        // `invoice.created` is written alongside every `subscription.invoiced`.
        ("subscription.invoiced", None),
        // A termination also writes `subscription.closed` (CLOSE_REASON termination).
        ("subscription.terminated", None),
        // Dunning held, resumed or moved; the levels reached are `invoice.reminded`.
        ("invoice.dunning_paused", None),
        ("invoice.dunning_unpaused", None),
        ("invoice.postponed", None),
        // The mail outbox's results (API.md section 10, Mail).
        ("invoice.mail_sent", None),
        ("invoice.mail_failed", None),
        // `coupon.redeemed` is delivered; this is its copy on the subscription's timeline.
        ("subscription.coupon_redeemed", None),
        ("subscription.discount_set", Some(SubscriptionChanged)),
        ("subscription.discount_deleted", Some(SubscriptionChanged)),
        // Coupons and drafts are the tenant's own bookkeeping.
        ("coupon.created", None),
        ("coupon.deleted", None),
        ("invoice.draft_created", None),
        ("invoice.draft_updated", None),
        ("invoice.draft_deleted", None),
        // An endpoint disabled after a 410 or 5 days of failures: on the tenant's timeline.
        ("webhook.disabled", None),
        // Payment methods and the blacklist are the tenant's own records.
        ("paymentmethod.created", None),
        ("paymentmethod.updated", None),
        ("paymentmethod.deleted", None),
        ("blacklist.set", None),
        ("blacklist.deleted", None),
        // Articles are the tenant's catalogue, nothing a shop reacts to.
        ("article.created", None),
        ("article.updated", None),
        ("article.deleted", None),
    ]
};

/// The public type a timeline event is delivered as, or `None` for one that
/// stays in the timeline. `data` is the event's DATA: `invoice.created` of a
/// credit note (TYPE `credit`) is `creditnote.created`. A public type's own
/// name maps to itself, so events written later under public names need no
/// entry in [`TIMELINE_TYPES`].
pub fn public_type(timeline_type: &str, data: &Value) -> Option<EventType> {
    if timeline_type == "invoice.created" && data.get("TYPE").and_then(Value::as_str) == Some("credit") {
        return Some(EventType::CreditnoteCreated);
    }
    EventType::parse(timeline_type)
        .or_else(|| TIMELINE_TYPES.iter().find(|(name, _)| *name == timeline_type).and_then(|(_, public)| *public))
}

/// Which events an endpoint receives. An empty EVENTS list means all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventFilter {
    All,
    Only(BTreeSet<EventType>),
}

impl EventFilter {
    /// Reads EVENTS. Unknown and timeline-only types are refused with a
    /// message naming each of them (the caller answers -32602, TAG EVENTS).
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<EventFilter, String> {
        let mut types = BTreeSet::new();
        let mut unknown = Vec::new();
        let mut timeline_only = Vec::new();
        for name in names {
            let name = name.as_ref().trim().to_ascii_lowercase();
            if let Some(t) = EventType::parse(&name) {
                types.insert(t);
            } else if let Some((_, public)) = TIMELINE_TYPES.iter().find(|(n, _)| *n == name) {
                timeline_only.push(match public {
                    Some(public) => format!("`{name}` (use `{public}`)"),
                    None => format!("`{name}` (not delivered)"),
                });
            } else {
                unknown.push(format!("`{name}`"));
            }
        }
        let mut problems = Vec::new();
        if !unknown.is_empty() {
            problems.push(format!("unknown event type {}", unknown.join(", ")));
        }
        if !timeline_only.is_empty() {
            problems.push(format!("timeline-only event type {}", timeline_only.join(", ")));
        }
        match (problems.is_empty(), types.is_empty()) {
            (false, _) => Err(format!("EVENTS: {}", problems.join("; "))),
            (true, true) => Ok(EventFilter::All),
            (true, false) => Ok(EventFilter::Only(types)),
        }
    }

    /// Whether an event of `event_type` goes to the endpoint.
    pub fn matches(&self, event_type: EventType) -> bool {
        match self {
            EventFilter::All => true,
            EventFilter::Only(types) => types.contains(&event_type),
        }
    }

    /// The names to store and to show in `webhook.get` (empty: all).
    pub fn names(&self) -> Vec<&'static str> {
        match self {
            EventFilter::All => Vec::new(),
            EventFilter::Only(types) => types.iter().map(|t| t.as_str()).collect(),
        }
    }
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
