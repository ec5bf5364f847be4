//! Institutional (Part A and hospital outpatient) claims: inpatient stays with their
//! follow-on SNF stays, outpatient visits, home health periods and hospice months.

use bcda_model::claims::{
    Claim, ClaimLine, ClaimType, DrgPayment, FacilityDetails, HomeHealthDetails, NdcQuantity,
    NdcUnit, RevenueAdjudication, StayDetails,
};
use time::{Date, Duration};

use super::{Context, around, control_number, stable_digits, total_from_lines};
use crate::codes::{CODES, Drg};
use crate::providers::Facility;
use crate::rates::RATES;
use crate::rng::Rng;

/// The mean count of a facility claim's diagnoses beyond the principal one and the
/// person's chronic conditions (acute problems, complications, status codes). A hospital
/// stay's is calibrated to Ody et al.'s 70% of admission claims with 11 or more
/// diagnoses; the others are our assumption, lower as their claims code fewer acute
/// problems.
const HOSPITAL_OTHER_DIAGNOSES: f64 = 7.5;
const SNF_OTHER_DIAGNOSES: f64 = 4.0;
const HHA_OTHER_DIAGNOSES: f64 = 3.0;
const HOSPICE_OTHER_DIAGNOSES: f64 = 2.0;

/// Medicare's base payment per DRG weight unit, roughly the national standardized amount.
const DRG_BASE_CENTS: i64 = 680_000;
/// SNF per-diem payment and daily coinsurance from day 21 (2025: $209.50).
const SNF_PER_DIEM_CENTS: i64 = 62_000;
const SNF_COINSURANCE_CENTS: i64 = 20_950;
/// Hospice routine home care per day, home health per 30-day period.
const HOSPICE_PER_DIEM_CENTS: i64 = 22_000;
const HHA_PERIOD_CENTS: i64 = 210_000;
/// What Medicare pays per visit of a low-utilization (LUPA) home health period.
const HHA_LUPA_VISIT_CENTS: i64 = 17_000;

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
    let (attending, specialty) = rng.pick(&ctx.network.clinicians);
    claim.attending_npi = Some(attending.clone());
    claim.attending_specialty_cd = Some((*specialty).to_owned());
    claim.fac_type_cd = Some(bill_type[0]);
    claim.srvc_clsfctn_cd = Some(bill_type[1]);
    claim.freq_cd = Some(bill_type[2]);
    claim.facility = Some(FacilityDetails::default());
    replace_some(&mut claim);
    claim
}

/// The share of institutional claims that replaced an earlier claim for the same
/// services, e.g. to correct a code or a charge: our assumption, as no rate is
/// published.
const REPLACEMENT_SHARE: f64 = 0.05;

/// Makes `claim` a replacement (type of bill frequency `7`) of an earlier claim, with
/// that claim's control number, for [`REPLACEMENT_SHARE`] of claims. Which claims follows
/// from the control number, on a stream of its own, so nothing else drawn changes.
fn replace_some(claim: &mut Claim) {
    const REPLACEMENT_STREAM: u64 = 0x7E91_ACED;
    let mut rng = Rng::new(stable_digits(&claim.control_num), REPLACEMENT_STREAM);
    if rng.chance(REPLACEMENT_SHARE) {
        claim.freq_cd = Some('7');
        claim.original_control_num = Some(control_number(&mut rng));
    }
}

/// Draws for the claim details added after the data set's shape was fixed: they follow
/// from the claim's control number, not the beneficiary's random stream, so adding them
/// left every earlier value of the data set as it was.
fn details_rng(claim: &Claim) -> Rng {
    const DETAILS_STREAM: u64 = 0xFAC1_1177;
    Rng::new(stable_digits(&claim.control_num), DETAILS_STREAM)
}

/// The details every facility claim has (set by [`facility_claim`]).
fn details(claim: &mut Claim) -> &mut FacilityDetails {
    claim.facility.get_or_insert_with(FacilityDetails::default)
}

