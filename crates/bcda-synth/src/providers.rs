//! The provider network around each location: the same clinicians, hospitals,
//! suppliers and pharmacies appear on many beneficiaries' claims, as in a real market.

use crate::codes::CODES;
use crate::ids;
use crate::rng::Rng;

/// A hospital, SNF, home health agency or hospice: an organization NPI and a CCN.
#[derive(Debug, Clone)]
pub struct Facility {
    pub npi: String,
    pub ccn: String,
}

/// The providers serving one location.
#[derive(Debug, Clone)]
pub struct Network {
    /// Individual clinicians with their CMS specialty code.
    pub clinicians: Vec<(String, &'static str)>,
    /// Group practices that bill for the clinicians.
    pub groups: Vec<String>,
    pub hospitals: Vec<Facility>,
    pub snfs: Vec<Facility>,
    pub home_health: Vec<Facility>,
    pub hospices: Vec<Facility>,
    pub suppliers: Vec<String>,
    pub pharmacies: Vec<String>,
    /// The Medicare contractor (MAC) number of the location's jurisdiction.
    pub part_b_contractor: &'static str,
    pub part_a_contractor: &'static str,
    pub dme_contractor: &'static str,
}

/// CMS provider specialty codes of the clinicians, weighted towards primary care.
const SPECIALTIES: [&str; 12] = [
    "01", "08", "11", "11", "08", "06", "10", "13", "18", "20", "30", "38",
];
/// MAC numbers (Part B, Part A, DME jurisdictions) in use.
const CONTRACTORS: [(&str, &str, &str); 4] = [
    ("01112", "01111", "17013"),
    ("04412", "04411", "18003"),
    ("12502", "12501", "16013"),
    ("13102", "13101", "19003"),
];

/// The networks of every location, derived from the seed alone.
pub fn networks(seed: u64) -> Vec<Network> {
    CODES
        .locations
        .iter()
        .enumerate()
        .map(|(index, location)| {
            let mut rng = Rng::new(seed, (1 << 62) | index as u64);
            let facility = |rng: &mut Rng, kind: u32| Facility {
                npi: ids::npi(rng),
                // CCN: 2-digit state (SSA-based) + 4-digit facility number by kind range.
                ccn: format!("{}{:04}", location.ssa_state, kind + rng.below(900) as u32),
            };
            let (b, a, dme) = *rng.pick(&CONTRACTORS);
            Network {
                clinicians: (0..60)
                    .map(|_| (ids::npi(&mut rng), *rng.pick(&SPECIALTIES)))
                    .collect(),
                groups: (0..8).map(|_| ids::npi(&mut rng)).collect(),
                hospitals: (0..4).map(|_| facility(&mut rng, 1)).collect(),
                snfs: (0..4).map(|_| facility(&mut rng, 5000)).collect(),
                home_health: (0..3).map(|_| facility(&mut rng, 7000)).collect(),
                hospices: (0..2).map(|_| facility(&mut rng, 1500)).collect(),
                suppliers: (0..6).map(|_| ids::npi(&mut rng)).collect(),
                pharmacies: (0..12).map(|_| ids::npi(&mut rng)).collect(),
                part_b_contractor: b,
                part_a_contractor: a,
                dme_contractor: dme,
            }
        })
        .collect()
}
