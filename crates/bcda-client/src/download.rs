//! Step 4 of the guide: one file of the manifest, downloaded with gzip, resumed with
//! `Range` and `If-Range` when the connection drops, then checked line by line.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};

use futures::StreamExt;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_RANGE, ETAG};
use tokio::io::AsyncWriteExt;

use crate::error::{ClientError, outcome_message};
use crate::retry::{self, Backoff};
use crate::token::TokenSource;

/// Attempts that received nothing, per file, before giving up. An
/// attempt that received bytes before its connection dropped does not count: the next
/// one resumes where it stopped.
const ATTEMPTS: u32 = 8;

/// A file the manifest lists.
#[derive(Debug, Clone)]
pub struct FileJob {
    pub url: String,
    /// The resource type every line must be (`OperationOutcome` for error files); none
    /// for a file organized by patient, whose lines are of several types.
    pub resource_type: Option<String>,
    /// Where the NDJSON goes.
    pub path: PathBuf,
    /// Whether to send the token (the manifest's `requiresAccessToken`).
    pub with_token: bool,
}

impl FileJob {
    /// What the file holds, for summaries: its type, or `organized by Patient`.
    pub fn label(&self) -> &str {
        self.resource_type
            .as_deref()
            .unwrap_or("organized by Patient")
    }
}

/// What a finished download holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileReport {
    pub resources: u64,
    /// NDJSON bytes on disk.
    pub bytes: u64,
    /// Bytes that crossed the network, gzip or not, counting resumed transfers.
    pub transferred: u64,
    /// How many times the download resumed after a dropped connection.
    pub resumed: u32,
}

/// Hears how a download goes.
pub trait FileProgress: Send + Sync {
    /// The size of the representation being received, when known.
    fn started(&self, total: Option<u64>);
    /// `bytes` more arrived.
    fn advanced(&self, bytes: u64);
    /// The connection dropped; the download resumes at `at`.
    fn resuming(&self, at: u64);
}

/// Downloads `file`, resuming after dropped connections, then checks every line.
pub async fn download(
    http: &reqwest::Client,
    tokens: &TokenSource,
    file: &FileJob,
    progress: &dyn FileProgress,
) -> Result<FileReport, ClientError> {
    let part = file.path.with_extension("ndjson.part");
    let mut report = FileReport::default();
    let mut have: u64 = 0;
    let mut validator: Option<String> = None;
    let mut gzip = false;
    let mut last_error;
    let mut failures = Backoff::new(ATTEMPTS);
    loop {
        let token = if file.with_token {
            Some(tokens.get().await?)
        } else {
            None
        };
        let mut request = http.get(&file.url).header("Accept-Encoding", "gzip");
        if let Some(token) = &token {
            request = request.bearer_auth(token);
        }
        if have > 0 {
            request = request.header("Range", format!("bytes={have}-"));
            if let Some(tag) = &validator {
                request = request.header("If-Range", tag);
            }
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => {
                last_error = e.to_string();
                match failures.failed(None) {
                    Some(wait) => tokio::time::sleep(wait).await,
                    None => break,
                }
                continue;
            }
        };
        let status = response.status();
        let append = match status {
            StatusCode::OK => false,
            StatusCode::PARTIAL_CONTENT if range_start(&response) == Some(have) => true,
            StatusCode::PARTIAL_CONTENT => {
                // Not the range asked for: start over.
                have = 0;
                last_error = "the server sent another range".into();
                if failures.failed(None).is_none() {
                    break;
                }
                continue;
            }
            StatusCode::UNAUTHORIZED if token.is_some() => {
                if let Some(token) = &token {
                    tokens.invalidate(token).await;
                }
                last_error = "the token was refused".into();
                if failures.failed(None).is_none() {
                    break;
                }
                continue;
            }
            status if retry::is_transient(status) => {
                last_error = format!("{status}");
                match failures.failed(retry::retry_after(&response)) {
                    Some(wait) => tokio::time::sleep(wait).await,
                    None => break,
                }
                continue;
            }
            _ => {
                let body = response.text().await.unwrap_or_default();
                return Err(ClientError::Refused {
                    step: "the download",
                    status: status.as_u16(),
                    message: outcome_message(&body),
                });
            }
        };
        if !append {
            have = 0;
            gzip = response
                .headers()
                .get(CONTENT_ENCODING)
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
            validator = response
                .headers()
                .get(ETAG)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let total = response
                .headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok());
            progress.started(total);
        } else {
            progress.resuming(have);
            report.resumed += 1;
        }
        let mut out = open(&part, append).await?;
        let before = have;
        let mut body = response.bytes_stream();
        let mut dropped = None;
        while let Some(chunk) = body.next().await {
            match chunk {
                Ok(bytes) => {
                    out.write_all(&bytes)
                        .await
                        .map_err(|e| ClientError::io(&part, e))?;
                    have += bytes.len() as u64;
                    report.transferred += bytes.len() as u64;
                    progress.advanced(bytes.len() as u64);
                }
                Err(e) => {
                    dropped = Some(e.to_string());
                    break;
                }
            }
        }
        out.flush().await.map_err(|e| ClientError::io(&part, e))?;
        drop(out);
        match dropped {
            None => {
                let checked =
                    finish(&part, &file.path, gzip, file.resource_type.as_deref()).await?;
                report.resources = checked.0;
                report.bytes = checked.1;
                return Ok(report);
            }
            Some(reason) => {
                // Keep what arrived; the next attempt asks for the rest.
                last_error = reason;
                if have == before {
                    match failures.failed(None) {
                        Some(wait) => tokio::time::sleep(wait).await,
                        None => break,
                    }
                }
            }
        }
    }
    Err(ClientError::Download {
        file: file.path.display().to_string(),
        attempts: failures.failures(),
        reason: last_error,
    })
}

