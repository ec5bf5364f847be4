//! The public API versions and the FHIR release each one speaks.

use std::fmt;
use std::str::FromStr;

/// A public API version: `/api/v1` serves FHIR STU3 in Blue Button's v1 shapes, `/api/v2`
/// FHIR R4 in its v2 (CARIN) shapes, `/api/v3` FHIR R4 in BFD's v3 shapes, where
/// partially adjudicated claims are ExplanationOfBenefits too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiVersion {
    V1,
    V2,
    V3,
}

impl ApiVersion {
    /// Every version, in the order they are mounted.
    pub const ALL: [ApiVersion; 3] = [ApiVersion::V1, ApiVersion::V2, ApiVersion::V3];

    /// The versions whose resources have Blue Button's CCW-era shapes, rendered by
    /// `fhir::{eob, patient, coverage}`; v3's IDR shapes are `fhir::v3`'s.
    pub const CCW_SHAPES: [ApiVersion; 2] = [ApiVersion::V1, ApiVersion::V2];

    /// Whether it speaks FHIR R4 (v2 and v3) rather than STU3 (v1). The v1/v2 renderers
    /// ask this, not `== V2`, so that an R4 datatype looks the same on v2 and v3.
    pub fn is_r4(self) -> bool {
        self != ApiVersion::V1
    }

    /// The path segment under `/api/`, as clients type it.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1",
            ApiVersion::V2 => "v2",
            ApiVersion::V3 => "v3",
        }
    }

    /// The FHIR release this version's resources conform to.
    pub fn fhir_version(self) -> &'static str {
        match self {
            ApiVersion::V1 => "3.0.1",
            ApiVersion::V2 | ApiVersion::V3 => "4.0.1",
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An API version that is not `v1`, `v2` or `v3`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown API version {0:?}; expected v1, v2 or v3")]
pub struct UnknownApiVersion(pub String);

impl FromStr for ApiVersion {
    type Err = UnknownApiVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "v1" => Ok(ApiVersion::V1),
            "v2" => Ok(ApiVersion::V2),
            "v3" => Ok(ApiVersion::V3),
            other => Err(UnknownApiVersion(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_round_trip_through_their_path_segment() {
        for version in ApiVersion::ALL {
            assert_eq!(version.as_str().parse::<ApiVersion>(), Ok(version));
        }
        assert!("v4".parse::<ApiVersion>().is_err());
    }
}
