//! A small JSON reader that keeps numbers as their source text.
//!
//! serde_json hands numbers to visitors as binary floats, so `12345678901234.5678` would
//! reach us already rounded. The params object is re-read here instead: numbers
//! stay text until a tag reader parses them exactly as `Decimal` or integer, and
//! the nesting depth is limited while reading.

use std::fmt::Write as _;

/// A JSON value whose numbers are kept as their original text.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Json {
    #[default]
    Null,
    Bool(bool),
    /// The number exactly as written, e.g. `12.950` or `-1e3`.
    Number(Box<str>),
    String(String),
    Array(Vec<Json>),
    /// Members in document order.
    Object(Vec<(String, Json)>),
}

/// Why a text is not acceptable JSON.
#[derive(Debug, PartialEq, Eq)]
pub enum JsonError {
    Syntax(usize),
    TooDeep(usize),
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Syntax(at) => write!(f, "malformed JSON at byte {at}"),
            Self::TooDeep(max) => write!(f, "JSON nested deeper than {max} levels"),
        }
    }
}

/// Parses one JSON document, refusing nesting deeper than `max_depth`.
mod reader;

pub use reader::parse;

impl Json {
    /// Writes the value as JSON text, object members sorted by key, so equal
    /// params always give the same text (the idempotency fingerprint hashes it).
    pub fn write_canonical(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::String(s) => write_string(s, out),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_canonical(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                let mut sorted: Vec<&(String, Json)> = members.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                out.push('{');
                for (i, (key, value)) in sorted.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(key, out);
                    out.push(':');
                    value.write_canonical(out);
                }
                out.push('}');
            }
        }
    }

    /// Converts to a `serde_json::Value` for storing free-form JSON (FEATURES,
    /// TRANSLATIONS). Numbers that serde_json cannot hold exactly stay strings.
    pub fn to_value(&self) -> serde_json::Value {
        match self {
            Json::Null => serde_json::Value::Null,
            Json::Bool(b) => serde_json::Value::Bool(*b),
            Json::Number(n) => match n.parse::<i64>() {
                Ok(i) => serde_json::Value::from(i),
                Err(_) => serde_json::Value::String(n.to_string()),
            },
            Json::String(s) => serde_json::Value::String(s.clone()),
            Json::Array(items) => serde_json::Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(members) => {
                serde_json::Value::Object(members.iter().map(|(k, v)| (k.clone(), v.to_value())).collect())
            }
        }
    }

    /// A short name of the JSON type, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "boolean",
            Json::Number(_) => "number",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests;
