//! A kick-off's parameters, as BCDA reads them.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::{ApiVersion, ResourceType};

use super::parameters::{Form, Parameters};
use super::{EobFilter, ExportError, TypeFilterError};

/// What an accepted kick-off asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    /// The types to export, in BCDA's order; all three when `_type` was absent.
    pub types: Vec<ResourceType>,
    /// Whether the client named `_type` (a request without it overlaps every other).
    pub types_requested: bool,
    /// Only data updated after this instant (`_since`).
    pub since: Option<OffsetDateTime>,
    /// Only data updated at or before this instant (`_until`); the job's transaction
    /// time bounds every export anyway.
    pub until: Option<OffsetDateTime>,
    /// `patient` (POST only): the Patient ids (`bene_id`) of the beneficiaries to
    /// export, each once, in the order named; `None` exports every attributed one.
    pub patients: Option<Vec<i64>>,
    /// `organizeOutputBy=Patient`: each file holds every requested resource of its
    /// beneficiaries, each beneficiary's together with their Patient first.
    pub organize_by_patient: bool,
    /// `allowPartialManifests=true`: status answers with the files done so far while
    /// the job runs.
    pub allow_partial_manifests: bool,
    /// v3: which ExplanationOfBenefits the export holds (`_typeFilter`, with BCDA's
    /// default System-Type added); `None` on v1 and v2 and without EOBs.
    pub eob_filter: Option<EobFilter>,
    /// v3: whether BCDA's default System-Type filter was added, which the manifest warns
    /// of.
    pub default_system_type: bool,
    /// Under `Prefer: handling=lenient`: what was ignored, one message each, which the
    /// manifest reports as warnings.
    pub ignored: Vec<String>,
}

impl ExportRequest {
    /// The warnings the job's manifest lists in `error` (as OperationOutcomes of
    /// severity `warning`), in the order they arose.
    pub fn warnings(&self) -> Vec<&str> {
        let default_filter = self
            .default_system_type
            .then_some(super::DEFAULT_SYSTEM_TYPE_WARNING);
        default_filter
            .into_iter()
            .chain(self.ignored.iter().map(String::as_str))
            .collect()
    }
}

/// How a kick-off treats a parameter it does not support: refused with `400`
/// (BCDA's behaviour, and the IG's default), or, under `Prefer: handling=lenient`,
/// ignored and reported in the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    Strict,
    Lenient,
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

/// Parses the raw (still percent-encoded) query string of a `GET` kick-off, as of
/// `now`, for an ACO offered `offer`, refusing what is not supported.
pub fn parse_query(
    raw: &str,
    now: OffsetDateTime,
    offer: Offer,
) -> Result<ExportRequest, ExportError> {
    parse(&Parameters::from_query(raw)?, now, offer, Handling::Strict)
}

/// Reads a kick-off's parameters, from either form, as of `now`, for an ACO offered
/// `offer`.
pub fn parse(
    parameters: &Parameters,
    now: OffsetDateTime,
    offer: Offer,
    handling: Handling,
) -> Result<ExportRequest, ExportError> {
    let mut types = Vec::new();
    let mut types_requested = false;
    let mut since = None;
    let mut until = None;
    let mut patients: Option<Vec<i64>> = None;
    let mut organize_by_patient = false;
    let mut allow_partial_manifests = false;
    let mut type_filter: Option<EobFilter> = None;
    let mut ignored = Vec::new();
    let mut unsupported = |name: &str| match handling {
        Handling::Strict => Err(ExportError::UnsupportedParameter(name.to_owned())),
        Handling::Lenient => {
            ignored.push(format!(
                "The {name} parameter is not supported by this server and was ignored."
            ));
            Ok(())
        }
    };
    for (name, value) in &parameters.pairs {
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
            "_since" => since = Some(parse_instant(value, now, WindowEnd::Since)?),
            "_until" => until = Some(parse_instant(value, now, WindowEnd::Until)?),
            // BCDA reads `_typeFilter` on v3 only, and ignores it on v1 and v2; a lenient
            // request hears so.
            "_typeFilter" if offer.version != ApiVersion::V3 => {
                if handling == Handling::Lenient {
                    unsupported(name)?;
                }
            }
            "_typeFilter" => {
                if type_filter.is_some() {
                    return Err(TypeFilterError::MoreThanOne.into());
                }
                type_filter = Some(EobFilter::parse(value)?);
            }
            "_outputFormat" => {
                if !OUTPUT_FORMATS.contains(&value.as_str()) {
                    return Err(ExportError::InvalidOutputFormat(value.clone()));
                }
            }
            "patient" if parameters.form == Form::Body => {
                let id = patient_id(value)?;
                let named = patients.get_or_insert_with(Vec::new);
                if !named.contains(&id) {
                    named.push(id);
                }
            }
            "organizeOutputBy" => {
                if value != "Patient" {
                    return Err(ExportError::InvalidOrganizeOutputBy(value.clone()));
                }
                organize_by_patient = true;
            }
            "allowPartialManifests" => {
                allow_partial_manifests = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(ExportError::InvalidBoolean {
                            name: name.clone(),
                            value: value.clone(),
                        });
                    }
                }
            }
            // `patient` narrows an export: in a query (where the IG does not define it)
            // it is refused even under lenient handling, which would widen the export
            // to every beneficiary.
            "patient" => return Err(ExportError::UnsupportedParameter(name.clone())),
            other => unsupported(other)?,
        }
    }
    if let (Some(since), Some(until)) = (since, until)
        && until <= since
    {
        return Err(ExportError::UntilNotAfterSince);
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
        until,
        patients,
        organize_by_patient,
        allow_partial_manifests,
        eob_filter,
        default_system_type,
        ignored,
    })
}

