//! Carrier and DME claims: professional services, one line per service with its
//! rendering clinician, HCPCS code, place of service and line adjudications.

use std::borrow::Cow;

use super::{
    Adjudication, BB_INFORMATION, BenefitBalance, C4BB_ADJUDICATION, C4BB_CARE_TEAM_ROLE, CareTeam,
    Contained, Decimal, ExplanationOfBenefit, Financial, HCPCS, HL7_ADJUDICATION, Item, Location,
    NDC, NpiIdentifier, Observation, ProductOrService, Provider, ProviderReference, Quantity,
    Reference, Referral, ReferralRequest, ReferralRequester, SupportingInfo, US_NPI, adjudication,
    bb_var, diagnoses, line_period, modifiers, npi_provider, nucc_taxonomy, reason,
};
use crate::ApiVersion;
use crate::claims::{Claim, ClaimLine, ClaimType, PartBLineKind};
use crate::code_table::CodeTable;
use crate::fhir::codebook::CODEBOOK;
use crate::fhir::datatypes::{CodeableConcept, Coding, Extension, Identifier, Money, char_code};

const PROFILE: &str = "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Professional-NonClinician";

pub(super) fn build(version: ApiVersion, claim: &Claim, bene_id: i64) -> ExplanationOfBenefit<'_> {
    let v2 = version.is_r4();
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
    let dme = claim.claim_type == ClaimType::Dme;
    if v2 {
        // R4 names the billing provider; STU3 gives the carrier's billing organization in
        // its care team instead, as BFD does.
        eob.provider = claim.billing_npi.as_deref().map(|npi| {
            Provider::Identified(ProviderReference {
                kind: dme.then_some("Practitioner"),
                identifier: Identifier {
                    kind: None,
                    system: if dme {
                        US_NPI
                    } else {
                        bb_var!("carr_clm_blg_npi_num")
                    },
                    value: Cow::Borrowed(npi),
                },
            })
        });
    }
    // Every synthetic claim is an accepted original debit.
    eob.disposition = Some("01");
    if let Some(referring) = claim.referring_npi.as_deref() {
        refer(&mut eob, version, bene_id, referring);
    }
    let first = eob.care_team.len() as u32 + 1;
    eob.care_team.extend(care_team(version, claim, first));
    if v2
        && !dme
        && let Some(organization) = claim.billing_npi.as_deref()
    {
        eob.care_team.push(CareTeam {
            extension: Vec::new(),
            sequence: eob.care_team.len() as u32 + 1,
            provider: npi_provider(version, organization),
            responsible: None,
            role: CodeableConcept::of(Coding::new(
                "http://terminology.hl7.org/CodeSystem/claimcareteamrole",
                "primary",
                Some("Primary provider"),
            )),
            qualification: None,
        });
    }
    if let Some(date) = claim.weekly_processing_date {
        eob.add_received_date(version, date);
    }
    eob.diagnosis = diagnoses(version, &claim.diagnosis_codes, &[], None);
    let results: Vec<Option<u32>> = claim
        .lines
        .iter()
        .map(|line| add_result(&mut eob, version, line))
        .collect();
    eob.item = claim
        .lines
        .iter()
        .zip(results)
        .map(|(line, result)| {
            // The performing member (the referring one is not responsible for the line).
            let provider = eob
                .care_team
                .iter()
                .find(|member| {
                    member.responsible == Some(true)
                        && line.rendering_npi.as_deref()
                            == Some(member.provider.identifier.value.as_ref())
                })
                .map_or(1, |member| member.sequence);
            let diagnosis = line
                .diagnosis_cd
                .as_ref()
                .and_then(|code| claim.diagnosis_codes.iter().position(|d| d == code))
                .map_or(1, |i| i as u32 + 1);
            item(version, claim, line, (provider, diagnosis, result))
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
/// also carries the claim amounts here (R4 has them in `total`). The primary payer is a
/// line variable in the carrier and DME files (see [`line_extensions`]).
fn extensions<'a>(
    version: ApiVersion,
    claim: &'a Claim,
    near_line: (&'static str, &'static str),
) -> Vec<Extension<'a>> {
    let money = |name, cents| Extension::VariableMoney {
        name,
        money: Money { cents, version },
    };
    let mut extension = Vec::with_capacity(12);
    match version {
        ApiVersion::V1 => extension.push(money("prpayamt", claim.primary_payer_cents)),
        ApiVersion::V2 | ApiVersion::V3 => extension.push(Extension::variable(
            "nch_near_line_rec_ident_cd",
            near_line.0,
            Some(near_line.1),
        )),
    }
    // No denial code on the row means paid to the physician/supplier ("1").
    let denial = claim.payment_denial_cd.map_or("1", char_code);
    extension.extend([
        Extension::VariableIdentifier {
            name: "carr_num",
            value: &claim.contractor_num,
        },
        Extension::VariableIdentifier {
            name: "carr_clm_cntl_num",
            value: &claim.control_num,
        },
        Extension::variable(
            "carr_clm_pmt_dnl_cd",
            denial,
            (denial == "1").then_some("Physician/supplier"),
        ),
        Extension::variable("asgmntcd", "A", Some("Assigned claim")),
    ]);
    if let Some(trial) = claim.clinical_trial_num.as_deref() {
        extension.push(Extension::VariableIdentifier {
            name: "clm_clncl_tril_num",
            value: trial,
        });
    }
    match version {
        // Every synthetic claim is an original debit.
        ApiVersion::V2 | ApiVersion::V3 => extension.push(Extension::variable(
            "carr_clm_entry_cd",
            "1",
            CODEBOOK.claim_entry.display("1"),
        )),
        ApiVersion::V1 => extension.extend([
            money("carr_clm_cash_ddctbl_apld_amt", claim.deductible_cents),
            money("nch_clm_prvdr_pmt_amt", claim.provider_paid_cents),
            money("nch_clm_bene_pmt_amt", claim.bene_paid_cents),
            money("nch_carr_clm_sbmtd_chrg_amt", claim.total_charge_cents),
            money("nch_carr_clm_alowd_amt", claim.allowed_cents),
        ]),
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

/// The rendering clinicians (carrier) or suppliers (DME) of the claim's lines, once each,
/// in line order, with their provider type, participation and specialty as the first of
/// their lines gives them.
fn care_team(version: ApiVersion, claim: &Claim, first_sequence: u32) -> Vec<CareTeam<'_>> {
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
            ApiVersion::V2 | ApiVersion::V3 => Coding::new(
                C4BB_CARE_TEAM_ROLE,
                "performing",
                Some("Performing provider"),
            ),
        };
        team.push(CareTeam {
            extension: care_team_extensions(version, claim, line),
            sequence: first_sequence + team.len() as u32,
            provider: npi_provider(version, npi),
            responsible: Some(true),
            role: CodeableConcept::of(role),
            qualification: line
                .provider_specialty_cd
                .as_deref()
                .map(|specialty| qualification(version, specialty)),
        });
    }
    team
}

