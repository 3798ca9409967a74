//! The one conversion of an [`AppError`] into the JSON-RPC error object:
//! `{"code","message","data":{"ERRORS":[..],"TAG":..}}` (API.md section 4).
//! Internal errors answer a generic message; their cause is logged, never sent.

use jsonrpsee::types::ErrorObjectOwned;
use serde_json::json;

use crate::error::AppError;

impl From<AppError> for ErrorObjectOwned {
    fn from(err: AppError) -> ErrorObjectOwned {
        let message = err.to_string();
        let mut data = json!({ "ERRORS": [&message] });
        if let Some(tag) = err.tag() {
            data["TAG"] = json!(tag);
        }
        ErrorObjectOwned::owned(err.code(), message, Some(data))
    }
}

/// The error object of a code and message jsonrpsee or the HTTP layer answers
/// on its own (parse errors, unknown methods, oversized bodies), with the same
/// `data.ERRORS` as every other error.
pub fn object(code: i32, message: &str) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(code, message.to_owned(), Some(json!({ "ERRORS": [message] })))
}
