//! The claims data behind exports, one struct per stored row: beneficiaries, their
//! enrollment, fee-for-service claims with their lines, and Part D events.
//!
//! The synthetic generator produces these, the loader stores them, workers read them
//! back and the FHIR renderers turn them into resources. Amounts are whole cents; codes
//! are as CMS files carry them (ICD-10 without the dot).

use std::fmt;
use std::str::FromStr;

use time::{Date, OffsetDateTime};

/// A Medicare beneficiary (CCLF 8; BFD's Patient).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Beneficiary {
    /// Internal key, stable for the life of the data.
    pub id: i64,
    /// The CCW beneficiary id; negative for synthetic beneficiaries.
    pub bene_id: i64,
    /// Medicare Beneficiary Identifier.
    pub mbi: String,
    /// When the current MBI took effect.
    pub mbi_effective_date: Option<Date>,
    pub first_name: String,
    pub middle_initial: Option<char>,
    pub last_name: String,
    /// 0 unknown, 1 male, 2 female.
    pub sex_cd: char,
    /// 0 unknown, 1 white, 2 black, 3 other, 4 Asian, 5 Hispanic, 6 North American native.
    pub race_cd: char,
    pub birth_date: Date,
    pub death_date: Option<Date>,
    /// SSA state code, e.g. `05` California.
    pub state_cd: String,
    /// SSA county code within the state.
    pub county_cd: String,
    /// ZIP+4 (9 digits) or ZIP (5).
    pub zip_cd: String,
    pub last_updated: OffsetDateTime,
}

/// An ACO's attribution of a beneficiary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    pub beneficiary_id: i64,
    pub attributed_on: Date,
    /// When the beneficiary left the ACO, if they did.
    pub ended_on: Option<Date>,
}

/// Yearly entitlement facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentYear {
    pub beneficiary_id: i64,
    pub year: i16,
    /// Original reason for entitlement: 0 OASI, 1 disability, 2 ESRD, 3 both.
    pub orec: char,
    pub crec: char,
    /// `Y` with end-stage renal disease, else `0`.
    pub esrd_ind: char,
    /// Medicare status code: 10, 11, 20, 21 or 31.
    pub ms_cd: &'static str,
    pub a_trm_cd: char,
    pub b_trm_cd: char,
    pub last_updated: OffsetDateTime,
}

/// One month of enrollment in Parts A to D.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentMonth {
    pub beneficiary_id: i64,
    pub year: i16,
    pub month: i16,
    /// Entitlement buy-in: 0 none, 1 A, 2 B, 3 A and B; A, B, C with state buy-in.
    pub buyin_cd: char,
    /// Part C indicator: `0` when not in a Medicare Advantage plan.
    pub hmo_ind: char,
    pub ptc_cntrct_id: Option<String>,
    pub ptc_pbp_id: Option<String>,
    pub ptc_plan_type_cd: Option<String>,
    pub ptd_cntrct_id: Option<String>,
    pub ptd_pbp_id: Option<String>,
    pub ptd_sgmt_id: Option<String>,
    /// Part D cost-sharing group: 01-08 low-income subsidy levels, 09 none.
    pub cst_shr_grp_cd: Option<String>,
    /// Retiree drug subsidy: Y or N.
    pub rds_ind: char,
    /// Dual status code: 00 not dual, 01-10 kinds of dual eligibility.
    pub dual_stus_cd: String,
}

impl EnrollmentMonth {
    /// Whether the beneficiary was in a Medicare Advantage (Part C) plan this month, and
    /// so had no fee-for-service claims.
    pub fn in_part_c(&self) -> bool {
        self.hmo_ind != '0'
    }

    /// Whether the beneficiary had Part D this month.
    pub fn in_part_d(&self) -> bool {
        self.ptd_cntrct_id.is_some()
    }

    /// Whether the beneficiary was dual-eligible (Medicare and Medicaid) this month.
    pub fn is_dual(&self) -> bool {
        !matches!(self.dual_stus_cd.as_str(), "00" | "NA")
    }
}

