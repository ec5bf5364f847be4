use std::collections::HashSet;

use bcda_model::claims::ClaimType;
use bcda_model::identifiers::{is_valid_mbi, is_valid_npi};
use bcda_synth::{BeneficiaryRecord, Synth, SynthSpec};
use time::macros::date;

fn spec(cms_id: &str, beneficiaries: u64, seed: u64) -> SynthSpec {
    SynthSpec {
        cms_id: cms_id.into(),
        beneficiaries,
        seed,
        years: 1,
        as_of: date!(2026 - 11 - 01),
    }
}

fn generate(spec: SynthSpec) -> Vec<BeneficiaryRecord> {
    let synth = Synth::new(spec).unwrap();
    (0..synth.total()).map(|n| synth.beneficiary(n)).collect()
}

#[test]
fn the_same_seed_and_size_give_identical_data_and_another_seed_does_not() {
    let a = generate(spec("A9994", 50, 42));
    let b = generate(spec("A9994", 50, 42));
    let c = generate(spec("A9994", 50, 43));
    assert!(a == b, "two runs with the same seed differ");
    assert!(a != c, "another seed gave the same data");
    // Generation order does not matter: beneficiary 17 alone equals beneficiary 17 in a run.
    let synth = Synth::new(spec("A9994", 50, 42)).unwrap();
    assert!(synth.beneficiary(17) == a[17]);
}

#[test]
fn acos_share_no_beneficiary_mbi_or_claim() {
    let a = generate(spec("A9994", 300, 42));
    let b = generate(spec("A9990", 300, 42));
    let ids = |records: &[BeneficiaryRecord]| -> HashSet<i64> {
        records.iter().map(|r| r.beneficiary.id).collect()
    };
    let mbis = |records: &[BeneficiaryRecord]| -> HashSet<String> {
        records.iter().map(|r| r.beneficiary.mbi.clone()).collect()
    };
    let claims = |records: &[BeneficiaryRecord]| -> HashSet<i64> {
        records
            .iter()
            .flat_map(|r| r.claims.iter().map(|c| c.clm_id))
            .collect()
    };
    assert!(ids(&a).is_disjoint(&ids(&b)));
    assert!(mbis(&a).is_disjoint(&mbis(&b)));
    assert!(claims(&a).is_disjoint(&claims(&b)));
}

#[test]
fn identifiers_are_valid_mbis_and_npis() {
    let records = generate(spec("A9994", 200, 7));
    for record in &records {
        assert!(
            is_valid_mbi(&record.beneficiary.mbi),
            "{}",
            record.beneficiary.mbi
        );
        assert!(
            record.beneficiary.bene_id < 0,
            "synthetic bene_ids are negative"
        );
        for claim in &record.claims {
            for npi in [
                &claim.billing_npi,
                &claim.attending_npi,
                &claim.operating_npi,
            ]
            .into_iter()
            .flatten()
            {
                assert!(is_valid_npi(npi), "{npi} on {}", claim.clm_id);
            }
            for line in &claim.lines {
                if let Some(npi) = &line.rendering_npi {
                    assert!(is_valid_npi(npi), "{npi}");
                }
            }
        }
        for event in &record.events {
            assert!(is_valid_npi(&event.prescriber_npi) && is_valid_npi(&event.pharmacy_npi));
        }
    }
}

#[test]
fn the_extra_small_aco_shows_every_claim_kind_with_lines_and_providers() {
    let records = generate(spec("A9994", 50, 20_171_030));
    let mut kinds: HashSet<ClaimType> = records
        .iter()
        .flat_map(|r| r.claims.iter().map(|c| c.claim_type))
        .collect();
    if records.iter().any(|r| !r.events.is_empty()) {
        kinds.insert(ClaimType::Pde);
    }
    assert_eq!(kinds.len(), 8, "{kinds:?}");
    for claim in records.iter().flat_map(|r| &r.claims) {
        assert!(
            !claim.lines.is_empty(),
            "claim {} has no lines",
            claim.clm_id
        );
        assert!(
            claim.billing_npi.is_some(),
            "claim {} has no billing NPI",
            claim.clm_id
        );
        assert!(!claim.diagnosis_codes.is_empty());
        if claim.claim_type == ClaimType::Carrier {
            assert!(claim.lines.iter().all(|l| l.place_of_service_cd.is_some()));
        }
        if claim.claim_type.is_institutional() {
            assert!(claim.fac_type_cd.is_some() && claim.provider_ccn.is_some());
        }
        if claim.claim_type == ClaimType::Inpatient {
            assert!(claim.drg_cd.is_some() && claim.admission_date.is_some());
        }
    }
    // Coverage periods: every living beneficiary has monthly enrollment through the period.
    assert!(records.iter().all(|r| !r.enrollment_months.is_empty()));
}
