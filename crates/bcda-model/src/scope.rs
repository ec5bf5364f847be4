//! SMART system scopes: which resource types a token lets its client read.
//!
//! Tokens from HTTP Basic credentials (BCDA's way) carry no scope and read everything the
//! ACO may export; tokens from a SMART client assertion carry the scopes granted, and
//! every export and download checks them.

use std::collections::BTreeSet;
use std::fmt;

use crate::ResourceType;
use crate::export::ExportRequest;

/// The resource types a token may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes {
    readable: BTreeSet<ResourceType>,
}

/// A scope this server does not grant: a write scope, another context than `system`, or
/// a resource it does not serve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported scope {0:?}: use system/*.read or system/<Type>.read (or .rs)")]
pub struct UnsupportedScope(pub String);

impl Scopes {
    /// Every exportable type: what a token without a scope (HTTP Basic) may read.
    pub fn all() -> Scopes {
        Scopes {
            readable: ResourceType::ALL.into_iter().collect(),
        }
    }

    /// Parses a space-separated SMART scope string such as `system/*.read` or
    /// `system/Patient.read system/Coverage.rs`. An empty string, or any scope that is not
    /// a `system` read scope of a served type, is refused.
    pub fn parse(text: &str) -> Result<Scopes, UnsupportedScope> {
        let mut readable = BTreeSet::new();
        for scope in text.split_whitespace() {
            let unsupported = || UnsupportedScope(scope.to_owned());
            let (resource, access) = scope
                .strip_prefix("system/")
                .and_then(|rest| rest.rsplit_once('.'))
                .ok_or_else(unsupported)?;
            if !matches!(access, "read" | "rs") {
                return Err(unsupported());
            }
            if resource == "*" {
                readable.extend(ResourceType::ALL);
            } else {
                readable.insert(resource.parse().map_err(|_| unsupported())?);
            }
        }
        if readable.is_empty() {
            return Err(UnsupportedScope(text.to_owned()));
        }
        Ok(Scopes { readable })
    }

    /// Whether resources of `resource_type` may be read.
    pub fn permits(&self, resource_type: ResourceType) -> bool {
        self.readable.contains(&resource_type)
    }

    /// `request` as these scopes allow it: a `_type` naming a type the scopes do not
    /// grant is refused; without `_type`, the export covers the granted types only (the
    /// Bulk Data IG: a server limits the data to what the client is authorized for).
    pub fn restrict(&self, mut request: ExportRequest) -> Result<ExportRequest, NotPermitted> {
        if request.types_requested {
            if let Some(denied) = request.types.iter().find(|t| !self.permits(**t)) {
                return Err(NotPermitted(*denied));
            }
        } else {
            request.types.retain(|t| self.permits(*t));
            // Without EOBs there is nothing to filter, and nothing to warn of.
            if !request.types.contains(&ResourceType::ExplanationOfBenefit) {
                request.eob_filter = None;
                request.default_system_type = false;
            }
        }
        Ok(request)
    }
}

/// A resource type the token's scopes do not grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the access token's scopes do not permit reading {0}")]
pub struct NotPermitted(pub ResourceType);

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for resource_type in &self.readable {
            if !first {
                f.write_str(" ")?;
            }
            write!(f, "system/{resource_type}.read")?;
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_and_resource_scopes_grant_what_they_name() {
        let all = Scopes::parse("system/*.read").unwrap();
        assert_eq!(all, Scopes::all());
        let some = Scopes::parse("system/Patient.read system/Coverage.rs").unwrap();
        assert!(some.permits(ResourceType::Patient));
        assert!(some.permits(ResourceType::Coverage));
        assert!(!some.permits(ResourceType::ExplanationOfBenefit));
        assert_eq!(some.to_string(), "system/Patient.read system/Coverage.read");
    }

    const V1: crate::export::Offer = crate::export::Offer {
        version: crate::ApiVersion::V1,
        partially_adjudicated: false,
    };

    #[test]
    fn exports_are_held_to_the_granted_types() {
        let now = time::OffsetDateTime::now_utc();
        let patients = Scopes::parse("system/Patient.read").unwrap();
        let default = crate::export::parse_query("", now, V1).unwrap();
        assert_eq!(
            patients.restrict(default).unwrap().types,
            [ResourceType::Patient]
        );
        let eob =
            crate::export::parse_query("_type=ExplanationOfBenefit,Patient", now, V1).unwrap();
        assert_eq!(
            patients.restrict(eob),
            Err(NotPermitted(ResourceType::ExplanationOfBenefit))
        );
        let everything = crate::export::parse_query("", now, V1).unwrap();
        assert_eq!(
            Scopes::all().restrict(everything).unwrap().types,
            ResourceType::ADJUDICATED
        );
    }

    #[test]
    fn a_v3_export_left_without_eobs_has_no_filter_and_no_warning() {
        let now = time::OffsetDateTime::now_utc();
        let v3 = crate::export::Offer::to(crate::ApiVersion::V3, "A9990");
        let default = crate::export::parse_query("", now, v3).unwrap();
        assert!(default.default_system_type);
        let patients = Scopes::parse("system/Patient.read")
            .unwrap()
            .restrict(default)
            .unwrap();
        assert_eq!(patients.types, [ResourceType::Patient]);
        assert_eq!(patients.eob_filter, None);
        assert!(!patients.default_system_type);
    }

    #[test]
    fn writes_other_contexts_and_unknown_types_are_refused() {
        for refused in [
            "",
            "system/*.write",
            "system/*.cruds",
            "user/*.read",
            "system/Observation.read",
            "system/*.read patient/*.read",
            "system/Patient",
        ] {
            assert!(Scopes::parse(refused).is_err(), "{refused:?}");
        }
    }
}