/// The eight fee-for-service claim kinds BCDA exports as ExplanationOfBenefit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClaimType {
    Carrier,
    Dme,
    Hha,
    Hospice,
    Inpatient,
    Outpatient,
    Snf,
    Pde,
}

impl ClaimType {
    pub const ALL: [ClaimType; 8] = [
        ClaimType::Carrier,
        ClaimType::Dme,
        ClaimType::Hha,
        ClaimType::Hospice,
        ClaimType::Inpatient,
        ClaimType::Outpatient,
        ClaimType::Snf,
        ClaimType::Pde,
    ];

    /// The stored name, which is also the BFD resource id prefix (`carrier-123`).
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimType::Carrier => "carrier",
            ClaimType::Dme => "dme",
            ClaimType::Hha => "hha",
            ClaimType::Hospice => "hospice",
            ClaimType::Inpatient => "inpatient",
            ClaimType::Outpatient => "outpatient",
            ClaimType::Snf => "snf",
            ClaimType::Pde => "pde",
        }
    }

    /// Whether claims of this kind are institutional (Part A facility bills with
    /// revenue-center lines) rather than professional or supplier claims.
    pub fn is_institutional(self) -> bool {
        matches!(
            self,
            ClaimType::Hha
                | ClaimType::Hospice
                | ClaimType::Inpatient
                | ClaimType::Outpatient
                | ClaimType::Snf
        )
    }
}

impl fmt::Display for ClaimType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored claim type this build does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown claim type {0:?}")]
pub struct UnknownClaimType(pub String);

impl FromStr for ClaimType {
    type Err = UnknownClaimType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ClaimType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownClaimType(s.to_owned()))
    }
}

/// The stored NCH claim type code as the `'static` string [`Claim`] carries, or `None`
/// for a code this build does not know.
pub fn nch_clm_type_code(code: &str) -> Option<&'static str> {
    const KNOWN: [&str; 11] = [
        "10", "20", "30", "40", "50", "60", "61", "71", "72", "81", "82",
    ];
    KNOWN.into_iter().find(|known| *known == code)
}

/// The stored Medicare status code as the `'static` string [`EnrollmentYear`] carries,
/// or `None` for a code this build does not know.
pub fn medicare_status_code(code: &str) -> Option<&'static str> {
    const KNOWN: [&str; 5] = ["10", "11", "20", "21", "31"];
    KNOWN.into_iter().find(|known| *known == code)
}

