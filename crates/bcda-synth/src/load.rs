//! Streams a generated data set into Postgres with binary COPY.
//!
//! One thread generates beneficiaries in batches; one task per table owns a connection
//! and a `COPY ... FROM STDIN (FORMAT binary)` stream and writes that table's rows as they
//! arrive. Bounded channels between them keep memory flat whatever the ACO's size.
//! Loading replaces the ACO's earlier synthetic data: its rows are deleted first by the
//! key ranges its namespace owns.

use std::pin::Pin;
use std::time::{Duration, Instant};

use bcda_infra::DbPool;
use bcda_model::attribution::AttributionKind;
use bcda_model::claims::{
    Claim, EnrollmentMonth, EnrollmentYear, FacilityDetails, PartBLine, PartBLineKind, PdeEvent,
};
use tokio::sync::mpsc;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use uuid::Uuid;

use crate::attribution::FileSpec;
use crate::{BeneficiaryRecord, GENERATOR_VERSION, Synth, ids, shared_system};

mod shared_system_rows;

/// Beneficiaries generated per batch handed to the table writers.
const BATCH: u64 = 256;
/// Batches in flight per table before generation waits.
const CHANNEL_DEPTH: usize = 4;

/// A failure to load.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("database unavailable: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("the generator stopped unexpectedly")]
    Generator,
}

/// What a load wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    pub beneficiaries: u64,
    /// Beneficiaries in the latest default attribution file.
    pub attributed: u64,
    /// Rows of every attribution file.
    pub attribution_members: u64,
    pub opt_outs: u64,
    pub enrollment_years: u64,
    pub enrollment_months: u64,
    pub claims: u64,
    pub claim_lines: u64,
    pub pde_events: u64,
    /// Partially adjudicated claims and their lines: loaded for the ACOs whose model
    /// receives them only.
    pub shared_system_claims: u64,
    pub shared_system_claim_lines: u64,
    pub elapsed: Duration,
}

impl LoadReport {
    /// Every row written.
    pub fn rows(&self) -> u64 {
        self.beneficiaries
            + self.attribution_members
            + self.opt_outs
            + self.enrollment_years
            + self.enrollment_months
            + self.claims
            + self.claim_lines
            + self.pde_events
            + self.shared_system_claims
            + self.shared_system_claim_lines
    }
}

/// Whether `aco_id` already holds exactly the data set `synth` would generate.
pub async fn is_loaded(db: &DbPool, aco_id: Uuid, synth: &Synth) -> Result<bool, LoadError> {
    let spec = synth.spec();
    let client = db.get().await?;
    let row = client
        .query_opt(
            "SELECT 1 FROM synthetic_datasets WHERE aco_id = $1 AND seed = $2 \
             AND beneficiaries = $3 AND years = $4 AND as_of = $5 AND generator_version = $6",
            &[
                &aco_id,
                &(spec.seed as i64),
                &(spec.beneficiaries as i32),
                &(spec.years as i16),
                &synth.period().as_of,
                &GENERATOR_VERSION,
            ],
        )
        .await?;
    Ok(row.is_some())
}

