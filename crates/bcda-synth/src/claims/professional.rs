//! Carrier (physician and supplier, Part B) and DME claims.

use bcda_model::claims::{ClaimLine, ClaimType};

use super::{Context, around, total_from_lines};
use crate::codes::CODES;
use crate::rates::RATES;
use crate::rng::Rng;

/// Modifiers seen on carrier lines, mostly none.
const MODIFIERS: [&str; 8] = ["25", "59", "GP", "26", "TC", "RT", "LT", "95"];

pub(super) fn carrier(ctx: &mut Context<'_>, rng: &mut Rng) {
    let count = ctx.count(ClaimType::Carrier, RATES.carrier.per_year, rng);
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
        let mut claim = ctx.claim(ClaimType::Carrier, day, day, rng);
        claim.billing_npi = Some(ctx.network.groups[clinician % ctx.network.groups.len()].clone());
        claim.diagnosis_codes = ctx.diagnoses(rng, None, 4);

        let lines = 1 + rng.poisson(RATES.carrier.lines_per_claim - 1.0).min(12) as i16;
        for line_num in 1..=lines {
            let service = CODES.carrier_services.sample(rng);
            let units = if service.code.starts_with('J') {
                1 + rng.below(4) as i32
            } else {
                1
            };
            let allowed = around(rng, service.allowed_cents, 0.15) * i64::from(units);
            let (deductible, coinsurance, paid) = ctx.part_b_share(day.year(), allowed);
            let modifiers = if rng.chance(0.12) {
                vec![rng.pick(&MODIFIERS).to_string()]
            } else {
                Vec::new()
            };
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
                ndc_cd: None,
                units,
                submitted_cents: allowed * (150 + rng.below(150) as i64) / 100,
                allowed_cents: allowed,
                paid_cents: paid,
                deductible_cents: deductible,
                coinsurance_cents: coinsurance,
                primary_payer_cents: 0,
            });
        }
        total_from_lines(&mut claim, rng);
        ctx.claims.push(claim);
    }
}

pub(super) fn dme(ctx: &mut Context<'_>, rng: &mut Rng) {
    let count = ctx.count(ClaimType::Dme, RATES.dme.per_year, rng);
    let supplier = rng.pick(&ctx.network.suppliers).clone();
    let prescriber = rng.pick(&ctx.network.clinicians).0.clone();
    for _ in 0..count {
        let Some(day) = ctx.ffs_day(rng) else { return };
        // Rentals and supplies cover a month.
        let thru = day + time::Duration::days(29);
        let mut claim = ctx.claim(ClaimType::Dme, day, thru, rng);
        claim.billing_npi = Some(supplier.clone());
        claim.attending_npi = Some(prescriber.clone());
        claim.diagnosis_codes = ctx.diagnoses(rng, None, 2);
        let lines = 1 + rng.poisson(RATES.dme.lines_per_claim - 1.0).min(12) as i16;
        for line_num in 1..=lines {
            let item = CODES.dme_items.sample(rng);
            // Supplies come in boxes (units); the typical amount is per line either way.
            let units = if item.code.starts_with('A') {
                50 * (1 + rng.below(2) as i32)
            } else {
                1
            };
            let allowed = around(rng, item.allowed_cents, 0.1);
            let (deductible, coinsurance, paid) = ctx.part_b_share(day.year(), allowed);
            claim.lines.push(ClaimLine {
                line_num,
                from_date: day,
                thru_date: thru,
                hcpcs_cd: Some(item.code.to_owned()),
                modifiers: if item.code.starts_with('E') {
                    vec!["RR".to_owned()]
                } else {
                    vec!["NU".to_owned()]
                },
                revenue_center_cd: None,
                place_of_service_cd: Some("12".to_owned()),
                rendering_npi: Some(supplier.clone()),
                provider_specialty_cd: Some("A5".to_owned()),
                diagnosis_cd: claim.diagnosis_codes.first().cloned(),
                ndc_cd: None,
                units,
                submitted_cents: allowed * 14 / 10,
                allowed_cents: allowed,
                paid_cents: paid,
                deductible_cents: deductible,
                coinsurance_cents: coinsurance,
                primary_payer_cents: 0,
            });
        }
        total_from_lines(&mut claim, rng);
        ctx.claims.push(claim);
    }
}
