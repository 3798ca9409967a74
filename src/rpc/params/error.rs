//! The error of decoding params: a message and the tag path it is about.

use std::fmt::Display;

use serde::de;

/// Why params did not decode; `tag` is the full tag path when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub tag: Option<String>,
    pub message: String,
    /// Set for errors about a missing required tag, filled in by the struct that misses it.
    pub(super) missing: Option<&'static str>,
}

impl DecodeError {
    pub(super) fn at(mut self, tag: String) -> Self {
        if self.tag.is_none() {
            self.tag = Some(tag);
        }
        self
    }
}

impl Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.tag {
            Some(tag) => write!(f, "{tag}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<T: Display>(msg: T) -> Self {
        DecodeError { tag: None, message: msg.to_string(), missing: None }
    }

    fn missing_field(field: &'static str) -> Self {
        DecodeError { tag: None, message: "required".into(), missing: Some(field) }
    }

    fn unknown_field(field: &str, _expected: &'static [&'static str]) -> Self {
        DecodeError { tag: Some(field.to_owned()), message: "unknown tag".into(), missing: None }
    }

    fn invalid_type(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        DecodeError::custom(format!("expected {expected}, got {unexpected}"))
    }
}
