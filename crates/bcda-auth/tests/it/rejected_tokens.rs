use std::time::Duration;

use bcda_testkit::{TestApp, spawn_app};
use serde_json::Value;

use crate::forge;

/// A protected API route and a protected file route: every rejection must hold on both.
const PROTECTED: [&str; 2] = [
    "/api/v1/jobs",
    "/data/1/afd22dfa-c239-4063-8882-eb2712f9f638.ndjson",
];

async fn assert_invalid_token(app: &TestApp, authorization: Option<&str>, case: &str) {
    for path in PROTECTED {
        let mut request = app.client.get(app.url(path));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{case} on {path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/fhir+json",
            "{case}"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["resourceType"], "OperationOutcome", "{case}");
        assert_eq!(
            body["issue"][0]["diagnostics"], "Invalid Token",
            "{case} on {path}"
        );
    }
}

#[tokio::test]
async fn a_valid_token_opens_both_routes() {
    let app = spawn_app().await;
    let credentials = app.create_client("A1234").await;
    let token = app.token(&credentials).await;
    // Authenticated, then not found: the ACO has no jobs, and no such file.
    let jobs = app.list_jobs(PROTECTED[0], &token).await;
    assert_eq!(jobs.status(), 404);
    let outcome: Value = jobs.json().await.unwrap();
    assert!(
        outcome["issue"][0]["diagnostics"]
            .as_str()
            .unwrap()
            .starts_with("no Jobs found for acoID "),
        "{outcome}"
    );
    assert_eq!(app.get_with_token(PROTECTED[1], &token).await.status(), 404);
}

#[tokio::test]
async fn missing_and_malformed_authorization_is_rejected() {
    let app = spawn_app().await;
    assert_invalid_token(&app, None, "no header").await;
    assert_invalid_token(&app, Some("Bearer"), "no token").await;
    assert_invalid_token(&app, Some("Bearer not.a.jwt"), "garbage").await;
    assert_invalid_token(&app, Some("Basic dXNlcjpwYXNz"), "basic scheme").await;
}

#[tokio::test]
async fn expired_and_not_yet_valid_tokens_are_rejected() {
    let app = spawn_app().await;
    let credentials = app.create_client("A1234").await;
    let mut expired = forge::claims(&credentials.client_id, "A1234");
    expired.iat -= 3600;
    expired.nbf -= 3600;
    expired.exp = expired.iat + 1200;
    let token = forge::sign_with_app_key(&app, &expired).await;
    assert_invalid_token(&app, Some(&format!("Bearer {token}")), "expired").await;

    let mut future = forge::claims(&credentials.client_id, "A1234");
    future.nbf += 600;
    future.iat += 600;
    future.exp += 600;
    let token = forge::sign_with_app_key(&app, &future).await;
    assert_invalid_token(&app, Some(&format!("Bearer {token}")), "not yet valid").await;
}

#[tokio::test]
async fn forged_tokens_are_rejected() {
    let app = spawn_app().await;
    let credentials = app.create_client("A1234").await;
    let claims = forge::claims(&credentials.client_id, "A1234");
    let genuine = forge::sign_with_app_key(&app, &claims).await;
    assert_eq!(
        app.list_jobs(PROTECTED[0], &genuine).await.status(),
        404,
        "control: accepted, and the ACO has no jobs"
    );

    let kid = forge::decode_parts(&genuine).0["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    let cases = [
        ("bad signature", forge::tamper_signature(&genuine)),
        ("alg none", forge::alg_none(&claims, &kid)),
        (
            "HS256 with the public key",
            forge::hs256_with_public_key(&app, &claims).await,
        ),
        ("unknown kid", forge::unknown_key(&claims)),
    ];
    for (case, token) in cases {
        assert_invalid_token(&app, Some(&format!("Bearer {token}")), case).await;
    }

    let mut wrong_issuer = claims.clone();
    wrong_issuer.iss = "someone-else".into();
    let token = forge::sign_with_app_key(&app, &wrong_issuer).await;
    assert_invalid_token(&app, Some(&format!("Bearer {token}")), "wrong issuer").await;

    let mut other_aco = claims.clone();
    other_aco.cms_id = "A9999".into();
    let token = forge::sign_with_app_key(&app, &other_aco).await;
    assert_invalid_token(
        &app,
        Some(&format!("Bearer {token}")),
        "ACO not the client's",
    )
    .await;
}

#[tokio::test]
async fn a_token_of_a_client_revoked_after_issue_stops_working() {
    let app = spawn_app().await;
    let credentials = app.create_client("A1234").await;
    let token = app.token(&credentials).await;
    // Accepted: the ACO has no jobs.
    assert_eq!(app.list_jobs("/api/v1/jobs", &token).await.status(), 404);

    bcda_auth::clients::ClientStore::new(app.ctx.db.clone())
        .revoke(&credentials.client_id)
        .await
        .unwrap();
    // The verifier trusts a client's standing for a few seconds, no longer.
    tokio::time::sleep(Duration::from_millis(5_500)).await;
    assert_invalid_token(&app, Some(&format!("Bearer {token}")), "revoked").await;
}

#[tokio::test]
async fn a_denied_aco_gets_tokens_but_403_on_data_until_allowed_again() {
    let app = spawn_app().await;
    let credentials = app.create_client("A5555").await;
    let store = bcda_auth::clients::ClientStore::new(app.ctx.db.clone());
    store.set_aco_denied("A5555", true).await.unwrap();

    let token = app.token(&credentials).await;
    for path in PROTECTED {
        let response = app.get_with_token(path, &token).await;
        assert_eq!(response.status(), 403, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["resourceType"], "OperationOutcome");
        assert_eq!(body["issue"][0]["code"], "forbidden");
        // BCDA's words for a denylisted ACO.
        assert_eq!(
            body["issue"][0]["diagnostics"],
            "ACO (CMS_ID: A5555) is unauthorized"
        );
    }

    store.set_aco_denied("A5555", false).await.unwrap();
    app.ctx.verifier.forget_standings().await;
    // Accepted again: the ACO has no jobs.
    assert_eq!(app.list_jobs("/api/v1/jobs", &token).await.status(), 404);
}

#[tokio::test]
async fn v2_rejections_carry_the_v2_outcome_details() {
    let app = spawn_app().await;
    let response = app.get("/api/v2/jobs").await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["issue"][0]["details"]["text"], "Invalid Token");
}
