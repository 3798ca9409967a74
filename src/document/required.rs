//! The fields a document cannot do without (API.md section 11): a tenant without them gets no
//! document (1009 naming the tag), not a half-empty PDF.

use super::model::{Buyer, DocumentKind, InvoiceDocument, Seller, given};

/// The first legally required seller tag that is missing (API.md section 11), as the tag `tenant.update`
/// takes: `SELLER.NAME`, `SELLER.ADDRESS`, `SELLER.ZIPCODE`, `SELLER.CITY`, `SELLER.COUNTRY_CODE`, and
/// `SELLER.VAT_ID` when neither VAT_ID nor TAX_ID is given.
pub fn missing_seller_field(seller: &Seller) -> Option<&'static str> {
    let required = [
        (&seller.name, "SELLER.NAME"),
        (&seller.address, "SELLER.ADDRESS"),
        (&seller.zipcode, "SELLER.ZIPCODE"),
        (&seller.city, "SELLER.CITY"),
        (&seller.country_code, "SELLER.COUNTRY_CODE"),
    ];
    if let Some((_, tag)) = required.iter().find(|(value, _)| value.trim().is_empty()) {
        return Some(tag);
    }
    if given(&seller.vat_id).is_none() && given(&seller.tax_id).is_none() {
        return Some("SELLER.VAT_ID");
    }
    None
}

/// The first buyer field EN 16931 requires that is missing: `BUYER.NAME` (organization or a person's
/// name, BR-7) or `BUYER.COUNTRY_CODE` (BR-11).
pub fn missing_buyer_field(buyer: &Buyer) -> Option<&'static str> {
    if buyer.display_name().is_none() {
        return Some("BUYER.NAME");
    }
    if buyer.country_code.trim().is_empty() {
        return Some("BUYER.COUNTRY_CODE");
    }
    None
}

/// The first field a document cannot do without: a seller tag ([`missing_seller_field`]), a buyer field
/// ([`missing_buyer_field`]), or a credit note's `RELATED_INVOICE_NUMBER` (a correction must name the
/// invoice it corrects, § 14 UStG / BT-25). Every rendering refuses such a document with
/// `DocumentError::Missing`; the service may ask first to answer 1009 with this TAG.
pub fn missing_document_field(doc: &InvoiceDocument) -> Option<&'static str> {
    let unreferenced = doc.kind == DocumentKind::CreditNote && given(&doc.related_invoice_number).is_none();
    missing_seller_field(&doc.seller)
        .or_else(|| missing_buyer_field(&doc.buyer))
        .or(unreferenced.then_some("RELATED_INVOICE_NUMBER"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seller() -> Seller {
        Seller {
            name: "Muster GmbH".into(),
            address: "Hauptstr. 1".into(),
            zipcode: "10115".into(),
            city: "Berlin".into(),
            country_code: "DE".into(),
            vat_id: Some("DE123456789".into()),
            ..Seller::default()
        }
    }

    #[test]
    fn a_complete_seller_misses_nothing() {
        assert_eq!(missing_seller_field(&seller()), None);
        let only_tax_id = Seller { vat_id: None, tax_id: Some("30/123/45678".into()), ..seller() };
        assert_eq!(missing_seller_field(&only_tax_id), None);
    }

    #[test]
    fn the_first_missing_seller_tag_is_named() {
        assert_eq!(missing_seller_field(&Seller::default()), Some("SELLER.NAME"));
        assert_eq!(missing_seller_field(&Seller { address: " ".into(), ..seller() }), Some("SELLER.ADDRESS"));
        assert_eq!(missing_seller_field(&Seller { zipcode: String::new(), ..seller() }), Some("SELLER.ZIPCODE"));
        assert_eq!(missing_seller_field(&Seller { city: String::new(), ..seller() }), Some("SELLER.CITY"));
        let no_country = Seller { country_code: String::new(), city: String::new(), ..seller() };
        assert_eq!(missing_seller_field(&no_country), Some("SELLER.CITY"));
        assert_eq!(
            missing_seller_field(&Seller { country_code: String::new(), ..seller() }),
            Some("SELLER.COUNTRY_CODE")
        );
    }

    #[test]
    fn a_seller_without_vat_id_and_tax_id_misses_the_vat_id() {
        let blank = Seller { vat_id: Some("  ".into()), tax_id: None, ..seller() };
        assert_eq!(missing_seller_field(&blank), Some("SELLER.VAT_ID"));
    }

    #[test]
    fn the_buyer_needs_a_name_and_a_country() {
        let mut buyer = Buyer { country_code: "DE".into(), ..Buyer::default() };
        assert_eq!(missing_buyer_field(&buyer), Some("BUYER.NAME"));
        buyer.last_name = Some("Muster".into());
        assert_eq!(missing_buyer_field(&buyer), None);
        assert_eq!(buyer.display_name().as_deref(), Some("Muster"));
        buyer.first_name = Some("Erika".into());
        buyer.organization = Some("ACME".into());
        assert_eq!(buyer.display_name().as_deref(), Some("ACME"));
        assert_eq!(buyer.person_name().as_deref(), Some("Erika Muster"));
        buyer.country_code = String::new();
        assert_eq!(missing_buyer_field(&buyer), Some("BUYER.COUNTRY_CODE"));
    }
}
