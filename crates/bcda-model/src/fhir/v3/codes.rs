//! The codes that say what kind of claim a v3 ExplanationOfBenefit is: the IDR claim
//! type code (`CLM-TYPE-CD`), Blue Button's claim subtype (`EOB-TYPE`) and the CARIN
//! institutional subtype. The claim type list and its displays are BFD's
//! (`apps/bfd-server-ng/.../ClaimTypeCode.java`, CC0), spelling included.

/// The claim subtype (`https://bluebutton.cms.gov/fhir/CodeSystem/EOB-TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EobType {
    Carrier,
    Dme,
    Hha,
    Hospice,
    Inpatient,
    Outpatient,
    Pde,
    Snf,
}

impl EobType {
    pub(crate) fn code(self) -> &'static str {
        match self {
            EobType::Carrier => "CARRIER",
            EobType::Dme => "DME",
            EobType::Hha => "HHA",
            EobType::Hospice => "HOSPICE",
            EobType::Inpatient => "INPATIENT",
            EobType::Outpatient => "OUTPATIENT",
            EobType::Pde => "PDE",
            EobType::Snf => "SNF",
        }
    }

    pub(crate) fn display(self) -> &'static str {
        match self {
            EobType::Carrier => "Professional Physician/Supplier Claim",
            EobType::Dme => "Durable Medical Equipment Claim",
            EobType::Hha => "Home Health Services",
            EobType::Hospice => "Hospice Care",
            EobType::Inpatient => "Inpatient Hospital Care",
            EobType::Outpatient => "Outpatient Hospital Care",
            EobType::Pde => "Drug Plan Event",
            EobType::Snf => "Skilled Nursing Facility Care",
        }
    }

    /// HL7's claim type: who billed.
    pub(crate) fn claim_type(self) -> &'static str {
        match self {
            EobType::Carrier | EobType::Dme => "professional",
            EobType::Pde => "pharmacy",
            _ => "institutional",
        }
    }

    /// CARIN's institutional subtype: stays and periods of care are `inpatient`.
    pub(crate) fn institutional_subtype(self) -> Option<&'static str> {
        match self {
            EobType::Inpatient | EobType::Hha | EobType::Hospice | EobType::Snf => {
                Some("inpatient")
            }
            EobType::Outpatient => Some("outpatient"),
            _ => None,
        }
    }

    /// The CARIN profile the resource declares.
    pub(crate) fn profile(self) -> &'static str {
        match self.institutional_subtype() {
            Some("inpatient") => {
                "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Inpatient-Institutional|2.2.0"
            }
            Some(_) => {
                "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Outpatient-Institutional|2.2.0"
            }
            None if self == EobType::Pde => {
                "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Pharmacy|2.2.0"
            }
            None => {
                "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Professional-NonClinician|2.2.0"
            }
        }
    }

    /// The subtype of a shared-system claim of type code `code` (BFD's
    /// `CLAIM_TYPE_CODE_MAP`): what is not carrier, DME, home health, hospice, inpatient
    /// or SNF is outpatient.
    pub(crate) fn of_shared_system(code: u16) -> EobType {
        match code % 1000 {
            700 => EobType::Carrier,
            800 => EobType::Dme,
            32 | 33 | 39 | 42 | 66 | 92 => EobType::Hha,
            81 | 82 | 91 | 98 | 900 => EobType::Hospice,
            11 | 41 | 69 => EobType::Inpatient,
            18 | 21 => EobType::Snf,
            _ => EobType::Outpatient,
        }
    }
}

/// IDR claim type code `code` as it is written, with its display, if it is one.
pub(crate) fn claim_type(code: u16) -> Option<(&'static str, &'static str)> {
    CLAIM_TYPE_CODES
        .binary_search_by_key(&code, |(c, _, _)| *c)
        .ok()
        .map(|i| (CLAIM_TYPE_CODES[i].1, CLAIM_TYPE_CODES[i].2))
}

