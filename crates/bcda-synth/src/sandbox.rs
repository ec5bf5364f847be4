//! The synthetic data of the sandbox ACOs.

use bcda_infra::DbPool;
use bcda_model::sandbox::{SANDBOX_ACOS, SandboxAco, Standing};
use time::Date;
use uuid::Uuid;

use crate::load::{self, LoadError, LoadReport};
use crate::{Synth, SynthSpec};

/// The seed of the sandbox data: fixed, so every installation serves the same claims.
pub const SANDBOX_SEED: u64 = 20_171_030;

/// Years of claims the sandbox ACOs get.
pub const SANDBOX_YEARS: u16 = 1;

/// The data set of sandbox ACO `cms_id` as of `as_of`.
pub fn spec(cms_id: &str, beneficiaries: u32, as_of: Date) -> SynthSpec {
    SynthSpec {
        cms_id: cms_id.to_owned(),
        beneficiaries: u64::from(beneficiaries),
        seed: SANDBOX_SEED,
        years: SANDBOX_YEARS,
        as_of,
    }
}

/// Loads each sandbox ACO's data (see [`seed_aco`]). The ACOs must exist (the auth seed
/// creates them). Returns what was loaded, per ACO.
pub async fn seed(
    db: &DbPool,
    as_of: Date,
) -> Result<Vec<(String, Option<LoadReport>)>, LoadError> {
    let mut reports = Vec::new();
    for aco in &SANDBOX_ACOS {
        reports.push((aco.cms_id.to_owned(), seed_aco(db, aco, as_of).await?));
    }
    Ok(reports)
}

/// Loads `aco`'s data as of [`data_as_of`] unless it already holds exactly that data
/// set; `None` when it did.
pub async fn seed_aco(
    db: &DbPool,
    aco: &SandboxAco,
    as_of: Date,
) -> Result<Option<LoadReport>, LoadError> {
    let synth = Synth::new(spec(aco.cms_id, aco.beneficiaries, data_as_of(aco, as_of)))
        .map_err(|_| LoadError::Generator)?;
    let aco_id = aco_id(db, aco.cms_id).await?;
    if load::is_loaded(db, aco_id, &synth).await? {
        return Ok(None);
    }
    Ok(Some(load::load(db, aco_id, &synth).await?))
}

/// The as-of date of `aco`'s data when the others' is `as_of`: a year earlier for the
/// stale-attribution ACO, whose newest attribution file is then of the last performance
/// year and its runout file long expired.
pub fn data_as_of(aco: &SandboxAco, as_of: Date) -> Date {
    match aco.standing {
        Standing::StaleAttribution => as_of
            .replace_year(as_of.year() - 1)
            .unwrap_or(as_of - time::Duration::days(365)),
        Standing::Current | Standing::Denied => as_of,
    }
}

/// The internal id of ACO `cms_id`, creating the ACO when it does not exist.
pub async fn aco_id(db: &DbPool, cms_id: &str) -> Result<Uuid, LoadError> {
    let client = db.get().await?;
    client
        .execute(
            "INSERT INTO acos (cms_id, name) VALUES ($1, $2) ON CONFLICT (cms_id) DO NOTHING",
            &[&cms_id, &format!("Synthetic ACO {cms_id}")],
        )
        .await?;
    let row = client
        .query_one("SELECT id FROM acos WHERE cms_id = $1", &[&cms_id])
        .await?;
    Ok(row.get(0))
}
