//! The administration commands against a real database, checked through the running
//! app the way an ACO would notice them.

use std::process::Output;

use bcda_testkit::{Credentials, TestApp, TestAppBuilder};
use secrecy::ExposeSecret;

use crate::bcda;

/// The app, and a runner of `bcda` commands against the app's database.
async fn app() -> (TestApp, impl Fn(&[&str]) -> Output) {
    app_with(TestAppBuilder::default()).await
}

/// An app built by `builder`, and a runner of `bcda` commands against its database.
async fn app_with(builder: TestAppBuilder) -> (TestApp, impl Fn(&[&str]) -> Output) {
    let app = builder.spawn().await;
    let url = app.database.config().url.expose_secret().to_owned();
    let run = move |args: &[&str]| {
        let output = bcda(args, &[("BCDA_DATABASE_URL", &url)]);
        assert!(
            output.status.success(),
            "bcda {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    };
    (app, run)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The value after `label` in `bcda client create` output.
fn field(output: &str, label: &str) -> String {
    output
        .lines()
        .find_map(|line| line.strip_prefix(label))
        .map(|rest| rest.trim().to_owned())
        .unwrap_or_else(|| panic!("no {label} in {output}"))
}

/// The whole sandbox: 60,000 beneficiaries with their claims, loaded by `bcda seed` as
/// `make run` does; the slowest test (about a minute on two cores).
#[tokio::test]
async fn seed_creates_the_eight_sandbox_acos_with_their_beneficiaries_once() {
    let (app, run) = app().await;
    let first = stdout(&run(&["seed"]));
    assert!(
        first.contains("8 ACO(s) and 8 client(s) created"),
        "{first}"
    );
    let again = stdout(&run(&["seed"]));
    assert!(
        again.contains("0 ACO(s) and 0 client(s) created"),
        "{again}"
    );
    assert_eq!(
        again.matches("synthetic data already loaded").count(),
        8,
        "{again}"
    );

    let client = app.ctx.db.get().await.unwrap();
    let cms_ids: Vec<String> = client
        .query("SELECT cms_id FROM acos ORDER BY cms_id", &[])
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(
        cms_ids,
        [
            "A9990", "A9991", "A9992", "A9993", "A9994", "A9996", "A9997", "D9990"
        ]
    );
    // Each ACO's latest attribution file lists its beneficiaries.
    let attributed: Vec<(String, i64)> = client
        .query(
            "SELECT a.cms_id, count(*) FROM acos a \
             JOIN attribution_files f ON f.id = ( \
                 SELECT id FROM attribution_files WHERE aco_id = a.id AND kind = 'default' \
                 ORDER BY performance_year DESC, file_date DESC LIMIT 1) \
             JOIN attribution_members m ON m.file_id = f.id \
             GROUP BY a.cms_id ORDER BY a.cms_id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    let expected: Vec<(String, i64)> = [
        ("A9990", 2_500),
        ("A9991", 7_500),
        ("A9992", 20_000),
        ("A9993", 30_000),
        ("A9994", 50),
        ("A9996", 50),
        ("A9997", 50),
        ("D9990", 500),
    ]
    .iter()
    .map(|(id, n)| (id.to_string(), *n))
    .collect();
    assert_eq!(attributed, expected);
    for aco in bcda_model::sandbox::SANDBOX_ACOS {
        let credentials = Credentials {
            client_id: aco.client_id.into(),
            client_secret: aco.client_secret.into(),
        };
        app.token(&credentials).await;
    }
}

#[tokio::test]
async fn a_created_client_gets_tokens_and_is_listed_without_its_secret() {
    let (app, run) = app().await;
    run(&["aco", "create", "--cms-id", "A1234", "--name", "Test ACO"]);
    let created = stdout(&run(&["client", "create", "--aco", "A1234"]));
    let credentials = Credentials {
        client_id: field(&created, "client_id:"),
        client_secret: field(&created, "client_secret:"),
    };
    app.token(&credentials).await;

    let listed = stdout(&run(&["client", "list", "--aco", "A1234"]));
    assert!(listed.contains(&credentials.client_id), "{listed}");
    assert!(!listed.contains(&credentials.client_secret), "{listed}");
}

#[tokio::test]
async fn rotating_a_secret_retires_the_old_one_and_revoking_ends_all_tokens() {
    let (app, run) = app().await;
    run(&["aco", "create", "--cms-id", "A1234", "--name", "Test ACO"]);
    let created = stdout(&run(&["client", "create", "--aco", "A1234"]));
    let client_id = field(&created, "client_id:");
    let old_secret = field(&created, "client_secret:");

    let rotated = stdout(&run(&["client", "rotate-secret", &client_id]));
    let new_secret = field(&rotated, "client_secret:");
    assert_ne!(new_secret, old_secret);
    assert_eq!(
        app.request_token(&client_id, &old_secret).await.status(),
        401
    );
    assert_eq!(
        app.request_token(&client_id, &new_secret).await.status(),
        200
    );

    run(&["client", "revoke", &client_id]);
    assert_eq!(
        app.request_token(&client_id, &new_secret).await.status(),
        401
    );
    assert!(stdout(&run(&["client", "list"])).contains("revoked"));
}

#[tokio::test]
async fn denying_an_aco_refuses_its_data_until_it_is_allowed() {
    let (app, run) = app().await;
    run(&["aco", "create", "--cms-id", "A4321", "--name", "Test ACO"]);
    let created = stdout(&run(&["client", "create", "--aco", "A4321"]));
    let credentials = Credentials {
        client_id: field(&created, "client_id:"),
        client_secret: field(&created, "client_secret:"),
    };
    run(&["aco", "deny", "A4321"]);
    let token = app.token(&credentials).await;
    assert_eq!(app.list_jobs("/api/v1/jobs", &token).await.status(), 403);

    run(&["aco", "allow", "A4321"]);
    app.ctx.verifier.forget_standings().await;
    assert_eq!(
        app.list_jobs("/api/v1/jobs", &token).await.status(),
        404 // accepted; the ACO has no jobs
    );
}

#[tokio::test]
async fn limit_exports_switches_the_one_export_at_a_time_rule() {
    // No workers: the first export stays active.
    let (app, run) = app_with(TestAppBuilder::default().env("BCDA_WORKERS", "0")).await;
    run(&["aco", "create", "--cms-id", "A4321", "--name", "Test ACO"]);
    let created = stdout(&run(&["client", "create", "--aco", "A4321"]));
    let credentials = Credentials {
        client_id: field(&created, "client_id:"),
        client_secret: field(&created, "client_secret:"),
    };
    app.attribute_nobody("A4321").await;
    let token = app.token(&credentials).await;
    let kick_off = || app.kick_off(&token, "/api/v2/Patient/$export");
    assert_eq!(kick_off().await.status(), 202);
    assert_eq!(
        kick_off().await.status(),
        429,
        "held to the rule by default"
    );

    run(&["aco", "limit-exports", "A4321", "off"]);
    assert_eq!(kick_off().await.status(), 202);
    run(&["aco", "limit-exports", "A4321", "default"]);
    assert_eq!(kick_off().await.status(), 429);
}

#[tokio::test]
async fn v3_access_turns_an_acos_v3_exports_off() {
    let (app, run) = app_with(TestAppBuilder::default().env("BCDA_WORKERS", "0")).await;
    run(&["aco", "create", "--cms-id", "A4322", "--name", "Test ACO"]);
    let created = stdout(&run(&["client", "create", "--aco", "A4322"]));
    let credentials = Credentials {
        client_id: field(&created, "client_id:"),
        client_secret: field(&created, "client_secret:"),
    };
    app.attribute_nobody("A4322").await;
    assert_eq!(
        stdout(&run(&["aco", "v3-access", "A4322", "off"])).trim(),
        "ACO A4322: v3 access off"
    );
    let token = app.token(&credentials).await;
    let v3 = app.kick_off(&token, "/api/v3/Patient/$export").await;
    assert_eq!(v3.status(), 403);
    let body: serde_json::Value = v3.json().await.unwrap();
    assert_eq!(
        body["issue"][0]["details"]["text"],
        "V3 access not enabled for this ACO"
    );
    assert_eq!(
        app.kick_off(&token, "/api/v2/Patient/$export")
            .await
            .status(),
        202
    );
}

#[tokio::test]
async fn keys_rotate_publishes_a_second_key() {
    let (app, run) = app().await;
    let first: serde_json::Value = app
        .get("/auth/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["keys"].as_array().unwrap().len(), 1);
    let rotated = stdout(&run(&["keys", "rotate"]));
    assert!(rotated.starts_with("new signing key "), "{rotated}");
    let second: serde_json::Value = app
        .get("/auth/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["keys"].as_array().unwrap().len(), 2);
}

#[test]
fn an_unknown_aco_is_a_clear_error() {
    let database = bcda_testkit::TestDatabase::not_yet_created();
    let url = database.config().url.expose_secret().to_owned();
    let migrated = bcda(&["migrate"], &[("BCDA_DATABASE_URL", &url)]);
    assert!(migrated.status.success());
    let output = bcda(
        &["client", "create", "--aco", "Z0000"],
        &[("BCDA_DATABASE_URL", &url)],
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no ACO with CMS id Z0000"));
}

#[tokio::test]
async fn an_opt_out_keeps_a_beneficiary_out_of_exports_until_removed() {
    let (app, run) = app().await;
    let aco = app.synthetic_aco("A9994", 12).await;
    let shared = |ordinal| {
        let record = aco.synth.beneficiary(ordinal);
        aco.synth.is_exported(&record).then_some(record)
    };
    let record = (0..aco.synth.total()).find_map(shared).unwrap();
    let mbi = record.beneficiary.mbi.as_str();
    let patients = |manifest: serde_json::Value| {
        let app = &app;
        let token = aco.token.clone();
        async move {
            let mut lines = Vec::new();
            for file in manifest["output"].as_array().unwrap() {
                let body = app.download(&token, file["url"].as_str().unwrap()).await;
                lines.extend(body.lines().map(str::to_owned));
            }
            lines
        }
    };
    let path = "/api/v1/Patient/$export?_type=Patient";
    let before = patients(app.export(&aco.token, path).await).await;
    assert!(before.iter().any(|line| line.contains(mbi)));

    let added = stdout(&run(&["opt-out", "add", mbi, "--effective", "2026-11-01"]));
    assert!(
        added.contains(&format!("{mbi} opted out from 2026-11-01")),
        "{added}"
    );
    assert!(stdout(&run(&["opt-out", "list"])).contains(mbi));
    let during = patients(app.export(&aco.token, path).await).await;
    assert_eq!(during.len(), before.len() - 1);
    assert!(!during.iter().any(|line| line.contains(mbi)));

    let removed = stdout(&run(&["opt-out", "remove", mbi]));
    assert!(removed.contains("removed 1 opt-out(s)"), "{removed}");
    let after = patients(app.export(&aco.token, path).await).await;
    assert_eq!(after.len(), before.len());

    let url = app.database.config().url.expose_secret().to_owned();
    let unknown = bcda(
        &["opt-out", "add", "1AA0AA0AA00"],
        &[("BCDA_DATABASE_URL", &url)],
    );
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("no beneficiary has MBI 1AA0AA0AA00")
    );
}
