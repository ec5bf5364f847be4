//! Display texts of the CCW codes Blue Button renders with a `display`, worded as BFD
//! words them. A code without a known text is rendered without a display.

/// BENE_RACE_CD.
pub fn race(code: char) -> Option<&'static str> {
    Some(match code {
        '0' => "Unknown",
        '1' => "White",
        '2' => "Black",
        '3' => "Other",
        '4' => "Asian",
        '5' => "Hispanic",
        '6' => "North American Native",
        _ => return None,
    })
}

/// Monthly dual status code (DUAL_01..12).
pub fn dual_status(code: &str) -> Option<&'static str> {
    Some(match code {
        "00" => "Not enrolled in Medicare for the month",
        "01" => "Qualified Medicare Beneficiary (QMB)-only",
        "02" => "QMB and full Medicaid coverage, including prescription drugs",
        "03" => "Specified Low-Income Medicare Beneficiary (SLMB)-only",
        "04" => "SLMB and full Medicaid coverage, including prescription drugs",
        "05" => "Qualified Disabled Working Individual (QDWI)",
        "06" => "Qualifying individuals (QI)",
        "08" => {
            "Other dual eligible (not QMB, SLMB, QWDI, or QI) with full Medicaid coverage, including prescription Drugs"
        }
        "09" => "Other dual eligible, but without full Medicaid coverage",
        "10" => "Unknown",
        "NA" => "Non-Medicaid",
        _ => return None,
    })
}

/// Monthly entitlement buy-in indicator (BUYIN01..12).
pub fn buyin(code: char) -> Option<&'static str> {
    Some(match code {
        '0' => "Not entitled",
        '1' => "Part A only",
        '2' => "Part B only",
        '3' => "Part A and Part B",
        'A' => "Part A state buy-in",
        'B' => "Part B state buy-in",
        'C' => "Part A and Part B state buy-in",
        _ => return None,
    })
}

/// Medicare status code (MS_CD).
pub fn medicare_status(code: &str) -> Option<&'static str> {
    Some(match code {
        "10" => "Aged without end-stage renal disease (ESRD)",
        "11" => "Aged with ESRD",
        "20" => "Disabled without ESRD",
        "21" => "Disabled with ESRD",
        "31" => "ESRD only",
        _ => return None,
    })
}

/// Original or current reason for entitlement (OREC, CREC).
pub fn entitlement_reason(code: char) -> Option<&'static str> {
    Some(match code {
        '0' => "Old age and survivor’s insurance (OASI)",
        '1' => "Disability insurance benefits (DIB)",
        '2' => "End-stage renal disease (ESRD)",
        '3' => "Both DIB and ESRD",
        _ => return None,
    })
}

/// Part A or B termination code (A_TRM_CD, B_TRM_CD).
pub fn termination(code: char) -> Option<&'static str> {
    Some(match code {
        '0' => "Not Terminated",
        '1' => "Dead",
        '2' => "Non-payment of premium",
        '3' => "Voluntary withdrawal",
        '9' => "Other Termination",
        _ => return None,
    })
}

/// Monthly Medicare Advantage (HMO) indicator (HMO_IND_01..12).
pub fn hmo_indicator(code: char) -> Option<&'static str> {
    Some(match code {
        '0' => "Not a member of an HMO",
        '1' => "Non-lock-in, CMS to process provider claims",
        '2' => {
            "Non-lock-in, group health organization (GHO) to process in plan Part A and in area Part B claims"
        }
        '4' => "Fee-for-service participant in case or disease management demonstration project",
        'A' => "Lock-in, CMS to process provider claims",
        'B' => "Lock-in, GHO to process in plan Part A and in area Part B claims",
        'C' => "Lock-in, GHO to process all provider claims",
        _ => return None,
    })
}

/// Monthly Part D cost-sharing group (CSTSHR01..12).
pub fn cost_sharing(code: &str) -> Option<&'static str> {
    Some(match code {
        "00" => "Not Medicare enrolled for the month",
        "01" => {
            "Beneficiary enrolled in Parts A and/or B, and Part D; deemed eligible for LIS with 100% premium subsidy and no copayment"
        }
        "02" => {
            "Beneficiary enrolled in Parts A and/or B, and Part D; deemed eligible for LIS with 100% premium subsidy and low copayment"
        }
        "03" => {
            "Beneficiary enrolled in Parts A and/or B, and Part D; deemed eligible for LIS with 100% premium subsidy and high copayment"
        }
        "09" => {
            "Beneficiary enrolled in Parts A and/or B, and Part D; no premium or cost sharing subsidy"
        }
        _ => return None,
    })
}

/// Monthly retiree drug subsidy indicator (RDSIND01..12).
pub fn retiree_drug_subsidy(code: char) -> Option<&'static str> {
    Some(match code {
        'Y' => "Employer subsidized for the retired beneficiary",
        'N' => "No employer subsidy",
        _ => return None,
    })
}

/// The Part D event codes BFD renders with a display, worded as BFD's approved
/// responses word them (`tests/bluebutton/` of bcda-synth); other codes of these
/// variables get no display.
pub fn part_d(variable: &str, code: &str) -> Option<&'static str> {
    Some(match (variable, code) {
        ("daw_prod_slctn_cd", "0") => {
            "No Product Selection Indicated (may also have missing values)"
        }
        ("dspnsng_stus_cd", "P") => "Partial fill",
        ("drug_cvrg_stus_cd", "C") => "Covered",
        ("adjstmt_dltn_cd", "A") => "Adjustment",
        ("nstd_frmt_cd", "X") => "X12 837",
        ("prcng_excptn_cd", "M") => "Medicare is a secondary payer (MSP)",
        ("ctstrphc_cvrg_cd", "C") => "Above attachment point",
        ("rx_orgn_cd", "3") => "Electronic",
        ("brnd_gnrc_cd", "G") => "Generic Null/missing",
        ("ptnt_rsdnc_cd", "02") => "Skilled Nursing Facility",
        ("submsn_clr_cd", "08") => "Process compound for approved ingredients",
        _ => return None,
    })
}