/// A Parts A/B fee-for-service claim (CCLF 1-7; BFD's ExplanationOfBenefit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub clm_id: i64,
    pub beneficiary_id: i64,
    pub claim_type: ClaimType,
    /// NCH claim type code, e.g. `71` carrier, `60` inpatient.
    pub nch_clm_type_cd: &'static str,
    pub clm_grp_id: i64,
    pub from_date: Date,
    pub thru_date: Date,
    pub control_num: String,
    /// FI_ORIG_CLM_CNTL_NUM: on a claim that replaced an earlier one for the same
    /// services (type of bill frequency `7`), the earlier claim's control number; none
    /// on an original claim.
    pub original_control_num: Option<String>,
    pub contractor_num: String,
    pub billing_npi: Option<String>,
    pub attending_npi: Option<String>,
    pub operating_npi: Option<String>,
    pub provider_ccn: Option<String>,
    pub provider_state_cd: Option<String>,
    /// Type of bill, in three parts: facility type, service classification, frequency.
    pub fac_type_cd: Option<char>,
    pub srvc_clsfctn_cd: Option<char>,
    pub freq_cd: Option<char>,
    pub admission_date: Option<Date>,
    pub discharge_date: Option<Date>,
    pub admission_type_cd: Option<char>,
    pub admission_source_cd: Option<char>,
    pub discharge_status_cd: Option<String>,
    pub drg_cd: Option<String>,
    pub utilization_days: Option<i16>,
    /// ICD-10-CM codes, principal first.
    pub diagnosis_codes: Vec<String>,
    /// CLM_POA_IND_SW1..25 of an inpatient claim: whether each diagnosis, in order, was
    /// present on admission (`Y`, `N`, ...); empty where the claim does not report it.
    pub poa_indicators: Vec<char>,
    /// ICD_DGNS_E_CD1..12 of an injury stay: its external causes (how and where it
    /// happened), each with its CLM_E_POA_IND_SW indicator.
    pub external_causes: Vec<(String, char)>,
    /// ICD-10-PCS codes with the date of each.
    pub procedures: Vec<(String, Date)>,
    pub total_charge_cents: i64,
    pub allowed_cents: i64,
    pub paid_cents: i64,
    pub deductible_cents: i64,
    pub coinsurance_cents: i64,
    pub primary_payer_cents: i64,
    pub primary_payer_cd: Option<char>,
    pub bene_paid_cents: i64,
    pub provider_paid_cents: i64,
    /// The week the claim was processed into the NCH (NCH_WKLY_PROC_DT): BFD's
    /// received date of the claim.
    pub weekly_processing_date: Option<Date>,
    pub payment_denial_cd: Option<char>,
    /// CLM_MDCR_NON_PMT_RSN_CD: why Medicare paid nothing on an institutional claim,
    /// e.g. `00` another primary payer's coverage avoided the cost.
    pub non_payment_reason_cd: Option<String>,
    /// RFR_PHYSN_NPI: the physician who referred the beneficiary or ordered the service
    /// (carrier and DME).
    pub referring_npi: Option<String>,
    /// CLM_CLNCL_TRIL_NUM: the clinicaltrials.gov number of a clinical trial the services
    /// were part of (carrier and DME).
    pub clinical_trial_num: Option<String>,
    /// AT_PHYSN_SPCLTY_CD: the CMS specialty of an institutional claim's attending
    /// physician, which BFD gives as the physician's NUCC taxonomy.
    pub attending_specialty_cd: Option<String>,
    /// What a Part A facility claim says beyond its bill; none on carrier and DME claims.
    pub facility: Option<FacilityDetails>,
    pub last_updated: OffsetDateTime,
    pub lines: Vec<ClaimLine>,
}

/// The claim-level CCW variables of institutional claims that BFD renders beyond the
/// bill itself, by the kinds of claim that have them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FacilityDetails {
    /// NCH_PROFNL_CMPNT_CHRG_AMT: physicians' professional services billed by the
    /// facility (inpatient and outpatient claims).
    pub professional_component_cents: i64,
    /// NCH_BENE_BLOOD_DDCTBL_LBLTY_AM: what the beneficiary owed for the first three
    /// pints of blood not replaced (inpatient, SNF and outpatient claims).
    pub blood_deductible_cents: i64,
    /// An inpatient or SNF stay's days, blood and payment.
    pub stay: Option<StayDetails>,
    /// A home health period's payment adjustment, referral and visits.
    pub home_health: Option<HomeHealthDetails>,
    /// BENE_HOSPC_PRD_CNT: which of the beneficiary's hospice benefit periods a hospice
    /// claim falls in (1 the first 90 days, 2 the next 90, then 60-day periods).
    pub hospice_period_count: Option<i16>,
}

