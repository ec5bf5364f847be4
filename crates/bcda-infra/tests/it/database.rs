use bcda_infra::db;
use bcda_testkit::TestDatabase;

#[tokio::test]
async fn migrations_apply_twice_without_change() {
    let database = TestDatabase::create().await;
    let pool = db::connect(&database.config()).unwrap();

    // The test database is cloned from a migrated template: nothing is left to apply,
    // and applying again is a no-op rather than an error.
    assert!(db::migrate(&pool).await.unwrap().applied.is_empty());
    assert!(db::migrate(&pool).await.unwrap().applied.is_empty());

    let client = pool.get().await.unwrap();
    let tables: Vec<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' ORDER BY table_name",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    for table in ["acos", "job_keys", "jobs", "outbox"] {
        assert!(
            tables.iter().any(|t| t == table),
            "missing table {table}: {tables:?}"
        );
    }
}

#[tokio::test]
async fn migrate_creates_a_missing_database_and_applies_everything_once() {
    let database = TestDatabase::not_yet_created();
    let config = database.config();

    assert!(
        db::ensure_database(&config).await.unwrap(),
        "database should be created"
    );
    assert!(
        !db::ensure_database(&config).await.unwrap(),
        "second call finds it"
    );
    let pool = db::connect(&config).unwrap();
    let first = db::migrate(&pool).await.unwrap();
    assert_eq!(first.applied.len(), migration_count());
    assert!(db::migrate(&pool).await.unwrap().applied.is_empty());
    pool.close();
}

#[tokio::test]
async fn concurrent_migrators_apply_each_migration_once() {
    let database = TestDatabase::not_yet_created();
    let config = database.config();
    db::ensure_database(&config).await.unwrap();

    let pool = db::connect(&config).unwrap();
    let (a, b) = tokio::join!(db::migrate(&pool), db::migrate(&pool));
    let applied = a.unwrap().applied.len() + b.unwrap().applied.len();
    assert_eq!(applied, migration_count());
    pool.close();
}

#[tokio::test]
async fn ping_reports_an_unreachable_database() {
    let config = bcda_infra::config::DatabaseConfig {
        // Nothing listens on port 1.
        url: "postgres://postgres@127.0.0.1:1/bcda".to_owned().into(),
        pool_size: 1,
    };
    let pool = db::connect(&config).unwrap();
    assert!(db::ping(&pool).await.is_err());
}

fn migration_count() -> usize {
    std::fs::read_dir(
        std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
        )
        .join("../../migrations"),
    )
    .unwrap()
    .filter(|entry| {
        entry
            .as_ref()
            .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".sql"))
    })
    .count()
}
