//! Secure links and hosted pages (API.md section 7), over HTTP.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::fixtures::{advance, article, customer, invoices, subscribe, subscription};
use crate::helpers::{Client, RawResponse, TestApp, count_rows, spawn_app};

/// A page as a browser would hold it: its body, CSRF cookie and form value.
struct Page {
    response: RawResponse,
    cookie: Option<String>,
    csrf: Option<String>,
}

async fn open(client: &Client, url: &str) -> Page {
    let response = client.browse("GET", url, &[], "").await;
    let cookie = response
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let csrf =
        response.body.split("name=\"csrf\" value=\"").nth(1).and_then(|rest| rest.split('"').next()).map(str::to_owned);
    Page { response, cookie, csrf }
}

async fn submit(client: &Client, url: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> RawResponse {
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    let mut headers = vec![("content-type", "application/x-www-form-urlencoded")];
    if let Some(cookie) = cookie {
        headers.push(("cookie", cookie));
    }
    client.browse("POST", url, &headers, &body).await
}

/// Opens `url` and posts its form like a browser would.
async fn confirm(client: &Client, url: &str, extra: &[(&str, &str)]) -> RawResponse {
    let page = open(client, url).await;
    assert_eq!(page.response.status, 200, "{}", page.response.body);
    let csrf = page.csrf.expect("the page has a form");
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(extra);
    submit(client, url, page.cookie.as_deref(), &fields).await
}

/// A test tenant "Acme Hosting" on 2025-01-15 with a monthly 10.00 plan with
/// one month of notice, an add-on, and one customer subscribed since 2025-01-01.
async fn shop(app: &TestApp) -> (Client, i64, i64) {
    let t = app.test_tenant("Acme Hosting", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "P", "10.00", "19", json!({"TITLE": "Pro plan", "SUBSCRIPTION_CANCELLATION": "1 month"})).await;
    article(&client, "SEAT", "3.00", "19", json!({"TITLE": "Extra seat", "IS_ADDON": true, "ALLOW_MULTIPLE": true}))
        .await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    advance(&client, "2025-01-15").await;
    (client, id, c)
}

async fn links(client: &Client, id: i64) -> Value {
    client.ok("subscription.createsecurelink", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await
}

fn url(links: &Value, key: &str) -> String {
    links[key].as_str().expect("url").to_owned()
}

#[tokio::test]
async fn createsecurelink_answers_three_expiring_links_under_the_public_url() {
    let app = spawn_app().await;
    let (client, id, _) = shop(&app).await;
    let answer = links(&client, id).await;
    for (key, action) in [("CANCEL_URL", "cancel"), ("REACTIVATE_URL", "reactivate"), ("ADDONS_URL", "addons")] {
        let link = url(&answer, key);
        assert!(link.starts_with(&format!("{}/hosted/s/", app.url())), "{link}");
        assert!(link.ends_with(&format!("/{action}")), "{link}");
    }
    assert_eq!(answer["EXPIRES"], "2025-01-22 00:00:00", "seven days by the tenant's clock");
    let err = client.err("subscription.createsecurelink", json!({"DATA": {"SUBSCRIPTION_ID": 999}})).await;
    assert_eq!(err.code, 1004);
}

#[tokio::test]
async fn the_cancel_page_shows_what_will_happen_and_get_changes_nothing() {
    let app = spawn_app().await;
    let (client, id, _) = shop(&app).await;
    let cancel = url(&links(&client, id).await, "CANCEL_URL");
    let before = (subscription(&client, id).await, count_rows(&app, "event").await);
    for _ in 0..3 {
        let page = open(&client, &cancel).await;
        assert_eq!(page.response.status, 200);
        let html = &page.response.body;
        for text in [
            "Acme Hosting",
            "Pro plan",
            "10.00 EUR per 1 month",
            "2025-02-01",
            "ends on <strong id=\"end-date\">2025-03-01</strong>",
        ] {
            assert!(html.contains(text), "{text} missing in {html}");
        }
        assert!(!html.contains("<script"), "no scripts");
        let h = &page.response.headers;
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-frame-options"], "DENY");
        let csp = h["content-security-policy"].to_str().expect("csp");
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        let cookie = h["set-cookie"].to_str().expect("cookie");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    }
    assert_eq!(
        (subscription(&client, id).await, count_rows(&app, "event").await),
        before,
        "GET never changes anything"
    );
}

#[tokio::test]
async fn posting_the_cancel_form_cancels_like_the_api_and_the_link_acts_once() {
    let app = spawn_app().await;
    let (client, id, _) = shop(&app).await;
    let cancel = url(&links(&client, id).await, "CANCEL_URL");
    let page = open(&client, &cancel).await;
    let csrf = page.csrf.clone().expect("form");
    let done = submit(&client, &cancel, page.cookie.as_deref(), &[("csrf", &csrf), ("note", "too expensive")]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Your subscription is canceled") && done.body.contains("2025-03-01"), "{}", done.body);
    let sub = subscription(&client, id).await;
    assert_eq!(
        (sub["STATUS"].clone(), sub["CANCELLATION_DATE"].clone(), sub["CANCELLATION_NOTE"].clone()),
        (json!("canceled"), json!("2025-03-01 00:00:00"), json!("too expensive"))
    );
    let timeline = client.ok("subscription.gettimeline", json!({"FILTER": {"SUBSCRIPTION_ID": id}})).await;
    assert_eq!(timeline["EVENTS"][0]["TYPE"], "subscription.canceled");
    let events = count_rows(&app, "event").await;
    let replay = submit(&client, &cancel, page.cookie.as_deref(), &[("csrf", &csrf)]).await;
    assert_eq!(replay.status, 410, "a used link is gone");
    assert!(replay.body.contains("can no longer be used"));
    assert_eq!(open(&client, &cancel).await.response.status, 410);
    assert_eq!(count_rows(&app, "event").await, events);
}

#[tokio::test]
async fn the_form_needs_the_cookie_and_a_csrf_value_bound_to_its_link() {
    let app = spawn_app().await;
    let (client, id, _) = shop(&app).await;
    let answer = links(&client, id).await;
    let cancel = url(&answer, "CANCEL_URL");
    let page = open(&client, &cancel).await;
    let csrf = page.csrf.clone().expect("form");
    let other = open(&client, &url(&answer, "ADDONS_URL")).await;
    for (cookie, value) in [
        (None, csrf.clone()),
        (page.cookie.clone(), String::new()),
        (page.cookie.clone(), "forged.AAAA".to_owned()),
        (other.cookie.clone(), csrf.clone()),
        (page.cookie.clone(), other.csrf.clone().expect("form")),
    ] {
        let response = submit(&client, &cancel, cookie.as_deref(), &[("csrf", &value)]).await;
        assert_eq!(response.status, 403, "{cookie:?} {value}");
    }
    assert_eq!(subscription(&client, id).await["STATUS"], "active");
}

fn retoken(link: &str, change: impl Fn(&mut Vec<String>)) -> String {
    let (base, rest) = link.split_once("/hosted/s/").expect("hosted link");
    let (token, action) = rest.split_once('/').expect("action");
    let (payload, tag) = token.split_once('.').expect("token");
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("utf-8");
    let mut parts: Vec<String> = text.split('|').map(str::to_owned).collect();
    change(&mut parts);
    format!("{base}/hosted/s/{}.{tag}/{action}", URL_SAFE_NO_PAD.encode(parts.join("|")))
}

#[tokio::test]
async fn tampering_with_any_part_of_a_token_is_refused() {
    let app = spawn_app().await;
    let (client, id, c) = shop(&app).await;
    let other = subscribe(&client, c, "P", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let cancel = url(&links(&client, id).await, "CANCEL_URL");
    // Payload: 1|tenant|s|subscription|action|expires|version
    let tampered = [
        retoken(&cancel, |p| p[1] = (p[1].parse::<i64>().expect("tenant") + 1).to_string()),
        retoken(&cancel, |p| p[3] = other.to_string()),
        retoken(&cancel, |p| p[4] = "reactivate".into()),
        retoken(&cancel, |p| p[5] = (p[5].parse::<i64>().expect("expiry") + 86_400).to_string()),
        retoken(&cancel, |p| p[6] = (p[6].parse::<i64>().expect("version") + 1).to_string()),
        cancel.replace("/cancel", "/reactivate"),
        {
            let mut bytes = cancel.clone().into_bytes();
            let at = cancel.rfind('.').expect("dot") + 3;
            bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
            String::from_utf8(bytes).expect("ascii")
        },
        cancel.replace("/hosted/s/", "/hosted/s/x"),
        format!("{}/hosted/s/garbage/cancel", app.url()),
    ];
    for link in tampered {
        let page = open(&client, &link).await;
        assert_eq!(page.response.status, 403, "{link}");
        assert!(page.response.body.contains("This link is not valid"));
        assert!(page.csrf.is_none());
    }
    assert_eq!(subscription(&client, id).await["STATUS"], "active");
}

#[tokio::test]
async fn another_tenants_subscription_cannot_be_reached_with_a_valid_signature() {
    let app = spawn_app().await;
    let (client, id, _) = shop(&app).await;
    let intruder = app.test_tenant("Intruder", "2025-01-15").await;
    // A link the intruder can legitimately sign (its own secret) but naming our subscription.
    let secret_row =
        recur::service::tenant::find(&app.state.db.read, intruder.id).await.expect("query").expect("tenant");
    let secret = hex::decode(secret_row.link_secret).expect("hex");
    let link = recur::service::links::token::Link {
        tenant_id: intruder.id,
        subject: recur::service::links::token::Subject::Subscription(id),
        action: recur::service::links::token::LinkAction::Cancel,
        expires: 1_900_000_000,
        version: 2,
    };
    let forged = format!("{}/hosted/s/{}/cancel", app.url(), recur::service::links::token::sign(&link, &secret));
    assert_eq!(open(&client, &forged).await.response.status, 403);
}

#[tokio::test]
async fn links_expire_by_the_tenants_clock_and_die_when_the_subscription_changes() {
    let app = spawn_app().await;
    let (client, id, _) = shop(&app).await;
    let answer = links(&client, id).await;
    advance(&client, "2025-01-21 23:59:59").await;
    assert_eq!(open(&client, &url(&answer, "ADDONS_URL")).await.response.status, 200);
    advance(&client, "2025-01-22 00:00:01").await;
    let expired = open(&client, &url(&answer, "ADDONS_URL")).await;
    assert_eq!(expired.response.status, 410);
    assert!(expired.response.body.contains("expired"));
    let fresh = links(&client, id).await;
    client.ok("subscription.update", json!({"DATA": {"SUBSCRIPTION_ID": id, "X_ATTRIBUTES": {"a": "b"}}})).await;
    assert_eq!(open(&client, &url(&fresh, "CANCEL_URL")).await.response.status, 410, "the subscription changed");
}

#[tokio::test]
async fn every_text_from_the_database_is_escaped() {
    let app = spawn_app().await;
    let t = app.test_tenant("<b>Shop</b>", "2025-01-01").await;
    let client = app.client(&t.key);
    article(&client, "X", "5", "0", json!({"TITLE": "<script>alert(1)</script>"})).await;
    article(&client, "A", "1", "0", json!({"TITLE": "\"><img src=x onerror=alert(2)>", "IS_ADDON": true})).await;
    let c = customer(&client).await;
    let id = subscribe(&client, c, "X", json!({})).await["SUBSCRIPTION_ID"].as_i64().expect("id");
    let answer = links(&client, id).await;
    for key in ["CANCEL_URL", "ADDONS_URL"] {
        let page = open(&client, &url(&answer, key)).await;
        let html = &page.response.body;
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
                || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<script>alert(1)"));
        assert!(!html.contains("<img src=x"));
        assert!(html.contains("&lt;b&gt;Shop&lt;"));
    }
}

#[tokio::test]
async fn the_reactivate_page_withdraws_a_cancellation() {
    let app = spawn_app().await;
    let (client, id, _) = shop(&app).await;
    let running = open(&client, &url(&links(&client, id).await, "REACTIVATE_URL")).await;
    assert!(running.response.body.contains("nothing to reactivate") && running.csrf.is_none());
    client.ok("subscription.cancel", json!({"DATA": {"SUBSCRIPTION_ID": id}})).await;
    let reactivate = url(&links(&client, id).await, "REACTIVATE_URL");
    let page = open(&client, &reactivate).await;
    assert!(page.response.body.contains("The cancellation for 2025-03-01 is withdrawn"), "{}", page.response.body);
    let done = confirm(&client, &reactivate, &[]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    let sub = subscription(&client, id).await;
    assert_eq!((sub["STATUS"].clone(), sub["CANCELLATION_DATE"].clone()), (json!("active"), json!(null)));
}

#[tokio::test]
async fn the_addons_page_shows_prices_and_what_is_due_now_and_books_them() {
    let app = spawn_app().await;
    let (client, id, _) = shop(&app).await;
    let addons = url(&links(&client, id).await, "ADDONS_URL");
    let page = open(&client, &addons).await;
    let html = &page.response.body;
    // January: 31 days, 17 left on Jan 15: 3.00 * 17 / 31 = 1.645 -> 1.65.
    for text in [
        "Extra seat",
        "3.00 EUR per 1 month each",
        "due now: <strong class=\"due-now\">1.65 EUR</strong>",
        "(17 of 31 days)",
    ] {
        assert!(html.contains(text), "{text} missing in {html}");
    }
    let done = confirm(&client, &addons, &[("article", "SEAT"), ("quantity", "2")]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Your add-on is booked"));
    let sub = subscription(&client, id).await;
    assert_eq!(sub["ADDONS"][0]["QUANTITY"], "2");
    let all = invoices(&client, id).await;
    assert_eq!(all.last().expect("invoice")["SUB_TOTAL"], "3.29", "2 x 3.00 for 17 of 31 days");
}

#[tokio::test]
async fn the_dashboard_lists_subscriptions_with_their_actions_and_invoices() {
    let app = spawn_app().await;
    let (client, id, c) = shop(&app).await;
    let answer = client.ok("customer.createsecurelink", json!({"DATA": {"CUSTOMER_ID": c}})).await;
    let dashboard = answer["DASHBOARD_URL"].as_str().expect("url").to_owned();
    assert!(dashboard.starts_with(&format!("{}/hosted/c/", app.url())));
    let page = open(&client, &dashboard).await;
    assert_eq!(page.response.status, 200);
    // The template escapes '/' in attributes as &#x2f;, which browsers decode.
    let html = &page.response.body.replace("&#x2f;", "/");
    for text in ["Hello Kundin", "Pro plan", "RE-2025-00001", "11.90 EUR", "/cancel\"", "/addons\""] {
        assert!(html.contains(text), "{text} missing in {html}");
    }
    let cancel = html
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.ends_with("/cancel"))
        .expect("cancel link")
        .to_owned();
    assert_eq!(confirm(&client, &cancel, &[]).await.status, 200);
    assert_eq!(subscription(&client, id).await["STATUS"], "canceled");
    let err = client.err("customer.createsecurelink", json!({"DATA": {"CUSTOMER_ID": 999}})).await;
    assert_eq!(err.code, 1004);
    assert_eq!(open(&client, &dashboard.replace("/hosted/c/", "/hosted/c/x")).await.response.status, 403);
}
