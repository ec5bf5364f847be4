//! Export jobs in Postgres, as the API reads them.

use bcda_infra::DbPool;
use bcda_model::export::WARNINGS_RESOURCE_TYPE;
use bcda_model::fhir::JobSummary;
use bcda_model::{ApiVersion, JobStatus};
use uuid::Uuid;

/// A failure to read jobs.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("database unavailable: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("stored job has an unknown status: {0}")]
    Status(#[from] bcda_model::job::UnknownJobStatus),
    #[error("stored data does not match this build")]
    Corrupt,
}

/// The jobs of one ACO on one API version, newest first, optionally only those in
/// `statuses`.
pub async fn list_jobs(
    db: &DbPool,
    aco_id: Uuid,
    version: ApiVersion,
    statuses: &[JobStatus],
) -> Result<Vec<JobSummary>, RepoError> {
    let statuses: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    let client = db.get().await?;
    let rows = client
        .query(
            "SELECT id, status, request_url, created_at, completed_at FROM jobs \
             WHERE aco_id = $1 AND api_version = $2 \
               AND (cardinality($3::text[]) = 0 OR status = ANY($3)) \
             ORDER BY id DESC",
            &[&aco_id, &version.as_str(), &statuses],
        )
        .await?;
    rows.iter()
        .map(|row| {
            Ok(JobSummary {
                id: row.get(0),
                status: row.get::<_, &str>(1).parse()?,
                request_url: row.get(2),
                created_at: row.get(3),
                completed_at: row.get(4),
            })
        })
        .collect()
}

/// One job as its status endpoint sees it.
#[derive(Debug, Clone)]
pub struct JobState {
    pub status: JobStatus,
    pub request_url: String,
    pub transaction_time: time::OffsetDateTime,
    pub keys_total: i32,
    pub keys_done: i64,
    pub expires_at: Option<time::OffsetDateTime>,
    /// The types the job exports, as stored.
    pub resource_types: Vec<String>,
    /// `organizeOutputBy=Patient`: each file holds several types.
    pub organize_by_patient: bool,
    /// `allowPartialManifests=true`: status lists files as they are done, on pages.
    pub partial_manifests: bool,
}

/// The files a manifest (or one page of it) lists.
#[derive(Debug, Clone, Default)]
pub struct ManifestFiles {
    /// Written files with data: all of the job's, in the order of its types (as
    /// requested; BCDA's order without `_type`) and batches; or one page's, in the order
    /// they were done.
    pub files: Vec<JobFile>,
    /// Files of OperationOutcomes: the job's warnings first, then work that failed.
    pub error_files: Vec<JobFile>,
    /// The page after this one, when it exists.
    pub next_page: Option<i32>,
}

/// One file a job wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFile {
    /// The key's resource type as stored.
    pub resource_type: String,
    pub object_key: String,
    /// Its lines.
    pub count: i64,
}

/// Job `id` of ACO `aco_id` on `version`; `None` when the ACO has no such job.
pub async fn find_job(
    db: &DbPool,
    aco_id: Uuid,
    version: ApiVersion,
    id: i64,
) -> Result<Option<JobState>, RepoError> {
    let client = db.get().await?;
    let Some(row) = client
        .query_opt(
            "SELECT status, request_url, transaction_time, keys_total, \
                    (SELECT count(*) FROM job_keys k WHERE k.job_id = j.id AND k.done_at IS NOT NULL \
                       AND k.resource_type <> $4), \
                    expires_at, organize_by_patient, partial_manifests, resource_types \
             FROM jobs j WHERE id = $1 AND aco_id = $2 AND api_version = $3",
            &[&id, &aco_id, &version.as_str(), &WARNINGS_RESOURCE_TYPE],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(JobState {
        status: row.get::<_, &str>(0).parse()?,
        request_url: row.get(1),
        transaction_time: row.get(2),
        keys_total: row.get(3),
        keys_done: row.get(4),
        expires_at: row.get(5),
        organize_by_patient: row.get(6),
        partial_manifests: row.get(7),
        resource_types: row.get(8),
    }))
}

fn job_file(row: &tokio_postgres::Row) -> JobFile {
    JobFile {
        resource_type: row.get(0),
        object_key: row.get(1),
        count: row.get(2),
    }
}

