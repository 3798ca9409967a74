//! ITEMS of `invoice.create` / `invoice.update`: a list, one item, or
//! FastBill's `{"ITEM": [...]}` (API.md sections 5 and 8), decoded with the
//! tags of each item named in errors (`ITEMS[1].UNIT_PRICE`).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use super::params::{Percent, Positive, UnitPrice};
use crate::service::invoice::manual::ManualItem;

/// One line of ITEMS.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct ItemIn {
    /// Description, price and VAT rate default to the article's.
    article_number: Option<String>,
    /// Required without ARTICLE_NUMBER.
    description: Option<String>,
    /// Default 1.
    quantity: Option<Positive>,
    /// Required without ARTICLE_NUMBER.
    unit_price: Option<UnitPrice>,
    /// Required without ARTICLE_NUMBER.
    vat_percent: Option<Percent>,
}

/// ITEMS: a list, one item, or FastBill's `{"ITEM": [...]}`.
#[derive(Debug, Default)]
pub struct ItemList(Vec<ItemIn>);

impl JsonSchema for ItemList {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("ManualItems")
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        // Described as the list it is; the FastBill endpoint unwraps `{"ITEM": ...}` by this.
        <Vec<ItemIn>>::json_schema(generator)
    }
}

impl<'de> Deserialize<'de> for ItemList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ItemsVisitor).map(ItemList)
    }
}

struct ItemsVisitor;

impl<'de> Visitor<'de> for ItemsVisitor {
    type Value = Vec<ItemIn>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of items, or {\"ITEM\": [...]}")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<ItemIn>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(items)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<ItemIn>, A::Error> {
        let Some(first) = map.next_key::<String>()? else { return Ok(Vec::new()) };
        if first == "ITEM" {
            let items: Vec<ItemIn> = map.next_value()?;
            if let Some(other) = map.next_key::<String>()? {
                return Err(de::Error::custom(format!("unknown tag {other} beside ITEM")));
            }
            return Ok(items);
        }
        // One item object where a list is expected: its first tag is read already.
        const TAGS: &[&str] = &["ARTICLE_NUMBER", "DESCRIPTION", "QUANTITY", "UNIT_PRICE", "VAT_PERCENT"];
        if !TAGS.contains(&first.as_str()) {
            return Err(de::Error::custom(format!(
                "{first} is no item tag: expected a list of items or {{\"ITEM\": [...]}}"
            )));
        }
        let item = ItemIn::deserialize(de::value::MapAccessDeserializer::new(Replay { first: Some(first), map }))?;
        Ok(vec![item])
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<ItemIn>, E> {
        Ok(Vec::new())
    }
}

/// A map whose first key was read already.
struct Replay<A> {
    first: Option<String>,
    map: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        match self.first.take() {
            Some(key) => seed.deserialize(key.into_deserializer()).map(Some),
            None => self.map.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

pub fn items(list: Option<ItemList>) -> Vec<ManualItem> {
    let list = list.map(|l| l.0).unwrap_or_default();
    list.into_iter()
        .enumerate()
        .map(|(i, item)| ManualItem {
            tag: format!("ITEMS[{i}]"),
            article_number: item.article_number.filter(|a| !a.is_empty()),
            description: item.description,
            quantity: item.quantity.map_or(rust_decimal::Decimal::ONE, |q| q.0),
            unit_price: item.unit_price.map(|p| p.0),
            vat_percent: item.vat_percent.map(|p| p.0),
        })
        .collect()
}
