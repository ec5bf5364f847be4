//! Our resources against BFD's own: for each claim kind, Patient and Coverage, in STU3
//! and R4, the element paths, extension URLs and coding/identifier systems of what we
//! render from synthetic data are compared with BFD's approved responses
//! (`tests/bluebutton/`). Every difference must be listed, with its reason, in
//! `tests/bluebutton/allow-list.txt`; a listed difference that no longer exists must be
//! removed from it, so the list is always the exact gap (but for differences on rare
//! claims, which a sample may or may not hold: their reasons start `rare:`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use bcda_model::ApiVersion;
use bcda_model::claim_source::FinalAction;
use bcda_model::claims::ClaimType;
use bcda_model::fhir::shared_system::{Claim as SharedSystemClaim, ClaimResponse};
use bcda_model::fhir::v3;
use bcda_model::fhir::{Coverage, CoveragePart, ExplanationOfBenefit, Patient};
use bcda_model::shared_system::SharedSystem;
use bcda_synth::{Synth, SynthSpec, shared_system};
use serde_json::Value;
use time::macros::date;

/// The kinds compared, with BFD's fixture file of each.
const KINDS: [(&str, &str); 10] = [
    ("carrier", "eobReadCarrier"),
    ("dme", "eobReadDme"),
    ("hha", "eobReadHha"),
    ("hospice", "eobReadHospice"),
    ("inpatient", "eobReadInpatient"),
    ("outpatient", "eobReadOutpatient"),
    ("snf", "eobReadSnf"),
    ("pde", "eobReadPde"),
    ("patient", "patientRead"),
    ("coverage", "coverageSearchByPatientId"),
];

/// The partially adjudicated kinds, which BFD serves in R4 only, with BFD's fixtures.
const SHARED_SYSTEM_KINDS: [(&str, &str); 4] = [
    ("claim-fiss", "claimFissRead"),
    ("claim-mcs", "claimMcsRead"),
    ("claim-response-fiss", "claimResponseFissRead"),
    ("claim-response-mcs", "claimResponseMcsRead"),
];

/// The v3 kinds BFD's v3 snapshots show, with the snapshot of each. BFD has no v3
/// snapshot of an MCS claim or of the other NCH kinds; their shapes follow the same
/// mapping as the carrier and home health claims'.
const V3_KINDS: [(&str, &str); 7] = [
    ("carrier", "eobReadCarrier"),
    ("hha", "eobReadHha"),
    ("pde", "eobReadPde"),
    ("fiss-phase-1", "eobReadFissPhase1"),
    ("fiss-phase-2", "eobReadFissPhase2"),
    ("patient", "patientRead"),
    ("coverage", "coverageSearchByBeneficiary"),
];

/// The kinds of `version`, with BFD's fixture of each.
fn kinds(version: ApiVersion) -> Vec<(&'static str, &'static str)> {
    let mut kinds = KINDS.to_vec();
    match version {
        ApiVersion::V1 => {}
        ApiVersion::V2 => kinds.extend(SHARED_SYSTEM_KINDS),
        ApiVersion::V3 => kinds = V3_KINDS.to_vec(),
    }
    kinds
}

/// Where v3 names its code systems: an adjudication or supporting information code
/// names an IDR column, so which of them a resource has is part of its shape.
const BB_V3_CODE_SYSTEMS: [&str; 2] = [
    "https://bluebutton.cms.gov/fhir/CodeSystem/Adjudication",
    "https://bluebutton.cms.gov/fhir/CodeSystem/Supporting-Information",
];

/// Where BFD's CCW variables are named.
const BB_VARIABLES: &str = "https://bluebutton.cms.gov/resources/variables/";

fn fixtures_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("tests/bluebutton")
}

/// What a resource is made of: `path a.b.c` for every element holding a value (array
/// positions dropped, extensions left out), `extension <where> <url> <value[x]>` for
/// every extension, `system <uri>` for every coding and identifier system, and
/// `variable <element> <url>` for every coding whose code is a BFD variable.
fn shape(resource: &Value) -> BTreeSet<String> {
    let mut items = BTreeSet::new();
    walk(resource, "", &mut items);
    items
}

