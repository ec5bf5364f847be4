//! Institutional claims (inpatient, SNF, outpatient, home health, hospice): a facility's
//! bill with its type of bill, attending and operating clinicians, admission and
//! discharge, DRG, procedures and revenue-center lines.

use std::borrow::Cow;

use super::{
    Adjudication, BB_INFORMATION, BenefitBalance, C4BB_ADJUDICATION, C4BB_CARE_TEAM_ROLE,
    C4BB_IDENTIFIER_TYPE, CareTeam, Contained, Count, ExplanationOfBenefit, Facility, Financial,
    HCPCS, HL7_ADJUDICATION, Hospitalization, Item, NDC, Organization, Procedure, ProductOrService,
    ProfileMeta, Provider, ProviderReference, Quantity, Reference, Revenue, StateAddress,
    SupportingInfo, UCUM, US_NPI, adjudication, bb_var, diagnoses, external_causes, modifiers,
    npi_provider, nucc_taxonomy, reason,
};
use crate::ApiVersion;
use crate::claims::{Claim, ClaimLine, ClaimType, DrgPayment, StayDetails};
use crate::fhir::codebook::CODEBOOK;
use crate::fhir::datatypes::{
    CodeableConcept, Coding, Extension, FhirDate, Identifier, Money, Period, char_code,
};
use crate::geography::usps_state;

