//! The shapes of every response body, as JSON Schemas in the documents' components, and
//! the typed parameters: what lets a client generator type its responses and a fuzzer
//! (the schemathesis test) check each response against its documentation.
//!
//! The handlers' annotations say which statuses an operation answers with and in which
//! media type; [`describe`] then gives each response its schema by one rule: a FHIR
//! error (`application/fhir+json`, status 400 and up) is an OperationOutcome, and each
//! success body is named in [`SUCCESS_BODIES`]. A response with content but no schema
//! fails a unit test, so a new route cannot go undescribed.

use serde_json::{Value, json};
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{RefOr, Required};

/// The success bodies: (method, path, status) to component schema. Paths are the
/// documented ones (`/api/v1/...`, `/api/v2/...` and `/api/v3/...` share entries
/// through `{v}`).
const SUCCESS_BODIES: [(&str, &str, &str, &str); 11] = [
    ("get", "/api/{v}/jobs/{id}", "200", "Manifest"),
    ("get", "/api/{v}/jobs", "200", "TaskBundle"),
    ("get", "/api/{v}/metadata", "200", "CapabilityStatement"),
    (
        "get",
        "/api/{v}/attribution_status",
        "200",
        "AttributionStatus",
    ),
    ("post", "/auth/token", "200", "AccessToken"),
    ("get", "/auth/.well-known/jwks.json", "200", "Jwks"),
    (
        "get",
        "/.well-known/smart-configuration",
        "200",
        "SmartConfiguration",
    ),
    (
        "get",
        "/api/{version}/.well-known/smart-configuration",
        "200",
        "SmartConfiguration",
    ),
    ("get", "/_health", "200", "Health"),
    ("get", "/_health", "503", "Health"),
    ("get", "/_version", "200", "Version"),
];

/// Adds the component schemas, gives every response its body schema and types the
/// parameters whose values are fixed.
pub fn describe(document: &mut Document) {
    let components = document.components.get_or_insert_with(Default::default);
    for (name, schema) in components_json() {
        if let Ok(schema) = serde_json::from_value::<Schema>(schema) {
            components.schemas.insert(name.to_owned(), RefOr::T(schema));
        }
    }
    for (path, item) in document.paths.paths.iter_mut() {
        let template = path
            .replace("/api/v1/", "/api/{v}/")
            .replace("/api/v2/", "/api/{v}/")
            .replace("/api/v3/", "/api/{v}/");
        for (method, operation) in operations(item) {
            for (status, response) in operation.responses.responses.iter_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                let fhir_error = status.parse::<u16>().is_ok_and(|s| s >= 400);
                for (media_type, content) in response.content.iter_mut() {
                    let RefOr::T(content) = content else { continue };
                    let named = SUCCESS_BODIES
                        .iter()
                        .find(|(m, p, s, _)| *m == method && *p == template && s == status)
                        .map(|(_, _, _, name)| *name)
                        .or((fhir_error && media_type == "application/fhir+json")
                            .then_some("OperationOutcome"))
                        .or(
                            (method == "post" && template == "/auth/token" && fhir_error)
                                .then_some("OAuthError"),
                        );
                    if let Some(name) = named {
                        content.schema =
                            Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(name)));
                    }
                }
            }
            for parameter in operation.parameters.iter_mut().flatten() {
                let RefOr::T(parameter) = parameter else {
                    continue;
                };
                if let Some(schema) = parameter_schema(&parameter.name) {
                    parameter.schema = serde_json::from_value(schema).ok();
                    if parameter.name == "Accept" || parameter.name == "Prefer" {
                        parameter.required = Required::True;
                    }
                }
            }
        }
    }
}

