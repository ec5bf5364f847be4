//! The COPY of partially adjudicated claims (`shared_system_claims` and their lines), for
//! the ACOs whose model receives them.

use bcda_model::shared_system::{SharedSystemClaim, SharedSystemLine};
use tokio::sync::mpsc;
use tokio_postgres::types::Type;

use super::{LoadError, Row, Table, text};
use bcda_infra::DbPool;

const CLAIMS: Table = Table {
    copy: "COPY shared_system_claims (system, claim_key, beneficiary_id, control_num, status_cd, \
           received_date, status_date, from_date, thru_date, total_charge_cents, provider_npi, \
           provider_number, provider_type_cd, provider_specialty_cd, fac_type_cd, srvc_clsfctn_cd, \
           freq_cd, drg_cd, admission_type_cd, principal_diagnosis, admitting_diagnosis, \
           diagnosis_codes, poa_indicators, procedure_codes, procedure_dates, payers, mcs_claim_type, \
           final_clm_id, last_updated) FROM STDIN (FORMAT binary)",
    types: &[
        Type::TEXT,
        Type::TEXT,
        Type::INT8,
        Type::TEXT,
        Type::BPCHAR,
        Type::DATE,
        Type::DATE,
        Type::DATE,
        Type::DATE,
        Type::INT8,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::TEXT,
        Type::BPCHAR,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT_ARRAY,
        Type::TEXT,
        Type::TEXT_ARRAY,
        Type::DATE_ARRAY,
        Type::TEXT_ARRAY,
        Type::BPCHAR,
        Type::INT8,
        Type::TIMESTAMPTZ,
    ],
};

fn write_claim<'w>(c: &'w SharedSystemClaim, row: &mut Row<'w>) {
    let char_text = |c: Option<char>| c.map(text);
    row.push(Box::new(c.system.as_str()));
    row.push(Box::new(&c.claim_key));
    row.push(Box::new(c.beneficiary_id));
    row.push(Box::new(&c.control_num));
    row.push(Box::new(text(c.status_cd)));
    row.push(Box::new(c.received_date));
    row.push(Box::new(c.status_date));
    row.push(Box::new(c.from_date));
    row.push(Box::new(c.thru_date));
    row.push(Box::new(c.total_charge_cents));
    row.push(Box::new(&c.provider_npi));
    row.push(Box::new(&c.provider_number));
    row.push(Box::new(&c.provider_type_cd));
    row.push(Box::new(&c.provider_specialty_cd));
    row.push(Box::new(char_text(c.fac_type_cd)));
    row.push(Box::new(char_text(c.srvc_clsfctn_cd)));
    row.push(Box::new(char_text(c.freq_cd)));
    row.push(Box::new(&c.drg_cd));
    row.push(Box::new(char_text(c.admission_type_cd)));
    row.push(Box::new(&c.principal_diagnosis));
    row.push(Box::new(&c.admitting_diagnosis));
    row.push(Box::new(
        c.diagnoses
            .iter()
            .map(|(code, _)| code.as_str())
            .collect::<Vec<_>>(),
    ));
    row.push(Box::new(
        c.diagnoses
            .iter()
            .map(|(_, poa)| poa.unwrap_or(' '))
            .collect::<String>(),
    ));
    row.push(Box::new(
        c.procedures
            .iter()
            .map(|(code, _)| code.as_str())
            .collect::<Vec<_>>(),
    ));
    row.push(Box::new(
        c.procedures
            .iter()
            .map(|(_, date)| *date)
            .collect::<Vec<_>>(),
    ));
    row.push(Box::new(&c.payers));
    row.push(Box::new(char_text(c.mcs_claim_type)));
    row.push(Box::new(c.final_clm_id));
    row.push(Box::new(c.last_updated));
}

const LINES: Table = Table {
    copy: "COPY shared_system_claim_lines (system, claim_key, beneficiary_id, line_num, from_date, \
           thru_date, revenue_center_cd, hcpcs_cd, modifiers, units, charge_cents, diagnosis_cd, ndc_cd, \
           ndc_quantity, ndc_unit, adjustment_group_cd, adjustment_reason_cd, adjustment_remark_cd) \
           FROM STDIN (FORMAT binary)",
    types: &[
        Type::TEXT,
        Type::TEXT,
        Type::INT8,
        Type::INT2,
        Type::DATE,
        Type::DATE,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT_ARRAY,
        Type::INT4,
        Type::INT8,
        Type::TEXT,
        Type::TEXT,
        Type::INT4,
        Type::BPCHAR,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
    ],
};

fn write_line<'w>(entry: &'w (&SharedSystemClaim, &SharedSystemLine), row: &mut Row<'w>) {
    let (claim, line) = *entry;
    row.push(Box::new(claim.system.as_str()));
    row.push(Box::new(&claim.claim_key));
    row.push(Box::new(claim.beneficiary_id));
    row.push(Box::new(line.line_num));
    row.push(Box::new(line.from_date));
    row.push(Box::new(line.thru_date));
    row.push(Box::new(&line.revenue_center_cd));
    row.push(Box::new(&line.hcpcs_cd));
    row.push(Box::new(&line.modifiers));
    row.push(Box::new(line.units));
    row.push(Box::new(line.charge_cents));
    row.push(Box::new(&line.diagnosis_cd));
    row.push(Box::new(line.ndc.as_ref().map(|(ndc, _)| ndc.as_str())));
    row.push(Box::new(line.ndc.as_ref().map(|(_, given)| given.quantity)));
    row.push(Box::new(
        line.ndc.as_ref().map(|(_, given)| given.unit.code()),
    ));
    let adjustment = line.adjustment.as_ref();
    row.push(Box::new(adjustment.map(|a| a.group_cd.as_str())));
    row.push(Box::new(adjustment.map(|a| a.reason_cd.as_str())));
    row.push(Box::new(adjustment.and_then(|a| a.remark_cd.as_deref())));
}

/// Writes the claims and their lines as they arrive; returns the rows of each.
pub(super) async fn copy(
    db: &DbPool,
    rx: mpsc::Receiver<Vec<SharedSystemClaim>>,
) -> Result<(u64, u64), LoadError> {
    super::copy_with_lines(
        db,
        rx,
        (&CLAIMS, &LINES),
        write_claim,
        |c| &c.lines,
        write_line,
    )
    .await
}
