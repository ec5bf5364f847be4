use bcda_auth::keys::SigningKey;
use bcda_server::Role;
use bcda_testkit::{TestAppBuilder, spawn_app};
use secrecy::ExposeSecret;

use crate::forge::{decode_parts, jwks};

fn kids(jwks: &serde_json::Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_first_token_creates_one_encrypted_signing_key() {
    let app = spawn_app().await;
    let credentials = app.create_client("A1234").await;
    app.token(&credentials).await;
    app.token(&credentials).await;

    let client = app.ctx.db.get().await.unwrap();
    let rows = client
        .query("SELECT kid, private_key_encrypted FROM signing_keys", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "one key, reused");
    let sealed: Vec<u8> = rows[0].get(1);
    // A PKCS#8 RSA key in clear starts with a DER SEQUENCE and holds the RSA OID.
    let rsa_oid = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    assert!(
        !sealed.windows(rsa_oid.len()).any(|w| w == rsa_oid),
        "private key stored in clear"
    );
}

#[tokio::test]
async fn after_rotation_old_tokens_still_verify_and_new_tokens_use_the_new_key() {
    let app = spawn_app().await;
    let credentials = app.create_client("A1234").await;
    let old_token = app.token(&credentials).await;
    let old_kid = decode_parts(&old_token).0["kid"]
        .as_str()
        .unwrap()
        .to_owned();

    let keys = bcda_auth::keys::KeyStore::new(&app.ctx.config.auth, app.ctx.db.clone()).unwrap();
    let new_kid = keys.rotate().await.unwrap();
    assert_ne!(new_kid, old_kid);

    let published = kids(&jwks(&app).await);
    assert!(
        published.contains(&old_kid) && published.contains(&new_kid),
        "{published:?}"
    );
    assert_eq!(
        app.list_jobs("/api/v1/jobs", &old_token).await.status(),
        404 // accepted; the ACO has no jobs
    );

    // The auth service notices the rotation within its key cache time; a fresh service
    // (another replica) sees it at once.
    let service = bcda_auth::TokenService::new(&app.ctx.config.auth, app.ctx.db.clone()).unwrap();
    assert_eq!(service.keys().current().await.unwrap().kid, new_kid);
}

#[tokio::test]
async fn a_retired_key_leaves_the_jwks_once_its_tokens_have_expired() {
    let app = spawn_app().await;
    let credentials = app.create_client("A1234").await;
    let old_kid = decode_parts(&app.token(&credentials).await).0["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    let keys = bcda_auth::keys::KeyStore::new(&app.ctx.config.auth, app.ctx.db.clone()).unwrap();
    keys.rotate().await.unwrap();

    // Pretend the grace period has passed.
    let client = app.ctx.db.get().await.unwrap();
    client
        .execute(
            "UPDATE signing_keys SET verify_until = now() - interval '1 second' WHERE kid = $1",
            &[&old_kid],
        )
        .await
        .unwrap();
    assert!(!kids(&jwks(&app).await).contains(&old_kid));
}

#[tokio::test]
async fn a_signing_key_from_a_pem_file_signs_and_is_published() {
    let (key, pkcs8) = SigningKey::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signing-key.pem");
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &pkcs8)
    );
    std::fs::write(&path, pem).unwrap();

    let app = TestAppBuilder::default()
        .env("BCDA_SIGNING_KEY_FILE", path.to_str().unwrap())
        .spawn()
        .await;
    let credentials = app.create_client("A1234").await;
    let token = app.token(&credentials).await;
    assert_eq!(decode_parts(&token).0["kid"], key.kid.as_str());
    assert!(kids(&jwks(&app).await).contains(&key.kid));
    assert_eq!(
        app.list_jobs("/api/v1/jobs", &token).await.status(),
        404 // accepted; the ACO has no jobs
    );
}

#[tokio::test]
async fn an_api_service_verifies_tokens_with_the_auth_services_jwks() {
    let auth = TestAppBuilder::default().role(Role::Auth).spawn().await;
    let database_url = auth.database.config().url.expose_secret().to_owned();
    let api = TestAppBuilder::default()
        .role(Role::Api)
        .env("BCDA_DATABASE_URL", database_url)
        .env(
            "BCDA_AUTH_JWKS_URL",
            auth.url("/auth/.well-known/jwks.json"),
        )
        .spawn()
        .await;

    let credentials = auth.create_client("A1234").await;
    let token = auth.token(&credentials).await;
    assert_eq!(
        api.list_jobs("/api/v1/jobs", &token).await.status(),
        404 // accepted; the ACO has no jobs
    );
    // The API serves no token endpoint of its own.
    assert_eq!(
        api.request_token(&credentials.client_id, &credentials.client_secret)
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn a_wrong_key_encryption_key_is_reported_not_ignored() {
    let app = spawn_app().await;
    let credentials = app.create_client("A1234").await;
    app.token(&credentials).await;

    let mut config = app.ctx.config.auth.clone();
    config.key_encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        .to_owned()
        .into();
    let keys = bcda_auth::keys::KeyStore::new(&config, app.ctx.db.clone()).unwrap();
    let err = keys.current().await.unwrap_err();
    assert!(err.to_string().contains("BCDA_KEY_ENCRYPTION_KEY"), "{err}");
}
