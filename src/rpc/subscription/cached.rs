//! `subscription.get` answered from the object cache (see `cache`): one id, or a page of all the
//! tenant's subscriptions. A page is a slice of the tenant's id list (read once per cache epoch),
//! so OFFSET costs nothing; its objects are served serialized, and only those not cached are read.

use std::sync::Arc;

use serde_json::value::RawValue;

use super::wire::SubscriptionOut;
use crate::db::scope::Scope;
use crate::error::{AppError, AppResult};
use crate::rpc::table::ReadCx;
use crate::rpc::wire::List;
use crate::service::subscription::{self as service, SubscriptionFilter};

/// Tenants with more subscriptions than this page with OFFSET in the database instead (an id list
/// of this size is 800 KB, read again after every write).
const MAX_LISTED: u64 = 100_000;

/// `subscription.get` of one id.
pub(super) async fn by_id(cx: &ReadCx<'_>, id: i64) -> AppResult<List<SubscriptionOut>> {
    let cache = &cx.app.objects;
    let tenant = cx.tenant.id.get();
    let object = match cache.get(tenant, id) {
        Some(object) => object,
        None => {
            let epoch = cache.epoch();
            let Some(row) = cx.by_id::<entity::subscription::Entity, _>(&cx.db, id).await? else {
                return Ok(List::of(Vec::new()));
            };
            let object = serialize(&row)?;
            cache.put(tenant, id, epoch, object.clone());
            object
        }
    };
    raw_list(std::iter::once(object))
}

/// `subscription.get` without filters: LIMIT subscriptions from OFFSET in id order; `None` when
/// the cache is off or the tenant has too many subscriptions to list.
pub(super) async fn page(cx: &ReadCx<'_>, limit: u64, offset: u64) -> AppResult<Option<List<SubscriptionOut>>> {
    let cache = &cx.app.objects;
    if !cache.enabled() {
        return Ok(None);
    }
    let tenant = cx.tenant.id.get();
    let ids = match cache.ids(tenant) {
        Some(ids) => ids,
        None => {
            let epoch = cache.epoch();
            let Some(all) = service::all_ids(cx, MAX_LISTED).await? else { return Ok(None) };
            let ids: Arc<[i64]> = all.into();
            cache.put_ids(tenant, epoch, ids.clone());
            ids
        }
    };
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(ids.len());
    let end = start.saturating_add(usize::try_from(limit).unwrap_or(usize::MAX)).min(ids.len());
    let wanted = &ids[start..end];
    let mut objects: Vec<Option<Arc<str>>> = wanted.iter().map(|id| cache.get(tenant, *id)).collect();
    let missing: Vec<i64> = wanted.iter().zip(&objects).filter(|(_, o)| o.is_none()).map(|(id, _)| *id).collect();
    if !missing.is_empty() {
        let epoch = cache.epoch();
        let count = missing.len() as u64;
        let filter = SubscriptionFilter { subscription_ids: Some(missing), ..SubscriptionFilter::default() };
        for row in service::find(cx, filter, count, 0).await? {
            let object = serialize(&row)?;
            cache.put(tenant, row.id, epoch, object.clone());
            if let Some(slot) = wanted.iter().position(|id| *id == row.id) {
                objects[slot] = Some(object);
            }
        }
    }
    raw_list(objects.into_iter().flatten()).map(Some)
}

fn serialize(row: &entity::subscription::Model) -> AppResult<Arc<str>> {
    let text = serde_json::to_string(&SubscriptionOut::from(row)?).map_err(AppError::internal)?;
    Ok(text.into())
}

/// `{"SUBSCRIPTIONS": [...]}` of serialized objects, without parsing them again.
fn raw_list(objects: impl Iterator<Item = Arc<str>>) -> AppResult<List<SubscriptionOut>> {
    let mut text = String::from("{\"SUBSCRIPTIONS\":[");
    for (i, object) in objects.enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&object);
    }
    text.push_str("]}");
    let raw = RawValue::from_string(text).map_err(AppError::internal)?;
    Ok(List::Raw(raw, std::marker::PhantomData))
}
