//! ACOs and their API clients in Postgres: what the token endpoint reads and what the
//! administration commands change.

use bcda_infra::DbPool;
use time::OffsetDateTime;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

use crate::secret;

/// A failure of the client store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database unavailable: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("no ACO with CMS id {0}")]
    UnknownAco(String),
    #[error("no client {0}")]
    UnknownClient(String),
    #[error("{0} already exists")]
    Duplicate(String),
    #[error("invalid JWKS: {0}")]
    InvalidJwks(String),
    #[error("invalid JWKS URL: {0}")]
    InvalidJwksUrl(#[from] crate::jwks_url::JwksUrlError),
    #[error("hashing failed: {0}")]
    Hashing(String),
}

impl StoreError {
    fn from_insert(error: tokio_postgres::Error, what: impl Into<String>) -> StoreError {
        match error.code() {
            Some(&SqlState::UNIQUE_VIOLATION) => StoreError::Duplicate(what.into()),
            _ => StoreError::Postgres(error),
        }
    }
}

/// How a new client proves itself: a secret (hashed), or keys inline or at a URL.
#[derive(Debug, Clone)]
enum Credential {
    Secret,
    Jwks(serde_json::Value),
    JwksUrl(String),
}

/// What the token endpoint needs to know about a client.
#[derive(Debug, Clone)]
pub struct ClientRecord {
    pub client_id: String,
    pub cms_id: String,
    pub secret_hash: Option<String>,
    pub secret_expires_at: Option<OffsetDateTime>,
    pub public_jwks: Option<serde_json::Value>,
    /// Where the client's keys are fetched from, when it registered a URL.
    pub jwks_url: Option<String>,
    pub revoked: bool,
}

impl ClientRecord {
    /// Whether the client may get tokens at all (not revoked).
    pub fn is_active(&self) -> bool {
        !self.revoked
    }

    /// Whether its secret (if any) is still within its validity.
    pub fn secret_is_current(&self, now: OffsetDateTime) -> bool {
        self.secret_expires_at.is_none_or(|expires| expires > now)
    }
}

/// A client as `bcda client list` shows it: never its secret.
#[derive(Debug, Clone)]
pub struct ClientSummary {
    pub client_id: String,
    pub cms_id: String,
    pub has_secret: bool,
    pub has_public_keys: bool,
    pub revoked: bool,
    pub created_at: OffsetDateTime,
}

/// A newly created or rotated credential: the only time the secret exists in clear.
#[derive(Debug, Clone)]
pub struct NewCredential {
    pub client_id: String,
    pub client_secret: String,
}

/// Reads and changes ACOs and clients.
#[derive(Debug, Clone)]
pub struct ClientStore {
    db: DbPool,
}

impl ClientStore {
    pub fn new(db: DbPool) -> ClientStore {
        ClientStore { db }
    }

    /// The client `client_id`, if it exists.
    pub async fn find(&self, client_id: &str) -> Result<Option<ClientRecord>, StoreError> {
        let client = self.db.get().await?;
        let row = client
            .query_opt(
                "SELECT c.client_id, a.cms_id, c.secret_hash, c.secret_expires_at, c.public_jwks, \
                        c.revoked_at IS NOT NULL, c.jwks_url \
                 FROM clients c JOIN acos a ON a.id = c.aco_id WHERE c.client_id = $1",
                &[&client_id],
            )
            .await?;
        Ok(row.map(|row| ClientRecord {
            client_id: row.get(0),
            cms_id: row.get(1),
            secret_hash: row.get(2),
            secret_expires_at: row.get(3),
            public_jwks: row.get(4),
            revoked: row.get(5),
            jwks_url: row.get(6),
        }))
    }

    /// Replaces a client's secret hash, e.g. after raising the hash parameters.
    pub async fn update_secret_hash(&self, client_id: &str, hash: &str) -> Result<(), StoreError> {
        let client = self.db.get().await?;
        client
            .execute(
                "UPDATE clients SET secret_hash = $2, updated_at = now() WHERE client_id = $1",
                &[&client_id, &hash],
            )
            .await?;
        Ok(())
    }

    /// Creates an ACO; returns its internal id.
    pub async fn create_aco(&self, cms_id: &str, name: &str) -> Result<Uuid, StoreError> {
        let client = self.db.get().await?;
        let row = client
            .query_one(
                "INSERT INTO acos (cms_id, name) VALUES ($1, $2) RETURNING id",
                &[&cms_id, &name],
            )
            .await
            .map_err(|e| StoreError::from_insert(e, format!("ACO {cms_id}")))?;
        Ok(row.get(0))
    }

