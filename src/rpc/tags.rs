//! Reading the tags of one `FILTER` or `DATA` object.
//!
//! Tags are matched case-insensitively. Every tag a handler reads is marked, and
//! `finish` refuses the first tag nobody read, so a misspelt filter can never
//! widen a read. Absent, `null` and `""` all mean "not given" for typed values.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::json::Json;
use super::values;
use crate::domain::{codes, interval::Interval};
use crate::error::{AppError, AppResult};

/// Most keys allowed in `X_ATTRIBUTES`, and the longest key or value in bytes.
const X_ATTRIBUTES_MAX_KEYS: usize = 50;
const X_ATTRIBUTES_MAX_LEN: usize = 1024;

/// The tags of one object, with which of them were read.
#[derive(Debug, Default)]
pub struct Tags {
    /// Prefix for error tags: empty at the top, `ADDONS[1].` inside lists.
    prefix: String,
    /// The object's name for messages: `DATA`, `FILTER`, `ADDONS[0]`.
    what: String,
    entries: Vec<(String, Json, bool)>,
}

impl Tags {
    /// Reads an object (or PHP's empty `[]`, or `null`) into tags. `what` names
    /// the object in errors, e.g. `DATA` or `ADDONS[0]`.
    pub fn from_json(what: &str, prefix: String, value: Json) -> AppResult<Tags> {
        let members = match value {
            Json::Object(members) => members,
            Json::Array(items) if items.is_empty() => Vec::new(),
            Json::Null => Vec::new(),
            other => {
                return Err(AppError::invalid(what, format!("expected an object, got {}", other.kind())));
            }
        };
        let mut entries: Vec<(String, Json, bool)> = Vec::with_capacity(members.len());
        for (key, value) in members {
            let upper = key.to_ascii_uppercase();
            if entries.iter().any(|(k, _, _)| *k == upper) {
                return Err(AppError::invalid(format!("{prefix}{upper}"), "given twice"));
            }
            entries.push((upper, value, false));
        }
        Ok(Tags { prefix, what: what.to_owned(), entries })
    }

