//! FHIR data types as borrowed, typed `Serialize` structs: rendering a resource writes
//! straight from the claims rows without building a `serde_json::Value` tree.

use std::borrow::Cow;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};
use time::{Date, OffsetDateTime};

/// Where Blue Button publishes the CCW variables its extensions and codings name.
pub const BB_VARIABLES: &str = "https://bluebutton.cms.gov/resources/variables/";

/// A FHIR `date` (`YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FhirDate(pub Date);

impl Serialize for FhirDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = Digits::<10>::new();
        buf.date(self.0);
        s.serialize_str(buf.as_str())
    }
}

/// A FHIR `instant`, in UTC with milliseconds (`2026-01-02T03:04:05.678Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant(pub OffsetDateTime);

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.0.to_offset(time::UtcOffset::UTC);
        let mut buf = Digits::<24>::new();
        buf.date(t.date());
        buf.push(b'T');
        buf.number(u32::from(t.hour()), 2);
        buf.push(b':');
        buf.number(u32::from(t.minute()), 2);
        buf.push(b':');
        buf.number(u32::from(t.second()), 2);
        buf.push(b'.');
        buf.number(u32::from(t.millisecond()), 3);
        buf.push(b'Z');
        s.serialize_str(buf.as_str())
    }
}

/// A small stack buffer for dates and times: rendering runs for every resource, and
/// going through `fmt` for each date costs more than the rest of a Patient.
struct Digits<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Digits<N> {
    fn new() -> Self {
        Digits {
            bytes: [0; N],
            len: 0,
        }
    }

    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    /// `value` as exactly `width` decimal digits (zero-padded, high digits dropped).
    fn number(&mut self, value: u32, width: u32) {
        for power in (0..width).rev() {
            self.push(b'0' + (value / 10u32.pow(power) % 10) as u8);
        }
    }

