//! Reads a job key's beneficiaries and their claims data back from Postgres into the
//! domain rows the FHIR renderers take.
//!
//! A key is read a chunk of beneficiaries at a time (keyset pagination over the key's id
//! range), so a worker's memory depends on the chunk, never on the batch size.

use bcda_model::claims::{
    Beneficiary, Claim, ClaimLine, DrgPayment, EnrollmentMonth, EnrollmentYear, FacilityDetails,
    HctHgbResult, HctHgbTest, HomeHealthDetails, NdcQuantity, NdcUnit, PartBLine, PartBLineKind,
    PdeEvent, RevenueAdjudication, StayDetails, medicare_status_code, nch_clm_type_code,
};
use bcda_model::export::BeneficiaryRange;
use bcda_model::export::UpdateWindow;
use time::Date;
use tokio_postgres::Row;

use crate::error::KeyError;

/// Which beneficiaries a job reads: the members of its attribution file (only those
/// the kick-off's `patient` named, when it named some), and for `Group/all?_since` the
/// baseline file whose members are not newly attributed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Members {
    pub file_id: Option<i64>,
    pub since_baseline_file_id: Option<i64>,
    /// `beneficiaries.id` of the beneficiaries named by `patient`.
    pub patients: Option<Vec<i64>>,
}

/// One beneficiary a key exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    /// Attributed since the job's `_since` (not in the baseline file): full history.
    pub newly_attributed: bool,
}

