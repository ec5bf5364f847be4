//! Identifiers of synthetic records: unique across ACOs by construction, deterministic,
//! and in the real formats (MBI, NPI with check digit, negative BFD-style `bene_id`s).
//!
//! Every ACO owns a namespace derived from its CMS id (`A9994` -> 9994, `V1234` ->
//! 21 * 10,000 + 1234), and beneficiary `n` of that ACO has the number
//! `namespace * 10^7 + n`. Everything else about the beneficiary derives from that
//! number, so two ACOs can never share a beneficiary, an MBI or a claim id.

use bcda_model::identifiers::{MBI_FORMAT, npi_check_digit};

use crate::rng::Rng;

/// Beneficiaries one ACO can have: ten million.
pub const MAX_BENEFICIARIES: u64 = 10_000_000;

/// Claims (or Part D events) one beneficiary can have in one data set.
pub const MAX_CLAIMS_PER_BENEFICIARY: u64 = 10_000;

/// A CMS id that cannot name a namespace: a letter and 4 digits are required.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("CMS id {0:?} is not a letter followed by four digits (e.g. A9994)")]
pub struct BadCmsId(pub String);

/// The namespace of ACO `cms_id`.
pub fn namespace(cms_id: &str) -> Result<u64, BadCmsId> {
    let bad = || BadCmsId(cms_id.to_owned());
    let bytes = cms_id.as_bytes();
    if bytes.len() != 5
        || !bytes[0].is_ascii_uppercase()
        || !bytes[1..].iter().all(u8::is_ascii_digit)
    {
        return Err(bad());
    }
    let digits: u64 = cms_id[1..].parse().map_err(|_| bad())?;
    Ok(u64::from(bytes[0] - b'A') * 10_000 + digits)
}

/// The globally unique number of beneficiary `ordinal` of the ACO in `namespace`.
pub fn beneficiary_number(namespace: u64, ordinal: u64) -> u64 {
    namespace * MAX_BENEFICIARIES + ordinal
}

/// The internal key of a beneficiary.
pub fn beneficiary_key(number: u64) -> i64 {
    number as i64
}

/// The BFD-style synthetic `bene_id`: negative, as BFD marks synthetic beneficiaries.
pub fn bene_id(number: u64) -> i64 {
    -(10_000_000_000_000 + number as i64)
}

/// The id of claim `index` of a beneficiary (`index < MAX_CLAIMS_PER_BENEFICIARY`).
pub fn claim_id(number: u64, index: u64) -> i64 {
    (number * MAX_CLAIMS_PER_BENEFICIARY + index) as i64
}

/// The range of internal keys the ACO in `namespace` can use: for deleting an ACO's
/// synthetic data before loading it again.
pub fn beneficiary_key_range(namespace: u64) -> (i64, i64) {
    let first = beneficiary_number(namespace, 0);
    (first as i64, (first + MAX_BENEFICIARIES - 1) as i64)
}

/// The MBI of beneficiary `number`: the number scrambled by a bijection of the MBI
/// space, then written in the MBI's mixed radix. Distinct numbers give distinct MBIs.
pub fn mbi(number: u64) -> String {
    let radices: Vec<u64> = MBI_FORMAT
        .iter()
        .map(|p| p.alphabet().len() as u64)
        .collect();
    let space: u64 = radices.iter().product();
    // Multiplying by a constant coprime to the space (which factors into 2, 3 and 5)
    // permutes it, so consecutive beneficiaries get unrelated-looking MBIs.
    let mut value =
        ((u128::from(number % space) * 7_919_u128 * 104_729) % u128::from(space)) as u64;
    let mut out = [0u8; 11];
    for (i, position) in MBI_FORMAT.iter().enumerate().rev() {
        let alphabet = position.alphabet();
        let radix = alphabet.len() as u64;
        out[i] = alphabet[(value % radix) as usize];
        value /= radix;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A valid NPI (type 1 or 2 both start with 1 or 2), random but deterministic.
pub fn npi(rng: &mut Rng) -> String {
    let first = if rng.chance(0.5) { '1' } else { '2' };
    let rest = rng.below(100_000_000);
    let base = format!("{first}{rest:08}");
    let check = npi_check_digit(&base).unwrap_or(0);
    format!("{base}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use bcda_model::identifiers::{is_valid_mbi, is_valid_npi};
    use std::collections::HashSet;

    #[test]
    fn namespaces_follow_the_cms_id() {
        assert_eq!(namespace("A9994"), Ok(9994));
        assert_eq!(namespace("V1234"), Ok(211_234));
        assert!(namespace("A99").is_err());
        assert!(namespace("a9994").is_err());
    }

    #[test]
    fn mbis_are_valid_and_distinct() {
        let mut seen = HashSet::new();
        for ordinal in 0..50_000 {
            let mbi = mbi(beneficiary_number(9994, ordinal));
            assert!(is_valid_mbi(&mbi), "{mbi}");
            assert!(seen.insert(mbi));
        }
        // Another ACO's first beneficiaries collide with none of these.
        for ordinal in 0..1_000 {
            assert!(!seen.contains(&mbi(beneficiary_number(9990, ordinal))));
        }
    }

    #[test]
    fn npis_have_valid_check_digits() {
        let mut rng = Rng::new(5, 5);
        for _ in 0..1_000 {
            let npi = npi(&mut rng);
            assert!(is_valid_npi(&npi), "{npi}");
        }
    }

    #[test]
    fn ids_of_two_acos_never_meet() {
        let (a_lo, a_hi) = beneficiary_key_range(namespace("A9994").unwrap());
        let (b_lo, b_hi) = beneficiary_key_range(namespace("A9995").unwrap());
        assert!(a_hi < b_lo || b_hi < a_lo);
        assert!(bene_id(beneficiary_number(9994, 0)) < 0);
    }
}
