use aws_lc_rs::signature::{ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair};
use base64::Engine as _;
use bcda_testkit::{TestApp, spawn_app};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// A backend client's own key pair, as it would generate it.
pub(crate) struct ClientKey {
    encoding: EncodingKey,
    pub(crate) jwk: Jwk,
    alg: Algorithm,
}

fn pem(label: &str, der: &[u8]) -> String {
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        base64::engine::general_purpose::STANDARD.encode(der)
    )
}

pub(crate) fn rsa_key() -> ClientKey {
    let (_, pkcs8) = bcda_auth::keys::SigningKey::generate().unwrap();
    let encoding = EncodingKey::from_rsa_pem(pem("PRIVATE KEY", &pkcs8).as_bytes()).unwrap();
    ClientKey::new(encoding, Algorithm::RS384)
}

fn ec_key() -> ClientKey {
    let pair = EcdsaKeyPair::generate(&ECDSA_P384_SHA384_FIXED_SIGNING).unwrap();
    let pkcs8 = pair.to_pkcs8v1().unwrap();
    let encoding = EncodingKey::from_ec_pem(pem("PRIVATE KEY", pkcs8.as_ref()).as_bytes()).unwrap();
    ClientKey::new(encoding, Algorithm::ES384)
}

impl ClientKey {
    fn new(encoding: EncodingKey, alg: Algorithm) -> ClientKey {
        let mut jwk = Jwk::from_encoding_key(&encoding, alg).unwrap();
        jwk.common.key_id = Some(format!("client-key-{}", uuid::Uuid::new_v4()));
        ClientKey { encoding, jwk, alg }
    }

    pub(crate) fn assertion(
        &self,
        client_id: &str,
        audience: &str,
        lifetime: i64,
        jti: &str,
    ) -> String {
        self.edited_assertion(client_id, audience, lifetime, jti, |_, _| {})
    }

