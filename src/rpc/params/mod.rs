//! Typed params: every method's `FILTER` and `DATA` are Rust types
//! (`Deserialize + JsonSchema`) decoded from the envelope with the tolerance of
//! API.md (see `de`), so `rpc.discover` is generated from the same types the
//! handlers read.

// Used by the value-type modules below, so defined before them.
/// Implements `Deserialize` from the raw value through `parse`, and
/// `JsonSchema` with the given name and schema.
macro_rules! wire_type {
    ($ty:ident, $name:literal, $parse:expr, $schema:tt) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = raw(deserializer)?;
                let parse: fn(&Json) -> Result<$ty, String> = $parse;
                parse(&value).map_err(de::Error::custom)
            }
        }

        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}

mod access;
pub mod amounts;
pub mod attributes;
pub mod de;
pub mod error;
pub mod ids;
pub mod keyed;
pub mod types;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::json::Json;
use crate::error::AppError;
pub use amounts::{NonNegative, Percent, Positive, UnitPrice};
pub use attributes::XAttributes;
pub use ids::Ids;
pub use keyed::{KeyTag, Keyed};
pub use types::{Country, Currency, Dec, Flag, FreeJson, Id, Int, Patch, Period, Strings, When};

/// What a `FILTER` or `DATA` type is: decoded from the envelope's object, and
/// described as a JSON Schema. Every serde type with a schema is one; types
/// that split their object first (`Keyed`) implement it themselves.
pub trait Params: JsonSchema + Send + Sized + 'static {
    /// Decodes the `what` object (`FILTER` or `DATA`); a failure is -32602 naming the tag.
    fn decode(what: &'static str, value: Json) -> Result<Self, AppError>;
}

impl<T: DeserializeOwned + JsonSchema + Send + 'static> Params for T {
    fn decode(what: &'static str, value: Json) -> Result<Self, AppError> {
        T::deserialize(de::TagDeserializer::new(value, what)).map_err(into_app_error)
    }
}

/// Decodes the `what` object into `T`.
pub fn decode<T: Params>(what: &'static str, value: Json) -> Result<T, AppError> {
    T::decode(what, value)
}

fn into_app_error(err: de::DecodeError) -> AppError {
    match err.tag {
        Some(tag) => AppError::invalid(tag, err.message),
        None => AppError::InvalidParams { message: err.message, tag: None },
    }
}

/// The params of a method that takes no tags in this object: any tag is refused.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoTags {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpc::json;

    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
    struct Sample {
        subscription_id: Id,
        quantity: Option<Dec>,
        title: Option<String>,
        #[serde(default)]
        note: Patch<String>,
        addons: Option<Vec<Addon>>,
    }

    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
    struct Addon {
        article_number: String,
        quantity: Option<Dec>,
    }

    fn sample(text: &str) -> Result<Sample, AppError> {
        decode("DATA", json::parse(text, 64).expect("json"))
    }

    fn tag_of(text: &str) -> Option<String> {
        match sample(text) {
            Err(AppError::InvalidParams { tag, .. }) => tag,
            other => panic!("expected invalid params for {text}, got {other:?}"),
        }
    }

    #[test]
    fn tags_are_case_insensitive_and_values_tolerant() {
        let s = sample(r#"{"subscription_id":"42","Quantity":12345678901234.5678,"title":"  x ","note":""}"#)
            .expect("decodes");
        assert_eq!(s.subscription_id, Id(42));
        assert_eq!(s.quantity.map(|d| d.0.to_string()), Some("12345678901234.5678".into()));
        assert_eq!(s.title.as_deref(), Some("x"));
        assert_eq!(s.note, Patch::Clear);
        let s = sample(r#"{"SUBSCRIPTION_ID":1,"QUANTITY":"","ADDONS":{"ARTICLE_NUMBER":"A","QUANTITY":2}}"#)
            .expect("decodes");
        assert_eq!(s.quantity, None);
        assert_eq!(s.note, Patch::Absent);
        let addons = s.addons.expect("one add-on");
        assert_eq!((addons[0].article_number.as_str(), addons[0].quantity.map(|q| q.0)), ("A", Some(2.into())));
    }

    #[test]
    fn errors_name_the_tag() {
        assert_eq!(tag_of(r#"{}"#).as_deref(), Some("SUBSCRIPTION_ID"));
        assert_eq!(tag_of(r#"{"SUBSCRIPTION_ID":"x"}"#).as_deref(), Some("SUBSCRIPTION_ID"));
        assert_eq!(tag_of(r#"{"SUBSCRIPTION_ID":1,"QUANTITY":"1,5"}"#).as_deref(), Some("QUANTITY"));
        assert_eq!(tag_of(r#"{"SUBSCRIPTION_ID":1,"QUANTTY":1}"#).as_deref(), Some("QUANTTY"));
        assert_eq!(tag_of(r#"{"SUBSCRIPTION_ID":1,"subscription_id":1}"#).as_deref(), Some("SUBSCRIPTION_ID"));
        assert_eq!(
            tag_of(r#"{"SUBSCRIPTION_ID":1,"ADDONS":[{"ARTICLE_NUMBER":"A"},{"QUANTITY":2}]}"#).as_deref(),
            Some("ADDONS[1].ARTICLE_NUMBER")
        );
        assert_eq!(
            tag_of(r#"{"SUBSCRIPTION_ID":1,"ADDONS":[{"ARTICLE_NUMBER":"A","QUANTITY":"x"}]}"#).as_deref(),
            Some("ADDONS[0].QUANTITY")
        );
    }

    #[test]
    fn php_empty_arrays_and_nulls_are_empty_objects() {
        let none: NoTags = decode("FILTER", json::parse("[]", 64).expect("json")).expect("empty");
        let _ = none;
        let refused = decode::<NoTags>("FILTER", json::parse(r#"{"X":1}"#, 64).expect("json"));
        assert!(matches!(refused, Err(AppError::InvalidParams { tag: Some(t), .. }) if t == "X"));
    }
}
