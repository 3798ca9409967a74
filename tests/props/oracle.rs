//! An independent model of the money and calendar rules, with exact big
//! rationals and a hand-written calendar. It shares nothing with the crate
//! but the rules as README and API.md state them.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use rust_decimal::Decimal;

/// Digits of the minor unit, from ISO 4217 (only the currencies the
/// generators use).
pub fn minor_units(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "CLP" => 0,
        "KWD" | "BHD" | "TND" => 3,
        "EUR" | "USD" | "CHF" | "GBP" => 2,
        other => panic!("no minor unit known for {other}"),
    }
}

/// Currencies the generators draw from.
pub const CURRENCIES: [&str; 10] = ["EUR", "USD", "CHF", "GBP", "JPY", "KRW", "CLP", "KWD", "BHD", "TND"];

fn pow10(n: u32) -> BigInt {
    BigInt::from(10u32).pow(n)
}

/// The exact value of a decimal text such as `-12.3400`.
pub fn rat(text: &str) -> BigRational {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    assert!(!int.is_empty() && int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()), "not a decimal: {text}");
    let n: BigInt = format!("{int}{frac}").parse().expect("digits");
    let r = BigRational::new(n, pow10(frac.len() as u32));
    if negative { -r } else { r }
}

/// The exact value of a `Decimal` (through its text, which is exact).
pub fn of(d: Decimal) -> BigRational {
    rat(&d.to_string())
}

/// Rounds half away from zero to `scale` decimals.
pub fn round(x: &BigRational, scale: u32) -> BigRational {
    let f = BigRational::from_integer(pow10(scale));
    let half = BigRational::new(BigInt::from(1), BigInt::from(2));
    let y = x * &f;
    let r = if y.is_negative() { -((-y) + &half).floor() } else { (y + &half).floor() };
    r / f
}

/// `x` written with exactly `scale` decimals (x must have at most that many).
pub fn text(x: &BigRational, scale: u32) -> String {
    let scaled = x * BigRational::from_integer(pow10(scale));
    assert!(scaled.is_integer(), "{x} has more than {scale} decimals");
    let n = scaled.to_integer();
    let negative = n.is_negative();
    let digits = n.abs().to_string();
    let digits = format!("{digits:0>width$}", width = scale as usize + 1);
    let (int, frac) = digits.split_at(digits.len() - scale as usize);
    let sign = if negative { "-" } else { "" };
    if scale == 0 { format!("{sign}{int}") } else { format!("{sign}{int}.{frac}") }
}

/// One invoice line of the model.
#[derive(Clone, Debug)]
pub struct Line {
    pub quantity: BigRational,
    pub unit_price: BigRational,
    pub vat_percent: BigRational,
}

/// VAT of one rate in the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Vat {
    pub rate: BigRational,
    pub net: BigRational,
    pub vat: BigRational,
}

/// What an invoice of `lines` must show in a currency with `scale` decimals:
/// line nets rounded, VAT per rate on the summed nets (ascending rates),
/// totals from those.
pub fn invoice(lines: &[Line], scale: u32) -> (Vec<BigRational>, Vec<Vat>, BigRational, BigRational, BigRational) {
    let nets: Vec<BigRational> = lines.iter().map(|l| round(&(&l.quantity * &l.unit_price), scale)).collect();
    let mut vats: Vec<Vat> = Vec::new();
    for (line, net) in lines.iter().zip(&nets) {
        match vats.iter_mut().find(|v| v.rate == line.vat_percent) {
            Some(v) => v.net += net,
            None => vats.push(Vat { rate: line.vat_percent.clone(), net: net.clone(), vat: BigRational::zero() }),
        }
    }
    vats.sort_by(|a, b| a.rate.cmp(&b.rate));
    let hundred = BigRational::from_integer(BigInt::from(100));
    for v in &mut vats {
        v.vat = round(&(&v.net * &v.rate / &hundred), scale);
    }
    let sub_total: BigRational = nets.iter().cloned().fold(BigRational::zero(), |a, b| a + b);
    let vat_total: BigRational = vats.iter().map(|v| v.vat.clone()).fold(BigRational::zero(), |a, b| a + b);
    let total = &sub_total + &vat_total;
    (nets, vats, sub_total, vat_total, total)
}

/// Days of each month of a common year.
const MONTH_DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// The Gregorian leap-year rule.
pub fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days of `month` (1-12) in `year`, from the table.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    if month == 2 && is_leap(year) { 29 } else { MONTH_DAYS[month as usize - 1] }
}

/// Day number of a civil date: days since 0000-03-01 counted month by month
/// from the table (slow and obvious on purpose).
pub fn day_number(year: i64, month: u32, day: u32) -> i64 {
    // Whole 400-year cycles have 146097 days; count the rest year by year.
    let cycles = year.div_euclid(400);
    let mut n = cycles * 146_097;
    for y in (cycles * 400)..year {
        n += if is_leap(y) { 366 } else { 365 };
    }
    for m in 1..month {
        n += i64::from(days_in_month(year, m));
    }
    n + i64::from(day) - 1
}

/// The civil date of a day number (inverse of [`day_number`]).
pub fn civil(number: i64) -> (i64, u32, u32) {
    let mut year = number.div_euclid(146_097) * 400;
    let mut rest = number - day_number(year, 1, 1);
    loop {
        let len = if is_leap(year) { 366 } else { 365 };
        if rest < len {
            break;
        }
        rest -= len;
        year += 1;
    }
    let mut month = 1;
    while rest >= i64::from(days_in_month(year, month)) {
        rest -= i64::from(days_in_month(year, month));
        month += 1;
    }
    (year, month, rest as u32 + 1)
}
