//! Why a job key could not be exported, and whether trying again can help.

use bcda_infra::storage::StorageError;

/// A failure to export one job key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("database unavailable: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("object storage: {0}")]
    Storage(#[from] StorageError),
    /// Stored rows this build cannot read; retrying will not change them, but a fix
    /// deployed between attempts can.
    #[error("stored data cannot be exported: {0}")]
    Data(String),
    #[error("rendering failed: {0}")]
    Render(String),
    /// The message names no job key we have: nothing to retry.
    #[error("job key {job_key_id} of job {job_id} does not exist")]
    UnknownKey { job_id: i64, job_key_id: i64 },
}

impl KeyError {
    /// A [`KeyError::Data`] error.
    pub fn data(message: impl Into<String>) -> KeyError {
        KeyError::Data(message.into())
    }

    /// Whether another attempt cannot succeed, so the message goes straight to the
    /// dead-letter queue.
    pub fn is_permanent(&self) -> bool {
        matches!(self, KeyError::UnknownKey { .. })
    }

    /// Whether the key failed only because Postgres or the object store was briefly
    /// away: such a failure does not use up one of the key's attempts.
    pub fn is_transient(&self) -> bool {
        bcda_infra::transient::is_transient(self)
    }
}
