//! `GET /api/{v}/attribution_status`: when the ACO's attribution (and run-out) data were
//! last loaded, as BCDA reports it.

use actix_web::get;
use actix_web::{HttpResponse, web};
use bcda_infra::AppContext;
use bcda_infra::http::{Authenticated, FhirError};
use bcda_model::ApiVersion;
use serde::Serialize;
use time::OffsetDateTime;

#[derive(Debug, Serialize)]
struct AttributionStatus {
    ingestion_dates: Vec<IngestionDate>,
}

#[derive(Debug, Serialize)]
struct IngestionDate {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(with = "time::serde::rfc3339")]
    timestamp: OffsetDateTime,
}

/// When the ACO's attribution data were last loaded
///
/// One entry per data set (`last_attribution`, `last_runout`) with its timestamp, as BCDA
/// reports it.
#[utoipa::path(
    get,
    path = "/attribution_status",
    tag = "Attribution",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The ACO's data sets and when each was loaded", content_type = "application/json"),
        (status = 401, description = "Missing, invalid or expired token", content_type = "application/fhir+json"),
        (status = 403, description = "The ACO is denied", content_type = "application/fhir+json")
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
    let loaded: Option<OffsetDateTime> = client
        .query_opt(
            "SELECT loaded_at FROM synthetic_datasets WHERE aco_id = $1",
            &[&principal.aco_id],
        )
        .await
        .map_err(|e| FhirError::internal(version, &e))?
        .map(|row| row.get(0));
    // Run-out data is the previous year's claims, loaded with the same data set.
    let ingestion_dates = loaded
        .map(|timestamp| {
            vec![
                IngestionDate {
                    kind: "default",
                    timestamp,
                },
                IngestionDate {
                    kind: "runout",
                    timestamp,
                },
            ]
        })
        .unwrap_or_default();
    Ok(HttpResponse::Ok().json(AttributionStatus { ingestion_dates }))
}
