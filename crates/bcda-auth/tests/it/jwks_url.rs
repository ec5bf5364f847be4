//! SMART clients registered by JWKS URL, against a real HTTP server holding the keys:
//! fetched once and cached, fetched again for a rotated key, `jku` checked, and the fetch
//! kept from becoming a request-forgery vector (scheme, private addresses by literal and
//! by name, response size, timeout).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bcda_auth::clients::{ClientStore, StoreError};
use bcda_auth::jwks_url::{JwksUrlError, UrlPolicy};
use bcda_testkit::{TestApp, TestAppBuilder};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Mutex;

use crate::smart::{ClientKey, assertion_request, rsa_key};

/// What the key server answers.
#[derive(Debug, Clone)]
enum Answer {
    Jwks(Value),
    /// A body of this many bytes, its length announced.
    Huge(usize),
    /// A body of this many bytes, its length not announced: read until the connection
    /// closes.
    HugeUnannounced(usize),
    /// Nothing, ever.
    Silence,
}

/// A JWKS server on a loopback port that counts the requests it gets.
struct KeyServer {
    port: u16,
    answer: Arc<Mutex<Answer>>,
    requests: Arc<AtomicUsize>,
}

impl KeyServer {
    async fn start(answer: Answer) -> KeyServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let answer = Arc::new(Mutex::new(answer));
        let requests = Arc::new(AtomicUsize::new(0));
        let (serving, counting) = (answer.clone(), requests.clone());
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let (answer, requests) = (serving.clone(), counting.clone());
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buffer = [0; 4096];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buffer[..n]),
                        }
                    }
                    requests.fetch_add(1, Ordering::SeqCst);
                    let (body, announced) = match answer.lock().await.clone() {
                        Answer::Jwks(jwks) => (jwks.to_string().into_bytes(), true),
                        Answer::Huge(size) => (vec![b' '; size], true),
                        Answer::HugeUnannounced(size) => (vec![b' '; size], false),
                        Answer::Silence => {
                            tokio::time::sleep(Duration::from_secs(60)).await;
                            return;
                        }
                    };
                    let length = if announced {
                        format!("Content-Length: {}\r\n", body.len())
                    } else {
                        String::new()
                    };
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{length}Connection: close\r\n\r\n"
                    );
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.write_all(&body).await;
                });
            }
        });
        KeyServer {
            port,
            answer,
            requests,
        }
    }

    fn url(&self, host: &str) -> String {
        format!("http://{host}:{}/jwks.json", self.port)
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn jwks_of(keys: &[&ClientKey]) -> Value {
    json!({"keys": keys.iter().map(|k| serde_json::to_value(&k.jwk).unwrap()).collect::<Vec<_>>()})
}

/// An app whose auth service fetches client keys with `policy` (the test's key server
/// is plain HTTP on a loopback address).
async fn app_with(policy: UrlPolicy, extra: &[(&str, &str)]) -> TestApp {
    let mut builder = TestAppBuilder::default()
        .env("BCDA_WORKERS", "0")
        .env("BCDA_JWKS_URL_ALLOW_HTTP", policy.allow_http.to_string())
        .env(
            "BCDA_JWKS_URL_ALLOW_PRIVATE",
            policy.allow_private.to_string(),
        );
    for (name, value) in extra {
        builder = builder.env(name, *value);
    }
    builder.spawn().await
}

const DEVELOPMENT: UrlPolicy = UrlPolicy {
    allow_http: true,
    allow_private: true,
};

/// Registers a client of ACO A7777 by `url` without the registration's own checks, as
/// if registered under a laxer policy: what the fetch itself must refuse.
async fn register_unchecked(app: &TestApp, url: &str) -> String {
    let store = ClientStore::new(app.ctx.db.clone());
    store.ensure_aco("A7777", "Backend ACO").await.unwrap();
    store
        .create_jwks_url_client("A7777", url, DEVELOPMENT)
        .await
        .unwrap()
}

async fn token_status(app: &TestApp, key: &ClientKey, client_id: &str) -> u16 {
    let assertion = key.assertion(
        client_id,
        &app.url("/auth/token"),
        240,
        &uuid::Uuid::new_v4().to_string(),
    );
    assertion_request(app, &assertion).await.status().as_u16()
}

#[tokio::test]
async fn keys_are_fetched_once_cached_and_fetched_again_for_a_rotated_key() {
    let app = app_with(DEVELOPMENT, &[("BCDA_JWKS_REFRESH_MIN_SECS", "0")]).await;
    let first = rsa_key();
    let server = KeyServer::start(Answer::Jwks(jwks_of(&[&first]))).await;
    let client_id = register_unchecked(&app, &server.url("127.0.0.1")).await;

    assert_eq!(token_status(&app, &first, &client_id).await, 200);
    assert_eq!(token_status(&app, &first, &client_id).await, 200);
    assert_eq!(
        server.requests(),
        1,
        "the second token used the cached keys"
    );

    // The client rotates: a new key, published at the same URL.
    let second = rsa_key();
    *server.answer.lock().await = Answer::Jwks(jwks_of(&[&second]));
    assert_eq!(token_status(&app, &second, &client_id).await, 200);
    assert_eq!(
        server.requests(),
        2,
        "an unknown kid fetched the keys again"
    );
    assert_eq!(
        token_status(&app, &first, &client_id).await,
        401,
        "the retired key no longer works"
    );
}

#[tokio::test]
async fn a_jku_other_than_the_registered_url_is_refused() {
    let app = app_with(DEVELOPMENT, &[]).await;
    let key = rsa_key();
    let server = KeyServer::start(Answer::Jwks(jwks_of(&[&key]))).await;
    let client_id = register_unchecked(&app, &server.url("127.0.0.1")).await;
    let audience = app.url("/auth/token");
    let with_jku = |jku: String| {
        key.edited_assertion(
            &client_id,
            &audience,
            240,
            &uuid::Uuid::new_v4().to_string(),
            |header, _| header.jku = Some(jku),
        )
    };
    let elsewhere = with_jku("https://attacker.example/jwks.json".into());
    assert_eq!(assertion_request(&app, &elsewhere).await.status(), 401);
    assert_eq!(
        server.requests(),
        0,
        "nothing was fetched for a foreign jku"
    );
    let registered = with_jku(server.url("127.0.0.1"));
    assert_eq!(assertion_request(&app, &registered).await.status(), 200);
    // The same URL written another way is the same URL.
    let spelled = with_jku(server.url("127.0.0.1").replace("http://", "HTTP://"));
    assert_eq!(assertion_request(&app, &spelled).await.status(), 200);
}

#[tokio::test]
async fn registration_takes_only_https_urls_of_public_hosts_outside_development() {
    let app = app_with(UrlPolicy::default(), &[]).await;
    let store = ClientStore::new(app.ctx.db.clone());
    store.ensure_aco("A7777", "Backend ACO").await.unwrap();
    let production = UrlPolicy::default();
    for (url, refusal) in [
        ("http://keys.example.org/jwks.json", JwksUrlError::NotHttps),
        (
            "https://169.254.169.254/latest/meta-data",
            JwksUrlError::PrivateAddress("169.254.169.254".into()),
        ),
    ] {
        let refused = store.create_jwks_url_client("A7777", url, production).await;
        assert!(
            matches!(&refused, Err(StoreError::InvalidJwksUrl(e)) if *e == refusal),
            "{url}: {refused:?}"
        );
    }
    assert!(
        store
            .create_jwks_url_client("A7777", "https://keys.example.org/jwks.json", production)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn an_http_url_is_never_fetched_outside_development() {
    // Private addresses allowed, so only the scheme stands in the way.
    let https_only = UrlPolicy {
        allow_http: false,
        allow_private: true,
    };
    let app = app_with(https_only, &[]).await;
    let key = rsa_key();
    let server = KeyServer::start(Answer::Jwks(jwks_of(&[&key]))).await;
    let client_id = register_unchecked(&app, &server.url("127.0.0.1")).await;
    assert_eq!(token_status(&app, &key, &client_id).await, 401);
    assert_eq!(server.requests(), 0);
}

#[tokio::test]
async fn private_addresses_are_never_fetched_by_literal_or_by_name() {
    let http_only = UrlPolicy {
        allow_http: true,
        allow_private: false,
    };
    let app = app_with(http_only, &[]).await;
    let key = rsa_key();
    let server = KeyServer::start(Answer::Jwks(jwks_of(&[&key]))).await;
    for host in ["127.0.0.1", "localhost"] {
        let client_id = register_unchecked(&app, &server.url(host)).await;
        assert_eq!(token_status(&app, &key, &client_id).await, 401, "{host}");
    }
    assert_eq!(
        server.requests(),
        0,
        "no request reached the loopback server"
    );
}

#[tokio::test]
async fn an_oversized_jwks_is_refused_whether_its_length_is_announced_or_not() {
    let app = app_with(DEVELOPMENT, &[("BCDA_JWKS_REFRESH_MIN_SECS", "0")]).await;
    let key = rsa_key();
    let too_big = bcda_auth::jwks_url::MAX_JWKS_BYTES + 1;
    for answer in [Answer::Huge(too_big), Answer::HugeUnannounced(too_big)] {
        let server = KeyServer::start(answer).await;
        let client_id = register_unchecked(&app, &server.url("127.0.0.1")).await;
        assert_eq!(token_status(&app, &key, &client_id).await, 401);
        assert_eq!(server.requests(), 1);
    }
}

#[tokio::test]
async fn a_failing_key_server_is_not_asked_again_for_a_while() {
    let app = app_with(DEVELOPMENT, &[("BCDA_JWKS_REFRESH_MIN_SECS", "60")]).await;
    let key = rsa_key();
    let server = KeyServer::start(Answer::Huge(bcda_auth::jwks_url::MAX_JWKS_BYTES + 1)).await;
    let client_id = register_unchecked(&app, &server.url("127.0.0.1")).await;
    for _ in 0..3 {
        assert_eq!(token_status(&app, &key, &client_id).await, 401);
    }
    assert_eq!(server.requests(), 1, "the failure was remembered");
}

#[tokio::test]
async fn a_key_server_that_never_answers_is_given_up_on_after_the_timeout() {
    let app = app_with(DEVELOPMENT, &[("BCDA_JWKS_FETCH_TIMEOUT_SECS", "1")]).await;
    let key = rsa_key();
    let server = KeyServer::start(Answer::Silence).await;
    let client_id = register_unchecked(&app, &server.url("127.0.0.1")).await;
    let started = Instant::now();
    assert_eq!(token_status(&app, &key, &client_id).await, 401);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
