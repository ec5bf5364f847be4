//! Institutional (Part A and hospital outpatient) claims: inpatient stays with their
//! follow-on SNF stays, outpatient visits, home health periods and hospice months.

use bcda_model::claims::{Claim, ClaimLine, ClaimType};
use time::{Date, Duration};

use super::{Context, around, stable_digits, total_from_lines};
use crate::codes::CODES;
use crate::providers::Facility;
use crate::rates::RATES;
use crate::rng::Rng;

/// Medicare's base payment per DRG weight unit, roughly the national standardized amount.
const DRG_BASE_CENTS: i64 = 680_000;
/// SNF per-diem payment and daily coinsurance from day 21 (2025: $209.50).
const SNF_PER_DIEM_CENTS: i64 = 62_000;
const SNF_COINSURANCE_CENTS: i64 = 20_950;
/// Hospice routine home care per day, home health per 30-day period.
const HOSPICE_PER_DIEM_CENTS: i64 = 22_000;
const HHA_PERIOD_CENTS: i64 = 210_000;

/// An institutional claim skeleton billed by `facility`.
fn facility_claim(
    ctx: &mut Context<'_>,
    kind: ClaimType,
    facility: &Facility,
    from: Date,
    thru: Date,
    bill_type: [char; 3],
    rng: &mut Rng,
) -> Claim {
    let mut claim = ctx.claim(kind, from, thru, rng);
    claim.billing_npi = Some(facility.npi.clone());
    claim.provider_ccn = Some(facility.ccn.clone());
    claim.attending_npi = Some(rng.pick(&ctx.network.clinicians).0.clone());
    claim.fac_type_cd = Some(bill_type[0]);
    claim.srvc_clsfctn_cd = Some(bill_type[1]);
    claim.freq_cd = Some(bill_type[2]);
    claim
}

/// A revenue-center line.
#[allow(clippy::too_many_arguments)]
fn revenue_line(
    line_num: i16,
    from: Date,
    thru: Date,
    revenue_center: &str,
    hcpcs: Option<&str>,
    units: i32,
    charge: i64,
    paid: i64,
) -> ClaimLine {
    ClaimLine {
        line_num,
        from_date: from,
        thru_date: thru,
        hcpcs_cd: hcpcs.map(str::to_owned),
        modifiers: Vec::new(),
        revenue_center_cd: Some(revenue_center.to_owned()),
        place_of_service_cd: None,
        rendering_npi: None,
        provider_specialty_cd: None,
        diagnosis_cd: None,
        ndc_cd: None,
        units,
        submitted_cents: charge,
        allowed_cents: paid,
        paid_cents: paid,
        deductible_cents: 0,
        coinsurance_cents: 0,
        primary_payer_cents: 0,
        part_b: None,
    }
}

/// Spreads `total` over lines in proportion to their charges; the last takes the rest.
fn spread_payment(lines: &mut [ClaimLine], total: i64) {
    let charges: i64 = lines.iter().map(|l| l.submitted_cents).sum::<i64>().max(1);
    let mut left = total;
    let count = lines.len();
    for (i, line) in lines.iter_mut().enumerate() {
        let share = if i + 1 == count {
            left
        } else {
            total * line.submitted_cents / charges
        };
        line.paid_cents = share;
        line.allowed_cents = share;
        left -= share;
    }
}

pub(super) fn inpatient_and_snf(ctx: &mut Context<'_>, rng: &mut Rng) {
    let stays = ctx.count(ClaimType::Inpatient, RATES.inpatient.per_year, rng);
    // Most SNF stays follow a hospital stay; the rest (30%) start from home.
    let snf_direct = ctx.count(ClaimType::Snf, RATES.snf.per_year / 1.6 * 0.3, rng);
    for _ in 0..stays {
        let Some(admit) = ctx.ffs_day(rng) else {
            return;
        };
        let discharge_to_snf = inpatient(ctx, admit, rng);
        if let Some(discharged) = discharge_to_snf {
            snf(ctx, discharged, rng);
        }
    }
    for _ in 0..snf_direct {
        if let Some(day) = ctx.ffs_day(rng) {
            snf(ctx, day, rng);
        }
    }
}

/// Whether each diagnosis of a stay was present on admission: the principal one always,
/// about one secondary diagnosis in ten arose in the hospital (`N`). Which ones follows
/// from the claim's control number.
fn present_on_admission(claim: &Claim) -> Vec<char> {
    let seed = stable_digits(&claim.control_num);
    (0..claim.diagnosis_codes.len())
        .map(|i| {
            let draw = seed.rotate_left(7 * i as u32) % 10;
            if i > 0 && draw == 0 { 'N' } else { 'Y' }
        })
        .collect()
}