/// Generates `synth`'s data set and loads it for ACO `aco_id`, replacing earlier data.
pub async fn load(db: &DbPool, aco_id: Uuid, synth: &Synth) -> Result<LoadReport, LoadError> {
    let started = Instant::now();
    delete_existing(db, aco_id, synth.namespace()).await?;
    let files = record_files(db, aco_id, synth).await?;

    let (people_tx, people_rx) = mpsc::channel::<Vec<BeneficiaryRecord>>(CHANNEL_DEPTH);
    let (enrollment_tx, enrollment_rx) = mpsc::channel::<Enrollment>(CHANNEL_DEPTH);
    let (claims_tx, claims_rx) = mpsc::channel::<Vec<Claim>>(CHANNEL_DEPTH);
    let (events_tx, events_rx) = mpsc::channel::<Vec<PdeEvent>>(CHANNEL_DEPTH);

    let generator = {
        let synth = synth.clone();
        std::thread::spawn(move || -> bool {
            let total = synth.total();
            let mut start = 0;
            while start < total {
                let end = (start + BATCH).min(total);
                let mut records: Vec<BeneficiaryRecord> =
                    (start..end).map(|n| synth.beneficiary(n)).collect();
                let enrollment = (
                    records
                        .iter_mut()
                        .flat_map(|r| std::mem::take(&mut r.enrollment_years))
                        .collect(),
                    records
                        .iter_mut()
                        .flat_map(|r| std::mem::take(&mut r.enrollment_months))
                        .collect(),
                );
                let claims: Vec<Claim> = records
                    .iter_mut()
                    .flat_map(|r| std::mem::take(&mut r.claims))
                    .collect();
                let events: Vec<PdeEvent> = records
                    .iter_mut()
                    .flat_map(|r| std::mem::take(&mut r.events))
                    .collect();
                let sent = enrollment_tx.blocking_send(enrollment).is_ok()
                    && claims_tx.blocking_send(claims).is_ok()
                    && events_tx.blocking_send(events).is_ok()
                    && people_tx.blocking_send(records).is_ok();
                if !sent {
                    return false;
                }
                start = end;
            }
            true
        })
    };

    let ((people, attribution_members, opt_outs), enrollment, claims, events) = tokio::try_join!(
        copy_people(db, &files, people_rx),
        copy_enrollment(db, enrollment_rx),
        copy_claims(db, claims_rx),
        copy_events(db, events_rx),
    )?;
    if !generator.join().unwrap_or(false) {
        return Err(LoadError::Generator);
    }
    let pac = if bcda_model::aco_model::receives_partially_adjudicated(&synth.spec().cms_id) {
        copy_shared_system_claims(db, synth).await?
    } else {
        (0, 0)
    };
    record_dataset(db, aco_id, synth).await?;
    let client = db.get().await?;
    // Exports may read the files now that every member is in.
    client
        .execute(
            "UPDATE attribution_files SET imported = true WHERE aco_id = $1",
            &[&aco_id],
        )
        .await?;
    // Fresh planner statistics: without them Postgres guesses that a 25-beneficiary
    // lookup matches ~100,000 claims and plans parallel scans, which made exports
    // 7 times slower until autovacuum caught up. Vacuuming sets the new rows' hint bits
    // and the visibility map once, here, instead of leaving the first export to dirty
    // every page it reads (and Postgres to write them all back) while it runs.
    client
        .batch_execute(
            "VACUUM (ANALYZE) beneficiaries, attribution_members, opt_outs, enrollment_years, \
                     enrollment_months, claims, claim_lines, pde_events, shared_system_claims, \
                     shared_system_claim_lines",
        )
        .await?;
    let latest = files
        .iter()
        .rev()
        .find(|(file, _)| file.kind == AttributionKind::Default)
        .map(|(_, id)| *id);
    let attributed: i64 = client
        .query_one(
            "SELECT count(*) FROM attribution_members WHERE file_id = $1",
            &[&latest],
        )
        .await?
        .get(0);
    Ok(LoadReport {
        beneficiaries: people,
        attributed: attributed as u64,
        attribution_members,
        opt_outs,
        enrollment_years: enrollment.0,
        enrollment_months: enrollment.1,
        claims: claims.0,
        claim_lines: claims.1,
        pde_events: events,
        shared_system_claims: pac.0,
        shared_system_claim_lines: pac.1,
        elapsed: started.elapsed(),
    })
}

/// Writes the partially adjudicated claims of an ACO whose model receives them, in a
/// second pass of the generator (about a twentieth of the load's time): the first pass
/// already holds as many connections as the pool of a small process has.
async fn copy_shared_system_claims(db: &DbPool, synth: &Synth) -> Result<(u64, u64), LoadError> {
    let (tx, rx) = mpsc::channel(CHANNEL_DEPTH);
    let generator = {
        let synth = synth.clone();
        std::thread::spawn(move || -> bool {
            let total = synth.total();
            let mut start = 0;
            while start < total {
                let end = (start + BATCH).min(total);
                let as_of = synth.period().as_of;
                let records: Vec<_> = (start..end)
                    .map(|n| synth.beneficiary(n))
                    .flat_map(|record| {
                        shared_system::records_of(&record, as_of).collect::<Vec<_>>()
                    })
                    .collect();
                if tx.blocking_send(records).is_err() {
                    return false;
                }
                start = end;
            }
            true
        })
    };
    let rows = shared_system_rows::copy(db, rx).await?;
    if !generator.join().unwrap_or(false) {
        return Err(LoadError::Generator);
    }
    Ok(rows)
}

/// A batch of enrollment rows: yearly and monthly.
type Enrollment = (Vec<EnrollmentYear>, Vec<EnrollmentMonth>);

