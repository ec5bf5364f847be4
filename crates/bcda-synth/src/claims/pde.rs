//! Part D prescription drug events: each enrollee has a few maintenance drugs refilled
//! on schedule (30- or 90-day supplies) and some one-off prescriptions.

use bcda_model::claims::{ClaimType, PdeEvent};
use time::Duration;

use super::{Context, around};
use crate::codes::{CODES, Drug};
use crate::rates::RATES;
use crate::rng::Rng;

/// Share of fills that are maintenance refills rather than one-off prescriptions.
const MAINTENANCE_SHARE: f64 = 0.85;

pub(super) fn events(ctx: &mut Context<'_>, rng: &mut Rng) {
    let months: Vec<usize> = (0..=ctx.profile.last_month)
        .filter(|&m| ctx.profile.part_d || !ctx.profile.in_ffs(m))
        .collect();
    if months.is_empty() {
        return;
    }
    // Drug use varies less between people than hospital use: half the frailty spread.
    let expected =
        RATES.pde.per_year * (0.5 + 0.5 * ctx.profile.frailty) * months.len() as f64 / 12.0;
    let pharmacy = rng.pick(&ctx.network.pharmacies).clone();
    let prescriber = rng.pick(&ctx.network.clinicians).clone();
    let start = ctx.period.first_day() + Duration::days(months[0] as i64 * 30);
    let end = ctx.period.month_end(months[months.len() - 1]);

    // Maintenance drugs: each refilled every `days_supply` days across the coverage.
    let mut fills_left = rng.poisson(expected * MAINTENANCE_SHARE) as i64;
    if ctx.showcases(ClaimType::Pde) {
        fills_left = fills_left.max(1);
    }
    while fills_left > 0 {
        let drug = a_drug(rng);
        let supply = if rng.chance(0.3) {
            90
        } else {
            drug.days_supply
        };
        let mut day = start + Duration::days(rng.below(supply as u64) as i64);
        let mut fill_num = 0;
        while day <= end && fills_left > 0 {
            push(
                ctx,
                rng,
                drug,
                supply,
                day,
                fill_num,
                &pharmacy,
                &prescriber,
            );
            fill_num += 1;
            fills_left -= 1;
            day += Duration::days(i64::from(supply) + rng.between(-3, 5));
        }
    }
    // One-off prescriptions on random days.
    for _ in 0..rng.poisson(expected * (1.0 - MAINTENANCE_SHARE)) {
        let drug = a_drug(rng);
        let day =
            start + Duration::days(rng.below((end - start).whole_days().max(1) as u64) as i64);
        push(
            ctx,
            rng,
            drug,
            drug.days_supply.min(30),
            day,
            0,
            &pharmacy,
            &prescriber,
        );
    }
}

/// The drug of a fill: mostly one of the common drugs, and three fills in ten one of the
/// hundreds of other oral drugs Part D enrollees fill often, in proportion to their Part D
/// claims (the share is our assumption).
fn a_drug(rng: &mut Rng) -> &'static Drug {
    if rng.chance(0.3) {
        CODES.drug_tail.sample(rng)
    } else {
        CODES.drugs.sample(rng)
    }
}

