//! Carrier (physician and supplier, Part B) and DME claims.

use bcda_model::claims::{
    Claim, ClaimLine, ClaimType, HctHgbResult, HctHgbTest, PartBLine, PartBLineKind,
};

use super::{Context, around, stable_digits, total_from_lines};
use crate::codes::{CODES, CarrierService, DmeItem, Location};
use crate::rates::RATES;
use crate::rng::Rng;

/// Modifiers seen on carrier lines, mostly none.
const MODIFIERS: [&str; 8] = ["25", "59", "GP", "26", "TC", "RT", "LT", "95"];

/// CMS specialties of primary care: general and family practice, internal and geriatric
/// medicine. Other clinicians see a beneficiary on referral.
const PRIMARY_CARE: [&str; 4] = ["01", "08", "11", "38"];

pub(super) fn carrier(ctx: &mut Context<'_>, rng: &mut Rng) {
    let count = ctx.claims_of(ClaimType::Carrier, &RATES.carrier, rng);
    // Each person sees a few clinicians again and again.
    let own_clinicians: Vec<usize> = (0..3)
        .map(|_| rng.below(ctx.network.clinicians.len() as u64) as usize)
        .collect();
    for _ in 0..count {
        let Some(day) = ctx.ffs_day(rng) else { return };
        let clinician = if rng.chance(0.7) {
            *rng.pick(&own_clinicians)
        } else {
            rng.below(ctx.network.clinicians.len() as u64) as usize
        };
        let (npi, specialty) = ctx.network.clinicians[clinician].clone();
        // The beneficiary's usual clinician, who refers them elsewhere.
        let usual = &ctx.network.clinicians[own_clinicians[0]].0;
        let mut claim = ctx.claim(ClaimType::Carrier, day, day, rng);
        let group = ctx.network.groups[clinician % ctx.network.groups.len()].clone();
        claim.diagnosis_codes = ctx.diagnoses(rng, None, 4);

        let lines = 1 + rng.poisson(RATES.carrier.lines_per_claim - 1.0).min(12) as i16;
        for line_num in 1..=lines {
            // One line in ten bills one of the fee schedule's other services.
            let service = if rng.chance(0.1) {
                CODES.carrier_tail.sample(rng)
            } else {
                CODES.carrier_services.sample(rng)
            };
            let units = if service.code.starts_with('J') {
                1 + rng.below(4) as i32
            } else {
                1
            };
            let allowed = around(rng, service.allowed_cents, 0.15) * i64::from(units);
            let (deductible, coinsurance, paid) = if service.cost_sharing_waived {
                (0, 0, allowed)
            } else {
                ctx.part_b_share(day.year(), allowed)
            };
            let modifiers = if rng.chance(0.12) {
                vec![rng.pick(&MODIFIERS).to_string()]
            } else {
                Vec::new()
            };
            let mut part_b = carrier_line(ctx.profile.location, service, &npi, &group);
            if service.code == COMPLETE_BLOOD_COUNT {
                part_b.hct_hgb = Some(hemoglobin(&claim, line_num));
            }
            claim.lines.push(ClaimLine {
                line_num,
                from_date: day,
                thru_date: day,
                hcpcs_cd: Some(service.code.to_owned()),
                modifiers,
                revenue_center_cd: None,
                place_of_service_cd: Some(service.place_of_service.to_owned()),
                rendering_npi: Some(npi.clone()),
                provider_specialty_cd: Some(specialty.to_owned()),
                diagnosis_cd: claim.diagnosis_codes.first().cloned(),
                ndc_cd: service.ndc.map(str::to_owned),
                ndc_quantity: None,
                units,
                submitted_cents: allowed * (150 + rng.below(150) as i64) / 100,
                allowed_cents: allowed,
                paid_cents: paid,
                deductible_cents: deductible,
                coinsurance_cents: coinsurance,
                primary_payer_cents: 0,
                part_b: Some(part_b),
                revenue: None,
            });
        }
        claim.billing_npi = Some(group);
        let ordered = claim.lines.iter().any(|line| {
            line.part_b
                .as_ref()
                .is_some_and(|p| p.betos_cd.starts_with(['T', 'I']))
        });
        if (ordered || !PRIMARY_CARE.contains(&specialty)) && *usual != npi {
            claim.referring_npi = Some(usual.clone());
        }
        enrol_in_trial(&mut claim);
        total_from_lines(&mut claim, rng);
        ctx.claims.push(claim);
    }
}

