//! The FastBill-compatible front door (API.md section 8): HTTP Basic with an
//! email, 401, the REQUEST/RESPONSE envelope, errors as HTTP 200, the LIMIT
//! cap, empty lists for unknown ids, the body limit, refused writes.

use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{Client, TestApp, count_rows, spawn_app, spawn_app_with};

/// The endpoint's path.
pub const PATH: &str = "/api/1.0/api.php";

/// POSTs `body` to the FastBill endpoint; expects HTTP 200 and answers the JSON.
pub async fn fb(client: &Client, body: Value) -> Value {
    let response = client.post_raw(PATH, &body.to_string(), &[]).await;
    assert_eq!(response.status, 200, "{body} answered {}", response.body);
    response.json()
}

/// The RESPONSE of a call that must succeed.
pub async fn fb_ok(client: &Client, body: Value) -> Value {
    let answer = fb(client, body.clone()).await;
    assert!(answer["RESPONSE"].get("ERRORS").is_none(), "{body} failed: {answer}");
    answer["RESPONSE"].clone()
}

/// The first entry of RESPONSE.ERRORS of a call that must fail.
pub async fn fb_err(client: &Client, body: Value) -> String {
    let answer = fb(client, body.clone()).await;
    let errors = answer["RESPONSE"]["ERRORS"].as_array().unwrap_or_else(|| panic!("{body} should fail: {answer}"));
    errors[0].as_str().expect("a message").to_owned()
}

/// A FastBill client (an email as Basic user name) and a `/rpc` client of one new tenant.
pub async fn clients(app: &TestApp) -> (Client, Client) {
    let tenant = app.test_tenant("shop", "2024-01-15 09:00:00").await;
    (app.basic_client(&tenant.key), app.client(&tenant.key))
}

#[tokio::test]
async fn a_basic_user_name_that_is_an_email_works_and_answers_request_and_response() {
    let app = spawn_app().await;
    let (fastbill, _) = clients(&app).await;
    let created =
        fb(&fastbill, json!({"SERVICE": "customer.create", "DATA": {"LAST_NAME": "Muster", "EMAIL": "e@x.de"}})).await;
    assert_eq!(created["REQUEST"]["SERVICE"], "customer.create");
    assert_eq!(created["RESPONSE"]["STATUS"], "success");
    let id = created["RESPONSE"]["CUSTOMER_ID"].as_i64().expect("an integer id");
    let found = fb(&fastbill, json!({"SERVICE": "customer.get", "FILTER": {"CUSTOMER_ID": id}, "LIMIT": 1})).await;
    assert_eq!(found["REQUEST"]["FILTER"], json!({"CUSTOMER_ID": id}));
    assert_eq!(found["RESPONSE"]["CUSTOMERS"][0]["CUSTOMER_ID"], json!(id));
    assert_eq!(found["RESPONSE"]["CUSTOMERS"][0]["LAST_NAME"], "Muster");
}

#[tokio::test]
async fn missing_or_wrong_credentials_answer_http_401() {
    let app = spawn_app().await;
    let tenant = app.tenant("shop").await;
    let body = json!({"SERVICE": "customer.get"}).to_string();
    let wrong = format!("{}x", tenant.key);
    for client in [app.client_with_auth(None), app.basic_client(&wrong), app.basic_client("")] {
        let response = client.post_raw(PATH, &body, &[]).await;
        assert_eq!(response.status, 401, "{}", response.body);
        assert!(response.headers.get("www-authenticate").is_some());
        assert!(response.json()["RESPONSE"]["ERRORS"].is_array());
    }
}

#[tokio::test]
async fn lower_case_envelope_keys_as_the_ruby_and_node_clients_send() {
    let app = spawn_app().await;
    let (fastbill, _) = clients(&app).await;
    let created = fb_ok(&fastbill, json!({"service": "customer.create", "data": {"last_name": "Klein"}})).await;
    let id = created["CUSTOMER_ID"].as_i64().expect("id");
    let found = fb(&fastbill, json!({"service": "customer.get", "filter": {"customer_id": id}, "limit": "5"})).await;
    assert_eq!(found["REQUEST"]["SERVICE"], "customer.get", "envelope keys echoed upper-cased");
    assert_eq!(found["RESPONSE"]["CUSTOMERS"][0]["LAST_NAME"], "Klein");
}

#[tokio::test]
async fn every_error_is_http_200_with_response_errors_naming_the_tag() {
    let app = spawn_app().await;
    let (fastbill, _) = clients(&app).await;
    let unknown = fb_err(&fastbill, json!({"SERVICE": "customer.fly"})).await;
    assert!(unknown.contains("customer.fly"), "{unknown}");
    let bad = fb_err(&fastbill, json!({"SERVICE": "customer.create", "DATA": {"LAST_NAME": "M", "EMAIL": "no"}})).await;
    assert!(bad.contains("EMAIL"), "{bad}");
    let missing = fb_err(&fastbill, json!({"SERVICE": "customer.update", "DATA": {"CUSTOMER_ID": 999}})).await;
    assert!(missing.contains("CUSTOMER_ID"), "{missing}");
    let response = fastbill.post_raw(PATH, "{not json", &[]).await;
    assert_eq!(response.status, 200);
    let answer = response.json();
    assert_eq!(answer["REQUEST"], Value::Null);
    assert!(answer["RESPONSE"]["ERRORS"][0].is_string());
}

#[tokio::test]
async fn a_misspelt_filter_tag_answers_an_error_and_never_widens_the_read() {
    let app = spawn_app().await;
    let (fastbill, rpc) = clients(&app).await;
    fixtures::customer(&rpc).await;
    let message = fb_err(&fastbill, json!({"SERVICE": "customer.get", "FILTER": {"CUSTOMER_IDD": 1}})).await;
    assert!(message.contains("CUSTOMER_IDD"), "{message}");
    let message = fb_err(&fastbill, json!({"SERVICE": "subscription.get", "FILTER": {"SUBSCRIPTIONID": 1}})).await;
    assert!(message.contains("SUBSCRIPTIONID"), "{message}");
}

