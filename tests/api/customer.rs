//! `customer.*`.

use serde_json::{Value, json};

use crate::helpers::{count_rows, spawn_app};

fn list(v: &Value) -> &Vec<Value> {
    v["CUSTOMERS"].as_array().expect("CUSTOMERS list")
}

#[tokio::test]
async fn create_assigns_customer_numbers_per_tenant() {
    let app = spawn_app().await;
    let a = app.admin().await;
    let b = app.admin().await;
    let a1 = a.ok("customer.create", json!({"DATA": {"LAST_NAME": "A1"}})).await;
    let a2 = a.ok("customer.create", json!({"DATA": {"LAST_NAME": "A2"}})).await;
    let b1 = b.ok("customer.create", json!({"DATA": {"LAST_NAME": "B1"}})).await;
    assert_eq!(
        (a1["CUSTOMER_NUMBER"].clone(), a2["CUSTOMER_NUMBER"].clone(), b1["CUSTOMER_NUMBER"].clone()),
        (json!(1), json!(2), json!(1))
    );
    assert_eq!(a1["STATUS"], "success");
    assert!(a1["HASH"].as_str().is_some_and(|h| h.len() == 32));
}

#[tokio::test]
async fn get_returns_every_field_and_filters_combine() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let full = json!({
        "CUSTOMER_TYPE": "business", "ORGANIZATION": "Acme GmbH", "SALUTATION": "Frau", "FIRST_NAME": "Erika",
        "LAST_NAME": "Muster", "ADDRESS": "Hauptstr. 1", "ADDRESS_2": "Hof", "ZIPCODE": 20095, "CITY": "Hamburg",
        "COUNTRY_CODE": "DE", "LANGUAGE_CODE": "de", "EMAIL": "Erika@Acme.example", "PHONE": "+49 40 1",
        "VAT_ID": "DE123", "CURRENCY_CODE": "EUR", "CUSTOMER_EXT_UID": "ext-1", "X_ATTRIBUTES": {"crm": "42"}
    });
    let created = client.ok("customer.create", json!({"DATA": full})).await;
    client.ok("customer.create", json!({"DATA": {"LAST_NAME": "Other", "COUNTRY_CODE": "AT"}})).await;
    let id = created["CUSTOMER_ID"].clone();
    let got = client.ok("customer.get", json!({"FILTER": {"CUSTOMER_ID": id}})).await;
    let c = &list(&got)[0];
    for (tag, value) in [
        ("CUSTOMER_TYPE", json!("business")),
        ("ORGANIZATION", json!("Acme GmbH")),
        ("ZIPCODE", json!("20095")),
        ("ADDRESS_2", json!("Hof")),
        ("COUNTRY_CODE", json!("DE")),
        ("EMAIL", json!("Erika@Acme.example")),
        ("CUSTOMER_EXT_UID", json!("ext-1")),
        ("X_ATTRIBUTES", json!({"crm": "42"})),
        ("CUSTOMER_NUMBER", json!(1)),
    ] {
        assert_eq!(c[tag], value, "{tag}");
    }
    assert_eq!(c["HASH"], created["HASH"]);
    for filter in [
        json!({"CUSTOMER_EXT_UID": "ext-1"}),
        json!({"CUSTOMER_NUMBER": 1}),
        json!({"EMAIL": "erika@acme.example"}),
        json!({"COUNTRY_CODE": "de"}),
        json!({"TERM": "ACME"}),
        json!({"TERM": "muster", "COUNTRY_CODE": "DE"}),
    ] {
        let found = client.ok("customer.get", json!({"FILTER": filter})).await;
        assert_eq!(list(&found).len(), 1, "{filter}");
    }
    let none = client.ok("customer.get", json!({"FILTER": {"TERM": "acme", "COUNTRY_CODE": "AT"}})).await;
    assert!(list(&none).is_empty());
    let like = client.ok("customer.get", json!({"FILTER": {"TERM": "%"}})).await;
    assert!(list(&like).is_empty(), "% is matched literally");
}

#[tokio::test]
async fn pages_follow_limit_and_offset_in_id_order() {
    let app = spawn_app().await;
    let client = app.admin().await;
    for i in 0..25 {
        client.ok("customer.create", json!({"DATA": {"LAST_NAME": format!("N{i:02}")}})).await;
    }
    let first = client.ok("customer.get", json!({})).await;
    assert_eq!(list(&first).len(), 10, "default LIMIT is 10");
    let page = client.ok("customer.get", json!({"LIMIT": 10, "OFFSET": 20})).await;
    let names: Vec<&str> = list(&page).iter().filter_map(|c| c["LAST_NAME"].as_str()).collect();
    assert_eq!(names, vec!["N20", "N21", "N22", "N23", "N24"]);
}