fn walk(value: &Value, path: &str, items: &mut BTreeSet<String>) {
    match value {
        Value::Object(fields) => {
            if let (Some(Value::String(system)), Some(Value::String(code))) =
                (fields.get("system"), fields.get("code"))
                && BB_V3_CODE_SYSTEMS.contains(&system.as_str())
            {
                let element = path.strip_suffix(".coding").unwrap_or(path);
                items.insert(format!("variable {element} {system}|{code}"));
            }
            for (key, field) in fields {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match (key.as_str(), field) {
                    ("extension" | "modifierExtension", Value::Array(extensions)) => {
                        for extension in extensions {
                            record_extension(extension, &here, items);
                        }
                    }
                    ("system", Value::String(system)) => {
                        items.insert(format!("system {system}"));
                        items.insert(format!("path {here}"));
                    }
                    // A code naming a BFD variable says which amount, count or fact an
                    // element is (a benefit balance, an adjudication, a supporting
                    // information): which of them a resource has is part of its shape.
                    ("code", Value::String(code)) if code.starts_with(BB_VARIABLES) => {
                        let element = path.strip_suffix(".coding").unwrap_or(path);
                        items.insert(format!("variable {element} {}", without_year(code)));
                        items.insert(format!("path {here}"));
                    }
                    _ => walk(field, &here, items),
                }
            }
        }
        Value::Array(elements) => {
            for element in elements {
                walk(element, path, items);
            }
        }
        _ => {
            items.insert(format!("path {path}"));
        }
    }
}

/// `url` with the year of a year-month variable (`ptdcntrct01/2018-1`) written `YYYY`:
/// BFD's fixture and our data are of different years.
fn without_year(url: &str) -> String {
    match url.rsplit_once('/') {
        Some((head, tail))
            if tail.len() > 5
                && tail.as_bytes()[4] == b'-'
                && tail[..4].bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!("{head}/YYYY{}", &tail[4..])
        }
        _ => url.to_owned(),
    }
}

/// An extension: where, its URL and the kind of its value; its value's systems (and any
/// nested extensions) count too.
fn record_extension(extension: &Value, at: &str, items: &mut BTreeSet<String>) {
    let url = without_year(extension["url"].as_str().unwrap_or("(no url)"));
    let url = url.as_str();
    let value = extension
        .as_object()
        .into_iter()
        .flatten()
        .find(|(key, _)| key.starts_with("value"))
        .map_or("(no value)", |(key, _)| key.as_str());
    items.insert(format!("extension {at} {url} {value}"));
    let mut inner = BTreeSet::new();
    for (key, field) in extension.as_object().into_iter().flatten() {
        if key != "url" {
            walk(field, &format!("{at}({url}).{key}"), &mut inner);
        }
    }
    items.extend(
        inner
            .into_iter()
            .filter(|item| item.starts_with("system ") || item.starts_with("extension ")),
    );
}

