//! NCH institutional claims (inpatient, outpatient, SNF, home health, hospice) in v3.

use std::borrow::Cow;

use super::revenue_codings;
use super::{
    Adjudication, DiagnosisKind, ExplanationOfBenefit, InfoCategory, InfoValue, Item,
    ItemExtension, ItemQuantity, Payment, ProviderKind, Related, Role, Skeleton,
};
use super::{
    BLOOD_LIABILITY, CAPITAL_DSH, CAPITAL_EXCEPTION, CAPITAL_FSP, CAPITAL_HOLD_HARMLESS,
    CAPITAL_IME, CAPITAL_OUTLIER, CAPITAL_TOTAL, COINSURANCE, COINSURANCE_DAYS, COVERED_DAYS,
    DEDUCTIBLE, DRG_OUTLIER, DRG_WEIGHT, ELIGIBLE, HHA_VISITS, HOSPICE_PERIODS,
    INPATIENT_DEDUCTIBLE, INSTITUTIONAL_PRIMARY_PAYER, LIFETIME_RESERVE_DAYS, LINE_ADD_ON,
    LINE_ADJUSTED_COINSURANCE, LINE_BENEFIT, LINE_BLOOD_DEDUCTIBLE, LINE_DEDUCTIBLE, LINE_ELIGIBLE,
    LINE_MSP1_PAID, LINE_MSP2_PAID, LINE_NONCOVERED, LINE_PAID_BY_PATIENT, LINE_PAID_TO_PATIENT,
    LINE_PAID_TO_PROVIDER, LINE_RATE, LINE_REDUCED_COINSURANCE, LINE_SUBMITTED, LINE_TDAPA,
    NONCOVERED, NONCOVERED_DAYS, OPERATING_DSH, OPERATING_IME, PAID_TO_PATIENT_INSTITUTIONAL,
    PAID_TO_PROVIDER, PER_DIEM, PROFESSIONAL_COMPONENT, SUBMITTED, UNCOMPENSATED_CARE,
    UNMODELLED_INSTITUTIONAL_COMPONENTS,
};
use crate::claim_source::ClaimFacts;
use crate::claims::{Claim, ClaimLine, ClaimType};
use crate::fhir::datatypes::{CodeableConcept, Coding, char_code};
use crate::fhir::v3::codes::EobType;
use crate::fhir::v3::{bb_cs, bb_sd};
use crate::geography::fips_state;

impl<'a> ExplanationOfBenefit<'a> {
    /// An NCH institutional claim of the beneficiary with CCW id `bene_id`.
    pub(super) fn institutional(claim: &'a Claim, bene_id: i64) -> ExplanationOfBenefit<'a> {
        let eob_type = match claim.claim_type {
            ClaimType::Hha => EobType::Hha,
            ClaimType::Hospice => EobType::Hospice,
            ClaimType::Inpatient => EobType::Inpatient,
            ClaimType::Snf => EobType::Snf,
            _ => EobType::Outpatient,
        };
        let part = match eob_type {
            EobType::Outpatient => "Part B",
            _ => "Part A",
        };
        let mut eob = ExplanationOfBenefit::skeleton(Skeleton {
            id: claim.clm_id.to_string(),
            source: "NCH",
            facts: ClaimFacts::of_claim(claim),
            eob_type,
            type_code: claim.nch_clm_type_cd.parse().unwrap_or(0),
            control_num: Cow::Borrowed(&claim.control_num),
            bene_id,
            last_updated: claim.last_updated,
            status: "active",
            part,
        });
        eob.insured_by_cms();
        eob.billed_by(claim.billing_npi.as_deref(), ProviderKind::Organization);
        if let Some(prior) = &claim.original_control_num {
            eob.related.push(Related::prior(prior));
        }
        care_team(&mut eob, claim);
        supporting_info(&mut eob, claim);
        diagnoses(&mut eob, claim);
        eob.procedures(&claim.procedures);
        eob.item = claim
            .lines
            .iter()
            .zip(1..)
            .map(|(line, sequence)| item(line, sequence))
            .collect();
        eob.adjudication = adjudication(claim);
        eob.total = totals(claim);
        eob.payment = Payment::of(claim.paid_cents);
        eob
    }
}

fn care_team<'a>(eob: &mut ExplanationOfBenefit<'a>, claim: &'a Claim) {
    if let Some(npi) = &claim.attending_npi {
        eob.care(
            npi,
            ProviderKind::Practitioner,
            Role::Attending,
            claim.attending_specialty_cd.as_deref(),
        );
    }
    if let Some(npi) = &claim.operating_npi {
        eob.care(npi, ProviderKind::Practitioner, Role::Operating, None);
    }
    eob.rendered_by(&claim.lines);
}

