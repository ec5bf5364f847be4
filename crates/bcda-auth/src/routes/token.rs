//! `POST /auth/token`: HTTP Basic client credentials (BCDA), or a SMART Backend Services
//! client assertion in a form body.

use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, CACHE_CONTROL, PRAGMA};
use actix_web::post;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use bcda_infra::AppContext;
use bcda_infra::http::{PublicBase, client_address};
use serde_json::json;

use super::error::TokenEndpointError;
use crate::assertion::{self, ASSERTION_TYPE};
use crate::service::{IssuedToken, TokenError, TokenService};

/// Get an access token
///
/// With the client's id and secret as HTTP Basic credentials (`Authorization: Basic
/// base64(id:secret)`, BCDA's way), or as a SMART Backend Services client: a form body
/// with `grant_type=client_credentials`, `client_assertion_type`, a signed
/// `client_assertion` and `scope`. The token is valid for 20 minutes.
#[utoipa::path(
    post,
    path = "/token",
    tag = "Authentication",
    security(("basic" = [])),
    request_body(
        content = String,
        content_type = "application/x-www-form-urlencoded",
        description = "Empty with Basic credentials; the SMART client assertion form otherwise"
    ),
    responses(
        (status = 200, description = "`access_token`, `token_type` (`bearer`) and `expires_in` (seconds: a JSON string, `\"1200\"`, for Basic credentials as BCDA sends it; a number for client assertions)", content_type = "application/json"),
        (status = 400, description = "No `Authorization` header (plain text), or a malformed client assertion request (an RFC 6749 error document)", content(("text/plain"), ("application/json"))),
        (status = 401, description = "Unknown client, wrong secret or invalid assertion: an empty body for Basic credentials (as BCDA answers), an RFC 6749 `invalid_client` document for client assertions"),
        (status = 413, description = "The body is larger than 64 KiB"),
        (status = 429, description = "Too many tokens for this client, or too many failed requests from this address; retry after `Retry-After`", content_type = "text/plain"),
        (status = 503, description = "The token service's database is briefly unavailable; retry after `Retry-After`", content_type = "text/plain")
    )
)]
#[post("/token")]
pub async fn post(
    req: HttpRequest,
    body: web::Bytes,
    service: web::Data<TokenService>,
    ctx: web::Data<AppContext>,
    base: PublicBase,
) -> Result<HttpResponse, TokenEndpointError> {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };

    let ttl = ctx.config.auth.token_ttl;
    let source = client_address(&req, ctx.config.auth.trusted_proxies);
    let (token, flow) = if let Some(assertion) = field("client_assertion") {
        let token_url = format!("{}/auth/token", base.as_str());
        check_assertion_request(
            field("grant_type"),
            field("client_assertion_type"),
            field("scope"),
        )?;
        let scope = field("scope").unwrap_or_default();
        let token = service
            .for_assertion(assertion, scope, &token_url, source)
            .await
            .map_err(|e| failure(e, ttl, Flow::Assertion))?;
        (token, Flow::Assertion)
    } else {
        let (client_id, secret) = basic_credentials(&req)?;
        let token = service
            .for_secret(&client_id, &secret, source)
            .await
            .map_err(|e| failure(e, ttl, Flow::Basic))?;
        (token, Flow::Basic)
    };
    Ok(respond(token, flow))
}

/// The token response. `expires_in` is a JSON string for Basic credentials, exactly as
/// BCDA sends it (`"1200"`: its typed clients fail to parse a number), and a number for
/// client assertions, as SMART Backend Services and RFC 6749 specify.
fn respond(token: IssuedToken, flow: Flow) -> HttpResponse {
    let expires_in = match flow {
        Flow::Basic => json!(token.expires_in.to_string()),
        Flow::Assertion => json!(token.expires_in),
    };
    let mut body = json!({
        "access_token": token.access_token,
        "expires_in": expires_in,
        "token_type": "bearer",
    });
    if let Some(scope) = token.scope {
        body["scope"] = scope.into();
    }
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((PRAGMA, "no-cache"))
        .json(body)
}

/// The id and secret of an `Authorization: Basic` header.
fn basic_credentials(req: &HttpRequest) -> Result<(String, String), TokenEndpointError> {
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .ok_or(TokenEndpointError::MissingAuthorization)?;
    let value = header
        .to_str()
        .map_err(|_| TokenEndpointError::Unauthorized)?;
    let (scheme, encoded) = value
        .trim()
        .split_once(' ')
        .ok_or(TokenEndpointError::Unauthorized)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(TokenEndpointError::Unauthorized);
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| TokenEndpointError::Unauthorized)?;
    let decoded = String::from_utf8(decoded).map_err(|_| TokenEndpointError::Unauthorized)?;
    let (id, secret) = decoded
        .split_once(':')
        .ok_or(TokenEndpointError::Unauthorized)?;
    if id.is_empty() || secret.is_empty() {
        return Err(TokenEndpointError::Unauthorized);
    }
    Ok((id.to_owned(), secret.to_owned()))
}

fn check_assertion_request(
    grant_type: Option<&str>,
    assertion_type: Option<&str>,
    scope: Option<&str>,
) -> Result<(), TokenEndpointError> {
    let oauth = |status, error, description: &str| TokenEndpointError::OAuth {
        status,
        error,
        description: description.to_owned(),
    };
    if grant_type != Some("client_credentials") {
        return Err(oauth(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        ));
    }
    if assertion_type != Some(ASSERTION_TYPE) {
        return Err(oauth(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ));
    }
    if !scope.is_some_and(assertion::scope_is_supported) {
        return Err(oauth(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "scope must be system/*.read (or narrower read scopes)",
        ));
    }
    Ok(())
}

/// The response for a failed token request. Rate limits and outages answer alike in
/// both flows; a rejected client gets `401` with an empty body for Basic (as BCDA does)
/// and an RFC 6749 `invalid_client` document for assertions.
fn failure(error: TokenError, ttl: std::time::Duration, flow: Flow) -> TokenEndpointError {
    match error {
        TokenError::RateLimited { retry_after } => {
            TokenEndpointError::RateLimited { retry_after, ttl }
        }
        TokenError::Unavailable(reason) => {
            tracing::error!(%reason, "token request failed");
            TokenEndpointError::Unavailable
        }
        rejected => {
            tracing::info!(reason = %rejected, ?flow, "token request rejected");
            match flow {
                Flow::Basic => TokenEndpointError::Unauthorized,
                Flow::Assertion => TokenEndpointError::OAuth {
                    status: StatusCode::UNAUTHORIZED,
                    error: "invalid_client",
                    description: rejected.to_string(),
                },
            }
        }
    }
}

/// How the client authenticated.
#[derive(Debug, Clone, Copy)]
enum Flow {
    Basic,
    Assertion,
}
