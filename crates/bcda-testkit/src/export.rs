//! The guide's export flow driven against a test app: an ACO with synthetic data, the
//! kick-off, polling and downloads.

use std::time::Duration;

use bcda_synth::{Synth, SynthSpec};
use serde_json::Value;

use crate::TestApp;

/// An ACO with synthetic data and a token of one of its clients.
#[derive(Debug)]
pub struct SyntheticAco {
    pub token: String,
    pub credentials: crate::Credentials,
    pub synth: Synth,
}

/// The synthetic data set of ACO `cms_id` the tests use: as of this month, as `bcda
/// synth` makes it, so its attribution stays current whenever the tests run.
pub fn test_synth(cms_id: &str, beneficiaries: u64) -> Synth {
    Synth::new(SynthSpec {
        cms_id: cms_id.into(),
        beneficiaries,
        seed: 7,
        years: 1,
        as_of: bcda_synth::this_month(),
    })
    .expect("a valid synthetic spec")
}

impl TestApp {
    /// Creates ACO `cms_id` with `beneficiaries` synthetic beneficiaries and a client.
    pub async fn synthetic_aco(&self, cms_id: &str, beneficiaries: u64) -> SyntheticAco {
        let credentials = self.create_client(cms_id).await;
        let synth = test_synth(cms_id, beneficiaries);
        let aco_id = bcda_synth::sandbox::aco_id(&self.ctx.db, cms_id)
            .await
            .expect("ACO id");
        bcda_synth::load::load(&self.ctx.db, aco_id, &synth)
            .await
            .expect("load synthetic data");
        SyntheticAco {
            token: self.token(&credentials).await,
            credentials,
            synth,
        }
    }

    /// `GET path` with the kick-off headers.
    pub async fn kick_off(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .header("Accept", "application/fhir+json")
            .header("Prefer", "respond-async")
            .send()
            .await
            .expect("request reaches the app")
    }

    /// `POST path` with the kick-off headers and `body` (a `Parameters` resource, or
    /// whatever a test needs refused).
    pub async fn post_kick_off(&self, token: &str, path: &str, body: &str) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .header("Accept", "application/fhir+json")
            .header("Prefer", "respond-async")
            .header("Content-Type", "application/fhir+json")
            .body(body.to_owned())
            .send()
            .await
            .expect("request reaches the app")
    }

    /// Kicks off `path`, which must be accepted; returns the job's status URL.
    pub async fn start_export(&self, token: &str, path: &str) -> String {
        let response = self.kick_off(token, path).await;
        assert_eq!(response.status(), 202, "{path}");
        response.headers()["content-location"]
            .to_str()
            .expect("Content-Location")
            .to_owned()
    }

    /// Polls `status_url` until the job is no longer running; returns the final
    /// response. Every `202` on the way must carry a well-formed `X-Progress`; a `429`
    /// (a paced poll) is waited out as its `Retry-After` says.
    pub async fn wait_for_job(&self, token: &str, status_url: &str) -> reqwest::Response {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
        loop {
            let response = self
                .client
                .get(status_url)
                .bearer_auth(token)
                .send()
                .await
                .expect("request reaches the app");
            if response.status() == 429 {
                let wait = response.headers()["retry-after"]
                    .to_str()
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .expect("Retry-After seconds");
                tokio::time::sleep(Duration::from_secs(wait)).await;
                continue;
            }
            if response.status() != 202 {
                return response;
            }
            let progress = response.headers()["x-progress"]
                .to_str()
                .expect("X-Progress")
                .to_owned();
            assert!(
                progress == "Pending" || progress.starts_with("In Progress ("),
                "{progress}"
            );
            if tokio::time::Instant::now() >= deadline {
                let keys = self.stuck_keys(status_url).await;
                panic!("job still {progress} at the deadline; its keys: {keys}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Where a job's keys are (published, done, waiting in the outbox), to tell a lost
    /// message from a stalled relay or worker when a job never finishes.
    async fn stuck_keys(&self, status_url: &str) -> String {
        let Some(job_id) = status_url
            .rsplit('/')
            .next()
            .and_then(|id| id.parse::<i64>().ok())
        else {
            return "unknown job".into();
        };
        let Ok(client) = self.ctx.db.get().await else {
            return "database unavailable".into();
        };
        let row = client
            .query_one(
                "SELECT count(*), count(published_at), count(done_at), \
                        (SELECT count(*) FROM outbox WHERE job_id = $1) \
                 FROM job_keys WHERE job_id = $1",
                &[&job_id],
            )
            .await;
        match row {
            Ok(row) => format!(
                "{} in all, {} published, {} done, {} in the outbox",
                row.get::<_, i64>(0),
                row.get::<_, i64>(1),
                row.get::<_, i64>(2),
                row.get::<_, i64>(3)
            ),
            Err(e) => format!("cannot read them: {e}"),
        }
    }

    /// Runs an export to completion; returns its manifest.
    pub async fn export(&self, token: &str, path: &str) -> Value {
        let status_url = self.start_export(token, path).await;
        let response = self.wait_for_job(token, &status_url).await;
        assert_eq!(response.status(), 200, "{path}");
        response.json().await.expect("manifest JSON")
    }

    /// Downloads `url` with the token, as plain NDJSON.
    pub async fn download(&self, token: &str, url: &str) -> String {
        let response = self
            .client
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .expect("request reaches the app");
        assert_eq!(response.status(), 200, "{url}");
        response.text().await.expect("file body")
    }
}

/// The message of an OperationOutcome response: its first issue's `diagnostics`.
pub async fn diagnostics(response: reqwest::Response) -> String {
    let body: Value = response.json().await.expect("an OperationOutcome");
    body["issue"][0]["diagnostics"]
        .as_str()
        .expect("diagnostics")
        .to_owned()
}
