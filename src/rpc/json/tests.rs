//! The reader's edge cases.

use super::*;

fn p(text: &str) -> Json {
    parse(text, 64).expect("valid JSON")
}

#[test]
fn numbers_keep_their_exact_text() {
    assert_eq!(p("12345678901234.5678"), Json::Number("12345678901234.5678".into()));
    assert_eq!(p("0.1"), Json::Number("0.1".into()));
    assert_eq!(p("-1E+3"), Json::Number("-1E+3".into()));
}

#[test]
fn malformed_numbers_are_refused() {
    for bad in ["01", "1.", ".5", "-", "1e", "+1", "1,5"] {
        assert!(parse(bad, 64).is_err(), "{bad} should be refused");
    }
}

#[test]
fn strings_unescape_including_surrogate_pairs() {
    assert_eq!(p(r#""a\"b\\c\u00e9\ud83d\ude00""#), Json::String("a\"b\\cé😀".into()));
    assert!(parse(r#""\ud83d""#, 64).is_err());
}

#[test]
fn objects_keep_order_and_nesting_is_limited() {
    assert_eq!(
        p(r#"{"b":1,"a":[true,null]}"#),
        Json::Object(vec![
            ("b".into(), Json::Number("1".into())),
            ("a".into(), Json::Array(vec![Json::Bool(true), Json::Null])),
        ])
    );
    let deep = "[".repeat(65) + &"]".repeat(65);
    assert_eq!(parse(&deep, 64), Err(JsonError::TooDeep(64)));
    let ok = "[".repeat(64) + &"]".repeat(64);
    assert!(parse(&ok, 64).is_ok());
}

#[test]
fn canonical_text_sorts_members() {
    let mut out = String::new();
    p(r#"{"b":"x\n","a":{"d":1,"c":2.50}}"#).write_canonical(&mut out);
    assert_eq!(out, r#"{"a":{"c":2.50,"d":1},"b":"x\n"}"#);
}

#[test]
fn trailing_garbage_is_refused() {
    assert!(parse("{} x", 64).is_err());
    assert!(parse("[1,]", 64).is_err());
    assert!(parse(r#"{"a":1,}"#, 64).is_err());
}
