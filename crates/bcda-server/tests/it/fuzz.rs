//! The served OpenAPI documents, checked by an independent fuzzer: schemathesis (PyPI,
//! installed into a cache by `scripts/schemathesis.sh`) generates requests for every
//! documented operation, valid and invalid, and checks that no response is a server
//! error and that every response body matches the schema documented for its status.
//! A fixed seed and a bounded number of examples keep the run repeatable and short.

use std::path::PathBuf;
use std::process::Command;

use bcda_testkit::spawn_app;

/// The `st` command, installing schemathesis on first use.
fn schemathesis() -> PathBuf {
    let root = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("../..");
    let output = Command::new("bash")
        .arg(root.join("scripts/schemathesis.sh"))
        .output()
        .expect("run scripts/schemathesis.sh");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

#[tokio::test]
async fn schemathesis_finds_no_server_error_and_no_response_off_its_schema() {
    let st = schemathesis();
    let app = spawn_app().await;
    let aco = app.synthetic_aco("A9994", 5).await;
    // Job 1 exists and is complete, so the job and download routes answer with bodies.
    app.export(&aco.token, "/api/v2/Patient/$export?_type=Patient")
        .await;
    // schemathesis writes a cache where it runs: not into the checkout.
    let scratch = tempfile::tempdir().unwrap();
    for version in ["v1", "v2"] {
        let mut command = Command::new(&st);
        command
            .current_dir(scratch.path())
            .arg("run")
            .arg(app.url(&format!("/api/{version}/openapi.json")))
            .args(["--header", &format!("Authorization: Bearer {}", aco.token)])
            .args([
                "--checks",
                "not_a_server_error,response_schema_conformance",
                "--seed",
                "20261128",
                "--max-examples",
                "20",
                "--phases",
                "examples,coverage,fuzzing",
                // One worker: with two, Python 3.11's parser raced itself in
                // schemathesis's coverage phase ("AST constructor recursion depth
                // mismatch", a CPython bug with threads) and failed the run with a
                // runtime error that says nothing about the server.
                "--workers",
                "1",
                "--generation-database",
                "none",
                // The token form is documented as a free string: most generated strings
                // are not form-encoded, which the first health check would count as a
                // fault. The second times the generator itself: on a busy machine (a
                // full run on two cores) generating token forms failed it once, which
                // says nothing about the server.
                "--suppress-health-check",
                "filter_too_much,too_slow",
                "--no-color",
            ])
            .env("SCHEMATHESIS_HOOKS", "");
        let output = tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{version}:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
