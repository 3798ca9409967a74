//! The map and sequence access of [`TagDeserializer`](super::de::TagDeserializer): each member
//! and item is decoded by a child deserializer that knows its tag path (`ITEMS[1].UNIT_PRICE`),
//! so an error names the tag it is about.

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess};

use super::super::json::Json;
use super::de::{DecodeError, TagDeserializer};

pub(super) struct Members<'p, I> {
    pub(super) members: I,
    pub(super) current: Option<(String, Json)>,
    pub(super) parent: &'p TagDeserializer,
}

impl<'de, I: Iterator<Item = (String, Json)>> MapAccess<'de> for Members<'_, I> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DecodeError> {
        let Some((key, value)) = self.members.next() else { return Ok(None) };
        let tag = self.parent.tag_of(&key);
        let parsed = seed.deserialize(key.clone().into_deserializer()).map_err(|e: DecodeError| DecodeError {
            tag: Some(tag),
            message: e.message,
            missing: None,
        })?;
        self.current = Some((key, value));
        Ok(Some(parsed))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DecodeError> {
        let (key, value) = self.current.take().ok_or_else(|| de::Error::custom("value without key"))?;
        let tag = self.parent.tag_of(&key);
        seed.deserialize(self.parent.child(value, tag.clone())).map_err(|e| e.at(tag))
    }
}

pub(super) struct Items<'p, I> {
    pub(super) items: I,
    pub(super) parent: &'p TagDeserializer,
    pub(super) name: String,
}

impl<'de, I: Iterator<Item = (usize, Json)>> SeqAccess<'de> for Items<'_, I> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DecodeError> {
        let Some((i, value)) = self.items.next() else { return Ok(None) };
        let path = format!("{}[{i}]", self.name);
        seed.deserialize(self.parent.child(value, path.clone())).map(Some).map_err(|e| e.at(path))
    }
}