const C4BB_SUPPORTING_INFO: &str =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType";
const INFORMATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/claiminformationcategory";

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
    let v2 = version.is_r4();
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
    // Every synthetic claim is a final bill. BFD's STU3 home health and hospice claims
    // leave the query code out.
    if v2 || !matches!(claim.claim_type, ClaimType::Hha | ClaimType::Hospice) {
        eob.billable_period.extension = vec![Extension::variable(
            "claim_query_cd",
            "3",
            Some("Final bill"),
        )];
    }
    if !v2 {
        // STU3 names the record and the service classification among the claim's types,
        // as BFD does; R4 has them as extensions.
        eob.kind.coding.push(Coding::new(
            bb_var!("nch_near_line_rec_ident_cd"),
            "V",
            Some(PART_A_RECORD),
        ));
        if let Some(service) = claim.srvc_clsfctn_cd {
            eob.kind.coding.push(Coding::new(
                bb_var!("clm_srvc_clsfctn_type_cd"),
                char_code(service),
                None,
            ));
        }
    }
    let billing = claim.billing_npi.as_deref().map(|npi| Identifier {
        kind: None,
        system: US_NPI,
        value: Cow::Borrowed(npi),
    });
    if v2 {
        // The facility is a contained Organization, named by its provider number and
        // NPI, as BFD gives it.
        if let Some(organization) = provider_organization(claim) {
            eob.contained.push(Contained::Organization(organization));
            eob.provider = Some(Provider::Contained(Reference {
                reference: format!("#{PROVIDER_ORGANIZATION}"),
            }));
        }
    } else {
        eob.provider = claim.provider_ccn.as_deref().map(|ccn| {
            Provider::Identified(ProviderReference {
                kind: None,
                identifier: Identifier {
                    kind: None,
                    system: bb_var!("prvdr_num"),
                    value: Cow::Borrowed(ccn),
                },
            })
        });
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
        identifier: if v2 { None } else { billing },
    });
    eob.care_team = care_team(version, claim);
    // The received date leads STU3's information and ends R4's, as in BFD.
    let received = claim.weekly_processing_date;
    if let (ApiVersion::V1, Some(date)) = (version, received) {
        eob.add_received_date(version, date);
    }
    add_information(&mut eob, version, claim);
    if let (true, Some(date)) = (version.is_r4(), received) {
        eob.add_received_date(version, date);
    }
    let drg = claim.drg_cd.as_deref();
    eob.diagnosis = diagnoses(version, &claim.diagnosis_codes, &claim.poa_indicators, drg);
    let after = eob.diagnosis.len() as u32;
    eob.diagnosis
        .extend(external_causes(version, &claim.external_causes, after));
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
    if !v2 && let Some(admit) = claim.admission_date {
        eob.hospitalization = Some(Hospitalization {
            extension: hospice_period(claim).into_iter().collect(),
            start: Some(FhirDate(admit)),
            end: claim.discharge_date.map(FhirDate),
        });
    }
    let state = claim.provider_state_cd.as_deref().and_then(usps_state);
    eob.item = claim
        .lines
        .iter()
        .map(|line| item(version, claim.claim_type, line, state))
        .collect();
    match version {
        ApiVersion::V1 => {
            eob.total_cost = Some(Money {
                cents: claim.total_charge_cents,
                version,
            });
            let balances = v1_balances(claim);
            if !balances.is_empty() {
                eob.benefit_balance = vec![BenefitBalance::medical(version, balances)];
            }
        }
        ApiVersion::V2 | ApiVersion::V3 => {
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

/// The id of the contained facility of an R4 institutional claim, as BFD names it.
const PROVIDER_ORGANIZATION: &str = "provider-org";

/// The facility of an R4 institutional claim: its CMS certification number as the
/// provider number (PRN) and its NPI.
fn provider_organization(claim: &Claim) -> Option<Organization<'_>> {
    let mut identifier = Vec::with_capacity(2);
    if let Some(ccn) = claim.provider_ccn.as_deref() {
        identifier.push(Identifier {
            kind: Some(CodeableConcept::of(Coding::new(
                "http://terminology.hl7.org/CodeSystem/v2-0203",
                "PRN",
                None,
            ))),
            system: bb_var!("prvdr_num"),
            value: Cow::Borrowed(ccn),
        });
    }
    if let Some(npi) = claim.billing_npi.as_deref() {
        identifier.push(Identifier {
            kind: Some(CodeableConcept::of(Coding::new(
                C4BB_IDENTIFIER_TYPE,
                "npi",
                None,
            ))),
            system: US_NPI,
            value: Cow::Borrowed(npi),
        });
    }
    (!identifier.is_empty()).then_some(Organization {
        resource_type: "Organization",
        id: PROVIDER_ORGANIZATION,
        meta: ProfileMeta {
            profile: ["http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Organization"],
        },
        identifier,
        active: true,
    })
}

/// NCH_NEAR_LINE_REC_IDENT_CD `V`, as BFD words it.
const PART_A_RECORD: &str = "Part A institutional claim record (inpatient [IP], skilled nursing facility [SNF], hospice [HOS], or home health agency [HHA])";

/// Claim-level variables in BFD's order: R4 opens with the record kind and the action
/// and ends with the contractor; STU3 opens with the amounts (R4 has most of them as
/// benefit balances) and gives the record kind and service classification among the
/// types. Both give the primary payer as supporting information.
fn extensions(version: ApiVersion, claim: &Claim) -> Vec<Extension<'_>> {
    let stay = stay(claim);
    let drg = stay.and_then(|s| s.drg_payment.as_ref());
    let facility = claim.facility.as_ref();
    let control = Extension::VariableIdentifier {
        name: "fi_doc_clm_cntl_num",
        value: &claim.control_num,
    };
    let money = |name, cents| Extension::VariableMoney {
        name,
        money: Money { cents, version },
    };
    let mut extension = Vec::with_capacity(24);
    match version {
        ApiVersion::V2 | ApiVersion::V3 => {
            extension.push(Extension::variable(
                "nch_near_line_rec_ident_cd",
                "V",
                Some(PART_A_RECORD),
            ));
            if stay.is_some() {
                // A final-action claim, a replacement too, is a debit: the credit that
                // took back the claim it replaced is not final action.
                extension.push(Extension::variable(
                    "fi_clm_actn_cd",
                    "1",
                    Some("Original debit action (always a 1 for all regular bills)"),
                ));
            }
            if let Some(drg) = drg {
                extension.push(money("ime_op_clm_val_amt", drg.operating_ime_cents));
                extension.push(money(
                    "clm_uncompd_care_pmt_amt",
                    drg.uncompensated_care_cents,
                ));
                extension.push(money("dsh_op_clm_val_amt", drg.operating_dsh_cents));
            }
            extension.push(control);
            // The day the contractor processed it: the claim's last update.
            extension.push(Extension::Date {
                url: bb_var!("fi_clm_proc_dt"),
                date: FhirDate(claim.last_updated.date()),
            });
            extension.extend(non_payment_reason(claim));
            if let Some(service) = claim.srvc_clsfctn_cd {
                extension.push(Extension::variable(
                    "clm_srvc_clsfctn_type_cd",
                    char_code(service),
                    None,
                ));
            }
            extension.push(Extension::variable("fi_num", &claim.contractor_num, None));
            extension.extend(hospice_period(claim));
        }
        ApiVersion::V1 => {
            let professional = facility.map_or(0, |f| f.professional_component_cents);
            if let Some(drg) = drg {
                extension.extend([
                    money("ime_op_clm_val_amt", drg.operating_ime_cents),
                    money("dsh_op_clm_val_amt", drg.operating_dsh_cents),
                    money("clm_pass_thru_per_diem_amt", drg.pass_thru_per_diem_cents),
                    money("nch_profnl_cmpnt_chrg_amt", professional),
                    money("clm_tot_pps_cptl_amt", drg.capital_total_cents()),
                    money("clm_uncompd_care_pmt_amt", drg.uncompensated_care_cents),
                ]);
            }
            if let Some(stay) = stay {
                extension.extend([
                    money("nch_bene_ip_ddctbl_amt", claim.deductible_cents),
                    money("nch_bene_pta_coinsrnc_lblty_amt", claim.coinsurance_cents),
                    money("nch_ip_ncvrd_chrg_amt", stay.noncovered_charge_cents),
                    money(
                        "nch_ip_tot_ddctn_amt",
                        claim.deductible_cents + claim.coinsurance_cents,
                    ),
                ]);
            }
            if let Some(drg) = drg {
                extension.extend([
                    money("clm_pps_cptl_dsprprtnt_shr_amt", drg.capital_dsh_cents),
                    money("clm_pps_cptl_excptn_amt", drg.capital_exception_cents),
                    money("clm_pps_cptl_fsp_amt", drg.capital_fsp_cents),
                    money("clm_pps_cptl_ime_amt", drg.capital_ime_cents),
                    money("clm_pps_cptl_outlier_amt", drg.capital_outlier_cents),
                    money(
                        "clm_pps_old_cptl_hld_hrmls_amt",
                        drg.capital_hold_harmless_cents,
                    ),
                    money("nch_drg_outlier_aprvd_pmt_amt", drg.outlier_cents),
                ]);
            }
            if claim.claim_type == ClaimType::Outpatient {
                extension.extend([
                    money("nch_profnl_cmpnt_chrg_amt", professional),
                    money("nch_bene_ptb_ddctbl_amt", claim.deductible_cents),
                    money("nch_bene_ptb_coinsrnc_amt", claim.coinsurance_cents),
                    money("clm_op_prvdr_pmt_amt", claim.provider_paid_cents),
                    money("clm_op_bene_pmt_amt", claim.bene_paid_cents),
                ]);
            }
            if let Some(facility) = facility
                && (stay.is_some() || claim.claim_type == ClaimType::Outpatient)
            {
                extension.push(money(
                    "nch_bene_blood_ddctbl_lblty_am",
                    facility.blood_deductible_cents,
                ));
            }
            extension.extend(non_payment_reason(claim));
            extension.push(money("prpayamt", claim.primary_payer_cents));
            extension.push(Extension::VariableIdentifier {
                name: "fi_num",
                value: &claim.contractor_num,
            });
            extension.push(control);
            if let Some(original) = &claim.original_control_num {
                extension.push(Extension::VariableIdentifier {
                    name: "fi_orig_clm_cntl_num",
                    value: original,
                });
            }
        }
    }
    extension
}

