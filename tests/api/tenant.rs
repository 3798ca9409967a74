//! `tenant.get` and `tenant.update` (admin): the seller profile documents show, TIMEZONE, DUNNING;
//! and `recur tenant create --timezone --seller-name`.

use serde_json::{Value, json};

use crate::helpers::spawn_app;

/// A complete German seller.
pub fn seller() -> Value {
    json!({
        "NAME": "Muster Software GmbH", "ADDRESS": "Hauptstraße 1", "ZIPCODE": "10115", "CITY": "Berlin",
        "COUNTRY_CODE": "de", "VAT_ID": "DE123456789", "EMAIL": "billing@muster.example",
        "IBAN": "DE02 1203 0000 0000 2020 51", "BIC": "BYLADEM1001", "BANK_NAME": "Deutsche Kreditbank"
    })
}

#[tokio::test]
async fn a_new_tenant_has_berlin_time_default_dunning_and_an_empty_seller() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = &admin.ok("tenant.get", json!({})).await["TENANT"];
    assert_eq!((t["NAME"].clone(), t["TEST"].clone()), (json!("shop"), json!(false)));
    assert_eq!(t["TIMEZONE"], "Europe/Berlin");
    assert_eq!(t["DUNNING"], json!({"DAYS": [7, 14, 21], "FINAL_ACTION": "none"}));
    assert_eq!(t["SELLER"]["NAME"], Value::Null);
    assert_eq!(t["SELLER"].as_object().map(|o| o.len()), Some(13), "every SELLER tag is shown");
    assert!(t["TENANT_ID"].is_i64());
}

#[tokio::test]
async fn update_merges_the_seller_and_keeps_what_is_not_sent() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let data = json!({"SELLER": seller(), "TIMEZONE": "America/New_York", "CURRENCY_CODE": "eur",
        "INVOICE_FOOTER": "Amtsgericht Charlottenburg HRB 12345", "LOGO_URL": "https://muster.example/logo.png",
        "DUNNING": {"DAYS": [5, 10], "FINAL_ACTION": "pause"}});
    let answer = admin.ok("tenant.update", json!({"DATA": data})).await;
    assert_eq!(answer["STATUS"], "success");
    let t = &admin.ok("tenant.get", json!({})).await["TENANT"];
    assert_eq!(t, &answer["TENANT"]);
    assert_eq!(t["SELLER"]["IBAN"], "DE02120300000000202051", "stored compact");
    assert_eq!(t["SELLER"]["COUNTRY_CODE"], "DE");
    assert_eq!((t["TIMEZONE"].clone(), t["CURRENCY_CODE"].clone()), (json!("America/New_York"), json!("EUR")));
    assert_eq!(t["DUNNING"], json!({"DAYS": [5, 10], "FINAL_ACTION": "pause"}));

    // A tag not sent keeps its value; null or "" clears one.
    let patch = json!({"SELLER": {"CITY": "Potsdam", "BIC": null, "PHONE": ""}, "dunning": {"final_action": "cancel"}});
    admin.ok("tenant.update", json!({"DATA": patch})).await;
    let t = &admin.ok("tenant.get", json!({})).await["TENANT"];
    assert_eq!(
        (t["SELLER"]["CITY"].clone(), t["SELLER"]["NAME"].clone()),
        (json!("Potsdam"), seller()["NAME"].clone())
    );
    assert_eq!((t["SELLER"]["BIC"].clone(), t["SELLER"]["PHONE"].clone()), (Value::Null, Value::Null));
    assert_eq!(t["DUNNING"], json!({"DAYS": [5, 10], "FINAL_ACTION": "cancel"}));
    assert_eq!(t["INVOICE_FOOTER"], "Amtsgericht Charlottenburg HRB 12345");
}