#[tokio::test]
async fn customer_id_takes_a_list_of_ids_and_other_tenants_ids_find_nothing() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let created = client.ok("customer.create", json!({"DATA": {"LAST_NAME": format!("L{i}")}})).await;
        ids.push(created["CUSTOMER_ID"].as_i64().expect("CUSTOMER_ID"));
    }
    let other = app.client(&app.test_tenant("other", "2026-01-01").await.key);
    let foreign = other.ok("customer.create", json!({"DATA": {"LAST_NAME": "Fremd"}})).await["CUSTOMER_ID"].clone();
    let wanted = json!([ids[3], ids[1], foreign, 999_999]);
    let found = client.ok("customer.get", json!({"FILTER": {"CUSTOMER_ID": wanted}, "LIMIT": 10})).await;
    let got: Vec<i64> = list(&found).iter().filter_map(|c| c["CUSTOMER_ID"].as_i64()).collect();
    assert_eq!(got, [ids[1], ids[3]], "in id order, the other tenant's and the unknown id not found");
    let one = client.ok("customer.get", json!({"FILTER": {"CUSTOMER_ID": [ids[2]]}})).await;
    assert_eq!(list(&one).len(), 1);
    let bad = client.err("customer.get", json!({"FILTER": {"CUSTOMER_ID": ["x"]}})).await;
    assert_eq!(bad.code, -32602);
    assert!(bad.message.starts_with("CUSTOMER_ID") && bad.tag().is_some_and(|t| t.contains("CUSTOMER_ID")), "{bad:?}");
}

#[tokio::test]
async fn update_changes_given_fields_only_and_the_hash() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let created =
        client.ok("customer.create", json!({"DATA": {"LAST_NAME": "Old", "CITY": "Bremen", "PHONE": "1"}})).await;
    let id = created["CUSTOMER_ID"].clone();
    let updated =
        client.ok("customer.update", json!({"DATA": {"CUSTOMER_ID": id, "LAST_NAME": "New", "PHONE": ""}})).await;
    assert_eq!(updated["STATUS"], "success");
    assert_ne!(updated["HASH"], created["HASH"]);
    let got = client.ok("customer.get", json!({"FILTER": {"CUSTOMER_ID": id}})).await;
    let c = &list(&got)[0];
    assert_eq!(
        (c["LAST_NAME"].clone(), c["CITY"].clone(), c["PHONE"].clone()),
        (json!("New"), json!("Bremen"), Value::Null)
    );
}

#[tokio::test]
async fn a_duplicate_external_id_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let client = app.admin().await;
    client.ok("customer.create", json!({"DATA": {"LAST_NAME": "A", "CUSTOMER_EXT_UID": "u1"}})).await;
    let events = count_rows(&app, "event").await;
    let err = client.err("customer.create", json!({"DATA": {"LAST_NAME": "B", "CUSTOMER_EXT_UID": "u1"}})).await;
    assert_eq!((err.code, err.tag()), (1009, Some("CUSTOMER_EXT_UID")));
    assert_eq!(count_rows(&app, "customer").await, 1);
    assert_eq!(count_rows(&app, "event").await, events);
    // The refused create consumed no customer number.
    let next = client.ok("customer.create", json!({"DATA": {"LAST_NAME": "C"}})).await;
    assert_eq!(next["CUSTOMER_NUMBER"], 2);
    // Another tenant may use the same external id.
    app.admin().await.ok("customer.create", json!({"DATA": {"LAST_NAME": "A", "CUSTOMER_EXT_UID": "u1"}})).await;
}

