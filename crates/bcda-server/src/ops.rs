//! Operational routes every process serves: `/_version`, `/_health` and `/metrics`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use bcda_infra::AppContext;
use bcda_infra::health::{self, Dependency};
use serde_json::{Map, Value, json};
use utoipa_actix_web::service_config::ServiceConfig;

/// The dependencies this process checks, registered as app data by [`configure`].
#[derive(Debug, Clone)]
struct Checked(Vec<Dependency>);

/// Whether `/metrics` refreshes the jobs and queue gauges first (API processes only, so
/// the backlog is reported once per API replica, not by every worker).
#[derive(Debug, Clone, Copy)]
struct RefreshBacklog(bool);

/// Registers `/_version`, `/_health` (checking `dependencies`) and `/metrics`.
pub fn configure(
    dependencies: Vec<Dependency>,
    refresh_backlog: bool,
) -> impl FnOnce(&mut ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(Checked(dependencies)))
            .app_data(web::Data::new(RefreshBacklog(refresh_backlog)))
            .service(version)
            .service(get_health)
            .service(metrics);
    }
}

/// Prometheus metrics of this process
///
/// A backlog that cannot be read leaves the jobs and queue gauges at their last values
/// and is logged; the scrape still answers.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "Operations",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain"))
)]
#[get("/metrics")]
async fn metrics(ctx: web::Data<AppContext>, refresh: web::Data<RefreshBacklog>) -> HttpResponse {
    if refresh.0
        && let Err(e) = ctx.metrics.refresh_backlog(&ctx.db, &ctx.broker).await
    {
        tracing::warn!(error = %e, "cannot refresh the jobs and queue gauges");
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(ctx.metrics.encode())
}

/// The running version and its source revision
#[utoipa::path(
    get,
    path = "/_version",
    tag = "Operations",
    responses((status = 200, description = "`version` and `revision`", content_type = "application/json"))
)]
#[get("/_version")]
async fn version(ctx: web::Data<AppContext>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "version": ctx.build.display_version(),
        "revision": ctx.build.git_revision,
    }))
}

/// Whether this service's dependencies answer
///
/// `200` with `"ok"` per dependency (database, queue, storage: those this service uses),
/// or `503` with `"down"` for those that failed. The reasons go to the log, not the body:
/// they can name internal hosts.
#[utoipa::path(
    get,
    path = "/_health",
    tag = "Operations",
    responses(
        (status = 200, description = "Every dependency answers", content_type = "application/json"),
        (status = 503, description = "A dependency is down", content_type = "application/json")
    )
)]
#[get("/_health")]
async fn get_health(ctx: web::Data<AppContext>, checked: web::Data<Checked>) -> HttpResponse {
    let report = health::check(&ctx, &checked.0).await;
    let mut body = Map::new();
    for (dependency, failure) in &report.checks {
        let state = match failure {
            None => "ok",
            Some(reason) => {
                tracing::warn!(dependency = dependency.as_str(), %reason, "dependency down");
                "down"
            }
        };
        body.insert(dependency.as_str().into(), Value::from(state));
    }
    let status = if report.is_healthy() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    HttpResponse::build(status).json(body)
}