async fn delete_existing(db: &DbPool, aco_id: Uuid, namespace: u64) -> Result<(), LoadError> {
    let (lo, hi) = ids::beneficiary_key_range(namespace);
    let mut client = db.get().await?;
    let tx = client.transaction().await?;
    tx.execute(
        "DELETE FROM synthetic_datasets WHERE aco_id = $1",
        &[&aco_id],
    )
    .await?;
    tx.execute(
        "DELETE FROM attribution_files WHERE aco_id = $1",
        &[&aco_id],
    )
    .await?;
    tx.execute(
        "DELETE FROM opt_outs WHERE beneficiary_id BETWEEN $1 AND $2",
        &[&lo, &hi],
    )
    .await?;
    for table in [
        "claim_lines",
        "claims",
        "pde_events",
        "shared_system_claim_lines",
        "shared_system_claims",
        "enrollment_months",
        "enrollment_years",
    ] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE beneficiary_id BETWEEN $1 AND $2"),
            &[&lo, &hi],
        )
        .await?;
    }
    tx.execute(
        "DELETE FROM beneficiaries WHERE id BETWEEN $1 AND $2",
        &[&lo, &hi],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records the data set's attribution files, not yet imported (their members come with
/// the beneficiaries); returns each with its id, oldest first.
async fn record_files(
    db: &DbPool,
    aco_id: Uuid,
    synth: &Synth,
) -> Result<Vec<(FileSpec, i64)>, LoadError> {
    let client = db.get().await?;
    let mut files = Vec::new();
    for file in synth.attribution_files() {
        let id: i64 = client
            .query_one(
                "INSERT INTO attribution_files (aco_id, kind, performance_year, file_date, imported) \
                 VALUES ($1, $2, $3, $4, false) RETURNING id",
                &[
                    &aco_id,
                    &file.kind.as_str(),
                    &(file.performance_year as i16),
                    &file.timestamp(),
                ],
            )
            .await?
            .get(0);
        files.push((file, id));
    }
    Ok(files)
}

async fn record_dataset(db: &DbPool, aco_id: Uuid, synth: &Synth) -> Result<(), LoadError> {
    let spec = synth.spec();
    let client = db.get().await?;
    client
        .execute(
            "INSERT INTO synthetic_datasets \
             (aco_id, seed, beneficiaries, years, as_of, generator_version) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &aco_id,
                &(spec.seed as i64),
                &(spec.beneficiaries as i32),
                &(spec.years as i16),
                &synth.period().as_of,
                &GENERATOR_VERSION,
            ],
        )
        .await?;
    Ok(())
}

/// A COPY target: the statement and its column types.
struct Table {
    copy: &'static str,
    types: &'static [Type],
}

/// One open `COPY ... FROM STDIN (FORMAT binary)` stream on its own connection.
struct Sink {
    writer: Pin<Box<BinaryCopyInWriter>>,
    rows: u64,
    // The connection stays checked out for the life of the stream.
    _client: deadpool_postgres::Object,
}

impl Sink {
    async fn open(db: &DbPool, table: &Table) -> Result<Sink, LoadError> {
        let client = db.get().await?;
        let sink = client.copy_in(table.copy).await?;
        Ok(Sink {
            writer: Box::pin(BinaryCopyInWriter::new(sink, table.types)),
            rows: 0,
            _client: client,
        })
    }

    /// Writes the row `write` makes of `item`.
    async fn put<'w, T>(
        &mut self,
        item: &'w T,
        write: fn(&'w T, &mut Row<'w>),
    ) -> Result<(), LoadError> {
        let mut values: Row<'w> = Vec::with_capacity(40);
        write(item, &mut values);
        let refs: Vec<&(dyn ToSql + Sync)> = values
            .iter()
            .map(|v| v.as_ref() as &(dyn ToSql + Sync))
            .collect();
        self.writer.as_mut().write(&refs).await?;
        self.rows += 1;
        Ok(())
    }

    async fn finish(mut self) -> Result<u64, LoadError> {
        self.writer.as_mut().finish().await?;
        Ok(self.rows)
    }
}

/// Writes the beneficiaries, their places in the attribution `files` and their
/// opt-outs.
async fn copy_people(
    db: &DbPool,
    files: &[(FileSpec, i64)],
    mut rx: mpsc::Receiver<Vec<BeneficiaryRecord>>,
) -> Result<(u64, u64, u64), LoadError> {
    let mut people = Sink::open(db, &BENEFICIARIES).await?;
    let mut members = Sink::open(db, &MEMBERS).await?;
    let mut opt_outs = Sink::open(db, &OPT_OUTS).await?;
    while let Some(batch) = rx.recv().await {
        for record in &batch {
            people.put(&record.beneficiary, write_beneficiary).await?;
            let bene = record.attribution.beneficiary_id;
            for (file, id) in files {
                if file.lists(&record.attribution) {
                    members.put(&(*id, bene), write_pair).await?;
                }
            }
            if let Some(on) = record.opted_out_on {
                opt_outs.put(&(bene, on), write_opt_out).await?;
            }
        }
    }
    Ok((
        people.finish().await?,
        members.finish().await?,
        opt_outs.finish().await?,
    ))
}

async fn copy_enrollment(
    db: &DbPool,
    mut rx: mpsc::Receiver<Enrollment>,
) -> Result<(u64, u64), LoadError> {
    let mut years = Sink::open(db, &YEARS).await?;
    let mut months = Sink::open(db, &MONTHS).await?;
    while let Some((year_rows, month_rows)) = rx.recv().await {
        for row in &year_rows {
            years.put(row, write_year).await?;
        }
        for row in &month_rows {
            months.put(row, write_month).await?;
        }
    }
    Ok((years.finish().await?, months.finish().await?))
}

async fn copy_claims(db: &DbPool, rx: mpsc::Receiver<Vec<Claim>>) -> Result<(u64, u64), LoadError> {
    copy_with_lines(
        db,
        rx,
        (&CLAIMS, &LINES),
        write_claim,
        |c| &c.lines,
        write_line,
    )
    .await
}

