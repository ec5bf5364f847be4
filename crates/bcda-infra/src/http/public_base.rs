//! The public origin of this server, for every URL it hands to clients.

use std::future::{Ready, ready};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use actix_web::dev::Payload;
use actix_web::http::header::HOST;
use actix_web::{FromRequest, HttpRequest, web};

use crate::AppContext;

/// The origin clients reach this server at, without a trailing slash, e.g.
/// `https://sandbox.bcda.cms.gov`.
///
/// `BCDA_PUBLIC_URL` decides when set, as it must be behind any proxy or ingress. Without
/// it (development: `make run`, tests on a random port) the origin is never taken from
/// what a client may write: `X-Forwarded-*` headers are ignored, and the `Host` header is
/// used only when it names this machine's loopback (`localhost`, `127.0.0.1`, `[::1]`),
/// else the address the server is bound to. A client assertion's audience, the
/// `Content-Location` of a job and the manifest's URLs therefore cannot be pointed at
/// another origin by a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicBase(pub String);

impl PublicBase {
    /// Derives the origin for `req`.
    pub fn of(req: &HttpRequest) -> PublicBase {
        let configured = req
            .app_data::<web::Data<AppContext>>()
            .and_then(|ctx| ctx.config.public_origin().map(str::to_owned));
        PublicBase(configured.unwrap_or_else(|| {
            let host = req.headers().get(HOST).and_then(|v| v.to_str().ok());
            development_origin(host, req.app_config().local_addr())
        }))
    }

    /// The origin as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `http://` and the `Host` header when it is a loopback name, else the bound address
/// (loopback when bound to every interface).
fn development_origin(host: Option<&str>, bound: SocketAddr) -> String {
    if let Some(host) = host.filter(|host| is_loopback_host(host)) {
        return format!("http://{host}");
    }
    let ip = match bound.ip() {
        ip if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, bound.port()))
}

/// Whether `host` (a `Host` header: name or address, optional port) is this machine.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let port_ok = host
        .rsplit_once(']')
        .map_or(host, |(_, rest)| rest)
        .rsplit_once(':')
        .is_none_or(|(_, port)| port.parse::<u16>().is_ok());
    port_ok
        && (name.eq_ignore_ascii_case("localhost")
            || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()))
}

impl FromRequest for PublicBase {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(PublicBase::of(req)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUND: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 3000);

    #[test]
    fn loopback_hosts_are_kept_as_the_client_wrote_them() {
        for host in [
            "localhost:3000",
            "127.0.0.1:41234",
            "[::1]:3000",
            "LOCALHOST",
        ] {
            assert_eq!(
                development_origin(Some(host), BOUND),
                format!("http://{host}")
            );
        }
    }

    #[test]
    fn any_other_host_is_replaced_by_the_bound_address() {
        for host in [
            Some("evil.example"),
            Some("evil.example:3000"),
            Some("localhost.evil.example"),
            Some("127.0.0.1:3000/evil"),
            Some("127.0.0.1@evil.example"),
            None,
        ] {
            assert_eq!(
                development_origin(host, BOUND),
                "http://127.0.0.1:3000",
                "{host:?}"
            );
        }
    }
}