/// Names the physician who referred the beneficiary: STU3 contains the referral
/// (ReferralRequest, from and to that physician, as BFD gives it) and refers to it; R4
/// names the physician and makes them the first, referring member of the care team.
fn refer<'a>(eob: &mut ExplanationOfBenefit<'a>, version: ApiVersion, bene_id: i64, npi: &'a str) {
    match version {
        ApiVersion::V1 => {
            let physician = || NpiIdentifier {
                identifier: npi_provider(version, npi).identifier,
            };
            eob.contained
                .push(Contained::ReferralRequest(ReferralRequest {
                    resource_type: "ReferralRequest",
                    id: REFERRAL_ID,
                    status: "completed",
                    intent: "order",
                    subject: Reference {
                        reference: format!("Patient/{bene_id}"),
                    },
                    requester: ReferralRequester { agent: physician() },
                    recipient: [physician()],
                }));
            eob.referral = Some(Referral::Contained(Reference {
                reference: format!("#{REFERRAL_ID}"),
            }));
        }
        ApiVersion::V2 | ApiVersion::V3 => {
            eob.referral = Some(Referral::Npi {
                identifier: npi_provider(version, npi).identifier,
            });
            eob.care_team.push(CareTeam {
                extension: Vec::new(),
                sequence: eob.care_team.len() as u32 + 1,
                provider: npi_provider(version, npi),
                responsible: None,
                role: CodeableConcept::of(Coding::new(
                    C4BB_CARE_TEAM_ROLE,
                    "referring",
                    Some("Referring"),
                )),
                qualification: None,
            });
        }
    }
}

/// The id of the contained STU3 referral.
const REFERRAL_ID: &str = "referral";

/// The id of the contained Observation holding `line`'s test result, as BFD names it.
fn observation_id(line: &ClaimLine) -> String {
    format!("line-observation-{}", line.line_num)
}

