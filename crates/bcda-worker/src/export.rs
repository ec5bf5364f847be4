//! Exports one job key: reads its beneficiaries a chunk at a time, renders their
//! resources and streams them into a new object, then commits the key.
//!
//! Files are stored gzip-compressed (see [`export_file_path`] and [`crate::gzip`]):
//! compressing costs less CPU than writing and reading over twenty times the bytes through
//! object storage, and the file server sends the stored bytes unchanged to clients that
//! accept gzip.
//!
//! Every attempt writes a new object (`{jobId}/{uuid}.ndjson`), and the key points at it
//! only once the commit succeeds. So a worker that dies mid-batch leaves at most an
//! unlisted object (removed with the job's files), a redelivered key replaces nothing
//! half-written, and a stale worker that finishes after another one committed the key
//! deletes its own object instead of overwriting the result.

use std::sync::Arc;
use std::time::Instant;

use bcda_infra::metrics::{BatchLabels, Metrics, ResourceLabels};
use bcda_infra::storage::{ObjectWriter, export_file_path};
use bcda_infra::{DbPool, Storage};
use bcda_model::claim_source::SystemType;
use bcda_model::fhir::{IssueCode, OperationOutcome};
use bcda_model::{ApiVersion, ResourceType};
use tracing::Instrument as _;
use uuid::Uuid;

use crate::claims_repo::{self, Member};
use crate::error::KeyError;
use crate::gzip::GzipStream;
use crate::keys_repo::{self, Commit, CompletionPolicy, KeyOutput, KeyState, KeyTask};
use crate::render::{self, Chunk};
use crate::shared_system_repo;

/// What exporting a key came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exported {
    /// The key's file is committed; `bytes` is its uncompressed size.
    Done { resources: u64, bytes: u64 },
    /// Nothing to do: the key was done already or its job is no longer active.
    Skipped,
}

/// Exports job keys against one database and store.
#[derive(Debug, Clone)]
pub struct Exporter {
    db: DbPool,
    storage: Storage,
    policy: CompletionPolicy,
    metrics: Arc<Metrics>,
}

impl Exporter {
    /// An exporter recording its batches in `metrics`.
    pub fn new(
        db: DbPool,
        storage: Storage,
        policy: CompletionPolicy,
        metrics: Arc<Metrics>,
    ) -> Exporter {
        Exporter {
            db,
            storage,
            policy,
            metrics,
        }
    }

    /// Exports key `job_key_id` of job `job_id`, unless it needs no work, and records the
    /// attempt in the batch metrics.
    pub async fn export(&self, job_id: i64, job_key_id: i64) -> Result<Exported, KeyError> {
        let task = keys_repo::load(&self.db, job_id, job_key_id).await?;
        let resource_type = task.resource_type.as_str();
        if task.state != KeyState::Ready {
            tracing::info!(state = ?task.state, "job key needs no work");
            self.count_batch(resource_type, "skipped");
            return Ok(Exported::Skipped);
        }
        let started = Instant::now();
        let exported = self.export_ready(job_id, &task).await;
        let outcome = match exported {
            Ok(Exported::Done { resources, bytes }) => {
                let labels = ResourceLabels { resource_type };
                let metrics = &self.metrics;
                metrics
                    .batch_duration
                    .get_or_create(&labels)
                    .observe(started.elapsed().as_secs_f64());
                metrics
                    .resources_rendered
                    .get_or_create(&labels)
                    .inc_by(resources);
                metrics.bytes_written.get_or_create(&labels).inc_by(bytes);
                "exported"
            }
            Ok(Exported::Skipped) => "skipped",
            Err(_) => "failed",
        };
        self.count_batch(resource_type, outcome);
        exported
    }

    fn count_batch(&self, resource_type: &'static str, outcome: &'static str) {
        self.metrics
            .batches
            .get_or_create(&BatchLabels {
                resource_type,
                outcome,
            })
            .inc();
    }

