//! "The same shape" of a recorded FastBill answer and ours: the keys at the
//! same places (but the FastBill keys recur does not produce, listed with
//! their reasons), lists where the recording has lists (empty where it is
//! empty), the same error channel, and ids as JSON integers. Values are not
//! compared: ids, hashes, URLs and amounts are ours.

use serde_json::Value;

/// FastBill tags recur does not answer, and why (README "FastBill services").
pub const NOT_PRODUCED: &[(&str, &str)] = &[
    ("PASSWORD", "no customer passwords are stored"),
    ("CHANGEDATA_URL", "customer links are minted by customer.createsecurelink, signed and expiring"),
    ("DASHBOARD_URL", "customer links are minted by customer.createsecurelink, signed and expiring"),
    ("PAYPAL_URL", "no PayPal checkout"),
    ("CHECKOUT_URL", "no hosted checkout"),
    ("RETURN_URL_SUCCESS", "no hosted checkout"),
    ("RETURN_URL_CANCEL", "no hosted checkout"),
    ("SUBSCRIPTION_NUMBER_EVENTS", "fixed lengths are SUBSCRIPTION_DURATION"),
    ("SUBSCRIPTION_DURATION_FOLLOW", "no follow-up duration"),
    ("CUSTOMER_NUMBER", "on invoices: the customer is CUSTOMER_ID"),
    ("CUSTOMER_COSTCENTER_ID", "no cost centers"),
    ("TEMPLATE_ID", "one document layout per tenant"),
    ("SUBSCRIPTION_INVOICE_COUNTER", "not counted"),
    ("INVOICE_EXT_UID", "no external invoice ids"),
    ("IS_CANCELED", "STATUS canceled says it"),
    ("CASH_DISCOUNT_PERCENT", "no cash discounts"),
    ("CASH_DISCOUNT_DAYS", "no cash discounts"),
    ("PAYMENT_INFO", "payments are under PAYMENTS"),
    ("SHIPMENTS", "no shipments"),
    ("TRANSACTION_ID", "payments carry REFERENCE"),
    ("COMPLETE_GROSS", "lines carry nets; VAT per rate is in VAT_ITEMS"),
    ("VAT_VALUE", "on lines: VAT is computed per rate (VAT_ITEMS), not per line"),
    ("SORT_ORDER", "lines are answered in order"),
    ("AFFILIATE", "on invoices and coupons: the customer's AFFILIATE is on the customer"),
    ("CAMPAIGN", "coupons have no campaign"),
    ("DISCOUNT_PERIOD", "DISCOUNT_PERIOD_AMOUNT + DISCOUNT_PERIOD_UNIT say it"),
];

/// Tags of the customer's address and terms that FastBill copied onto each
/// invoice; recur keeps them on the customer (and in the document snapshot).
const INVOICE_CUSTOMER_COPY: &[&str] = &[
    "ORGANIZATION",
    "SALUTATION",
    "FIRST_NAME",
    "LAST_NAME",
    "ADDRESS",
    "ADDRESS_2",
    "ZIPCODE",
    "CITY",
    "COMMENT",
    "PAYMENT_TYPE",
    "DAYS_FOR_PAYMENT",
    "BANK_NAME",
    "BANK_ACCOUNT_NUMBER",
    "BANK_CODE",
    "BANK_ACCOUNT_OWNER",
    "BANK_IBAN",
    "BANK_BIC",
    "COUNTRY_CODE",
    "VAT_ID",
    "INTROTEXT",
    "DELIVERY_DATE",
];

/// Tags FastBill copied onto a subscription's COUPON: the COUPON sits inside
/// the subscription (its SUBSCRIPTION_ID), and the coupon's USAGES_MAX is on `coupon.get`.
const SUBSCRIPTION_COUPON_COPY: &[&str] = &["SUBSCRIPTION_ID", "USAGES_MAX"];

fn skipped(path: &str, key: &str) -> bool {
    NOT_PRODUCED.iter().any(|(k, _)| *k == key)
        || (path.ends_with("].COUPON") && SUBSCRIPTION_COUPON_COPY.contains(&key))
        || (path.contains("INVOICES[") && !path.contains("ITEMS[") && INVOICE_CUSTOMER_COPY.contains(&key))
}

/// The differences in shape between `recorded` and `ours` (empty when none).
pub fn compare(recorded: &Value, ours: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let recorded_error = recorded["RESPONSE"].get("ERRORS").is_some();
    let our_error = ours["RESPONSE"].get("ERRORS").is_some();
    if ours.get("REQUEST").is_none() || ours.get("RESPONSE").is_none() {
        problems.push("REQUEST and RESPONSE expected".into());
    }
    if recorded_error != our_error {
        problems.push(format!("error channel: recorded {recorded_error}, ours {our_error}"));
    } else if !recorded_error && let Some(response) = recorded.get("RESPONSE") {
        walk("RESPONSE", response, &ours["RESPONSE"], &mut problems);
    }
    problems
}

fn walk(path: &str, recorded: &Value, ours: &Value, problems: &mut Vec<String>) {
    match recorded {
        Value::Object(members) => {
            let Some(ours) = ours.as_object() else {
                problems.push(format!("{path}: an object expected, ours is {ours}"));
                return;
            };
            for (key, value) in members {
                if skipped(path, key) {
                    continue;
                }
                match ours.get(key) {
                    Some(mine) => walk(&format!("{path}.{key}"), value, mine, problems),
                    None => problems.push(format!("{path}.{key}: missing")),
                }
                if key.ends_with("_ID") && !value.is_null() && !ours.get(key).is_none_or(|v| v.is_i64() || v.is_null())
                {
                    problems.push(format!("{path}.{key}: an integer id expected"));
                }
            }
        }
        Value::Array(items) => match ours.as_array() {
            None if path.ends_with("FEATURES") => {}
            None => problems.push(format!("{path}: a list expected, ours is {ours}")),
            Some(mine) if items.is_empty() != mine.is_empty() => {
                problems.push(format!("{path}: recorded {} entries, ours {}", items.len(), mine.len()));
            }
            Some(mine) => {
                if let Some(first) = items.first() {
                    for (i, item) in mine.iter().enumerate() {
                        walk(&format!("{path}[{i}]"), first, item, problems);
                    }
                }
            }
        },
        _ => {}
    }
}