/// Writes claims and each claim's lines as they arrive, each table on its own COPY
/// stream; returns the rows of each.
async fn copy_with_lines<C, L>(
    db: &DbPool,
    mut rx: mpsc::Receiver<Vec<C>>,
    (claim_table, line_table): (&Table, &Table),
    write_claim: for<'w> fn(&'w C, &mut Row<'w>),
    lines_of: fn(&C) -> &[L],
    write_line: for<'w, 'c, 'l> fn(&'w (&'c C, &'l L), &mut Row<'w>),
) -> Result<(u64, u64), LoadError> {
    let mut claims = Sink::open(db, claim_table).await?;
    let mut lines = Sink::open(db, line_table).await?;
    while let Some(batch) = rx.recv().await {
        for claim in &batch {
            claims.put(claim, write_claim).await?;
            for line in lines_of(claim) {
                lines.put(&(claim, line), write_line).await?;
            }
        }
    }
    Ok((claims.finish().await?, lines.finish().await?))
}

async fn copy_events(db: &DbPool, mut rx: mpsc::Receiver<Vec<PdeEvent>>) -> Result<u64, LoadError> {
    let mut events = Sink::open(db, &EVENTS).await?;
    while let Some(batch) = rx.recv().await {
        for event in &batch {
            events.put(event, write_event).await?;
        }
    }
    events.finish().await
}

type Row<'w> = Vec<Box<dyn ToSql + Sync + Send + 'w>>;

fn text(c: char) -> String {
    c.to_string()
}

const BENEFICIARIES: Table = Table {
    copy: "COPY beneficiaries (id, bene_id, mbi, first_name, middle_initial, last_name, sex_cd, \
           race_cd, birth_date, death_date, state_cd, county_cd, zip_cd, last_updated, \
           mbi_effective_date) FROM STDIN (FORMAT binary)",
    types: &[
        Type::INT8,
        Type::INT8,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::DATE,
        Type::DATE,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::VARCHAR,
        Type::TIMESTAMPTZ,
        Type::DATE,
    ],
};

fn write_beneficiary<'w>(b: &'w bcda_model::claims::Beneficiary, row: &mut Row<'w>) {
    row.push(Box::new(b.id));
    row.push(Box::new(b.bene_id));
    row.push(Box::new(&b.mbi));
    row.push(Box::new(&b.first_name));
    row.push(Box::new(b.middle_initial.map(text)));
    row.push(Box::new(&b.last_name));
    row.push(Box::new(text(b.sex_cd)));
    row.push(Box::new(text(b.race_cd)));
    row.push(Box::new(b.birth_date));
    row.push(Box::new(b.death_date));
    row.push(Box::new(&b.state_cd));
    row.push(Box::new(&b.county_cd));
    row.push(Box::new(&b.zip_cd));
    row.push(Box::new(b.last_updated));
    row.push(Box::new(b.mbi_effective_date));
}

const MEMBERS: Table = Table {
    copy: "COPY attribution_members (file_id, beneficiary_id) FROM STDIN (FORMAT binary)",
    types: &[Type::INT8, Type::INT8],
};

fn write_pair<'w>(pair: &'w (i64, i64), row: &mut Row<'w>) {
    row.push(Box::new(pair.0));
    row.push(Box::new(pair.1));
}

const OPT_OUTS: Table = Table {
    copy: "COPY opt_outs (beneficiary_id, effective_date) FROM STDIN (FORMAT binary)",
    types: &[Type::INT8, Type::DATE],
};

fn write_opt_out<'w>(opt_out: &'w (i64, time::Date), row: &mut Row<'w>) {
    row.push(Box::new(opt_out.0));
    row.push(Box::new(opt_out.1));
}

const YEARS: Table = Table {
    copy: "COPY enrollment_years (beneficiary_id, year, orec, crec, esrd_ind, ms_cd, a_trm_cd, b_trm_cd, \
           last_updated) FROM STDIN (FORMAT binary)",
    types: &[
        Type::INT8,
        Type::INT2,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::TIMESTAMPTZ,
    ],
};

fn write_year<'w>(y: &'w EnrollmentYear, row: &mut Row<'w>) {
    row.push(Box::new(y.beneficiary_id));
    row.push(Box::new(y.year));
    row.push(Box::new(text(y.orec)));
    row.push(Box::new(text(y.crec)));
    row.push(Box::new(text(y.esrd_ind)));
    row.push(Box::new(y.ms_cd));
    row.push(Box::new(text(y.a_trm_cd)));
    row.push(Box::new(text(y.b_trm_cd)));
    row.push(Box::new(y.last_updated));
}

