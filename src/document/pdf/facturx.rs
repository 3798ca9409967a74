//! Factur-X: the CII XML as the embedded file `factur-x.xml` (AFRelationship Alternative, listed in
//! the catalog's `/AF`, as PDF/A-3 requires), and the Factur-X XMP properties with their PDF/A extension
//! schema.
//!
//! krilla writes the XMP packet itself and has no way to add properties to it, so the Factur-X
//! properties are added by a PDF incremental update (ISO 32000-1, 7.5.6; allowed by PDF/A): the packet
//! krilla wrote, with the `fx:` properties and their schema added to krilla's `pdfaExtension:schemas`
//! bag, is appended as a new revision of the same metadata object, followed by an xref section for that
//! one object and a trailer that points back (`/Prev`) to krilla's. Readers use the newest revision;
//! the bytes stay a pure function of the input.

use krilla::Document;
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::metadata::DateTime as PdfDateTime;

use crate::document::DocumentError;

/// The attachment name Factur-X and ZUGFeRD 2.x readers look for.
pub const FILE_NAME: &str = "factur-x.xml";

/// Embeds `xml` as `factur-x.xml`.
pub fn embed(document: &mut Document, xml: Vec<u8>, date: PdfDateTime) -> Result<(), DocumentError> {
    let file = EmbeddedFile {
        path: FILE_NAME.to_owned(),
        mime_type: MimeType::new("text/xml"),
        description: Some("Factur-X / EN 16931 CII invoice".to_owned()),
        association_kind: AssociationKind::Alternative,
        data: xml.into(),
        modification_date: Some(date),
        compress: Some(true),
        location: None,
    };
    document.embed_file(file).ok_or_else(|| DocumentError::Pdf("factur-x.xml embedded twice".into()))
}

const FX_PROPERTIES: &str = r#"<rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"><fx:DocumentType>{type}</fx:DocumentType><fx:DocumentFileName>factur-x.xml</fx:DocumentFileName><fx:Version>1.0</fx:Version><fx:ConformanceLevel>EN 16931</fx:ConformanceLevel></rdf:Description>"#;

/// The `pdfaExtension:schemas` entry that declares the `fx` properties (PDF/A forbids undeclared ones).
const FX_SCHEMA: &str = r#"<rdf:li rdf:parseType="Resource"><pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema><pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI><pdfaSchema:prefix>fx</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq>{properties}</rdf:Seq></pdfaSchema:property></rdf:li>"#;

/// A whole extension-schema description, for a packet that has none yet.
const FX_SCHEMAS: &str = r#"<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"><pdfaExtension:schemas><rdf:Bag>{schema}</rdf:Bag></pdfaExtension:schemas></rdf:Description>"#;

const FX_PROPERTY: &str = r#"<rdf:li rdf:parseType="Resource"><pdfaProperty:name>{name}</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>{description}</pdfaProperty:description></rdf:li>"#;

/// Where krilla's PDF/A extension schemas end: the Factur-X schema joins that bag, since a second
/// `pdfaExtension:schemas` property would not be valid PDF/A XMP.
const SCHEMAS_END: &str = "</rdf:Bag></pdfaExtension:schemas>";

/// `packet` with the Factur-X properties and their extension schema. The document type is INVOICE for
/// credit notes too (Factur-X knows INVOICE and, for Order-X, ORDER).
fn with_factur_x(packet: &str) -> Result<String, DocumentError> {
    let properties: String = [
        ("DocumentFileName", "The name of the embedded XML document"),
        ("DocumentType", "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"),
        ("Version", "The actual version of the standard applying to the embedded XML document"),
        ("ConformanceLevel", "The conformance level of the embedded XML document"),
    ]
    .iter()
    .map(|(name, description)| FX_PROPERTY.replace("{name}", name).replace("{description}", description))
    .collect();
    let schema = FX_SCHEMA.replace("{properties}", &properties);
    let close = packet.rfind("</rdf:RDF>").ok_or_else(|| malformed("no rdf:RDF"))?;
    let (mut head, tail) = (packet[..close].to_owned(), &packet[close..]);
    match head.rfind(SCHEMAS_END) {
        Some(end) => head.insert_str(end, &schema),
        None => head.push_str(&FX_SCHEMAS.replace("{schema}", &schema)),
    }
    Ok(format!("{head}{}{tail}", FX_PROPERTIES.replace("{type}", "INVOICE")))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

fn malformed(what: &str) -> DocumentError {
    DocumentError::Pdf(format!("cannot add the Factur-X XMP: {what}"))
}

/// The object number of the `/Type /Metadata` stream and the XMP packet it holds.
fn metadata_object(pdf: &[u8]) -> Result<(u32, &[u8]), DocumentError> {
    let start = find(pdf, b"<?xpacket begin").ok_or_else(|| malformed("no XMP packet"))?;
    let end_tag = find(&pdf[start..], b"<?xpacket end=").ok_or_else(|| malformed("unterminated XMP packet"))? + start;
    let end = find(&pdf[end_tag..], b"?>").ok_or_else(|| malformed("unterminated XMP packet"))? + end_tag + 2;
    let header = rfind(&pdf[..start], b" 0 obj").ok_or_else(|| malformed("no metadata object"))?;
    let line_start = rfind(&pdf[..header], b"\n").map_or(0, |i| i + 1);
    let number = std::str::from_utf8(&pdf[line_start..header])
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| malformed("metadata object number"))?;
    Ok((number, &pdf[start..end]))
}

/// The last trailer dictionary (without its closing `>>`) and the offset of the last xref section.
fn last_trailer(pdf: &[u8]) -> Result<(String, usize), DocumentError> {
    let trailer = rfind(pdf, b"trailer").ok_or_else(|| malformed("no trailer"))?;
    let startxref = rfind(pdf, b"startxref").ok_or_else(|| malformed("no startxref"))?;
    let dict = std::str::from_utf8(&pdf[trailer + b"trailer".len()..startxref]).map_err(|_| malformed("trailer"))?;
    let dict = dict.trim().strip_suffix(">>").ok_or_else(|| malformed("trailer dictionary"))?;
    let prev = std::str::from_utf8(&pdf[startxref + b"startxref".len()..])
        .ok()
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| malformed("startxref offset"))?;
    Ok((dict.to_owned(), prev))
}

/// `pdf` with a new revision of its metadata stream that carries the Factur-X properties.
pub fn add_xmp(mut pdf: Vec<u8>) -> Result<Vec<u8>, DocumentError> {
    let (number, packet) = metadata_object(&pdf)?;
    let packet = std::str::from_utf8(packet).map_err(|_| malformed("XMP is not UTF-8"))?;
    let xmp = with_factur_x(packet)?;
    let (trailer, prev) = last_trailer(&pdf)?;

    if pdf.last() != Some(&b'\n') {
        pdf.push(b'\n');
    }
    let object_offset = pdf.len();
    pdf.extend_from_slice(
        format!("{number} 0 obj\n<</Type/Metadata/Subtype/XML/Length {}>>\nstream\n", xmp.len()).as_bytes(),
    );
    pdf.extend_from_slice(xmp.as_bytes());
    pdf.extend_from_slice(b"\nendstream\nendobj\n");
    let xref_offset = pdf.len();
    let update = format!(
        "xref\n0 1\n0000000000 65535 f\r\n{number} 1\n{object_offset:010} 00000 n\r\ntrailer\n{}/Prev {prev}>>\nstartxref\n{xref_offset}\n%%EOF\n",
        trailer.trim_end()
    );
    pdf.extend_from_slice(update.as_bytes());
    Ok(pdf)
}
