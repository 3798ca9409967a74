//! `invoice.pausedunning`, `invoice.unpausedunning`, `invoice.postpone` (API.md section 10).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::{Id, NoTags, When};
use super::table::{Call, Method, MethodSpec, Write, WriteCx, write};
use super::wire::{self, Success};
use crate::error::AppResult;
use crate::service::dunning as service;

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[write::<PauseDunning>(), write::<UnpauseDunning>(), write::<Postpone>()];

const ERRORS: &[i32] = &[1004, 1009];

/// An invoice's dunning state after the call.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct DunningReply {
    status: Success,
    invoice_id: i64,
    due_date: String,
    dunning_level: i32,
    dunning_paused: bool,
    due_date_postponed: bool,
}

impl DunningReply {
    fn of(row: &entity::invoice::Model) -> DunningReply {
        DunningReply {
            status: Success,
            invoice_id: row.id,
            due_date: wire::datetime(row.due_date),
            dunning_level: row.dunning_level,
            dunning_paused: row.dunning_paused,
            due_date_postponed: row.due_date_postponed,
        }
    }
}

/// `DATA` naming an invoice.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct InvoiceData {
    invoice_id: Id,
}

/// `invoice.pausedunning`.
pub struct PauseDunning;

impl Method for PauseDunning {
    const NAME: &'static str = "invoice.pausedunning";
    const SUMMARY: &'static str = "Holds the invoice's DUNNING_LEVEL where it is until unpaused.";
    const ERRORS: &'static [i32] = ERRORS;
    type Filter = NoTags;
    type Data = InvoiceData;
    type Reply = DunningReply;
}

impl Write for PauseDunning {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, InvoiceData>) -> AppResult<DunningReply> {
        Ok(DunningReply::of(&service::pause(&cx, call.data.invoice_id.0).await?))
    }
}

/// `invoice.unpausedunning`.
pub struct UnpauseDunning;

impl Method for UnpauseDunning {
    const NAME: &'static str = "invoice.unpausedunning";
    const SUMMARY: &'static str = "Resumes dunning from DUE_DATE, catching up at once if a level is due.";
    const ERRORS: &'static [i32] = ERRORS;
    type Filter = NoTags;
    type Data = InvoiceData;
    type Reply = DunningReply;
}

impl Write for UnpauseDunning {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, InvoiceData>) -> AppResult<DunningReply> {
        Ok(DunningReply::of(&service::unpause(&cx, call.data.invoice_id.0).await?))
    }
}

/// `invoice.postpone`.
pub struct Postpone;

/// `DATA` of `invoice.postpone`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct PostponeData {
    invoice_id: Id,
    /// Later than the current DUE_DATE.
    due_date: When,
}

impl Method for Postpone {
    const NAME: &'static str = "invoice.postpone";
    const SUMMARY: &'static str = "Moves DUE_DATE later, once per invoice, and resets DUNNING_LEVEL to 0.";
    const ERRORS: &'static [i32] = ERRORS;
    type Filter = NoTags;
    type Data = PostponeData;
    type Reply = DunningReply;
}

impl Write for Postpone {
    async fn run(cx: WriteCx<'_>, call: Call<NoTags, PostponeData>) -> AppResult<DunningReply> {
        let d = call.data;
        Ok(DunningReply::of(&service::postpone(&cx, d.invoice_id.0, d.due_date.0).await?))
    }
}
