//! The CapabilityStatement served at `/api/{v}/metadata`, with every URL built from the
//! server's public base URL: for v1 (STU3) exactly as the sandbox guide prints it, for v2
//! (R4) in the shape BCDA's own v2 statement has (an `instance` that instantiates the Bulk
//! Data IG's statement, the SMART `oauth-uris` token endpoint, and the Patient and Group
//! `$export` operations by their HL7 definitions).

use serde::Serialize;
use time::OffsetDateTime;
use time::macros::format_description;

use crate::ApiVersion;

/// What the statement says about this particular server.
#[derive(Debug, Clone)]
pub struct ServerInfo<'a> {
    /// Public origin without a trailing slash, e.g. `https://sandbox.bcda.cms.gov`.
    pub base_url: &'a str,
    /// The software version reported in `software.version`.
    pub software_version: &'a str,
    /// The statement's `date` and `software.releaseDate` (v1: the day; v2: to the
    /// second, as BCDA's R4 statement has them).
    pub generated: OffsetDateTime,
}

/// A FHIR CapabilityStatement for one API version.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum CapabilityStatement {
    Stu3(Stu3Statement),
    R4(R4Statement),
}

/// The v1 statement, as the sandbox guide prints it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stu3Statement {
    resource_type: &'static str,
    status: &'static str,
    date: String,
    publisher: &'static str,
    kind: &'static str,
    instantiates: [&'static str; 1],
    software: Software,
    implementation: Implementation,
    fhir_version: &'static str,
    accept_unknown: &'static str,
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
    definition: Reference,
}

/// STU3 points at an operation with a Reference.
#[derive(Debug, Clone, Serialize)]
struct Reference {
    reference: String,
}

/// Who publishes the statement, in both versions.
const PUBLISHER: &str = "Centers for Medicare & Medicaid Services";

/// The formats both statements list.
const FORMATS: [&str; 2] = ["application/json", "application/fhir+json"];