/// What a hospital is, as IPPS pays it: whether it teaches (about a third of IPPS
/// hospitals receive IME) and serves a disproportionate share of low-income patients
/// (about three quarters receive DSH), with its own adjustment rates. It follows from the
/// hospital's CCN, so every stay at one hospital is paid alike.
struct HospitalProfile {
    /// Operating and capital IME as a share of the DRG payment; zero if not teaching.
    ime_rate: f64,
    capital_ime_rate: f64,
    /// Operating and capital DSH as a share of the DRG payment; zero if not DSH.
    dsh_rate: f64,
    capital_dsh_rate: f64,
    /// The uncompensated care payment per discharge of a DSH hospital.
    uncompensated_care_cents: i64,
    /// Daily pass-through (e.g. graduate medical education) of a teaching hospital.
    pass_thru_per_diem_cents: i64,
}

impl HospitalProfile {
    fn of(facility: &Facility) -> HospitalProfile {
        let mut rng = Rng::new(stable_digits(&facility.ccn), 0x1995);
        let teaching = rng.chance(0.33);
        let dsh = rng.chance(0.75);
        let ime_rate = if teaching {
            0.03 + 0.25 * rng.unit()
        } else {
            0.0
        };
        let dsh_rate = if dsh { 0.02 + 0.13 * rng.unit() } else { 0.0 };
        HospitalProfile {
            ime_rate,
            capital_ime_rate: ime_rate * 0.4,
            dsh_rate,
            capital_dsh_rate: dsh_rate * 0.5,
            uncompensated_care_cents: if dsh { rng.between(40_000, 250_000) } else { 0 },
            pass_thru_per_diem_cents: if teaching {
                rng.between(2_000, 15_000)
            } else {
                0
            },
        }
    }
}

/// The IPPS capital rate per unit of DRG weight (FY2025 about $504).
const CAPITAL_RATE_CENTS: f64 = 50_400.0;

/// How the DRG payment of a stay of `los` days at `hospital` is made up, given its
/// operating base `operating` (the DRG weight times the standardized amount): IME and
/// DSH add-ons, a cost outlier for stays far longer than the DRG's (past four times its
/// geometric mean length, about one stay in forty) and for one other stay in a hundred,
/// and the capital payment with its own parts.
fn drg_payment(
    hospital: &HospitalProfile,
    drg: &Drg,
    los: i64,
    operating: i64,
    rng: &mut Rng,
) -> DrgPayment {
    let share = |rate: f64, of: i64| (of as f64 * rate).round() as i64;
    let outlier = if los as f64 > 4.0 * drg.gmlos || rng.chance(0.01) {
        share(0.2 + 1.3 * rng.unit(), operating)
    } else {
        0
    };
    let capital_base = (drg.weight * CAPITAL_RATE_CENTS * (0.9 + 0.2 * rng.unit())).round() as i64;
    DrgPayment {
        drg_weight_ten_thousandths: (drg.weight * 10_000.0).round() as i32,
        capital_fsp_cents: capital_base,
        capital_ime_cents: share(hospital.capital_ime_rate, capital_base),
        capital_dsh_cents: share(hospital.capital_dsh_rate, capital_base),
        capital_outlier_cents: share(0.07, outlier),
        // Capital exceptions and old-capital hold-harmless payments ended with the
        // transition to the capital PPS (FY2002).
        capital_exception_cents: 0,
        capital_hold_harmless_cents: 0,
        outlier_cents: outlier,
        pass_thru_per_diem_cents: hospital.pass_thru_per_diem_cents,
        operating_ime_cents: share(hospital.ime_rate, operating),
        operating_dsh_cents: share(hospital.dsh_rate, operating),
        uncompensated_care_cents: hospital.uncompensated_care_cents,
    }
}

/// Blood for a stay: about one stay in twenty-five needs a transfusion (one to four
/// pints); the beneficiary owes a deductible for the first three pints when the hospital
/// had them replaced by no donor, about one transfusion in five.
fn blood(rng: &mut Rng) -> (i16, i64) {
    if !rng.chance(0.04) {
        return (0, 0);
    }
    let pints = 1 + rng.below(4) as i16;
    let deductible = if rng.chance(0.2) {
        i64::from(pints.min(3)) * rng.between(20_000, 35_000)
    } else {
        0
    };
    (pints, deductible)
}