/// Contains `line`'s hemoglobin or hematocrit result, if it reports one; in R4 also
/// adds the supporting information that refers to it, and returns its sequence.
fn add_result(
    eob: &mut ExplanationOfBenefit<'_>,
    version: ApiVersion,
    line: &ClaimLine,
) -> Option<u32> {
    let result = line.part_b.as_ref()?.hct_hgb?;
    let code = result.test.code();
    let id = observation_id(line);
    let reference = format!("#{id}");
    eob.contained.push(Contained::Observation(Observation {
        resource_type: "Observation",
        id,
        status: "unknown",
        code: CodeableConcept::of(Coding::new(
            bb_var!("line_hct_hgb_type_cd"),
            code,
            CODEBOOK.hct_hgb_type.display(code),
        )),
        value_quantity: Decimal {
            value: f64::from(result.tenths) / 10.0,
        },
    }));
    if !version.is_r4() {
        return None;
    }
    let info = &mut eob.supporting_info;
    let sequence = info.len() as u32 + 1;
    info.push(SupportingInfo {
        sequence,
        category: CodeableConcept {
            coding: vec![
                Coding::new(
                    "http://terminology.hl7.org/CodeSystem/claiminformationcategory",
                    "info",
                    Some("Information"),
                ),
                Coding::new(
                    BB_INFORMATION,
                    bb_var!("line_hct_hgb_rslt_num"),
                    Some("Hematocrit / Hemoglobin Test Results"),
                ),
            ],
            text: None,
        },
        code: None,
        timing_date: None,
        timing_period: None,
        value_quantity: None,
        value_reference: Some(Reference { reference }),
    });
    Some(sequence)
}

/// A clinician's provider type and participation; in STU3 also the organization that
/// billed for them, as BFD gives it.
fn care_team_extensions<'a>(
    version: ApiVersion,
    claim: &'a Claim,
    line: &'a ClaimLine,
) -> Vec<Extension<'a>> {
    let Some(part_b) = &line.part_b else {
        return Vec::new();
    };
    let mut extension = Vec::with_capacity(3);
    if let PartBLineKind::Carrier {
        provider_type_cd, ..
    } = &part_b.kind
    {
        // No display: BFD's codebook lists codes 0-7 twice (physician/supplier and the
        // old DME list), and BFD gives an ambiguous code none.
        extension.push(Extension::variable(
            "carr_line_prvdr_type_cd",
            char_code(*provider_type_cd),
            None,
        ));
    }
    extension.push(coded(
        "prtcptng_ind_cd",
        char_code(part_b.participating_cd),
        &CODEBOOK.participating,
    ));
    if !version.is_r4()
        && matches!(part_b.kind, PartBLineKind::Carrier { .. })
        && let Some(organization) = claim.billing_npi.as_deref()
    {
        extension.push(Extension::Coding {
            url: US_NPI,
            coding: Coding::new(US_NPI, organization, None),
        });
    }
    extension
}

/// A clinician's specialty: in R4 its NUCC taxonomy first, then the CMS specialty code.
fn qualification(version: ApiVersion, specialty: &str) -> CodeableConcept<'_> {
    let cms = Coding::new(
        bb_var!("prvdr_spclty"),
        specialty,
        CODEBOOK.specialty.display(specialty),
    );
    let mut coding = Vec::with_capacity(2);
    if version.is_r4() {
        coding.extend(nucc_taxonomy(specialty));
    }
    coding.push(cms);
    CodeableConcept { coding, text: None }
}

/// A variable's coding with the codebook's display of `code`.
fn coded<'a>(name: &'static str, code: &'a str, table: &CodeTable) -> Extension<'a> {
    Extension::variable(name, code, table.display(code))
}

