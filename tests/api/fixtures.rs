//! Shared set-ups for subscription and billing tests.

use serde_json::{Value, json};

use crate::helpers::Client;

/// Creates an article; `extra` adds or overrides tags.
pub async fn article(client: &Client, number: &str, price: &str, vat: &str, extra: Value) -> Value {
    let mut data =
        json!({"ARTICLE_NUMBER": number, "TITLE": format!("Plan {number}"), "UNIT_PRICE": price, "VAT_PERCENT": vat});
    if let (Some(d), Some(e)) = (data.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            d.insert(k.clone(), v.clone());
        }
    }
    client.ok("article.create", json!({"DATA": data})).await
}

/// Creates a customer and returns its id.
pub async fn customer(client: &Client) -> i64 {
    let created =
        client.ok("customer.create", json!({"DATA": {"LAST_NAME": "Kundin", "EMAIL": "k@example.com"}})).await;
    created["CUSTOMER_ID"].as_i64().expect("CUSTOMER_ID")
}

/// Subscribes `customer` to `article_number`; `extra` adds tags. Returns the answer.
pub async fn subscribe(client: &Client, customer: i64, article_number: &str, extra: Value) -> Value {
    let mut data = json!({"CUSTOMER_ID": customer, "ARTICLE_NUMBER": article_number});
    if let (Some(d), Some(e)) = (data.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            d.insert(k.clone(), v.clone());
        }
    }
    client.ok("subscription.create", json!({"DATA": data})).await
}

/// Moves the test clock to `now` and bills everything due.
pub async fn advance(client: &Client, now: &str) -> Value {
    client.ok("billing.run", json!({"DATA": {"NOW": now}})).await
}

/// The subscription object.
pub async fn subscription(client: &Client, id: i64) -> Value {
    let found = client.ok("subscription.get", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await;
    found["SUBSCRIPTIONS"][0].clone()
}

/// A subscription's invoices in issue order.
pub async fn invoices(client: &Client, subscription_id: i64) -> Vec<Value> {
    let found = client.ok("invoice.get", json!({"FILTER": {"SUBSCRIPTION_ID": subscription_id}, "LIMIT": 1000})).await;
    found["INVOICES"].as_array().cloned().unwrap_or_default()
}

/// `(KIND, COMPLETE_NET)` of every line of an invoice.
pub fn lines(invoice: &Value) -> Vec<(String, String)> {
    invoice["ITEMS"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    (i["KIND"].as_str().unwrap_or("").to_owned(), i["COMPLETE_NET"].as_str().unwrap_or("").to_owned())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `(INVOICE_NUMBER, INVOICE_DATE, PERIOD_START, PERIOD_END, TOTAL)` of each invoice.
pub fn summary(invoices: &[Value]) -> Vec<(String, String, String, String, String)> {
    invoices
        .iter()
        .map(|i| {
            let s = |k: &str| i[k].as_str().unwrap_or("").to_owned();
            (s("INVOICE_NUMBER"), s("INVOICE_DATE"), s("PERIOD_START"), s("PERIOD_END"), s("TOTAL"))
        })
        .collect()
}

/// Owned string tuples for comparing with `summary`.
pub fn rows(expected: &[(&str, &str, &str, &str, &str)]) -> Vec<(String, String, String, String, String)> {
    expected.iter().map(|(a, b, c, d, e)| ((*a).into(), (*b).into(), (*c).into(), (*d).into(), (*e).into())).collect()
}