/// The charges of a stay Medicare did not cover (e.g. a private room or a television):
/// on about one stay in twelve.
fn noncovered_charge(rng: &mut Rng) -> i64 {
    if rng.chance(0.08) {
        rng.between(2_000, 50_000)
    } else {
        0
    }
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
        ndc_quantity: None,
        units,
        submitted_cents: charge,
        allowed_cents: paid,
        paid_cents: paid,
        deductible_cents: 0,
        coinsurance_cents: 0,
        primary_payer_cents: 0,
        part_b: None,
        revenue: None,
    }
}

/// The HCPCS modifier of a physical therapy service (under a therapy plan of care).
const PHYSICAL_THERAPY: &str = "GP";

/// Codes an outpatient visit's surgery and modifiers as a hospital does: a cataract
/// removal, colonoscopy or heart catheterization is also coded in ICD-10-PCS (a cataract
/// on one eye, whose side the line's RT or LT modifier names), a visit billed with such a
/// procedure takes modifier 25 (a separately identifiable visit), a therapy line GP, and
/// a drug line JZ (none of a single-dose vial was discarded). Which eye follows from the
/// claim's control number.
fn code_outpatient_surgery(claim: &mut Claim) {
    let left_eye = details_rng(claim).chance(0.5);
    let mut procedures = Vec::new();
    let mut surgery = false;
    for line in &mut claim.lines {
        let Some(code) = line.hcpcs_cd.as_deref() else {
            continue;
        };
        let (pcs, modifier): (&[&str], Option<&str>) = match code {
            "66984" if left_eye => (&["08RK3JZ"], Some("LT")),
            "66984" => (&["08RJ3JZ"], Some("RT")),
            "45380" => (&["0DBN8ZX"], None),
            "93458" => (&["4A023N7", "B2111ZZ"], None),
            _ if code.starts_with("97") => (&[], Some(PHYSICAL_THERAPY)),
            _ if code.starts_with('J') => (&[], Some("JZ")),
            _ => (&[], None),
        };
        surgery |= !pcs.is_empty();
        procedures.extend(pcs.iter().map(|pcs| ((*pcs).to_owned(), line.from_date)));
        line.modifiers.extend(modifier.map(str::to_owned));
    }
    if surgery {
        for line in &mut claim.lines {
            let visit = line
                .revenue
                .as_ref()
                .and_then(|r| r.status_indicator_cd.as_deref())
                == Some("V");
            if visit {
                line.modifiers.push("25".to_owned());
            }
        }
    }
    claim.procedures = procedures;
}

/// Why an outpatient line was paid less than charged, as claim adjustment codes: its
/// payment is in another line's (CO97) or the charge exceeds the OPPS rate (CO45); then
/// the beneficiary's deductible (PR1) or coinsurance (PR2).
fn outpatient_adjustments(line: &ClaimLine, packaged: bool) -> Vec<String> {
    let mut codes = Vec::with_capacity(2);
    if packaged {
        codes.push("CO97");
    } else if line.allowed_cents < line.submitted_cents {
        codes.push("CO45");
    }
    if line.deductible_cents > 0 {
        codes.push("PR1");
    } else if line.coinsurance_cents > 0 {
        codes.push("PR2");
    }
    codes.into_iter().map(str::to_owned).collect()
}