/// CLM_MDCR_NON_PMT_RSN_CD of a claim Medicare paid nothing on.
fn non_payment_reason(claim: &Claim) -> Option<Extension<'_>> {
    let code = claim.non_payment_reason_cd.as_deref()?;
    Some(Extension::variable(
        "clm_mdcr_non_pmt_rsn_cd",
        code,
        CODEBOOK.non_payment_reason.display(code),
    ))
}

/// A stay's details, on an inpatient or SNF claim that has them.
fn stay(claim: &Claim) -> Option<&StayDetails> {
    claim.facility.as_ref()?.stay.as_ref()
}

/// BENE_HOSPC_PRD_CNT of a hospice claim: an extension of the claim in R4, of its
/// hospitalization in STU3, as BFD has it.
fn hospice_period(claim: &Claim) -> Option<Extension<'static>> {
    let count = claim.facility.as_ref()?.hospice_period_count?;
    Some(Extension::Quantity {
        url: bb_var!("bene_hospc_prd_cnt"),
        value: i64::from(count),
    })
}

/// Attending, then operating clinician; in R4 the attending's NUCC taxonomy as their
/// qualification, as BFD gives it.
fn care_team(version: ApiVersion, claim: &Claim) -> Vec<CareTeam<'_>> {
    let roles = [
        (
            claim.attending_npi.as_deref(),
            claim.attending_specialty_cd.as_deref(),
            ("primary", "Primary provider"),
            ("attending", "Attending"),
        ),
        (
            claim.operating_npi.as_deref(),
            None,
            ("assist", "Assisting Provider"),
            ("operating", "Operating"),
        ),
    ];
    roles
        .into_iter()
        .filter_map(|(npi, specialty, v1_role, v2_role)| Some((npi?, specialty, v1_role, v2_role)))
        .enumerate()
        .map(|(i, (npi, specialty, v1_role, v2_role))| {
            let role = match version {
                ApiVersion::V1 => Coding::new(
                    "http://hl7.org/fhir/claimcareteamrole",
                    v1_role.0,
                    Some(v1_role.1),
                ),
                ApiVersion::V2 | ApiVersion::V3 => {
                    Coding::new(C4BB_CARE_TEAM_ROLE, v2_role.0, Some(v2_role.1))
                }
            };
            let qualification = specialty
                .filter(|_| version.is_r4())
                .and_then(nucc_taxonomy)
                .map(CodeableConcept::of);
            CareTeam {
                extension: Vec::new(),
                sequence: i as u32 + 1,
                provider: npi_provider(version, npi),
                responsible: (i == 0).then_some(true),
                role: CodeableConcept::of(role),
                qualification,
            }
        })
        .collect()
}