/// A line as an item that names its performing care-team member, its diagnosis and (R4)
/// the supporting information holding its test result, by their sequence numbers.
fn item<'a>(
    version: ApiVersion,
    claim: &'a Claim,
    line: &'a ClaimLine,
    (care_team, diagnosis, result): (u32, u32, Option<u32>),
) -> Item<'a> {
    let v2 = version.is_r4();
    let hcpcs_version = hcpcs_year_code(claim);
    let hcpcs: Vec<Coding<'_>> = line
        .hcpcs_cd
        .as_deref()
        .map(|code| Coding::new(HCPCS, code, None))
        .into_iter()
        .collect();
    let ndc = || {
        line.ndc_cd.as_deref().map(|ndc| Extension::Coding {
            url: NDC,
            coding: Coding::new(NDC, ndc, None),
        })
    };
    let mut extension = line_extensions(version, claim, line);
    if !v2 {
        if line.part_b.as_ref().is_some_and(|p| p.hct_hgb.is_some()) {
            extension.push(Extension::Reference {
                url: bb_var!("line_hct_hgb_rslt_num"),
                reference: format!("#{}", observation_id(line)),
            });
        }
        extension.extend(ndc());
    }
    let location = line.place_of_service_cd.as_deref().map(|pos| {
        let mut coding = vec![Coding::new(
            bb_var!("line_place_of_srvc_cd"),
            pos,
            CODEBOOK.place_of_service.display(pos),
        )];
        if v2 {
            // CARIN binds a professional line's location to CMS's place-of-service code
            // set; BFD gives only the CCW variable.
            coding.push(Coding::new(
                "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
                pos,
                None,
            ));
        }
        Location {
            extension: location_extensions(version, line),
            coding,
        }
    });
    Item {
        extension,
        sequence: line.line_num,
        care_team_link_id: (!v2).then_some([care_team]),
        care_team_sequence: v2.then_some([care_team]),
        diagnosis_link_id: (!v2).then_some([diagnosis]),
        diagnosis_sequence: v2.then_some([diagnosis]),
        information_sequence: result.map(|sequence| [sequence]),
        category: line.part_b.as_ref().map(|part_b| {
            let code = char_code(part_b.type_of_service_cd);
            CodeableConcept::of(Coding::new(
                bb_var!("line_cms_type_srvc_cd"),
                code,
                CODEBOOK.type_of_service.display(code),
            ))
        }),
        revenue: None,
        service: (!v2).then(|| ProductOrService {
            extension: Vec::new(),
            coding: hcpcs
                .iter()
                .map(|coding| coding.clone().in_version(hcpcs_version))
                .collect(),
        }),
        product_or_service: v2.then(|| ProductOrService {
            extension: ndc().into_iter().collect(),
            coding: hcpcs,
        }),
        modifier: modifiers(line, Some(hcpcs_version)),
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

/// CARR_CLM_HCPCS_YR_CD: the last digit of the year of the HCPCS release the claim is
/// coded in, the year of its service.
fn hcpcs_year_code(claim: &Claim) -> &'static str {
    let digit = claim.from_date.year().rem_euclid(10) as u32;
    char_code(char::from_digit(digit, 10).unwrap_or('0'))
}

/// A line's classification, count and payer variables, in BFD's order for each kind and
/// version.
fn line_extensions<'a>(
    version: ApiVersion,
    claim: &'a Claim,
    line: &'a ClaimLine,
) -> Vec<Extension<'a>> {
    let Some(part_b) = &line.part_b else {
        return Vec::new();
    };
    let v2 = version.is_r4();
    let book = &*CODEBOOK;
    let mtus_cd = char_code(part_b.mtus_cd);
    let mut extension = Vec::with_capacity(9);
    match &part_b.kind {
        PartBLineKind::Carrier { .. } => {
            let count = Extension::Quantity {
                url: bb_var!("carr_line_mtus_cnt"),
                value: i64::from(line.units),
            };
            let code = coded("carr_line_mtus_cd", mtus_cd, &book.carrier_mtus);
            // BFD's R4 carrier lines also repeat the MTUS code under the count's URL as a
            // coding, a defect (the count is a quantity): it is left out.
            if v2 {
                extension.extend([count, code]);
            } else {
                extension.extend([code, count]);
            }
        }
        PartBLineKind::Dme {
            supplier_num,
            supplier_type_cd,
            pricing_state_cd,
            screen_savings_cents,
            ..
        } => {
            extension.push(Extension::VariableIdentifier {
                name: "suplrnum",
                value: supplier_num,
            });
            extension.push(Extension::DecimalQuantity {
                url: bb_var!("dmerc_line_scrn_svgs_amt"),
                cents: *screen_savings_cents,
            });
            extension.push(Extension::CodedQuantity {
                url: bb_var!("dmerc_line_mtus_cnt"),
                value: i64::from(line.units),
                unit: book.dme_mtus.display(mtus_cd),
                system: bb_var!("dmerc_line_mtus_cd"),
                code: mtus_cd,
            });
            if v2 {
                extension.extend(dme_pricing(pricing_state_cd, *supplier_type_cd));
            }
        }
    }
    extension.push(Extension::variable(
        "betos_cd",
        &part_b.betos_cd,
        book.betos.display(&part_b.betos_cd),
    ));
    if let Some(payer) = claim.primary_payer_cd {
        let code = char_code(payer);
        extension.push(coded(
            "line_bene_prmry_pyr_cd",
            code,
            &book.line_primary_payer,
        ));
    }
    if v2 {
        // STU3 gives the processing indicator as an adjudication reason instead.
        extension.push(coded(
            "line_prcsg_ind_cd",
            &part_b.processing_cd,
            &book.processing,
        ));
    }
    let deductible = char_code(part_b.deductible_cd);
    extension.push(coded(
        "line_service_deductible",
        deductible,
        &book.service_deductible,
    ));
    extension
}

