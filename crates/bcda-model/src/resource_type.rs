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
}

impl ResourceType {
    /// Every exportable type, in the order BCDA lists them when `_type` is absent.
    pub const ALL: [ResourceType; 3] = [
        ResourceType::ExplanationOfBenefit,
        ResourceType::Patient,
        ResourceType::Coverage,
    ];

    /// The FHIR name, exactly as clients write it in `_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::ExplanationOfBenefit => "ExplanationOfBenefit",
            ResourceType::Patient => "Patient",
            ResourceType::Coverage => "Coverage",
        }
    }

    /// A short, lowercase name for queue names, metrics labels and logs.
    pub fn slug(self) -> &'static str {
        match self {
            ResourceType::ExplanationOfBenefit => "eob",
            ResourceType::Patient => "patient",
            ResourceType::Coverage => "coverage",
        }
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `_type` value that names no exportable resource type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid resource type {0}. Supported types [ExplanationOfBenefit Patient Coverage]")]
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
    fn unknown_type_error_lists_the_supported_types() {
        let err = "Claim".parse::<ResourceType>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid resource type Claim. Supported types [ExplanationOfBenefit Patient Coverage]"
        );
    }

    #[test]
    fn type_names_are_case_sensitive_as_in_fhir() {
        assert!("patient".parse::<ResourceType>().is_err());
    }
}
