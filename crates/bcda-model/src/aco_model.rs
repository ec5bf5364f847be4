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

/// The model BCDA keeps from shared-system data on v3 (`v3_no_partial_claims_models`):
/// GUIDE, whose entities have ids `GUIDE-0000`.
pub const GUIDE: &str = "GUIDE";

/// Whether the ACO `cms_id` may receive shared-system claims on v3: every model but
/// GUIDE, as BCDA's v3 adds partially adjudicated data to all the others.
pub fn receives_shared_system_on_v3(cms_id: &str) -> bool {
    !cms_id
        .strip_prefix("GUIDE-")
        .is_some_and(|rest| rest.len() == 4 && rest.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_but_guide_gets_shared_system_claims_on_v3() {
        for entitled in ["A9990", "D9990", "TEST001", "GUIDE-12"] {
            assert!(receives_shared_system_on_v3(entitled), "{entitled}");
        }
        assert!(!receives_shared_system_on_v3("GUIDE-0042"));
    }

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
