//! Institutional claims say one consistent thing: a stay's payment includes every part
//! it reports, a hospital is paid alike on every stay, a SNF stay's qualifying stay is
//! a hospital stay of the same beneficiary, a home health period's LUPA follows from its
//! visits, an outpatient line's status, adjustments, modifiers, procedures and drug
//! agree, and a replacement claim names the claim it replaced.

use std::collections::BTreeMap;

use bcda_model::claims::{Claim, ClaimType};
use bcda_synth::{BeneficiaryRecord, Synth, SynthSpec};
use time::macros::date;

/// Two years of a 1,500-beneficiary ACO: enough stays, periods and surgeries to see
/// every rule at work.
fn records() -> Vec<BeneficiaryRecord> {
    let synth = Synth::new(SynthSpec {
        cms_id: "A9995".into(),
        beneficiaries: 1_500,
        seed: 20_261_128,
        years: 2,
        as_of: date!(2026 - 11 - 01),
    })
    .unwrap();
    (0..synth.total()).map(|n| synth.beneficiary(n)).collect()
}

fn of_kind(record: &BeneficiaryRecord, kind: ClaimType) -> impl Iterator<Item = &Claim> {
    record.claims.iter().filter(move |c| c.claim_type == kind)
}

#[test]
fn institutional_claims_agree_with_themselves() {
    let records = records();
    let mut per_diem_by_hospital = BTreeMap::new();
    let (mut stays, mut qualified, mut lupas, mut surgeries, mut packaged) = (0, 0, 0, 0, 0);
    let (mut cost_avoided, mut drugs, mut replacements, mut institutional) = (0, 0, 0, 0);
    for record in &records {
        for claim in record
            .claims
            .iter()
            .filter(|c| c.claim_type.is_institutional())
        {
            // Medicare paid nothing exactly when another payer paid it all.
            let unpaid = claim.paid_cents == 0 && claim.primary_payer_cents > 0;
            assert_eq!(claim.non_payment_reason_cd.is_some(), unpaid, "{claim:?}");
            cost_avoided += usize::from(unpaid);
            // A replacement names the claim it replaced; an original names none.
            let replacement = claim.freq_cd == Some('7');
            assert_eq!(
                claim.original_control_num.is_some(),
                replacement,
                "{claim:?}"
            );
            assert_ne!(
                claim.original_control_num.as_ref(),
                Some(&claim.control_num)
            );
            replacements += usize::from(replacement);
            institutional += 1;
        }
        for stay in of_kind(record, ClaimType::Inpatient) {
            stays += 1;
            let facility = stay
                .facility
                .as_ref()
                .expect("an inpatient claim has details");
            let drg = facility
                .stay
                .as_ref()
                .unwrap()
                .drg_payment
                .as_ref()
                .unwrap();
            // The whole DRG payment, add-ons included, is what Medicare paid, the
            // beneficiary's deductible and any primary payer's share.
            let paid: i64 = stay.lines.iter().map(|l| l.paid_cents).sum();
            assert_eq!(paid, stay.paid_cents, "the lines add up to the claim");
            assert_eq!(
                paid + stay.deductible_cents + stay.primary_payer_cents,
                stay.allowed_cents,
                "{stay:?}"
            );
            let add_ons = drg.capital_total_cents()
                + drg.outlier_cents
                + drg.operating_ime_cents
                + drg.operating_dsh_cents
                + drg.uncompensated_care_cents;
            assert!(add_ons < stay.allowed_cents, "{stay:?}");
            let injury = stay.diagnosis_codes[0].starts_with(['S', 'T']);
            assert_eq!(
                !stay.external_causes.is_empty(),
                injury,
                "an injury stay says how it happened"
            );
            let hospital = stay.provider_ccn.clone().unwrap();
            let paid_alike = (drg.pass_thru_per_diem_cents, drg.uncompensated_care_cents);
            assert_eq!(
                *per_diem_by_hospital.entry(hospital).or_insert(paid_alike),
                paid_alike,
                "a hospital is paid alike on every stay"
            );
        }
        for snf in of_kind(record, ClaimType::Snf) {
            let stay = snf.facility.as_ref().unwrap().stay.as_ref().unwrap();
            assert!(stay.drg_payment.is_none(), "a SNF is paid per day");
            let billed = (snf.thru_date - snf.from_date).whole_days().max(1);
            let covered = i64::from(snf.utilization_days.unwrap());
            assert_eq!(covered + i64::from(stay.non_utilization_days), billed);
            assert!(i64::from(stay.coinsurance_days) <= covered);
            match stay.qualifying_stay {
                Some((admitted, discharged)) => {
                    qualified += 1;
                    assert_eq!(snf.admission_source_cd, Some('4'));
                    assert_eq!(Some(discharged), snf.admission_date);
                    assert!(
                        of_kind(record, ClaimType::Inpatient)
                            .any(|ip| ip.admission_date == Some(admitted)
                                && ip.discharge_date == Some(discharged)
                                && ip.discharge_status_cd.as_deref() == Some("03")),
                        "the qualifying stay is the beneficiary's hospital stay discharged to the SNF"
                    );
                }
                None => assert_eq!(snf.admission_source_cd, Some('1')),
            }
        }
        for period in of_kind(record, ClaimType::Hha) {
            let home_health = period
                .facility
                .as_ref()
                .unwrap()
                .home_health
                .as_ref()
                .unwrap();
            let visits: i32 = period.lines.iter().skip(1).map(|l| l.units).sum();
            assert_eq!(i32::from(home_health.visit_count), visits);
            assert_eq!(home_health.lupa_cd == Some('L'), visits <= 5);
            lupas += usize::from(visits <= 5);
        }
        for visit in of_kind(record, ClaimType::Outpatient) {
            for line in &visit.lines {
                let revenue = line.revenue.as_ref().unwrap();
                if revenue.status_indicator_cd.as_deref() == Some("N") {
                    packaged += 1;
                    assert_eq!((line.allowed_cents, line.paid_cents), (0, 0));
                    assert_eq!(revenue.ansi_codes.first().map(String::as_str), Some("CO97"));
                }
                // A drug's line (revenue centre 0636, drugs requiring detailed coding)
                // names the product given and how much of it; no other line does.
                let drug_line = line.revenue_center_cd.as_deref() == Some("0636");
                assert_eq!(line.ndc_cd.is_some(), drug_line, "{line:?}");
                assert_eq!(line.ndc_quantity.is_some(), drug_line, "{line:?}");
                drugs += usize::from(drug_line);
                if line.hcpcs_cd.as_deref() == Some("66984") {
                    surgeries += 1;
                    let lens = if line.modifiers.iter().any(|m| m == "LT") {
                        "08RK3JZ"
                    } else {
                        "08RJ3JZ"
                    };
                    assert!(
                        visit.procedures.iter().any(|(code, _)| code == lens),
                        "the operated eye is the coded lens: {visit:?}"
                    );
                }
            }
        }
    }
    // Every rule above was exercised.
    assert!(stays > 100 && qualified > 5 && lupas > 0 && surgeries > 0 && packaged > 10);
    assert!(cost_avoided > 5 && drugs > 10);
    // About one institutional claim in twenty replaced an earlier one.
    let share = replacements as f64 / institutional as f64;
    assert!(
        (0.03..0.07).contains(&share),
        "{replacements} of {institutional}"
    );
}
