//! The request side of the FastBill endpoint's tolerance (API.md section 8):
//! FILTER and DATA as FastBill clients send them, rewritten into what `/rpc`
//! accepts, so `/rpc`'s own decoders stay strict. Tags the method does not
//! know pass through untouched and are refused by the method as on `/rpc`
//! (a misspelt FILTER never widens a read).

use chrono_tz::Tz;

use super::local_time;
use super::plan::{Kind, Tags};
use crate::rpc::json::Json;

/// Tags FastBill answered and its clients send back in DATA; ignored where
/// the method does not know them (CUSTOMER_ID on create, HASH, ...).
pub const READ_ONLY: &[&str] = &[
    "CUSTOMER_ID",
    "CREATED",
    "LASTUPDATE",
    "HASH",
    "CREDIT_BALANCE",
    "CUSTOMER_NUMBER",
    "DASHBOARD_URL",
    "CHANGEDATA_URL",
    "ACCOUNTDATA_URL",
    "PAYPAL_URL",
];

/// FastBill's wrapper keys of lists: `{"ITEM": [...]}`, `{"ADDON": [...]}`.
const WRAPPERS: &[&str] = &["ITEM", "ADDON", "FEATURE"];

/// Rewrites a FILTER or DATA object. `[]` and `null` are the empty object.
pub fn object(value: Json, tags: &Tags, zone: Tz, top: bool) -> Json {
    let members = match value {
        Json::Object(members) => members,
        Json::Array(items) if items.is_empty() => Vec::new(),
        Json::Null => Vec::new(),
        other => return other,
    };
    let mut out = Vec::with_capacity(members.len());
    for (key, value) in members {
        let mut key = key.to_ascii_uppercase();
        if top && key == "START" && tags.get("START").is_none() && tags.get("START_DATE").is_some() {
            key = "START_DATE".to_owned();
        }
        let kind = tags.get(&key);
        if top && kind.is_none() && READ_ONLY.contains(&key.as_str()) {
            continue;
        }
        if is_unset(&value, kind) {
            continue;
        }
        let value = match kind {
            Some(kind) => tag(&key, value, kind, zone),
            None => value,
        };
        out.push((key, value));
    }
    Json::Object(out)
}

/// `null`, `""`, `"0000-00-00 00:00:00"`, and `false` or `[]` where the tag
/// is not a boolean or a list: "not given".
fn is_unset(value: &Json, kind: Option<&Kind>) -> bool {
    match value {
        Json::Null => true,
        Json::String(s) => {
            let s = s.trim();
            s.is_empty() || s == local_time::UNSET || s == "0000-00-00"
        }
        Json::Bool(false) => !matches!(kind, Some(Kind::Boolean) | None),
        Json::Array(items) => items.is_empty() && matches!(kind, Some(Kind::Plain | Kind::DateTime | Kind::Interval)),
        _ => false,
    }
}

fn tag(key: &str, value: Json, kind: &Kind, zone: Tz) -> Json {
    match (kind, value) {
        (Kind::DateTime, Json::String(s)) => match local_time::to_utc(&s, zone) {
            Some(utc) => Json::String(utc),
            None => Json::String(s),
        },
        (Kind::Interval, Json::Number(n)) if key.ends_with("_TRIAL") => Json::String(format!("{n} days")),
        (Kind::Interval, Json::String(s)) if key.ends_with("_TRIAL") && is_digits(&s) => {
            Json::String(format!("{} days", s.trim()))
        }
        (Kind::List(items), value) => match unwrap_list(value) {
            Json::Array(list) => Json::Array(list.into_iter().map(|item| object(item, items, zone, false)).collect()),
            // One object where a list is expected: the decoder reads it as a list of one.
            obj @ Json::Object(_) => object(obj, items, zone, false),
            other => other,
        },
        (Kind::Object(tags), value @ Json::Object(_)) => object(value, tags, zone, false),
        (Kind::Free, value) => unwrap_list(value),
        (_, value) => value,
    }
}

fn is_digits(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `{"ITEM": [...]}` (or `{"ITEM": {...}}`) is the list inside it.
fn unwrap_list(value: Json) -> Json {
    match value {
        Json::Object(mut members)
            if members.len() == 1 && WRAPPERS.iter().any(|w| members[0].0.eq_ignore_ascii_case(w)) =>
        {
            match members.pop() {
                Some((_, Json::Array(items))) => Json::Array(items),
                Some((_, item)) => Json::Array(vec![item]),
                None => Json::Array(Vec::new()),
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpc::json;

    fn rewrite(method: &str, data: &str) -> String {
        let plan = super::super::plan::of(crate::rpc::method(method).expect("method"));
        let value = json::parse(data, 64).expect("json");
        let mut out = String::new();
        object(value, &plan.data, local_time::DEFAULT_ZONE, true).write_canonical(&mut out);
        out
    }

    #[test]
    fn read_only_tags_unset_values_and_local_dates() {
        assert_eq!(
            rewrite(
                "subscription.create",
                r#"{"customer_id":1,"hash":"x","START":"2024-07-01 12:00:00","NEXT_EVENT":"0000-00-00 00:00:00","X_ATTRIBUTES":[],"ARTICLE_NUMBER":"A","QUANTITY":false}"#
            ),
            r#"{"ARTICLE_NUMBER":"A","CUSTOMER_ID":1,"START":"2024-07-01 10:00:00","X_ATTRIBUTES":[]}"#
        );
        assert_eq!(rewrite("customer.create", r#"{"CUSTOMER_ID":1,"LAST_NAME":"M"}"#), r#"{"LAST_NAME":"M"}"#);
    }

    #[test]
    fn wrapped_lists_and_bare_trials() {
        assert_eq!(
            rewrite("subscription.create", r#"{"ADDONS":{"ADDON":[{"article_number":"X","QUANTITY":"2"}]}}"#),
            r#"{"ADDONS":[{"ARTICLE_NUMBER":"X","QUANTITY":"2"}]}"#
        );
        assert_eq!(
            rewrite("article.create", r#"{"SUBSCRIPTION_TRIAL":14,"SUBSCRIPTION_INTERVAL":"2 day"}"#),
            r#"{"SUBSCRIPTION_INTERVAL":"2 day","SUBSCRIPTION_TRIAL":"14 days"}"#
        );
    }

    #[test]
    fn unknown_tags_pass_through_to_be_refused() {
        assert_eq!(rewrite("customer.create", r#"{"LAST_NAEM":"M"}"#), r#"{"LAST_NAEM":"M"}"#);
    }
}
