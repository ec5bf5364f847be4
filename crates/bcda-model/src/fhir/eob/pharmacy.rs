//! Part D prescription drug events: one fill of an NDC at a pharmacy, paid under the
//! beneficiary's Part D plan.

use std::borrow::Cow;

use super::{
    Adjudication, BB_INFORMATION, C4BB_ADJUDICATION, C4BB_CARE_TEAM_ROLE, C4BB_IDENTIFIER_TYPE,
    CareTeam, Common, Detail, ExplanationOfBenefit, Facility, HL7_ADJUDICATION, Insurance, Item,
    NDC, ProductOrService, Provider, ProviderReference, Quantity, US_NPI, adjudication, bb_var,
    claim_identifier, npi_provider, nucc_taxonomy,
};
use crate::ApiVersion;
use crate::claims::{ClaimType, PdeEvent};
use crate::fhir::datatypes::{
    CodeableConcept, Coding, Extension, FhirDate, Identifier, Money, char_code,
};
use crate::fhir::displays;

const PROFILE: &str =
    "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Pharmacy";
const C4BB_SUPPORTING_INFO: &str =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType";

pub(super) fn build(
    version: ApiVersion,
    event: &PdeEvent,
    bene_id: i64,
) -> ExplanationOfBenefit<'_> {
    let v2 = version.is_r4();
    let mut eob = ExplanationOfBenefit::common(
        version,
        Common {
            kind: ClaimType::Pde,
            id: event.pde_id,
            id_system: bb_var!("pde_id"),
            group: event.clm_grp_id,
            nch_type: None,
            types: ("PDE", "pharmacy", "Pharmacy"),
            profile: PROFILE,
            bene_id,
            from: event.service_date,
            thru: event.service_date,
            last_updated: event.last_updated,
            coverage_part: "part-d",
        },
    );
    eob.identifier.push(claim_identifier(
        version,
        bb_var!("rx_srvc_rfrnc_num"),
        event.rx_service_reference_num,
    ));
    // A typed NPI: STU3 types it with the NPI system, R4 with CARIN's identifier type.
    let pharmacy = || Identifier {
        kind: Some(CodeableConcept::of(match version {
            ApiVersion::V1 => Coding::new(US_NPI, "NPI", Some("National Provider Identifier")),
            ApiVersion::V2 | ApiVersion::V3 => Coding::new(C4BB_IDENTIFIER_TYPE, "npi", None),
        })),
        system: US_NPI,
        value: Cow::Borrowed(event.pharmacy_npi.as_str()),
    };
    if v2 {
        eob.provider = Some(Provider::Identified(ProviderReference {
            kind: None,
            identifier: Identifier {
                kind: None,
                ..pharmacy()
            },
        }));
    } else {
        eob.organization = Some(ProviderReference {
            kind: None,
            identifier: pharmacy(),
        });
    }
    eob.facility = Some(Facility {
        extension: [Extension::variable(
            "phrmcy_srvc_type_cd",
            "01",
            Some("Community/retail pharmacy"),
        )],
        identifier: Some(pharmacy()),
    });
    eob.care_team = vec![CareTeam {
        extension: Vec::new(),
        sequence: 1,
        provider: npi_provider(version, &event.prescriber_npi),
        responsible: None,
        role: CodeableConcept::of(match version {
            ApiVersion::V1 => Coding::new(
                "http://hl7.org/fhir/claimcareteamrole",
                "primary",
                Some("Primary provider"),
            ),
            ApiVersion::V2 | ApiVersion::V3 => Coding::new(
                C4BB_CARE_TEAM_ROLE,
                "prescribing",
                Some("Prescribing provider"),
            ),
        }),
        // R4 qualifies the prescriber by their NUCC taxonomy, as BFD does.
        qualification: event
            .prescriber_specialty_cd
            .as_deref()
            .filter(|_| version.is_r4())
            .and_then(nucc_taxonomy)
            .map(CodeableConcept::of),
    }];
    information(&mut eob, version, event);
    let plan = vec![
        Extension::VariableIdentifier {
            name: "plan_cntrct_rec_id",
            value: &event.plan_contract_id,
        },
        Extension::VariableIdentifier {
            name: "plan_pbp_rec_num",
            value: &event.plan_pbp_id,
        },
    ];
    match &mut eob.insurance {
        Insurance::Single { coverage } => coverage.extension = plan,
        Insurance::List([focal]) => focal.coverage.extension = plan,
    }
    eob.item = vec![Item {
        extension: Vec::new(),
        sequence: 1,
        care_team_link_id: (!v2).then_some([1]),
        care_team_sequence: v2.then_some([1]),
        diagnosis_link_id: None,
        diagnosis_sequence: None,
        information_sequence: None,
        category: None,
        revenue: None,
        service: (!v2).then(|| ProductOrService::of(Coding::new(NDC, &event.ndc_cd, None))),
        product_or_service: v2.then(|| ProductOrService::of(Coding::new(NDC, &event.ndc_cd, None))),
        modifier: Vec::new(),
        serviced_date: Some(FhirDate(event.service_date)),
        serviced_period: None,
        location_codeable_concept: None,
        location_address: None,
        quantity: Quantity {
            extension: if v2 {
                Vec::new()
            } else {
                vec![
                    Extension::Quantity {
                        url: bb_var!("fill_num"),
                        value: i64::from(event.fill_num),
                    },
                    Extension::Quantity {
                        url: bb_var!("days_suply_num"),
                        value: i64::from(event.days_supply),
                    },
                ]
            },
            value: event.quantity_dispensed,
        },
        adjudication: adjudications(version, event),
        // STU3 states whether the fill is compounded as the line's invoice type (BFD
        // leaves out the detail's required `sequence`; it is here).
        detail: (!v2).then(|| {
            [Detail {
                sequence: 1,
                kind: CodeableConcept::of(invoice_type(version, event.compound_cd)),
            }]
        }),
    }];
    if v2 {
        eob.total = vec![
            drug_cost(version, event),
            plan_paid(version, event),
            network_status(),
        ];
    }
    // The payment date only, as BFD: what the plan paid is the `benefit` adjudication.
    eob.payment.date = Some(FhirDate(event.paid_date));
    eob
}

