//! What a load test measured, summarized: latency percentiles per request kind, export
//! times, throughput, errors by kind, and a chart of throughput over time. Pure.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

/// One request the load test made.
#[derive(Debug, Clone)]
pub struct Sample {
    /// `token`, `kick-off`, `status` or `download`.
    pub kind: &'static str,
    /// When it finished, from the start of the test.
    pub at: Duration,
    pub latency: Duration,
    /// Bytes received (downloads), NDJSON after decompression.
    pub bytes: u64,
    /// Resources received (downloads).
    pub resources: u64,
    /// `None` when it succeeded; else what went wrong (e.g. `429`, `500`, `connect`).
    pub error: Option<String>,
}

/// The latency at quantile `q` (0..=1) of sorted `values`.
pub fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// The report as Markdown: `samples` from a run of `elapsed`, and the completed exports'
/// end-to-end times.
pub fn markdown(samples: &[Sample], exports: &[Duration], elapsed: Duration) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| request | count | p50 (ms) | p95 (ms) | p99 (ms) | errors |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
    for kind in ["token", "kick-off", "status", "download"] {
        let mut latencies: Vec<Duration> = samples
            .iter()
            .filter(|s| s.kind == kind && s.error.is_none())
            .map(|s| s.latency)
            .collect();
        latencies.sort();
        let errors = samples
            .iter()
            .filter(|s| s.kind == kind && s.error.is_some())
            .count();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let _ = writeln!(
            out,
            "| {kind} | {} | {:.1} | {:.1} | {:.1} | {errors} |",
            latencies.len(),
            ms(percentile(&latencies, 0.50)),
            ms(percentile(&latencies, 0.95)),
            ms(percentile(&latencies, 0.99)),
        );
    }
    let mut sorted = exports.to_vec();
    sorted.sort();
    let seconds = elapsed.as_secs_f64().max(f64::EPSILON);
    let resources: u64 = samples.iter().map(|s| s.resources).sum();
    let bytes: u64 = samples.iter().map(|s| s.bytes).sum();
    let _ = writeln!(
        out,
        "\n{} exports completed in {:.1} s; end to end p50 {:.1} s, p95 {:.1} s, max {:.1} s.",
        sorted.len(),
        seconds,
        percentile(&sorted, 0.50).as_secs_f64(),
        percentile(&sorted, 0.95).as_secs_f64(),
        sorted.last().copied().unwrap_or_default().as_secs_f64(),
    );
    let _ = writeln!(
        out,
        "Throughput: {:.0} resources/s, {:.1} MB/s of NDJSON ({resources} resources, {:.1} MB).",
        resources as f64 / seconds,
        bytes as f64 / 1e6 / seconds,
        bytes as f64 / 1e6,
    );
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for sample in samples {
        if let Some(error) = &sample.error {
            *errors
                .entry(format!("{} {error}", sample.kind))
                .or_default() += 1;
        }
    }
    if errors.is_empty() {
        let _ = writeln!(out, "Errors: none.");
    } else {
        let _ = writeln!(out, "Errors by kind:");
        for (kind, count) in errors {
            let _ = writeln!(out, "- {kind}: {count}");
        }
    }
    out
}

/// An SVG line chart of downloaded MB/s per second of the run.
pub fn throughput_svg(samples: &[Sample], elapsed: Duration) -> String {
    let seconds = elapsed.as_secs().max(1) as usize + 1;
    let mut per_second = vec![0f64; seconds];
    for sample in samples.iter().filter(|s| s.kind == "download") {
        let second = (sample.at.as_secs() as usize).min(seconds - 1);
        per_second[second] += sample.bytes as f64 / 1e6;
    }
    let (width, height, margin) = (640.0, 240.0, 40.0);
    let peak = per_second.iter().copied().fold(1.0, f64::max);
    let x = |i: usize| margin + (width - 2.0 * margin) * i as f64 / (seconds.max(2) - 1) as f64;
    let y = |v: f64| height - margin - (height - 2.0 * margin) * v / peak;
    let points: Vec<String> = per_second
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
        .collect();
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <line x1=\"{margin}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"black\"/>\n\
         <line x1=\"{margin}\" y1=\"{margin}\" x2=\"{margin}\" y2=\"{b}\" stroke=\"black\"/>\n\
         <text x=\"{margin}\" y=\"{t}\">NDJSON downloaded, MB/s (peak {peak:.0})</text>\n\
         <text x=\"{r}\" y=\"{u}\" text-anchor=\"end\">{seconds} s</text>\n\
         <polyline fill=\"none\" stroke=\"steelblue\" stroke-width=\"2\" points=\"{}\"/>\n\
         </svg>\n",
        points.join(" "),
        b = height - margin,
        r = width - margin,
        t = margin - 10.0,
        u = height - margin + 16.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let values: Vec<Duration> = (1..=100).map(ms).collect();
        assert_eq!(percentile(&values, 0.50), ms(51));
        assert_eq!(percentile(&values, 0.99), ms(99));
        assert_eq!(percentile(&values, 1.0), ms(100));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }

    #[test]
    fn the_report_counts_errors_by_kind_and_charts_downloads() {
        let sample = |kind, at, error: Option<&str>| Sample {
            kind,
            at: Duration::from_secs(at),
            latency: ms(10),
            bytes: 2_000_000,
            resources: 100,
            error: error.map(str::to_owned),
        };
        let samples = [
            sample("download", 0, None),
            sample("download", 1, None),
            sample("kick-off", 1, Some("429")),
            sample("kick-off", 1, Some("429")),
        ];
        let text = markdown(&samples, &[Duration::from_secs(2)], Duration::from_secs(2));
        assert!(
            text.contains("| download | 2 | 10.0 | 10.0 | 10.0 | 0 |"),
            "{text}"
        );
        assert!(text.contains("- kick-off 429: 2"), "{text}");
        assert!(text.contains("1 exports completed"), "{text}");
        let svg = throughput_svg(&samples, Duration::from_secs(2));
        assert!(
            svg.starts_with("<svg") && svg.contains("<polyline"),
            "{svg}"
        );
    }
}
