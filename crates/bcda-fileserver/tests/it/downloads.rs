use std::io::Read as _;

use bcda_testkit::{SyntheticAco, TestApp, TestAppBuilder};
use futures::StreamExt;
use serde_json::Value;

/// An app with one completed export of a small ACO; returns the URL of its largest
/// file.
async fn exported() -> (TestApp, SyntheticAco, String, Value) {
    let app = TestAppBuilder::default().spawn().await;
    let aco = app.synthetic_aco("A9994", 20).await;
    let manifest = app
        .export(
            &aco.token,
            "/api/v1/Patient/$export?_type=ExplanationOfBenefit",
        )
        .await;
    let url = manifest["output"][0]["url"].as_str().unwrap().to_owned();
    (app, aco, url, manifest)
}

async fn get(app: &TestApp, token: &str, url: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.get(url).bearer_auth(token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut plain)
        .unwrap();
    plain
}

#[tokio::test]
async fn gzip_and_plain_downloads_hold_the_same_lines() {
    let (app, aco, url, _) = exported().await;
    let plain = get(&app, &aco.token, &url, &[]).await;
    assert_eq!(plain.status(), 200);
    let headers = plain.headers().clone();
    assert_eq!(headers["content-type"], "application/fhir+ndjson");
    assert!(!headers.contains_key("content-encoding"));
    assert_eq!(headers["vary"], "Accept-Encoding");
    assert_eq!(headers["accept-ranges"], "bytes");
    assert!(headers.contains_key("etag") && headers.contains_key("last-modified"));
    let plain = plain.bytes().await.unwrap();
    assert_eq!(headers["content-length"], plain.len().to_string().as_str());

    let gzip = get(
        &app,
        &aco.token,
        &url,
        &[("Accept-Encoding", "gzip, deflate, br")],
    )
    .await;
    assert_eq!(gzip.status(), 200);
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    assert_ne!(gzip.headers()["etag"], headers["etag"]);
    let compressed = gzip.bytes().await.unwrap();
    assert!(compressed.len() * 3 < plain.len(), "gzip is much smaller");
    assert_eq!(gunzip(&compressed), plain);
    for line in plain.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let resource: Value = serde_json::from_slice(line).unwrap();
        assert_eq!(resource["resourceType"], "ExplanationOfBenefit");
    }

    // Both downloads are counted, with the bytes each sent, once the server has let go of
    // each body (just after the client read its last byte).
    let expected: Vec<String> = [("gzip", compressed.len()), ("identity", plain.len())]
        .iter()
        .flat_map(|(encoding, bytes)| {
            let labels = format!("{{status=\"200\",encoding=\"{encoding}\"}}");
            [
                format!("bcda_downloads_total{labels} 1"),
                format!("bcda_download_bytes_total{labels} {bytes}"),
            ]
        })
        .collect();
    let mut metrics = String::new();
    for _ in 0..50 {
        metrics = app.get("/metrics").await.text().await.unwrap();
        if expected.iter().all(|line| metrics.contains(line.as_str())) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("expected {expected:?} in {metrics}");
}

/// Reads the first `cut` bytes of a download and drops the connection, then resumes
/// with `Range` and `If-Range` from there.
async fn interrupted_then_resumed(
    app: &TestApp,
    token: &str,
    url: &str,
    encoding: &str,
    cut: usize,
) -> Vec<u8> {
    let first = get(app, token, url, &[("Accept-Encoding", encoding)]).await;
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let mut received = Vec::new();
    let mut stream = first.bytes_stream();
    while received.len() < cut {
        let chunk = stream.next().await.unwrap().unwrap();
        received.extend_from_slice(&chunk);
    }
    received.truncate(cut);
    drop(stream);

    let rest = get(
        app,
        token,
        url,
        &[
            ("Accept-Encoding", encoding),
            ("Range", &format!("bytes={cut}-")),
            ("If-Range", &etag),
        ],
    )
    .await;
    assert_eq!(rest.status(), 206);
    let total = rest.headers()["content-range"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse::<usize>()
        .unwrap();
    assert!(
        rest.headers()["content-range"]
            .to_str()
            .unwrap()
            .starts_with(&format!("bytes {cut}-{}/", total - 1))
    );
    received.extend_from_slice(&rest.bytes().await.unwrap());
    received
}

#[tokio::test]
async fn an_interrupted_download_resumes_to_identical_bytes_in_both_representations() {
    let (app, aco, url, _) = exported().await;
    for encoding in ["identity", "gzip"] {
        let whole = get(&app, &aco.token, &url, &[("Accept-Encoding", encoding)])
            .await
            .bytes()
            .await
            .unwrap();
        for cut in [1, 4096, whole.len() / 3, whole.len() - 1] {
            let resumed = interrupted_then_resumed(&app, &aco.token, &url, encoding, cut).await;
            assert!(resumed == whole, "{encoding} resumed at {cut}");
        }
    }
}

#[tokio::test]
async fn validators_ranges_and_their_refusals() {
    let (app, aco, url, _) = exported().await;
    let first = get(&app, &aco.token, &url, &[]).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let length: usize = first.bytes().await.unwrap().len();

    let unchanged = get(&app, &aco.token, &url, &[("If-None-Match", &etag)]).await;
    assert_eq!(unchanged.status(), 304);
    assert!(unchanged.bytes().await.unwrap().is_empty());
    // The gzip representation has its own tag: the plain one's does not match it.
    let other = get(
        &app,
        &aco.token,
        &url,
        &[("If-None-Match", &etag), ("Accept-Encoding", "gzip")],
    )
    .await;
    assert_eq!(other.status(), 200);

    let past_the_end = get(
        &app,
        &aco.token,
        &url,
        &[("Range", &format!("bytes={length}-"))],
    )
    .await;
    assert_eq!(past_the_end.status(), 416);
    assert_eq!(
        past_the_end.headers()["content-range"],
        format!("bytes */{length}").as_str()
    );

    let stale = get(
        &app,
        &aco.token,
        &url,
        &[("Range", "bytes=10-"), ("If-Range", "\"not-it\"")],
    )
    .await;
    assert_eq!(
        stale.status(),
        200,
        "a changed validator gets the whole file"
    );

    let head = app
        .client
        .head(&url)
        .bearer_auth(&aco.token)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["etag"], etag.as_str());
    assert_eq!(
        head.headers()["content-length"],
        length.to_string().as_str()
    );
    assert!(head.bytes().await.unwrap().is_empty());

    let tail = get(&app, &aco.token, &url, &[("Range", "bytes=-10")]).await;
    assert_eq!(tail.status(), 206);
    assert_eq!(tail.bytes().await.unwrap().len(), 10);
}

