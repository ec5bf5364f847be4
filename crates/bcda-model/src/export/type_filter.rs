//! `_typeFilter` on `/api/v3`: which ExplanationOfBenefits an export holds, by source
//! system, final action, outcome and service date, with BCDA's grammar and messages.
//!
//! BCDA accepts one filter, `ExplanationOfBenefit?` followed by `_tag`, `outcome` and
//! `service-date` parameters joined with `&`. Each parameter must hold (AND); the
//! comma-separated values of one parameter are alternatives (OR), as Blue Button reads
//! them. `service-date` bounds the claim's through date (`billablePeriod.end`); BCDA
//! keeps the tightest lower and upper bound of all of them, commas included, so they
//! narrow, never widen (`service-date=2025,2026` matches nothing, where a FHIR server
//! would read a union: BCDA's behaviour, kept).
//!
//! An export of EOBs whose filter names no System-Type tag gets BCDA's default,
//! `NationalClaimsHistory,DDPS` (final claims only), and a warning in the manifest.

use std::fmt;

use time::{Date, Month};

use crate::claim_source::{ClaimFacts, ClaimOutcome, FinalAction, SystemType};

const SYSTEM_TYPE: &str = "https://bluebutton.cms.gov/fhir/CodeSystem/System-Type";
const FINAL_ACTION: &str = "https://bluebutton.cms.gov/fhir/CodeSystem/Final-Action";

/// The warning an export with BCDA's default System-Type filter carries, verbatim.
pub const DEFAULT_SYSTEM_TYPE_WARNING: &str =
    "Default System-Type behavior includes only claims from NCH and DDPS in this export.";

/// A `meta.tag` a filter can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    SystemType(SystemType),
    FinalAction(FinalAction),
}

impl Tag {
    fn matches(self, facts: &ClaimFacts) -> bool {
        match self {
            Tag::SystemType(system) => facts.system_type == system,
            Tag::FinalAction(action) => facts.final_action == action,
        }
    }

    /// `system|code`, as a filter writes it.
    fn token(self) -> String {
        match self {
            Tag::SystemType(system) => format!("{SYSTEM_TYPE}|{}", system.code()),
            Tag::FinalAction(action) => format!("{FINAL_ACTION}|{}", action.code()),
        }
    }

    fn parse(token: &str) -> Result<Tag, TypeFilterError> {
        let (system, code) = token
            .split_once('|')
            .ok_or_else(|| TypeFilterError::TagWithoutSystem(token.to_owned()))?;
        let unknown = || TypeFilterError::InvalidTag(token.to_owned());
        match system {
            SYSTEM_TYPE => SystemType::ALL
                .into_iter()
                .find(|s| s.code() == code)
                .map(Tag::SystemType)
                .ok_or_else(unknown),
            FINAL_ACTION => FinalAction::ALL
                .into_iter()
                .find(|a| a.code() == code)
                .map(Tag::FinalAction)
                .ok_or_else(unknown),
            _ => Err(unknown()),
        }
    }
}

/// The service dates a filter allows: the claim's through date is after `from` and
/// before `to` (each inclusive), where given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServiceDates {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl ServiceDates {
    fn contains(&self, date: Date) -> bool {
        self.from.is_none_or(|from| date >= from) && self.to.is_none_or(|to| date <= to)
    }

    /// Narrows the window to `value` (`ge2024-01-01`, `2024`, `lt2024-06`): the
    /// tightest bound wins, as BCDA keeps it.
    fn narrow(&mut self, value: &str) -> Result<(), TypeFilterError> {
        let invalid = || TypeFilterError::InvalidServiceDate(value.to_owned());
        let (prefix, date) = match value.get(..2) {
            Some(p @ ("eq" | "lt" | "gt" | "le" | "ge")) if value.len() > 2 => (p, &value[2..]),
            _ => ("eq", value),
        };
        let Some((first, last)) = parse_partial_date(date) else {
            // A date with a time passes BCDA's check but never reaches Blue Button: BCDA
            // drops it. So do we.
            return if parses_as_instant(date) {
                Ok(())
            } else {
                Err(invalid())
            };
        };
        let (from, to) = match prefix {
            "eq" => (Some(first), Some(last)),
            "ge" => (Some(first), None),
            "gt" => (last.next_day(), None),
            "le" => (None, Some(last)),
            _ => (None, first.previous_day()),
        };
        if let Some(from) = from {
            self.from = Some(self.from.map_or(from, |old| old.max(from)));
        }
        if let Some(to) = to {
            self.to = Some(self.to.map_or(to, |old| old.min(to)));
        }
        Ok(())
    }

    /// The bounds as `service-date` parameters, for the stored filter.
    fn parameters(&self) -> impl Iterator<Item = String> + '_ {
        let from = self.from.map(|d| format!("service-date=ge{d}"));
        let to = self.to.map(|d| format!("service-date=le{d}"));
        from.into_iter().chain(to)
    }
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: the first and last day it covers.
fn parse_partial_date(text: &str) -> Option<(Date, Date)> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = text.split('-').collect();
    let year: i32 = parts.first().filter(|y| digits(y, 4))?.parse().ok()?;
    match parts[..] {
        [_] => Some((
            Date::from_calendar_date(year, Month::January, 1).ok()?,
            Date::from_calendar_date(year, Month::December, 31).ok()?,
        )),
        [_, month] if digits(month, 2) => {
            let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
            Some((
                Date::from_calendar_date(year, month, 1).ok()?,
                Date::from_calendar_date(year, month, month.length(year)).ok()?,
            ))
        }
        [_, month, day] if digits(month, 2) && digits(day, 2) => {
            let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
            let date = Date::from_calendar_date(year, month, day.parse().ok()?).ok()?;
            Some((date, date))
        }
        _ => None,
    }
}

