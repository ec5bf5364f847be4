//! What the benchmarks of real processes share: starting a worker process and the peak
//! memory of a process. The commit and the report writer are `bcda_testkit::bench_report`.

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

/// Starts `bcda serve worker` (one worker, warnings only) with `env`, the environment
/// of the app whose work it takes; its log goes to `stderr`.
pub fn spawn_worker(env: &[(String, String)], stderr: std::process::Stdio) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_bcda"))
        .args(["serve", "worker"])
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("BCDA_WORKERS", "1")
        .env("BCDA_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("start bcda serve worker")
}
