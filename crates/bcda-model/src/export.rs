//! The rules of a bulk export kick-off (`GET /api/{v}/Patient/$export`,
//! `/Group/{id}/$export`): which headers and query parameters are accepted, and BCDA's
//! messages for those that are not. Pure: the API handler passes in the raw query and
//! headers and turns an [`ExportError`] into a `400` OperationOutcome.

use std::fmt;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::ResourceType;

/// What an accepted kick-off asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    /// The types to export, in BCDA's order; all three when `_type` was absent.
    pub types: Vec<ResourceType>,
    /// Whether the client named `_type` (a request without it overlaps every other).
    pub types_requested: bool,
    /// Only data updated after this instant (`_since`).
    pub since: Option<OffsetDateTime>,
}

/// Beneficiaries per job key (one worker task, one NDJSON file) for each type, chosen so
/// that files stay between a few and a few hundred megabytes and the 30,000-beneficiary
/// sandbox ACO yields about 120 EOB files, not thousands (BCDA uses 50 per EOB batch).
pub fn batch_size(resource_type: ResourceType) -> u32 {
    match resource_type {
        ResourceType::ExplanationOfBenefit => 250,
        ResourceType::Patient => 5_000,
        ResourceType::Coverage => 4_000,
    }
}

/// The job keys of an export: one per type and batch of `beneficiaries`, in type order.
pub fn job_keys(types: &[ResourceType], beneficiaries: u64) -> Vec<(ResourceType, i32)> {
    types
        .iter()
        .flat_map(|&t| {
            let batches = beneficiaries.div_ceil(u64::from(batch_size(t))).max(1);
            (0..batches as i32).map(move |b| (t, b))
        })
        .collect()
}

/// The message that carries one job key to a worker, versioned so that a worker can
/// refuse what it does not understand instead of misreading it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "v")]
pub enum ExportWork {
    #[serde(rename = "1")]
    V1 { job_id: i64, job_key_id: i64 },
}

/// Which beneficiaries an export covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportGroup {
    /// `Patient/$export` and `Group/all/$export`: every attributed beneficiary.
    All,
    /// `Group/runout/$export`: last year's beneficiaries, for the run-out period.
    Runout,
}

impl ExportGroup {
    /// The group named in a `Group/{id}/$export` path.
    pub fn from_id(id: &str) -> Result<ExportGroup, ExportError> {
        match id {
            "all" => Ok(ExportGroup::All),
            "runout" => Ok(ExportGroup::Runout),
            _ => Err(ExportError::InvalidGroup),
        }
    }
}

/// Why a kick-off was refused. `Display` gives BCDA's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    AcceptMissing,
    AcceptUnsupported,
    PreferMissing,
    PreferUnsupported,
    InvalidType(String),
    RepeatedType(String),
    InvalidSince,
    FutureSince,
    InvalidOutputFormat(String),
    UnsupportedParameter(String),
    /// A second `?` in the query, as in the guide's own `_type=Patient?_since=...`; carries
    /// the query as it was probably meant.
    NestedQuery {
        corrected: String,
    },
    InvalidGroup,
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::AcceptMissing => f.write_str("Accept header is required"),
            ExportError::AcceptUnsupported => f.write_str("application/fhir+json is the only supported response format"),
            ExportError::PreferMissing => f.write_str("Prefer header is required"),
            ExportError::PreferUnsupported => f.write_str("Only asynchronous responses are supported"),
            ExportError::InvalidType(t) => {
                write!(f, "invalid resource type {t}. Supported types [ExplanationOfBenefit Patient Coverage]")
            }
            ExportError::RepeatedType(t) => write!(f, "Repeated resource type {t}"),
            ExportError::InvalidSince => f.write_str(
                "Invalid date format supplied in _since parameter.  Date must be in FHIR Instant format.",
            ),
            ExportError::FutureSince => f.write_str(
                "Invalid date format supplied in _since parameter. Date must be a date that has already passed",
            ),
            ExportError::InvalidOutputFormat(format) => write!(
                f,
                "_outputFormat parameter must be one of application/fhir+ndjson, application/ndjson, ndjson; got {format}"
            ),
            ExportError::UnsupportedParameter(name) => {
                write!(f, "Invalid parameter: this server does not support the {name} parameter.")
            }
            ExportError::NestedQuery { corrected } => write!(
                f,
                "Invalid query: parameters must be joined with '&', not a second '?'. Did you mean ?{corrected}"
            ),
            ExportError::InvalidGroup => f.write_str("Invalid group ID"),
        }
    }
}

