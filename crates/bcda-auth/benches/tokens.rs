//! Token issuance and verification speed, against the real app on this machine.
//!
//! `cargo bench -p bcda-auth --bench tokens` (or `make bench`). Starts the one-origin app
//! with its own database, then measures:
//! - token issuance per second over HTTP, for Basic credentials (dominated by the
//!   PBKDF2-HMAC-SHA512 check, 130,000 iterations, by design) and for SMART client
//!   assertions (RS384 verify, replay record, RS512 sign), with 8 concurrent clients;
//! - the cost of one token verification as the API does it (signature, claims, cached
//!   client standing), in microseconds, single-threaded.

#![allow(clippy::unwrap_used, clippy::print_stdout)] // a benchmark reports on stdout

use std::time::{Duration, Instant};

use base64::Engine as _;
use bcda_testkit::{Credentials, TestApp, TestAppBuilder};
use futures::future::join_all;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

const CONCURRENCY: usize = 8;
const RUN_FOR: Duration = Duration::from_secs(5);

#[tokio::main]
async fn main() {
    let app = TestAppBuilder::default()
        .env("BCDA_TOKEN_RATE_LIMIT", "100000000")
        .env("BCDA_LOG", "warn")
        .spawn()
        .await;
    let credentials = app.create_client("A1234").await;
    // Warm up: creates the signing key.
    app.token(&credentials).await;

    let basic = throughput(async || {
        app.request_token(&credentials.client_id, &credentials.client_secret)
            .await
            .status()
    })
    .await;

    let (key, client_id) = backend_client(&app).await;
    let token_url = app.url("/auth/token");
    let assertion = throughput(async || {
        app.client
            .post(&token_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(assertion_form(&key, &client_id, &token_url))
            .send()
            .await
            .unwrap()
            .status()
    })
    .await;

    let verification = verify_cost(&app, &credentials).await;

    println!();
    println!("| measurement | result |");
    println!("|---|---|");
    println!("| token issuance, HTTP Basic ({CONCURRENCY} concurrent) | {basic:.1} tokens/s |");
    println!(
        "| token issuance, SMART client assertion ({CONCURRENCY} concurrent) | {assertion:.1} tokens/s |"
    );
    println!("| one token verification in the API (warm caches) | {verification:.1} µs |");
}

/// Requests per second over `RUN_FOR`, from `CONCURRENCY` concurrent loops.
async fn throughput(request: impl AsyncFn() -> reqwest::StatusCode) -> f64 {
    let started = Instant::now();
    let loops = (0..CONCURRENCY).map(|_| async {
        let mut done = 0u64;
        while started.elapsed() < RUN_FOR {
            assert_eq!(request().await, 200);
            done += 1;
        }
        done
    });
    let total: u64 = join_all(loops).await.into_iter().sum();
    total as f64 / started.elapsed().as_secs_f64()
}

/// Microseconds per verification of one valid token.
async fn verify_cost(app: &TestApp, credentials: &Credentials) -> f64 {
    let token = app.token(credentials).await;
    app.ctx.verifier.verify(&token).await.unwrap();
    let rounds = 20_000;
    let started = Instant::now();
    for _ in 0..rounds {
        app.ctx.verifier.verify(&token).await.unwrap();
    }
    started.elapsed().as_secs_f64() * 1e6 / rounds as f64
}

async fn backend_client(app: &TestApp) -> (EncodingKey, String) {
    let (_, pkcs8) = bcda_auth::keys::SigningKey::generate().unwrap();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(pkcs8)
    );
    let key = EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
    let mut jwk = Jwk::from_encoding_key(&key, Algorithm::RS384).unwrap();
    jwk.common.key_id = Some("bench".into());
    let store = bcda_auth::clients::ClientStore::new(app.ctx.db.clone());
    let client_id = store
        .create_jwks_client("A1234", json!({"keys": [jwk]}))
        .await
        .unwrap();
    (key, client_id)
}

fn assertion_form(key: &EncodingKey, client_id: &str, token_url: &str) -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut header = Header::new(Algorithm::RS384);
    header.kid = Some("bench".into());
    let claims = json!({
        "iss": client_id, "sub": client_id, "aud": token_url,
        "exp": now + 240, "jti": uuid::Uuid::new_v4().to_string(),
    });
    let assertion = jsonwebtoken::encode(&header, &claims, key).unwrap();
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "client_credentials"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion.as_str()),
            ("scope", "system/*.read"),
        ])
        .finish()
}
