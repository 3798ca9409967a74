//! Money rules: amounts are `Decimal`, rounded half away from zero to the
//! currency's minor unit wherever an amount is billed.

use rust_decimal::{Decimal, RoundingStrategy};

/// Digits after the decimal point of a currency's minor unit (ISO 4217).
pub fn minor_units(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX" | "UYI" | "VND"
        | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// Rounds an amount half away from zero to `currency`'s minor unit.
pub fn round_money(amount: Decimal, currency: &str) -> Decimal {
    let scale = minor_units(currency);
    let mut rounded = amount.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(scale);
    rounded
}

/// Unit prices keep at most this many decimals.
pub const UNIT_PRICE_DECIMALS: u32 = 4;

/// Text of an amount with at least `min_scale` decimals ("19" -> "19.00", "0.0125" stays).
pub fn format_decimal(value: Decimal, min_scale: u32) -> String {
    let mut v = value.normalize();
    if v.scale() < min_scale {
        v.rescale(min_scale);
    }
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal literal")
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_money(d("0.285"), "EUR").to_string(), "0.29");
        assert_eq!(round_money(d("-0.285"), "EUR").to_string(), "-0.29");
        assert_eq!(round_money(d("0.284999"), "EUR").to_string(), "0.28");
        assert_eq!(round_money(d("12"), "EUR").to_string(), "12.00");
        assert_eq!(round_money(d("12.5"), "JPY").to_string(), "13");
        assert_eq!(round_money(d("1.0005"), "KWD").to_string(), "1.001");
    }

    #[test]
    fn formatting_keeps_at_least_the_minimum_scale() {
        assert_eq!(format_decimal(d("19"), 2), "19.00");
        assert_eq!(format_decimal(d("0.0125"), 2), "0.0125");
        assert_eq!(format_decimal(d("12.9500"), 2), "12.95");
        assert_eq!(format_decimal(d("1.50"), 0), "1.5");
    }
}
