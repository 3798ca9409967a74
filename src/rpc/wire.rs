//! Replies on the wire: serialization straight to the RESPONSE text, the
//! `{KEY: [..]}` shape of reads, `STATUS: success`, and the value formats of
//! API.md section 3 (re-exported from `domain::format`).

use std::borrow::Cow;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use super::Reply;
pub use crate::domain::format::{datetime, money, opt_datetime, percent, price, quantity};
use crate::error::{AppError, AppResult};

/// Serializes a RESPONSE object.
pub fn reply<T: Serialize + ?Sized>(value: &T) -> AppResult<Reply> {
    serde_json::value::to_raw_value(value).map_err(AppError::internal)
}

/// An item of a read's list: the list's key (`CUSTOMERS`, `SUBSCRIPTIONS`).
pub trait Listed {
    const KEY: &'static str;
}

/// `{KEY: [items]}`, serialized straight from the items; or, for a read served
/// from the object cache, the already serialized answer.
pub enum List<T> {
    Items(Vec<T>),
    Raw(Box<RawValue>, PhantomData<T>),
}

impl<T> List<T> {
    /// A list of `items`.
    pub fn of(items: Vec<T>) -> List<T> {
        List::Items(items)
    }
}

impl<T: Serialize + Listed> Serialize for List<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            List::Items(items) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(T::KEY, items)?;
                map.end()
            }
            List::Raw(raw, _) => raw.serialize(serializer),
        }
    }
}

impl<T: JsonSchema + Listed> JsonSchema for List<T> {
    fn schema_name() -> Cow<'static, str> {
        Cow::Owned(format!("{}_LIST", T::KEY))
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let items = generator.subschema_for::<T>();
        let mut properties = serde_json::Map::new();
        properties.insert(T::KEY.to_owned(), serde_json::json!({"type": "array", "items": items}));
        json_schema!({"type": "object", "required": [T::KEY], "properties": properties})
    }
}

/// `"success"`, the STATUS of every write that worked.
#[derive(Clone, Copy, Debug, Default)]
pub struct Success;

impl Serialize for Success {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("success")
    }
}

impl JsonSchema for Success {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Success")
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"const": "success"})
    }

    fn inline_schema() -> bool {
        true
    }
}

/// `{"STATUS":"success"}`.
#[derive(Debug, Default, Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct Done {
    pub status: Success,
}
