//! Object storage for export files: any S3-compatible server, or a local directory.
//!
//! A thin layer over `object_store` that fixes the few choices every service must agree
//! on: path-style S3 requests, streaming multipart uploads with bounded memory, and what
//! counts as "reachable" for the readiness probe.

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::{
    ObjectStore, ObjectStoreExt, PutPayload, PutPayloadMut, RetryConfig, WriteMultipart,
};
use secrecy::ExposeSecret;

pub use object_store::path::Path as ObjectPath;
pub use object_store::{GetOptions, GetRange, GetResult, ObjectMeta};

use crate::config::{S3Config, StorageConfig};

/// Size of each multipart part; S3 requires at least 5 MiB for all but the last.
pub const PART_SIZE: usize = 8 * 1024 * 1024;

/// Parts uploaded concurrently by one writer. With [`PART_SIZE`] this bounds a writer's
/// buffered bytes to about `PART_SIZE * (MAX_PARTS_IN_FLIGHT + 1)`, whatever the file size.
pub const MAX_PARTS_IN_FLIGHT: usize = 2;

/// Where an export file is stored. `file_key` is the file's name in download URLs
/// (`{jobId}/{uuid}.ndjson`); the stored object is its gzip compression, at
/// `{file_key}.gz`, so the file server sends it unchanged to the many clients that accept
/// gzip and object storage holds a seventh of the bytes.
pub fn export_file_path(file_key: &str) -> ObjectPath {
    ObjectPath::from(format!("{file_key}.gz"))
}

/// A failure of the object store.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("object not found: {0}")]
    NotFound(String),
    #[error("cannot prepare storage directory {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
    #[error("object storage unavailable: {0}")]
    Store(#[source] object_store::Error),
}

impl From<object_store::Error> for StorageError {
    fn from(error: object_store::Error) -> Self {
        match error {
            object_store::Error::NotFound { path, .. } => StorageError::NotFound(path),
            other => StorageError::Store(other),
        }
    }
}

/// Where export files live. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
}

impl Storage {
    /// Opens the store `config` describes. For a directory, creates it when missing.
    pub fn open(config: &StorageConfig) -> Result<Storage, StorageError> {
        let store: Arc<dyn ObjectStore> = match config {
            StorageConfig::Filesystem { root } => {
                std::fs::create_dir_all(root).map_err(|source| StorageError::Directory {
                    path: root.display().to_string(),
                    source,
                })?;
                Arc::new(LocalFileSystem::new_with_prefix(root)?)
            }
            StorageConfig::S3(s3) => Arc::new(s3_builder(s3).build()?),
        };
        Ok(Storage { store })
    }

    /// Stores `bytes` at `path` in one request: for small objects.
    pub async fn put(&self, path: &ObjectPath, bytes: Bytes) -> Result<(), StorageError> {
        self.store.put(path, PutPayload::from(bytes)).await?;
        Ok(())
    }

    /// Starts a streaming upload to `path`. Nothing is visible at `path` until
    /// [`ObjectWriter::finish`] succeeds, so readers never see half a file.
    pub fn writer(&self, path: &ObjectPath) -> ObjectWriter {
        ObjectWriter {
            store: Arc::clone(&self.store),
            path: path.clone(),
            upload: Upload::Buffered(PutPayloadMut::new()),
            written: 0,
        }
    }

    /// Reads a whole object, streaming: the caller decides how much to hold in memory.
    pub async fn get(
        &self,
        path: &ObjectPath,
        options: GetOptions,
    ) -> Result<GetResult, StorageError> {
        Ok(self.store.get_opts(path, options).await?)
    }

    /// Reads bytes `range` of an object.
    pub async fn get_range(
        &self,
        path: &ObjectPath,
        range: Range<u64>,
    ) -> Result<Bytes, StorageError> {
        Ok(self.store.get_range(path, range).await?)
    }

    /// Size and version of an object.
    pub async fn head(&self, path: &ObjectPath) -> Result<ObjectMeta, StorageError> {
        Ok(self.store.head(path).await?)
    }

