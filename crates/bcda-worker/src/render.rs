//! Turns one chunk of beneficiaries' rows into NDJSON lines of the key's resource type.
//! Synchronous CPU work: the worker runs it on a blocking thread.

use std::io::Write;

use bcda_model::claim_source::ClaimFacts;
use bcda_model::claims::{Beneficiary, Claim, EnrollmentMonth, EnrollmentYear, PdeEvent};
use bcda_model::export::EobFilter;
use bcda_model::fhir::shared_system::{Claim as ClaimResource, ClaimResponse};
use bcda_model::fhir::v3;
use bcda_model::fhir::{Coverage, CoveragePart, ExplanationOfBenefit, JsonError, Patient};
use bcda_model::shared_system::SharedSystemClaim;
use bcda_model::{ApiVersion, ResourceType};

use bcda_model::export::UpdateWindow;

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
    /// Partially adjudicated claims, already limited to the job's update window.
    pub shared_system_claims: Vec<SharedSystemClaim>,
    /// The ids, ascending, of the beneficiaries whose full history is exported
    /// (attributed since the job's `_since`).
    pub newly_attributed: Vec<i64>,
}

impl Chunk {
    /// A view of all the chunk's rows.
    pub fn rows(&self) -> Rows<'_> {
        Rows {
            beneficiaries: &self.beneficiaries,
            years: &self.years,
            months: &self.months,
            claims: &self.claims,
            events: &self.events,
            shared_system_claims: &self.shared_system_claims,
            newly_attributed: &self.newly_attributed,
        }
    }
}

/// Some rows of a [`Chunk`]: all of them, or one beneficiary's. Each list is in
/// beneficiary id order, as the chunk's are.
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a> {
    beneficiaries: &'a [Beneficiary],
    years: &'a [EnrollmentYear],
    months: &'a [EnrollmentMonth],
    claims: &'a [Claim],
    events: &'a [PdeEvent],
    shared_system_claims: &'a [SharedSystemClaim],
    newly_attributed: &'a [i64],
}

impl<'a> Rows<'a> {
    /// The rows of beneficiary `bene` alone.
    fn of_beneficiary(&self, bene: &'a Beneficiary) -> Rows<'a> {
        let id = bene.id;
        Rows {
            beneficiaries: std::slice::from_ref(bene),
            years: of(self.years, id, |y| y.beneficiary_id),
            months: of(self.months, id, |m| m.beneficiary_id),
            claims: of(self.claims, id, |c| c.beneficiary_id),
            events: of(self.events, id, |e| e.beneficiary_id),
            shared_system_claims: of(self.shared_system_claims, id, |c| c.beneficiary_id),
            newly_attributed: of(self.newly_attributed, id, |n| *n),
        }
    }

    /// The update window of beneficiary `id` in an export with `window`.
    fn window_of(&self, window: UpdateWindow, id: i64) -> UpdateWindow {
        window.of(self.newly_attributed.binary_search(&id).is_ok())
    }

    /// The beneficiary with internal id `id`.
    fn beneficiary(&self, id: i64) -> Result<&'a Beneficiary, KeyError> {
        self.beneficiaries
            .binary_search_by_key(&id, |b| b.id)
            .map(|i| &self.beneficiaries[i])
            .map_err(|_| KeyError::data(format!("no beneficiary {id}")))
    }

    /// The CCW id of the beneficiary with internal id `id`.
    fn bene_id(&self, id: i64) -> Result<i64, KeyError> {
        self.beneficiary(id).map(|b| b.bene_id)
    }
}

/// Lines are handed on once this many bytes are rendered: small enough to still be in the
/// core's cache when the encoder reads them, large enough that a hand-over costs little.
const HAND_OVER_BYTES: usize = 64 * 1024;

/// Where rendered lines go: a small reused buffer, passed to `next` (the gzip encoder)
/// every `HAND_OVER_BYTES`. A whole chunk (about 10 MB of EOBs) rendered first and
/// compressed after would be read back from memory; in small pieces it never leaves the
/// cache.
#[derive(Debug)]
pub struct Lines<'a, W> {
    buffer: &'a mut Vec<u8>,
    next: &'a mut W,
    bytes: u64,
}

