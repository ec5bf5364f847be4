//! The auth service: client credentials, signing keys and access tokens.
//!
//! `POST /auth/token` takes HTTP Basic client credentials (as BCDA does) or a SMART
//! Backend Services client assertion, and answers with an RS512 JWT that every other
//! service verifies locally (`bcda_infra::auth`). The modules split the work: [`secret`]
//! hashes secrets, [`keys`] keeps signing keys, [`clients`] stores ACOs and clients,
//! [`rate_limit`] rations token requests, [`assertion`] checks client assertions,
//! [`service`] ties them together, and [`routes`] speaks HTTP.

pub mod assertion;
pub mod clients;
pub mod jwks_url;
pub mod keys;
pub mod rate_limit;
pub mod routes;
pub mod secret;
pub mod seed;
pub mod service;

use actix_web::web;
use bcda_infra::AppContext;
use bcda_infra::health::Dependency;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub use service::TokenService;

/// The largest token request body accepted.
pub const MAX_TOKEN_REQUEST_BYTES: usize = 64 * 1024;

/// Clients and signing keys live in Postgres.
pub const DEPENDENCIES: &[Dependency] = &[Dependency::Database];

/// Registers the `/auth` routes and the SMART configuration. Their shared state, the
/// [`TokenService`] from [`token_service`], is app data registered by the server.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        scope("/auth")
            // A token request is a short form (an assertion is a few KiB): larger bodies
            // are refused with 413 before they are buffered.
            .app_data(web::PayloadConfig::new(MAX_TOKEN_REQUEST_BYTES))
            .service(routes::token::post)
            .service(routes::jwks::get),
    )
    .service(routes::smart_configuration::get)
    .service(routes::smart_configuration::get_versioned);
}

/// Builds the token service for `ctx`; fails on an unusable key configuration.
pub fn token_service(ctx: &AppContext) -> Result<web::Data<TokenService>, service::SetupError> {
    Ok(web::Data::new(TokenService::new(
        &ctx.config.auth,
        ctx.db.clone(),
    )?))
}
