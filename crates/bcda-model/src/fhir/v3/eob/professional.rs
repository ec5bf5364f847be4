//! NCH professional claims (carrier and DME) in v3.

use std::borrow::Cow;

use super::{
    Adjudication, Contained, Detail, DiagnosisKind, ExplanationOfBenefit, InfoCategory, InfoValue,
    Item, ItemExtension, ItemQuantity, LabResult, NDC, Payment, ProviderKind, Related, Role,
    Skeleton,
};
use super::{
    DEDUCTIBLE, ELIGIBLE, LINE_BENEFIT, LINE_COINSURANCE, LINE_DEDUCTIBLE, LINE_DISCOUNT,
    LINE_DME_PRICE, LINE_ELIGIBLE, LINE_INTEREST, LINE_PAID_TO_PATIENT, LINE_PAID_TO_PROVIDER,
    LINE_PRIMARY_PAYER_ALLOWED, LINE_PRIMARY_PAYER_PAID, LINE_SUBMITTED, LINE_THERAPY_LIMIT,
    PAID_BY_PATIENT, PAID_TO_PROVIDER, PROFESSIONAL_PRIMARY_PAYER, SUBMITTED,
};
use crate::claim_source::ClaimFacts;
use crate::claims::{Claim, ClaimLine, ClaimType, PartBLineKind};
use crate::fhir::datatypes::{CodeableConcept, Coding, char_code};
use crate::fhir::v3::codes::EobType;
use crate::fhir::v3::{bb_cs, bb_sd};
use crate::geography::fips_state;

impl<'a> ExplanationOfBenefit<'a> {
    /// An NCH carrier or DME claim of the beneficiary with CCW id `bene_id`.
    pub(super) fn professional(claim: &'a Claim, bene_id: i64) -> ExplanationOfBenefit<'a> {
        let dme = claim.claim_type == ClaimType::Dme;
        let mut eob = ExplanationOfBenefit::skeleton(Skeleton {
            id: claim.clm_id.to_string(),
            source: "NCH",
            facts: ClaimFacts::of_claim(claim),
            eob_type: if dme { EobType::Dme } else { EobType::Carrier },
            type_code: claim.nch_clm_type_cd.parse().unwrap_or(0),
            control_num: Cow::Borrowed(&claim.control_num),
            bene_id,
            last_updated: claim.last_updated,
            status: "active",
            part: "Part B",
        });
        eob.insured_by_cms();
        eob.billed_by(claim.billing_npi.as_deref(), ProviderKind::Practitioner);
        if let Some(prior) = &claim.original_control_num {
            eob.related.push(Related::prior(prior));
        }
        eob.rendered_by(&claim.lines);
        if let Some(npi) = &claim.referring_npi {
            eob.care(npi, ProviderKind::Practitioner, Role::Referring, None);
        }
        supporting_info(&mut eob, claim, dme);
        eob.diagnoses(claim.diagnosis_codes.iter().enumerate().map(|(i, code)| {
            let kind = if i == 0 {
                DiagnosisKind::Principal
            } else {
                DiagnosisKind::Secondary
            };
            (code.as_str(), None, kind)
        }));
        let diagnoses = &claim.diagnosis_codes;
        eob.item = claim
            .lines
            .iter()
            .zip(1..)
            .map(|(line, sequence)| item(line, sequence, diagnoses))
            .collect();
        lab_results(&mut eob, claim);
        eob.adjudication = vec![
            Adjudication::PaymentStatus,
            Adjudication::amount(PROFESSIONAL_PRIMARY_PAYER, claim.primary_payer_cents),
        ];
        eob.total = vec![
            Adjudication::amount(ELIGIBLE, claim.allowed_cents),
            Adjudication::amount(SUBMITTED, claim.total_charge_cents),
            Adjudication::amount(
                PAID_BY_PATIENT,
                claim.deductible_cents + claim.coinsurance_cents,
            ),
            Adjudication::amount(PAID_TO_PROVIDER, claim.provider_paid_cents),
            Adjudication::amount(DEDUCTIBLE, claim.deductible_cents),
        ];
        eob.payment = Payment::of(claim.paid_cents);
        eob
    }
}

/// Each line's hemoglobin or hematocrit result: a contained Observation, which a
/// supporting information entry refers to and the line points at, as the IDR mapping
/// links CLM_LINE_HCT_HGB_RSLT_NUM (a contained resource must be referred to).
fn lab_results<'a>(eob: &mut ExplanationOfBenefit<'a>, claim: &'a Claim) {
    for (line, sequence) in claim.lines.iter().zip(1u32..) {
        let Some(part_b) = &line.part_b else { continue };
        let Some(result) = part_b.hct_hgb else {
            continue;
        };
        let clia = match &part_b.kind {
            PartBLineKind::Carrier { clia_lab_num, .. } => clia_lab_num.as_deref(),
            PartBLineKind::Dme { .. } => None,
        };
        let observation = LabResult::new(sequence, result, clia);
        let id = observation.id.clone();
        eob.contained.push(Contained::Observation(observation));
        eob.info(
            InfoCategory::Column("CLM_LINE_HCT_HGB_RSLT_NUM", "HCT/HGB Test Result"),
            InfoValue::Reference(id),
        );
        let info = eob.supporting_info.len() as u32;
        if let Some(item) = eob.item.iter_mut().find(|item| item.sequence == sequence) {
            item.information_sequence.push(info);
        }
    }
}

