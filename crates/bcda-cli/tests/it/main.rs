//! Tests of the `bcda` binary as an operator runs it.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test, with its message

mod admin;
mod export_client;
mod loadtest;
mod logs;
mod postgres_restart;
mod traces;
mod worker_process;

use std::process::{Command, Output};

use bcda_testkit::TestDatabase;
use secrecy::ExposeSecret;

/// Sends SIGTERM to `child`: a `bcda serve` process finishes what it is doing and exits.
pub fn sigterm(child: &std::process::Child) {
    let id = child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &id]).status().unwrap();
    assert!(sent.success(), "kill -TERM {id}");
}

pub fn bcda(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bcda"))
        .args(args)
        .envs(env.iter().copied())
        .env("BCDA_LOG_FORMAT", "json")
        .output()
        .expect("run bcda")
}

#[tokio::test]
async fn health_exits_zero_only_while_the_service_answers_healthy() {
    let app = bcda_testkit::spawn_app().await;
    let url = format!("{}/_health", app.address);
    let healthy = tokio::task::spawn_blocking({
        let url = url.clone();
        move || bcda(&["health", "--url", &url], &[])
    })
    .await
    .unwrap();
    assert!(healthy.status.success(), "{healthy:?}");
    let missing = format!("{}/no-such-route", app.address);
    let unhealthy = tokio::task::spawn_blocking(move || bcda(&["health", "--url", &missing], &[]))
        .await
        .unwrap();
    assert!(!unhealthy.status.success());
    assert!(String::from_utf8_lossy(&unhealthy.stderr).contains("answered 404"));
    let down = format!("http://127.0.0.1:{}/_health", bcda_testkit::free_port());
    let down = tokio::task::spawn_blocking(move || bcda(&["health", "--url", &down], &[]))
        .await
        .unwrap();
    assert!(!down.status.success());
    assert!(String::from_utf8_lossy(&down.stderr).contains("did not answer"));
}

#[test]
fn a_bad_configuration_value_stops_start_up_naming_the_variable() {
    let output = bcda(&["serve", "all"], &[("BCDA_LISTEN", "everywhere:eighty")]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("invalid BCDA_LISTEN=\"everywhere:eighty\": expected host:port"),
        "{stderr}"
    );
}

#[test]
fn a_bad_secret_value_is_named_but_not_printed() {
    let output = bcda(
        &["migrate"],
        &[("BCDA_DATABASE_URL", "mysql://root:hunter2@db/bcda")],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("BCDA_DATABASE_URL"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[tokio::test]
async fn migrate_creates_the_database_and_is_idempotent() {
    let database = TestDatabase::not_yet_created();
    let config = database.config();
    let url = config.url.expose_secret();

    let first = bcda(&["migrate"], &[("BCDA_DATABASE_URL", url)]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("V1__foundation"), "{stdout}");

    let second = bcda(&["migrate"], &[("BCDA_DATABASE_URL", url)]);
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(stdout.contains("\"applied\":\"[]\""), "{stdout}");
}

#[test]
fn an_unknown_service_is_rejected_with_the_choices() {
    let output = bcda(&["serve", "everything"], &[]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("expected all, auth, api, worker or fileserver"),
        "{stderr}"
    );
}
