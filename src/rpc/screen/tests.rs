//! What the screen forwards, answers and restores.

use super::*;

fn answer(body: &str) -> Value {
    match screen(body.as_bytes(), 64) {
        Screened::Answer(text) => serde_json::from_str(&text).expect("json"),
        Screened::Forward { .. } => panic!("{body} was forwarded"),
    }
}

#[test]
fn json_that_is_not_a_request_answers_invalid_request_with_data() {
    for body in [r#""customer.get""#, "42", "null", "true", "{}", r#"{"jsonrpc":"2.0","method":1,"params":"bar"}"#] {
        let a = answer(body);
        assert_eq!((a["error"]["code"].clone(), a["id"].clone()), (json!(-32600), Value::Null), "{body}");
        assert!(a["error"]["data"]["ERRORS"].is_array(), "{body}");
    }
    assert_eq!(answer("{x")["error"]["code"], -32700);
    assert_eq!(answer("[]")["error"]["code"], -32600);
}

#[test]
fn object_array_and_boolean_ids_and_duplicate_ids_are_invalid() {
    for body in [
        r#"{"jsonrpc":"2.0","id":{},"method":"system.ping"}"#,
        r#"{"jsonrpc":"2.0","id":[1],"method":"system.ping"}"#,
        r#"{"jsonrpc":"2.0","id":true,"method":"system.ping"}"#,
        r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"system.ping"}"#,
    ] {
        let a = answer(body);
        assert_eq!((a["error"]["code"].clone(), a["id"].clone()), (json!(-32600), Value::Null), "{body}");
    }
}

#[test]
fn odd_numeric_ids_travel_as_tokens_and_come_back_exactly() {
    for id in ["-1", "1.5", "1e2", "-0", "18446744073709551616"] {
        let body = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"system.ping"}}"#);
        let Screened::Forward { body: forwarded, restore: Some(restore) } = screen(body.as_bytes(), 64) else {
            panic!("{id} was not rewritten");
        };
        let sent: Value = serde_json::from_slice(&forwarded).expect("json");
        let token = sent["id"].as_str().expect("a token");
        let jsonrpsee = json!({"jsonrpc": "2.0", "id": token, "result": {}}).to_string();
        assert_eq!(restore.apply(&jsonrpsee), format!(r#"{{"id":{id},"jsonrpc":"2.0","result":{{}}}}"#));
    }
}

#[test]
fn plain_requests_are_forwarded_untouched() {
    let body = r#"[{"jsonrpc":"2.0","id":1,"method":"a"},{"jsonrpc":"2.0","method":"b"}]"#;
    match screen(body.as_bytes(), 64) {
        Screened::Forward { body: forwarded, restore: None } => assert_eq!(forwarded, body.as_bytes()),
        _ => panic!("rewritten"),
    }
}
