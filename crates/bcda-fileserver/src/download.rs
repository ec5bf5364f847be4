//! `GET /data/{jobId}/{file}`: streams one export file to the job's ACO.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use actix_web::FromRequest as _;
use actix_web::http::StatusCode;
use actix_web::http::header::{
    ACCEPT_ENCODING, ACCEPT_RANGES, CONTENT_ENCODING, CONTENT_RANGE, CONTENT_TYPE, ETAG, HeaderMap,
    HttpDate, IF_NONE_MATCH, IF_RANGE, LAST_MODIFIED, RANGE, VARY,
};
use actix_web::route;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use bcda_infra::AppContext;
use bcda_infra::http::{Authenticated, FhirError, aco_denied};
use bcda_infra::metrics::{DownloadLabels, Metrics};
use bcda_infra::signed_url::Signature;
use bcda_infra::storage::{GetOptions, GetRange, StorageError, export_file_path};
use bcda_model::scope::Scopes;
use bcda_model::{ApiVersion, JobStatus, ResourceType};
use futures::TryStreamExt;
use time::OffsetDateTime;

use crate::body;
use crate::negotiation::{Extent, Representation, extent, none_match};
use crate::{file_name, repo};

/// The media type of export files.
pub const FHIR_NDJSON: &str = "application/fhir+ndjson";

