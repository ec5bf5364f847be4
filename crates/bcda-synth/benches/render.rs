//! Rendering speed on one core, measured with criterion: resources and MB of NDJSON per
//! second for every resource kind and version, against a naive build of the same
//! resource as a `serde_json::Value` tree that is then serialized.
//!
//! `cargo bench -p bcda-synth --bench render` (part of `make bench`) runs criterion over
//! every kind, prints criterion's report, then a summary table, and writes that table into
//! `docs/benchmarks.md`. Pass a filter as usual (`-- v2/eob-carrier`) to run fewer; the
//! docs are only rewritten by a full run.
//!
//! Each iteration renders up to 1,000 resources of one kind from the 2,500-beneficiary
//! sandbox ACO (generated in memory) into one reused buffer, as a worker renders a chunk.
//! The partially adjudicated kinds (`claim-*`, `claim-response-*`, R4 only) are the
//! FISS and MCS records of that ACO's claims; in v3, `claim-fiss` and `claim-mcs` are
//! those records as ExplanationOfBenefits (v3 has no ClaimResponse), and `coverage` is
//! rendered part by part as v1/v2 have it (v3 renders only the parts a beneficiary had).

#![allow(clippy::unwrap_used, clippy::print_stdout)] // a benchmark reports on stdout

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use bcda_model::ApiVersion;
use bcda_model::claims::{Beneficiary, Claim, ClaimType, PdeEvent};
use bcda_model::fhir::shared_system::{Claim as ClaimResource, ClaimResponse};
use bcda_model::fhir::v3;
use bcda_model::fhir::{Coverage, CoveragePart, ExplanationOfBenefit, Patient};
use bcda_model::shared_system::SharedSystemClaim;
use bcda_synth::{BeneficiaryRecord, Synth, SynthSpec, shared_system};
use bcda_testkit::bench_report;
use criterion::{Criterion, Throughput};
use time::macros::date;

/// The `bcda` binary's allocator, so the renderer is measured as a worker runs it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Resources rendered per iteration: about a worker chunk's worth of output.
const PER_ITERATION: usize = 1_000;

