//! What the benchmarks share for their reports: the commit measured, and writing a
//! section of `docs/benchmarks.md`, so each benchmark run leaves its numbers where a
//! reader looks for them.

use std::process::Command;

/// The short hash of the commit being measured.
pub fn commit() -> String {
    Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Replaces the section `name` of `docs/benchmarks.md` (between its markers) with
/// `report`, appending it under `title` the first time.
pub fn write_docs(name: &str, title: &str, report: &str) {
    let start = format!("<!-- {name}:start -->");
    let end = format!("<!-- {name}:end -->");
    let path = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("../../docs/benchmarks.md");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    let section = format!("{start}\n{report}{end}");
    let updated = match (current.find(&start), current.find(&end)) {
        (Some(s), Some(e)) => format!("{}{section}{}", &current[..s], &current[e + end.len()..]),
        _ => format!("{current}\n## {title}\n\n{section}\n"),
    };
    std::fs::write(&path, updated).expect("write docs/benchmarks.md");
}
