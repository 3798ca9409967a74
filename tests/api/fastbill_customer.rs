//! FastBill's whole customer model (API.md 5.1): stored, answered and
//! searchable on both endpoints, read-only tags ignored on the FastBill
//! endpoint, DAYS_FOR_PAYMENT driving the due date.

use serde_json::{Value, json};

use crate::fastbill::{clients, fb_ok};
use crate::fixtures;
use crate::helpers::spawn_app;

/// What the PHP client (Speicher210/fastbill-api) sends on customer.create.
fn php_customer() -> Value {
    let text = include_str!("../fixtures/fastbill/Customer/testCreateCustomerRequest.json");
    serde_json::from_str::<Value>(text).expect("fixture")["DATA"].clone()
}

#[tokio::test]
async fn the_php_clients_whole_customer_model_with_read_only_tags_is_stored_and_answered() {
    let app = spawn_app().await;
    let (fastbill, rpc) = clients(&app).await;
    fixtures::customer(&rpc).await;
    let sent = php_customer();
    let created = fb_ok(&fastbill, json!({"SERVICE": "customer.create", "DATA": sent})).await;
    let id = created["CUSTOMER_ID"].as_i64().expect("id");
    assert_eq!(id, 2, "the sent CUSTOMER_ID (1) is read-only");
    let found = fb_ok(&fastbill, json!({"SERVICE": "customer.get", "FILTER": {"CUSTOMER_ID": id}})).await;
    let customer = &found["CUSTOMERS"][0];
    let read_only = ["CUSTOMER_ID", "CUSTOMER_NUMBER", "CREATED", "LASTUPDATE", "HASH", "CREDIT_BALANCE"];
    for (tag, value) in sent.as_object().expect("object") {
        if read_only.contains(&tag.as_str()) {
            continue;
        }
        let expected = match value {
            Value::Number(n) => json!(n.as_i64()),
            other => other.clone(),
        };
        assert_eq!(customer[tag.as_str()], expected, "{tag}");
    }
    assert_eq!(customer["CUSTOMER_ID"], json!(id));
    assert_eq!(customer["CREDIT_BALANCE"], "0.00");
    // /rpc answers the same customer in UTC, with TAGS as a list.
    let on_rpc = rpc.ok("customer.get", json!({"FILTER": {"CUSTOMER_ID": id}})).await;
    let customer = &on_rpc["CUSTOMERS"][0];
    assert_eq!(customer["BANK_ACCOUNT_MANDATE_REFERENCE_DATE"], "2015-11-05 23:15:00");
    assert_eq!(customer["BIRTHDAY"], "1983-04-27", "a pure date is not converted");
    assert_eq!(customer["TAGS"], json!(["tag11", "tag21"]));
    assert_eq!(customer["INVOICE_DELIVERY_METHOD"], "mail");
    assert_eq!(customer["DAYS_FOR_PAYMENT"], 1);
}

#[tokio::test]
async fn the_php_clients_customer_update_is_accepted() {
    let app = spawn_app().await;
    let (fastbill, rpc) = clients(&app).await;
    let id = fixtures::customer(&rpc).await;
    let mut data = php_customer();
    data["CUSTOMER_ID"] = json!(id);
    data["CITY"] = json!("Bremen");
    data["COMMENT"] = json!("");
    let updated = fb_ok(&fastbill, json!({"SERVICE": "customer.update", "DATA": data})).await;
    assert_eq!(updated["CUSTOMER_ID"], json!(id));
    let customer = rpc.ok("customer.get", json!({"FILTER": {"CUSTOMER_ID": id}})).await["CUSTOMERS"][0].clone();
    assert_eq!((customer["CITY"].as_str(), customer["ORGANIZATION"].as_str()), (Some("Bremen"), Some("Organization1")));
}

#[tokio::test]
async fn fastbills_fields_are_searchable_on_both_endpoints() {
    let app = spawn_app().await;
    let (fastbill, rpc) = clients(&app).await;
    fb_ok(&fastbill, json!({"SERVICE": "customer.create", "DATA": php_customer()})).await;
    let other = json!({"LAST_NAME": "Other", "TAX_ID": "t2", "TAGS": ["x"], "CITY": "Kiel"});
    rpc.ok("customer.create", json!({"DATA": other})).await;
    let filters = [
        json!({"TAX_ID": "tax_id1"}),
        json!({"TAG": "tag21"}),
        json!({"CITY": "hamburg1"}),
        json!({"AFFILIATE": "together1", "PAYMENT_TYPE": "1"}),
        json!({"INVOICE_DELIVERY_METHOD": "mail", "STATE": "State1"}),
    ];
    for filter in filters {
        let on_rpc = rpc.ok("customer.get", json!({"FILTER": filter.clone()})).await;
        assert_eq!(on_rpc["CUSTOMERS"].as_array().map(Vec::len), Some(1), "{filter} on /rpc");
        let here = fb_ok(&fastbill, json!({"SERVICE": "customer.get", "FILTER": filter.clone()})).await;
        assert_eq!(here["CUSTOMERS"][0]["LAST_NAME"], "Tester1", "{filter}");
    }
}

#[tokio::test]
async fn days_for_payment_drives_the_due_date() {
    let app = spawn_app().await;
    let (_, rpc) = clients(&app).await;
    fixtures::article(&rpc, "PRO", "10.00", "19", json!({})).await;
    let slow = json!({"DATA": {"LAST_NAME": "Slow", "DAYS_FOR_PAYMENT": 30}});
    let slow = rpc.ok("customer.create", slow).await["CUSTOMER_ID"].as_i64().expect("id");
    let usual = fixtures::customer(&rpc).await;
    let mut due = Vec::new();
    for customer in [slow, usual] {
        let created = fixtures::subscribe(&rpc, customer, "PRO", json!({})).await;
        let invoice = created["INVOICE_ID"].as_i64().expect("billed at once");
        let found = rpc.ok("invoice.get", json!({"FILTER": {"INVOICE_ID": invoice}})).await;
        let invoice = &found["INVOICES"][0];
        due.push((invoice["INVOICE_DATE"].clone(), invoice["DUE_DATE"].clone()));
    }
    assert_eq!(due[0], (json!("2024-01-15 09:00:00"), json!("2024-02-14 09:00:00")));
    assert_eq!(due[1], (json!("2024-01-15 09:00:00"), json!("2024-01-29 09:00:00")));
}