/// Download an export file
///
/// Listed in the job's manifest. Authorized by the bearer token of the job's ACO, or by
/// the URL's own signature (`exp`, `sig`) when the manifest says `requiresAccessToken:
/// false`. Files are stored gzip: send `Accept-Encoding: gzip` to receive them as stored;
/// otherwise they are decompressed on the way. `Range` (one range), `If-Range` and
/// `If-None-Match` are supported, so an interrupted download resumes; `HEAD` gives the
/// size and validators.
#[utoipa::path(
    method(get, head),
    path = "/data/{job_id}/{file}",
    tag = "Bulk Data",
    security(("bearer" = []), ()),
    params(
        ("job_id" = String, Path, description = "The job id"),
        ("file" = String, Path, description = "The file name from the manifest"),
        ("exp" = Option<i64>, Query, description = "Signed URLs: expiry, Unix seconds"),
        ("sig" = Option<String>, Query, description = "Signed URLs: signature")
    ),
    responses(
        (status = 200, description = "The file (NDJSON, gzip-encoded when accepted)", content_type = "application/fhir+ndjson"),
        (status = 206, description = "The requested range", content_type = "application/fhir+ndjson"),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 401, description = "No valid token or signature", content_type = "application/fhir+json"),
        (status = 404, description = "No such file for this ACO", content_type = "application/fhir+json"),
        (status = 410, description = "The job's files have expired", content_type = "application/fhir+json"),
        (status = 416, description = "The range is past the end of the file")
    )
)]
#[route("/data/{job_id}/{file}", method = "GET", method = "HEAD")]
pub async fn get(
    path: web::Path<(String, String)>,
    req: HttpRequest,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, FhirError> {
    let (job_id, file) = path.into_inner();
    let owner = caller(&req, &ctx, &job_id, &file).await?;
    let log = DownloadLog::new(&owner, &job_id, &file, ctx.metrics.clone());
    match serve(&owner, &job_id, &file, req.headers(), &ctx, &log).await {
        Ok(response) => {
            log.set_status(response.status());
            Ok(response)
        }
        Err(error) => {
            log.set_status(actix_web::ResponseError::status_code(&error));
            Err(error)
        }
    }
}

/// Who asks: the ACO of a valid bearer token or, when signed URLs are on and the query
/// carries a signature, the ACO that owns the job if the signature is valid for it.
async fn caller(
    req: &HttpRequest,
    ctx: &AppContext,
    job_id: &str,
    file: &str,
) -> Result<Owner, FhirError> {
    let version = ApiVersion::V1;
    let signature = ctx
        .url_signer
        .as_ref()
        .zip(Signature::from_query(req.query_string()));
    let Some((signer, signature)) = signature else {
        let Authenticated(principal) =
            Authenticated::from_request(req, &mut actix_web::dev::Payload::None).await?;
        return Ok(Owner {
            aco_id: principal.aco_id,
            cms_id: principal.cms_id,
            scopes: principal.scopes,
        });
    };
    let invalid = || {
        FhirError::new(
            version,
            StatusCode::UNAUTHORIZED,
            "Invalid or expired signature",
        )
    };
    let job_id: i64 = job_id.parse().map_err(|_| invalid())?;
    let owner = repo::job_owner(&ctx.db, job_id)
        .await
        .map_err(|e| FhirError::internal(version, &e))?
        .ok_or_else(invalid)?;
    let file_key = format!("{job_id}/{file}");
    if !signer.verify(
        &owner.cms_id,
        &file_key,
        &signature,
        OffsetDateTime::now_utc(),
    ) {
        return Err(invalid());
    }
    if owner.denied {
        return Err(aco_denied(version, &owner.cms_id));
    }
    Ok(Owner {
        aco_id: owner.aco_id,
        cms_id: owner.cms_id,
        // The signature was issued for this very file, to a token that could read it.
        scopes: Scopes::all(),
    })
}

/// The ACO a download is for, and what its credential may read.
#[derive(Debug, Clone)]
struct Owner {
    aco_id: uuid::Uuid,
    cms_id: String,
    scopes: Scopes,
}

async fn serve(
    principal: &Owner,
    job_id: &str,
    file: &str,
    headers: &HeaderMap,
    ctx: &AppContext,
    log: &Arc<DownloadLog>,
) -> Result<HttpResponse, FhirError> {
    let version = ApiVersion::V1;
    let not_found = || FhirError::new(version, StatusCode::NOT_FOUND, "File not found");
    let job_id: i64 = job_id.parse().map_err(|_| not_found())?;
    if !file_name::is_export_file(file) {
        return Err(not_found());
    }
    let file_key = format!("{job_id}/{file}");

    let job = repo::find_job(&ctx.db, principal.aco_id, job_id, &file_key)
        .await
        .map_err(|e| FhirError::internal(version, &e))?
        .ok_or_else(not_found)?;
    log.join_trace(&job.trace_context);
    match access(&job, &principal.scopes, OffsetDateTime::now_utc()) {
        Access::Granted => {}
        Access::Expired => {
            return Err(FhirError::new(
                version,
                StatusCode::GONE,
                "The export files have expired",
            ));
        }
        Access::NotFound => return Err(not_found()),
        Access::Forbidden => {
            return Err(FhirError::new(
                version,
                StatusCode::FORBIDDEN,
                "The access token's scopes do not permit reading this file",
            ));
        }
    }

    let stored = export_file_path(&file_key);
    let meta = match ctx.storage.head(&stored).await {
        Ok(meta) => meta,
        Err(StorageError::NotFound(_)) => return Err(not_found()),
        Err(e) => return Err(FhirError::internal(version, &e)),
    };
    let representation = Representation::negotiate(header(headers, &ACCEPT_ENCODING));
    let length = match representation {
        Representation::Gzip => meta.size,
        Representation::Plain => job
            .content_bytes
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(not_found)?,
    };
    // Export files are named by a UUID of their own; every job's warnings file has the
    // same name, so its tag names the job too.
    let etag = if file == bcda_model::export::WARNINGS_FILE_NAME {
        representation.etag(&format!("{job_id}-warnings-and-info"))
    } else {
        representation.etag(file.trim_end_matches(".ndjson"))
    };
    log.set_encoding(representation);

    let response = |status: StatusCode| {
        let mut builder = HttpResponse::build(status);
        builder
            .insert_header((ETAG, etag.clone()))
            .insert_header((
                LAST_MODIFIED,
                HttpDate::from(std::time::SystemTime::from(meta.last_modified)),
            ))
            .insert_header((VARY, "Accept-Encoding"))
            .insert_header((ACCEPT_RANGES, "bytes"));
        builder
    };
    if none_match(header(headers, &IF_NONE_MATCH), &etag) {
        return Ok(response(StatusCode::NOT_MODIFIED).finish());
    }
    let range = match extent(
        header(headers, &RANGE),
        header(headers, &IF_RANGE),
        &etag,
        length,
    ) {
        Extent::Unsatisfiable => {
            return Ok(response(StatusCode::RANGE_NOT_SATISFIABLE)
                .insert_header((CONTENT_RANGE, format!("bytes */{length}")))
                .finish());
        }
        Extent::Whole => None,
        Extent::Part(range) => Some(range),
    };

    let stored_range = match (representation, &range) {
        (Representation::Gzip, Some(range)) => Some(GetRange::Bounded(range.clone())),
        _ => None,
    };
    let object = ctx
        .storage
        .get(
            &stored,
            GetOptions {
                range: stored_range,
                ..GetOptions::default()
            },
        )
        .await
        .map_err(|e| FhirError::internal(version, &e))?;
    let chunks = object.into_stream().map_err(|e| {
        tracing::error!(error = %e, "export file stream failed");
        std::io::Error::other("storage read failed")
    });
    let sent = log.sent.clone();
    let (body, mut builder) = match representation {
        Representation::Gzip => {
            let mut builder = response(status_of(&range));
            builder.insert_header((CONTENT_ENCODING, "gzip"));
            (body::stored(chunks, sent), builder)
        }
        Representation::Plain => {
            let wanted = range.clone().unwrap_or(0..length);
            (
                body::decompressed(chunks, wanted, sent),
                response(status_of(&range)),
            )
        }
    };
    if let Some(range) = &range {
        builder.insert_header((
            CONTENT_RANGE,
            format!("bytes {}-{}/{length}", range.start, range.end - 1),
        ));
    }
    let size = range.map_or(length, |r| r.end - r.start);
    // The body keeps the record open until it is sent or dropped.
    let record = log.clone();
    let body: body::BodyStream = Box::pin(futures::StreamExt::map(body, move |chunk| {
        let _ = &record;
        chunk
    }));
    Ok(with_body(builder, size, body))
}

/// Whether a file of `job` may be downloaded, at `now`, by a credential with `scopes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Granted,
    Expired,
    /// Not a file the job wrote and finished, or a job that failed or was cancelled.
    NotFound,
    /// The credential's scopes do not cover what the file holds.
    Forbidden,
}

