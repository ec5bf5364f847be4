//! Where a claim comes from and how far it has got, as Blue Button's v3 says it in an
//! ExplanationOfBenefit's `meta.tag` and `outcome`, and as `_typeFilter` selects it.
//!
//! Final claims come from the National Claims History (Parts A and B) or the Drug Data
//! Processing System (Part D); partially adjudicated claims from the Medicare shared
//! systems (FISS, MCS), days after their services instead of weeks.

use time::Date;

use crate::claims::{Claim, PdeEvent};
use crate::shared_system::{Outcome, SharedSystemClaim};

/// The system a claim comes from: the `https://bluebutton.cms.gov/fhir/CodeSystem/System-Type`
/// tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SystemType {
    NationalClaimsHistory,
    SharedSystem,
    Ddps,
}

impl SystemType {
    /// Every system type, in the order filters list them.
    pub const ALL: [SystemType; 3] = [
        SystemType::NationalClaimsHistory,
        SystemType::SharedSystem,
        SystemType::Ddps,
    ];

    /// The tag's code.
    pub fn code(self) -> &'static str {
        match self {
            SystemType::NationalClaimsHistory => "NationalClaimsHistory",
            SystemType::SharedSystem => "SharedSystem",
            SystemType::Ddps => "DDPS",
        }
    }
}

/// Whether the claim's payer has taken its final action on it: the
/// `https://bluebutton.cms.gov/fhir/CodeSystem/Final-Action` tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FinalAction {
    FinalAction,
    NotFinalAction,
}

impl FinalAction {
    pub const ALL: [FinalAction; 2] = [FinalAction::FinalAction, FinalAction::NotFinalAction];

    /// The tag's code.
    pub fn code(self) -> &'static str {
        match self {
            FinalAction::FinalAction => "FinalAction",
            FinalAction::NotFinalAction => "NotFinalAction",
        }
    }
}

/// `ExplanationOfBenefit.outcome` in v3: `complete` for NCH and Part D claims and for a
/// shared-system claim its system has decided (paid or denied), `partial` for one still
/// in process, as BFD's v3 maps a shared-system claim's paid status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClaimOutcome {
    Complete,
    Partial,
}

impl ClaimOutcome {
    pub const ALL: [ClaimOutcome; 2] = [ClaimOutcome::Complete, ClaimOutcome::Partial];

    pub fn code(self) -> &'static str {
        match self {
            ClaimOutcome::Complete => "complete",
            ClaimOutcome::Partial => "partial",
        }
    }
}

/// What a `_typeFilter` can select an ExplanationOfBenefit by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimFacts {
    pub system_type: SystemType,
    pub final_action: FinalAction,
    pub outcome: ClaimOutcome,
    /// The claim's billable period (Part D: the fill date, twice).
    pub service_from: Date,
    pub service_thru: Date,
}

impl ClaimFacts {
    /// A claim of the National Claims History: final, complete.
    pub fn of_claim(claim: &Claim) -> ClaimFacts {
        ClaimFacts {
            system_type: SystemType::NationalClaimsHistory,
            final_action: FinalAction::FinalAction,
            outcome: ClaimOutcome::Complete,
            service_from: claim.from_date,
            service_thru: claim.thru_date,
        }
    }

    /// A Part D event: final, complete, on its fill date.
    pub fn of_event(event: &PdeEvent) -> ClaimFacts {
        ClaimFacts {
            system_type: SystemType::Ddps,
            final_action: FinalAction::FinalAction,
            outcome: ClaimOutcome::Complete,
            service_from: event.service_date,
            service_thru: event.service_date,
        }
    }

    /// A shared system's record of a claim: final (its phase 2) once the shared system
    /// has decided it, else in process (phase 1, `partial`).
    pub fn of_shared_system(claim: &SharedSystemClaim) -> ClaimFacts {
        let decided = claim.outcome() == Outcome::Complete;
        ClaimFacts {
            system_type: SystemType::SharedSystem,
            final_action: if decided {
                FinalAction::FinalAction
            } else {
                FinalAction::NotFinalAction
            },
            outcome: if decided {
                ClaimOutcome::Complete
            } else {
                ClaimOutcome::Partial
            },
            service_from: claim.from_date,
            service_thru: claim.thru_date,
        }
    }
}
