//! `article.*`.

use serde_json::{Value, json};

use crate::helpers::{count_rows, spawn_app};

fn list(v: &Value) -> &Vec<Value> {
    v["ARTICLES"].as_array().expect("ARTICLES list")
}

#[tokio::test]
async fn create_and_get_carry_every_tag() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let data = json!({
        "ARTICLE_NUMBER": "PRO", "TITLE": "Pro plan", "DESCRIPTION": "All features", "UNIT_PRICE": "29.9",
        "CURRENCY_CODE": "chf", "VAT_PERCENT": 8.1, "SETUP_FEE": "10", "IS_ADDON": 0, "ALLOW_MULTIPLE": false,
        "SUBSCRIPTION_INTERVAL": "Q", "SUBSCRIPTION_TRIAL": "14 days", "SUBSCRIPTION_DURATION": 4,
        "SUBSCRIPTION_CANCELLATION": "1 month", "FEATURES": [{"KEY": "seats", "VALUE": "5"}],
        "TRANSLATIONS": {"de": {"TITLE": "Pro-Tarif"}}, "TAGS": "b2b, featured"
    });
    let created = client.ok("article.create", json!({"DATA": data})).await;
    assert_eq!(created["STATUS"], "success");
    let got = client.ok("article.get", json!({"FILTER": {"ARTICLE_NUMBER": "PRO"}})).await;
    let a = &list(&got)[0];
    for (tag, value) in [
        ("TITLE", json!("Pro plan")),
        ("UNIT_PRICE", json!("29.90")),
        ("CURRENCY_CODE", json!("CHF")),
        ("VAT_PERCENT", json!("8.10")),
        ("SETUP_FEE", json!("10.00")),
        ("IS_ADDON", json!(false)),
        ("SUBSCRIPTION_INTERVAL", json!("3 months")),
        ("SUBSCRIPTION_TRIAL", json!("14 days")),
        ("SUBSCRIPTION_DURATION", json!(4)),
        ("SUBSCRIPTION_CANCELLATION", json!("1 month")),
        ("FEATURES", json!([{"KEY": "seats", "VALUE": "5"}])),
        ("TRANSLATIONS", json!({"de": {"TITLE": "Pro-Tarif"}})),
        ("TAGS", json!(["b2b", "featured"])),
    ] {
        assert_eq!(a[tag], value, "{tag}");
    }
}

#[tokio::test]
async fn defaults_apply_and_required_tags_are_named() {
    let app = spawn_app().await;
    let client = app.admin().await;
    client.ok("article.create", json!({"DATA": {"ARTICLE_NUMBER": "B", "TITLE": "Basic", "UNIT_PRICE": 5}})).await;
    let a = client.ok("article.get", json!({"FILTER": {"ARTICLE_NUMBER": "B"}})).await;
    let a = &list(&a)[0];
    assert_eq!(
        (a["CURRENCY_CODE"].clone(), a["SUBSCRIPTION_INTERVAL"].clone(), a["VAT_PERCENT"].clone()),
        (json!("EUR"), json!("1 month"), json!("0.00"))
    );
    assert_eq!(a["SUBSCRIPTION_DURATION"], Value::Null);
    for (data, tag) in [
        (json!({"TITLE": "T", "UNIT_PRICE": 1}), "ARTICLE_NUMBER"),
        (json!({"ARTICLE_NUMBER": "X", "UNIT_PRICE": 1}), "TITLE"),
        (json!({"ARTICLE_NUMBER": "X", "TITLE": "T"}), "UNIT_PRICE"),
        (json!({"ARTICLE_NUMBER": "X", "TITLE": "T", "UNIT_PRICE": -1}), "UNIT_PRICE"),
        (json!({"ARTICLE_NUMBER": "X", "TITLE": "T", "UNIT_PRICE": "1.23456"}), "UNIT_PRICE"),
        (json!({"ARTICLE_NUMBER": "X", "TITLE": "T", "UNIT_PRICE": 1, "VAT_PERCENT": 101}), "VAT_PERCENT"),
        (json!({"ARTICLE_NUMBER": "X", "TITLE": "T", "UNIT_PRICE": 1, "CURRENCY_CODE": "EURO"}), "CURRENCY_CODE"),
    ] {
        let err = client.err("article.create", json!({"DATA": data})).await;
        assert_eq!((err.code, err.tag()), (-32602, Some(tag)), "{data}");
    }
    assert_eq!(count_rows(&app, "article").await, 1);
}

