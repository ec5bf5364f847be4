//! The file server: authorized downloads of export files from object storage.

use actix_web::web;
use bcda_infra::health::Dependency;

/// Jobs are looked up in Postgres; the files themselves are streamed from storage.
pub const DEPENDENCIES: &[Dependency] = &[Dependency::Database, Dependency::Storage];

/// Registers the `/data` routes.
pub fn configure(_cfg: &mut web::ServiceConfig) {}