/// One inpatient stay; returns the discharge date when the patient went to a SNF.
fn inpatient(ctx: &mut Context<'_>, admit: Date, rng: &mut Rng) -> Option<Date> {
    let drg = CODES.drgs.sample(rng);
    let los = (drg.gmlos * (0.5 + rng.unit())).round().max(1.0) as i64;
    let discharge = admit + Duration::days(los);
    let hospital = rng.pick(&ctx.network.hospitals).clone();
    let mut claim = facility_claim(
        ctx,
        ClaimType::Inpatient,
        &hospital,
        admit,
        discharge,
        ['1', '1', '1'],
        rng,
    );
    let via_er = rng.chance(0.65);
    claim.admission_date = Some(admit);
    claim.discharge_date = Some(discharge);
    claim.admission_type_cd = Some(if via_er {
        '1'
    } else {
        *rng.pick(&['2', '3', '3'])
    });
    claim.admission_source_cd = Some(if via_er { '7' } else { '1' });
    claim.drg_cd = Some(drg.code.to_owned());
    claim.utilization_days = Some(los as i16);
    claim.diagnosis_codes = ctx.diagnoses(rng, Some(drg.principal_dx), 12);
    claim.poa_indicators = present_on_admission(&claim);
    if drg.surgical || rng.chance(0.3) {
        claim.operating_npi = Some(rng.pick(&ctx.network.clinicians).0.clone());
        let count = if drg.surgical { 1 + rng.below(3) } else { 1 };
        claim.procedures = (0..count)
            .map(|i| {
                (
                    rng.pick(&CODES.procedures).to_string(),
                    admit + Duration::days(i as i64),
                )
            })
            .collect();
    }
    // MedPAC: about 0.053 SNF stays per FFS beneficiary-year, most after a hospital
    // stay: 0.037 of the 0.27 stays (14%) are discharged to a SNF.
    let to_snf = rng.chance(0.14);
    let died = !to_snf && rng.chance(0.03);
    claim.discharge_status_cd = Some(
        if to_snf {
            "03"
        } else if died {
            "20"
        } else {
            *rng.pick(&["01", "01", "01", "06", "06", "62"])
        }
        .to_owned(),
    );

    let payment = (drg.weight * DRG_BASE_CENTS as f64 * (0.9 + 0.2 * rng.unit())) as i64;
    let deductible = ctx.part_a_deductible(admit.year()).min(payment);
    let mut lines = vec![revenue_line(
        1,
        admit,
        discharge,
        "0120",
        None,
        los as i32,
        around(rng, 350_000, 0.3) * los,
        0,
    )];
    for (rc, charge) in [
        ("0250", 180_000),
        ("0300", 150_000),
        ("0320", 90_000),
        ("0730", 30_000),
    ] {
        if rng.chance(0.8) {
            let n = lines.len() as i16 + 1;
            lines.push(revenue_line(
                n,
                admit,
                discharge,
                rc,
                None,
                1 + rng.below(6) as i32,
                around(rng, charge, 0.5),
                0,
            ));
        }
    }
    if via_er {
        let n = lines.len() as i16 + 1;
        lines.push(revenue_line(
            n,
            admit,
            admit,
            "0450",
            Some("99285"),
            1,
            around(rng, 250_000, 0.3),
            0,
        ));
    }
    if claim.operating_npi.is_some() {
        let n = lines.len() as i16 + 1;
        lines.push(revenue_line(
            n,
            admit,
            admit,
            "0360",
            None,
            1,
            around(rng, 1_500_000, 0.5),
            0,
        ));
    }
    spread_payment(&mut lines, payment - deductible);
    claim.lines = lines;
    total_from_lines(&mut claim, rng);
    claim.deductible_cents = deductible;
    claim.allowed_cents = payment;
    ctx.claims.push(claim);

    if died {
        ctx.died(discharge);
    }
    to_snf.then_some(discharge)
}

