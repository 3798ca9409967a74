//! The words of a document in German and English. A credit note is a "Rechnungskorrektur" / "Credit
//! note", never a "Gutschrift": in German VAT law (§ 14 Abs. 2 UStG) that word means self-billing.

use super::model::{DocumentKind, Language, LineKind};

/// Every fixed text a document shows; `{name}` marks a value filled in by [`fill`].
#[derive(Debug)]
pub struct Words {
    pub title_invoice: &'static str,
    pub title_credit_note: &'static str,
    pub number_invoice: &'static str,
    pub number_credit_note: &'static str,
    pub date_invoice: &'static str,
    pub date_credit_note: &'static str,
    pub due_date: &'static str,
    pub service_period: &'static str,
    pub customer_number: &'static str,
    pub buyer_vat_id: &'static str,
    pub corrects_invoice: &'static str,
    pub vat_id: &'static str,
    pub tax_id: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
    pub col_position: &'static str,
    pub col_description: &'static str,
    pub col_quantity: &'static str,
    pub col_unit_price: &'static str,
    pub col_vat: &'static str,
    pub col_net: &'static str,
    pub discount: &'static str,
    pub coupon: &'static str,
    pub net_total: &'static str,
    pub vat_line: &'static str,
    pub total_invoice: &'static str,
    pub total_credit_note: &'static str,
    pub pay_within: &'static str,
    pub pay_by: &'static str,
    pub pay_now: &'static str,
    pub pay_transfer: &'static str,
    pub bank: &'static str,
    pub credit_note_text: &'static str,
    pub credit_note_date: &'static str,
    pub reverse_charge: &'static str,
    pub discount_note: &'static str,
    pub page: &'static str,
}

const DE: Words = Words {
    title_invoice: "Rechnung",
    title_credit_note: "Rechnungskorrektur",
    number_invoice: "Rechnungsnummer",
    number_credit_note: "Nummer",
    date_invoice: "Rechnungsdatum",
    date_credit_note: "Datum",
    due_date: "Fällig am",
    service_period: "Leistungszeitraum",
    customer_number: "Kundennummer",
    buyer_vat_id: "Ihre USt-IdNr.",
    corrects_invoice: "Zu Rechnung",
    vat_id: "USt-IdNr.",
    tax_id: "Steuernummer",
    email: "E-Mail",
    phone: "Telefon",
    col_position: "Pos.",
    col_description: "Beschreibung",
    col_quantity: "Menge",
    col_unit_price: "Einzelpreis",
    col_vat: "USt.",
    col_net: "Netto",
    discount: "Rabatt",
    coupon: "Gutschein",
    net_total: "Nettobetrag",
    vat_line: "zzgl. {rate} USt. auf {net}",
    total_invoice: "Gesamtbetrag",
    total_credit_note: "Korrekturbetrag",
    pay_within: "Zahlbar innerhalb von {days} Tagen ohne Abzug bis zum {due}.",
    pay_by: "Zahlbar ohne Abzug bis zum {due}.",
    pay_now: "Zahlbar sofort ohne Abzug.",
    pay_transfer: "Bitte überweisen Sie den Betrag unter Angabe der Rechnungsnummer {number} auf folgendes Konto:",
    bank: "Bank",
    credit_note_text: "Diese Rechnungskorrektur bezieht sich auf die Rechnung {related}. Der Betrag wird mit offenen Posten verrechnet oder erstattet.",
    credit_note_date: "{related} vom {date}",
    reverse_charge: "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge).",
    discount_note: "Rabatte und Gutscheine mindern die Bemessungsgrundlage der Umsatzsteuer.",
    page: "Seite {page} von {pages}",
};