/// How a carrier line for `service` by the clinician `npi`, billed by `group`, is
/// classified and priced. What belongs to the clinician (ZIP, participation) or the
/// group (its laboratory's CLIA number) follows from their NPIs, so it is the same on
/// every claim.
fn carrier_line(
    location: &Location,
    service: &CarrierService,
    npi: &str,
    group: &str,
) -> PartBLine {
    let lab = service.betos.starts_with("T1");
    PartBLine {
        betos_cd: service.betos.to_owned(),
        type_of_service_cd: service.type_of_service,
        // Ambulance mileage counts miles; everything else here counts services.
        mtus_cd: if service.code == "A0425" { '1' } else { '3' },
        processing_cd: "A".to_owned(),
        deductible_cd: if service.cost_sharing_waived {
            '1'
        } else {
            '0'
        },
        payment_cd: if service.cost_sharing_waived {
            '1'
        } else {
            '0'
        },
        participating_cd: participation(npi),
        provider_state_cd: location.ssa_state.to_owned(),
        hct_hgb: None,
        kind: PartBLineKind::Carrier {
            // Billed through a group practice.
            provider_type_cd: '0',
            // None of the clinicians' specialties is paid at a reduced rate.
            reduced_payment_cd: '0',
            provider_zip: format!("{}{:04}", location.zip5, stable_digits(npi) % 10_000),
            // Synthetic: every county we list is priced as its state's locality 01.
            pricing_locality_cd: "01".to_owned(),
            // CLIA numbers: the state's two digits, `D`, seven digits.
            clia_lab_num: lab.then(|| {
                format!(
                    "{}D{:07}",
                    location.ssa_state,
                    stable_digits(group) % 10_000_000
                )
            }),
        },
    }
}

/// The HCPCS code whose lines report a hemoglobin result.
const COMPLETE_BLOOD_COUNT: &str = "85025";

/// The hemoglobin a complete blood count on line `line_num` of `claim` found: 11.0 to
/// 15.9 g/dL, from the claim's control number.
fn hemoglobin(claim: &Claim, line_num: i16) -> HctHgbResult {
    let spread = stable_digits(&claim.control_num).wrapping_add(line_num as u64) % 50;
    HctHgbResult {
        test: HctHgbTest::Hemoglobin,
        tenths: 110 + spread as i16,
    }
}

/// About one carrier or DME claim in 200 is for services or items of a clinical trial:
/// it carries the trial's clinicaltrials.gov number and its lines the Q1 modifier
/// (routine costs in a qualifying trial). Which claims follows from their control
/// numbers.
fn enrol_in_trial(claim: &mut Claim) {
    let digits = stable_digits(&claim.control_num);
    if !digits.is_multiple_of(200) {
        return;
    }
    claim.clinical_trial_num = Some(format!("{:08}", (digits / 200) % 100_000_000));
    for line in &mut claim.lines {
        if !line.modifiers.iter().any(|m| m == "Q1") {
            line.modifiers.push("Q1".to_owned());
        }
    }
}

/// PRTCPTNG_IND_CD of a clinician: about 97% of clinicians who bill Medicare
/// participate (`1`); the rest take assignment without participating (`3`), as the
/// claims' assignment code says.
fn participation(npi: &str) -> char {
    if stable_digits(npi) % 100 < 3 {
        '3'
    } else {
        '1'
    }
}

