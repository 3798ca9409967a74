//! Bank account identifiers on the seller profile: IBAN (ISO 13616, checked by its mod-97 check digits)
//! and BIC (ISO 9362, 8 or 11 characters). A typo in the IBAN printed on every invoice sends payments
//! nowhere, so `tenant.update` refuses one whose check digits do not match.

/// The identifier without spaces, upper case (`de02 1203 ...` -> `DE021203...`).
pub fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect()
}

/// Checks an IBAN: two letters, two check digits, up to 30 alphanumerics, remainder 1 under mod 97.
pub fn iban(text: &str) -> Result<(), &'static str> {
    let iban = compact(text);
    let bytes = iban.as_bytes();
    if !(15..=34).contains(&bytes.len())
        || !bytes[..2].iter().all(u8::is_ascii_uppercase)
        || !bytes[2..4].iter().all(u8::is_ascii_digit)
        || !bytes.iter().all(u8::is_ascii_alphanumeric)
    {
        return Err("not an IBAN (country code, check digits, 11 to 30 letters or digits)");
    }
    // Move the first four characters to the end, letters become 10..35, then mod 97 digit by digit.
    let rearranged = bytes[4..].iter().chain(&bytes[..4]);
    let mut rest: u32 = 0;
    for b in rearranged {
        let value = if b.is_ascii_digit() { u32::from(b - b'0') } else { u32::from(b - b'A') + 10 };
        rest = if value >= 10 { (rest * 100 + value) % 97 } else { (rest * 10 + value) % 97 };
    }
    if rest == 1 { Ok(()) } else { Err("the IBAN's check digits do not match") }
}

/// Checks a BIC: 4 letters (bank), 2 letters (country), 2 alphanumerics (place), optionally 3 more (branch).
pub fn bic(text: &str) -> Result<(), &'static str> {
    let bic = compact(text);
    let b = bic.as_bytes();
    let ok = matches!(b.len(), 8 | 11)
        && b[..6].iter().all(u8::is_ascii_uppercase)
        && b[6..].iter().all(u8::is_ascii_alphanumeric);
    if ok { Ok(()) } else { Err("not a BIC (8 or 11 letters and digits)") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_ibans_pass_with_or_without_spaces() {
        assert_eq!(iban("DE02120300000000202051"), Ok(()));
        assert_eq!(iban("de89 3704 0044 0532 0130 00"), Ok(()));
        assert_eq!(iban("GB82WEST12345698765432"), Ok(()));
        assert_eq!(compact("de89 3704"), "DE893704");
    }

    #[test]
    fn a_changed_digit_or_a_malformed_iban_is_refused() {
        assert!(iban("DE02120300000000202052").is_err());
        assert!(iban("DE0212").is_err());
        assert!(iban("1202120300000000202051").is_err());
        assert!(iban("DE02-120300000000202051").is_err());
    }

    #[test]
    fn bics_have_8_or_11_characters() {
        assert_eq!(bic("BYLADEM1001"), Ok(()));
        assert_eq!(bic("DEUTDEFF"), Ok(()));
        assert!(bic("DEUTDEF").is_err());
        assert!(bic("1EUTDEFF").is_err());
    }
}