const EN: Words = Words {
    title_invoice: "Invoice",
    title_credit_note: "Credit note",
    number_invoice: "Invoice number",
    number_credit_note: "Credit note number",
    date_invoice: "Invoice date",
    date_credit_note: "Date",
    due_date: "Due date",
    service_period: "Service period",
    customer_number: "Customer number",
    buyer_vat_id: "Your VAT ID",
    corrects_invoice: "Corrects invoice",
    vat_id: "VAT ID",
    tax_id: "Tax number",
    email: "Email",
    phone: "Phone",
    col_position: "No.",
    col_description: "Description",
    col_quantity: "Qty",
    col_unit_price: "Unit price",
    col_vat: "VAT",
    col_net: "Net",
    discount: "Discount",
    coupon: "Coupon",
    net_total: "Net amount",
    vat_line: "VAT {rate} on {net}",
    total_invoice: "Total",
    total_credit_note: "Total credited",
    pay_within: "Payable within {days} days, by {due}.",
    pay_by: "Payable by {due}.",
    pay_now: "Payable immediately.",
    pay_transfer: "Please transfer the amount quoting invoice number {number} to:",
    bank: "Bank",
    credit_note_text: "This credit note corrects invoice {related}. The amount is set off against open items or refunded.",
    credit_note_date: "{related} of {date}",
    reverse_charge: "Reverse charge: the recipient of the service is liable for the VAT.",
    discount_note: "Discounts and coupons reduce the amount VAT is charged on.",
    page: "Page {page} of {pages}",
};

/// The words of a language.
pub fn words(lang: Language) -> &'static Words {
    match lang {
        Language::De => &DE,
        Language::En => &EN,
    }
}

impl Words {
    /// The document title.
    pub fn title(&self, kind: DocumentKind) -> &'static str {
        match kind {
            DocumentKind::Invoice => self.title_invoice,
            DocumentKind::CreditNote => self.title_credit_note,
        }
    }

    /// The label of the document number.
    pub fn number(&self, kind: DocumentKind) -> &'static str {
        match kind {
            DocumentKind::Invoice => self.number_invoice,
            DocumentKind::CreditNote => self.number_credit_note,
        }
    }

    /// The label of the document date.
    pub fn date(&self, kind: DocumentKind) -> &'static str {
        match kind {
            DocumentKind::Invoice => self.date_invoice,
            DocumentKind::CreditNote => self.date_credit_note,
        }
    }

    /// The label of the gross total.
    pub fn total(&self, kind: DocumentKind) -> &'static str {
        match kind {
            DocumentKind::Invoice => self.total_invoice,
            DocumentKind::CreditNote => self.total_credit_note,
        }
    }

    /// What a discount or coupon line is called before its description; other kinds need no word.
    pub fn line_prefix(&self, kind: LineKind) -> Option<&'static str> {
        match kind {
            LineKind::Discount => Some(self.discount),
            LineKind::Coupon => Some(self.coupon),
            _ => None,
        }
    }
}

/// Replaces each `{key}` in `template` with its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(template.to_owned(), |text, (key, value)| text.replace(&format!("{{{key}}}"), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credit_note_is_a_rechnungskorrektur_never_a_gutschrift() {
        assert_eq!(words(Language::De).title(DocumentKind::CreditNote), "Rechnungskorrektur");
        assert_eq!(words(Language::En).title(DocumentKind::CreditNote), "Credit note");
        assert_eq!(words(Language::De).title(DocumentKind::Invoice), "Rechnung");
        assert_eq!(words(Language::En).title(DocumentKind::Invoice), "Invoice");
        let all = format!("{:?}{:?}", words(Language::De), words(Language::En));
        assert!(!all.contains("Gutschrift"), "no wording may say Gutschrift");
    }

    #[test]
    fn templates_are_filled_by_key() {
        let w = words(Language::De);
        let text = fill(w.pay_within, &[("days", "14"), ("due", "15.01.2025")]);
        assert_eq!(text, "Zahlbar innerhalb von 14 Tagen ohne Abzug bis zum 15.01.2025.");
        assert_eq!(fill(words(Language::En).pay_by, &[("due", "1 May 2025")]), "Payable by 1 May 2025.");
    }

    #[test]
    fn discount_and_coupon_lines_are_named() {
        assert_eq!(words(Language::De).line_prefix(LineKind::Coupon), Some("Gutschein"));
        assert_eq!(words(Language::En).line_prefix(LineKind::Discount), Some("Discount"));
        assert_eq!(words(Language::En).line_prefix(LineKind::Plan), None);
    }
}