const MONTHS: Table = Table {
    copy: "COPY enrollment_months (beneficiary_id, year, month, buyin_cd, hmo_ind, ptc_cntrct_id, ptc_pbp_id, \
           ptc_plan_type_cd, ptd_cntrct_id, ptd_pbp_id, ptd_sgmt_id, cst_shr_grp_cd, rds_ind, dual_stus_cd) \
           FROM STDIN (FORMAT binary)",
    types: &[
        Type::INT8,
        Type::INT2,
        Type::INT2,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
    ],
};

fn write_month<'w>(m: &'w EnrollmentMonth, row: &mut Row<'w>) {
    row.push(Box::new(m.beneficiary_id));
    row.push(Box::new(m.year));
    row.push(Box::new(m.month));
    row.push(Box::new(text(m.buyin_cd)));
    row.push(Box::new(text(m.hmo_ind)));
    row.push(Box::new(&m.ptc_cntrct_id));
    row.push(Box::new(&m.ptc_pbp_id));
    row.push(Box::new(&m.ptc_plan_type_cd));
    row.push(Box::new(&m.ptd_cntrct_id));
    row.push(Box::new(&m.ptd_pbp_id));
    row.push(Box::new(&m.ptd_sgmt_id));
    row.push(Box::new(&m.cst_shr_grp_cd));
    row.push(Box::new(text(m.rds_ind)));
    row.push(Box::new(&m.dual_stus_cd));
}

const CLAIMS: Table = Table {
    copy: "COPY claims (clm_id, beneficiary_id, claim_type, nch_clm_type_cd, clm_grp_id, from_date, thru_date, \
           control_num, contractor_num, billing_npi, attending_npi, operating_npi, provider_ccn, provider_state_cd, \
           fac_type_cd, srvc_clsfctn_cd, freq_cd, admission_date, discharge_date, admission_type_cd, \
           admission_source_cd, discharge_status_cd, drg_cd, utilization_days, diagnosis_codes, procedure_codes, \
           procedure_dates, total_charge_cents, allowed_cents, paid_cents, deductible_cents, coinsurance_cents, \
           primary_payer_cents, primary_payer_cd, bene_paid_cents, provider_paid_cents, payment_denial_cd, \
           last_updated, nch_wkly_proc_dt, referring_npi, clinical_trial_num, poa_indicators, \
           attending_specialty_cd, professional_component_cents, blood_deductible_cents, blood_pints, \
           noncovered_charge_cents, coinsurance_days, non_utilization_days, lifetime_reserve_days, \
           qualifying_stay_from, qualifying_stay_thru, noncovered_stay_from, noncovered_stay_thru, \
           benefits_exhausted_date, drg_weight_ten_thousandths, capital_fsp_cents, capital_ime_cents, \
           capital_dsh_cents, capital_outlier_cents, capital_exception_cents, capital_hold_harmless_cents, \
           drg_outlier_cents, pass_thru_per_diem_cents, operating_ime_cents, operating_dsh_cents, \
           uncompensated_care_cents, hha_lupa_cd, hha_referral_cd, hha_visit_count, hospice_period_count, \
           external_cause_codes, external_cause_poa, non_payment_reason_cd, original_control_num) \
           FROM STDIN (FORMAT binary)",
    types: &[
        Type::INT8,
        Type::INT8,
        Type::TEXT,
        Type::BPCHAR,
        Type::INT8,
        Type::DATE,
        Type::DATE,
        Type::TEXT,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::DATE,
        Type::DATE,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::INT2,
        Type::TEXT_ARRAY,
        Type::TEXT_ARRAY,
        Type::DATE_ARRAY,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::BPCHAR,
        Type::INT8,
        Type::INT8,
        Type::BPCHAR,
        Type::TIMESTAMPTZ,
        Type::DATE,
        Type::BPCHAR,
        Type::TEXT,
        Type::TEXT,
        // Institutional claim details.
        Type::TEXT,
        Type::INT8,
        Type::INT8,
        // A stay.
        Type::INT2,
        Type::INT8,
        Type::INT2,
        Type::INT2,
        Type::INT2,
        Type::DATE,
        Type::DATE,
        Type::DATE,
        Type::DATE,
        Type::DATE,
        // An inpatient stay's DRG payment.
        Type::INT4,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        // Home health, hospice.
        Type::BPCHAR,
        Type::BPCHAR,
        Type::INT2,
        Type::INT2,
        // External causes of injury.
        Type::TEXT_ARRAY,
        Type::TEXT,
        Type::TEXT,
        // The claim a replacement replaced.
        Type::TEXT,
    ],
};

