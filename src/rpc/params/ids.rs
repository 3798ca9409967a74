//! `Ids`: one id or a list of ids (`SUBSCRIPTION_ID`, `INVOICE_ID` in the
//! FILTER of `subscription.get` and `invoice.get`, API.md section 5).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer};

use super::de::raw;
use crate::rpc::json::Json;
use crate::rpc::values;

/// Most ids one filter may list.
const MAX_IDS: usize = 1000;

/// One id, or a list of ids (any of them matches).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ids {
    One(i64),
    Any(Vec<i64>),
}

impl Ids {
    /// The single id, or `None` for a list of several.
    pub fn single(&self) -> Option<i64> {
        match self {
            Ids::One(id) => Some(*id),
            Ids::Any(ids) if ids.len() == 1 => Some(ids[0]),
            Ids::Any(_) => None,
        }
    }

    /// Every id named.
    pub fn all(self) -> Vec<i64> {
        match self {
            Ids::One(id) => vec![id],
            Ids::Any(ids) => ids,
        }
    }
}

fn ids(value: &Json) -> Result<Ids, String> {
    match value {
        Json::Array(items) if items.len() > MAX_IDS => Err(format!("at most {MAX_IDS} ids")),
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| values::id(item).map_err(|m| format!("[{i}]: {m}")))
            .collect::<Result<Vec<_>, _>>()
            .map(Ids::Any),
        other => values::id(other).map(Ids::One),
    }
}

wire_type!(Ids, "Ids", ids, {
    "description": "A positive integer id (or a string of its digits), or a list of them; any listed id matches.",
    "oneOf": [
        {"type": ["integer", "string"], "minimum": 1, "pattern": "^[0-9]+$"},
        {"type": "array", "maxItems": 1000, "items": {"type": ["integer", "string"], "minimum": 1, "pattern": "^[0-9]+$"}}
    ]
});
