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
    /// Written files with data: (resource type, object key), in the order of the
    /// job's types (as requested; BCDA's order without `_type`) and batches.
    pub files: Vec<(String, String)>,
    /// Files of OperationOutcomes for work that failed: object keys.
    pub error_files: Vec<String>,
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
                    expires_at \
             FROM jobs j WHERE id = $1 AND aco_id = $2 AND api_version = $3",
            &[&id, &aco_id, &version.as_str(), &WARNINGS_RESOURCE_TYPE],
        )
        .await?
    else {
        return Ok(None);
    };
    let files = client
        .query(
            "SELECT k.resource_type, k.object_key FROM job_keys k JOIN jobs j ON j.id = k.job_id \
             WHERE k.job_id = $1 AND k.object_key IS NOT NULL AND k.resource_count > 0 \
             ORDER BY array_position(j.resource_types, k.resource_type), k.batch_index",
            &[&id],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let error_files = client
        .query(
            "SELECT k.error_object_key FROM job_keys k JOIN jobs j ON j.id = k.job_id \
             WHERE k.job_id = $1 AND k.error_object_key IS NOT NULL \
             ORDER BY k.resource_type = $2 DESC, \
                      array_position(j.resource_types, k.resource_type), k.batch_index",
            &[&id, &WARNINGS_RESOURCE_TYPE],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(Some(JobState {
        status: row.get::<_, &str>(0).parse()?,
        request_url: row.get(1),
        transaction_time: row.get(2),
        keys_total: row.get(3),
        keys_done: row.get(4),
        expires_at: row.get(5),
        files,
        error_files,
    }))
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