    /// Every object under `prefix`, in no particular order.
    pub async fn list(&self, prefix: &ObjectPath) -> Result<Vec<ObjectMeta>, StorageError> {
        Ok(self.store.list(Some(prefix)).try_collect().await?)
    }

    /// Deletes an object; deleting one that does not exist succeeds.
    pub async fn delete(&self, path: &ObjectPath) -> Result<(), StorageError> {
        match self.store.delete(path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes every object under `prefix`, e.g. all files of an expired job.
    pub async fn delete_prefix(&self, prefix: &ObjectPath) -> Result<usize, StorageError> {
        let objects = self.list(prefix).await?;
        for object in &objects {
            self.delete(&object.location).await?;
        }
        Ok(objects.len())
    }

    /// Checks the store answers: the readiness probe. A missing object is an answer.
    pub async fn ping(&self) -> Result<(), StorageError> {
        match self.store.head(&ObjectPath::from("_health")).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(StorageError::Store(e)),
        }
    }
}

fn s3_builder(s3: &S3Config) -> AmazonS3Builder {
    let mut builder = AmazonS3Builder::new()
        .with_bucket_name(&s3.bucket)
        .with_region(&s3.region)
        .with_allow_http(s3.allow_http)
        // MinIO, s3s and most S3-compatible servers expect path-style requests.
        .with_virtual_hosted_style_request(false)
        // Ride out a short outage, but give up well before a client's request would.
        .with_retry(RetryConfig {
            max_retries: 4,
            retry_timeout: Duration::from_secs(15),
            ..RetryConfig::default()
        });
    if let Some(endpoint) = &s3.endpoint {
        builder = builder.with_endpoint(endpoint.as_str().trim_end_matches('/'));
    }
    if let Some(key) = &s3.access_key_id {
        builder = builder.with_access_key_id(key);
    }
    if let Some(secret) = &s3.secret_access_key {
        builder = builder.with_secret_access_key(secret.expose_secret());
    }
    builder
}

/// A streaming upload of one object with bounded memory. An object that stays under one
/// part is kept in memory and stored with a single PUT when finished (a v1 file of 250
/// beneficiaries' EOBs compresses to about 6 MB); a larger one becomes a multipart
/// upload once its first part is full. A single PUT is one request instead of three, and
/// the store writes and hashes the bytes once instead of again when assembling parts.
#[derive(Debug)]
pub struct ObjectWriter {
    store: Arc<dyn ObjectStore>,
    path: ObjectPath,
    upload: Upload,
    written: u64,
}

/// Where an [`ObjectWriter`]'s bytes are so far.
#[derive(Debug)]
enum Upload {
    /// Less than a part: held in memory.
    Buffered(PutPayloadMut),
    /// A multipart upload with at most [`MAX_PARTS_IN_FLIGHT`] parts uploading.
    Multipart(WriteMultipart),
}

impl ObjectWriter {
    /// Appends `bytes`, waiting while too many parts are still uploading.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), StorageError> {
        match &mut self.upload {
            Upload::Multipart(upload) => {
                upload.wait_for_capacity(MAX_PARTS_IN_FLIGHT).await?;
                upload.write(bytes);
            }
            Upload::Buffered(buffer) => {
                buffer.extend_from_slice(bytes);
                if buffer.content_length() >= PART_SIZE {
                    let mut upload = WriteMultipart::new_with_chunk_size(
                        self.store.put_multipart(&self.path).await?,
                        PART_SIZE,
                    );
                    for piece in std::mem::take(buffer).freeze() {
                        upload.put(piece);
                    }
                    self.upload = Upload::Multipart(upload);
                }
            }
        }
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Completes the upload, making the object visible. Returns its size.
    pub async fn finish(self) -> Result<u64, StorageError> {
        match self.upload {
            Upload::Buffered(buffer) => {
                self.store.put(&self.path, buffer.freeze()).await?;
            }
            Upload::Multipart(upload) => {
                upload.finish().await?;
            }
        }
        Ok(self.written)
    }

    /// Abandons the upload; nothing becomes visible.
    pub async fn abort(self) -> Result<(), StorageError> {
        match self.upload {
            Upload::Buffered(_) => Ok(()),
            Upload::Multipart(upload) => Ok(upload.abort().await?),
        }
    }
}
