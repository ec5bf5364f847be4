//! `GET /api/{v}/jobs/{id}`: the state of an export, or its manifest once complete; for
//! a job with `allowPartialManifests=true`, the manifest of the files done so far while
//! it runs, paged (`?page=N`, each page linking to the next).

use actix_web::get;
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, EXPIRES, HttpDate, RETRY_AFTER};
use actix_web::{HttpResponse, web};
use bcda_infra::AppContext;
use bcda_infra::http::{Authenticated, FhirError, PublicBase};
use bcda_model::fhir::Manifest;
use bcda_model::{ApiVersion, JobStatus};
use time::OffsetDateTime;

use std::time::{Duration, Instant};

use crate::jobs_repo::{self, JobState, ManifestFiles};
use crate::manifest::Listing;
use crate::poll_pacing::{PollPacer, retry_after_secs};

/// The state of an export job, or its manifest once complete
///
/// Poll until `200`. While the job runs: `202` with `X-Progress` and `Retry-After`. Once
/// complete: the bulk data manifest listing every file to download (`output`) and error
/// files (`error`), with `Expires` when the files will be deleted. A job started with
/// `allowPartialManifests=true` answers `202` with the manifest of the files done so far,
/// and pages its manifest: each page's `link` names the next.
#[utoipa::path(
    get,
    path = "/jobs/{id}",
    tag = "Jobs",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The job id, from the kick-off's `Content-Location`"),
        ("page" = Option<u32>, Query, description = "A page of a partial manifest, from a `next` link (1 is the first)")
    ),
    responses(
        (status = 200, description = "Complete: the manifest", content_type = "application/json"),
        (status = 202, description = "Pending or in progress; see `X-Progress` and `Retry-After`. With `allowPartialManifests`, once a file is done, the body is a page of the manifest (`application/json`, the `Manifest` schema) listing files already done; a page never changes but for a `next` link"),
        (status = 400, description = "Not a job id, or not a page number", content_type = "application/fhir+json"),
        (status = 401, description = "Missing, invalid or expired token", content_type = "application/fhir+json"),
        (status = 404, description = "The ACO has no such job", content_type = "application/fhir+json"),
        (status = 410, description = "The job's files have expired, or it was cancelled", content_type = "application/fhir+json"),
        (status = 429, description = "Polled before the previous poll's `Retry-After` (not for the sandbox ACOs); wait `Retry-After`", content_type = "application/fhir+json"),
        (status = 500, description = "The job failed", content_type = "application/fhir+json")
    )
)]
#[get("/jobs/{id}")]
pub async fn get(
    Authenticated(principal): Authenticated,
    version: web::Data<ApiVersion>,
    id: web::Path<String>,
    req: actix_web::HttpRequest,
    base: PublicBase,
    ctx: web::Data<AppContext>,
    pacer: web::Data<PollPacer>,
) -> Result<HttpResponse, FhirError> {
    let version = **version;
    let id = parse_job_id(version, &id)?;
    let page = parse_page(version, req.query_string());
    let paced = pacer.paces(&principal.cms_id);
    let polled_at = Instant::now();
    let polled = (principal.aco_id, id, page.as_ref().map_or(1, |p| *p));
    if paced && let Err(wait) = pacer.check(polled, polled_at) {
        return Err(FhirError::too_many_requests(
            version,
            "Polled before the Retry-After of the previous poll. Please wait that long between polls.",
            retry_after_secs(wait),
        ));
    }
    let job = jobs_repo::find_job(&ctx.db, principal.aco_id, version, id)
        .await
        .map_err(|e| FhirError::internal(version, &e))?
        .ok_or_else(|| FhirError::new(version, StatusCode::NOT_FOUND, "Job not found."))?;
    let now = OffsetDateTime::now_utc();
    let expired = job.status == JobStatus::Expired || job.expires_at.is_some_and(|at| at <= now);
    if expired {
        return Err(FhirError::new(
            version,
            StatusCode::GONE,
            "The job and its files have expired.",
        ));
    }
    if job.status.is_active() {
        if paced {
            pacer.told(polled, retry_after(&job), polled_at);
        }
    } else {
        pacer.forget(polled);
    }
    // Pages exist only for jobs with partial manifests; other jobs ignore the parameter,
    // as BCDA ignores what it does not read on a poll.
    let page = if job.partial_manifests { page? } else { 1 };
    let listing = Listing {
        id,
        version,
        base: &base,
        scopes: &principal.scopes,
        signer: ctx
            .url_signer
            .as_ref()
            .map(|signer| (signer, principal.cms_id.as_str())),
    };
    let files = if job.status.is_active() || job.status == JobStatus::Completed {
        files_to_list(&ctx, &job, id, page)
            .await
            .map_err(|e| FhirError::internal(version, &e))?
    } else {
        None
    };
    match (job.status, files) {
        (JobStatus::Pending | JobStatus::InProgress, Some(files)) => {
            let mut response = in_progress_response(&job);
            response.insert_header((CONTENT_TYPE, "application/json"));
            Ok(response.json(listing.manifest(&job, &files)?))
        }
        (JobStatus::Pending | JobStatus::InProgress, None) => {
            Ok(in_progress_response(&job).finish())
        }
        (JobStatus::Completed, Some(files)) => Ok(completed(&job, listing.manifest(&job, &files)?)),
        (JobStatus::Completed, None) => Err(FhirError::new(
            version,
            StatusCode::NOT_FOUND,
            format!("The job's manifest has no page {page}."),
        )),
        (JobStatus::Failed, _) => Err(FhirError::new(
            version,
            StatusCode::INTERNAL_SERVER_ERROR,
            "Service encountered numerous errors. Job failed to complete.",
        )),
        (JobStatus::Cancelled, _) => Err(FhirError::new(
            version,
            StatusCode::NOT_FOUND,
            "Job has been cancelled.",
        )),
        (JobStatus::Expired, _) => Err(FhirError::new(
            version,
            StatusCode::GONE,
            "The job and its files have expired.",
        )),
    }
}