fn supporting_info<'a>(eob: &mut ExplanationOfBenefit<'a>, claim: &'a Claim) {
    use InfoCategory::{Carin, Column};
    if claim.original_control_num.is_none() {
        eob.info(
            Column("CLM_ADJSTMT_TYPE_CD", "Claim Adjustment Type Code"),
            InfoValue::code(bb_cs!("CLM-ADJSTMT-TYPE-CD"), "0", Some("ORIGINAL")),
        );
    }
    eob.info(
        Column("CLM_IDR_LD_DT", "Claim IDR Load Date"),
        InfoValue::Date(claim.last_updated.date()),
    );
    if let (Some(facility), Some(class), Some(frequency)) =
        (claim.fac_type_cd, claim.srvc_clsfctn_cd, claim.freq_cd)
    {
        eob.info(
            Carin("typeofbill"),
            InfoValue::TypeOfBill([facility, class, frequency]),
        );
    }
    // Every synthetic bill is a final bill, not an interim one.
    eob.info(
        Column("CLM_QUERY_CD", "Claim Query Code"),
        InfoValue::code(bb_cs!("CLM-QUERY-CD"), "3", Some("FINAL BILL")),
    );
    eob.info(
        Column("CLM_CNTRCTR_NUM", "Claim Contractor Number"),
        InfoValue::code(bb_cs!("CLM-CNTRCTR-NUM"), &claim.contractor_num, None),
    );
    if let Some(payer) = claim.primary_payer_cd {
        eob.info(
            Column("CLM_NCH_PRMRY_PYR_CD", "NCH Primary Payer Code"),
            InfoValue::code(bb_cs!("CLM-NCH-PRMRY-PYR-CD"), char_code(payer), None),
        );
    }
    // Every claim in the NCH is a debit the contractor accepted.
    eob.info(
        Column("CLM_DISP_CD", "Claim Disposition Code"),
        InfoValue::code(bb_cs!("CLM-DISP-CD"), "01", Some("Debit accepted")),
    );
    if let (Some(admitted), Some(discharged)) = (claim.admission_date, claim.discharge_date) {
        eob.info(
            Carin("admissionperiod"),
            InfoValue::Period(admitted, discharged),
        );
    }
    if let Some(week) = claim.weekly_processing_date {
        // The NCH knows when a claim was processed, not when it was received: BFD's v2
        // gives the week for both, and so do we.
        eob.info(Carin("clmrecvddate"), InfoValue::Date(week));
        eob.info(
            Column("CLM_NCH_WKLY_PROC_DT", "Weekly Process Date"),
            InfoValue::Date(week),
        );
    }
    if let Some(stay) = claim.facility.as_ref().and_then(|f| f.stay.as_ref()) {
        if let Some((from, thru)) = stay.noncovered_stay {
            eob.info(
                Column("CLM_NCVRD_FROM_DT", "Noncovered Stay From Date"),
                InfoValue::Date(from),
            );
            eob.info(
                Column("CLM_NCVRD_THRU_DT", "Noncovered Stay Through Date"),
                InfoValue::Date(thru),
            );
        }
        if let Some(exhausted) = stay.benefits_exhausted {
            eob.info(
                Column("CLM_MDCR_EXHSTD_DT", "Medicare Benefits Exhausted Date"),
                InfoValue::Date(exhausted),
            );
        }
    }
    eob.info(
        Column("CLM_NRLN_RIC_CD", "Near Line Record Identification Code"),
        match claim.claim_type {
            ClaimType::Outpatient => InfoValue::code(
                bb_cs!("CLM-NRLN-RIC-CD"),
                "W",
                Some("Part B institutional claim record (outpatient [OP], home health agency [HHA])"),
            ),
            _ => InfoValue::code(
                bb_cs!("CLM-NRLN-RIC-CD"),
                "V",
                Some("Part A institutional claim record (inpatient [IP], skilled nursing facility [SNF], hospice [HOS], or home health agency [HHA])"),
            ),
        },
    );
    if let Some(source) = claim.admission_source_cd {
        eob.info(
            Carin("pointoforigin"),
            InfoValue::Code(vec![
                Coding::new(
                    "https://www.nubc.org/CodeSystem/PointOfOrigin",
                    char_code(source),
                    None,
                ),
                Coding::new(bb_cs!("CLM-ADMSN-SRC-CD"), char_code(source), None),
            ]),
        );
    }
    if let Some(status) = &claim.discharge_status_cd {
        eob.info(
            Carin("discharge-status"),
            InfoValue::Code(vec![
                Coding::new(
                    "https://www.nubc.org/CodeSystem/PatDischargeStatus",
                    status,
                    None,
                ),
                Coding::new(bb_cs!("BENE-PTNT-STUS-CD"), status, None),
            ]),
        );
    }
    eob.admission_type(claim.admission_type_cd);
    // The claim in the NCH is the contractor's original debit (a replacement's too: the
    // claim it replaced was credited back separately).
    eob.info(
        Column("CLM_FI_ACTN_CD", "Claim Fiscal Intermediary Action Code"),
        InfoValue::code(bb_cs!("CLM-FI-ACTN-CD"), "1", Some("Original debit action")),
    );
    // Fee-for-service Medicare paid these claims, not a managed care plan.
    eob.info(
        Column("CLM_MDCR_INSTNL_MCO_PD_SW", "MCO Paid Switch"),
        InfoValue::code(
            bb_cs!("CLM-MDCR-INSTNL-MCO-PD-SW"),
            "0",
            Some("No managed care organization (MCO) payment"),
        ),
    );
    if let Some(home_health) = claim.facility.as_ref().and_then(|f| f.home_health.as_ref()) {
        if let Some(lupa) = home_health.lupa_cd {
            eob.info(
                Column("CLM_HHA_LUP_IND_CD", "Claim Lupa Indicator Code"),
                InfoValue::code(
                    bb_cs!("CLM-HHA-LUP-IND-CD"),
                    char_code(lupa),
                    Some("Low utilization payment adjustment (LUPA) claim"),
                ),
            );
        }
        eob.info(
            Column("CLM_HHA_RFRL_CD", "Claim Referral Code"),
            InfoValue::code(
                bb_cs!("CLM-HHA-RFRL-CD"),
                char_code(home_health.referral_cd),
                None,
            ),
        );
    }
    if let Some(fips) = claim.provider_state_cd.as_deref().and_then(fips_state) {
        eob.info(
            Column(
                "PRVDR_FAC_FIPS_ST_CD",
                "Federal Information Processing Standards (FIPS) State Code",
            ),
            InfoValue::code(bb_cs!("US-FIPS-STATE-CODES"), fips, None),
        );
    }
    eob.drg(claim.drg_cd.as_deref());
}