#[tokio::test]
async fn required_fields_depend_on_the_customer_type() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let err = client.err("customer.create", json!({"DATA": {"CUSTOMER_TYPE": "business", "LAST_NAME": "X"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("ORGANIZATION")));
    let err = client.err("customer.create", json!({"DATA": {"EMAIL": "a@b.c"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("LAST_NAME")));
    let err = client.err("customer.create", json!({"DATA": {"LAST_NAME": "X", "CUSTOMER_TYPE": "alien"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("CUSTOMER_TYPE")));
    let err = client.err("customer.create", json!({"DATA": {"LAST_NAME": "X", "EMAIL": "nope"}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("EMAIL")));
    let org = client.ok("customer.create", json!({"DATA": {"ORGANIZATION": "Org only"}})).await;
    let got = client.ok("customer.get", json!({"FILTER": {"CUSTOMER_ID": org["CUSTOMER_ID"]}})).await;
    assert_eq!(list(&got)[0]["CUSTOMER_TYPE"], "business");
}

#[tokio::test]
async fn x_attributes_take_objects_and_fastbill_lists_within_limits() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let from_list =
        json!({"DATA": {"LAST_NAME": "L", "X_ATTRIBUTES": [{"KEY": "a", "VALUE": "1"}, {"KEY": "b", "VALUE": 2}]}});
    let created = client.ok("customer.create", from_list).await;
    let got = client.ok("customer.get", json!({"FILTER": {"CUSTOMER_ID": created["CUSTOMER_ID"]}})).await;
    assert_eq!(list(&got)[0]["X_ATTRIBUTES"], json!({"a": "1", "b": "2"}));
    let too_many: serde_json::Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
    let err = client.err("customer.create", json!({"DATA": {"LAST_NAME": "L", "X_ATTRIBUTES": too_many}})).await;
    assert_eq!((err.code, err.tag()), (-32602, Some("X_ATTRIBUTES")));
    let long = json!({"DATA": {"LAST_NAME": "L", "X_ATTRIBUTES": {"k": "v".repeat(1025)}}});
    assert_eq!(client.err("customer.create", long).await.code, -32602);
}

#[tokio::test]
async fn a_deleted_customer_is_gone_everywhere() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let created = client.ok("customer.create", json!({"DATA": {"LAST_NAME": "Gone", "CUSTOMER_EXT_UID": "g1"}})).await;
    let id = created["CUSTOMER_ID"].clone();
    assert_eq!(client.ok("customer.delete", json!({"DATA": {"CUSTOMER_ID": id}})).await["STATUS"], "success");
    assert!(list(&client.ok("customer.get", json!({"FILTER": {"CUSTOMER_ID": id}})).await).is_empty());
    let err = client.err("customer.update", json!({"DATA": {"CUSTOMER_ID": id, "CITY": "X"}})).await;
    assert_eq!((err.code, err.tag()), (1004, Some("CUSTOMER_ID")));
    assert_eq!(client.err("customer.delete", json!({"DATA": {"CUSTOMER_ID": id}})).await.code, 1004);
    // Its external id is free again.
    client.ok("customer.create", json!({"DATA": {"LAST_NAME": "New", "CUSTOMER_EXT_UID": "g1"}})).await;
}

#[tokio::test]
async fn every_change_appends_a_timeline_event() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let created = client.ok("customer.create", json!({"DATA": {"LAST_NAME": "E"}})).await;
    let id = created["CUSTOMER_ID"].clone();
    client.ok("customer.update", json!({"DATA": {"CUSTOMER_ID": id, "CITY": "Kiel"}})).await;
    client.ok("customer.delete", json!({"DATA": {"CUSTOMER_ID": id}})).await;
    assert_eq!(count_rows(&app, "event").await, 3);
}

#[tokio::test]
async fn like_wildcards_and_the_escape_character_in_term_are_literal() {
    let app = spawn_app().await;
    let client = app.admin().await;
    for name in ["100% Bio", "100 Bio", "a_b GmbH", "axb GmbH", "back\\slash", "backXslash"] {
        client.ok("customer.create", json!({"DATA": {"LAST_NAME": name}})).await;
    }
    let names = |v: Value| -> Vec<String> {
        list(&v).iter().map(|c| c["LAST_NAME"].as_str().unwrap_or("").to_owned()).collect()
    };
    for (term, expected) in [
        ("%", vec!["100% Bio"]),
        ("0%", vec!["100% Bio"]),
        ("% b", vec!["100% Bio"]),
        ("_", vec!["a_b GmbH"]),
        ("a_b", vec!["a_b GmbH"]),
        ("\\", vec!["back\\slash"]),
        ("k\\s", vec!["back\\slash"]),
        ("%%", vec![]),
        ("__", vec![]),
        ("bio", vec!["100% Bio", "100 Bio"]),
    ] {
        let found = client.ok("customer.get", json!({"FILTER": {"TERM": term}, "LIMIT": 100})).await;
        assert_eq!(names(found), expected, "TERM {term:?}");
    }
}

/// Grouped writes bind text as arrays on PostgreSQL (`db::unnest`): quotes,
/// backslashes, braces, commas, the word NULL, line breaks and non-ASCII
/// letters come back as sent, in the row and in the JSON of X_ATTRIBUTES.
#[tokio::test]
async fn text_that_array_syntax_treats_specially_is_stored_as_sent() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let names = ["NULL", "Mü\"ller\\", "{a,b}", "line\nbreak, \"quoted\"", "in  side\tx"];
    let requests: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let data = json!({"LAST_NAME": format!("L{i}"), "ORGANIZATION": name, "CITY": format!("{name}{name}"),
                "X_ATTRIBUTES": {"k": name, "n": "NULL"}});
            crate::helpers::request(i64::try_from(i).expect("small"), "customer.create", json!({"DATA": data}))
        })
        .collect();
    let answers = client.batch(&requests).await;
    for (i, name) in names.iter().enumerate() {
        let created = &crate::helpers::by_id(&answers, i64::try_from(i).expect("small"))["result"];
        let id = created["CUSTOMER_ID"].clone();
        let got = client.ok("customer.get", json!({"FILTER": {"CUSTOMER_ID": id}})).await;
        let customer = &list(&got)[0];
        assert_eq!(customer["ORGANIZATION"], json!(name), "ORGANIZATION of {i}");
        assert_eq!(customer["CITY"], json!(format!("{name}{name}")), "CITY of {i}");
        assert_eq!(customer["X_ATTRIBUTES"], json!({"k": name, "n": "NULL"}), "X_ATTRIBUTES of {i}");
    }
}
