-- The claims store behind exports: what BCDA's upstream (BFD, the CCW) holds about
-- beneficiaries, their enrollment and their fee-for-service claims, normalized.
-- Amounts are whole cents (integer), so loading needs no decimal encoding and sums are
-- exact; codes are stored as CMS files carry them (ICD-10 without the dot).
--
-- The high-volume tables (enrollment, claims, lines, Part D events) carry no foreign
-- keys: the loader writes tens of millions of rows with binary COPY, where a per-row
-- constraint trigger would double the time, and it deletes an ACO's rows by their key
-- ranges itself (see bcda-synth's ids module).

-- A Medicare beneficiary. Synthetic beneficiaries have negative `bene_id`s, as BFD's
-- synthetic data does, so they can never be mistaken for real ones.
CREATE TABLE beneficiaries (
    id            bigint      PRIMARY KEY,
    bene_id       bigint      NOT NULL UNIQUE,
    mbi           text        NOT NULL UNIQUE CHECK (mbi ~ '^[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9][0-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9][0-9][AC-HJKMNP-RT-Y]{2}[0-9]{2}$'),
    first_name    text        NOT NULL,
    middle_initial text,
    last_name     text        NOT NULL,
    -- BENE_SEX_IDENT_CD: 0 unknown, 1 male, 2 female.
    sex_cd        char(1)     NOT NULL CHECK (sex_cd IN ('0', '1', '2')),
    -- BENE_RACE_CD: 0 unknown, 1 white, 2 black, 3 other, 4 Asian, 5 Hispanic, 6 North American native.
    race_cd       char(1)     NOT NULL CHECK (race_cd IN ('0', '1', '2', '3', '4', '5', '6')),
    birth_date    date        NOT NULL,
    death_date    date,
    -- SSA state and county codes, and the ZIP+4.
    state_cd      char(2)     NOT NULL,
    county_cd     char(3)     NOT NULL,
    zip_cd        varchar(9)  NOT NULL,
    last_updated  timestamptz NOT NULL
);

-- Which beneficiaries each ACO has. A beneficiary who left has `ended_on` set; one ACO's
-- beneficiaries never overlap another's in synthetic data.
CREATE TABLE aco_beneficiaries (
    aco_id          uuid    NOT NULL REFERENCES acos (id) ON DELETE CASCADE,
    -- No foreign key: beneficiaries and attributions are loaded side by side.
    beneficiary_id  bigint  NOT NULL,
    attributed_on   date    NOT NULL,
    ended_on        date,
    PRIMARY KEY (aco_id, beneficiary_id)
);

-- Yearly entitlement facts (the CCW beneficiary summary file).
CREATE TABLE enrollment_years (
    beneficiary_id  bigint      NOT NULL,
    year            smallint    NOT NULL,
    -- Original and current reason for entitlement: 0 OASI (old age), 1 disability, 2 ESRD, 3 both.
    orec            char(1)     NOT NULL,
    crec            char(1)     NOT NULL,
    esrd_ind        char(1)     NOT NULL CHECK (esrd_ind IN ('Y', '0')),
    -- Medicare status: 10 aged, 11 aged with ESRD, 20 disabled, 21 disabled with ESRD, 31 ESRD only.
    ms_cd           char(2)     NOT NULL,
    -- Part A and B termination codes: 0 not terminated, 1 dead, 2 non-payment, 9 other.
    a_trm_cd        char(1)     NOT NULL,
    b_trm_cd        char(1)     NOT NULL,
    last_updated    timestamptz NOT NULL,
    PRIMARY KEY (beneficiary_id, year)
);

-- Monthly enrollment: Parts A/B (buy-in), C and D, and dual eligibility.
CREATE TABLE enrollment_months (
    beneficiary_id   bigint   NOT NULL,
    year             smallint NOT NULL,
    month            smallint NOT NULL CHECK (month BETWEEN 1 AND 12),
    -- Entitlement buy-in: 0 none, 1 A, 2 B, 3 A and B, A/B/C the same with state buy-in.
    buyin_cd         char(1)  NOT NULL,
    -- Part C (HMO) indicator: 0 not enrolled; 1, 2, 4, A, B, C enrolled kinds.
    hmo_ind          char(1)  NOT NULL,
    ptc_cntrct_id    char(5),
    ptc_pbp_id       char(3),
    ptc_plan_type_cd char(2),
    ptd_cntrct_id    char(5),
    ptd_pbp_id       char(3),
    ptd_sgmt_id      char(3),
    -- Part D cost-sharing group (low-income subsidy level): 00-08 and 09 (none).
    cst_shr_grp_cd   char(2),
    rds_ind          char(1)  NOT NULL,
    -- Dual status code: NA, 00 (not dual), 01-10.
    dual_stus_cd     char(2)  NOT NULL,
    PRIMARY KEY (beneficiary_id, year, month)
);

-- One fee-for-service claim of any of the seven Parts A/B kinds. Columns a kind does not
-- use stay NULL (institutional facts on professional claims and the reverse).
CREATE TABLE claims (
    clm_id                bigint      PRIMARY KEY,
    beneficiary_id        bigint      NOT NULL,
    claim_type            text        NOT NULL CHECK (
        claim_type IN ('carrier', 'dme', 'hha', 'hospice', 'inpatient', 'outpatient', 'snf')
    ),
    -- NCH_CLM_TYPE_CD: 71/72 carrier, 81/82 DME, 10 HHA, 50 hospice, 60 inpatient, 40 outpatient, 20/30 SNF.
    nch_clm_type_cd       char(2)     NOT NULL,
    clm_grp_id            bigint      NOT NULL,
    from_date             date        NOT NULL,
    thru_date             date        NOT NULL,
    -- Carrier/DME claim control number or FI document control number.
    control_num           text        NOT NULL,
    -- Carrier or MAC number that processed the claim.
    contractor_num        char(5)     NOT NULL,
    billing_npi           char(10),
    attending_npi         char(10),
    operating_npi         char(10),
    -- CMS Certification Number of the institutional provider.
    provider_ccn          char(6),
    provider_state_cd     char(2),
    -- Type of bill: facility type, service classification, frequency (e.g. 1-1-1 = 111).
    fac_type_cd           char(1),
    srvc_clsfctn_cd       char(1),
    freq_cd               char(1),
    admission_date        date,
    discharge_date        date,
    admission_type_cd     char(1),
    admission_source_cd   char(1),
    discharge_status_cd   char(2),
    drg_cd                char(3),
    utilization_days      smallint,
    -- ICD-10-CM, principal first; procedures (ICD-10-PCS) with their dates.
    diagnosis_codes       text[]      NOT NULL,
    procedure_codes       text[]      NOT NULL DEFAULT '{}',
    procedure_dates       date[]      NOT NULL DEFAULT '{}',
    -- Payment, in cents.
    total_charge_cents    bigint      NOT NULL,
    allowed_cents         bigint      NOT NULL,
    paid_cents            bigint      NOT NULL,
    deductible_cents      bigint      NOT NULL,
    coinsurance_cents     bigint      NOT NULL,
    primary_payer_cents   bigint      NOT NULL,
    primary_payer_cd      char(1),
    bene_paid_cents       bigint      NOT NULL,
    provider_paid_cents   bigint      NOT NULL,
    payment_denial_cd     char(1),
    last_updated          timestamptz NOT NULL,
    CHECK (thru_date >= from_date),
    CHECK (cardinality(procedure_codes) = cardinality(procedure_dates))
);

CREATE INDEX claims_by_beneficiary ON claims (beneficiary_id, claim_type);

-- The lines of a claim: service lines of professional claims, revenue-center lines of
-- institutional ones.
CREATE TABLE claim_lines (
    clm_id                bigint    NOT NULL,
    line_num              smallint  NOT NULL,
    from_date             date      NOT NULL,
    thru_date             date      NOT NULL,
    hcpcs_cd              text,
    modifiers             text[]    NOT NULL DEFAULT '{}',
    -- Institutional revenue center code, e.g. 0450 emergency room.
    revenue_center_cd     char(4),
    place_of_service_cd   char(2),
    rendering_npi         char(10),
    provider_specialty_cd char(2),
    -- Line diagnosis (ICD-10-CM) and, for drugs, the NDC.
    diagnosis_cd          text,
    ndc_cd                char(11),
    units                 integer   NOT NULL,
    submitted_cents       bigint    NOT NULL,
    allowed_cents         bigint    NOT NULL,
    paid_cents            bigint    NOT NULL,
    deductible_cents      bigint    NOT NULL,
    coinsurance_cents     bigint    NOT NULL,
    primary_payer_cents   bigint    NOT NULL,
    PRIMARY KEY (clm_id, line_num)
);

-- Part D prescription drug events: one fill each.
CREATE TABLE pde_events (
    pde_id                bigint      PRIMARY KEY,
    beneficiary_id        bigint      NOT NULL,
    clm_grp_id            bigint      NOT NULL,
    service_date          date        NOT NULL,
    paid_date             date        NOT NULL,
    prescriber_npi        char(10)    NOT NULL,
    pharmacy_npi          char(10)    NOT NULL,
    ndc_cd                char(11)    NOT NULL,
    quantity_dispensed    integer     NOT NULL,
    days_supply           smallint    NOT NULL,
    fill_num              smallint    NOT NULL,
    brand_generic_cd      char(1)     NOT NULL,
    daw_cd                char(1)     NOT NULL,
    drug_coverage_cd      char(1)     NOT NULL,
    plan_contract_id      char(5)     NOT NULL,
    plan_pbp_id           char(3)     NOT NULL,
    total_cost_cents      bigint      NOT NULL,
    patient_pay_cents     bigint      NOT NULL,
    plan_paid_cents       bigint      NOT NULL,
    lics_cents            bigint      NOT NULL,
    last_updated          timestamptz NOT NULL
);

CREATE INDEX pde_by_beneficiary ON pde_events (beneficiary_id);

-- Which synthetic data set each ACO holds, so `bcda seed` can skip an ACO whose data is
-- already the one it would generate.
CREATE TABLE synthetic_datasets (
    aco_id         uuid        PRIMARY KEY REFERENCES acos (id) ON DELETE CASCADE,
    seed           bigint      NOT NULL,
    beneficiaries  integer     NOT NULL,
    years          smallint    NOT NULL,
    as_of          date        NOT NULL,
    loaded_at      timestamptz NOT NULL DEFAULT now()
);