    fn date(&mut self, d: Date) {
        self.number(d.year().unsigned_abs(), 4);
        self.push(b'-');
        self.number(u32::from(d.month() as u8), 2);
        self.push(b'-');
        self.number(u32::from(d.day()), 2);
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits and punctuation are ever pushed.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

/// `meta` with `lastUpdated` and, in R4, the CARIN profile.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    pub last_updated: Instant,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<[&'static str; 1]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Coding<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension: Option<Box<[Extension<'a>; 1]>>,
    pub system: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<&'a str>,
    pub code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<&'a str>,
}

impl<'a> Coding<'a> {
    pub fn new(system: &'a str, code: &'a str, display: Option<&'a str>) -> Coding<'a> {
        Coding {
            extension: None,
            system,
            version: None,
            code,
            display,
        }
    }

    /// The same coding from `version` of its code system.
    pub fn in_version(self, version: &'a str) -> Coding<'a> {
        Coding {
            version: Some(version),
            ..self
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CodeableConcept<'a> {
    pub coding: Vec<Coding<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
}

impl<'a> CodeableConcept<'a> {
    pub fn of(coding: Coding<'a>) -> CodeableConcept<'a> {
        CodeableConcept {
            coding: vec![coding],
            text: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Reference<'a> {
    pub reference: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<&'a str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Period {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<FhirDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<FhirDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Identifier<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<CodeableConcept<'a>>,
    pub system: &'a str,
    pub value: Cow<'a, str>,
}

/// A FHIR extension of the kinds Blue Button uses.
#[derive(Debug, Clone)]
pub enum Extension<'a> {
    /// A CCW variable as a coding: `{url: VAR/<name><suffix>, valueCoding: {system: VAR/<name><suffix>, code, display}}`.
    Variable {
        name: &'static str,
        suffix: Suffix,
        code: &'a str,
        display: Option<&'a str>,
    },
    /// A CCW variable as an identifier: `{url: VAR/<name>, valueIdentifier: {system: VAR/<name>, value}}`.
    VariableIdentifier {
        name: &'static str,
        value: &'a str,
    },
    /// A CCW variable as an amount: `{url: VAR/<name>, valueMoney: ...}`.
    VariableMoney {
        name: &'static str,
        money: Money,
    },
    /// Any url with a `valueCoding`.
    Coding {
        url: &'a str,
        coding: Coding<'a>,
    },
    Code {
        url: &'a str,
        code: &'a str,
    },
    Date {
        url: &'a str,
        date: FhirDate,
    },
    Year {
        url: &'a str,
        year: i32,
    },
    String {
        url: &'a str,
        value: &'a str,
    },
    /// A count: `{url, valueQuantity: {value}}`.
    Quantity {
        url: &'a str,
        value: i64,
    },
    /// A count with what it counts: `{url, valueQuantity: {value, unit, system, code}}`.
    CodedQuantity {
        url: &'a str,
        value: i64,
        unit: Option<&'a str>,
        system: &'a str,
        code: &'a str,
    },
    /// An amount as a bare decimal quantity: `{url, valueQuantity: {value: 12.5}}`.
    DecimalQuantity {
        url: &'a str,
        cents: i64,
    },
    /// A monthly variable of a given year, as BFD gives a Part D contract's history:
    /// `{url: VAR/<name><MM>/<YYYY>-<M>, valueCoding: {system: VAR/<name><MM>, code,
    /// display}}`.
    YearMonthVariable {
        name: &'static str,
        year: i32,
        month: u8,
        code: &'a str,
        display: Option<&'a str>,
    },
    /// A reference, e.g. to a contained resource: `{url, valueReference: {reference}}`.
    Reference {
        url: &'a str,
        reference: String,
    },
    /// A complex extension holding others.
    Nested {
        url: &'a str,
        extension: Vec<Extension<'a>>,
    },
}

/// What follows a variable's name in its URL: monthly variables carry the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suffix {
    None,
    /// `buyin01`: two digits.
    Month(u8),
    /// `hmo_ind_01`: underscore and two digits.
    UnderscoreMonth(u8),
    /// `clm_poa_ind_sw5`: a position, without leading zeros.
    Number(u8),
}

struct VariableUrl(&'static str, Suffix);

impl Serialize for VariableUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Variable names are short: build the URL on the stack, not through `fmt`.
        let mut buf = [0u8; 128];
        let prefix = BB_VARIABLES.as_bytes();
        let name = self.0.as_bytes();
        let mut len = prefix.len() + name.len();
        if len + 3 <= buf.len() {
            buf[..prefix.len()].copy_from_slice(prefix);
            buf[prefix.len()..len].copy_from_slice(name);
            let month = |m: u8| [b'0' + m / 10 % 10, b'0' + m % 10];
            match self.1 {
                Suffix::None => {}
                Suffix::Month(m) => {
                    buf[len..len + 2].copy_from_slice(&month(m));
                    len += 2;
                }
                Suffix::UnderscoreMonth(m) => {
                    buf[len] = b'_';
                    buf[len + 1..len + 3].copy_from_slice(&month(m));
                    len += 3;
                }
                Suffix::Number(n) if n < 10 => {
                    buf[len] = b'0' + n;
                    len += 1;
                }
                Suffix::Number(n) => {
                    let digits = month(n);
                    buf[len..len + 2].copy_from_slice(&digits);
                    len += 2;
                }
            }
            if let Ok(url) = std::str::from_utf8(&buf[..len]) {
                return s.serialize_str(url);
            }
        }
        match self.1 {
            Suffix::None => s.collect_str(&format_args!("{BB_VARIABLES}{}", self.0)),
            Suffix::Month(m) => s.collect_str(&format_args!("{BB_VARIABLES}{}{m:02}", self.0)),
            Suffix::UnderscoreMonth(m) => {
                s.collect_str(&format_args!("{BB_VARIABLES}{}_{m:02}", self.0))
            }
            Suffix::Number(n) => s.collect_str(&format_args!("{BB_VARIABLES}{}{n}", self.0)),
        }
    }
}

/// `VAR/<name><MM>/<YYYY>-<M>`, built on the stack.
struct YearMonthUrl(&'static str, i32, u8);

impl Serialize for YearMonthUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let YearMonthUrl(name, year, month) = *self;
        let mut buf = [0u8; 128];
        let prefix = BB_VARIABLES.as_bytes();
        let head = prefix.len() + name.len();
        if (0..=9999).contains(&year) && (1..=12).contains(&month) && head + 10 <= buf.len() {
            buf[..prefix.len()].copy_from_slice(prefix);
            buf[prefix.len()..head].copy_from_slice(name.as_bytes());
            let (y, m) = (year as u32, u32::from(month));
            let digit = |n: u32| b'0' + (n % 10) as u8;
            let mut tail = [
                digit(m / 10),
                digit(m),
                b'/',
                digit(y / 1000),
                digit(y / 100),
                digit(y / 10),
                digit(y),
                b'-',
                0,
                0,
            ];
            // The month after the dash has no leading zero.
            let mut len = 8;
            if m >= 10 {
                tail[len] = digit(m / 10);
                len += 1;
            }
            tail[len] = digit(m);
            len += 1;
            buf[head..head + len].copy_from_slice(&tail[..len]);
            if let Ok(url) = std::str::from_utf8(&buf[..head + len]) {
                return s.serialize_str(url);
            }
        }
        s.collect_str(&format_args!(
            "{BB_VARIABLES}{name}{month:02}/{year:04}-{month}"
        ))
    }
}

#[derive(Serialize)]
struct VariableCoding<'a> {
    system: VariableUrl,
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    display: Option<&'a str>,
}

#[derive(Serialize)]
struct QuantityValue {
    value: i64,
}

#[derive(Serialize)]
struct ValueReference<'a> {
    reference: &'a str,
}

#[derive(Serialize)]
struct DecimalValue {
    value: f64,
}

#[derive(Serialize)]
struct CodedQuantity<'a> {
    value: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'a str>,
    system: &'a str,
    code: &'a str,
}

#[derive(Serialize)]
struct VariableIdentifier<'a> {
    system: VariableUrl,
    value: &'a str,
}