/// A SNF stay from `admit`, billed month by month.
fn snf(ctx: &mut Context<'_>, admit: Date, rng: &mut Rng) {
    let days = (5 + rng.poisson(20.0)).min(100) as i64;
    let facility = rng.pick(&ctx.network.snfs).clone();
    let end = (admit + Duration::days(days)).min(ctx.period.last_day());
    let mut day_of_stay = 0i64;
    for (from, month_end, freq) in monthly_bills(admit, end) {
        let last = month_end == end;
        let billed_days = (month_end - from).whole_days().max(1);
        let mut claim = facility_claim(
            ctx,
            ClaimType::Snf,
            &facility,
            from,
            month_end,
            ['2', '1', freq],
            rng,
        );
        claim.admission_date = Some(admit);
        claim.discharge_date = last.then_some(end);
        claim.discharge_status_cd = Some(if last { "01" } else { "30" }.to_owned());
        claim.utilization_days = Some(billed_days as i16);
        claim.diagnosis_codes = ctx.diagnoses(rng, None, 6);
        // Days 21-100 carry the daily coinsurance.
        let coinsurance_days = (day_of_stay + billed_days - 20).clamp(0, billed_days);
        day_of_stay += billed_days;
        let payment = SNF_PER_DIEM_CENTS * billed_days;
        let coinsurance = SNF_COINSURANCE_CENTS * coinsurance_days;
        let hipps = *rng.pick(&["KAQD1", "KBQD1", "LBRD1", "NCPD1", "HCMD1"]);
        let mut lines = vec![
            revenue_line(
                1,
                from,
                month_end,
                "0022",
                Some(hipps),
                billed_days as i32,
                around(rng, 90_000, 0.2) * billed_days,
                0,
            ),
            revenue_line(
                2,
                from,
                month_end,
                "0191",
                None,
                billed_days as i32,
                around(rng, 60_000, 0.2) * billed_days,
                0,
            ),
        ];
        if rng.chance(0.6) {
            lines.push(revenue_line(
                3,
                from,
                month_end,
                "0420",
                Some("97110"),
                1 + rng.below(20) as i32,
                around(rng, 120_000, 0.4),
                0,
            ));
        }
        spread_payment(&mut lines, (payment - coinsurance).max(0));
        claim.lines = lines;
        total_from_lines(&mut claim, rng);
        claim.coinsurance_cents = coinsurance;
        claim.allowed_cents = payment;
        ctx.claims.push(claim);
    }
}

pub(super) fn outpatient(ctx: &mut Context<'_>, rng: &mut Rng) {
    let visits = ctx.count(ClaimType::Outpatient, RATES.outpatient.per_year, rng);
    let hospital = rng.pick(&ctx.network.hospitals).clone();
    for _ in 0..visits {
        let Some(day) = ctx.ffs_day(rng) else { return };
        let mut claim = facility_claim(
            ctx,
            ClaimType::Outpatient,
            &hospital,
            day,
            day,
            ['1', '3', '1'],
            rng,
        );
        claim.diagnosis_codes = ctx.diagnoses(rng, None, 5);
        // An outpatient visit ends with the patient going home.
        claim.discharge_status_cd = Some("01".to_owned());
        if rng.chance(0.1) {
            claim.operating_npi = Some(rng.pick(&ctx.network.clinicians).0.clone());
        }
        let count = 1 + rng.poisson(RATES.outpatient.lines_per_claim - 1.0).min(20) as i16;
        for line_num in 1..=count {
            let service = CODES.outpatient_services.sample(rng);
            let charge = around(rng, service.charge_cents, 0.3);
            // OPPS pays far below charges; Part B cost sharing applies to the payment.
            let allowed = charge * (25 + rng.below(15) as i64) / 100;
            let (deductible, coinsurance, paid) = ctx.part_b_share(day.year(), allowed);
            let mut line = revenue_line(
                line_num,
                day,
                day,
                service.revenue_center,
                Some(service.code),
                1,
                charge,
                paid,
            );
            line.allowed_cents = allowed;
            line.deductible_cents = deductible;
            line.coinsurance_cents = coinsurance;
            claim.lines.push(line);
        }
        total_from_lines(&mut claim, rng);
        ctx.claims.push(claim);
    }
}

