//! Why a credit is refused; every message names the item it is about.

use std::fmt;

use rust_decimal::Decimal;

/// A refused `invoice.credit` (1009 on the wire, except `UnknownLine`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CreditError {
    /// Everything is credited already.
    NothingLeft,
    /// ITEMS given but empty.
    EmptyRequest,
    /// No line of the invoice has this INVOICE_ITEM_ID.
    UnknownLine(i64),
    /// A line that lowers the invoice (a discount or coupon): crediting it alone would charge.
    Allowance(i64),
    /// QUANTITY or AMOUNT not above zero.
    NotPositive {
        line: i64,
        tag: &'static str,
    },
    QuantityExceeds {
        line: i64,
        requested: Decimal,
        left: Decimal,
    },
    /// A QUANTITY whose net is more than the line's uncredited net.
    NetExceeds {
        line: i64,
        quantity: Decimal,
        net: Decimal,
        left: Decimal,
    },
    AmountExceeds {
        line: i64,
        requested: Decimal,
        left: Decimal,
    },
    /// An AMOUNT with more decimals than the currency has.
    AmountPrecision {
        line: i64,
        amount: Decimal,
    },
    /// The original has lines at a rate but no VAT item for it (inconsistent input).
    MissingVatItem(Decimal),
}

impl CreditError {
    /// The tag the error is about.
    pub fn tag(&self) -> &'static str {
        match self {
            CreditError::NothingLeft | CreditError::EmptyRequest | CreditError::MissingVatItem(_) => "ITEMS",
            CreditError::UnknownLine(_) | CreditError::Allowance(_) => "INVOICE_ITEM_ID",
            CreditError::NotPositive { tag, .. } => tag,
            CreditError::QuantityExceeds { .. } | CreditError::NetExceeds { .. } => "QUANTITY",
            CreditError::AmountExceeds { .. } | CreditError::AmountPrecision { .. } => "AMOUNT",
        }
    }
}

impl fmt::Display for CreditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CreditError::NothingLeft => f.write_str("the invoice is fully credited already"),
            CreditError::EmptyRequest => f.write_str("ITEMS is empty"),
            CreditError::UnknownLine(id) => write!(f, "INVOICE_ITEM_ID {id} is not a line of this invoice"),
            CreditError::Allowance(id) => write!(
                f,
                "INVOICE_ITEM_ID {id} lowers the invoice (a discount or coupon line): credit the lines it reduced, \
                 or the whole invoice"
            ),
            CreditError::NotPositive { line, tag } => write!(f, "INVOICE_ITEM_ID {line}: {tag} must be greater than 0"),
            CreditError::QuantityExceeds { line, requested, left } => {
                write!(f, "INVOICE_ITEM_ID {line}: QUANTITY {requested} is more than the {left} not yet credited")
            }
            CreditError::NetExceeds { line, quantity, net, left } => write!(
                f,
                "INVOICE_ITEM_ID {line}: QUANTITY {quantity} is worth {net}, more than the {left} not yet credited"
            ),
            CreditError::AmountExceeds { line, requested, left } => {
                write!(f, "INVOICE_ITEM_ID {line}: AMOUNT {requested} is more than the {left} not yet credited")
            }
            CreditError::AmountPrecision { line, amount } => {
                write!(f, "INVOICE_ITEM_ID {line}: AMOUNT {amount} has more decimals than the currency")
            }
            CreditError::MissingVatItem(rate) => write!(f, "the invoice has no VAT item for its {rate} % lines"),
        }
    }
}

impl std::error::Error for CreditError {}
