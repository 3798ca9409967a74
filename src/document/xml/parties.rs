//! `ram:ApplicableHeaderTradeAgreement`: the seller (BG-4) and buyer (BG-7) parties.

use super::writer::Xml;
use crate::document::DocumentError;
use crate::document::model::{InvoiceDocument, given};

/// Seller and buyer.
pub fn agreement(x: &mut Xml, doc: &InvoiceDocument) -> Result<(), DocumentError> {
    x.open("ram:ApplicableHeaderTradeAgreement")?;
    seller(x, doc)?;
    buyer(x, doc)?;
    x.close("ram:ApplicableHeaderTradeAgreement")
}

/// A postal address; only the country is required (BR-9, BR-11).
struct Address<'a> {
    zipcode: Option<&'a str>,
    line_one: Option<&'a str>,
    line_two: Option<&'a str>,
    city: Option<&'a str>,
    country: &'a str,
}

fn address(x: &mut Xml, a: &Address<'_>) -> Result<(), DocumentError> {
    x.open("ram:PostalTradeAddress")?;
    x.text_opt("ram:PostcodeCode", a.zipcode)?;
    x.text_opt("ram:LineOne", a.line_one)?;
    x.text_opt("ram:LineTwo", a.line_two)?;
    x.text_opt("ram:CityName", a.city)?;
    x.text("ram:CountryID", &a.country.trim().to_ascii_uppercase())?;
    x.close("ram:PostalTradeAddress")
}

/// `ram:URIUniversalCommunication` with an email address (electronic address, scheme EM).
fn email_address(x: &mut Xml, email: Option<&str>) -> Result<(), DocumentError> {
    if let Some(email) = email {
        x.open("ram:URIUniversalCommunication")?;
        x.text_with("ram:URIID", &[("schemeID", "EM")], email)?;
        x.close("ram:URIUniversalCommunication")?;
    }
    Ok(())
}

fn tax_registration(x: &mut Xml, scheme: &str, id: Option<&str>) -> Result<(), DocumentError> {
    if let Some(id) = id {
        x.open("ram:SpecifiedTaxRegistration")?;
        x.text_with("ram:ID", &[("schemeID", scheme)], id)?;
        x.close("ram:SpecifiedTaxRegistration")?;
    }
    Ok(())
}

/// BG-4. A seller with a tax number but no VAT id also gets the tax number as its seller identifier
/// (BT-29): BR-CO-26 wants an identifier, a legal registration id or a VAT id, and the tenant has no other.
fn seller(x: &mut Xml, doc: &InvoiceDocument) -> Result<(), DocumentError> {
    let s = &doc.seller;
    let (vat_id, tax_id) = (given(&s.vat_id), given(&s.tax_id));
    x.open("ram:SellerTradeParty")?;
    if vat_id.is_none() {
        x.text_opt("ram:ID", tax_id)?;
    }
    x.text("ram:Name", s.name.trim())?;
    let (phone, email) = (given(&s.phone), given(&s.email));
    if phone.is_some() || email.is_some() {
        x.open("ram:DefinedTradeContact")?;
        if let Some(phone) = phone {
            x.open("ram:TelephoneUniversalCommunication")?;
            x.text("ram:CompleteNumber", phone)?;
            x.close("ram:TelephoneUniversalCommunication")?;
        }
        if let Some(email) = email {
            x.open("ram:EmailURIUniversalCommunication")?;
            x.text("ram:URIID", email)?;
            x.close("ram:EmailURIUniversalCommunication")?;
        }
        x.close("ram:DefinedTradeContact")?;
    }
    let a = Address {
        zipcode: Some(s.zipcode.as_str()),
        line_one: Some(s.address.as_str()),
        line_two: given(&s.address_2),
        city: Some(s.city.as_str()),
        country: &s.country_code,
    };
    address(x, &a)?;
    email_address(x, email)?;
    tax_registration(x, "VA", vat_id)?;
    tax_registration(x, "FC", tax_id)?;
    x.close("ram:SellerTradeParty")
}

/// BG-7: the customer number as buyer identifier, the organization (or the person) as name, the person
/// as contact when there is an organization.
fn buyer(x: &mut Xml, doc: &InvoiceDocument) -> Result<(), DocumentError> {
    let b = &doc.buyer;
    x.open("ram:BuyerTradeParty")?;
    x.text_opt("ram:ID", given(&b.customer_number))?;
    x.text("ram:Name", &b.display_name().unwrap_or_default())?;
    if let (Some(_), Some(person)) = (given(&b.organization), b.person_name()) {
        x.open("ram:DefinedTradeContact")?;
        x.text("ram:PersonName", &person)?;
        x.close("ram:DefinedTradeContact")?;
    }
    let a = Address {
        zipcode: given(&b.zipcode),
        line_one: given(&b.address),
        line_two: given(&b.address_2),
        city: given(&b.city),
        country: &b.country_code,
    };
    address(x, &a)?;
    email_address(x, given(&b.email))?;
    tax_registration(x, "VA", given(&b.vat_id))?;
    x.close("ram:BuyerTradeParty")
}
