//! Part D prescription drug events (DDPS) in v3.

use std::borrow::Cow;

use super::{
    Adjudication, ExplanationOfBenefit, InfoCategory, InfoValue, Item, ItemQuantity, NDC, Payment,
    ProviderKind, Role, Skeleton,
};
use super::{
    OTHER_PAYER_PAID, PAID_BY_PATIENT, RX_ABOVE_THRESHOLD, RX_BELOW_THRESHOLD, RX_GAP_DISCOUNT,
    RX_LICS, RX_PLAN_PAID, RX_PLRO, RX_TOTAL,
};
use crate::claim_source::ClaimFacts;
use crate::claims::PdeEvent;
use crate::fhir::datatypes::{CodeableConcept, Coding, FhirDate, char_code};
use crate::fhir::v3::bb_cs;
use crate::fhir::v3::codes::EobType;

impl<'a> ExplanationOfBenefit<'a> {
    /// A Part D event of the beneficiary with CCW id `bene_id`.
    pub fn pde(event: &'a PdeEvent, bene_id: i64) -> ExplanationOfBenefit<'a> {
        // DDPS claim types: 1 original, 2 adjusted, 3 deleted, 4 resubmitted.
        let type_code = match event.adjustment_deletion_cd {
            Some('A') => 2,
            Some('D') => 3,
            Some('R') => 4,
            _ => 1,
        };
        let mut eob = ExplanationOfBenefit::skeleton(Skeleton {
            id: event.pde_id.to_string(),
            source: "DDPS",
            facts: ClaimFacts::of_event(event),
            eob_type: EobType::Pde,
            type_code,
            control_num: Cow::Owned(event.rx_service_reference_num.to_string()),
            bene_id,
            last_updated: event.last_updated,
            status: if type_code == 3 {
                "cancelled"
            } else {
                "active"
            },
            part: "Part D",
        });
        // R4 requires an insurer; BFD's v3 snapshot leaves it out of Part D events. CMS,
        // whose Part D program the plan runs, as our v2 names it.
        eob.insured_by_cms();
        eob.billed_by(Some(&event.pharmacy_npi), ProviderKind::Organization);
        eob.care(
            &event.prescriber_npi,
            ProviderKind::Practitioner,
            Role::Prescribing,
            event.prescriber_specialty_cd.as_deref(),
        );
        supporting_info(&mut eob, event);
        let mut item = Item {
            sequence: 1,
            product_or_service: Some(CodeableConcept::of(Coding::new(NDC, &event.ndc_cd, None))),
            serviced_date: Some(FhirDate(event.service_date)),
            quantity: Some(ItemQuantity {
                value: i64::from(event.quantity_dispensed),
            }),
            ..Item::default()
        };
        item.adjudication = vec![
            Adjudication::amount(RX_PLRO, event.plro_cents),
            Adjudication::amount(RX_LICS, event.lics_cents),
            Adjudication::amount(RX_BELOW_THRESHOLD, event.gdc_below_oopt_cents),
            Adjudication::amount(RX_ABOVE_THRESHOLD, event.gdc_above_oopt_cents),
            Adjudication::amount(RX_GAP_DISCOUNT, event.gap_discount_cents),
            Adjudication::amount(RX_PLAN_PAID, event.plan_paid_cents),
            Adjudication::amount(RX_TOTAL, event.total_cost_cents),
        ];
        eob.item = vec![item];
        eob.adjudication = vec![Adjudication::PaymentStatus];
        eob.total = vec![
            Adjudication::amount(PAID_BY_PATIENT, event.patient_pay_cents),
            Adjudication::amount(OTHER_PAYER_PAID, event.other_troop_cents),
            Adjudication::amount(RX_TOTAL, event.total_cost_cents),
        ];
        eob.payment = Some(Payment {
            amount: None,
            date: Some(FhirDate(event.paid_date)),
        });
        eob
    }
}

fn supporting_info<'a>(eob: &mut ExplanationOfBenefit<'a>, event: &'a PdeEvent) {
    use InfoCategory::{Carin, Column};
    if event.adjustment_deletion_cd.is_none() {
        eob.info(
            Column("CLM_ADJSTMT_TYPE_CD", "Claim Adjustment Type Code"),
            InfoValue::code(bb_cs!("CLM-ADJSTMT-TYPE-CD"), "0", Some("ORIGINAL")),
        );
    }
    eob.info(
        Column("CLM_IDR_LD_DT", "Claim IDR Load Date"),
        InfoValue::Date(event.last_updated.date()),
    );
    if let Some(format) = event.nonstandard_format_cd {
        eob.info(
            Column("CLM_SBMT_FRMT_CD", "Claim Submission Format Code"),
            InfoValue::code(bb_cs!("CLM-SBMT-FRMT-CD"), char_code(format), None),
        );
    }
    eob.info(
        Column("CLM_SBMTR_CNTRCT_NUM", "Submitter Contract Number"),
        InfoValue::String(Cow::Borrowed(&event.plan_contract_id)),
    );
    eob.info(
        Column("CLM_SBMTR_CNTRCT_PBP_NUM", "Submitter Contract PBP Number"),
        InfoValue::String(Cow::Borrowed(&event.plan_pbp_id)),
    );
    // The plan paid the pharmacy on the paid date: the earliest it can have had the
    // claim.
    eob.info(Carin("clmrecvddate"), InfoValue::Date(event.paid_date));
    eob.info(
        Column("CLM_CMS_PROC_DT", "FI Claim Process Date"),
        InfoValue::Date(event.last_updated.date()),
    );
    eob.info(
        Carin("rxorigincode"),
        InfoValue::Code(vec![
            Coding::new(
                "http://terminology.hl7.org/CodeSystem/NCPDPPrescriptionOriginCode",
                char_code(event.rx_origin_cd),
                None,
            ),
            Coding::new(
                bb_cs!("CLM-LINE-RX-ORGN-CD"),
                char_code(event.rx_origin_cd),
                None,
            ),
        ]),
    );
    let brand = char_code(event.brand_generic_cd);
    eob.info(
        Carin("brandgenericindicator"),
        InfoValue::Code(vec![
            Coding::new(
                "http://terminology.hl7.org/CodeSystem/NCPDPBrandGenericIndicator",
                brand,
                None,
            ),
            Coding::new(bb_cs!("CLM-BRND-GNRC-CD"), brand, None),
        ]),
    );
    // A resident of a nursing facility fills at a long-term care pharmacy; everyone
    // else at a community or retail one.
    let pharmacy_type = if event.patient_residence_cd == "03" {
        "05"
    } else {
        "01"
    };
    eob.info(
        Column("CLM_PHRMCY_SRVC_TYPE_CD", "Pharmacy Service Type Code"),
        InfoValue::code(bb_cs!("CLM-PHRMCY-SRVC-TYPE-CD"), pharmacy_type, None),
    );
    eob.info(
        Column("CLM_PTNT_RSDNC_CD", "Patient Residence Code"),
        InfoValue::code(
            bb_cs!("CLM-PTNT-RSDNC-CD"),
            &event.patient_residence_cd,
            None,
        ),
    );
    if let Some(clarification) = &event.submission_clarification_cd {
        eob.info(
            Column("CLM_LTC_DSPNSNG_MTHD_CD", "Submission Clarification Code"),
            InfoValue::code(bb_cs!("CLM-LTC-DSPNSNG-MTHD-CD"), clarification, None),
        );
    }
    let compound = char_code(event.compound_cd);
    eob.info(
        Carin("compoundcode"),
        InfoValue::Code(vec![
            Coding::new(
                "http://terminology.hl7.org/CodeSystem/NCPDPCompoundCode",
                compound,
                None,
            ),
            Coding::new(bb_cs!("CLM-CMPND-CD"), compound, None),
        ]),
    );
    eob.info(
        Carin("dayssupply"),
        InfoValue::Quantity(i64::from(event.days_supply), "days"),
    );
    eob.info(
        Carin("refillnum"),
        InfoValue::Quantity(i64::from(event.fill_num), "fill"),
    );
    eob.info(
        Carin("dawcode"),
        InfoValue::code(
            "http://terminology.hl7.org/CodeSystem/NCPDPDispensedAsWrittenOrProductSelectionCode",
            char_code(event.daw_cd),
            None,
        ),
    );
    eob.info(
        Column("CLM_DRUG_CVRG_STUS_CD", "Drug Coverage Status Code"),
        InfoValue::code(
            bb_cs!("CLM-DRUG-CVRG-STUS-CD"),
            char_code(event.drug_coverage_cd),
            None,
        ),
    );
    if let Some(catastrophic) = event.catastrophic_coverage_cd {
        eob.info(
            Column("CLM_CTSTRPHC_CVRG_IND_CD", "Catastrophic Coverage Code"),
            InfoValue::code(
                bb_cs!("CLM-CTSTRPHC-CVRG-IND-CD"),
                char_code(catastrophic),
                None,
            ),
        );
    }
    eob.info(
        Column(
            "CLM_LINE_RX_NUM",
            "Claim Line Prescription Service Reference Number",
        ),
        InfoValue::String(Cow::Owned(event.rx_service_reference_num.to_string())),
    );
}
