//! Signed download URLs, beyond BCDA: `?exp=<unix seconds>&sig=<HMAC>` bound to the ACO,
//! the file and the expiry, so a download manager that cannot send an `Authorization`
//! header can still fetch an ACO's files for a short while. Off unless
//! `BCDA_DOWNLOAD_URL_KEY` is set.

use std::time::Duration;

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use time::OffsetDateTime;

/// Signs and checks download URLs with one HMAC-SHA256 key.
#[derive(Clone)]
pub struct UrlSigner {
    key: hmac::Key,
    ttl: Duration,
}

impl std::fmt::Debug for UrlSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UrlSigner")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// The signature of a URL, as its query carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub expires: i64,
    pub sig: String,
}

impl Signature {
    /// The `exp` and `sig` parameters of a query string, when both are present.
    pub fn from_query(query: &str) -> Option<Signature> {
        let mut expires = None;
        let mut sig = None;
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("exp", value)) => expires = value.parse().ok(),
                Some(("sig", value)) => sig = Some(value.to_owned()),
                _ => {}
            }
        }
        Some(Signature {
            expires: expires?,
            sig: sig?,
        })
    }

    /// `exp=...&sig=...`.
    pub fn to_query(&self) -> String {
        format!("exp={}&sig={}", self.expires, self.sig)
    }
}

impl UrlSigner {
    /// A signer with a 32-byte `secret`; signatures last `ttl`.
    pub fn new(secret: &[u8; 32], ttl: Duration) -> UrlSigner {
        UrlSigner {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            ttl,
        }
    }

    /// How long a signature lasts, which is at most how long a manifest's URLs work
    /// without a token.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A signature for ACO `cms_id` to fetch `file_key` (`{jobId}/{file}`) until `ttl`
    /// after `now`.
    pub fn sign(&self, cms_id: &str, file_key: &str, now: OffsetDateTime) -> Signature {
        let expires =
            now.unix_timestamp() + i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX / 2);
        let tag = hmac::sign(&self.key, message(cms_id, file_key, expires).as_bytes());
        Signature {
            expires,
            sig: URL_SAFE_NO_PAD.encode(tag.as_ref()),
        }
    }

    /// Whether `signature` lets ACO `cms_id` fetch `file_key` at `now`.
    pub fn verify(
        &self,
        cms_id: &str,
        file_key: &str,
        signature: &Signature,
        now: OffsetDateTime,
    ) -> bool {
        if signature.expires < now.unix_timestamp() {
            return false;
        }
        let Ok(tag) = URL_SAFE_NO_PAD.decode(&signature.sig) else {
            return false;
        };
        // Constant-time comparison inside aws-lc.
        hmac::verify(
            &self.key,
            message(cms_id, file_key, signature.expires).as_bytes(),
            &tag,
        )
        .is_ok()
    }
}

fn message(cms_id: &str, file_key: &str, expires: i64) -> String {
    format!("bcda-download\n{cms_id}\n{file_key}\n{expires}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn signer() -> UrlSigner {
        UrlSigner::new(&[7; 32], Duration::from_secs(600))
    }

    #[test]
    fn a_signature_works_for_its_aco_and_file_until_it_expires() {
        let now = datetime!(2026-11-25 12:00 UTC);
        let signature = signer().sign("A9994", "1/f.ndjson", now);
        assert_eq!(signature.expires, now.unix_timestamp() + 600);
        assert!(signer().verify("A9994", "1/f.ndjson", &signature, now));
        assert!(signer().verify(
            "A9994",
            "1/f.ndjson",
            &signature,
            now + Duration::from_secs(600)
        ));
        assert!(!signer().verify(
            "A9994",
            "1/f.ndjson",
            &signature,
            now + Duration::from_secs(601)
        ));
        assert!(
            !signer().verify("A9990", "1/f.ndjson", &signature, now),
            "another ACO"
        );
        assert!(
            !signer().verify("A9994", "2/f.ndjson", &signature, now),
            "another file"
        );
        let stretched = Signature {
            expires: signature.expires + 3600,
            ..signature.clone()
        };
        assert!(
            !signer().verify("A9994", "1/f.ndjson", &stretched, now),
            "a moved expiry"
        );
        let other_key = UrlSigner::new(&[8; 32], Duration::from_secs(600));
        assert!(!other_key.verify("A9994", "1/f.ndjson", &signature, now));
    }

    #[test]
    fn signatures_round_trip_through_the_query() {
        let signature = signer().sign("A9994", "1/f.ndjson", datetime!(2026-11-25 12:00 UTC));
        assert_eq!(
            Signature::from_query(&format!("x=1&{}", signature.to_query())),
            Some(signature)
        );
        assert_eq!(Signature::from_query("exp=12"), None);
        assert_eq!(Signature::from_query(""), None);
    }
}
