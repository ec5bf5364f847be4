//! Golden files: one resource of each kind per version, rendered from fixed rows, so
//! any change of shape shows up in review as a diff of `tests/golden/`.
//!
//! `UPDATE_GOLDEN=1 cargo test -p bcda-model --test golden` rewrites the files.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test, with its message

use std::path::PathBuf;

use bcda_model::ApiVersion;
use bcda_model::claims::{
    Beneficiary, Claim, ClaimLine, ClaimType, DrgPayment, EnrollmentMonth, EnrollmentYear,
    FacilityDetails, HctHgbResult, HctHgbTest, HomeHealthDetails, NdcQuantity, NdcUnit, PartBLine,
    PartBLineKind, PdeEvent, RevenueAdjudication, StayDetails,
};
use bcda_model::fhir::shared_system::{Claim as SharedSystemClaimResource, ClaimResponse};
use bcda_model::fhir::v3;
use bcda_model::fhir::{Coverage, CoveragePart, ExplanationOfBenefit, Patient};
use bcda_model::shared_system::{
    LineAdjustment, SharedSystem, SharedSystemClaim, SharedSystemLine,
};
use time::macros::{date, datetime};

fn beneficiary() -> Beneficiary {
    Beneficiary {
        id: 99_940_000_000,
        bene_id: -10_099_940_000_000,
        mbi: "1EG4TE5MK73".into(),
        mbi_effective_date: Some(date!(2019 - 06 - 15)),
        first_name: "Mary".into(),
        middle_initial: Some('J'),
        last_name: "Smith".into(),
        sex_cd: '2',
        race_cd: '1',
        birth_date: date!(1948 - 03 - 17),
        death_date: None,
        state_cd: "05".into(),
        county_cd: "200".into(),
        zip_cd: "900121234".into(),
        last_updated: datetime!(2026-09-14 10:30:00.125 UTC),
    }
}

fn years() -> Vec<EnrollmentYear> {
    vec![EnrollmentYear {
        beneficiary_id: 99_940_000_000,
        year: 2026,
        orec: '0',
        crec: '0',
        esrd_ind: '0',
        ms_cd: "10",
        a_trm_cd: '0',
        b_trm_cd: '0',
        last_updated: datetime!(2026-10-02 08:00:00 UTC),
    }]
}

fn months() -> Vec<EnrollmentMonth> {
    (1..=3)
        .map(|month| EnrollmentMonth {
            beneficiary_id: 99_940_000_000,
            year: 2026,
            month,
            buyin_cd: 'C',
            hmo_ind: if month == 3 { 'C' } else { '0' },
            ptc_cntrct_id: (month == 3).then(|| "H1234".into()),
            ptc_pbp_id: (month == 3).then(|| "001".into()),
            ptc_plan_type_cd: (month == 3).then(|| "01".into()),
            ptd_cntrct_id: Some("S5810".into()),
            ptd_pbp_id: Some("012".into()),
            ptd_sgmt_id: Some("000".into()),
            cst_shr_grp_cd: Some("02".into()),
            rds_ind: 'N',
            dual_stus_cd: "02".into(),
        })
        .collect()
}

