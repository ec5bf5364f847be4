//! Curated tables of real codes, kept as CSV files in `crates/bcda-synth/data/` (each
//! names its source on its first line) and compiled into the binary.

use std::sync::LazyLock;

use bcda_model::code_table::rows as parse_csv;

use bcda_model::fhir::codebook::CODEBOOK;

use crate::rng::{Rng, Weighted};

/// A professional service with where it is usually performed, what Medicare allows and
/// how Medicare classifies it.
#[derive(Debug, Clone)]
pub struct CarrierService {
    pub code: &'static str,
    pub place_of_service: &'static str,
    pub allowed_cents: i64,
    /// BETOS category, e.g. `M1B`.
    pub betos: &'static str,
    /// CMS type of service, e.g. `1` medical care.
    pub type_of_service: char,
    /// No Part B deductible or coinsurance: clinical laboratory tests and the preventive
    /// services for which Medicare waives both.
    pub cost_sharing_waived: bool,
    /// The NDC of the product billed under a drug code.
    pub ndc: Option<&'static str>,
}

/// A durable medical equipment item or supply.
#[derive(Debug, Clone)]
pub struct DmeItem {
    pub code: &'static str,
    pub allowed_cents: i64,
    pub betos: &'static str,
    /// Billed monthly as a rental rather than bought.
    pub rental: bool,
    pub ndc: Option<&'static str>,
    /// Whether the allowed amount is per unit, so a line bills one unit; otherwise it is
    /// the typical line's, whatever its units.
    pub per_unit: bool,
}

/// A hospital outpatient service and its revenue center.
#[derive(Debug, Clone)]
pub struct OutpatientService {
    pub code: &'static str,
    pub revenue_center: &'static str,
    pub charge_cents: i64,
    /// How the OPPS pays it (REV_CNTR_STUS_IND_CD), e.g. `V` a visit, `N` packaged into
    /// the payment for the visit's other services.
    pub status_indicator: &'static str,
    /// The product a drug code's line gives, none for other services.
    pub drug: Option<DrugProduct>,
}

/// A drug product billed under a HCPCS drug code: its NDC and how many of the code's
/// units one package (a vial, a syringe, a bag) holds.
#[derive(Debug, Clone, Copy)]
pub struct DrugProduct {
    pub ndc: &'static str,
    pub package_units: i32,
}

impl OutpatientService {
    /// Whether the OPPS pays nothing for it on its own.
    pub fn packaged(&self) -> bool {
        self.status_indicator == "N"
    }
}

/// An MS-DRG with its relative weight and mean lengths of stay (IPPS Table 5).
#[derive(Debug, Clone)]
pub struct Drg {
    pub code: &'static str,
    pub weight: f64,
    /// Geometric and arithmetic mean length of stay (days).
    pub gmlos: f64,
    pub amlos: f64,
    pub principal_dx: &'static str,
    /// Whether the DRG is a surgical one (a procedure is coded).
    pub surgical: bool,
    /// The ICD-10-PCS codes of a surgical DRG's operation, one of which its stays code.
    pub procedures: Vec<&'static str>,
}

/// A Part D drug product.
#[derive(Debug, Clone)]
pub struct Drug {
    pub ndc: &'static str,
    pub brand_generic: char,
    pub days_supply: i16,
    pub quantity: i32,
    pub cost_cents: i64,
}

/// A real county and ZIP code, with SSA state and county codes.
#[derive(Debug, Clone)]
pub struct Location {
    /// The USPS state abbreviation, e.g. `AL`.
    pub state: &'static str,
    pub ssa_state: &'static str,
    pub ssa_county: &'static str,
    pub zip5: &'static str,
}

/// The long tail of diagnoses: every ICD-10-CM code the codebook describes (see its
/// README), drawn by chapter in proportion to `CHAPTER_WEIGHTS` and evenly within one,
/// so that thousands of codes appear as in real claims. No per-code frequencies of
/// Medicare claims are published.
#[derive(Debug)]
pub struct DiagnosisTail {
    chapters: Weighted<Vec<&'static str>>,
}

