//! The Blue Button codebook: the display texts BFD gives CCW codes, worded as BFD words
//! them (`data/codebook/`, where each table comes from is in its README). A code is
//! looked up exactly, as BFD looks it up, so a code the codebook does not list is
//! rendered without a display.

use std::sync::LazyLock;

use crate::code_table::{CodeTable, rows};

/// Every table the renderers look codes up in.
#[derive(Debug)]
pub struct Codebook {
    pub betos: CodeTable,
    pub type_of_service: CodeTable,
    pub carrier_mtus: CodeTable,
    pub dme_mtus: CodeTable,
    pub processing: CodeTable,
    pub service_deductible: CodeTable,
    pub payment_80_100: CodeTable,
    pub reduced_payment: CodeTable,
    /// LINE_BENE_PRMRY_PYR_CD, worded differently from the claim's NCH_PRMRY_PYR_CD.
    pub line_primary_payer: CodeTable,
    pub claim_primary_payer: CodeTable,
    pub participating: CodeTable,
    pub supplier_type: CodeTable,
    pub place_of_service: CodeTable,
    /// PRVDR_STATE_CD: SSA state codes.
    pub provider_state: CodeTable,
    pub pricing_locality: CodeTable,
    /// PRVDR_SPCLTY: CMS provider specialty codes.
    pub specialty: CodeTable,
    pub claim_entry: CodeTable,
    pub hct_hgb_type: CodeTable,
    /// ICD-10-CM diagnoses and ICD-10-PCS procedures, described in capitals as BFD
    /// describes them (the codes the synthetic data uses).
    pub icd10cm: CodeTable,
    pub icd10pcs: CodeTable,
    /// CLM_PPS_IND_CD, CLM_HHA_LUPA_IND_CD and CLM_HHA_RFRL_CD of institutional claims.
    pub pps_indicator: CodeTable,
    pub hha_lupa: CodeTable,
    pub hha_referral: CodeTable,
    /// REV_CNTR (revenue center codes), REV_CNTR_STUS_IND_CD and
    /// REV_CNTR_DDCTBL_COINSRNC_CD of revenue-center lines.
    pub revenue_center: CodeTable,
    pub status_indicator: CodeTable,
    pub deductible_coinsurance: CodeTable,
    /// CLM_MDCR_NON_PMT_RSN_CD.
    pub non_payment_reason: CodeTable,
    /// CMS specialty code, NUCC taxonomy code and the taxonomy's display name.
    taxonomy: Vec<(&'static str, &'static str, &'static str)>,
}

impl Codebook {
    /// The NUCC taxonomy code and display BFD gives a clinician of CMS `specialty`.
    pub fn taxonomy(&self, specialty: &str) -> Option<(&'static str, &'static str)> {
        self.taxonomy
            .binary_search_by(|(listed, _, _)| (*listed).cmp(specialty))
            .ok()
            .map(|i| (self.taxonomy[i].1, self.taxonomy[i].2))
    }
}

macro_rules! table {
    ($file:literal) => {
        CodeTable::parse(include_str!(concat!("../../data/codebook/", $file)))
    };
}

/// The codebook, parsed once.
pub static CODEBOOK: LazyLock<Codebook> = LazyLock::new(|| {
    let mut taxonomy: Vec<_> = rows(include_str!("../../data/codebook/specialty_taxonomy.csv"))
        .map(|row| (row[0], row[1], row[2]))
        .collect();
    taxonomy.sort_unstable();
    Codebook {
        betos: table!("betos_cd.csv"),
        type_of_service: table!("line_cms_type_srvc_cd.csv"),
        carrier_mtus: table!("carr_line_mtus_cd.csv"),
        dme_mtus: table!("dmerc_line_mtus_cd.csv"),
        processing: table!("line_prcsg_ind_cd.csv"),
        service_deductible: table!("line_service_deductible.csv"),
        payment_80_100: table!("line_pmt_80_100_cd.csv"),
        reduced_payment: table!("carr_line_rdcd_pmt_phys_astn_c.csv"),
        line_primary_payer: table!("line_bene_prmry_pyr_cd.csv"),
        claim_primary_payer: table!("nch_prmry_pyr_cd.csv"),
        participating: table!("prtcptng_ind_cd.csv"),
        supplier_type: table!("dmerc_line_supplr_type_cd.csv"),
        place_of_service: table!("line_place_of_srvc_cd.csv"),
        provider_state: table!("prvdr_state_cd.csv"),
        pricing_locality: table!("carr_line_prcng_lclty_cd.csv"),
        specialty: table!("prvdr_spclty.csv"),
        claim_entry: table!("carr_clm_entry_cd.csv"),
        hct_hgb_type: table!("line_hct_hgb_type_cd.csv"),
        icd10cm: table!("icd10cm.csv"),
        icd10pcs: table!("icd10pcs.csv"),
        pps_indicator: table!("clm_pps_ind_cd.csv"),
        hha_lupa: table!("clm_hha_lupa_ind_cd.csv"),
        hha_referral: table!("clm_hha_rfrl_cd.csv"),
        revenue_center: table!("rev_cntr.csv"),
        status_indicator: table!("rev_cntr_stus_ind_cd.csv"),
        deductible_coinsurance: table!("rev_cntr_ddctbl_coinsrnc_cd.csv"),
        non_payment_reason: table!("clm_mdcr_non_pmt_rsn_cd.csv"),
        taxonomy,
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_parses_with_bfds_wording() {
        let book = &*CODEBOOK;
        // Pairs BFD's approved responses show (tests/bluebutton of bcda-synth).
        assert_eq!(book.betos.display("T2D"), Some("Other tests - other"));
        assert_eq!(book.type_of_service.display("1"), Some("Medical care"));
        assert_eq!(book.carrier_mtus.display("3"), Some("Services"));
        assert_eq!(book.dme_mtus.display("3"), Some("Number of services"));
        assert_eq!(book.processing.display("A"), Some("Allowed"));
        assert_eq!(
            book.service_deductible.display("0"),
            Some("Service Subject to Deductible")
        );
        assert_eq!(book.payment_80_100.display("0"), Some("80%"));
        assert_eq!(book.reduced_payment.display("0"), Some("N/A"));
        assert_eq!(
            book.line_primary_payer.display("E"),
            Some("Workers' compensation")
        );
        assert_eq!(book.participating.display("1"), Some("Participating"));
        assert_eq!(book.pricing_locality.display("15"), Some("CONNECTICUT"));
        assert_eq!(book.specialty.display("41"), Some("Optometrist"));
        assert_eq!(book.specialty.display("A5"), Some("Pharmacy (DMERC)"));
        assert_eq!(
            book.provider_state.display("99"),
            Some("With 000 county code is American Samoa; otherwise unknown")
        );
        assert!(
            book.place_of_service
                .display("11")
                .is_some_and(|d| d.starts_with("Office. Location, other than a hospital"))
        );
        assert!(book.claim_entry.display("1").is_some());
        assert_eq!(book.hct_hgb_type.display("R1"), Some("Hemoglobin Test"));
        assert_eq!(
            book.icd10cm.display("I10"),
            Some("ESSENTIAL (PRIMARY) HYPERTENSION")
        );
        assert!(book.icd10pcs.display("0SR90J9").is_some());
        assert_eq!(
            book.pps_indicator.display("2"),
            Some("PPS bill; claim contains PPS indicator")
        );
        assert_eq!(
            book.hha_lupa.display("L"),
            Some("Low utilization payment adjustment (LUPA) claim")
        );
        assert!(
            book.hha_referral
                .display("1")
                .is_some_and(|d| d.starts_with("Physician referral"))
        );
        assert!(
            book.revenue_center
                .display("0023")
                .is_some_and(|d| d.starts_with("Home Health services paid under PPS"))
        );
        assert_eq!(
            book.status_indicator.display("V"),
            Some("Medical visit to clinic or emergency department")
        );
        assert_eq!(
            book.deductible_coinsurance.display("0"),
            Some("Charges are subject to deductible and coinsurance")
        );
        assert_eq!(
            book.non_payment_reason.display("00"),
            Some("MSP cost avoided - COB Contractor")
        );
        // `#` is quoted in its CSV, where a bare one would start a comment.
        assert!(
            book.non_payment_reason
                .display("#")
                .is_some_and(|d| d.contains("Office of Personnel Management"))
        );
        assert!(book.supplier_type.len() == 9 && book.claim_primary_payer.len() == 12);
        assert_eq!(
            book.taxonomy("01"),
            Some(("208D00000X", "General Practice Physician"))
        );
        assert_eq!(book.taxonomy("zz"), None);
    }
}
