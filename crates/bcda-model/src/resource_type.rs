//! The FHIR resource types an ACO can export.

use std::fmt;
use std::str::FromStr;

/// A resource type a bulk export can produce. Each has its own work queue so that
/// EOB-heavy work can be scaled separately from the cheap Patient and Coverage work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceType {
    ExplanationOfBenefit,
    Patient,
    Coverage,
    /// A partially adjudicated claim as billed (FISS or MCS; `/api/v2` only).
    Claim,
    /// Where the shared system's processing of a partially adjudicated claim stands.
    ClaimResponse,
}

impl ResourceType {
    /// Every exportable type, in BCDA's order.
    pub const ALL: [ResourceType; 5] = [
        ResourceType::ExplanationOfBenefit,
        ResourceType::Patient,
        ResourceType::Coverage,
        ResourceType::Claim,
        ResourceType::ClaimResponse,
    ];

    /// The types of adjudicated data, which every ACO receives and an export without
    /// `_type` includes.
    pub const ADJUDICATED: [ResourceType; 3] = [
        ResourceType::ExplanationOfBenefit,
        ResourceType::Patient,
        ResourceType::Coverage,
    ];

    /// The types `version` offers: partially adjudicated claims are `Claim` and
    /// `ClaimResponse` on v2 only, as on BCDA; v3 serves them as ExplanationOfBenefits,
    /// selected with `_typeFilter`.
    pub fn offered_by(version: crate::ApiVersion) -> &'static [ResourceType] {
        match version {
            crate::ApiVersion::V1 | crate::ApiVersion::V3 => &Self::ADJUDICATED,
            crate::ApiVersion::V2 => &Self::ALL,
        }
    }

    /// Whether it is partially adjudicated data, which only entitled ACO models receive.
    pub fn is_partially_adjudicated(self) -> bool {
        matches!(self, ResourceType::Claim | ResourceType::ClaimResponse)
    }

    /// The FHIR name, exactly as clients write it in `_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::ExplanationOfBenefit => "ExplanationOfBenefit",
            ResourceType::Patient => "Patient",
            ResourceType::Coverage => "Coverage",
            ResourceType::Claim => "Claim",
            ResourceType::ClaimResponse => "ClaimResponse",
        }
    }

    /// A short, lowercase name for queue names, metrics labels and logs.
    pub fn slug(self) -> &'static str {
        match self {
            ResourceType::ExplanationOfBenefit => "eob",
            ResourceType::Patient => "patient",
            ResourceType::Coverage => "coverage",
            ResourceType::Claim => "claim",
            ResourceType::ClaimResponse => "claim-response",
        }
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no exportable resource type. Kick-offs answer with BCDA's own text,
/// which lists the version's types (`export::ExportError::InvalidType`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown resource type {0}")]
pub struct UnknownResourceType(pub String);

impl FromStr for ResourceType {
    type Err = UnknownResourceType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResourceType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownResourceType(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_parses_from_its_fhir_name() {
        for t in ResourceType::ALL {
            assert_eq!(t.as_str().parse::<ResourceType>(), Ok(t));
        }
    }

    #[test]
    fn partially_adjudicated_types_are_offered_on_v2_only() {
        use crate::ApiVersion;
        assert!(!ResourceType::offered_by(ApiVersion::V1).contains(&ResourceType::Claim));
        assert!(ResourceType::offered_by(ApiVersion::V2).contains(&ResourceType::ClaimResponse));
        assert!(
            ResourceType::ADJUDICATED
                .iter()
                .all(|t| !t.is_partially_adjudicated())
        );
    }

    #[test]
    fn type_names_are_case_sensitive_as_in_fhir() {
        assert!("patient".parse::<ResourceType>().is_err());
    }
}
