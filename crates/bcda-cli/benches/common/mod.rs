//! What the benchmarks of real processes share: peak memory of a process. The commit and
//! the report writer are `bcda_testkit::bench_report`.

#![allow(dead_code)] // each benchmark uses what it needs

/// A process's peak resident set in MB, from `/proc` (Linux).
pub fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}