/// Type of bill, admission period, admission type and source, discharge status.
fn add_information<'a>(eob: &mut ExplanationOfBenefit<'a>, version: ApiVersion, claim: &'a Claim) {
    let v2 = version.is_r4();
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
    // A fact R4 names by its CARIN category alone, as BFD does; STU3 by its variable.
    let carin_only = |carin: (&'static str, &'static str, &'static str),
                      variable: &'static str,
                      display: &'static str| {
        if v2 {
            CodeableConcept::of(Coding::new(carin.0, carin.1, Some(carin.2)))
        } else {
            category(None, variable, display)
        }
    };
    // A variable that is information only, with its code.
    let info = |variable: &'static str, display: &'static str| {
        category(
            Some((INFORMATION_CATEGORY, "info", "Information")),
            variable,
            display,
        )
    };
    // A code under its NUBC system in R4 (as CARIN binds it) beside the CCW variable's.
    let nubc = |nubc: &'static str, nubc_code: &'a str, variable: &'static str, code: &'a str| {
        let mut coding = vec![Coding::new(variable, code, None)];
        if v2 {
            coding.insert(0, Coding::new(nubc, nubc_code, None));
        }
        CodeableConcept { coding, text: None }
    };
    if let Some(status) = patient_status(claim) {
        eob.add_info(
            version,
            info(
                bb_var!("nch_ptnt_stus_ind_cd"),
                "NCH Patient Status Indicator Code",
            ),
            Some(CodeableConcept::of(Coding::new(
                bb_var!("nch_ptnt_stus_ind_cd"),
                status.0,
                Some(status.1),
            ))),
            None,
        );
    }
    if let (Some(fac), Some(service), Some(freq)) =
        (claim.fac_type_cd, claim.srvc_clsfctn_cd, claim.freq_cd)
        && let Some(bill_type) = bill_type(fac, service, freq)
    {
        eob.add_info(
            version,
            carin_only(
                (C4BB_SUPPORTING_INFO, "typeofbill", "Type of Bill"),
                bb_var!("clm_freq_cd"),
                "Claim Frequency Code",
            ),
            Some(nubc(
                "https://www.nubc.org/CodeSystem/TypeOfBill",
                bill_type,
                bb_var!("clm_freq_cd"),
                char_code(freq),
            )),
            None,
        );
    }
    if v2 && let Some(admit) = claim.admission_date {
        eob.add_info(
            version,
            carin_only(
                (C4BB_SUPPORTING_INFO, "admissionperiod", "Admission Period"),
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
            // BFD gives the NUBC code in both versions.
            Some(CodeableConcept::of(Coding::new(
                "https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit",
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
            Some(nubc(
                "https://www.nubc.org/CodeSystem/PointOfOriginForAdmissionOrVisit",
                char_code(source),
                bb_var!("clm_src_ip_admsn_cd"),
                char_code(source),
            )),
            None,
        );
    }
    if let Some(stay) = stay(claim) {
        add_stay_information(eob, version, stay, &info);
    }
    if let Some(status) = claim.discharge_status_cd.as_deref() {
        eob.add_info(
            version,
            carin_only(
                (C4BB_SUPPORTING_INFO, "discharge-status", "Discharge Status"),
                bb_var!("ptnt_dschrg_stus_cd"),
                "Patient Discharge Status Code",
            ),
            Some(nubc(
                "https://www.nubc.org/CodeSystem/PatDischargeStatus",
                status,
                bb_var!("ptnt_dschrg_stus_cd"),
                status,
            )),
            None,
        );
    }
    if v2 && let Some(drg) = claim.drg_cd.as_deref() {
        eob.add_info(
            version,
            category(Some((C4BB_SUPPORTING_INFO, "drg", "DRG")), bb_var!("clm_drg_cd"), "Claim Diagnosis Related Group Code"),
            Some(nubc(
                "https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/AcuteInpatientPPS/MS-DRG-Classifications-and-Software",
                drg,
                bb_var!("clm_drg_cd"),
                drg,
            )),
            None,
        );
    }
    if matches!(
        claim.claim_type,
        ClaimType::Inpatient | ClaimType::Outpatient | ClaimType::Snf
    ) {
        // Fee-for-service claims: no managed care organization paid any of it.
        eob.add_info(
            version,
            info(bb_var!("clm_mco_pd_sw"), "Claim MCO Paid Switch"),
            Some(CodeableConcept::of(Coding::new(
                bb_var!("clm_mco_pd_sw"),
                "0",
                Some("No managed care organization (MCO) payment"),
            ))),
            None,
        );
    }
    if let Some(payer) = claim.primary_payer_cd {
        let code = char_code(payer);
        eob.add_info(
            version,
            info(
                bb_var!("nch_prmry_pyr_cd"),
                "NCH Primary Payer Code (if not Medicare)",
            ),
            Some(CodeableConcept::of(Coding::new(
                bb_var!("nch_prmry_pyr_cd"),
                code,
                CODEBOOK.claim_primary_payer.display(code),
            ))),
            None,
        );
    }
    if matches!(claim.claim_type, ClaimType::Hha) {
        add_home_health_information(eob, version, claim, &info);
    }
}

/// A stay's verified non-covered days, exhausted benefits, qualifying hospital stay, PPS
/// indicator (SNF) and the blood furnished, as BFD gives them.
fn add_stay_information<'a>(
    eob: &mut ExplanationOfBenefit<'a>,
    version: ApiVersion,
    stay: &StayDetails,
    info: &dyn Fn(&'static str, &'static str) -> CodeableConcept<'a>,
) {
    let period = |(from, thru): (time::Date, time::Date)| Period {
        start: Some(FhirDate(from)),
        end: Some(FhirDate(thru)),
    };
    if let Some(days) = stay.noncovered_stay {
        eob.add_info(
            version,
            info(
                bb_var!("nch_vrfd_ncvrd_stay_from_dt"),
                "NCH Verified Non-covered Stay From Date",
            ),
            None,
            Some(period(days)),
        );
    }
    if let Some(day) = stay.benefits_exhausted {
        eob.push_info(
            version,
            SupportingInfo {
                timing_date: Some(FhirDate(day)),
                ..SupportingInfo::of(info(
                    bb_var!("nch_bene_mdcr_bnfts_exhtd_dt_i"),
                    "NCH Beneficiary Medicare Benefits Exhausted Date",
                ))
            },
        );
    }
    if let Some(days) = stay.qualifying_stay {
        eob.add_info(
            version,
            info(
                bb_var!("nch_qlfyd_stay_from_dt"),
                "NCH Qualified Stay From Date",
            ),
            None,
            Some(period(days)),
        );
    }
    if stay.drg_payment.is_none() && version.is_r4() {
        // A SNF is paid under its prospective payment system (which BFD's STU3 claims
        // leave out).
        add_pps_bill(eob, version, info);
    }
    eob.push_info(
        version,
        SupportingInfo {
            value_quantity: Some(Count::pints(i64::from(stay.blood_pints))),
            ..SupportingInfo::of(info(
                bb_var!("nch_blood_pnts_frnshd_qty"),
                "NCH Blood Pints Furnished Quantity",
            ))
        },
    );
}

/// CLM_PPS_IND_CD `2`: a bill paid under a prospective payment system (SNF, home health).
fn add_pps_bill<'a>(
    eob: &mut ExplanationOfBenefit<'a>,
    version: ApiVersion,
    info: &dyn Fn(&'static str, &'static str) -> CodeableConcept<'a>,
) {
    eob.add_info(
        version,
        info(bb_var!("clm_pps_ind_cd"), "Claim PPS Indicator Code"),
        Some(CodeableConcept::of(Coding::new(
            bb_var!("clm_pps_ind_cd"),
            "2",
            CODEBOOK.pps_indicator.display("2"),
        ))),
        None,
    );
}

/// A home health period's PPS indicator, LUPA indicator, referral and (R4; STU3 has it
/// as a benefit balance) visit count.
fn add_home_health_information<'a>(
    eob: &mut ExplanationOfBenefit<'a>,
    version: ApiVersion,
    claim: &Claim,
    info: &dyn Fn(&'static str, &'static str) -> CodeableConcept<'a>,
) {
    let Some(home_health) = claim.facility.as_ref().and_then(|f| f.home_health.as_ref()) else {
        return;
    };
    if version.is_r4() {
        add_pps_bill(eob, version, info);
    }
    if let Some(lupa) = home_health.lupa_cd {
        let code = char_code(lupa);
        eob.add_info(
            version,
            info(
                bb_var!("clm_hha_lupa_ind_cd"),
                "Claim HHA Low Utilization Payment Adjustment (LUPA) Indicator Code",
            ),
            Some(CodeableConcept::of(Coding::new(
                bb_var!("clm_hha_lupa_ind_cd"),
                code,
                CODEBOOK.hha_lupa.display(code),
            ))),
            None,
        );
    }
    let referral = char_code(home_health.referral_cd);
    eob.add_info(
        version,
        info(bb_var!("clm_hha_rfrl_cd"), "Claim HHA Referral Code"),
        Some(CodeableConcept::of(Coding::new(
            bb_var!("clm_hha_rfrl_cd"),
            referral,
            CODEBOOK.hha_referral.display(referral),
        ))),
        None,
    );
    if version.is_r4() {
        eob.push_info(
            version,
            SupportingInfo {
                value_quantity: Some(Count::of(i64::from(home_health.visit_count))),
                ..SupportingInfo::of(info(
                    bb_var!("clm_hha_tot_visit_cnt"),
                    "Claim HHA Total Visit Count",
                ))
            },
        );
    }
}

