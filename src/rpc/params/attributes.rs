//! `X_ATTRIBUTES`: a shop's own key/value pairs, as an object or as
//! FastBill's `[{KEY, VALUE}]` list.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer};

use super::de::raw;
use crate::rpc::json::Json;

/// Most keys allowed in `X_ATTRIBUTES`, and the longest key or value in bytes.
const X_ATTRIBUTES_MAX_KEYS: usize = 50;
const X_ATTRIBUTES_MAX_LEN: usize = 1024;

/// `X_ATTRIBUTES`: an object of strings, or FastBill's list of `{KEY, VALUE}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct XAttributes(pub BTreeMap<String, String>);

wire_type!(XAttributes, "XAttributes", x_attributes, {
    "description": "An object of string values, or a list of {\"KEY\": .., \"VALUE\": ..}; at most 50 keys of at most 1 KiB.",
    "oneOf": [
        {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean", "null"]}, "maxProperties": 50},
        {"type": "array", "maxItems": 50, "items": {"type": "object", "required": ["KEY"],
            "properties": {"KEY": {"type": "string"}, "VALUE": {"type": ["string", "number", "boolean", "null"]}}}}
    ]
});

fn x_attributes(value: &Json) -> Result<XAttributes, String> {
    let pairs: Vec<(String, Json)> = match value {
        Json::Object(members) => members.clone(),
        Json::Array(items) => items.iter().enumerate().map(key_value).collect::<Result<_, _>>()?,
        other => return Err(format!("expected an object, got {}", other.kind())),
    };
    if pairs.len() > X_ATTRIBUTES_MAX_KEYS {
        return Err(format!("at most {X_ATTRIBUTES_MAX_KEYS} keys"));
    }
    let mut map = BTreeMap::new();
    for (key, value) in pairs {
        let value = match value {
            Json::String(s) => s,
            Json::Number(n) => n.to_string(),
            Json::Bool(b) => b.to_string(),
            Json::Null => String::new(),
            other => return Err(format!("{key}: expected a string, got {}", other.kind())),
        };
        if key.is_empty() || key.len() > X_ATTRIBUTES_MAX_LEN || value.len() > X_ATTRIBUTES_MAX_LEN {
            return Err(format!(
                "keys must be 1 to {X_ATTRIBUTES_MAX_LEN} bytes, values at most {X_ATTRIBUTES_MAX_LEN}"
            ));
        }
        map.insert(key, value);
    }
    Ok(XAttributes(map))
}

/// One `{"KEY": .., "VALUE": ..}` entry of FastBill's attribute list.
fn key_value((i, item): (usize, &Json)) -> Result<(String, Json), String> {
    let Json::Object(members) = item else {
        return Err(format!("[{i}]: expected an object, got {}", item.kind()));
    };
    let mut key = None;
    let mut value = Json::Null;
    for (name, v) in members {
        match name.to_ascii_uppercase().as_str() {
            "KEY" => key = Some(v.clone()),
            "VALUE" => value = v.clone(),
            other => return Err(format!("[{i}].{other}: unknown tag")),
        }
    }
    match key {
        Some(Json::String(k)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), value)),
        Some(Json::Number(n)) => Ok((n.to_string(), value)),
        _ => Err(format!("[{i}].KEY: required")),
    }
}
