//! `rpc.discover` (API.md section 14): the OpenRPC 1.3 document of every
//! method, generated from the method table and the methods' own params and
//! reply types, so it cannot describe anything but what is served.

use std::any::TypeId;

use schemars::generate::{Contract, SchemaSettings};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::params::NoTags;
use super::table::{Method, MethodSpec, Mode, Schemas};
use crate::error::AppError;

/// Where shared schemas live in the document (`$ref`s point there).
const COMPONENTS: &str = "/components/schemas";

/// The schemas of method `M` (params in the deserialize contract, the reply
/// in the serialize contract).
pub fn describe<M: Method>(generator: &mut SchemaGenerator) -> Schemas {
    let tags = |generator: &mut SchemaGenerator, id: TypeId, schema: fn(&mut SchemaGenerator) -> Schema| {
        (id != TypeId::of::<NoTags>()).then(|| schema(generator))
    };
    let filter = tags(generator, TypeId::of::<M::Filter>(), |g| g.subschema_for::<M::Filter>());
    let data = tags(generator, TypeId::of::<M::Data>(), |g| g.subschema_for::<M::Data>());
    let mut replies = settings(Contract::Serialize).into_generator();
    let reply = replies.subschema_for::<M::Reply>();
    let reply = merge_reply_definitions(generator, replies.take_definitions(true), reply);
    Schemas { filter, data, reply }
}

/// Adds a reply's definitions to the document's. Replies are generated one method at a time, so
/// two reply types of one name (`coupon::CreateReply`, `customer::CreateReply`) would otherwise
/// share the first one's schema: a name taken by a different schema gets a number, and the
/// reply's references follow it.
fn merge_reply_definitions(generator: &mut SchemaGenerator, definitions: Map<String, Value>, reply: Schema) -> Schema {
    let mut renames: Vec<(String, String)> = Vec::new();
    for (name, schema) in &definitions {
        let taken = |candidate: &str| generator.definitions().get(candidate).map(|existing| existing != schema);
        if taken(name) != Some(true) {
            continue;
        }
        let free = (2..).map(|n| format!("{name}{n}")).find(|c| taken(c) != Some(true) && !definitions.contains_key(c));
        if let Some(free) = free {
            renames.push((name.clone(), free));
        }
    }
    let rename = |mut value: Value| {
        rewrite_refs(&mut value, &renames);
        value
    };
    for (name, schema) in definitions {
        let name = renames.iter().find(|(old, _)| *old == name).map_or(name, |(_, new)| new.clone());
        generator.definitions_mut().entry(name).or_insert(rename(schema));
    }
    Schema::try_from(rename(reply.clone().to_value())).unwrap_or(reply)
}

/// Points `$ref`s to a renamed definition at its new name.
fn rewrite_refs(value: &mut Value, renames: &[(String, String)]) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get_mut("$ref")
                && let Some(name) = target.strip_prefix(&format!("#{COMPONENTS}/"))
                && let Some((_, new)) = renames.iter().find(|(old, _)| old == name)
            {
                *target = format!("#{COMPONENTS}/{new}");
            }
            map.values_mut().for_each(|v| rewrite_refs(v, renames));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, renames)),
        _ => {}
    }
}

fn settings(contract: Contract) -> SchemaSettings {
    SchemaSettings::draft07().with(|s| {
        s.definitions_path = COMPONENTS.into();
        s.contract = contract;
        s.meta_schema = None;
    })
}

/// The whole OpenRPC document for `methods`.
pub fn document<'a>(methods: impl Iterator<Item = &'a MethodSpec>) -> Value {
    let mut generator = settings(Contract::Deserialize).into_generator();
    let methods: Vec<Value> = methods.map(|spec| method(spec, &mut generator)).collect();
    let components = Value::Object(generator.take_definitions(true).into_iter().collect());
    json!({
        "openrpc": "1.3.2",
        "info": {
            "title": "recur",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Subscription billing behind one JSON-RPC 2.0 endpoint. Params are one object (by name): FILTER, DATA, LIMIT, OFFSET, IDEMPOTENCY_KEY, DRY_RUN; the result is the RESPONSE object.",
        },
        "methods": methods,
        "components": { "schemas": components },
    })
}

fn method(spec: &MethodSpec, generator: &mut SchemaGenerator) -> Value {
    let schemas = (spec.describe)(generator);
    let mut params = Vec::new();
    let mut tags = |name: &str, schema: Option<Schema>| {
        if let Some(schema) = schema {
            let required = schema.get("required").and_then(Value::as_array).is_some_and(|r| !r.is_empty())
                || referenced_requires(&schema, generator);
            params.push(json!({ "name": name, "required": required, "schema": schema }));
        }
    };
    tags("FILTER", schemas.filter);
    tags("DATA", schemas.data);
    match spec.mode {
        Mode::Read => {
            params.push(envelope(
                "LIMIT",
                "Page size, 1 to the server's max_limit (1000 by default).",
                json!({"type": ["integer", "string"], "minimum": 1, "default": 10}),
            ));
            params.push(envelope(
                "OFFSET",
                "Rows to skip.",
                json!({"type": ["integer", "string"], "minimum": 0, "default": 0}),
            ));
        }
        Mode::Write | Mode::Action => {
            params.push(envelope(
                "IDEMPOTENCY_KEY",
                "Makes the write safe to retry (API.md section 6).",
                json!({"type": "string", "minLength": 1, "maxLength": 255}),
            ));
            params.push(envelope(
                "DRY_RUN",
                "Validate and compute everything, change nothing.",
                json!({"type": ["boolean", "integer", "string"]}),
            ));
        }
    }
    json!({
        "name": spec.name,
        "summary": spec.summary,
        "paramStructure": "by-name",
        "params": params,
        "result": { "name": "RESPONSE", "schema": schemas.reply },
        "errors": errors(spec),
        "x-scope": spec.scope.as_str(),
        "x-writes": spec.writes(),
    })
}

/// True when `schema` is a `$ref` to a component that has required tags.
fn referenced_requires(schema: &Schema, generator: &SchemaGenerator) -> bool {
    let Some(name) = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()) else {
        return false;
    };
    generator
        .definitions()
        .get(name)
        .and_then(|d| d.get("required"))
        .and_then(Value::as_array)
        .is_some_and(|r| !r.is_empty())
}

fn envelope(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "description": description, "required": false, "schema": schema })
}

/// The error codes a method can answer: the common ones and its own.
fn errors(spec: &MethodSpec) -> Vec<Value> {
    let mut codes = vec![-32600, -32601, -32602, -32603, 1001, 1029];
    if spec.scope == super::table::Scope::Admin {
        codes.push(1003);
    }
    if spec.writes() {
        codes.extend([1010, 1011]);
    }
    codes.extend(spec.errors.iter().copied());
    codes.sort_unstable();
    codes.dedup();
    codes.into_iter().map(|code| json!({ "code": code, "message": AppError::meaning(code) })).collect()
}

/// The reply of `rpc.discover`: the document itself.
#[derive(Serialize)]
#[serde(transparent)]
pub struct Document(pub Value);

impl JsonSchema for Document {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "OpenRpcDocument".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "An OpenRPC 1.3 document (https://spec.open-rpc.org).",
            "type": "object",
            "required": ["openrpc", "info", "methods"]
        })
    }
}

/// Members of a JSON object value (for tests and tools).
pub fn object(value: &Value) -> Option<&Map<String, Value>> {
    value.as_object()
}