/// Each operation of a path item with its lowercase method.
fn operations(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = (&'static str, &mut utoipa::openapi::path::Operation)> {
    [
        ("get", item.get.as_mut()),
        ("put", item.put.as_mut()),
        ("post", item.post.as_mut()),
        ("delete", item.delete.as_mut()),
        ("head", item.head.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.map(|op| (method, op)))
}

/// The schema of a parameter whose values are a closed set or a number.
fn parameter_schema(name: &str) -> Option<Value> {
    Some(match name {
        "Accept" => json!({"type": "string", "enum": ["application/fhir+json"]}),
        "Prefer" => json!({"type": "string", "enum": ["respond-async"]}),
        "_outputFormat" => json!({
            "type": "string",
            "enum": ["application/fhir+ndjson", "application/ndjson", "ndjson"]
        }),
        "_since" => json!({"type": "string", "format": "date-time"}),
        "id" | "job_id" => json!({"type": "integer", "format": "int64", "minimum": 1}),
        "group_id" => json!({"type": "string", "enum": ["all", "runout"]}),
        "version" => json!({"type": "string", "enum": ["v1", "v2", "v3"]}),
        _ => return None,
    })
}

/// The component schemas, by name.
fn components_json() -> Vec<(&'static str, Value)> {
    let string = json!({"type": "string"});
    let coding = json!({
        "type": "object",
        "properties": {"system": string, "code": string, "display": string}
    });
    vec![
        (
            "OperationOutcome",
            json!({
                "type": "object",
                "description": "A FHIR OperationOutcome: v1 carries `diagnostics`, v2 adds `details`, v3 `details.text` only beside `diagnostics`",
                "required": ["resourceType", "issue"],
                "properties": {
                    "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
                    "issue": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["severity", "code", "diagnostics"],
                            "properties": {
                                "severity": {"type": "string", "enum": ["fatal", "error", "warning", "information"]},
                                "code": string,
                                "diagnostics": string,
                                "details": {
                                    "type": "object",
                                    "properties": {
                                        "coding": {"type": "array", "items": coding},
                                        "text": string
                                    }
                                }
                            }
                        }
                    }
                }
            }),
        ),
        (
            "Manifest",
            json!({
                "type": "object",
                "description": "The bulk data manifest of a completed job, or a page of a partial one (`allowPartialManifests`)",
                "required": ["transactionTime", "request", "requiresAccessToken", "output", "error", "JobID"],
                "properties": {
                    "transactionTime": {"type": "string", "format": "date-time"},
                    "request": string,
                    "requiresAccessToken": {"type": "boolean"},
                    "outputOrganizedBy": {"type": "string", "enum": ["Patient"], "description": "Present when the kick-off asked for `organizeOutputBy=Patient`"},
                    "output": {"type": "array", "items": {"$ref": "#/components/schemas/ManifestFile"}},
                    "error": {"type": "array", "items": {"$ref": "#/components/schemas/ManifestFile"}},
                    "link": {
                        "type": "array",
                        "description": "The next page of a paged manifest",
                        "items": {
                            "type": "object",
                            "required": ["relation", "url"],
                            "properties": {"relation": {"type": "string", "enum": ["next"]}, "url": string}
                        }
                    },
                    "JobID": {"type": "integer", "format": "int64"}
                }
            }),
        ),
        (
            "ManifestFile",
            json!({
                "type": "object",
                "required": ["url", "count"],
                "properties": {
                    "type": {"type": "string", "enum": ["ExplanationOfBenefit", "Patient", "Coverage", "Claim", "ClaimResponse", "OperationOutcome"], "description": "Absent from the output files of a job organized by patient"},
                    "url": string,
                    "count": {"type": "integer", "description": "Lines (resources) in the file"}
                }
            }),
        ),
        (
            "TaskBundle",
            json!({
                "type": "object",
                "description": "A searchset Bundle of Task resources, one per export job",
                "required": ["resourceType", "type", "entry"],
                "properties": {
                    "resourceType": {"type": "string", "enum": ["Bundle"]},
                    "type": {"type": "string", "enum": ["searchset"]},
                    "total": {"type": "integer"},
                    "entry": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["resource"],
                            "properties": {
                                "resource": {
                                    "type": "object",
                                    "required": ["resourceType", "status", "intent", "identifier", "input", "executionPeriod"],
                                    "properties": {
                                        "resourceType": {"type": "string", "enum": ["Task"]},
                                        "status": string,
                                        "intent": string,
                                        "identifier": {"type": "array"},
                                        "input": {"type": "array"},
                                        "executionPeriod": {
                                            "type": "object",
                                            "required": ["start"],
                                            "properties": {"start": string, "end": string}
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }),
        ),
        (
            "CapabilityStatement",
            json!({
                "type": "object",
                "description": "The FHIR CapabilityStatement of this version (STU3 or R4)",
                "required": ["resourceType", "fhirVersion", "rest"],
                "properties": {
                    "resourceType": {"type": "string", "enum": ["CapabilityStatement"]},
                    "fhirVersion": string,
                    "rest": {"type": "array"}
                }
            }),
        ),
        (
            "AttributionStatus",
            json!({
                "type": "object",
                "required": ["ingestion_dates"],
                "properties": {
                    "ingestion_dates": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["type", "timestamp"],
                            "properties": {
                                "type": {"type": "string", "enum": ["last_attribution_update", "last_runout_update"]},
                                "timestamp": {"type": "string", "format": "date-time"}
                            }
                        }
                    }
                }
            }),
        ),
        (
            "AccessToken",
            json!({
                "type": "object",
                "required": ["access_token", "token_type", "expires_in"],
                "properties": {
                    "access_token": string,
                    "token_type": {"type": "string", "enum": ["bearer"]},
                    "expires_in": {
                        "description": "Seconds: a string for Basic credentials (BCDA's form), a number for client assertions",
                        "oneOf": [{"type": "string", "pattern": "^[0-9]+$"}, {"type": "integer"}]
                    },
                    "scope": string
                }
            }),
        ),
        (
            "OAuthError",
            json!({
                "type": "object",
                "description": "An RFC 6749 error (client assertions)",
                "required": ["error"],
                "properties": {"error": string, "error_description": string}
            }),
        ),
        (
            "Jwks",
            json!({
                "type": "object",
                "required": ["keys"],
                "properties": {"keys": {"type": "array", "items": {"type": "object", "required": ["kty"]}}}
            }),
        ),
        (
            "SmartConfiguration",
            json!({
                "type": "object",
                "required": ["token_endpoint", "grant_types_supported"],
                "properties": {
                    "token_endpoint": string,
                    "jwks_uri": string,
                    "grant_types_supported": {"type": "array", "items": string},
                    "scopes_supported": {"type": "array", "items": string}
                }
            }),
        ),
        (
            "Health",
            json!({
                "type": "object",
                "description": "Each dependency this service checks: ok or down",
                "additionalProperties": {"type": "string", "enum": ["ok", "down"]}
            }),
        ),
        (
            "Version",
            json!({
                "type": "object",
                "required": ["version", "revision"],
                "properties": {"version": string, "revision": string}
            }),
        ),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_response_with_a_body_has_a_schema() {
        let document = serde_json::to_value(crate::openapi::document()).unwrap();
        let mut undescribed = Vec::new();
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                for (status, response) in operation["responses"].as_object().unwrap() {
                    for (media_type, content) in
                        response["content"].as_object().into_iter().flatten()
                    {
                        let opaque = media_type.contains("ndjson") || media_type == "text/plain";
                        if !opaque && content.get("schema").is_none() {
                            undescribed.push(format!("{method} {path} {status} {media_type}"));
                        }
                    }
                }
            }
        }
        assert!(undescribed.is_empty(), "{undescribed:#?}");
    }

    #[test]
    fn job_ids_are_typed_as_integers() {
        let document = serde_json::to_value(crate::openapi::document()).unwrap();
        let parameters = &document["paths"]["/api/v1/jobs/{id}"]["get"]["parameters"];
        assert_eq!(parameters[0]["schema"]["type"], "integer", "{parameters}");
    }
}