/// What an inpatient or SNF stay's claim carries about its days, blood and payment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StayDetails {
    /// NCH_BLOOD_PNTS_FRNSHD_QTY: whole blood or packed red cells furnished, in pints.
    pub blood_pints: i16,
    /// NCH_IP_NCVRD_CHRG_AMT: charges Medicare did not cover (e.g. convenience items).
    pub noncovered_charge_cents: i64,
    /// BENE_TOT_COINSRNC_DAYS_CNT: days of the stay with daily coinsurance (inpatient
    /// days 61-90, SNF days 21-100 of the benefit period).
    pub coinsurance_days: i16,
    /// CLM_NON_UTLZTN_DAYS_CNT: days of the stay not charged to the benefit period.
    pub non_utilization_days: i16,
    /// BENE_LRD_USED_CNT: lifetime reserve days used (inpatient days beyond 90).
    pub lifetime_reserve_days: i16,
    /// NCH_QLFYD_STAY_FROM_DT and THRU_DT: the hospital stay that qualified a SNF stay;
    /// none when the SNF admitted the beneficiary under an ACO's three-day-rule waiver.
    pub qualifying_stay: Option<(Date, Date)>,
    /// NCH_VRFD_NCVRD_STAY_FROM_DT and THRU_DT: days of the stay found not covered.
    pub noncovered_stay: Option<(Date, Date)>,
    /// NCH_BENE_MDCR_BNFTS_EXHTD_DT_I: the day the beneficiary used up the benefit
    /// period's covered days.
    pub benefits_exhausted: Option<Date>,
    /// How an inpatient stay's DRG payment was made up; none for a SNF stay, which
    /// Medicare pays per day.
    pub drg_payment: Option<DrgPayment>,
}

/// The parts of an inpatient prospective payment (IPPS) beyond the DRG's base amount.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrgPayment {
    /// CLM_PPS_CPTL_DRG_WT_NUM: the DRG's relative weight, in ten-thousandths.
    pub drg_weight_ten_thousandths: i32,
    /// CLM_PPS_CPTL_FSP_AMT: the federal specific portion of the capital payment.
    pub capital_fsp_cents: i64,
    /// CLM_PPS_CPTL_IME_AMT: capital indirect medical education (teaching hospitals).
    pub capital_ime_cents: i64,
    /// CLM_PPS_CPTL_DSPRPRTNT_SHR_AMT: capital disproportionate share.
    pub capital_dsh_cents: i64,
    /// CLM_PPS_CPTL_OUTLIER_AMT: the capital part of an outlier payment.
    pub capital_outlier_cents: i64,
    /// CLM_PPS_CPTL_EXCPTN_AMT: capital exception payment.
    pub capital_exception_cents: i64,
    /// CLM_PPS_OLD_CPTL_HLD_HRMLS_AMT: old-capital hold-harmless payment.
    pub capital_hold_harmless_cents: i64,
    /// NCH_DRG_OUTLIER_APRVD_PMT_AMT: the operating cost-outlier payment.
    pub outlier_cents: i64,
    /// CLM_PASS_THRU_PER_DIEM_AMT: the hospital's daily pass-through amount (capital and
    /// medical education costs paid outside the DRG).
    pub pass_thru_per_diem_cents: i64,
    /// IME_OP_CLM_VAL_AMT: operating indirect medical education.
    pub operating_ime_cents: i64,
    /// DSH_OP_CLM_VAL_AMT: operating disproportionate share.
    pub operating_dsh_cents: i64,
    /// CLM_UNCOMPD_CARE_PMT_AMT: the uncompensated care payment of a DSH hospital.
    pub uncompensated_care_cents: i64,
}

impl DrgPayment {
    /// CLM_TOT_PPS_CPTL_AMT: the capital payment, the sum of its parts.
    pub fn capital_total_cents(&self) -> i64 {
        self.capital_fsp_cents
            + self.capital_ime_cents
            + self.capital_dsh_cents
            + self.capital_outlier_cents
            + self.capital_exception_cents
            + self.capital_hold_harmless_cents
    }
}

/// What a home health claim carries about its payment and referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeHealthDetails {
    /// CLM_HHA_LUPA_IND_CD: `L` when so few visits were made that Medicare paid per
    /// visit (a low utilization payment adjustment) instead of the period's rate.
    pub lupa_cd: Option<char>,
    /// CLM_HHA_RFRL_CD: where the referral came from (`1` a physician, `4` a hospital).
    pub referral_cd: char,
    /// CLM_HHA_TOT_VISIT_CNT: the visits of the period.
    pub visit_count: i16,
}

