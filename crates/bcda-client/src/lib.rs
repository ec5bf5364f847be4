//! A bulk FHIR export client for any server that follows BCDA's sandbox guide: get a
//! token, kick off `$export` (`GET`, or the Bulk Data IG's `POST` with a `Parameters`
//! body), poll the job, download every file of the manifest in parallel (gzip, resumed
//! after dropped connections) and check each line. With partial manifests
//! (`allowPartialManifests`), files download while the export still runs.
//!
//! The library reports progress through [`Progress`]; the `bcda export` command draws it
//! as progress bars.

pub mod download;
pub mod error;
pub mod job;
pub mod retry;
pub mod token;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;

pub use download::{FileJob, FileProgress, FileReport};
pub use error::ClientError;
use token::TokenSource;

/// What to export, from where, to where.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    /// The server's origin, e.g. `https://sandbox.bcda.cms.gov`.
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
    /// `v1`, `v2` or `v3`.
    pub api: String,
    /// `Group/{group}/$export` when set, else `Patient/$export`.
    pub group: Option<String>,
    /// `_type`: none means every type the server offers.
    pub types: Vec<String>,
    /// `_since`, a FHIR instant.
    pub since: Option<String>,
    /// `_until`, a FHIR instant.
    pub until: Option<String>,
    /// `_typeFilter` (v3), e.g. `ExplanationOfBenefit?outcome=partial`, sent
    /// percent-encoded.
    pub type_filter: Option<String>,
    /// Kick off with `POST` and a `Parameters` body instead of `GET` with a query.
    pub post: bool,
    /// `organizeOutputBy=Patient`: each file holds its beneficiaries' resources of every
    /// type, each beneficiary's Patient first.
    pub organize_by_patient: bool,
    /// `allowPartialManifests=true`: download files as they are done, while the export
    /// runs.
    pub partial: bool,
    /// Directory for the files and `manifest.json`.
    pub out: PathBuf,
    /// Files downloaded at once.
    pub parallel: usize,
    /// How long to wait for the job.
    pub timeout: Duration,
}

impl ExportRequest {
    /// The kick-off: `GET` with the parameters in the query, or `POST` with them in a
    /// `Parameters` body.
    pub fn kick_off(&self) -> job::KickOff {
        if self.post {
            job::KickOff::Post {
                url: self.endpoint(),
                body: self.parameters(),
            }
        } else {
            job::KickOff::Get(self.kick_off_url())
        }
    }

    /// The kick-off URL of the `GET` form.
    pub fn kick_off_url(&self) -> String {
        let encode = |value: &str| -> String {
            url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
        };
        let query: Vec<String> = self
            .named_parameters()
            .iter()
            .map(|(name, value)| match *name {
                // Readable as the guide writes it: commas and colons need no escape, but
                // `+` in an offset must be encoded, or it arrives as a space.
                "_type" | "_since" | "_until" => format!("{name}={}", value.replace('+', "%2B")),
                _ => format!("{name}={}", encode(value)),
            })
            .collect();
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{}", query.join("&"))
        };
        format!("{}{query}", self.endpoint())
    }

    /// The `Parameters` body of the `POST` form.
    pub fn parameters(&self) -> serde_json::Value {
        let parameter: Vec<serde_json::Value> = self
            .named_parameters()
            .iter()
            .map(|(name, value)| match *name {
                "_since" | "_until" => serde_json::json!({"name": name, "valueInstant": value}),
                "allowPartialManifests" => serde_json::json!({"name": name, "valueBoolean": true}),
                _ => serde_json::json!({"name": name, "valueString": value}),
            })
            .collect();
        serde_json::json!({"resourceType": "Parameters", "parameter": parameter})
    }

    /// `{base}/api/{v}/Patient/$export` or `.../Group/{id}/$export`.
    fn endpoint(&self) -> String {
        let base = self.base_url.trim_end_matches('/');
        let target = match &self.group {
            Some(group) => format!("Group/{group}"),
            None => "Patient".to_owned(),
        };
        format!("{base}/api/{}/{target}/$export", self.api)
    }

    /// The kick-off's parameters, by name, in either form.
    fn named_parameters(&self) -> Vec<(&'static str, String)> {
        let mut parameters = Vec::new();
        if !self.types.is_empty() {
            parameters.push(("_type", self.types.join(",")));
        }
        if let Some(since) = &self.since {
            parameters.push(("_since", since.clone()));
        }
        if let Some(until) = &self.until {
            parameters.push(("_until", until.clone()));
        }
        if let Some(filter) = &self.type_filter {
            parameters.push(("_typeFilter", filter.clone()));
        }
        if self.organize_by_patient {
            parameters.push(("organizeOutputBy", "Patient".to_owned()));
        }
        if self.partial {
            parameters.push(("allowPartialManifests", "true".to_owned()));
        }
        parameters
    }
}

