//! The RSA keys that sign access tokens.
//!
//! By default keys live in Postgres: the first token request generates one when none
//! exists, its private half encrypted with AES-256-GCM under the configured
//! key-encryption key. `bcda keys rotate` adds a new key and retires the old one, which
//! stays published (so its tokens verify) until they have all expired. Alternatively a
//! PEM file (a mounted Kubernetes Secret) supplies the key; its public half is still
//! recorded in Postgres so every verifier finds it.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use base64::Engine as _;
use bcda_infra::DbPool;
use bcda_infra::auth::TOKEN_ALGORITHM;
use bcda_infra::config::{AuthConfig, decode_base64_key};
use jsonwebtoken::EncodingKey;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use secrecy::ExposeSecret;
use tokio::sync::RwLock;

/// How long the signing key is trusted in memory before Postgres is asked again, so a
/// rotation made by another process takes effect within this time.
const CURRENT_KEY_TTL: Duration = Duration::from_secs(30);

/// A retired key stays published this long past the token lifetime, for clock skew.
const RETIREMENT_GRACE: Duration = Duration::from_secs(60);

/// Serializes key generation and rotation across processes.
const KEY_LOCK: i64 = 0x6263_646b;

/// A failure to produce or find a signing key.
#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    #[error("database unavailable: {0}")]
    Db(#[from] deadpool_postgres::PoolError),
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("cannot read the signing key file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("invalid key-encryption key")]
    KeyEncryptionKey,
    #[error("a stored signing key cannot be decrypted: wrong BCDA_KEY_ENCRYPTION_KEY?")]
    Decrypt,
    #[error("key material error: {0}")]
    Material(String),
    #[error("keys come from BCDA_SIGNING_KEY_FILE; rotate by replacing that file")]
    FileManaged,
}

/// A private key ready to sign, with its public half.
pub struct SigningKey {
    pub kid: String,
    pub encoding: EncodingKey,
    pub public_jwk: Jwk,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Builds a key from a PEM (PKCS#1 or PKCS#8) RSA private key; its `kid` is the
    /// RFC 7638 thumbprint of the public key, so the same key always has the same id.
    pub fn from_pem(pem: &[u8]) -> Result<SigningKey, SigningKeyError> {
        let encoding = EncodingKey::from_rsa_pem(pem).map_err(material)?;
        let mut public_jwk =
            Jwk::from_encoding_key(&encoding, TOKEN_ALGORITHM).map_err(material)?;
        let kid = public_jwk
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(material)?;
        public_jwk.common.key_id = Some(kid.clone());
        public_jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        Ok(SigningKey {
            kid,
            encoding,
            public_jwk,
        })
    }

    /// Generates a new 2048-bit RSA key. Returns it with its PKCS#8 DER encoding.
    pub fn generate() -> Result<(SigningKey, Vec<u8>), SigningKeyError> {
        let pair = KeyPair::generate(KeySize::Rsa2048).map_err(material)?;
        let pkcs8 = pair.as_der().map_err(material)?.as_ref().to_vec();
        Ok((SigningKey::from_pem(pkcs8_pem(&pkcs8).as_bytes())?, pkcs8))
    }
}

/// Finds, creates and rotates signing keys. Cheap to clone.
#[derive(Clone)]
pub struct KeyStore {
    db: DbPool,
    cipher: Arc<RandomizedNonceKey>,
    token_ttl: Duration,
    file_key: Option<Arc<SigningKey>>,
    current: Arc<RwLock<Option<CachedKey>>>,
}

/// The signing key and when it was read.
type CachedKey = (Instant, Arc<SigningKey>);

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyStore")
            .field("file_key", &self.file_key)
            .finish_non_exhaustive()
    }
}