impl<'a, W: Write> Lines<'a, W> {
    /// Lines written through `buffer` (cleared first) into `next`. Nothing reaches `next`
    /// before the first line.
    pub fn new(buffer: &'a mut Vec<u8>, next: &'a mut W) -> Self {
        buffer.clear();
        Lines {
            buffer,
            next,
            bytes: 0,
        }
    }

    /// Writes lines rendered elsewhere (whole lines, each ending in a newline).
    fn lines(&mut self, lines: &[u8]) -> Result<(), KeyError> {
        self.buffer.extend_from_slice(lines);
        if self.buffer.len() >= HAND_OVER_BYTES {
            self.hand_over()?;
        }
        Ok(())
    }

    /// Hands the lines still buffered on; returns every byte written.
    pub fn finish(mut self) -> Result<u64, KeyError> {
        self.hand_over()?;
        Ok(self.bytes)
    }

    /// Writes one line with `write` (a resource's `write_ndjson`), handing the buffer on
    /// once it holds enough.
    fn line(
        &mut self,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), JsonError>,
    ) -> Result<(), KeyError> {
        write(self.buffer).map_err(|e| KeyError::Render(e.to_string()))?;
        if self.buffer.len() >= HAND_OVER_BYTES {
            self.hand_over()?;
        }
        Ok(())
    }

    fn hand_over(&mut self) -> Result<(), KeyError> {
        if !self.buffer.is_empty() {
            self.next
                .write_all(self.buffer)
                .map_err(|e| KeyError::Render(e.to_string()))?;
            self.bytes += self.buffer.len() as u64;
            self.buffer.clear();
        }
        Ok(())
    }
}

/// What a key renders: its job's version and filter, its type, its update window.
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    pub version: ApiVersion,
    pub resource_type: ResourceType,
    pub window: UpdateWindow,
    /// v3: the ExplanationOfBenefits the job exports.
    pub eob_filter: Option<&'a EobFilter>,
}

/// Writes the rows' resources of the job's type and version to `out`, one per line;
/// returns how many. Patient and Coverage are kept only when their `meta.lastUpdated`
/// falls in the window (claims were filtered when read).
pub fn render<W: Write>(
    job: &Job<'_>,
    chunk: &Rows<'_>,
    out: &mut Lines<'_, W>,
) -> Result<u64, KeyError> {
    if job.version == ApiVersion::V3 {
        return render_v3(job, chunk, out);
    }
    let (version, window) = (job.version, job.window);
    let mut count = 0;
    match job.resource_type {
        ResourceType::ExplanationOfBenefit => {
            for claim in chunk.claims {
                let bene_id = chunk.bene_id(claim.beneficiary_id)?;
                let eob = ExplanationOfBenefit::new(version, claim, bene_id)
                    .map_err(|e| KeyError::Render(format!("claim {}: {e:?}", claim.clm_id)))?;
                out.line(|buffer| eob.write_ndjson(buffer))?;
                count += 1;
            }
            for event in chunk.events {
                let bene_id = chunk.bene_id(event.beneficiary_id)?;
                let eob = ExplanationOfBenefit::pde(version, event, bene_id);
                out.line(|buffer| eob.write_ndjson(buffer))?;
                count += 1;
            }
        }
        ResourceType::Patient => {
            for bene in chunk.beneficiaries {
                if chunk.window_of(window, bene.id).contains(bene.last_updated) {
                    let months = of(chunk.months, bene.id, |m| m.beneficiary_id);
                    let patient = Patient::new(version, bene, months);
                    out.line(|buffer| patient.write_ndjson(buffer))?;
                    count += 1;
                }
            }
        }
        ResourceType::Claim | ResourceType::ClaimResponse => {
            for claim in chunk.shared_system_claims {
                let bene = chunk.beneficiary(claim.beneficiary_id)?;
                if job.resource_type == ResourceType::Claim {
                    let resource = ClaimResource::new(claim, bene);
                    out.line(|buffer| resource.write_ndjson(buffer))?;
                } else {
                    let resource = ClaimResponse::new(claim, bene);
                    out.line(|buffer| resource.write_ndjson(buffer))?;
                }
                count += 1;
            }
        }
        ResourceType::Coverage => {
            for bene in chunk.beneficiaries {
                let window = chunk.window_of(window, bene.id);
                let years = of(chunk.years, bene.id, |y| y.beneficiary_id);
                let months = of(chunk.months, bene.id, |m| m.beneficiary_id);
                for part in CoveragePart::ALL {
                    let coverage = Coverage::new(version, part, bene, years, months);
                    if window.contains(coverage.last_updated()) {
                        out.line(|buffer| coverage.write_ndjson(buffer))?;
                        count += 1;
                    }
                }
            }
        }
    }
    Ok(count)
}