/// Hears how an export goes.
pub trait Progress: Send + Sync {
    /// The job's `X-Progress`, each time it is polled.
    fn job(&self, status: &str);
    /// The manifest lists `files` files so far (with partial manifests, called again as
    /// it grows).
    fn manifest(&self, files: usize);
    /// A download starts; the returned value hears its bytes.
    fn file(&self, name: &str) -> Box<dyn FileProgress>;
    /// A download finished.
    fn file_done(&self, name: &str, report: &FileReport);
}

/// What an export fetched.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub job_url: String,
    pub files: usize,
    /// Resources per type, error files under `OperationOutcome`.
    pub resources: BTreeMap<String, u64>,
    /// NDJSON bytes written.
    pub bytes: u64,
    /// Bytes received over the network.
    pub transferred: u64,
    /// Downloads resumed after a dropped connection.
    pub resumed: u32,
    /// From the kick-off to the complete manifest.
    pub job_seconds: f64,
    /// From the complete manifest to the last byte (with partial manifests, most files
    /// are already down by then).
    pub download_seconds: f64,
    /// From the kick-off to the last byte.
    pub total_seconds: f64,
}

/// Runs the whole flow; files and `manifest.json` land in `request.out`.
pub async fn export(
    request: &ExportRequest,
    progress: Arc<dyn Progress>,
) -> Result<Summary, ClientError> {
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| ClientError::unreachable(&request.base_url, e))?;
    let tokens = TokenSource::new(
        http.clone(),
        &request.base_url,
        &request.client_id,
        &request.client_secret,
    );
    tokio::fs::create_dir_all(&request.out)
        .await
        .map_err(|e| ClientError::io(&request.out, e))?;

    let started = Instant::now();
    let job_url = job::kick_off(&http, &tokens, &request.kick_off()).await?;
    // Files go to the downloads as manifests list them: all at the end, or, with
    // partial manifests, as they are done. Signed URLs change from poll to poll, so a
    // file is known by its name.
    let (files, queued) = futures::channel::mpsc::unbounded::<FileJob>();
    let (http, tokens) = (&http, &tokens);
    let (status_url, watcher) = (job_url.clone(), progress.clone());
    let polling = async move {
        let mut known = std::collections::HashSet::new();
        let mut offer = |pages: &[serde_json::Value]| -> Result<(), ClientError> {
            for page in pages {
                for file in files_of(page, &request.out)? {
                    if known.insert(file.path.clone()) {
                        // The downloads stop only after the polling does.
                        let _ = files.unbounded_send(file);
                    }
                }
            }
            watcher.manifest(known.len());
            Ok(())
        };
        let pages = job::wait(
            http,
            tokens,
            &status_url,
            request.timeout,
            &|status| watcher.job(status),
            &mut offer,
        )
        .await?;
        offer(&pages)?;
        Ok::<_, ClientError>((job::merged(pages), started.elapsed().as_secs_f64()))
    };
    let downloading = queued
        .map(|file| {
            let progress = progress.clone();
            async move {
                let name = file_name(&file);
                let bar = progress.file(&name);
                let result = download::download(http, tokens, &file, bar.as_ref()).await;
                if let Ok(report) = &result {
                    progress.file_done(&name, report);
                }
                (file.label().to_owned(), result)
            }
        })
        .buffer_unordered(request.parallel.max(1))
        .collect::<Vec<_>>();
    let (polled, results) = tokio::join!(polling, downloading);
    let (manifest, job_seconds) = polled?;
    let manifest_path = request.out.join("manifest.json");
    let pretty = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| ClientError::Protocol(format!("manifest: {e}")))?;
    tokio::fs::write(&manifest_path, pretty)
        .await
        .map_err(|e| ClientError::io(&manifest_path, e))?;

    let total_seconds = started.elapsed().as_secs_f64();
    let mut summary = Summary {
        job_url,
        files: results.len(),
        job_seconds,
        download_seconds: total_seconds - job_seconds,
        total_seconds,
        ..Summary::default()
    };
    for (resource_type, result) in results {
        let report = result?;
        *summary.resources.entry(resource_type).or_default() += report.resources;
        summary.bytes += report.bytes;
        summary.transferred += report.transferred;
        summary.resumed += report.resumed;
    }
    Ok(summary)
}

/// The files a manifest (or a page of one) lists (`output` and `error`), each with its
/// local path. The files of a manifest organized by patient have no type: their lines
/// may be of any.
fn files_of(
    manifest: &serde_json::Value,
    out: &std::path::Path,
) -> Result<Vec<FileJob>, ClientError> {
    let with_token = manifest["requiresAccessToken"].as_bool().unwrap_or(true);
    let organized = manifest.get("outputOrganizedBy").and_then(|v| v.as_str());
    let mut files = Vec::new();
    for (key, default_type) in [("output", None), ("error", Some("OperationOutcome"))] {
        let Some(entries) = manifest.get(key).and_then(|v| v.as_array()) else {
            if key == "output" {
                return Err(ClientError::Protocol(
                    "the manifest has no output list".into(),
                ));
            }
            continue;
        };
        for entry in entries {
            let url = entry["url"].as_str().ok_or_else(|| {
                ClientError::Protocol(format!("a manifest {key} entry has no url"))
            })?;
            let resource_type = match (default_type.or_else(|| entry["type"].as_str()), organized) {
                (Some(t), _) => Some(t.to_owned()),
                (None, Some(_)) => None,
                (None, None) => {
                    return Err(ClientError::Protocol(format!(
                        "a manifest {key} entry has no type"
                    )));
                }
            };
            let name = url
                .split('?')
                .next()
                .and_then(|path| path.rsplit('/').next())
                .filter(|name| !name.is_empty() && !name.starts_with('.'))
                .ok_or_else(|| ClientError::Protocol(format!("cannot name a file for {url}")))?;
            files.push(FileJob {
                url: url.to_owned(),
                resource_type,
                path: out.join(name),
                with_token,
            });
        }
    }
    Ok(files)
}