fn line(
    kind: ClaimType,
    line_num: i16,
    hcpcs: &str,
    pos: &str,
    npi: &str,
    cents: [i64; 5],
) -> ClaimLine {
    let [submitted, allowed, deductible, coinsurance, paid] = cents;
    // The second line is a laboratory test: no deductible, no coinsurance, a CLIA number.
    let lab = line_num == 2;
    let part_b = PartBLine {
        betos_cd: if lab { "T1G" } else { "M1B" }.into(),
        type_of_service_cd: if lab { '5' } else { '1' },
        mtus_cd: '3',
        processing_cd: "A".into(),
        deductible_cd: if lab { '1' } else { '0' },
        payment_cd: if lab { '1' } else { '0' },
        participating_cd: '1',
        provider_state_cd: "05".into(),
        // The laboratory line is a blood count: it reports the hemoglobin found.
        hct_hgb: lab.then_some(HctHgbResult {
            test: HctHgbTest::Hemoglobin,
            tenths: 124,
        }),
        kind: if kind == ClaimType::Dme {
            PartBLineKind::Dme {
                supplier_num: "1497758544".into(),
                supplier_type_cd: '3',
                pricing_state_cd: "CA".into(),
                screen_savings_cents: 0,
                purchase_price_cents: allowed,
                primary_allowed_cents: 0,
            }
        } else {
            PartBLineKind::Carrier {
                provider_type_cd: '0',
                reduced_payment_cd: '0',
                provider_zip: "945941234".into(),
                pricing_locality_cd: "05".into(),
                clia_lab_num: lab.then(|| "05D0642827".into()),
            }
        },
    };
    ClaimLine {
        line_num,
        from_date: date!(2026 - 03 - 02),
        thru_date: date!(2026 - 03 - 02),
        hcpcs_cd: Some(hcpcs.into()),
        modifiers: if line_num == 2 {
            vec!["25".into()]
        } else {
            Vec::new()
        },
        revenue_center_cd: None,
        place_of_service_cd: Some(pos.into()),
        rendering_npi: Some(npi.into()),
        provider_specialty_cd: Some("11".into()),
        diagnosis_cd: Some("E119".into()),
        ndc_cd: None,
        ndc_quantity: None,
        units: 1,
        submitted_cents: submitted,
        allowed_cents: allowed,
        paid_cents: paid,
        deductible_cents: deductible,
        coinsurance_cents: coinsurance,
        primary_payer_cents: 0,
        part_b: Some(part_b),
        revenue: None,
    }
}

fn professional_claim(kind: ClaimType) -> Claim {
    let lines = vec![
        line(
            kind,
            1,
            "99214",
            "11",
            "1234567893",
            [26_000, 13_100, 13_100, 0, 0],
        ),
        line(
            kind,
            2,
            "83036",
            "11",
            "1234567893",
            [4_000, 1_300, 0, 0, 1_300],
        ),
    ];
    Claim {
        clm_id: 999_400_000_000_000,
        beneficiary_id: 99_940_000_000,
        claim_type: kind,
        nch_clm_type_cd: if kind == ClaimType::Dme { "82" } else { "71" },
        clm_grp_id: 999_400_000_000_000,
        from_date: date!(2026 - 03 - 02),
        thru_date: date!(2026 - 03 - 02),
        control_num: "00012345678901".into(),
        original_control_num: None,
        contractor_num: "01112".into(),
        billing_npi: Some("1497758544".into()),
        attending_npi: None,
        operating_npi: None,
        provider_ccn: None,
        provider_state_cd: Some("05".into()),
        fac_type_cd: None,
        srvc_clsfctn_cd: None,
        freq_cd: None,
        admission_date: None,
        discharge_date: None,
        admission_type_cd: None,
        admission_source_cd: None,
        discharge_status_cd: None,
        drg_cd: None,
        utilization_days: None,
        diagnosis_codes: vec!["E119".into(), "I10".into()],
        poa_indicators: Vec::new(),
        external_causes: Vec::new(),
        procedures: Vec::new(),
        total_charge_cents: 30_000,
        allowed_cents: 14_400,
        paid_cents: 1_300,
        deductible_cents: 13_100,
        coinsurance_cents: 0,
        primary_payer_cents: 0,
        primary_payer_cd: None,
        bene_paid_cents: 0,
        provider_paid_cents: 1_300,
        payment_denial_cd: None,
        non_payment_reason_cd: None,
        referring_npi: Some("1790786754".into()),
        clinical_trial_num: Some("03041819".into()),
        attending_specialty_cd: None,
        facility: None,
        weekly_processing_date: Some(date!(2026 - 03 - 20)),
        last_updated: datetime!(2026-03-20 14:02:03.004 UTC),
        lines,
    }
}

