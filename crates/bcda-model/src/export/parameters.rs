//! A kick-off's parameters as the client sent them, decoded to names and text values:
//! from the query string of a `GET`, or from the FHIR `Parameters` body of a `POST`
//! (the Bulk Data IG's two forms), so that one set of rules reads both.

use serde::Deserialize;

use super::ExportError;

/// Where a kick-off's parameters came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `GET ...$export?name=value&...`
    Query,
    /// `POST ...$export` with a `Parameters` resource: the only form that may name
    /// `patient`, as the IG specifies.
    Body,
}

/// The decoded parameters of one kick-off, in the order sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameters {
    pub form: Form,
    pub pairs: Vec<(String, String)>,
}

impl Parameters {
    /// The raw (still percent-encoded) query string of a `GET` kick-off.
    pub fn from_query(raw: &str) -> Result<Parameters, ExportError> {
        // A `?` belongs in a `_typeFilter` value (`ExplanationOfBenefit?_tag=...`),
        // nowhere else: a second one is the guide's own `_type=Patient?_since=...`.
        let nested = raw
            .split('&')
            .any(|pair| pair.contains('?') && !pair.starts_with("_typeFilter="));
        if nested {
            return Err(ExportError::NestedQuery {
                corrected: raw.replace('?', "&"),
            });
        }
        Ok(Parameters {
            form: Form::Query,
            pairs: form_urlencoded::parse(raw.as_bytes())
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect(),
        })
    }

    /// The body of a `POST` kick-off: a FHIR `Parameters` resource whose entries each
    /// carry one `value[x]`. References (`patient`) are read as their `reference`,
    /// booleans as `true` or `false`.
    pub fn from_body(body: &[u8]) -> Result<Parameters, ExportError> {
        let resource: ParametersResource = serde_json::from_slice(body).map_err(|e| {
            ExportError::InvalidBody(format!("it is not a Parameters resource: {e}"))
        })?;
        if resource.resource_type != "Parameters" {
            return Err(ExportError::InvalidBody(format!(
                "resourceType must be Parameters, not {}",
                resource.resource_type
            )));
        }
        let pairs = resource
            .parameter
            .into_iter()
            .map(|p| match p.value() {
                Some(value) => Ok((p.name, value)),
                None => Err(ExportError::InvalidBody(format!(
                    "parameter {} must carry one valueString, valueInstant, valueDateTime, \
                     valueCode, valueUri, valueBoolean or valueReference",
                    p.name
                ))),
            })
            .collect::<Result<_, _>>()?;
        Ok(Parameters {
            form: Form::Body,
            pairs,
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ParametersResource {
    resource_type: String,
    #[serde(default)]
    parameter: Vec<Parameter>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Parameter {
    name: String,
    value_string: Option<String>,
    value_instant: Option<String>,
    value_date_time: Option<String>,
    value_code: Option<String>,
    value_uri: Option<String>,
    value_boolean: Option<bool>,
    value_reference: Option<Reference>,
}

#[derive(Deserialize)]
struct Reference {
    reference: Option<String>,
}

impl Parameter {
    /// The one value the entry carries, as text; `None` when it carries none or several.
    fn value(&self) -> Option<String> {
        let values = [
            self.value_string.clone(),
            self.value_instant.clone(),
            self.value_date_time.clone(),
            self.value_code.clone(),
            self.value_uri.clone(),
            self.value_boolean.map(|b| b.to_string()),
            self.value_reference
                .as_ref()
                .map(|r| r.reference.clone().unwrap_or_default()),
        ];
        let mut present = values.into_iter().flatten();
        let value = present.next()?;
        present.next().is_none().then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_decoded_into_names_and_values() {
        let params =
            Parameters::from_query("_type=Patient%2CCoverage&_since=2020-02-13T08:00:00+01:00&&x")
                .unwrap();
        assert_eq!(params.form, Form::Query);
        assert_eq!(
            params.pairs,
            [
                ("_type".to_owned(), "Patient,Coverage".to_owned()),
                // `+` is a space in a query; the `_since` rule repairs it.
                ("_since".to_owned(), "2020-02-13T08:00:00 01:00".to_owned()),
                ("x".to_owned(), String::new()),
            ]
        );
        // Bad escapes stay as they are.
        assert_eq!(
            Parameters::from_query("a=100%&b=%zz").unwrap().pairs,
            [
                ("a".to_owned(), "100%".to_owned()),
                ("b".to_owned(), "%zz".to_owned())
            ]
        );
    }

    #[test]
    fn the_guides_second_question_mark_is_answered_with_the_corrected_query() {
        let err = Parameters::from_query("_type=Patient?_since=2020-02-13T08:00:00.000-05:00")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid query: parameters must be joined with '&', not a second '?'. \
             Did you mean ?_type=Patient&_since=2020-02-13T08:00:00.000-05:00"
        );
        assert!(Parameters::from_query("_typeFilter=ExplanationOfBenefit?outcome=partial").is_ok());
    }

    #[test]
    fn a_parameters_body_gives_each_entrys_value() {
        let body = br#"{"resourceType": "Parameters", "parameter": [
            {"name": "_type", "valueString": "Patient"},
            {"name": "_since", "valueInstant": "2020-02-13T08:00:00.000-05:00"},
            {"name": "patient", "valueReference": {"reference": "Patient/-19990000000001"}},
            {"name": "allowPartialManifests", "valueBoolean": true},
            {"name": "includeAssociatedData", "valueCode": "LatestProvenanceResources"}
        ]}"#;
        let params = Parameters::from_body(body).unwrap();
        assert_eq!(params.form, Form::Body);
        let values: Vec<&str> = params.pairs.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(
            values,
            [
                "Patient",
                "2020-02-13T08:00:00.000-05:00",
                "Patient/-19990000000001",
                "true",
                "LatestProvenanceResources"
            ]
        );
        let empty = Parameters::from_body(br#"{"resourceType": "Parameters"}"#).unwrap();
        assert!(empty.pairs.is_empty());
    }

    #[test]
    fn a_body_that_is_not_parameters_is_refused_with_the_reason() {
        for (body, says) in [
            (&b"not json"[..], "it is not a Parameters resource"),
            (br#"{"resourceType": "Patient"}"#, "resourceType must be Parameters, not Patient"),
            (
                br#"{"resourceType": "Parameters", "parameter": [{"name": "_type"}]}"#,
                "parameter _type must carry one valueString",
            ),
            (
                br#"{"resourceType": "Parameters", "parameter": [{"name": "_type", "valueString": "Patient", "valueCode": "Patient"}]}"#,
                "parameter _type must carry one",
            ),
        ] {
            let err = Parameters::from_body(body).unwrap_err().to_string();
            assert!(err.contains(says), "{err}");
            assert!(err.starts_with("Invalid request body: "), "{err}");
        }
    }
}
