//! Carrier and DME claims: professional services, one line per service with its
//! rendering clinician, HCPCS code, place of service and line adjudications.

use std::borrow::Cow;

use super::{
    Adjudication, BenefitBalance, C4BB_ADJUDICATION, C4BB_CARE_TEAM_ROLE, CareTeam,
    ExplanationOfBenefit, Financial, HCPCS, HL7_ADJUDICATION, Item, ProductOrService,
    ProviderReference, Quantity, US_NPI, adjudication, bb_var, diagnoses, line_period, modifiers,
    npi_provider,
};
use crate::ApiVersion;
use crate::claims::{Claim, ClaimLine, ClaimType};
use crate::fhir::datatypes::{CodeableConcept, Coding, Extension, Identifier, Money, char_code};

const PROFILE: &str = "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Professional-NonClinician";

pub(super) fn build(version: ApiVersion, claim: &Claim, bene_id: i64) -> ExplanationOfBenefit<'_> {
    let v2 = version == ApiVersion::V2;
    let (eob_type, near_line) = match claim.claim_type {
        ClaimType::Dme => ("DME", "M"),
        _ => ("CARRIER", "O"),
    };
    let near_line = (near_line, near_line_display(near_line));
    let mut eob = ExplanationOfBenefit::skeleton(
        version,
        claim,
        bene_id,
        PROFILE,
        (eob_type, "professional", "Professional"),
        "part-b",
    );
    eob.extension = extensions(version, claim, near_line);
    if !v2 {
        // STU3 carries the near-line record code among the claim's types, as BFD does.
        eob.kind.coding.push(Coding::new(
            bb_var!("nch_near_line_rec_ident_cd"),
            near_line.0,
            Some(near_line.1),
        ));
    }
    let billing = claim.billing_npi.as_deref().map(|npi| ProviderReference {
        identifier: Identifier {
            kind: None,
            system: if v2 {
                bb_var!("carr_clm_blg_npi_num")
            } else {
                US_NPI
            },
            value: Cow::Borrowed(npi),
        },
    });
    if v2 {
        eob.provider = billing;
    } else {
        eob.organization = billing;
    }
    eob.care_team = care_team(version, claim);
    if let Some(date) = claim.weekly_processing_date {
        eob.add_received_date(version, date);
    }
    eob.diagnosis = diagnoses(version, &claim.diagnosis_codes, None);
    eob.item = claim
        .lines
        .iter()
        .map(|line| {
            let provider = eob
                .care_team
                .iter()
                .find(|member| {
                    line.rendering_npi.as_deref() == Some(member.provider.identifier.value.as_ref())
                })
                .map_or(1, |member| member.sequence);
            let diagnosis = line
                .diagnosis_cd
                .as_ref()
                .and_then(|code| claim.diagnosis_codes.iter().position(|d| d == code))
                .map_or(1, |i| i as u32 + 1);
            item(version, line, provider, diagnosis)
        })
        .collect();
    if v2 {
        eob.total = vec![adjudication(
            version,
            bb_var!("prpayamt"),
            "NCH Primary Payer Claim Paid Amount",
            (C4BB_ADJUDICATION, "priorpayerpaid", "Prior payer paid"),
            claim.primary_payer_cents,
        )];
        eob.benefit_balance = vec![BenefitBalance::medical(version, amounts(version, claim))];
    }
    eob
}