/// The DME line's pricing state and supplier type (R4: item extensions; STU3: location
/// extensions).
fn dme_pricing(pricing_state_cd: &str, supplier_type_cd: char) -> [Extension<'_>; 2] {
    let supplier_type = char_code(supplier_type_cd);
    [
        Extension::variable("dmerc_line_prcng_state_cd", pricing_state_cd, None),
        coded(
            "dmerc_line_supplr_type_cd",
            supplier_type,
            &CODEBOOK.supplier_type,
        ),
    ]
}

/// Where the line's provider is and how it was priced.
fn location_extensions(version: ApiVersion, line: &ClaimLine) -> Vec<Extension<'_>> {
    let Some(part_b) = &line.part_b else {
        return Vec::new();
    };
    let book = &*CODEBOOK;
    let mut extension = vec![coded(
        "prvdr_state_cd",
        &part_b.provider_state_cd,
        &book.provider_state,
    )];
    match &part_b.kind {
        PartBLineKind::Carrier {
            provider_zip,
            pricing_locality_cd,
            clia_lab_num,
            ..
        } => {
            extension.push(Extension::variable("prvdr_zip", provider_zip, None));
            extension.push(coded(
                "carr_line_prcng_lclty_cd",
                pricing_locality_cd,
                &book.pricing_locality,
            ));
            if let Some(clia) = clia_lab_num {
                extension.push(Extension::VariableIdentifier {
                    name: "carr_line_clia_lab_num",
                    value: clia,
                });
            }
        }
        PartBLineKind::Dme {
            pricing_state_cd,
            supplier_type_cd,
            ..
        } => {
            if !version.is_r4() {
                extension.extend(dme_pricing(pricing_state_cd, *supplier_type_cd));
            }
        }
    }
    extension
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

fn line_adjudications(version: ApiVersion, line: &ClaimLine) -> Vec<Adjudication<'_>> {
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
    let mut adjudications: Vec<Adjudication<'_>> = LINE_ADJUDICATIONS
        .iter()
        .zip(amounts)
        .map(|(kind, cents)| adjudication(version, kind.variable, kind.display, kind.carin, cents))
        .collect();
    let Some(part_b) = &line.part_b else {
        return adjudications;
    };
    let book = &*CODEBOOK;
    let payment = char_code(part_b.payment_cd);
    adjudications[0].extension = vec![coded("line_pmt_80_100_cd", payment, &book.payment_80_100)];
    match &part_b.kind {
        PartBLineKind::Carrier {
            reduced_payment_cd, ..
        } => {
            let code = char_code(*reduced_payment_cd);
            adjudications.insert(
                0,
                reason(
                    version,
                    (
                        bb_var!("carr_line_rdcd_pmt_phys_astn_c"),
                        "Carrier Line Reduced Payment Physician Assistant Code",
                    ),
                    code,
                    book.reduced_payment.display(code),
                ),
            );
        }
        PartBLineKind::Dme {
            purchase_price_cents,
            primary_allowed_cents,
            ..
        } => {
            // BFD's R4 DME lines also open with a revenue-center payment and end with
            // two repeated amounts, defects of its DME transformer left out here.
            let amounts = [
                adjudication(
                    version,
                    bb_var!("line_prmry_alowd_chrg_amt"),
                    "Line Primary Payer Allowed Charge Amount",
                    (HL7_ADJUDICATION, "eligible", "Eligible Amount"),
                    *primary_allowed_cents,
                ),
                adjudication(
                    version,
                    bb_var!("line_dme_prchs_price_amt"),
                    "Line DME Purchase Price Amount",
                    (HL7_ADJUDICATION, "submitted", "Submitted Amount"),
                    *purchase_price_cents,
                ),
            ];
            adjudications.splice(0..0, amounts);
        }
    }
    if !version.is_r4() {
        let code = part_b.processing_cd.as_str();
        adjudications.push(reason(
            version,
            (
                bb_var!("line_prcsg_ind_cd"),
                "Line Processing Indicator Code",
            ),
            code,
            book.processing.display(code),
        ));
    }
    adjudications
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