/// CARIN's payer adjudication status of the fill, which its Pharmacy profile gives every
/// claim a total for: `other`, with a zero amount, as BFD gives it (no plan's network
/// data are in the PDE file).
fn network_status() -> Adjudication<'static> {
    Adjudication {
        extension: Vec::new(),
        category: CodeableConcept::of(Coding::new(
            "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBPayerAdjudicationStatus",
            "other",
            Some("Other"),
        )),
        reason: None,
        amount: Some(Money {
            cents: 0,
            version: ApiVersion::V2,
        }),
    }
}

/// Whether a fill is a compound, as HL7's ActCode invoice types say it.
fn invoice_type(version: ApiVersion, compound_cd: char) -> Coding<'static> {
    let system = match version {
        ApiVersion::V1 => "http://hl7.org/fhir/v3/ActCode",
        ApiVersion::V2 | ApiVersion::V3 => "http://terminology.hl7.org/CodeSystem/v3-ActCode",
    };
    if compound_cd == '2' {
        Coding::new(system, "RXCINV", Some("Rx compound invoice"))
    } else {
        Coding::new(system, "RXDINV", Some("Rx dispense invoice"))
    }
}

/// One CCW code of the event, as BFD's supporting information carries it.
struct Fact<'a> {
    /// CARIN's supporting-information type, where one names the fact (R4).
    carin: Option<(&'static str, &'static str)>,
    variable: &'static str,
    display: &'static str,
    code: &'a str,
}

impl<'a> Fact<'a> {
    fn new(variable: &'static str, display: &'static str, code: &'a str) -> Fact<'a> {
        Fact {
            carin: None,
            variable,
            display,
            code,
        }
    }

    fn carin(self, code: &'static str, display: &'static str) -> Fact<'a> {
        Fact {
            carin: Some((code, display)),
            ..self
        }
    }
}

