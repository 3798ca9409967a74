//! A serde `Deserializer` over the params' [`Json`] with the tolerance of
//! API.md sections 2 and 3: object keys are matched upper-cased, `[]` and
//! `null` read as an empty object, a single object where a list is expected
//! reads as a one-element list, `null`, `""` and FastBill's
//! `0000-00-00 00:00:00` are "not given" for optional tags, and every error
//! names the tag it is about (`ADDONS[1].QUANTITY`).
//!
//! Values that must be read from their exact text (decimals, ids, dates) ask
//! for the raw [`Json`] through [`raw`]; nothing ever passes through a float.

use std::cell::RefCell;
use std::fmt::Display;

use serde::de::{self, IntoDeserializer, Visitor};

use super::super::json::Json;
use super::access::{Items, Members};
pub use super::error::DecodeError;

thread_local! {
    /// Hands a raw value from the deserializer to [`raw`]'s visitor. Decoding
    /// is synchronous, so the slot is filled and emptied within one call.
    static RAW_SLOT: RefCell<Option<Json>> = const { RefCell::new(None) };
}

/// The newtype name by which a type asks for the raw [`Json`] of its value.
const RAW: &str = "$recur::raw";

/// Reads the raw value for a tolerant wire type: `null` or a blank string
/// never arrives here (it is "not given", refused as "required" unless the tag
/// is optional), everything else does, untouched.
pub fn raw<'de, D: de::Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
    struct RawVisitor;
    impl<'de> Visitor<'de> for RawVisitor {
        type Value = Json;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a value")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
            RAW_SLOT.with(|slot| slot.borrow_mut().take()).ok_or_else(|| E::custom("raw value missing"))
        }
    }
    deserializer.deserialize_newtype_struct(RAW, RawVisitor)
}

/// A value and where it sits (`DATA`, `ADDONS[0]`), for error messages.
pub struct TagDeserializer {
    value: Json,
    /// The tag path of this value: empty at the top of FILTER/DATA.
    path: String,
    /// What the top-level object is called in messages (`DATA`, `FILTER`).
    what: &'static str,
}

impl TagDeserializer {
    /// The top of a `FILTER` or `DATA` object.
    pub fn new(value: Json, what: &'static str) -> Self {
        TagDeserializer { value, path: String::new(), what }
    }

    pub(super) fn child(&self, value: Json, path: String) -> Self {
        TagDeserializer { value, path, what: self.what }
    }

    fn here(&self) -> String {
        if self.path.is_empty() { self.what.to_owned() } else { self.path.clone() }
    }

    fn fail(&self, message: impl Display) -> DecodeError {
        DecodeError { tag: Some(self.here()), message: message.to_string(), missing: None }
    }
}

/// True for what an optional tag reads as "not given".
pub fn is_unset(value: &Json) -> bool {
    match value {
        Json::Null => true,
        Json::String(s) => {
            let s = s.trim();
            s.is_empty() || s == "0000-00-00 00:00:00" || s == "0000-00-00"
        }
        _ => false,
    }
}

fn members(value: Json) -> Option<Vec<(String, Json)>> {
    match value {
        Json::Object(members) => Some(members),
        Json::Array(items) if items.is_empty() => Some(Vec::new()),
        Json::Null => Some(Vec::new()),
        _ => None,
    }
}

impl<'de> de::Deserializer<'de> for TagDeserializer {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.value {
            Json::Null => visitor.visit_unit(),
            Json::Bool(b) => visitor.visit_bool(b),
            Json::Number(ref n) => {
                let text = n.to_string();
                visitor.visit_string(text)
            }
            Json::String(s) => visitor.visit_string(s),
            Json::Array(_) => self.deserialize_seq(visitor),
            Json::Object(_) => self.deserialize_map(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        if is_unset(&self.value) { visitor.visit_none() } else { visitor.visit_some(self) }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        if name != RAW {
            return visitor.visit_newtype_struct(self);
        }
        if is_unset(&self.value) {
            return Err(self.fail("required"));
        }
        let here = self.here();
        RAW_SLOT.with(|slot| *slot.borrow_mut() = Some(self.value));
        let result = visitor.visit_unit();
        RAW_SLOT.with(|slot| slot.borrow_mut().take());
        result.map_err(|e: DecodeError| e.at(here))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.value {
            Json::String(s) => visitor.visit_string(s.trim().to_owned()),
            Json::Number(n) => visitor.visit_string(n.to_string()),
            ref other => Err(self.fail(format!("expected a string, got {}", other.kind()))),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match super::super::values::boolean(&self.value) {
            Ok(b) => visitor.visit_bool(b),
            Err(message) => Err(self.fail(message)),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match super::super::values::integer(&self.value) {
            Ok(n) => visitor.visit_i64(n),
            Err(message) => Err(self.fail(message)),
        }
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let kind = self.value.kind();
        let name = self.here();
        let TagDeserializer { value, path, what } = self;
        let parent = TagDeserializer { value: Json::Null, path, what };
        let items = match value {
            Json::Array(items) => items,
            // One object where a list is expected: PHP clients send single add-ons so.
            obj @ Json::Object(_) => vec![obj],
            Json::String(s) if s.trim().is_empty() => Vec::new(),
            _ => return Err(parent.fail(format!("expected a list, got {kind}"))),
        };
        let seq = Items { items: items.into_iter().enumerate(), parent: &parent, name };
        visitor.visit_seq(seq)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let kind = self.value.kind();
        let TagDeserializer { value, path, what } = self;
        let parent = TagDeserializer { value: Json::Null, path, what };
        let Some(members) = members(value) else {
            return Err(parent.fail(format!("expected an object, got {kind}")));
        };
        let mut seen: Vec<String> = Vec::with_capacity(members.len());
        let mut upper = Vec::with_capacity(members.len());
        for (key, value) in members {
            let key = key.to_ascii_uppercase();
            if seen.contains(&key) {
                return Err(DecodeError {
                    tag: Some(parent.tag_of(&key)),
                    message: "given twice".into(),
                    missing: None,
                });
            }
            seen.push(key.clone());
            upper.push((key, value));
        }
        let access = Members { members: upper.into_iter(), current: None, parent: &parent };
        visitor.visit_map(access)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        let prefix = self.path.clone();
        let what = self.here();
        self.deserialize_map(visitor).map_err(|mut err| {
            if let Some(field) = err.missing.take() {
                err.tag = Some(if prefix.is_empty() { field.to_owned() } else { format!("{prefix}.{field}") });
            } else if err.message == "unknown tag" {
                err.message = format!("unknown tag in {what}");
            }
            err
        })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match &self.value {
            Json::String(s) => visitor.visit_enum(s.trim().to_ascii_lowercase().into_deserializer()),
            other => Err(self.fail(format!("expected a string, got {}", other.kind()))),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i128 u8 u16 u128 f32 f64 char bytes byte_buf unit unit_struct tuple tuple_struct
    }
}

impl TagDeserializer {
    pub(super) fn tag_of(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_owned() } else { format!("{}.{key}", self.path) }
    }
}

/// Decodes `value` as if it sat at `path` of the `what` object (for types that
/// take their object apart themselves, such as `Keyed`).
pub fn decode_at<'de, T: de::Deserialize<'de>>(value: Json, path: &str, what: &'static str) -> Result<T, DecodeError> {
    T::deserialize(TagDeserializer { value, path: path.to_owned(), what })
}
