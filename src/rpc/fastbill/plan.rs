//! What the FastBill translation needs to know of a method, read from the
//! same JSON Schemas `rpc.discover` publishes (so a method added to the table
//! is translated without an entry here): which tags of FILTER and DATA are
//! datetimes, intervals, booleans, lists or free-form JSON, which tags the
//! method knows at all, and the list key of a read's answer.

use std::collections::HashMap;
use std::sync::LazyLock;

use schemars::generate::{Contract, SchemaSettings};
use serde_json::{Map, Value};

use crate::rpc::MethodSpec;

/// How a tag's value is translated.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A UTC instant on `/rpc`, naive local time here.
    DateTime,
    /// An interval; `*_TRIAL` also as a bare number of days.
    Interval,
    /// `false` is a value, not "unset".
    Boolean,
    /// A list (ITEMS, ADDONS), also as FastBill's `{"ITEM": [...]}`.
    List(Box<Tags>),
    /// A nested object of tags.
    Object(Box<Tags>),
    /// Free-form JSON (X_ATTRIBUTES, FEATURES): left as sent.
    Free,
    /// Anything else (text, numbers, ids).
    Plain,
}

/// The tags of one object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tags(pub HashMap<String, Kind>);

impl Tags {
    /// The kind of `tag`, when the method knows it.
    pub fn get(&self, tag: &str) -> Option<&Kind> {
        self.0.get(tag)
    }
}

/// A method's plan.
#[derive(Debug, Default)]
pub struct Plan {
    pub filter: Tags,
    pub data: Tags,
    /// The list key of a read's answer (`SUBSCRIPTIONS`).
    pub list_key: Option<String>,
}

/// The plan of `spec`, computed once per method.
pub fn of(spec: &'static MethodSpec) -> &'static Plan {
    static PLANS: LazyLock<HashMap<&'static str, Plan>> =
        LazyLock::new(|| crate::rpc::methods().map(|spec| (spec.name, build(spec))).collect());
    static EMPTY: LazyLock<Plan> = LazyLock::new(Plan::default);
    PLANS.get(spec.name).unwrap_or(&EMPTY)
}

fn build(spec: &MethodSpec) -> Plan {
    let mut generator = SchemaSettings::draft07()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.contract = Contract::Deserialize;
            s.meta_schema = None;
        })
        .into_generator();
    let schemas = (spec.describe)(&mut generator);
    let defs: Map<String, Value> = generator.take_definitions(true).into_iter().collect();
    let tags = |schema: Option<schemars::Schema>| match schema.map(|s| kind(&s.to_value(), &defs, 0)) {
        Some(Kind::Object(tags)) => *tags,
        _ => Tags::default(),
    };
    let filter = tags(schemas.filter);
    let data = tags(schemas.data);
    let list_key = list_key(&schemas.reply.to_value(), &defs);
    Plan { filter, data, list_key }
}

/// The named components that are kinds of their own.
fn named(name: &str) -> Option<Kind> {
    match name {
        "DateTime" => Some(Kind::DateTime),
        "Interval" => Some(Kind::Interval),
        "Boolean" => Some(Kind::Boolean),
        "XAttributes" | "FreeJson" => Some(Kind::Free),
        _ => None,
    }
}

fn kind(schema: &Value, defs: &Map<String, Value>, depth: usize) -> Kind {
    if depth > 12 {
        return Kind::Plain;
    }
    if let Some(name) = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()) {
        return named(name).unwrap_or_else(|| defs.get(name).map_or(Kind::Plain, |d| kind(d, defs, depth + 1)));
    }
    for alternatives in ["anyOf", "oneOf", "allOf"] {
        if let Some(list) = schema.get(alternatives).and_then(Value::as_array) {
            let found = list.iter().map(|s| kind(s, defs, depth + 1)).find(|k| *k != Kind::Plain);
            return found.unwrap_or(Kind::Plain);
        }
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"boolean") {
        return Kind::Boolean;
    }
    if types.contains(&"array") {
        return match schema.get("items").map(|items| kind(items, defs, depth + 1)) {
            Some(Kind::Object(tags)) => Kind::List(tags),
            _ => Kind::List(Box::default()),
        };
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        let tags = properties.iter().map(|(tag, s)| (tag.clone(), kind(s, defs, depth + 1))).collect();
        return Kind::Object(Box::new(Tags(tags)));
    }
    Kind::Plain
}

/// The one required list property of a read's answer (`{"KEY": [...]}`).
fn list_key(reply: &Value, defs: &Map<String, Value>) -> Option<String> {
    let resolved = match reply.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()) {
        Some(name) => defs.get(name)?,
        None => reply,
    };
    let required = resolved.get("required")?.as_array()?;
    let [key] = required.as_slice() else { return None };
    let key = key.as_str()?;
    let is_list = resolved.get("properties")?.get(key)?.get("type")? == "array";
    is_list.then(|| key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(name: &str) -> &'static Plan {
        of(crate::rpc::method(name).expect("method exists"))
    }

    #[test]
    fn kinds_come_from_the_method_schemas() {
        let create = plan("subscription.create");
        assert_eq!(create.data.get("START_DATE"), Some(&Kind::DateTime));
        assert_eq!(create.data.get("X_ATTRIBUTES"), Some(&Kind::Free));
        assert!(matches!(create.data.get("ADDONS"), Some(Kind::List(_))));
        assert_eq!(create.data.get("CUSTOMER_ID"), Some(&Kind::Plain));
        assert_eq!(create.list_key, None);
        assert_eq!(plan("subscription.get").list_key.as_deref(), Some("SUBSCRIPTIONS"));
        assert_eq!(plan("customer.get").list_key.as_deref(), Some("CUSTOMERS"));
        assert_eq!(plan("article.create").data.get("SUBSCRIPTION_TRIAL"), Some(&Kind::Interval));
        assert!(plan("customer.update").data.get("CUSTOMER_ID").is_some());
    }
}
