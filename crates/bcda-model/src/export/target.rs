//! What a kick-off names: `Patient/$export` or a group.

use super::ExportError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportTarget {
    Patient,
    Group(ExportGroup),
}

impl ExportTarget {
    /// The beneficiaries it covers: `Patient/$export` covers the `all` group's.
    pub fn group(self) -> ExportGroup {
        match self {
            ExportTarget::Patient => ExportGroup::All,
            ExportTarget::Group(group) => group,
        }
    }

    /// Whether, under `_since`, beneficiaries attributed since then get their full
    /// history (the others only changes): BCDA does so for `Group/all` alone.
    pub fn gives_new_beneficiaries_full_history(self) -> bool {
        self == ExportTarget::Group(ExportGroup::All)
    }
}

/// Which beneficiaries an export covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportGroup {
    /// `Patient/$export` and `Group/all/$export`: every attributed beneficiary.
    All,
    /// `Group/runout/$export`: last year's beneficiaries, for the run-out period.
    Runout,
}

impl ExportGroup {
    /// The group named in a `Group/{id}/$export` path.
    pub fn from_id(id: &str) -> Result<ExportGroup, ExportError> {
        match id {
            "all" => Ok(ExportGroup::All),
            "runout" => Ok(ExportGroup::Runout),
            _ => Err(ExportError::InvalidGroup),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_all_and_runout() {
        assert_eq!(ExportGroup::from_id("all"), Ok(ExportGroup::All));
        assert_eq!(ExportGroup::from_id("runout"), Ok(ExportGroup::Runout));
        assert_eq!(
            ExportGroup::from_id("A9994").unwrap_err().to_string(),
            "Invalid group ID"
        );
    }
}