    /// Writes and commits a key that is ready.
    async fn export_ready(&self, job_id: i64, task: &KeyTask) -> Result<Exported, KeyError> {
        if task.members.file_id.is_none() {
            // Reloading the ACO's data deleted the file the job read: exporting nothing
            // would complete the job with its data missing. The key fails instead, and
            // its error lines say so.
            return Err(KeyError::data(format!(
                "job {job_id}: its attribution file is gone (the ACO's data was reloaded)"
            )));
        }
        keys_repo::start(&self.db, job_id).await?;
        let file_key = format!("{job_id}/{}.ndjson", Uuid::new_v4());
        let (resources, bytes) = self.write(task, &file_key).await?;
        let output = KeyOutput {
            object_key: (resources > 0).then(|| file_key.clone()),
            resources,
            content_bytes: bytes,
            ..KeyOutput::default()
        };
        let committed = keys_repo::commit(&self.db, task, &output, self.policy)
            .instrument(tracing::info_span!(target: "bcda::trace", "db.commit"))
            .await?;
        match committed {
            Commit::Committed(status) => {
                tracing::info!(resources, bytes, job_status = %status, "job key exported");
                Ok(Exported::Done { resources, bytes })
            }
            lost => {
                tracing::info!(outcome = ?lost, "job key finished elsewhere or cancelled; discarding this result");
                if resources > 0 {
                    self.storage.delete(&export_file_path(&file_key)).await?;
                }
                Ok(Exported::Skipped)
            }
        }
    }

    /// Gives up on a key after its last attempt: writes one OperationOutcome per
    /// beneficiary of the batch (BCDA's per-beneficiary error lines) to
    /// `{jobId}/{uuid}-error.ndjson` and commits the key as failed, so the job goes on and
    /// the manifest's `error` lists the file.
    ///
    /// The lines are BCDA's byte for byte: issue code `not-found`, its diagnostics text
    /// naming the ACO by its internal id, and the STU3 shape (no `details`) in every API
    /// version, as BCDA's worker writes them.
    pub async fn give_up(&self, job_id: i64, job_key_id: i64) -> Result<(), KeyError> {
        let task = keys_repo::load(&self.db, job_id, job_key_id).await?;
        if task.state != KeyState::Ready {
            return Ok(());
        }
        // A key organized by patient held every type of its job.
        let kinds: Vec<&str> = task.read_types().iter().map(|t| t.as_str()).collect();
        let kind = kinds.join(", ");
        let messages: Vec<String> = match keys_repo::member_mbis(&self.db, &task).await {
            Ok(mbis) if !mbis.is_empty() => mbis
                .iter()
                .map(|mbi| {
                    format!(
                        "Error retrieving {kind} for beneficiary MBI {mbi} in ACO {}",
                        task.aco_id
                    )
                })
                .collect(),
            _ => vec![format!(
                "Error retrieving {kind} for the beneficiaries of batch {} in ACO {}",
                task.batch_index, task.aco_id
            )],
        };
        let mut lines = Vec::new();
        for message in &messages {
            serde_json::to_writer(
                &mut lines,
                &OperationOutcome::error(ApiVersion::V1, IssueCode::NotFound, message.as_str()),
            )
            .map_err(|e| KeyError::Render(e.to_string()))?;
            lines.push(b'\n');
        }
        let file_key = format!("{job_id}/{}-error.ndjson", Uuid::new_v4());
        let content_bytes = lines.len() as u64;
        let compressed =
            GzipStream::compress(&lines).map_err(|e| KeyError::Render(e.to_string()))?;
        let path = export_file_path(&file_key);
        self.storage.put(&path, compressed.into()).await?;
        let output = KeyOutput {
            error_object_key: Some(file_key),
            errors: messages.len() as u64,
            error_content_bytes: content_bytes,
            failed: true,
            ..KeyOutput::default()
        };
        match keys_repo::commit(&self.db, &task, &output, self.policy).await? {
            Commit::Committed(status) => {
                tracing::warn!(job_status = %status, errors = messages.len(), "job key failed; errors reported");
                self.count_batch(task.resource_type.as_str(), "gave_up");
            }
            _ => self.storage.delete(&path).await?,
        }
        Ok(())
    }