/// How a Part A stay's, home health period's or hospice month's lines were adjudicated:
/// a line without a charge says so (4); a stay's charges are subject to the deductible
/// and coinsurance (0), home health and hospice charges to neither (3); a home health
/// line paid below its charge was paid the PPS rate (CO45).
fn adjudicate_part_a_lines(kind: ClaimType, lines: &mut [ClaimLine]) {
    for line in lines {
        let code = match kind {
            _ if line.submitted_cents == 0 => '4',
            ClaimType::Inpatient | ClaimType::Snf => '0',
            _ => '3',
        };
        let below_charge = kind == ClaimType::Hha && line.paid_cents < line.submitted_cents;
        line.revenue = Some(RevenueAdjudication {
            status_indicator_cd: None,
            deductible_coinsurance_cd: Some(code),
            ansi_codes: below_charge
                .then(|| "CO45".to_owned())
                .into_iter()
                .collect(),
        });
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
    let stays = ctx.claims_of(ClaimType::Inpatient, &RATES.inpatient, rng);
    // Most SNF stays follow a hospital stay; the rest (30%) start from home.
    let snf_direct = ctx.count(ClaimType::Snf, RATES.snf.per_year / 1.6 * 0.3, rng);
    let mut admissions: Vec<Date> = (0..stays).filter_map(|_| ctx.ffs_day(rng)).collect();
    admissions.sort();
    // The day the last stay (or the SNF stay after it) ended.
    let mut last_out: Option<Date> = None;
    for drawn in admissions {
        let admit = match last_out {
            Some(out) if rng.chance(READMISSION_CLUSTERING) => {
                out + Duration::days(rng.between(1, 30))
            }
            Some(out) => drawn.max(out + Duration::days(1)),
            None => drawn,
        };
        if !ctx.is_ffs_day(admit) {
            continue;
        }
        let stay = inpatient(ctx, admit, rng);
        last_out = Some(match stay.destination {
            Destination::Snf => snf(ctx, stay.discharge, Some((admit, stay.discharge)), rng),
            Destination::HomeHealth => {
                ctx.home_health_referrals.push(stay.discharge);
                stay.discharge
            }
            Destination::Died => return,
            Destination::Other => stay.discharge,
        });
    }
    for _ in 0..snf_direct {
        if let Some(day) = ctx.ffs_day(rng) {
            snf(ctx, day, None, rng);
        }
    }
}

/// The chance that a beneficiary's next hospital stay comes within 30 days of the last
/// one's end rather than at any time: calibrated so that CMS's 30-day readmission rate
/// (18.1% of stays, Geographic Variation PUF 2019) comes out, given stays per user.
const READMISSION_CLUSTERING: f64 = 0.35;

/// Where a hospital stay's patient went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Destination {
    Snf,
    HomeHealth,
    Died,
    Other,
}

