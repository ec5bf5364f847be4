//! Creating export jobs: the job, its keys and their outbox messages in one transaction.

use bcda_infra::DbPool;
use bcda_model::export::{ExportRequest, ExportWork, job_keys};
use bcda_model::{ApiVersion, ResourceType};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::jobs_repo::RepoError;

/// A kick-off to record.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub aco_id: Uuid,
    pub version: ApiVersion,
    pub request_url: &'a str,
    pub request: &'a ExportRequest,
    pub transaction_time: OffsetDateTime,
}

/// What recording a kick-off did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    Job(i64),
    /// The ACO already has an active job on this version whose types overlap.
    Busy,
}

/// Records a job unless an overlapping one is active. The ACO row is locked for the
/// transaction, so two simultaneous kick-offs of one ACO cannot both pass the check.
pub async fn create_job(db: &DbPool, job: NewJob<'_>) -> Result<Created, RepoError> {
    let mut client = db.get().await?;
    let tx = client.transaction().await?;
    tx.execute(
        "SELECT 1 FROM acos WHERE id = $1 FOR UPDATE",
        &[&job.aco_id],
    )
    .await?;

    let types: Vec<&str> = job.request.types.iter().map(|t| t.as_str()).collect();
    let busy = tx
        .query_opt(
            "SELECT 1 FROM jobs WHERE aco_id = $1 AND api_version = $2 \
               AND status IN ('Pending', 'In Progress') \
               AND created_at > now() - interval '24 hours' \
               AND (NOT types_requested OR NOT $3 OR resource_types && $4::text[]) \
             LIMIT 1",
            &[
                &job.aco_id,
                &job.version.as_str(),
                &job.request.types_requested,
                &types,
            ],
        )
        .await?
        .is_some();
    if busy {
        return Ok(Created::Busy);
    }

    let beneficiaries: i64 = tx
        .query_one(
            "SELECT count(*) FROM aco_beneficiaries WHERE aco_id = $1 AND ended_on IS NULL",
            &[&job.aco_id],
        )
        .await?
        .get(0);
    let keys = job_keys(&job.request.types, beneficiaries as u64);
    let job_id: i64 = tx
        .query_one(
            "INSERT INTO jobs (aco_id, api_version, request_url, resource_types, types_requested, since, \
                               transaction_time, keys_total) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &[
                &job.aco_id,
                &job.version.as_str(),
                &job.request_url,
                &types,
                &job.request.types_requested,
                &job.request.since,
                &job.transaction_time,
                &(keys.len() as i32),
            ],
        )
        .await?
        .get(0);

    // Keys and their messages in bulk: two statements whatever the ACO's size.
    let key_types: Vec<&str> = keys.iter().map(|(t, _)| t.as_str()).collect();
    let batches: Vec<i32> = keys.iter().map(|(_, b)| *b).collect();
    let rows = tx
        .query(
            "INSERT INTO job_keys (job_id, resource_type, batch_index) \
             SELECT $1, t, b FROM unnest($2::text[], $3::int[]) AS k(t, b) \
             RETURNING id, resource_type",
            &[&job_id, &key_types, &batches],
        )
        .await?;
    let mut routing_keys = Vec::with_capacity(rows.len());
    let mut payloads = Vec::with_capacity(rows.len());
    for row in &rows {
        let resource_type: ResourceType = row
            .get::<_, &str>(1)
            .parse()
            .map_err(|_| RepoError::Corrupt)?;
        routing_keys.push(bcda_infra::queue::Topology::routing_key(resource_type));
        let work = ExportWork::V1 {
            job_id,
            job_key_id: row.get(0),
        };
        payloads.push(serde_json::to_value(work).map_err(|_| RepoError::Corrupt)?);
    }
    tx.execute(
        "INSERT INTO outbox (routing_key, payload) SELECT * FROM unnest($1::text[], $2::jsonb[])",
        &[&routing_keys, &payloads],
    )
    .await?;
    tx.commit().await?;
    Ok(Created::Job(job_id))
}
