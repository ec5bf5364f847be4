//! SSA state codes, as CMS files carry them, and the postal abbreviations FHIR
//! addresses use.

/// SSA state codes 01-53 (alphabetical by state name, with DC, Puerto Rico and the
/// Virgin Islands in place) and their USPS abbreviations.
const SSA_STATES: [(&str, &str); 53] = [
    ("01", "AL"),
    ("02", "AK"),
    ("03", "AZ"),
    ("04", "AR"),
    ("05", "CA"),
    ("06", "CO"),
    ("07", "CT"),
    ("08", "DE"),
    ("09", "DC"),
    ("10", "FL"),
    ("11", "GA"),
    ("12", "HI"),
    ("13", "ID"),
    ("14", "IL"),
    ("15", "IN"),
    ("16", "IA"),
    ("17", "KS"),
    ("18", "KY"),
    ("19", "LA"),
    ("20", "ME"),
    ("21", "MD"),
    ("22", "MA"),
    ("23", "MI"),
    ("24", "MN"),
    ("25", "MS"),
    ("26", "MO"),
    ("27", "MT"),
    ("28", "NE"),
    ("29", "NV"),
    ("30", "NH"),
    ("31", "NJ"),
    ("32", "NM"),
    ("33", "NY"),
    ("34", "NC"),
    ("35", "ND"),
    ("36", "OH"),
    ("37", "OK"),
    ("38", "OR"),
    ("39", "PA"),
    ("40", "PR"),
    ("41", "RI"),
    ("42", "SC"),
    ("43", "SD"),
    ("44", "TN"),
    ("45", "TX"),
    ("46", "UT"),
    ("47", "VT"),
    ("48", "VI"),
    ("49", "VA"),
    ("50", "WA"),
    ("51", "WV"),
    ("52", "WI"),
    ("53", "WY"),
];

/// The USPS abbreviation of an SSA state code, e.g. `05` -> `CA`.
pub fn usps_state(ssa_code: &str) -> Option<&'static str> {
    SSA_STATES
        .iter()
        .find(|(ssa, _)| *ssa == ssa_code)
        .map(|(_, usps)| *usps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssa_codes_map_to_postal_abbreviations() {
        assert_eq!(usps_state("05"), Some("CA"));
        assert_eq!(usps_state("10"), Some("FL"));
        assert_eq!(usps_state("33"), Some("NY"));
        assert_eq!(usps_state("45"), Some("TX"));
        assert_eq!(usps_state("99"), None);
    }
}
