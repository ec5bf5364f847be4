//! Issuing access tokens: the rules of the token endpoint, apart from HTTP.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use bcda_infra::DbPool;
use bcda_infra::auth::{AccessClaims, TOKEN_ALGORITHM};
use bcda_infra::config::AuthConfig;
use jsonwebtoken::EncodingKey;
use jsonwebtoken::jwk::JwkSet;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::assertion::{self, AssertionError};
use crate::clients::{ClientRecord, ClientStore, StoreError};
use crate::jwks_url::{FetchSettings, JwksFetcher, UrlPolicy};
use crate::keys::{KeyStore, SigningKeyError};
use crate::rate_limit::{RateDecision, RateLimiter};
use crate::secret::{self, Verified};

/// The longest client id looked up: issued ids are UUIDs, so anything much longer is
/// refused without a query.
const MAX_CLIENT_ID_LEN: usize = 128;

/// A token ready to hand out.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: u64,
    pub scope: Option<String>,
}

/// Why no token was issued.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Unknown client, wrong secret, revoked or expired credentials. Clients are not
    /// told which.
    #[error("invalid client credentials ({0})")]
    InvalidClient(&'static str),
    #[error("invalid client assertion: {0}")]
    InvalidAssertion(#[from] AssertionError),
    #[error("client assertion was already used")]
    ReplayedAssertion,
    #[error("too many token requests")]
    RateLimited { retry_after: Duration },
    #[error("token service unavailable: {0}")]
    Unavailable(String),
}

impl TokenError {
    /// Whether the client was refused (as opposed to the service failing): what counts
    /// against the source address's failures.
    fn is_rejection(&self) -> bool {
        matches!(
            self,
            TokenError::InvalidClient(_)
                | TokenError::InvalidAssertion(_)
                | TokenError::ReplayedAssertion
        )
    }
}

impl From<StoreError> for TokenError {
    fn from(e: StoreError) -> Self {
        TokenError::Unavailable(e.to_string())
    }
}

impl From<SigningKeyError> for TokenError {
    fn from(e: SigningKeyError) -> Self {
        TokenError::Unavailable(e.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for TokenError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        TokenError::Unavailable(e.to_string())
    }
}

impl From<tokio_postgres::Error> for TokenError {
    fn from(e: tokio_postgres::Error) -> Self {
        TokenError::Unavailable(e.to_string())
    }
}

/// Why the token service could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("signing keys: {0}")]
    Keys(#[from] SigningKeyError),
    #[error("client JWKS fetcher: {0}")]
    JwksFetcher(#[from] crate::jwks_url::JwksUrlError),
}

/// The rules for fetching client JWKS URLs that `config` sets.
pub fn fetch_settings(config: &AuthConfig) -> FetchSettings {
    let jwks = &config.client_jwks;
    FetchSettings {
        policy: url_policy(config),
        timeout: jwks.timeout,
        cache_ttl: jwks.cache_ttl,
        refresh_min: jwks.refresh_min,
    }
}

/// Which client JWKS URLs `config` lets clients register and this server fetch.
pub fn url_policy(config: &AuthConfig) -> UrlPolicy {
    UrlPolicy {
        allow_http: config.client_jwks.allow_http,
        allow_private: config.client_jwks.allow_private,
    }
}

/// The token endpoint's logic: authenticate a client, ration its requests, sign.
#[derive(Debug, Clone)]
pub struct TokenService {
    db: DbPool,
    clients: ClientStore,
    /// The keys of clients registered by JWKS URL, shared by every clone.
    client_jwks: Arc<JwksFetcher>,
    keys: KeyStore,
    limiter: RateLimiter,
    issuer: String,
    ttl: Duration,
}

impl TokenService {
    pub fn new(config: &AuthConfig, db: DbPool) -> Result<TokenService, SetupError> {
        let fetcher = JwksFetcher::new(fetch_settings(config))?;
        Ok(TokenService {
            client_jwks: Arc::new(fetcher),
            clients: ClientStore::new(db.clone()),
            keys: KeyStore::new(config, db.clone())?,
            limiter: RateLimiter::new(
                db.clone(),
                config.rate_limit,
                config.failure_limit,
                config.rate_window,
            ),
            issuer: config.issuer.clone(),
            ttl: config.token_ttl,
            db,
        })
    }

    /// The key store, for the JWKS route and key rotation.
    pub fn keys(&self) -> &KeyStore {
        &self.keys
    }

    /// Issues a token for HTTP Basic client credentials, presented from `source`.
    pub async fn for_secret(
        &self,
        client_id: &str,
        client_secret: &str,
        source: IpAddr,
    ) -> Result<IssuedToken, TokenError> {
        self.admit(source).await?;
        let outcome = self.check_secret(client_id, client_secret).await;
        self.settle(source, outcome.map(|client| (client, None)))
            .await
    }

    /// Issues a token for a SMART Backend Services client assertion presented to the
    /// token endpoint at `token_url`, from `source`.
    pub async fn for_assertion(
        &self,
        assertion: &str,
        scope: &str,
        token_url: &str,
        source: IpAddr,
    ) -> Result<IssuedToken, TokenError> {
        self.admit(source).await?;
        let outcome = self.check_assertion(assertion, token_url).await;
        self.settle(
            source,
            outcome.map(|client| (client, Some(scope.to_owned()))),
        )
        .await
    }

    /// The client whose secret `client_secret` is. Every refusal costs as much time as
    /// checking a real secret (a hash is checked either way), so timing does not tell
    /// which client ids exist, nor which have no secret or an expired one.
    async fn check_secret(
        &self,
        client_id: &str,
        client_secret: &str,
    ) -> Result<ClientRecord, TokenError> {
        let client = match self.active_client(client_id).await {
            Ok(client) => client,
            Err(TokenError::InvalidClient(reason)) => {
                return Err(refuse_after_hashing(client_secret, reason).await);
            }
            Err(e) => return Err(e),
        };
        let Some(stored) = client.secret_hash.clone() else {
            return Err(refuse_after_hashing(client_secret, "client has no secret").await);
        };
        if !client.secret_is_current(OffsetDateTime::now_utc()) {
            return Err(refuse_after_hashing(client_secret, "secret expired").await);
        }
        let given = client_secret.to_owned();
        let verified = tokio::task::spawn_blocking(move || secret::verify(&given, &stored))
            .await
            .map_err(|e| TokenError::Unavailable(e.to_string()))?
            .map_err(|e| TokenError::Unavailable(e.to_string()))?;
        match verified {
            Verified::No => return Err(TokenError::InvalidClient("wrong secret")),
            Verified::YesButRehash => {
                let rehashed = crate::clients::hash_off_thread(client_secret).await?;
                self.clients
                    .update_secret_hash(client_id, &rehashed)
                    .await?;
            }
            Verified::Yes => {}
        }
        Ok(client)
    }

    /// The client that signed `assertion`, once its signature, claims and `jti` check.
    async fn check_assertion(
        &self,
        assertion: &str,
        token_url: &str,
    ) -> Result<ClientRecord, TokenError> {
        let client_id = assertion::claimed_client(assertion)?;
        let client = self.active_client(&client_id).await?;
        let hints = assertion::key_hints(assertion)?;
        let jwks = self.client_keys(&client, &hints).await?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let claims = assertion::verify(assertion, &client_id, &jwks, token_url, now)?;
        self.remember_jti(&client_id, &claims.jti, claims.exp)
            .await?;
        Ok(client)
    }

    /// The keys `client` registered: fetched from its JWKS URL (whose `jku`, if the
    /// assertion names one, must be that URL), or kept inline. A URL that cannot be
    /// fetched refuses the client, and the reason is logged for the operator.
    async fn client_keys(
        &self,
        client: &ClientRecord,
        hints: &assertion::KeyHints,
    ) -> Result<Arc<JwkSet>, TokenError> {
        // Compared as URLs, so `https://Keys.example.org:443/jwks` is the registered
        // `https://keys.example.org/jwks`.
        let same_url = |a: &str, b: &str| match (url::Url::parse(a), url::Url::parse(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        let jku_matches = match (&hints.jku, &client.jwks_url) {
            (None, _) => true,
            (Some(jku), Some(registered)) => same_url(jku, registered),
            (Some(_), None) => false,
        };
        if !jku_matches {
            return Err(AssertionError::JkuMismatch.into());
        }
        if let Some(url) = &client.jwks_url {
            return self
                .client_jwks
                .keys(url, hints.kid.as_deref())
                .await
                .map_err(|e| {
                    tracing::warn!(client_id = %client.client_id, error = %e, "cannot use the client's JWKS URL");
                    TokenError::InvalidClient("the client's JWKS URL did not give its keys")
                });
        }
        client
            .public_jwks
            .clone()
            .and_then(|jwks| serde_json::from_value(jwks).ok())
            .map(Arc::new)
            .ok_or(TokenError::InvalidClient("client has no registered keys"))
    }

    async fn active_client(&self, client_id: &str) -> Result<ClientRecord, TokenError> {
        // Not a client id this server issues (a NUL byte would not even reach Postgres).
        if client_id.len() > MAX_CLIENT_ID_LEN || client_id.chars().any(char::is_control) {
            return Err(TokenError::InvalidClient("malformed client id"));
        }
        match self.clients.find(client_id).await? {
            Some(client) if client.is_active() => Ok(client),
            Some(_) => Err(TokenError::InvalidClient("client revoked")),
            None => Err(TokenError::InvalidClient("unknown client")),
        }
    }

    /// Refuses `source` while it has used up its failed requests.
    async fn admit(&self, source: IpAddr) -> Result<(), TokenError> {
        match self.limiter.admits(source).await? {
            RateDecision::Allowed => Ok(()),
            RateDecision::Limited { retry_after } => Err(TokenError::RateLimited { retry_after }),
        }
    }

    /// Counts a rejected request against `source`, or a proven client's token against
    /// the client, and signs the token when within its limit.
    async fn settle(
        &self,
        source: IpAddr,
        outcome: Result<(ClientRecord, Option<String>), TokenError>,
    ) -> Result<IssuedToken, TokenError> {
        match outcome {
            Ok((client, scope)) => match self.limiter.count_token(&client.client_id).await? {
                RateDecision::Allowed => self.sign(&client, scope).await,
                RateDecision::Limited { retry_after } => {
                    Err(TokenError::RateLimited { retry_after })
                }
            },
            Err(rejected) if rejected.is_rejection() => {
                self.limiter.count_failure(source).await?;
                Err(rejected)
            }
            Err(e) => Err(e),
        }
    }

    /// Records an assertion's `jti` until it expires; a second use is refused.
    async fn remember_jti(&self, client_id: &str, jti: &str, exp: i64) -> Result<(), TokenError> {
        let expires = OffsetDateTime::from_unix_timestamp(exp)
            .map_err(|_| TokenError::InvalidAssertion(AssertionError::Invalid))?;
        let client = self.db.get().await?;
        client
            .execute(
                "DELETE FROM assertion_jtis WHERE client_id = $1 AND expires_at < now()",
                &[&client_id],
            )
            .await?;
        let inserted = client
            .execute(
                "INSERT INTO assertion_jtis (client_id, jti, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
                &[&client_id, &jti, &expires],
            )
            .await?;
        if inserted == 0 {
            return Err(TokenError::ReplayedAssertion);
        }
        Ok(())
    }

    async fn sign(
        &self,
        client: &ClientRecord,
        scope: Option<String>,
    ) -> Result<IssuedToken, TokenError> {
        let key = self.keys.current().await?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            sub: client.client_id.clone(),
            iat: now,
            nbf: now,
            exp: now + self.ttl.as_secs() as i64,
            jti: Uuid::new_v4().to_string(),
            client_id: client.client_id.clone(),
            cms_id: client.cms_id.clone(),
            scope: scope.clone(),
        };
        let access_token = encode(&key.kid, &claims, &key.encoding)?;
        Ok(IssuedToken {
            access_token,
            expires_in: self.ttl.as_secs(),
            scope,
        })
    }
}

/// The JOSE header, with `alg` first: BCDA's tokens start `eyJhbGciOiJSUzUxMiIs`
/// (`{"alg":"RS512",`), and clients have been seen to check that prefix.
#[derive(Serialize)]
struct TokenHeader<'a> {
    alg: &'static str,
    typ: &'static str,
    kid: &'a str,
}

/// Signs `claims` as a compact JWS with the key `kid`.
fn encode(kid: &str, claims: &AccessClaims, key: &EncodingKey) -> Result<String, TokenError> {
    let fail = |e: &dyn std::fmt::Display| TokenError::Unavailable(format!("signing failed: {e}"));
    let header = TokenHeader {
        alg: "RS512",
        typ: "JWT",
        kid,
    };
    let header = serde_json::to_vec(&header).map_err(|e| fail(&e))?;
    let claims = serde_json::to_vec(claims).map_err(|e| fail(&e))?;
    let message = format!("{}.{}", B64URL.encode(header), B64URL.encode(claims));
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), key, TOKEN_ALGORITHM)
        .map_err(|e| fail(&e))?;
    Ok(format!("{message}.{signature}"))
}

/// Refuses a Basic request for `reason` after checking `given` against a hash that
/// matches nothing, so the refusal takes as long as checking a real secret.
async fn refuse_after_hashing(given: &str, reason: &'static str) -> TokenError {
    let given = given.to_owned();
    let _ = tokio::task::spawn_blocking(move || secret::verify(&given, secret::unmatchable_hash()))
        .await;
    TokenError::InvalidClient(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_start_like_bcdas_and_verify() {
        let (key, _) = crate::keys::SigningKey::generate().unwrap();
        let claims = AccessClaims {
            iss: "bcda".into(),
            sub: "c".into(),
            iat: 1,
            nbf: 1,
            exp: 4_000_000_000,
            jti: "j".into(),
            client_id: "c".into(),
            cms_id: "A9994".into(),
            scope: None,
        };
        let token = encode(&key.kid, &claims, &key.encoding).unwrap();
        assert!(token.starts_with("eyJhbGciOiJSUzUxMiIs"), "{token}");

        let decoding = jsonwebtoken::DecodingKey::from_jwk(&key.public_jwk).unwrap();
        let mut validation = jsonwebtoken::Validation::new(TOKEN_ALGORITHM);
        validation.set_issuer(&["bcda"]);
        let decoded = jsonwebtoken::decode::<AccessClaims>(&token, &decoding, &validation).unwrap();
        assert_eq!(decoded.claims, claims);
        assert_eq!(decoded.header.kid.as_deref(), Some(key.kid.as_str()));
    }
}