/// NCH_PTNT_STUS_IND_CD of a stay or hospice period: discharged, died, or still a
/// patient, as its discharge status says.
fn patient_status(claim: &Claim) -> Option<(&'static str, &'static str)> {
    if !matches!(
        claim.claim_type,
        ClaimType::Inpatient | ClaimType::Snf | ClaimType::Hospice
    ) {
        return None;
    }
    Some(match claim.discharge_status_cd.as_deref()? {
        "20" | "40" | "41" | "42" => ("B", "Died"),
        "30" => ("C", "Still a patient"),
        _ => ("A", "Discharged"),
    })
}

fn item<'a>(
    version: ApiVersion,
    kind: ClaimType,
    line: &'a ClaimLine,
    state: Option<&'static str>,
) -> Item<'a> {
    let v2 = version.is_r4();
    // A stay's revenue lines have no date of their own (REV_CNTR_DT is for outpatient,
    // home health and hospice lines).
    let stay = matches!(kind, ClaimType::Inpatient | ClaimType::Snf);
    let adjudicated = line.revenue.as_ref();
    let deductible_coinsurance =
        adjudicated
            .and_then(|r| r.deductible_coinsurance_cd)
            .map(|code| {
                let code = char_code(code);
                Coding::new(
                    bb_var!("rev_cntr_ddctbl_coinsrnc_cd"),
                    code,
                    CODEBOOK.deductible_coinsurance.display(code),
                )
            });
    let revenue = line.revenue_center_cd.as_deref().map(|rc| {
        let mut coding = vec![Coding::new(
            bb_var!("rev_cntr"),
            rc,
            CODEBOOK.revenue_center.display(rc),
        )];
        let mut extension = Vec::new();
        if let Some(status) = adjudicated.and_then(|r| r.status_indicator_cd.as_deref()) {
            extension.push(Extension::variable(
                "rev_cntr_stus_ind_cd",
                status,
                CODEBOOK.status_indicator.display(status),
            ));
        }
        // STU3 has whether the charges were subject to cost sharing as an extension, R4
        // as one more coding of the revenue center, as BFD gives them.
        if v2 {
            coding.push(Coding::new(
                "https://www.nubc.org/CodeSystem/RevenueCodes",
                rc,
                None,
            ));
            coding.extend(deductible_coinsurance);
        } else if let Some(coding) = deductible_coinsurance {
            extension.push(Extension::Coding {
                url: bb_var!("rev_cntr_ddctbl_coinsrnc_cd"),
                coding,
            });
        }
        Revenue { extension, coding }
    });
    let hcpcs: Vec<Coding<'a>> = match line.hcpcs_cd.as_deref() {
        // BFD's R4 inpatient lines also name the code under its CCW variable.
        Some(code) if v2 && kind == ClaimType::Inpatient => vec![
            Coding::new(bb_var!("hcpcs_cd"), code, None),
            Coding::new(HCPCS, code, None),
        ],
        Some(code) => vec![Coding::new(HCPCS, code, None)],
        // R4 requires a product or service: say there is none.
        None if v2 => vec![Coding::new(
            "http://terminology.hl7.org/CodeSystem/data-absent-reason",
            "not-applicable",
            Some("Not Applicable"),
        )],
        None => Vec::new(),
    };
    // A drug line names the product given (its NDC) and how much of it: STU3 in
    // extensions of the line and its service, R4 as BFD gives them, the product in an
    // extension of productOrService, the amount as the line's quantity (its HCPCS units
    // in an extension) and the amount's unit as a modifier.
    let drug = line.ndc_cd.as_deref().zip(line.ndc_quantity);
    let mut extension = Vec::new();
    if v2 {
        extension.push(Extension::Quantity {
            url: bb_var!("rev_cntr_unit_cnt"),
            value: i64::from(line.units),
        });
    } else if let Some((_, given)) = drug {
        extension.push(Extension::CodedQuantity {
            url: bb_var!("rev_cntr_ndc_qty"),
            value: i64::from(given.quantity),
            unit: None,
            system: UCUM,
            code: given.unit.code(),
        });
    }
    let product = drug.map(|(ndc, _)| {
        let system = if v2 {
            NDC
        } else {
            bb_var!("rev_cntr_ide_ndc_upc_num")
        };
        Extension::Coding {
            url: system,
            coding: Coding::new(system, ndc, None),
        }
    });
    let mut modifier = modifiers(line, None);
    if v2 && let Some((_, given)) = drug {
        modifier.push(CodeableConcept::of(Coding::new(
            UCUM,
            given.unit.code(),
            None,
        )));
    }
    Item {
        extension,
        sequence: line.line_num,
        care_team_link_id: (!v2).then_some([1]),
        care_team_sequence: v2.then_some([1]),
        diagnosis_link_id: None,
        diagnosis_sequence: None,
        information_sequence: None,
        category: None,
        revenue,
        service: (!v2 && !hcpcs.is_empty()).then(|| ProductOrService {
            extension: product.clone().into_iter().collect(),
            coding: hcpcs.clone(),
        }),
        product_or_service: v2.then(|| ProductOrService {
            extension: product.into_iter().collect(),
            coding: hcpcs,
        }),
        modifier,
        serviced_date: (!stay).then_some(FhirDate(line.from_date)),
        serviced_period: None,
        location_codeable_concept: None,
        location_address: state.map(|state| StateAddress { state }),
        quantity: Quantity {
            extension: Vec::new(),
            value: match drug {
                Some((_, given)) if v2 => given.quantity,
                _ => line.units,
            },
        },
        adjudication: line_adjudications(version, kind, line),
        detail: None,
    }
}

