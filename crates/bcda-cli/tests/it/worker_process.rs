//! `bcda serve worker` as separate processes: one killed in the middle of a batch, its
//! work finished by another, which then stops cleanly on SIGTERM.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bcda_testkit::{TestApp, TestAppBuilder};
use serde_json::Value;

fn start_worker(app: &TestApp) -> Child {
    Command::new(env!("CARGO_BIN_EXE_bcda"))
        .args(["serve", "worker"])
        .envs(app.process_env())
        .env("BCDA_WORKERS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start bcda serve worker")
}

#[tokio::test]
async fn a_killed_worker_process_loses_nothing_and_duplicates_nothing() {
    // The app serves the API and relays messages; only the processes below export.
    let app = TestAppBuilder::default()
        .env("BCDA_WORKERS", "0")
        .env("BCDA_BATCH_SIZE_EOB", "30")
        .env("BCDA_RETRY_DELAY_MS", "200")
        .spawn()
        .await;
    let token = app.synthetic_aco("A9994", 60).await.token;
    let status_url = app
        .start_export(&token, "/api/v1/Patient/$export?_type=ExplanationOfBenefit")
        .await;

    // The first worker dies (SIGKILL) as soon as it has started on a batch.
    let mut doomed = start_worker(&app);
    while app
        .count("SELECT count(*) FROM jobs WHERE status = 'In Progress'")
        .await
        == 0
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    doomed.kill().unwrap();
    doomed.wait().unwrap();
    let done_at_kill = app
        .count("SELECT count(*) FROM job_keys WHERE done_at IS NOT NULL")
        .await;
    assert!(done_at_kill < 2, "the worker died before finishing the job");

    // A second worker gets the dead one's unacknowledged message and finishes the job.
    let mut survivor = start_worker(&app);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let manifest: Value = loop {
        let response = app
            .client
            .get(&status_url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        if response.status() == 200 {
            break response.json().await.unwrap();
        }
        assert_eq!(response.status(), 202);
        assert!(
            tokio::time::Instant::now() < deadline,
            "the export never finished"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    // SIGTERM: the survivor stops consuming and exits cleanly.
    let terminated = Command::new("kill")
        .args(["-TERM", &survivor.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    let exit = tokio::task::spawn_blocking(move || survivor.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "{exit:?}");

    // Every EOB of the attributed beneficiaries, each exactly once.
    let mut ids = HashSet::new();
    let mut lines = 0;
    for file in manifest["output"].as_array().unwrap() {
        let body = app
            .client
            .get(file["url"].as_str().unwrap())
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for line in body.lines() {
            let resource: Value = serde_json::from_str(line).unwrap();
            ids.insert(resource["id"].as_str().unwrap().to_owned());
            lines += 1;
        }
    }
    // The one ACO's latest attribution file, less those who opted out.
    let expected = app
        .count(
            "WITH exported AS ( \
                 SELECT m.beneficiary_id FROM attribution_members m \
                 WHERE m.file_id = (SELECT id FROM attribution_files WHERE kind = 'default' \
                                    ORDER BY performance_year DESC, file_date DESC LIMIT 1) \
                   AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.beneficiary_id = m.beneficiary_id)) \
             SELECT (SELECT count(*) FROM claims JOIN exported USING (beneficiary_id)) \
                  + (SELECT count(*) FROM pde_events JOIN exported USING (beneficiary_id))",
        )
        .await;
    assert_eq!(lines, expected as usize, "no EOB lost");
    assert_eq!(ids.len(), lines, "no EOB written twice");
}
