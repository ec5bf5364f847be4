//! Part D prescription drug events: one fill of an NDC at a pharmacy, paid under the
//! beneficiary's Part D plan.

use std::borrow::Cow;

use super::{
    Adjudication, BB_INFORMATION, C4BB_ADJUDICATION, C4BB_CARE_TEAM_ROLE, CareTeam, Common,
    ExplanationOfBenefit, Facility, HL7_ADJUDICATION, Insurance, Item, ProductOrService,
    ProviderReference, Quantity, adjudication, bb_var, npi_provider,
};
use crate::ApiVersion;
use crate::claims::{ClaimType, PdeEvent};
use crate::fhir::datatypes::{
    CodeableConcept, Coding, Extension, FhirDate, Identifier, Money, char_code,
};

const PROFILE: &str =
    "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Pharmacy";
const NDC: &str = "http://hl7.org/fhir/sid/ndc";

pub(super) fn build(
    version: ApiVersion,
    event: &PdeEvent,
    bene_id: i64,
) -> ExplanationOfBenefit<'_> {
    let v2 = version == ApiVersion::V2;
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
    let pharmacy = || Identifier {
        kind: None,
        system: "http://hl7.org/fhir/sid/us-npi",
        value: Cow::Borrowed(event.pharmacy_npi.as_str()),
    };
    if v2 {
        eob.provider = Some(ProviderReference {
            identifier: pharmacy(),
        });
    } else {
        eob.organization = Some(ProviderReference {
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
        sequence: 1,
        provider: npi_provider(version, &event.prescriber_npi),
        responsible: None,
        role: CodeableConcept::of(match version {
            ApiVersion::V1 => Coding::new(
                "http://hl7.org/fhir/claimcareteamrole",
                "primary",
                Some("Primary provider"),
            ),
            ApiVersion::V2 => Coding::new(
                C4BB_CARE_TEAM_ROLE,
                "prescribing",
                Some("Prescribing provider"),
            ),
        }),
        qualification: None,
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
        sequence: 1,
        care_team_link_id: (!v2).then_some([1]),
        care_team_sequence: v2.then_some([1]),
        diagnosis_link_id: None,
        diagnosis_sequence: None,
        revenue: None,
        service: (!v2).then(|| CodeableConcept::of(Coding::new(NDC, &event.ndc_cd, None))),
        product_or_service: v2.then(|| ProductOrService {
            extension: Vec::new(),
            coding: vec![Coding::new(NDC, &event.ndc_cd, None)],
        }),
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
    }];
    if v2 {
        eob.total = vec![drug_cost(version, event), plan_paid(version, event)];
    }
    eob.payment.date = Some(FhirDate(event.paid_date));
    if v2 {
        eob.payment.amount = Some(Money {
            cents: event.plan_paid_cents,
            version,
        });
    }
    eob
}

/// Dispense-as-written, brand or generic, and drug coverage status.
fn information<'a>(eob: &mut ExplanationOfBenefit<'a>, version: ApiVersion, event: &'a PdeEvent) {
    let v2 = version == ApiVersion::V2;
    let facts: [(&'static str, &'static str, &'static str, &'static str, char); 3] = [
        (
            "dawcode",
            "DAW Code",
            bb_var!("daw_prod_slctn_cd"),
            "Dispense as Written (DAW) Product Selection Code",
            event.daw_cd,
        ),
        (
            "brandgenericindicator",
            "Brand Generic Indicator",
            bb_var!("brnd_gnrc_cd"),
            "Brand-Generic Code Reported by Submitting Plan",
            event.brand_generic_cd,
        ),
        (
            "info",
            "Information",
            bb_var!("drug_cvrg_stus_cd"),
            "Drug Coverage Status Code",
            event.drug_coverage_cd,
        ),
    ];
    for (carin_code, carin_display, variable, display, code) in facts {
        let mut coding = vec![Coding::new(BB_INFORMATION, variable, Some(display))];
        if v2 {
            let system = if carin_code == "info" {
                "http://terminology.hl7.org/CodeSystem/claiminformationcategory"
            } else {
                "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType"
            };
            coding.insert(0, Coding::new(system, carin_code, Some(carin_display)));
        }
        eob.add_info(
            version,
            CodeableConcept { coding, text: None },
            Some(CodeableConcept::of(Coding::new(
                variable,
                char_code(code),
                None,
            ))),
            None,
        );
    }
}

fn adjudications(version: ApiVersion, event: &PdeEvent) -> Vec<Adjudication<'static>> {
    vec![
        plan_paid(version, event),
        adjudication(
            version,
            bb_var!("ptnt_pay_amt"),
            "Amount Paid by Patient",
            (C4BB_ADJUDICATION, "paidbypatient", "Paid by patient"),
            event.patient_pay_cents,
        ),
        adjudication(
            version,
            bb_var!("lics_amt"),
            "Amount paid for the PDE by Part D low income subsidy",
            (C4BB_ADJUDICATION, "discount", "Discount"),
            event.lics_cents,
        ),
        drug_cost(version, event),
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
        "Gross Drug Cost",
        (C4BB_ADJUDICATION, "drugcost", "Drug Cost"),
        event.total_cost_cents,
    )
}
