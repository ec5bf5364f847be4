//! The shared-system life of each fee-for-service claim: the FISS record of an
//! institutional claim and the MCS record of a carrier claim, as BFD's partially
//! adjudicated data holds them (DME claims are processed in VMS, which BFD's `/v2` does
//! not serve, and Part D events in DDPS).
//!
//! Each record follows from its final claim, on a random stream of its own seeded by the
//! claim's control number, so the rest of the data set is drawn as before:
//! - the shared system received the claim after its services ended and before its final
//!   action reached the National Claims History (our NCH processing date), a tenth to a
//!   half of the way through that interval (CMS: claims typically arrive 3-4 weeks after
//!   care, <https://bcda.cms.gov/data.html>; our NCH lag is shorter, so ours arrive
//!   sooner);
//! - it reached its final status (FISS `P` paid or `D` denied, MCS `D` approved and paid
//!   or `E` denied) one to five days before the NCH processing date, and never before the
//!   14-day payment floor for electronic claims when the interval leaves room for it
//!   (Medicare Claims Processing Manual, Pub. 100-04, ch. 1, §80.2.1.1);
//! - one claim in twenty was billed for a different total than the final claim carries
//!   (the provider corrected a line before the final action): our assumption, as no rate
//!   is published.
//!
//! A claim whose final action falls after the as-of date is in no NCH table: the shared
//! systems alone hold it, received (if it was by then) and paid, denied or still being
//! worked ([`in_process_record_of`]).

use bcda_model::claims::{Claim, ClaimLine, ClaimType, NdcQuantity, NdcUnit};
use bcda_model::shared_system::{
    LineAdjustment, SharedSystem, SharedSystemClaim, SharedSystemLine,
};
use time::{Date, Duration};

use crate::claims::{InProcessClaim, stable_digits};
use crate::profile::timestamp;
use crate::rng::Rng;

/// The share of claims billed for a total other than the final one: our assumption.
const REBILLED_SHARE: f64 = 0.05;

/// Days from receipt to the earliest payment of an electronic claim (Pub. 100-04, ch. 1,
/// §80.2.1.1: on the 14th day after the day of receipt).
const PAYMENT_FLOOR_DAYS: i64 = 14;

/// The shared system that processed claims of `kind`, if BFD serves its records.
pub fn system_of(kind: ClaimType) -> Option<SharedSystem> {
    match kind {
        ClaimType::Carrier => Some(SharedSystem::Mcs),
        kind if kind.is_institutional() => Some(SharedSystem::Fiss),
        _ => None,
    }
}

/// Every shared-system record of a beneficiary's data set as of `as_of` (the data's
/// as-of date): those of its final claims, then those of its claims still in process.
pub fn records_of(
    record: &crate::BeneficiaryRecord,
    as_of: Date,
) -> impl Iterator<Item = SharedSystemClaim> + '_ {
    let finals = record.claims.iter().filter_map(record_of);
    let pending = record
        .in_process_claims
        .iter()
        .filter_map(move |claim| in_process_record_of(claim, as_of));
    finals.chain(pending)
}

/// The shared-system record of `claim`, a final claim, if its kind has one: complete.
pub fn record_of(claim: &Claim) -> Option<SharedSystemClaim> {
    let (mut record, life, mut rng) = drawn(claim, claim.last_updated.date())?;
    record.status_cd = final_status(record.system, claim);
    record.status_date = life.decided;
    record.last_updated = timestamp(life.decided, &mut rng).min(claim.last_updated);
    record.final_clm_id = Some(claim.clm_id);
    Some(record)
}

/// The share of claims in process that FISS returned to the provider to correct (status
/// `T`): our assumption, as no rate is published.
const RETURNED_TO_PROVIDER_SHARE: f64 = 0.05;

/// The shared-system record of `pending`, a claim not yet final at `as_of`, if its kind
/// has one and the shared system had received it by then. A claim the system has paid
/// or denied waits for its final action in the NCH (complete); one within its first
/// three days is queued (FISS `A`, MCS `A`); the others are being worked: FISS
/// suspended for review (`S`) or, one in twenty, returned to the provider (`T`); MCS
/// approved and awaiting the Common Working File (`C`) in the last three days before
/// payment, else suspended (`B`, which BFD counts as queued).
pub fn in_process_record_of(pending: &InProcessClaim, as_of: Date) -> Option<SharedSystemClaim> {
    let claim = &pending.claim;
    let (mut record, life, mut rng) = drawn(claim, pending.final_action)?;
    let today = as_of - Duration::days(1);
    if life.received > today {
        return None;
    }
    if life.decided <= today {
        record.status_cd = final_status(record.system, claim);
        record.status_date = life.decided;
    } else {
        let days = (today - life.received).whole_days();
        record.status_cd = match record.system {
            _ if days < 3 => 'A',
            SharedSystem::Fiss if rng.chance(RETURNED_TO_PROVIDER_SHARE) => 'T',
            SharedSystem::Fiss => 'S',
            SharedSystem::Mcs if (life.decided - today).whole_days() <= 3 => 'C',
            SharedSystem::Mcs => 'B',
        };
        record.status_date = life.received + Duration::days(rng.between(0, days));
    }
    record.last_updated = timestamp(record.status_date, &mut rng);
    record.final_clm_id = None;
    Some(record)
}

