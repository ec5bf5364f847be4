//! The bulk data API under `/api/v1` (FHIR STU3), `/api/v2` (FHIR R4) and `/api/v3`
//! (FHIR R4 in Blue Button's v3 shapes, with `_typeFilter`).
//!
//! Handlers are thin: they parse the request, call `bcda-model` for the rules, and let
//! [`bcda_infra::http::FhirError`] turn failures into OperationOutcomes.

mod attribution_repo;
mod attribution_status;
mod export_repo;
mod job_cancel;
mod job_status;
mod jobs_list;
mod jobs_repo;
mod kickoff;
mod manifest;
mod metadata;
mod poll_pacing;
mod warnings;

use actix_web::web;
use bcda_infra::health::Dependency;
use bcda_model::ApiVersion;
pub use poll_pacing::PollPacer;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// What the API needs to answer: jobs live in Postgres, kick-offs publish through
/// RabbitMQ, and expired files are deleted from storage.
pub const DEPENDENCIES: &[Dependency] =
    &[Dependency::Database, Dependency::Queue, Dependency::Storage];

/// Registers the API routes of every version. Each version's scope carries its
/// [`ApiVersion`] as app data, so one handler serves both.
/// Each route is registered by the service its `#[utoipa::path]` documents, so the
/// OpenAPI document lists exactly what is served.
pub fn configure(cfg: &mut ServiceConfig) {
    for version in ApiVersion::ALL {
        let prefix = format!("/api/{version}");
        cfg.service(
            scope(prefix.as_str())
                .app_data(web::Data::new(version))
                .service(metadata::get)
                .service(attribution_status::get)
                .service(jobs_list::get)
                .service(job_status::get)
                .service(job_cancel::delete)
                .service(kickoff::patient)
                .service(kickoff::patient_post)
                .service(kickoff::group)
                .service(kickoff::group_post),
        );
    }
}