/// A service line (professional) or revenue-center line (institutional).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimLine {
    pub line_num: i16,
    pub from_date: Date,
    pub thru_date: Date,
    pub hcpcs_cd: Option<String>,
    pub modifiers: Vec<String>,
    pub revenue_center_cd: Option<String>,
    pub place_of_service_cd: Option<String>,
    pub rendering_npi: Option<String>,
    pub provider_specialty_cd: Option<String>,
    pub diagnosis_cd: Option<String>,
    pub ndc_cd: Option<String>,
    /// How much of the drug an institutional drug line gave (REV_CNTR_NDC_QTY and its
    /// unit, REV_CNTR_NDC_QTY_QLFR_CD); none on lines without an NDC and on carrier and
    /// DME lines, whose units count the HCPCS code's dose.
    pub ndc_quantity: Option<NdcQuantity>,
    pub units: i32,
    pub submitted_cents: i64,
    pub allowed_cents: i64,
    pub paid_cents: i64,
    pub deductible_cents: i64,
    pub coinsurance_cents: i64,
    pub primary_payer_cents: i64,
    /// What a carrier or DME line carries beyond its service and amounts; none on an
    /// institutional revenue-center line.
    pub part_b: Option<PartBLine>,
    /// How an institutional revenue-center line was adjudicated; none on carrier and
    /// DME lines.
    pub revenue: Option<RevenueAdjudication>,
}

/// The CCW revenue center variables that say how a line was adjudicated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevenueAdjudication {
    /// REV_CNTR_STUS_IND_CD: how the OPPS paid an outpatient line (e.g. `V` a clinic or
    /// emergency visit, `A` paid under another fee schedule, `N` packaged).
    pub status_indicator_cd: Option<String>,
    /// REV_CNTR_DDCTBL_COINSRNC_CD: whether the line's charges were subject to the
    /// deductible and coinsurance (`0` both, `3` neither, `4` no charge on the line).
    pub deductible_coinsurance_cd: Option<char>,
    /// REV_CNTR_1ST_ANSI_CD and REV_CNTR_2ND_ANSI_CD: claim adjustment group and reason
    /// codes explaining a payment below the charge, e.g. `CO45` (the charge exceeds the
    /// fee schedule) or `PR2` (coinsurance).
    pub ansi_codes: Vec<String>,
}

/// The CCW line variables of the carrier and DME files that BFD renders: how the line
/// was classified, priced and paid, and where its provider is. A line's primary payer
/// (LINE_BENE_PRMRY_PYR_CD) is its claim's, [`Claim::primary_payer_cd`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartBLine {
    /// BETOS_CD: the Berenson-Eggers type of service of the line's HCPCS code, e.g.
    /// `M1B` established office visit.
    pub betos_cd: String,
    /// LINE_CMS_TYPE_SRVC_CD, e.g. `1` medical care, `R` rental of DME.
    pub type_of_service_cd: char,
    /// CARR_LINE_MTUS_CD or DMERC_LINE_MTUS_CD: what the line's unit count counts (`3`
    /// services, `1` ambulance miles, `4` oxygen units).
    pub mtus_cd: char,
    /// LINE_PRCSG_IND_CD: `A` allowed, or why not (one or two characters).
    pub processing_cd: String,
    /// LINE_SERVICE_DEDUCTIBLE: `0` subject to the Part B deductible, `1` not
    /// (preventive services and clinical laboratory tests).
    pub deductible_cd: char,
    /// LINE_PMT_80_100_CD: `0` Medicare paid 80% of what was allowed after the
    /// deductible, `1` 100% (no coinsurance).
    pub payment_cd: char,
    /// PRTCPTNG_IND_CD: `1` a participating provider or supplier.
    pub participating_cd: char,
    /// PRVDR_STATE_CD: the SSA state code of the provider or supplier.
    pub provider_state_cd: String,
    /// The hemoglobin or hematocrit result reported on the line, if any.
    pub hct_hgb: Option<HctHgbResult>,
    pub kind: PartBLineKind,
}

