//! Steps 2 and 3 of the guide: kick off an export (waiting out `429`s) and poll its
//! status until the manifest arrives.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::CONTENT_LOCATION;

use crate::error::{ClientError, outcome_message};
use crate::retry::{self, Backoff};
use crate::token::TokenSource;

/// How long to keep retrying a kick-off refused with `429`.
const BUSY_PATIENCE: Duration = Duration::from_secs(600);

/// Status polls in a row that may fail to get any answer (a dropped connection, a server
/// restarting) before the export gives up. A poll changes nothing, so it is safe to
/// repeat, and an hours-long export should outlive a network blip; with the waits of
/// [`Backoff`] (1, 2, 4, 8 s) the server has about 15 s to come back.
const POLL_ATTEMPTS: u32 = 5;

/// Kick-offs in a row that may be refused as transient before the export gives up.
const KICK_OFF_ATTEMPTS: u32 = 6;

/// How long to wait on a transient poll answer without `Retry-After`.
const POLL_RETRY: Duration = Duration::from_secs(5);

/// Kicks off `url`; returns the job's status URL from `Content-Location`.
///
/// A kick-off is repeated only when it surely started nothing: a connection that was
/// never made, `503` (the server could not reach what it needs to create a job), or
/// `429` (another export is running). A connection lost after the request went out is
/// not retried, since the job may exist.
pub async fn kick_off(
    http: &reqwest::Client,
    tokens: &TokenSource,
    url: &str,
) -> Result<String, ClientError> {
    let started = Instant::now();
    let mut backoff = Backoff::new(KICK_OFF_ATTEMPTS);
    loop {
        let token = tokens.get().await?;
        let sent = http
            .get(url)
            .bearer_auth(&token)
            .header("Accept", "application/fhir+json")
            .header("Prefer", "respond-async")
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(e) if e.is_connect() => match backoff.failed(None) {
                Some(wait) => {
                    tokio::time::sleep(wait).await;
                    continue;
                }
                None => return Err(ClientError::unreachable(url, e)),
            },
            Err(e) => return Err(ClientError::unreachable(url, e)),
        };
        match response.status() {
            StatusCode::ACCEPTED => {
                return response
                    .headers()
                    .get(CONTENT_LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
                    .ok_or_else(|| ClientError::Protocol("202 without Content-Location".into()));
            }
            StatusCode::UNAUTHORIZED => tokens.invalidate(&token).await,
            StatusCode::TOO_MANY_REQUESTS => {
                if started.elapsed() > BUSY_PATIENCE {
                    return Err(ClientError::Busy(BUSY_PATIENCE));
                }
                // BCDA says `Retry-After: 0`: wait at least a second all the same.
                let wait = retry::retry_after(&response).unwrap_or(Duration::from_secs(10));
                tokio::time::sleep(wait.max(Duration::from_secs(1))).await;
            }
            StatusCode::SERVICE_UNAVAILABLE
                if let Some(wait) = backoff.failed(retry::retry_after(&response)) =>
            {
                tokio::time::sleep(wait).await;
            }
            status => {
                let body = response.text().await.unwrap_or_default();
                return Err(ClientError::Refused {
                    step: "the kick-off",
                    status: status.as_u16(),
                    message: outcome_message(&body),
                });
            }
        }
    }
}

/// Polls `status_url` until the job completes; returns the manifest. `progress` hears
/// each `X-Progress`.
pub async fn wait(
    http: &reqwest::Client,
    tokens: &TokenSource,
    status_url: &str,
    timeout: Duration,
    progress: &dyn Fn(&str),
) -> Result<serde_json::Value, ClientError> {
    let started = Instant::now();
    let mut pace = Duration::from_millis(250);
    let mut unanswered = Backoff::new(POLL_ATTEMPTS);
    loop {
        let token = tokens.get().await?;
        let response = match http.get(status_url).bearer_auth(&token).send().await {
            Ok(response) => {
                unanswered.reset();
                response
            }
            Err(e) if e.is_builder() => return Err(ClientError::unreachable(status_url, e)),
            Err(e) => match unanswered.failed(None) {
                Some(wait) => {
                    tokio::time::sleep(wait).await;
                    continue;
                }
                None => return Err(ClientError::unreachable(status_url, e)),
            },
        };
        match response.status() {
            StatusCode::OK => {
                return response
                    .json()
                    .await
                    .map_err(|e| ClientError::Protocol(format!("the manifest is not JSON: {e}")));
            }
            StatusCode::ACCEPTED => {
                if let Some(text) = response
                    .headers()
                    .get("x-progress")
                    .and_then(|v| v.to_str().ok())
                {
                    progress(text);
                }
                if started.elapsed() > timeout {
                    return Err(ClientError::Timeout(timeout));
                }
                // The server's Retry-After when it gives one; else back off from 250 ms.
                tokio::time::sleep(retry::retry_after(&response).unwrap_or(pace)).await;
                pace = (pace * 2).min(Duration::from_secs(5));
            }
            StatusCode::UNAUTHORIZED => tokens.invalidate(&token).await,
            // Bounded by the job's timeout: a poll changes nothing.
            status if retry::is_transient(status) => {
                if started.elapsed() > timeout {
                    return Err(ClientError::Timeout(timeout));
                }
                tokio::time::sleep(retry::retry_after(&response).unwrap_or(POLL_RETRY)).await;
            }
            status => {
                let body = response.text().await.unwrap_or_default();
                return Err(ClientError::Refused {
                    step: "the job",
                    status: status.as_u16(),
                    message: outcome_message(&body),
                });
            }
        }
    }
}
