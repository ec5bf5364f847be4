//! Process metrics in the Prometheus text format, served at `/metrics` by every role.
//! One registry per process; services record into the families they own.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The labels of a download: its HTTP status and the representation sent.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DownloadLabels {
    pub status: u16,
    /// `gzip` or `identity`.
    pub encoding: &'static str,
}

/// The labels of an HTTP request: the route's pattern (not the path, which holds ids),
/// the method ([`method_label`]) and the status.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub route: String,
    pub method: &'static str,
    pub status: u16,
}

/// The `method` label of a request: one of the standard methods, or `other`, so that
/// clients inventing methods cannot add series without bound.
pub fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::TRACE,
        Method::CONNECT,
    ]
    .iter()
    .find(|known| *known == method)
    .map_or("other", |known| known.as_str())
}

/// The route of a request's duration.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

/// The resource type of an export batch (job key).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResourceLabels {
    pub resource_type: &'static str,
}

/// How an export batch attempt ended: `exported`, `skipped` (already done elsewhere,
/// or its job is no longer active), `failed` (to be retried) or `gave_up`.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BatchLabels {
    pub resource_type: &'static str,
    pub outcome: &'static str,
}

/// A job state, for the jobs gauge.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabels {
    pub state: String,
}

/// An export queue, for the depth gauge.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct QueueLabels {
    pub queue: String,
}

fn seconds_histogram() -> Histogram {
    // 5 ms to about 20 minutes.
    Histogram::new(exponential_buckets(0.005, 2.0, 18))
}

/// Every metric a BCDA process records. Each service records what it does; the gauges
/// of jobs and queues are refreshed when `/metrics` is scraped from a process that serves
/// the API.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// HTTP requests, by route pattern, method and status.
    pub requests: Family<RequestLabels, Counter>,
    /// HTTP request durations in seconds, by route pattern.
    pub request_duration: Family<RouteLabels, Histogram, fn() -> Histogram>,
    /// Downloads of export files, by status and encoding.
    pub downloads: Family<DownloadLabels, Counter>,
    /// Bytes of export files sent, by status and encoding.
    pub download_bytes: Family<DownloadLabels, Counter>,
    /// Export batch attempts, by resource type and outcome.
    pub batches: Family<BatchLabels, Counter>,
    /// Seconds one export batch took from reading its rows to its commit.
    pub batch_duration: Family<ResourceLabels, Histogram, fn() -> Histogram>,
    /// FHIR resources rendered into committed export files.
    pub resources_rendered: Family<ResourceLabels, Counter>,
    /// NDJSON bytes written into committed export files (before gzip).
    pub bytes_written: Family<ResourceLabels, Counter>,
    /// Jobs in each state, at the last scrape.
    pub jobs: Family<StateLabels, Gauge>,
    /// Messages ready in each export queue (work, retry and dead-letter), at the last
    /// scrape.
    pub queue_messages: Family<QueueLabels, Gauge>,
    /// Export workers this process started.
    pub workers: Gauge,
    /// Export workers whose consumers are registered with the broker right now; below
    /// [`Metrics::workers`], the process is not taking work (and `/_health` says so).
    pub workers_consuming: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut metrics = Metrics {
            requests: Family::default(),
            request_duration: Family::new_with_constructor(seconds_histogram),
            downloads: Family::default(),
            download_bytes: Family::default(),
            batches: Family::default(),
            batch_duration: Family::new_with_constructor(seconds_histogram),
            resources_rendered: Family::default(),
            bytes_written: Family::default(),
            jobs: Family::default(),
            queue_messages: Family::default(),
            workers: Gauge::default(),
            workers_consuming: Gauge::default(),
            registry: Registry::with_prefix("bcda"),
        };
        let registry = &mut metrics.registry;
        registry.register(
            "http_requests",
            "HTTP requests, by route pattern, method and status",
            metrics.requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request durations, by route pattern",
            metrics.request_duration.clone(),
        );
        registry.register(
            "downloads",
            "Downloads of export files, by status and encoding",
            metrics.downloads.clone(),
        );
        registry.register(
            "download_bytes",
            "Bytes of export files sent, by status and encoding",
            metrics.download_bytes.clone(),
        );
        registry.register(
            "export_batches",
            "Export batch attempts, by resource type and outcome",
            metrics.batches.clone(),
        );
        registry.register(
            "export_batch_duration_seconds",
            "Duration of export batches, from reading rows to commit",
            metrics.batch_duration.clone(),
        );
        registry.register(
            "resources_rendered",
            "FHIR resources rendered into committed export files",
            metrics.resources_rendered.clone(),
        );
        registry.register(
            "export_bytes_written",
            "NDJSON bytes written into committed export files, before compression",
            metrics.bytes_written.clone(),
        );
        registry.register("jobs", "Export jobs in each state", metrics.jobs.clone());
        registry.register(
            "queue_messages",
            "Messages ready for a worker in each export queue",
            metrics.queue_messages.clone(),
        );
        registry.register(
            "workers",
            "Export workers this process started",
            metrics.workers.clone(),
        );
        registry.register(
            "workers_consuming",
            "Export workers whose consumers are registered with the broker",
            metrics.workers_consuming.clone(),
        );
        metrics
    }
}

