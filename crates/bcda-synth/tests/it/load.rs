use bcda_infra::DbPool;
use bcda_synth::load;
use bcda_synth::{Synth, SynthSpec};
use bcda_testkit::TestDatabase;
use time::macros::date;

fn synth(cms_id: &str, beneficiaries: u64) -> Synth {
    Synth::new(SynthSpec {
        cms_id: cms_id.into(),
        beneficiaries,
        seed: 42,
        years: 1,
        as_of: date!(2026 - 11 - 01),
    })
    .unwrap()
}

async fn pool(database: &TestDatabase) -> DbPool {
    bcda_infra::db::connect(&database.config()).unwrap()
}

/// A digest of every synthetic table's full contents, in key order.
async fn checksums(db: &DbPool) -> Vec<(String, String)> {
    let client = db.get().await.unwrap();
    let mut sums = Vec::new();
    // Attribution files get new ids and load times on every load: their content is
    // compared without them.
    for (table, row, from, order) in [
        ("beneficiaries", "t::text", "beneficiaries t", "id"),
        (
            "enrollment_years",
            "t::text",
            "enrollment_years t",
            "beneficiary_id, year",
        ),
        (
            "enrollment_months",
            "t::text",
            "enrollment_months t",
            "beneficiary_id, year, month",
        ),
        ("claims", "t::text", "claims t", "clm_id"),
        (
            "claim_lines",
            "t::text",
            "claim_lines t",
            "clm_id, line_num",
        ),
        ("pde_events", "t::text", "pde_events t", "pde_id"),
        (
            "attribution",
            "concat_ws(',', f.kind, f.performance_year, f.file_date, m.beneficiary_id)",
            "attribution_files f JOIN attribution_members m ON m.file_id = f.id",
            "f.kind, f.file_date, m.beneficiary_id",
        ),
        (
            "opt_outs",
            "concat_ws(',', t.beneficiary_id, t.effective_date)",
            "opt_outs t",
            "beneficiary_id",
        ),
    ] {
        let sql = format!(
            "SELECT md5(coalesce(string_agg({row}, '|' ORDER BY {order}), '')) FROM {from}"
        );
        let sum: String = client.query_one(&sql, &[]).await.unwrap().get(0);
        sums.push((table.to_owned(), sum));
    }
    sums
}

#[tokio::test]
async fn loading_twice_in_two_databases_gives_byte_identical_tables() {
    let (first, second) = (TestDatabase::create().await, TestDatabase::create().await);
    let (a, b) = (pool(&first).await, pool(&second).await);
    let synth = synth("A9994", 50);
    let aco_a = bcda_synth::sandbox::aco_id(&a, "A9994").await.unwrap();
    let aco_b = bcda_synth::sandbox::aco_id(&b, "A9994").await.unwrap();
    load::load(&a, aco_a, &synth).await.unwrap();
    load::load(&b, aco_b, &synth).await.unwrap();
    assert_eq!(checksums(&a).await, checksums(&b).await);
}

