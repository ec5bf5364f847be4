//! Rendering speed: resources and MB of NDJSON per second on one core, for each resource
//! rendered so far and each version, against a naive build of the same resource as a
//! `serde_json::Value` tree (parse our output back, then serialize the tree).
//!
//! `cargo bench -p bcda-synth --bench render` (part of `make bench`). The data is the
//! 2,500-beneficiary sandbox ACO, generated in memory.

#![allow(clippy::unwrap_used, clippy::print_stdout)] // a benchmark reports on stdout

use std::hint::black_box;
use std::time::Instant;

use bcda_model::ApiVersion;
use bcda_model::claims::ClaimType;
use bcda_model::fhir::{Coverage, CoveragePart, ExplanationOfBenefit, Patient};
use bcda_synth::{BeneficiaryRecord, Synth, SynthSpec};
use time::macros::date;

fn main() {
    let synth = Synth::new(SynthSpec {
        cms_id: "A9990".into(),
        beneficiaries: 2_500,
        seed: 20_171_030,
        years: 1,
        as_of: date!(2026 - 11 - 01),
    })
    .unwrap();
    let records: Vec<BeneficiaryRecord> =
        (0..synth.total()).map(|n| synth.beneficiary(n)).collect();

    println!("| resource | version | resources/s | MB/s | vs serde_json::Value |");
    println!("|---|---|---|---|---|");
    for version in ApiVersion::ALL {
        for kind in ClaimType::ALL.into_iter().filter(|k| *k != ClaimType::Pde) {
            measure(&format!("EOB {kind}"), version, &records, |record, out| {
                let mut n = 0;
                for claim in record.claims.iter().filter(|c| c.claim_type == kind) {
                    ExplanationOfBenefit::new(version, claim, record.beneficiary.bene_id)
                        .unwrap()
                        .write_ndjson(out)
                        .unwrap();
                    n += 1;
                }
                n
            });
        }
        measure("EOB pde", version, &records, |record, out| {
            for event in &record.events {
                ExplanationOfBenefit::pde(version, event, record.beneficiary.bene_id)
                    .write_ndjson(out)
                    .unwrap();
            }
            record.events.len()
        });
        measure("Patient", version, &records, |record, out| {
            Patient::new(version, &record.beneficiary, &record.enrollment_months)
                .write_ndjson(out)
                .unwrap();
            1
        });
        measure("Coverage", version, &records, |record, out| {
            for part in CoveragePart::ALL {
                Coverage::new(
                    version,
                    part,
                    &record.beneficiary,
                    &record.enrollment_years,
                    &record.enrollment_months,
                )
                .write_ndjson(out)
                .unwrap();
            }
            4
        });
    }
}

/// Renders every record with `render` into one buffer, best of three rounds; then the
/// same output re-serialized from `serde_json::Value` trees, for the ratio.
fn measure(
    name: &str,
    version: ApiVersion,
    records: &[BeneficiaryRecord],
    render: impl Fn(&BeneficiaryRecord, &mut Vec<u8>) -> usize,
) {
    let mut best = f64::MAX;
    let mut out = Vec::with_capacity(64 << 20);
    let mut count = 0;
    for _ in 0..3 {
        out.clear();
        let started = Instant::now();
        count = records.iter().map(|r| render(r, &mut out)).sum::<usize>();
        best = best.min(started.elapsed().as_secs_f64());
        black_box(&out);
    }
    let trees: Vec<serde_json::Value> = out
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    let mut naive = Vec::with_capacity(out.len());
    let started = Instant::now();
    for tree in &trees {
        serde_json::to_writer(&mut naive, tree).unwrap();
        naive.push(b'\n');
    }
    let naive_secs = started.elapsed().as_secs_f64();
    let mb = out.len() as f64 / 1e6;
    println!(
        "| {name} | {version} | {:.0} | {:.0} | {:.1}x faster ({} MB) |",
        count as f64 / best,
        mb / best,
        naive_secs / best,
        mb.round()
    );
}
