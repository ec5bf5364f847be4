//! A job's `warnings-and-info.ndjson`: OperationOutcome warnings, one per line, about
//! how the export was processed. BCDA writes one when its default System-Type filter
//! narrowed a v3 export's ExplanationOfBenefits; a kick-off with
//! `Prefer: handling=lenient` adds one for each parameter it ignored. The file is stored, gzip-compressed like every export file, before the job
//! exists, under the id reserved for it, so no manifest can list it before it can be
//! downloaded. A kick-off refused after that (`429`, `404`) removes the file; one that
//! dies in between leaves a few hundred bytes under an id no job has, which nothing
//! lists or serves.

use std::io::Write;

use bcda_infra::Storage;
use bcda_infra::storage::{StorageError, export_file_path};
use bcda_model::export::WARNINGS_FILE_NAME;
use bcda_model::fhir::{IssueCode, OperationOutcome};
use flate2::Compression;
use flate2::write::GzEncoder;

/// A warnings file, as its job key records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningsFile {
    /// `{jobId}/warnings-and-info.ndjson`.
    pub object_key: String,
    /// The uncompressed size.
    pub content_bytes: i64,
    /// Its warnings, one per line.
    pub lines: i64,
}

/// The file's lines: one warning OperationOutcome per message.
fn lines(messages: &[&str]) -> Result<Vec<u8>, serde_json::Error> {
    let mut lines = Vec::new();
    for message in messages {
        serde_json::to_writer(
            &mut lines,
            &OperationOutcome::warning(IssueCode::Processing, *message),
        )?;
        lines.push(b'\n');
    }
    Ok(lines)
}

/// Why a warnings file could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum WarningsError {
    #[error("cannot write the warnings file: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot compress the warnings file: {0}")]
    Compress(#[from] std::io::Error),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Stores job `job_id`'s warnings file of `messages`.
pub async fn store(
    storage: &Storage,
    job_id: i64,
    messages: &[&str],
) -> Result<WarningsFile, WarningsError> {
    let object_key = format!("{job_id}/{WARNINGS_FILE_NAME}");
    let lines = lines(messages)?;
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(&lines)?;
    let compressed = encoder.finish()?;
    storage
        .put(&export_file_path(&object_key), compressed.into())
        .await?;
    Ok(WarningsFile {
        object_key,
        content_bytes: lines.len() as i64,
        lines: messages.len() as i64,
    })
}

/// Removes a warnings file whose job was not created.
pub async fn discard(storage: &Storage, file: &WarningsFile) {
    if let Err(e) = storage.delete(&export_file_path(&file.object_key)).await {
        tracing::warn!(error = %e, key = %file.object_key, "could not remove an unused warnings file");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_holds_bcdas_warning_line() {
        let messages = [bcda_model::export::DEFAULT_SYSTEM_TYPE_WARNING];
        assert_eq!(
            String::from_utf8(lines(&messages).unwrap()).unwrap(),
            "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"warning\",\"code\":\"processing\",\"details\":{\"text\":\"Default System-Type behavior includes only claims from NCH and DDPS in this export.\"}}]}\n"
        );
    }

    #[test]
    fn each_message_is_a_line() {
        let text = String::from_utf8(lines(&["a", "b"]).unwrap()).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.lines().all(|l| l.contains("\"severity\":\"warning\"")));
    }
}
