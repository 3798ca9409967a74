use super::*;
use serde_json::json;

#[test]
fn every_public_type_round_trips_through_its_name() {
    assert_eq!(EventType::ALL.len(), 22);
    for t in EventType::ALL {
        assert_eq!(EventType::parse(t.as_str()), Some(*t));
        assert_eq!(t.to_string(), t.as_str());
    }
    assert_eq!(EventType::parse("subscription.plan_changed"), None);
    assert_eq!(EventType::parse("Subscription.Created"), None);
}

#[test]
fn subjects_name_the_id_tag_of_the_object() {
    assert_eq!(EventType::SubscriptionClosed.subject().id_tag(), "SUBSCRIPTION_ID");
    assert_eq!(EventType::CreditnoteCreated.subject().id_tag(), "INVOICE_ID");
    assert_eq!(EventType::PaymentReversed.subject().id_tag(), "PAYMENT_ID");
    assert_eq!(EventType::WebhookTest.subject().id_tag(), "WEBHOOK_ID");
}

#[test]
fn finer_timeline_types_map_onto_public_ones() {
    let none = Value::Null;
    assert_eq!(public_type("subscription.plan_changed", &none), Some(EventType::SubscriptionChanged));
    assert_eq!(public_type("subscription.usage_recorded", &none), Some(EventType::SubscriptionChanged));
    assert_eq!(public_type("subscription.updated", &none), Some(EventType::SubscriptionChanged));
    assert_eq!(public_type("subscription.resumed", &none), Some(EventType::SubscriptionUnpaused));
    assert_eq!(public_type("subscription.restarted", &none), Some(EventType::SubscriptionReactivated));
    assert_eq!(public_type("customer.updated", &none), Some(EventType::CustomerChanged));
    assert_eq!(public_type("subscription.closed", &none), Some(EventType::SubscriptionClosed));
    assert_eq!(public_type("subscription.invoiced", &none), None);
    assert_eq!(public_type("subscription.terminated", &none), None);
    assert_eq!(public_type("article.created", &none), None);
    assert_eq!(public_type("no.such", &none), None);
}

#[test]
fn an_issued_credit_note_is_a_creditnote_created() {
    assert_eq!(public_type("invoice.created", &json!({"TYPE": "outgoing"})), Some(EventType::InvoiceCreated));
    assert_eq!(public_type("invoice.created", &json!({"TYPE": "credit"})), Some(EventType::CreditnoteCreated));
}

#[test]
fn no_timeline_entry_shadows_a_public_name() {
    for (name, _) in TIMELINE_TYPES {
        assert_eq!(EventType::parse(name), None, "{name} is public; drop it from TIMELINE_TYPES");
    }
}

#[test]
fn the_events_filter_accepts_public_types_and_empty_means_all() {
    let f = EventFilter::parse(&["subscription.created", " invoice.paid ", "SUBSCRIPTION.CREATED"]).expect("valid");
    assert!(f.matches(EventType::SubscriptionCreated));
    assert!(f.matches(EventType::InvoicePaid));
    assert!(!f.matches(EventType::InvoiceCreated));
    assert_eq!(f.names(), ["subscription.created", "invoice.paid"]);
    let all = EventFilter::parse::<&str>(&[]).expect("valid");
    assert_eq!(all, EventFilter::All);
    assert!(EventType::ALL.iter().all(|t| all.matches(*t)));
}

#[test]
fn the_events_filter_names_every_unknown_and_timeline_only_type() {
    let err =
        EventFilter::parse(&["subscription.created", "subscription.plan_changed", "nope", "subscription.invoiced"])
            .expect_err("refused");
    assert!(err.starts_with("EVENTS: "), "{err}");
    assert!(err.contains("unknown event type `nope`"), "{err}");
    assert!(err.contains("`subscription.plan_changed` (use `subscription.changed`)"), "{err}");
    assert!(err.contains("`subscription.invoiced` (not delivered)"), "{err}");
}

/// Every `"namespace.name"` literal under `src/service` and `src/billing` is an
/// event type the code writes: each must be public or listed in TIMELINE_TYPES,
/// so a new timeline type cannot silently go undelivered.
#[test]
fn every_event_type_the_code_writes_is_mapped() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut written = BTreeSet::new();
    for dir in ["service", "billing"] {
        collect_event_literals(&root.join(dir), &mut written);
    }
    assert!(written.contains("subscription.created"), "the scan found nothing: {written:?}");
    let unmapped: Vec<&String> = written
        .iter()
        .filter(|name| EventType::parse(name).is_none() && !TIMELINE_TYPES.iter().any(|(n, _)| n == name))
        .collect();
    assert!(unmapped.is_empty(), "add these to webhook::events::TIMELINE_TYPES: {unmapped:?}");
}

fn collect_event_literals(dir: &std::path::Path, out: &mut BTreeSet<String>) {
    const NAMESPACES: [&str; 11] = [
        "customer",
        "subscription",
        "invoice",
        "creditnote",
        "payment",
        "paymentmethod",
        "consumption",
        "coupon",
        "article",
        "webhook",
        "blacklist",
    ];
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_event_literals(&path, out);
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        for literal in text.split('"').skip(1).step_by(2) {
            let Some((ns, name)) = literal.split_once('.') else { continue };
            let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            if NAMESPACES.contains(&ns) && plain {
                out.insert(literal.to_owned());
            }
        }
    }
}
