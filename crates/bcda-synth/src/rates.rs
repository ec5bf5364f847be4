//! The calibration of the generator: published Medicare fee-for-service utilization,
//! per beneficiary-year of fee-for-service enrollment. `docs/synthetic-data.md` lists
//! the sources with quotes and derivations; the comments name them briefly.
//!
//! Sources: CMS, "What's a MAC" (FY2020: 203M Part A and 909M Part B claims for 37.5M
//! FFS beneficiaries); MedPAC, January 2025 meeting (666M fee-schedule encounters,
//! 2023); MedPAC March 2017 data book (10M inpatient admissions, 200M outpatient visits,
//! 2015); MedPAC March 2024 (1.8M SNF stays, 2022); MedPAC December 2022 (26 home health
//! periods per 100 FFS beneficiaries, 2021); MedPAC December 2020 (1.6M hospice users,
//! 92.6-day average stay, 2019); CMS DMEPOS referring-provider fact sheet (100M DME
//! claims, 2013); CBO, "Prescription Drugs: Spending, Use, and Prices" (54 standardized
//! prescriptions per Part D enrollee, 2018); KFF (Part D 77%, disabled 18% of FFS, death
//! rate 4.0%, female 54%); CMS MMCO data brief (19% dual, 2019).

use bcda_model::claims::ClaimType;

/// Mean claims per fee-for-service beneficiary-year, and how many lines a claim has.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClaimRate {
    /// Claims per beneficiary-year of fee-for-service enrollment.
    pub per_year: f64,
    /// The share of fee-for-service beneficiaries with any claim of the kind in a year,
    /// where it is published: their claims then follow a hurdle on frailty
    /// ([`crate::utilization`]), else a Poisson draw around the mean.
    pub users: Option<f64>,
    /// Where the share of users comes from.
    pub users_source: &'static str,
    /// Mean lines per claim (at least one).
    pub lines_per_claim: f64,
}

/// The claim rates, one per claim kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rates {
    /// MedPAC: 666M encounters / ~34M FFS = 19.6; CMS MACs: 24 carrier + DME claims.
    /// Lines per claim are not published (up to 13 per claim): 2.3 is our estimate.
    /// Users: 85% of Part B enrollees had a Part B service (Green Book, FY1994
    /// projection), the only share found; without it every beneficiary had a claim.
    pub carrier: ClaimRate,
    /// CMS: 100M DMEPOS claims for ~37M FFS beneficiaries (2013) = 2.7. Lines: estimate.
    /// Users: 26.6% of FFS beneficiaries (CMS Geographic Variation PUF 2018, county rows
    /// weighted by FFS beneficiaries; the national row was not found), so about 10 claims
    /// per user (monthly rentals, supplies).
    pub dme: ClaimRate,
    /// CMS MACs: 5.4 institutional claims per FFS beneficiary, less inpatient, SNF, home
    /// health and hospice: about 4.3 outpatient claims. Revenue lines: estimate. Users:
    /// 65%, our estimate (no national share was found; a Poisson draw gave 93%).
    pub outpatient: ClaimRate,
    /// MedPAC: 10M admissions / 37.3M FFS beneficiaries = 0.27. Users: CMS Geographic
    /// Variation PUF, 2019 national: 16.3% of FFS beneficiaries had a stay, 261.5 covered
    /// stays per 1,000 (1.6 per user).
    pub inpatient: ClaimRate,
    /// MedPAC: 1.8M stays / ~34M = 0.053 stays; SNFs bill monthly, 1.6 claims per stay.
    pub snf: ClaimRate,
    /// MedPAC: 26 thirty-day periods per 100 FFS beneficiaries; one claim per period.
    /// Users: MedPAC, 8.6% of FFS beneficiaries use home health (about 3 periods each).
    pub hha: ClaimRate,
    /// MedPAC: 1.6M users of ~62M = 26 per 1,000, about 4 monthly claims each.
    pub hospice: ClaimRate,
    /// CBO: 54 standardized 30-day prescriptions per Part D enrollee; with 90-day fills
    /// counted once, about 42 fill records.
    pub pde: ClaimRate,
}