impl KeyStore {
    /// A store for `config`; reads the PEM file now when one is configured.
    pub fn new(config: &AuthConfig, db: DbPool) -> Result<KeyStore, SigningKeyError> {
        let kek = decode_base64_key(config.key_encryption_key.expose_secret())
            .ok_or(SigningKeyError::KeyEncryptionKey)?;
        let cipher = RandomizedNonceKey::new(&AES_256_GCM, &kek)
            .map_err(|_| SigningKeyError::KeyEncryptionKey)?;
        let file_key = config
            .signing_key_file
            .as_deref()
            .map(read_key_file)
            .transpose()?
            .map(Arc::new);
        Ok(KeyStore {
            db,
            cipher: Arc::new(cipher),
            token_ttl: config.token_ttl,
            file_key,
            current: Arc::new(RwLock::new(None)),
        })
    }

    /// The key that signs new tokens, created on first use when there is none.
    pub async fn current(&self) -> Result<Arc<SigningKey>, SigningKeyError> {
        if let Some((at, key)) = self.current.read().await.as_ref()
            && at.elapsed() < CURRENT_KEY_TTL
        {
            return Ok(key.clone());
        }
        let key = match &self.file_key {
            Some(key) => {
                self.publish_file_key(key).await?;
                key.clone()
            }
            None => Arc::new(self.newest_or_generate().await?),
        };
        *self.current.write().await = Some((Instant::now(), key.clone()));
        Ok(key)
    }

    /// Adds a new signing key and retires the others; they stay published until every
    /// token they signed has expired. Returns the new key's id.
    pub async fn rotate(&self) -> Result<String, SigningKeyError> {
        if self.file_key.is_some() {
            return Err(SigningKeyError::FileManaged);
        }
        let (key, pkcs8) = SigningKey::generate()?;
        let mut client = self.db.get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&KEY_LOCK])
            .await?;
        self.retire_others(&tx, &key.kid).await?;
        self.insert(&tx, &key, Some(&pkcs8)).await?;
        tx.commit().await?;
        *self.current.write().await = None;
        Ok(key.kid)
    }

    /// The public keys tokens may be verified with now, for `/auth/.well-known/jwks.json`.
    pub async fn jwks(&self) -> Result<JwkSet, SigningKeyError> {
        let client = self.db.get().await?;
        let rows = client
            .query(
                "SELECT public_jwk FROM signing_keys \
                 WHERE verify_until IS NULL OR verify_until > now() ORDER BY created_at DESC",
                &[],
            )
            .await?;
        let keys = rows
            .iter()
            .filter_map(|row| serde_json::from_value(row.get::<_, serde_json::Value>(0)).ok())
            .collect();
        Ok(JwkSet { keys })
    }

    async fn newest_or_generate(&self) -> Result<SigningKey, SigningKeyError> {
        if let Some(key) = self.newest().await? {
            return Ok(key);
        }
        let mut client = self.db.get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&KEY_LOCK])
            .await?;
        // Another process may have generated one while we waited for the lock.
        if let Some(row) = tx.query_opt(NEWEST_KEY, &[]).await? {
            drop(tx);
            return self.decrypt_row(&row);
        }
        let (key, pkcs8) = SigningKey::generate()?;
        self.insert(&tx, &key, Some(&pkcs8)).await?;
        tx.commit().await?;
        tracing::info!(kid = %key.kid, "generated a new token signing key");
        Ok(key)
    }

    async fn newest(&self) -> Result<Option<SigningKey>, SigningKeyError> {
        let client = self.db.get().await?;
        client
            .query_opt(NEWEST_KEY, &[])
            .await?
            .map(|row| self.decrypt_row(&row))
            .transpose()
    }

    fn decrypt_row(&self, row: &tokio_postgres::Row) -> Result<SigningKey, SigningKeyError> {
        let kid: String = row.get(0);
        let sealed: Vec<u8> = row.get(1);
        let pkcs8 = self.open(&kid, sealed)?;
        let key = SigningKey::from_pem(pkcs8_pem(&pkcs8).as_bytes())?;
        if key.kid != kid {
            return Err(SigningKeyError::Material(format!(
                "stored key {kid} has another thumbprint"
            )));
        }
        Ok(key)
    }

    /// Records the file key's public half, retiring keys of earlier files.
    async fn publish_file_key(&self, key: &SigningKey) -> Result<(), SigningKeyError> {
        let mut client = self.db.get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&KEY_LOCK])
            .await?;
        let known = tx
            .query_opt(
                "SELECT 1 FROM signing_keys WHERE kid = $1 AND retired_at IS NULL",
                &[&key.kid],
            )
            .await?
            .is_some();
        if !known {
            self.retire_others(&tx, &key.kid).await?;
            self.insert(&tx, key, None).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn retire_others(
        &self,
        tx: &tokio_postgres::Transaction<'_>,
        kid: &str,
    ) -> Result<(), SigningKeyError> {
        let grace = (self.token_ttl + RETIREMENT_GRACE).as_secs_f64();
        tx.execute(
            "UPDATE signing_keys SET retired_at = now(), \
             verify_until = now() + make_interval(secs => $2) \
             WHERE retired_at IS NULL AND kid <> $1",
            &[&kid, &grace],
        )
        .await?;
        Ok(())
    }

    async fn insert(
        &self,
        tx: &tokio_postgres::Transaction<'_>,
        key: &SigningKey,
        pkcs8: Option<&[u8]>,
    ) -> Result<(), SigningKeyError> {
        let jwk = serde_json::to_value(&key.public_jwk).map_err(material)?;
        let sealed = pkcs8.map(|der| self.seal(&key.kid, der)).transpose()?;
        tx.execute(
            "INSERT INTO signing_keys (kid, public_jwk, private_key_encrypted) VALUES ($1, $2, $3) \
             ON CONFLICT (kid) DO UPDATE SET retired_at = NULL, verify_until = NULL",
            &[&key.kid, &jwk, &sealed],
        )
        .await?;
        Ok(())
    }

    /// `nonce || ciphertext || tag`, bound to `kid` so rows cannot be swapped.
    fn seal(&self, kid: &str, pkcs8: &[u8]) -> Result<Vec<u8>, SigningKeyError> {
        let mut data = pkcs8.to_vec();
        let nonce = self
            .cipher
            .seal_in_place_append_tag(Aad::from(kid.as_bytes()), &mut data)
            .map_err(|_| SigningKeyError::Material("encryption failed".into()))?;
        let mut sealed = nonce.as_ref().to_vec();
        sealed.extend_from_slice(&data);
        Ok(sealed)
    }

    fn open(&self, kid: &str, mut sealed: Vec<u8>) -> Result<Vec<u8>, SigningKeyError> {
        if sealed.len() < NONCE_LEN {
            return Err(SigningKeyError::Decrypt);
        }
        let mut data = sealed.split_off(NONCE_LEN);
        let nonce =
            Nonce::try_assume_unique_for_key(&sealed).map_err(|_| SigningKeyError::Decrypt)?;
        let plain = self
            .cipher
            .open_in_place(nonce, Aad::from(kid.as_bytes()), &mut data)
            .map_err(|_| SigningKeyError::Decrypt)?;
        Ok(plain.to_vec())
    }
}