fn diagnoses<'a>(eob: &mut ExplanationOfBenefit<'a>, claim: &'a Claim) {
    let poa = |i: usize| claim.poa_indicators.get(i).copied();
    eob.diagnoses(
        claim
            .diagnosis_codes
            .iter()
            .enumerate()
            .map(|(i, code)| {
                let kind = if i == 0 {
                    DiagnosisKind::Principal
                } else {
                    DiagnosisKind::Other
                };
                (code.as_str(), poa(i), kind)
            })
            .chain(
                claim
                    .external_causes
                    .iter()
                    .map(|(code, poa)| (code.as_str(), Some(*poa), DiagnosisKind::ExternalCause)),
            ),
    );
}

fn item(line: &ClaimLine, sequence: u32) -> Item<'_> {
    let mut item = Item::service(
        sequence,
        line.hcpcs_cd.as_deref(),
        &line.modifiers,
        line.from_date,
        line.thru_date,
    );
    if let Some(revenue) = &line.revenue_center_cd {
        let mut coding = revenue_codings(revenue);
        if let Some(code) = line
            .revenue
            .as_ref()
            .and_then(|r| r.deductible_coinsurance_cd)
        {
            coding.push(Coding::new(
                bb_cs!("CLM-DDCTBL-COINSRNC-CD"),
                char_code(code),
                None,
            ));
        }
        item.revenue = Some(CodeableConcept { coding, text: None });
    }
    if let Some(status) = line
        .revenue
        .as_ref()
        .and_then(|r| r.status_indicator_cd.as_deref())
    {
        item.extension.push(ItemExtension::Coding {
            url: bb_sd!("CLM-REV-CNTR-STUS-CD"),
            value_coding: Coding::new(bb_cs!("CLM-REV-CNTR-STUS-CD"), status, None),
        });
    }
    item.quantity = Some(ItemQuantity {
        value: i64::from(line.units),
    });
    let patient_paid = line.deductible_cents + line.coinsurance_cents;
    // What the line was billed per unit.
    let rate = line.submitted_cents / i64::from(line.units.max(1));
    // Components our synthetic lines are paid without are zero, as the IDR writes them.
    item.adjudication = vec![
        Adjudication::amount(LINE_ELIGIBLE, line.allowed_cents),
        Adjudication::amount(LINE_DEDUCTIBLE, line.deductible_cents),
        Adjudication::amount(LINE_BLOOD_DEDUCTIBLE, 0),
        Adjudication::amount(LINE_PAID_TO_PATIENT, 0),
        Adjudication::amount(LINE_PAID_BY_PATIENT, patient_paid),
        Adjudication::amount(LINE_NONCOVERED, 0),
        Adjudication::amount(LINE_PAID_TO_PROVIDER, line.paid_cents),
        Adjudication::amount(LINE_BENEFIT, line.paid_cents),
        Adjudication::amount(LINE_SUBMITTED, line.submitted_cents),
        Adjudication::amount(LINE_ADJUSTED_COINSURANCE, line.coinsurance_cents),
        Adjudication::amount(LINE_REDUCED_COINSURANCE, 0),
        Adjudication::amount(LINE_MSP1_PAID, line.primary_payer_cents),
        Adjudication::amount(LINE_MSP2_PAID, 0),
        Adjudication::amount(LINE_RATE, rate),
        Adjudication::amount(LINE_ADD_ON, 0),
        Adjudication::amount(LINE_TDAPA, 0),
    ];
    item
}

