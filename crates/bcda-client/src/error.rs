//! Why an export failed, in words an operator can act on.

/// A failure of the export flow.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach {url}: {source}")]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("the token request was refused ({status}): check the client id and secret")]
    Credentials { status: u16 },
    #[error("{step} answered {status}: {message}")]
    Refused {
        step: &'static str,
        status: u16,
        message: String,
    },
    #[error(
        "the server kept answering 429 (an export of these types is already running) for {0:?}"
    )]
    Busy(std::time::Duration),
    #[error("the export did not finish within {0:?}")]
    Timeout(std::time::Duration),
    #[error("the server's answer was not what the bulk data flow expects: {0}")]
    Protocol(String),
    #[error("{file}: line {line} is not a {expected} resource: {reason}")]
    BadLine {
        file: String,
        line: usize,
        expected: String,
        reason: String,
    },
    #[error("download of {file} failed after {attempts} attempts: {reason}")]
    Download {
        file: String,
        attempts: u32,
        reason: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl ClientError {
    /// A failed HTTP call to `url`.
    pub fn unreachable(url: &str, source: reqwest::Error) -> ClientError {
        ClientError::Unreachable {
            url: url.to_owned(),
            source,
        }
    }

    /// A failed file operation on `path`.
    pub fn io(path: &std::path::Path, source: std::io::Error) -> ClientError {
        ClientError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// The message of an OperationOutcome body, or the body itself (shortened).
pub fn outcome_message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["issue"][0]["diagnostics"].as_str().map(str::to_owned))
        .unwrap_or_else(|| body.chars().take(300).collect())
}