    /// Creates the ACO unless it exists; returns whether it was created.
    pub async fn ensure_aco(&self, cms_id: &str, name: &str) -> Result<bool, StoreError> {
        let client = self.db.get().await?;
        let inserted = client
            .execute(
                "INSERT INTO acos (cms_id, name) VALUES ($1, $2) ON CONFLICT (cms_id) DO NOTHING",
                &[&cms_id, &name],
            )
            .await?;
        Ok(inserted == 1)
    }

    /// Holds the ACO to BCDA's one-export-at-a-time rule (`Some(true)`), exempts it
    /// (`Some(false)`), or returns it to the default (`None`: held, unless its CMS id is
    /// one of BCDA's test ids A9990-A9999).
    pub async fn set_concurrent_export_limit(
        &self,
        cms_id: &str,
        limit: Option<bool>,
    ) -> Result<(), StoreError> {
        let updated = self
            .db
            .get()
            .await?
            .execute(
                "UPDATE acos SET limit_concurrent_exports = $2 WHERE cms_id = $1",
                &[&cms_id, &limit],
            )
            .await?;
        if updated == 0 {
            return Err(StoreError::UnknownAco(cms_id.to_owned()));
        }
        Ok(())
    }

    /// Gives (`true`) or takes the ACO's access to `/api/v3`. Tokens already issued
    /// see the change within the verifiers' standing cache (seconds).
    pub async fn set_v3_access(&self, cms_id: &str, enabled: bool) -> Result<(), StoreError> {
        let updated = self
            .db
            .get()
            .await?
            .execute(
                "UPDATE acos SET v3_enabled = $2 WHERE cms_id = $1",
                &[&cms_id, &enabled],
            )
            .await?;
        if updated == 0 {
            return Err(StoreError::UnknownAco(cms_id.to_owned()));
        }
        Ok(())
    }

    /// Denies (`true`) or allows an ACO. A denied ACO still gets tokens, but every
    /// export, job and data request answers 403.
    pub async fn set_aco_denied(&self, cms_id: &str, denied: bool) -> Result<(), StoreError> {
        let client = self.db.get().await?;
        let updated = client
            .execute(
                "UPDATE acos SET denied_at = CASE WHEN $2 THEN coalesce(denied_at, now()) END \
                 WHERE cms_id = $1",
                &[&cms_id, &denied],
            )
            .await?;
        if updated == 0 {
            return Err(StoreError::UnknownAco(cms_id.to_owned()));
        }
        Ok(())
    }

    /// Creates a client of `cms_id` with a generated secret, returned once.
    pub async fn create_client(&self, cms_id: &str) -> Result<NewCredential, StoreError> {
        let credential = NewCredential {
            client_id: Uuid::new_v4().to_string(),
            client_secret: secret::generate(),
        };
        self.insert_client(
            cms_id,
            &credential.client_id,
            Some(&credential.client_secret),
            Credential::Secret,
        )
        .await?;
        Ok(credential)
    }

