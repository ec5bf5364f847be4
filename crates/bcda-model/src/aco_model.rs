//! What data an ACO receives follows from its model, which its CMS id names: BCDA keeps
//! a list of models, each with an id pattern and the kinds of data it may receive
//! (`conf/configs/prod.yml`, `aco_config[].data`). All receive adjudicated claims; ACO
//! REACH and a few others (and BCDA's test model) also partially adjudicated ones.

/// The models entitled to partially adjudicated claims, as BCDA's production
/// configuration lists them: the id prefix and how many digits follow it.
const PARTIALLY_ADJUDICATED_MODELS: [(&str, &str, std::ops::RangeInclusive<usize>); 5] = [
    ("ACO REACH", "D", 4..=4),
    ("test", "TEST", 3..=3),
    ("TCOC", "CT", 4..=6),
    ("CDAC", "DA", 4..=4),
    ("IOTA", "IOTA", 3..=3),
];

/// Whether the ACO `cms_id` may receive partially adjudicated claims (`Claim`,
/// `ClaimResponse`), e.g. an ACO REACH entity `D0123`.
pub fn receives_partially_adjudicated(cms_id: &str) -> bool {
    PARTIALLY_ADJUDICATED_MODELS
        .iter()
        .any(|(_, prefix, digits)| {
            cms_id.strip_prefix(prefix).is_some_and(|rest| {
                digits.contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_digit())
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reach_and_test_models_receive_partially_adjudicated_claims_others_do_not() {
        for entitled in ["D0001", "D9990", "TEST001", "CT123456", "DA0042", "IOTA007"] {
            assert!(receives_partially_adjudicated(entitled), "{entitled}");
        }
        for not in [
            "A9990", "A0001", "V1234", "D123", "D12345", "DA00420", "CT123", "K0001", "d0001",
        ] {
            assert!(!receives_partially_adjudicated(not), "{not}");
        }
    }
}