#[tokio::test]
async fn limit_is_capped_at_100_and_unknown_ids_answer_empty_lists() {
    let app = spawn_app().await;
    let (fastbill, rpc) = clients(&app).await;
    for chunk in 0..2 {
        let entries: Vec<Value> = (0..55)
            .map(|i| {
                let data = json!({"LAST_NAME": format!("K{chunk}-{i}")});
                crate::helpers::request(i, "customer.create", json!({"DATA": data}))
            })
            .collect();
        rpc.batch(&entries).await;
    }
    let page = fb_ok(&fastbill, json!({"SERVICE": "customer.get", "LIMIT": 1000})).await;
    assert_eq!(page["CUSTOMERS"].as_array().map(Vec::len), Some(100));
    let none = fb_ok(&fastbill, json!({"SERVICE": "subscription.get", "FILTER": {"SUBSCRIPTION_ID": 123}})).await;
    assert_eq!(none, json!({"SUBSCRIPTIONS": []}));
    let none = fb_ok(&fastbill, json!({"SERVICE": "invoice.get", "FILTER": {"INVOICE_ID": 123}})).await;
    assert_eq!(none, json!({"INVOICES": []}));
    let usage = json!({"SERVICE": "subscription.getusagedata", "FILTER": {"SUBSCRIPTION_ID": 123}});
    assert_eq!(fb_ok(&fastbill, usage).await, json!({"ITEMS": []}));
}

#[tokio::test]
async fn a_body_over_the_limit_answers_http_413_as_rpc_does() {
    let app = spawn_app_with(|s| s.server.max_body_bytes = 2048).await;
    let (fastbill, rpc) = clients(&app).await;
    let big = json!({"SERVICE": "customer.create", "DATA": {"LAST_NAME": "x".repeat(4000)}}).to_string();
    let response = fastbill.post_raw(PATH, &big, &[]).await;
    let on_rpc = rpc.post_raw("/rpc", &big, &[]).await;
    assert_eq!((response.status, on_rpc.status), (413, 413), "{}", response.body);
    assert!(response.json()["RESPONSE"]["ERRORS"].is_array());
}

#[tokio::test]
async fn a_failed_write_changes_nothing() {
    let app = spawn_app().await;
    let (fastbill, rpc) = clients(&app).await;
    fixtures::article(&rpc, "PRO", "10.00", "19", json!({})).await;
    let customer = fixtures::customer(&rpc).await;
    let tables = ["customer", "subscription", "invoice", "event"];
    let mut before = Vec::new();
    for table in tables {
        before.push(count_rows(&app, table).await);
    }
    let refused = [
        json!({"SERVICE": "subscription.create", "DATA": {"CUSTOMER_ID": customer, "ARTICLE_NUMBER": "NOPE"}}),
        json!({"SERVICE": "subscription.create", "DATA": {"CUSTOMER_ID": customer, "ARTICLE_NUMBER": "PRO", "START": "2024-13-45"}}),
        json!({"SERVICE": "customer.create", "DATA": {"LAST_NAME": "M", "COUNTRY_CODE": "XX"}}),
    ];
    for body in refused {
        fb_err(&fastbill, body).await;
    }
    for (table, count) in tables.iter().zip(before) {
        assert_eq!(count_rows(&app, table).await, count, "{table} changed");
    }
}

#[tokio::test]
async fn addcredits_sendbyemail_and_template_get_work_through_the_fastbill_door() {
    let app = spawn_app().await;
    let (fastbill, rpc) = clients(&app).await;
    fixtures::article(&rpc, "P", "10", "19", json!({})).await;
    let c = fixtures::customer(&rpc).await;
    let credits =
        fb_ok(&fastbill, json!({"SERVICE": "customer.addcredits", "DATA": {"CUSTOMER_ID": c, "AMOUNT": "4.5"}})).await;
    assert_eq!(credits["STATUS"], "success", "{credits}");
    let sub = fixtures::subscribe(&rpc, c, "P", json!({})).await;
    let inv = sub["INVOICE_ID"].as_i64().expect("INVOICE_ID");
    let invoice = &rpc.ok("invoice.get", json!({"FILTER": {"INVOICE_ID": inv}})).await["INVOICES"][0];
    // 11.90 issued, the 4.50 of credit applied at once.
    assert_eq!((invoice["TOTAL"].as_str(), invoice["OUTSTANDING_AMOUNT"].as_str()), (Some("11.90"), Some("7.40")));
    let before = count_rows(&app, "mail_outbox").await;
    let recipient = json!({"TO": "books@example.com", "BCC": "archive@example.com"});
    let sent = fb_ok(
        &fastbill,
        json!({"SERVICE": "invoice.sendbyemail", "DATA": {"INVOICE_ID": inv, "RECIPIENT": recipient}}),
    )
    .await;
    assert!(sent["MAIL_ID"].is_i64(), "{sent}");
    assert_eq!(count_rows(&app, "mail_outbox").await, before + 1);
    let bad =
        fb_err(&fastbill, json!({"SERVICE": "invoice.sendbyemail", "DATA": {"INVOICE_ID": inv, "RECIPIENT": "x"}}))
            .await;
    assert!(bad.contains("RECIPIENT"), "{bad}");
    let templates = fb_ok(&fastbill, json!({"SERVICE": "template.get"})).await;
    assert!(templates["TEMPLATES"].as_array().is_some_and(|t| !t.is_empty()), "{templates}");
}