/// One resource to render, borrowing the generated rows.
#[derive(Clone, Copy)]
enum Item<'a> {
    Eob(&'a Claim, i64),
    Pde(&'a PdeEvent, i64),
    Patient(&'a BeneficiaryRecord),
    Coverage(&'a BeneficiaryRecord, CoveragePart),
    /// A partially adjudicated claim's `Claim` and `ClaimResponse` (R4 only).
    Claim(&'a SharedSystemClaim, &'a Beneficiary),
    ClaimResponse(&'a SharedSystemClaim, &'a Beneficiary),
}

/// Builds `item`'s resource in `version` as `$resource` and evaluates `$body` with it.
/// In v3 a shared-system record is an ExplanationOfBenefit, and has no ClaimResponse.
macro_rules! with_resource {
    ($version:expr, $item:expr, |$resource:ident| $body:expr) => {
        if $version == ApiVersion::V3 {
            match $item {
                Item::Eob(claim, bene_id) => {
                    let $resource = v3::ExplanationOfBenefit::nch(claim, bene_id);
                    $body
                }
                Item::Pde(event, bene_id) => {
                    let $resource = v3::ExplanationOfBenefit::pde(event, bene_id);
                    $body
                }
                Item::Patient(record) => {
                    let $resource = v3::Patient::new(&record.beneficiary);
                    $body
                }
                Item::Coverage(record, part) => {
                    if let Some($resource) = v3::Coverage::new(
                        v3_part(part),
                        &record.beneficiary,
                        &record.enrollment_years,
                        &record.enrollment_months,
                    ) {
                        $body
                    }
                }
                Item::Claim(claim, bene) => {
                    let $resource = v3::ExplanationOfBenefit::shared_system(claim, bene.bene_id);
                    $body
                }
                Item::ClaimResponse(..) => {}
            }
        } else {
            match $item {
                Item::Eob(claim, bene_id) => {
                    let $resource = ExplanationOfBenefit::new($version, claim, bene_id).unwrap();
                    $body
                }
                Item::Pde(event, bene_id) => {
                    let $resource = ExplanationOfBenefit::pde($version, event, bene_id);
                    $body
                }
                Item::Patient(record) => {
                    let $resource =
                        Patient::new($version, &record.beneficiary, &record.enrollment_months);
                    $body
                }
                Item::Coverage(record, part) => {
                    let $resource = Coverage::new(
                        $version,
                        part,
                        &record.beneficiary,
                        &record.enrollment_years,
                        &record.enrollment_months,
                    );
                    $body
                }
                Item::Claim(claim, bene) => {
                    let $resource = ClaimResource::new(claim, bene);
                    $body
                }
                Item::ClaimResponse(claim, bene) => {
                    let $resource = ClaimResponse::new(claim, bene);
                    $body
                }
            }
        }
    };
}

/// The v3 Coverage of a v1/v2 part.
fn v3_part(part: CoveragePart) -> v3::CoveragePart {
    match part {
        CoveragePart::A => v3::CoveragePart::A,
        CoveragePart::B => v3::CoveragePart::B,
        CoveragePart::C => v3::CoveragePart::C,
        CoveragePart::D => v3::CoveragePart::D,
    }
}

/// Our renderer: typed structs written straight to the buffer.
fn typed(version: ApiVersion, items: &[Item], out: &mut Vec<u8>) {
    for item in items {
        with_resource!(version, *item, |resource| resource
            .write_ndjson(out)
            .unwrap());
    }
}

/// The naive way: build a `serde_json::Value` tree of the resource, then serialize it.
fn naive(version: ApiVersion, items: &[Item], out: &mut Vec<u8>) {
    for item in items {
        with_resource!(version, *item, |resource| {
            let tree = serde_json::to_value(&resource).unwrap();
            serde_json::to_writer(&mut *out, &tree).unwrap();
            out.push(b'\n');
        });
    }
}

/// The first [`PER_ITERATION`] resources of each kind, named as in the report; `pac`
/// holds the partially adjudicated claims with the index of their beneficiary's record.
fn samples<'a>(
    records: &'a [BeneficiaryRecord],
    pac: &'a [(SharedSystemClaim, usize)],
) -> Vec<(String, Vec<Item<'a>>)> {
    let mut kinds: Vec<(String, Vec<Item<'_>>)> = ClaimType::ALL
        .into_iter()
        .filter(|k| *k != ClaimType::Pde)
        .map(|kind| {
            let claims = records.iter().flat_map(|r| {
                r.claims
                    .iter()
                    .filter(move |c| c.claim_type == kind)
                    .map(|c| Item::Eob(c, r.beneficiary.bene_id))
            });
            (format!("eob-{kind}"), claims.take(PER_ITERATION).collect())
        })
        .collect();
    let events = records
        .iter()
        .flat_map(|r| r.events.iter().map(|e| Item::Pde(e, r.beneficiary.bene_id)));
    kinds.push(("eob-pde".into(), events.take(PER_ITERATION).collect()));
    kinds.push((
        "patient".into(),
        records
            .iter()
            .map(Item::Patient)
            .take(PER_ITERATION)
            .collect(),
    ));
    let parts = records.iter().flat_map(|r| {
        CoveragePart::ALL
            .into_iter()
            .map(move |p| Item::Coverage(r, p))
    });
    kinds.push(("coverage".into(), parts.take(PER_ITERATION).collect()));
    for (name, system) in [("claim-fiss", "fiss"), ("claim-mcs", "mcs")] {
        let of_system = || {
            pac.iter()
                .filter(move |(claim, _)| claim.system.as_str() == system)
                .take(PER_ITERATION)
        };
        kinds.push((
            name.into(),
            of_system()
                .map(|(claim, i)| Item::Claim(claim, &records[*i].beneficiary))
                .collect(),
        ));
        kinds.push((
            name.replace("claim", "claim-response"),
            of_system()
                .map(|(claim, i)| Item::ClaimResponse(claim, &records[*i].beneficiary))
                .collect(),
        ));
    }
    kinds
}

/// Whether `version` has the kind named `kind`: partially adjudicated claims are R4 only,
/// and v3 has the shared-system records (as EOBs) but no ClaimResponse.
fn has_kind(version: ApiVersion, kind: &str) -> bool {
    match version {
        ApiVersion::V1 => !kind.starts_with("claim"),
        ApiVersion::V2 => true,
        ApiVersion::V3 => !kind.starts_with("claim-response"),
    }
}

/// What one kind in one version measured, for the summary.
struct Row {
    id: String,
    resources: usize,
    bytes: usize,
}

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
    let pac: Vec<(SharedSystemClaim, usize)> = records
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r.claims
                .iter()
                .filter_map(move |c| shared_system::record_of(c).map(|pac| (pac, i)))
        })
        .collect();
    let samples = samples(&records, &pac);
    let started = SystemTime::now();

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .configure_from_args();
    // Large enough for the largest kind's sample (1,000 carrier claims are about 17 MB in
    // STU3), so no iteration grows it, as a worker never grows its buffer mid-chunk.
    let mut out = Vec::with_capacity(64 << 20);
    let mut rows = Vec::new();
    for version in ApiVersion::ALL {
        for (kind, items) in samples.iter().filter(|(kind, _)| has_kind(version, kind)) {
            out.clear();
            typed(version, items, &mut out);
            // The lines written: v3 renders no Coverage of a part the beneficiary never had.
            let row = Row {
                id: format!("{version}-{kind}"),
                resources: out.iter().filter(|&&b| b == b'\n').count(),
                bytes: out.len(),
            };
            let mut group = criterion.benchmark_group(&row.id);
            group.throughput(Throughput::ElementsAndBytes {
                elements: row.resources as u64,
                bytes: row.bytes as u64,
            });
            group.bench_function("typed", |b| {
                b.iter(|| {
                    out.clear();
                    typed(version, items, &mut out);
                    black_box(out.len())
                })
            });
            group.bench_function("value", |b| {
                b.iter(|| {
                    out.clear();
                    naive(version, items, &mut out);
                    black_box(out.len())
                })
            });
            group.finish();
            rows.push(row);
        }
    }
    criterion.final_summary();

    let report = summary(&rows, started);
    println!("\n{report}");
    if std::env::args().skip(1).all(|a| a.starts_with('-')) {
        bench_report::write_docs("render-bench", "FHIR rendering, one core", &report);
    }
}