/// v3: Patient and Coverage in Blue Button's v3 shapes, and one ExplanationOfBenefit per
/// NCH claim, Part D event and shared-system record that the job's filter selects.
fn render_v3<W: Write>(
    job: &Job<'_>,
    chunk: &Rows<'_>,
    out: &mut Lines<'_, W>,
) -> Result<u64, KeyError> {
    let mut count = 0;
    let selected = |facts: ClaimFacts| job.eob_filter.is_none_or(|f| f.matches(&facts));
    match job.resource_type {
        ResourceType::ExplanationOfBenefit => {
            for claim in chunk.claims {
                if selected(ClaimFacts::of_claim(claim)) {
                    let bene_id = chunk.bene_id(claim.beneficiary_id)?;
                    let eob = v3::ExplanationOfBenefit::nch(claim, bene_id);
                    out.line(|buffer| eob.write_ndjson(buffer))?;
                    count += 1;
                }
            }
            for event in chunk.events {
                if selected(ClaimFacts::of_event(event)) {
                    let bene_id = chunk.bene_id(event.beneficiary_id)?;
                    let eob = v3::ExplanationOfBenefit::pde(event, bene_id);
                    out.line(|buffer| eob.write_ndjson(buffer))?;
                    count += 1;
                }
            }
            for claim in chunk.shared_system_claims {
                if selected(ClaimFacts::of_shared_system(claim)) {
                    let bene_id = chunk.bene_id(claim.beneficiary_id)?;
                    let eob = v3::ExplanationOfBenefit::shared_system(claim, bene_id);
                    out.line(|buffer| eob.write_ndjson(buffer))?;
                    count += 1;
                }
            }
        }
        ResourceType::Patient => {
            for bene in chunk.beneficiaries {
                if chunk
                    .window_of(job.window, bene.id)
                    .contains(bene.last_updated)
                {
                    let patient = v3::Patient::new(bene);
                    out.line(|buffer| patient.write_ndjson(buffer))?;
                    count += 1;
                }
            }
        }
        ResourceType::Coverage => {
            for bene in chunk.beneficiaries {
                let window = chunk.window_of(job.window, bene.id);
                let years = of(chunk.years, bene.id, |y| y.beneficiary_id);
                let months = of(chunk.months, bene.id, |m| m.beneficiary_id);
                for coverage in v3::Coverage::all_of(bene, years, months) {
                    if window.contains(coverage.last_updated()) {
                        out.line(|buffer| coverage.write_ndjson(buffer))?;
                        count += 1;
                    }
                }
            }
        }
        ResourceType::Claim | ResourceType::ClaimResponse => {
            return Err(KeyError::data(format!(
                "v3 has no {} resources",
                job.resource_type
            )));
        }
    }
    Ok(count)
}

