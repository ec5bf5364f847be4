//! What the file server reads about jobs.

use bcda_infra::DbPool;
use bcda_model::JobStatus;
use time::OffsetDateTime;
use uuid::Uuid;

/// A failure to read a job.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("database unavailable: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("stored job has an unknown status: {0}")]
    Status(#[from] bcda_model::job::UnknownJobStatus),
}

/// A job as a download sees it.
#[derive(Debug, Clone)]
pub struct DownloadableJob {
    pub status: JobStatus,
    pub expires_at: Option<OffsetDateTime>,
    /// Whether the requested file is one the job wrote.
    pub lists_file: bool,
    /// The resource type of the key that wrote the file (its error file included).
    pub resource_type: Option<String>,
    /// For a job organized by patient, whose files each hold all its types: those types.
    pub organized_types: Option<Vec<String>>,
    /// The file's uncompressed size.
    pub content_bytes: Option<i64>,
    /// The trace context of the job's kick-off, which its downloads join.
    pub trace_context: std::collections::HashMap<String, String>,
}

/// The job `job_id` of ACO `aco_id`, with whether it wrote `object_key`; `None` when
/// the ACO has no such job, so other ACOs' job ids reveal nothing.
pub async fn find_job(
    db: &DbPool,
    aco_id: Uuid,
    job_id: i64,
    object_key: &str,
) -> Result<Option<DownloadableJob>, RepoError> {
    let client = db.get().await?;
    let row = client
        .query_opt(
            "SELECT j.status, j.expires_at, f.listed IS NOT NULL, f.content_bytes, j.trace_context, \
                    f.resource_type, CASE WHEN j.organize_by_patient THEN j.resource_types END \
             FROM jobs j LEFT JOIN LATERAL ( \
                 SELECT true AS listed, k.resource_type, \
                        CASE WHEN k.object_key = $3 THEN k.content_bytes \
                             ELSE k.error_content_bytes END AS content_bytes \
                 FROM job_keys k WHERE k.job_id = j.id \
                   AND (k.object_key = $3 OR k.error_object_key = $3) \
                 LIMIT 1) f ON true \
             WHERE j.id = $1 AND j.aco_id = $2",
            &[&job_id, &aco_id, &object_key],
        )
        .await?;
    row.map(|row| {
        Ok(DownloadableJob {
            status: row.get::<_, &str>(0).parse()?,
            expires_at: row.get(1),
            lists_file: row.get(2),
            content_bytes: row.get(3),
            trace_context: serde_json::from_value(row.get(4)).unwrap_or_default(),
            resource_type: row.get(5),
            organized_types: row.get(6),
        })
    })
    .transpose()
}

/// The ACO that owns a job, for a signed download.
#[derive(Debug, Clone)]
pub struct JobOwner {
    pub aco_id: Uuid,
    pub cms_id: String,
    pub denied: bool,
}

/// Who owns job `job_id`, if it exists.
pub async fn job_owner(db: &DbPool, job_id: i64) -> Result<Option<JobOwner>, RepoError> {
    let row = db
        .get()
        .await?
        .query_opt(
            "SELECT a.id, a.cms_id, a.denied_at IS NOT NULL FROM jobs j JOIN acos a ON a.id = j.aco_id \
             WHERE j.id = $1",
            &[&job_id],
        )
        .await?;
    Ok(row.map(|row| JobOwner {
        aco_id: row.get(0),
        cms_id: row.get(1),
        denied: row.get(2),
    }))
}