fn write_claim<'w>(c: &'w Claim, row: &mut Row<'w>) {
    row.push(Box::new(c.clm_id));
    row.push(Box::new(c.beneficiary_id));
    row.push(Box::new(c.claim_type.as_str()));
    row.push(Box::new(c.nch_clm_type_cd));
    row.push(Box::new(c.clm_grp_id));
    row.push(Box::new(c.from_date));
    row.push(Box::new(c.thru_date));
    row.push(Box::new(&c.control_num));
    row.push(Box::new(&c.contractor_num));
    row.push(Box::new(&c.billing_npi));
    row.push(Box::new(&c.attending_npi));
    row.push(Box::new(&c.operating_npi));
    row.push(Box::new(&c.provider_ccn));
    row.push(Box::new(&c.provider_state_cd));
    row.push(Box::new(c.fac_type_cd.map(text)));
    row.push(Box::new(c.srvc_clsfctn_cd.map(text)));
    row.push(Box::new(c.freq_cd.map(text)));
    row.push(Box::new(c.admission_date));
    row.push(Box::new(c.discharge_date));
    row.push(Box::new(c.admission_type_cd.map(text)));
    row.push(Box::new(c.admission_source_cd.map(text)));
    row.push(Box::new(&c.discharge_status_cd));
    row.push(Box::new(&c.drg_cd));
    row.push(Box::new(c.utilization_days));
    row.push(Box::new(&c.diagnosis_codes));
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
    row.push(Box::new(c.total_charge_cents));
    row.push(Box::new(c.allowed_cents));
    row.push(Box::new(c.paid_cents));
    row.push(Box::new(c.deductible_cents));
    row.push(Box::new(c.coinsurance_cents));
    row.push(Box::new(c.primary_payer_cents));
    row.push(Box::new(c.primary_payer_cd.map(text)));
    row.push(Box::new(c.bene_paid_cents));
    row.push(Box::new(c.provider_paid_cents));
    row.push(Box::new(c.payment_denial_cd.map(text)));
    row.push(Box::new(c.last_updated));
    row.push(Box::new(c.weekly_processing_date));
    row.push(Box::new(&c.referring_npi));
    row.push(Box::new(&c.clinical_trial_num));
    row.push(Box::new(
        (!c.poa_indicators.is_empty()).then(|| c.poa_indicators.iter().collect::<String>()),
    ));
    row.push(Box::new(&c.attending_specialty_cd));
    write_facility(c.facility.as_ref(), row);
    let external = (!c.external_causes.is_empty()).then_some(&c.external_causes);
    row.push(Box::new(external.map(|causes| {
        causes
            .iter()
            .map(|(code, _)| code.as_str())
            .collect::<Vec<_>>()
    })));
    row.push(Box::new(external.map(|causes| {
        causes.iter().map(|(_, poa)| *poa).collect::<String>()
    })));
    row.push(Box::new(&c.non_payment_reason_cd));
    row.push(Box::new(&c.original_control_num));
}

/// The institutional claim columns: NULL where the claim has no such variable.
fn write_facility<'w>(facility: Option<&'w FacilityDetails>, row: &mut Row<'w>) {
    row.push(Box::new(facility.map(|f| f.professional_component_cents)));
    row.push(Box::new(facility.map(|f| f.blood_deductible_cents)));
    let stay = facility.and_then(|f| f.stay.as_ref());
    row.push(Box::new(stay.map(|s| s.blood_pints)));
    row.push(Box::new(stay.map(|s| s.noncovered_charge_cents)));
    row.push(Box::new(stay.map(|s| s.coinsurance_days)));
    row.push(Box::new(stay.map(|s| s.non_utilization_days)));
    row.push(Box::new(stay.map(|s| s.lifetime_reserve_days)));
    for period in [
        stay.and_then(|s| s.qualifying_stay),
        stay.and_then(|s| s.noncovered_stay),
    ] {
        row.push(Box::new(period.map(|(from, _)| from)));
        row.push(Box::new(period.map(|(_, thru)| thru)));
    }
    row.push(Box::new(stay.and_then(|s| s.benefits_exhausted)));
    let drg = stay.and_then(|s| s.drg_payment.as_ref());
    row.push(Box::new(drg.map(|d| d.drg_weight_ten_thousandths)));
    let amounts = drg.map(|d| {
        [
            d.capital_fsp_cents,
            d.capital_ime_cents,
            d.capital_dsh_cents,
            d.capital_outlier_cents,
            d.capital_exception_cents,
            d.capital_hold_harmless_cents,
            d.outlier_cents,
            d.pass_thru_per_diem_cents,
            d.operating_ime_cents,
            d.operating_dsh_cents,
            d.uncompensated_care_cents,
        ]
    });
    for i in 0..11 {
        row.push(Box::new(amounts.map(|a| a[i])));
    }
    let home_health = facility.and_then(|f| f.home_health.as_ref());
    row.push(Box::new(home_health.and_then(|h| h.lupa_cd).map(text)));
    row.push(Box::new(home_health.map(|h| text(h.referral_cd))));
    row.push(Box::new(home_health.map(|h| h.visit_count)));
    row.push(Box::new(facility.and_then(|f| f.hospice_period_count)));
}