/// Claim-level variables: contractor, control number, payment denial, assignment; STU3
/// also carries the claim amounts here (R4 has them in `total`).
fn extensions<'a>(
    version: ApiVersion,
    claim: &'a Claim,
    near_line: (&'static str, &'static str),
) -> Vec<Extension<'a>> {
    let mut extension = vec![
        Extension::VariableIdentifier {
            name: "carr_num",
            value: &claim.contractor_num,
        },
        Extension::VariableIdentifier {
            name: "carr_clm_cntl_num",
            value: &claim.control_num,
        },
        {
            // No denial code on the row means paid to the physician/supplier ("1").
            let code = claim.payment_denial_cd.map_or("1", char_code);
            let display = (code == "1").then_some("Physician/supplier");
            Extension::variable("carr_clm_pmt_dnl_cd", code, display)
        },
        Extension::variable("asgmntcd", "A", Some("Assigned claim")),
    ];
    if let Some(payer) = claim.primary_payer_cd {
        extension.push(Extension::variable(
            "nch_prmry_pyr_cd",
            char_code(payer),
            None,
        ));
    }
    match version {
        ApiVersion::V2 => extension.insert(
            0,
            Extension::variable("nch_near_line_rec_ident_cd", near_line.0, Some(near_line.1)),
        ),
        ApiVersion::V1 => {
            for (name, cents) in [
                ("prpayamt", claim.primary_payer_cents),
                ("carr_clm_cash_ddctbl_apld_amt", claim.deductible_cents),
                ("nch_clm_prvdr_pmt_amt", claim.provider_paid_cents),
                ("nch_clm_bene_pmt_amt", claim.bene_paid_cents),
                ("nch_carr_clm_sbmtd_chrg_amt", claim.total_charge_cents),
                ("nch_carr_clm_alowd_amt", claim.allowed_cents),
            ] {
                extension.push(Extension::VariableMoney {
                    name,
                    money: Money { cents, version },
                });
            }
        }
    }
    extension
}

/// NCH_NEAR_LINE_REC_IDENT_CD display texts, as BFD words them.
fn near_line_display(code: &str) -> &'static str {
    match code {
        "M" => "Part B DMEPOS claim record (processed by DME Regional Carrier)",
        _ => {
            "Part B physician/supplier claim record (processed by local carriers; can include DMEPOS services)"
        }
    }
}

/// The rendering clinicians of the claim's lines, once each, in line order.
fn care_team(version: ApiVersion, claim: &Claim) -> Vec<CareTeam<'_>> {
    let mut team: Vec<CareTeam<'_>> = Vec::new();
    for line in &claim.lines {
        let Some(npi) = line.rendering_npi.as_deref() else {
            continue;
        };
        if team.iter().any(|m| m.provider.identifier.value == npi) {
            continue;
        }
        let role = match version {
            ApiVersion::V1 => Coding::new(
                "http://hl7.org/fhir/claimcareteamrole",
                "primary",
                Some("Primary provider"),
            ),
            ApiVersion::V2 => Coding::new(
                C4BB_CARE_TEAM_ROLE,
                "performing",
                Some("Performing provider"),
            ),
        };
        team.push(CareTeam {
            sequence: team.len() as u32 + 1,
            provider: npi_provider(version, npi),
            responsible: Some(true),
            role: CodeableConcept::of(role),
            qualification: line.provider_specialty_cd.as_deref().map(|specialty| {
                CodeableConcept::of(Coding::new(bb_var!("prvdr_spclty"), specialty, None))
            }),
        });
    }
    team
}

fn item(version: ApiVersion, line: &ClaimLine, care_team: u32, diagnosis: u32) -> Item<'_> {
    let v2 = version == ApiVersion::V2;
    let hcpcs: Vec<Coding<'_>> = line
        .hcpcs_cd
        .as_deref()
        .map(|code| Coding::new(HCPCS, code, None))
        .into_iter()
        .collect();
    let ndc: Vec<Extension<'_>> = line
        .ndc_cd
        .as_deref()
        .map(|ndc| Extension::Coding {
            url: "http://hl7.org/fhir/sid/ndc",
            coding: Coding::new("http://hl7.org/fhir/sid/ndc", ndc, None),
        })
        .into_iter()
        .collect();
    let location = line.place_of_service_cd.as_deref().map(|pos| {
        let mut coding = vec![Coding::new(
            "https://bluebutton.cms.gov/resources/variables/line_place_of_srvc_cd",
            pos,
            None,
        )];
        if v2 {
            coding.push(Coding::new(
                "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
                pos,
                None,
            ));
        }
        CodeableConcept { coding, text: None }
    });
    Item {
        sequence: line.line_num,
        care_team_link_id: (!v2).then_some([care_team]),
        care_team_sequence: v2.then_some([care_team]),
        diagnosis_link_id: (!v2).then_some([diagnosis]),
        diagnosis_sequence: v2.then_some([diagnosis]),
        revenue: None,
        service: (!v2).then(|| CodeableConcept {
            coding: hcpcs.clone(),
            text: None,
        }),
        product_or_service: v2.then_some(ProductOrService {
            extension: ndc,
            coding: hcpcs,
        }),
        modifier: modifiers(line),
        serviced_date: None,
        serviced_period: line_period(line),
        location_codeable_concept: location,
        location_address: None,
        quantity: Quantity {
            extension: Vec::new(),
            value: line.units,
        },
        adjudication: line_adjudications(version, line),
        detail: None,
    }
}

