//! sea-orm entities, one file per table. Every table but `tenant` carries
//! `tenant_id`; the root crate's tenant scope is the only way queries reach them.

mod decimal_text;
mod scoped;

pub mod api_key;
pub mod article;
pub mod blacklist_entry;
pub mod consumption;
pub mod counter;
pub mod coupon;
pub mod customer;
pub mod event;
pub mod idempotency_record;
pub mod invoice;
pub mod invoice_item;
pub mod mail_outbox;
pub mod payment;
pub mod payment_method;
pub mod subscription;
pub mod subscription_discount;
pub mod subscription_pause;
pub mod tenant;
pub mod usage_record;
pub mod webhook;
pub mod webhook_attempt;
pub mod webhook_delivery;

pub use decimal_text::DecimalText;
pub use scoped::TenantScoped;
