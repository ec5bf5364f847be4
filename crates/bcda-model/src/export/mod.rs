//! The rules of a bulk export kick-off (`GET /api/{v}/Patient/$export`,
//! `/Group/{id}/$export`): which headers and query parameters are accepted, and BCDA's
//! messages for those that are not. Pure: the API handler passes in the raw query and
//! headers and turns an [`ExportError`] into a `400` OperationOutcome.

mod type_filter;

use std::fmt;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::{ApiVersion, ResourceType};

pub use type_filter::{DEFAULT_SYSTEM_TYPE_WARNING, EobFilter, ServiceDates, Tag, TypeFilterError};

/// What an accepted kick-off asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    /// The types to export, in BCDA's order; all three when `_type` was absent.
    pub types: Vec<ResourceType>,
    /// Whether the client named `_type` (a request without it overlaps every other).
    pub types_requested: bool,
    /// Only data updated after this instant (`_since`).
    pub since: Option<OffsetDateTime>,
    /// v3: which ExplanationOfBenefits the export holds (`_typeFilter`, with BCDA's
    /// default System-Type added); `None` on v1 and v2 and without EOBs.
    pub eob_filter: Option<EobFilter>,
    /// v3: whether BCDA's default System-Type filter was added, which the manifest warns
    /// of.
    pub default_system_type: bool,
}

/// The file a v3 job's warnings are in (`/data/{jobId}/warnings-and-info.ndjson`),
/// listed first in the manifest's `error`, as BCDA names and lists it.
pub const WARNINGS_FILE_NAME: &str = "warnings-and-info.ndjson";