fn access(job: &repo::DownloadableJob, scopes: &Scopes, now: OffsetDateTime) -> Access {
    let expired = job.status == JobStatus::Expired || job.expires_at.is_some_and(|at| at <= now);
    if expired {
        return Access::Expired;
    }
    // A file is listed once its key is done; a running job's done files are served
    // too, for the partial manifests that list them.
    let servable = job.status == JobStatus::Completed || job.status.is_active();
    if !servable || !job.lists_file {
        return Access::NotFound;
    }
    let permits = |t: &str| t.parse::<ResourceType>().is_ok_and(|t| scopes.permits(t));
    // A job's warnings are about the job, not any resource type's data: whoever may
    // read its files may read them. A file organized by patient holds every type of its
    // job.
    let permitted = match (job.resource_type.as_deref(), &job.organized_types) {
        (Some(bcda_model::export::WARNINGS_RESOURCE_TYPE), _) => true,
        (Some(_), Some(types)) => types.iter().all(|t| permits(t)),
        (other, None) => other.is_some_and(permits),
        (None, Some(_)) => false,
    };
    if permitted {
        Access::Granted
    } else {
        Access::Forbidden
    }
}

fn status_of(range: &Option<std::ops::Range<u64>>) -> StatusCode {
    if range.is_some() {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    }
}

fn with_body(mut builder: HttpResponseBuilder, size: u64, body: body::BodyStream) -> HttpResponse {
    builder
        .insert_header((CONTENT_TYPE, FHIR_NDJSON))
        .no_chunking(size)
        .streaming(body)
}