/// One line adjudication: the Blue Button variable (its URL) and, in R4, its CARIN
/// category.
struct AdjudicationKind {
    variable: &'static str,
    display: &'static str,
    carin: (&'static str, &'static str, &'static str),
}

const LINE_ADJUDICATIONS: [AdjudicationKind; 8] = [
    AdjudicationKind {
        variable: bb_var!("line_nch_pmt_amt"),
        display: "Line NCH Medicare Payment Amount",
        carin: (HL7_ADJUDICATION, "benefit", "Benefit Amount"),
    },
    AdjudicationKind {
        variable: bb_var!("line_bene_pmt_amt"),
        display: "Line Payment Amount to Beneficiary",
        carin: (C4BB_ADJUDICATION, "paidtopatient", "Paid to patient"),
    },
    AdjudicationKind {
        variable: bb_var!("line_prvdr_pmt_amt"),
        display: "Line Provider Payment Amount",
        carin: (C4BB_ADJUDICATION, "paidtoprovider", "Paid to provider"),
    },
    AdjudicationKind {
        variable: bb_var!("line_bene_ptb_ddctbl_amt"),
        display: "Line Beneficiary Part B Deductible Amount",
        carin: (HL7_ADJUDICATION, "deductible", "Deductible"),
    },
    AdjudicationKind {
        variable: bb_var!("line_bene_prmry_pyr_pd_amt"),
        display: "Line Primary Payer (if not Medicare) Paid Amount",
        carin: (C4BB_ADJUDICATION, "priorpayerpaid", "Prior payer paid"),
    },
    AdjudicationKind {
        variable: bb_var!("line_coinsrnc_amt"),
        display: "Line Beneficiary Coinsurance Amount",
        carin: (C4BB_ADJUDICATION, "coinsurance", "Co-insurance"),
    },
    AdjudicationKind {
        variable: bb_var!("line_sbmtd_chrg_amt"),
        display: "Line Submitted Charge Amount",
        carin: (HL7_ADJUDICATION, "submitted", "Submitted Amount"),
    },
    AdjudicationKind {
        variable: bb_var!("line_alowd_chrg_amt"),
        display: "Line Allowed Charge Amount",
        carin: (HL7_ADJUDICATION, "eligible", "Eligible Amount"),
    },
];

fn line_adjudications(version: ApiVersion, line: &ClaimLine) -> Vec<Adjudication<'static>> {
    let amounts = [
        line.paid_cents,
        0,
        line.paid_cents,
        line.deductible_cents,
        line.primary_payer_cents,
        line.coinsurance_cents,
        line.submitted_cents,
        line.allowed_cents,
    ];
    LINE_ADJUDICATIONS
        .iter()
        .zip(amounts)
        .map(|(kind, cents)| adjudication(version, kind.variable, kind.display, kind.carin, cents))
        .collect()
}

/// The claim-level amounts R4 files as benefit balances, in BFD's order (STU3 has them
/// as extensions).
fn amounts(version: ApiVersion, claim: &Claim) -> Vec<Financial<'static>> {
    [
        (
            bb_var!("carr_clm_cash_ddctbl_apld_amt"),
            "Carrier Claim Cash Deductible Applied Amount (sum of all line-level deductible amounts)",
            claim.deductible_cents,
        ),
        (
            bb_var!("nch_clm_prvdr_pmt_amt"),
            "NCH Claim Provider Payment Amount",
            claim.provider_paid_cents,
        ),
        (
            bb_var!("nch_clm_bene_pmt_amt"),
            "NCH Claim Payment Amount to Beneficiary",
            claim.bene_paid_cents,
        ),
        (
            bb_var!("nch_carr_clm_sbmtd_chrg_amt"),
            "NCH Carrier Claim Submitted Charge Amount (sum of all line-level submitted charges)",
            claim.total_charge_cents,
        ),
        (
            bb_var!("nch_carr_clm_alowd_amt"),
            "NCH Carrier Claim Allowed Charge Amount (sum of all line-level allowed charges)",
            claim.allowed_cents,
        ),
    ]
    .into_iter()
    .map(|(variable, display, cents)| Financial::money(version, variable, display, cents))
    .collect()
}
