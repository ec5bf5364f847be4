//! Institutional claims (inpatient, SNF, outpatient, home health, hospice): a facility's
//! bill with its type of bill, attending and operating clinicians, admission and
//! discharge, DRG, procedures and revenue-center lines.

use std::borrow::Cow;

use super::{
    Adjudication, BB_INFORMATION, BenefitBalance, C4BB_ADJUDICATION, C4BB_CARE_TEAM_ROLE, CareTeam,
    ExplanationOfBenefit, Facility, Financial, HCPCS, HL7_ADJUDICATION, Item, Procedure,
    ProductOrService, ProviderReference, Quantity, StateAddress, US_NPI, adjudication, bb_var,
    diagnoses, line_period, modifiers, npi_provider,
};
use crate::ApiVersion;
use crate::claims::{Claim, ClaimLine, ClaimType};
use crate::fhir::codebook::CODEBOOK;
use crate::fhir::datatypes::{
    CodeableConcept, Coding, Extension, FhirDate, Identifier, Money, Period, char_code,
};
use crate::geography::usps_state;

const C4BB_SUPPORTING_INFO: &str =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType";

/// What differs between the institutional kinds.
struct Kind {
    eob_type: &'static str,
    profile: &'static str,
    sub_type: &'static str,
    coverage_part: &'static str,
}

fn kind(claim_type: ClaimType) -> Kind {
    const INPATIENT: &str = "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Inpatient-Institutional";
    const OUTPATIENT: &str = "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Outpatient-Institutional";
    let (eob_type, profile, sub_type, coverage_part) = match claim_type {
        ClaimType::Inpatient => ("INPATIENT", INPATIENT, "inpatient", "part-a"),
        ClaimType::Snf => ("SNF", INPATIENT, "inpatient", "part-a"),
        ClaimType::Hospice => ("HOSPICE", OUTPATIENT, "outpatient", "part-a"),
        ClaimType::Hha => ("HHA", OUTPATIENT, "outpatient", "part-a"),
        _ => ("OUTPATIENT", OUTPATIENT, "outpatient", "part-b"),
    };
    Kind {
        eob_type,
        profile,
        sub_type,
        coverage_part,
    }
}

