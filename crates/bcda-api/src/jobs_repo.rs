//! Export jobs in Postgres, as the API reads them.

use bcda_infra::DbPool;
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