pub(super) fn dme(ctx: &mut Context<'_>, rng: &mut Rng) {
    let count = ctx.claims_of(ClaimType::Dme, &RATES.dme, rng);
    let supplier = rng.pick(&ctx.network.suppliers).clone();
    let prescriber = rng.pick(&ctx.network.clinicians).0.clone();
    for _ in 0..count {
        let Some(day) = ctx.ffs_day(rng) else { return };
        // A rental month or a supply is billed on one date of service, the day it begins
        // or the day of delivery, as the DME MACs ask: never one still to come.
        let mut claim = ctx.claim(ClaimType::Dme, day, day, rng);
        claim.billing_npi = Some(supplier.clone());
        claim.referring_npi = Some(prescriber.clone());
        claim.diagnosis_codes = ctx.diagnoses(rng, None, 2);
        let lines = 1 + rng.poisson(RATES.dme.lines_per_claim - 1.0).min(12) as i16;
        for line_num in 1..=lines {
            // One line in five bills one of the fee schedule's other items.
            let item = if rng.chance(0.2) {
                CODES.dme_tail.sample(rng)
            } else {
                CODES.dme_items.sample(rng)
            };
            // Supplies come in boxes and inhaled drugs by the milligram (units); the
            // typical amount is per line either way.
            let units = match item.code.as_bytes()[0] {
                _ if item.per_unit => 1,
                b'A' => 50 * (1 + rng.below(2) as i32),
                b'J' => 90,
                _ => 1,
            };
            let allowed = around(rng, item.allowed_cents, 0.1);
            let (deductible, coinsurance, paid) = ctx.part_b_share(day.year(), allowed);
            let modifiers = if item.rental {
                vec!["RR".to_owned()]
            } else if item.ndc.is_some() {
                Vec::new()
            } else {
                vec!["NU".to_owned()]
            };
            claim.lines.push(ClaimLine {
                line_num,
                from_date: day,
                thru_date: day,
                hcpcs_cd: Some(item.code.to_owned()),
                modifiers,
                revenue_center_cd: None,
                place_of_service_cd: Some("12".to_owned()),
                rendering_npi: Some(supplier.clone()),
                provider_specialty_cd: Some("A5".to_owned()),
                diagnosis_cd: claim.diagnosis_codes.first().cloned(),
                ndc_cd: item.ndc.map(str::to_owned),
                ndc_quantity: None,
                units,
                submitted_cents: allowed * 14 / 10,
                allowed_cents: allowed,
                paid_cents: paid,
                deductible_cents: deductible,
                coinsurance_cents: coinsurance,
                primary_payer_cents: 0,
                part_b: Some(dme_line(ctx.profile.location, item, &supplier, allowed)),
                revenue: None,
            });
        }
        enrol_in_trial(&mut claim);
        total_from_lines(&mut claim, rng);
        ctx.claims.push(claim);
    }
}

/// How a DME line for `item` from `supplier` is classified and priced.
fn dme_line(location: &Location, item: &DmeItem, supplier: &str, allowed: i64) -> PartBLine {
    PartBLine {
        betos_cd: item.betos.to_owned(),
        type_of_service_cd: match (item.rental, item.ndc.is_some()) {
            (true, _) => 'R',
            (false, true) => '1',
            (false, false) => 'P',
        },
        // Oxygen is counted in units of volume, all else in items or services.
        mtus_cd: if item.betos == "D1C" { '4' } else { '3' },
        processing_cd: "A".to_owned(),
        deductible_cd: '0',
        payment_cd: '0',
        participating_cd: participation(supplier),
        provider_state_cd: location.ssa_state.to_owned(),
        hct_hgb: None,
        kind: PartBLineKind::Dme {
            supplier_num: supplier.to_owned(),
            // A supplier identified by its employer identification number.
            supplier_type_cd: '3',
            pricing_state_cd: location.state.to_owned(),
            screen_savings_cents: 0,
            // A capped rental is paid for about as many months as buying would cost.
            purchase_price_cents: if item.rental { allowed * 10 } else { allowed },
            primary_allowed_cents: 0,
        },
    }
}
