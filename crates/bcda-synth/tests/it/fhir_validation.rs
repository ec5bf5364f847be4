//! Our FHIR resources, rendered from synthetic data, checked by independent FHIR
//! implementations: the PyPI `fhir.resources` models (STU3 and R4) and the npm `fhir`
//! validator (R4). `scripts/fhir-validators.sh` installs both into a cache once.

use std::path::{Path, PathBuf};
use std::process::Command;

use bcda_model::ApiVersion;
use bcda_model::fhir::shared_system::{Claim as SharedSystemClaim, ClaimResponse};
use bcda_model::fhir::v3;
use bcda_model::fhir::{Coverage, CoveragePart, ExplanationOfBenefit, Patient};
use bcda_synth::{Synth, SynthSpec, shared_system};
use time::macros::date;

fn repo_root() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("../..")
}

/// The validators' directory, installing them on first use.
fn validators() -> PathBuf {
    let output = Command::new("bash")
        .arg(repo_root().join("scripts/fhir-validators.sh"))
        .output()
        .expect("run scripts/fhir-validators.sh");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

/// Patients, every Coverage part and the ExplanationOfBenefits of every claim and Part D
/// event of a small synthetic ACO (all eight kinds are present), and in R4 the Claim and
/// ClaimResponse of every FISS and MCS claim, as NDJSON.
fn render(version: ApiVersion, dir: &Path) -> PathBuf {
    let synth = Synth::new(SynthSpec {
        cms_id: "A9994".into(),
        beneficiaries: 50,
        seed: 20_171_030,
        years: 1,
        as_of: date!(2026 - 11 - 01),
    })
    .unwrap();
    let path = dir.join(format!("{}.ndjson", version.as_str()));
    let mut out = Vec::new();
    for ordinal in 0..synth.total() {
        let record = synth.beneficiary(ordinal);
        Patient::new(version, &record.beneficiary, &record.enrollment_months)
            .write_ndjson(&mut out)
            .unwrap();
        for part in CoveragePart::ALL {
            Coverage::new(
                version,
                part,
                &record.beneficiary,
                &record.enrollment_years,
                &record.enrollment_months,
            )
            .write_ndjson(&mut out)
            .unwrap();
        }
        for claim in &record.claims {
            ExplanationOfBenefit::new(version, claim, record.beneficiary.bene_id)
                .unwrap()
                .write_ndjson(&mut out)
                .unwrap();
        }
        // Partially adjudicated claims, final and in process, exist in R4 only.
        let as_of = synth.period().as_of;
        let pac = shared_system::records_of(&record, as_of).filter(|_| version == ApiVersion::V2);
        for pac in pac {
            SharedSystemClaim::new(&pac, &record.beneficiary)
                .write_ndjson(&mut out)
                .unwrap();
            ClaimResponse::new(&pac, &record.beneficiary)
                .write_ndjson(&mut out)
                .unwrap();
        }
        for event in &record.events {
            ExplanationOfBenefit::pde(version, event, record.beneficiary.bene_id)
                .write_ndjson(&mut out)
                .unwrap();
        }
    }
    std::fs::write(&path, out).unwrap();
    path
}

/// The same ACO in v3's shapes: Patient, every Coverage, and the ExplanationOfBenefit of
/// every NCH claim, Part D event and shared-system record (final and in process).
fn render_v3(dir: &Path) -> PathBuf {
    let synth = Synth::new(SynthSpec {
        cms_id: "A9994".into(),
        beneficiaries: 50,
        seed: 20_171_030,
        years: 1,
        as_of: date!(2026 - 11 - 01),
    })
    .unwrap();
    let path = dir.join("v3.ndjson");
    let mut out = Vec::new();
    for ordinal in 0..synth.total() {
        let record = synth.beneficiary(ordinal);
        let bene = &record.beneficiary;
        v3::Patient::new(bene).write_ndjson(&mut out).unwrap();
        for coverage in
            v3::Coverage::all_of(bene, &record.enrollment_years, &record.enrollment_months)
        {
            coverage.write_ndjson(&mut out).unwrap();
        }
        for claim in &record.claims {
            v3::ExplanationOfBenefit::nch(claim, bene.bene_id)
                .write_ndjson(&mut out)
                .unwrap();
        }
        for event in &record.events {
            v3::ExplanationOfBenefit::pde(event, bene.bene_id)
                .write_ndjson(&mut out)
                .unwrap();
        }
        for pac in shared_system::records_of(&record, synth.period().as_of) {
            v3::ExplanationOfBenefit::shared_system(&pac, bene.bene_id)
                .write_ndjson(&mut out)
                .unwrap();
        }
    }
    std::fs::write(&path, out).unwrap();
    path
}

fn run(program: &Path, args: &[&str]) {
    let output = Command::new(program).args(args).output().unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "{} rejected resources:\n{report}",
        program.display()
    );
    assert!(report.contains(" 0 invalid"), "{report}");
}

