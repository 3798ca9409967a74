//! The integration suite: every test starts the real gateway on 127.0.0.1:0
//! with a fresh database and calls it over HTTP by literal method names.

#[path = "../common/document_checkers.rs"]
mod document_checkers;
mod fixtures;
mod helpers;
/// The exact money and calendar model shared with `tests/props`.
#[allow(dead_code)]
#[path = "../props/oracle.rs"]
mod oracle;

mod article;
mod balance_props;
mod batch;
mod billing;
mod blacklist;
mod browser;
mod changes;
mod concurrency;
mod consumptions;
mod coupons;
mod credit_notes;
mod credit_terminate;
mod customer;
mod discount_props;
mod discounts;
mod discover;
mod document_checks;
mod document_discounts;
mod documents;
mod dunning;
mod fastbill;
mod fastbill_clients;
mod fastbill_customer;
mod fastbill_fixtures;
mod fastbill_shape;
mod gateway;
mod hosted;
mod idempotency;
mod isolation;
mod keys;
mod mail;
mod mail_pdf;
mod manual_invoices;
mod operations;
mod out_of_range;
mod pauses;
mod payment_methods;
mod payments;
mod processes;
mod proration;
mod protocol;
mod races;
mod served;
mod storage;
mod subscription;
mod subscription_pages;
mod tenant;
mod types;
mod usage_timeline;
mod webhooks;
mod webhooks_crash;
mod webhooks_disable;
mod webhooks_fastbill;
mod webhooks_life;
mod webhooks_money;
mod webhooks_processes;
mod webhooks_window;
mod wire_props;
