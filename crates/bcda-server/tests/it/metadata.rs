use bcda_testkit::{TestAppBuilder, spawn_app};
use serde_json::Value;

/// The CapabilityStatement printed in the sandbox guide.
fn guide_statement() -> Value {
    let guide =
        include_str!("../../../bcda-model/tests/fixtures/guide-capability-statement-v1.json");
    serde_json::from_str(guide).expect("the guide's statement is JSON")
}

/// Replaces the parts the guide says vary (URLs and dates) with markers.
fn normalise(mut statement: Value, origin: &str) -> Value {
    fn walk(value: &mut Value, origin: &str) {
        match value {
            Value::String(s) => *s = s.replace(origin, "<origin>"),
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, origin)),
            Value::Object(map) => map.values_mut().for_each(|v| walk(v, origin)),
            _ => {}
        }
    }
    walk(&mut statement, origin);
    statement["date"] = "<date>".into();
    statement["software"]["releaseDate"] = "<date>".into();
    statement["software"]["version"] = "<version>".into();
    statement
}

#[tokio::test]
async fn metadata_is_the_guides_capability_statement_without_a_token() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/metadata").await;
    assert_eq!(response.status(), 200);
    // As BCDA serves it.
    assert_eq!(response.headers()["content-type"], "application/json");
    let ours: Value = response.json().await.unwrap();

    assert_eq!(
        normalise(ours.clone(), &app.address),
        normalise(guide_statement(), "https://sandbox.bcda.cms.gov")
    );
    assert_eq!(ours["implementation"]["url"], app.address.as_str());
}

#[tokio::test]
async fn without_a_public_url_request_headers_cannot_choose_the_origin() {
    let app = spawn_app().await;
    for (name, value) in [
        ("X-Forwarded-Host", "evil.example"),
        ("Host", "evil.example"),
        ("Forwarded", "host=evil.example;proto=https"),
    ] {
        let response = app
            .client
            .get(format!("{}/api/v1/metadata", app.address))
            .header("X-Forwarded-Proto", "https")
            .header(name, value)
            .send()
            .await
            .unwrap();
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["implementation"]["url"],
            app.address.as_str(),
            "{name}"
        );
    }
    let localhost = app.address.replace("127.0.0.1", "localhost");
    let response = app
        .client
        .get(format!("{localhost}/api/v1/metadata"))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["implementation"]["url"], localhost.as_str());
}

#[tokio::test]
async fn configured_public_url_wins_over_request_headers() {
    let app = TestAppBuilder::default()
        .env("BCDA_PUBLIC_URL", "https://sandbox.example.gov/")
        .spawn()
        .await;
    let response = app
        .client
        .get(format!("{}/api/v1/metadata", app.address))
        .header("X-Forwarded-Host", "evil.example.com")
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["implementation"]["url"], "https://sandbox.example.gov");
}

#[tokio::test]
async fn v2_metadata_is_an_r4_statement_served_as_bcda_serves_it() {
    let app = spawn_app().await;
    let response = app.get("/api/v2/metadata").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["fhirVersion"], "4.0.1");
    assert_eq!(body["kind"], "instance");
    assert_eq!(
        body["rest"][0]["security"]["extension"][0]["extension"][0]["valueUri"],
        format!("{}/auth/token", app.address)
    );
    assert_eq!(
        body["rest"][0]["resource"][1]["operation"][0]["definition"],
        "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export"
    );
}
