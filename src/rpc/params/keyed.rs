//! `Keyed<K, T>`: the tags of `T` plus one key tag that names the object a
//! write acts on (`CUSTOMER_ID` + the customer's tags), without repeating the
//! tags of `T` in a second struct.

use std::borrow::Cow;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::Deserialize;
use serde_json::Value;

use super::de::{DecodeError, decode_at};
use super::{Params, into_app_error};
use crate::error::AppError;
use crate::rpc::json::Json;

/// The key tag's name and type.
pub trait KeyTag {
    const TAG: &'static str;
    type Value: for<'de> Deserialize<'de> + JsonSchema;
}

/// The key and the other tags.
#[derive(Debug)]
pub struct Keyed<K: KeyTag, T> {
    pub key: K::Value,
    pub rest: T,
    _tag: PhantomData<K>,
}

impl<K: KeyTag + Send + 'static, T: Params> Params for Keyed<K, T>
where
    K::Value: Send,
{
    fn decode(what: &'static str, value: Json) -> Result<Self, AppError> {
        let members = match value {
            Json::Object(members) => members,
            Json::Null => Vec::new(),
            Json::Array(items) if items.is_empty() => Vec::new(),
            other => return Err(AppError::invalid(what, format!("expected an object, got {}", other.kind()))),
        };
        let (key, rest): (Vec<_>, Vec<_>) = members.into_iter().partition(|(k, _)| k.eq_ignore_ascii_case(K::TAG));
        let key = match key.into_iter().next() {
            Some((_, value)) => decode_at::<K::Value>(value, K::TAG, what)
                // The value's own error does not know the tag it came under.
                .map_err(|err| {
                    into_app_error(DecodeError { tag: err.tag.or_else(|| Some(K::TAG.to_owned())), ..err })
                })?,
            None => return Err(AppError::invalid(K::TAG, "required")),
        };
        let rest = T::decode(what, Json::Object(rest))?;
        Ok(Keyed { key, rest, _tag: PhantomData })
    }
}

impl<K: KeyTag, T: JsonSchema> JsonSchema for Keyed<K, T> {
    fn schema_name() -> Cow<'static, str> {
        Cow::Owned(format!("{}_BY_{}", T::schema_name(), K::TAG))
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = T::json_schema(generator);
        let key = generator.subschema_for::<K::Value>();
        if let Some(object) = schema.as_object_mut() {
            let properties = object.entry("properties").or_insert_with(|| Value::Object(Default::default()));
            if let Some(properties) = properties.as_object_mut() {
                properties.insert(K::TAG.to_owned(), key.to_value());
            }
            let required = object.entry("required").or_insert_with(|| Value::Array(Vec::new()));
            if let Some(required) = required.as_array_mut() {
                required.insert(0, Value::String(K::TAG.to_owned()));
            }
        }
        schema
    }
}
