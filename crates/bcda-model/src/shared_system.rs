//! Partially adjudicated claims: a fee-for-service claim as the Medicare shared systems
//! hold it while they process it, days after the service, before its final action
//! reaches the National Claims History weeks later.
//!
//! FISS (the Fiscal Intermediary Shared System) processes institutional claims, MCS (the
//! Multi-Carrier System) professional ones. BFD serves them on `/v2/fhir` as a `Claim`
//! (what was billed) and a `ClaimResponse` (where its processing stands), with ids `f-…`
//! and `m-…`; BCDA passes them to the ACO models entitled to partially adjudicated data.

use time::{Date, OffsetDateTime};

use crate::claims::NdcQuantity;

/// The shared system a claim is processed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SharedSystem {
    /// Institutional claims (inpatient, outpatient, SNF, home health, hospice).
    Fiss,
    /// Professional (carrier) claims.
    Mcs,
}

impl SharedSystem {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SharedSystem::Fiss => "fiss",
            SharedSystem::Mcs => "mcs",
        }
    }

    /// The prefix of its resource ids, as BFD writes them (`f-…`, `m-…`).
    pub fn id_prefix(self) -> &'static str {
        match self {
            SharedSystem::Fiss => "f-",
            SharedSystem::Mcs => "m-",
        }
    }

    /// The system of a stored name.
    pub fn parse(name: &str) -> Option<SharedSystem> {
        match name {
            "fiss" => Some(SharedSystem::Fiss),
            "mcs" => Some(SharedSystem::Mcs),
            _ => None,
        }
    }
}

/// How far a claim's processing has come, as BFD reports it in `ClaimResponse.outcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Received, not yet worked.
    Queued,
    /// Being worked: suspended for review, approved but awaiting the Common Working File,
    /// or returned to the provider to correct.
    Partial,
    /// Finally disposed of: paid, denied, rejected or cancelled.
    Complete,
}

impl Outcome {
    /// The FHIR code.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Queued => "queued",
            Outcome::Partial => "partial",
            Outcome::Complete => "complete",
        }
    }

    /// The outcome of a status code of `system`, as BFD maps them
    /// (`FissClaimResponseTransformerV2`, `McsClaimResponseTransformerV2`): a code BFD
    /// does not know is `partial`.
    pub fn of(system: SharedSystem, status: char) -> Outcome {
        let status = status.to_ascii_lowercase();
        match system {
            SharedSystem::Fiss => match status {
                ' ' | 'a' => Outcome::Queued,
                'p' | 'd' | 'r' | 'u' => Outcome::Complete,
                _ => Outcome::Partial,
            },
            SharedSystem::Mcs => match status {
                ' ' | 'a' | 'b' | 'j' | 'k' | '1' | '2' => Outcome::Queued,
                'd' | 'e' | 'f' | 'g' | 'm' | 'n' | 'p' | 'q' | 'r' | 'u' | 'v' | 'w' | 'x'
                | 'y' | 'z' | '4' | '5' | '9' => Outcome::Complete,
                _ => Outcome::Partial,
            },
        }
    }
}

/// A claim in FISS or MCS (BFD's `rda.fiss_claims` and `rda.mcs_claims`, with what it
/// renders of their child rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedSystemClaim {
    /// The claim's key in its system, unique across the data (FISS's RDA claim key is its
    /// DCN followed by the intermediary number; ours puts the claim's id in the DCN's
    /// place). The resource id is the system's prefix and this key.
    pub claim_key: String,
    pub beneficiary_id: i64,
    pub system: SharedSystem,
    /// FISS: the document control number (DCN); MCS: the internal control number (ICN).
    pub control_num: String,
    /// FISS CURR_STATUS or MCS IDR_STATUS_CODE: where processing stands.
    pub status_cd: char,
    /// When the shared system received the claim.
    pub received_date: Date,
    /// FISS CURR_TRAN_DT_CYMD or MCS IDR_STATUS_DATE: when the status last changed.
    pub status_date: Date,
    pub from_date: Date,
    pub thru_date: Date,
    /// What the provider billed.
    pub total_charge_cents: i64,
    /// The billing provider's NPI.
    pub provider_npi: Option<String>,
    /// FISS MEDA_PROV_6: the facility's six-character CMS certification number.
    pub provider_number: Option<String>,
    /// MCS IDR_BILL_PROV_TYPE and IDR_BILL_PROV_SPEC: the billing provider's type (e.g.
    /// `20` a group practice) and CMS specialty.
    pub provider_type_cd: Option<String>,
    pub provider_specialty_cd: Option<String>,
    /// FISS type of bill, in its three parts: facility type (LOB_CD), service
    /// classification (SERV_TYP_CD) and frequency (FREQ_CD).
    pub fac_type_cd: Option<char>,
    pub srvc_clsfctn_cd: Option<char>,
    pub freq_cd: Option<char>,
    /// FISS DRG_CD and ADM_TYP_CD of an inpatient stay.
    pub drg_cd: Option<String>,
    pub admission_type_cd: Option<char>,
    /// FISS PRINCIPLE_DIAG and ADMIT_DIAG_CODE.
    pub principal_diagnosis: Option<String>,
    pub admitting_diagnosis: Option<String>,
    /// The claim's diagnoses in order, with FISS's present-on-admission indicator where
    /// the claim reports one.
    pub diagnoses: Vec<(String, Option<char>)>,
    /// ICD-10-PCS codes with the date of each (FISS).
    pub procedures: Vec<(String, Date)>,
    /// FISS PAYERS_NAME in order: `MEDICARE`, and before it the payer that paid first
    /// when Medicare is secondary.
    pub payers: Vec<String>,
    /// MCS IDR_CLAIM_TYPE: `3` a medical claim, `2` an adjustment of an earlier one.
    pub mcs_claim_type: Option<char>,
    pub lines: Vec<SharedSystemLine>,
    /// The NCH claim this one became at its final action; none while it is in process.
    pub final_clm_id: Option<i64>,
    /// When BFD last loaded the claim from the shared system.
    pub last_updated: OffsetDateTime,
}

