//! `DELETE /api/{v}/jobs/{id}`: cancels a job that has not finished. Workers skip the
//! keys of a cancelled job.

use actix_web::delete;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use bcda_infra::AppContext;
use bcda_infra::http::{Authenticated, FhirError};
use bcda_model::ApiVersion;

use crate::job_status::parse_job_id;
use crate::jobs_repo::{self, Cancellation};

/// Cancel an export job that has not finished
#[utoipa::path(
    delete,
    path = "/jobs/{id}",
    tag = "Jobs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The job id")),
    responses(
        (status = 202, description = "Cancelled"),
        (status = 400, description = "Not a job id", content_type = "application/fhir+json"),
        (status = 401, description = "Missing, invalid or expired token", content_type = "application/fhir+json"),
        (status = 404, description = "The ACO has no such job", content_type = "application/fhir+json"),
        (status = 410, description = "The job already finished or was cancelled", content_type = "application/fhir+json")
    )
)]
#[delete("/jobs/{id}")]
pub async fn delete(
    Authenticated(principal): Authenticated,
    version: web::Data<ApiVersion>,
    id: web::Path<String>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, FhirError> {
    let version = **version;
    let id = parse_job_id(version, &id)?;
    let outcome = jobs_repo::cancel_job(&ctx.db, principal.aco_id, version, id)
        .await
        .map_err(|e| FhirError::internal(version, &e))?;
    match outcome {
        Cancellation::Cancelled => Ok(HttpResponse::Accepted().finish()),
        Cancellation::NotActive => Err(FhirError::new(
            version,
            StatusCode::GONE,
            "job was not cancelled because it is not Pending or In Progress",
        )),
        Cancellation::NotFound => Err(FhirError::new(
            version,
            StatusCode::NOT_FOUND,
            "Job not found.",
        )),
    }
}
