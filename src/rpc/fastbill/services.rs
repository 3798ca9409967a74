//! FastBill's service names and shapes over recur's method table. A service
//! that is not listed here is the method of the same name, unchanged. An
//! entry whose method is not in the table (yet) answers "method not found",
//! as any unknown service does; the README lists them as pending.

use serde_json::{Map, Value};

/// A FastBill service that differs from recur's method of its name.
pub struct Service {
    /// FastBill's name (`invoice.sendbyemail`).
    pub name: &'static str,
    /// The method it runs (`invoice.sendcopy`).
    pub method: &'static str,
    /// Reshapes the RESPONSE object (after localization).
    pub answer: fn(&mut Value),
}

/// Every service that differs from its method.
pub static SERVICES: &[Service] = &[
    Service { name: "invoice.sendbyemail", method: "invoice.sendcopy", answer: same },
    Service { name: "subscription.getusagedata", method: "subscription.getusagedata", answer: usage_as_items },
    Service { name: "coupon.get", method: "coupon.get", answer: coupons_as_fastbill },
    Service { name: "coupon.check", method: "coupon.check", answer: same },
    Service { name: "template.get", method: "template.get", answer: same },
    Service { name: "customer.createsecurelink", method: "customer.createsecurelink", answer: account_link },
];

/// The method and answer shape of a service (case-insensitive name).
pub fn resolve(service: &str) -> (String, fn(&mut Value)) {
    let name = service.trim().to_ascii_lowercase();
    match SERVICES.iter().find(|s| s.name == name) {
        Some(s) => (s.method.to_owned(), s.answer),
        None => (name, same),
    }
}

fn same(_: &mut Value) {}

/// FastBill's ACCOUNTDATA_URL (where the customer edits account data) is
/// recur's dashboard, which shows and changes the same.
fn account_link(response: &mut Value) {
    if let Some(members) = response.as_object_mut()
        && let Some(url) = members.get("DASHBOARD_URL").cloned()
    {
        members.insert("ACCOUNTDATA_URL".to_owned(), url);
    }
}

/// `subscription.getusagedata` answers `ITEMS` here, `USAGEDATA` on `/rpc`.
fn usage_as_items(response: &mut Value) {
    if let Some(members) = response.as_object_mut()
        && let Some(items) = members.remove("USAGEDATA")
    {
        members.insert("ITEMS".to_owned(), items);
    }
}

/// `coupon.get` as FastBill showed coupons: DISCOUNT as displayed
/// (`"100,00%"`, `"1,00 €"`), DISCOUNT_AMOUNT as a number, VALID_FROM and
/// VALID_TO as dates, USAGES a number.
fn coupons_as_fastbill(response: &mut Value) {
    let Some(coupons) = response.get_mut("COUPONS").and_then(Value::as_array_mut) else { return };
    for coupon in coupons.iter_mut().filter_map(Value::as_object_mut) {
        fastbill_coupon(coupon);
    }
}

fn fastbill_coupon(coupon: &mut Map<String, Value>) {
    let amount = match coupon.get("DISCOUNT") {
        Some(Value::String(s)) => s.parse::<rust_decimal::Decimal>().ok(),
        Some(Value::Number(n)) => n.to_string().parse::<rust_decimal::Decimal>().ok(),
        _ => None,
    };
    if let Some(amount) = amount {
        let shown = format!("{:.2}", amount.round_dp(2)).replace('.', ",");
        let percent = coupon.get("DISCOUNT_TYPE").and_then(Value::as_str) == Some("percent");
        let symbol = match coupon.get("CURRENCY_CODE").and_then(Value::as_str) {
            Some("USD") => "$",
            Some("GBP") => "£",
            Some("CHF") => "CHF",
            _ => "€",
        };
        let display = if percent { format!("{shown}%") } else { format!("{shown} {symbol}") };
        coupon.insert("DISCOUNT".into(), Value::String(display));
        let number = serde_json::Number::from_f64(rust_decimal::prelude::ToPrimitive::to_f64(&amount).unwrap_or(0.0));
        coupon.insert("DISCOUNT_AMOUNT".into(), number.map_or(Value::Null, Value::Number));
    }
    for key in ["VALID_FROM", "VALID_TO"] {
        if let Some(Value::String(s)) = coupon.get_mut(key)
            && s.len() > 10
        {
            s.truncate(10);
        }
    }
    if let Some(Value::String(s)) = coupon.get("USAGES")
        && let Ok(n) = s.parse::<i64>()
    {
        coupon.insert("USAGES".into(), Value::from(n));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn aliases_resolve_and_others_are_themselves() {
        assert_eq!(resolve("Invoice.SendByEmail").0, "invoice.sendcopy");
        assert_eq!(resolve("customer.get").0, "customer.get");
    }

    #[test]
    fn coupons_read_as_fastbill_showed_them() {
        let mut r = json!({"COUPONS": [
            {"DISCOUNT_TYPE": "percent", "DISCOUNT": "100.00", "VALID_FROM": "2015-10-21 00:00:00", "USAGES": 2},
            {"DISCOUNT_TYPE": "fixed", "DISCOUNT": "1.00", "VALID_FROM": null}
        ]});
        coupons_as_fastbill(&mut r);
        assert_eq!(r["COUPONS"][0]["DISCOUNT"], "100,00%");
        assert_eq!(r["COUPONS"][0]["DISCOUNT_AMOUNT"], json!(100.0));
        assert_eq!(r["COUPONS"][0]["VALID_FROM"], "2015-10-21");
        assert_eq!(r["COUPONS"][1]["DISCOUNT"], "1,00 €");
        assert_eq!(r["COUPONS"][1]["VALID_FROM"], Value::Null);
        let mut u = json!({"USAGEDATA": []});
        usage_as_items(&mut u);
        assert_eq!(u, json!({"ITEMS": []}));
    }
}
