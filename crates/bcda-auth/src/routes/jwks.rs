//! `GET /auth/.well-known/jwks.json`: the public keys access tokens verify with.

use actix_web::get;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpResponse, web};
use bcda_infra::http::FhirError;
use bcda_model::ApiVersion;

use crate::service::TokenService;

/// The public keys access tokens are signed with (JWKS)
#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    tag = "Authentication",
    responses((status = 200, description = "A JSON Web Key Set", content_type = "application/json"))
)]
#[get("/.well-known/jwks.json")]
pub async fn get(service: web::Data<TokenService>) -> Result<HttpResponse, FhirError> {
    // Make sure a key exists, so a verifier never sees an empty set on a fresh install.
    service
        .keys()
        .current()
        .await
        .map_err(|e| FhirError::internal(ApiVersion::V1, &e))?;
    let jwks = service
        .keys()
        .jwks()
        .await
        .map_err(|e| FhirError::internal(ApiVersion::V1, &e))?;
    Ok(HttpResponse::Ok()
        // Short, so verifiers pick up a rotation quickly even through caches.
        .insert_header((CACHE_CONTROL, "public, max-age=60"))
        .json(jwks))
}