fn file_name(file: &FileJob) -> String {
    file.path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> ExportRequest {
        ExportRequest {
            base_url: "https://bcda.example.org/".into(),
            client_id: "id".into(),
            client_secret: "secret".into(),
            api: "v2".into(),
            group: None,
            types: Vec::new(),
            since: None,
            until: None,
            type_filter: None,
            post: false,
            organize_by_patient: false,
            partial: false,
            out: PathBuf::from("out"),
            parallel: 4,
            timeout: Duration::from_secs(60),
        }
    }

    #[test]
    fn the_kick_off_url_follows_the_guide() {
        assert_eq!(
            request().kick_off_url(),
            "https://bcda.example.org/api/v2/Patient/$export"
        );
        let mut group = request();
        group.group = Some("all".into());
        group.types = vec!["Patient".into(), "Coverage".into()];
        group.since = Some("2026-01-01T00:00:00.000+05:00".into());
        assert_eq!(
            group.kick_off_url(),
            "https://bcda.example.org/api/v2/Group/all/$export?_type=Patient,Coverage&_since=2026-01-01T00:00:00.000%2B05:00"
        );
    }

    #[test]
    fn a_type_filter_is_sent_percent_encoded() {
        let mut v3 = request();
        v3.api = "v3".into();
        v3.type_filter = Some(
            "ExplanationOfBenefit?_tag=https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|SharedSystem&outcome=partial".into(),
        );
        assert_eq!(
            v3.kick_off_url(),
            "https://bcda.example.org/api/v3/Patient/$export?_typeFilter=ExplanationOfBenefit%3F_tag%3Dhttps%3A%2F%2Fbluebutton.cms.gov%2Ffhir%2FCodeSystem%2FSystem-Type%7CSharedSystem%26outcome%3Dpartial"
        );
    }

    #[test]
    fn manifest_files_are_named_by_their_url_without_the_query() {
        let manifest = serde_json::json!({
            "requiresAccessToken": false,
            "output": [{"type": "Patient", "url": "https://h/data/1/abc.ndjson?exp=1&sig=x"}],
            "error": [{"type": "OperationOutcome", "url": "https://h/data/1/abc-error.ndjson"}],
        });
        let files = files_of(&manifest, std::path::Path::new("out")).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].path, PathBuf::from("out/abc.ndjson"));
        assert_eq!(files[0].label(), "Patient");
        assert!(!files[0].with_token);
        assert_eq!(files[1].label(), "OperationOutcome");
        let nameless =
            serde_json::json!({"output": [{"type": "Patient", "url": "https://h/data/1/"}]});
        assert!(files_of(&nameless, std::path::Path::new("out")).is_err());
    }

    #[test]
    fn the_ig_parameters_go_in_the_query_or_in_a_parameters_body() {
        let mut ig = request();
        ig.types = vec!["Patient".into()];
        ig.until = Some("2026-02-01T00:00:00+01:00".into());
        ig.organize_by_patient = true;
        ig.partial = true;
        assert_eq!(
            ig.kick_off_url(),
            "https://bcda.example.org/api/v2/Patient/$export?_type=Patient&_until=2026-02-01T00:00:00%2B01:00&organizeOutputBy=Patient&allowPartialManifests=true"
        );
        ig.post = true;
        let job::KickOff::Post { url, body } = ig.kick_off() else {
            panic!("a POST kick-off");
        };
        assert_eq!(url, "https://bcda.example.org/api/v2/Patient/$export");
        assert_eq!(
            body,
            serde_json::json!({"resourceType": "Parameters", "parameter": [
                {"name": "_type", "valueString": "Patient"},
                {"name": "_until", "valueInstant": "2026-02-01T00:00:00+01:00"},
                {"name": "organizeOutputBy", "valueString": "Patient"},
                {"name": "allowPartialManifests", "valueBoolean": true}
            ]})
        );
    }

    #[test]
    fn files_organized_by_patient_have_no_type_and_a_label() {
        let manifest = serde_json::json!({
            "outputOrganizedBy": "Patient",
            "output": [{"url": "https://h/data/1/abc.ndjson", "count": 3}],
            "error": [],
        });
        let files = files_of(&manifest, std::path::Path::new("out")).unwrap();
        assert_eq!(files[0].resource_type, None);
        assert_eq!(files[0].label(), "organized by Patient");
    }
}