/// When the shared system received a claim and decided it (paid or denied).
struct Life {
    received: Date,
    decided: Date,
}

/// What a claim's record holds whatever its status, with its life in the shared system
/// given the day its final action reaches (or will reach) the NCH, and the record's
/// random stream for what follows.
fn drawn(claim: &Claim, final_action: Date) -> Option<(SharedSystemClaim, Life, Rng)> {
    const STREAM: u64 = 0x5A12_ED00;
    let system = system_of(claim.claim_type)?;
    let mut rng = Rng::new(stable_digits(&claim.control_num), STREAM);
    let span = (final_action - claim.thru_date).whole_days().max(0);
    let received =
        claim.thru_date + Duration::days((span as f64 * (0.1 + 0.4 * rng.unit())) as i64);
    let floor = (received + Duration::days(PAYMENT_FLOOR_DAYS)).min(final_action);
    let decided = (final_action - Duration::days(rng.between(1, 5)))
        .max(floor)
        .max(received);
    let mut total_charge_cents = claim.total_charge_cents;
    if rng.chance(REBILLED_SHARE) {
        total_charge_cents = (total_charge_cents as f64 * (0.85 + 0.3 * rng.unit())) as i64;
    }
    let fiss = system == SharedSystem::Fiss;
    let inpatient = matches!(claim.claim_type, ClaimType::Inpatient | ClaimType::Snf);
    let first_line = claim.lines.first();
    let record = SharedSystemClaim {
        // Unique by construction, as the table's key and BFD's resource ids must be: the
        // claim's id (which holds the ACO's namespace), and for FISS, as RDA's claim key
        // does, the intermediary's five-digit number after it. The claim's control number
        // (DCN, ICN) is random and could repeat in a large data set.
        claim_key: match system {
            SharedSystem::Fiss => format!("{}{}", claim.clm_id, claim.contractor_num),
            SharedSystem::Mcs => claim.clm_id.to_string(),
        },
        beneficiary_id: claim.beneficiary_id,
        system,
        control_num: claim.control_num.clone(),
        status_cd: ' ',
        received_date: received,
        status_date: decided,
        from_date: claim.from_date,
        thru_date: claim.thru_date,
        total_charge_cents,
        provider_npi: claim.billing_npi.clone(),
        provider_number: claim.provider_ccn.clone().filter(|_| fiss),
        provider_type_cd: (!fiss).then(|| "20".to_owned()),
        provider_specialty_cd: first_line
            .filter(|_| !fiss)
            .and_then(|line| line.provider_specialty_cd.clone()),
        fac_type_cd: claim.fac_type_cd.filter(|_| fiss),
        srvc_clsfctn_cd: claim.srvc_clsfctn_cd.filter(|_| fiss),
        freq_cd: claim.freq_cd.filter(|_| fiss),
        drg_cd: claim.drg_cd.clone().filter(|_| fiss),
        admission_type_cd: claim.admission_type_cd.filter(|_| inpatient),
        principal_diagnosis: claim.diagnosis_codes.first().cloned().filter(|_| fiss),
        // FISS's admitting diagnosis: a stay's reason for admission, which our claims
        // record as their principal diagnosis.
        admitting_diagnosis: claim.diagnosis_codes.first().cloned().filter(|_| inpatient),
        diagnoses: claim
            .diagnosis_codes
            .iter()
            .enumerate()
            .map(|(i, code)| (code.clone(), claim.poa_indicators.get(i).copied()))
            .collect(),
        procedures: claim.procedures.clone(),
        payers: if fiss {
            claim
                .primary_payer_cd
                .map(primary_payer_name)
                .into_iter()
                .chain(["MEDICARE"])
                .map(String::from)
                .collect()
        } else {
            Vec::new()
        },
        mcs_claim_type: (!fiss).then_some('3'),
        lines: claim
            .lines
            .iter()
            .map(|line| line_of(system, line))
            .collect(),
        final_clm_id: None,
        last_updated: claim.last_updated,
    };
    Some((record, Life { received, decided }, rng))
}

