//! `GET /api/{v}/jobs/{id}`: the state of an export, or its manifest once complete.

use actix_web::get;
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, EXPIRES, HttpDate, RETRY_AFTER};
use actix_web::{HttpResponse, web};
use bcda_infra::AppContext;
use bcda_infra::http::{Authenticated, FhirError, PublicBase};
use bcda_infra::signed_url::UrlSigner;
use bcda_model::fhir::{Manifest, ManifestFile, TransactionTime};
use bcda_model::scope::Scopes;
use bcda_model::{ApiVersion, JobStatus, ResourceType};
use time::OffsetDateTime;

use crate::jobs_repo::{self, JobState};

/// The state of an export job, or its manifest once complete
///
/// Poll until `200`. While the job runs: `202` with `X-Progress` and `Retry-After`. Once
/// complete: the bulk data manifest listing every file to download (`output`) and error
/// files (`error`), with `Expires` when the files will be deleted.
#[utoipa::path(
    get,
    path = "/jobs/{id}",
    tag = "Jobs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The job id, from the kick-off's `Content-Location`")),
    responses(
        (status = 200, description = "Complete: the manifest", content_type = "application/json"),
        (status = 202, description = "Pending or in progress; see `X-Progress` and `Retry-After`"),
        (status = 400, description = "Not a job id", content_type = "application/fhir+json"),
        (status = 401, description = "Missing, invalid or expired token", content_type = "application/fhir+json"),
        (status = 404, description = "The ACO has no such job", content_type = "application/fhir+json"),
        (status = 410, description = "The job's files have expired, or it was cancelled", content_type = "application/fhir+json"),
        (status = 500, description = "The job failed", content_type = "application/fhir+json")
    )
)]
#[get("/jobs/{id}")]
pub async fn get(
    Authenticated(principal): Authenticated,
    version: web::Data<ApiVersion>,
    id: web::Path<String>,
    base: PublicBase,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, FhirError> {
    let version = **version;
    let id = parse_job_id(version, &id)?;
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
    match job.status {
        JobStatus::Pending | JobStatus::InProgress => Ok(in_progress(&job)),
        JobStatus::Completed => Ok(completed(
            id,
            &job,
            &base,
            &principal.scopes,
            ctx.url_signer
                .as_ref()
                .map(|signer| (signer, principal.cms_id.as_str())),
        )),
        JobStatus::Failed => Err(FhirError::new(
            version,
            StatusCode::INTERNAL_SERVER_ERROR,
            "Service encountered numerous errors. Job failed to complete.",
        )),
        JobStatus::Cancelled => Err(FhirError::new(
            version,
            StatusCode::NOT_FOUND,
            "Job has been cancelled.",
        )),
        JobStatus::Expired => Err(FhirError::new(
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

/// `202` with `X-Progress` and a `Retry-After` scaled to the work left, so small exports
/// are polled often and large ones are not hammered.
fn in_progress(job: &JobState) -> HttpResponse {
    let total = i64::from(job.keys_total.max(1));
    let progress = match job.status {
        JobStatus::Pending => "Pending".to_owned(),
        _ => format!("In Progress ({}%)", job.keys_done * 100 / total),
    };
    let remaining = (total - job.keys_done).max(0);
    let retry_after = (remaining / 5).clamp(1, 60);
    HttpResponse::Accepted()
        .insert_header(("X-Progress", progress))
        .insert_header((RETRY_AFTER, retry_after.to_string()))
        .finish()
}

/// The manifest of a completed job, listing the output files of the types `scopes`
/// lets the polling token read. With URL signing on, each URL carries a signature for
/// the job's ACO, and `requiresAccessToken` is false because the file server then
/// accepts the URL alone.
fn completed(
    id: i64,
    job: &JobState,
    base: &PublicBase,
    scopes: &Scopes,
    signer: Option<(&UrlSigner, &str)>,
) -> HttpResponse {
    let now = OffsetDateTime::now_utc();
    let url = |key: &str| match signer {
        Some((signer, cms_id)) => format!(
            "{}/data/{key}?{}",
            base.as_str(),
            signer.sign(cms_id, key, now).to_query()
        ),
        None => format!("{}/data/{key}", base.as_str()),
    };
    let output = job
        .files
        .iter()
        .filter_map(|(resource_type, key)| {
            let resource_type: ResourceType = resource_type.parse().ok()?;
            scopes
                .permits(resource_type)
                .then(|| ManifestFile::data(resource_type, url(key)))
        })
        .collect();
    let manifest = Manifest {
        transaction_time: TransactionTime(job.transaction_time),
        request: job.request_url.clone(),
        requires_access_token: signer.is_none(),
        output,
        error: job
            .error_files
            .iter()
            .map(|key| ManifestFile::error(url(key)))
            .collect(),
        job_id: id,
    };
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