/// A hospital stay as what follows it sees it.
struct Stay {
    discharge: Date,
    destination: Destination,
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

/// How and where an injury happened, for a stay whose principal diagnosis is an injury
/// (ICD-10-CM chapter 19, `S`/`T`): a fall (most injury admissions of the elderly are),
/// present on admission, at home (a place code, exempt from POA reporting: `1`). Which
/// fall follows from the claim's control number.
fn external_causes(claim: &Claim) -> Vec<(String, char)> {
    let injury = claim
        .diagnosis_codes
        .first()
        .is_some_and(|code| code.starts_with(['S', 'T']));
    if !injury {
        return Vec::new();
    }
    const FALLS: [&str; 3] = ["W19XXXA", "W010XXA", "W1830XA"];
    let fall = FALLS[(stable_digits(&claim.control_num) % 3) as usize];
    vec![(fall.to_owned(), 'Y'), ("Y92009".to_owned(), '1')]
}

/// A stay's length for `drg`: log-normal with the DRG's geometric mean length as its
/// median and its arithmetic mean length as its mean, both as CMS publishes them (IPPS
/// Table 5), so `exp(sigma^2 / 2)` is their ratio. A uniform spread gave stays of 3.6
/// days on average.
fn length_of_stay(drg: &Drg, rng: &mut Rng) -> i64 {
    let sigma = (2.0 * (drg.amlos / drg.gmlos).max(1.0).ln()).sqrt();
    (drg.gmlos * (sigma * rng.normal()).exp())
        .round()
        .clamp(1.0, 90.0) as i64
}

/// One inpatient stay from `admit`.
fn inpatient(ctx: &mut Context<'_>, admit: Date, rng: &mut Rng) -> Stay {
    let drg = ctx.admission_drg(rng);
    let los = length_of_stay(drg, rng);
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
    claim.diagnosis_codes = ctx.facility_diagnoses(rng, drg.principal_dx, HOSPITAL_OTHER_DIAGNOSES);
    claim.poa_indicators = present_on_admission(&claim);
    claim.external_causes = external_causes(&claim);
    // A surgical stay codes its operation, on the day of admission; it and three medical
    // stays in ten code procedures such as a transfusion, dialysis, monitoring or
    // imaging on the days after.
    if drg.surgical || rng.chance(0.3) {
        claim.operating_npi = Some(rng.pick(&ctx.network.clinicians).0.clone());
        let operation = (!drg.procedures.is_empty()).then(|| *rng.pick(&drg.procedures));
        let others = rng.below(if drg.surgical { 3 } else { 2 }) + u64::from(!drg.surgical);
        let others: Vec<&str> = (0..others)
            .map(|_| *rng.pick(&CODES.medical_procedures))
            .collect();
        claim.procedures = operation
            .into_iter()
            .chain(others)
            .enumerate()
            .map(|(day, code)| {
                (
                    code.to_owned(),
                    admit + Duration::days((day as i64).min(los)),
                )
            })
            .collect();
    }
    // MedPAC: about 0.053 SNF stays per FFS beneficiary-year, most after a hospital
    // stay: 0.037 of the 0.27 stays (14%) are discharged to a SNF. AHHQI's chartbook:
    // 13% go home with home health. About 3% die in hospital (our estimate).
    let destination = match rng.unit() {
        u if u < 0.14 => Destination::Snf,
        u if u < 0.27 => Destination::HomeHealth,
        u if u < 0.30 => Destination::Died,
        _ => Destination::Other,
    };
    claim.discharge_status_cd = Some(
        match destination {
            Destination::Snf => "03",
            Destination::HomeHealth => "06",
            Destination::Died => "20",
            // Home, or an inpatient rehabilitation facility.
            Destination::Other => *rng.pick(&["01", "01", "01", "01", "01", "01", "62"]),
        }
        .to_owned(),
    );

    let operating = (drg.weight * DRG_BASE_CENTS as f64 * (0.9 + 0.2 * rng.unit())) as i64;
    let mut draws = details_rng(&claim);
    let drg_payment = drg_payment(
        &HospitalProfile::of(&hospital),
        drg,
        los,
        operating,
        &mut draws,
    );
    // CLM_PMT_AMT is the whole DRG payment: the operating base and every add-on.
    let payment = operating
        + drg_payment.capital_total_cents()
        + drg_payment.outlier_cents
        + drg_payment.operating_ime_cents
        + drg_payment.operating_dsh_cents
        + drg_payment.uncompensated_care_cents;
    let deductible = ctx.part_a_deductible(admit.year()).min(payment);
    let (blood_pints, blood_deductible_cents) = blood(&mut draws);
    let facility = details(&mut claim);
    facility.blood_deductible_cents = blood_deductible_cents;
    // About one stay in seven bills physicians' professional services with the facility.
    if draws.chance(0.15) {
        facility.professional_component_cents = draws.between(5_000, 150_000);
    }
    facility.stay = Some(StayDetails {
        blood_pints,
        noncovered_charge_cents: noncovered_charge(&mut draws),
        // Days 61-90 of a benefit period carry daily coinsurance, then lifetime reserve
        // days.
        coinsurance_days: (los - 60).clamp(0, 30) as i16,
        non_utilization_days: 0,
        lifetime_reserve_days: (los - 90).max(0) as i16,
        qualifying_stay: None,
        noncovered_stay: None,
        benefits_exhausted: None,
        drg_payment: Some(drg_payment),
    });
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
    adjudicate_part_a_lines(claim.claim_type, &mut lines);
    claim.lines = lines;
    total_from_lines(&mut claim, rng);
    claim.deductible_cents = deductible;
    claim.allowed_cents = payment;
    ctx.claims.push(claim);

    if destination == Destination::Died {
        ctx.died(discharge);
    }
    Stay {
        discharge,
        destination,
    }
}

/// A SNF stay from `admit`, billed month by month, after the hospital stay that
/// qualified it (none when the SNF admitted the beneficiary from home under the ACO's
/// waiver of the three-day rule). Returns the day it ended.
fn snf(
    ctx: &mut Context<'_>,
    admit: Date,
    qualifying_stay: Option<(Date, Date)>,
    rng: &mut Rng,
) -> Date {
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
        // An elective admission, from the hospital or from home.
        claim.admission_type_cd = Some('3');
        claim.admission_source_cd = Some(if qualifying_stay.is_some() { '4' } else { '1' });
        let principal = ctx.diagnosis(rng);
        claim.diagnosis_codes = ctx.facility_diagnoses(rng, &principal, SNF_OTHER_DIAGNOSES);
        // Days 21-100 carry the daily coinsurance.
        let coinsurance_days = (day_of_stay + billed_days - 20).clamp(0, billed_days);
        let mut draws = details_rng(&claim);
        // About one bill in fifty ends with days the SNF's contractor found not covered
        // (e.g. the patient no longer needed skilled care): they are not charged to the
        // benefit period and not paid.
        let noncovered_days = if billed_days > 1 && draws.chance(0.02) {
            1 + draws.below(billed_days.min(6) as u64 - 1) as i64
        } else {
            0
        };
        let covered_days = billed_days - noncovered_days;
        let coinsurance_days = coinsurance_days.min(covered_days);
        claim.utilization_days = Some(covered_days as i16);
        // A stay that reaches its hundredth day exhausts the benefit period's SNF days.
        let hundredth_day = admit + Duration::days(99);
        let exhausted =
            (day_of_stay < 100 && day_of_stay + billed_days >= 100).then_some(hundredth_day);
        day_of_stay += billed_days;
        let (blood_pints, blood_deductible_cents) = blood(&mut draws);
        let facility = details(&mut claim);
        facility.blood_deductible_cents = blood_deductible_cents;
        facility.stay = Some(StayDetails {
            blood_pints,
            noncovered_charge_cents: noncovered_charge(&mut draws),
            coinsurance_days: coinsurance_days as i16,
            non_utilization_days: noncovered_days as i16,
            lifetime_reserve_days: 0,
            qualifying_stay,
            noncovered_stay: (noncovered_days > 0)
                .then(|| (month_end - Duration::days(noncovered_days - 1), month_end)),
            benefits_exhausted: exhausted,
            drg_payment: None,
        });
        let payment = SNF_PER_DIEM_CENTS * covered_days;
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
            let mut therapy = revenue_line(
                3,
                from,
                month_end,
                "0420",
                Some("97110"),
                1 + rng.below(20) as i32,
                around(rng, 120_000, 0.4),
                0,
            );
            therapy.modifiers = vec![PHYSICAL_THERAPY.to_owned()];
            lines.push(therapy);
        }
        spread_payment(&mut lines, (payment - coinsurance).max(0));
        adjudicate_part_a_lines(claim.claim_type, &mut lines);
        claim.lines = lines;
        total_from_lines(&mut claim, rng);
        claim.coinsurance_cents = coinsurance;
        claim.allowed_cents = payment;
        ctx.claims.push(claim);
    }
    end
}

