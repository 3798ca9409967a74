//! Screening a JSON-RPC body before jsonrpsee reads it (API.md sections 2 and 4).
//!
//! jsonrpsee accepts only unsigned integers and strings as ids, treats every
//! other id as a notification (the call runs and nothing answers), answers
//! JSON that is not a request with -32700, and writes its own error objects
//! without `data.ERRORS`. Here the body is read once with the exact JSON
//! reader; what is not a request answers -32600 at once, a batch entry that is
//! not a request is replaced by a placeholder call that the answer turns back
//! into -32600, and an id jsonrpsee cannot carry (negative, fraction,
//! exponent, `-0`, beyond u64) travels as a token string that the answer turns
//! back into the id exactly as sent. Bodies that need none of this are
//! forwarded untouched.

use rand::RngCore;
use serde_json::{Value, json};

use super::json::{self, Json, JsonError};

/// What to do with a body.
pub enum Screened {
    /// Hand `body` to jsonrpsee; if `restore` is set, mend the answer with it.
    Forward { body: Vec<u8>, restore: Option<Restore> },
    /// Answer this JSON at once (HTTP 200); nothing runs.
    Answer(String),
}

/// How to turn jsonrpsee's answer back into the answer to what was sent.
pub struct Restore {
    nonce: String,
    /// Original id text of each rewritten id, by token number.
    ids: Vec<String>,
    /// Token numbers of placeholder entries, with the id each error answers.
    invalid: Vec<(usize, Value)>,
}

/// The JSON-RPC error object with the `data.ERRORS` every error carries.
pub fn error_body(id: &Value, code: i32, message: &str) -> String {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message, "data": {"ERRORS": [message]}}})
        .to_string()
}

/// The method a placeholder entry calls (it does not exist, so it runs nothing).
const PLACEHOLDER_METHOD: &str = "rpc.invalid-request";

/// Screens `body`; `max_depth` is the deepest nesting a request may have.
pub fn screen(body: &[u8], max_depth: usize) -> Screened {
    let Ok(text) = std::str::from_utf8(body) else {
        return Screened::Answer(error_body(&Value::Null, -32700, "parse error: the body is not UTF-8"));
    };
    // One more level for a batch's list; the envelope checks the params' own depth.
    let value = match json::parse(text, max_depth + 1) {
        Ok(value) => value,
        Err(JsonError::TooDeep(_)) => {
            let message = format!("invalid request: JSON nested deeper than {max_depth} levels");
            return Screened::Answer(error_body(&Value::Null, -32600, &message));
        }
        Err(JsonError::Syntax(_)) => return Screened::Answer(error_body(&Value::Null, -32700, "parse error")),
    };
    match value {
        Json::Object(members) => single(body, members),
        Json::Array(items) if items.is_empty() => {
            Screened::Answer(error_body(&Value::Null, -32600, "invalid request: an empty batch"))
        }
        Json::Array(items) => batch(body, items),
        other => {
            let message = format!("invalid request: a {} is not a request object", other.kind());
            Screened::Answer(error_body(&Value::Null, -32600, &message))
        }
    }
}

fn single(body: &[u8], members: Vec<(String, Json)>) -> Screened {
    let mut rewriter = Rewriter::new();
    match check(&members) {
        Err((id, message)) => Screened::Answer(error_body(&id, -32600, &message)),
        Ok(Id::Plain) => Screened::Forward { body: body.to_vec(), restore: None },
        Ok(Id::Odd(text)) => {
            let rewritten = rewriter.with_token(members, text);
            let mut out = String::with_capacity(body.len() + 32);
            rewritten.write_canonical(&mut out);
            Screened::Forward { body: out.into_bytes(), restore: Some(rewriter.done()) }
        }
    }
}

fn batch(body: &[u8], items: Vec<Json>) -> Screened {
    let mut rewriter = Rewriter::new();
    let mut changed = false;
    let mut entries = Vec::with_capacity(items.len());
    for item in items {
        let members = match item {
            Json::Object(members) => members,
            other => {
                changed = true;
                let message = format!("invalid request: a {} is not a request object", other.kind());
                entries.push(rewriter.placeholder(Value::Null, message));
                continue;
            }
        };
        match check(&members) {
            Ok(Id::Plain) => entries.push(Json::Object(members)),
            Ok(Id::Odd(text)) => {
                changed = true;
                entries.push(rewriter.with_token(members, text));
            }
            Err((id, message)) => {
                changed = true;
                entries.push(rewriter.placeholder(id, message));
            }
        }
    }
    if !changed {
        return Screened::Forward { body: body.to_vec(), restore: None };
    }
    let mut out = String::with_capacity(body.len() + 64);
    Json::Array(entries).write_canonical(&mut out);
    Screened::Forward { body: out.into_bytes(), restore: Some(rewriter.done()) }
}

