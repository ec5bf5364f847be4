-- Partially adjudicated claims: a claim as the Medicare shared systems hold it while
-- they process it (FISS for institutional claims, MCS for carrier claims), days after
-- the service and weeks before its final action reaches the National Claims History.
-- BFD serves them as R4 `Claim` and `ClaimResponse` (ids `f-<key>`, `m-<key>`); BCDA
-- exports them on v2 to the ACO models entitled to them.

ALTER TABLE jobs DROP CONSTRAINT jobs_resource_types_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_resource_types_check CHECK (
    cardinality(resource_types) > 0
    AND resource_types <@ ARRAY['ExplanationOfBenefit', 'Patient', 'Coverage', 'Claim', 'ClaimResponse']
);
ALTER TABLE job_keys DROP CONSTRAINT job_keys_resource_type_check;
ALTER TABLE job_keys ADD CONSTRAINT job_keys_resource_type_check CHECK (
    resource_type IN ('ExplanationOfBenefit', 'Patient', 'Coverage', 'Claim', 'ClaimResponse')
);

-- One claim in FISS or MCS (BFD's rda.fiss_claims and rda.mcs_claims). Like the other
-- claims tables: no foreign keys, loaded with binary COPY, deleted by key ranges.
CREATE TABLE shared_system_claims (
    -- `fiss` or `mcs`, and the claim's key in it: FISS's RDA claim key (the DCN, then
    -- the intermediary number), MCS's ICN.
    system                text        NOT NULL CHECK (system IN ('fiss', 'mcs')),
    claim_key             text        NOT NULL CHECK (claim_key ~ '^[0-9A-Za-z]+$'),
    beneficiary_id        bigint      NOT NULL,
    -- FISS's DCN or MCS's ICN.
    control_num           text        NOT NULL,
    -- FISS CURR_STATUS or MCS IDR_STATUS_CODE.
    status_cd             char(1)     NOT NULL,
    received_date         date        NOT NULL,
    status_date           date        NOT NULL,
    from_date             date        NOT NULL,
    thru_date             date        NOT NULL,
    total_charge_cents    bigint      NOT NULL,
    provider_npi          text,
    -- FISS MEDA_PROV_6 (the CCN); MCS's billing provider type and specialty.
    provider_number       text,
    provider_type_cd      text,
    provider_specialty_cd text,
    -- FISS type of bill: facility type, service classification, frequency.
    fac_type_cd           char(1),
    srvc_clsfctn_cd       char(1),
    freq_cd               char(1),
    drg_cd                text,
    admission_type_cd     char(1),
    principal_diagnosis   text,
    admitting_diagnosis   text,
    -- Diagnoses in order, each with its present-on-admission indicator (' ' for none).
    diagnosis_codes       text[]      NOT NULL,
    poa_indicators        text        NOT NULL,
    procedure_codes       text[]      NOT NULL,
    procedure_dates       date[]      NOT NULL,
    payers                text[]      NOT NULL,
    mcs_claim_type        char(1),
    -- The NCH claim it became at its final action; none while in process.
    final_clm_id          bigint,
    last_updated          timestamptz NOT NULL,
    PRIMARY KEY (system, claim_key)
);

-- Exports read a batch of beneficiaries' claims updated in the job's window.
CREATE INDEX shared_system_claims_by_beneficiary
    ON shared_system_claims (beneficiary_id, last_updated);

-- A FISS revenue line or an MCS detail line.
CREATE TABLE shared_system_claim_lines (
    system               text     NOT NULL,
    claim_key            text     NOT NULL,
    beneficiary_id       bigint   NOT NULL,
    line_num             smallint NOT NULL,
    from_date            date     NOT NULL,
    thru_date            date     NOT NULL,
    revenue_center_cd    text,
    hcpcs_cd             text,
    modifiers            text[]   NOT NULL,
    units                integer  NOT NULL,
    charge_cents         bigint   NOT NULL,
    diagnosis_cd         text,
    ndc_cd               text,
    ndc_quantity         integer,
    ndc_unit             char(2),
    -- Claim adjustment group, reason and remark codes of a reduced FISS line.
    adjustment_group_cd  text,
    adjustment_reason_cd text,
    adjustment_remark_cd text,
    PRIMARY KEY (system, claim_key, line_num)
);

CREATE INDEX shared_system_claim_lines_by_beneficiary
    ON shared_system_claim_lines (beneficiary_id);