/// Claim-level amounts and counts, every one the IDR has for an institutional claim:
/// what the facility was paid beyond its lines, and the days and visits of the stay or
/// period. A component a claim does not have is zero, as in the IDR.
fn adjudication(claim: &Claim) -> Vec<Adjudication> {
    let facility = claim.facility.as_ref();
    let stay = facility.and_then(|f| f.stay.as_ref());
    let drg = stay.and_then(|s| s.drg_payment.as_ref());
    let drg_amount = |amount: fn(&crate::claims::DrgPayment) -> i64| drg.map_or(0, amount);
    let count =
        |category, value: Option<i16>| Adjudication::Value(category, f64::from(value.unwrap_or(0)));
    let mut adjudication = vec![
        Adjudication::PaymentStatus,
        Adjudication::amount(OPERATING_DSH, drg_amount(|d| d.operating_dsh_cents)),
        Adjudication::amount(OPERATING_IME, drg_amount(|d| d.operating_ime_cents)),
        count(LIFETIME_RESERVE_DAYS, stay.map(|s| s.lifetime_reserve_days)),
        count(COINSURANCE_DAYS, stay.map(|s| s.coinsurance_days)),
        count(NONCOVERED_DAYS, stay.map(|s| s.non_utilization_days)),
        count(
            HOSPICE_PERIODS,
            facility.and_then(|f| f.hospice_period_count),
        ),
        count(
            HHA_VISITS,
            facility.and_then(|f| f.home_health.as_ref().map(|h| h.visit_count)),
        ),
        Adjudication::Value(
            DRG_WEIGHT,
            drg.map_or(0.0, |d| f64::from(d.drg_weight_ten_thousandths) / 10_000.0),
        ),
        count(COVERED_DAYS, claim.utilization_days),
        Adjudication::amount(PER_DIEM, drg_amount(|d| d.pass_thru_per_diem_cents)),
        Adjudication::amount(CAPITAL_DSH, drg_amount(|d| d.capital_dsh_cents)),
        Adjudication::amount(CAPITAL_EXCEPTION, drg_amount(|d| d.capital_exception_cents)),
        Adjudication::amount(CAPITAL_FSP, drg_amount(|d| d.capital_fsp_cents)),
        Adjudication::amount(CAPITAL_IME, drg_amount(|d| d.capital_ime_cents)),
        Adjudication::amount(CAPITAL_OUTLIER, drg_amount(|d| d.capital_outlier_cents)),
        Adjudication::amount(
            CAPITAL_HOLD_HARMLESS,
            drg_amount(|d| d.capital_hold_harmless_cents),
        ),
        Adjudication::amount(CAPITAL_TOTAL, drg_amount(|d| d.capital_total_cents())),
        Adjudication::amount(INSTITUTIONAL_PRIMARY_PAYER, claim.primary_payer_cents),
        Adjudication::amount(
            PROFESSIONAL_COMPONENT,
            facility.map_or(0, |f| f.professional_component_cents),
        ),
        Adjudication::amount(DRG_OUTLIER, drg_amount(|d| d.outlier_cents)),
        Adjudication::amount(
            UNCOMPENSATED_CARE,
            drg_amount(|d| d.uncompensated_care_cents),
        ),
        Adjudication::amount(
            INPATIENT_DEDUCTIBLE,
            if stay.is_some() {
                claim.deductible_cents
            } else {
                0
            },
        ),
    ];
    adjudication.extend(
        UNMODELLED_INSTITUTIONAL_COMPONENTS
            .into_iter()
            .map(|category| Adjudication::amount(category, 0)),
    );
    adjudication.push(Adjudication::amount(
        BLOOD_LIABILITY,
        facility.map_or(0, |f| f.blood_deductible_cents),
    ));
    adjudication
}

fn totals(claim: &Claim) -> Vec<Adjudication> {
    let noncovered = claim
        .facility
        .as_ref()
        .and_then(|f| f.stay.as_ref())
        .map_or(0, |stay| stay.noncovered_charge_cents);
    vec![
        Adjudication::amount(ELIGIBLE, claim.allowed_cents),
        Adjudication::amount(SUBMITTED, claim.total_charge_cents),
        Adjudication::amount(PAID_TO_PROVIDER, claim.provider_paid_cents),
        Adjudication::amount(DEDUCTIBLE, claim.deductible_cents),
        Adjudication::amount(COINSURANCE, claim.coinsurance_cents),
        Adjudication::amount(NONCOVERED, noncovered),
        Adjudication::amount(PAID_TO_PATIENT_INSTITUTIONAL, claim.bene_paid_cents),
    ]
}