pub(super) fn build(version: ApiVersion, claim: &Claim, bene_id: i64) -> ExplanationOfBenefit<'_> {
    let v2 = version == ApiVersion::V2;
    let kind = kind(claim.claim_type);
    let mut eob = ExplanationOfBenefit::skeleton(
        version,
        claim,
        bene_id,
        kind.profile,
        (kind.eob_type, "institutional", "Institutional"),
        kind.coverage_part,
    );
    if v2 {
        eob.sub_type = Some(CodeableConcept {
            coding: vec![Coding::new(
                "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBInstitutionalClaimSubType",
                kind.sub_type,
                None,
            )],
            text: Some(if kind.sub_type == "inpatient" {
                "Inpatient"
            } else {
                "Outpatient"
            }),
        });
    }
    eob.extension = extensions(version, claim);
    eob.provider = claim.provider_ccn.as_deref().map(|ccn| ProviderReference {
        kind: None,
        identifier: Identifier {
            kind: None,
            system: bb_var!("prvdr_num"),
            value: Cow::Borrowed(ccn),
        },
    });
    let billing = claim.billing_npi.as_deref().map(|npi| Identifier {
        kind: None,
        system: US_NPI,
        value: Cow::Borrowed(npi),
    });
    if !v2 {
        eob.organization = billing.clone().map(|identifier| ProviderReference {
            kind: None,
            identifier,
        });
    }
    eob.facility = claim.fac_type_cd.map(|fac| Facility {
        extension: [Extension::variable(
            "clm_fac_type_cd",
            char_code(fac),
            facility_display(fac),
        )],
        identifier: billing,
    });
    eob.care_team = care_team(version, claim);
    // The received date leads STU3's information and ends R4's, as in BFD.
    let received = claim.weekly_processing_date;
    if let (ApiVersion::V1, Some(date)) = (version, received) {
        eob.add_received_date(version, date);
    }
    add_information(&mut eob, version, claim);
    if let (ApiVersion::V2, Some(date)) = (version, received) {
        eob.add_received_date(version, date);
    }
    let drg = claim.drg_cd.as_deref();
    eob.diagnosis = diagnoses(version, &claim.diagnosis_codes, drg);
    eob.procedure = claim
        .procedures
        .iter()
        .enumerate()
        .map(|(i, (code, date))| {
            let display = CODEBOOK.icd10pcs.display(code);
            let mut coding = vec![Coding::new("http://hl7.org/fhir/sid/icd-10", code, display)];
            if v2 {
                coding.insert(
                    0,
                    Coding::new("http://www.cms.gov/Medicare/Coding/ICD10", code, display),
                );
            }
            Procedure {
                sequence: i as u32 + 1,
                date: FhirDate(*date),
                procedure_codeable_concept: CodeableConcept { coding, text: None },
            }
        })
        .collect();
    if !v2 && let (Some(admit), Some(discharge)) = (claim.admission_date, claim.discharge_date) {
        eob.hospitalization = Some(Period {
            start: Some(FhirDate(admit)),
            end: Some(FhirDate(discharge)),
        });
    }
    let state = claim.provider_state_cd.as_deref().and_then(usps_state);
    eob.item = claim
        .lines
        .iter()
        .map(|line| item(version, line, state))
        .collect();
    match version {
        ApiVersion::V1 => {
            eob.total_cost = Some(Money {
                cents: claim.total_charge_cents,
                version,
            });
            if let Some(days) = claim.utilization_days {
                eob.benefit_balance =
                    vec![BenefitBalance::medical(version, vec![utilization(days)])];
            }
        }
        ApiVersion::V2 => {
            eob.total = vec![adjudication(
                version,
                bb_var!("clm_tot_chrg_amt"),
                "Claim Total Charge Amount",
                (HL7_ADJUDICATION, "submitted", "Submitted Amount"),
                claim.total_charge_cents,
            )];
            eob.benefit_balance = vec![BenefitBalance::medical(version, balances(claim))];
        }
    }
    eob
}

fn extensions(version: ApiVersion, claim: &Claim) -> Vec<Extension<'_>> {
    let mut extension = vec![
        Extension::VariableIdentifier {
            name: "fi_num",
            value: &claim.contractor_num,
        },
        Extension::VariableIdentifier {
            name: "fi_doc_clm_cntl_num",
            value: &claim.control_num,
        },
    ];
    if let Some(payer) = claim.primary_payer_cd {
        extension.push(Extension::variable(
            "nch_prmry_pyr_cd",
            char_code(payer),
            None,
        ));
    }
    if let Some(service) = claim.srvc_clsfctn_cd {
        extension.push(Extension::variable(
            "clm_srvc_clsfctn_type_cd",
            char_code(service),
            None,
        ));
    }
    if version == ApiVersion::V1 {
        extension.push(Extension::VariableMoney {
            name: "prpayamt",
            money: Money {
                cents: claim.primary_payer_cents,
                version,
            },
        });
        if matches!(claim.claim_type, ClaimType::Inpatient | ClaimType::Snf) {
            extension.push(Extension::VariableMoney {
                name: "nch_bene_ip_ddctbl_amt",
                money: Money {
                    cents: claim.deductible_cents,
                    version,
                },
            });
            extension.push(Extension::VariableMoney {
                name: "nch_bene_pta_coinsrnc_lblty_amt",
                money: Money {
                    cents: claim.coinsurance_cents,
                    version,
                },
            });
        }
    }
    extension
}