/// A job id from the path: numeric, else `400`.
pub(crate) fn parse_job_id(version: ApiVersion, raw: &str) -> Result<i64, FhirError> {
    raw.parse().map_err(|_| {
        FhirError::new(
            version,
            StatusCode::BAD_REQUEST,
            format!("Invalid job ID {raw}"),
        )
    })
}

/// A page number from the query (`page=N`, from 1); the first page without one.
fn parse_page(version: ApiVersion, query: &str) -> Result<i32, FhirError> {
    let mut page = 1;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if name == "page" {
            page = value.parse().ok().filter(|&p| p >= 1).ok_or_else(|| {
                FhirError::new(
                    version,
                    StatusCode::BAD_REQUEST,
                    format!("Invalid page {value}: pages are numbered from 1"),
                )
            })?;
        }
    }
    Ok(page)
}

/// `202` with `X-Progress` and a `Retry-After` scaled to the work left, so small exports
/// are polled often and large ones are not hammered.
fn in_progress_response(job: &JobState) -> actix_web::HttpResponseBuilder {
    let total = i64::from(job.keys_total.max(1));
    let progress = match job.status {
        JobStatus::Pending => "Pending".to_owned(),
        _ => format!("In Progress ({}%)", job.keys_done * 100 / total),
    };
    let mut response = HttpResponse::Accepted();
    response
        .insert_header(("X-Progress", progress))
        .insert_header((RETRY_AFTER, retry_after(job).as_secs().to_string()));
    response
}

/// How long a running job's poller should wait: a second per five keys left, from 1 s
/// to a minute.
fn retry_after(job: &JobState) -> Duration {
    let remaining = (i64::from(job.keys_total.max(1)) - job.keys_done).max(0);
    Duration::from_secs((remaining / 5).clamp(1, 60) as u64)
}

/// The manifest files the poll lists: every file of a completed job; for a job with
/// partial manifests, the page asked for (none while it does not exist yet; for a
/// completed job with no file at all, an empty first page).
async fn files_to_list(
    ctx: &AppContext,
    job: &JobState,
    id: i64,
    page: i32,
) -> Result<Option<ManifestFiles>, jobs_repo::RepoError> {
    if !job.partial_manifests {
        return match job.status {
            JobStatus::Completed => jobs_repo::all_files(&ctx.db, id).await.map(Some),
            _ => Ok(None),
        };
    }
    let page_size = i64::from(ctx.config.export.manifest_page_size);
    let listed = jobs_repo::page_of_files(&ctx.db, id, page, page_size).await?;
    if listed.is_none() && page == 1 && job.status == JobStatus::Completed {
        return jobs_repo::all_files(&ctx.db, id).await.map(Some);
    }
    Ok(listed)
}

/// The manifest of a completed job (or the page asked for), with `Expires`.
fn completed(job: &JobState, manifest: Manifest) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response.insert_header((CONTENT_TYPE, "application/json"));
    if let Some(expires) = job.expires_at {
        response.insert_header((
            EXPIRES,
            HttpDate::from(std::time::SystemTime::from(expires)),
        ));
    }
    response.json(manifest)
}
