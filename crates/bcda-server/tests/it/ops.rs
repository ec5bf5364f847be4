use bcda_testkit::{TestAppBuilder, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn health_is_ok_when_every_dependency_answers() {
    let app = spawn_app().await;
    let response = app.get("/_health").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"database": "ok", "queue": "ok", "storage": "ok", "consumers": "ok"})
    );
}

#[tokio::test]
async fn health_names_a_stopped_database_and_broker_as_down() {
    // Nothing listens on port 1: the database and the broker are "stopped".
    let app = TestAppBuilder::default()
        .env("BCDA_DATABASE_URL", "postgres://postgres@127.0.0.1:1/bcda")
        .env("BCDA_AMQP_URL", "amqp://guest:guest@127.0.0.1:1/%2f")
        .spawn()
        .await;
    let response = app.get("/_health").await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"database": "down", "queue": "down", "storage": "ok", "consumers": "down"})
    );
}

#[tokio::test]
async fn health_names_stopped_storage_as_down() {
    let app = spawn_app().await;
    app.s3.stop();
    let response = app.get("/_health").await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["storage"], "down");
    assert_eq!(body["database"], "ok");
}

#[tokio::test]
async fn health_of_a_single_service_checks_only_what_it_uses() {
    let app = TestAppBuilder::default()
        .role(bcda_server::Role::Auth)
        .env("BCDA_AMQP_URL", "amqp://guest:guest@127.0.0.1:1/%2f")
        .spawn()
        .await;
    let response = app.get("/_health").await;
    assert_eq!(
        response.status(),
        200,
        "the auth service does not use the queue"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"database": "ok"}));
}

#[tokio::test]
async fn version_reports_the_crate_version_and_git_revision() {
    let app = spawn_app().await;
    let response = app.get("/_version").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(request_id.len(), 36, "a UUID: {request_id}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["version"], "0.0.0-test+0123456");
    assert_eq!(body["revision"], bcda_testkit::TEST_BUILD.git_revision);
}

#[tokio::test]
async fn invented_methods_share_one_metrics_series() {
    let app = spawn_app().await;
    for n in 0..30 {
        let method = reqwest::Method::from_bytes(format!("INVENTED{n}").as_bytes()).unwrap();
        app.client
            .request(method, app.url("/api/v1/metadata"))
            .send()
            .await
            .unwrap();
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(!metrics.contains("INVENTED"), "{metrics}");
    let other = metrics
        .lines()
        .filter(|line| {
            line.starts_with("bcda_http_requests_total{") && line.contains("method=\"other\"")
        })
        .count();
    assert!(other >= 1, "{metrics}");
}