impl SharedSystemClaim {
    /// The resource id both its `Claim` and `ClaimResponse` have.
    pub fn resource_id(&self) -> String {
        format!("{}{}", self.system.id_prefix(), self.claim_key)
    }

    /// How far its processing has come.
    pub fn outcome(&self) -> Outcome {
        Outcome::of(self.system, self.status_cd)
    }

    /// Whether MCS deleted or voided it (statuses `R`, `Z`, `9`): BFD marks such a
    /// claim `cancelled`. FISS has no such status.
    pub fn is_cancelled(&self) -> bool {
        self.system == SharedSystem::Mcs
            && matches!(self.status_cd.to_ascii_lowercase(), 'r' | 'z' | '9')
    }
}

/// A FISS revenue line or an MCS detail line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedSystemLine {
    pub line_num: i16,
    pub from_date: Date,
    pub thru_date: Date,
    /// FISS REV_CD: the revenue center.
    pub revenue_center_cd: Option<String>,
    pub hcpcs_cd: Option<String>,
    pub modifiers: Vec<String>,
    /// Units billed (FISS REV_UNITS_BILLED, MCS IDR_UNITS_BILLED).
    pub units: i32,
    pub charge_cents: i64,
    /// MCS IDR_DTL_PRIMARY_DIAG_CODE: the diagnosis the service was for.
    pub diagnosis_cd: Option<String>,
    /// The drug the line gave (its NDC) and how much of it. MCS lines carry no unit.
    pub ndc: Option<(String, NdcQuantity)>,
    /// FISS ACO_RED_CAGC, ACO_RED_CARC and ACO_RED_RARC: the claim adjustment group,
    /// reason and remark codes that explain a reduction of the line.
    pub adjustment: Option<LineAdjustment>,
}

/// Why a line was paid less than billed, in the X12 codes the shared systems use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineAdjustment {
    /// Claim adjustment group code, e.g. `CO` contractual obligation, `PR` patient
    /// responsibility.
    pub group_cd: String,
    /// Claim adjustment reason code (CARC), e.g. `45` the charge exceeds the fee schedule.
    pub reason_cd: String,
    /// Remittance advice remark code (RARC), e.g. `N130`.
    pub remark_cd: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_follow_bfds_mapping_of_each_systems_status_codes() {
        use Outcome::*;
        use SharedSystem::*;
        for (system, status, outcome) in [
            (Fiss, 'A', Queued),
            (Fiss, ' ', Queued),
            (Fiss, 'S', Partial),
            (Fiss, 'T', Partial),
            (Fiss, 'P', Complete),
            (Fiss, 'D', Complete),
            (Fiss, 'R', Complete),
            (Fiss, '?', Partial),
            (Mcs, 'A', Queued),
            (Mcs, 'B', Queued),
            (Mcs, 'C', Partial),
            (Mcs, '8', Partial),
            (Mcs, 'D', Complete),
            (Mcs, 'E', Complete),
            (Mcs, 'Z', Complete),
            (Mcs, '6', Partial),
        ] {
            assert_eq!(Outcome::of(system, status), outcome, "{system:?} {status}");
        }
    }
}
