//! The bearer-token extractor every protected route takes as an argument.

use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, web};
use bcda_model::ApiVersion;

use super::FhirError;
use crate::AppContext;
use crate::auth::{AuthError, Principal};

/// The ACO a request acts for, proven by a valid bearer token of an allowed client.
///
/// Rejections are OperationOutcomes in the version of the route: `401` "Invalid Token"
/// for any token problem (clients learn nothing about which), `403` for a denied ACO.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Principal);

impl FromRequest for Authenticated {
    type Error = FhirError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let version = req
            .app_data::<web::Data<ApiVersion>>()
            .map(|v| *v.get_ref())
            .unwrap_or(ApiVersion::V1);
        let token = bearer_token(req).map(str::to_owned);
        let ctx = req.app_data::<web::Data<AppContext>>().cloned();
        Box::pin(async move {
            let invalid = || FhirError::new(version, StatusCode::UNAUTHORIZED, "Invalid Token");
            let token = token.ok_or_else(invalid)?;
            let ctx = ctx.ok_or_else(|| {
                FhirError::new(
                    version,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server misconfigured",
                )
            })?;
            match ctx.verifier.verify(&token).await {
                Ok(principal) => Ok(Authenticated(principal)),
                Err(AuthError::Invalid(reason)) => {
                    tracing::info!(reason, "rejected bearer token");
                    Err(invalid())
                }
                Err(AuthError::Denied(cms_id)) => Err(aco_denied(version, &cms_id)),
                Err(e @ AuthError::Unavailable(_)) => Err(FhirError::unavailable(version, &e)),
            }
        })
    }
}

/// The answer to any request of a denied (BCDA: denylisted) ACO, in BCDA's words.
pub fn aco_denied(version: ApiVersion, cms_id: &str) -> FhirError {
    FhirError::new(
        version,
        StatusCode::FORBIDDEN,
        format!("ACO (CMS_ID: {cms_id}) is unauthorized"),
    )
}

impl Authenticated {
    /// Whether the ACO may export on `version`: on v3 only an ACO with v3 access.
    /// As BCDA's `V3AccessControl`, the kick-offs and the job list check it before any
    /// parameter; a job's status, its cancel, attribution status and metadata do not.
    pub fn require_access_to(&self, version: ApiVersion) -> Result<(), FhirError> {
        if version == ApiVersion::V3 && !self.0.v3_enabled {
            return Err(FhirError::new(
                version,
                StatusCode::FORBIDDEN,
                "V3 access not enabled for this ACO",
            ));
        }
        Ok(())
    }
}

/// The token of an `Authorization: Bearer <token>` header; the scheme is
/// case-insensitive, as RFC 6750 allows.
fn bearer_token(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
