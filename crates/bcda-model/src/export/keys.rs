//! Key planning: how an export is cut into job keys, one worker task and one NDJSON
//! file each.

use crate::ResourceType;

/// Beneficiaries per job key (one worker task, one NDJSON file) for each type.
///
/// The defaults keep files between a few and a few hundred megabytes: an EOB batch of
/// 250 beneficiaries is about 100 MB of NDJSON, so the 30,000-beneficiary sandbox ACO
/// yields 120 EOB files and a 1,000,000-beneficiary ACO 4,000, not tens of thousands
/// (BCDA uses 50 per EOB batch). Patient and Coverage lines are small, so their batches
/// are BCDA's 5,000 and 4,000; partially adjudicated claims use BCDA's 4,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSizes {
    pub explanation_of_benefit: u32,
    pub patient: u32,
    pub coverage: u32,
    /// `Claim` and `ClaimResponse`.
    pub partially_adjudicated: u32,
}

impl Default for BatchSizes {
    fn default() -> Self {
        BatchSizes {
            explanation_of_benefit: 250,
            patient: 5_000,
            coverage: 4_000,
            partially_adjudicated: 4_000,
        }
    }
}

impl BatchSizes {
    /// Beneficiaries per key of `resource_type`.
    pub fn of(&self, resource_type: ResourceType) -> u32 {
        match resource_type {
            ResourceType::ExplanationOfBenefit => self.explanation_of_benefit,
            ResourceType::Patient => self.patient,
            ResourceType::Coverage => self.coverage,
            ResourceType::Claim | ResourceType::ClaimResponse => self.partially_adjudicated,
        }
        .max(1)
    }

    /// How a job of `types` is cut into keys: one key type per requested type, each
    /// with its batch size; or, when the job is organized by patient, keys of the
    /// organizing type (`Patient`) that each hold every requested type of their
    /// beneficiaries, batched by the smallest size among those types.
    pub fn layout(&self, types: &[ResourceType], organize_by_patient: bool) -> KeyLayout {
        if organize_by_patient {
            let size = types.iter().map(|&t| self.of(t)).min().unwrap_or(1);
            return KeyLayout(vec![(ResourceType::Patient, size)]);
        }
        KeyLayout(types.iter().map(|&t| (t, self.of(t))).collect())
    }
}

/// A job's key types and their batch sizes, in the job's type order
/// ([`BatchSizes::layout`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLayout(Vec<(ResourceType, u32)>);

impl KeyLayout {
    /// The distinct batch sizes: an ACO's beneficiaries at ordinals that are multiples of
    /// one of them start a batch.
    pub fn batch_sizes(&self) -> Vec<i64> {
        let mut sizes: Vec<i64> = self.0.iter().map(|&(_, s)| i64::from(s)).collect();
        sizes.sort_unstable();
        sizes.dedup();
        sizes
    }

    /// Whether the beneficiary at `ordinal` (0-based position in id order) starts some
    /// key's batch: what [`KeyLayout::plan_keys`] needs to know of an ACO.
    pub fn starts_batch(&self, ordinal: u64) -> bool {
        self.0
            .iter()
            .any(|&(_, size)| ordinal.is_multiple_of(u64::from(size)))
    }

    /// The job keys of an export, in type order: one per key type and batch of
    /// beneficiaries. `starts` holds, in order, the (ordinal, beneficiary id) of every
    /// beneficiary at which a batch starts (see [`KeyLayout::starts_batch`]). An ACO
    /// without beneficiaries still gets one (empty) key per type, so every job has work
    /// that completes it.
    pub fn plan_keys(&self, starts: &[(u64, i64)]) -> Vec<PlannedKey> {
        let mut keys = Vec::new();
        for &(resource_type, size) in &self.0 {
            let size = u64::from(size);
            let firsts: Vec<i64> = starts
                .iter()
                .filter(|(ordinal, _)| ordinal.is_multiple_of(size))
                .map(|&(_, id)| id)
                .collect();
            if firsts.is_empty() {
                keys.push(PlannedKey {
                    resource_type,
                    batch_index: 0,
                    beneficiaries: BeneficiaryRange::ALL,
                });
                continue;
            }
            for (index, first) in firsts.iter().enumerate() {
                keys.push(PlannedKey {
                    resource_type,
                    batch_index: index as i32,
                    beneficiaries: BeneficiaryRange {
                        first: *first,
                        end: firsts.get(index + 1).copied(),
                    },
                });
            }
        }
        keys
    }
}

