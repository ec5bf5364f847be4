//! `GET /api/{v}/jobs[?_status=...]`: the ACO's export jobs as a Bundle of Tasks.

use actix_web::get;
use actix_web::http::StatusCode;
use actix_web::http::header::{ACCEPT, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use bcda_infra::AppContext;
use bcda_infra::http::{Authenticated, FhirError, PublicBase};
use bcda_model::fhir::{FHIR_JSON, TaskBundle};
use bcda_model::{ApiVersion, JobStatus, export};
use serde::Deserialize;
use uuid::Uuid;

use crate::jobs_repo;

#[derive(Debug, Deserialize)]
pub struct Query {
    #[serde(rename = "_status")]
    status: Option<String>,
}

/// The ACO's export jobs
///
/// A Bundle of Task resources, newest first, optionally filtered by state. As BCDA,
/// it takes the kick-off's headers (`Accept: application/fhir+json`, `Prefer:
/// respond-async`) and answers `404` when no job matches.
#[utoipa::path(
    get,
    path = "/jobs",
    tag = "Jobs",
    security(("bearer" = [])),
    params(
        ("Accept" = String, Header, description = "`application/fhir+json`"),
        ("Prefer" = String, Header, description = "`respond-async`"),
        ("_status" = Option<String>, Query, description = "Comma-separated job states: Pending, In Progress, Completed, Failed, Cancelled, Expired")
    ),
    responses(
        (status = 200, description = "A Bundle of Tasks", content_type = "application/fhir+json"),
        (status = 400, description = "An unknown `_status`, or `Accept`/`Prefer` missing or unsupported", content_type = "application/fhir+json"),
        (status = 401, description = "Missing, invalid or expired token", content_type = "application/fhir+json"),
        (status = 404, description = "The ACO has no jobs in these states", content_type = "application/fhir+json")
    )
)]
#[get("/jobs")]
pub async fn get(
    auth: Authenticated,
    version: web::Data<ApiVersion>,
    query: web::Query<Query>,
    req: HttpRequest,
    base: PublicBase,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, FhirError> {
    let version = **version;
    auth.require_access_to(version)?;
    let Authenticated(principal) = auth;
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    export::check_headers(header(ACCEPT.as_str()), header("prefer"))
        .map_err(|e| FhirError::new(version, StatusCode::BAD_REQUEST, e.to_string()))?;
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
    if jobs.is_empty() {
        return Err(FhirError::new(
            version,
            StatusCode::NOT_FOUND,
            no_jobs_found(principal.aco_id, &statuses),
        ));
    }
    let jobs_url = format!("{}/api/{version}/jobs", base.as_str());
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, FHIR_JSON))
        .json(TaskBundle::new(&jobs_url, &jobs)))
}

/// BCDA's answer when no job matches: the ACO's id and the states asked for, as Go
/// prints a list. Without `_status`, BCDA's own list of every state (some of which,
/// such as `Archived`, are our `Expired`).
fn no_jobs_found(aco_id: Uuid, statuses: &[JobStatus]) -> String {
    const BCDA_ALL_STATUSES: &str = "Pending In Progress Completed Archived Expired Failed \
                                     Cancelled FailedExpired CancelledExpired";
    let names = if statuses.is_empty() {
        BCDA_ALL_STATUSES.to_owned()
    } else {
        let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
        names.join(" ")
    };
    format!("no Jobs found for acoID {aco_id} with job statuses [{names}]")
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

    #[test]
    fn no_jobs_found_names_the_aco_and_the_states_as_bcda_does() {
        let aco = Uuid::nil();
        assert_eq!(
            no_jobs_found(aco, &[JobStatus::Completed, JobStatus::InProgress]),
            "no Jobs found for acoID 00000000-0000-0000-0000-000000000000 \
             with job statuses [Completed In Progress]"
        );
        assert!(no_jobs_found(aco, &[]).ends_with(
            "[Pending In Progress Completed Archived Expired Failed Cancelled FailedExpired \
             CancelledExpired]"
        ));
    }
}
