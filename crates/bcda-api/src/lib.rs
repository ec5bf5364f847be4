//! The bulk data API under `/api/v1` (FHIR STU3) and `/api/v2` (FHIR R4).
//!
//! Handlers are thin: they parse the request, call `bcda-model` for the rules, and let
//! [`bcda_infra::http::FhirError`] turn failures into OperationOutcomes.

mod attribution_status;
mod export_repo;
mod job_cancel;
mod job_status;
mod jobs_list;
mod jobs_repo;
mod kickoff;
mod metadata;

use actix_web::web;
use bcda_infra::health::Dependency;
use bcda_model::ApiVersion;

/// What the API needs to answer: jobs live in Postgres, kick-offs publish through
/// RabbitMQ, and expired files are deleted from storage.
pub const DEPENDENCIES: &[Dependency] =
    &[Dependency::Database, Dependency::Queue, Dependency::Storage];

/// Registers the API routes of both versions. Each version's scope carries its
/// [`ApiVersion`] as app data, so one handler serves both.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for version in ApiVersion::ALL {
        cfg.service(
            web::scope(&format!("/api/{version}"))
                .app_data(web::Data::new(version))
                .route("/metadata", web::get().to(metadata::get))
                .route(
                    "/attribution_status",
                    web::get().to(attribution_status::get),
                )
                .route("/jobs", web::get().to(jobs_list::get))
                .route("/jobs/{id}", web::get().to(job_status::get))
                .route("/jobs/{id}", web::delete().to(job_cancel::delete))
                .route("/Patient/$export", web::get().to(kickoff::patient))
                .route("/Group/{group_id}/$export", web::get().to(kickoff::group)),
        );
    }
}
