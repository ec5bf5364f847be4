//! Process metrics in the Prometheus text format, served at `/metrics` by every role.
//! One registry per process; services record into the families they own.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

/// The labels of a download: its HTTP status and the representation sent.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DownloadLabels {
    pub status: u16,
    /// `gzip` or `identity`.
    pub encoding: &'static str,
}

/// Every metric a BCDA process records.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Downloads of export files, by status and encoding.
    pub downloads: Family<DownloadLabels, Counter>,
    /// Bytes of export files sent, by status and encoding.
    pub download_bytes: Family<DownloadLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("bcda");
        let downloads = Family::<DownloadLabels, Counter>::default();
        let download_bytes = Family::<DownloadLabels, Counter>::default();
        registry.register(
            "downloads",
            "Downloads of export files, by status and encoding",
            downloads.clone(),
        );
        registry.register(
            "download_bytes",
            "Bytes of export files sent, by status and encoding",
            download_bytes.clone(),
        );
        Metrics {
            registry,
            downloads,
            download_bytes,
        }
    }
}

impl Metrics {
    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
