//! The two public API versions and the FHIR release each one speaks.

use std::fmt;
use std::str::FromStr;

/// A public API version: `/api/v1` serves FHIR STU3, `/api/v2` serves FHIR R4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiVersion {
    V1,
    V2,
}

impl ApiVersion {
    /// Both versions, in the order they are mounted.
    pub const ALL: [ApiVersion; 2] = [ApiVersion::V1, ApiVersion::V2];

    /// The path segment under `/api/`, as clients type it.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1",
            ApiVersion::V2 => "v2",
        }
    }

    /// The FHIR release this version's resources conform to.
    pub fn fhir_version(self) -> &'static str {
        match self {
            ApiVersion::V1 => "3.0.1",
            ApiVersion::V2 => "4.0.1",
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An API version that is not `v1` or `v2`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown API version {0:?}; expected v1 or v2")]
pub struct UnknownApiVersion(pub String);

impl FromStr for ApiVersion {
    type Err = UnknownApiVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "v1" => Ok(ApiVersion::V1),
            "v2" => Ok(ApiVersion::V2),
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
        assert!("v3".parse::<ApiVersion>().is_err());
    }
}