/// The v2 statement, in the shape of BCDA's R4 statement.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct R4Statement {
    resource_type: &'static str,
    status: &'static str,
    date: String,
    publisher: &'static str,
    kind: &'static str,
    instantiates: [&'static str; 2],
    software: Software,
    implementation: R4Implementation,
    fhir_version: &'static str,
    format: [&'static str; 2],
    rest: [R4Rest; 1],
}

#[derive(Debug, Clone, Serialize)]
struct R4Implementation {
    description: &'static str,
    url: String,
}

#[derive(Debug, Clone, Serialize)]
struct R4Rest {
    mode: &'static str,
    security: R4Security,
    interaction: [Interaction; 2],
    resource: Vec<R4Resource>,
}

#[derive(Debug, Clone, Serialize)]
struct R4Security {
    cors: bool,
    service: [CodeableConcept; 1],
    extension: [OAuthUris; 1],
}

/// The SMART `oauth-uris` extension: where the token endpoint is.
#[derive(Debug, Clone, Serialize)]
struct OAuthUris {
    url: &'static str,
    extension: [UriExtension; 1],
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct UriExtension {
    url: &'static str,
    value_uri: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct R4Resource {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    search_param: Vec<SearchParam>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    operation: Vec<R4Operation>,
}

#[derive(Debug, Clone, Serialize)]
struct R4Operation {
    name: &'static str,
    definition: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    documentation: Option<&'static str>,
}

/// A search parameter v3 documents for its exports and for the EOBs they select.
#[derive(Debug, Clone, Serialize)]
struct SearchParam {
    name: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    documentation: &'static str,
}

impl SearchParam {
    const fn new(name: &'static str, kind: &'static str, documentation: &'static str) -> Self {
        SearchParam {
            name,
            kind,
            documentation,
        }
    }
}

/// v3's export parameters.
const V3_EXPORT_PARAMS: [SearchParam; 3] = [
    SearchParam::new(
        "_since",
        "date",
        "Only resources updated after this FHIR instant.",
    ),
    SearchParam::new(
        "_type",
        "string",
        "Comma-separated resource types: ExplanationOfBenefit, Patient, Coverage.",
    ),
    SearchParam::new(
        "_typeFilter",
        "string",
        "One ExplanationOfBenefit filter, e.g. ExplanationOfBenefit?_tag=https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|SharedSystem, of the ExplanationOfBenefit search parameters _tag, outcome and service-date.",
    ),
];

/// The ExplanationOfBenefit search parameters a v3 `_typeFilter` takes, with BCDA's
/// documentation of each.
const V3_EOB_PARAMS: [SearchParam; 3] = [
    SearchParam::new(
        "_tag",
        "token",
        "Filter ExplanationOfBenefit by the meta.tag element. Pass full token as <system>|<code>. Supported codes in the 'https://bluebutton.cms.gov/fhir/CodeSystem/System-Type' system are: 'SharedSystem', 'NationalClaimsHistory', and 'DDPS'. By Default, only NationalClaimsHistory and DDPS claims will be returned.",
    ),
    SearchParam::new(
        "outcome",
        "token",
        "Filter ExplanationOfBenefit by the outcome element. Supported values: 'partial' and 'complete'.",
    ),
    SearchParam::new(
        "service-date",
        "date",
        "Filter ExplanationOfBenefit based on the claim's service date. The service date is the date that the care occurred within a billable period. This is a FHIR date param format (ex. `gt2026-01-14`)",
    ),
];

impl R4Statement {
    /// v2's and v3's statement, both R4. v3 instantiates Blue Button's v3, names both
    /// operations `export`, documents BCDA's default System-Type filter and lists the
    /// ExplanationOfBenefit search parameters `_typeFilter` takes.
    fn new(version: ApiVersion, info: &ServerInfo<'_>) -> Self {
        let base = info.base_url.trim_end_matches('/');
        let date = format_instant(info.generated);
        let export = |kind, name, definition| R4Resource {
            kind,
            search_param: Vec::new(),
            operation: vec![R4Operation {
                name,
                definition,
                documentation: None,
            }],
        };
        // v3 names both operations `export`, documents BCDA's default filter, and lists
        // the export's parameters.
        let v3_export = |kind, definition, documentation| R4Resource {
            kind,
            search_param: V3_EXPORT_PARAMS.to_vec(),
            operation: vec![R4Operation {
                name: "export",
                definition,
                documentation: Some(documentation),
            }],
        };
        R4Statement {
            resource_type: "CapabilityStatement",
            status: "active",
            date: date.clone(),
            publisher: PUBLISHER,
            kind: "instance",
            instantiates: [
                match version {
                    ApiVersion::V3 => "https://prod-sbx.bfd.cms.gov/v3/fhir/metadata",
                    _ => "https://prod-sbx.bfd.cms.gov/v2/fhir/metadata",
                },
                "http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data",
            ],
            software: Software {
                name: "Beneficiary Claims Data API",
                version: info.software_version.to_owned(),
                release_date: date,
            },
            implementation: R4Implementation {
                description: "The Beneficiary Claims Data API (BCDA) enables Accountable Care \
                    Organizations (ACOs) participating in the Shared Savings Program to retrieve \
                    Medicare Part A, Part B, and Part D claims data for their prospectively \
                    assigned or assignable beneficiaries.",
                url: base.to_owned(),
            },
            fhir_version: version.fhir_version(),
            format: FORMATS,
            rest: [R4Rest {
                mode: "server",
                security: R4Security {
                    cors: true,
                    service: [CodeableConcept {
                        coding: [Coding {
                            system: "http://terminology.hl7.org/CodeSystem/restful-security-service",
                            code: "OAuth",
                            display: "OAuth",
                        }],
                        text: "OAuth",
                    }],
                    extension: [OAuthUris {
                        url: "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                        extension: [UriExtension {
                            url: "token",
                            value_uri: format!("{base}/auth/token"),
                        }],
                    }],
                },
                interaction: [
                    Interaction { code: "batch" },
                    Interaction {
                        code: "search-system",
                    },
                ],
                resource: match version {
                    ApiVersion::V3 => vec![
                        v3_export(
                            "Patient",
                            "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export",
                            "By default, the patient $export will return ExplanationOfBenefit resources with a meta.tag with a system of 'https://bluebutton.cms.gov/fhir/CodeSystem/System-Type' and code of either NationalClaimsHistory or DDPS. In order to return ExplanationOfBenefit resources with other system types (like SharedSystem), use the _typeFilter parameter.",
                        ),
                        v3_export(
                            "Group",
                            "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export",
                            "By default, the group $export will return ExplanationOfBenefit resources with a meta.tag with a system of 'https://bluebutton.cms.gov/fhir/CodeSystem/System-Type' and code of either NationalClaimsHistory or DDPS. In order to return ExplanationOfBenefit resources with other system types (like SharedSystem), use the _typeFilter parameter.",
                        ),
                        R4Resource {
                            kind: "ExplanationOfBenefit",
                            search_param: V3_EOB_PARAMS.to_vec(),
                            operation: Vec::new(),
                        },
                    ],
                    _ => vec![
                        export(
                            "Patient",
                            "patient-export",
                            "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export",
                        ),
                        export(
                            "Group",
                            "group-export",
                            "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export",
                        ),
                    ],
                },
            }],
        }
    }
}

impl CapabilityStatement {
    /// The statement for `version`, describing the server in `info`.
    pub fn new(version: ApiVersion, info: &ServerInfo<'_>) -> Self {
        match version {
            ApiVersion::V1 => CapabilityStatement::Stu3(Stu3Statement::new(info)),
            ApiVersion::V2 | ApiVersion::V3 => {
                CapabilityStatement::R4(R4Statement::new(version, info))
            }
        }
    }
}

impl Stu3Statement {
    fn new(info: &ServerInfo<'_>) -> Self {
        let version = ApiVersion::V1;
        let date = format_date(info.generated);
        let base = info.base_url.trim_end_matches('/');
        let security_system = "http://hl7.org/fhir/ValueSet/restful-security-service";
        let api = format!("{base}/api/{version}");
        let operation = |name, url: String| Operation {
            name,
            definition: Reference { reference: url },
        };
        let service = |code| CodeableConcept {
            coding: [Coding {
                system: security_system,
                code,
                display: code,
            }],
            text: code,
        };
        Stu3Statement {
            resource_type: "CapabilityStatement",
            status: "active",
            date: date.clone(),
            publisher: PUBLISHER,
            kind: "capability",
            instantiates: ["https://fhir.backend.bluebutton.hhsdevcloud.us/baseDstu3/metadata/"],
            software: Software {
                name: "Beneficiary Claims Data API",
                version: info.software_version.to_owned(),
                release_date: date,
            },
            implementation: Implementation {
                url: base.to_owned(),
            },
            fhir_version: version.fhir_version(),
            accept_unknown: "extensions",
            format: FORMATS,
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

fn format_date(at: OffsetDateTime) -> String {
    // A fixed description cannot fail to format a valid date.
    at.date()
        .format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// `at` in UTC to the second, e.g. `2026-11-28T07:00:00Z`.
fn format_instant(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn info() -> ServerInfo<'static> {
        ServerInfo {
            base_url: "https://sandbox.bcda.cms.gov/",
            software_version: "latest",
            generated: datetime!(2019-12-09 20:44:01 UTC),
        }
    }

    /// The statement printed in the sandbox guide, copied verbatim.
    const GUIDE_V1: &str = include_str!("../../tests/fixtures/guide-capability-statement-v1.json");

    #[test]
    fn v3_names_its_operations_export_and_documents_the_eob_filter() {
        let v3 = serde_json::to_value(CapabilityStatement::new(ApiVersion::V3, &info())).unwrap();
        assert_eq!(v3["fhirVersion"], "4.0.1");
        assert_eq!(
            v3["instantiates"][0],
            "https://prod-sbx.bfd.cms.gov/v3/fhir/metadata"
        );
        let resources = v3["rest"][0]["resource"].as_array().unwrap();
        let types: Vec<&str> = resources
            .iter()
            .map(|r| r["type"].as_str().unwrap())
            .collect();
        assert_eq!(types, ["Patient", "Group", "ExplanationOfBenefit"]);
        for export in &resources[..2] {
            assert_eq!(export["operation"][0]["name"], "export");
            assert!(
                export["operation"][0]["documentation"]
                    .as_str()
                    .unwrap()
                    .contains("use the _typeFilter parameter")
            );
        }
        let eob_params: Vec<&str> = resources[2]["searchParam"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(eob_params, ["_tag", "outcome", "service-date"]);
        // v2 keeps BCDA's v2 statement: no search parameters, operations by kind.
        let v2 = serde_json::to_value(CapabilityStatement::new(ApiVersion::V2, &info())).unwrap();
        assert_eq!(
            v2["rest"][0]["resource"][0]["operation"][0]["name"],
            "patient-export"
        );
        assert!(v2["rest"][0]["resource"][0].get("searchParam").is_none());
    }

    #[test]
    fn v1_statement_is_the_one_in_the_sandbox_guide() {
        let ours = serde_json::to_value(CapabilityStatement::new(ApiVersion::V1, &info())).unwrap();
        let guide: serde_json::Value = serde_json::from_str(GUIDE_V1).unwrap();
        assert_eq!(ours, guide);
    }

    #[test]
    fn v2_statement_is_an_r4_instance_of_the_bulk_data_statement_as_bcda_serves_it() {
        let ours = serde_json::to_value(CapabilityStatement::new(ApiVersion::V2, &info())).unwrap();
        assert_eq!(ours["fhirVersion"], "4.0.1");
        assert_eq!(ours["kind"], "instance");
        assert_eq!(ours["date"], "2019-12-09T20:44:01Z");
        assert_eq!(
            ours["instantiates"][1],
            "http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data"
        );
        let security = &ours["rest"][0]["security"];
        assert_eq!(
            security["extension"][0]["url"],
            "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
        );
        assert_eq!(security["extension"][0]["extension"][0]["url"], "token");
        assert_eq!(
            security["extension"][0]["extension"][0]["valueUri"],
            "https://sandbox.bcda.cms.gov/auth/token"
        );
        let resources = &ours["rest"][0]["resource"];
        assert_eq!(resources[0]["type"], "Patient");
        assert_eq!(
            resources[0]["operation"][0]["definition"],
            "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"
        );
        assert_eq!(resources[1]["type"], "Group");
        assert_eq!(resources[1]["operation"][0]["name"], "group-export");
        assert!(
            ours.get("acceptUnknown").is_none(),
            "R4 removed acceptUnknown"
        );
    }
}
