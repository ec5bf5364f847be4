//! The claims of a BCDA access token.

use serde::{Deserialize, Serialize};

/// What an access token says. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The issuer, checked against the configuration.
    pub iss: String,
    /// The client the token was issued to.
    pub sub: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    /// A unique token id, for audit logs.
    pub jti: String,
    /// The client id again, under the name RFC 9068 gives it.
    pub client_id: String,
    /// The CMS id of the client's ACO, e.g. `A9994`.
    pub cms_id: String,
    /// Granted SMART scopes, for tokens obtained with a client assertion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}
