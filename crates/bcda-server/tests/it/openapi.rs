//! The OpenAPI documents and Swagger UI the guide links at `/api/v1/swagger`.

use std::collections::BTreeSet;
use std::path::Path;

use bcda_testkit::{TestApp, spawn_app};
use serde_json::Value;

/// `(method, path)` of every operation in a document.
fn operations(document: &Value) -> BTreeSet<(String, String)> {
    document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect()
}

async fn document(app: &TestApp, version: &str) -> Value {
    let response = app.get(&format!("/api/{version}/openapi.json")).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Path parameters filled with values the routes accept.
fn concrete(path: &str) -> String {
    path.replace("{version}", "v1")
        .replace("{group_id}", "all")
        .replace("{id}", "1")
        .replace("{job_id}", "1")
        .replace("{file}", "x.ndjson")
}

#[tokio::test]
async fn each_version_documents_the_guides_endpoints_and_not_the_other_version() {
    let app = spawn_app().await;
    for (version, other) in [("v1", "v2"), ("v2", "v3"), ("v3", "v1")] {
        let document = document(&app, version).await;
        assert!(document["openapi"].as_str().unwrap().starts_with("3."));
        let operations = operations(&document);
        for (method, path) in [
            ("POST", "/auth/token".to_owned()),
            ("GET", format!("/api/{version}/metadata")),
            ("GET", format!("/api/{version}/Patient/$export")),
            ("GET", format!("/api/{version}/Group/{{group_id}}/$export")),
            ("GET", format!("/api/{version}/jobs/{{id}}")),
            ("DELETE", format!("/api/{version}/jobs/{{id}}")),
            ("GET", format!("/api/{version}/jobs")),
            ("GET", format!("/api/{version}/attribution_status")),
            ("GET", "/data/{job_id}/{file}".to_owned()),
            ("HEAD", "/data/{job_id}/{file}".to_owned()),
            ("GET", "/_version".to_owned()),
            ("GET", "/_health".to_owned()),
        ] {
            assert!(
                operations.contains(&(method.to_owned(), path.clone())),
                "{version} lacks {method} {path}: {operations:?}"
            );
        }
        assert!(
            operations
                .iter()
                .all(|(_, path)| !path.starts_with(&format!("/api/{other}/"))),
            "{version} documents {other} routes"
        );
        let export =
            &document["paths"][format!("/api/{version}/Group/{{group_id}}/$export")]["get"];
        assert!(export["responses"]["202"].is_object());
        assert_eq!(export["security"][0]["bearer"], serde_json::json!([]));
        assert!(document["components"]["securitySchemes"]["basic"].is_object());
    }
}

/// Every documented operation is served by a route of exactly that pattern (the metrics
/// name the pattern each request matched), and no request of the test reached a route
/// the documents do not list.
#[tokio::test]
async fn every_documented_operation_is_a_served_route() {
    let app = spawn_app().await;
    let mut documented = operations(&document(&app, "v1").await);
    documented.extend(operations(&document(&app, "v2").await));
    documented.extend(operations(&document(&app, "v3").await));
    for (method, path) in &documented {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        app.client
            .request(method, app.url(&concrete(path)))
            .send()
            .await
            .unwrap();
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    let served: BTreeSet<(String, String)> = metrics
        .lines()
        .filter_map(|l| l.strip_prefix("bcda_http_requests_total{route=\""))
        .filter_map(|l| {
            let (route, rest) = l.split_once("\",method=\"")?;
            let (method, _) = rest.split_once('"')?;
            // A pattern's regex (`{version:v[123]}`) is not part of the documented path.
            let route = route.replace("{version:v[123]}", "{version}");
            Some((method.to_owned(), route))
        })
        // The documents and the UI's files (reached through the documented redirect)
        // are not operations of the API.
        .filter(|(_, route)| !route.ends_with("/openapi.json") && !route.contains("/swagger/"))
        .collect();
    assert_eq!(served, documented);
}

/// Routes are registered only through documented services: a `route(...)` call would
/// serve a path the documents never list.
#[test]
fn no_route_is_registered_outside_the_documented_services() {
    let root = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("..");
    for krate in ["bcda-api", "bcda-auth", "bcda-fileserver", "bcda-server"] {
        let mut stack = vec![root.join(krate).join("src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let source = std::fs::read_to_string(&path).unwrap();
                    // The one default service answers unmatched requests (405 for a
                    // documented path, else 404); it serves no path of its own.
                    let fallback = ".default_service(web::to(method_not_allowed::unmatched))";
                    let source = source.replace(fallback, "");
                    for forbidden in [".route(", "web::resource(", ".default_service("] {
                        assert!(
                            !source.contains(forbidden),
                            "{} registers a route with {forbidden}",
                            path.display()
                        );
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn swagger_ui_is_served_from_the_binary_for_each_version() {
    let app = spawn_app().await;
    for version in ["v1", "v2"] {
        let page = app.get(&format!("/api/{version}/swagger/")).await;
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("swagger-ui"));
        let initializer = app
            .get(&format!("/api/{version}/swagger/swagger-initializer.js"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            initializer.contains(&format!("/api/{version}/openapi.json")),
            "{initializer}"
        );
        let bundle = app
            .get(&format!("/api/{version}/swagger/swagger-ui-bundle.js"))
            .await;
        assert_eq!(bundle.status(), 200);
        assert!(bundle.bytes().await.unwrap().len() > 100_000);
    }
}

/// Swagger UI as a reader sees it: headless Chromium (installed by
/// `scripts/ensure-chromium.sh`) loads `/api/v1/swagger`, runs its JavaScript, and the
/// page shows the export operations. The screenshot is kept in the target directory.
#[tokio::test]
async fn swagger_ui_renders_the_export_operation_in_a_browser() {
    let script = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("../../scripts/ensure-chromium.sh");
    let installed = std::process::Command::new("bash")
        .arg(script)
        .output()
        .unwrap();
    assert!(
        installed.status.success(),
        "{}",
        String::from_utf8_lossy(&installed.stderr)
    );
    let chromium = String::from_utf8(installed.stdout)
        .unwrap()
        .trim()
        .to_owned();
    let app = spawn_app().await;
    let url = app.url("/api/v1/swagger");
    let screenshot = std::env::temp_dir().join(format!("bcda-swagger-{}.png", std::process::id()));
    let browse = |extra: Vec<String>| {
        let (chromium, url) = (chromium.clone(), url.clone());
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(chromium)
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--hide-scrollbars",
                    "--window-size=1280,1400",
                    "--virtual-time-budget=15000",
                ])
                .args(extra)
                .arg(url)
                .output()
                .unwrap()
        })
    };
    let page = browse(vec!["--dump-dom".into()]).await.unwrap();
    let dom = String::from_utf8_lossy(&page.stdout);
    for shown in [
        "Beneficiary Claims Data API v1",
        "data-path=\"/api/v1/Group/{group_id}/$export\"",
        "data-path=\"/api/v1/Patient/$export\"",
        "data-path=\"/auth/token\"",
    ] {
        assert!(
            dom.contains(shown),
            "the rendered page lacks {shown}:\n{dom}"
        );
    }
    let shot = browse(vec![format!("--screenshot={}", screenshot.display())])
        .await
        .unwrap();
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let png = std::fs::read(&screenshot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("swagger-v1.png");
    std::fs::rename(&screenshot, &kept)
        .or_else(|_| std::fs::copy(&screenshot, &kept).map(drop))
        .unwrap();
}

#[tokio::test]
async fn a_served_path_with_another_method_is_405_with_allow() {
    let app = spawn_app().await;
    for (method, path, allow) in [
        ("DELETE", "/api/v1/metadata", "GET"),
        ("PUT", "/api/v2/Patient/$export", "GET, POST"),
        ("PATCH", "/api/v1/Group/all/$export", "GET, POST"),
        ("PUT", "/api/v2/jobs/1", "DELETE, GET"),
        ("GET", "/auth/token", "POST"),
    ] {
        let response = app
            .client
            .request(method.parse().unwrap(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{method} {path}");
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["resourceType"], "OperationOutcome");
        assert_eq!(body["issue"][0]["code"], "not-supported");
    }
    assert_eq!(app.get("/no/such/path").await.status(), 404);
}