/// BFD's fixture of `file` in `version`: one resource, or a search Bundle's resources.
fn bfd(version: &str, file: &str) -> Vec<Value> {
    let path = fixtures_dir().join(version).join(format!("{file}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let value: Value = serde_json::from_str(&text).unwrap();
    if value["resourceType"] == "Bundle" {
        value["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| entry["resource"].clone())
            .collect()
    } else {
        vec![value]
    }
}

/// Our resources of a synthetic ACO large enough to show every claim kind and every
/// month of Part C enrollment, by kind.
/// Its data cover one whole calendar year, as BFD's fixtures' monthly enrollment does.
fn ours(version: ApiVersion) -> BTreeMap<&'static str, Vec<Value>> {
    let synth = Synth::new(SynthSpec {
        cms_id: "A9994".into(),
        beneficiaries: 200,
        seed: 20_171_030,
        years: 1,
        as_of: date!(2027 - 01 - 01),
    })
    .unwrap();
    let mut by_kind: BTreeMap<&'static str, Vec<Value>> = BTreeMap::new();
    let mut add = |kind: &'static str, write: &dyn Fn(&mut Vec<u8>)| {
        let mut line = Vec::new();
        write(&mut line);
        by_kind
            .entry(kind)
            .or_default()
            .push(serde_json::from_slice(&line).unwrap());
    };
    for ordinal in 0..synth.total() {
        let record = synth.beneficiary(ordinal);
        let bene = &record.beneficiary;
        add("patient", &|out| {
            Patient::new(version, bene, &record.enrollment_months)
                .write_ndjson(out)
                .unwrap()
        });
        for part in CoveragePart::ALL {
            add("coverage", &|out| {
                Coverage::new(
                    version,
                    part,
                    bene,
                    &record.enrollment_years,
                    &record.enrollment_months,
                )
                .write_ndjson(out)
                .unwrap()
            });
        }
        for claim in &record.claims {
            add(claim.claim_type.as_str(), &|out| {
                ExplanationOfBenefit::new(version, claim, bene.bene_id)
                    .unwrap()
                    .write_ndjson(out)
                    .unwrap()
            });
        }
        // Partially adjudicated claims, final and in process, in R4 only.
        let as_of = synth.period().as_of;
        let pac = shared_system::records_of(&record, as_of).filter(|_| version == ApiVersion::V2);
        for pac in pac {
            let (claim_kind, response_kind) = match pac.system {
                SharedSystem::Fiss => ("claim-fiss", "claim-response-fiss"),
                SharedSystem::Mcs => ("claim-mcs", "claim-response-mcs"),
            };
            add(claim_kind, &|out| {
                SharedSystemClaim::new(&pac, bene)
                    .write_ndjson(out)
                    .unwrap()
            });
            add(response_kind, &|out| {
                ClaimResponse::new(&pac, bene).write_ndjson(out).unwrap()
            });
        }
        for event in &record.events {
            add(ClaimType::Pde.as_str(), &|out| {
                ExplanationOfBenefit::pde(version, event, bene.bene_id)
                    .write_ndjson(out)
                    .unwrap()
            });
        }
    }
    by_kind
}

/// The same ACO's resources in v3, by kind; shared-system claims by system and phase.
fn ours_v3() -> BTreeMap<&'static str, Vec<Value>> {
    let synth = Synth::new(SynthSpec {
        cms_id: "A9994".into(),
        beneficiaries: 200,
        seed: 20_171_030,
        years: 1,
        as_of: date!(2027 - 01 - 01),
    })
    .unwrap();
    let mut by_kind: BTreeMap<&'static str, Vec<Value>> = BTreeMap::new();
    let mut add = |kind: &'static str, resource: &dyn erased::Render| {
        let mut line = Vec::new();
        resource.write(&mut line);
        by_kind
            .entry(kind)
            .or_default()
            .push(serde_json::from_slice(&line).unwrap());
    };
    for ordinal in 0..synth.total() {
        let record = synth.beneficiary(ordinal);
        let bene = &record.beneficiary;
        add("patient", &v3::Patient::new(bene));
        for coverage in
            v3::Coverage::all_of(bene, &record.enrollment_years, &record.enrollment_months)
        {
            add("coverage", &coverage);
        }
        for claim in &record.claims {
            add(
                claim.claim_type.as_str(),
                &v3::ExplanationOfBenefit::nch(claim, bene.bene_id),
            );
        }
        for event in &record.events {
            add("pde", &v3::ExplanationOfBenefit::pde(event, bene.bene_id));
        }
        for pac in shared_system::records_of(&record, synth.period().as_of) {
            let eob = v3::ExplanationOfBenefit::shared_system(&pac, bene.bene_id);
            let kind = match (pac.system, eob.facts().final_action) {
                (SharedSystem::Fiss, FinalAction::NotFinalAction) => "fiss-phase-1",
                (SharedSystem::Fiss, FinalAction::FinalAction) => "fiss-phase-2",
                (SharedSystem::Mcs, FinalAction::NotFinalAction) => "mcs-phase-1",
                (SharedSystem::Mcs, FinalAction::FinalAction) => "mcs-phase-2",
            };
            add(kind, &eob);
        }
    }
    by_kind
}

