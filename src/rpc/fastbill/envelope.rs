//! FastBill's request envelope: `{SERVICE, FILTER, DATA, LIMIT, OFFSET}` with
//! keys in any case, and the REQUEST echo of the answer.

use serde_json::{Map, Value};

use crate::rpc::json::Json;

/// One FastBill request.
#[derive(Debug, Default)]
pub struct Request {
    pub service: String,
    pub filter: Json,
    pub data: Json,
    pub limit: Option<Json>,
    pub offset: Option<Json>,
    /// `IDEMPOTENCY_KEY` and `DRY_RUN`, recur's own, passed on.
    pub extra: Vec<(String, Json)>,
}

/// The request as the answer's REQUEST echoes it: envelope keys upper-cased.
pub fn echo(value: &Json) -> Value {
    match value {
        Json::Object(members) => {
            Value::Object(members.iter().map(|(k, v)| (k.to_ascii_uppercase(), v.to_value())).collect::<Map<_, _>>())
        }
        _ => Value::Null,
    }
}

/// Parses the envelope; the error is the message for RESPONSE.ERRORS.
pub fn parse(value: Json) -> Result<Request, String> {
    let Json::Object(members) = value else {
        return Err(format!("the request must be an object with SERVICE, got {}", value.kind()));
    };
    let mut request = Request::default();
    let mut seen: Vec<String> = Vec::with_capacity(members.len());
    for (key, value) in members {
        let key = key.to_ascii_uppercase();
        if seen.contains(&key) {
            return Err(format!("{key}: given twice"));
        }
        seen.push(key.clone());
        match key.as_str() {
            "SERVICE" => match value {
                Json::String(s) if !s.trim().is_empty() => request.service = s.trim().to_owned(),
                _ => return Err("SERVICE: missing / invalid field".into()),
            },
            "FILTER" => request.filter = value,
            "DATA" => request.data = value,
            "LIMIT" => request.limit = Some(value),
            "OFFSET" => request.offset = Some(value),
            "IDEMPOTENCY_KEY" | "DRY_RUN" => request.extra.push((key, value)),
            _ => return Err(format!("{key}: unknown request key (use SERVICE, FILTER, DATA, LIMIT, OFFSET)")),
        }
    }
    if request.service.is_empty() {
        return Err("SERVICE: missing / invalid field".into());
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpc::json;

    #[test]
    fn keys_in_any_case() {
        let value =
            json::parse(r#"{"service":"customer.get","filter":{"customer_id":1},"Limit":5}"#, 64).expect("json");
        let request = parse(value.clone()).expect("valid");
        assert_eq!(request.service, "customer.get");
        assert!(matches!(request.limit, Some(Json::Number(_))));
        assert_eq!(echo(&value)["FILTER"]["customer_id"], 1);
        assert!(parse(json::parse(r#"{"SERVICE":"x","FILTERS":{}}"#, 64).expect("json")).is_err());
        assert!(parse(json::parse(r#"{"FILTER":{}}"#, 64).expect("json")).is_err());
        assert!(parse(json::parse(r#"{"SERVICE":"a","service":"b"}"#, 64).expect("json")).is_err());
    }
}
