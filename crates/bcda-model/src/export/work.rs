//! The queue message that hands a job key to a worker.

/// The message that carries one job key to a worker, versioned so that a worker can
/// refuse what it does not understand instead of misreading it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "v")]
pub enum ExportWork {
    #[serde(rename = "1")]
    V1 { job_id: i64, job_key_id: i64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_messages_carry_their_version() {
        let json = serde_json::to_value(ExportWork::V1 {
            job_id: 1,
            job_key_id: 2,
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"v": "1", "job_id": 1, "job_key_id": 2})
        );
    }
}
