//! The shapes of CMS identifiers: the Medicare Beneficiary Identifier and the National
//! Provider Identifier with its check digit.

/// Letters an MBI may contain: A-Z without S, L, O, I, B and Z, which are too easily
/// mistaken for digits.
pub const MBI_LETTERS: &[u8; 20] = b"ACDEFGHJKMNPQRTUVWXY";

/// What each of the 11 MBI positions may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MbiPosition {
    /// 1-9 (position 1 only).
    NonZeroDigit,
    Digit,
    Letter,
    /// A digit or a letter.
    Alphanumeric,
}

/// The MBI format, position by position: `C A AN N A AN N A A N N`.
pub const MBI_FORMAT: [MbiPosition; 11] = {
    use MbiPosition::*;
    [
        NonZeroDigit,
        Letter,
        Alphanumeric,
        Digit,
        Letter,
        Alphanumeric,
        Digit,
        Letter,
        Letter,
        Digit,
        Digit,
    ]
};

impl MbiPosition {
    /// The characters allowed here, in a fixed order.
    pub fn alphabet(self) -> &'static [u8] {
        match self {
            MbiPosition::NonZeroDigit => b"123456789",
            MbiPosition::Digit => b"0123456789",
            MbiPosition::Letter => MBI_LETTERS,
            MbiPosition::Alphanumeric => b"0123456789ACDEFGHJKMNPQRTUVWXY",
        }
    }
}

/// Whether `mbi` has the MBI format (11 characters, no dashes).
pub fn is_valid_mbi(mbi: &str) -> bool {
    mbi.len() == 11
        && mbi
            .bytes()
            .zip(MBI_FORMAT)
            .all(|(c, position)| position.alphabet().contains(&c))
}

/// The Luhn check digit of a 9-digit NPI base, computed with the `80840` health-industry
/// prefix as the NPI standard requires. `None` unless `base` is nine digits.
pub fn npi_check_digit(base: &str) -> Option<u8> {
    if base.len() != 9 || !base.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // The prefix 80840 contributes a constant 24 to the Luhn sum.
    let mut sum = 24u32;
    for (i, b) in base.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    Some(((10 - sum % 10) % 10) as u8)
}

/// Whether `npi` is ten digits with a correct check digit.
pub fn is_valid_npi(npi: &str) -> bool {
    npi.len() == 10
        && npi.bytes().all(|b| b.is_ascii_digit())
        && npi_check_digit(&npi[..9]) == Some(npi.as_bytes()[9] - b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cms_example_mbi_is_valid_and_near_misses_are_not() {
        // The example on CMS's MBI format page.
        assert!(is_valid_mbi("1EG4TE5MK73"));
        assert!(!is_valid_mbi("0EG4TE5MK73"), "position 1 cannot be 0");
        assert!(!is_valid_mbi("1SG4TE5MK73"), "S is excluded");
        assert!(!is_valid_mbi("1EG4-TE5-MK73"), "no dashes in storage");
        assert!(!is_valid_mbi("1EG4TE5MK7"));
    }

    #[test]
    fn npi_check_digits_match_the_standards_example() {
        // CMS's worked example: 123456789 has check digit 3.
        assert_eq!(npi_check_digit("123456789"), Some(3));
        assert!(is_valid_npi("1234567893"));
        assert!(!is_valid_npi("1234567890"));
        assert_eq!(npi_check_digit("12345"), None);
    }
}
