//! `key.*` handlers (admin scope).

use serde_json::json;

use super::Reply;
use super::envelope::Envelope;
use super::wire::{self, reply};
use crate::error::{AppError, AppResult};
use crate::service::keys::{self, KeyScope};
use crate::service::{ReadCtx, WriteCtx};

/// `key.create`: the key text is in this answer and nowhere else, ever.
pub async fn create(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let scope = match env.data.text("SCOPE")? {
        None => KeyScope::Default,
        Some(text) => KeyScope::parse(&text).ok_or_else(|| AppError::invalid("SCOPE", "must be default or admin"))?,
    };
    let note = env.data.text("NOTE")?;
    env.finish()?;
    let key = keys::create(ctx, scope, note.as_deref()).await?;
    if ctx.dry_run {
        return reply(&json!({ "STATUS": "success", "KEY_ID": null, "API_KEY": null, "SCOPE": scope.as_str() }));
    }
    reply(&json!({ "STATUS": "success", "KEY_ID": key.key_id, "API_KEY": key.plain.expose(), "SCOPE": scope.as_str() }))
}

/// `key.get`: hints only; secrets are never stored.
pub async fn get(ctx: &ReadCtx, env: &mut Envelope) -> AppResult<Reply> {
    env.finish()?;
    let rows = keys::list(ctx, env.limit(), env.offset()).await?;
    let list: Vec<_> = rows
        .iter()
        .map(|k| {
            json!({
                "KEY_ID": k.id,
                "SCOPE": k.scope,
                "NOTE": k.note,
                "HINT": k.hint,
                "CREATED": wire::datetime(k.created),
                "REVOKED": wire::opt_datetime(k.revoked),
            })
        })
        .collect();
    wire::list("KEYS", &list)
}

/// `key.revoke`: evicts the key from this process's cache once committed.
pub async fn revoke(ctx: &WriteCtx, env: &mut Envelope) -> AppResult<Reply> {
    let key_id = env.data.require_id("KEY_ID")?;
    env.finish()?;
    keys::revoke(ctx, key_id).await?;
    let state = ctx.state.clone();
    ctx.after_commit.push(move || state.keys.evict(key_id));
    wire::success()
}
