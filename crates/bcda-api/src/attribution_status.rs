//! `GET /api/{v}/attribution_status`: the dates of the ACO's newest attribution and
//! runout files, as BCDA reports them.

use actix_web::get;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use bcda_infra::AppContext;
use bcda_infra::http::{Authenticated, FhirError};
use bcda_model::ApiVersion;
use bcda_model::attribution::AttributionKind;

use crate::attribution_repo;
use serde::Serialize;
use time::OffsetDateTime;

#[derive(Debug, Serialize)]
struct AttributionStatus {
    ingestion_dates: Vec<IngestionDate>,
}

/// Fields in BCDA's order: its clients may compare bodies as text.
#[derive(Debug, Serialize)]
struct IngestionDate {
    #[serde(with = "time::serde::rfc3339")]
    timestamp: OffsetDateTime,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// When the ACO's attribution files are dated
///
/// One entry per kind of file the ACO has: `last_attribution_update` (the newest default
/// file) and `last_runout_update` (the newest runout file), each with the date the file
/// carries, as BCDA reports them. `404` when the ACO has neither.
#[utoipa::path(
    get,
    path = "/attribution_status",
    tag = "Attribution",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The date of the ACO's newest attribution and runout files", content_type = "application/json"),
        (status = 401, description = "Missing, invalid or expired token", content_type = "application/fhir+json"),
        (status = 403, description = "The ACO is denied", content_type = "application/fhir+json"),
        (status = 404, description = "The ACO has no attribution file", content_type = "application/fhir+json")
    )
)]
#[get("/attribution_status")]
pub async fn get(
    Authenticated(principal): Authenticated,
    version: web::Data<ApiVersion>,
    ctx: web::Data<AppContext>,
) -> Result<HttpResponse, FhirError> {
    let version = **version;
    let client = ctx
        .db
        .get()
        .await
        .map_err(|e| FhirError::internal(version, &e))?;
    let mut ingestion_dates = Vec::new();
    for (kind, label) in [
        (AttributionKind::Default, "last_attribution_update"),
        (AttributionKind::Runout, "last_runout_update"),
    ] {
        let newest = attribution_repo::newest_file(&**client, principal.aco_id, kind, None)
            .await
            .map_err(|e| FhirError::internal(version, &e))?;
        if let Some(file) = newest {
            ingestion_dates.push(IngestionDate {
                kind: label,
                timestamp: file.date,
            });
        }
    }
    if ingestion_dates.is_empty() {
        return Err(FhirError::new(
            version,
            StatusCode::NOT_FOUND,
            format!("no attribution file found for ACO {}", principal.cms_id),
        ));
    }
    Ok(HttpResponse::Ok().json(AttributionStatus { ingestion_dates }))
}