pub(super) fn outpatient(ctx: &mut Context<'_>, rng: &mut Rng) {
    let visits = ctx.claims_of(ClaimType::Outpatient, &RATES.outpatient, rng);
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
            // A packaged service is paid with the visit's other services.
            let allowed = charge * (25 + rng.below(15) as i64) / 100;
            let allowed = if service.packaged() { 0 } else { allowed };
            let (deductible, coinsurance, paid) = ctx.part_b_share(day.year(), allowed);
            // A drug line gives one package of its product: the code's units are the
            // package's, and the line names the product.
            let units = service.drug.map_or(1, |drug| drug.package_units);
            let mut line = revenue_line(
                line_num,
                day,
                day,
                service.revenue_center,
                Some(service.code),
                units,
                charge,
                paid,
            );
            if let Some(drug) = service.drug {
                line.ndc_cd = Some(drug.ndc.to_owned());
                line.ndc_quantity = Some(NdcQuantity {
                    quantity: 1,
                    unit: NdcUnit::Unit,
                });
            }
            line.allowed_cents = allowed;
            line.deductible_cents = deductible;
            line.coinsurance_cents = coinsurance;
            line.revenue = Some(RevenueAdjudication {
                status_indicator_cd: Some(service.status_indicator.to_owned()),
                deductible_coinsurance_cd: None,
                ansi_codes: outpatient_adjustments(&line, service.packaged()),
            });
            claim.lines.push(line);
        }
        code_outpatient_surgery(&mut claim);
        total_from_lines(&mut claim, rng);
        // About one visit in ten bills a physician's professional component with the
        // hospital's charges.
        let mut draws = details_rng(&claim);
        if draws.chance(0.1) {
            let share = 0.05 + 0.1 * draws.unit();
            details(&mut claim).professional_component_cents =
                (claim.total_charge_cents as f64 * share).round() as i64;
        }
        ctx.claims.push(claim);
    }
}

