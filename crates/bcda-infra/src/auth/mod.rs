//! Access tokens as every service sees them: the claims, and local verification with
//! cached public keys. Issuing tokens is the auth service's job (`bcda-auth`).

mod claims;
mod verifier;

pub use claims::AccessClaims;
pub use verifier::{AuthError, Principal, TokenVerifier};

/// The only algorithm access tokens are signed with. Pinning it defeats `alg: none` and
/// HS256-with-the-public-key forgeries.
pub const TOKEN_ALGORITHM: jsonwebtoken::Algorithm = jsonwebtoken::Algorithm::RS512;