/// The output formats a client may ask for; all mean NDJSON.
const OUTPUT_FORMATS: [&str; 3] = ["application/fhir+ndjson", "application/ndjson", "ndjson"];

/// Checks the `Accept` and `Prefer` headers, in BCDA's order.
pub fn check_headers(accept: Option<&str>, prefer: Option<&str>) -> Result<(), ExportError> {
    let accept = accept
        .filter(|a| !a.trim().is_empty())
        .ok_or(ExportError::AcceptMissing)?;
    let fhir_json = accept.split(',').any(|media| {
        media
            .split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/fhir+json"))
    });
    if !fhir_json {
        return Err(ExportError::AcceptUnsupported);
    }
    let prefer = prefer
        .filter(|p| !p.trim().is_empty())
        .ok_or(ExportError::PreferMissing)?;
    if !prefer
        .split(',')
        .any(|p| p.trim().eq_ignore_ascii_case("respond-async"))
    {
        return Err(ExportError::PreferUnsupported);
    }
    Ok(())
}

/// Parses the raw (still percent-encoded) query string of a kick-off, as of `now`.
pub fn parse_query(raw: &str, now: OffsetDateTime) -> Result<ExportRequest, ExportError> {
    if raw.contains('?') {
        return Err(ExportError::NestedQuery {
            corrected: raw.replace('?', "&"),
        });
    }
    let mut types = Vec::new();
    let mut types_requested = false;
    let mut since = None;
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decode(name);
        let value = percent_decode(value);
        match name.as_str() {
            "_type" => {
                types_requested = true;
                for name in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                    let t: ResourceType = name
                        .parse()
                        .map_err(|_| ExportError::InvalidType(name.to_owned()))?;
                    if types.contains(&t) {
                        return Err(ExportError::RepeatedType(name.to_owned()));
                    }
                    types.push(t);
                }
            }
            "_since" => since = Some(parse_since(&value, now)?),
            "_outputFormat" => {
                if !OUTPUT_FORMATS.contains(&value.as_str()) {
                    return Err(ExportError::InvalidOutputFormat(value));
                }
            }
            other => return Err(ExportError::UnsupportedParameter(other.to_owned())),
        }
    }
    if types.is_empty() {
        types = ResourceType::ALL.to_vec();
    } else {
        types.sort();
    }
    Ok(ExportRequest {
        types,
        types_requested,
        since,
    })
}

/// A FHIR instant with a timezone. A `+` offset that arrived as a space (the client did
/// not URL-encode it) is read as the `+` it was.
fn parse_since(value: &str, now: OffsetDateTime) -> Result<OffsetDateTime, ExportError> {
    let repaired = match value.rfind(' ') {
        Some(i) if value[i + 1..].starts_with(|c: char| c.is_ascii_digit()) => {
            format!("{}+{}", &value[..i], &value[i + 1..])
        }
        _ => value.to_owned(),
    };
    let instant =
        OffsetDateTime::parse(&repaired, &Rfc3339).map_err(|_| ExportError::InvalidSince)?;
    if instant > now {
        return Err(ExportError::FutureSince);
    }
    Ok(instant)
}

