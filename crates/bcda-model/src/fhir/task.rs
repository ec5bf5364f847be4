//! The job list, `GET /api/{v}/jobs`: a searchset Bundle of Task resources, one per
//! export job, as BCDA returns it.

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::JobStatus;

/// What the job list shows of one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSummary {
    pub id: i64,
    pub status: JobStatus,
    /// The kick-off URL the client sent.
    pub request_url: String,
    pub created_at: OffsetDateTime,
    pub completed_at: Option<OffsetDateTime>,
}

/// A FHIR Bundle of Tasks.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskBundle {
    resource_type: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    total: usize,
    entry: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize)]
struct Entry {
    resource: Task,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Task {
    resource_type: &'static str,
    identifier: [Identifier; 1],
    status: &'static str,
    intent: &'static str,
    input: [Input; 1],
    execution_period: Period,
}

#[derive(Debug, Clone, Serialize)]
struct Identifier {
    #[serde(rename = "use")]
    use_: &'static str,
    system: String,
    value: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Input {
    #[serde(rename = "type")]
    kind: Text,
    value_string: String,
}

#[derive(Debug, Clone, Serialize)]
struct Text {
    text: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct Period {
    start: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<String>,
}

impl TaskBundle {
    /// The bundle for `jobs`, whose identifiers live under `jobs_url`
    /// (`<base>/api/{v}/jobs`).
    pub fn new(jobs_url: &str, jobs: &[JobSummary]) -> TaskBundle {
        TaskBundle {
            resource_type: "Bundle",
            kind: "searchset",
            total: jobs.len(),
            entry: jobs
                .iter()
                .map(|job| Entry {
                    resource: Task {
                        resource_type: "Task",
                        identifier: [Identifier {
                            use_: "official",
                            system: jobs_url.to_owned(),
                            value: job.id.to_string(),
                        }],
                        status: task_status(job.status),
                        intent: "order",
                        input: [Input {
                            kind: Text {
                                text: "BULK FHIR Export",
                            },
                            value_string: format!("GET {}", job.request_url),
                        }],
                        execution_period: Period {
                            start: rfc3339(job.created_at),
                            end: job.completed_at.map(rfc3339),
                        },
                    },
                })
                .collect(),
        }
    }
}

/// The FHIR Task status of a job state.
pub fn task_status(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Pending => "accepted",
        JobStatus::InProgress => "in-progress",
        JobStatus::Completed | JobStatus::Expired => "completed",
        JobStatus::Failed => "failed",
        JobStatus::Cancelled => "cancelled",
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    #[test]
    fn a_job_becomes_a_task_with_its_request_and_period() {
        let job = JobSummary {
            id: 42,
            status: JobStatus::Completed,
            request_url: "https://bcda.example/api/v1/Patient/$export".into(),
            created_at: datetime!(2026-01-02 03:04:05 UTC),
            completed_at: Some(datetime!(2026-01-02 03:05:00 UTC)),
        };
        let bundle =
            serde_json::to_value(TaskBundle::new("https://bcda.example/api/v1/jobs", &[job]))
                .unwrap();
        assert_eq!(
            bundle,
            json!({
                "resourceType": "Bundle",
                "type": "searchset",
                "total": 1,
                "entry": [{"resource": {
                    "resourceType": "Task",
                    "identifier": [{"use": "official", "system": "https://bcda.example/api/v1/jobs", "value": "42"}],
                    "status": "completed",
                    "intent": "order",
                    "input": [{"type": {"text": "BULK FHIR Export"}, "valueString": "GET https://bcda.example/api/v1/Patient/$export"}],
                    "executionPeriod": {"start": "2026-01-02T03:04:05Z", "end": "2026-01-02T03:05:00Z"}
                }}]
            })
        );
    }

    #[test]
    fn every_job_state_has_a_task_status() {
        for status in JobStatus::ALL {
            assert!(!task_status(status).is_empty());
        }
        assert_eq!(task_status(JobStatus::InProgress), "in-progress");
    }
}