fn institutional_claim(kind: ClaimType) -> Claim {
    let mut claim = professional_claim(kind);
    let (nch, bill) = match kind {
        ClaimType::Inpatient => ("60", ['1', '1', '1']),
        ClaimType::Snf => ("20", ['2', '1', '2']),
        // The outpatient claim replaced an earlier one.
        ClaimType::Outpatient => ("40", ['1', '3', '7']),
        ClaimType::Hha => ("10", ['3', '2', '9']),
        _ => ("50", ['8', '1', '1']),
    };
    claim.nch_clm_type_cd = nch;
    claim.original_control_num = (kind == ClaimType::Outpatient).then(|| "00012345678900".into());
    claim.referring_npi = None;
    claim.clinical_trial_num = None;
    claim.contractor_num = "01111".into();
    claim.provider_ccn = Some("050123".into());
    claim.attending_npi = Some("1234567893".into());
    claim.attending_specialty_cd = Some("08".into());
    claim.facility = Some(FacilityDetails {
        professional_component_cents: if kind == ClaimType::Outpatient {
            4_500
        } else {
            0
        },
        blood_deductible_cents: 0,
        stay: None,
        home_health: (kind == ClaimType::Hha).then_some(HomeHealthDetails {
            lupa_cd: Some('L'),
            referral_cd: '1',
            visit_count: 4,
        }),
        hospice_period_count: (kind == ClaimType::Hospice).then_some(2),
    });
    claim.fac_type_cd = Some(bill[0]);
    claim.srvc_clsfctn_cd = Some(bill[1]);
    claim.freq_cd = Some(bill[2]);
    claim.thru_date = date!(2026 - 03 - 06);
    if kind == ClaimType::Inpatient {
        claim.operating_npi = Some("1497758544".into());
        claim.admission_date = Some(date!(2026 - 03 - 02));
        claim.discharge_date = Some(date!(2026 - 03 - 06));
        claim.admission_type_cd = Some('1');
        claim.admission_source_cd = Some('7');
        claim.discharge_status_cd = Some("01".into());
        claim.drg_cd = Some("291".into());
        claim.utilization_days = Some(4);
        claim.procedures = vec![("02703ZZ".into(), date!(2026 - 03 - 03))];
        claim.poa_indicators = vec!['Y', 'N'];
        claim.external_causes = vec![("W19XXXA".into(), 'Y'), ("Y92009".into(), '1')];
        claim.non_payment_reason_cd = Some("B".into());
    }
    if matches!(kind, ClaimType::Inpatient | ClaimType::Snf) {
        let inpatient = kind == ClaimType::Inpatient;
        let facility = claim.facility.as_mut().unwrap();
        facility.blood_deductible_cents = 25_000;
        facility.professional_component_cents = if inpatient { 12_000 } else { 0 };
        facility.stay = Some(StayDetails {
            blood_pints: 2,
            noncovered_charge_cents: 3_500,
            coinsurance_days: if inpatient { 0 } else { 3 },
            non_utilization_days: if inpatient { 0 } else { 1 },
            lifetime_reserve_days: 0,
            qualifying_stay: (!inpatient).then_some((date!(2026 - 02 - 20), date!(2026 - 03 - 01))),
            noncovered_stay: (!inpatient).then_some((date!(2026 - 03 - 06), date!(2026 - 03 - 06))),
            benefits_exhausted: (!inpatient).then_some(date!(2026 - 03 - 05)),
            drg_payment: inpatient.then_some(DrgPayment {
                drg_weight_ten_thousandths: 10_528,
                capital_fsp_cents: 52_310,
                capital_ime_cents: 2_092,
                capital_dsh_cents: 1_569,
                capital_outlier_cents: 0,
                capital_exception_cents: 0,
                capital_hold_harmless_cents: 0,
                outlier_cents: 0,
                pass_thru_per_diem_cents: 4_200,
                operating_ime_cents: 71_590,
                operating_dsh_cents: 42_954,
                uncompensated_care_cents: 98_000,
            }),
        });
    }
    claim.lines = vec![ClaimLine {
        line_num: 1,
        from_date: date!(2026 - 03 - 02),
        thru_date: date!(2026 - 03 - 06),
        hcpcs_cd: None,
        modifiers: Vec::new(),
        revenue_center_cd: Some("0120".into()),
        place_of_service_cd: None,
        rendering_npi: None,
        provider_specialty_cd: None,
        diagnosis_cd: None,
        ndc_cd: None,
        ndc_quantity: None,
        units: 4,
        submitted_cents: 1_400_000,
        allowed_cents: 900_000,
        paid_cents: 736_800,
        deductible_cents: 163_200,
        coinsurance_cents: 0,
        primary_payer_cents: 0,
        part_b: None,
        revenue: Some(RevenueAdjudication {
            status_indicator_cd: (kind == ClaimType::Outpatient).then(|| "V".into()),
            deductible_coinsurance_cd: (kind != ClaimType::Outpatient).then_some('0'),
            ansi_codes: vec!["CO45".into(), "PR1".into()],
        }),
    }];
    if kind == ClaimType::Outpatient {
        // A packaged drug, billed with the NDC of the vial given.
        let first = claim.lines[0].clone();
        claim.lines.push(ClaimLine {
            line_num: 2,
            hcpcs_cd: Some("J2405".into()),
            revenue_center_cd: Some("0636".into()),
            ndc_cd: Some("00641608025".into()),
            ndc_quantity: Some(NdcQuantity {
                quantity: 1,
                unit: NdcUnit::Unit,
            }),
            units: 4,
            submitted_cents: 2_500,
            allowed_cents: 0,
            paid_cents: 0,
            deductible_cents: 0,
            revenue: Some(RevenueAdjudication {
                status_indicator_cd: Some("N".into()),
                deductible_coinsurance_cd: None,
                ansi_codes: vec!["CO97".into()],
            }),
            ..first
        });
    }
    claim
}