/// Each ICD-10-CM chapter letter's share of the tail: our estimate of how often
/// Medicare claims code a diagnosis of the chapter beyond the common ones (circulatory,
/// musculoskeletal, symptoms and status codes most). External causes (V-Y) are coded
/// apart from the tail.
const CHAPTER_WEIGHTS: [(char, u32); 18] = [
    ('A', 1),
    ('B', 1),
    ('C', 4),
    ('D', 3),
    ('E', 8),
    ('F', 4),
    ('G', 5),
    ('H', 5),
    ('I', 14),
    ('J', 6),
    ('K', 6),
    ('L', 4),
    ('M', 12),
    ('N', 6),
    ('R', 10),
    ('S', 4),
    ('T', 2),
    ('Z', 10),
];

impl DiagnosisTail {
    fn of(codes: impl Iterator<Item = &'static str>) -> DiagnosisTail {
        let mut by_chapter: Vec<(Vec<&'static str>, u32)> = CHAPTER_WEIGHTS
            .iter()
            .map(|&(_, weight)| (Vec::new(), weight))
            .collect();
        for code in codes {
            let chapter = CHAPTER_WEIGHTS
                .iter()
                .position(|&(letter, _)| code.starts_with(letter));
            if let Some(chapter) = chapter {
                by_chapter[chapter].0.push(code);
            }
        }
        DiagnosisTail {
            chapters: Weighted::new(
                by_chapter
                    .into_iter()
                    .filter(|(codes, _)| !codes.is_empty()),
            ),
        }
    }

    /// One code of the tail.
    pub fn sample(&self, rng: &mut Rng) -> &'static str {
        let chapter = self.chapters.sample(rng);
        rng.pick::<&'static str>(chapter)
    }