#[tokio::test]
async fn reloading_replaces_the_data_without_duplicates_and_keeps_other_acos() {
    let database = TestDatabase::create().await;
    let db = pool(&database).await;
    let xs = bcda_synth::sandbox::aco_id(&db, "A9994").await.unwrap();
    let other = bcda_synth::sandbox::aco_id(&db, "A9995").await.unwrap();
    let first = load::load(&db, xs, &synth("A9994", 50)).await.unwrap();
    let other_report = load::load(&db, other, &synth("A9995", 20)).await.unwrap();
    let before = checksums(&db).await;
    let again = load::load(&db, xs, &synth("A9994", 50)).await.unwrap();

    assert_eq!(first.attributed, 50);
    assert_eq!(again.claims, first.claims);
    assert_eq!(
        checksums(&db).await,
        before,
        "reloading the same data set changes nothing"
    );
    assert!(load::is_loaded(&db, xs, &synth("A9994", 50)).await.unwrap());
    assert!(!load::is_loaded(&db, xs, &synth("A9994", 51)).await.unwrap());

    let client = db.get().await.unwrap();
    // A data set an earlier generator made is not the one this generator would load.
    client
        .execute(
            "UPDATE synthetic_datasets SET generator_version = $2 WHERE aco_id = $1",
            &[&xs, &(bcda_synth::GENERATOR_VERSION - 1)],
        )
        .await
        .unwrap();
    assert!(!load::is_loaded(&db, xs, &synth("A9994", 50)).await.unwrap());

    let claims: i64 = client
        .query_one("SELECT count(*) FROM claims", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(claims as u64, first.claims + other_report.claims);
    let latest: i64 = client
        .query_one(
            "SELECT count(*) FROM attribution_members WHERE file_id = ( \
                 SELECT id FROM attribution_files WHERE aco_id = $1 AND kind = 'default' \
                 ORDER BY file_date DESC LIMIT 1)",
            &[&other],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(latest, 20);
    assert_eq!(other_report.attributed, 20);
}

#[tokio::test]
async fn a_smaller_reload_leaves_no_rows_of_the_larger_one() {
    let database = TestDatabase::create().await;
    let db = pool(&database).await;
    let aco = bcda_synth::sandbox::aco_id(&db, "A9994").await.unwrap();
    load::load(&db, aco, &synth("A9994", 60)).await.unwrap();
    let report = load::load(&db, aco, &synth("A9994", 10)).await.unwrap();
    let client = db.get().await.unwrap();
    let beneficiaries: i64 = client
        .query_one("SELECT count(*) FROM beneficiaries", &[])
        .await
        .unwrap()
        .get(0);
    let lines: i64 = client
        .query_one("SELECT count(*) FROM claim_lines", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(beneficiaries as u64, report.beneficiaries);
    assert_eq!(lines as u64, report.claim_lines);
}

#[tokio::test]
async fn partially_adjudicated_claims_are_loaded_for_entitled_models_only_and_replaced_on_reload() {
    let database = TestDatabase::create().await;
    let db = pool(&database).await;
    let reach = bcda_synth::sandbox::aco_id(&db, "D9994").await.unwrap();
    let ssp = bcda_synth::sandbox::aco_id(&db, "A9994").await.unwrap();
    let first = load::load(&db, reach, &synth("D9994", 20)).await.unwrap();
    let ssp_report = load::load(&db, ssp, &synth("A9994", 20)).await.unwrap();
    assert_eq!(ssp_report.shared_system_claims, 0);
    // Every carrier and facility claim of the ACO has its FISS or MCS record, DME none.
    let client = db.get().await.unwrap();
    let namespace = bcda_synth::ids::namespace("D9994").unwrap();
    let (lo, hi) = bcda_synth::ids::beneficiary_key_range(namespace);
    let count = |sql: &'static str| {
        let client = &client;
        async move {
            client
                .query_one(sql, &[&lo, &hi])
                .await
                .unwrap()
                .get::<_, i64>(0) as u64
        }
    };
    let pac_kinds = count(
        "SELECT count(*) FROM claims WHERE claim_type <> 'dme' AND beneficiary_id BETWEEN $1 AND $2",
    )
    .await;
    assert!(first.shared_system_claims > 50, "{first:?}");
    assert!(first.shared_system_claim_lines >= first.shared_system_claims);
    assert_eq!(
        count(
            "SELECT count(*) FROM shared_system_claims s JOIN claims c ON c.clm_id = s.final_clm_id \
             WHERE s.beneficiary_id BETWEEN $1 AND $2 AND c.claim_type <> 'dme'"
        )
        .await,
        pac_kinds
    );
    // The others are in process: no final claim yet, and their control numbers are in
    // no NCH claim.
    let pending = count(
        "SELECT count(*) FROM shared_system_claims s WHERE s.beneficiary_id BETWEEN $1 AND $2 \
         AND s.final_clm_id IS NULL \
         AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.control_num = s.control_num)",
    )
    .await;
    assert!(pending > 0, "{first:?}");
    assert_eq!(first.shared_system_claims, pac_kinds + pending);
    let again = load::load(&db, reach, &synth("D9994", 20)).await.unwrap();
    assert_eq!(again.shared_system_claims, first.shared_system_claims);
    assert_eq!(
        count("SELECT count(*) FROM shared_system_claims WHERE beneficiary_id BETWEEN $1 AND $2")
            .await,
        first.shared_system_claims
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM shared_system_claim_lines WHERE beneficiary_id BETWEEN $1 AND $2"
        )
        .await,
        first.shared_system_claim_lines
    );
}
