//! A job key's life in Postgres, as workers drive it: read what to do, mark the job
//! started, and commit the result exactly once.
//!
//! Committing locks the job row, so concurrent commits of one job's keys are ordered:
//! exactly one of them sees the last key done and completes the job, a redelivered key
//! is never counted twice, and a stale worker whose key another worker already finished
//! learns so and discards its own file.

use std::time::Duration;

use bcda_model::attribution::runout_service_dates;
use bcda_model::export::{
    BeneficiaryRange, EobFilter, RunoutBounds, UpdateWindow, WARNINGS_RESOURCE_TYPE,
};
use bcda_model::job::KeyTally;
use bcda_model::{ApiVersion, JobStatus, ResourceType};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::claims_repo::Members;
use crate::error::KeyError;

/// Everything a worker needs to export one job key.
#[derive(Debug, Clone)]
pub struct KeyTask {
    pub job_id: i64,
    pub job_key_id: i64,
    pub aco_id: Uuid,
    pub cms_id: String,
    pub version: ApiVersion,
    /// The key's type; for a job organized by patient, `Patient`, and the key holds
    /// every type in `job_types`.
    pub resource_type: ResourceType,
    /// The types the job exports, in its order.
    pub job_types: Vec<ResourceType>,
    /// `organizeOutputBy=Patient`: the key's file holds each beneficiary's resources
    /// together, their Patient first.
    pub organize_by_patient: bool,
    pub batch_index: i32,
    pub beneficiaries: BeneficiaryRange,
    pub members: Members,
    pub window: UpdateWindow,
    /// v3: which ExplanationOfBenefits the job exports (its `_typeFilter`, with BCDA's
    /// default); `None` on v1 and v2.
    pub eob_filter: Option<EobFilter>,
    /// Whether the key still needs doing.
    pub state: KeyState,
}

impl KeyTask {
    /// The types whose resources the key's file holds: its own, or, organized by
    /// patient, all of the job's.
    pub fn read_types(&self) -> &[ResourceType] {
        if self.organize_by_patient {
            &self.job_types
        } else {
            std::slice::from_ref(&self.resource_type)
        }
    }
}

/// Whether a key needs work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    Ready,
    /// Another delivery already finished it.
    AlreadyDone,
    /// Its job was cancelled, failed or expired.
    JobInactive(JobStatus),
}

/// Reads key `job_key_id` of job `job_id`.
pub async fn load(
    db: &bcda_infra::DbPool,
    job_id: i64,
    job_key_id: i64,
) -> Result<KeyTask, KeyError> {
    let client = db.get().await?;
    let row = client
        .query_opt(
            "SELECT j.aco_id, a.cms_id, j.api_version, j.status, j.since, j.transaction_time, \
                    k.resource_type, k.batch_index, k.first_beneficiary_id, k.end_beneficiary_id, \
                    k.done_at IS NOT NULL, j.attribution_file_id, j.since_baseline_file_id, \
                    f.kind = 'runout', f.performance_year, f.file_date, j.eob_filter, \
                    j.resource_types, j.until, j.patient_ids, j.organize_by_patient \
             FROM job_keys k JOIN jobs j ON j.id = k.job_id JOIN acos a ON a.id = j.aco_id \
             LEFT JOIN attribution_files f ON f.id = j.attribution_file_id \
             WHERE k.id = $1 AND k.job_id = $2",
            &[&job_key_id, &job_id],
        )
        .await?
        .ok_or(KeyError::UnknownKey { job_id, job_key_id })?;
    let version: &str = row.get(2);
    let status: JobStatus = row
        .get::<_, &str>(3)
        .parse()
        .map_err(|e| KeyError::data(format!("job {job_id}: {e}")))?;
    let resource_type: &str = row.get(6);
    let transaction_time: OffsetDateTime = row.get(5);
    // A runout export reads its performance year's claims, processed by the file's date.
    let runout = row
        .get::<_, Option<bool>>(13)
        .unwrap_or(false)
        .then(|| RunoutBounds {
            service_dates: runout_service_dates(i32::from(row.get::<_, i16>(14))),
            processed_by: row.get(15),
        });
    let state = if !status.is_active() {
        KeyState::JobInactive(status)
    } else if row.get::<_, bool>(10) {
        KeyState::AlreadyDone
    } else {
        KeyState::Ready
    };
    Ok(KeyTask {
        job_id,
        job_key_id,
        aco_id: row.get(0),
        cms_id: row.get(1),
        version: version.parse().map_err(|_| {
            KeyError::data(format!("job {job_id}: unknown API version {version:?}"))
        })?,
        resource_type: resource_type.parse().map_err(|_| {
            KeyError::data(format!(
                "job {job_id}: unknown resource type {resource_type:?}"
            ))
        })?,
        batch_index: row.get(7),
        beneficiaries: BeneficiaryRange {
            first: row.get(8),
            end: row.get(9),
        },
        members: Members {
            file_id: row.get(11),
            since_baseline_file_id: row.get(12),
            patients: row.get(19),
        },
        job_types: row
            .get::<_, Vec<&str>>(17)
            .into_iter()
            .map(|t| {
                t.parse().map_err(|_| {
                    KeyError::data(format!("job {job_id}: unknown resource type {t:?}"))
                })
            })
            .collect::<Result<_, _>>()?,
        organize_by_patient: row.get(20),
        eob_filter: row
            .get::<_, Option<&str>>(16)
            .map(EobFilter::parse_parameters)
            .transpose()
            .map_err(|e| KeyError::data(format!("job {job_id}: stored filter: {e}")))?,
        window: UpdateWindow::of_job(transaction_time, row.get(4), row.get(18), runout),
        state,
    })
}