/// Attending, then operating clinician.
fn care_team(version: ApiVersion, claim: &Claim) -> Vec<CareTeam<'_>> {
    let roles = [
        (
            claim.attending_npi.as_deref(),
            ("primary", "Primary provider"),
            ("attending", "Attending"),
        ),
        (
            claim.operating_npi.as_deref(),
            ("assist", "Assisting Provider"),
            ("operating", "Operating"),
        ),
    ];
    roles
        .into_iter()
        .filter_map(|(npi, v1_role, v2_role)| Some((npi?, v1_role, v2_role)))
        .enumerate()
        .map(|(i, (npi, v1_role, v2_role))| {
            let role = match version {
                ApiVersion::V1 => Coding::new(
                    "http://hl7.org/fhir/claimcareteamrole",
                    v1_role.0,
                    Some(v1_role.1),
                ),
                ApiVersion::V2 => Coding::new(C4BB_CARE_TEAM_ROLE, v2_role.0, Some(v2_role.1)),
            };
            CareTeam {
                extension: Vec::new(),
                sequence: i as u32 + 1,
                provider: npi_provider(version, npi),
                responsible: (i == 0).then_some(true),
                role: CodeableConcept::of(role),
                qualification: None,
            }
        })
        .collect()
}

/// Type of bill, admission period, admission type and source, discharge status.
fn add_information<'a>(eob: &mut ExplanationOfBenefit<'a>, version: ApiVersion, claim: &'a Claim) {
    let v2 = version == ApiVersion::V2;
    // A category coding: R4 puts the CARIN category first.
    let category = |carin: Option<(&'static str, &'static str, &'static str)>,
                    variable: &'static str,
                    display: &'static str| {
        let mut coding = vec![Coding::new(BB_INFORMATION, variable, Some(display))];
        if v2 && let Some((system, code, display)) = carin {
            coding.insert(0, Coding::new(system, code, Some(display)));
        }
        CodeableConcept { coding, text: None }
    };
    if let (Some(fac), Some(service), Some(freq)) =
        (claim.fac_type_cd, claim.srvc_clsfctn_cd, claim.freq_cd)
        && let Some(bill_type) = bill_type(fac, service, freq)
    {
        eob.add_info(
            version,
            category(
                Some((C4BB_SUPPORTING_INFO, "typeofbill", "Type of Bill")),
                bb_var!("clm_freq_cd"),
                "Claim Frequency Code",
            ),
            Some(CodeableConcept::of(Coding::new(
                if v2 {
                    "https://www.nubc.org/CodeSystem/TypeOfBill"
                } else {
                    bb_var!("clm_freq_cd")
                },
                if v2 { bill_type } else { char_code(freq) },
                None,
            ))),
            None,
        );
    }
    if v2 && let Some(admit) = claim.admission_date {
        eob.add_info(
            version,
            category(
                Some((C4BB_SUPPORTING_INFO, "admissionperiod", "Admission Period")),
                bb_var!("clm_admsn_dt"),
                "Claim Admission Date",
            ),
            None,
            Some(Period {
                start: Some(FhirDate(admit)),
                end: claim.discharge_date.map(FhirDate),
            }),
        );
    }
    if let Some(admission_type) = claim.admission_type_cd {
        eob.add_info(
            version,
            category(
                Some((C4BB_SUPPORTING_INFO, "admtype", "Admission Type")),
                bb_var!("clm_ip_admsn_type_cd"),
                "Claim Inpatient Admission Type Code",
            ),
            Some(CodeableConcept::of(Coding::new(
                if v2 {
                    "https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit"
                } else {
                    bb_var!("clm_ip_admsn_type_cd")
                },
                char_code(admission_type),
                None,
            ))),
            None,
        );
    }
    if let Some(source) = claim.admission_source_cd {
        eob.add_info(
            version,
            category(
                Some((C4BB_SUPPORTING_INFO, "pointoforigin", "Point Of Origin")),
                bb_var!("clm_src_ip_admsn_cd"),
                "Claim Source Inpatient Admission Code",
            ),
            Some(CodeableConcept::of(Coding::new(
                if v2 {
                    "https://www.nubc.org/CodeSystem/PointOfOriginForAdmissionOrVisit"
                } else {
                    bb_var!("clm_src_ip_admsn_cd")
                },
                char_code(source),
                None,
            ))),
            None,
        );
    }
    if let Some(status) = claim.discharge_status_cd.as_deref() {
        eob.add_info(
            version,
            category(
                Some((C4BB_SUPPORTING_INFO, "discharge-status", "Discharge Status")),
                bb_var!("ptnt_dschrg_stus_cd"),
                "Patient Discharge Status Code",
            ),
            Some(CodeableConcept::of(Coding::new(
                if v2 {
                    "https://www.nubc.org/CodeSystem/PatDischargeStatus"
                } else {
                    bb_var!("ptnt_dschrg_stus_cd")
                },
                status,
                None,
            ))),
            None,
        );
    }
    if v2 && let Some(drg) = claim.drg_cd.as_deref() {
        eob.add_info(
            version,
            category(Some((C4BB_SUPPORTING_INFO, "drg", "DRG")), bb_var!("clm_drg_cd"), "Claim Diagnosis Related Group Code"),
            Some(CodeableConcept::of(Coding::new(
                "https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/AcuteInpatientPPS/MS-DRG-Classifications-and-Software",
                drg,
                None,
            ))),
            None,
        );
    }
}

