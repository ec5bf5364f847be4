//! Local token verification: signature, algorithm, issuer and lifetime are checked
//! against public keys cached in memory, and the client's standing (revoked client,
//! denied ACO, v3 access) against Postgres with a short cache. No request goes to the auth service.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bcda_model::scope::Scopes;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use tokio::sync::{Mutex, RwLock};
use url::Url;
use uuid::Uuid;

use super::{AccessClaims, TOKEN_ALGORITHM};
use crate::DbPool;
use crate::config::AuthConfig;

/// How long a client's standing is trusted before it is read again: the longest a
/// revoked client's existing tokens keep working.
const STANDING_TTL: Duration = Duration::from_secs(5);

/// Unknown `kid`s trigger a key refresh at most this often, so random `kid`s cannot
/// turn into a flood of key fetches.
const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(1);

/// Keys are re-read this often even without unknown `kid`s, to drop retired keys.
const MAX_KEY_AGE: Duration = Duration::from_secs(300);

/// Tolerated clock difference between the issuing and the verifying process.
const LEEWAY_SECS: u64 = 5;

/// Who a valid token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub client_id: String,
    pub cms_id: String,
    pub aco_id: Uuid,
    /// What the token may read: everything for a token without a scope (HTTP Basic),
    /// else the SMART scopes it was granted.
    pub scopes: Scopes,
    /// Whether the ACO may use `/api/v3`.
    pub v3_enabled: bool,
}

/// Why a token was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No token, or one that is malformed, forged, expired, of an unknown key or issuer,
    /// or of a revoked client. Clients see only "Invalid Token".
    #[error("invalid token: {0}")]
    Invalid(&'static str),
    /// A valid token of an ACO that is denied access.
    #[error("the ACO {0} is denied access")]
    Denied(String),
    /// Keys or client standing could not be read.
    #[error("cannot verify tokens now: {0}")]
    Unavailable(String),
}

/// Verifies access tokens. Cheap to clone; clones share their caches.
#[derive(Clone)]
pub struct TokenVerifier {
    inner: Arc<Inner>,
}

struct Inner {
    issuer: String,
    source: KeySource,
    db: DbPool,
    keys: RwLock<KeyCache>,
    standing: Mutex<HashMap<String, (Instant, Option<Standing>)>>,
}

enum KeySource {
    Database,
    Jwks { url: Url, http: reqwest::Client },
}

#[derive(Default)]
struct KeyCache {
    keys: HashMap<String, DecodingKey>,
    fetched: Option<Instant>,
}

#[derive(Debug, Clone)]
struct Standing {
    aco_id: Uuid,
    cms_id: String,
    revoked: bool,
    denied: bool,
    v3_enabled: bool,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.inner.source {
            KeySource::Database => "database".to_owned(),
            KeySource::Jwks { url, .. } => url.to_string(),
        };
        f.debug_struct("TokenVerifier")
            .field("issuer", &self.inner.issuer)
            .field("keys", &source)
            .finish_non_exhaustive()
    }
}