/// A hemoglobin or hematocrit test result reported on a line (LINE_HCT_HGB_TYPE_CD and
/// LINE_HCT_HGB_RSLT_NUM).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HctHgbResult {
    /// `R1` hemoglobin (g/dL), `R2` hematocrit (%).
    pub test: HctHgbTest,
    /// The result in tenths (`124` is 12.4).
    pub tenths: i16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HctHgbTest {
    Hemoglobin,
    Hematocrit,
}

impl HctHgbTest {
    /// The CCW code: `R1` or `R2`.
    pub fn code(self) -> &'static str {
        match self {
            HctHgbTest::Hemoglobin => "R1",
            HctHgbTest::Hematocrit => "R2",
        }
    }

    /// The test of CCW code `code`.
    pub fn from_code(code: &str) -> Option<HctHgbTest> {
        match code {
            "R1" => Some(HctHgbTest::Hemoglobin),
            "R2" => Some(HctHgbTest::Hematocrit),
            _ => None,
        }
    }
}

/// The quantity of the drug product (its NDC) an institutional line gave, in the unit
/// hospitals report it in: e.g. two vials (`2 UN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NdcQuantity {
    pub quantity: i32,
    pub unit: NdcUnit,
}

/// REV_CNTR_NDC_QTY_QLFR_CD: the unit of an NDC quantity (the NCPDP unit of measure
/// codes hospitals report on the UB-04).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NdcUnit {
    /// `F2`.
    InternationalUnit,
    /// `GR`.
    Gram,
    /// `ME`: not in the CCW codebook's list, but hospitals report it and BFD renders it.
    Milligram,
    /// `ML`.
    Milliliter,
    /// `UN`: a unit of the product, e.g. a vial or a syringe.
    Unit,
}

impl NdcUnit {
    /// The two-character code.
    pub fn code(self) -> &'static str {
        match self {
            NdcUnit::InternationalUnit => "F2",
            NdcUnit::Gram => "GR",
            NdcUnit::Milligram => "ME",
            NdcUnit::Milliliter => "ML",
            NdcUnit::Unit => "UN",
        }
    }

    /// The unit of code `code`.
    pub fn from_code(code: &str) -> Option<NdcUnit> {
        Some(match code {
            "F2" => NdcUnit::InternationalUnit,
            "GR" => NdcUnit::Gram,
            "ME" => NdcUnit::Milligram,
            "ML" => NdcUnit::Milliliter,
            "UN" => NdcUnit::Unit,
            _ => return None,
        })
    }
}

/// What only a carrier or only a DME line carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartBLineKind {
    Carrier {
        /// CARR_LINE_PRVDR_TYPE_CD, e.g. `0` a group or clinic.
        provider_type_cd: char,
        /// CARR_LINE_RDCD_PMT_PHYS_ASTN_C: `0` no reduction for a physician assistant
        /// or nurse practitioner.
        reduced_payment_cd: char,
        /// PRVDR_ZIP: the rendering provider's nine-digit ZIP code.
        provider_zip: String,
        /// CARR_LINE_PRCNG_LCLTY_CD: the Medicare fee schedule locality that priced it.
        pricing_locality_cd: String,
        /// CARR_LINE_CLIA_LAB_NUM: the laboratory's CLIA number, on laboratory tests.
        clia_lab_num: Option<String>,
    },
    Dme {
        /// SUPLRNUM: the supplier's number.
        supplier_num: String,
        /// DMERC_LINE_SUPPLR_TYPE_CD, e.g. `3` a supplier identified by its EIN.
        supplier_type_cd: char,
        /// DMERC_LINE_PRCNG_STATE_CD: the state whose DMEPOS fee schedule priced it.
        pricing_state_cd: String,
        /// DMERC_LINE_SCRN_SVGS_AMT: what screening by the DME contractor saved.
        screen_savings_cents: i64,
        /// LINE_DME_PRCHS_PRICE_AMT: the fee schedule's purchase price of the item.
        purchase_price_cents: i64,
        /// LINE_PRMRY_ALOWD_CHRG_AMT: what a primary payer other than Medicare allowed.
        primary_allowed_cents: i64,
    },
}

