//! `GET /api/{v}/metadata`: the CapabilityStatement, no token required.

use actix_web::get;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpResponse, web};
use bcda_infra::AppContext;
use bcda_infra::http::PublicBase;
use bcda_model::ApiVersion;
use bcda_model::fhir::{CapabilityStatement, ServerInfo};
use time::OffsetDateTime;

/// The server's CapabilityStatement
///
/// FHIR STU3 under `/api/v1`, R4 under `/api/v2`. No token is needed.
#[utoipa::path(
    get,
    path = "/metadata",
    tag = "Metadata",
    responses((status = 200, description = "The CapabilityStatement (served as `application/json`, as BCDA does)", content_type = "application/json"))
)]
#[get("/metadata")]
pub async fn get(
    version: web::Data<ApiVersion>,
    base: PublicBase,
    ctx: web::Data<AppContext>,
) -> HttpResponse {
    let software_version = ctx.build.display_version();
    let statement = CapabilityStatement::new(
        **version,
        &ServerInfo {
            base_url: base.as_str(),
            software_version: &software_version,
            generated: OffsetDateTime::now_utc(),
        },
    );
    // `application/json`, as BCDA serves its statements (both versions).
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json"))
        .json(statement)
}
