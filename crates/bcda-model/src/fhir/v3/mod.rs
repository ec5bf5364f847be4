//! Resources in Blue Button's v3 shapes (`/api/v3`): FHIR R4 with the CARIN Blue Button
//! 2.2.0 and US Core 7 profiles, mapped from CMS's Integrated Data Repository instead of
//! the CCW. Codes and amounts are named by their IDR column
//! (`https://bluebutton.cms.gov/fhir/CodeSystem/Adjudication|CLM_LINE_ALOWD_CHRG_AMT`),
//! every claim is an [`ExplanationOfBenefit`] whatever system it comes from, and its
//! `meta.source` and `meta.tag` say which ([`crate::claim_source`]).
//!
//! The shapes follow the approved responses of BFD's v3 server (`apps/bfd-server-ng`
//! snapshots, copied in `tests/bluebutton/v3`); where our synthetic data has no value
//! for an element, it is left out, as BFD does for a null column.

mod codes;
mod coverage;
mod eob;
mod patient;

use std::borrow::Cow;

use serde::Serialize;

use super::datatypes::{CodeableConcept, Coding, Period};

pub use coverage::{Coverage, CoveragePart};
pub use eob::ExplanationOfBenefit;
pub use patient::Patient;

/// A code system or structure definition of Blue Button v3, built at compile time.
macro_rules! bb_cs {
    ($name:literal) => {
        concat!("https://bluebutton.cms.gov/fhir/CodeSystem/", $name)
    };
}
macro_rules! bb_sd {
    ($name:literal) => {
        concat!(
            "https://bluebutton.cms.gov/fhir/StructureDefinition/",
            $name
        )
    };
}
pub(crate) use {bb_cs, bb_sd};

const V2_0203: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";
const US_MBI: &str = "http://hl7.org/fhir/sid/us-mbi";
const US_NPI: &str = "http://hl7.org/fhir/sid/us-npi";
const CARIN_ORGANIZATION: &str =
    "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Organization|2.2.0";

/// `{reference}` to a contained or another resource.
#[derive(Debug, Serialize)]
struct LocalReference {
    reference: String,
}

impl LocalReference {
    fn to(reference: impl Into<String>) -> LocalReference {
        LocalReference {
            reference: reference.into(),
        }
    }
}

/// `{url, valueCoding: {system, code}}`: a Blue Button v3 extension whose code system
/// has the extension's name.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CodingExtension<'a> {
    url: &'static str,
    value_coding: Coding<'a>,
}

/// An identifier typed by its v2-0203 code (`MB` Medicare beneficiary, `NPI`).
#[derive(Debug, Serialize)]
struct TypedIdentifier<'a> {
    #[serde(rename = "type")]
    kind: CodeableConcept<'static>,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<&'static str>,
    value: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<Period>,
}

impl<'a> TypedIdentifier<'a> {
    fn mbi(mbi: &'a str) -> TypedIdentifier<'a> {
        TypedIdentifier {
            kind: CodeableConcept::of(Coding::new(V2_0203, "MB", None)),
            system: Some(US_MBI),
            value: Cow::Borrowed(mbi),
            period: None,
        }
    }

    fn npi(npi: &'a str) -> TypedIdentifier<'a> {
        TypedIdentifier {
            kind: CodeableConcept::of(Coding::new(
                V2_0203,
                "NPI",
                Some("National provider identifier"),
            )),
            system: Some(US_NPI),
            value: Cow::Borrowed(npi),
            period: None,
        }
    }
}

/// The administrative gender of a CCW sex code.
fn gender(sex_cd: char) -> &'static str {
    match sex_cd {
        '1' => "male",
        '2' => "female",
        _ => "unknown",
    }
}

/// An ICD-10-CM code as v3 writes it, with its dot after the category (`E119` becomes
/// `E11.9`); a code of three characters has none.
fn dotted_icd10(code: &str) -> Cow<'_, str> {
    if code.len() > 3 && code.is_char_boundary(3) {
        Cow::Owned(format!("{}.{}", &code[..3], &code[3..]))
    } else {
        Cow::Borrowed(code)
    }
}

#[cfg(test)]
mod tests;