/// The Patient id (`bene_id`) a `patient` reference names: `Patient/{id}`, relative or
/// absolute.
fn patient_id(reference: &str) -> Result<i64, ExportError> {
    let mut segments = reference.rsplit('/');
    match (segments.next(), segments.next()) {
        (Some(id), Some("Patient")) => id
            .parse()
            .map_err(|_| ExportError::InvalidPatient(reference.to_owned())),
        _ => Err(ExportError::InvalidPatient(reference.to_owned())),
    }
}

/// The output formats a client may ask for; all mean NDJSON.
const OUTPUT_FORMATS: [&str; 3] = ["application/fhir+ndjson", "application/ndjson", "ndjson"];

/// Which end of the update window an instant gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowEnd {
    Since,
    Until,
}

impl WindowEnd {
    /// The parameter's name.
    pub fn parameter(self) -> &'static str {
        match self {
            WindowEnd::Since => "_since",
            WindowEnd::Until => "_until",
        }
    }
}

/// A FHIR instant with a timezone. A `+` offset that arrived as a space (the client did
/// not URL-encode it) is read as the `+` it was.
/// `_since` and `_until` are read alike, as BCDA reads `_since`.
fn parse_instant(
    value: &str,
    now: OffsetDateTime,
    bound: WindowEnd,
) -> Result<OffsetDateTime, ExportError> {
    let repaired = match value.rfind(' ') {
        Some(i) if value[i + 1..].starts_with(|c: char| c.is_ascii_digit()) => {
            format!("{}+{}", &value[..i], &value[i + 1..])
        }
        _ => value.to_owned(),
    };
    let instant = OffsetDateTime::parse(&repaired, &Rfc3339)
        .map_err(|_| ExportError::InvalidInstant(bound))?;
    if instant > now {
        return Err(ExportError::FutureInstant(bound));
    }
    Ok(instant)
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
            ExportError::FutureInstant(WindowEnd::Since)
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

    fn posted(body: &str, handling: Handling) -> Result<ExportRequest, ExportError> {
        super::parse(
            &Parameters::from_body(body.as_bytes()).unwrap(),
            NOW,
            V1,
            handling,
        )
    }

    #[test]
    fn until_is_read_like_since_and_must_follow_it() {
        let request = parse("_until=2020-02-13T08:00:00.000-05:00").unwrap();
        assert_eq!(request.until, Some(datetime!(2020-02-13 13:00 UTC)));
        assert_eq!(
            parse("_until=2020-02-13").unwrap_err().to_string(),
            "Invalid date format supplied in _until parameter.  Date must be in FHIR Instant format."
        );
        assert_eq!(
            parse("_until=2030-01-01T00:00:00Z")
                .unwrap_err()
                .to_string(),
            "Invalid date format supplied in _until parameter. Date must be a date that has already passed"
        );
        assert_eq!(
            parse("_since=2020-02-13T00:00:00Z&_until=2020-02-13T00:00:00Z").unwrap_err(),
            ExportError::UntilNotAfterSince
        );
        assert!(parse("_since=2020-02-13T00:00:00Z&_until=2020-02-14T00:00:00Z").is_ok());
    }

    #[test]
    fn a_posted_body_takes_every_get_parameter_and_patient() {
        let request = posted(
            r#"{"resourceType": "Parameters", "parameter": [
                {"name": "_type", "valueString": "Patient,Coverage"},
                {"name": "_since", "valueInstant": "2020-02-13T08:00:00.000-05:00"},
                {"name": "_until", "valueInstant": "2021-02-13T08:00:00.000-05:00"},
                {"name": "_outputFormat", "valueString": "application/fhir+ndjson"},
                {"name": "patient", "valueReference": {"reference": "Patient/-19990000000001"}},
                {"name": "patient", "valueReference": {"reference": "https://x.example/api/v2/Patient/-19990000000002"}},
                {"name": "patient", "valueReference": {"reference": "Patient/-19990000000001"}},
                {"name": "organizeOutputBy", "valueString": "Patient"},
                {"name": "allowPartialManifests", "valueBoolean": true}
            ]}"#,
            Handling::Strict,
        )
        .unwrap();
        assert_eq!(
            request.types,
            [ResourceType::Patient, ResourceType::Coverage]
        );
        assert_eq!(request.since, Some(datetime!(2020-02-13 13:00 UTC)));
        assert_eq!(request.until, Some(datetime!(2021-02-13 13:00 UTC)));
        assert_eq!(
            request.patients,
            Some(vec![-19990000000001, -19990000000002])
        );
        assert!(request.organize_by_patient);
        assert!(request.allow_partial_manifests);
        assert!(request.warnings().is_empty());
    }

    #[test]
    fn patient_is_for_posts_and_must_reference_a_patient() {
        assert_eq!(
            parse("patient=Patient/1").unwrap_err(),
            ExportError::UnsupportedParameter("patient".into())
        );
        let bad = posted(
            r#"{"resourceType": "Parameters", "parameter": [
                {"name": "patient", "valueReference": {"reference": "Group/1"}}]}"#,
            Handling::Strict,
        );
        assert_eq!(
            bad.unwrap_err().to_string(),
            "Invalid patient parameter: Group/1 is not a reference to a Patient (Patient/{id})."
        );
    }

    #[test]
    fn organize_by_and_partial_manifests_take_only_their_values() {
        assert_eq!(
            parse("organizeOutputBy=Coverage").unwrap_err().to_string(),
            "Invalid organizeOutputBy parameter: only Patient is supported; got Coverage"
        );
        assert_eq!(
            parse("allowPartialManifests=yes").unwrap_err().to_string(),
            "Invalid allowPartialManifests parameter: must be true or false; got yes"
        );
        let request = parse("organizeOutputBy=Patient&allowPartialManifests=false").unwrap();
        assert!(request.organize_by_patient);
        assert!(!request.allow_partial_manifests);
    }

    #[test]
    fn lenient_handling_ignores_unsupported_parameters_and_says_so() {
        // A `patient` in a query would narrow the export: never ignored.
        let narrowing = super::parse(
            &Parameters::from_query("patient=Patient/1").unwrap(),
            NOW,
            V1,
            Handling::Lenient,
        );
        assert_eq!(
            narrowing.unwrap_err(),
            ExportError::UnsupportedParameter("patient".into())
        );
        let query = "_elements=id&includeAssociatedData=LatestProvenanceResources&_typeFilter=x";
        let strict = parse_query(query, NOW, V1).unwrap_err();
        assert_eq!(
            strict,
            ExportError::UnsupportedParameter("_elements".into())
        );
        let lenient = super::parse(
            &Parameters::from_query(query).unwrap(),
            NOW,
            V1,
            Handling::Lenient,
        )
        .unwrap();
        assert_eq!(
            lenient.warnings(),
            [
                "The _elements parameter is not supported by this server and was ignored.",
                "The includeAssociatedData parameter is not supported by this server and was ignored.",
                "The _typeFilter parameter is not supported by this server and was ignored.",
            ]
        );
        // Supported parameters with bad values are still refused.
        assert!(
            super::parse(
                &Parameters::from_query("_since=soon&_elements=id").unwrap(),
                NOW,
                V1,
                Handling::Lenient
            )
            .is_err()
        );
    }
}
