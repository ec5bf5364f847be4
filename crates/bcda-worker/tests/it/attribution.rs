//! What attribution decides in an export's files: `Group/runout` reads the runout file
//! and its year's claims, `Group/all?_since` gives newly attributed beneficiaries their
//! full history, and opted-out beneficiaries appear nowhere.

use bcda_model::ApiVersion;
use bcda_model::attribution::{AttributionKind, runout_service_dates, year_bounds};
use bcda_synth::BeneficiaryRecord;
use bcda_synth::attribution::FileSpec;
use time::format_description::well_known::Rfc3339;
use time::{Duration, Time};

use crate::support::{self, Rows, lines, small_batches, sorted};

const ALL: [&str; 3] = ["ExplanationOfBenefit", "Patient", "Coverage"];
const VERSIONS: [ApiVersion; 2] = [ApiVersion::V1, ApiVersion::V2];

fn records(aco: &bcda_testkit::SyntheticAco) -> Vec<BeneficiaryRecord> {
    (0..aco.synth.total())
        .map(|n| aco.synth.beneficiary(n))
        .collect()
}

fn files_of(aco: &bcda_testkit::SyntheticAco, kind: AttributionKind) -> Vec<FileSpec> {
    aco.synth
        .attribution_files()
        .into_iter()
        .filter(|file| file.kind == kind)
        .collect()
}

/// Whether any line names the beneficiary: as a Patient, in a reference, or by MBI.
fn mentions(lines: &[String], record: &BeneficiaryRecord) -> bool {
    let bene = &record.beneficiary;
    let (id, reference) = (
        format!("\"id\":\"{}\"", bene.bene_id),
        format!("\"Patient/{}\"", bene.bene_id),
    );
    lines
        .iter()
        .any(|l| l.contains(&id) || l.contains(&reference) || l.contains(&bene.mbi))
}

#[tokio::test]
async fn group_runout_exports_the_runout_files_beneficiaries_and_that_years_claims() {
    let app = small_batches().spawn().await;
    let aco = app.synthetic_aco("A9992", 40).await;
    let runout = files_of(&aco, AttributionKind::Runout)[0];
    let rows = |record: &BeneficiaryRecord| {
        (runout.lists(&record.attribution) && record.opted_out_on.is_none()).then_some(Rows {
            since: None,
            until: None,
            // Claims processed by the runout file's date, of service in its year; every
            // Patient and Coverage.
            claims_until: Some(runout.timestamp()),
            service_dates: Some(runout_service_dates(runout.performance_year)),
        })
    };
    let everyone = records(&aco);
    let left: Vec<&BeneficiaryRecord> = everyone
        .iter()
        .filter(|r| rows(r).is_some() && !aco.synth.is_exported(r))
        .collect();
    assert!(
        !left.is_empty(),
        "someone who left is in the runout file only"
    );

    for version in VERSIONS {
        let path = format!("/api/{}/Group/runout/$export", version.as_str());
        let manifest = app.export(&aco.token, &path).await;
        let got = sorted(lines(&app, &aco.token, &manifest, "output").await);
        let want = support::expected_of(&aco.synth, version, &ALL, rows);
        assert!(!want["ExplanationOfBenefit"].is_empty());
        assert!(
            got == want,
            "the runout beneficiaries' resources and claims of {} ({version:?})",
            runout.performance_year
        );
        assert!(mentions(&got["Patient"], left[0]), "{version:?}");
        let listed = everyone.iter().filter(|r| rows(r).is_some()).count();
        assert_eq!(got["Patient"].len(), listed, "a Patient each ({version:?})");
        assert_ne!(want, support::expected(&aco.synth, version, &ALL, None));
    }
}

