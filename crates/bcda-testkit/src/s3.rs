//! A real S3-compatible server in-process: s3s-fs behind hyper on a random port, with
//! SigV4 authentication, storing objects in a temporary directory.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bcda_infra::config::{S3Config, StorageConfig};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use secrecy::SecretString;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

const ACCESS_KEY: &str = "bcda-test";
const SECRET_KEY: &str = "bcda-test-secret";

/// The s3s service every connection is served by.
type Service = s3s::service::S3Service;

/// An S3 server holding one bucket, stopped when dropped.
#[derive(Debug)]
pub struct S3Server {
    address: SocketAddr,
    bucket: String,
    root: tempfile::TempDir,
    service: Service,
    /// The task accepting connections, while the server is up.
    task: std::sync::Mutex<Option<JoinHandle<()>>>,
    /// While set, every request is answered `503 Service Unavailable`.
    unavailable: Arc<AtomicBool>,
}

impl S3Server {
    /// Starts a server with an empty bucket named `bucket`.
    pub async fn start(bucket: &str) -> S3Server {
        let root = tempfile::tempdir().expect("temporary directory for s3s-fs");
        // s3s-fs keeps each bucket as a directory under its root.
        std::fs::create_dir(root.path().join(bucket)).expect("bucket directory");
        let fs = s3s_fs::FileSystem::new(root.path()).expect("s3s-fs root");
        let service = {
            let mut builder = S3ServiceBuilder::new(fs);
            builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
            builder.build()
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind s3s-fs");
        let address = listener.local_addr().expect("s3s-fs address");
        let unavailable = Arc::new(AtomicBool::new(false));
        let task = accept(listener, service.clone(), unavailable.clone());
        S3Server {
            address,
            bucket: bucket.to_owned(),
            root,
            service,
            task: std::sync::Mutex::new(Some(task)),
            unavailable,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Where the server keeps its files; `<root>/<bucket>/<key>` is an object.
    pub fn root(&self) -> &std::path::Path {
        self.root.path()
    }

    /// The storage configuration that reaches this server's bucket, signed with SigV4.
    pub fn storage_config(&self) -> StorageConfig {
        StorageConfig::S3(S3Config {
            bucket: self.bucket.clone(),
            endpoint: Some(self.endpoint().parse().expect("endpoint URL")),
            region: "us-east-1".into(),
            access_key_id: Some(ACCESS_KEY.into()),
            secret_access_key: Some(SecretString::from(SECRET_KEY)),
            allow_http: true,
        })
    }

    /// The `BCDA_S3_*` variables that reach this server's bucket.
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("BCDA_S3_BUCKET", self.bucket.clone()),
            ("BCDA_S3_ENDPOINT", self.endpoint()),
            ("BCDA_S3_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
            ("BCDA_S3_SECRET_ACCESS_KEY", SECRET_KEY.to_owned()),
            ("BCDA_S3_ALLOW_HTTP", "true".to_owned()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
    }

    /// Answers every request `503 Service Unavailable` until [`S3Server::recover`], as
    /// an overloaded or restarting store does.
    pub fn fail(&self) {
        self.unavailable.store(true, Ordering::SeqCst);
    }

    /// Ends an outage begun by [`S3Server::fail`].
    pub fn recover(&self) {
        self.unavailable.store(false, Ordering::SeqCst);
    }

    /// Every object in the bucket, as keys relative to it, sorted.
    pub fn objects(&self) -> Vec<String> {
        fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, base, out);
                } else if let Ok(relative) = path.strip_prefix(base) {
                    out.push(relative.to_string_lossy().into_owned());
                }
            }
        }
        let bucket = self.root.path().join(&self.bucket);
        let mut objects = Vec::new();
        walk(&bucket, &bucket, &mut objects);
        objects.sort();
        objects
    }

    /// Stops the server as an outage would: new connections are refused and requests on
    /// open ones are answered `503`, until [`S3Server::restart`].
    pub fn stop(&self) {
        self.fail();
        if let Some(task) = self.accepting().take() {
            task.abort();
        }
    }

    /// Serves again on the same address after [`S3Server::stop`].
    pub async fn restart(&self) {
        let listener = loop {
            match TcpListener::bind(self.address).await {
                Ok(listener) => break listener,
                // The aborted listener may take a moment to release the port.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            }
        };
        let task = accept(listener, self.service.clone(), self.unavailable.clone());
        *self.accepting() = Some(task);
        self.recover();
    }

    fn accepting(&self) -> std::sync::MutexGuard<'_, Option<JoinHandle<()>>> {
        self.task.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        if let Some(task) = self.accepting().take() {
            task.abort();
        }
    }
}

/// Accepts connections on `listener` and serves each with `service`, answering `503`
/// while `outage` is set.
fn accept(listener: TcpListener, service: Service, outage: Arc<AtomicBool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let http = ConnBuilder::new(TokioExecutor::new());
        while let Ok((socket, _)) = listener.accept().await {
            let (service, outage) = (service.clone(), outage.clone());
            let handler =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let (service, down) = (service.clone(), outage.load(Ordering::SeqCst));
                    async move {
                        if down {
                            let mut response = hyper::Response::new(s3s::Body::empty());
                            *response.status_mut() = hyper::StatusCode::SERVICE_UNAVAILABLE;
                            return Ok(response);
                        }
                        hyper::service::Service::call(&service, req).await
                    }
                });
            let connection = http
                .serve_connection(TokioIo::new(socket), handler)
                .into_owned();
            tokio::spawn(connection);
        }
    })
}