const LINES: Table = Table {
    copy: "COPY claim_lines (beneficiary_id, clm_id, line_num, from_date, thru_date, hcpcs_cd, modifiers, revenue_center_cd, \
           place_of_service_cd, rendering_npi, provider_specialty_cd, diagnosis_cd, ndc_cd, units, submitted_cents, \
           allowed_cents, paid_cents, deductible_cents, coinsurance_cents, primary_payer_cents, \
           betos_cd, type_srvc_cd, mtus_cd, prcsg_ind_cd, service_deductible_cd, pmt_80_100_cd, \
           prtcptng_ind_cd, prvdr_state_cd, prvdr_type_cd, rdcd_pmt_phys_astn_cd, prvdr_zip, \
           prcng_lclty_cd, clia_lab_num, suplrnum, supplr_type_cd, prcng_state_cd, scrn_svgs_cents, \
           prchs_price_cents, prmry_alowd_cents, hct_hgb_type_cd, hct_hgb_result_tenths, \
           status_indicator_cd, deductible_coinsurance_cd, ansi_1st_cd, ansi_2nd_cd, \
           ndc_qty, ndc_qty_qlfr_cd) \
           FROM STDIN (FORMAT binary)",
    types: &[
        Type::INT8,
        Type::INT8,
        Type::INT2,
        Type::DATE,
        Type::DATE,
        Type::TEXT,
        Type::TEXT_ARRAY,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::TEXT,
        Type::BPCHAR,
        Type::INT4,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        // Carrier and DME line variables.
        Type::TEXT,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::TEXT,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        // Carrier only.
        Type::BPCHAR,
        Type::BPCHAR,
        Type::TEXT,
        Type::BPCHAR,
        Type::TEXT,
        // DME only.
        Type::TEXT,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        // A hemoglobin or hematocrit result.
        Type::BPCHAR,
        Type::INT2,
        // How a revenue-center line was adjudicated.
        Type::TEXT,
        Type::BPCHAR,
        Type::TEXT,
        Type::TEXT,
        // How much of its drug an institutional line gave.
        Type::INT4,
        Type::BPCHAR,
    ],
};

fn write_line<'w>(entry: &'w (&Claim, &bcda_model::claims::ClaimLine), row: &mut Row<'w>) {
    let (claim, l) = entry;
    row.push(Box::new(claim.beneficiary_id));
    row.push(Box::new(claim.clm_id));
    row.push(Box::new(l.line_num));
    row.push(Box::new(l.from_date));
    row.push(Box::new(l.thru_date));
    row.push(Box::new(&l.hcpcs_cd));
    row.push(Box::new(&l.modifiers));
    row.push(Box::new(&l.revenue_center_cd));
    row.push(Box::new(&l.place_of_service_cd));
    row.push(Box::new(&l.rendering_npi));
    row.push(Box::new(&l.provider_specialty_cd));
    row.push(Box::new(&l.diagnosis_cd));
    row.push(Box::new(&l.ndc_cd));
    row.push(Box::new(l.units));
    row.push(Box::new(l.submitted_cents));
    row.push(Box::new(l.allowed_cents));
    row.push(Box::new(l.paid_cents));
    row.push(Box::new(l.deductible_cents));
    row.push(Box::new(l.coinsurance_cents));
    row.push(Box::new(l.primary_payer_cents));
    write_part_b(l.part_b.as_ref(), row);
    let revenue = l.revenue.as_ref();
    row.push(Box::new(
        revenue.and_then(|r| r.status_indicator_cd.as_deref()),
    ));
    row.push(Box::new(
        revenue.and_then(|r| r.deductible_coinsurance_cd).map(text),
    ));
    row.push(Box::new(revenue.and_then(|r| r.ansi_codes.first())));
    row.push(Box::new(revenue.and_then(|r| r.ansi_codes.get(1))));
    row.push(Box::new(l.ndc_quantity.map(|given| given.quantity)));
    row.push(Box::new(l.ndc_quantity.map(|given| given.unit.code())));
}