    /// Streams the key's resources, compressed, into the object of `file_key`; returns
    /// (resources, uncompressed bytes). Writes nothing when the key has no resources, so
    /// empty files never exist.
    async fn write(&self, task: &KeyTask, file_key: &str) -> Result<(u64, u64), KeyError> {
        let mut writer: Option<ObjectWriter> = None;
        let result = self.fill(task, file_key, &mut writer).await;
        match (result, writer) {
            (Ok((resources, bytes, encoder)), Some(mut writer)) => {
                let tail = encoder
                    .finish()
                    .map_err(|e| KeyError::Render(e.to_string()))?;
                writer.write(&tail).await?;
                writer
                    .finish()
                    .instrument(tracing::info_span!(target: "bcda::trace", "storage.finish"))
                    .await?;
                Ok((resources, bytes))
            }
            (Ok((resources, bytes, _)), None) => Ok((resources, bytes)),
            (Err(e), writer) => {
                if let Some(writer) = writer
                    && let Err(abort) = writer.abort().await
                {
                    tracing::warn!(error = %abort, "could not abort the partial upload");
                }
                Err(e)
            }
        }
    }

    /// Reads, renders and compresses the key chunk by chunk, uploading compressed bytes
    /// as they come; returns the resources, the uncompressed bytes and the encoder, whose
    /// final block the caller writes.
    ///
    /// The next chunk's rows are read while the current one renders: otherwise the
    /// worker's core sits idle for every Postgres round trip (measured: 18% of two cores
    /// idle during a two-worker export).
    async fn fill(
        &self,
        task: &KeyTask,
        file_key: &str,
        writer: &mut Option<ObjectWriter>,
    ) -> Result<(u64, u64, GzipStream), KeyError> {
        let mut resources = 0;
        let mut bytes = 0;
        let mut buffer = Vec::new();
        let mut encoder = GzipStream::new();
        let mut next = self.next_chunk(task, None).await?;
        while let Some((last, chunk)) = next {
            let rendering = render_and_compress(task, chunk, buffer, encoder);
            let (rendered, following) = tokio::join!(rendering, self.next_chunk(task, Some(last)));
            let rendered =
                rendered.map_err(|e| KeyError::Render(format!("renderer panicked: {e}")))?;
            (buffer, encoder) = (rendered.buffer, rendered.encoder);
            let (count, written) = rendered.written?;
            resources += count;
            bytes += written;
            if count > 0 && writer.is_none() {
                *writer = Some(self.storage.writer(&export_file_path(file_key)));
            }
            let compressed = rendered.compressed;
            if let Some(writer) = writer.as_mut()
                && !compressed.is_empty()
            {
                writer
                    .write(&compressed)
                    .instrument(tracing::info_span!(
                        target: "bcda::trace",
                        "storage.write",
                        bytes = compressed.len()
                    ))
                    .await?;
            }
            next = following?;
        }
        Ok((resources, bytes, encoder))
    }

    /// The rows of the key's next chunk of beneficiaries after `after`, with the id of
    /// the chunk's last beneficiary; `None` once the key has no more.
    async fn next_chunk(
        &self,
        task: &KeyTask,
        after: Option<i64>,
    ) -> Result<Option<(i64, Chunk)>, KeyError> {
        let client = self.db.get().await?;
        let members = claims_repo::next_members(
            &client,
            &task.members,
            task.beneficiaries,
            after,
            chunk_size(task.read_types()),
        )
        .instrument(tracing::info_span!(target: "bcda::trace", "db.members"))
        .await?;
        let Some(last) = members.last().map(|member| member.id) else {
            return Ok(None);
        };
        let chunk = read_chunk(&client, task, &members)
            .instrument(tracing::info_span!(
                target: "bcda::trace",
                "db.rows",
                beneficiaries = members.len()
            ))
            .await?;
        Ok(Some((last, chunk)))
    }
}

/// What rendering a chunk gives back: the reused buffer and encoder, the compressed
/// bytes to upload, and the resources and uncompressed bytes rendered.
struct Rendered {
    buffer: Vec<u8>,
    encoder: GzipStream,
    compressed: Vec<u8>,
    written: Result<(u64, u64), KeyError>,
}

