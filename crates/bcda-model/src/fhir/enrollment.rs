//! The reference year Blue Button renders monthly enrollment for: the latest year of a
//! beneficiary's enrollment, month by month.

use super::datatypes::{Extension, Suffix};
use super::displays;
use crate::claims::EnrollmentMonth;

/// One calendar year of monthly enrollment; months without a row are `None`.
#[derive(Debug, Clone)]
pub struct ReferenceYear<'a> {
    pub year: i32,
    pub months: [Option<&'a EnrollmentMonth>; 12],
}

impl<'a> ReferenceYear<'a> {
    /// The latest year in `months`, if there is any enrollment.
    pub fn latest(months: &'a [EnrollmentMonth]) -> Option<ReferenceYear<'a>> {
        let year = months.iter().map(|m| m.year).max()?;
        let mut by_month = [None; 12];
        for m in months.iter().filter(|m| m.year == year) {
            if let Some(slot) = by_month.get_mut(usize::try_from(m.month - 1).unwrap_or(12)) {
                *slot = Some(m);
            }
        }
        Some(ReferenceYear {
            year: i32::from(year),
            months: by_month,
        })
    }

    /// Each month (1-12) with its row.
    pub fn each(&self) -> impl Iterator<Item = (u8, &'a EnrollmentMonth)> + '_ {
        self.months
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.map(|m| (i as u8 + 1, m)))
    }
}

impl<'a> ReferenceYear<'a> {
    /// The reference year and each month's dual status, the extensions Patient and every
    /// Coverage part start with.
    pub fn year_and_dual_status(&self) -> impl Iterator<Item = Extension<'a>> + '_ {
        let year = Extension::Year {
            url: "https://bluebutton.cms.gov/resources/variables/rfrnc_yr",
            year: self.year,
        };
        std::iter::once(year).chain(self.each().map(|(month, row)| Extension::Variable {
            name: "dual_",
            suffix: Suffix::Month(month),
            code: &row.dual_stus_cd,
            display: displays::dual_status(&row.dual_stus_cd),
        }))
    }
}