/// An amount in US dollars, written as STU3 (`system`/`code`) or R4 (`currency`) wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub cents: i64,
    pub version: crate::ApiVersion,
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let value = self.cents as f64 / 100.0;
        match self.version {
            crate::ApiVersion::V1 => {
                let mut money = s.serialize_struct("Money", 3)?;
                money.serialize_field("value", &value)?;
                money.serialize_field("system", "urn:iso:std:iso:4217")?;
                money.serialize_field("code", "USD")?;
                money.end()
            }
            crate::ApiVersion::V2 | crate::ApiVersion::V3 => {
                let mut money = s.serialize_struct("Money", 2)?;
                money.serialize_field("value", &value)?;
                money.serialize_field("currency", "USD")?;
                money.end()
            }
        }
    }
}

struct YearDate(i32);

impl Serialize for YearDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{:04}", self.0))
    }
}

impl Serialize for Extension<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // A struct, not a map: its keys are fixed names, written without escaping.
        let mut map = s.serialize_struct("Extension", 2)?;
        match self {
            Extension::Variable {
                name,
                suffix,
                code,
                display,
            } => {
                map.serialize_field("url", &VariableUrl(name, *suffix))?;
                map.serialize_field(
                    "valueCoding",
                    &VariableCoding {
                        system: VariableUrl(name, *suffix),
                        code,
                        display: *display,
                    },
                )?;
            }
            Extension::VariableIdentifier { name, value } => {
                map.serialize_field("url", &VariableUrl(name, Suffix::None))?;
                map.serialize_field(
                    "valueIdentifier",
                    &VariableIdentifier {
                        system: VariableUrl(name, Suffix::None),
                        value,
                    },
                )?;
            }
            Extension::VariableMoney { name, money } => {
                map.serialize_field("url", &VariableUrl(name, Suffix::None))?;
                map.serialize_field("valueMoney", money)?;
            }
            Extension::Coding { url, coding } => {
                map.serialize_field("url", url)?;
                map.serialize_field("valueCoding", coding)?;
            }
            Extension::Code { url, code } => {
                map.serialize_field("url", url)?;
                map.serialize_field("valueCode", code)?;
            }
            Extension::Date { url, date } => {
                map.serialize_field("url", url)?;
                map.serialize_field("valueDate", date)?;
            }
            Extension::Year { url, year } => {
                map.serialize_field("url", url)?;
                map.serialize_field("valueDate", &YearDate(*year))?;
            }
            Extension::String { url, value } => {
                map.serialize_field("url", url)?;
                map.serialize_field("valueString", value)?;
            }
            Extension::Quantity { url, value } => {
                map.serialize_field("url", url)?;
                map.serialize_field("valueQuantity", &QuantityValue { value: *value })?;
            }
            Extension::CodedQuantity {
                url,
                value,
                unit,
                system,
                code,
            } => {
                map.serialize_field("url", url)?;
                map.serialize_field(
                    "valueQuantity",
                    &CodedQuantity {
                        value: *value,
                        unit: *unit,
                        system,
                        code,
                    },
                )?;
            }
            Extension::YearMonthVariable {
                name,
                year,
                month,
                code,
                display,
            } => {
                map.serialize_field("url", &YearMonthUrl(name, *year, *month))?;
                map.serialize_field(
                    "valueCoding",
                    &VariableCoding {
                        system: VariableUrl(name, Suffix::Month(*month)),
                        code,
                        display: *display,
                    },
                )?;
            }
            Extension::Reference { url, reference } => {
                map.serialize_field("url", url)?;
                map.serialize_field("valueReference", &ValueReference { reference })?;
            }
            Extension::DecimalQuantity { url, cents } => {
                map.serialize_field("url", url)?;
                map.serialize_field(
                    "valueQuantity",
                    &DecimalValue {
                        value: *cents as f64 / 100.0,
                    },
                )?;
            }
            Extension::Nested { url, extension } => {
                map.serialize_field("url", url)?;
                map.serialize_field("extension", extension)?;
            }
        }
        map.end()
    }
}