/// Whether `text` is a date with a time (`2024-01-02T03:04:05`, with or without a
/// zone), one of the forms BCDA accepts.
fn parses_as_instant(text: &str) -> bool {
    use time::format_description::well_known::Rfc3339;
    let Some((date, _)) = text.split_once('T') else {
        return false;
    };
    parse_partial_date(date).is_some_and(|(first, last)| first == last)
        && (time::OffsetDateTime::parse(text, &Rfc3339).is_ok()
            || time::PrimitiveDateTime::parse(
                text,
                // Go's parser, which BCDA's check uses, takes fractional seconds too.
                time::macros::format_description!(
                    "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
                ),
            )
            .is_ok())
}

/// Which ExplanationOfBenefits an export holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EobFilter {
    /// Each `_tag` parameter: one of its tags must match.
    pub tags: Vec<Vec<Tag>>,
    /// Each `outcome` parameter: one of its outcomes must match.
    pub outcomes: Vec<Vec<ClaimOutcome>>,
    pub service_dates: ServiceDates,
}

impl EobFilter {
    /// Parses the value of `_typeFilter` (already percent-decoded).
    pub fn parse(value: &str) -> Result<EobFilter, TypeFilterError> {
        let (resource, query) = value
            .split_once('?')
            .ok_or_else(|| TypeFilterError::MissingQuestionMark(value.to_owned()))?;
        if resource != "ExplanationOfBenefit" {
            return Err(TypeFilterError::NotExplanationOfBenefit(
                resource.to_owned(),
            ));
        }
        EobFilter::parse_parameters(query)
    }

    /// Parses `name=value&...` parameters, as `parse` and the stored form have them.
    pub fn parse_parameters(query: &str) -> Result<EobFilter, TypeFilterError> {
        let mut filter = EobFilter::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| TypeFilterError::InvalidPair(pair.to_owned()))?;
            let values = value.split(',');
            match name {
                "_tag" => filter
                    .tags
                    .push(values.map(Tag::parse).collect::<Result<_, _>>()?),
                "outcome" => filter.outcomes.push(
                    values
                        .map(|v| {
                            ClaimOutcome::ALL
                                .into_iter()
                                .find(|o| o.code() == v)
                                .ok_or_else(|| TypeFilterError::InvalidOutcome(v.to_owned()))
                        })
                        .collect::<Result<_, _>>()?,
                ),
                "service-date" => {
                    for v in values {
                        filter.service_dates.narrow(v)?;
                    }
                }
                other => return Err(TypeFilterError::UnknownParameter(other.to_owned())),
            }
        }
        Ok(filter)
    }

    /// Whether some `_tag` parameter names a System-Type.
    pub fn names_system_type(&self) -> bool {
        self.tags
            .iter()
            .flatten()
            .any(|tag| matches!(tag, Tag::SystemType(_)))
    }

    /// Whether some `_tag` asks for shared-system claims.
    pub fn asks_for_shared_system(&self) -> bool {
        self.tags
            .iter()
            .flatten()
            .any(|tag| *tag == Tag::SystemType(SystemType::SharedSystem))
    }

    /// Adds BCDA's default, final claims of the NCH and DDPS, when no `_tag` names a
    /// System-Type; returns whether it did.
    pub fn with_default_system_type(&mut self) -> bool {
        if self.names_system_type() {
            return false;
        }
        self.tags.push(vec![
            Tag::SystemType(SystemType::NationalClaimsHistory),
            Tag::SystemType(SystemType::Ddps),
        ]);
        true
    }

    /// Whether the systems the filter allows include `system` (a claim of it could
    /// match): the worker reads only those systems' claims.
    pub fn may_include(&self, system: SystemType) -> bool {
        self.tags.iter().all(|group| {
            group.iter().any(|tag| match tag {
                Tag::SystemType(s) => *s == system,
                Tag::FinalAction(_) => true,
            })
        })
    }

    /// Whether a claim with `facts` passes.
    pub fn matches(&self, facts: &ClaimFacts) -> bool {
        self.tags
            .iter()
            .all(|group| group.iter().any(|tag| tag.matches(facts)))
            && self
                .outcomes
                .iter()
                .all(|group| group.contains(&facts.outcome))
            && self.service_dates.contains(facts.service_thru)
    }
}

