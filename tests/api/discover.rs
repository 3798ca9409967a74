//! `rpc.discover` (API.md section 14): the OpenRPC document generated from the
//! method table validates against the OpenRPC meta-schema, names every
//! method, and its params schemas accept real calls and refuse bad ones.
//!
//! The meta-schemas are vendored from npm (`@open-rpc/meta-schema` 1.14.9 and
//! the `@json-schema-tools/meta-schema` 1.8.0 it references, both Apache-2.0),
//! so the test runs offline.

use jsonschema::{Draft, Validator};
use serde_json::{Value, json};

use crate::helpers::spawn_app;

const OPENRPC: &str = include_str!("openrpc/openrpc-meta-schema-1.14.9.json");
const JSON_SCHEMA_TOOLS: &str = include_str!("openrpc/json-schema-tools-meta-schema-1.8.0.json");

fn meta_validator() -> Validator {
    let mut root: Value = serde_json::from_str(OPENRPC).expect("vendored JSON");
    // Its `$schema` names a meta-schema no validator knows; the content is draft 7.
    root.as_object_mut().map(|o| o.remove("$schema"));
    let mut tools: Value = serde_json::from_str(JSON_SCHEMA_TOOLS).expect("vendored JSON");
    tools.as_object_mut().map(|o| o.remove("$schema"));
    let resource = Draft::Draft7.create_resource(tools);
    jsonschema::options()
        .with_draft(Draft::Draft7)
        .with_resource("https://meta.json-schema.tools", resource.clone())
        .with_resource("https://meta.json-schema.tools/", resource)
        .build(&root)
        .expect("the meta-schema compiles")
}

/// A validator for one schema of the document (its `$ref`s point into the document's components).
fn schema_validator(document: &Value, schema: &Value) -> Validator {
    let mut with_components = schema.clone();
    if let Some(object) = with_components.as_object_mut() {
        object.insert("components".into(), document["components"].clone());
    }
    jsonschema::options().with_draft(Draft::Draft7).build(&with_components).expect("the schema compiles")
}

fn param<'a>(method: &'a Value, name: &str) -> Option<&'a Value> {
    method["params"].as_array()?.iter().find(|p| p["name"] == name).map(|p| &p["schema"])
}

#[tokio::test]
async fn the_document_is_valid_openrpc_and_lists_every_method_of_the_table() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let document = client.ok("rpc.discover", json!({})).await;
    let errors: Vec<String> =
        meta_validator().iter_errors(&document).map(|e| format!("{e} at {}", e.instance_path)).collect();
    assert!(errors.is_empty(), "not valid OpenRPC: {errors:#?}");
    let mut broken = document.clone();
    broken["methods"][0]["paramStructure"] = json!("by-nme");
    assert!(!meta_validator().is_valid(&broken), "the meta-schema does check methods");
    let methods = document["methods"].as_array().expect("methods");
    let names: Vec<&str> = methods.iter().filter_map(|m| m["name"].as_str()).collect();
    assert_eq!(names, recur::rpc::method_names(), "every method of the table, in its order");
    for method in methods {
        let name = method["name"].as_str().unwrap_or_default();
        assert_eq!(method["paramStructure"], "by-name", "{name}");
        assert!(method["x-scope"] == "default" || method["x-scope"] == "admin", "{name}");
        assert!(method["x-writes"].is_boolean(), "{name}");
        assert!(method["errors"].as_array().is_some_and(|e| !e.is_empty()), "{name}");
        assert!(method["result"]["schema"].is_object(), "{name}");
    }
    let scope = |name: &str| methods.iter().find(|m| m["name"] == name).map(|m| m["x-scope"].clone());
    assert_eq!(scope("billing.run"), Some(json!("admin")));
    assert_eq!(scope("customer.get"), Some(json!("default")));
}

#[tokio::test]
async fn params_schemas_accept_real_calls_and_refuse_what_the_server_refuses() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let document = client.ok("rpc.discover", json!({})).await;
    let method = |name: &str| {
        document["methods"].as_array().and_then(|m| m.iter().find(|m| m["name"] == name)).cloned().expect(name)
    };
    let create = method("subscription.create");
    let data = schema_validator(&document, param(&create, "DATA").expect("DATA"));
    let good = json!({"CUSTOMER_ID": "42", "ARTICLE_NUMBER": "PRO", "QUANTITY": 2, "UNIT_PRICE": "9.99",
        "START_DATE": "2025-01-31", "ADDONS": [{"ARTICLE_NUMBER": "SEAT", "QUANTITY": "3"}], "X_ATTRIBUTES": {"a": "b"}});
    assert!(data.is_valid(&good), "{:?}", data.iter_errors(&good).map(|e| e.to_string()).collect::<Vec<_>>());
    assert!(!data.is_valid(&json!({"ARTICLE_NUMBER": "PRO"})), "CUSTOMER_ID is required");
    assert!(!data.is_valid(&json!({"CUSTOMER_ID": 1, "ARTICLE_NUMBER": "PRO", "QUANTTY": 1})), "unknown tags");
    let params = create["params"].as_array().expect("params");
    let data_param = params.iter().find(|p| p["name"] == "DATA").expect("DATA");
    assert_eq!(data_param["required"], true);
    let envelope: Vec<&str> = params.iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(envelope, ["DATA", "IDEMPOTENCY_KEY", "DRY_RUN"]);
    let get = method("customer.get");
    let names: Vec<&str> =
        get["params"].as_array().expect("params").iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names, ["FILTER", "LIMIT", "OFFSET"]);
    let filter = schema_validator(&document, param(&get, "FILTER").expect("FILTER"));
    assert!(filter.is_valid(&json!({"TERM": "muster", "COUNTRY_CODE": "de"})));
    assert!(!filter.is_valid(&json!({"TERMS": "muster"})));
}

#[tokio::test]
async fn reply_types_of_one_name_keep_their_own_schemas() {
    let app = spawn_app().await;
    let client = app.admin().await;
    let document = client.ok("rpc.discover", json!({})).await;
    let methods = document["methods"].as_array().expect("methods");
    let properties = |name: &str| -> Vec<String> {
        let method = methods.iter().find(|m| m["name"] == name).unwrap_or_else(|| panic!("{name}"));
        let schema = &method["result"]["schema"];
        let resolved = match schema["$ref"].as_str() {
            Some(target) => {
                let component = target.rsplit('/').next().expect("name");
                document["components"]["schemas"][component].clone()
            }
            None => schema.clone(),
        };
        resolved["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default()
    };
    // CreateReply in coupon, customer, key, consumption and webhook; SetReply in two modules.
    for (method, tag) in [
        ("coupon.create", "CODE"),
        ("customer.create", "CUSTOMER_ID"),
        ("key.create", "API_KEY"),
        ("consumption.create", "CONSUMPTION_ID"),
        ("webhook.create", "WEBHOOK_ID"),
        ("paymentmethod.create", "PAYMENTMETHOD_ID"),
        ("subscription.setdiscount", "DISCOUNT_ID"),
        ("blacklist.set", "CREATED"),
    ] {
        assert!(properties(method).iter().any(|p| p == tag), "{method}: {:?}", properties(method));
    }
}
