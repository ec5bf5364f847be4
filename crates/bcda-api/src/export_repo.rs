//! Creating export jobs: the job, its keys and their outbox messages in one transaction.

use bcda_infra::DbPool;
use bcda_infra::queue::outbox::{QueuedKey, enqueue_keys};
use bcda_model::ApiVersion;
use bcda_model::attribution::{self, AttributionError, AttributionKind};
use bcda_model::export::{BatchSizes, ExportRequest, ExportTarget, PlannedKey};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::attribution_repo::newest_file;
use crate::jobs_repo::RepoError;
use crate::warnings::WarningsFile;

/// A kick-off to record.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub aco_id: Uuid,
    pub cms_id: &'a str,
    pub target: ExportTarget,
    pub version: ApiVersion,
    pub request_url: &'a str,
    pub request: &'a ExportRequest,
    pub transaction_time: OffsetDateTime,
    pub batch_sizes: &'a BatchSizes,
    /// The id reserved for the job ([`reserve_job_id`]), when it has one.
    pub id: Option<i64>,
    /// A warnings file already stored for the job, which its manifest lists first.
    pub warnings: Option<&'a WarningsFile>,
}

/// Reserves the id of a job to be created, so that a file can be stored under it first.
pub async fn reserve_job_id(db: &DbPool) -> Result<i64, RepoError> {
    Ok(db
        .get()
        .await?
        .query_one("SELECT nextval(pg_get_serial_sequence('jobs', 'id'))", &[])
        .await?
        .get(0))
}

/// What recording a kick-off did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    Job(i64),
    /// The ACO already has an active job on this version whose types overlap.
    Busy,
    /// No attribution file fits the export.
    Unattributed(AttributionError),
    /// `patient` named beneficiaries (Patient ids) the ACO may not export: not in its
    /// attribution file, or opted out of data sharing.
    UnknownPatients(Vec<i64>),
}

/// The attribution files a job reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct JobAttribution {
    file_id: i64,
    /// For `Group/all?_since`: the file whose beneficiaries get only their changes.
    since_baseline_file_id: Option<i64>,
}

/// Records a job unless an overlapping one is active and the ACO is held to BCDA's
/// one-export-at-a-time rule. The ACO row is locked for the transaction, so two
/// simultaneous kick-offs of one ACO cannot both pass the check.
pub async fn create_job(db: &DbPool, job: NewJob<'_>) -> Result<Created, RepoError> {
    let mut client = db.get().await?;
    let tx = client.transaction().await?;
    // The rule applies per ACO: by default to every ACO but BCDA's test ones.
    let limited: bool = tx
        .query_one(
            "SELECT coalesce(limit_concurrent_exports, cms_id !~ '^A999[0-9]$') \
             FROM acos WHERE id = $1 FOR UPDATE",
            &[&job.aco_id],
        )
        .await?
        .get(0);

    let types: Vec<&str> = job.request.types.iter().map(|t| t.as_str()).collect();
    let busy = limited
        && tx
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
    let attribution = match attribution_of(&tx, &job).await? {
        Ok(attribution) => attribution,
        Err(missing) => return Ok(Created::Unattributed(missing)),
    };

    let patient_ids = match &job.request.patients {
        None => None,
        Some(named) => match patients_of(&tx, attribution.file_id, named).await? {
            Ok(ids) => Some(ids),
            Err(unknown) => return Ok(Created::UnknownPatients(unknown)),
        },
    };
    let keys = plan_keys(&tx, &job, attribution.file_id, patient_ids.as_deref()).await?;
    // The request's trace continues in the workers that do the work and in the
    // downloads of the job's files.
    let trace_context = bcda_infra::telemetry::current_trace_context();
    let eob_filter = job.request.eob_filter.as_ref().map(|f| f.to_string());
    let job_id: i64 = tx
        .query_one(
            "INSERT INTO jobs (id, aco_id, api_version, request_url, resource_types, types_requested, since, \
                               transaction_time, keys_total, trace_context, attribution_file_id, \
                               since_baseline_file_id, eob_filter, until, patient_ids, \
                               organize_by_patient, partial_manifests) \
             OVERRIDING SYSTEM VALUE \
             VALUES (coalesce($12, nextval(pg_get_serial_sequence('jobs', 'id'))), \
                     $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $13, $14, $15, $16, $17) \
             RETURNING id",
            &[
                &job.aco_id,
                &job.version.as_str(),
                &job.request_url,
                &types,
                &job.request.types_requested,
                &job.request.since,
                &job.transaction_time,
                &(keys.len() as i32),
                &serde_json::json!(trace_context),
                &attribution.file_id,
                &attribution.since_baseline_file_id,
                &job.id,
                &eob_filter,
                &job.request.until,
                &patient_ids,
                &job.request.organize_by_patient,
                &job.request.allow_partial_manifests,
            ],
        )
        .await?
        .get(0);
    if let Some(warnings) = job.warnings {
        // Done from the start and not counted in the job's keys: BCDA lists the file in
        // `error` and leaves it out of the job's progress.
        tx.execute(
            "INSERT INTO job_keys (job_id, resource_type, batch_index, first_beneficiary_id, \
                                   done_at, error_object_key, error_count, error_content_bytes) \
             VALUES ($1, $2, 0, 0, now(), $3, $4, $5)",
            &[
                &job_id,
                &bcda_model::export::WARNINGS_RESOURCE_TYPE,
                &warnings.object_key,
                &warnings.lines,
                &warnings.content_bytes,
            ],
        )
        .await?;
    }

    // Keys and their messages in bulk: two statements whatever the ACO's size.
    let key_types: Vec<&str> = keys.iter().map(|k| k.resource_type.as_str()).collect();
    let batches: Vec<i32> = keys.iter().map(|k| k.batch_index).collect();
    let firsts: Vec<i64> = keys.iter().map(|k| k.beneficiaries.first).collect();
    let ends: Vec<Option<i64>> = keys.iter().map(|k| k.beneficiaries.end).collect();
    let rows = tx
        .query(
            "INSERT INTO job_keys (job_id, resource_type, batch_index, first_beneficiary_id, end_beneficiary_id) \
             SELECT $1, t, b, f, e FROM unnest($2::text[], $3::int[], $4::bigint[], $5::bigint[]) AS k(t, b, f, e) \
             RETURNING id, resource_type",
            &[&job_id, &key_types, &batches, &firsts, &ends],
        )
        .await?;
    let queued = rows
        .iter()
        .map(|row| {
            Ok(QueuedKey {
                job_id,
                job_key_id: row.get(0),
                resource_type: row
                    .get::<_, &str>(1)
                    .parse()
                    .map_err(|_| RepoError::Corrupt)?,
            })
        })
        .collect::<Result<Vec<_>, RepoError>>()?;
    enqueue_keys(&tx, &queued, &trace_context).await?;
    tx.commit().await?;
    Ok(Created::Job(job_id))
}