/// The stored form: parameters that parse back to the same filter.
impl fmt::Display for EobFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tags = self.tags.iter().map(|group| {
            let tokens: Vec<String> = group.iter().map(|t| t.token()).collect();
            format!("_tag={}", tokens.join(","))
        });
        let outcomes = self.outcomes.iter().map(|group| {
            let codes: Vec<&str> = group.iter().map(|o| o.code()).collect();
            format!("outcome={}", codes.join(","))
        });
        let parameters: Vec<String> = tags
            .chain(outcomes)
            .chain(self.service_dates.parameters())
            .collect();
        f.write_str(&parameters.join("&"))
    }
}

/// Why a `_typeFilter` was refused. `Display` gives BCDA's message, typos included.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypeFilterError {
    #[error("failed to process request given more that one _typeFilter parameter")]
    MoreThanOne,
    #[error("missing question mark {0}")]
    MissingQuestionMark(String),
    #[error("invalid _typeFilter Resource Type (Only EOBs valid): {0}")]
    NotExplanationOfBenefit(String),
    #[error("invalid _typeFilter parameter/value: {0}")]
    InvalidPair(String),
    #[error("invalid _typeFilter subquery parameter: {0}")]
    UnknownParameter(String),
    #[error(
        "invalid _tag value: {0}. Searching by tag requires a token (system|code) to be specified"
    )]
    TagWithoutSystem(String),
    #[error("invalid _tag value: {0}")]
    InvalidTag(String),
    #[error("invalid outcome value: {0}. Supported outcome values are 'complete' and 'partial'")]
    InvalidOutcome(String),
    #[error("invalid service-date value: {0}. Pass a valid FHIR date parameter")]
    InvalidServiceDate(String),
    #[error(
        "Model entities in {model} are not eligible to access SharedSystem data. Requests using the following tags require access to SharedSystem data: [SharedSystem]"
    )]
    SharedSystemNotOffered { model: &'static str },
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;
    use time::macros::date;

    fn facts(system_type: SystemType, final_action: FinalAction, thru: Date) -> ClaimFacts {
        ClaimFacts {
            system_type,
            final_action,
            outcome: if system_type == SystemType::SharedSystem
                && final_action == FinalAction::NotFinalAction
            {
                ClaimOutcome::Partial
            } else {
                ClaimOutcome::Complete
            },
            service_from: thru - Duration::days(3),
            service_thru: thru,
        }
    }

    const NCH: SystemType = SystemType::NationalClaimsHistory;
    const SS: SystemType = SystemType::SharedSystem;

    #[test]
    fn tags_of_one_parameter_are_alternatives_and_parameters_all_hold() {
        let filter = EobFilter::parse(
            "ExplanationOfBenefit?_tag=https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|SharedSystem,https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|NationalClaimsHistory&_tag=https://bluebutton.cms.gov/fhir/CodeSystem/Final-Action|NotFinalAction",
        )
        .unwrap();
        let day = date!(2026 - 10 - 01);
        assert!(filter.matches(&facts(SS, FinalAction::NotFinalAction, day)));
        assert!(!filter.matches(&facts(SS, FinalAction::FinalAction, day)));
        assert!(!filter.matches(&facts(NCH, FinalAction::FinalAction, day)));
        assert!(!filter.matches(&facts(SystemType::Ddps, FinalAction::NotFinalAction, day)));
        assert!(filter.may_include(SS) && filter.may_include(NCH));
        assert!(!filter.may_include(SystemType::Ddps));
    }

    #[test]
    fn service_dates_keep_the_tightest_bounds_on_the_through_date() {
        let filter = EobFilter::parse(
            "ExplanationOfBenefit?service-date=ge2026-01-01&service-date=gt2026-03-31,le2026-09&service-date=lt2026-12-01",
        )
        .unwrap();
        assert_eq!(
            filter.service_dates,
            ServiceDates {
                from: Some(date!(2026 - 04 - 01)),
                to: Some(date!(2026 - 09 - 30)),
            }
        );
        let on = |thru| filter.matches(&facts(NCH, FinalAction::FinalAction, thru));
        assert!(!on(date!(2026 - 03 - 31)));
        assert!(on(date!(2026 - 04 - 01)));
        assert!(on(date!(2026 - 09 - 30)));
        assert!(!on(date!(2026 - 10 - 01)));
        // A year or month alone is the whole of it.
        let year = EobFilter::parse("ExplanationOfBenefit?service-date=2025").unwrap();
        assert_eq!(
            year.service_dates,
            ServiceDates {
                from: Some(date!(2025 - 01 - 01)),
                to: Some(date!(2025 - 12 - 31)),
            }
        );
        // A time passes the check and is dropped, as BCDA drops it.
        for timed in ["ge2026-01-02T03:04:05Z", "lt2026-01-02T03:04:05.123"] {
            let filter =
                EobFilter::parse(&format!("ExplanationOfBenefit?service-date={timed}")).unwrap();
            assert_eq!(filter.service_dates, ServiceDates::default(), "{timed}");
        }
    }

    #[test]
    fn outcomes_select_partial_or_complete_claims() {
        let filter = EobFilter::parse("ExplanationOfBenefit?outcome=partial").unwrap();
        let day = date!(2026 - 10 - 01);
        assert!(filter.matches(&facts(SS, FinalAction::NotFinalAction, day)));
        assert!(!filter.matches(&facts(NCH, FinalAction::FinalAction, day)));
    }

    #[test]
    fn the_default_adds_final_claims_only_when_no_system_type_is_named() {
        let mut filter = EobFilter::parse(
            "ExplanationOfBenefit?_tag=https://bluebutton.cms.gov/fhir/CodeSystem/Final-Action|FinalAction",
        )
        .unwrap();
        assert!(filter.with_default_system_type());
        assert!(!filter.may_include(SS));
        assert!(filter.may_include(SystemType::Ddps));
        let mut named = EobFilter::parse(
            "ExplanationOfBenefit?_tag=https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|DDPS",
        )
        .unwrap();
        assert!(!named.with_default_system_type());
        assert!(!named.may_include(NCH));
    }

    #[test]
    fn the_stored_form_parses_back_to_the_same_filter() {
        let mut filter = EobFilter::parse(
            "ExplanationOfBenefit?_tag=https://bluebutton.cms.gov/fhir/CodeSystem/Final-Action|NotFinalAction,https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|DDPS&outcome=partial,complete&service-date=gt2025-12-31&service-date=lt2027",
        )
        .unwrap();
        filter.with_default_system_type();
        let stored = filter.to_string();
        assert_eq!(EobFilter::parse_parameters(&stored).unwrap(), filter);
    }

    #[test]
    fn bad_filters_get_bcdas_messages() {
        let message = |value: &str| EobFilter::parse(value).unwrap_err().to_string();
        assert_eq!(
            message("ExplanationOfBenefit"),
            "missing question mark ExplanationOfBenefit"
        );
        assert_eq!(
            message("Patient?_tag=x|y"),
            "invalid _typeFilter Resource Type (Only EOBs valid): Patient"
        );
        assert_eq!(
            message("ExplanationOfBenefit?_tag"),
            "invalid _typeFilter parameter/value: _tag"
        );
        assert_eq!(
            message("ExplanationOfBenefit?type=carrier"),
            "invalid _typeFilter subquery parameter: type"
        );
        assert_eq!(
            message("ExplanationOfBenefit?_tag=SharedSystem"),
            "invalid _tag value: SharedSystem. Searching by tag requires a token (system|code) to be specified"
        );
        assert_eq!(
            message(
                "ExplanationOfBenefit?_tag=https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|EDPS"
            ),
            "invalid _tag value: https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|EDPS"
        );
        assert_eq!(
            message("ExplanationOfBenefit?outcome=queued"),
            "invalid outcome value: queued. Supported outcome values are 'complete' and 'partial'"
        );
        for bad in [
            "ne2026-01-01",
            "2026-13",
            "26-01-01",
            "ge",
            "2026-01-01T25:00:00",
        ] {
            assert_eq!(
                message(&format!("ExplanationOfBenefit?service-date={bad}")),
                format!("invalid service-date value: {bad}. Pass a valid FHIR date parameter")
            );
        }
    }
}
