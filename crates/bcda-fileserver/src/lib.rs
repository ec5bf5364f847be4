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

use actix_web::web;
use bcda_infra::health::Dependency;

/// Jobs are looked up in Postgres; the files themselves are streamed from storage.
pub const DEPENDENCIES: &[Dependency] = &[Dependency::Database, Dependency::Storage];

/// Registers the `/data` routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // HEAD too: download managers ask for the size and validators before fetching.
    cfg.route("/data/{job_id}/{file}", web::get().to(download::get))
        .route("/data/{job_id}/{file}", web::head().to(download::get));
}
