//! The auth service: client credentials, signing keys and access tokens.

use actix_web::web;
use bcda_infra::health::Dependency;

/// Clients and signing keys live in Postgres.
pub const DEPENDENCIES: &[Dependency] = &[Dependency::Database];

/// Registers the `/auth` routes.
pub fn configure(_cfg: &mut web::ServiceConfig) {}
