//! Logs and traces: `tracing` everywhere, JSON or readable lines on stdout, and spans
//! exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{LogFormat, TelemetryConfig};

/// A failure to set up telemetry.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("cannot build the OTLP exporter: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    #[error("telemetry was already initialised: {0}")]
    AlreadyInitialised(#[from] tracing_subscriber::util::TryInitError),
}

/// Keeps span export alive; dropping it flushes the spans still buffered, so `main`
/// holds it until the process ends.
#[must_use = "dropping the guard stops span export"]
#[derive(Debug)]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(e) = provider.shutdown()
        {
            tracing::warn!(error = %e, "flushing spans at shutdown failed");
        }
    }
}

/// The field formatter of the pretty log format: every value, message included, with
/// control characters escaped, so a value a client chose (a path, a file name, a header)
/// cannot start a forged log line or send escape sequences to an operator's terminal.
/// (The JSON format's encoder escapes them already.)
pub fn escaped_fields() -> impl for<'w> tracing_subscriber::fmt::FormatFields<'w> + 'static {
    use tracing_subscriber::field::MakeExt as _;
    tracing_subscriber::fmt::format::debug_fn(|writer, field, value| {
        let text = if field.name() == "message" {
            format!("{value:?}")
        } else {
            format!("{field}={value:?}")
        };
        writer.write_str(&escape_controls(&text))
    })
    .delimited(" ")
}

/// `text` with every control character written as a Rust escape (`\n`, `\u{1b}`).
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            escaped.extend(c.escape_default());
        } else {
            escaped.push(c);
        }
    }
    std::borrow::Cow::Owned(escaped)
}

/// Installs the global subscriber for a process named `service` (it becomes the OTLP
/// `service.name`, unless `OTEL_SERVICE_NAME` overrides it). Call once, at the top of
/// `main`.
pub fn init_telemetry(
    config: &TelemetryConfig,
    service: &str,
) -> Result<TelemetryGuard, TelemetryError> {
    // Spans with the target `bcda::trace` (a worker's database reads, rendering and
    // storage writes) go to traces only: their close events would flood the log.
    let filter = EnvFilter::try_new(format!("{},bcda::trace=off", config.log_filter))
        .unwrap_or_else(|_| EnvFilter::new("info,bcda::trace=off"));
    // A span's close event is the access log: one line per request with its request
    // id, route, status and duration.
    let fmt = match config.log_format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_events(FmtSpan::CLOSE)
            .boxed(),
        LogFormat::Pretty => tracing_subscriber::fmt::layer()
            .compact()
            // Colours for a terminal only: a file or pipe gets no escape sequences.
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .fmt_fields(escaped_fields())
            .with_span_events(FmtSpan::CLOSE)
            .boxed(),
    };

    let provider = config
        .otlp_endpoint
        .as_deref()
        .map(|endpoint| tracer_provider(endpoint, service))
        .transpose()?;
    let otel = provider.as_ref().map(|provider| {
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("bcda"))
            .with_filter(EnvFilter::new("info"))
    });
    if let Some(provider) = &provider {
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        opentelemetry::global::set_tracer_provider(provider.clone());
    }

    tracing_subscriber::registry()
        .with(fmt.with_filter(filter))
        .with(otel)
        .try_init()?;
    Ok(TelemetryGuard { provider })
}

fn tracer_provider(endpoint: &str, service: &str) -> Result<SdkTracerProvider, TelemetryError> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
        .build()?;
    let service_name = std::env::var("OTEL_SERVICE_NAME").unwrap_or_else(|_| service.to_owned());
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(Resource::builder().with_service_name(service_name).build())
        .build())
}

/// The current span's W3C trace context (`traceparent`, `tracestate`), for a message that
/// continues this trace in another process. Empty when no trace is being exported.
pub fn current_trace_context() -> std::collections::HashMap<String, String> {
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    let context = tracing::Span::current().context();
    let mut carrier = std::collections::HashMap::new();
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&context, &mut carrier);
    });
    carrier
}

/// Makes `span` a child of the trace whose context `carrier` holds (as written by
/// [`current_trace_context`]); a carrier without one leaves `span` a root.
pub fn continue_trace(span: &tracing::Span, carrier: &std::collections::HashMap<String, String>) {
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    let context =
        opentelemetry::global::get_text_map_propagator(|propagator| propagator.extract(carrier));
    let _ = span.set_parent(context);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_controls("plain"), "plain");
        assert_eq!(
            escape_controls("a.ndjson\nINFO forged\u{1b}[2J"),
            "a.ndjson\\nINFO forged\\u{1b}[2J"
        );
    }
}