/// Every file job `id` has written, for its complete manifest.
pub async fn all_files(db: &DbPool, id: i64) -> Result<ManifestFiles, RepoError> {
    let client = db.get().await?;
    let files = client
        .query(
            "SELECT k.resource_type, k.object_key, k.resource_count FROM job_keys k \
             JOIN jobs j ON j.id = k.job_id \
             WHERE k.job_id = $1 AND k.object_key IS NOT NULL AND k.resource_count > 0 \
             ORDER BY array_position(j.resource_types, k.resource_type), k.batch_index",
            &[&id],
        )
        .await?
        .iter()
        .map(job_file)
        .collect();
    Ok(ManifestFiles {
        files,
        error_files: error_files(&client, id).await?,
        next_page: None,
    })
}

/// Page `page` (from 1) of the manifest of job `id`, which has partial manifests; `None`
/// when no such page exists yet.
///
/// A page, once listed, never changes (the Bulk Data IG): files done since the last
/// listing go on new pages of at most `page_size` files, in the order they were done.
/// The job row is locked while they are placed, so two polls at once cannot place one
/// file twice or add to a page the other has returned.
pub async fn page_of_files(
    db: &DbPool,
    id: i64,
    page: i32,
    page_size: i64,
) -> Result<Option<ManifestFiles>, RepoError> {
    let mut client = db.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT 1 FROM jobs WHERE id = $1 FOR UPDATE", &[&id])
        .await?;
    tx.execute(
        "WITH placed AS (SELECT coalesce(max(manifest_page), 0) AS last FROM job_keys WHERE job_id = $1), \
              fresh AS (SELECT id, row_number() OVER (ORDER BY done_at, id) - 1 AS n FROM job_keys \
                        WHERE job_id = $1 AND manifest_page IS NULL AND done_at IS NOT NULL \
                          AND object_key IS NOT NULL AND resource_count > 0) \
         UPDATE job_keys k SET manifest_page = placed.last + 1 + (fresh.n / $2)::int \
         FROM fresh, placed WHERE k.id = fresh.id",
        &[&id, &page_size],
    )
    .await?;
    let files: Vec<JobFile> = tx
        .query(
            "SELECT resource_type, object_key, resource_count FROM job_keys \
             WHERE job_id = $1 AND manifest_page = $2 ORDER BY done_at, id",
            &[&id, &page],
        )
        .await?
        .iter()
        .map(job_file)
        .collect();
    let more: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM job_keys WHERE job_id = $1 AND manifest_page > $2)",
            &[&id, &page],
        )
        .await?
        .get(0);
    tx.commit().await?;
    if files.is_empty() {
        return Ok(None);
    }
    Ok(Some(ManifestFiles {
        files,
        error_files: error_files(&client, id).await?,
        next_page: more.then_some(page + 1),
    }))
}

/// The job's error files: its warnings first, then those of work that failed.
async fn error_files(
    client: &deadpool_postgres::Client,
    id: i64,
) -> Result<Vec<JobFile>, RepoError> {
    Ok(client
        .query(
            "SELECT k.resource_type, k.error_object_key, k.error_count FROM job_keys k \
             JOIN jobs j ON j.id = k.job_id \
             WHERE k.job_id = $1 AND k.error_object_key IS NOT NULL \
             ORDER BY k.resource_type = $2 DESC, \
                      array_position(j.resource_types, k.resource_type), k.batch_index",
            &[&id, &WARNINGS_RESOURCE_TYPE],
        )
        .await?
        .iter()
        .map(job_file)
        .collect())
}

/// What a cancel request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancellation {
    Cancelled,
    /// The job exists but has already finished (or was cancelled).
    NotActive,
    NotFound,
}

/// Cancels job `id` of ACO `aco_id` if it is Pending or In Progress.
pub async fn cancel_job(
    db: &DbPool,
    aco_id: Uuid,
    version: ApiVersion,
    id: i64,
) -> Result<Cancellation, RepoError> {
    let client = db.get().await?;
    let updated = client
        .execute(
            "UPDATE jobs SET status = 'Cancelled', updated_at = now() \
             WHERE id = $1 AND aco_id = $2 AND api_version = $3 AND status IN ('Pending', 'In Progress')",
            &[&id, &aco_id, &version.as_str()],
        )
        .await?;
    if updated == 1 {
        return Ok(Cancellation::Cancelled);
    }
    let exists = client
        .query_opt(
            "SELECT 1 FROM jobs WHERE id = $1 AND aco_id = $2 AND api_version = $3",
            &[&id, &aco_id, &version.as_str()],
        )
        .await?
        .is_some();
    Ok(if exists {
        Cancellation::NotActive
    } else {
        Cancellation::NotFound
    })
}
