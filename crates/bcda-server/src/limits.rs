//! How long a connection may take over each part of a request, so that slow or stalled
//! clients cannot hold connections (and their memory) without end.
//!
//! | what | limit |
//! |---|---|
//! | request head (line and headers) | [`HEAD_TIMEOUT`] |
//! | whole request body | [`BODY_TIMEOUT`] |
//! | idle keep-alive connection | [`KEEP_ALIVE`] |
//! | connections per HTTP worker thread | [`MAX_CONNECTIONS_PER_WORKER`] |
//! | a response the client stopped reading | `BCDA_HTTP_SEND_TIMEOUT_SECS` ([`bound_send`]) |
//! | token request body | `bcda_auth::MAX_TOKEN_REQUEST_BYTES` |
//!
//! No other route reads a body: theirs are never buffered.

use std::time::Duration;

use actix_web::HttpMessage as _;
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use futures::StreamExt as _;

/// Time to receive a request's line and headers.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// Time to receive a request's whole body, from the start of the request.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an idle keep-alive connection stays open.
pub const KEEP_ALIVE: Duration = Duration::from_secs(5);

/// Open connections one HTTP worker thread serves at most; more wait in the backlog.
pub const MAX_CONNECTIONS_PER_WORKER: usize = 10_000;

/// Gives the request's body [`BODY_TIMEOUT`] to arrive: a body still incomplete then
/// ends with an error, which the extractor reading it answers `400`, and the connection
/// is closed.
pub fn bound_body<S>(
    mut req: ServiceRequest,
    service: &S,
) -> impl Future<Output = Result<ServiceResponse, actix_web::Error>> + use<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse, Error = actix_web::Error>,
{
    let deadline = tokio::time::Instant::now() + BODY_TIMEOUT;
    let payload = req.take_payload();
    let bounded = futures::stream::unfold(Some(payload), move |payload| async move {
        let mut payload = payload?;
        match tokio::time::timeout_at(deadline, payload.next()).await {
            Ok(Some(chunk)) => Some((chunk, Some(payload))),
            Ok(None) => None,
            Err(_) => Some((
                Err(PayloadError::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the request body did not arrive in time",
                ))),
                None,
            )),
        }
    });
    req.set_payload(Payload::Stream {
        payload: Box::pin(bounded),
    });
    service.call(req)
}

/// Makes the kernel drop `connection` when data sent on it goes unacknowledged, or the
/// client's receive window stays closed, for `timeout` (`TCP_USER_TIMEOUT`): a client
/// that stops reading a download in the middle cannot hold its connection, and the
/// file's stream, for ever. Called for every accepted connection.
pub fn bound_send(connection: &dyn std::any::Any, timeout: Duration) {
    if let Some(tcp) = connection.downcast_ref::<actix_web::rt::net::TcpStream>()
        && let Err(e) = socket2::SockRef::from(tcp).set_tcp_user_timeout(Some(timeout))
    {
        tracing::warn!(error = %e, "cannot bound how long a stalled client is kept");
    }
}