/// The resource type the warnings file's job key is recorded with.
pub const WARNINGS_RESOURCE_TYPE: &str = "OperationOutcome";

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

    /// The ordinals (0-based positions of beneficiaries in id order) at which some
    /// type's batch starts: what [`BatchSizes::plan_keys`] needs to know of an ACO.
    pub fn starts_batch(&self, types: &[ResourceType], ordinal: u64) -> bool {
        types
            .iter()
            .any(|&t| ordinal.is_multiple_of(u64::from(self.of(t))))
    }

    /// The job keys of an export, in type order: one per type and batch of beneficiaries.
    /// `starts` holds, in order, the (ordinal, beneficiary id) of every beneficiary at
    /// which a batch starts (see [`BatchSizes::starts_batch`]). An ACO without
    /// beneficiaries still gets one (empty) key per type, so every job has work that
    /// completes it.
    pub fn plan_keys(&self, types: &[ResourceType], starts: &[(u64, i64)]) -> Vec<PlannedKey> {
        let mut keys = Vec::new();
        for &resource_type in types {
            let size = u64::from(self.of(resource_type));
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

/// The message that carries one job key to a worker, versioned so that a worker can
/// refuse what it does not understand instead of misreading it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "v")]
pub enum ExportWork {
    #[serde(rename = "1")]
    V1 { job_id: i64, job_key_id: i64 },
}

/// What a kick-off names: `Patient/$export` or `Group/{id}/$export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportTarget {
    Patient,
    Group(ExportGroup),
}

impl ExportTarget {
    /// The beneficiaries it covers: `Patient/$export` covers the `all` group's.
    pub fn group(self) -> ExportGroup {
        match self {
            ExportTarget::Patient => ExportGroup::All,
            ExportTarget::Group(group) => group,
        }
    }

    /// Whether, under `_since`, beneficiaries attributed since then get their full
    /// history (the others only changes): BCDA does so for `Group/all` alone.
    pub fn gives_new_beneficiaries_full_history(self) -> bool {
        self == ExportTarget::Group(ExportGroup::All)
    }
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
    /// A `_type` the API version does not offer, with the types it does.
    InvalidType {
        name: String,
        offered: &'static [ResourceType],
    },
    /// A type the API offers but the ACO's model does not receive.
    UnauthorizedType(ResourceType),
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
    /// A v3 `_typeFilter` BCDA refuses.
    TypeFilter(TypeFilterError),
}

impl From<TypeFilterError> for ExportError {
    fn from(error: TypeFilterError) -> Self {
        ExportError::TypeFilter(error)
    }
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::AcceptMissing => f.write_str("Accept header is required"),
            ExportError::AcceptUnsupported => f.write_str("application/fhir+json is the only supported response format"),
            ExportError::PreferMissing => f.write_str("Prefer header is required"),
            ExportError::PreferUnsupported => f.write_str("Only asynchronous responses are supported"),
            ExportError::InvalidType { name, offered } => {
                let names: Vec<&str> = offered.iter().map(|t| t.as_str()).collect();
                write!(f, "invalid resource type {name}. Supported types [{}]", names.join(" "))
            }
            ExportError::UnauthorizedType(t) => write!(f, "unauthorized resource type {t}"),
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
            ExportError::TypeFilter(error) => error.fmt(f),
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

/// What an ACO may export on an API version: the version's types, less the partially
/// adjudicated ones where the ACO's model does not receive them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer {
    pub version: ApiVersion,
    /// Whether the ACO's model receives partially adjudicated claims on this version
    /// (v2: `Claim` and `ClaimResponse`; v3: EOBs tagged `SharedSystem`).
    pub partially_adjudicated: bool,
}

impl Offer {
    /// What `version` offers the ACO `cms_id`.
    pub fn to(version: ApiVersion, cms_id: &str) -> Offer {
        Offer {
            version,
            partially_adjudicated: match version {
                ApiVersion::V3 => crate::aco_model::receives_shared_system_on_v3(cms_id),
                _ => crate::aco_model::receives_partially_adjudicated(cms_id),
            },
        }
    }

    /// The type `name` names, if the version offers it and the ACO may have it.
    fn check(&self, name: &str) -> Result<ResourceType, ExportError> {
        let offered = ResourceType::offered_by(self.version);
        let t = offered
            .iter()
            .copied()
            .find(|t| t.as_str() == name)
            .ok_or_else(|| ExportError::InvalidType {
                name: name.to_owned(),
                offered,
            })?;
        if t.is_partially_adjudicated() && !self.partially_adjudicated {
            return Err(ExportError::UnauthorizedType(t));
        }
        Ok(t)
    }

    /// The types of an export without `_type`: adjudicated data, and on v2 partially
    /// adjudicated claims for the ACOs that receive them, as BCDA does.
    pub fn default_types(&self) -> Vec<ResourceType> {
        ResourceType::offered_by(self.version)
            .iter()
            .copied()
            .filter(|t| !t.is_partially_adjudicated() || self.partially_adjudicated)
            .collect()
    }
}

/// Parses the raw (still percent-encoded) query string of a kick-off, as of `now`, for
/// an ACO offered `offer`.
pub fn parse_query(
    raw: &str,
    now: OffsetDateTime,
    offer: Offer,
) -> Result<ExportRequest, ExportError> {
    // A `?` belongs in a `_typeFilter` value (`ExplanationOfBenefit?_tag=...`), nowhere
    // else.
    let nested = raw
        .split('&')
        .any(|pair| pair.contains('?') && !pair.starts_with("_typeFilter="));
    if nested {
        return Err(ExportError::NestedQuery {
            corrected: raw.replace('?', "&"),
        });
    }
    let mut types = Vec::new();
    let mut types_requested = false;
    let mut since = None;
    let mut type_filter: Option<EobFilter> = None;
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decode(name);
        let value = percent_decode(value);
        match name.as_str() {
            "_type" => {
                types_requested = true;
                for name in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                    let t = offer.check(name)?;
                    if types.contains(&t) {
                        return Err(ExportError::RepeatedType(name.to_owned()));
                    }
                    types.push(t);
                }
            }
            "_since" => since = Some(parse_since(&value, now)?),
            // BCDA reads `_typeFilter` on v3 only, and ignores it on v1 and v2.
            "_typeFilter" if offer.version != ApiVersion::V3 => {}
            "_typeFilter" => {
                if type_filter.is_some() {
                    return Err(TypeFilterError::MoreThanOne.into());
                }
                type_filter = Some(EobFilter::parse(&value)?);
            }
            "_outputFormat" => {
                if !OUTPUT_FORMATS.contains(&value.as_str()) {
                    return Err(ExportError::InvalidOutputFormat(value));
                }
            }
            other => return Err(ExportError::UnsupportedParameter(other.to_owned())),
        }
    }
    if types.is_empty() {
        types = offer.default_types();
    } else {
        types.sort();
    }
    let mut default_system_type = false;
    let eob_filter =
        if offer.version == ApiVersion::V3 && types.contains(&ResourceType::ExplanationOfBenefit) {
            let mut filter = type_filter.unwrap_or_default();
            if filter.asks_for_shared_system() && !offer.partially_adjudicated {
                return Err(TypeFilterError::SharedSystemNotOffered {
                    model: crate::aco_model::GUIDE,
                }
                .into());
            }
            default_system_type = filter.with_default_system_type();
            Some(filter)
        } else {
            None
        };
    Ok(ExportRequest {
        types,
        types_requested,
        since,
        eob_filter,
        default_system_type,
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

    const V1: Offer = Offer {
        version: crate::ApiVersion::V1,
        partially_adjudicated: false,
    };

    fn parse(query: &str) -> Result<ExportRequest, ExportError> {
        parse_query(query, NOW, V1)
    }

    #[test]
    fn no_type_means_all_three() {
        let request = parse("").unwrap();
        assert_eq!(request.types, ResourceType::ADJUDICATED);
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
    fn partially_adjudicated_claims_are_for_entitled_acos_on_v2() {
        let reach = Offer::to(crate::ApiVersion::V2, "D9990");
        let ssp = Offer::to(crate::ApiVersion::V2, "A9990");
        assert_eq!(
            parse_query("", NOW, reach).unwrap().types,
            ResourceType::ALL
        );
        assert_eq!(
            parse_query("", NOW, ssp).unwrap().types,
            ResourceType::ADJUDICATED
        );
        assert_eq!(
            parse_query("_type=ClaimResponse,Patient", NOW, reach)
                .unwrap()
                .types,
            [ResourceType::Patient, ResourceType::ClaimResponse]
        );
        assert_eq!(
            parse_query("_type=Patient,Claim", NOW, ssp)
                .unwrap_err()
                .to_string(),
            "unauthorized resource type Claim"
        );
        assert_eq!(
            parse_query("_type=Claims", NOW, reach)
                .unwrap_err()
                .to_string(),
            "invalid resource type Claims. Supported types [ExplanationOfBenefit Patient Coverage Claim ClaimResponse]"
        );
        // v1 has no partially adjudicated claims, entitled or not.
        let reach_v1 = Offer::to(crate::ApiVersion::V1, "D9990");
        assert_eq!(
            parse_query("", NOW, reach_v1).unwrap().types,
            ResourceType::ADJUDICATED
        );
        assert!(matches!(
            parse_query("_type=Claim", NOW, reach_v1),
            Err(ExportError::InvalidType { .. })
        ));
    }

    #[test]
    fn v3_filters_eobs_and_adds_bcdas_default_system_types() {
        let v3 = Offer::to(ApiVersion::V3, "A9990");
        let request = parse_query("", NOW, v3).unwrap();
        assert_eq!(request.types, ResourceType::ADJUDICATED);
        assert!(request.default_system_type);
        let filter = request.eob_filter.unwrap();
        assert!(filter.may_include(crate::claim_source::SystemType::NationalClaimsHistory));
        assert!(!filter.may_include(crate::claim_source::SystemType::SharedSystem));
        // The filter's own `?` may come unencoded.
        let shared = parse_query(
            "_typeFilter=ExplanationOfBenefit?_tag%3Dhttps%3A%2F%2Fbluebutton.cms.gov%2Ffhir%2FCodeSystem%2FSystem-Type%7CSharedSystem",
            NOW,
            v3,
        )
        .unwrap();
        assert!(!shared.default_system_type);
        assert!(shared.eob_filter.unwrap().asks_for_shared_system());
        // Without EOBs there is nothing to filter or warn of.
        let patients = parse_query("_type=Patient", NOW, v3).unwrap();
        assert_eq!(patients.eob_filter, None);
        assert!(!patients.default_system_type);
    }

    #[test]
    fn v3_refuses_a_second_filter_claims_and_shared_system_data_for_guide() {
        let v3 = Offer::to(ApiVersion::V3, "A9990");
        let filter = "_typeFilter=ExplanationOfBenefit%3Foutcome%3Dpartial";
        assert_eq!(
            parse_query(&format!("{filter}&{filter}"), NOW, v3)
                .unwrap_err()
                .to_string(),
            "failed to process request given more that one _typeFilter parameter"
        );
        assert_eq!(
            parse_query("_type=Claim", NOW, v3).unwrap_err().to_string(),
            "invalid resource type Claim. Supported types [ExplanationOfBenefit Patient Coverage]"
        );
        let guide = Offer::to(ApiVersion::V3, "GUIDE-0001");
        assert_eq!(
            parse_query(
                "_typeFilter=ExplanationOfBenefit%3F_tag%3Dhttps%3A%2F%2Fbluebutton.cms.gov%2Ffhir%2FCodeSystem%2FSystem-Type%7CSharedSystem",
                NOW,
                guide,
            )
            .unwrap_err()
            .to_string(),
            "Model entities in GUIDE are not eligible to access SharedSystem data. Requests using the following tags require access to SharedSystem data: [SharedSystem]"
        );
    }

    #[test]
    fn type_filter_is_ignored_on_v1_and_v2_as_bcda_does() {
        for version in [ApiVersion::V1, ApiVersion::V2] {
            let request = parse_query(
                "_typeFilter=anything-at-all",
                NOW,
                Offer::to(version, "A9990"),
            )
            .unwrap();
            assert_eq!(request.eob_filter, None, "{version}");
        }
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
    fn keys_split_each_type_into_bounded_batches_of_id_ranges() {
        let sizes = BatchSizes::default();
        let types = ResourceType::ALL;
        // Beneficiary ids 1000, 1010, ... for 30,000 beneficiaries.
        let starts: Vec<(u64, i64)> = (0..30_000u64)
            .filter(|&n| sizes.starts_batch(&types, n))
            .map(|n| (n, 1000 + 10 * n as i64))
            .collect();
        let keys = sizes.plan_keys(&types, &starts);
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
        let keys = BatchSizes::default().plan_keys(&[ResourceType::Patient], &[]);
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
