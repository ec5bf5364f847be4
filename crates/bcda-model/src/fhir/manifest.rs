//! The bulk data manifest a completed job answers with, as the sandbox guide shows it:
//! `transactionTime`, `request`, `requiresAccessToken`, `output`, `error` (always
//! present) and BCDA's capitalised `JobID`; with the Bulk Data IG's additions: each
//! file's line `count`, `outputOrganizedBy` (and no `output.type`) for a job organized by
//! patient, and a `next` link when a partial manifest is paged.

use serde::Serialize;
use time::OffsetDateTime;

use crate::ResourceType;

/// One file of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestFile {
    /// The file's resource type; none in a manifest organized by patient, whose files
    /// hold several.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<&'static str>,
    pub url: String,
    /// Lines (resources) in the file.
    pub count: u64,
}

impl ManifestFile {
    /// A data file of `resource_type` with `count` resources.
    pub fn data(resource_type: ResourceType, url: String, count: u64) -> ManifestFile {
        ManifestFile {
            resource_type: Some(resource_type.as_str()),
            url,
            count,
        }
    }

    /// A data file of a job organized by patient: each beneficiary's resources of
    /// several types.
    pub fn organized(url: String, count: u64) -> ManifestFile {
        ManifestFile {
            resource_type: None,
            url,
            count,
        }
    }

    /// An error file: `count` OperationOutcome lines.
    pub fn error(url: String, count: u64) -> ManifestFile {
        ManifestFile {
            resource_type: Some("OperationOutcome"),
            url,
            count,
        }
    }
}

/// A link from one page of a paged manifest to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestLink {
    /// `next`.
    pub relation: &'static str,
    pub url: String,
}

impl ManifestLink {
    /// The link to the following page.
    pub fn next(url: String) -> ManifestLink {
        ManifestLink {
            relation: "next",
            url,
        }
    }
}

/// The manifest of a completed export job, or a page of a partial one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub transaction_time: TransactionTime,
    pub request: String,
    pub requires_access_token: bool,
    /// `Patient` for a job organized by patient.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_organized_by: Option<&'static str>,
    pub output: Vec<ManifestFile>,
    pub error: Vec<ManifestFile>,
    /// The next page of a paged manifest.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub link: Vec<ManifestLink>,
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

    /// The guide's first manifest, verbatim but for each file's `count`, which the
    /// guide predates (the Bulk Data IG's, for clients that check their downloads).
    const GUIDE: &str = r#"{
      "transactionTime": "2019-12-09T20:44:01.705398Z",
      "request": "https://sandbox.bcda.cms.gov/api/v1/Patient/$export",
      "requiresAccessToken": true,
      "output": [
        {"type": "ExplanationOfBenefit", "url": "https://sandbox.bcda.cms.gov/data/42/afd22dfa-c239-4063-8882-eb2712f9f638.ndjson", "count": 3000},
        {"type": "Coverage", "url": "https://sandbox.bcda.cms.gov/data/42/f76a0b76-48ed-4033-aad9-d3eec37e7e83.ndjson", "count": 300},
        {"type": "Patient", "url": "https://sandbox.bcda.cms.gov/data/42/f92dcf16-63a2-448e-a12a-3bf677f966ed.ndjson", "count": 100}
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
            output_organized_by: None,
            output: vec![
                ManifestFile::data(
                    ResourceType::ExplanationOfBenefit,
                    format!("{base}/afd22dfa-c239-4063-8882-eb2712f9f638.ndjson"),
                    3000,
                ),
                ManifestFile::data(
                    ResourceType::Coverage,
                    format!("{base}/f76a0b76-48ed-4033-aad9-d3eec37e7e83.ndjson"),
                    300,
                ),
                ManifestFile::data(
                    ResourceType::Patient,
                    format!("{base}/f92dcf16-63a2-448e-a12a-3bf677f966ed.ndjson"),
                    100,
                ),
            ],
            error: Vec::new(),
            link: Vec::new(),
            job_id: 42,
        };
        let guide: serde_json::Value = serde_json::from_str(GUIDE).unwrap();
        assert_eq!(serde_json::to_value(&manifest).unwrap(), guide);
    }

    #[test]
    fn error_files_are_operation_outcomes() {
        let file = ManifestFile::error("https://x/data/1/a-error.ndjson".into(), 2);
        assert_eq!(
            serde_json::to_value(&file).unwrap(),
            serde_json::json!({"type": "OperationOutcome", "url": "https://x/data/1/a-error.ndjson", "count": 2})
        );
    }

    #[test]
    fn a_manifest_organized_by_patient_names_it_and_gives_files_no_type() {
        let manifest = Manifest {
            transaction_time: TransactionTime(datetime!(2026-01-01 0:00 UTC)),
            request: "https://x/api/v2/Patient/$export?organizeOutputBy=Patient".into(),
            requires_access_token: true,
            output_organized_by: Some("Patient"),
            output: vec![ManifestFile::organized(
                "https://x/data/1/a.ndjson".into(),
                9,
            )],
            error: Vec::new(),
            link: vec![ManifestLink::next("https://x/api/v2/jobs/1?page=2".into())],
            job_id: 1,
        };
        assert_eq!(
            serde_json::to_string(&manifest).unwrap(),
            r#"{"transactionTime":"2026-01-01T00:00:00.000000Z","request":"https://x/api/v2/Patient/$export?organizeOutputBy=Patient","requiresAccessToken":true,"outputOrganizedBy":"Patient","output":[{"url":"https://x/data/1/a.ndjson","count":9}],"error":[],"link":[{"relation":"next","url":"https://x/api/v2/jobs/1?page=2"}],"JobID":1}"#
        );
    }
}
