//! Records the git revision the binary is built from, for `/_version`.
//!
//! `BCDA_GIT_REVISION` in the build environment wins (container builds have no `.git`);
//! otherwise `git rev-parse HEAD` asks the checkout; otherwise the revision is `unknown`.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=BCDA_GIT_REVISION");
    let from_env = std::env::var("BCDA_GIT_REVISION")
        .ok()
        .filter(|r| !r.is_empty());
    let revision = from_env
        .or_else(git_head)
        .unwrap_or_else(|| "unknown".into());
    if let Some(git_dir) = git_output(&["rev-parse", "--absolute-git-dir"]) {
        println!("cargo:rerun-if-changed={git_dir}/HEAD");
        println!("cargo:rerun-if-changed={git_dir}/refs/heads");
        println!("cargo:rerun-if-changed={git_dir}/packed-refs");
    }
    println!("cargo:rustc-env=BCDA_GIT_REVISION={revision}");
}

fn git_head() -> Option<String> {
    git_output(&["rev-parse", "HEAD"])
}

fn git_output(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
}
