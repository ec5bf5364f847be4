//! `GET /.well-known/smart-configuration`: how SMART Backend Services clients get
//! tokens here.

use actix_web::HttpResponse;
use bcda_infra::http::PublicBase;
use serde_json::json;

use crate::assertion::SUPPORTED_SCOPES;

pub async fn get(base: PublicBase) -> HttpResponse {
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
