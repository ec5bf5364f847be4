//! Client secrets: generated at random, stored only as slow salted PBKDF2-HMAC-SHA512
//! hashes (BCDA's scheme), and compared in constant time.
//!
//! The stored form names its parameters, `$pbkdf2-sha512$i=130000,l=64$<salt>$<hash>`
//! (unpadded base64), so the iteration count can be raised later: hashes made with
//! fewer iterations still verify and are re-hashed on the next successful use.

use std::num::NonZeroU32;

use aws_lc_rs::pbkdf2;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;

/// Iterations for new hashes: BCDA's own choice.
pub const ITERATIONS: u32 = 130_000;
const SALT_LEN: usize = 32;
const HASH_LEN: usize = 64;
const SCHEME: &str = "pbkdf2-sha512";

/// A stored hash that cannot be parsed: a corrupt row, never a wrong secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored secret hash is malformed")]
pub struct MalformedHash;

/// A new client secret: 40 random bytes as 80 hex digits, the shape of the guide's.
pub fn generate() -> String {
    let mut bytes = [0u8; 40];
    fill_random(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hashes `secret` with a fresh salt and the current parameters. Slow on purpose
/// (tens of milliseconds): call it off the async executor.
pub fn hash(secret: &str) -> String {
    hash_with(secret, ITERATIONS)
}

fn hash_with(secret: &str, iterations: u32) -> String {
    let mut salt = [0u8; SALT_LEN];
    fill_random(&mut salt);
    let mut out = [0u8; HASH_LEN];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA512,
        NonZeroU32::new(iterations).unwrap_or(NonZeroU32::MIN),
        &salt,
        secret.as_bytes(),
        &mut out,
    );
    format!(
        "${SCHEME}$i={iterations},l={HASH_LEN}${}${}",
        B64.encode(salt),
        B64.encode(out)
    )
}

/// The outcome of checking a secret against its stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// The secret is right, and the hash uses the current parameters.
    Yes,
    /// The secret is right, but the hash should be replaced by [`hash`].
    YesButRehash,
    No,
}

/// The hash of a random secret nobody knows, made once per process: checked against
/// when a request names an unknown client, so that it takes as long as a known one.
pub fn unmatchable_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash(&generate()))
}

/// Checks `secret` against `stored` in constant time. Slow on purpose.
pub fn verify(secret: &str, stored: &str) -> Result<Verified, MalformedHash> {
    let parsed = Parsed::from_str(stored)?;
    let matches = pbkdf2::verify(
        pbkdf2::PBKDF2_HMAC_SHA512,
        parsed.iterations,
        &parsed.salt,
        secret.as_bytes(),
        &parsed.hash,
    )
    .is_ok();
    Ok(match matches {
        false => Verified::No,
        true if parsed.iterations.get() < ITERATIONS => Verified::YesButRehash,
        true => Verified::Yes,
    })
}

struct Parsed {
    iterations: NonZeroU32,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

impl Parsed {
    fn from_str(stored: &str) -> Result<Parsed, MalformedHash> {
        let mut parts = stored.split('$');
        let (Some(""), Some(SCHEME), Some(params), Some(salt), Some(hash), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(MalformedHash);
        };
        let mut iterations = None;
        let mut length = None;
        for param in params.split(',') {
            match param.split_once('=') {
                Some(("i", v)) => iterations = v.parse::<NonZeroU32>().ok(),
                Some(("l", v)) => length = v.parse::<usize>().ok(),
                _ => return Err(MalformedHash),
            }
        }
        let salt = B64.decode(salt).map_err(|_| MalformedHash)?;
        let hash = B64.decode(hash).map_err(|_| MalformedHash)?;
        match (iterations, length) {
            (Some(iterations), Some(length)) if length == hash.len() && !salt.is_empty() => {
                Ok(Parsed {
                    iterations,
                    salt,
                    hash,
                })
            }
            _ => Err(MalformedHash),
        }
    }
}

fn fill_random(bytes: &mut [u8]) {
    // The system RNG fails only if the OS cannot provide entropy, which no process can
    // recover from; secrets must never be made from anything weaker.
    if SystemRandom::new().fill(bytes).is_err() {
        panic!("the operating system's random number generator failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_secret_and_nothing_else() {
        let stored = hash("correct horse");
        assert_eq!(verify("correct horse", &stored), Ok(Verified::Yes));
        assert_eq!(verify("correct horsf", &stored), Ok(Verified::No));
        assert_eq!(verify("", &stored), Ok(Verified::No));
    }

    #[test]
    fn hashes_are_salted() {
        assert_ne!(hash("same"), hash("same"));
    }

    #[test]
    fn stored_form_names_its_parameters_and_never_the_secret() {
        let stored = hash("plain-secret");
        assert!(
            stored.starts_with("$pbkdf2-sha512$i=130000,l=64$"),
            "{stored}"
        );
        assert!(!stored.contains("plain-secret"));
    }

    #[test]
    fn weaker_hashes_still_verify_but_ask_to_be_rehashed() {
        let old = hash_with("s3cret", 1_000);
        assert_eq!(verify("s3cret", &old), Ok(Verified::YesButRehash));
        assert_eq!(verify("wrong", &old), Ok(Verified::No));
    }

    #[test]
    fn malformed_hashes_are_errors_not_mismatches() {
        for stored in [
            "",
            "plain",
            "$bcrypt$x$y$z",
            "$pbkdf2-sha512$i=0,l=64$AA$AA",
            "$pbkdf2-sha512$i=10,l=5$AAAA$AAAA",
        ] {
            assert_eq!(verify("x", stored), Err(MalformedHash), "{stored}");
        }
    }

    #[test]
    fn generated_secrets_look_like_the_guides() {
        let secret = generate();
        assert_eq!(secret.len(), 80);
        assert!(secret.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(secret, generate());
    }
}