pub(super) fn home_health(ctx: &mut Context<'_>, rng: &mut Rng) {
    let periods = ctx.count(ClaimType::Hha, RATES.hha.per_year, rng);
    let agency = rng.pick(&ctx.network.home_health).clone();
    for _ in 0..periods {
        let Some(from) = ctx.ffs_day(rng) else { return };
        let thru = (from + Duration::days(29)).min(ctx.period.last_day());
        let mut claim = facility_claim(
            ctx,
            ClaimType::Hha,
            &agency,
            from,
            thru,
            ['3', '2', '9'],
            rng,
        );
        claim.diagnosis_codes = ctx.diagnoses(rng, None, 6);
        // A home health period ends with the patient still under the agency's care.
        claim.discharge_status_cd = Some("30".to_owned());
        claim.admission_date = Some(from);
        let payment = around(rng, HHA_PERIOD_CENTS, 0.3);
        let hipps = *rng.pick(&["1AA11", "2BB21", "1CC31", "3FC21"]);
        let visits = 3 + rng.poisson(6.0) as i32;
        let mut lines = vec![
            revenue_line(1, from, thru, "0023", Some(hipps), 1, 0, 0),
            revenue_line(
                2,
                from,
                thru,
                "0551",
                Some("G0299"),
                visits,
                around(rng, 25_000, 0.2) * i64::from(visits),
                0,
            ),
        ];
        if rng.chance(0.6) {
            let pt = 1 + rng.poisson(4.0) as i32;
            lines.push(revenue_line(
                3,
                from,
                thru,
                "0421",
                Some("G0151"),
                pt,
                around(rng, 28_000, 0.2) * i64::from(pt),
                0,
            ));
        }
        if rng.chance(0.3) {
            let n = lines.len() as i16 + 1;
            lines.push(revenue_line(
                n,
                from,
                thru,
                "0571",
                Some("G0156"),
                2,
                around(rng, 12_000, 0.2),
                0,
            ));
        }
        spread_payment(&mut lines, payment);
        claim.lines = lines;
        total_from_lines(&mut claim, rng);
        ctx.claims.push(claim);
    }
}

/// Hospice: a user elects it near the end of life, billed monthly, and dies in care.
pub(super) fn hospice(ctx: &mut Context<'_>, rng: &mut Rng) {
    // Per user about four monthly claims; users per year from the claim rate.
    let user_probability = (ctx.expected(RATES.hospice.per_year) / 4.0).min(0.9);
    if !rng.chance(user_probability) && !ctx.showcases(ClaimType::Hospice) {
        return;
    }
    let Some(start) = ctx.ffs_day(rng) else {
        return;
    };
    let agency = rng.pick(&ctx.network.hospices).clone();
    let days = (10 + rng.poisson(80.0)) as i64;
    let end = (start + Duration::days(days)).min(ctx.period.last_day());
    let dies = end < ctx.period.last_day();
    for (from, month_end, freq) in monthly_bills(start, end) {
        let last = month_end == end;
        let billed_days = (month_end - from).whole_days() + 1;
        let mut claim = facility_claim(
            ctx,
            ClaimType::Hospice,
            &agency,
            from,
            month_end,
            ['8', '1', freq],
            rng,
        );
        claim.admission_date = Some(start);
        claim.discharge_date = (last && dies).then_some(end);
        claim.discharge_status_cd = Some(if last && dies { "40" } else { "30" }.to_owned());
        claim.utilization_days = Some(billed_days as i16);
        claim.diagnosis_codes = ctx.diagnoses(rng, None, 3);
        let mut lines = vec![revenue_line(
            1,
            from,
            month_end,
            "0651",
            Some("Q5001"),
            billed_days as i32,
            around(rng, 30_000, 0.1) * billed_days,
            0,
        )];
        if rng.chance(0.5) {
            lines.push(revenue_line(
                2,
                from,
                month_end,
                "0551",
                Some("G0299"),
                1 + rng.below(8) as i32,
                around(rng, 40_000, 0.3),
                0,
            ));
        }
        spread_payment(&mut lines, HOSPICE_PER_DIEM_CENTS * billed_days);
        claim.lines = lines;
        total_from_lines(&mut claim, rng);
        ctx.claims.push(claim);
    }
    if dies {
        ctx.died(end);
    }
}

/// The monthly bills of a stay from `start` to `end`: each bill's first and last day and
/// its frequency code (1 whole stay, 2 first, 3 continuing, 4 last), as SNFs and
/// hospices bill Medicare.
fn monthly_bills(start: Date, end: Date) -> Vec<(Date, Date, char)> {
    let mut bills = Vec::new();
    let mut from = start;
    while from <= end {
        let thru = last_of_month(from).min(end);
        let freq = match (from == start, thru == end) {
            (true, true) => '1',
            (true, false) => '2',
            (false, false) => '3',
            (false, true) => '4',
        };
        bills.push((from, thru, freq));
        from = thru + Duration::days(1);
    }
    bills
}

fn last_of_month(day: Date) -> Date {
    let (year, month) = (day.year(), day.month());
    let next = if month == time::Month::December {
        Date::from_calendar_date(year + 1, time::Month::January, 1)
    } else {
        Date::from_calendar_date(year, month.next(), 1)
    };
    next.map(|d| d - Duration::days(1)).unwrap_or(day)
}
