//! Creates the guide's five sandbox ACOs and their credentials, idempotently.

use bcda_infra::DbPool;
use bcda_model::sandbox::{SANDBOX_ACOS, Standing};

use crate::clients::{ClientStore, StoreError};

/// What seeding did, for the operator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub acos_created: usize,
    pub clients_created: usize,
}

/// Ensures every sandbox ACO and client exists. Existing rows are left untouched, so a
/// rotated or revoked sandbox client stays as the operator left it.
pub async fn seed_sandbox(db: &DbPool) -> Result<SeedReport, StoreError> {
    let store = ClientStore::new(db.clone());
    let mut report = SeedReport::default();
    for aco in SANDBOX_ACOS {
        if store.ensure_aco(aco.cms_id, aco.name).await? {
            report.acos_created += 1;
        }
        if store
            .ensure_client(aco.cms_id, aco.client_id, aco.client_secret)
            .await?
        {
            report.clients_created += 1;
        }
        if aco.standing == Standing::Denied {
            store.set_aco_denied(aco.cms_id, true).await?;
        }
    }
    Ok(report)
}