fn item<'a>(version: ApiVersion, line: &'a ClaimLine, state: Option<&'static str>) -> Item<'a> {
    let v2 = version == ApiVersion::V2;
    let revenue = line.revenue_center_cd.as_deref().map(|rc| {
        let mut coding = vec![Coding::new(bb_var!("rev_cntr"), rc, None)];
        if v2 {
            coding.push(Coding::new(
                "https://www.nubc.org/CodeSystem/RevenueCodes",
                rc,
                None,
            ));
        }
        CodeableConcept { coding, text: None }
    });
    let hcpcs: Vec<Coding<'a>> = match line.hcpcs_cd.as_deref() {
        Some(code) => vec![Coding::new(HCPCS, code, None)],
        // R4 requires a product or service: say there is none.
        None if v2 => vec![Coding::new(
            "http://terminology.hl7.org/CodeSystem/data-absent-reason",
            "not-applicable",
            Some("Not Applicable"),
        )],
        None => Vec::new(),
    };
    Item {
        extension: Vec::new(),
        sequence: line.line_num,
        care_team_link_id: (!v2).then_some([1]),
        care_team_sequence: v2.then_some([1]),
        diagnosis_link_id: None,
        diagnosis_sequence: None,
        information_sequence: None,
        category: None,
        revenue,
        service: (!v2 && !hcpcs.is_empty()).then(|| CodeableConcept {
            coding: hcpcs.clone(),
            text: None,
        }),
        product_or_service: v2.then_some(ProductOrService {
            extension: Vec::new(),
            coding: hcpcs,
        }),
        modifier: modifiers(line, None),
        serviced_date: None,
        serviced_period: line_period(line),
        location_codeable_concept: None,
        location_address: state.map(|state| StateAddress { state }),
        quantity: Quantity {
            extension: Vec::new(),
            value: line.units,
        },
        adjudication: line_adjudications(version, line),
        detail: None,
    }
}

fn line_adjudications(version: ApiVersion, line: &ClaimLine) -> Vec<Adjudication<'static>> {
    vec![
        adjudication(
            version,
            bb_var!("rev_cntr_tot_chrg_amt"),
            "Revenue Center Total Charge Amount",
            (HL7_ADJUDICATION, "submitted", "Submitted Amount"),
            line.submitted_cents,
        ),
        adjudication(
            version,
            bb_var!("rev_cntr_ncvrd_chrg_amt"),
            "Revenue Center Non-Covered Charge Amount",
            (C4BB_ADJUDICATION, "noncovered", "Noncovered"),
            0,
        ),
        adjudication(
            version,
            bb_var!("rev_cntr_pmt_amt_amt"),
            "Revenue Center (Medicare) Payment Amount",
            (HL7_ADJUDICATION, "benefit", "Benefit Amount"),
            line.paid_cents,
        ),
        adjudication(
            version,
            bb_var!("rev_cntr_cash_ddctbl_amt"),
            "Revenue Center Cash Deductible Amount",
            (HL7_ADJUDICATION, "deductible", "Deductible"),
            line.deductible_cents,
        ),
        adjudication(
            version,
            bb_var!("rev_cntr_coinsrnc_wge_adjstd_c"),
            "Revenue Center Coinsurance/Wage Adjusted Coinsurance Amount",
            (C4BB_ADJUDICATION, "coinsurance", "Co-insurance"),
            line.coinsurance_cents,
        ),
    ]
}