#[tokio::test]
async fn bad_values_name_their_tag_and_change_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    admin.ok("tenant.update", json!({"DATA": {"SELLER": seller()}})).await;
    let before = admin.ok("tenant.get", json!({})).await;
    for (data, tag) in [
        (json!({"TIMEZONE": "Mars/Olympus"}), "TIMEZONE"),
        (json!({"TIMEZONE": "CEST"}), "TIMEZONE"),
        (json!({"SELLER": {"IBAN": "DE02120300000000202052"}}), "SELLER.IBAN"),
        (json!({"SELLER": {"BIC": "XYZ"}}), "SELLER.BIC"),
        (json!({"SELLER": {"COUNTRY_CODE": "Germany"}}), "SELLER.COUNTRY_CODE"),
        (json!({"SELLER": {"FAX": "1"}}), "SELLER.FAX"),
        (json!({"DUNNING": {"DAYS": [14, 7]}}), "DUNNING.DAYS"),
        (json!({"DUNNING": {"DAYS": [0]}}), "DUNNING.DAYS"),
        (json!({"DUNNING": {"FINAL_ACTION": "delete"}}), "DUNNING.FINAL_ACTION"),
        (json!({"LOGO_URL": "javascript:alert(1)"}), "LOGO_URL"),
        (json!({"CURRENCY_CODE": "EURO"}), "CURRENCY_CODE"),
        (json!({"TENANT_ID": 2}), "TENANT_ID"),
        (json!({"TEST": true}), "TEST"),
        (json!({"NAME": "x".repeat(201)}), "NAME"),
    ] {
        let err = admin.err("tenant.update", json!({"DATA": data})).await;
        assert_eq!((err.code, err.tag()), (-32602, Some(tag)), "{data}: {}", err.message);
    }
    assert_eq!(admin.ok("tenant.get", json!({})).await, before);
}

#[tokio::test]
async fn only_admin_keys_see_and_change_the_tenant_and_each_sees_its_own() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let other = app.client(&app.tenant("other").await.key);
    admin.ok("tenant.update", json!({"DATA": {"SELLER": {"NAME": "Mine"}}})).await;
    assert_eq!(other.ok("tenant.get", json!({})).await["TENANT"]["SELLER"]["NAME"], Value::Null);
    let key = admin.ok("key.create", json!({"DATA": {"SCOPE": "default"}})).await;
    let plugin = app.client(key["API_KEY"].as_str().expect("key"));
    for method in ["tenant.get", "tenant.update"] {
        assert_eq!(plugin.err(method, json!({})).await.code, 1003, "{method}");
    }
    let dry = admin.ok("tenant.update", json!({"DATA": {"NAME": "Renamed"}, "DRY_RUN": true})).await;
    assert_eq!(dry["TENANT"]["NAME"], "Renamed");
    assert_eq!(admin.ok("tenant.get", json!({})).await["TENANT"]["NAME"], "shop", "a dry run changes nothing");
}

#[tokio::test]
async fn the_cli_creates_a_tenant_with_time_zone_and_seller_name() {
    let app = spawn_app().await;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_recur"))
            .args(args)
            .env("RECUR_CONFIG_DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/config"))
            .env("RECUR__DATABASE__URL", &app.database_url)
            .env("RECUR__AUTH__ARGON2_MEMORY_KIB", "1024")
            .env("RECUR__AUTH__ARGON2_ITERATIONS", "1")
            .env("RECUR__LOG__LEVEL", "warn")
            .output()
            .expect("run recur")
    };
    let args = ["tenant", "create", "Shop", "--timezone", "Europe/Vienna", "--seller-name", "Muster GmbH"];
    let output = run(&args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let line: Value = serde_json::from_slice(&output.stdout).expect("one JSON line");
    let client = app.client(line["API_KEY"].as_str().expect("API_KEY"));
    let t = &client.ok("tenant.get", json!({})).await["TENANT"];
    assert_eq!((t["TIMEZONE"].clone(), t["SELLER"]["NAME"].clone()), (json!("Europe/Vienna"), json!("Muster GmbH")));

    let refused = run(&["tenant", "create", "Bad", "--timezone", "Berlin"]);
    assert!(!refused.status.success(), "an unknown time zone is refused");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("TIMEZONE"));
}