/// A Part D prescription drug event: one fill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdeEvent {
    pub pde_id: i64,
    pub beneficiary_id: i64,
    pub clm_grp_id: i64,
    pub service_date: Date,
    pub paid_date: Date,
    pub prescriber_npi: String,
    /// The prescriber's CMS specialty, e.g. `11` internal medicine (from the provider
    /// files; BFD renders it as a NUCC taxonomy).
    pub prescriber_specialty_cd: Option<String>,
    pub pharmacy_npi: String,
    pub ndc_cd: String,
    pub quantity_dispensed: i32,
    pub days_supply: i16,
    pub fill_num: i16,
    /// B brand, G generic.
    pub brand_generic_cd: char,
    /// Dispense-as-written code, 0-9.
    pub daw_cd: char,
    /// C covered, E enhanced, O over-the-counter.
    pub drug_coverage_cd: char,
    pub plan_contract_id: String,
    pub plan_pbp_id: String,
    /// The pharmacy's prescription service reference number (RX_SRVC_RFRNC_NUM).
    pub rx_service_reference_num: i64,
    /// CMPND_CD: 0 not specified, 1 not a compound, 2 compound.
    pub compound_cd: char,
    /// DSPNSNG_STUS_CD: P partial fill, C completion of a partial fill; none for a
    /// whole fill.
    pub dispensing_status_cd: Option<char>,
    /// ADJSTMT_DLTN_CD: A adjustment, D deletion, R resubmission; none for an original.
    pub adjustment_deletion_cd: Option<char>,
    /// NSTD_FRMT_CD: X X12 837, B beneficiary submitted, C paper, P pharmacy; none for
    /// the standard (NCPDP) format.
    pub nonstandard_format_cd: Option<char>,
    /// PRCNG_EXCPTN_CD: M Medicare secondary payer, O out-of-network pharmacy.
    pub pricing_exception_cd: Option<char>,
    /// CTSTRPHC_CVRG_CD: A attachment point met on this event, C above it; none below.
    pub catastrophic_coverage_cd: Option<char>,
    /// RX_ORGN_CD: 0 not specified, 1 written, 2 telephone, 3 electronic, 4 facsimile,
    /// 5 pharmacy.
    pub rx_origin_cd: char,
    /// PTNT_RSDNC_CD: 00 not specified, 01 home, 02 SNF, 03 nursing facility, ...
    pub patient_residence_cd: String,
    /// SUBMSN_CLR_CD, e.g. 05 therapy change, 08 compound.
    pub submission_clarification_cd: Option<String>,
    pub total_cost_cents: i64,
    /// Gross drug cost below and above the out-of-pocket threshold: they add up to the
    /// total cost.
    pub gdc_below_oopt_cents: i64,
    pub gdc_above_oopt_cents: i64,
    pub patient_pay_cents: i64,
    /// Other payments that count toward true out-of-pocket (OTHR_TROOP_AMT).
    pub other_troop_cents: i64,
    pub plan_paid_cents: i64,
    pub lics_cents: i64,
    /// Reduction in patient liability by other payers (PLRO_AMT).
    pub plro_cents: i64,
    /// Manufacturer coverage-gap discount (RPTD_GAP_DSCNT_NUM).
    pub gap_discount_cents: i64,
    pub last_updated: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_types_round_trip_and_split_into_institutional_and_not() {
        for t in ClaimType::ALL {
            assert_eq!(t.as_str().parse::<ClaimType>(), Ok(t));
        }
        let institutional: Vec<_> = ClaimType::ALL
            .into_iter()
            .filter(|t| t.is_institutional())
            .collect();
        assert_eq!(
            institutional,
            [
                ClaimType::Hha,
                ClaimType::Hospice,
                ClaimType::Inpatient,
                ClaimType::Outpatient,
                ClaimType::Snf
            ]
        );
    }
}