/// Decodes `%XX` escapes and `+` (a space in form encoding). Invalid escapes stay as
/// they are; invalid UTF-8 is replaced, and then fails whatever check follows.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                match (
                    bytes.get(i + 1).copied().and_then(hex),
                    bytes.get(i + 2).copied().and_then(hex),
                ) {
                    (Some(high), Some(low)) => {
                        out.push((high * 16 + low) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

    fn parse(query: &str) -> Result<ExportRequest, ExportError> {
        parse_query(query, NOW)
    }

    #[test]
    fn no_type_means_all_three() {
        let request = parse("").unwrap();
        assert_eq!(request.types, ResourceType::ALL);
        assert!(!request.types_requested);
        assert_eq!(request.since, None);
    }

    #[test]
    fn types_are_read_from_a_comma_list_in_any_order() {
        let request = parse("_type=Coverage,ExplanationOfBenefit").unwrap();
        assert_eq!(
            request.types,
            [ResourceType::ExplanationOfBenefit, ResourceType::Coverage]
        );
        assert!(request.types_requested);
        assert_eq!(parse("_type=Patient%2CCoverage").unwrap().types.len(), 2);
    }

    #[test]
    fn unknown_and_repeated_types_get_bcdas_messages() {
        assert_eq!(
            parse("_type=Claim").unwrap_err().to_string(),
            "invalid resource type Claim. Supported types [ExplanationOfBenefit Patient Coverage]"
        );
        assert_eq!(
            parse("_type=Patient,Patient").unwrap_err().to_string(),
            "Repeated resource type Patient"
        );
    }

    #[test]
    fn since_must_be_a_past_instant_with_a_timezone() {
        let since = parse("_since=2020-02-13T08:00:00.000-05:00")
            .unwrap()
            .since
            .unwrap();
        assert_eq!(since, datetime!(2020-02-13 13:00 UTC));
        assert_eq!(
            parse("_since=2020-02-13T08:00:00%2B01:00")
                .unwrap()
                .since
                .unwrap(),
            datetime!(2020-02-13 07:00 UTC)
        );
        for bad in ["2020-02-13", "2020-02-13T08:00:00", "yesterday"] {
            assert_eq!(
                parse(&format!("_since={bad}")).unwrap_err().to_string(),
                "Invalid date format supplied in _since parameter.  Date must be in FHIR Instant format.",
                "{bad}"
            );
        }
        assert_eq!(
            parse("_since=2030-01-01T00:00:00Z").unwrap_err(),
            ExportError::FutureSince
        );
    }

    #[test]
    fn an_unencoded_plus_offset_is_still_read() {
        // `+01:00` sent raw arrives as a space after form decoding.
        let since = parse("_since=2020-02-13T08:00:00+01:00")
            .unwrap()
            .since
            .unwrap();
        assert_eq!(since, datetime!(2020-02-13 07:00 UTC));
    }

    #[test]
    fn output_formats_are_the_ndjson_spellings() {
        for format in [
            "ndjson",
            "application/ndjson",
            "application%2Ffhir%2Bndjson",
        ] {
            assert!(
                parse(&format!("_outputFormat={format}")).is_ok(),
                "{format}"
            );
        }
        assert!(matches!(
            parse("_outputFormat=csv"),
            Err(ExportError::InvalidOutputFormat(_))
        ));
    }

    #[test]
    fn elements_and_other_parameters_are_refused_by_name() {
        assert_eq!(
            parse("_elements=id").unwrap_err().to_string(),
            "Invalid parameter: this server does not support the _elements parameter."
        );
        assert_eq!(
            parse("patient=123").unwrap_err(),
            ExportError::UnsupportedParameter("patient".into())
        );
    }

    #[test]
    fn the_guides_second_question_mark_is_answered_with_the_corrected_query() {
        let err = parse("_type=Patient?_since=2020-02-13T08:00:00.000-05:00").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid query: parameters must be joined with '&', not a second '?'. \
             Did you mean ?_type=Patient&_since=2020-02-13T08:00:00.000-05:00"
        );
    }

    #[test]
    fn headers_are_checked_as_bcda_does() {
        assert!(check_headers(Some("application/fhir+json"), Some("respond-async")).is_ok());
        assert!(
            check_headers(
                Some("Application/FHIR+JSON; q=0.9, */*"),
                Some("RESPOND-ASYNC")
            )
            .is_ok()
        );
        assert_eq!(
            check_headers(None, Some("respond-async")),
            Err(ExportError::AcceptMissing)
        );
        assert_eq!(
            check_headers(Some("application/json"), Some("respond-async")),
            Err(ExportError::AcceptUnsupported)
        );
        assert_eq!(
            check_headers(Some("application/fhir+json"), None),
            Err(ExportError::PreferMissing)
        );
        assert_eq!(
            check_headers(Some("application/fhir+json"), Some("return=minimal")),
            Err(ExportError::PreferUnsupported)
        );
    }

    #[test]
    fn job_keys_split_each_type_into_bounded_batches() {
        let keys = job_keys(&ResourceType::ALL, 30_000);
        let count = |t| keys.iter().filter(|(k, _)| *k == t).count();
        assert_eq!(count(ResourceType::ExplanationOfBenefit), 120);
        assert_eq!(count(ResourceType::Patient), 6);
        assert_eq!(count(ResourceType::Coverage), 8);
        // An ACO without beneficiaries still gets one (empty) key per type.
        assert_eq!(
            job_keys(&[ResourceType::Patient], 0),
            [(ResourceType::Patient, 0)]
        );
    }

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

    #[test]
    fn groups_are_all_and_runout() {
        assert_eq!(ExportGroup::from_id("all"), Ok(ExportGroup::All));
        assert_eq!(ExportGroup::from_id("runout"), Ok(ExportGroup::Runout));
        assert_eq!(
            ExportGroup::from_id("A9994").unwrap_err().to_string(),
            "Invalid group ID"
        );
    }

    #[test]
    fn percent_decoding_handles_escapes_plus_and_bad_escapes() {
        assert_eq!(percent_decode("a%2Cb+c"), "a,b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