#[test]
fn patients_coverage_and_claims_validate_in_stu3_and_r4_and_in_v3() {
    let validators = validators();
    let dir = tempfile::tempdir().unwrap();
    let script = repo_root().join("scripts/validate_fhir.py");
    let python = validators.join("venv/bin/python");
    let files = [
        (render(ApiVersion::V1, dir.path()), "stu3"),
        (render(ApiVersion::V2, dir.path()), "r4"),
        (render_v3(dir.path()), "r4"),
    ];
    for (file, fhir_version) in &files {
        run(
            &python,
            &[
                script.to_str().unwrap(),
                fhir_version,
                file.to_str().unwrap(),
            ],
        );
    }
    for (r4, _) in &files[1..] {
        run(
            Path::new("node"),
            &[
                repo_root()
                    .join("scripts/validate_fhir_r4.cjs")
                    .to_str()
                    .unwrap(),
                validators.join("node/node_modules").to_str().unwrap(),
                r4.to_str().unwrap(),
            ],
        );
    }
}

/// Our renderer (`write_ndjson`, a serializer of our own for speed) must write exactly
/// the bytes serde_json writes for the same resource: checked on every resource of the
/// small ACO, every kind, both versions.
#[test]
fn rendered_lines_are_byte_identical_to_serde_json() {
    fn same<T: serde::Serialize>(resource: &T, written: impl FnOnce(&mut Vec<u8>)) {
        let mut ours = Vec::new();
        written(&mut ours);
        let mut theirs = serde_json::to_vec(resource).unwrap();
        theirs.push(b'\n');
        assert!(
            ours == theirs,
            "ours:   {}\nserde_json: {}",
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
    }
    let synth = Synth::new(bcda_synth::sandbox::spec(
        "A9994",
        50,
        date!(2026 - 11 - 01),
    ))
    .unwrap();
    let mut resources = 0;
    for version in ApiVersion::CCW_SHAPES {
        for ordinal in 0..synth.total() {
            let record = synth.beneficiary(ordinal);
            let bene = &record.beneficiary;
            let patient = Patient::new(version, bene, &record.enrollment_months);
            same(&patient, |out| patient.write_ndjson(out).unwrap());
            for part in CoveragePart::ALL {
                let coverage = Coverage::new(
                    version,
                    part,
                    bene,
                    &record.enrollment_years,
                    &record.enrollment_months,
                );
                same(&coverage, |out| coverage.write_ndjson(out).unwrap());
            }
            for claim in &record.claims {
                let eob = ExplanationOfBenefit::new(version, claim, bene.bene_id).unwrap();
                same(&eob, |out| eob.write_ndjson(out).unwrap());
                if let Some(pac) = shared_system::record_of(claim) {
                    let claim = SharedSystemClaim::new(&pac, bene);
                    same(&claim, |out| claim.write_ndjson(out).unwrap());
                    let response = ClaimResponse::new(&pac, bene);
                    same(&response, |out| response.write_ndjson(out).unwrap());
                }
            }
            for event in &record.events {
                let eob = ExplanationOfBenefit::pde(version, event, bene.bene_id);
                same(&eob, |out| eob.write_ndjson(out).unwrap());
            }
            resources += 5 + record.claims.len() + record.events.len();
        }
    }
    for ordinal in 0..synth.total() {
        let record = synth.beneficiary(ordinal);
        let bene = &record.beneficiary;
        let patient = v3::Patient::new(bene);
        same(&patient, |out| patient.write_ndjson(out).unwrap());
        for coverage in
            v3::Coverage::all_of(bene, &record.enrollment_years, &record.enrollment_months)
        {
            same(&coverage, |out| coverage.write_ndjson(out).unwrap());
        }
        for claim in &record.claims {
            let eob = v3::ExplanationOfBenefit::nch(claim, bene.bene_id);
            same(&eob, |out| eob.write_ndjson(out).unwrap());
        }
        for event in &record.events {
            let eob = v3::ExplanationOfBenefit::pde(event, bene.bene_id);
            same(&eob, |out| eob.write_ndjson(out).unwrap());
        }
        for pac in shared_system::records_of(&record, synth.period().as_of) {
            let eob = v3::ExplanationOfBenefit::shared_system(&pac, bene.bene_id);
            same(&eob, |out| eob.write_ndjson(out).unwrap());
        }
        resources += 1 + record.claims.len() + record.events.len();
    }
    assert!(resources > 2_000, "{resources}");
}
