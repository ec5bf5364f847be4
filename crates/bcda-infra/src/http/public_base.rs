//! The public origin of this server, for every URL it hands to clients.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use crate::AppContext;

/// The origin clients reach this server at, without a trailing slash, e.g.
/// `https://sandbox.bcda.cms.gov`.
///
/// `BCDA_PUBLIC_URL` wins when set. Otherwise the request decides: `Forwarded` or
/// `X-Forwarded-Proto`/`X-Forwarded-Host` from a proxy, else the `Host` header. That
/// lets one server answer correctly on localhost, behind an ingress, and in tests on a
/// random port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicBase(pub String);

impl PublicBase {
    /// Derives the origin for `req`.
    pub fn of(req: &HttpRequest) -> PublicBase {
        let configured = req
            .app_data::<web::Data<AppContext>>()
            .and_then(|ctx| ctx.config.public_origin().map(str::to_owned));
        PublicBase(configured.unwrap_or_else(|| {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }))
    }

    /// The origin as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromRequest for PublicBase {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(PublicBase::of(req)))
    }
}
