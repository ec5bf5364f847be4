use bcda_model::sandbox::SANDBOX_ACOS;
use bcda_testkit::{TestAppBuilder, spawn_app};
use serde_json::Value;

use crate::forge::{decode_parts, jwks};

#[tokio::test]
async fn every_sandbox_credential_set_gets_a_bearer_token_as_the_guide_shows() {
    let app = spawn_app().await;
    app.seed_sandbox().await;
    for aco in SANDBOX_ACOS {
        // The guide's Option 2: `curl -d '' -X POST --user id:secret -H "accept: application/json"`.
        let response = app
            .client
            .post(app.url("/auth/token"))
            .basic_auth(aco.client_id, Some(aco.client_secret))
            .header("accept", "application/json")
            .header("content-type", "application/x-www-form-urlencoded")
            .body("")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", aco.cms_id);
        let headers = response.headers();
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(headers["pragma"], "no-cache");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["token_type"], "bearer");
        // A string, as BCDA sends it: its typed clients fail to parse a number.
        assert_eq!(body["expires_in"], "1200");
        let token = body["access_token"].as_str().unwrap();
        assert!(token.starts_with("eyJhbGciOiJSUzUxMiIs"), "{token}");

        let (header, claims) = decode_parts(token);
        assert_eq!(header["alg"], "RS512");
        assert_eq!(claims["cms_id"], aco.cms_id);
        assert_eq!(claims["client_id"], aco.client_id);
        assert_eq!(claims["iss"], "bcda");
        assert_eq!(
            claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
            1200
        );
        assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
        let published = jwks(&app).await;
        assert!(
            published["keys"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kid"] == header["kid"]),
            "the token's kid is in the JWKS"
        );
    }
}

#[tokio::test]
async fn the_guides_pre_encoded_authorization_header_works() {
    let app = spawn_app().await;
    app.seed_sandbox().await;
    // The guide's Option 1, with the header split across lines joined back together.
    let header = "Basic Mzg0MWM1OTQtYThjMC00MWU1LTk4Y2MtMzhiYjQ1MzYwZDNjOmY5NzgwZDMyMzU4OGYxY2RmYzNlNjNlOTVhOGNiZGNkZDQ3NjAyZmY0OGE1MzdiNTFkYzVkNzgzNGJmNDY2NDE2YTcxNmJkNDUwOGU5MDRh";
    let response = app
        .client
        .post(app.url("/auth/token"))
        .header("authorization", header)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn tokens_are_unique_per_request() {
    let app = spawn_app().await;
    let credentials = app.create_client("A1234").await;
    let (a, b) = (app.token(&credentials).await, app.token(&credentials).await);
    assert_ne!(decode_parts(&a).1["jti"], decode_parts(&b).1["jti"]);
}

#[tokio::test]
async fn bad_credentials_get_401_with_an_empty_body() {
    let app = spawn_app().await;
    let good = app.create_client("A1234").await;
    let revoked = app.create_client("A1234").await;
    let store = bcda_auth::clients::ClientStore::new(app.ctx.db.clone());
    store.revoke(&revoked.client_id).await.unwrap();
    let expired = app.create_client("A1234").await;
    store
        .expire_secret(
            &expired.client_id,
            time::OffsetDateTime::now_utc() - time::Duration::minutes(1),
        )
        .await
        .unwrap();

    let cases = [
        ("wrong secret", good.client_id.as_str(), "0123456789abcdef"),
        (
            "unknown client",
            "00000000-0000-0000-0000-000000000000",
            good.client_secret.as_str(),
        ),
        (
            "revoked client",
            revoked.client_id.as_str(),
            revoked.client_secret.as_str(),
        ),
        (
            "expired secret",
            expired.client_id.as_str(),
            expired.client_secret.as_str(),
        ),
        ("empty secret", good.client_id.as_str(), ""),
    ];
    for (case, id, secret) in cases {
        let response = app.request_token(id, secret).await;
        assert_eq!(response.status(), 401, "{case}");
        assert!(
            response.bytes().await.unwrap().is_empty(),
            "{case}: body must be empty"
        );
    }
}

#[tokio::test]
async fn malformed_basic_values_get_401_with_an_empty_body() {
    let app = spawn_app().await;
    for value in [
        "Basic",
        "Basic !!!not-base64!!!",
        "Basic bm9jb2xvbg==",
        "Bearer abc",
        "Digest x",
    ] {
        let response = app
            .client
            .post(app.url("/auth/token"))
            .header("authorization", value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{value}");
        assert!(response.bytes().await.unwrap().is_empty(), "{value}");
    }
}

#[tokio::test]
async fn no_authorization_header_is_a_bad_request() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/auth/token"))
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn secrets_are_stored_only_as_salted_pbkdf2_hashes() {
    let app = spawn_app().await;
    let credentials = app.create_client("A1234").await;
    let client = app.ctx.db.get().await.unwrap();
    let stored: String = client
        .query_one(
            "SELECT secret_hash FROM clients WHERE client_id = $1",
            &[&credentials.client_id],
        )
        .await
        .unwrap()
        .get(0);
    assert!(
        stored.starts_with("$pbkdf2-sha512$i=130000,l=64$"),
        "{stored}"
    );
    assert!(!stored.contains(&credentials.client_secret));
}

#[tokio::test]
async fn too_many_token_requests_get_429_with_retry_after_and_advice() {
    let app = TestAppBuilder::default()
        .env("BCDA_TOKEN_RATE_LIMIT", "2")
        // Windows are fixed and aligned to the epoch: a 300 s one once ended between
        // this test's requests (which take up to ~6 s); a day-long one almost never does.
        .env("BCDA_TOKEN_RATE_WINDOW_SECS", "86400")
        .spawn()
        .await;
    let credentials = app.create_client("A1234").await;
    app.token(&credentials).await;
    app.token(&credentials).await;

    let response = app
        .request_token(&credentials.client_id, &credentials.client_secret)
        .await;
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=86_400).contains(&retry_after), "{retry_after}");
    let text = response.text().await.unwrap();
    assert!(text.contains("valid for 20 minutes"), "{text}");

    // Another client is not affected.
    let other = app.create_client("A1234").await;
    app.token(&other).await;
}