/// The first byte of a `206`'s `Content-Range`.
fn range_start(response: &reqwest::Response) -> Option<u64> {
    let value = response.headers().get(CONTENT_RANGE)?.to_str().ok()?;
    let range = value.strip_prefix("bytes ")?;
    range.split('-').next()?.trim().parse().ok()
}

async fn open(path: &Path, append: bool) -> Result<tokio::fs::File, ClientError> {
    tokio::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(path)
        .await
        .map_err(|e| ClientError::io(path, e))
}

/// Turns the received `part` into `path` (inflating it when it came gzip) while checking
/// that every line is a JSON resource (of `resource_type`, when the file has one);
/// returns (resources, bytes).
async fn finish(
    part: &Path,
    path: &Path,
    gzip: bool,
    resource_type: Option<&str>,
) -> Result<(u64, u64), ClientError> {
    let (part, path) = (part.to_owned(), path.to_owned());
    let resource_type = resource_type.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let input = std::fs::File::open(&part).map_err(|e| ClientError::io(&part, e))?;
        let reader: Box<dyn std::io::Read> = if gzip {
            Box::new(flate2::read::GzDecoder::new(input))
        } else {
            Box::new(input)
        };
        let output = std::fs::File::create(&path).map_err(|e| ClientError::io(&path, e))?;
        let mut output = std::io::BufWriter::new(output);
        let name = path.display().to_string();
        let (mut resources, mut bytes) = (0u64, 0u64);
        for (index, line) in BufReader::new(reader).lines().enumerate() {
            let line = line.map_err(|e| ClientError::io(&part, e))?;
            if line.is_empty() {
                continue;
            }
            check_line(&line, resource_type.as_deref()).map_err(|reason| ClientError::BadLine {
                file: name.clone(),
                line: index + 1,
                expected: resource_type.clone().unwrap_or_else(|| "a resource".into()),
                reason,
            })?;
            output
                .write_all(line.as_bytes())
                .and_then(|()| output.write_all(b"\n"))
                .map_err(|e| ClientError::io(&path, e))?;
            resources += 1;
            bytes += line.len() as u64 + 1;
        }
        output.flush().map_err(|e| ClientError::io(&path, e))?;
        std::fs::remove_file(&part).map_err(|e| ClientError::io(&part, e))?;
        Ok((resources, bytes))
    })
    .await
    .map_err(|e| ClientError::Protocol(format!("the checker stopped: {e}")))?
}

/// Whether `line` is a JSON object with a `resourceType`, `expected` when given.
fn check_line(line: &str, expected: Option<&str>) -> Result<(), String> {
    #[derive(serde::Deserialize)]
    struct Head {
        #[serde(rename = "resourceType")]
        resource_type: Option<String>,
    }
    let head: Head = serde_json::from_str(line).map_err(|e| format!("not JSON ({e})"))?;
    match head.resource_type {
        Some(found) if expected.is_none_or(|expected| found == expected) => Ok(()),
        Some(found) => Err(format!("resourceType is {found}")),
        None => Err("no resourceType".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_must_be_json_resources_of_the_expected_type() {
        let patient = Some("Patient");
        assert!(check_line(r#"{"resourceType":"Patient","id":"1"}"#, patient).is_ok());
        assert_eq!(
            check_line(r#"{"resourceType":"Coverage"}"#, patient),
            Err("resourceType is Coverage".into())
        );
        assert!(check_line(r#"{"id":"1"}"#, patient).is_err());
        assert!(check_line("{not json", patient).is_err());
    }

    #[test]
    fn a_file_organized_by_patient_takes_any_resource() {
        assert!(check_line(r#"{"resourceType":"Coverage"}"#, None).is_ok());
        assert!(check_line(r#"{"id":"1"}"#, None).is_err());
    }
}