/// The markdown table of every kind measured by this run, from criterion's mean
/// estimates.
fn summary(rows: &[Row], since: SystemTime) -> String {
    let mut report = format!(
        "Measured by `cargo bench -p bcda-synth --bench render` (criterion, mean of 20 samples) at commit `{}`, one core.\n\n",
        bench_report::commit()
    );
    report.push_str(
        "| resource | version | resources/s | MB/s | `serde_json::Value` MB/s | typed vs Value |\n",
    );
    report.push_str("|---|---|---:|---:|---:|---:|\n");
    for row in rows {
        let (Some(typed), Some(value)) = (
            mean_secs(&row.id, "typed", since),
            mean_secs(&row.id, "value", since),
        ) else {
            continue;
        };
        let (version, kind) = row.id.split_once('-').unwrap_or_default();
        let mb = row.bytes as f64 / 1e6;
        writeln!(
            report,
            "| {kind} | {version} | {:.0} | {:.0} | {:.0} | {:.1}x |",
            row.resources as f64 / typed,
            mb / typed,
            mb / value,
            value / typed
        )
        .unwrap();
    }
    report
}

/// Criterion's mean time of one iteration of `group/function`, in seconds, from the
/// estimates it saved; `None` when this run (started at `since`) filtered it out.
fn mean_secs(group: &str, function: &str, since: SystemTime) -> Option<f64> {
    let home = std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("CARGO_TARGET_DIR").map(|t| PathBuf::from(t).join("criterion"))
        })
        .unwrap_or_else(|| {
            PathBuf::from(
                std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
            )
            .join("../../target/criterion")
        });
    let path = home.join(group).join(function).join("new/estimates.json");
    if std::fs::metadata(&path).ok()?.modified().ok()? < since {
        return None;
    }
    let estimates: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    Some(estimates["mean"]["point_estimate"].as_f64()? / 1e9)
}