/// A revenue line's amounts, as BFD gives them for the kind: a stay's lines only what
/// was charged (what was paid is the claim's), other lines also what was paid, and an
/// outpatient line every share of it.
fn line_adjudications(
    version: ApiVersion,
    kind: ClaimType,
    line: &ClaimLine,
) -> Vec<Adjudication<'_>> {
    let amount =
        |variable, display, carin, cents| adjudication(version, variable, display, carin, cents);
    let submitted = (HL7_ADJUDICATION, "submitted", "Submitted Amount");
    let deductible = (HL7_ADJUDICATION, "deductible", "Deductible");
    let coinsurance = (C4BB_ADJUDICATION, "coinsurance", "Co-insurance");
    let prior_payer = (C4BB_ADJUDICATION, "priorpayerpaid", "Prior payer paid");
    let to_provider = (C4BB_ADJUDICATION, "paidtoprovider", "Paid to provider");
    let to_patient = (C4BB_ADJUDICATION, "paidtopatient", "Paid to patient");
    let benefit = (HL7_ADJUDICATION, "benefit", "Benefit Amount");
    let charges = [
        amount(
            bb_var!("rev_cntr_rate_amt"),
            "Revenue Center Rate Amount",
            submitted,
            line.submitted_cents / i64::from(line.units.max(1)),
        ),
        amount(
            bb_var!("rev_cntr_tot_chrg_amt"),
            "Revenue Center Total Charge Amount",
            submitted,
            line.submitted_cents,
        ),
        amount(
            bb_var!("rev_cntr_ncvrd_chrg_amt"),
            "Revenue Center Non-Covered Charge Amount",
            (C4BB_ADJUDICATION, "noncovered", "Noncovered"),
            0,
        ),
    ];
    let paid = || {
        amount(
            bb_var!("rev_cntr_pmt_amt_amt"),
            "Revenue Center (Medicare) Payment Amount",
            benefit,
            line.paid_cents,
        )
    };
    let to_provider_amount = || {
        amount(
            bb_var!("rev_cntr_prvdr_pmt_amt"),
            "Revenue Center (Medicare) Provider Payment Amount",
            to_provider,
            line.paid_cents,
        )
    };
    let to_patient_amount = || {
        amount(
            bb_var!("rev_cntr_bene_pmt_amt"),
            "Revenue Center Payment Amount to Beneficiary",
            to_patient,
            0,
        )
    };
    let mut adjudications = Vec::with_capacity(15);
    // Why the line was paid less than charged comes first, as in BFD.
    let ansi = [
        (
            bb_var!("rev_cntr_1st_ansi_cd"),
            "Revenue Center 1st ANSI Code",
        ),
        (
            bb_var!("rev_cntr_2nd_ansi_cd"),
            "Revenue Center 2nd ANSI Code",
        ),
    ];
    if let Some(revenue) = &line.revenue {
        adjudications.extend(
            ansi.into_iter()
                .zip(&revenue.ansi_codes)
                .map(|(variable, code)| reason(version, variable, code, None)),
        );
    }
    match kind {
        ClaimType::Inpatient | ClaimType::Snf => adjudications.extend(charges),
        ClaimType::Hha => {
            adjudications.extend(charges);
            adjudications.push(paid());
        }
        ClaimType::Hospice => {
            adjudications.extend([to_provider_amount(), to_patient_amount()]);
            adjudications.extend(charges);
            adjudications.push(paid());
        }
        _ => {
            adjudications.extend(charges);
            adjudications.extend([
                amount(
                    bb_var!("rev_cntr_blood_ddctbl_amt"),
                    "Revenue Center Blood Deductible Amount",
                    deductible,
                    0,
                ),
                amount(
                    bb_var!("rev_cntr_cash_ddctbl_amt"),
                    "Revenue Center Cash Deductible Amount",
                    deductible,
                    line.deductible_cents,
                ),
                amount(
                    bb_var!("rev_cntr_coinsrnc_wge_adjstd_c"),
                    "Revenue Center Coinsurance/Wage Adjusted Coinsurance Amount",
                    coinsurance,
                    line.coinsurance_cents,
                ),
                amount(
                    bb_var!("rev_cntr_rdcd_coinsrnc_amt"),
                    "Revenue Center Reduced Coinsurance Amount",
                    coinsurance,
                    // No hospital elected to reduce its coinsurance.
                    0,
                ),
                amount(
                    bb_var!("rev_cntr_1st_msp_pd_amt"),
                    "Revenue Center 1st Medicare Secondary Payer (MSP) Paid Amount",
                    prior_payer,
                    line.primary_payer_cents,
                ),
                amount(
                    bb_var!("rev_cntr_2nd_msp_pd_amt"),
                    "Revenue Center 2nd Medicare Secondary Payer (MSP) Paid Amount",
                    prior_payer,
                    0,
                ),
                to_provider_amount(),
                to_patient_amount(),
                amount(
                    bb_var!("rev_cntr_ptnt_rspnsblty_pmt"),
                    "Revenue Center Patient Responsibility Payment Amount",
                    (C4BB_ADJUDICATION, "paidbypatient", "Paid by patient"),
                    line.deductible_cents + line.coinsurance_cents,
                ),
                paid(),
            ]);
        }
    }
    adjudications
}

