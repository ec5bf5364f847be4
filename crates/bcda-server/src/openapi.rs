//! The OpenAPI 3 documents and Swagger UI at `/api/v1/swagger` and `/api/v2/swagger`,
//! with the raw documents at `/api/v1/openapi.json` and `/api/v2/openapi.json`.
//!
//! The paths come from the same `service(...)` calls that register the routes (every
//! handler carries its `#[utoipa::path]`), collected by building the route groups of
//! `bcda serve all` once without serving them. So the document of an API process also
//! covers the auth and file-server routes it shares an origin with, and cannot drift
//! from what is served.

use actix_web::http::header::LOCATION;
use actix_web::{App, HttpResponse, get, web};
use bcda_model::ApiVersion;
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt as _;
use utoipa_swagger_ui::SwaggerUi;

use crate::Role;

mod schemas;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Beneficiary Claims Data API",
        description = "Medicare claims for Accountable Care Organizations as FHIR resources in NDJSON, through the FHIR Bulk Data `$export` flow: get a token, kick off an export, poll the job, download the files."
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "Authentication", description = "Access tokens for API clients"),
        (name = "Bulk Data", description = "Start exports and download their files"),
        (name = "Jobs", description = "Follow, list and cancel export jobs"),
        (name = "Attribution", description = "When the ACO's data were loaded"),
        (name = "Metadata", description = "What this server supports"),
        (name = "Operations", description = "Version, health and metrics of each service")
    )
)]
struct ApiDoc;

/// `basic` (client id and secret, for `/auth/token`) and `bearer` (the access token).
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Every route of `bcda serve all`, documented.
pub fn document() -> Document {
    document_of(Role::All)
}

/// Every route a process of `role` serves, documented.
pub fn document_of(role: Role) -> Document {
    let (_, document) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::ops::configure(Vec::new(), false))
        .configure(|cfg| crate::register_routes(role, cfg))
        .split_for_parts();
    let mut document = document;
    schemas::describe(&mut document);
    document
}

/// The document of one API version: every route but the other versions'.
pub fn for_version(all: &Document, version: ApiVersion) -> Document {
    let mut document = all.clone();
    let others: Vec<String> = ApiVersion::ALL
        .into_iter()
        .filter(|v| *v != version)
        .map(|v| format!("/api/{v}/"))
        .collect();
    document
        .paths
        .paths
        .retain(|path, _| !others.iter().any(|other| path.starts_with(other)));
    document.info.version = version.as_str().to_owned();
    document.info.title = format!(
        "{} {} (FHIR {})",
        document.info.title,
        version.as_str(),
        match version {
            ApiVersion::V1 => "STU3",
            ApiVersion::V2 => "R4",
            ApiVersion::V3 => "R4, Blue Button v3",
        }
    );
    document
}

/// The API documentation (Swagger UI) of a version
///
/// The address the sandbox guide links; the UI itself is at `/api/{version}/swagger/`
/// and its OpenAPI document at `/api/{version}/openapi.json`.
#[utoipa::path(
    get,
    path = "/api/{version}/swagger",
    tag = "Metadata",
    params(("version" = String, Path, description = "`v1` or `v2`")),
    responses((status = 308, description = "To the Swagger UI"))
)]
#[get("/api/{version:v[123]}/swagger")]
pub async fn swagger(version: web::Path<String>) -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((LOCATION, format!("/api/{version}/swagger/")))
        .finish()
}

/// Swagger UI for `version` at `/api/{version}/swagger/`, its document at
/// `/api/{version}/openapi.json`. The UI's assets are compiled into the binary.
pub fn swagger_ui(all: &Document, version: ApiVersion) -> SwaggerUi {
    let v = version.as_str();
    SwaggerUi::new(format!("/api/{v}/swagger/{{_:.*}}"))
        .url(format!("/api/{v}/openapi.json"), for_version(all, version))
}