#[tokio::test]
async fn group_all_since_gives_newly_attributed_beneficiaries_their_full_history() {
    let app = small_batches().spawn().await;
    let aco = app.synthetic_aco("A9993", 60).await;
    let defaults = files_of(&aco, AttributionKind::Default);
    let latest = *defaults.last().unwrap();
    // A `_since` in the last performance year, after the data's first month: the
    // baseline is last year's first file; everyone attributed since is new.
    let midnight = |day: time::Date| day.with_time(Time::MIDNIGHT).assume_utc();
    let year_start = midnight(year_bounds(latest.performance_year).0);
    let first_month = midnight(aco.synth.period().first_day());
    let half: Duration = (year_start - first_month) / 2;
    let since = (year_start - half).replace_nanosecond(0).unwrap();
    let baseline = *defaults
        .iter()
        .rev()
        .find(|f| f.timestamp() <= since.min(latest.timestamp() - Duration::seconds(1)))
        .unwrap();
    let is_new = |record: &BeneficiaryRecord| {
        latest.lists(&record.attribution) && !baseline.lists(&record.attribution)
    };
    let rows = |record: &BeneficiaryRecord| {
        aco.synth.is_exported(record).then_some(Rows {
            since: (!is_new(record)).then_some(since),
            ..Rows::default()
        })
    };
    let everyone = records(&aco);
    let new: Vec<&BeneficiaryRecord> = everyone
        .iter()
        .filter(|r| aco.synth.is_exported(r) && is_new(r))
        .collect();
    assert!(!new.is_empty(), "some beneficiaries are newly attributed");
    let since_text = since.format(&Rfc3339).unwrap().replace('Z', "%2B00:00");

    for version in VERSIONS {
        let path = format!(
            "/api/{}/Group/all/$export?_since={since_text}",
            version.as_str()
        );
        let manifest = app.export(&aco.token, &path).await;
        let got = sorted(lines(&app, &aco.token, &manifest, "output").await);
        let want = support::expected_of(&aco.synth, version, &ALL, rows);
        assert!(
            got == want,
            "new: full history; others: changes ({version:?})"
        );
        // More than the changes alone: the new beneficiaries' older claims.
        let changes = support::expected(&aco.synth, version, &ALL, Some(since));
        assert!(
            want["ExplanationOfBenefit"].len() > changes["ExplanationOfBenefit"].len(),
            "{version:?}"
        );
        // `Patient/$export` gives everyone only their changes, as BCDA does.
        let patients = format!(
            "/api/{}/Patient/$export?_since={since_text}",
            version.as_str()
        );
        let manifest = app.export(&aco.token, &patients).await;
        let got = sorted(lines(&app, &aco.token, &manifest, "output").await);
        assert!(got == changes, "{version:?}");
    }
}

#[tokio::test]
async fn opted_out_beneficiaries_appear_in_no_file_and_no_batch() {
    let app = small_batches().spawn().await;
    let aco = app.synthetic_aco("A9990", 40).await;
    let everyone = records(&aco);
    let latest = *files_of(&aco, AttributionKind::Default).last().unwrap();
    let attributed: Vec<&BeneficiaryRecord> = everyone
        .iter()
        .filter(|r| latest.lists(&r.attribution))
        .collect();
    let mut opted_out: Vec<&BeneficiaryRecord> = attributed
        .iter()
        .copied()
        .filter(|r| r.opted_out_on.is_some())
        .collect();
    assert_eq!(opted_out.len(), 1, "the generator opts one in 50 out");
    // One more, as `bcda opt-out add` records it.
    let another = attributed
        .iter()
        .copied()
        .find(|r| r.opted_out_on.is_none())
        .unwrap();
    app.ctx
        .db
        .get()
        .await
        .unwrap()
        .execute(
            "INSERT INTO opt_outs (beneficiary_id, effective_date) VALUES ($1, current_date)",
            &[&another.beneficiary.id],
        )
        .await
        .unwrap();
    opted_out.push(another);
    let sharing = attributed.len() - opted_out.len();

    for version in VERSIONS {
        let path = format!("/api/{}/Patient/$export", version.as_str());
        let manifest = app.export(&aco.token, &path).await;
        let got = lines(&app, &aco.token, &manifest, "output").await;
        assert_eq!(got["Patient"].len(), sharing, "{version:?}");
        for kind in ALL {
            for record in &opted_out {
                assert!(!mentions(&got[kind], record), "{kind} ({version:?})");
            }
        }
        // Progress counts batches of those who share: Patient batches hold 10.
        let job_id: i64 = manifest["JobID"].as_i64().unwrap();
        let batches = app
            .count(&format!(
                "SELECT count(*) FROM job_keys WHERE job_id = {job_id} AND resource_type = 'Patient'"
            ))
            .await;
        assert_eq!(batches as usize, sharing.div_ceil(10), "{version:?}");
    }
}