const NEWEST_KEY: &str = "SELECT kid, private_key_encrypted FROM signing_keys \
     WHERE retired_at IS NULL AND private_key_encrypted IS NOT NULL \
     ORDER BY created_at DESC LIMIT 1";

fn read_key_file(path: &Path) -> Result<SigningKey, SigningKeyError> {
    let pem = std::fs::read(path).map_err(|e| SigningKeyError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    SigningKey::from_pem(&pem).map_err(|e| SigningKeyError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// PEM text of a PKCS#8 DER private key.
fn pkcs8_pem(der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    pem
}

fn material(error: impl std::fmt::Display) -> SigningKeyError {
    SigningKeyError::Material(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_have_stable_thumbprint_ids_and_public_jwks() {
        let (key, pkcs8) = SigningKey::generate().unwrap();
        let again = SigningKey::from_pem(pkcs8_pem(&pkcs8).as_bytes()).unwrap();
        assert_eq!(key.kid, again.kid);
        let jwk = serde_json::to_value(&key.public_jwk).unwrap();
        assert_eq!(jwk["kty"], "RSA");
        assert_eq!(jwk["alg"], "RS512");
        assert_eq!(jwk["kid"], key.kid.as_str());
        assert!(
            jwk.get("d").is_none(),
            "the public JWK must not carry the private exponent"
        );
    }
}