    /// Creates a client with a known id and secret unless it exists: for seeding the
    /// guide's sandbox credentials. Returns whether it was created.
    pub async fn ensure_client(
        &self,
        cms_id: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Result<bool, StoreError> {
        match self
            .insert_client(cms_id, client_id, Some(client_secret), Credential::Secret)
            .await
        {
            Ok(()) => Ok(true),
            Err(StoreError::Duplicate(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Creates a SMART Backend Services client that authenticates with JWT assertions
    /// signed by the keys in `jwks`. Returns its id.
    pub async fn create_jwks_client(
        &self,
        cms_id: &str,
        jwks: serde_json::Value,
    ) -> Result<String, StoreError> {
        let parsed: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks.clone())
            .map_err(|e| StoreError::InvalidJwks(e.to_string()))?;
        if parsed.keys.is_empty() {
            return Err(StoreError::InvalidJwks("no keys".into()));
        }
        let client_id = Uuid::new_v4().to_string();
        self.insert_client(cms_id, &client_id, None, Credential::Jwks(jwks))
            .await?;
        Ok(client_id)
    }

    /// Creates a SMART Backend Services client whose keys are fetched from `jwks_url`,
    /// which `policy` must allow. Returns its id.
    pub async fn create_jwks_url_client(
        &self,
        cms_id: &str,
        jwks_url: &str,
        policy: crate::jwks_url::UrlPolicy,
    ) -> Result<String, StoreError> {
        let url = crate::jwks_url::parse_url(jwks_url, policy)?;
        let client_id = Uuid::new_v4().to_string();
        self.insert_client(
            cms_id,
            &client_id,
            None,
            Credential::JwksUrl(url.to_string()),
        )
        .await?;
        Ok(client_id)
    }

    async fn insert_client(
        &self,
        cms_id: &str,
        client_id: &str,
        client_secret: Option<&str>,
        keys: Credential,
    ) -> Result<(), StoreError> {
        let (jwks, jwks_url) = match keys {
            Credential::Secret => (None, None),
            Credential::Jwks(jwks) => (Some(jwks), None),
            Credential::JwksUrl(url) => (None, Some(url)),
        };
        let hash = match client_secret {
            Some(secret) => Some(hash_off_thread(secret).await?),
            None => None,
        };
        let client = self.db.get().await?;
        let inserted = client
            .execute(
                "INSERT INTO clients (client_id, aco_id, secret_hash, public_jwks, jwks_url) \
                 SELECT $1, id, $3, $4, $5 FROM acos WHERE cms_id = $2",
                &[&client_id, &cms_id, &hash, &jwks, &jwks_url],
            )
            .await
            .map_err(|e| StoreError::from_insert(e, format!("client {client_id}")))?;
        if inserted == 0 {
            return Err(StoreError::UnknownAco(cms_id.to_owned()));
        }
        Ok(())
    }

    /// Gives a client a new secret, returned once; the old one stops working at once.
    pub async fn rotate_secret(&self, client_id: &str) -> Result<NewCredential, StoreError> {
        let credential = NewCredential {
            client_id: client_id.to_owned(),
            client_secret: secret::generate(),
        };
        let hash = hash_off_thread(&credential.client_secret).await?;
        let client = self.db.get().await?;
        let updated = client
            .execute(
                "UPDATE clients SET secret_hash = $2, secret_expires_at = NULL, updated_at = now() \
                 WHERE client_id = $1 AND revoked_at IS NULL",
                &[&client_id, &hash],
            )
            .await?;
        if updated == 0 {
            return Err(StoreError::UnknownClient(client_id.to_owned()));
        }
        Ok(credential)
    }

    /// Sets when a client's secret stops working.
    pub async fn expire_secret(
        &self,
        client_id: &str,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let client = self.db.get().await?;
        let updated = client
            .execute(
                "UPDATE clients SET secret_expires_at = $2, updated_at = now() WHERE client_id = $1",
                &[&client_id, &at],
            )
            .await?;
        if updated == 0 {
            return Err(StoreError::UnknownClient(client_id.to_owned()));
        }
        Ok(())
    }

    /// Revokes a client: no new tokens, and its existing tokens stop working within
    /// seconds (the verifiers' standing cache).
    pub async fn revoke(&self, client_id: &str) -> Result<(), StoreError> {
        let client = self.db.get().await?;
        let updated = client
            .execute(
                "UPDATE clients SET revoked_at = coalesce(revoked_at, now()), updated_at = now() \
                 WHERE client_id = $1",
                &[&client_id],
            )
            .await?;
        if updated == 0 {
            return Err(StoreError::UnknownClient(client_id.to_owned()));
        }
        Ok(())
    }

    /// Every client, optionally of one ACO, without secrets.
    pub async fn list(&self, cms_id: Option<&str>) -> Result<Vec<ClientSummary>, StoreError> {
        let client = self.db.get().await?;
        let rows = client
            .query(
                "SELECT c.client_id, a.cms_id, c.secret_hash IS NOT NULL, \
                        c.public_jwks IS NOT NULL OR c.jwks_url IS NOT NULL, \
                        c.revoked_at IS NOT NULL, c.created_at \
                 FROM clients c JOIN acos a ON a.id = c.aco_id \
                 WHERE $1::text IS NULL OR a.cms_id = $1 ORDER BY a.cms_id, c.created_at",
                &[&cms_id],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|row| ClientSummary {
                client_id: row.get(0),
                cms_id: row.get(1),
                has_secret: row.get(2),
                has_public_keys: row.get(3),
                revoked: row.get(4),
                created_at: row.get(5),
            })
            .collect())
    }
}

/// Hashes on the blocking pool: PBKDF2 takes tens of milliseconds of CPU.
pub(crate) async fn hash_off_thread(secret: &str) -> Result<String, StoreError> {
    let secret = secret.to_owned();
    tokio::task::spawn_blocking(move || secret::hash(&secret))
        .await
        .map_err(|e| StoreError::Hashing(e.to_string()))
}