/// The event's codes as supporting information, in BFD's order for each version: STU3
/// lists them all as Blue Button information; R4 names the ones CARIN's pharmacy profile
/// defines (compound, refill, days supply, DAW, origin, brand/generic) by their CARIN
/// type and leads with the first three.
fn information<'a>(eob: &mut ExplanationOfBenefit<'a>, version: ApiVersion, event: &'a PdeEvent) {
    let v2 = version.is_r4();
    let optional = |code: Option<char>| code.map(char_code);
    let daw = Fact::new(
        bb_var!("daw_prod_slctn_cd"),
        "Dispense as Written (DAW) Product Selection Code",
        char_code(event.daw_cd),
    )
    .carin("dawcode", "DAW Code");
    let dispensing = optional(event.dispensing_status_cd)
        .map(|code| Fact::new(bb_var!("dspnsng_stus_cd"), "Dispensing Status Code", code));
    let coverage = Fact::new(
        bb_var!("drug_cvrg_stus_cd"),
        "Drug Coverage Status Code",
        char_code(event.drug_coverage_cd),
    );
    let adjustment = optional(event.adjustment_deletion_cd)
        .map(|code| Fact::new(bb_var!("adjstmt_dltn_cd"), "Adjustment Deletion Code", code));
    let format = optional(event.nonstandard_format_cd)
        .map(|code| Fact::new(bb_var!("nstd_frmt_cd"), "Non-Standard Format Code", code));
    let pricing = optional(event.pricing_exception_cd)
        .map(|code| Fact::new(bb_var!("prcng_excptn_cd"), "Pricing Exception Code", code));
    let catastrophic = optional(event.catastrophic_coverage_cd).map(|code| {
        Fact::new(
            bb_var!("ctstrphc_cvrg_cd"),
            "Catastrophic Coverage Code",
            code,
        )
    });
    let origin = Fact::new(
        bb_var!("rx_orgn_cd"),
        "Prescription Origination Code",
        char_code(event.rx_origin_cd),
    )
    .carin("rxorigincode", "Rx Origin Code");
    let brand = Fact::new(
        bb_var!("brnd_gnrc_cd"),
        "Brand-Generic Code Reported by Submitting Plan",
        char_code(event.brand_generic_cd),
    )
    .carin("brandgenericindicator", "Brand Generic Indicator");
    let residence = Fact::new(
        bb_var!("ptnt_rsdnc_cd"),
        "Patient Residence Code",
        &event.patient_residence_cd,
    );
    let clarification = event.submission_clarification_cd.as_deref().map(|code| {
        Fact::new(
            bb_var!("submsn_clr_cd"),
            "Submission clarification code",
            code,
        )
    });
    let facts: Vec<Option<Fact<'a>>> = if v2 {
        add_carin_only(eob, event);
        vec![
            Some(coverage),
            Some(daw),
            dispensing,
            adjustment,
            format,
            pricing,
            catastrophic,
            Some(origin),
            Some(brand),
            Some(residence),
            clarification,
        ]
    } else {
        vec![
            Some(daw),
            dispensing,
            Some(coverage),
            adjustment,
            format,
            pricing,
            catastrophic,
            Some(origin),
            Some(brand),
            Some(Fact::new(
                bb_var!("phrmcy_srvc_type_cd"),
                "Pharmacy service type code",
                "01",
            )),
            Some(residence),
            clarification,
        ]
    };
    for fact in facts.into_iter().flatten() {
        let name = fact.variable.rsplit('/').next().unwrap_or_default();
        let display = if name == "phrmcy_srvc_type_cd" {
            Some("Community/retail pharmacy")
        } else {
            displays::part_d(name, fact.code)
        };
        let bb = Coding::new(BB_INFORMATION, fact.variable, Some(fact.display));
        let category = match (v2, fact.carin) {
            (false, _) => CodeableConcept::of(bb),
            (true, Some((code, display))) => {
                CodeableConcept::of(Coding::new(C4BB_SUPPORTING_INFO, code, Some(display)))
            }
            (true, None) => CodeableConcept {
                coding: vec![
                    Coding::new(
                        "http://terminology.hl7.org/CodeSystem/claiminformationcategory",
                        "info",
                        Some("Information"),
                    ),
                    bb,
                ],
                text: None,
            },
        };
        eob.add_info(
            version,
            category,
            Some(CodeableConcept::of(Coding::new(
                fact.variable,
                fact.code,
                display,
            ))),
            None,
        );
    }
}

