//! Tag value types as API.md section 3 accepts them. Each reads the raw JSON
//! of its value (see `de::raw`) and parses it exactly; each describes itself
//! as a JSON Schema of what it accepts, for `rpc.discover`.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer};

use super::de::raw;
use crate::domain::{codes, interval::Interval};
use crate::rpc::json::Json;
use crate::rpc::values;

/// An id: a positive integer, or a string of digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Id(pub i64);

wire_type!(Id, "Id", |v| values::id(v).map(Id), {
    "description": "A positive integer id, or a string of its digits.",
    "type": ["integer", "string"], "minimum": 1, "pattern": "^[0-9]+$"
});

/// A whole number, also as a string of digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Int(pub i64);

wire_type!(Int, "Integer", |v| values::integer(v).map(Int), {
    "description": "A whole number, or a string of its digits.",
    "type": ["integer", "string"], "pattern": "^-?[0-9]+$"
});

/// A decimal read exactly from its text (money, quantities, percentages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dec(pub Decimal);

wire_type!(Dec, "Decimal", |v| values::decimal(v).map(Dec), {
    "description": "A decimal with a dot, as a string (\"12.95\") or a JSON number; read exactly from its text.",
    "type": ["string", "number"], "pattern": "^-?[0-9]+(\\.[0-9]+)?$"
});

/// A boolean: `true`/`false`, `1`/`0`, `"1"`/`"0"`, `"true"`/`"false"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flag(pub bool);

wire_type!(Flag, "Boolean", |v| values::boolean(v).map(Flag), {
    "description": "true/false, 1/0, \"1\"/\"0\" or \"true\"/\"false\".",
    "type": ["boolean", "integer", "string"], "enum": [true, false, 1, 0, "1", "0", "true", "false"]
});

/// A UTC instant: `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD` (midnight) or RFC 3339.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct When(pub DateTime<Utc>);

wire_type!(
    When,
    "DateTime",
    |v| match v {
        Json::String(s) => values::datetime(s).map(When),
        other => Err(format!("expected a date string, got {}", other.kind())),
    },
    {
        "description": "\"YYYY-MM-DD HH:MM:SS\" (UTC), \"YYYY-MM-DD\" (midnight UTC) or RFC 3339 with an offset; at most 9999-12-31 23:59:59.",
        "type": "string"
    }
);

/// An interval: `N day(s)|week(s)|month(s)|year(s)` or a UniPay code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period(pub Interval);

wire_type!(
    Period,
    "Interval",
    |v| match v {
        Json::String(s) => Interval::parse(s)
            .map(Period)
            .ok_or_else(|| format!("not an interval: {s:?} (use e.g. \"1 month\", \"14 days\" or W, M, Q, S, A)")),
        other => Err(format!("expected an interval string, got {}", other.kind())),
    },
    {
        "description": "\"N day(s)|week(s)|month(s)|year(s)\", or a UniPay code W, M, Q, S, A.",
        "type": "string"
    }
);

/// An ISO 4217 currency code, upper-cased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Currency(pub String);

wire_type!(
    Currency,
    "Currency",
    |v| match v {
        Json::String(s) => codes::parse_currency(s).map(Currency).ok_or_else(|| format!("unknown currency code {s:?}")),
        other => Err(format!("expected a currency code, got {}", other.kind())),
    },
    { "description": "ISO 4217 code, any case.", "type": "string", "pattern": "^[A-Za-z]{3}$" }
);

/// An ISO 3166-1 alpha-2 country code, upper-cased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Country(pub String);

wire_type!(
    Country,
    "Country",
    |v| match v {
        Json::String(s) => codes::parse_country(s).map(Country).ok_or_else(|| format!("unknown country code {s:?}")),
        other => Err(format!("expected a country code, got {}", other.kind())),
    },
    { "description": "ISO 3166-1 alpha-2 code, any case.", "type": "string", "pattern": "^[A-Za-z]{2}$" }
);

/// Free-form JSON (FEATURES, TRANSLATIONS): an object or a list.
#[derive(Clone, Debug, PartialEq)]
pub struct FreeJson(pub serde_json::Value);

wire_type!(
    FreeJson,
    "FreeJson",
    |v| match v {
        Json::Object(_) | Json::Array(_) => Ok(FreeJson(v.to_value())),
        other => Err(format!("expected an object or a list, got {}", other.kind())),
    },
    { "description": "Any JSON object or list, stored as given.", "type": ["object", "array"] }
);

/// A list of strings, or one comma-separated string (TAGS, ASSIGNED_ARTICLES).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Strings(pub Vec<String>);

wire_type!(
    Strings,
    "Strings",
    |v| {
        let raw: Vec<String> = match v {
            Json::String(s) => s.split(',').map(|t| t.trim().to_owned()).collect(),
            Json::Array(items) => items
                .iter()
                .map(|item| match item {
                    Json::String(s) => Ok(s.trim().to_owned()),
                    other => Err(format!("expected strings, got {}", other.kind())),
                })
                .collect::<Result<_, _>>()?,
            other => return Err(format!("expected a list of strings, got {}", other.kind())),
        };
        Ok(Strings(raw.into_iter().filter(|t| !t.is_empty()).collect()))
    },
    {
        "description": "A list of strings, or one comma-separated string.",
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]
    }
);

/// A tag of an update: absent (keep), cleared with `null` or `""`, or set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Absent,
    Clear,
    Set(T),
}

impl<T> Patch<T> {
    /// `None` when absent, `Some(None)` when cleared, `Some(Some(v))` when set.
    pub fn into_option(self) -> Option<Option<T>> {
        match self {
            Patch::Absent => None,
            Patch::Clear => Some(None),
            Patch::Set(v) => Some(Some(v)),
        }
    }

    /// The same patch with its value mapped.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Patch::Absent => Patch::Absent,
            Patch::Clear => Patch::Clear,
            Patch::Set(v) => Patch::Set(f(v)),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            None => Patch::Clear,
            Some(v) => Patch::Set(v),
        })
    }
}

impl<T: JsonSchema> JsonSchema for Patch<T> {
    fn schema_name() -> Cow<'static, str> {
        <Option<T>>::schema_name()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        <Option<T>>::json_schema(generator)
    }

    fn inline_schema() -> bool {
        true
    }
}