/// The v3 resources, whatever their type, as something that writes an NDJSON line.
mod erased {
    pub trait Render {
        fn write(&self, out: &mut Vec<u8>);
    }
    macro_rules! render {
        ($($t:ty),*) => {$(
            impl Render for $t {
                fn write(&self, out: &mut Vec<u8>) {
                    self.write_ndjson(out).unwrap();
                }
            }
        )*};
    }
    use bcda_model::fhir::v3;
    render!(
        v3::Patient<'_>,
        v3::Coverage<'_>,
        v3::ExplanationOfBenefit<'_>
    );
}

/// One difference: `v1 | carrier | missing | extension ... `.
type Difference = (String, String, String, String);

/// The allow-list: each difference with its reason.
fn allow_list() -> BTreeMap<Difference, String> {
    let path = fixtures_dir().join("allow-list.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let mut allowed = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.splitn(5, " | ").collect();
        assert!(
            fields.len() == 5 && !fields[4].trim().is_empty(),
            "allow-list.txt line {}: want `version | kind | missing|extra | item | reason`",
            number + 1
        );
        let key = (
            fields[0].to_owned(),
            fields[1].to_owned(),
            fields[2].to_owned(),
            fields[3].to_owned(),
        );
        allowed.insert(key, fields[4].to_owned());
    }
    allowed
}

/// Writes the sample compared, one NDJSON file per kind and version, into the directory
/// `BLUEBUTTON_SAMPLE_DIR` names, if set: for a closer look at a difference or a size.
fn dump_sample(version: ApiVersion, rendered: &BTreeMap<&'static str, Vec<Value>>) {
    let Some(dir) = std::env::var_os("BLUEBUTTON_SAMPLE_DIR").map(PathBuf::from) else {
        return;
    };
    std::fs::create_dir_all(&dir).unwrap();
    for (kind, resources) in rendered {
        let lines: Vec<String> = resources.iter().map(Value::to_string).collect();
        let path = dir.join(format!("{}-{kind}.ndjson", version.as_str()));
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
    }
}

/// The median compact JSON size of `resources`, in bytes, each counted as if it had
/// `lines` items of its own average item size: BFD's claims have one or two lines, ours
/// as many as the claim has services, so claims are compared line for line.
fn median_size(resources: &[Value], lines: usize) -> usize {
    let size = |value: &Value| serde_json::to_string(value).unwrap().len();
    let mut sizes: Vec<usize> = resources
        .iter()
        .map(|resource| match resource["item"].as_array() {
            Some(items) if !items.is_empty() => {
                let items_size: usize = items.iter().map(|item| size(item) + 1).sum();
                size(resource) - items_size + items_size * lines / items.len()
            }
            _ => size(resource),
        })
        .collect();
    sizes.sort_unstable();
    sizes[sizes.len() / 2]
}

/// The size rows of `kind` for the size goal: our median against BFD's fixture,
/// claims line for line, coverage part by part (a Part D coverage is twice a Part B's).
fn size_report(version: ApiVersion, kind: &str, ours: &[Value], theirs: &[Value]) -> String {
    let lines = theirs[0]["item"].as_array().map_or(0, Vec::len);
    let row = |name: &str, mine: &[Value], bfds: &[Value]| {
        let (mine, bfds) = (median_size(mine, lines), median_size(bfds, lines));
        format!(
            "{name} | {} | {lines} | {mine} | {bfds} | {:.2}\n",
            version.as_str(),
            mine as f64 / bfds as f64
        )
    };
    if kind != "coverage" {
        return row(kind, ours, theirs);
    }
    let of_part = |resources: &[Value], part: &str| -> Vec<Value> {
        resources
            .iter()
            .filter(|r| r["id"].as_str().is_some_and(|id| id.starts_with(part)))
            .cloned()
            .collect()
    };
    ["part-a", "part-b", "part-c", "part-d"]
        .iter()
        .map(|part| {
            // BFD's are of an enrolled beneficiary: so are ours compared.
            let active: Vec<Value> = of_part(ours, part)
                .into_iter()
                .filter(|r| r["status"] == "active")
                .collect();
            row(&format!("{kind} {part}"), &active, &of_part(theirs, part))
        })
        .collect()
}

