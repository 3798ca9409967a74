//! Webhook delivery, the self-contained core (API.md sections 12 and 13): what
//! is sent, how it is signed, where it may go, how one attempt is made and
//! when the next one is due. No database here: the outbox, the deliveries
//! table, the worker loop and the `webhook.*` methods sit on top of this.
//!
//! One attempt, as the worker makes it:
//!
//! ```text
//! event row  --events::public_type-->  EventType  --EventFilter::matches-->  endpoint
//!   --format::recur / fastbill::body-->  Body (bytes, built once per event and format)
//!   --sign::headers(signing_secrets(..), msg_id, wall-clock ts, body)-->  SignedHeaders
//!   --Client::send(Outgoing { target, allow_private, headers, body })-->  Attempt
//!   --schedule::after_attempt(n, tenant now, &attempt, delivery id)-->  Next
//! ```
//!
//! Imports only `crate::config` (and no clock: times are passed in).

pub mod attempt;
pub mod client;
pub mod connect;
pub mod events;
pub mod fastbill;
pub mod format;
pub mod ip;
pub mod schedule;
pub mod sign;
pub mod target;

pub use attempt::{Attempt, Outcome};
pub use client::{Client, Outgoing};
pub use events::{EventFilter, EventType, Subject};
pub use format::{Body, Event, Format};
pub use schedule::Next;
pub use sign::{Secret, SignedHeaders};
pub use target::{Target, TargetError};