/// A request's id as jsonrpsee can or cannot carry it.
enum Id {
    /// Absent, null, a string or an unsigned integer.
    Plain,
    /// A number jsonrpsee would drop: its exact text.
    Odd(String),
}

/// Checks one request object; an error answers -32600 with the id it carries
/// (when it has a readable one) and a message.
fn check(members: &[(String, Json)]) -> Result<Id, (Value, String)> {
    let mut seen: Vec<&str> = Vec::with_capacity(members.len());
    for (key, _) in members {
        if seen.contains(&key.as_str()) {
            return Err((Value::Null, format!("invalid request: member {key:?} given twice")));
        }
        seen.push(key);
    }
    let get = |name: &str| members.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    let id = match get("id") {
        None | Some(Json::Null) => Ok(Id::Plain),
        Some(Json::String(_)) => Ok(Id::Plain),
        Some(Json::Number(n)) if n.bytes().all(|b| b.is_ascii_digit()) && n.parse::<u64>().is_ok() => Ok(Id::Plain),
        Some(Json::Number(n)) => Ok(Id::Odd(n.to_string())),
        Some(other) => {
            Err(format!("invalid request: an id must be a string, a number or null, not a {}", other.kind()))
        }
    };
    let readable_id = match get("id") {
        Some(Json::String(s)) => json!(s),
        Some(Json::Number(n)) => serde_json::from_str(n).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    let id = id.map_err(|m| (Value::Null, m))?;
    if get("jsonrpc") != Some(&Json::String("2.0".into())) {
        return Err((readable_id, "invalid request: \"jsonrpc\" must be \"2.0\"".into()));
    }
    match get("method") {
        Some(Json::String(_)) => {}
        _ => return Err((readable_id, "invalid request: \"method\" must be a string".into())),
    }
    match get("params") {
        None | Some(Json::Null | Json::Object(_) | Json::Array(_)) => Ok(id),
        Some(other) => Err((readable_id, format!("invalid request: params must be an object, not a {}", other.kind()))),
    }
}

struct Rewriter {
    nonce: String,
    ids: Vec<String>,
    invalid: Vec<(usize, Value)>,
    next: usize,
}

impl Rewriter {
    fn new() -> Rewriter {
        let mut bytes = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Rewriter { nonce: hex::encode(bytes), ids: Vec::new(), invalid: Vec::new(), next: 0 }
    }

    fn token(&mut self) -> (usize, String) {
        let n = self.next;
        self.next += 1;
        (n, format!("\u{1}recur-{}-{n}", self.nonce))
    }

    /// The request with its odd id replaced by a token.
    fn with_token(&mut self, members: Vec<(String, Json)>, original: String) -> Json {
        let (n, token) = self.token();
        while self.ids.len() <= n {
            self.ids.push(String::new());
        }
        self.ids[n] = original;
        Json::Object(
            members
                .into_iter()
                .map(|(k, v)| if k == "id" { (k, Json::String(token.clone())) } else { (k, v) })
                .collect(),
        )
    }

    /// A call of a method that does not exist, answered later as -32600.
    fn placeholder(&mut self, id: Value, message: String) -> Json {
        let (n, token) = self.token();
        self.invalid.push((n, json!({"id": id, "message": message})));
        Json::Object(vec![
            ("jsonrpc".into(), Json::String("2.0".into())),
            ("id".into(), Json::String(token)),
            ("method".into(), Json::String(PLACEHOLDER_METHOD.into())),
        ])
    }

    fn done(self) -> Restore {
        Restore { nonce: self.nonce, ids: self.ids, invalid: self.invalid }
    }
}

impl Restore {
    fn token(&self, n: usize) -> String {
        format!("\u{1}recur-{}-{n}", self.nonce)
    }

    /// The answer to what was sent, from jsonrpsee's answer to the screened body.
    pub fn apply(&self, answer: &str) -> String {
        let mut text = answer.to_owned();
        if !self.invalid.is_empty()
            && let Ok(mut value) = serde_json::from_str::<Value>(answer)
        {
            let fix = |entry: &mut Value| {
                for (n, what) in &self.invalid {
                    if entry.get("id").and_then(Value::as_str) == Some(self.token(*n).as_str()) {
                        let message = what["message"].as_str().unwrap_or("invalid request");
                        if let Ok(fixed) = serde_json::from_str(&error_body(&what["id"], -32600, message)) {
                            *entry = fixed;
                        }
                    }
                }
            };
            match &mut value {
                Value::Array(entries) => entries.iter_mut().for_each(fix),
                entry => fix(entry),
            }
            text = value.to_string();
        }
        for (n, original) in self.ids.iter().enumerate() {
            if !original.is_empty() {
                let quoted = serde_json::to_string(&self.token(n)).unwrap_or_default();
                text = text.replace(&quoted, original);
            }
        }
        text
    }
}

#[cfg(test)]
mod tests;
