//! The bulk data manifest of a job as one poll lists it: file URLs (signed or not), the
//! types the polling token may read, and the link to the next page of a partial one.

use actix_web::http::StatusCode;
use bcda_infra::http::{FhirError, PublicBase};
use bcda_infra::signed_url::UrlSigner;
use bcda_model::fhir::{Manifest, ManifestFile, ManifestLink, TransactionTime};
use bcda_model::scope::Scopes;
use bcda_model::{ApiVersion, ResourceType};
use time::OffsetDateTime;

use crate::jobs_repo::{JobFile, JobState, ManifestFiles};

/// How a poll lists a job's files.
pub struct Listing<'a> {
    pub id: i64,
    pub version: ApiVersion,
    pub base: &'a PublicBase,
    pub scopes: &'a Scopes,
    /// With URL signing on, each URL carries a signature for the job's ACO, and
    /// `requiresAccessToken` is false because the file server then accepts the URL alone.
    pub signer: Option<(&'a UrlSigner, &'a str)>,
}

impl Listing<'_> {
    /// The manifest of `files` (the job's, or one page's): the output files of the types
    /// the token may read (every file of a job organized by patient, whose files hold
    /// several types, each permitted at kick-off), the error files, and a `next` link
    /// when a later page exists.
    pub fn manifest(&self, job: &JobState, files: &ManifestFiles) -> Result<Manifest, FhirError> {
        let now = OffsetDateTime::now_utc();
        let url = |key: &str| match self.signer {
            Some((signer, cms_id)) => format!(
                "{}/data/{key}?{}",
                self.base.as_str(),
                signer.sign(cms_id, key, now).to_query()
            ),
            None => format!("{}/data/{key}", self.base.as_str()),
        };
        let count = |file: &JobFile| u64::try_from(file.count).unwrap_or(0);
        let mut output = Vec::with_capacity(files.files.len());
        // A file organized by patient holds every type of the job: a token may see it
        // only if it may read them all.
        let organized_permitted =
            job.organize_by_patient && self.permits_all(&job.resource_types)?;
        for file in &files.files {
            if job.organize_by_patient {
                if organized_permitted {
                    output.push(ManifestFile::organized(url(&file.object_key), count(file)));
                }
                continue;
            }
            let resource_type = self.resource_type(file)?;
            if self.scopes.permits(resource_type) {
                output.push(ManifestFile::data(
                    resource_type,
                    url(&file.object_key),
                    count(file),
                ));
            }
        }
        let error = files
            .error_files
            .iter()
            .map(|file| ManifestFile::error(url(&file.object_key), count(file)))
            .collect();
        let link = files
            .next_page
            .map(|page| {
                ManifestLink::next(format!(
                    "{}/api/{}/jobs/{}?page={page}",
                    self.base.as_str(),
                    self.version,
                    self.id
                ))
            })
            .into_iter()
            .collect();
        Ok(Manifest {
            transaction_time: TransactionTime(job.transaction_time),
            request: job.request_url.clone(),
            requires_access_token: self.signer.is_none(),
            output_organized_by: job.organize_by_patient.then_some("Patient"),
            output,
            error,
            link,
            job_id: self.id,
        })
    }

    /// A file's type.
    fn resource_type(&self, file: &JobFile) -> Result<ResourceType, FhirError> {
        self.parse_type(&file.resource_type)
    }

    /// Whether the token may read every one of `types`.
    fn permits_all(&self, types: &[String]) -> Result<bool, FhirError> {
        for name in types {
            if !self.scopes.permits(self.parse_type(name)?) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// A stored type. One this build does not know is stored data it cannot describe: an
    /// error, as in the worker, rather than a manifest silently missing files.
    fn parse_type(&self, name: &str) -> Result<ResourceType, FhirError> {
        name.parse().map_err(|_| {
            FhirError::new(
                self.version,
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("job {}: unknown resource type {name:?}", self.id),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bcda_model::JobStatus;
    use time::macros::datetime;

    fn organized_job() -> JobState {
        JobState {
            status: JobStatus::Completed,
            request_url: "https://x/api/v2/Patient/$export?organizeOutputBy=Patient".into(),
            transaction_time: datetime!(2026-01-01 0:00 UTC),
            keys_total: 1,
            keys_done: 1,
            expires_at: None,
            resource_types: vec!["ExplanationOfBenefit".into(), "Patient".into()],
            organize_by_patient: true,
            partial_manifests: false,
        }
    }

    fn files() -> ManifestFiles {
        ManifestFiles {
            files: vec![JobFile {
                resource_type: "Patient".into(),
                object_key: "1/a.ndjson".into(),
                count: 3,
            }],
            error_files: Vec::new(),
            next_page: None,
        }
    }

    fn listed(scopes: &Scopes) -> usize {
        let base = PublicBase("https://x".into());
        let listing = Listing {
            id: 1,
            version: ApiVersion::V2,
            base: &base,
            scopes,
            signer: None,
        };
        listing
            .manifest(&organized_job(), &files())
            .unwrap()
            .output
            .len()
    }

    #[test]
    fn a_file_organized_by_patient_is_listed_only_to_a_token_that_reads_all_its_types() {
        assert_eq!(listed(&Scopes::all()), 1);
        assert_eq!(listed(&Scopes::parse("system/Patient.rs").unwrap()), 0);
        let both = Scopes::parse("system/Patient.rs system/ExplanationOfBenefit.read").unwrap();
        assert_eq!(listed(&both), 1);
    }
}