    /// True when no tags were given.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn name(&self, tag: &str) -> String {
        format!("{}{tag}", self.prefix)
    }

    fn bad(&self, tag: &str, message: impl std::fmt::Display) -> AppError {
        AppError::invalid(self.name(tag), message)
    }

    /// Takes the raw value of `tag`, marking it read. `None` when absent.
    pub fn take(&mut self, tag: &str) -> Option<Json> {
        self.entries.iter_mut().find(|(k, _, _)| k == tag).map(|(_, v, used)| {
            *used = true;
            std::mem::replace(v, Json::Null)
        })
    }

    /// True when `tag` was given (even as null).
    pub fn contains(&self, tag: &str) -> bool {
        self.entries.iter().any(|(k, _, _)| k == tag)
    }

    /// The value, with `null` and `""` read as absent.
    fn given(&mut self, tag: &str) -> Option<Json> {
        match self.take(tag)? {
            Json::Null => None,
            Json::String(s) if s.trim().is_empty() => None,
            v => Some(v),
        }
    }

    fn parsed<T>(&mut self, tag: &str, parse: impl FnOnce(&Json) -> Result<T, String>) -> AppResult<Option<T>> {
        match self.given(tag) {
            None => Ok(None),
            Some(v) => parse(&v).map(Some).map_err(|m| self.bad(tag, m)),
        }
    }

    fn required<T>(&self, tag: &str, value: Option<T>) -> AppResult<T> {
        value.ok_or_else(|| self.bad(tag, "required"))
    }

    /// An id.
    pub fn id(&mut self, tag: &str) -> AppResult<Option<i64>> {
        self.parsed(tag, values::id)
    }

    /// A required id.
    pub fn require_id(&mut self, tag: &str) -> AppResult<i64> {
        let v = self.id(tag)?;
        self.required(tag, v)
    }

    /// A whole number.
    pub fn integer(&mut self, tag: &str) -> AppResult<Option<i64>> {
        self.parsed(tag, values::integer)
    }

    /// A whole number within `min..=max`.
    pub fn integer_in(&mut self, tag: &str, min: i64, max: i64) -> AppResult<Option<i64>> {
        match self.integer(tag)? {
            Some(v) if v < min || v > max => Err(self.bad(tag, format!("must be between {min} and {max}"))),
            other => Ok(other),
        }
    }

    /// A decimal, exact.
    pub fn decimal(&mut self, tag: &str) -> AppResult<Option<Decimal>> {
        self.parsed(tag, values::decimal)
    }

    /// A decimal that must not be negative.
    pub fn non_negative(&mut self, tag: &str) -> AppResult<Option<Decimal>> {
        match self.decimal(tag)? {
            Some(v) if v.is_sign_negative() && !v.is_zero() => Err(self.bad(tag, "must not be negative")),
            other => Ok(other),
        }
    }

    /// A decimal that must be greater than zero.
    pub fn positive(&mut self, tag: &str) -> AppResult<Option<Decimal>> {
        match self.decimal(tag)? {
            Some(v) if v <= Decimal::ZERO => Err(self.bad(tag, "must be greater than zero")),
            other => Ok(other),
        }
    }

    /// A boolean.
    pub fn boolean(&mut self, tag: &str) -> AppResult<Option<bool>> {
        self.parsed(tag, values::boolean)
    }

    /// Text; numbers are taken as their text (PHP sends `"ZIPCODE": 12345`).
    pub fn text(&mut self, tag: &str) -> AppResult<Option<String>> {
        self.parsed(tag, |v| match v {
            Json::String(s) => Ok(s.trim().to_owned()),
            Json::Number(n) => Ok(n.to_string()),
            other => Err(format!("expected a string, got {}", other.kind())),
        })
    }

    /// Required text.
    pub fn require_text(&mut self, tag: &str) -> AppResult<String> {
        let v = self.text(tag)?;
        self.required(tag, v)
    }

    /// Text for an update: `None` = not given (keep), `Some(None)` = cleared
    /// with `null` or `""`, `Some(Some(v))` = new value.
    pub fn text_patch(&mut self, tag: &str) -> AppResult<Option<Option<String>>> {
        if !self.contains(tag) {
            return Ok(None);
        }
        self.text(tag).map(Some)
    }

    /// For updates: `None` when `tag` is absent, else what `read` makes of it
    /// (`Some(None)` for `null` or `""`, which clear a field).
    pub fn patch<T>(
        &mut self,
        tag: &str,
        read: impl FnOnce(&mut Tags, &str) -> AppResult<Option<T>>,
    ) -> AppResult<Option<Option<T>>> {
        if self.contains(tag) { read(self, tag).map(Some) } else { Ok(None) }
    }

    /// A datetime in one of the accepted forms. FastBill's `0000-00-00 00:00:00`
    /// means unset.
    pub fn datetime(&mut self, tag: &str) -> AppResult<Option<DateTime<Utc>>> {
        match self.given(tag) {
            None => Ok(None),
            Some(Json::String(s)) if s.starts_with("0000-00-00") => Ok(None),
            Some(Json::String(s)) => values::datetime(&s).map(Some).map_err(|m| self.bad(tag, m)),
            Some(other) => Err(self.bad(tag, format!("expected a date string, got {}", other.kind()))),
        }
    }

    /// An interval (`1 month`, `14 days`, `W M Q S A`).
    pub fn interval(&mut self, tag: &str) -> AppResult<Option<Interval>> {
        self.parsed(tag, |v| match v {
            Json::String(s) => Interval::parse(s)
                .ok_or_else(|| format!("not an interval: {s:?} (use e.g. \"1 month\", \"14 days\" or W, M, Q, S, A)")),
            other => Err(format!("expected an interval string, got {}", other.kind())),
        })
    }

    /// An ISO 4217 currency code, upper-cased.
    pub fn currency(&mut self, tag: &str) -> AppResult<Option<String>> {
        self.parsed(tag, |v| match v {
            Json::String(s) => codes::parse_currency(s).ok_or_else(|| format!("unknown currency code {s:?}")),
            other => Err(format!("expected a currency code, got {}", other.kind())),
        })
    }

    /// An ISO 3166-1 alpha-2 country code, upper-cased.
    pub fn country(&mut self, tag: &str) -> AppResult<Option<String>> {
        self.parsed(tag, |v| match v {
            Json::String(s) => codes::parse_country(s).ok_or_else(|| format!("unknown country code {s:?}")),
            other => Err(format!("expected a country code, got {}", other.kind())),
        })
    }

    /// `X_ATTRIBUTES`: an object of strings, or FastBill's list of
    /// `{"KEY":..,"VALUE":..}`; at most 50 keys of at most 1 KiB each.
    pub fn x_attributes(&mut self, tag: &str) -> AppResult<Option<BTreeMap<String, String>>> {
        let Some(value) = self.take(tag) else {
            return Ok(None);
        };
        let pairs: Vec<(String, Json)> = match value {
            Json::Null => return Ok(None),
            Json::Object(members) => members,
            Json::Array(items) => {
                let mut pairs = Vec::with_capacity(items.len());
                for item in items {
                    let mut entry = Tags::from_json(tag, format!("{}{tag}.", self.prefix), item)?;
                    let key = entry.require_text("KEY")?;
                    let value = entry.take("VALUE").unwrap_or(Json::Null);
                    entry.finish()?;
                    pairs.push((key, value));
                }
                pairs
            }
            Json::String(s) if s.is_empty() => Vec::new(),
            other => return Err(self.bad(tag, format!("expected an object, got {}", other.kind()))),
        };
        if pairs.len() > X_ATTRIBUTES_MAX_KEYS {
            return Err(self.bad(tag, format!("at most {X_ATTRIBUTES_MAX_KEYS} keys")));
        }
        let mut map = BTreeMap::new();
        for (key, value) in pairs {
            let value = match value {
                Json::String(s) => s,
                Json::Number(n) => n.to_string(),
                Json::Bool(b) => b.to_string(),
                Json::Null => String::new(),
                other => {
                    return Err(self.bad(tag, format!("{key}: expected a string, got {}", other.kind())));
                }
            };
            if key.is_empty() || key.len() > X_ATTRIBUTES_MAX_LEN || value.len() > X_ATTRIBUTES_MAX_LEN {
                return Err(self.bad(
                    tag,
                    format!("keys must be 1 to {X_ATTRIBUTES_MAX_LEN} bytes, values at most {X_ATTRIBUTES_MAX_LEN}"),
                ));
            }
            map.insert(key, value);
        }
        Ok(Some(map))
    }

    /// Free-form JSON (FEATURES, TRANSLATIONS): an object or a list.
    pub fn json(&mut self, tag: &str) -> AppResult<Option<serde_json::Value>> {
        match self.take(tag) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(s)) if s.is_empty() => Ok(None),
            Some(v @ (Json::Object(_) | Json::Array(_))) => Ok(Some(v.to_value())),
            Some(other) => Err(self.bad(tag, format!("expected an object or a list, got {}", other.kind()))),
        }
    }

    /// A list of objects (ADDONS), each read with its own tags.
    pub fn list(&mut self, tag: &str) -> AppResult<Option<Vec<Tags>>> {
        let items = match self.take(tag) {
            None | Some(Json::Null) => return Ok(None),
            Some(Json::String(s)) if s.is_empty() => return Ok(Some(Vec::new())),
            Some(Json::Array(items)) => items,
            // One object where a list is expected: PHP clients send single add-ons so.
            Some(obj @ Json::Object(_)) => vec![obj],
            Some(other) => {
                return Err(self.bad(tag, format!("expected a list, got {}", other.kind())));
            }
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let name = format!("{}{tag}[{i}]", self.prefix);
                Tags::from_json(&name, format!("{name}."), item)
            })
            .collect::<AppResult<Vec<_>>>()
            .map(Some)
    }

    /// A list of strings, or one comma-separated string (TAGS).
    pub fn strings(&mut self, tag: &str) -> AppResult<Option<Vec<String>>> {
        let raw = match self.take(tag) {
            None | Some(Json::Null) => return Ok(None),
            Some(Json::String(s)) => s.split(',').map(|t| t.trim().to_owned()).collect::<Vec<_>>(),
            Some(Json::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Json::String(s) => out.push(s.trim().to_owned()),
                        other => {
                            return Err(self.bad(tag, format!("expected strings, got {}", other.kind())));
                        }
                    }
                }
                out
            }
            Some(other) => {
                return Err(self.bad(tag, format!("expected a list of strings, got {}", other.kind())));
            }
        };
        Ok(Some(raw.into_iter().filter(|t| !t.is_empty()).collect()))
    }

    /// Refuses the first tag that no reader took.
    pub fn finish(&self) -> AppResult<()> {
        match self.entries.iter().find(|(_, _, used)| !used) {
            Some((tag, _, _)) => Err(AppError::invalid(self.name(tag), format!("unknown tag in {}", self.what))),
            None => Ok(()),
        }
    }
}