/// A Basic-credential token request as sent from `address` through one trusted proxy.
async fn token_from(
    app: &bcda_testkit::TestApp,
    address: &str,
    client_id: &str,
    secret: &str,
) -> reqwest::Response {
    app.client
        .post(app.url("/auth/token"))
        .basic_auth(client_id, Some(secret))
        .header("X-Forwarded-For", format!("198.18.0.1, {address}"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_stranger_guessing_secrets_is_slowed_without_locking_the_client_out() {
    let app = TestAppBuilder::default()
        .env("BCDA_TOKEN_RATE_LIMIT", "2")
        .env("BCDA_TOKEN_FAILURE_LIMIT", "3")
        .env("BCDA_TOKEN_RATE_WINDOW_SECS", "86400")
        .env("BCDA_TRUSTED_PROXIES", "1")
        .spawn()
        .await;
    let credentials = app.create_client("A1234").await;
    let id = &credentials.client_id;

    // The stranger knows the client id, not the secret: three failures, then 429
    // before any secret is checked, even for the right one.
    let stranger = "203.0.113.66";
    for _ in 0..3 {
        assert_eq!(token_from(&app, stranger, id, "guess").await.status(), 401);
    }
    let refused = token_from(&app, stranger, id, "guess").await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(
        token_from(&app, stranger, id, &credentials.client_secret)
            .await
            .status(),
        429
    );

    // The client, from its own address, is not affected, and its allowance (two
    // tokens) is its own.
    let client = "198.51.100.7";
    for _ in 0..2 {
        let response = token_from(&app, client, id, &credentials.client_secret).await;
        assert_eq!(response.status(), 200);
    }
    assert_eq!(
        token_from(&app, client, id, &credentials.client_secret)
            .await
            .status(),
        429
    );
}

#[tokio::test]
async fn forwarded_addresses_are_ignored_without_trusted_proxies() {
    let app = TestAppBuilder::default()
        .env("BCDA_TOKEN_FAILURE_LIMIT", "2")
        .env("BCDA_TOKEN_RATE_WINDOW_SECS", "86400")
        .spawn()
        .await;
    // A guesser inventing a new X-Forwarded-For for each request is still one address.
    for (n, want) in [(1, 401), (2, 401), (3, 429)] {
        let response = token_from(&app, &format!("203.0.113.{n}"), "someone", "guess").await;
        assert_eq!(response.status(), want, "request {n}");
    }
}

#[tokio::test]
async fn unknown_and_malformed_client_ids_are_refused_like_wrong_secrets() {
    let app = spawn_app().await;
    let credentials = app.create_client("A1234").await;
    // A NUL byte never reaches Postgres (which would refuse it): 401, not 503.
    for id in ["nul\0byte", "esc\u{1b}[2J", &"x".repeat(4096)] {
        let response = app.request_token(id, "secret").await;
        assert_eq!(response.status(), 401, "{id:?}");
    }

    let store = bcda_auth::clients::ClientStore::new(app.ctx.db.clone());
    let (signing, _) = bcda_auth::keys::SigningKey::generate().unwrap();
    let without_secret = store
        .create_jwks_client("A1234", serde_json::json!({"keys": [signing.public_jwk]}))
        .await
        .unwrap();
    let expired = app.create_client("A1234").await;
    store
        .expire_secret(
            &expired.client_id,
            time::OffsetDateTime::now_utc() - time::Duration::days(1),
        )
        .await
        .unwrap();
    // Timing does not tell a known client id from an unknown one, one that has no secret
    // (it signs assertions) or one whose secret expired: each checks a hash. They are
    // timed in turns, so a burst of load on a busy machine slows them alike; three
    // rounds stay within the failed requests this address may make before a 429.
    let ids = [
        ("known", credentials.client_id.clone()),
        ("unknown", uuid::Uuid::new_v4().to_string()),
        ("secret-less", without_secret),
        ("expired", expired.client_id),
    ];
    let mut fastest = [std::time::Duration::MAX; 4];
    for _ in 0..3 {
        for ((_, id), best) in ids.iter().zip(&mut fastest) {
            let started = std::time::Instant::now();
            let response = app.request_token(id, "wrong-secret").await;
            assert_eq!(response.status(), 401);
            *best = (*best).min(started.elapsed());
        }
    }
    let known = fastest[0];
    for ((what, _), refused) in ids.iter().zip(fastest).skip(1) {
        assert!(
            refused * 3 > known,
            "{what} id answered in {refused:?}, known in {known:?}"
        );
    }
}