/// Home health periods: one starting within days of each hospital discharge to home
/// health, and as many as the beneficiary's frailty draws in all.
pub(super) fn home_health(ctx: &mut Context<'_>, rng: &mut Rng) {
    let referrals = std::mem::take(&mut ctx.home_health_referrals);
    let periods = ctx
        .claims_of(ClaimType::Hha, &RATES.hha, rng)
        .max(referrals.len() as u32);
    let agency = rng.pick(&ctx.network.home_health).clone();
    for period in 0..periods as usize {
        let after_discharge = referrals
            .get(period)
            .map(|discharge| *discharge + Duration::days(rng.between(0, 3)))
            .filter(|day| ctx.is_ffs_day(*day));
        let Some(from) = after_discharge.or_else(|| ctx.ffs_day(rng)) else {
            return;
        };
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
        let principal = ctx.diagnosis(rng);
        claim.diagnosis_codes = ctx.facility_diagnoses(rng, &principal, HHA_OTHER_DIAGNOSES);
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
            let mut therapy = revenue_line(
                3,
                from,
                thru,
                "0421",
                Some("G0151"),
                pt,
                around(rng, 28_000, 0.2) * i64::from(pt),
                0,
            );
            therapy.modifiers = vec![PHYSICAL_THERAPY.to_owned()];
            lines.push(therapy);
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
        // A period of five visits or fewer is paid per visit instead (a LUPA; PDGM's
        // thresholds run from two to six visits by case-mix group).
        let visit_count: i32 = lines.iter().skip(1).map(|line| line.units).sum();
        let lupa = visit_count <= 5;
        let payment = if lupa {
            i64::from(visit_count) * HHA_LUPA_VISIT_CENTS
        } else {
            payment
        };
        spread_payment(&mut lines, payment);
        adjudicate_part_a_lines(claim.claim_type, &mut lines);
        claim.lines = lines;
        total_from_lines(&mut claim, rng);
        let mut draws = details_rng(&claim);
        // Most periods follow a physician's referral, many a hospital discharge.
        let referral_cd = match draws.below(10) {
            0..=5 => '1',
            6..=8 => '4',
            _ => '2',
        };
        details(&mut claim).home_health = Some(HomeHealthDetails {
            lupa_cd: lupa.then_some('L'),
            referral_cd,
            visit_count: visit_count as i16,
        });
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
    // Most elect hospice for the first time; some had earlier benefit periods (drawn
    // with the first bill).
    let mut earlier_periods = None;
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
        let principal = ctx.diagnosis(rng);
        claim.diagnosis_codes = ctx.facility_diagnoses(rng, &principal, HOSPICE_OTHER_DIAGNOSES);
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
        adjudicate_part_a_lines(claim.claim_type, &mut lines);
        claim.lines = lines;
        total_from_lines(&mut claim, rng);
        let earlier = *earlier_periods.get_or_insert_with(|| match details_rng(&claim).below(20) {
            0..=15 => 0,
            16..=18 => 1,
            _ => 2,
        });
        details(&mut claim).hospice_period_count =
            Some(earlier + hospice_period((from - start).whole_days()));
        ctx.claims.push(claim);
    }
    if dies {
        ctx.died(end);
    }
}

/// The hospice benefit period of the day `days_in` days after the election: two periods
/// of 90 days, then periods of 60 days.
fn hospice_period(days_in: i64) -> i16 {
    match days_in {
        ..90 => 1,
        90..180 => 2,
        _ => 3 + ((days_in - 180) / 60) as i16,
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
