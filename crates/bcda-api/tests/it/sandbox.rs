//! The sandbox's two credential sets for BCDA's error paths, as a client meets them.

use bcda_model::sandbox::{SANDBOX_ACOS, SandboxAco, Standing};
use bcda_testkit::{Credentials, TestApp, TestAppBuilder};
use serde_json::Value;

async fn token_of(app: &TestApp, standing: Standing) -> (String, &'static SandboxAco) {
    let aco = SANDBOX_ACOS
        .iter()
        .find(|aco| aco.standing == standing)
        .unwrap();
    let credentials = Credentials {
        client_id: aco.client_id.into(),
        client_secret: aco.client_secret.into(),
    };
    (app.token(&credentials).await, aco)
}

async fn outcome(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    let issue = &body["issue"][0];
    (
        status,
        issue["code"].as_str().unwrap().to_owned(),
        issue["diagnostics"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn the_stale_and_denylisted_sandbox_acos_answer_as_bcda_does() {
    let app = TestAppBuilder::default()
        .env("BCDA_WORKERS", "0")
        .spawn()
        .await;
    // What `bcda seed` does for these two (the five of the guide are left out: slow).
    app.seed_sandbox().await;
    for aco in SANDBOX_ACOS
        .iter()
        .filter(|aco| aco.standing != Standing::Current)
    {
        bcda_synth::sandbox::seed_aco(&app.ctx.db, aco, bcda_synth::this_month())
            .await
            .unwrap();
    }

    let (stale, aco) = token_of(&app, Standing::StaleAttribution).await;
    let stale_message = format!(
        "unable to perform export operations for this Group. No up-to-date attribution \
         information is available for ACOID '{}'. Usually this is due to awaiting new \
         attribution information at the beginning of a Performance Year",
        aco.cms_id
    );
    let this_year = time::OffsetDateTime::now_utc().year();
    for version in ["v1", "v2"] {
        for group in ["Patient", "Group/all"] {
            let path = format!("/api/{version}/{group}/$export");
            let answer = outcome(app.kick_off(&stale, &path).await).await;
            assert_eq!(
                answer,
                (404, "not-found".into(), stale_message.clone()),
                "{path}"
            );
        }
        let path = format!("/api/{version}/Group/runout/$export");
        let answer = outcome(app.kick_off(&stale, &path).await).await;
        assert_eq!(
            answer,
            (
                404,
                "not-found".into(),
                "runout data is no longer available. Runout data expires 180 days after ingestion"
                    .into()
            ),
            "{path}"
        );
        // Its newest attribution file is of last year.
        let status: Value = app
            .get_with_token(&format!("/api/{version}/attribution_status"), &stale)
            .await
            .json()
            .await
            .unwrap();
        let newest = &status["ingestion_dates"][0];
        assert_eq!(newest["type"], "last_attribution_update");
        let year: i32 = newest["timestamp"].as_str().unwrap()[..4].parse().unwrap();
        assert_eq!(year, this_year - 1, "{status}");
    }

    // Denylisted: a token is issued, everything else is refused in BCDA's words.
    let (denied, aco) = token_of(&app, Standing::Denied).await;
    let refusal = (
        403,
        "forbidden".to_owned(),
        format!("ACO (CMS_ID: {}) is unauthorized", aco.cms_id),
    );
    for version in ["v1", "v2"] {
        for path in [
            format!("/api/{version}/Patient/$export"),
            format!("/api/{version}/Group/all/$export"),
            format!("/api/{version}/Group/runout/$export"),
        ] {
            let answer = outcome(app.kick_off(&denied, &path).await).await;
            assert_eq!(answer, refusal, "{path}");
        }
        for path in [
            format!("/api/{version}/jobs"),
            format!("/api/{version}/attribution_status"),
        ] {
            let answer = outcome(app.list_jobs(&path, &denied).await).await;
            assert_eq!(answer, refusal, "{path}");
        }
    }
}