/// The attribution files the job reads, chosen by BCDA's rules
/// ([`bcda_model::attribution`]), or why there is none.
async fn attribution_of(
    tx: &tokio_postgres::Transaction<'_>,
    job: &NewJob<'_>,
) -> Result<Result<JobAttribution, AttributionError>, RepoError> {
    let group = job.target.group();
    let latest = newest_file(tx, job.aco_id, group.attribution_kind(), None).await?;
    let latest =
        match attribution::check_latest(group, latest.as_ref(), job.cms_id, job.transaction_time) {
            Ok(latest) => latest,
            Err(missing) => return Ok(Err(missing)),
        };
    let cutoff = job
        .request
        .since
        .filter(|_| job.target.gives_new_beneficiaries_full_history())
        .and_then(|since| attribution::since_baseline_cutoff(latest, since));
    let since_baseline_file_id = match cutoff {
        None => None,
        Some(cutoff) => {
            match newest_file(tx, job.aco_id, AttributionKind::Default, Some(cutoff)).await? {
                Some(baseline) => Some(baseline.id),
                None => return Ok(Err(AttributionError::NotFoundForSince)),
            }
        }
    };
    Ok(Ok(JobAttribution {
        file_id: latest.id,
        since_baseline_file_id,
    }))
}

/// The beneficiaries (`beneficiaries.id`) that `patient` names by Patient id
/// (`bene_id`), in the order named, when each is a member of attribution file `file_id`
/// who shares their data; otherwise the Patient ids that are not.
async fn patients_of(
    tx: &tokio_postgres::Transaction<'_>,
    file_id: i64,
    named: &[i64],
) -> Result<Result<Vec<i64>, Vec<i64>>, RepoError> {
    let found: std::collections::HashMap<i64, i64> = tx
        .query(
            "SELECT b.bene_id, b.id FROM beneficiaries b \
             JOIN attribution_members m ON m.beneficiary_id = b.id AND m.file_id = $1 \
             WHERE b.bene_id = ANY($2) \
               AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.beneficiary_id = b.id \
                               AND o.effective_date <= current_date)",
            &[&file_id, &named],
        )
        .await?
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    let unknown: Vec<i64> = named
        .iter()
        .filter(|id| !found.contains_key(id))
        .copied()
        .collect();
    if !unknown.is_empty() {
        return Ok(Err(unknown));
    }
    Ok(Ok(named.iter().map(|id| found[id]).collect()))
}

/// The job's keys: batches of the beneficiaries of attribution file `file_id` who share
/// their data (only those in `patients`, when the request named some), cut by id at
/// kick-off. One index scan reads only the beneficiaries at which some batch starts, so
/// even a million-beneficiary ACO is planned in a fraction of a second.
async fn plan_keys(
    tx: &tokio_postgres::Transaction<'_>,
    job: &NewJob<'_>,
    file_id: i64,
    patients: Option<&[i64]>,
) -> Result<Vec<PlannedKey>, RepoError> {
    let layout = job
        .batch_sizes
        .layout(&job.request.types, job.request.organize_by_patient);
    let starts: Vec<(u64, i64)> = tx
        .query(
            "SELECT ordinal, beneficiary_id FROM ( \
                 SELECT m.beneficiary_id, row_number() OVER (ORDER BY m.beneficiary_id) - 1 AS ordinal \
                 FROM attribution_members m WHERE m.file_id = $1 \
                   AND ($3::bigint[] IS NULL OR m.beneficiary_id = ANY($3)) \
                   AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.beneficiary_id = m.beneficiary_id \
                                   AND o.effective_date <= current_date) \
             ) attributed \
             WHERE EXISTS (SELECT 1 FROM unnest($2::bigint[]) AS size WHERE ordinal % size = 0) \
             ORDER BY ordinal",
            &[&file_id, &layout.batch_sizes(), &patients],
        )
        .await?
        .iter()
        .map(|row| (row.get::<_, i64>(0) as u64, row.get(1)))
        .collect();
    Ok(layout.plan_keys(&starts))
}
