//! The public events of money after the invoice (API.md sections 10 and 13) as a receiver gets
//! them: `invoice.created`, `payment.created`, `invoice.paid`, `payment.reversed`,
//! `creditnote.created`, `invoice.canceled`, each once, in the order of the writes, signed, with
//! the object as `*.get` answers it. A cancellation settles the invoice by a credit note, not by a
//! payment: no `invoice.paid` for it (a shop would mark a canceled order paid).

use serde_json::{Value, json};

use crate::fixtures::{article, customer, subscribe};
use crate::helpers::spawn_app;
use crate::webhooks::receiver::Receiver;
use crate::webhooks::requests;

const TYPES: [&str; 6] = [
    "invoice.created",
    "payment.created",
    "invoice.paid",
    "payment.reversed",
    "creditnote.created",
    "invoice.canceled",
];

/// The bodies once `n` requests arrived (each awaited before the next write, so the object
/// rendered is the one just written).
async fn bodies(receiver: &Receiver, n: usize) -> Vec<Value> {
    let got = requests(receiver, n).await;
    assert_eq!(got.len(), n, "{got:?}");
    assert!(got.iter().all(|r| r["verified"] == true), "{got:?}");
    got.iter().map(|r| serde_json::from_str(r["body"].as_str().unwrap_or_default()).expect("JSON body")).collect()
}

fn pay(inv: i64, amount: &str) -> Value {
    json!({"DATA": {"INVOICE_ID": inv, "AMOUNT": amount, "METHOD": "sepa"}})
}

#[tokio::test]
async fn payments_reversals_credit_notes_and_cancellations_reach_the_receiver_as_their_public_events() {
    let test = "payments_reversals_credit_notes_and_cancellations_reach_the_receiver_as_their_public_events";
    let app = spawn_app().await;
    let Some(h) = crate::webhooks::hooked(test, app, json!({"EVENTS": TYPES}), &[]).await else { return };
    let (client, receiver) = (&h.client, &h.receiver);
    article(client, "P", "100", "19", json!({})).await;
    let c = customer(client).await;
    let inv = subscribe(client, c, "P", json!({})).await["INVOICE_ID"].as_i64().expect("INVOICE_ID");
    let got = bodies(receiver, 1).await;
    assert_eq!(
        (got[0]["type"].as_str(), got[0]["data"]["object"]["TOTAL"].as_str()),
        (Some("invoice.created"), Some("119.00"))
    );
    let first = client.ok("payment.create", pay(inv, "19")).await;
    bodies(receiver, 2).await;
    let second = client.ok("payment.create", pay(inv, "100")).await;
    let got = bodies(receiver, 4).await;
    let paid: Vec<(&str, &Value)> =
        got[2..].iter().map(|b| (b["type"].as_str().unwrap_or(""), &b["data"]["object"])).collect();
    assert_eq!(paid.iter().map(|p| p.0).collect::<Vec<_>>(), ["payment.created", "invoice.paid"]);
    assert_eq!((&paid[0].1["PAYMENT_ID"], paid[0].1["AMOUNT"].as_str()), (&second["PAYMENT_ID"], Some("100.00")));
    assert_eq!((paid[1].1["INVOICE_ID"].as_i64(), paid[1].1["STATUS"].as_str()), (Some(inv), Some("paid")));
    assert_eq!(got[1]["data"]["object"]["PAYMENT_ID"], first["PAYMENT_ID"]);
    client.ok("payment.reverse", json!({"DATA": {"PAYMENT_ID": second["PAYMENT_ID"], "REASON": "refund"}})).await;
    let got = bodies(receiver, 5).await;
    assert_eq!(
        (got[4]["type"].as_str(), got[4]["data"]["object"]["STATUS"].as_str()),
        (Some("payment.reversed"), Some("reversed"))
    );
    let canceled = client.ok("invoice.cancel", json!({"DATA": {"INVOICE_ID": inv}})).await;
    let got = bodies(receiver, 7).await;
    let types: Vec<&str> = got.iter().filter_map(|b| b["type"].as_str()).collect();
    let expected = [
        "invoice.created",
        "payment.created",
        "payment.created",
        "invoice.paid",
        "payment.reversed",
        "creditnote.created",
        "invoice.canceled",
    ];
    assert_eq!(types, expected);
    let note = &got[5]["data"]["object"];
    assert_eq!(
        (&note["INVOICE_ID"], note["TYPE"].as_str(), note["RELATED_INVOICE_ID"].as_i64(), note["TOTAL"].as_str()),
        (&canceled["INVOICE_ID"], Some("credit"), Some(inv), Some("-119.00"))
    );
    assert_eq!(
        (got[6]["data"]["object"]["INVOICE_ID"].as_i64(), got[6]["data"]["object"]["STATUS"].as_str()),
        (Some(inv), Some("canceled"))
    );
    let ids: std::collections::BTreeSet<&str> = got.iter().filter_map(|b| b["id"].as_str()).collect();
    assert_eq!(ids.len(), 7, "one event each");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(receiver.logged().len(), 7, "nothing more, nothing twice");
}
