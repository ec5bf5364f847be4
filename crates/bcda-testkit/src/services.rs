//! Stopping and starting the machine's real Postgres and RabbitMQ, for tests of what
//! the services do while one is away. Every other test's connections break too: tests
//! that call these must run alone (their names contain `broker_restart` or
//! `postgres_restart`, which `.config/nextest.toml` runs by themselves).
//!
//! A stopped service must never outlive its test, or every later test fails for a
//! reason far from its cause. So every command here is bounded in time, the guard
//! starts the service again when dropped (also on a panic), and a watchdog process,
//! outside the test's process group, starts it again should the test runner kill the
//! test before its guard could run.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The longest any `pg_ctlcluster` or `rabbitmqctl` call may take.
const COMMAND_LIMIT: Duration = Duration::from_secs(60);

/// When the watchdog starts a service that its test did not start again: after every
/// outage a test makes, before the runner's limit for a test (180 s) ends.
const WATCHDOG_DELAY: Duration = Duration::from_secs(150);

/// A dependency stopped by a test; dropping it (also when the test panics) starts the
/// dependency again, so one failed test cannot leave the machine without it.
#[must_use = "the dependency starts again when this is dropped"]
#[derive(Debug)]
pub struct Stopped {
    service: Service,
    watchdog: Option<Child>,
    started: bool,
}

impl Stopped {
    /// Starts the dependency again now.
    pub fn restart(mut self) {
        self.start();
    }

    fn start(&mut self) {
        self.started = true;
        if let Some(mut watchdog) = self.watchdog.take() {
            // The watchdog leads its own process group: end it with its `sleep`.
            let _ = Command::new("kill")
                .args(["--", &format!("-{}", watchdog.id())])
                .stderr(Stdio::null())
                .status();
            let _ = watchdog.wait();
        }
        self.service.start();
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        if !self.started {
            self.start();
        }
    }
}

/// Stops the local Postgres cluster, disconnecting every session (`-m fast`), until the
/// returned guard is restarted or dropped.
pub fn stop_postgres() -> Stopped {
    Service::Postgres.stop()
}

/// Stops the RabbitMQ application (the node stays up, every connection is closed) until
/// the returned guard is restarted or dropped.
pub fn stop_broker() -> Stopped {
    Service::Broker.stop()
}

#[derive(Debug, Clone, Copy)]
enum Service {
    Postgres,
    Broker,
}

impl Service {
    /// Stops the service behind a guard that starts it again. The guard exists before
    /// the stop command runs, so a stop that fails half-way is undone too.
    fn stop(self) -> Stopped {
        let guard = Stopped {
            service: self,
            watchdog: Some(self.watchdog()),
            started: false,
        };
        run(self.command("stop"));
        guard
    }

    fn start(self) {
        run(self.command("start"));
        let port = match self {
            Service::Postgres => 5432,
            Service::Broker => 5672,
        };
        wait_until_listening(port, self.name());
    }

    fn name(self) -> &'static str {
        match self {
            Service::Postgres => "Postgres",
            Service::Broker => "RabbitMQ",
        }
    }

    /// The command that stops or starts the service.
    fn command(self, action: &str) -> Command {
        match self {
            Service::Postgres => {
                let mut command = Command::new("pg_ctlcluster");
                command.args([
                    "--skip-systemctl-redirect",
                    &postgres_version(),
                    "main",
                    action,
                ]);
                if action == "stop" {
                    command.args(["-m", "fast"]);
                }
                command
            }
            Service::Broker => {
                let mut command = Command::new("rabbitmqctl");
                command.arg(format!("{action}_app"));
                command
            }
        }
    }

    /// A process in its own session that starts the service after [`WATCHDOG_DELAY`],
    /// unless it is killed first. Starting a running service does no harm.
    fn watchdog(self) -> Child {
        let start = self.command("start");
        let mut line = start.get_program().to_string_lossy().into_owned();
        for arg in start.get_args() {
            line.push(' ');
            line.push_str(&arg.to_string_lossy());
        }
        Command::new("setsid")
            .args([
                "sh",
                "-c",
                &format!("sleep {}; {line}", WATCHDOG_DELAY.as_secs()),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("setsid (util-linux) starts the watchdog")
    }
}

fn postgres_version() -> String {
    std::fs::read_dir("/etc/postgresql")
        .expect("a Debian Postgres installation (/etc/postgresql)")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .max_by_key(|name| name.parse::<u32>().unwrap_or(0))
        .expect("a Postgres cluster version")
}

/// Runs `command` to completion within [`COMMAND_LIMIT`], and says how long it took (a
/// failing test's output then shows a slow service).
fn run(mut command: Command) {
    let what = format!("{command:?}");
    let began = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {what}: {e}"));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for a child") {
            break status;
        }
        if began.elapsed() > COMMAND_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {COMMAND_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        use std::io::Read;
        let _ = pipe.read_to_string(&mut stderr);
    }
    eprintln!("services: {what} took {:?}", began.elapsed());
    assert!(status.success(), "{what} failed ({status}): {stderr}");
}

fn wait_until_listening(port: u16, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{name} did not come back");
        std::thread::sleep(Duration::from_millis(100));
    }
}
