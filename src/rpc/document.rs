//! `invoice.getdocument` and `template.get` (API.md sections 5 and 11): signed, expiring links to an
//! invoice's PDF, HTML or EN 16931 XML, and the document templates there are.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::{Id, NoTags};
use super::table::{Call, Method, MethodSpec, Read, ReadCx, read};
use super::wire::{self, List, Listed};
use crate::error::{AppError, AppResult};
use crate::service::documents::{self, Format};
use crate::service::links;

/// This namespace's slice of the method table.
pub static METHODS: &[MethodSpec] = &[read::<GetDocument>(), read::<TemplateGet>()];

/// `invoice.getdocument`.
pub struct GetDocument;

/// `DATA` of `invoice.getdocument`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub struct GetDocumentData {
    invoice_id: Id,
    /// `pdf` (default), `html` or `xml` (EN 16931, UN/CEFACT CII).
    format: Option<String>,
}

/// What `invoice.getdocument` answers.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct GetDocumentReply {
    /// Absolute signed link under `/hosted/i/`; anyone holding it may fetch the document until EXPIRES.
    document_url: String,
    /// `RE-2025-00001.pdf`.
    filename: String,
    expires: String,
}

impl Method for GetDocument {
    const NAME: &'static str = "invoice.getdocument";
    const SUMMARY: &'static str = "A signed, expiring link to the invoice's PDF, HTML or EN 16931 XML (FORMAT).";
    const ERRORS: &'static [i32] = &[1004, 1009];
    type Filter = NoTags;
    type Data = GetDocumentData;
    type Reply = GetDocumentReply;
}

impl Read for GetDocument {
    async fn run(cx: ReadCx<'_>, call: Call<NoTags, GetDocumentData>) -> AppResult<GetDocumentReply> {
        let format = match call.data.format.as_deref() {
            None => Format::Pdf,
            Some(text) => Format::parse(text).ok_or_else(|| AppError::invalid("FORMAT", "must be pdf, html or xml"))?,
        };
        // Built (not rendered) to refuse, with 1009 naming the tag, what could not be shown.
        let doc = documents::model(&cx, call.data.invoice_id.0).await?;
        documents::check(&doc)?;
        let tenant = links::tenant(&cx.db, cx.tenant.id).await?;
        let expires = documents::expiry(cx.now, cx.app.settings.hosted.document_link_ttl_hours);
        Ok(GetDocumentReply {
            document_url: documents::url(cx.app, &tenant, (call.data.invoice_id.0, &doc.number), format, expires)?,
            filename: crate::document::file_name(&doc, format.extension()),
            expires: wire::datetime(expires),
        })
    }
}

/// `template.get`.
pub struct TemplateGet;

/// A document template.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct TemplateOut {
    template_id: i64,
    template_name: String,
}

impl Listed for TemplateOut {
    const KEY: &'static str = "TEMPLATES";
}

impl Method for TemplateGet {
    const NAME: &'static str = "template.get";
    const SUMMARY: &'static str =
        "The document templates (FastBill clients list them); recur has one, in German and English.";
    type Filter = NoTags;
    type Data = NoTags;
    type Reply = List<TemplateOut>;
}

impl Read for TemplateGet {
    async fn run(_: ReadCx<'_>, call: Call<NoTags, NoTags>) -> AppResult<List<TemplateOut>> {
        // One built-in template (A4, EN 16931 XML attached); its language follows the customer's LANGUAGE_CODE.
        let all = [TemplateOut { template_id: 1, template_name: "Standard (A4, Factur-X EN 16931)".into() }];
        let offset = usize::try_from(call.offset).unwrap_or(usize::MAX);
        let limit = usize::try_from(call.limit).unwrap_or(usize::MAX);
        Ok(List::of(all.into_iter().skip(offset).take(limit).collect()))
    }
}