/// Marks the job In Progress when its first key starts.
pub async fn start(db: &bcda_infra::DbPool, job_id: i64) -> Result<(), KeyError> {
    db.get()
        .await?
        .execute(
            "UPDATE jobs SET status = 'In Progress', updated_at = now() \
             WHERE id = $1 AND status = 'Pending'",
            &[&job_id],
        )
        .await?;
    Ok(())
}

/// What a key produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyOutput {
    /// The NDJSON file, when the key had any resources.
    pub object_key: Option<String>,
    pub resources: u64,
    /// The NDJSON file's uncompressed size.
    pub content_bytes: u64,
    /// The OperationOutcome file, when some of the key's work failed.
    pub error_object_key: Option<String>,
    pub errors: u64,
    /// The error file's uncompressed size.
    pub error_content_bytes: u64,
    /// Whether the key gave up.
    pub failed: bool,
}

/// How a finished key changes its job.
#[derive(Debug, Clone, Copy)]
pub struct CompletionPolicy {
    /// How long files stay downloadable after the job finishes.
    pub ttl: Duration,
    pub failure_threshold_pct: u8,
}

/// What committing a key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    /// The result is the key's; the job is now in `JobStatus`.
    Committed(JobStatus),
    /// Another worker committed the key first; this result must be discarded.
    AlreadyDone,
    /// The job stopped being active meanwhile; this result must be discarded.
    JobInactive(JobStatus),
}

/// Records `output` as the key's result unless the key is already done or its job is no
/// longer active, and settles the job's status.
pub async fn commit(
    db: &bcda_infra::DbPool,
    task: &KeyTask,
    output: &KeyOutput,
    policy: CompletionPolicy,
) -> Result<Commit, KeyError> {
    let mut client = db.get().await?;
    let tx = client.transaction().await?;
    let status: JobStatus = tx
        .query_one(
            "SELECT status FROM jobs WHERE id = $1 FOR UPDATE",
            &[&task.job_id],
        )
        .await?
        .get::<_, &str>(0)
        .parse()
        .map_err(|e| KeyError::data(format!("job {}: {e}", task.job_id)))?;
    if !status.is_active() {
        return Ok(Commit::JobInactive(status));
    }
    let updated = tx
        .execute(
            "UPDATE job_keys SET object_key = $2, resource_count = $3, error_object_key = $4, \
                                 error_count = $5, failed = $6, content_bytes = $7, \
                                 error_content_bytes = $8, done_at = now() \
             WHERE id = $1 AND done_at IS NULL",
            &[
                &task.job_key_id,
                &output.object_key,
                &(output.resources as i64),
                &output.error_object_key,
                &(output.errors as i64),
                &output.failed,
                &(output
                    .object_key
                    .is_some()
                    .then_some(output.content_bytes as i64)),
                &(output
                    .error_object_key
                    .is_some()
                    .then_some(output.error_content_bytes as i64)),
            ],
        )
        .await?;
    if updated == 0 {
        return Ok(Commit::AlreadyDone);
    }
    let row = tx
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE done_at IS NULL), count(*) FILTER (WHERE failed) \
             FROM job_keys WHERE job_id = $1 AND resource_type <> $2",
            &[&task.job_id, &WARNINGS_RESOURCE_TYPE],
        )
        .await?;
    let tally = KeyTally {
        total: row.get::<_, i64>(0) as u64,
        left: row.get::<_, i64>(1) as u64,
        failed: row.get::<_, i64>(2) as u64,
    };
    let settled = tally.settle(policy.failure_threshold_pct);
    if settled != JobStatus::InProgress {
        tx.execute(
            "UPDATE jobs SET status = $2, updated_at = now(), completed_at = now(), \
                             expires_at = now() + make_interval(secs => $3) \
             WHERE id = $1",
            &[&task.job_id, &settled.as_str(), &policy.ttl.as_secs_f64()],
        )
        .await?;
    } else {
        tx.execute(
            "UPDATE jobs SET status = 'In Progress', updated_at = now() WHERE id = $1",
            &[&task.job_id],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Commit::Committed(settled))
}

/// The MBIs of the key's beneficiaries, for error lines that name them as BCDA's do.
pub async fn member_mbis(db: &bcda_infra::DbPool, task: &KeyTask) -> Result<Vec<String>, KeyError> {
    let rows = db
        .get()
        .await?
        .query(
            "SELECT b.mbi FROM attribution_members m JOIN beneficiaries b ON b.id = m.beneficiary_id \
             WHERE m.file_id = $1 AND m.beneficiary_id >= $2 \
               AND ($3::bigint IS NULL OR m.beneficiary_id < $3) \
               AND ($4::bigint[] IS NULL OR m.beneficiary_id = ANY($4)) \
               AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.beneficiary_id = m.beneficiary_id \
                                  AND o.effective_date <= current_date) \
             ORDER BY m.beneficiary_id",
            &[
                &task.members.file_id,
                &task.beneficiaries.first,
                &task.beneficiaries.end,
                &task.members.patients,
            ],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}