impl Extension<'_> {
    /// A CCW variable without a month suffix.
    pub fn variable<'a>(
        name: &'static str,
        code: &'a str,
        display: Option<&'a str>,
    ) -> Extension<'a> {
        Extension::Variable {
            name,
            suffix: Suffix::None,
            code,
            display,
        }
    }
}

/// A one-character code as a static string, so codings borrow nothing from the row.
pub(crate) fn char_code(code: char) -> &'static str {
    const CODES: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    CODES.find(code).map(|i| &CODES[i..i + 1]).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::{date, datetime};

    #[test]
    fn year_month_variables_name_the_year_and_month_in_their_url_only() {
        for (month, url) in [(1, "ptdcntrct01/2018-1"), (12, "ptdcntrct12/2018-12")] {
            let extension = Extension::YearMonthVariable {
                name: "ptdcntrct",
                year: 2018,
                month,
                code: "S4607",
                display: None,
            };
            let json = serde_json::to_value(&extension).unwrap();
            assert_eq!(json["url"], format!("{BB_VARIABLES}{url}"));
            assert_eq!(
                json["valueCoding"]["system"],
                format!("{BB_VARIABLES}ptdcntrct{month:02}")
            );
        }
    }

    #[test]
    fn variable_extensions_spell_blue_buttons_urls() {
        let monthly = Extension::Variable {
            name: "buyin",
            suffix: Suffix::Month(3),
            code: "C",
            display: Some("Part A and Part B state buy-in"),
        };
        assert_eq!(
            serde_json::to_value(&monthly).unwrap(),
            json!({
                "url": "https://bluebutton.cms.gov/resources/variables/buyin03",
                "valueCoding": {
                    "system": "https://bluebutton.cms.gov/resources/variables/buyin03",
                    "code": "C",
                    "display": "Part A and Part B state buy-in"
                }
            })
        );
        let underscore = Extension::Variable {
            name: "hmo_ind",
            suffix: Suffix::UnderscoreMonth(12),
            code: "0",
            display: None,
        };
        assert_eq!(
            serde_json::to_value(&underscore).unwrap()["url"],
            "https://bluebutton.cms.gov/resources/variables/hmo_ind_12"
        );
    }

    #[test]
    fn dates_and_instants_use_fhir_formats() {
        assert_eq!(
            serde_json::to_value(FhirDate(date!(2026 - 01 - 02))).unwrap(),
            "2026-01-02"
        );
        assert_eq!(
            serde_json::to_value(Instant(datetime!(2026-01-02 03:04:05.678 UTC))).unwrap(),
            "2026-01-02T03:04:05.678Z"
        );
    }
}