impl TokenVerifier {
    /// A verifier reading keys from `config.jwks_url`, or from Postgres when unset.
    pub fn new(config: &AuthConfig, db: DbPool) -> TokenVerifier {
        let source = match &config.jwks_url {
            Some(url) => KeySource::Jwks {
                url: url.clone(),
                http: reqwest::Client::builder()
                    .timeout(Duration::from_secs(5))
                    .build()
                    .unwrap_or_default(),
            },
            None => KeySource::Database,
        };
        TokenVerifier {
            inner: Arc::new(Inner {
                issuer: config.issuer.clone(),
                source,
                db,
                keys: RwLock::new(KeyCache::default()),
                standing: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Checks `token` and returns who it speaks for.
    pub async fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| AuthError::Invalid("malformed"))?;
        if header.alg != TOKEN_ALGORITHM {
            return Err(AuthError::Invalid("wrong algorithm"));
        }
        if header.crit.is_some() {
            return Err(AuthError::Invalid("critical header extension"));
        }
        let kid = header.kid.ok_or(AuthError::Invalid("no kid"))?;
        let key = self
            .key(&kid)
            .await?
            .ok_or(AuthError::Invalid("unknown kid"))?;

        let mut validation = Validation::new(TOKEN_ALGORITHM);
        validation.set_issuer(&[&self.inner.issuer]);
        validation.set_required_spec_claims(&["exp", "iat", "nbf", "iss", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &key, &validation)
            .map_err(|_| AuthError::Invalid("rejected by validation"))?
            .claims;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        if claims.iat > now + LEEWAY_SECS as i64 {
            return Err(AuthError::Invalid("issued in the future"));
        }

        let scopes = match &claims.scope {
            None => Scopes::all(),
            Some(scope) => Scopes::parse(scope).map_err(|_| AuthError::Invalid("bad scope"))?,
        };
        let standing = self
            .standing(&claims.client_id)
            .await?
            .ok_or(AuthError::Invalid("unknown client"))?;
        if standing.revoked {
            return Err(AuthError::Invalid("client revoked"));
        }
        if standing.cms_id != claims.cms_id {
            return Err(AuthError::Invalid("ACO mismatch"));
        }
        if standing.denied {
            return Err(AuthError::Denied(standing.cms_id));
        }
        Ok(Principal {
            client_id: claims.client_id,
            cms_id: standing.cms_id,
            aco_id: standing.aco_id,
            scopes,
            v3_enabled: standing.v3_enabled,
        })
    }

    /// Forgets every cached client standing, e.g. right after revoking a client in the
    /// same process.
    pub async fn forget_standings(&self) {
        self.inner.standing.lock().await.clear();
    }

    async fn key(&self, kid: &str) -> Result<Option<DecodingKey>, AuthError> {
        {
            let cache = self.inner.keys.read().await;
            let fresh = cache.fetched.is_some_and(|at| at.elapsed() < MAX_KEY_AGE);
            if fresh && let Some(key) = cache.keys.get(kid) {
                return Ok(Some(key.clone()));
            }
        }
        let mut cache = self.inner.keys.write().await;
        let recently = cache
            .fetched
            .is_some_and(|at| at.elapsed() < MIN_REFRESH_INTERVAL);
        if !recently {
            cache.keys = self.fetch_keys().await?;
            cache.fetched = Some(Instant::now());
        }
        Ok(cache.keys.get(kid).cloned())
    }

    async fn fetch_keys(&self) -> Result<HashMap<String, DecodingKey>, AuthError> {
        let jwks = match &self.inner.source {
            KeySource::Database => {
                let client = self.inner.db.get().await.map_err(unavailable)?;
                let rows = client
                    .query(
                        "SELECT public_jwk FROM signing_keys \
                         WHERE verify_until IS NULL OR verify_until > now()",
                        &[],
                    )
                    .await
                    .map_err(unavailable)?;
                let keys = rows
                    .iter()
                    .filter_map(|row| {
                        serde_json::from_value(row.get::<_, serde_json::Value>(0)).ok()
                    })
                    .collect();
                JwkSet { keys }
            }
            KeySource::Jwks { url, http } => http
                .get(url.clone())
                .send()
                .await
                .and_then(|r| r.error_for_status())
                .map_err(unavailable)?
                .json::<JwkSet>()
                .await
                .map_err(unavailable)?,
        };
        Ok(jwks
            .keys
            .iter()
            .filter_map(|jwk| Some((jwk.common.key_id.clone()?, DecodingKey::from_jwk(jwk).ok()?)))
            .collect())
    }

    async fn standing(&self, client_id: &str) -> Result<Option<Standing>, AuthError> {
        if let Some((at, standing)) = self.inner.standing.lock().await.get(client_id)
            && at.elapsed() < STANDING_TTL
        {
            return Ok(standing.clone());
        }
        let client = self.inner.db.get().await.map_err(unavailable)?;
        let row = client
            .query_opt(
                "SELECT a.id, a.cms_id, c.revoked_at IS NOT NULL, a.denied_at IS NOT NULL, \
                        a.v3_enabled \
                 FROM clients c JOIN acos a ON a.id = c.aco_id WHERE c.client_id = $1",
                &[&client_id],
            )
            .await
            .map_err(unavailable)?;
        let standing = row.map(|row| Standing {
            aco_id: row.get(0),
            cms_id: row.get(1),
            revoked: row.get(2),
            denied: row.get(3),
            v3_enabled: row.get(4),
        });
        self.inner
            .standing
            .lock()
            .await
            .insert(client_id.to_owned(), (Instant::now(), standing.clone()));
        Ok(standing)
    }
}

fn unavailable(error: impl std::fmt::Display) -> AuthError {
    AuthError::Unavailable(error.to_string())
}
