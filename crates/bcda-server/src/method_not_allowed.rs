//! What a request that matches no route gets: `405 Method Not Allowed` with `Allow` and
//! an OperationOutcome when its path is served with other methods (e.g. `POST` to a
//! `GET` route), else an empty `404`.
//!
//! actix-web's route macros put the method on the resource, so a wrong method falls
//! through to "not found"; the paths and methods served come from the same OpenAPI
//! document the routes register, so this table cannot drift from them.

use actix_web::dev::ResourceDef;
use actix_web::http::StatusCode;
use actix_web::http::header::ALLOW;
use actix_web::{HttpRequest, HttpResponse, ResponseError as _, web};
use bcda_infra::http::FhirError;
use bcda_model::ApiVersion;
use utoipa::openapi::OpenApi as Document;

/// Every documented path pattern, with the methods it is served with.
#[derive(Debug)]
pub struct ServedPaths(Vec<(ResourceDef, Vec<String>)>);

impl ServedPaths {
    /// The paths and methods of `document`.
    pub fn of(document: &Document) -> ServedPaths {
        let paths = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let value = serde_json::to_value(item).unwrap_or_default();
                let mut methods: Vec<String> = value
                    .as_object()
                    .map(|ops| {
                        ops.keys()
                            .filter(|k| HTTP_METHODS.contains(&k.as_str()))
                            .map(|k| k.to_uppercase())
                            .collect()
                    })
                    .unwrap_or_default();
                methods.sort();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        ServedPaths(paths)
    }

    /// The methods `path` is served with, when it is served at all.
    pub fn allowed(&self, path: &str) -> Option<String> {
        let mut methods: Vec<&str> = self
            .0
            .iter()
            .filter(|(pattern, _)| pattern.is_match(path))
            .flat_map(|(_, methods)| methods.iter().map(String::as_str))
            .collect();
        methods.sort_unstable();
        methods.dedup();
        (!methods.is_empty()).then(|| methods.join(", "))
    }
}

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The answer to a request no route matched.
pub async fn unmatched(req: HttpRequest, served: web::Data<ServedPaths>) -> HttpResponse {
    let Some(allow) = served.allowed(req.path()) else {
        return HttpResponse::NotFound().finish();
    };
    let version = ApiVersion::ALL
        .into_iter()
        .find(|v| req.path().starts_with(&format!("/api/{v}/")))
        .unwrap_or(ApiVersion::V1);
    let error = FhirError::new(
        version,
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{} is not supported here; use {allow}", req.method()),
    );
    let mut response = error.error_response();
    if let Ok(value) = allow.parse() {
        response.headers_mut().insert(ALLOW, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_paths_name_their_methods() {
        let served = ServedPaths::of(&crate::openapi::document());
        assert_eq!(
            served.allowed("/api/v1/jobs/7").as_deref(),
            Some("DELETE, GET")
        );
        assert_eq!(
            served.allowed("/data/7/a.ndjson").as_deref(),
            Some("GET, HEAD")
        );
        assert_eq!(served.allowed("/auth/token").as_deref(), Some("POST"));
        assert_eq!(served.allowed("/nothing/here"), None);
    }
}