/// Every claim type code, ascending, as a number, as written, and with its display.
const CLAIM_TYPE_CODES: [(u16, &str, &str); 119] = [
    (1, "1", "MEDICARE PART D ORIGINAL CLAIM"),
    (2, "2", "MEDICARE PART D ADJUSTED CLAIM"),
    (3, "3", "MEDICARE PART D DELETED CLAIM"),
    (4, "4", "MEDICARE PART D RESUBMITTED CLAIM"),
    (10, "10", "MEDICARE HHA CLAIM"),
    (20, "20", "MEDICARE NON-SWING BED SNF CLAIM"),
    (30, "30", "MEDICARE SWING BED SNF CLAIM"),
    (40, "40", "MEDICARE OUTPATIENT CLAIM"),
    (50, "50", "MEDICARE HOSPICE CLAIM"),
    (60, "60", "MEDICARE INPATIENT CLAIM"),
    (61, "61", "MEDICARE INPATIENT FULL ENCOUNTER CLAIM"),
    (62, "62", "MEDICARE ADVANTAGE IME/GME CLAIMS"),
    (63, "63", "MEDICARE ADVANTAGE (NO-PAY) CLAIMS"),
    (64, "64", "MEDICARE ADVANTAGE (PAID AS FFS) CLAIMS"),
    (
        71,
        "71",
        "MEDICARE PART B PROFESSIONAL PHYSICIAN/SUPPLIER CLAIM (NON-DMEPOS)",
    ),
    (
        72,
        "72",
        "MEDICARE PART B PROFESSIONAL PHYSICIAN/SUPPLIER CLAIM (DMEPOS)",
    ),
    (
        81,
        "81",
        "MEDICARE PART B DME REGIONAL CARRIER (DMERC) CLAIM (NON-DMEPOS)",
    ),
    (
        82,
        "82",
        "MEDICARE PART B DME REGIONAL CARRIER (DMERC) CLAIM (DMEPOS)",
    ),
    (
        1000,
        "1000",
        "000X MEDICARE SS OTHER TYPE OF BILL GROUPS - PHASE 1",
    ),
    (
        1011,
        "1011",
        "011X MEDICARE SS HOSPITAL INPATIENT (PART A) - PHASE 1",
    ),
    (
        1012,
        "1012",
        "012X MEDICARE SS HOSPITAL INPATIENT (PART B) - PHASE 1",
    ),
    (
        1013,
        "1013",
        "013X MEDICARE SS HOSPITAL OUTPATIENT - PHASE 1",
    ),
    (
        1014,
        "1014",
        "014X MEDICARE SS HOSPITAL OTHER (PART B) - PHASE 1",
    ),
    (
        1018,
        "1018",
        "018X MEDICARE SS HOSPITAL SWING BED - PHASE 1",
    ),
    (
        1019,
        "1019",
        "019X MEDICARE SS - HOSPITAL RESERVED FOR NATIONAL ASSIGNMENT - PHASE 1",
    ),
    (
        1021,
        "1021",
        "021X MEDICARE SS SNF INPATIENT (PART A)- PHASE 1",
    ),
    (
        1022,
        "1022",
        "022X MEDICARE SS SNF INPATIENT (PART B) - PHASE 1",
    ),
    (1023, "1023", "023X MEDICARE SS SNF OUTPATIENT - PHASE 1"),
    (1028, "1028", "028X MEDICARE SS SNF SWING BED - PHASE 1"),
    (
        1029,
        "1029",
        "029X MEDICARE SS - SKILLED NURSING RESERVED FOR NATIONAL ASSIGNMENT- PHASE 1",
    ),
    (
        1032,
        "1032",
        "032X MEDICARE SS HOME HEALTH INPATIENT (PART B) - PHASE 1",
    ),
    (
        1033,
        "1033",
        "033X MEDICARE SS HOME HEALTH OUTPATIENT - PHASE 1",
    ),
    (
        1034,
        "1034",
        "034X MEDICARE SS HOME HEALTH (PART B ONLY) - PHASE 1",
    ),
    (
        1039,
        "1039",
        "039X MEDICARE SS HHA - RESERVED FOR NATIONAL ASSIGNMENT - PHASE 1",
    ),
    (
        1041,
        "1041",
        "041X MEDICARE SS RELIGIOUS NONMEDICAL HEALTH CARE INSTITUTIONS - PHASE 1",
    ),
    (
        1043,
        "1043",
        "043X MEDICARE SS RNHCI HOSPITAL-OUTPATIENT (HHA-A ALSO) - PHASE 1",
    ),
    (
        1049,
        "1049",
        "049X MEDICARE SS RNHCI HOSPITAL-RESERVED FOR NATIONAL ASSIGNMENT - PHASE 1",
    ),
    (
        1065,
        "1065",
        "065X MEDICARE SS INTERMEDIATE CARE - LEVEL I PHASE 1",
    ),
    (
        1066,
        "1066",
        "066X MEDICARE SS INTERMEDIATE CARE LEVEL II PHASE 1",
    ),
    (
        1069,
        "1069",
        "069X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT - PHASE 1",
    ),
    (
        1071,
        "1071",
        "071X MEDICARE SS CLINIC RHC RURAL HEALTH - PHASE 1",
    ),
    (
        1072,
        "1072",
        "072X MEDICARE SS CLINIC ESRD RENAL DIALYSIS - PHASE 1",
    ),
    (
        1073,
        "1073",
        "073X MEDICARE SS CLINIC FREESTANDING - PHASE 1",
    ),
    (
        1074,
        "1074",
        "074X MEDICARE SS CLINIC ORF OTHER REHAB - PHASE 1",
    ),
    (
        1075,
        "1075",
        "075X MEDICARE SS CLINIC CORF COMPREHENSIVE OUTPATIENT REHAB - PHASE 1",
    ),
    (
        1076,
        "1076",
        "076X MEDICARE SS CLINIC CMHC COMMUNITY MENTAL HEALTH CENTERS - PHASE 1",
    ),
    (
        1077,
        "1077",
        "077X MEDICARE SS CLINIC FQHC FEDERAL QUALIFIED HEALTH CENTER - PHASE 1",
    ),
    (1079, "1079", "079X MEDICARE SS CLINIC - OTHER - PHASE 1"),
    (
        1081,
        "1081",
        "081X MEDICARE SS HOSPICE NONHOSPITAL-BASED - PHASE 1",
    ),
    (
        1082,
        "1082",
        "082X MEDICARE SS HOSPICE HOSPITAL-BASED - PHASE 1",
    ),
    (
        1083,
        "1083",
        "083X MEDICARE SS ASC AMBULATORY SURGERY CENTER - PHASE 1",
    ),
    (
        1084,
        "1084",
        "084X MEDICARE SS SPECIAL FACILITY FREESTANDING BIRTHING CENTER - PHASE 1",
    ),
    (
        1085,
        "1085",
        "085X MEDICARE SS CAH CRITICAL ACCESS HOSPITAL - PHASE 1",
    ),
    (
        1086,
        "1086",
        "086X MEDICARE SS SPECIAL FACILITY RESIDENTIAL FACILITY _ PHASE 1",
    ),
    (
        1088,
        "1088",
        "088X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT - PHASE 1",
    ),
    (
        1089,
        "1089",
        "089X MEDICARE SS SPECIAL FACILITY OR ASC SURGERY-OTHER  PHASE 1",
    ),
    (
        1091,
        "1091",
        "091X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT - PHASE 1",
    ),
    (
        1092,
        "1092",
        "092X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT - PHASE 1",
    ),
    (
        1093,
        "1093",
        "093X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT - PHASE 1",
    ),
    (
        1094,
        "1094",
        "094X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT - PHASE 1",
    ),
    (
        1095,
        "1095",
        "095X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT - PHASE 1",
    ),
    (
        1096,
        "1096",
        "096X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT - PHASE 1",
    ),
    (
        1097,
        "1097",
        "097X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT - PHASE 1",
    ),
    (
        1098,
        "1098",
        "098X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT - PHASE 1",
    ),
    (
        1099,
        "1099",
        "099X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT - PHASE 1",
    ),
    (
        1700,
        "1700",
        "PROF MEDICARE SS PART B PROFESSIONAL - PHASE 1",
    ),
    (1800, "1800", "DME MEDICARE SS DME - PHASE 1"),
    (1900, "1900", "HOSPICE NOTICE OF ELECTION - PHASE 1"),
    (2000, "2000", "000X MEDICARE SS OTHER TYPE OF BILL GROUPS"),
    (2011, "2011", "011X MEDICARE SS HOSPITAL INPATIENT (PART A)"),
    (2012, "2012", "012X MEDICARE SS HOSPITAL INPATIENT (PART B)"),
    (2013, "2013", "013X MEDICARE SS HOSPITAL OUTPATIENT"),
    (2014, "2014", "014X MEDICARE SS HOSPITAL OTHER (PART B)"),
    (2018, "2018", "018X MEDICARE SS HOSPITAL SWING BED"),
    (
        2019,
        "2019",
        "019X MEDICARE SS - HOSPITAL RESERVED FOR NATIONAL ASSIGNMENT",
    ),
    (2021, "2021", "021X MEDICARE SS SNF INPATIENT"),
    (2022, "2022", "022X MEDICARE SS SNF INPATIENT"),
    (2023, "2023", "023X MEDICARE SS SNF OUTPATIENT"),
    (2028, "2028", "028X MEDICARE SS SNF SWING BED"),
    (
        2029,
        "2029",
        "029X MEDICARE SS - SKILLED NURSING RESERVED FOR NATIONAL ASSIGNMENT",
    ),
    (
        2032,
        "2032",
        "032X MEDICARE SS HOME HEALTH INPATIENT (PART B)",
    ),
    (2033, "2033", "033X MEDICARE SS HOME HEALTH OUTPATIENT"),
    (2034, "2034", "034X MEDICARE SS HOME HEALTH (PART B ONLY)"),
    (
        2039,
        "2039",
        "039X MEDICARE SS HHA - RESERVED FOR NATIONAL ASSIGNMENT",
    ),
    (
        2041,
        "2041",
        "041X MEDICARE SS RELIGIOUS NONMEDICAL HEALTH CARE INSTITUTIONS",
    ),
    (
        2042,
        "2042",
        "042X MEDICARE SS RNHCI HOSPITAL-INPATIENT OR HOME HEALTH VISITS (PART B ONLY)",
    ),
    (
        2043,
        "2043",
        "043X MEDICARE SS RNHCI HOSPITAL-OUTPATIENT (HHA-A ALSO)",
    ),
    (
        2049,
        "2049",
        "049X MEDICARE SS RNHCI HOSPITAL-RESERVED FOR NATIONAL ASSIGNMENT ",
    ),
    (2065, "2065", "065X MEDICARE SS INTERMEDIATE CARE - LEVEL I"),
    (2066, "2066", "066X MEDICARE SS INTERMEDIATE CARE LEVEL II"),
    (
        2069,
        "2069",
        "069X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT",
    ),
    (2071, "2071", "071X MEDICARE SS CLINIC RHC RURAL HEALTH"),
    (2072, "2072", "072X MEDICARE SS CLINIC ESRD RENAL DIALYSIS"),
    (2073, "2073", "073X MEDICARE SS CLINIC FREESTANDING"),
    (2074, "2074", "074X MEDICARE SS CLINIC ORF OTHER REHAB"),
    (
        2075,
        "2075",
        "075X MEDICARE SS CLINIC CORF COMPREHENSIVE OUTPATIENT REHAB",
    ),
    (
        2076,
        "2076",
        "076X MEDICARE SS CLINIC CMHC COMMUNITY MENTAL HEALTH CENTERS",
    ),
    (
        2077,
        "2077",
        "077X MEDICARE SS CLINIC FQHC FEDERAL QUALIFIED HEALTH CENTER",
    ),
    (2079, "2079", "079X MEDICARE SS CLINIC - OTHER"),
    (2081, "2081", "081X MEDICARE SS HOSPICE NONHOSPITAL-BASED"),
    (2082, "2082", "082X MEDICARE SS HOSPICE HOSPITAL-BASED"),
    (
        2083,
        "2083",
        "083X MEDICARE SS ASC AMBULATORY SURGERY CENTER",
    ),
    (
        2084,
        "2084",
        "084X MEDICARE SS SPECIAL FACILITY FREESTANDING BIRTHING CENTER",
    ),
    (
        2085,
        "2085",
        "085X MEDICARE SS CAH CRITICAL ACCESS HOSPITAL",
    ),
    (
        2086,
        "2086",
        "086X MEDICARE SS SPECIAL FACILITY RESIDENTIAL FACILITY",
    ),
    (
        2088,
        "2088",
        "088X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT",
    ),
    (
        2089,
        "2089",
        "089X MEDICARE SS SPECIAL FACILITY OR ASC SURGERY-OTHER",
    ),
    (
        2091,
        "2091",
        "091X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT",
    ),
    (
        2092,
        "2092",
        "092X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT",
    ),
    (
        2093,
        "2093",
        "093X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT",
    ),
    (
        2094,
        "2094",
        "094X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT",
    ),
    (
        2095,
        "2095",
        "095X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT",
    ),
    (
        2096,
        "2096",
        "096X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT",
    ),
    (
        2097,
        "2097",
        "097X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT",
    ),
    (
        2098,
        "2098",
        "098X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT",
    ),
    (
        2099,
        "2099",
        "099X MEDICARE SS RESERVED FOR NATIONAL ASSIGNMENT",
    ),
    (2700, "2700", "PROF MEDICARE SS PART B PROFESSIONAL"),
    (2800, "2800", "DME MEDICARE SS DME"),
    (2900, "2900", "HOSPICE NOTICE OF ELECTION"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_type_codes_are_sorted_for_lookup() {
        assert!(CLAIM_TYPE_CODES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(
            CLAIM_TYPE_CODES
                .iter()
                .all(|(n, written, _)| n.to_string() == *written)
        );
        assert_eq!(
            claim_type(1013),
            Some(("1013", "013X MEDICARE SS HOSPITAL OUTPATIENT - PHASE 1"))
        );
        assert_eq!(
            claim_type(2700),
            Some(("2700", "PROF MEDICARE SS PART B PROFESSIONAL"))
        );
        assert_eq!(claim_type(5), None);
    }

    #[test]
    fn shared_system_claims_take_the_subtype_of_their_bill() {
        assert_eq!(EobType::of_shared_system(1013), EobType::Outpatient);
        assert_eq!(EobType::of_shared_system(2011), EobType::Inpatient);
        assert_eq!(EobType::of_shared_system(2021), EobType::Snf);
        assert_eq!(EobType::of_shared_system(1033), EobType::Hha);
        assert_eq!(EobType::of_shared_system(2081), EobType::Hospice);
        assert_eq!(EobType::of_shared_system(2700), EobType::Carrier);
        assert_eq!(EobType::of_shared_system(1085), EobType::Outpatient);
    }
}