fn check(version: ApiVersion, name: &str, rendered: &impl serde::Serialize) {
    let path = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("tests/golden")
    .join(version.as_str())
    .join(format!("{name}.json"));
    let actual = serde_json::to_string_pretty(rendered).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create)",
            path.display()
        )
    });
    assert!(
        actual == expected,
        "{} differs from its golden file:\n{actual}",
        path.display()
    );
}

#[test]
fn patient_matches_its_golden_file_in_both_versions() {
    let (bene, months) = (beneficiary(), months());
    for version in ApiVersion::CCW_SHAPES {
        check(version, "patient", &Patient::new(version, &bene, &months));
    }
}

#[test]
fn every_coverage_part_matches_its_golden_file_in_both_versions() {
    let (bene, years, months) = (beneficiary(), years(), months());
    for version in ApiVersion::CCW_SHAPES {
        for (part, name) in CoveragePart::ALL.into_iter().zip([
            "coverage-part-a",
            "coverage-part-b",
            "coverage-part-c",
            "coverage-part-d",
        ]) {
            check(
                version,
                name,
                &Coverage::new(version, part, &bene, &years, &months),
            );
        }
    }
}

#[test]
fn professional_explanations_of_benefit_match_their_golden_files_in_both_versions() {
    for (kind, name) in [
        (ClaimType::Carrier, "eob-carrier"),
        (ClaimType::Dme, "eob-dme"),
    ] {
        let claim = professional_claim(kind);
        for version in ApiVersion::CCW_SHAPES {
            let eob = ExplanationOfBenefit::new(version, &claim, -10_099_940_000_000).unwrap();
            check(version, name, &eob);
        }
    }
}

#[test]
fn institutional_explanations_of_benefit_match_their_golden_files_in_both_versions() {
    for kind in [
        ClaimType::Inpatient,
        ClaimType::Snf,
        ClaimType::Outpatient,
        ClaimType::Hha,
        ClaimType::Hospice,
    ] {
        let claim = institutional_claim(kind);
        for version in ApiVersion::CCW_SHAPES {
            let eob = ExplanationOfBenefit::new(version, &claim, -10_099_940_000_000).unwrap();
            check(version, &format!("eob-{kind}"), &eob);
        }
    }
}

fn pde_event() -> PdeEvent {
    PdeEvent {
        pde_id: 999_400_000_000_042,
        beneficiary_id: 99_940_000_000,
        clm_grp_id: 999_400_000_000_042,
        service_date: date!(2026 - 04 - 10),
        paid_date: date!(2026 - 04 - 15),
        prescriber_npi: "1234567893".into(),
        prescriber_specialty_cd: Some("11".into()),
        pharmacy_npi: "1497758544".into(),
        ndc_cd: "00093715698".into(),
        quantity_dispensed: 90,
        days_supply: 90,
        fill_num: 3,
        brand_generic_cd: 'G',
        daw_cd: '0',
        drug_coverage_cd: 'C',
        plan_contract_id: "S5810".into(),
        plan_pbp_id: "012".into(),
        rx_service_reference_num: 799_999,
        compound_cd: '1',
        dispensing_status_cd: Some('P'),
        adjustment_deletion_cd: Some('A'),
        nonstandard_format_cd: Some('X'),
        pricing_exception_cd: Some('M'),
        catastrophic_coverage_cd: Some('C'),
        rx_origin_cd: '3',
        patient_residence_cd: "02".into(),
        submission_clarification_cd: Some("08".into()),
        total_cost_cents: 1_450,
        gdc_below_oopt_cents: 1_200,
        gdc_above_oopt_cents: 250,
        patient_pay_cents: 145,
        other_troop_cents: 20,
        plan_paid_cents: 1_305,
        lics_cents: 0,
        plro_cents: 10,
        gap_discount_cents: 0,
        last_updated: datetime!(2026-04-30 06:00:00 UTC),
    }
}

