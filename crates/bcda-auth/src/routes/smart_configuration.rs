//! `GET /.well-known/smart-configuration`: how SMART Backend Services clients get
//! tokens here.

use actix_web::{HttpResponse, get};
use bcda_infra::http::PublicBase;
use serde_json::json;

use crate::assertion::SUPPORTED_SCOPES;

/// How SMART Backend Services clients get tokens here
#[utoipa::path(
    get,
    path = "/.well-known/smart-configuration",
    tag = "Authentication",
    responses((status = 200, description = "Token endpoint, JWKS, grant types, scopes and signing algorithms", content_type = "application/json"))
)]
#[get("/.well-known/smart-configuration")]
pub async fn get(base: PublicBase) -> HttpResponse {
    configuration(&base)
}

/// The same under each API version, where FHIR clients look for it.
#[utoipa::path(
    get,
    path = "/api/{version}/.well-known/smart-configuration",
    tag = "Authentication",
    params(("version" = String, Path, description = "`v1` or `v2`")),
    responses((status = 200, description = "As `/.well-known/smart-configuration`", content_type = "application/json"))
)]
#[get("/api/{version:v[123]}/.well-known/smart-configuration")]
pub async fn get_versioned(base: PublicBase) -> HttpResponse {
    configuration(&base)
}

fn configuration(base: &PublicBase) -> HttpResponse {
    let base = base.as_str();
    HttpResponse::Ok().json(json!({
        "token_endpoint": format!("{base}/auth/token"),
        "jwks_uri": format!("{base}/auth/.well-known/jwks.json"),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_basic"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS384", "ES384"],
        "scopes_supported": SUPPORTED_SCOPES,
        "capabilities": ["client-confidential-asymmetric"],
    }))
}
