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

/// The FIPS state code (FIPS 5-2, as the Census Bureau publishes it) of each postal
/// abbreviation, for the states and DC.
const FIPS_STATES: [(&str, &str); 51] = [
    ("AL", "01"),
    ("AK", "02"),
    ("AZ", "04"),
    ("AR", "05"),
    ("CA", "06"),
    ("CO", "08"),
    ("CT", "09"),
    ("DE", "10"),
    ("DC", "11"),
    ("FL", "12"),
    ("GA", "13"),
    ("HI", "15"),
    ("ID", "16"),
    ("IL", "17"),
    ("IN", "18"),
    ("IA", "19"),
    ("KS", "20"),
    ("KY", "21"),
    ("LA", "22"),
    ("ME", "23"),
    ("MD", "24"),
    ("MA", "25"),
    ("MI", "26"),
    ("MN", "27"),
    ("MS", "28"),
    ("MO", "29"),
    ("MT", "30"),
    ("NE", "31"),
    ("NV", "32"),
    ("NH", "33"),
    ("NJ", "34"),
    ("NM", "35"),
    ("NY", "36"),
    ("NC", "37"),
    ("ND", "38"),
    ("OH", "39"),
    ("OK", "40"),
    ("OR", "41"),
    ("PA", "42"),
    ("RI", "44"),
    ("SC", "45"),
    ("SD", "46"),
    ("TN", "47"),
    ("TX", "48"),
    ("UT", "49"),
    ("VT", "50"),
    ("VA", "51"),
    ("WA", "53"),
    ("WV", "54"),
    ("WI", "55"),
    ("WY", "56"),
];

/// The FIPS state code of an SSA state code, e.g. `05` (California) -> `06`: the IDR
/// gives provider states in FIPS, the CCW in SSA codes.
pub fn fips_state(ssa_code: &str) -> Option<&'static str> {
    let usps = usps_state(ssa_code)?;
    FIPS_STATES
        .iter()
        .find(|(state, _)| *state == usps)
        .map(|(_, fips)| *fips)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssa_codes_map_to_fips_codes_by_way_of_the_state() {
        assert_eq!(fips_state("05"), Some("06"));
        assert_eq!(fips_state("45"), Some("48"));
        assert_eq!(fips_state("99"), None);
    }

    #[test]
    fn ssa_codes_map_to_postal_abbreviations() {
        assert_eq!(usps_state("05"), Some("CA"));
        assert_eq!(usps_state("10"), Some("FL"));
        assert_eq!(usps_state("33"), Some("NY"));
        assert_eq!(usps_state("45"), Some("TX"));
        assert_eq!(usps_state("99"), None);
    }
}
