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
pub mod keys;
pub mod rate_limit;
pub mod routes;
pub mod secret;
pub mod seed;
pub mod service;

use actix_web::web;
use bcda_infra::AppContext;
use bcda_infra::health::Dependency;
use bcda_model::ApiVersion;

pub use service::TokenService;

/// Clients and signing keys live in Postgres.
pub const DEPENDENCIES: &[Dependency] = &[Dependency::Database];

/// Registers the `/auth` routes and the SMART configuration, with `service` as their
/// shared state.
pub fn configure(service: web::Data<TokenService>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.service(
            web::scope("/auth")
                .app_data(service)
                .route("/token", web::post().to(routes::token::post))
                .route("/.well-known/jwks.json", web::get().to(routes::jwks::get)),
        )
        .route(
            "/.well-known/smart-configuration",
            web::get().to(routes::smart_configuration::get),
        );
        for version in ApiVersion::ALL {
            cfg.route(
                &format!("/api/{version}/.well-known/smart-configuration"),
                web::get().to(routes::smart_configuration::get),
            );
        }
    }
}

/// Builds the token service for `ctx`; fails on an unusable key configuration.
pub fn token_service(ctx: &AppContext) -> Result<web::Data<TokenService>, keys::KeyError> {
    Ok(web::Data::new(TokenService::new(
        &ctx.config.auth,
        ctx.db.clone(),
    )?))
}