fn supporting_info<'a>(eob: &mut ExplanationOfBenefit<'a>, claim: &'a Claim, dme: bool) {
    use InfoCategory::{Carin, Column};
    eob.info(
        Column("CLM_IDR_LD_DT", "Claim IDR Load Date"),
        InfoValue::Date(claim.last_updated.date()),
    );
    let rendering_state = claim
        .lines
        .iter()
        .find_map(|line| line.part_b.as_ref())
        .and_then(|part_b| fips_state(&part_b.provider_state_cd));
    if let Some(fips) = rendering_state {
        eob.info(
            Column(
                "RNDRG_PRVDR_FIPS_ST_CD",
                "Rendering Provider FIPS State Code",
            ),
            InfoValue::code(bb_cs!("US-FIPS-STATE-CODES"), fips, None),
        );
    }
    if let Some(week) = claim.weekly_processing_date {
        eob.info(Carin("clmrecvddate"), InfoValue::Date(week));
    }
    eob.info(
        Column("CLM_QUERY_CD", "Claim Query Code"),
        InfoValue::code(bb_cs!("CLM-QUERY-CD"), "3", Some("FINAL BILL")),
    );
    eob.info(
        Column("CLM_CNTRCTR_NUM", "Claim Contractor Number"),
        InfoValue::code(bb_cs!("CLM-CNTRCTR-NUM"), &claim.contractor_num, None),
    );
    if let Some(trial) = &claim.clinical_trial_num {
        eob.info(
            Column("CLM_CLNCL_TRIL_NUM", "Clinical Trial Number"),
            InfoValue::String(Cow::Borrowed(trial)),
        );
    }
    if let Some(week) = claim.weekly_processing_date {
        eob.info(
            Column("CLM_NCH_WKLY_PROC_DT", "Weekly Process Date"),
            InfoValue::Date(week),
        );
    }
    if let Some(denial) = claim.payment_denial_cd {
        eob.info(
            Column("CLM_CARR_PMT_DNL_CD", "Claim Payment Denial Code"),
            InfoValue::code(bb_cs!("CLM-CARR-PMT-DNL-CD"), char_code(denial), None),
        );
    }
    if let Some(payer) = claim.primary_payer_cd {
        eob.info(
            Column("CLM_NCH_PRMRY_PYR_CD", "NCH Primary Payer Code"),
            InfoValue::code(bb_cs!("CLM-NCH-PRMRY-PYR-CD"), char_code(payer), None),
        );
    }
    eob.info(
        Column("CLM_NRLN_RIC_CD", "Near Line Record Identification Code"),
        if dme {
            InfoValue::code(
                bb_cs!("CLM-NRLN-RIC-CD"),
                "M",
                Some("Part B DMEPOS claim record (processed by DME Regional Carrier)"),
            )
        } else {
            InfoValue::code(
                bb_cs!("CLM-NRLN-RIC-CD"),
                "O",
                Some("Part B physician/supplier claim record (processed by local carriers; can include DMEPOS services)"),
            )
        },
    );
}