#[test]
fn part_d_event_matches_its_golden_file_in_both_versions() {
    let event = pde_event();
    for version in ApiVersion::CCW_SHAPES {
        check(
            version,
            "eob-pde",
            &ExplanationOfBenefit::pde(version, &event, -10_099_940_000_000),
        );
    }
}

#[test]
fn ndjson_lines_are_single_lines_of_the_same_json() {
    let (bene, months) = (beneficiary(), months());
    let patient = Patient::new(ApiVersion::V2, &bene, &months);
    let mut out = Vec::new();
    patient.write_ndjson(&mut out).unwrap();
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
    assert_eq!(out.last(), Some(&b'\n'));
    let parsed: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(parsed, serde_json::to_value(&patient).unwrap());
}

/// A FISS inpatient claim, paid, with a reduced drug line; and an MCS claim, approved
/// and awaiting the Common Working File, with one line for a drug.
fn shared_system_claims() -> [SharedSystemClaim; 2] {
    let fiss = SharedSystemClaim {
        claim_key: "00000012345678902501NTA".into(),
        beneficiary_id: 99_940_000_000,
        system: SharedSystem::Fiss,
        control_num: "00000012345678902".into(),
        status_cd: 'P',
        received_date: date!(2026 - 03 - 20),
        status_date: date!(2026 - 04 - 03),
        from_date: date!(2026 - 03 - 02),
        thru_date: date!(2026 - 03 - 07),
        total_charge_cents: 4_512_250,
        provider_npi: Some("1497758544".into()),
        provider_number: Some("050454".into()),
        provider_type_cd: None,
        provider_specialty_cd: None,
        fac_type_cd: Some('1'),
        srvc_clsfctn_cd: Some('1'),
        freq_cd: Some('1'),
        drg_cd: Some("291".into()),
        admission_type_cd: Some('1'),
        principal_diagnosis: Some("I5023".into()),
        admitting_diagnosis: Some("R0602".into()),
        diagnoses: vec![
            ("I5023".into(), Some('Y')),
            ("E119".into(), Some('Y')),
            ("N179".into(), Some('N')),
        ],
        procedures: vec![("5A1945Z".into(), date!(2026 - 03 - 03))],
        payers: vec!["MEDICARE".into()],
        mcs_claim_type: None,
        lines: vec![
            SharedSystemLine {
                line_num: 1,
                from_date: date!(2026 - 03 - 02),
                thru_date: date!(2026 - 03 - 07),
                revenue_center_cd: Some("0120".into()),
                hcpcs_cd: None,
                modifiers: Vec::new(),
                units: 5,
                charge_cents: 1_250_000,
                diagnosis_cd: None,
                ndc: None,
                adjustment: None,
            },
            SharedSystemLine {
                line_num: 2,
                from_date: date!(2026 - 03 - 03),
                thru_date: date!(2026 - 03 - 03),
                revenue_center_cd: Some("0636".into()),
                hcpcs_cd: Some("J1940".into()),
                modifiers: vec!["JZ".into()],
                units: 2,
                charge_cents: 12_250,
                diagnosis_cd: None,
                ndc: Some((
                    "00641613725".into(),
                    NdcQuantity {
                        quantity: 2,
                        unit: NdcUnit::Milliliter,
                    },
                )),
                adjustment: Some(LineAdjustment {
                    group_cd: "CO".into(),
                    reason_cd: "45".into(),
                    remark_cd: Some("N130".into()),
                }),
            },
        ],
        final_clm_id: Some(999_400_000_000_017),
        last_updated: datetime!(2026-04-04 05:12:30.250 UTC),
    };
    let mcs = SharedSystemClaim {
        claim_key: "5226077000123".into(),
        system: SharedSystem::Mcs,
        control_num: "5226077000123".into(),
        status_cd: 'C',
        received_date: date!(2026 - 04 - 21),
        status_date: date!(2026 - 05 - 05),
        from_date: date!(2026 - 04 - 14),
        thru_date: date!(2026 - 04 - 14),
        total_charge_cents: 31_500,
        provider_number: None,
        provider_type_cd: Some("20".into()),
        provider_specialty_cd: Some("11".into()),
        fac_type_cd: None,
        srvc_clsfctn_cd: None,
        freq_cd: None,
        drg_cd: None,
        admission_type_cd: None,
        principal_diagnosis: None,
        admitting_diagnosis: None,
        diagnoses: vec![("E119".into(), None), ("I10".into(), None)],
        procedures: Vec::new(),
        payers: Vec::new(),
        mcs_claim_type: Some('3'),
        lines: vec![
            SharedSystemLine {
                line_num: 1,
                from_date: date!(2026 - 04 - 14),
                thru_date: date!(2026 - 04 - 14),
                revenue_center_cd: None,
                hcpcs_cd: Some("99214".into()),
                modifiers: vec!["25".into()],
                units: 1,
                charge_cents: 21_500,
                diagnosis_cd: Some("E119".into()),
                ndc: None,
                adjustment: None,
            },
            SharedSystemLine {
                line_num: 2,
                from_date: date!(2026 - 04 - 14),
                thru_date: date!(2026 - 04 - 14),
                revenue_center_cd: None,
                hcpcs_cd: Some("J3420".into()),
                modifiers: Vec::new(),
                units: 1,
                charge_cents: 10_000,
                diagnosis_cd: Some("D518".into()),
                ndc: Some((
                    "00517003125".into(),
                    NdcQuantity {
                        quantity: 1,
                        unit: NdcUnit::Unit,
                    },
                )),
                adjustment: None,
            },
        ],
        final_clm_id: None,
        last_updated: datetime!(2026-05-05 22:40:00 UTC),
        ..fiss.clone()
    };
    [fiss, mcs]
}

