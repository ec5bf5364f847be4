//! Steps 2 and 3 of the guide: kick off an export (waiting out `429`s) and poll its
//! status until the manifest arrives.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_LOCATION, RETRY_AFTER};

use crate::error::{ClientError, outcome_message};
use crate::token::TokenSource;

/// How long to keep retrying a kick-off refused with `429`.
const BUSY_PATIENCE: Duration = Duration::from_secs(600);

/// Status polls in a row that may fail to get any answer (a dropped connection, a server
/// restarting) before the export gives up. A poll changes nothing, so it is safe to
/// repeat, and an hours-long export should outlive a network blip; with the waits below
/// (1, 2, 4, 8 s) the server has about 15 s to come back.
const POLL_ATTEMPTS: u32 = 5;

/// Kicks off `url`; returns the job's status URL from `Content-Location`.
pub async fn kick_off(
    http: &reqwest::Client,
    tokens: &TokenSource,
    url: &str,
) -> Result<String, ClientError> {
    let started = Instant::now();
    loop {
        let token = tokens.get().await?;
        let response = http
            .get(url)
            .bearer_auth(&token)
            .header("Accept", "application/fhir+json")
            .header("Prefer", "respond-async")
            .send()
            .await
            .map_err(|e| ClientError::unreachable(url, e))?;
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
                tokio::time::sleep(retry_after(&response, Duration::from_secs(10))).await;
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
    let mut backoff = Duration::from_millis(250);
    let mut failed_polls = 0;
    loop {
        let token = tokens.get().await?;
        let response = match http.get(status_url).bearer_auth(&token).send().await {
            Ok(response) => {
                failed_polls = 0;
                response
            }
            Err(e) if !e.is_builder() && failed_polls + 1 < POLL_ATTEMPTS => {
                failed_polls += 1;
                tokio::time::sleep(Duration::from_secs(1 << (failed_polls - 1))).await;
                continue;
            }
            Err(e) => return Err(ClientError::unreachable(status_url, e)),
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
                tokio::time::sleep(retry_after(&response, backoff)).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
            StatusCode::UNAUTHORIZED => tokens.invalidate(&token).await,
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                tokio::time::sleep(retry_after(&response, Duration::from_secs(5))).await;
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

/// The `Retry-After` seconds of a response, or `default`.
fn retry_after(response: &reqwest::Response, default: Duration) -> Duration {
    response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(default, Duration::from_secs)
}
