//! Tokens made by hand, to prove the services refuse them.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use bcda_infra::auth::AccessClaims;
use bcda_testkit::TestApp;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::Value;

/// Claims like the ones the app issues for `client_id` of `cms_id`, valid now.
pub fn claims(client_id: &str, cms_id: &str) -> AccessClaims {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    AccessClaims {
        iss: "bcda".into(),
        sub: client_id.into(),
        iat: now,
        nbf: now,
        exp: now + 1200,
        jti: uuid::Uuid::new_v4().to_string(),
        client_id: client_id.into(),
        cms_id: cms_id.into(),
        scope: None,
    }
}

/// Signs `claims` with the app's real current signing key.
pub async fn sign_with_app_key(app: &TestApp, claims: &AccessClaims) -> String {
    let service = bcda_auth::TokenService::new(&app.ctx.config.auth, app.ctx.db.clone()).unwrap();
    let key = service.keys().current().await.unwrap();
    let mut header = Header::new(Algorithm::RS512);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, claims, &key.encoding).unwrap()
}

/// The app's JWKS.
pub async fn jwks(app: &TestApp) -> Value {
    app.get("/auth/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap()
}

/// The decoded header and payload of a JWT.
pub fn decode_parts(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let mut next =
        || serde_json::from_slice(&B64URL.decode(parts.next().unwrap()).unwrap()).unwrap();
    (next(), next())
}

/// An unsigned token (`alg: none`) with the given claims.
pub fn alg_none(claims: &AccessClaims, kid: &str) -> String {
    let header = serde_json::json!({"alg": "none", "typ": "JWT", "kid": kid});
    format!(
        "{}.{}.",
        B64URL.encode(header.to_string()),
        B64URL.encode(serde_json::to_string(claims).unwrap())
    )
}

/// The classic algorithm-confusion forgery: HS256 with the server's public key (as PEM)
/// as the HMAC secret.
pub async fn hs256_with_public_key(app: &TestApp, claims: &AccessClaims) -> String {
    use aws_lc_rs::encoding::AsDer;
    let jwks = jwks(app).await;
    let jwk = &jwks["keys"][0];
    let n = B64URL.decode(jwk["n"].as_str().unwrap()).unwrap();
    let e = B64URL.decode(jwk["e"].as_str().unwrap()).unwrap();
    let der = aws_lc_rs::rsa::PublicKeyComponents {
        n: &n[..],
        e: &e[..],
    }
    .as_der()
    .unwrap();
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(der.as_ref())
    );
    let mut header = Header::new(Algorithm::HS256);
    header.kid = jwk["kid"].as_str().map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(pem.as_bytes())).unwrap()
}

/// A token signed RS512 by a key the app has never seen, under a made-up `kid`.
pub fn unknown_key(claims: &AccessClaims) -> String {
    let (key, _) = bcda_auth::keys::SigningKey::generate().unwrap();
    let mut header = Header::new(Algorithm::RS512);
    header.kid = Some("not-a-key-of-this-server".into());
    jsonwebtoken::encode(&header, claims, &key.encoding).unwrap()
}

/// `token` with one character of its signature changed.
pub fn tamper_signature(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let last = bytes.len() - 3;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}