/// R4's CARIN-only facts, first as BFD lists them: the compound code, the refill
/// number and the days supply.
fn add_carin_only<'a>(eob: &mut ExplanationOfBenefit<'a>, event: &'a PdeEvent) {
    let carin =
        |code, display| CodeableConcept::of(Coding::new(C4BB_SUPPORTING_INFO, code, Some(display)));
    eob.add_info(
        ApiVersion::V2,
        carin("compoundcode", "Compound Code"),
        Some(CodeableConcept::of(invoice_type(
            ApiVersion::V2,
            event.compound_cd,
        ))),
        None,
    );
    for (code, display, value) in [
        ("refillnum", "Refill Number", event.fill_num),
        ("dayssupply", "Days Supply", event.days_supply),
    ] {
        eob.add_count(carin(code, display), i64::from(value));
    }
}

fn adjudications(version: ApiVersion, event: &PdeEvent) -> Vec<Adjudication<'static>> {
    let mut plan_paid = plan_paid(version, event);
    if !version.is_r4() {
        // STU3 says why the plan paid: the drug's coverage status.
        plan_paid.reason = Some(CodeableConcept::of(Coding::new(
            bb_var!("drug_cvrg_stus_cd"),
            char_code(event.drug_coverage_cd),
            displays::part_d("drug_cvrg_stus_cd", char_code(event.drug_coverage_cd)),
        )));
    }
    let coinsurance = (C4BB_ADJUDICATION, "coinsurance", "Co-insurance");
    let prior_payer = (C4BB_ADJUDICATION, "priorpayerpaid", "Prior payer paid");
    let discount = (C4BB_ADJUDICATION, "discount", "Discount");
    vec![
        plan_paid,
        adjudication(
            version,
            bb_var!("gdc_blw_oopt_amt"),
            "Gross Drug Cost Below Part D Out-of-Pocket Threshold (GDCB)",
            coinsurance,
            event.gdc_below_oopt_cents,
        ),
        adjudication(
            version,
            bb_var!("gdc_abv_oopt_amt"),
            "Gross Drug Cost Above Part D Out-of-Pocket Threshold (GDCA)",
            coinsurance,
            event.gdc_above_oopt_cents,
        ),
        adjudication(
            version,
            bb_var!("ptnt_pay_amt"),
            "Amount Paid by Patient",
            (C4BB_ADJUDICATION, "paidbypatient", "Paid by patient"),
            event.patient_pay_cents,
        ),
        adjudication(
            version,
            bb_var!("othr_troop_amt"),
            "Other True Out-of-Pocket (TrOOP) Amount",
            prior_payer,
            event.other_troop_cents,
        ),
        adjudication(
            version,
            bb_var!("lics_amt"),
            "Amount paid for the PDE by Part D low income subsidy",
            discount,
            event.lics_cents,
        ),
        adjudication(
            version,
            bb_var!("plro_amt"),
            "Reduction in patient liability due to payments by other payers (PLRO)",
            prior_payer,
            event.plro_cents,
        ),
        drug_cost(version, event),
        adjudication(
            version,
            bb_var!("rptd_gap_dscnt_num"),
            "Gap Discount Amount",
            discount,
            event.gap_discount_cents,
        ),
    ]
}

/// What the Part D plan paid: a line adjudication and, in R4, a total.
fn plan_paid(version: ApiVersion, event: &PdeEvent) -> Adjudication<'static> {
    adjudication(
        version,
        bb_var!("cvrd_d_plan_pd_amt"),
        "Amount paid by Part D plan for the PDE (drug is covered by Part D)",
        (HL7_ADJUDICATION, "benefit", "Benefit Amount"),
        event.plan_paid_cents,
    )
}

/// The fill's gross drug cost: a line adjudication and, in R4, a total.
fn drug_cost(version: ApiVersion, event: &PdeEvent) -> Adjudication<'static> {
    adjudication(
        version,
        bb_var!("tot_rx_cst_amt"),
        "Total drug cost (Part D)",
        (C4BB_ADJUDICATION, "drugcost", "Drug Cost"),
        event.total_cost_cents,
    )
}
