//! FastBill renderings of read replies, remembered. Turning a reply into FastBill's shape parses
//! it, moves its datetimes into the tenant's time zone and writes it again: a quarter of the cost
//! of a cached `subscription.get`. The rendering is a pure function of the service, the zone and
//! the reply text, so it is kept under exactly those (no invalidation needed: a changed object is
//! a different reply text). Bounded: full, it starts over.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, RwLock};

use chrono_tz::Tz;

/// Most renderings kept (each about twice its reply's size).
const MAX_ENTRIES: usize = 20_000;

/// Replies longer than this are rendered every time (lists, pages).
const MAX_REPLY_BYTES: usize = 16 * 1024;

/// A rendering with what it was made from (compared on a hit, so a hash collision cannot mix up
/// two replies).
struct Entry {
    service: String,
    zone: Tz,
    reply: Box<str>,
    rendered: Arc<str>,
}

static RENDERED: RwLock<Option<HashMap<u64, Entry>>> = RwLock::new(None);

fn key(service: &str, zone: Tz, reply: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    (service, zone.name(), reply).hash(&mut hasher);
    hasher.finish()
}

/// The rendering of `reply` for `service` in `zone`: remembered, or made by `render` (which answers
/// `None` when the reply cannot be rendered; that is not remembered). A hit copies nothing.
pub fn rendered(service: &str, zone: Tz, reply: &str, render: impl FnOnce() -> Option<String>) -> Option<Arc<str>> {
    if reply.len() > MAX_REPLY_BYTES {
        return render().map(Arc::from);
    }
    let key = key(service, zone, reply);
    if let Ok(memo) = RENDERED.read()
        && let Some(e) = memo.as_ref().and_then(|m| m.get(&key))
        && e.zone == zone
        && *e.service == *service
        && *e.reply == *reply
    {
        return Some(e.rendered.clone());
    }
    let rendered: Arc<str> = Arc::from(render()?);
    if let Ok(mut memo) = RENDERED.write() {
        let memo = memo.get_or_insert_with(HashMap::new);
        if memo.len() >= MAX_ENTRIES {
            memo.clear();
        }
        let entry = Entry { service: service.to_owned(), zone, reply: reply.into(), rendered: rendered.clone() };
        memo.insert(key, entry);
    }
    Some(rendered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rendering_is_made_once_per_service_zone_and_reply() {
        let mut made = 0;
        let mut render = |text: &str| {
            made += 1;
            Some(text.to_uppercase())
        };
        let berlin = chrono_tz::Europe::Berlin;
        let first = rendered("memo.test", berlin, "{\"a\":1}", || render("x"));
        let again = rendered("memo.test", berlin, "{\"a\":1}", || render("y"));
        assert_eq!((first.as_deref(), again.as_deref()), (Some("X"), Some("X")));
        let other_zone = rendered("memo.test", chrono_tz::UTC, "{\"a\":1}", || render("z"));
        assert_eq!(other_zone.as_deref(), Some("Z"));
        assert_eq!(made, 2);
    }
}
