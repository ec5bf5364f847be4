//! What an export must hold, and ways to read what it holds.

use std::collections::BTreeMap;

use bcda_model::ApiVersion;
use bcda_model::fhir::shared_system::{Claim as ClaimResource, ClaimResponse};
use bcda_model::fhir::{Coverage, CoveragePart, ExplanationOfBenefit, Patient};
use bcda_synth::{BeneficiaryRecord, Synth, shared_system};
use bcda_testkit::{TestApp, TestAppBuilder};
use serde_json::Value;
use time::{Date, OffsetDateTime};

/// An app whose small batches give every type several keys.
pub fn small_batches() -> TestAppBuilder {
    TestAppBuilder::default()
        .env("BCDA_BATCH_SIZE_EOB", "7")
        .env("BCDA_BATCH_SIZE_PATIENT", "10")
        .env("BCDA_BATCH_SIZE_COVERAGE", "12")
        .env("BCDA_RETRY_DELAY_MS", "200")
}

/// Every line of every file the manifest lists under `key` ("output" or "error"), by
/// type.
pub async fn lines(
    app: &TestApp,
    token: &str,
    manifest: &Value,
    key: &str,
) -> BTreeMap<String, Vec<String>> {
    let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in manifest[key].as_array().unwrap() {
        let body = app.download(token, file["url"].as_str().unwrap()).await;
        assert!(!body.is_empty(), "listed files are never empty");
        let kind = file["type"].as_str().unwrap().to_owned();
        by_type
            .entry(kind)
            .or_default()
            .extend(body.lines().map(str::to_owned));
    }
    by_type
}

/// What an export of `types` in `version` must hold, rendered straight from the
/// generator: each attributed beneficiary's resources updated after `since`.
pub fn expected(
    synth: &Synth,
    version: ApiVersion,
    types: &[&str],
    since: Option<OffsetDateTime>,
) -> BTreeMap<String, Vec<String>> {
    expected_of(synth, version, types, |record| {
        synth.is_exported(record).then_some(Rows {
            since,
            ..Rows::default()
        })
    })
}

/// Which of a beneficiary's rows an export holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rows {
    /// Updated after this.
    pub since: Option<OffsetDateTime>,
    /// Updated no later than this (`_until`).
    pub until: Option<OffsetDateTime>,
    /// Claims and events updated no later than this.
    pub claims_until: Option<OffsetDateTime>,
    /// Claims and events with service (through) dates in this range.
    pub service_dates: Option<(Date, Date)>,
}

impl Rows {
    fn updated(&self, at: OffsetDateTime) -> bool {
        self.since.is_none_or(|since| at > since) && self.until.is_none_or(|until| at <= until)
    }

    fn claim_updated(&self, at: OffsetDateTime) -> bool {
        self.updated(at) && self.claims_until.is_none_or(|until| at <= until)
    }

    fn served(&self, day: Date) -> bool {
        self.service_dates
            .is_none_or(|(first, last)| first <= day && day <= last)
    }
}

/// What an export of `types` in `version` must hold when `rows` says which
/// beneficiaries it covers (`None`: not this one) and which of their rows.
pub fn expected_of(
    synth: &Synth,
    version: ApiVersion,
    types: &[&str],
    rows: impl Fn(&BeneficiaryRecord) -> Option<Rows>,
) -> BTreeMap<String, Vec<String>> {
    let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut push = |kind: &str, line: Vec<u8>| {
        by_type
            .entry(kind.to_owned())
            .or_default()
            .push(String::from_utf8(line).unwrap().trim_end().to_owned());
    };
    for ordinal in 0..synth.total() {
        let record = synth.beneficiary(ordinal);
        let Some(rows) = rows(&record) else {
            continue;
        };
        let bene = &record.beneficiary;
        if types.contains(&"Patient") && rows.updated(bene.last_updated) {
            let mut line = Vec::new();
            Patient::new(version, bene, &record.enrollment_months)
                .write_ndjson(&mut line)
                .unwrap();
            push("Patient", line);
        }
        if types.contains(&"Coverage") {
            for part in CoveragePart::ALL {
                let coverage = Coverage::new(
                    version,
                    part,
                    bene,
                    &record.enrollment_years,
                    &record.enrollment_months,
                );
                if rows.updated(coverage.last_updated()) {
                    let mut line = Vec::new();
                    coverage.write_ndjson(&mut line).unwrap();
                    push("Coverage", line);
                }
            }
        }
        if types.contains(&"ExplanationOfBenefit") {
            for claim in record
                .claims
                .iter()
                .filter(|c| rows.claim_updated(c.last_updated) && rows.served(c.thru_date))
            {
                let mut line = Vec::new();
                ExplanationOfBenefit::new(version, claim, bene.bene_id)
                    .unwrap()
                    .write_ndjson(&mut line)
                    .unwrap();
                push("ExplanationOfBenefit", line);
            }
            for event in record
                .events
                .iter()
                .filter(|e| rows.claim_updated(e.last_updated) && rows.served(e.service_date))
            {
                let mut line = Vec::new();
                ExplanationOfBenefit::pde(version, event, bene.bene_id)
                    .write_ndjson(&mut line)
                    .unwrap();
                push("ExplanationOfBenefit", line);
            }
        }
        // Partially adjudicated claims: their window ends at the job's start, not at a
        // runout's claims cut-off, as on BCDA.
        let as_of = synth.period().as_of;
        let pac = shared_system::records_of(&record, as_of).filter(|c| {
            rows.updated(c.last_updated) && (rows.served(c.thru_date) || rows.served(c.from_date))
        });
        for claim in pac {
            if types.contains(&"Claim") {
                let mut line = Vec::new();
                ClaimResource::new(&claim, bene)
                    .write_ndjson(&mut line)
                    .unwrap();
                push("Claim", line);
            }
            if types.contains(&"ClaimResponse") {
                let mut line = Vec::new();
                ClaimResponse::new(&claim, bene)
                    .write_ndjson(&mut line)
                    .unwrap();
                push("ClaimResponse", line);
            }
        }
    }
    sorted(by_type)
}

/// Each type's lines in a stable order, for comparing exports regardless of file order.
pub fn sorted(mut by_type: BTreeMap<String, Vec<String>>) -> BTreeMap<String, Vec<String>> {
    for lines in by_type.values_mut() {
        lines.sort();
    }
    by_type
}
