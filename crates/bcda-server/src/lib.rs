//! Composes the BCDA services into one HTTP server.
//!
//! `bcda serve all` puts the auth, API and file-server routes on one origin, exactly as
//! the sandbox guide shows them, so local use and tests need one port; `bcda serve api`
//! (and the others) run one service per process, as Kubernetes does. Either way the
//! same [`Application`] is built, and `main` only parses arguments and calls it.

mod access_log;
mod limits;
mod method_not_allowed;
mod openapi;
mod ops;
pub mod role;

use std::net::TcpListener;

use actix_web::dev::{Server, Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::DefaultHeaders;
use actix_web::{App, HttpMessage, HttpServer, web};
use bcda_infra::AppContext;
use bcda_infra::metrics::{Metrics, RequestLabels, RouteLabels};
use bcda_model::ApiVersion;
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa_actix_web::AppExt as _;
use utoipa_actix_web::service_config::ServiceConfig;

pub use role::Role;

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    tokens: Option<web::Data<bcda_auth::TokenService>>,
    /// The outbox relay's handles, when this process serves the API.
    relay: Option<(bcda_infra::DbPool, bcda_infra::Broker, u32)>,
    /// The context export workers run with, when this process runs workers.
    workers: Option<AppContext>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Binds `ctx.config.listen` (port 0 picks a free port) and prepares the routes of
    /// `role`. Nothing is served until [`Application::run_until_stopped`].
    pub fn build(ctx: AppContext, role: Role) -> Result<Application, BuildError> {
        // The auth service's state, built once and shared by every HTTP worker thread.
        let tokens = role
            .serves(Role::Auth)
            .then(|| bcda_auth::token_service(&ctx))
            .transpose()?;
        let app_tokens = tokens.clone();
        // Each API process paces the polls it answers, across its HTTP worker threads.
        let pacer = role
            .serves(Role::Api)
            .then(|| web::Data::new(bcda_api::PollPacer::new(ctx.config.export.poll_pacing)));
        let relay = role.serves(Role::Api).then(|| {
            (
                ctx.db.clone(),
                ctx.broker.clone(),
                ctx.config.export.keys_in_flight_per_job,
            )
        });
        let workers = role.serves(Role::Worker).then(|| ctx.clone());
        let listener = TcpListener::bind(ctx.config.listen)?;
        let port = listener.local_addr()?.port();
        let dependencies = role.dependencies();
        let metrics = ctx.metrics.clone();
        let refresh_backlog = role.serves(Role::Api);
        // API processes serve the documents of the whole origin; built once.
        let documents = role.serves(Role::Api).then(openapi::document);
        let served = web::Data::new(method_not_allowed::ServedPaths::of(&openapi::document_of(
            role,
        )));
        let send_timeout = ctx.config.send_timeout;
        let ctx = web::Data::new(ctx);
        let server = HttpServer::new(move || {
            let metrics = metrics.clone();
            let mut app = App::new();
            // Before the API's `/api/{v}` scopes, which would otherwise claim these paths.
            if let Some(all) = &documents {
                for version in ApiVersion::ALL {
                    app = app.service(openapi::swagger_ui(all, version));
                }
            }
            if let Some(tokens) = &app_tokens {
                app = app.app_data(tokens.clone());
            }
            if let Some(pacer) = &pacer {
                app = app.app_data(pacer.clone());
            }
            // The last `wrap` runs first: TracingLogger assigns the request id that the
            // inner middleware echoes.
            app.into_utoipa_app()
                .app_data(ctx.clone())
                .configure(ops::configure(dependencies.clone(), refresh_backlog))
                .configure(|cfg| register_routes(role, cfg))
                .into_app()
                // Only for requests no route matched: 405 for a served path, else 404.
                .app_data(served.clone())
                .default_service(web::to(method_not_allowed::unmatched))
                .wrap_fn(limits::bound_body)
                .wrap_fn(echo_request_id)
                .wrap_fn(move |req, service| record_request(req, service, metrics.clone()))
                .wrap(DefaultHeaders::new().add(("X-Content-Type-Options", "nosniff")))
                .wrap(TracingLogger::<access_log::RedactingRootSpan>::new())
        })
        .on_connect(move |connection, _| limits::bound_send(connection, send_timeout))
        .client_request_timeout(limits::HEAD_TIMEOUT)
        .keep_alive(limits::KEEP_ALIVE)
        .max_connections(limits::MAX_CONNECTIONS_PER_WORKER)
        .listen(listener)?
        .run();
        Ok(Application {
            port,
            server,
            tokens,
            relay,
            workers,
        })
    }

    /// The port the server is bound to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM, then finishes in-flight requests and the export
    /// workers' in-flight keys, and returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        if let Some(tokens) = self.tokens {
            // Have a signing key (generating the first one) before the first client asks.
            tokio::spawn(async move {
                if let Err(e) = tokens.keys().current().await {
                    tracing::warn!(error = %e, "no signing key yet; the first token request will retry");
                }
            });
        }
        let stop = tokio_util::sync::CancellationToken::new();
        if let Some((db, broker, keys_in_flight_per_job)) = self.relay {
            tokio::spawn(bcda_infra::queue::outbox::run_relay(
                db,
                broker,
                keys_in_flight_per_job,
                stop.clone(),
            ));
        }
        let mut workers = self
            .workers
            .map(|ctx| bcda_worker::spawn_workers(&ctx, ctx.config.export.workers, &stop));
        let served = self.server.await;
        stop.cancel();
        if let Some(workers) = workers.as_mut() {
            while workers.join_next().await.is_some() {}
        }
        served
    }
}