#[allow(clippy::too_many_arguments)]
fn push(
    ctx: &mut Context<'_>,
    rng: &mut Rng,
    drug: &Drug,
    supply: i16,
    day: time::Date,
    fill_num: i16,
    pharmacy: &str,
    prescriber: &(String, &'static str),
) {
    let Some(month) = ctx.period.month_index(day) else {
        return;
    };
    let plan = ctx.part_d_plan(month);
    let Some((contract, pbp)) = plan else { return };
    let scale = f64::from(supply) / f64::from(drug.days_supply.max(1));
    let total = (around(rng, drug.cost_cents, 0.1) as f64 * scale) as i64;
    let patient = if drug.brand_generic == 'G' {
        (total / 10).min(1_000)
    } else {
        total / 4
    };
    // The low-income subsidy pays most of a dual-eligible enrollee's share.
    let lics = if ctx.profile.dual {
        patient * 9 / 10
    } else {
        0
    };
    let id = ctx.next_id();
    let paid_date = day + Duration::days(1 + rng.below(14) as i64);
    let last_updated = ctx.processed(day, rng);
    let details = Details::draw(rng, drug.brand_generic, total, patient);
    ctx.events.push(PdeEvent {
        pde_id: id,
        beneficiary_id: ctx.profile.key,
        clm_grp_id: id,
        service_date: day,
        paid_date,
        prescriber_npi: prescriber.0.clone(),
        prescriber_specialty_cd: Some(prescriber.1.to_owned()),
        pharmacy_npi: pharmacy.to_owned(),
        ndc_cd: drug.ndc.to_owned(),
        quantity_dispensed: (f64::from(drug.quantity) * scale).round() as i32,
        days_supply: supply,
        fill_num,
        brand_generic_cd: drug.brand_generic,
        daw_cd: if rng.chance(0.9) { '0' } else { '1' },
        drug_coverage_cd: 'C',
        plan_contract_id: contract,
        plan_pbp_id: pbp,
        rx_service_reference_num: details.reference,
        compound_cd: details.compound,
        dispensing_status_cd: details.dispensing,
        adjustment_deletion_cd: details.adjustment,
        nonstandard_format_cd: details.format,
        pricing_exception_cd: details.pricing_exception,
        catastrophic_coverage_cd: details.catastrophic,
        rx_origin_cd: details.origin,
        patient_residence_cd: details.residence.to_owned(),
        submission_clarification_cd: details.clarification.map(str::to_owned),
        total_cost_cents: total,
        gdc_below_oopt_cents: total - details.above_threshold,
        gdc_above_oopt_cents: details.above_threshold,
        patient_pay_cents: patient - lics,
        other_troop_cents: details.other_troop,
        plan_paid_cents: total - patient,
        lics_cents: lics,
        plro_cents: details.plro,
        gap_discount_cents: details.gap_discount,
        last_updated,
    });
}

/// A fill's administrative codes and the amounts that split its cost. The shares are
/// the author's estimates (no published distribution was found): nearly every fill is
/// an original, standard-format, non-compound fill, prescribed electronically for
/// someone living at home, and below the catastrophic threshold.
struct Details {
    reference: i64,
    compound: char,
    dispensing: Option<char>,
    adjustment: Option<char>,
    format: Option<char>,
    pricing_exception: Option<char>,
    catastrophic: Option<char>,
    origin: char,
    residence: &'static str,
    clarification: Option<&'static str>,
    /// The part of the gross drug cost above the out-of-pocket threshold.
    above_threshold: i64,
    other_troop: i64,
    plro: i64,
    gap_discount: i64,
}

impl Details {
    fn draw(rng: &mut Rng, brand_generic: char, total: i64, patient: i64) -> Details {
        let pick = |rng: &mut Rng, shares: &[(f64, Option<char>)]| {
            let mut roll = rng.below(10_000) as f64 / 10_000.0;
            for &(share, code) in shares {
                if roll < share {
                    return code;
                }
                roll -= share;
            }
            None
        };
        let catastrophic = if brand_generic == 'B' {
            pick(rng, &[(0.06, Some('C')), (0.01, Some('A'))])
        } else {
            None
        };
        let above_threshold = match catastrophic {
            Some('C') => total,
            Some(_) => total / 2,
            None => 0,
        };
        let origin = match rng.below(100) {
            0..=69 => '3',
            70..=84 => '1',
            85..=91 => '2',
            92..=96 => '4',
            _ => '5',
        };
        let residence = match rng.below(100) {
            0..=84 => "01",
            85..=94 => "00",
            95..=97 => "03",
            _ => "04",
        };
        let compound = if rng.chance(0.005) { '2' } else { '1' };
        Details {
            reference: rng.between(100_000, 999_999_999),
            compound,
            dispensing: pick(rng, &[(0.01, Some('P')), (0.005, Some('C'))]),
            adjustment: pick(rng, &[(0.04, Some('A')), (0.01, Some('R'))]),
            format: pick(
                rng,
                &[(0.01, Some('X')), (0.005, Some('B')), (0.005, Some('C'))],
            ),
            pricing_exception: pick(rng, &[(0.01, Some('O')), (0.005, Some('M'))]),
            catastrophic,
            origin,
            residence,
            clarification: (compound == '2').then_some("08"),
            above_threshold,
            other_troop: if rng.chance(0.02) { patient / 2 } else { 0 },
            plro: if rng.chance(0.01) { patient / 4 } else { 0 },
            gap_discount: if brand_generic == 'B' && rng.chance(0.1) {
                total / 4
            } else {
                0
            },
        }
    }
}
