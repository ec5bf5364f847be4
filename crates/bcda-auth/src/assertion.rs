//! SMART Backend Services client authentication: a client proves itself with a JWT it
//! signed with one of the public keys it registered (RFC 7523, SMART App Launch
//! "client-confidential-asymmetric").

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// The `client_assertion_type` of a JWT bearer assertion.
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The longest an assertion may live: SMART says five minutes.
pub const MAX_LIFETIME_SECS: i64 = 300;

/// Tolerated clock difference between a client and this server.
const LEEWAY_SECS: i64 = 5;

/// Algorithms SMART requires servers to accept.
pub const ALGORITHMS: [Algorithm; 2] = [Algorithm::RS384, Algorithm::ES384];

/// Scopes a backend client may be granted: read access to everything it may export.
pub const SUPPORTED_SCOPES: [&str; 12] = [
    "system/*.read",
    "system/*.rs",
    "system/Patient.read",
    "system/Patient.rs",
    "system/ExplanationOfBenefit.read",
    "system/ExplanationOfBenefit.rs",
    "system/Coverage.read",
    "system/Coverage.rs",
    "system/Claim.read",
    "system/Claim.rs",
    "system/ClaimResponse.read",
    "system/ClaimResponse.rs",
];

/// Claims of a client assertion.
#[derive(Debug, Clone, Deserialize)]
pub struct AssertionClaims {
    pub iss: String,
    pub sub: String,
    pub exp: i64,
    /// When it was made, if the client says; never in the future.
    pub iat: Option<i64>,
    pub jti: String,
}

/// Why an assertion was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssertionError {
    #[error("the assertion is not a well-formed JWT")]
    Malformed,
    #[error("assertions must be signed with RS384 or ES384")]
    Algorithm,
    #[error("no registered key matches the assertion")]
    UnknownKey,
    #[error("the assertion's signature or claims are invalid")]
    Invalid,
    #[error("the assertion must expire within five minutes")]
    TooLongLived,
    #[error("the assertion is not valid yet, or was issued in the future")]
    NotYetValid,
    #[error("the assertion names critical header extensions this server does not support")]
    CriticalExtension,
    #[error("the assertion's jku is not the client's registered JWKS URL")]
    JkuMismatch,
}

/// What an assertion's header says about the key that signed it, read before the
/// signature is checked, to find that key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHints {
    pub kid: Option<String>,
    /// The JWKS URL the client says holds the key; it must be the registered one.
    pub jku: Option<String>,
}

/// The key hints of `assertion`'s header.
pub fn key_hints(assertion: &str) -> Result<KeyHints, AssertionError> {
    let header = jsonwebtoken::decode_header(assertion).map_err(|_| AssertionError::Malformed)?;
    Ok(KeyHints {
        kid: header.kid,
        jku: header.jku,
    })
}

/// The client id an assertion claims to come from, read before its signature is
/// checked, to find that client's keys. Nothing else is trusted yet.
pub fn claimed_client(assertion: &str) -> Result<String, AssertionError> {
    #[derive(Deserialize)]
    struct Issuer {
        iss: String,
    }
    let data = jsonwebtoken::dangerous::insecure_decode::<Issuer>(assertion)
        .map_err(|_| AssertionError::Malformed)?;
    Ok(data.claims.iss)
}

/// Verifies `assertion` from `client_id` against its registered `jwks`, for the token
/// endpoint at `audience`. The caller must still reject a reused `jti`.
pub fn verify(
    assertion: &str,
    client_id: &str,
    jwks: &JwkSet,
    audience: &str,
    now: i64,
) -> Result<AssertionClaims, AssertionError> {
    let header = jsonwebtoken::decode_header(assertion).map_err(|_| AssertionError::Malformed)?;
    if !ALGORITHMS.contains(&header.alg) {
        return Err(AssertionError::Algorithm);
    }
    // RFC 7515 4.1.11: a recipient that does not understand a critical extension must
    // reject the JWS; this server understands none.
    if header.crit.is_some() {
        return Err(AssertionError::CriticalExtension);
    }
    let jwk = match &header.kid {
        Some(kid) => jwks.find(kid),
        None if jwks.keys.len() == 1 => jwks.keys.first(),
        None => None,
    }
    .ok_or(AssertionError::UnknownKey)?;
    let key = DecodingKey::from_jwk(jwk).map_err(|_| AssertionError::UnknownKey)?;

    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[client_id]);
    validation.sub = Some(client_id.to_owned());
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    validation.validate_nbf = true;
    validation.leeway = LEEWAY_SECS as u64;
    let claims = jsonwebtoken::decode::<AssertionClaims>(assertion, &key, &validation)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ImmatureSignature => AssertionError::NotYetValid,
            _ => AssertionError::Invalid,
        })?
        .claims;
    // jsonwebtoken checks `sub` against the client only when asked (above); checked
    // again here so the rule does not depend on a library default.
    if claims.sub != client_id {
        return Err(AssertionError::Invalid);
    }
    if claims.iat.is_some_and(|iat| iat > now + LEEWAY_SECS) {
        return Err(AssertionError::NotYetValid);
    }
    if claims.exp > now + MAX_LIFETIME_SECS + LEEWAY_SECS {
        return Err(AssertionError::TooLongLived);
    }
    if claims.jti.is_empty() {
        return Err(AssertionError::Invalid);
    }
    Ok(claims)
}

/// Whether every space-separated scope in `requested` is one this server grants: a
/// `system` read scope (`.read` or `.rs`) of everything or of a served type.
pub fn scope_is_supported(requested: &str) -> bool {
    bcda_model::scope::Scopes::parse(requested).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_read_scopes_are_supported() {
        assert!(scope_is_supported("system/*.read"));
        assert!(scope_is_supported(
            "system/Patient.read system/Coverage.read"
        ));
        assert!(scope_is_supported("system/Coverage.rs"));
        assert!(!scope_is_supported("system/*.write"));
        assert!(!scope_is_supported("system/*.read user/*.read"));
        assert!(!scope_is_supported(""));
    }

    #[test]
    fn garbage_is_malformed() {
        assert_eq!(claimed_client("not.a.jwt"), Err(AssertionError::Malformed));
    }
}