/// The carrier and DME line columns: NULL where the line is not of that kind.
fn write_part_b<'w>(part_b: Option<&'w PartBLine>, row: &mut Row<'w>) {
    row.push(Box::new(part_b.map(|p| &p.betos_cd)));
    row.push(Box::new(part_b.map(|p| text(p.type_of_service_cd))));
    row.push(Box::new(part_b.map(|p| text(p.mtus_cd))));
    row.push(Box::new(part_b.map(|p| &p.processing_cd)));
    row.push(Box::new(part_b.map(|p| text(p.deductible_cd))));
    row.push(Box::new(part_b.map(|p| text(p.payment_cd))));
    row.push(Box::new(part_b.map(|p| text(p.participating_cd))));
    row.push(Box::new(part_b.map(|p| &p.provider_state_cd)));
    let carrier = part_b.and_then(|p| match &p.kind {
        PartBLineKind::Carrier {
            provider_type_cd,
            reduced_payment_cd,
            provider_zip,
            pricing_locality_cd,
            clia_lab_num,
        } => Some((
            provider_type_cd,
            reduced_payment_cd,
            provider_zip,
            pricing_locality_cd,
            clia_lab_num,
        )),
        PartBLineKind::Dme { .. } => None,
    });
    row.push(Box::new(carrier.map(|c| text(*c.0))));
    row.push(Box::new(carrier.map(|c| text(*c.1))));
    row.push(Box::new(carrier.map(|c| c.2)));
    row.push(Box::new(carrier.map(|c| c.3)));
    row.push(Box::new(carrier.and_then(|c| c.4.as_ref())));
    let dme = part_b.and_then(|p| match &p.kind {
        PartBLineKind::Dme {
            supplier_num,
            supplier_type_cd,
            pricing_state_cd,
            screen_savings_cents,
            purchase_price_cents,
            primary_allowed_cents,
        } => Some((
            supplier_num,
            supplier_type_cd,
            pricing_state_cd,
            *screen_savings_cents,
            *purchase_price_cents,
            *primary_allowed_cents,
        )),
        PartBLineKind::Carrier { .. } => None,
    });
    row.push(Box::new(dme.map(|d| d.0)));
    row.push(Box::new(dme.map(|d| text(*d.1))));
    row.push(Box::new(dme.map(|d| d.2)));
    row.push(Box::new(dme.map(|d| d.3)));
    row.push(Box::new(dme.map(|d| d.4)));
    row.push(Box::new(dme.map(|d| d.5)));
    let result = part_b.and_then(|p| p.hct_hgb);
    row.push(Box::new(result.map(|r| r.test.code())));
    row.push(Box::new(result.map(|r| r.tenths)));
}

const EVENTS: Table = Table {
    copy: "COPY pde_events (pde_id, beneficiary_id, clm_grp_id, service_date, paid_date, prescriber_npi, \
           pharmacy_npi, ndc_cd, quantity_dispensed, days_supply, fill_num, brand_generic_cd, daw_cd, \
           drug_coverage_cd, plan_contract_id, plan_pbp_id, total_cost_cents, patient_pay_cents, plan_paid_cents, \
           lics_cents, last_updated, rx_srvc_rfrnc_num, cmpnd_cd, dspnsng_stus_cd, adjstmt_dltn_cd, \
           nstd_frmt_cd, prcng_excptn_cd, ctstrphc_cvrg_cd, rx_orgn_cd, ptnt_rsdnc_cd, submsn_clr_cd, \
           gdc_blw_oopt_cents, gdc_abv_oopt_cents, othr_troop_cents, plro_cents, rptd_gap_dscnt_cents, \
           prescriber_specialty_cd) \
           FROM STDIN (FORMAT binary)",
    types: &[
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::DATE,
        Type::DATE,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::INT4,
        Type::INT2,
        Type::INT2,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::TIMESTAMPTZ,
        Type::INT8,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::BPCHAR,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        Type::TEXT,
    ],
};

fn write_event<'w>(e: &'w PdeEvent, row: &mut Row<'w>) {
    row.push(Box::new(e.pde_id));
    row.push(Box::new(e.beneficiary_id));
    row.push(Box::new(e.clm_grp_id));
    row.push(Box::new(e.service_date));
    row.push(Box::new(e.paid_date));
    row.push(Box::new(&e.prescriber_npi));
    row.push(Box::new(&e.pharmacy_npi));
    row.push(Box::new(&e.ndc_cd));
    row.push(Box::new(e.quantity_dispensed));
    row.push(Box::new(e.days_supply));
    row.push(Box::new(e.fill_num));
    row.push(Box::new(text(e.brand_generic_cd)));
    row.push(Box::new(text(e.daw_cd)));
    row.push(Box::new(text(e.drug_coverage_cd)));
    row.push(Box::new(&e.plan_contract_id));
    row.push(Box::new(&e.plan_pbp_id));
    row.push(Box::new(e.total_cost_cents));
    row.push(Box::new(e.patient_pay_cents));
    row.push(Box::new(e.plan_paid_cents));
    row.push(Box::new(e.lics_cents));
    row.push(Box::new(e.last_updated));
    row.push(Box::new(e.rx_service_reference_num));
    row.push(Box::new(text(e.compound_cd)));
    row.push(Box::new(e.dispensing_status_cd.map(text)));
    row.push(Box::new(e.adjustment_deletion_cd.map(text)));
    row.push(Box::new(e.nonstandard_format_cd.map(text)));
    row.push(Box::new(e.pricing_exception_cd.map(text)));
    row.push(Box::new(e.catastrophic_coverage_cd.map(text)));
    row.push(Box::new(text(e.rx_origin_cd)));
    row.push(Box::new(&e.patient_residence_cd));
    row.push(Box::new(&e.submission_clarification_cd));
    row.push(Box::new(e.gdc_below_oopt_cents));
    row.push(Box::new(e.gdc_above_oopt_cents));
    row.push(Box::new(e.other_troop_cents));
    row.push(Box::new(e.plro_cents));
    row.push(Box::new(e.gap_discount_cents));
    row.push(Box::new(&e.prescriber_specialty_cd));
}
