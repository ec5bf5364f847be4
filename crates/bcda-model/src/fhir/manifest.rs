//! The bulk data manifest a completed job answers with, exactly as the sandbox guide
//! shows it: `transactionTime`, `request`, `requiresAccessToken`, `output`, `error`
//! (always present) and BCDA's capitalised `JobID`.

use serde::Serialize;
use time::OffsetDateTime;

use crate::ResourceType;

/// One file of a finished export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestFile {
    #[serde(rename = "type")]
    pub resource_type: &'static str,
    pub url: String,
}

impl ManifestFile {
    /// A data file of `resource_type`.
    pub fn data(resource_type: ResourceType, url: String) -> ManifestFile {
        ManifestFile {
            resource_type: resource_type.as_str(),
            url,
        }
    }

    /// An error file: OperationOutcome lines.
    pub fn error(url: String) -> ManifestFile {
        ManifestFile {
            resource_type: "OperationOutcome",
            url,
        }
    }
}

/// The manifest of a completed export job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub transaction_time: TransactionTime,
    pub request: String,
    pub requires_access_token: bool,
    pub output: Vec<ManifestFile>,
    pub error: Vec<ManifestFile>,
    #[serde(rename = "JobID")]
    pub job_id: i64,
}

/// An instant with microseconds, as BCDA writes `transactionTime`
/// (`2019-12-09T20:44:01.705398Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionTime(pub OffsetDateTime);

impl Serialize for TransactionTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.0.to_offset(time::UtcOffset::UTC);
        s.collect_str(&format_args!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
            t.year(),
            t.month() as u8,
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.microsecond()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// The guide's first manifest, verbatim.
    const GUIDE: &str = r#"{
      "transactionTime": "2019-12-09T20:44:01.705398Z",
      "request": "https://sandbox.bcda.cms.gov/api/v1/Patient/$export",
      "requiresAccessToken": true,
      "output": [
        {"type": "ExplanationOfBenefit", "url": "https://sandbox.bcda.cms.gov/data/42/afd22dfa-c239-4063-8882-eb2712f9f638.ndjson"},
        {"type": "Coverage", "url": "https://sandbox.bcda.cms.gov/data/42/f76a0b76-48ed-4033-aad9-d3eec37e7e83.ndjson"},
        {"type": "Patient", "url": "https://sandbox.bcda.cms.gov/data/42/f92dcf16-63a2-448e-a12a-3bf677f966ed.ndjson"}
      ],
      "error": [],
      "JobID": 42
    }"#;

    #[test]
    fn manifest_is_the_one_in_the_sandbox_guide() {
        let base = "https://sandbox.bcda.cms.gov/data/42";
        let manifest = Manifest {
            transaction_time: TransactionTime(datetime!(2019-12-09 20:44:01.705398 UTC)),
            request: "https://sandbox.bcda.cms.gov/api/v1/Patient/$export".into(),
            requires_access_token: true,
            output: vec![
                ManifestFile::data(
                    ResourceType::ExplanationOfBenefit,
                    format!("{base}/afd22dfa-c239-4063-8882-eb2712f9f638.ndjson"),
                ),
                ManifestFile::data(
                    ResourceType::Coverage,
                    format!("{base}/f76a0b76-48ed-4033-aad9-d3eec37e7e83.ndjson"),
                ),
                ManifestFile::data(
                    ResourceType::Patient,
                    format!("{base}/f92dcf16-63a2-448e-a12a-3bf677f966ed.ndjson"),
                ),
            ],
            error: Vec::new(),
            job_id: 42,
        };
        let guide: serde_json::Value = serde_json::from_str(GUIDE).unwrap();
        assert_eq!(serde_json::to_value(&manifest).unwrap(), guide);
    }

    #[test]
    fn error_files_are_operation_outcomes() {
        let file = ManifestFile::error("https://x/data/1/a-error.ndjson".into());
        assert_eq!(
            serde_json::to_value(&file).unwrap()["type"],
            "OperationOutcome"
        );
    }
}
