//! Slow and oversized requests: a stalled head or body is cut off, a huge token request
//! is refused before it is buffered.

use std::time::{Duration, Instant};

use bcda_testkit::spawn_app;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends `request` and reads until the server closes the connection; returns what it
/// answered and how long it took. Fails if the connection is still open after `within`.
async fn until_closed(address: &str, request: &[u8], within: Duration) -> (String, Duration) {
    let mut stream = TcpStream::connect(address.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(request).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    tokio::time::timeout(within, stream.read_to_end(&mut answer))
        .await
        .expect("the server closed the stalled connection")
        .unwrap();
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_cut_off() {
    let app = spawn_app().await;
    let request = b"POST /auth/token HTTP/1.1\r\nHost: localhost\r\n\
        Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant";
    let (answer, took) = until_closed(&app.address, request, Duration::from_secs(20)).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(took >= Duration::from_secs(9), "{took:?}");
}

#[tokio::test]
async fn a_head_that_stops_arriving_is_cut_off() {
    let app = spawn_app().await;
    let (_, took) = until_closed(
        &app.address,
        b"GET /api/v1/metadata HTTP/1.1\r\nHost: loc",
        Duration::from_secs(10),
    )
    .await;
    assert!(took >= Duration::from_secs(4), "{took:?}");
}

#[tokio::test]
async fn a_huge_token_request_is_refused_unread() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/auth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}