/// A v3 line extension.
macro_rules! extension {
    ($name:literal, $code:expr, $display:expr) => {
        ItemExtension::Coding {
            url: bb_sd!($name),
            value_coding: Coding::new(bb_cs!($name), $code, $display),
        }
    };
}

fn item<'a>(line: &'a ClaimLine, sequence: u32, diagnoses: &[String]) -> Item<'a> {
    let mut item = Item::service(
        sequence,
        line.hcpcs_cd.as_deref(),
        &line.modifiers,
        line.from_date,
        line.thru_date,
    );
    if let Some(part_b) = &line.part_b {
        item.extension.push(extension!(
            "CLM-PMT-80-100-CD",
            char_code(part_b.payment_cd),
            Some(if part_b.payment_cd == '1' {
                "100%"
            } else {
                "80%"
            })
        ));
        if let Some(specialty) = &line.provider_specialty_cd {
            item.extension
                .push(extension!("CLM-PRVDR-SPCLTY-CD", specialty, None));
        }
        item.extension.push(extension!(
            "CLM-SRVC-DDCTBL-SW",
            char_code(part_b.deductible_cd),
            Some(if part_b.deductible_cd == '0' {
                "Service Subject to Deductible"
            } else {
                "Service Not Subject to Deductible"
            })
        ));
        item.extension.push(extension!(
            "CLM-MTUS-IND-CD",
            char_code(part_b.mtus_cd),
            None
        ));
        item.extension
            .push(extension!("CLM-PRCSG-IND-CD", &part_b.processing_cd, None));
        if let PartBLineKind::Carrier {
            provider_type_cd,
            reduced_payment_cd,
            ..
        } = &part_b.kind
        {
            item.extension.push(extension!(
                "CLM-PHYSN-ASTNT-CD",
                char_code(*reduced_payment_cd),
                None
            ));
            item.extension.push(extension!(
                "CLM-PRVDR-TYPE-CD",
                char_code(*provider_type_cd),
                None
            ));
        }
        item.extension.push(ItemExtension::Decimal {
            url: bb_sd!("CLM-LINE-PRFNL-MTUS-CNT"),
            value: i64::from(line.units),
        });
    }
    item.diagnosis_sequence = line
        .diagnosis_cd
        .as_ref()
        .and_then(|code| diagnoses.iter().position(|d| d == code))
        .map(|i| vec![i as u32 + 1])
        .unwrap_or_default();
    item.location_codeable_concept = line.place_of_service_cd.as_deref().map(|pos| {
        CodeableConcept::of(Coding::new(
            "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
            pos,
            None,
        ))
    });
    item.quantity = Some(ItemQuantity {
        value: i64::from(line.units),
    });
    if let Some(ndc) = &line.ndc_cd {
        item.detail.push(Detail {
            sequence: 1,
            product_or_service: CodeableConcept::of(Coding::new(NDC, ndc, None)),
        });
    }
    // Every line is assigned: Medicare pays the provider, never the beneficiary. What
    // the synthetic lines are priced without (therapy caps, DME purchase prices,
    // interest, screening savings) is zero, as the IDR writes it.
    let primary_payer_allowed = if line.primary_payer_cents > 0 {
        line.allowed_cents
    } else {
        0
    };
    item.adjudication = vec![
        Adjudication::amount(LINE_THERAPY_LIMIT, 0),
        Adjudication::amount(LINE_COINSURANCE, line.coinsurance_cents),
        Adjudication::amount(LINE_ELIGIBLE, line.allowed_cents),
        Adjudication::amount(LINE_DEDUCTIBLE, line.deductible_cents),
        Adjudication::amount(LINE_PAID_TO_PATIENT, 0),
        Adjudication::amount(LINE_PAID_TO_PROVIDER, line.paid_cents),
        Adjudication::amount(LINE_BENEFIT, line.paid_cents),
        Adjudication::amount(LINE_DME_PRICE, 0),
        Adjudication::amount(LINE_SUBMITTED, line.submitted_cents),
        Adjudication::PaymentStatus,
        Adjudication::amount(LINE_INTEREST, 0),
        Adjudication::amount(LINE_PRIMARY_PAYER_ALLOWED, primary_payer_allowed),
        Adjudication::amount(LINE_PRIMARY_PAYER_PAID, line.primary_payer_cents),
        Adjudication::amount(LINE_DISCOUNT, 0),
    ];
    item
}