/// The final status: FISS `P` (paid) unless no payer paid anything (`D`, denied); MCS
/// `D` (approved and paid) unless the carrier denied the claim (`E`).
fn final_status(system: SharedSystem, claim: &Claim) -> char {
    let nothing_paid = claim.paid_cents == 0 && claim.primary_payer_cents == 0;
    match system {
        SharedSystem::Fiss if nothing_paid => 'D',
        SharedSystem::Fiss => 'P',
        SharedSystem::Mcs if claim.payment_denial_cd == Some('0') => 'E',
        SharedSystem::Mcs => 'D',
    }
}

/// FISS's name of the payer that paid first, by the claim's primary payer code.
fn primary_payer_name(code: char) -> &'static str {
    match code {
        'A' => "EMPLOYER GROUP HEALTH PLAN",
        'B' => "ESRD EMPLOYER GROUP HEALTH PLAN",
        'E' => "WORKERS COMPENSATION",
        'G' => "LARGE GROUP HEALTH PLAN",
        _ => "OTHER PRIMARY PAYER",
    }
}

/// The line as billed: a FISS revenue line with the first adjustment code that explains
/// its reduction, or an MCS detail line with its diagnosis and drug.
fn line_of(system: SharedSystem, line: &ClaimLine) -> SharedSystemLine {
    let fiss = system == SharedSystem::Fiss;
    SharedSystemLine {
        line_num: line.line_num,
        from_date: line.from_date,
        thru_date: line.thru_date,
        revenue_center_cd: line.revenue_center_cd.clone().filter(|_| fiss),
        hcpcs_cd: line.hcpcs_cd.clone(),
        modifiers: line.modifiers.iter().take(4).cloned().collect(),
        units: line.units,
        charge_cents: line.submitted_cents,
        diagnosis_cd: line.diagnosis_cd.clone().filter(|_| !fiss),
        ndc: match line.ndc_quantity {
            Some(given) if fiss => line.ndc_cd.clone().map(|ndc| (ndc, given)),
            // MCS has no NDC unit: the quantity is the line's units (the HCPCS code's
            // doses), stored as units of the product.
            _ if !fiss => line.ndc_cd.clone().map(|ndc| {
                let given = NdcQuantity {
                    quantity: line.units,
                    unit: NdcUnit::Unit,
                };
                (ndc, given)
            }),
            _ => None,
        },
        adjustment: line
            .revenue
            .as_ref()
            .and_then(|revenue| revenue.ansi_codes.first())
            .filter(|_| fiss)
            .and_then(|code| adjustment_of(code)),
    }
}

/// `CO45` as group `CO`, reason `45`.
fn adjustment_of(code: &str) -> Option<LineAdjustment> {
    let split = code.find(|c: char| c.is_ascii_digit())?;
    let (group, reason) = code.split_at(split);
    (!group.is_empty()).then(|| LineAdjustment {
        group_cd: group.to_owned(),
        reason_cd: reason.to_owned(),
        remark_cd: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carrier_and_facility_claims_have_a_record_dme_and_part_d_none() {
        assert_eq!(system_of(ClaimType::Carrier), Some(SharedSystem::Mcs));
        for kind in [
            ClaimType::Inpatient,
            ClaimType::Outpatient,
            ClaimType::Snf,
            ClaimType::Hha,
            ClaimType::Hospice,
        ] {
            assert_eq!(system_of(kind), Some(SharedSystem::Fiss), "{kind}");
        }
        assert_eq!(system_of(ClaimType::Dme), None);
        assert_eq!(system_of(ClaimType::Pde), None);
    }

    #[test]
    fn keys_differ_even_where_control_numbers_repeat() {
        let synth = crate::Synth::new(crate::sandbox::spec(
            "D9994",
            20,
            time::macros::date!(2026 - 11 - 01),
        ))
        .unwrap();
        let mut claims = (0..synth.total())
            .flat_map(|n| synth.beneficiary(n).claims)
            .filter(|c| c.claim_type == ClaimType::Carrier);
        let first = claims.next().unwrap();
        let mut second = claims.next().unwrap();
        second.control_num.clone_from(&first.control_num);
        let (a, b) = (record_of(&first).unwrap(), record_of(&second).unwrap());
        assert_eq!(a.control_num, b.control_num);
        assert_ne!(a.claim_key, b.claim_key);
    }

    #[test]
    fn adjustment_codes_split_into_group_and_reason() {
        let adjustment = adjustment_of("CO45").unwrap();
        assert_eq!(
            (adjustment.group_cd.as_str(), adjustment.reason_cd.as_str()),
            ("CO", "45")
        );
        assert_eq!(adjustment_of("45"), None);
        assert_eq!(adjustment_of("PR"), None);
    }
}
