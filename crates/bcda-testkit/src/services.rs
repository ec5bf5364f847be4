//! Stopping and starting the machine's real Postgres and RabbitMQ, for tests of what
//! the services do while one is away. Every other test's connections break too: tests
//! that call these must run alone (their names contain `broker_restart` or
//! `postgres_restart`, which `.config/nextest.toml` runs by themselves).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A dependency stopped by a test; dropping it (also when the test panics) starts the
/// dependency again, so one failed test cannot leave the machine without it.
#[must_use = "the dependency starts again when this is dropped"]
#[derive(Debug)]
pub struct Stopped {
    start: fn(),
    started: bool,
}

impl Stopped {
    /// Starts the dependency again now.
    pub fn restart(mut self) {
        (self.start)();
        self.started = true;
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        if !self.started {
            (self.start)();
        }
    }
}

/// Stops the local Postgres cluster, disconnecting every session (`-m fast`), until the
/// returned guard is restarted or dropped.
pub fn stop_postgres() -> Stopped {
    pg_ctlcluster("stop");
    Stopped {
        start: start_postgres,
        started: false,
    }
}

/// Starts the local Postgres cluster and waits until it accepts connections.
fn start_postgres() {
    pg_ctlcluster("start");
    wait_until_listening(5432, "Postgres");
}

/// Stops the RabbitMQ application (the node stays up, every connection is closed) until
/// the returned guard is restarted or dropped.
pub fn stop_broker() -> Stopped {
    rabbitmqctl("stop_app");
    Stopped {
        start: start_broker,
        started: false,
    }
}

/// Starts the RabbitMQ application again.
fn start_broker() {
    rabbitmqctl("start_app");
}

fn pg_ctlcluster(action: &str) {
    let version = std::fs::read_dir("/etc/postgresql")
        .expect("a Debian Postgres installation (/etc/postgresql)")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .max_by_key(|name| name.parse::<u32>().unwrap_or(0))
        .expect("a Postgres cluster version");
    let mut command = Command::new("pg_ctlcluster");
    command.args(["--skip-systemctl-redirect", &version, "main", action]);
    if action == "stop" {
        command.args(["-m", "fast"]);
    }
    run(command, &format!("pg_ctlcluster {action}"));
}

fn rabbitmqctl(action: &str) {
    let mut command = Command::new("rabbitmqctl");
    command.arg(action);
    run(command, &format!("rabbitmqctl {action}"));
}

fn run(mut command: Command, what: &str) {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn wait_until_listening(port: u16, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{name} did not come back");
        std::thread::sleep(Duration::from_millis(100));
    }
}