impl Rates {
    /// Each kind's rate.
    pub fn each(&self) -> [(ClaimType, ClaimRate); 8] {
        [
            (ClaimType::Carrier, self.carrier),
            (ClaimType::Dme, self.dme),
            (ClaimType::Outpatient, self.outpatient),
            (ClaimType::Inpatient, self.inpatient),
            (ClaimType::Snf, self.snf),
            (ClaimType::Hha, self.hha),
            (ClaimType::Hospice, self.hospice),
            (ClaimType::Pde, self.pde),
        ]
    }
}

/// What the generator aims for.
pub const RATES: Rates = Rates {
    carrier: ClaimRate {
        per_year: 20.0,
        users: Some(0.85),
        users_source: "1994 Ways and Means Green Book, section 5: 85% of Part B enrollees had a reimbursed Part B service (a projection for FY1994; no recent share found)",
        lines_per_claim: 2.3,
    },
    dme: ClaimRate {
        per_year: 2.7,
        users: Some(0.266),
        users_source: "CMS Geographic Variation PUF 2018: 26.6% (county rows weighted by FFS beneficiaries)",
        lines_per_claim: 1.6,
    },
    outpatient: ClaimRate {
        per_year: 4.3,
        users: Some(0.65),
        users_source: "our estimate: no national share of FFS beneficiaries with an outpatient hospital claim was found",
        lines_per_claim: 6.0,
    },
    inpatient: ClaimRate {
        per_year: 0.27,
        users: Some(0.163),
        users_source: "CMS Geographic Variation PUF, national 2019: 16.33% of FFS beneficiaries",
        lines_per_claim: 5.0,
    },
    snf: ClaimRate {
        per_year: 0.085,
        users: None,
        users_source: "",
        lines_per_claim: 2.6,
    },
    hha: ClaimRate {
        per_year: 0.26,
        users: Some(0.086),
        users_source: "MedPAC: 8.6% of FFS beneficiaries use home health",
        lines_per_claim: 2.9,
    },
    hospice: ClaimRate {
        per_year: 0.10,
        users: None,
        users_source: "",
        lines_per_claim: 1.5,
    },
    pde: ClaimRate {
        per_year: 42.0,
        users: None,
        users_source: "",
        lines_per_claim: 1.0,
    },
};

/// Population mix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Population {
    /// KFF: under-65 disabled beneficiaries are 18% of traditional Medicare.
    pub disabled_share: f64,
    /// About 1% of beneficiaries have ESRD (HCFR 2003; MCBS 2022 sample: 0.93%).
    pub esrd_share: f64,
    /// KFF: 54% female.
    pub female_share: f64,
    /// Deaths not already caused by the claims themselves. KFF: 4.0% of beneficiaries
    /// die each year; hospice users (about 2.5%) and in-hospital deaths (about 0.8%)
    /// account for most, so the remaining random rate is 1%.
    pub annual_death_rate: f64,
    /// CMS MMCO: 19% dual-eligible. Duals always have Part D (auto-enrolment).
    pub dual_share: f64,
    /// Chosen so that overall Part D enrolment is KFF's 77%: 0.19 + 0.81 * 0.716 = 0.77.
    pub part_d_share_non_dual: f64,
    /// Share of attributed beneficiaries who switch to Medicare Advantage during the
    /// period (our assumption): their later months have Part C and no FFS claims.
    pub joins_medicare_advantage: f64,
    /// Mean years above 65 of aged beneficiaries (exponential; our assumption).
    pub mean_years_over_65: f64,
}

pub const POPULATION: Population = Population {
    disabled_share: 0.18,
    esrd_share: 0.01,
    female_share: 0.54,
    annual_death_rate: 0.01,
    dual_share: 0.19,
    part_d_share_non_dual: 0.716,
    joins_medicare_advantage: 0.05,
    mean_years_over_65: 11.0,
};