#[tokio::test]
async fn a_duplicate_article_number_is_a_conflict() {
    let app = spawn_app().await;
    let client = app.admin().await;
    client.ok("article.create", json!({"DATA": {"ARTICLE_NUMBER": "D", "TITLE": "T", "UNIT_PRICE": 1}})).await;
    let err =
        client.err("article.create", json!({"DATA": {"ARTICLE_NUMBER": "D", "TITLE": "T2", "UNIT_PRICE": 2}})).await;
    assert_eq!((err.code, err.tag()), (1009, Some("ARTICLE_NUMBER")));
    assert_eq!(count_rows(&app, "article").await, 1);
}

#[tokio::test]
async fn filters_select_add_ons_and_tags() {
    let app = spawn_app().await;
    let client = app.admin().await;
    client
        .ok(
            "article.create",
            json!({"DATA": {"ARTICLE_NUMBER": "P", "TITLE": "Plan", "UNIT_PRICE": 9, "TAGS": ["web"]}}),
        )
        .await;
    client.ok("article.create", json!({"DATA": {"ARTICLE_NUMBER": "A1", "TITLE": "Seat", "UNIT_PRICE": 2, "IS_ADDON": true, "TAGS": ["web", "seats"]}})).await;
    client.ok("article.create", json!({"DATA": {"ARTICLE_NUMBER": "A2", "TITLE": "Disk", "UNIT_PRICE": 1, "IS_ADDON": true, "TAGS": "webshop"}})).await;
    let addons = client.ok("article.get", json!({"FILTER": {"IS_ADDON": true}})).await;
    assert_eq!(list(&addons).len(), 2);
    let web = client.ok("article.get", json!({"FILTER": {"TAGS": "web"}})).await;
    let numbers: Vec<&str> = list(&web).iter().filter_map(|a| a["ARTICLE_NUMBER"].as_str()).collect();
    assert_eq!(numbers, vec!["P", "A1"], "a tag matches whole tags only");
    let both = client.ok("article.get", json!({"FILTER": {"TAGS": ["web", "seats"], "IS_ADDON": 1}})).await;
    assert_eq!(list(&both).len(), 1);
}

#[tokio::test]
async fn update_changes_given_tags_and_clears_with_null() {
    let app = spawn_app().await;
    let client = app.admin().await;
    client.ok("article.create", json!({"DATA": {"ARTICLE_NUMBER": "U", "TITLE": "Old", "UNIT_PRICE": 1, "DESCRIPTION": "d", "SUBSCRIPTION_TRIAL": "7 days"}})).await;
    client
        .ok(
            "article.update",
            json!({"DATA": {"ARTICLE_NUMBER": "U", "UNIT_PRICE": "2.50", "SUBSCRIPTION_TRIAL": null}}),
        )
        .await;
    let a = client.ok("article.get", json!({"FILTER": {"ARTICLE_NUMBER": "U"}})).await;
    let a = &list(&a)[0];
    assert_eq!(
        (a["TITLE"].clone(), a["UNIT_PRICE"].clone(), a["DESCRIPTION"].clone(), a["SUBSCRIPTION_TRIAL"].clone()),
        (json!("Old"), json!("2.50"), json!("d"), Value::Null)
    );
    let err = client.err("article.update", json!({"DATA": {"ARTICLE_NUMBER": "NOPE", "TITLE": "x"}})).await;
    assert_eq!((err.code, err.tag()), (1004, Some("ARTICLE_NUMBER")));
}

#[tokio::test]
async fn a_deleted_article_is_gone_and_its_number_free() {
    let app = spawn_app().await;
    let client = app.admin().await;
    client.ok("article.create", json!({"DATA": {"ARTICLE_NUMBER": "X", "TITLE": "T", "UNIT_PRICE": 1}})).await;
    client.ok("article.delete", json!({"DATA": {"ARTICLE_NUMBER": "X"}})).await;
    assert!(list(&client.ok("article.get", json!({})).await).is_empty());
    assert_eq!(client.err("article.delete", json!({"DATA": {"ARTICLE_NUMBER": "X"}})).await.code, 1004);
    client.ok("article.create", json!({"DATA": {"ARTICLE_NUMBER": "X", "TITLE": "Again", "UNIT_PRICE": 1}})).await;
    let again = client.ok("article.get", json!({})).await;
    assert_eq!(list(&again)[0]["TITLE"], "Again");
}
