//! The CapabilityStatement served at `/api/{v}/metadata`, shaped exactly as the sandbox
//! guide prints it, with every URL built from the server's public base URL.

use serde::Serialize;
use time::Date;
use time::macros::format_description;

use crate::ApiVersion;

/// What the statement says about this particular server.
#[derive(Debug, Clone)]
pub struct ServerInfo<'a> {
    /// Public origin without a trailing slash, e.g. `https://sandbox.bcda.cms.gov`.
    pub base_url: &'a str,
    /// The software version reported in `software.version`.
    pub software_version: &'a str,
    /// The statement's `date` and `software.releaseDate`.
    pub date: Date,
}

/// A FHIR CapabilityStatement for one API version.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilityStatement {
    resource_type: &'static str,
    status: &'static str,
    date: String,
    publisher: &'static str,
    kind: &'static str,
    instantiates: [&'static str; 1],
    software: Software,
    implementation: Implementation,
    fhir_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    accept_unknown: Option<&'static str>,
    format: [&'static str; 2],
    rest: [Rest; 1],
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Software {
    name: &'static str,
    version: String,
    release_date: String,
}

#[derive(Debug, Clone, Serialize)]
struct Implementation {
    url: String,
}

#[derive(Debug, Clone, Serialize)]
struct Rest {
    mode: &'static str,
    security: Security,
    interaction: [Interaction; 2],
    operation: Vec<Operation>,
}

#[derive(Debug, Clone, Serialize)]
struct Security {
    cors: bool,
    service: [CodeableConcept; 2],
}

#[derive(Debug, Clone, Serialize)]
struct CodeableConcept {
    coding: [Coding; 1],
    text: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct Coding {
    system: &'static str,
    code: &'static str,
    display: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct Interaction {
    code: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct Operation {
    name: &'static str,
    definition: Definition,
}

/// STU3 points at an operation with a Reference; R4 with a bare canonical URL.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
enum Definition {
    Reference { reference: String },
    Canonical(String),
}

impl CapabilityStatement {
    /// The statement for `version`, describing the server in `info`.
    pub fn new(version: ApiVersion, info: &ServerInfo<'_>) -> Self {
        let date = format_date(info.date);
        let base = info.base_url.trim_end_matches('/');
        let (instantiates, security_system, accept_unknown) = match version {
            ApiVersion::V1 => (
                "https://fhir.backend.bluebutton.hhsdevcloud.us/baseDstu3/metadata/",
                "http://hl7.org/fhir/ValueSet/restful-security-service",
                Some("extensions"),
            ),
            ApiVersion::V2 => (
                "https://prod-sbx.bfd.cms.gov/v2/fhir/metadata",
                "http://terminology.hl7.org/CodeSystem/restful-security-service",
                None,
            ),
        };
        let api = format!("{base}/api/{version}");
        let operation = |name, url: String| Operation {
            name,
            definition: match version {
                ApiVersion::V1 => Definition::Reference { reference: url },
                ApiVersion::V2 => Definition::Canonical(url),
            },
        };
        let service = |code| CodeableConcept {
            coding: [Coding {
                system: security_system,
                code,
                display: code,
            }],
            text: code,
        };
        CapabilityStatement {
            resource_type: "CapabilityStatement",
            status: "active",
            date: date.clone(),
            publisher: "Centers for Medicare & Medicaid Services",
            kind: "capability",
            instantiates: [instantiates],
            software: Software {
                name: "Beneficiary Claims Data API",
                version: info.software_version.to_owned(),
                release_date: date,
            },
            implementation: Implementation {
                url: base.to_owned(),
            },
            fhir_version: version.fhir_version(),
            accept_unknown,
            format: ["application/json", "application/fhir+json"],
            rest: [Rest {
                mode: "server",
                security: Security {
                    cors: true,
                    service: [service("OAuth"), service("SMART-on-FHIR")],
                },
                interaction: [
                    Interaction { code: "batch" },
                    Interaction {
                        code: "search-system",
                    },
                ],
                operation: vec![
                    operation("export", format!("{api}/Patient/$export")),
                    operation("jobs", format!("{api}/jobs/[jobId]")),
                    operation("metadata", format!("{api}/metadata")),
                    operation("version", format!("{base}/_version")),
                    operation("data", format!("{base}/data/[jobID]/[random_UUID].ndjson")),
                ],
            }],
        }
    }
}

fn format_date(date: Date) -> String {
    // A fixed `[year]-[month]-[day]` description cannot fail to format a valid `Date`.
    date.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn info() -> ServerInfo<'static> {
        ServerInfo {
            base_url: "https://sandbox.bcda.cms.gov/",
            software_version: "latest",
            date: date!(2019 - 12 - 09),
        }
    }

    /// The statement printed in the sandbox guide, copied verbatim.
    const GUIDE_V1: &str = include_str!("../../tests/fixtures/guide-capability-statement-v1.json");

    #[test]
    fn v1_statement_is_the_one_in_the_sandbox_guide() {
        let ours = serde_json::to_value(CapabilityStatement::new(ApiVersion::V1, &info())).unwrap();
        let guide: serde_json::Value = serde_json::from_str(GUIDE_V1).unwrap();
        assert_eq!(ours, guide);
    }

    #[test]
    fn v2_statement_is_r4_with_canonical_operation_urls() {
        let ours = serde_json::to_value(CapabilityStatement::new(ApiVersion::V2, &info())).unwrap();
        assert_eq!(ours["fhirVersion"], "4.0.1");
        assert!(
            ours.get("acceptUnknown").is_none(),
            "R4 removed acceptUnknown"
        );
        assert_eq!(
            ours["rest"][0]["operation"][0]["definition"],
            "https://sandbox.bcda.cms.gov/api/v2/Patient/$export"
        );
    }
}