    /// Codes in the tail.
    pub fn len(&self) -> usize {
        self.chapters.items().iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Every table the generator draws from.
#[derive(Debug)]
pub struct Codes {
    /// The diagnoses Medicare claims carry most, weighted.
    pub diagnoses: Weighted<&'static str>,
    /// Every other diagnosis a claim may carry.
    pub diagnosis_tail: DiagnosisTail,
    /// Procedures a medical stay may have: every ICD-10-PCS code of the administration,
    /// measurement, extracorporeal assistance and imaging sections the codebook lists.
    pub medical_procedures: Vec<&'static str>,
    pub carrier_services: Weighted<CarrierService>,
    /// Every other office-priced service of the physician fee schedule.
    pub carrier_tail: Weighted<CarrierService>,
    pub dme_items: Weighted<DmeItem>,
    /// Every other priced item of the DMEPOS fee schedule.
    pub dme_tail: Weighted<DmeItem>,
    pub outpatient_services: Weighted<OutpatientService>,
    pub drgs: Weighted<Drg>,
    pub drugs: Weighted<Drug>,
    /// Every other commonly filled oral drug, weighted by its Part D claims.
    pub drug_tail: Weighted<Drug>,
    pub places_of_service: Vec<&'static str>,
    pub locations: Vec<Location>,
    pub female_names: Vec<&'static str>,
    pub male_names: Vec<&'static str>,
    pub surnames: Vec<&'static str>,
    /// BENE_RACE_CD mix of Medicare beneficiaries (approximate; see docs).
    pub races: Weighted<char>,
}

impl Codes {
    /// The DRG of code `code`, if the table lists it.
    pub fn drg(&self, code: &str) -> Option<&Drg> {
        self.drgs.items().iter().find(|drg| drg.code == code)
    }
}

/// The tables, parsed once on first use. The files are part of the build, so a parse
/// failure is a bug caught by the tests, not a runtime condition.
pub static CODES: LazyLock<Codes> = LazyLock::new(|| {
    let rows = |text: &'static str| parse_csv(text);
    Codes {
        diagnoses: Weighted::new(
            rows(include_str!("../data/icd10cm.csv")).map(|r| (r[0], weight(r[1]))),
        ),
        diagnosis_tail: DiagnosisTail::of(CODEBOOK.icd10cm.codes()),
        medical_procedures: CODEBOOK
            .icd10pcs
            .codes()
            .filter(|code| code.starts_with(['3', '4', '5', 'B']))
            .collect(),
        carrier_services: Weighted::new(rows(include_str!("../data/hcpcs_carrier.csv")).map(|r| {
            let service = CarrierService {
                code: r[0],
                place_of_service: r[2],
                allowed_cents: cents(r[3]),
                betos: r[5],
                type_of_service: r[6].chars().next().unwrap_or('1'),
                cost_sharing_waived: r[7] == "waived",
                ndc: optional(r[8]),
            };
            (service, weight(r[4]))
        })),
        carrier_tail: Weighted::new(rows(include_str!("../data/hcpcs_carrier_tail.csv")).map(
            |r| {
                let service = CarrierService {
                    code: r[0],
                    place_of_service: r[1],
                    allowed_cents: cents(r[2]),
                    betos: r[3],
                    type_of_service: r[4].chars().next().unwrap_or('1'),
                    cost_sharing_waived: false,
                    ndc: None,
                };
                let weight = price_weight(service.allowed_cents);
                (service, weight)
            },
        )),
        dme_items: Weighted::new(rows(include_str!("../data/hcpcs_dme.csv")).map(|r| {
            let item = DmeItem {
                code: r[0],
                allowed_cents: cents(r[2]),
                betos: r[4],
                rental: r[5] == "yes",
                ndc: optional(r[6]),
                per_unit: false,
            };
            (item, weight(r[3]))
        })),
        dme_tail: Weighted::new(rows(include_str!("../data/hcpcs_dme_tail.csv")).map(|r| {
            let item = DmeItem {
                code: r[0],
                allowed_cents: cents(r[1]),
                betos: r[2],
                rental: r[3] == "yes",
                ndc: None,
                per_unit: true,
            };
            let weight = price_weight(item.allowed_cents);
            (item, weight)
        })),
        outpatient_services: Weighted::new(rows(include_str!("../data/hcpcs_outpatient.csv")).map(
            |r| {
                let service = OutpatientService {
                    code: r[0],
                    revenue_center: r[1],
                    charge_cents: cents(r[3]),
                    status_indicator: r[5],
                    drug: optional(r[6]).map(|ndc| DrugProduct {
                        ndc,
                        package_units: r[7].parse().unwrap_or(1),
                    }),
                };
                (service, weight(r[4]))
            },
        )),
        drgs: Weighted::new(
            rows(include_str!("../data/drg.csv"))
                .enumerate()
                .map(|(i, r)| {
                    let drg = Drg {
                        code: r[0],
                        weight: r[2].parse().unwrap_or(1.0),
                        gmlos: r[3].parse().unwrap_or(4.0),
                        amlos: r[4].parse().unwrap_or(5.0),
                        surgical: r[5] == "SURG",
                        principal_dx: r[6],
                        procedures: r[7].split_whitespace().collect(),
                    };
                    // The file lists the most frequent DRGs first; frequency falls with position.
                    (drg, 60u32.saturating_sub(i as u32).max(5))
                }),
        ),
        drugs: Weighted::new(rows(include_str!("../data/ndc.csv")).map(|r| {
            let drug = Drug {
                ndc: r[0],
                brand_generic: r[3].chars().next().unwrap_or('G'),
                days_supply: r[4].parse().unwrap_or(30),
                quantity: r[5].parse().unwrap_or(30),
                cost_cents: cents(r[6]),
            };
            (drug, weight(r[7]))
        })),
        drug_tail: Weighted::new(rows(include_str!("../data/ndc_tail.csv")).map(|r| {
            // A 30-day fill of one tablet or capsule a day.
            const DAYS: i16 = 30;
            let per_unit: f64 = r[3].parse().unwrap_or(0.0);
            let drug = Drug {
                ndc: r[0],
                brand_generic: r[2].chars().next().unwrap_or('G'),
                days_supply: DAYS,
                quantity: i32::from(DAYS),
                cost_cents: (per_unit * f64::from(DAYS) * 100.0).round().max(1.0) as i64,
            };
            let claims: u32 = r[4].parse().unwrap_or(1_000);
            (drug, (claims / 1_000).max(1))
        })),
        places_of_service: rows(include_str!("../data/place_of_service.csv"))
            .map(|r| r[0])
            .collect(),
        locations: rows(include_str!("../data/locations.csv"))
            .map(|r| Location {
                state: r[0],
                ssa_state: r[1],
                ssa_county: r[2],
                zip5: r[4],
            })
            .collect(),
        female_names: names("female"),
        male_names: names("male"),
        surnames: names("surname"),
        races: Weighted::new([
            ('1', 780),
            ('2', 100),
            ('3', 20),
            ('4', 35),
            ('5', 50),
            ('6', 5),
            ('0', 10),
        ]),
    }
});

fn names(kind: &str) -> Vec<&'static str> {
    parse_csv(include_str!("../data/names.csv"))
        .filter(|r| r[0] == kind)
        .map(|r| r[1])
        .collect()
}

/// The weight of a long-tail item: cheaper services and items are billed more often, so
/// the weight falls with the price (1/(price + $10); our assumption, as per-code counts
/// are not at hand).
fn price_weight(allowed_cents: i64) -> u32 {
    (100_000 / (allowed_cents + 1_000)).max(1) as u32
}

fn weight(field: &str) -> u32 {
    field
        .trim()
        .parse::<f64>()
        .map(|w| w.round().max(1.0) as u32)
        .unwrap_or(1)
}

fn cents(field: &str) -> i64 {
    (field.trim().parse::<f64>().unwrap_or(0.0) * 100.0).round() as i64
}

/// An empty field as `None`.
fn optional(field: &'static str) -> Option<&'static str> {
    (!field.is_empty()).then_some(field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bcda_model::identifiers::is_valid_npi;

    #[test]
    fn every_table_parses_with_plausible_rows() {
        let codes = &*CODES;
        assert!(codes.diagnoses.items().len() >= 100);
        assert!(codes.diagnosis_tail.len() > 30_000);
        assert!(codes.medical_procedures.len() > 4_000);
        assert!(
            codes
                .diagnoses
                .items()
                .iter()
                .all(|c| c.len() >= 3 && !c.contains('.'))
        );
        assert!(
            codes
                .carrier_services
                .items()
                .iter()
                .all(|s| s.allowed_cents > 0 && s.place_of_service.len() == 2)
        );
        assert!(codes.dme_items.items().iter().all(|s| s.allowed_cents > 0));
        // Every BETOS category and type of service is one the codebook displays, and
        // drug codes, only they, name a product.
        let book = &*bcda_model::fhir::codebook::CODEBOOK;
        assert!(
            codes
                .diagnoses
                .items()
                .iter()
                .all(|c| book.icd10cm.contains(c))
        );
        for drg in codes.drgs.items() {
            assert_eq!(drg.surgical, !drg.procedures.is_empty(), "{}", drg.code);
            assert!(drg.procedures.iter().all(|c| book.icd10pcs.contains(c)));
        }
        assert!(codes.carrier_tail.items().len() > 6_000);
        assert!(codes.drug_tail.items().len() > 500);
        for drug in codes.drug_tail.items() {
            assert!(drug.ndc.len() == 11 && drug.ndc.bytes().all(|b| b.is_ascii_digit()));
            assert!(drug.cost_cents > 0 && matches!(drug.brand_generic, 'B' | 'G'));
        }
        for service in codes
            .carrier_services
            .items()
            .iter()
            .chain(codes.carrier_tail.items())
        {
            assert!(book.betos.contains(service.betos), "{}", service.code);
            let tos = service.type_of_service.to_string();
            assert!(book.type_of_service.contains(&tos), "{}", service.code);
            assert_eq!(service.ndc.is_some(), service.code.starts_with('J'));
        }
        assert!(codes.dme_tail.items().len() > 2_000);
        for item in codes.dme_items.items().iter().chain(codes.dme_tail.items()) {
            assert!(item.allowed_cents > 0, "{}", item.code);
            assert!(book.betos.contains(item.betos), "{}", item.code);
            assert_eq!(item.ndc.is_some(), item.code.starts_with('J'));
        }
        assert!(
            codes
                .outpatient_services
                .items()
                .iter()
                .all(|s| s.revenue_center.len() == 4)
        );
        assert!(
            codes
                .drgs
                .items()
                .iter()
                .all(|d| d.code.len() == 3 && d.weight > 0.0 && d.gmlos > 0.0)
        );
        assert!(
            codes
                .drugs
                .items()
                .iter()
                .all(|d| d.ndc.len() == 11 && d.ndc.bytes().all(|b| b.is_ascii_digit()))
        );
        assert!(
            codes
                .locations
                .iter()
                .all(|l| l.ssa_state.len() == 2 && l.ssa_county.len() == 3 && l.zip5.len() == 5)
        );
        assert!(
            codes.female_names.len() >= 20
                && codes.male_names.len() >= 20
                && codes.surnames.len() >= 40
        );
        assert!(!is_valid_npi("0000000000"));
    }
}
