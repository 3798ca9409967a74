//! The JSON-RPC layer: the method table, envelope parsing, typed params and
//! replies, error objects. Knows no SQL; handlers decode, call a service and
//! map the result.
//!
//! Each namespace file exports its slice of the method table (`METHODS`);
//! [`Namespace`] concatenates them, so adding a namespace is one file and one
//! arm here.

pub mod discover;
pub mod dispatch;
pub mod envelope;
pub mod errors;
pub mod fastbill;
pub mod json;
pub mod middleware;
pub mod params;
pub mod screen;
pub mod table;
pub mod values;
pub mod wire;

mod article;
mod billing;
mod blacklist;
mod consumption;
mod coupon;
mod credit_note;
mod customer;
mod document;
mod dunning;
mod invoice;
mod invoice_items;
mod invoice_manual;
mod invoice_wire;
mod key;
mod mail;
mod payment;
mod payment_method;
mod securelink;
mod subscription;
mod system;
mod tenant;
pub mod webhook;

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::value::RawValue;

pub use table::{MethodSpec, Mode, Scope};

/// A handler's answer: the RESPONSE object, already serialized.
pub type Reply = Box<RawValue>;

/// The namespaces of the method table, in the order `rpc.discover` lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Namespace {
    System,
    Customer,
    Article,
    Subscription,
    SubscriptionChange,
    SubscriptionPause,
    SubscriptionLife,
    SubscriptionQuote,
    Usage,
    SubscriptionDiscount,
    Coupon,
    SecureLink,
    Invoice,
    InvoiceManual,
    Payment,
    PaymentMethod,
    CreditNote,
    Consumption,
    Dunning,
    Mail,
    Billing,
    Key,
    Tenant,
    Document,
    Webhook,
    Blacklist,
}

impl Namespace {
    /// Every namespace.
    pub const ALL: [Namespace; 26] = [
        Namespace::System,
        Namespace::Customer,
        Namespace::Article,
        Namespace::Subscription,
        Namespace::SubscriptionChange,
        Namespace::SubscriptionPause,
        Namespace::SubscriptionLife,
        Namespace::SubscriptionQuote,
        Namespace::Usage,
        Namespace::SubscriptionDiscount,
        Namespace::Coupon,
        Namespace::SecureLink,
        Namespace::Invoice,
        Namespace::InvoiceManual,
        Namespace::Payment,
        Namespace::PaymentMethod,
        Namespace::CreditNote,
        Namespace::Consumption,
        Namespace::Dunning,
        Namespace::Mail,
        Namespace::Billing,
        Namespace::Key,
        Namespace::Tenant,
        Namespace::Document,
        Namespace::Webhook,
        Namespace::Blacklist,
    ];

    /// The namespace's slice of the method table.
    pub fn methods(self) -> &'static [MethodSpec] {
        match self {
            Namespace::System => system::METHODS,
            Namespace::Customer => customer::METHODS,
            Namespace::Article => article::METHODS,
            Namespace::Subscription => subscription::METHODS,
            Namespace::SubscriptionChange => subscription::change::METHODS,
            Namespace::SubscriptionPause => subscription::pause::METHODS,
            Namespace::SubscriptionLife => subscription::life::METHODS,
            Namespace::SubscriptionQuote => subscription::quote::METHODS,
            Namespace::Usage => subscription::usage::METHODS,
            Namespace::SubscriptionDiscount => subscription::discount::METHODS,
            Namespace::Coupon => coupon::METHODS,
            Namespace::SecureLink => securelink::METHODS,
            Namespace::Invoice => invoice::METHODS,
            Namespace::InvoiceManual => invoice_manual::METHODS,
            Namespace::Payment => payment::METHODS,
            Namespace::PaymentMethod => payment_method::METHODS,
            Namespace::CreditNote => credit_note::METHODS,
            Namespace::Consumption => consumption::METHODS,
            Namespace::Dunning => dunning::METHODS,
            Namespace::Mail => mail::METHODS,
            Namespace::Billing => billing::METHODS,
            Namespace::Key => key::METHODS,
            Namespace::Tenant => tenant::METHODS,
            Namespace::Document => document::METHODS,
            Namespace::Webhook => webhook::METHODS,
            Namespace::Blacklist => blacklist::METHODS,
        }
    }
}

/// Every method of the gateway.
pub fn methods() -> impl Iterator<Item = &'static MethodSpec> {
    Namespace::ALL.into_iter().flat_map(Namespace::methods)
}

/// The spec of a method by name.
pub fn method(name: &str) -> Option<&'static MethodSpec> {
    static BY_NAME: LazyLock<HashMap<&'static str, &'static MethodSpec>> =
        LazyLock::new(|| methods().map(|m| (m.name, m)).collect());
    BY_NAME.get(name).copied()
}

/// The name of every method of the table, in table order (tests generate
/// their per-method checks from it, so a new method cannot escape them).
pub fn method_names() -> Vec<&'static str> {
    methods().map(|m| m.name).collect()
}

/// The OpenRPC document of every method (`rpc.discover`).
pub fn openrpc() -> serde_json::Value {
    discover::document(methods())
}
