//! The file server: authorized downloads of export files from object storage.
//!
//! `GET /data/{jobId}/{file}` checks that the bearer token's ACO owns the job, that the
//! job is complete and unexpired, and that the file is one the job wrote; then it
//! streams the object from storage, never holding it whole in memory. Files are stored
//! gzip-compressed: clients that accept gzip get the stored bytes, others get them
//! decompressed on the way; both representations support `Range`, `ETag` and
//! `If-None-Match`, so an interrupted download resumes where it stopped.

mod body;
mod download;
mod file_name;
mod negotiation;
mod repo;

use bcda_infra::health::Dependency;
use utoipa_actix_web::service_config::ServiceConfig;

/// Jobs are looked up in Postgres; the files themselves are streamed from storage.
pub const DEPENDENCIES: &[Dependency] = &[Dependency::Database, Dependency::Storage];

/// Registers the `/data` routes: GET, and HEAD for download managers that ask for the
/// size and validators before fetching.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(download::get);
}
