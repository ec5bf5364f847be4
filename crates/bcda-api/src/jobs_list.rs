//! `GET /api/{v}/jobs[?_status=...]`: the ACO's export jobs as a Bundle of Tasks.

use actix_web::get;
use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpResponse, web};
use bcda_infra::AppContext;
use bcda_infra::http::{Authenticated, FhirError, PublicBase};
use bcda_model::fhir::{FHIR_JSON, TaskBundle};
use bcda_model::{ApiVersion, JobStatus};
use serde::Deserialize;

use crate::jobs_repo;

#[derive(Debug, Deserialize)]
pub struct Query {
    #[serde(rename = "_status")]
    status: Option<String>,
}

/// The ACO's export jobs
///
/// A Bundle of Task resources, newest first, optionally filtered by state.
#[utoipa::path(
    get,
    path = "/jobs",
    tag = "Jobs",
    security(("bearer" = [])),
    params(("_status" = Option<String>, Query, description = "Comma-separated job states: Pending, In Progress, Completed, Failed, Cancelled, Expired")),
    responses(
        (status = 200, description = "A Bundle of Tasks", content_type = "application/fhir+json"),
        (status = 400, description = "An unknown `_status`", content_type = "application/fhir+json"),
        (status = 401, description = "Missing, invalid or expired token", content_type = "application/fhir+json"),
        (status = 404, description = "The ACO has no jobs in these states", content_type = "application/fhir+json")
    )
)]
#[get("/jobs")]
pub async fn get(
    Authenticated(principal): Authenticated,
    version: web::Data<ApiVersion>,
    query: web::Query<Query>,
    base: PublicBase,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, FhirError> {
    let version = **version;
    let statuses = parse_statuses(query.status.as_deref()).map_err(|bad| {
        FhirError::new(
            version,
            StatusCode::BAD_REQUEST,
            format!("Invalid _status value: {bad}"),
        )
    })?;
    let jobs = jobs_repo::list_jobs(&ctx.db, principal.aco_id, version, &statuses)
        .await
        .map_err(|e| FhirError::internal(version, &e))?;
    let jobs_url = format!("{}/api/{version}/jobs", base.as_str());
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, FHIR_JSON))
        .json(TaskBundle::new(&jobs_url, &jobs)))
}

/// `_status` as a comma list of job states (`Completed,Failed`); empty means all.
fn parse_statuses(value: Option<&str>) -> Result<Vec<JobStatus>, String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<JobStatus>().map_err(|_| s.to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_from_a_comma_list() {
        assert_eq!(
            parse_statuses(Some("Completed, In Progress")),
            Ok(vec![JobStatus::Completed, JobStatus::InProgress])
        );
        assert_eq!(parse_statuses(None), Ok(vec![]));
        assert_eq!(parse_statuses(Some("Done")), Err("Done".to_owned()));
    }
}