/// Renders `chunk` through `buffer` into the encoder, on a blocking thread: rendering and
/// compressing are CPU work, kept off the async threads that serve requests.
fn render_and_compress(
    task: &KeyTask,
    chunk: Chunk,
    mut buffer: Vec<u8>,
    mut encoder: GzipStream,
) -> tokio::task::JoinHandle<Rendered> {
    let (version, resource_type, window) = (task.version, task.resource_type, task.window);
    let filter = task.eob_filter.clone();
    let organized = task.organize_by_patient.then(|| task.job_types.clone());
    let span =
        tracing::info_span!(target: "bcda::trace", "render", resources = tracing::field::Empty);
    tokio::task::spawn_blocking(move || {
        let _span = span.enter();
        // Nothing reaches the encoder (not even its header) before the first line, so no
        // byte is produced before the upload exists.
        let mut lines = render::Lines::new(&mut buffer, &mut encoder);
        let job = render::Job {
            version,
            resource_type,
            window,
            eob_filter: filter.as_ref(),
        };
        let rows = chunk.rows();
        let count = match &organized {
            Some(types) => render::render_by_patient(&job, types, &rows, &mut lines),
            None => render::render(&job, &rows, &mut lines),
        };
        let written = count.and_then(|count| Ok((count, lines.finish()?)));
        if let Ok((count, _)) = &written {
            span.record("resources", count);
        }
        let compressed = encoder.take_compressed();
        Rendered {
            buffer,
            encoder,
            compressed,
            written,
        }
    })
}

/// Beneficiaries read and rendered at once for a key of `types`: the smallest of their
/// sizes. EOB chunks are small because each beneficiary brings hundreds of claims (about
/// 400 kB of NDJSON); this, not the batch size, bounds a worker's memory.
fn chunk_size(types: &[ResourceType]) -> i64 {
    types
        .iter()
        .map(|resource_type| match resource_type {
            ResourceType::ExplanationOfBenefit => 25,
            // A beneficiary has a few dozen partially adjudicated claims a year at most.
            ResourceType::Claim | ResourceType::ClaimResponse => 250,
            ResourceType::Patient | ResourceType::Coverage => 1_000,
        })
        .min()
        .unwrap_or(1_000)
}

/// The rows the key's types need for the beneficiaries `members`, each list read once
/// however many types need it. A v3 EOB key reads only the claim sources its filter may
/// include.
async fn read_chunk(
    client: &deadpool_postgres::Client,
    task: &KeyTask,
    members: &[Member],
) -> Result<Chunk, KeyError> {
    let window = task.window;
    let ids: Vec<i64> = members.iter().map(|member| member.id).collect();
    let ids = &ids[..];
    let mut chunk = Chunk {
        beneficiaries: claims_repo::beneficiaries(client, ids).await?,
        newly_attributed: members
            .iter()
            .filter(|member| member.newly_attributed)
            .map(|member| member.id)
            .collect(),
        ..Chunk::default()
    };
    let full_history = &chunk.newly_attributed;
    let types = task.read_types();
    let wants = |t: ResourceType| types.contains(&t);
    let reads = |system: SystemType| {
        task.eob_filter
            .as_ref()
            .is_none_or(|filter| filter.may_include(system))
    };
    let eobs = wants(ResourceType::ExplanationOfBenefit);
    if eobs && reads(SystemType::NationalClaimsHistory) {
        chunk.claims = claims_repo::claims(client, ids, full_history, window).await?;
    }
    if eobs && reads(SystemType::Ddps) {
        chunk.events = claims_repo::pde_events(client, ids, full_history, window).await?;
    }
    let shared_system_eobs = eobs && task.eob_filter.is_some() && reads(SystemType::SharedSystem);
    if shared_system_eobs || wants(ResourceType::Claim) || wants(ResourceType::ClaimResponse) {
        chunk.shared_system_claims =
            shared_system_repo::claims(client, ids, full_history, window).await?;
    }
    if wants(ResourceType::Patient) || wants(ResourceType::Coverage) {
        chunk.months = claims_repo::enrollment_months(client, ids).await?;
    }
    if wants(ResourceType::Coverage) {
        chunk.years = claims_repo::enrollment_years(client, ids).await?;
    }
    Ok(chunk)
}
