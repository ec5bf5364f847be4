//! Access tokens from `POST /auth/token` with HTTP Basic credentials, renewed before they
//! expire and whenever the server answers `401`.

use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::error::ClientError;
use crate::retry::{self, Backoff};

/// Renew a token this long before it expires.
const EARLY: Duration = Duration::from_secs(60);

/// Token requests in a row that may meet a transient failure before the export gives up.
const ATTEMPTS: u32 = 6;

/// A client's credentials and its current token.
#[derive(Debug)]
pub struct TokenSource {
    http: reqwest::Client,
    url: String,
    client_id: String,
    client_secret: String,
    current: Mutex<Option<(String, Instant)>>,
}

impl TokenSource {
    pub fn new(
        http: reqwest::Client,
        base_url: &str,
        client_id: &str,
        client_secret: &str,
    ) -> TokenSource {
        TokenSource {
            http,
            url: format!("{}/auth/token", base_url.trim_end_matches('/')),
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            current: Mutex::new(None),
        }
    }

    /// A token valid for at least another minute.
    pub async fn get(&self) -> Result<String, ClientError> {
        let mut current = self.current.lock().await;
        if let Some((token, expires)) = current.as_ref()
            && Instant::now() + EARLY < *expires
        {
            return Ok(token.clone());
        }
        let (token, expires) = self.request().await?;
        *current = Some((token.clone(), expires));
        Ok(token)
    }

    /// Forgets `rejected`, so the next [`TokenSource::get`] asks for a new token.
    pub async fn invalidate(&self, rejected: &str) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|(token, _)| token == rejected) {
            *current = None;
        }
    }

    /// Asks for a token, retrying transient answers and lost connections (asking twice
    /// for a token is harmless).
    async fn request(&self) -> Result<(String, Instant), ClientError> {
        let mut backoff = Backoff::new(ATTEMPTS);
        let (asked, response) = loop {
            let asked = Instant::now();
            let sent = self
                .http
                .post(&self.url)
                .basic_auth(&self.client_id, Some(&self.client_secret))
                .header("Accept", "application/json")
                .send()
                .await;
            let wait = match &sent {
                Err(e) if e.is_builder() => None,
                Err(_) => backoff.failed(None),
                Ok(response) if retry::is_transient(response.status()) => {
                    backoff.failed(retry::retry_after(response))
                }
                Ok(_) => break (asked, sent),
            };
            match wait {
                Some(wait) => tokio::time::sleep(wait).await,
                None => break (asked, sent),
            }
        };
        let response = response.map_err(|e| ClientError::unreachable(&self.url, e))?;
        let status = response.status().as_u16();
        if status == 401 || status == 403 {
            return Err(ClientError::Credentials { status });
        }
        let body = response
            .text()
            .await
            .map_err(|e| ClientError::unreachable(&self.url, e))?;
        if status != 200 {
            return Err(ClientError::Refused {
                step: "the token endpoint",
                status,
                message: crate::error::outcome_message(&body),
            });
        }
        let json: serde_json::Value = serde_json::from_str(&body)
            .map_err(|e| ClientError::Protocol(format!("token response is not JSON: {e}")))?;
        let token = json["access_token"]
            .as_str()
            .ok_or_else(|| ClientError::Protocol("token response has no access_token".into()))?
            .to_owned();
        // BCDA sends `expires_in` as a number of seconds (some servers as a string).
        let lifetime = json["expires_in"]
            .as_u64()
            .or_else(|| json["expires_in"].as_str().and_then(|s| s.parse().ok()))
            .unwrap_or(1200);
        Ok((token, asked + Duration::from_secs(lifetime)))
    }
}
