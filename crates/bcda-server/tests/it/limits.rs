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
    let (answer, took) = until_closed(
        &app.address,
        b"GET /api/v1/metadata HTTP/1.1\r\nHost: loc",
        Duration::from_secs(10),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
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

#[tokio::test]
async fn a_download_the_client_stops_reading_is_dropped_after_the_send_timeout() {
    let app = bcda_testkit::TestAppBuilder::default()
        .env("BCDA_HTTP_SEND_TIMEOUT_SECS", "2")
        .spawn()
        .await;
    // An EOB file of 60 beneficiaries is tens of MB uncompressed: far more than the
    // kernel buffers between a client that reads nothing and the server.
    let aco = app.synthetic_aco("A9994", 60).await;
    let manifest = app
        .export(
            &aco.token,
            "/api/v1/Patient/$export?_type=ExplanationOfBenefit",
        )
        .await;
    let url = manifest["output"][0]["url"].as_str().unwrap();
    let path = url.trim_start_matches(&app.address);

    // A client with a tiny receive window that reads the head, then nothing.
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let address: std::net::SocketAddr = app.address.trim_start_matches("http://").parse().unwrap();
    socket.connect(&address.into()).unwrap();
    let mut stream = std::net::TcpStream::from(socket);
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\nAccept-Encoding: identity\r\n\r\n",
        aco.token
    );
    let (received, length) = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        stream.write_all(request.as_bytes()).unwrap();
        let mut head = [0; 1024];
        let n = stream.read(&mut head).unwrap();
        let head = String::from_utf8_lossy(&head[..n]).into_owned();
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // Stalled for longer than the send timeout (and the kernel's probes after it).
        std::thread::sleep(Duration::from_secs(12));
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest);
        (n + rest.len(), length)
    })
    .await
    .unwrap();
    assert!(
        length > 8 << 20,
        "the file is larger than the buffers: {length}"
    );
    assert!(
        received < length,
        "the stalled connection was kept: {received} of {length} bytes arrived"
    );
}