/// Adds `X-Request-Id` to every response, so a client's report can be matched to the
/// server's log line and trace.
fn echo_request_id<S>(
    req: ServiceRequest,
    service: &S,
) -> impl Future<Output = Result<ServiceResponse, actix_web::Error>> + use<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse, Error = actix_web::Error>,
{
    let request_id = req.extensions().get::<RequestId>().copied();
    let response = service.call(req);
    async move {
        let mut response = response.await?;
        if let Some(id) = request_id
            && let Ok(value) = HeaderValue::from_str(&id.to_string())
        {
            response
                .headers_mut()
                .insert(HeaderName::from_static("x-request-id"), value);
        }
        Ok(response)
    }
}

/// Counts every request by route pattern, method and status, and times it until its
/// response head is ready (a streamed download's body is not included).
fn record_request<S>(
    req: ServiceRequest,
    service: &S,
    metrics: std::sync::Arc<Metrics>,
) -> impl Future<Output = Result<ServiceResponse, actix_web::Error>> + use<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse, Error = actix_web::Error>,
{
    let started = std::time::Instant::now();
    let method = bcda_infra::metrics::method_label(req.method());
    let response = service.call(req);
    async move {
        let response = response.await?;
        let route = response
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        metrics
            .requests
            .get_or_create(&RequestLabels {
                route: route.clone(),
                method,
                status: response.status().as_u16(),
            })
            .inc();
        metrics
            .request_duration
            .get_or_create(&RouteLabels { route })
            .observe(started.elapsed().as_secs_f64());
        Ok(response)
    }
}

/// A failure to build the server.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot bind the listener: {0}")]
    Bind(#[from] std::io::Error),
    #[error("auth service: {0}")]
    Auth(#[from] bcda_auth::service::SetupError),
}

/// Registers the routes of `role`. Auth comes first: its versioned SMART configuration
/// must be matched before the API's `/api/{v}` scopes.
fn register_routes(role: Role, cfg: &mut ServiceConfig) {
    if role.serves(Role::Auth) {
        bcda_auth::configure(cfg);
    }
    if role.serves(Role::Api) {
        cfg.service(openapi::swagger);
        bcda_api::configure(cfg);
    }
    if role.serves(Role::FileServer) {
        bcda_fileserver::configure(cfg);
    }
}