#[tokio::test]
async fn other_acos_path_tricks_and_expired_jobs_are_refused() {
    let (app, aco, url, manifest) = exported().await;
    let other = app.synthetic_aco("A9990", 2).await;
    assert_eq!(
        get(&app, &other.token, &url, &[]).await.status(),
        404,
        "another ACO's file"
    );

    let job_id = manifest["JobID"].as_i64().unwrap();
    let file = url.rsplit('/').next().unwrap();
    for path in [
        format!("/data/{job_id}/..%2F{file}"),
        format!("/data/{job_id}/{}", file.replace(".ndjson", ".json")),
        format!("/data/{job_id}/{}", file.to_uppercase()),
        format!("/data/{}/{file}", job_id + 1),
        format!("/data/x/{file}"),
        format!("/data/{job_id}/f92dcf16-63a2-448e-a12a-3bf677f966ed.ndjson"),
    ] {
        assert_eq!(
            get(&app, &aco.token, &app.url(&path), &[]).await.status(),
            404,
            "{path}"
        );
    }
    let anonymous = app.client.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);

    app.ctx
        .db
        .get()
        .await
        .unwrap()
        .execute(
            "UPDATE jobs SET expires_at = now() WHERE id = $1",
            &[&job_id],
        )
        .await
        .unwrap();
    let expired = get(&app, &aco.token, &url, &[]).await;
    assert_eq!(expired.status(), 410);
    let body: Value = expired.json().await.unwrap();
    assert_eq!(body["resourceType"], "OperationOutcome");
}

#[tokio::test]
async fn signed_urls_work_without_a_token_for_their_file_until_they_expire() {
    let app = TestAppBuilder::default()
        .env(
            "BCDA_DOWNLOAD_URL_KEY",
            "c2lnbmVkLXVybC10ZXN0LWtleS0zMi1ieXRlcy0hISE=",
        )
        .env("BCDA_DOWNLOAD_URL_TTL_SECS", "60")
        .spawn()
        .await;
    let aco = app.synthetic_aco("A9994", 10).await;
    let manifest = app.export(&aco.token, "/api/v2/Patient/$export").await;
    assert_eq!(manifest["requiresAccessToken"], false);
    let urls: Vec<&str> = manifest["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["url"].as_str().unwrap())
        .collect();
    for url in &urls {
        assert!(url.contains("?exp=") && url.contains("&sig="), "{url}");
        let anonymous = app.client.get(*url).send().await.unwrap();
        assert_eq!(anonymous.status(), 200, "{url}");
        assert!(!anonymous.text().await.unwrap().is_empty());
    }

    // A signature is bound to its file and its expiry.
    let (path, query) = urls[0].split_once('?').unwrap();
    let other_path = urls[1].split_once('?').unwrap().0;
    let moved = app
        .client
        .get(format!("{other_path}?{query}"))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 401);
    let tampered = query.replace("exp=", "exp=9");
    let stretched = app
        .client
        .get(format!("{path}?{tampered}"))
        .send()
        .await
        .unwrap();
    assert_eq!(stretched.status(), 401);
    // Without a signature the token is still required.
    assert_eq!(app.client.get(path).send().await.unwrap().status(), 401);
    assert_eq!(get(&app, &aco.token, path, &[]).await.status(), 200);
}
