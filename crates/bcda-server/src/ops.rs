//! Operational routes every process serves: `/_version`, `/_health` and `/metrics`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use bcda_infra::AppContext;
use bcda_infra::health::{self, Dependency};
use serde_json::{Map, Value, json};

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
) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(Checked(dependencies)))
            .app_data(web::Data::new(RefreshBacklog(refresh_backlog)))
            .route("/_version", web::get().to(version))
            .route("/_health", web::get().to(health))
            .route("/metrics", web::get().to(metrics));
    }
}

/// The Prometheus text exposition of this process's metrics. A backlog that cannot be
/// read leaves the gauges at their last values and is logged; the scrape still answers.
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

async fn version(ctx: web::Data<AppContext>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "version": ctx.build.display_version(),
        "revision": ctx.build.git_revision,
    }))
}

/// `200` with `"ok"` per dependency, or `503` with `"down"` for those that failed. The
/// reasons go to the log, not the body: they can name internal hosts.
async fn health(ctx: web::Data<AppContext>, checked: web::Data<Checked>) -> HttpResponse {
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