/// The claim-level amounts and counts R4 files as benefit balances, in BFD's order for
/// the kind (STU3 has the utilization days alone).
fn balances(claim: &Claim) -> Vec<Financial<'static>> {
    let v = ApiVersion::V2;
    let money = |variable, display, cents| Financial::money(v, variable, display, cents);
    let prior_payer = money(
        bb_var!("prpayamt"),
        "NCH Primary Payer (if not Medicare) Claim Paid Amount",
        claim.primary_payer_cents,
    );
    let part_a = || {
        [
            money(
                bb_var!("nch_bene_ip_ddctbl_amt"),
                "NCH Beneficiary Inpatient (or other Part A) Deductible Amount",
                claim.deductible_cents,
            ),
            money(
                bb_var!("nch_bene_pta_coinsrnc_lblty_amt"),
                "NCH Beneficiary Part A Coinsurance Liability Amount",
                claim.coinsurance_cents,
            ),
            // By definition the sum of the two.
            money(
                bb_var!("nch_ip_tot_ddctn_amt"),
                "NCH Inpatient (or other Part A) Total Deductible/Coinsurance Amount",
                claim.deductible_cents + claim.coinsurance_cents,
            ),
        ]
    };
    let days = claim.utilization_days.map(utilization);
    let mut balances = Vec::with_capacity(6);
    match claim.claim_type {
        ClaimType::Outpatient => balances.extend([
            money(
                bb_var!("nch_bene_ptb_ddctbl_amt"),
                "NCH Beneficiary Part B Deductible Amount",
                claim.deductible_cents,
            ),
            money(
                bb_var!("nch_bene_ptb_coinsrnc_amt"),
                "NCH Beneficiary Part B Coinsurance Amount",
                claim.coinsurance_cents,
            ),
            money(
                bb_var!("clm_op_prvdr_pmt_amt"),
                "Claim Outpatient Provider Payment Amount",
                claim.provider_paid_cents,
            ),
            money(
                bb_var!("clm_op_bene_pmt_amt"),
                "Claim Outpatient Payment Amount to Beneficiary",
                claim.bene_paid_cents,
            ),
            prior_payer,
        ]),
        ClaimType::Inpatient => {
            balances.extend(part_a());
            balances.push(prior_payer);
            balances.extend(days);
        }
        ClaimType::Snf => {
            balances.extend(days);
            balances.extend(part_a());
            balances.push(prior_payer);
        }
        _ => {
            balances.extend(days);
            balances.push(prior_payer);
        }
    }
    balances
}

/// Utilization days as a benefit-balance count.
fn utilization(days: i16) -> Financial<'static> {
    Financial::count(
        bb_var!("clm_utlztn_day_cnt"),
        "Claim Medicare Utilization Day Count",
        days.max(0) as u32,
    )
}

/// The type of bill (`111`): facility type, service classification, frequency; the
/// bill types Medicare fee-for-service claims use.
fn bill_type(fac: char, service: char, freq: char) -> Option<&'static str> {
    const BILL_TYPES: [&str; 16] = [
        "111", "112", "113", "114", "117", "131", "137", "211", "212", "213", "214", "321", "329",
        "811", "812", "813",
    ];
    let code = [fac, service, freq].map(|c| c as u8);
    BILL_TYPES
        .iter()
        .copied()
        .find(|t| t.as_bytes() == code)
        .or(match code {
            [b'8', b'1', b'4'] => Some("814"),
            _ => None,
        })
}

/// CLM_FAC_TYPE_CD display texts.
fn facility_display(fac: char) -> Option<&'static str> {
    Some(match fac {
        '1' => "Hospital",
        '2' => "Skilled nursing facility (SNF)",
        '3' => "Home health agency (HHA)",
        '8' => "Special facility or Ambulatory Surgical Center (ASC) surgery",
        _ => return None,
    })
}
