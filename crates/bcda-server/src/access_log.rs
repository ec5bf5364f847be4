//! The span of every request, whose close event is the access log line: the fields
//! tracing-actix-web records, with the request target's secrets redacted.
//!
//! A signed download URL (`sig`), a token in a query (`access_token`) or credentials in
//! a query work for anyone who reads them; logs are read by more people than may
//! download an ACO's data, so their values never reach a log or a trace.

use actix_web::HttpMessage as _;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

/// Query parameters whose values are replaced by [`REDACTED`] in logs and traces.
pub const SECRET_PARAMETERS: [&str; 7] = [
    "sig",
    "access_token",
    "token",
    "client_secret",
    "client_assertion",
    "code",
    "password",
];

/// What a secret value is logged as.
pub const REDACTED: &str = "REDACTED";

/// Builds each request's span with [`redact_target`] applied to `http.target`.
#[derive(Debug)]
pub struct RedactingRootSpan;

impl RootSpanBuilder for RedactingRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let user_agent = request
            .headers()
            .get("User-Agent")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let route = request.match_pattern().unwrap_or_else(|| "default".into());
        let method = bcda_infra::metrics::method_label(request.method());
        let target = request
            .uri()
            .path_and_query()
            .map_or_else(String::new, |p| redact_target(p.as_str()));
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(ToString::to_string)
            .unwrap_or_default();
        let peer = request.peer_addr().map(|a| a.ip().to_string());
        tracing::info_span!(
            "HTTP request",
            http.method = method,
            http.route = %route,
            http.flavor = ?request.version(),
            http.client_ip = peer.as_deref().unwrap_or(""),
            http.user_agent = user_agent,
            http.target = %target,
            http.status_code = tracing::field::Empty,
            otel.name = %format!("{method} {route}"),
            otel.kind = "server",
            otel.status_code = tracing::field::Empty,
            request_id = %request_id,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// `target` (a path and query) with the value of every [`SECRET_PARAMETERS`] parameter
/// replaced by [`REDACTED`]; names are compared after percent-decoding, case-insensitively.
pub fn redact_target(target: &str) -> String {
    let Some((path, query)) = target.split_once('?') else {
        return target.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| {
            let name = pair.split_once('=').map_or(pair, |(name, _)| name);
            let decoded: String = url::form_urlencoded::parse(name.as_bytes())
                .map(|(k, _)| k.into_owned())
                .collect();
            if SECRET_PARAMETERS
                .iter()
                .any(|secret| decoded.eq_ignore_ascii_case(secret))
            {
                format!("{name}={REDACTED}")
            } else {
                pair.to_owned()
            }
        })
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_parameters_are_redacted_and_others_kept() {
        assert_eq!(
            redact_target("/data/1/a.ndjson?exp=1700000000&sig=c2VjcmV0"),
            "/data/1/a.ndjson?exp=1700000000&sig=REDACTED"
        );
        assert_eq!(
            redact_target("/api/v1/jobs?ACCESS_TOKEN=eyJ&_type=Patient&%73ig=x"),
            "/api/v1/jobs?ACCESS_TOKEN=REDACTED&_type=Patient&%73ig=REDACTED"
        );
        assert_eq!(redact_target("/_health"), "/_health");
        assert_eq!(redact_target("/x?sig"), "/x?sig=REDACTED");
    }
}