/// Writes the rows organized by patient (`organizeOutputBy=Patient`), as the Bulk Data
/// IG (v3.0.0) lays out a file: for each beneficiary with anything to export, a block of
/// a header `Parameters` resource (a `header` parameter referencing the Patient), their
/// Patient when it is exported, then their resources of the other `types`, in the job's
/// order. Returns the lines written, headers included.
pub fn render_by_patient<W: Write>(
    job: &Job<'_>,
    types: &[ResourceType],
    rows: &Rows<'_>,
    out: &mut Lines<'_, W>,
) -> Result<u64, KeyError> {
    let (mut buffer, mut block) = (Vec::new(), Vec::new());
    let mut count = 0;
    for bene in rows.beneficiaries {
        let mine = rows.of_beneficiary(bene);
        block.clear();
        let mut lines = Lines::new(&mut buffer, &mut block);
        let mut rendered = 0;
        // The Patient first, then the job's other types in its order.
        let patient_first = types
            .iter()
            .filter(|&&t| t == ResourceType::Patient)
            .chain(types.iter().filter(|&&t| t != ResourceType::Patient));
        for &resource_type in patient_first {
            let job = Job {
                resource_type,
                ..*job
            };
            rendered += render(&job, &mine, &mut lines)?;
        }
        lines.finish()?;
        if rendered > 0 {
            out.lines(block_header(bene.bene_id).as_bytes())?;
            out.lines(&block)?;
            count += 1 + rendered;
        }
    }
    Ok(count)
}

/// The header line of a beneficiary's block in a file organized by patient.
fn block_header(bene_id: i64) -> String {
    format!(
        "{{\"resourceType\":\"Parameters\",\"parameter\":[{{\"name\":\"header\",\"valueReference\":{{\"reference\":\"Patient/{bene_id}\"}}}}]}}\n"
    )
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

    /// A writer that records each write it is given.
    #[derive(Default)]
    struct Recorder {
        writes: Vec<usize>,
        data: Vec<u8>,
    }

    impl Write for Recorder {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.writes.push(bytes.len());
            self.data.extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_reach_the_encoder_whole_in_cache_sized_pieces() {
        let (mut buffer, mut next) = (Vec::new(), Recorder::default());
        let mut lines = Lines::new(&mut buffer, &mut next);
        let mut expected = Vec::new();
        for n in 0..500u32 {
            let line = format!(
                "{{\"line\":{n},\"pad\":\"{}\"}}\n",
                "x".repeat(n as usize % 700)
            );
            lines
                .line(|buffer| {
                    buffer.extend_from_slice(line.as_bytes());
                    Ok(())
                })
                .unwrap();
            expected.extend_from_slice(line.as_bytes());
        }
        let bytes = lines.finish().unwrap();
        assert_eq!(bytes, expected.len() as u64);
        assert_eq!(next.data, expected);
        let (last, pieces) = next.writes.split_last().unwrap();
        assert!(pieces.len() > 1, "{:?}", next.writes);
        for piece in pieces {
            assert!(
                (HAND_OVER_BYTES..HAND_OVER_BYTES + 800).contains(piece),
                "{piece}"
            );
        }
        assert!(*last > 0 && *last < HAND_OVER_BYTES + 800);
    }

    #[test]
    fn no_lines_write_nothing() {
        let (mut buffer, mut next) = (b"stale".to_vec(), Recorder::default());
        let lines = Lines::new(&mut buffer, &mut next);
        assert_eq!(lines.finish().unwrap(), 0);
        assert!(next.writes.is_empty());
    }

    #[test]
    fn a_block_header_is_the_igs_parameters_resource() {
        let header: serde_json::Value =
            serde_json::from_str(&block_header(-19990000000001)).unwrap();
        assert_eq!(
            header,
            serde_json::json!({"resourceType": "Parameters", "parameter": [
                {"name": "header", "valueReference": {"reference": "Patient/-19990000000001"}}
            ]})
        );
    }

    #[test]
    fn lines_rendered_aside_are_handed_on_whole() {
        let (mut buffer, mut next) = (Vec::new(), Recorder::default());
        let mut lines = Lines::new(&mut buffer, &mut next);
        lines.lines(b"{\"a\":1}\n{\"b\":2}\n").unwrap();
        assert_eq!(lines.finish().unwrap(), 16);
        assert_eq!(next.data, b"{\"a\":1}\n{\"b\":2}\n");
    }

    #[test]
    fn rows_of_one_beneficiary_are_found_in_a_sorted_list() {
        let rows = [1, 1, 3, 3, 3, 7];
        assert_eq!(of(&rows, 3, |r| *r), [3, 3, 3]);
        assert_eq!(of(&rows, 1, |r| *r), [1, 1]);
        assert!(of(&rows, 5, |r| *r).is_empty());
        assert!(of(&rows, 9, |r| *r).is_empty());
    }
}
