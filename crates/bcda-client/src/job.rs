//! Steps 2 and 3 of the guide: kick off an export (waiting out `429`s) and poll its
//! status until the manifest arrives, reading partial manifests and every page of a
//! paged one on the way.

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

/// A kick-off request.
#[derive(Debug, Clone, PartialEq)]
pub enum KickOff {
    /// `GET` with the parameters in the URL's query.
    Get(String),
    /// `POST` to `url` with a FHIR `Parameters` body.
    Post {
        url: String,
        body: serde_json::Value,
    },
}

impl KickOff {
    fn url(&self) -> &str {
        match self {
            KickOff::Get(url) | KickOff::Post { url, .. } => url,
        }
    }

    fn request(&self, http: &reqwest::Client) -> reqwest::RequestBuilder {
        match self {
            KickOff::Get(url) => http.get(url),
            KickOff::Post { url, body } => http
                .post(url)
                .header("Content-Type", "application/fhir+json")
                .body(body.to_string()),
        }
    }
}

/// Sends `kick_off`; returns the job's status URL from `Content-Location`.
///
/// A kick-off is repeated only when it surely started nothing: a connection that was
/// never made, `503` (the server could not reach what it needs to create a job), or
/// `429` (another export is running). A connection lost after the request went out is
/// not retried, since the job may exist.
pub async fn kick_off(
    http: &reqwest::Client,
    tokens: &TokenSource,
    kick_off: &KickOff,
) -> Result<String, ClientError> {
    let url = kick_off.url();
    let started = Instant::now();
    let mut backoff = Backoff::new(KICK_OFF_ATTEMPTS);
    loop {
        let token = tokens.get().await?;
        let sent = kick_off
            .request(http)
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

/// Polls `status_url` until the job completes; returns the pages of its manifest (one
/// unless the server pages it). `progress` hears each `X-Progress`; `partial` hears the
/// pages seen so far each time a partial manifest (a `202` with files already done)
/// brings more, and may refuse them.
///
/// A partial manifest's pages never change but for a `next` link added when newer files
/// are ready (the Bulk Data IG), so once one arrives the last page is what is polled:
/// earlier pages are never fetched twice.
pub async fn wait(
    http: &reqwest::Client,
    tokens: &TokenSource,
    status_url: &str,
    timeout: Duration,
    progress: &dyn Fn(&str),
    partial: &mut dyn FnMut(&[serde_json::Value]) -> Result<(), ClientError>,
) -> Result<Vec<serde_json::Value>, ClientError> {
    let started = Instant::now();
    let mut pace = Duration::from_millis(250);
    let mut unanswered = Backoff::new(POLL_ATTEMPTS);
    let mut pages = Pages::default();
    loop {
        let polled = pages.polled(status_url).to_owned();
        let token = tokens.get().await?;
        let response = match http.get(&polled).bearer_auth(&token).send().await {
            Ok(response) => {
                unanswered.reset();
                response
            }
            Err(e) if e.is_builder() => return Err(ClientError::unreachable(&polled, e)),
            Err(e) => match unanswered.failed(None) {
                Some(wait) => {
                    tokio::time::sleep(wait).await;
                    continue;
                }
                None => return Err(ClientError::unreachable(&polled, e)),
            },
        };
        match response.status() {
            StatusCode::OK => {
                let page = response
                    .json()
                    .await
                    .map_err(|e| ClientError::Protocol(format!("the manifest is not JSON: {e}")))?;
                pages.polled_answer(&polled, page);
                pages.follow(http, tokens).await?;
                return Ok(pages.into_manifests());
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
                let wait = retry::retry_after(&response).unwrap_or(pace);
                pace = (pace * 2).min(Duration::from_secs(5));
                let body = response.bytes().await.unwrap_or_default();
                if let Ok(page) = serde_json::from_slice::<serde_json::Value>(&body)
                    && page.get("output").is_some()
                {
                    pages.polled_answer(&polled, page);
                    pages.follow(http, tokens).await?;
                    partial(pages.manifests())?;
                }
                tokio::time::sleep(wait).await;
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

/// The pages of a manifest seen so far, with the URL each came from.
#[derive(Debug, Default)]
struct Pages {
    urls: Vec<String>,
    manifests: Vec<serde_json::Value>,
}

impl Pages {
    /// What to poll: the last page once there is one, else the status URL.
    fn polled<'a>(&'a self, status_url: &'a str) -> &'a str {
        self.urls.last().map_or(status_url, String::as_str)
    }

    /// Records the answer of a poll of `url`: the first page, or the last page again
    /// (now perhaps with a `next` link).
    fn polled_answer(&mut self, url: &str, page: serde_json::Value) {
        if self.urls.last().is_some_and(|last| last == url) {
            if let Some(last) = self.manifests.last_mut() {
                *last = page;
            }
        } else {
            self.urls.push(url.to_owned());
            self.manifests.push(page);
        }
    }

    /// Fetches the pages after the last one, following `next` links.
    async fn follow(
        &mut self,
        http: &reqwest::Client,
        tokens: &TokenSource,
    ) -> Result<(), ClientError> {
        while let Some(next) = self.manifests.last().and_then(next_page) {
            if self.urls.contains(&next) {
                return Err(ClientError::Protocol(format!(
                    "the manifest pages loop at {next}"
                )));
            }
            let token = tokens.get().await?;
            let response = http
                .get(&next)
                .bearer_auth(&token)
                .send()
                .await
                .map_err(|e| ClientError::unreachable(&next, e))?;
            match response.status() {
                StatusCode::OK | StatusCode::ACCEPTED => {
                    let page = response.json().await.map_err(|e| {
                        ClientError::Protocol(format!("a manifest page is not JSON: {e}"))
                    })?;
                    self.urls.push(next);
                    self.manifests.push(page);
                }
                status => {
                    let body = response.text().await.unwrap_or_default();
                    return Err(ClientError::Refused {
                        step: "a manifest page",
                        status: status.as_u16(),
                        message: outcome_message(&body),
                    });
                }
            }
        }
        Ok(())
    }

    fn manifests(&self) -> &[serde_json::Value] {
        &self.manifests
    }

    fn into_manifests(self) -> Vec<serde_json::Value> {
        self.manifests
    }
}

/// The URL of a manifest page's `next` link.
fn next_page(page: &serde_json::Value) -> Option<String> {
    page.get("link")?
        .as_array()?
        .iter()
        .find(|link| link["relation"] == "next")
        .and_then(|link| link["url"].as_str())
        .map(str::to_owned)
}

/// One manifest of a paged one's pages: the first, with every page's `output`, the last
/// page's `error` (every page carries the same), and no links.
pub fn merged(pages: Vec<serde_json::Value>) -> serde_json::Value {
    let mut pages = pages.into_iter();
    let Some(mut manifest) = pages.next() else {
        return serde_json::Value::Null;
    };
    for page in pages {
        if let (Some(all), Some(more)) = (
            manifest.get_mut("output").and_then(|v| v.as_array_mut()),
            page.get("output").and_then(|v| v.as_array()),
        ) {
            all.extend(more.iter().cloned());
        }
        if let Some(error) = page.get("error") {
            manifest["error"] = error.clone();
        }
    }
    if let Some(object) = manifest.as_object_mut() {
        object.remove("link");
    }
    manifest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_page_is_polled_and_a_repeated_answer_replaces_it() {
        let mut pages = Pages::default();
        assert_eq!(pages.polled("s"), "s");
        pages.polled_answer("s", serde_json::json!({"output": [1]}));
        assert_eq!(pages.polled("s"), "s");
        pages.polled_answer(
            "s",
            serde_json::json!({"output": [1], "link": [{"relation": "next", "url": "p2"}]}),
        );
        assert_eq!(pages.manifests().len(), 1);
        pages.urls.push("p2".into());
        pages.manifests.push(serde_json::json!({"output": [2]}));
        assert_eq!(pages.polled("s"), "p2");
    }

    #[test]
    fn pages_merge_into_one_manifest_without_links() {
        let pages = vec![
            serde_json::json!({"output": [{"url": "a"}], "error": [],
                               "link": [{"relation": "next", "url": "p2"}], "JobID": 1}),
            serde_json::json!({"output": [{"url": "b"}], "error": [{"url": "e"}]}),
        ];
        assert_eq!(next_page(&pages[0]).as_deref(), Some("p2"));
        assert_eq!(next_page(&pages[1]), None);
        assert_eq!(
            merged(pages),
            serde_json::json!({"output": [{"url": "a"}, {"url": "b"}], "error": [{"url": "e"}], "JobID": 1})
        );
    }
}