/// The claim-level amounts and counts R4 files as benefit balances, in BFD's order for
/// the kind.
fn balances(claim: &Claim) -> Vec<Financial<'static>> {
    let v = ApiVersion::V2;
    let money = |variable, display, cents| Financial::money(v, variable, display, cents);
    let facility = claim.facility.as_ref();
    let stay = stay(claim);
    let drg = stay.and_then(|s| s.drg_payment.as_ref());
    let professional = || {
        money(
            bb_var!("nch_profnl_cmpnt_chrg_amt"),
            "Professional Component Charge Amount",
            facility.map_or(0, |f| f.professional_component_cents),
        )
    };
    let blood = || {
        facility.map(|f| {
            money(
                bb_var!("nch_bene_blood_ddctbl_lblty_am"),
                "NCH Beneficiary Blood Deductible Liability Amount",
                f.blood_deductible_cents,
            )
        })
    };
    let prior_payer = money(
        bb_var!("prpayamt"),
        "NCH Primary Payer (if not Medicare) Claim Paid Amount",
        claim.primary_payer_cents,
    );
    let mut balances = Vec::with_capacity(21);
    match claim.claim_type {
        ClaimType::Outpatient => {
            balances.push(professional());
            balances.extend([
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
            ]);
            balances.extend(blood());
            balances.push(prior_payer);
        }
        ClaimType::Inpatient | ClaimType::Snf => {
            let inpatient = claim.claim_type == ClaimType::Inpatient;
            if let Some(drg) = drg {
                balances.extend([
                    money(
                        bb_var!("clm_pass_thru_per_diem_amt"),
                        "Claim Pass Thru Per Diem Amount",
                        drg.pass_thru_per_diem_cents,
                    ),
                    professional(),
                    money(
                        bb_var!("clm_tot_pps_cptl_amt"),
                        "Claim Total PPS Capital Amount",
                        drg.capital_total_cents(),
                    ),
                ]);
            }
            // A SNF claim opens with its utilization days, an inpatient claim ends with
            // them.
            if !inpatient {
                balances.extend(claim.utilization_days.map(utilization));
            }
            balances.extend(stay.map(stay_days).into_iter().flatten());
            balances.extend(part_a_cost_sharing(claim, stay));
            if let Some(drg) = drg {
                balances.extend(capital_parts(drg));
            }
            balances.extend(blood());
            balances.push(prior_payer);
            if inpatient {
                balances.extend(claim.utilization_days.map(utilization));
                if let Some(drg) = drg {
                    balances.push(Financial::count(
                        bb_var!("clm_pps_cptl_drg_wt_num"),
                        "Claim PPS Capital DRG Weight Number",
                        // BFD gives the weight as a whole number (an unsignedInt).
                        (drg.drg_weight_ten_thousandths.max(0) / 10_000) as u32,
                    ));
                }
                if let Some(stay) = stay {
                    balances.push(Financial::count(
                        bb_var!("bene_lrd_used_cnt"),
                        "Beneficiary Medicare Lifetime Reserve Days (LRD) Used Count",
                        stay.lifetime_reserve_days.max(0) as u32,
                    ));
                }
            }
        }
        _ => {
            balances.extend(claim.utilization_days.map(utilization));
            balances.push(prior_payer);
        }
    }
    balances
}