impl Metrics {
    /// Sets the jobs gauge from Postgres and the queue gauge from RabbitMQ: the backlog
    /// an operator scales workers by. Called on scrape by processes that serve the API.
    pub async fn refresh_backlog(
        &self,
        db: &crate::DbPool,
        broker: &crate::Broker,
    ) -> Result<(), BacklogError> {
        let client = db.get().await?;
        let rows = client
            .query("SELECT status, count(*) FROM jobs GROUP BY status", &[])
            .await?;
        for state in bcda_model::job::JobStatus::ALL {
            let count = rows
                .iter()
                .find(|row| row.get::<_, &str>(0) == state.as_str())
                .map_or(0, |row| row.get::<_, i64>(1));
            self.jobs
                .get_or_create(&StateLabels {
                    state: state.as_str().to_owned(),
                })
                .set(count);
        }
        let channel = broker.channel().await?;
        for queue in broker.topology().queues() {
            let declared = channel
                .queue_declare(
                    queue.as_str().into(),
                    lapin::options::QueueDeclareOptions {
                        passive: true,
                        ..Default::default()
                    },
                    Default::default(),
                )
                .await;
            if let Ok(declared) = declared {
                self.queue_messages
                    .get_or_create(&QueueLabels { queue })
                    .set(i64::from(declared.message_count()));
            } else {
                // A passive declare of a missing queue closes the channel: nothing to count.
                break;
            }
        }
        crate::queue::close_channel(&channel, "done").await;
        Ok(())
    }

    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// Why the backlog gauges could not be refreshed.
#[derive(Debug, thiserror::Error)]
pub enum BacklogError {
    #[error("database: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("database: {0}")]
    Query(#[from] tokio_postgres::Error),
    #[error("queue: {0}")]
    Queue(#[from] crate::queue::QueueError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_requests_and_gauges_appear_in_the_exposition() {
        let metrics = Metrics::default();
        let eob = ResourceLabels {
            resource_type: "ExplanationOfBenefit",
        };
        metrics.batch_duration.get_or_create(&eob).observe(1.5);
        metrics.resources_rendered.get_or_create(&eob).inc_by(250);
        metrics
            .requests
            .get_or_create(&RequestLabels {
                route: "/api/v2/jobs/{jobId}".into(),
                method: "GET",
                status: 202,
            })
            .inc();
        metrics
            .jobs
            .get_or_create(&StateLabels {
                state: "In Progress".into(),
            })
            .set(3);
        let text = metrics.encode();
        for expected in [
            "bcda_export_batch_duration_seconds_count{resource_type=\"ExplanationOfBenefit\"} 1",
            "bcda_resources_rendered_total{resource_type=\"ExplanationOfBenefit\"} 250",
            "bcda_http_requests_total{route=\"/api/v2/jobs/{jobId}\",method=\"GET\",status=\"202\"} 1",
            "bcda_jobs{state=\"In Progress\"} 3",
        ] {
            assert!(text.contains(expected), "{expected} missing from\n{text}");
        }
    }

    #[test]
    fn recorded_downloads_appear_in_the_exposition() {
        let metrics = Metrics::default();
        let labels = DownloadLabels {
            status: 206,
            encoding: "gzip",
        };
        metrics.downloads.get_or_create(&labels).inc();
        metrics.download_bytes.get_or_create(&labels).inc_by(1234);
        let text = metrics.encode();
        assert!(
            text.contains("bcda_downloads_total{status=\"206\",encoding=\"gzip\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("bcda_download_bytes_total{status=\"206\",encoding=\"gzip\"} 1234"),
            "{text}"
        );
    }
}
