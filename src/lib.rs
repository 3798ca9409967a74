//! recur: subscription billing behind one JSON-RPC 2.0 endpoint.
//!
//! Data flows one way: `http` (auth, routing) -> `rpc` (envelope, tags, errors)
//! -> `service` (one use case, one transaction) -> `domain` (pure rules) ->
//! `entity` (rows).

pub mod app;
pub mod auth;
pub mod bench;
pub mod billing;
pub mod cache;
pub mod clock;
pub mod config;
pub mod db;
pub mod document;
pub mod domain;
pub mod error;
pub mod hosted;
pub mod http;
pub mod mail;
pub mod metrics;
pub mod rate_limit;
pub mod rpc;
pub mod service;
pub mod telemetry;
pub mod webhook;

pub use app::App;