/// The claim-level counts STU3 files as benefit balances: a stay's days, a home health
/// period's visits.
fn v1_balances(claim: &Claim) -> Vec<Financial<'static>> {
    let days = claim.utilization_days.map(utilization);
    let facility = claim.facility.as_ref();
    match claim.claim_type {
        ClaimType::Inpatient => stay(claim)
            .map(stay_days)
            .into_iter()
            .flatten()
            .chain(days)
            .collect(),
        ClaimType::Snf => days
            .into_iter()
            .chain(stay(claim).map(stay_days).into_iter().flatten())
            .collect(),
        ClaimType::Hha => facility
            .and_then(|f| f.home_health.as_ref())
            .map(|home_health| {
                Financial::count(
                    bb_var!("clm_hha_tot_visit_cnt"),
                    "Claim HHA Total Visit Count",
                    home_health.visit_count.max(0) as u32,
                )
            })
            .into_iter()
            .collect(),
        _ => days.into_iter().collect(),
    }
}

/// A stay's coinsurance and non-utilization days.
fn stay_days(stay: &StayDetails) -> [Financial<'static>; 2] {
    [
        Financial::count(
            bb_var!("bene_tot_coinsrnc_days_cnt"),
            "Beneficiary Total Coinsurance Days Count",
            stay.coinsurance_days.max(0) as u32,
        ),
        Financial::count(
            bb_var!("clm_non_utlztn_days_cnt"),
            "Claim Medicare Non Utilization Days Count",
            stay.non_utilization_days.max(0) as u32,
        ),
    ]
}

/// A stay's Part A deductible, coinsurance, non-covered charges and their total.
fn part_a_cost_sharing(claim: &Claim, stay: Option<&StayDetails>) -> [Financial<'static>; 4] {
    let money =
        |variable, display, cents| Financial::money(ApiVersion::V2, variable, display, cents);
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
        money(
            bb_var!("nch_ip_ncvrd_chrg_amt"),
            "NCH Inpatient(or other Part A) Non-covered Charge Amount",
            stay.map_or(0, |s| s.noncovered_charge_cents),
        ),
        // By definition the sum of the deductible and the coinsurance.
        money(
            bb_var!("nch_ip_tot_ddctn_amt"),
            "NCH Inpatient (or other Part A) Total Deductible/Coinsurance Amount",
            claim.deductible_cents + claim.coinsurance_cents,
        ),
    ]
}

/// The parts of an inpatient stay's capital payment and its operating outlier.
fn capital_parts(drg: &DrgPayment) -> [Financial<'static>; 7] {
    let money =
        |variable, display, cents| Financial::money(ApiVersion::V2, variable, display, cents);
    [
        money(
            bb_var!("clm_pps_cptl_dsprprtnt_shr_amt"),
            "Claim PPS Capital Disproportionate Share Amount",
            drg.capital_dsh_cents,
        ),
        money(
            bb_var!("clm_pps_cptl_excptn_amt"),
            "Claim PPS Capital Exception Amount",
            drg.capital_exception_cents,
        ),
        money(
            bb_var!("clm_pps_cptl_fsp_amt"),
            "Claim PPS Capital Federal Specific Portion (FSP) Amount",
            drg.capital_fsp_cents,
        ),
        money(
            bb_var!("clm_pps_cptl_ime_amt"),
            "Claim PPS Capital Indirect Medical Education (IME) Amount",
            drg.capital_ime_cents,
        ),
        money(
            bb_var!("clm_pps_cptl_outlier_amt"),
            "Claim PPS Capital Outlier Amount",
            drg.capital_outlier_cents,
        ),
        money(
            bb_var!("clm_pps_old_cptl_hld_hrmls_amt"),
            "Claim PPS Old Capital Hold Harmless Amount",
            drg.capital_hold_harmless_cents,
        ),
        money(
            bb_var!("nch_drg_outlier_aprvd_pmt_amt"),
            "NCH DRG Outlier Approved Payment Amount",
            drg.outlier_cents,
        ),
    ]
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
    const BILL_TYPES: [&str; 19] = [
        "111", "112", "113", "114", "117", "131", "137", "211", "212", "213", "214", "217", "321",
        "327", "329", "811", "812", "813", "817",
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
