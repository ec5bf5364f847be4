//! Reads the partially adjudicated claims (FISS and MCS records) of a chunk of
//! beneficiaries, with their lines, for `Claim` and `ClaimResponse` exports.

use bcda_model::claims::{NdcQuantity, NdcUnit};
use bcda_model::shared_system::{
    LineAdjustment, SharedSystem, SharedSystemClaim, SharedSystemLine,
};
use time::Date;
use tokio_postgres::Row;

use bcda_model::export::UpdateWindow;

use crate::claims_repo::{attach_in_order, one_char, optional_char, query};
use crate::error::KeyError;

/// The claims of beneficiaries `ids` updated in `window` (full history for
/// `full_history`), ordered by beneficiary and key (bytewise, as Rust compares them when
/// the lines are attached). As BCDA does for these types, the window ends at the job's
/// creation (`window.until`), not at a runout's claims cut-off; a runout still bounds the
/// service dates, matching a claim whose from or through date falls in its year, as BFD's
/// `service-date` does.
pub async fn claims(
    client: &deadpool_postgres::Client,
    ids: &[i64],
    full_history: &[i64],
    window: UpdateWindow,
) -> Result<Vec<SharedSystemClaim>, KeyError> {
    let rows = query(
        client,
        "SELECT system, claim_key, beneficiary_id, control_num, status_cd, received_date, \
                status_date, from_date, thru_date, total_charge_cents, provider_npi, provider_number, \
                provider_type_cd, provider_specialty_cd, fac_type_cd, srvc_clsfctn_cd, freq_cd, \
                drg_cd, admission_type_cd, principal_diagnosis, admitting_diagnosis, diagnosis_codes, \
                poa_indicators, procedure_codes, procedure_dates, payers, mcs_claim_type, \
                final_clm_id, last_updated \
         FROM shared_system_claims WHERE beneficiary_id = ANY($1) \
           AND ($2::timestamptz IS NULL OR last_updated > $2 OR beneficiary_id = ANY($4)) \
           AND last_updated <= $3 \
           AND ($5::date IS NULL OR thru_date BETWEEN $5 AND $6 OR from_date BETWEEN $5 AND $6) \
         ORDER BY beneficiary_id, system COLLATE \"C\", claim_key COLLATE \"C\"",
        &[
            &ids,
            &window.since,
            &window.until,
            &full_history,
            &window.first_service_date(),
            &window.last_service_date(),
        ],
    )
    .await?;
    let mut claims = rows.iter().map(claim).collect::<Result<Vec<_>, _>>()?;
    if claims.is_empty() {
        return Ok(claims);
    }
    let lines = query(
        client,
        "SELECT beneficiary_id, system, claim_key, line_num, from_date, thru_date, \
                revenue_center_cd, hcpcs_cd, modifiers, units, charge_cents, diagnosis_cd, ndc_cd, \
                ndc_quantity, ndc_unit, adjustment_group_cd, adjustment_reason_cd, \
                adjustment_remark_cd \
         FROM shared_system_claim_lines WHERE beneficiary_id = ANY($1) \
         ORDER BY beneficiary_id, system COLLATE \"C\", claim_key COLLATE \"C\", line_num",
        &[&ids],
    )
    .await?;
    let lines = lines
        .iter()
        .map(|row| {
            let key = (
                row.get::<_, i64>(0),
                row.get::<_, String>(1),
                row.get::<_, String>(2),
            );
            line(row).map(|line| (key, line))
        })
        .collect::<Result<Vec<_>, _>>()?;
    attach_in_order(
        &mut claims,
        |c| {
            (
                c.beneficiary_id,
                c.system.as_str().to_owned(),
                c.claim_key.clone(),
            )
        },
        lines,
        |c, line| c.lines.push(line),
    );
    Ok(claims)
}

fn claim(row: &Row) -> Result<SharedSystemClaim, KeyError> {
    let system: &str = row.get(0);
    let claim_key: String = row.get(1);
    let codes: Vec<String> = row.get(21);
    let poa: &str = row.get(22);
    let procedure_codes: Vec<String> = row.get(23);
    let procedure_dates: Vec<Date> = row.get(24);
    Ok(SharedSystemClaim {
        system: SharedSystem::parse(system)
            .ok_or_else(|| KeyError::data(format!("claim {claim_key}: system {system:?}")))?,
        beneficiary_id: row.get(2),
        control_num: row.get(3),
        status_cd: one_char(row, 4)?,
        received_date: row.get(5),
        status_date: row.get(6),
        from_date: row.get(7),
        thru_date: row.get(8),
        total_charge_cents: row.get(9),
        provider_npi: row.get(10),
        provider_number: row.get(11),
        provider_type_cd: row.get(12),
        provider_specialty_cd: row.get(13),
        fac_type_cd: optional_char(row, 14)?,
        srvc_clsfctn_cd: optional_char(row, 15)?,
        freq_cd: optional_char(row, 16)?,
        drg_cd: row.get(17),
        admission_type_cd: optional_char(row, 18)?,
        principal_diagnosis: row.get(19),
        admitting_diagnosis: row.get(20),
        diagnoses: codes
            .into_iter()
            .zip(
                poa.chars()
                    .map(|c| (c != ' ').then_some(c))
                    .chain(std::iter::repeat(None)),
            )
            .collect(),
        procedures: procedure_codes.into_iter().zip(procedure_dates).collect(),
        payers: row.get(25),
        mcs_claim_type: optional_char(row, 26)?,
        final_clm_id: row.get(27),
        last_updated: row.get(28),
        lines: Vec::new(),
        claim_key,
    })
}

fn line(row: &Row) -> Result<SharedSystemLine, KeyError> {
    let ndc: Option<String> = row.get(12);
    let quantity: Option<i32> = row.get(13);
    let unit: Option<&str> = row.get(14);
    let ndc = match (ndc, quantity, unit) {
        (Some(ndc), Some(quantity), Some(unit)) => {
            let unit = NdcUnit::from_code(unit.trim())
                .ok_or_else(|| KeyError::data(format!("NDC unit {unit:?}")))?;
            Some((ndc, NdcQuantity { quantity, unit }))
        }
        _ => None,
    };
    let group: Option<String> = row.get(15);
    let reason: Option<String> = row.get(16);
    Ok(SharedSystemLine {
        line_num: row.get(3),
        from_date: row.get(4),
        thru_date: row.get(5),
        revenue_center_cd: row.get(6),
        hcpcs_cd: row.get(7),
        modifiers: row.get(8),
        units: row.get(9),
        charge_cents: row.get(10),
        diagnosis_cd: row.get(11),
        ndc,
        adjustment: group
            .zip(reason)
            .map(|(group_cd, reason_cd)| LineAdjustment {
                group_cd,
                reason_cd,
                remark_cd: row.get(17),
            }),
    })
}