#[test]
fn partially_adjudicated_claims_and_their_responses_match_their_golden_files() {
    let bene = beneficiary();
    for (claim, name) in shared_system_claims().iter().zip(["fiss", "mcs"]) {
        check(
            ApiVersion::V2,
            &format!("claim-{name}"),
            &SharedSystemClaimResource::new(claim, &bene),
        );
        check(
            ApiVersion::V2,
            &format!("claim-response-{name}"),
            &ClaimResponse::new(claim, &bene),
        );
    }
}

#[test]
fn v3_patient_and_coverage_match_their_golden_files() {
    let (bene, years, months) = (beneficiary(), years(), months());
    check(ApiVersion::V3, "patient", &v3::Patient::new(&bene));
    let coverages = v3::Coverage::all_of(&bene, &years, &months);
    // The months hold Parts A and B, C from March, D and dual status: all five.
    assert_eq!(coverages.len(), 5);
    for (coverage, name) in coverages.iter().zip([
        "coverage-part-a",
        "coverage-part-b",
        "coverage-part-c",
        "coverage-part-d",
        "coverage-dual",
    ]) {
        check(ApiVersion::V3, name, coverage);
    }
}

#[test]
fn v3_explanations_of_benefit_match_their_golden_files_for_every_source() {
    let bene_id = -10_099_940_000_000;
    for kind in [ClaimType::Carrier, ClaimType::Dme] {
        let claim = professional_claim(kind);
        check(
            ApiVersion::V3,
            &format!("eob-{kind}"),
            &v3::ExplanationOfBenefit::nch(&claim, bene_id),
        );
    }
    for kind in [
        ClaimType::Inpatient,
        ClaimType::Snf,
        ClaimType::Outpatient,
        ClaimType::Hha,
        ClaimType::Hospice,
    ] {
        let claim = institutional_claim(kind);
        check(
            ApiVersion::V3,
            &format!("eob-{kind}"),
            &v3::ExplanationOfBenefit::nch(&claim, bene_id),
        );
    }
    check(
        ApiVersion::V3,
        "eob-pde",
        &v3::ExplanationOfBenefit::pde(&pde_event(), bene_id),
    );
    for (claim, name) in shared_system_claims().iter().zip(["fiss", "mcs"]) {
        check(
            ApiVersion::V3,
            &format!("eob-{name}"),
            &v3::ExplanationOfBenefit::shared_system(claim, bene_id),
        );
    }
}