    /// An assertion whose header and claims `edit` changes before it is signed.
    pub(crate) fn edited_assertion(
        &self,
        client_id: &str,
        audience: &str,
        lifetime: i64,
        jti: &str,
        edit: impl FnOnce(&mut Header, &mut Value),
    ) -> String {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut header = Header::new(self.alg);
        header.kid = self.jwk.common.key_id.clone();
        let mut claims = json!({
            "iss": client_id, "sub": client_id, "aud": audience,
            "exp": now + lifetime, "jti": jti,
        });
        edit(&mut header, &mut claims);
        jsonwebtoken::encode(&header, &claims, &self.encoding).unwrap()
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

async fn register(app: &TestApp, key: &ClientKey) -> String {
    let store = bcda_auth::clients::ClientStore::new(app.ctx.db.clone());
    store.ensure_aco("A7777", "Backend ACO").await.unwrap();
    let jwks = json!({"keys": [serde_json::to_value(&key.jwk).unwrap()]});
    store.create_jwks_client("A7777", jwks).await.unwrap()
}

async fn request(app: &TestApp, form: &[(&str, &str)]) -> reqwest::Response {
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    app.client
        .post(app.url("/auth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

pub(crate) async fn assertion_request(app: &TestApp, assertion: &str) -> reqwest::Response {
    scoped_assertion_request(app, assertion, "system/*.read").await
}

async fn scoped_assertion_request(
    app: &TestApp,
    assertion: &str,
    scope: &str,
) -> reqwest::Response {
    request(
        app,
        &[
            ("grant_type", "client_credentials"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
            ("scope", scope),
        ],
    )
    .await
}

#[tokio::test]
async fn a_token_reads_only_the_types_its_scopes_grant() {
    let app = spawn_app().await;
    let aco = app.synthetic_aco("A7777", 6).await;
    let key = rsa_key();
    let client_id = register(&app, &key).await;
    let assertion = key.assertion(&client_id, &app.url("/auth/token"), 240, "patients-only");
    let response = scoped_assertion_request(&app, &assertion, "system/Patient.read").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let patients_only = body["access_token"].as_str().unwrap().to_owned();

    // Naming a type the scopes do not grant is refused; without `_type`, the export
    // holds the granted types only.
    let refused = app
        .kick_off(
            &patients_only,
            "/api/v2/Patient/$export?_type=ExplanationOfBenefit",
        )
        .await;
    assert_eq!(refused.status(), 403);
    let outcome: Value = refused.json().await.unwrap();
    assert_eq!(outcome["issue"][0]["code"], "forbidden", "{outcome}");
    let manifest = app.export(&patients_only, "/api/v2/Patient/$export").await;
    let types: Vec<&str> = manifest["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["Patient"]);

    // A job of every type, started with full access: the scoped token neither sees nor
    // downloads its EOB files.
    let full = app.export(&aco.token, "/api/v2/Patient/$export").await;
    let eob = full["output"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["type"] == "ExplanationOfBenefit")
        .and_then(|f| f["url"].as_str())
        .unwrap()
        .trim_start_matches(&app.address)
        .to_owned();
    assert_eq!(app.get_with_token(&eob, &aco.token).await.status(), 200);
    assert_eq!(app.get_with_token(&eob, &patients_only).await.status(), 403);
    let job = format!("/api/v2/jobs/{}", full["JobID"]);
    let seen: Value = app
        .get_with_token(&job, &patients_only)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        seen["output"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["type"] == "Patient"),
        "{seen}"
    );
}

#[tokio::test]
async fn rs384_and_es384_assertions_get_tokens_that_open_the_api() {
    let app = spawn_app().await;
    for key in [rsa_key(), ec_key()] {
        let client_id = register(&app, &key).await;
        let assertion = key.assertion(
            &client_id,
            &app.url("/auth/token"),
            240,
            &uuid::Uuid::new_v4().to_string(),
        );
        let response = assertion_request(&app, &assertion).await;
        assert_eq!(response.status(), 200, "{:?}", key.alg);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["scope"], "system/*.read");
        assert_eq!(body["token_type"], "bearer");
        // A number here, as SMART Backend Services specifies (Basic tokens carry BCDA's
        // string).
        assert_eq!(body["expires_in"], 1200);
        let token = body["access_token"].as_str().unwrap();
        assert_eq!(
            app.list_jobs("/api/v2/jobs", token).await.status(),
            404 // accepted; the ACO has no jobs
        );
    }
}

#[tokio::test]
async fn a_reused_assertion_is_refused() {
    let app = spawn_app().await;
    let key = rsa_key();
    let client_id = register(&app, &key).await;
    let assertion = key.assertion(&client_id, &app.url("/auth/token"), 240, "only-once");
    assert_eq!(assertion_request(&app, &assertion).await.status(), 200);

    let replay = assertion_request(&app, &assertion).await;
    assert_eq!(replay.status(), 401);
    let body: Value = replay.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
}

#[tokio::test]
async fn bad_assertions_are_invalid_clients() {
    let app = spawn_app().await;
    let key = rsa_key();
    let client_id = register(&app, &key).await;
    let stranger = rsa_key();
    let jti = || uuid::Uuid::new_v4().to_string();
    let token_url = app.url("/auth/token");
    let cases = [
        (
            "wrong audience",
            key.assertion(&client_id, "https://elsewhere.example/token", 240, &jti()),
        ),
        (
            "lives too long",
            key.assertion(&client_id, &token_url, 3600, &jti()),
        ),
        (
            "expired",
            key.assertion(&client_id, &token_url, -60, &jti()),
        ),
        (
            "unregistered key",
            stranger.assertion(&client_id, &token_url, 240, &jti()),
        ),
        (
            "unknown client",
            key.assertion("no-such-client", &token_url, 240, &jti()),
        ),
        (
            "subject is not the client",
            key.edited_assertion(&client_id, &token_url, 240, &jti(), |_, claims| {
                claims["sub"] = "someone-else".into();
            }),
        ),
        (
            "not valid for another hour",
            key.edited_assertion(&client_id, &token_url, 240, &jti(), |_, claims| {
                claims["nbf"] = (now() + 3600).into();
            }),
        ),
        (
            "issued a day ahead",
            key.edited_assertion(&client_id, &token_url, 240, &jti(), |_, claims| {
                claims["iat"] = (now() + 86_400).into();
            }),
        ),
        (
            "a critical header extension",
            key.edited_assertion(&client_id, &token_url, 240, &jti(), |header, _| {
                header.crit = Some(vec!["b64".into()]);
            }),
        ),
    ];
    for (case, assertion) in cases {
        let response = assertion_request(&app, &assertion).await;
        assert_eq!(response.status(), 401, "{case}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_client", "{case}");
    }
}

#[tokio::test]
async fn malformed_assertion_requests_follow_rfc_6749() {
    let app = spawn_app().await;
    let assertion_type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    type Form<'a> = Vec<(&'a str, &'a str)>;
    let cases: [(&str, Form, &str); 3] = [
        (
            "grant type",
            vec![
                ("grant_type", "password"),
                ("client_assertion_type", assertion_type),
                ("client_assertion", "x"),
                ("scope", "system/*.read"),
            ],
            "unsupported_grant_type",
        ),
        (
            "assertion type",
            vec![
                ("grant_type", "client_credentials"),
                ("client_assertion_type", "other"),
                ("client_assertion", "x"),
                ("scope", "system/*.read"),
            ],
            "invalid_request",
        ),
        (
            "scope",
            vec![
                ("grant_type", "client_credentials"),
                ("client_assertion_type", assertion_type),
                ("client_assertion", "x"),
                ("scope", "system/*.write"),
            ],
            "invalid_scope",
        ),
    ];
    for (case, form, error) in cases {
        let response = request(&app, &form).await;
        assert_eq!(response.status(), 400, "{case}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], error, "{case}");
    }
}

#[tokio::test]
async fn smart_configuration_describes_the_token_endpoint() {
    let app = spawn_app().await;
    for path in [
        "/.well-known/smart-configuration",
        "/api/v2/.well-known/smart-configuration",
    ] {
        let body: Value = app.get(path).await.json().await.unwrap();
        assert_eq!(body["token_endpoint"], app.url("/auth/token"), "{path}");
        assert!(
            body["token_endpoint_auth_signing_alg_values_supported"]
                .as_array()
                .unwrap()
                .contains(&json!("ES384"))
        );
        assert!(
            body["scopes_supported"]
                .as_array()
                .unwrap()
                .contains(&json!("system/*.read"))
        );
    }
}

#[tokio::test]
async fn an_assertion_for_another_origin_is_refused_whatever_the_request_headers_say() {
    let app = spawn_app().await;
    let key = rsa_key();
    let client_id = register(&app, &key).await;
    let assertion = key.assertion(&client_id, "https://evil.example/auth/token", 240, "aud");
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "client_credentials"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion.as_str()),
            ("scope", "system/*.read"),
        ])
        .finish();
    let response = app
        .client
        .post(app.url("/auth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Host", "evil.example")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}
