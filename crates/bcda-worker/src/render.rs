//! Turns one chunk of beneficiaries' rows into NDJSON lines of the key's resource type.
//! Pure and synchronous: the worker runs it on a blocking thread.

use bcda_model::claims::{Beneficiary, Claim, EnrollmentMonth, EnrollmentYear, PdeEvent};
use bcda_model::fhir::{Coverage, CoveragePart, ExplanationOfBenefit, Patient};
use bcda_model::{ApiVersion, ResourceType};

use crate::claims_repo::UpdateWindow;
use crate::error::KeyError;

/// The rows of a chunk of beneficiaries, each list in beneficiary id order. Only the
/// lists the resource type needs are filled.
#[derive(Debug, Default)]
pub struct Chunk {
    pub beneficiaries: Vec<Beneficiary>,
    pub years: Vec<EnrollmentYear>,
    pub months: Vec<EnrollmentMonth>,
    /// Claims and events already limited to the job's update window.
    pub claims: Vec<Claim>,
    pub events: Vec<PdeEvent>,
}

/// Appends the chunk's resources of `resource_type` in `version` to `out`, one per
/// line; returns how many. Patient and Coverage are kept only when their
/// `meta.lastUpdated` falls in `window` (claims were filtered when read).
pub fn render(
    version: ApiVersion,
    resource_type: ResourceType,
    chunk: &Chunk,
    window: UpdateWindow,
    out: &mut Vec<u8>,
) -> Result<u64, KeyError> {
    let mut count = 0;
    let failed = |e: bcda_model::fhir::JsonError| KeyError::Render(e.to_string());
    match resource_type {
        ResourceType::ExplanationOfBenefit => {
            let bene_id = |beneficiary_id: i64| {
                chunk
                    .beneficiaries
                    .binary_search_by_key(&beneficiary_id, |b| b.id)
                    .map(|i| chunk.beneficiaries[i].bene_id)
                    .map_err(|_| KeyError::data(format!("no beneficiary {beneficiary_id}")))
            };
            for claim in &chunk.claims {
                ExplanationOfBenefit::new(version, claim, bene_id(claim.beneficiary_id)?)
                    .map_err(|e| KeyError::Render(format!("claim {}: {e:?}", claim.clm_id)))?
                    .write_ndjson(out)
                    .map_err(failed)?;
                count += 1;
            }
            for event in &chunk.events {
                ExplanationOfBenefit::pde(version, event, bene_id(event.beneficiary_id)?)
                    .write_ndjson(out)
                    .map_err(failed)?;
                count += 1;
            }
        }
        ResourceType::Patient => {
            for bene in &chunk.beneficiaries {
                if window.contains(bene.last_updated) {
                    Patient::new(
                        version,
                        bene,
                        of(&chunk.months, bene.id, |m| m.beneficiary_id),
                    )
                    .write_ndjson(out)
                    .map_err(failed)?;
                    count += 1;
                }
            }
        }
        ResourceType::Coverage => {
            for bene in &chunk.beneficiaries {
                let years = of(&chunk.years, bene.id, |y| y.beneficiary_id);
                let months = of(&chunk.months, bene.id, |m| m.beneficiary_id);
                for part in CoveragePart::ALL {
                    let coverage = Coverage::new(version, part, bene, years, months);
                    if window.contains(coverage.last_updated()) {
                        coverage.write_ndjson(out).map_err(failed)?;
                        count += 1;
                    }
                }
            }
        }
    }
    Ok(count)
}

/// The run of `rows` (sorted by beneficiary) that belongs to beneficiary `id`.
fn of<T>(rows: &[T], id: i64, key: impl Fn(&T) -> i64) -> &[T] {
    let start = rows.partition_point(|r| key(r) < id);
    let end = start + rows[start..].partition_point(|r| key(r) == id);
    &rows[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_one_beneficiary_are_found_in_a_sorted_list() {
        let rows = [1, 1, 3, 3, 3, 7];
        assert_eq!(of(&rows, 3, |r| *r), [3, 3, 3]);
        assert_eq!(of(&rows, 1, |r| *r), [1, 1]);
        assert!(of(&rows, 5, |r| *r).is_empty());
        assert!(of(&rows, 9, |r| *r).is_empty());
    }
}