#[test]
fn our_resources_have_bfds_shape_but_for_the_allow_listed_differences() {
    let mut differences = BTreeSet::new();
    let mut sizes = String::from("kind | version | lines | ours (median) | BFD | ratio\n");
    for version in ApiVersion::ALL {
        let rendered = match version {
            ApiVersion::V3 => ours_v3(),
            _ => ours(version),
        };
        dump_sample(version, &rendered);
        for (kind, file) in kinds(version) {
            sizes += &size_report(version, kind, &rendered[kind], &bfd(version.as_str(), file));
            let theirs: BTreeSet<String> =
                bfd(version.as_str(), file).iter().flat_map(shape).collect();
            let ours: BTreeSet<String> = rendered
                .get(kind)
                .unwrap_or_else(|| panic!("no {kind} rendered"))
                .iter()
                .flat_map(shape)
                .collect();
            for (direction, items) in [
                ("missing", theirs.difference(&ours)),
                ("extra", ours.difference(&theirs)),
            ] {
                for item in items {
                    differences.insert((
                        version.as_str().to_owned(),
                        kind.to_owned(),
                        direction.to_owned(),
                        item.clone(),
                    ));
                }
            }
        }
    }
    eprintln!("{sizes}");
    let allowed = allow_list();
    let unexplained: Vec<String> = differences
        .iter()
        .filter(|difference| !allowed.contains_key(*difference))
        .map(|(v, kind, direction, item)| format!("{v} | {kind} | {direction} | {item} | <reason>"))
        .collect();
    // A difference on rare claims only (`rare:`) comes and goes with the sample; any
    // other listed difference that is gone must leave the list.
    let gone: Vec<String> = allowed
        .iter()
        .filter(|(difference, reason)| {
            !differences.contains(*difference) && !reason.starts_with("rare:")
        })
        .map(|(difference, _)| difference)
        .map(|(v, kind, direction, item)| format!("{v} | {kind} | {direction} | {item}"))
        .collect();
    assert!(
        unexplained.is_empty() && gone.is_empty(),
        "{} differences from BFD are not in tests/bluebutton/allow-list.txt:\n{}\n\n\
         {} allow-list entries no longer differ (remove them):\n{}",
        unexplained.len(),
        unexplained.join("\n"),
        gone.len(),
        gone.join("\n")
    );
}

#[test]
fn year_month_variables_compare_without_their_year() {
    assert_eq!(
        without_year("https://bluebutton.cms.gov/resources/variables/ptdcntrct01/2018-1"),
        "https://bluebutton.cms.gov/resources/variables/ptdcntrct01/YYYY-1"
    );
    let plain = "https://bluebutton.cms.gov/resources/variables/ptdcntrct01";
    assert_eq!(without_year(plain), plain);
}

#[test]
fn the_shape_names_paths_extensions_and_systems() {
    let resource: Value = serde_json::json!({
        "resourceType": "ExplanationOfBenefit",
        "extension": [{"url": "https://example.org/x", "valueCoding": {"system": "https://example.org/s", "code": "1"}}],
        "item": [{"sequence": 1}, {"sequence": 2, "quantity": {"value": 3}}],
        "identifier": [{"system": "https://example.org/id", "value": "9"}],
        "total": [{"category": {"coding": [{"code": "https://bluebutton.cms.gov/resources/variables/clm_pmt_amt"}]}}]
    });
    let items: Vec<String> = shape(&resource).into_iter().collect();
    assert_eq!(
        items,
        [
            "extension extension https://example.org/x valueCoding",
            "path identifier.system",
            "path identifier.value",
            "path item.quantity.value",
            "path item.sequence",
            "path resourceType",
            "path total.category.coding.code",
            "system https://example.org/id",
            "system https://example.org/s",
            "variable total.category https://bluebutton.cms.gov/resources/variables/clm_pmt_amt",
        ]
    );
}