/// The next up to `limit` members of the job's attribution file in `range` after
/// `after` (the last id of the previous chunk), in id order, leaving out beneficiaries
/// who opted out of data sharing.
pub async fn next_members(
    client: &deadpool_postgres::Client,
    members: &Members,
    range: BeneficiaryRange,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<Member>, KeyError> {
    let from = after.map_or(range.first, |id| id.saturating_add(1));
    let rows = query(
        client,
        "SELECT m.beneficiary_id, \
                $5::bigint IS NOT NULL AND NOT EXISTS ( \
                    SELECT 1 FROM attribution_members b \
                    WHERE b.file_id = $5 AND b.beneficiary_id = m.beneficiary_id) \
         FROM attribution_members m \
         WHERE m.file_id = $1 AND m.beneficiary_id >= $2 \
           AND ($3::bigint IS NULL OR m.beneficiary_id < $3) \
           AND ($6::bigint[] IS NULL OR m.beneficiary_id = ANY($6)) \
           AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.beneficiary_id = m.beneficiary_id \
                              AND o.effective_date <= current_date) \
         ORDER BY m.beneficiary_id LIMIT $4",
        &[
            &members.file_id,
            &from,
            &range.end,
            &limit,
            &members.since_baseline_file_id,
            &members.patients,
        ],
    )
    .await?;
    Ok(rows
        .iter()
        .map(|r| Member {
            id: r.get(0),
            newly_attributed: r.get(1),
        })
        .collect())
}

/// The beneficiaries with `ids`, in id order.
pub async fn beneficiaries(
    client: &deadpool_postgres::Client,
    ids: &[i64],
) -> Result<Vec<Beneficiary>, KeyError> {
    let rows = query(
        client,
        "SELECT id, bene_id, mbi, first_name, middle_initial, last_name, sex_cd, race_cd, \
                    birth_date, death_date, state_cd, county_cd, zip_cd, last_updated, \
                    mbi_effective_date \
             FROM beneficiaries WHERE id = ANY($1) ORDER BY id",
        &[&ids],
    )
    .await?;
    rows.iter().map(beneficiary).collect()
}

fn beneficiary(row: &Row) -> Result<Beneficiary, KeyError> {
    Ok(Beneficiary {
        id: row.get(0),
        bene_id: row.get(1),
        mbi: row.get(2),
        mbi_effective_date: row.get(14),
        first_name: row.get(3),
        middle_initial: optional_char(row, 4)?,
        last_name: row.get(5),
        sex_cd: one_char(row, 6)?,
        race_cd: one_char(row, 7)?,
        birth_date: row.get(8),
        death_date: row.get(9),
        state_cd: row.get(10),
        county_cd: row.get(11),
        zip_cd: row.get(12),
        last_updated: row.get(13),
    })
}

/// The yearly enrollment of the beneficiaries with `ids`, by beneficiary and year.
pub async fn enrollment_years(
    client: &deadpool_postgres::Client,
    ids: &[i64],
) -> Result<Vec<EnrollmentYear>, KeyError> {
    let rows = query(
        client,
            "SELECT beneficiary_id, year, orec, crec, esrd_ind, ms_cd, a_trm_cd, b_trm_cd, last_updated \
             FROM enrollment_years WHERE beneficiary_id = ANY($1) ORDER BY beneficiary_id, year",
            &[&ids],
        )
        .await?;
    rows.iter()
        .map(|row| {
            let ms_cd: &str = row.get(5);
            Ok(EnrollmentYear {
                beneficiary_id: row.get(0),
                year: row.get(1),
                orec: one_char(row, 2)?,
                crec: one_char(row, 3)?,
                esrd_ind: one_char(row, 4)?,
                ms_cd: medicare_status_code(ms_cd).ok_or_else(|| {
                    KeyError::data(format!("unknown Medicare status code {ms_cd:?}"))
                })?,
                a_trm_cd: one_char(row, 6)?,
                b_trm_cd: one_char(row, 7)?,
                last_updated: row.get(8),
            })
        })
        .collect()
}

/// The monthly enrollment of the beneficiaries with `ids`, in date order.
pub async fn enrollment_months(
    client: &deadpool_postgres::Client,
    ids: &[i64],
) -> Result<Vec<EnrollmentMonth>, KeyError> {
    let rows = query(
        client,
        "SELECT beneficiary_id, year, month, buyin_cd, hmo_ind, ptc_cntrct_id, ptc_pbp_id, \
                    ptc_plan_type_cd, ptd_cntrct_id, ptd_pbp_id, ptd_sgmt_id, cst_shr_grp_cd, \
                    rds_ind, dual_stus_cd \
             FROM enrollment_months WHERE beneficiary_id = ANY($1) \
             ORDER BY beneficiary_id, year, month",
        &[&ids],
    )
    .await?;
    rows.iter()
        .map(|row| {
            Ok(EnrollmentMonth {
                beneficiary_id: row.get(0),
                year: row.get(1),
                month: row.get(2),
                buyin_cd: one_char(row, 3)?,
                hmo_ind: one_char(row, 4)?,
                ptc_cntrct_id: row.get(5),
                ptc_pbp_id: row.get(6),
                ptc_plan_type_cd: row.get(7),
                ptd_cntrct_id: row.get(8),
                ptd_pbp_id: row.get(9),
                ptd_sgmt_id: row.get(10),
                cst_shr_grp_cd: row.get(11),
                rds_ind: one_char(row, 12)?,
                dual_stus_cd: row.get(13),
            })
        })
        .collect()
}

/// The columns of a claim line, in the order [`claim_line`] reads them (after the key:
/// beneficiary and claim), for both ways of reading lines.
macro_rules! line_columns {
    () => {
        "beneficiary_id, clm_id, line_num, from_date, thru_date, hcpcs_cd, modifiers, \
         revenue_center_cd, place_of_service_cd, rendering_npi, provider_specialty_cd, \
         diagnosis_cd, ndc_cd, units, submitted_cents, allowed_cents, paid_cents, \
         deductible_cents, coinsurance_cents, primary_payer_cents, \
         betos_cd, type_srvc_cd, mtus_cd, prcsg_ind_cd, service_deductible_cd, pmt_80_100_cd, \
         prtcptng_ind_cd, prvdr_state_cd, prvdr_type_cd, rdcd_pmt_phys_astn_cd, prvdr_zip, \
         prcng_lclty_cd, clia_lab_num, suplrnum, supplr_type_cd, prcng_state_cd, \
         scrn_svgs_cents, prchs_price_cents, prmry_alowd_cents, hct_hgb_type_cd, \
         hct_hgb_result_tenths, status_indicator_cd, deductible_coinsurance_cd, ansi_1st_cd, \
         ansi_2nd_cd, ndc_qty, ndc_qty_qlfr_cd"
    };
}

/// The Parts A/B claims, with their lines, of the beneficiaries with `ids` in `window`
/// (`full_history`, a subset of `ids`, regardless of `since`), by beneficiary and claim id.
pub async fn claims(
    client: &deadpool_postgres::Client,
    ids: &[i64],
    full_history: &[i64],
    window: UpdateWindow,
) -> Result<Vec<Claim>, KeyError> {
    let rows = query(
        client,
            "SELECT clm_id, beneficiary_id, claim_type, nch_clm_type_cd, clm_grp_id, from_date, \
                    thru_date, control_num, contractor_num, billing_npi, attending_npi, operating_npi, \
                    provider_ccn, provider_state_cd, fac_type_cd, srvc_clsfctn_cd, freq_cd, \
                    admission_date, discharge_date, admission_type_cd, admission_source_cd, \
                    discharge_status_cd, drg_cd, utilization_days, diagnosis_codes, procedure_codes, \
                    procedure_dates, total_charge_cents, allowed_cents, paid_cents, deductible_cents, \
                    coinsurance_cents, primary_payer_cents, primary_payer_cd, bene_paid_cents, \
                    provider_paid_cents, payment_denial_cd, last_updated, nch_wkly_proc_dt, \
                    referring_npi, clinical_trial_num, poa_indicators, attending_specialty_cd, \
                    professional_component_cents, blood_deductible_cents, blood_pints, \
                    noncovered_charge_cents, coinsurance_days, non_utilization_days, \
                    lifetime_reserve_days, qualifying_stay_from, qualifying_stay_thru, \
                    noncovered_stay_from, noncovered_stay_thru, benefits_exhausted_date, \
                    drg_weight_ten_thousandths, capital_fsp_cents, capital_ime_cents, \
                    capital_dsh_cents, capital_outlier_cents, capital_exception_cents, \
                    capital_hold_harmless_cents, drg_outlier_cents, pass_thru_per_diem_cents, \
                    operating_ime_cents, operating_dsh_cents, uncompensated_care_cents, \
                    hha_lupa_cd, hha_referral_cd, hha_visit_count, hospice_period_count, \
                    external_cause_codes, external_cause_poa, non_payment_reason_cd, \
                    original_control_num \
             FROM claims WHERE beneficiary_id = ANY($1) \
               AND ($2::timestamptz IS NULL OR last_updated > $2 OR beneficiary_id = ANY($4)) \
               AND last_updated <= $3 \
               AND ($5::date IS NULL OR thru_date BETWEEN $5 AND $6) \
             ORDER BY beneficiary_id, clm_id",
            &[
                &ids,
                &window.since,
                &window.claims_until,
                &full_history,
                &window.first_service_date(),
                &window.last_service_date(),
            ],
        )
        .await?;
    let mut claims = rows.iter().map(claim).collect::<Result<Vec<_>, _>>()?;
    if claims.is_empty() {
        return Ok(claims);
    }
    let lines = match (window.since, window.service_dates) {
        // A full export reads every claim of the chunk's beneficiaries (but any newer than
        // the job), so it reads all their lines: one index range per beneficiary.
        (None, None) => {
            query(
                client,
                concat!(
                    "SELECT ",
                    line_columns!(),
                    " FROM claim_lines WHERE beneficiary_id = ANY($1) \
                     ORDER BY beneficiary_id, clm_id, line_num"
                ),
                &[&ids],
            )
            .await?
        }
        // An incremental or runout one reads some of them: only their lines, by key.
        _ => {
            let (beneficiary_ids, claim_ids): (Vec<i64>, Vec<i64>) =
                claims.iter().map(|c| (c.beneficiary_id, c.clm_id)).unzip();
            query(
                client,
                // `USING` merges the key columns, so the same column list applies.
                concat!(
                    "SELECT ",
                    line_columns!(),
                    " FROM unnest($1::bigint[], $2::bigint[]) AS k (beneficiary_id, clm_id) \
                     JOIN claim_lines USING (beneficiary_id, clm_id) \
                     ORDER BY beneficiary_id, clm_id, line_num"
                ),
                &[&beneficiary_ids, &claim_ids],
            )
            .await?
        }
    };
    // Lines are attached as they are read; the first unreadable one stops the reading
    // and fails the chunk.
    let mut unreadable = None;
    attach_in_order(
        &mut claims,
        |c| (c.beneficiary_id, c.clm_id),
        lines.iter().map_while(|row| match claim_line(row) {
            Ok(line) => Some(((row.get(0), row.get(1)), line)),
            Err(e) => {
                unreadable = Some(e);
                None
            }
        }),
        |c, line| c.lines.push(line),
    );
    match unreadable {
        Some(e) => Err(e),
        None => Ok(claims),
    }
}

/// Attaches each keyed item to the entry with its key in one pass, `entries` and `items`
/// both being in ascending key order. An item whose key no entry has is skipped: a
/// full export reads the lines of claims updated after the job started, and not those
/// claims.
pub(crate) fn attach_in_order<E, K: Ord, I>(
    entries: &mut [E],
    key: impl Fn(&E) -> K,
    items: impl IntoIterator<Item = (K, I)>,
    mut attach: impl FnMut(&mut E, I),
) {
    let mut entries = entries.iter_mut().peekable();
    for (item_key, item) in items {
        while entries.next_if(|e| key(e) < item_key).is_some() {}
        match entries.peek_mut() {
            Some(entry) if key(entry) == item_key => attach(entry, item),
            Some(_) => {}
            None => break,
        }
    }
}

fn claim(row: &Row) -> Result<Claim, KeyError> {
    let clm_id: i64 = row.get(0);
    let claim_type: &str = row.get(2);
    let nch: &str = row.get(3);
    let procedure_codes: Vec<String> = row.get(25);
    let procedure_dates: Vec<Date> = row.get(26);
    Ok(Claim {
        clm_id,
        beneficiary_id: row.get(1),
        claim_type: claim_type
            .parse()
            .map_err(|e| KeyError::data(format!("claim {clm_id}: {e}")))?,
        nch_clm_type_cd: nch_clm_type_code(nch).ok_or_else(|| {
            KeyError::data(format!(
                "claim {clm_id}: unknown NCH claim type code {nch:?}"
            ))
        })?,
        clm_grp_id: row.get(4),
        from_date: row.get(5),
        thru_date: row.get(6),
        control_num: row.get(7),
        original_control_num: row.get(74),
        contractor_num: row.get(8),
        billing_npi: row.get(9),
        attending_npi: row.get(10),
        operating_npi: row.get(11),
        provider_ccn: row.get(12),
        provider_state_cd: row.get(13),
        fac_type_cd: optional_char(row, 14)?,
        srvc_clsfctn_cd: optional_char(row, 15)?,
        freq_cd: optional_char(row, 16)?,
        admission_date: row.get(17),
        discharge_date: row.get(18),
        admission_type_cd: optional_char(row, 19)?,
        admission_source_cd: optional_char(row, 20)?,
        discharge_status_cd: row.get(21),
        drg_cd: row.get(22),
        utilization_days: row.get(23),
        diagnosis_codes: row.get(24),
        procedures: procedure_codes.into_iter().zip(procedure_dates).collect(),
        total_charge_cents: row.get(27),
        allowed_cents: row.get(28),
        paid_cents: row.get(29),
        deductible_cents: row.get(30),
        coinsurance_cents: row.get(31),
        primary_payer_cents: row.get(32),
        primary_payer_cd: optional_char(row, 33)?,
        bene_paid_cents: row.get(34),
        provider_paid_cents: row.get(35),
        payment_denial_cd: optional_char(row, 36)?,
        last_updated: row.get(37),
        weekly_processing_date: row.get(38),
        referring_npi: row.get(39),
        clinical_trial_num: row.get(40),
        poa_indicators: row
            .get::<_, Option<&str>>(41)
            .map(|codes| codes.chars().collect())
            .unwrap_or_default(),
        attending_specialty_cd: row.get(42),
        facility: facility_details(row)?,
        external_causes: external_causes(row),
        non_payment_reason_cd: row.get(73),
        lines: Vec::new(),
    })
}

/// An injury stay's external causes with their present-on-admission indicators
/// (columns 71 and 72); an indicator missing for a code reads as unreported (`U`).
fn external_causes(row: &Row) -> Vec<(String, char)> {
    let codes: Option<Vec<String>> = row.get(71);
    let poa: Option<&str> = row.get(72);
    let mut indicators = poa.unwrap_or_default().chars();
    codes
        .unwrap_or_default()
        .into_iter()
        .map(|code| (code, indicators.next().unwrap_or('U')))
        .collect()
}

/// An institutional claim's details (columns 43-70), if it has them: every facility
/// claim has a professional component amount, every stay its pints of blood, every
/// inpatient stay its DRG weight and every home health claim its referral.
fn facility_details(row: &Row) -> Result<Option<FacilityDetails>, KeyError> {
    let Some(professional_component_cents) = row.get::<_, Option<i64>>(43) else {
        return Ok(None);
    };
    let period = |from: usize| -> Option<(Date, Date)> {
        Some((
            row.get::<_, Option<Date>>(from)?,
            row.get::<_, Option<Date>>(from + 1)?,
        ))
    };
    let drg_payment = row
        .get::<_, Option<i32>>(55)
        .map(|drg_weight_ten_thousandths| DrgPayment {
            drg_weight_ten_thousandths,
            capital_fsp_cents: row.get(56),
            capital_ime_cents: row.get(57),
            capital_dsh_cents: row.get(58),
            capital_outlier_cents: row.get(59),
            capital_exception_cents: row.get(60),
            capital_hold_harmless_cents: row.get(61),
            outlier_cents: row.get(62),
            pass_thru_per_diem_cents: row.get(63),
            operating_ime_cents: row.get(64),
            operating_dsh_cents: row.get(65),
            uncompensated_care_cents: row.get(66),
        });
    let stay = row
        .get::<_, Option<i16>>(45)
        .map(|blood_pints| StayDetails {
            blood_pints,
            noncovered_charge_cents: row.get(46),
            coinsurance_days: row.get(47),
            non_utilization_days: row.get(48),
            lifetime_reserve_days: row.get(49),
            qualifying_stay: period(50),
            noncovered_stay: period(52),
            benefits_exhausted: row.get(54),
            drg_payment,
        });
    let home_health = match optional_char(row, 68)? {
        Some(referral_cd) => Some(HomeHealthDetails {
            lupa_cd: optional_char(row, 67)?,
            referral_cd,
            visit_count: row.get(69),
        }),
        None => None,
    };
    Ok(Some(FacilityDetails {
        professional_component_cents,
        blood_deductible_cents: row.get(44),
        stay,
        home_health,
        hospice_period_count: row.get(70),
    }))
}

fn claim_line(row: &Row) -> Result<ClaimLine, KeyError> {
    Ok(ClaimLine {
        line_num: row.get(2),
        from_date: row.get(3),
        thru_date: row.get(4),
        hcpcs_cd: row.get(5),
        modifiers: row.get(6),
        revenue_center_cd: row.get(7),
        place_of_service_cd: row.get(8),
        rendering_npi: row.get(9),
        provider_specialty_cd: row.get(10),
        diagnosis_cd: row.get(11),
        ndc_cd: row.get(12),
        ndc_quantity: ndc_quantity(row)?,
        units: row.get(13),
        submitted_cents: row.get(14),
        allowed_cents: row.get(15),
        paid_cents: row.get(16),
        deductible_cents: row.get(17),
        coinsurance_cents: row.get(18),
        primary_payer_cents: row.get(19),
        part_b: part_b_line(row)?,
        revenue: revenue_adjudication(row)?,
    })
}

/// How much of its drug an institutional line gave (columns 45 and 46), if it names one.
fn ndc_quantity(row: &Row) -> Result<Option<NdcQuantity>, KeyError> {
    let Some(quantity) = row.get::<_, Option<i32>>(45) else {
        return Ok(None);
    };
    let code: &str = row.get(46);
    let unit = NdcUnit::from_code(code)
        .ok_or_else(|| KeyError::data(format!("unknown NDC quantity unit {code:?}")))?;
    Ok(Some(NdcQuantity { quantity, unit }))
}

/// How a revenue-center line was adjudicated (columns 41-44): every line the generator
/// makes for an institutional claim has a deductible/coinsurance code or a status
/// indicator; a carrier or DME line has neither.
fn revenue_adjudication(row: &Row) -> Result<Option<RevenueAdjudication>, KeyError> {
    let status_indicator_cd: Option<String> = row.get(41);
    let deductible_coinsurance_cd = optional_char(row, 42)?;
    if status_indicator_cd.is_none() && deductible_coinsurance_cd.is_none() {
        return Ok(None);
    }
    let ansi_codes = [43, 44]
        .into_iter()
        .filter_map(|i| row.get::<_, Option<String>>(i))
        .collect();
    Ok(Some(RevenueAdjudication {
        status_indicator_cd,
        deductible_coinsurance_cd,
        ansi_codes,
    }))
}

/// The carrier or DME variables of a line (columns 20-40), if it has them: a line with
/// a supplier number is a DME line.
fn part_b_line(row: &Row) -> Result<Option<PartBLine>, KeyError> {
    let Some(betos_cd) = row.get::<_, Option<String>>(20) else {
        return Ok(None);
    };
    let supplier_num: Option<String> = row.get(33);
    let kind = match supplier_num {
        Some(supplier_num) => PartBLineKind::Dme {
            supplier_num,
            supplier_type_cd: one_char(row, 34)?,
            pricing_state_cd: row.get(35),
            screen_savings_cents: row.get(36),
            purchase_price_cents: row.get(37),
            primary_allowed_cents: row.get(38),
        },
        None => PartBLineKind::Carrier {
            provider_type_cd: one_char(row, 28)?,
            reduced_payment_cd: one_char(row, 29)?,
            provider_zip: row.get(30),
            pricing_locality_cd: row.get(31),
            clia_lab_num: row.get(32),
        },
    };
    Ok(Some(PartBLine {
        betos_cd,
        type_of_service_cd: one_char(row, 21)?,
        mtus_cd: one_char(row, 22)?,
        processing_cd: row.get(23),
        deductible_cd: one_char(row, 24)?,
        payment_cd: one_char(row, 25)?,
        participating_cd: one_char(row, 26)?,
        provider_state_cd: row.get(27),
        hct_hgb: hct_hgb_result(row)?,
        kind,
    }))
}

/// A line's hemoglobin or hematocrit result (columns 39 and 40), if it reports one.
fn hct_hgb_result(row: &Row) -> Result<Option<HctHgbResult>, KeyError> {
    let (Some(code), Some(tenths)) = (row.get::<_, Option<&str>>(39), row.get(40)) else {
        return Ok(None);
    };
    let test = HctHgbTest::from_code(code)
        .ok_or_else(|| KeyError::data(format!("unknown hemoglobin/hematocrit test {code:?}")))?;
    Ok(Some(HctHgbResult { test, tenths }))
}

/// The Part D events of the beneficiaries with `ids` updated in `window`, by beneficiary
/// and event id.
pub async fn pde_events(
    client: &deadpool_postgres::Client,
    ids: &[i64],
    full_history: &[i64],
    window: UpdateWindow,
) -> Result<Vec<PdeEvent>, KeyError> {
    let rows = query(
        client,
            "SELECT pde_id, beneficiary_id, clm_grp_id, service_date, paid_date, prescriber_npi, \
                    pharmacy_npi, ndc_cd, quantity_dispensed, days_supply, fill_num, brand_generic_cd, \
                    daw_cd, drug_coverage_cd, plan_contract_id, plan_pbp_id, total_cost_cents, \
                    patient_pay_cents, plan_paid_cents, lics_cents, last_updated, rx_srvc_rfrnc_num, \
                    cmpnd_cd, dspnsng_stus_cd, adjstmt_dltn_cd, nstd_frmt_cd, prcng_excptn_cd, \
                    ctstrphc_cvrg_cd, rx_orgn_cd, ptnt_rsdnc_cd, submsn_clr_cd, gdc_blw_oopt_cents, \
                    gdc_abv_oopt_cents, othr_troop_cents, plro_cents, rptd_gap_dscnt_cents, \
                    prescriber_specialty_cd \
             FROM pde_events WHERE beneficiary_id = ANY($1) \
               AND ($2::timestamptz IS NULL OR last_updated > $2 OR beneficiary_id = ANY($4)) \
               AND last_updated <= $3 \
               AND ($5::date IS NULL OR service_date BETWEEN $5 AND $6) \
             ORDER BY beneficiary_id, pde_id",
            &[
                &ids,
                &window.since,
                &window.claims_until,
                &full_history,
                &window.first_service_date(),
                &window.last_service_date(),
            ],
        )
        .await?;
    rows.iter()
        .map(|row| {
            Ok(PdeEvent {
                pde_id: row.get(0),
                beneficiary_id: row.get(1),
                clm_grp_id: row.get(2),
                service_date: row.get(3),
                paid_date: row.get(4),
                prescriber_npi: row.get(5),
                pharmacy_npi: row.get(6),
                ndc_cd: row.get(7),
                quantity_dispensed: row.get(8),
                days_supply: row.get(9),
                fill_num: row.get(10),
                brand_generic_cd: one_char(row, 11)?,
                daw_cd: one_char(row, 12)?,
                drug_coverage_cd: one_char(row, 13)?,
                plan_contract_id: row.get(14),
                plan_pbp_id: row.get(15),
                total_cost_cents: row.get(16),
                patient_pay_cents: row.get(17),
                plan_paid_cents: row.get(18),
                lics_cents: row.get(19),
                last_updated: row.get(20),
                rx_service_reference_num: row.get(21),
                compound_cd: one_char(row, 22)?,
                dispensing_status_cd: optional_char(row, 23)?,
                adjustment_deletion_cd: optional_char(row, 24)?,
                nonstandard_format_cd: optional_char(row, 25)?,
                pricing_exception_cd: optional_char(row, 26)?,
                catastrophic_coverage_cd: optional_char(row, 27)?,
                rx_origin_cd: one_char(row, 28)?,
                patient_residence_cd: row.get(29),
                submission_clarification_cd: row.get(30),
                gdc_below_oopt_cents: row.get(31),
                gdc_above_oopt_cents: row.get(32),
                other_troop_cents: row.get(33),
                plro_cents: row.get(34),
                gap_discount_cents: row.get(35),
                prescriber_specialty_cd: row.get(36),
            })
        })
        .collect()
}

/// Runs `sql` as a statement prepared once per connection (deadpool caches it): a chunk
/// runs the same five queries, and parsing and planning them each time cost Postgres
/// about as much CPU as executing them.
pub(crate) async fn query(
    client: &deadpool_postgres::Client,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<Row>, KeyError> {
    let statement = client.prepare_cached(sql).await?;
    Ok(client.query(&statement, params).await?)
}

/// A `char(1)` column.
pub(crate) fn one_char(row: &Row, index: usize) -> Result<char, KeyError> {
    optional_char(row, index)?.ok_or_else(|| KeyError::data(format!("column {index} is empty")))
}

/// A nullable `char(1)` column.
pub(crate) fn optional_char(row: &Row, index: usize) -> Result<Option<char>, KeyError> {
    let value: Option<&str> = row.get(index);
    Ok(value.and_then(|v| v.chars().next()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_reach_the_entry_with_their_key_and_unknown_keys_are_skipped() {
        let mut claims: Vec<((i64, i64), Vec<char>)> =
            vec![((1, 10), vec![]), ((1, 12), vec![]), ((2, 5), vec![])];
        let lines = [
            ((1, 9), 'x'), // before every claim
            ((1, 10), 'a'),
            ((1, 10), 'b'),
            ((1, 11), 'y'), // between two claims
            ((1, 12), 'c'),
            ((2, 5), 'd'),
            ((3, 1), 'z'), // after every claim
        ];
        attach_in_order(&mut claims, |c| c.0, lines, |c, line| c.1.push(line));
        assert_eq!(
            claims,
            vec![
                ((1, 10), vec!['a', 'b']),
                ((1, 12), vec!['c']),
                ((2, 5), vec!['d'])
            ]
        );
    }
}
