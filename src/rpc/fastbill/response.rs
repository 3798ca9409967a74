//! The answer side of the FastBill endpoint: a `/rpc` RESPONSE object as
//! FastBill clients read it. Datetimes become naive local times in the
//! tenant's zone and an unset one `"0000-00-00 00:00:00"`; TAGS lists become
//! FastBill's comma-separated string. Free-form values (X_ATTRIBUTES,
//! FEATURES, TRANSLATIONS) and text tags are never touched.

use chrono_tz::Tz;
use serde_json::Value;

use super::local_time;

/// Datetime tags FastBill wrote as `"0000-00-00 00:00:00"` when unset.
const UNSET_DATETIMES: &[&str] = &[
    "CANCELLATION_DATE",
    "EXPIRATION_DATE",
    "TRIAL_END",
    "LAST_EVENT",
    "NEXT_EVENT",
    "START",
    "PAID_DATE",
    "DUE_DATE",
    "INVOICE_DATE",
    "BANK_ACCOUNT_MANDATE_REFERENCE_DATE",
];

/// Values kept exactly as stored.
const FREE: &[&str] = &["X_ATTRIBUTES", "FEATURES", "TRANSLATIONS"];

/// True for tags of free text, which may look like a datetime by chance.
fn is_text(key: &str) -> bool {
    ["TITLE", "DESCRIPTION", "NOTE", "TEXT", "COMMENT", "NAME", "REFERENCE", "REASON", "MESSAGE", "SUBJECT"]
        .iter()
        .any(|suffix| key.ends_with(suffix))
}

/// Rewrites `value` in place for `zone`.
pub fn localize(value: &mut Value, zone: Tz) {
    match value {
        Value::Object(members) => {
            for (key, item) in members.iter_mut() {
                if FREE.contains(&key.as_str()) || is_text(key) {
                    continue;
                }
                match item {
                    Value::String(s) => {
                        if let Some(local) = local_time::from_utc(s, zone) {
                            *s = local;
                        }
                    }
                    Value::Null if UNSET_DATETIMES.contains(&key.as_str()) => {
                        *item = Value::String(local_time::UNSET.to_owned());
                    }
                    Value::Array(tags) if key == "TAGS" => {
                        let joined: Vec<&str> = tags.iter().filter_map(Value::as_str).collect();
                        *item = Value::String(joined.join(", "));
                    }
                    other => localize(other, zone),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| localize(item, zone)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn datetimes_are_local_and_unset_ones_zero() {
        let mut v = json!({"SUBSCRIPTIONS": [{
            "START": "2024-07-01 10:00:00", "CANCELLATION_DATE": null, "COUPON": null,
            "SUBSCRIPTION_TITLE": "2024-07-01 10:00:00", "X_ATTRIBUTES": {"A": "2024-07-01 10:00:00"},
            "TAGS": ["a", "b"], "BIRTHDAY": "1983-04-27"
        }]});
        localize(&mut v, local_time::DEFAULT_ZONE);
        let s = &v["SUBSCRIPTIONS"][0];
        assert_eq!(s["START"], "2024-07-01 12:00:00");
        assert_eq!(s["CANCELLATION_DATE"], "0000-00-00 00:00:00");
        assert_eq!(s["COUPON"], Value::Null);
        assert_eq!(s["SUBSCRIPTION_TITLE"], "2024-07-01 10:00:00");
        assert_eq!(s["X_ATTRIBUTES"]["A"], "2024-07-01 10:00:00");
        assert_eq!(s["TAGS"], "a, b");
        assert_eq!(s["BIRTHDAY"], "1983-04-27");
    }
}
