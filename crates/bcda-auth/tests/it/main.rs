//! Tests of the auth service over real HTTP against real Postgres: the token endpoint,
//! every kind of rejected token on an API route and a file route, keys and rotation,
//! SMART Backend Services, clients registered by JWKS URL.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test, with its message

mod forge;
mod jwks_url;
mod keys;
mod rejected_tokens;
mod smart;
mod token_endpoint;
