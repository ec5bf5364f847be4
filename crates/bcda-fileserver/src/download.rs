//! `GET /data/{jobId}/{file}`: streams one export file to the job's ACO.

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpResponse, web};
use bcda_infra::AppContext;
use bcda_infra::http::{Authenticated, FhirError};
use bcda_infra::storage::{GetOptions, ObjectPath, StorageError};
use bcda_model::{ApiVersion, JobStatus};
use futures::TryStreamExt;
use time::OffsetDateTime;

use crate::{file_name, repo};

/// The media type of export files.
pub const FHIR_NDJSON: &str = "application/fhir+ndjson";

pub async fn get(
    Authenticated(principal): Authenticated,
    path: web::Path<(String, String)>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, FhirError> {
    let version = ApiVersion::V1;
    let not_found = || FhirError::new(version, StatusCode::NOT_FOUND, "File not found");
    let (job_id, file) = path.into_inner();
    let job_id: i64 = job_id.parse().map_err(|_| not_found())?;
    if !file_name::is_export_file(&file) {
        return Err(not_found());
    }
    let object_key = format!("{job_id}/{file}");

    let job = repo::find_job(&ctx.db, principal.aco_id, job_id, &object_key)
        .await
        .map_err(|e| FhirError::internal(version, &e))?
        .ok_or_else(not_found)?;
    let expired = job.status == JobStatus::Expired.as_str()
        || job
            .expires_at
            .is_some_and(|at| at <= OffsetDateTime::now_utc());
    if expired {
        return Err(FhirError::new(
            version,
            StatusCode::GONE,
            "The export files have expired",
        ));
    }
    if job.status != JobStatus::Completed.as_str() || !job.lists_file {
        return Err(not_found());
    }

    let object = match ctx
        .storage
        .get(&ObjectPath::from(object_key), GetOptions::default())
        .await
    {
        Ok(object) => object,
        Err(StorageError::NotFound(_)) => return Err(not_found()),
        Err(e) => return Err(FhirError::internal(version, &e)),
    };
    let size = object.meta.size;
    let body = object.into_stream().map_err(|e| {
        tracing::error!(error = %e, "export file stream failed");
        actix_web::error::ErrorInternalServerError("storage read failed")
    });
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, FHIR_NDJSON))
        .no_chunking(size)
        .streaming(body))
}