fn header<'h>(
    headers: &'h HeaderMap,
    name: &actix_web::http::header::HeaderName,
) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The record of one download, written when the response body is done with (sent in
/// full, or dropped by a client that went away): ACO, job, file, status, encoding, bytes
/// sent and duration, as a structured log event, and counted in the download metrics.
#[derive(Debug)]
struct DownloadLog {
    cms_id: String,
    job_id: String,
    file: String,
    started: Instant,
    status: AtomicU64,
    gzip: std::sync::atomic::AtomicBool,
    sent: Arc<AtomicU64>,
    metrics: Arc<Metrics>,
    /// The download as a span of its export's trace, open until the body is done.
    span: std::sync::OnceLock<tracing::Span>,
}

impl DownloadLog {
    fn new(principal: &Owner, job_id: &str, file: &str, metrics: Arc<Metrics>) -> Arc<DownloadLog> {
        Arc::new(DownloadLog {
            metrics,
            cms_id: principal.cms_id.clone(),
            job_id: job_id.to_owned(),
            file: file.to_owned(),
            started: Instant::now(),
            status: AtomicU64::new(0),
            gzip: std::sync::atomic::AtomicBool::new(false),
            sent: Arc::new(AtomicU64::new(0)),
            span: std::sync::OnceLock::new(),
        })
    }

    /// Opens the download's span in the trace of the job's kick-off (`trace_context`),
    /// so an export's trace shows its downloads; it closes when the body is done.
    fn join_trace(&self, trace_context: &std::collections::HashMap<String, String>) {
        let span = tracing::info_span!(
            target: "bcda::trace",
            "export.download",
            job_id = %self.job_id,
            file = %self.file
        );
        bcda_infra::telemetry::continue_trace(&span, trace_context);
        let _ = self.span.set(span);
    }

    fn set_status(&self, status: StatusCode) {
        self.status
            .store(u64::from(status.as_u16()), Ordering::Relaxed);
    }

    fn set_encoding(&self, representation: Representation) {
        self.gzip
            .store(representation == Representation::Gzip, Ordering::Relaxed);
    }
}

impl Drop for DownloadLog {
    fn drop(&mut self) {
        let labels = DownloadLabels {
            status: self.status.load(Ordering::Relaxed) as u16,
            encoding: if self.gzip.load(Ordering::Relaxed) {
                "gzip"
            } else {
                "identity"
            },
        };
        let sent = self.sent.load(Ordering::Relaxed);
        self.metrics.downloads.get_or_create(&labels).inc();
        self.metrics
            .download_bytes
            .get_or_create(&labels)
            .inc_by(sent);
        tracing::info!(
            target: "bcda::download",
            aco = %self.cms_id,
            job_id = %self.job_id,
            file = %self.file,
            status = labels.status,
            encoding = labels.encoding,
            bytes_sent = sent,
            duration_ms = self.started.elapsed().as_millis() as u64,
            "download"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

    fn job(status: JobStatus, resource_type: &str) -> repo::DownloadableJob {
        repo::DownloadableJob {
            status,
            expires_at: Some(datetime!(2026-06-02 12:00 UTC)),
            lists_file: true,
            resource_type: Some(resource_type.to_owned()),
            organized_types: None,
            content_bytes: Some(10),
            trace_context: Default::default(),
        }
    }

    #[test]
    fn done_files_of_running_and_completed_jobs_are_served_and_others_are_not() {
        let all = Scopes::all();
        for status in [
            JobStatus::Completed,
            JobStatus::InProgress,
            JobStatus::Pending,
        ] {
            assert_eq!(access(&job(status, "Patient"), &all, NOW), Access::Granted);
        }
        for status in [JobStatus::Failed, JobStatus::Cancelled] {
            assert_eq!(access(&job(status, "Patient"), &all, NOW), Access::NotFound);
        }
        assert_eq!(
            access(&job(JobStatus::Expired, "Patient"), &all, NOW),
            Access::Expired
        );
        let mut unlisted = job(JobStatus::InProgress, "Patient");
        unlisted.lists_file = false;
        assert_eq!(access(&unlisted, &all, NOW), Access::NotFound);
        let mut past = job(JobStatus::Completed, "Patient");
        past.expires_at = Some(datetime!(2026-06-01 11:00 UTC));
        assert_eq!(access(&past, &all, NOW), Access::Expired);
    }

    #[test]
    fn scopes_decide_by_the_files_types_and_warnings_are_everyones() {
        let patients = Scopes::parse("system/Patient.read").unwrap();
        assert_eq!(
            access(&job(JobStatus::Completed, "Patient"), &patients, NOW),
            Access::Granted
        );
        assert_eq!(
            access(&job(JobStatus::Completed, "Coverage"), &patients, NOW),
            Access::Forbidden
        );
        assert_eq!(
            access(
                &job(JobStatus::Completed, "OperationOutcome"),
                &patients,
                NOW
            ),
            Access::Granted
        );
        let mut organized = job(JobStatus::Completed, "Patient");
        organized.organized_types = Some(vec!["Patient".into(), "Coverage".into()]);
        assert_eq!(access(&organized, &patients, NOW), Access::Forbidden);
        assert_eq!(access(&organized, &Scopes::all(), NOW), Access::Granted);
    }
}