/// One unit of export work decided at kick-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedKey {
    pub resource_type: ResourceType,
    pub batch_index: i32,
    pub beneficiaries: BeneficiaryRange,
}

/// The attributed beneficiaries of a job key: ids from `first` up to, not including,
/// `end` (no end: every id from `first` on). Fixed at kick-off, so attribution changes
/// while a job runs never move a beneficiary from one batch to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BeneficiaryRange {
    pub first: i64,
    pub end: Option<i64>,
}

impl BeneficiaryRange {
    /// Every beneficiary.
    pub const ALL: BeneficiaryRange = BeneficiaryRange {
        first: i64::MIN,
        end: None,
    };

    /// Whether `id` is in the range.
    pub fn contains(&self, id: i64) -> bool {
        id >= self.first && self.end.is_none_or(|end| id < end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The batch starts of an ACO of `n` beneficiaries with ids 1000, 1010, ...
    fn starts_of(layout: &KeyLayout, n: u64) -> Vec<(u64, i64)> {
        (0..n)
            .filter(|&ordinal| layout.starts_batch(ordinal))
            .map(|ordinal| (ordinal, 1000 + 10 * ordinal as i64))
            .collect()
    }

    #[test]
    fn keys_split_each_type_into_bounded_batches_of_id_ranges() {
        let layout = BatchSizes::default().layout(&ResourceType::ALL, false);
        assert_eq!(layout.batch_sizes(), [250, 4_000, 5_000]);
        let keys = layout.plan_keys(&starts_of(&layout, 30_000));
        let of = |t| {
            keys.iter()
                .filter(|k| k.resource_type == t)
                .collect::<Vec<_>>()
        };
        let eob = of(ResourceType::ExplanationOfBenefit);
        assert_eq!(eob.len(), 120);
        assert_eq!(of(ResourceType::Patient).len(), 6);
        assert_eq!(of(ResourceType::Coverage).len(), 8);
        // Consecutive ranges: each batch ends where the next begins; the last is open.
        assert_eq!(eob[0].beneficiaries.first, 1000);
        assert_eq!(eob[0].beneficiaries.end, Some(1000 + 2500));
        assert_eq!(eob[1].beneficiaries.first, 1000 + 2500);
        assert_eq!(eob[119].batch_index, 119);
        assert_eq!(eob[119].beneficiaries.end, None);
        let covered = (0..30_000i64)
            .map(|n| 1000 + 10 * n)
            .all(|id| eob.iter().filter(|k| k.beneficiaries.contains(id)).count() == 1);
        assert!(covered, "every beneficiary is in exactly one EOB batch");
    }

    #[test]
    fn an_aco_without_beneficiaries_gets_one_empty_key_per_type() {
        let keys = BatchSizes::default()
            .layout(&[ResourceType::Patient], false)
            .plan_keys(&[]);
        assert_eq!(
            keys,
            [PlannedKey {
                resource_type: ResourceType::Patient,
                batch_index: 0,
                beneficiaries: BeneficiaryRange::ALL,
            }]
        );
    }

    #[test]
    fn a_job_organized_by_patient_has_one_key_type_batched_by_its_smallest_size() {
        let sizes = BatchSizes::default();
        let layout = sizes.layout(&ResourceType::ADJUDICATED, true);
        let keys = layout.plan_keys(&starts_of(&layout, 1_000));
        assert_eq!(
            keys.len(),
            4,
            "1,000 beneficiaries in EOB-sized batches of 250"
        );
        assert!(
            keys.iter()
                .all(|k| k.resource_type == ResourceType::Patient)
        );
        let small = sizes.layout(&[ResourceType::Patient, ResourceType::Coverage], true);
        assert_eq!(small.batch_sizes(), [4_000]);
    }
}
