-- Attribution as BCDA receives it: CCLF8 files, each listing the beneficiaries
-- attributed to one ACO as of the file's date, for one performance year. `default`
-- files carry the year's assignment (refreshed during the year); a `runout` file lists
-- the prior year's beneficiaries for the claims of its run-out months. Exports read the
-- newest file of the kind they need (bcda_model::attribution holds the rules).
CREATE TABLE attribution_files (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    aco_id            uuid        NOT NULL REFERENCES acos (id) ON DELETE CASCADE,
    kind              text        NOT NULL CHECK (kind IN ('default', 'runout')),
    performance_year  smallint    NOT NULL,
    -- The date the file carries (BCDA reads it from the file's name).
    file_date         timestamptz NOT NULL,
    ingested_at       timestamptz NOT NULL DEFAULT now(),
    -- False while its members are being loaded: exports and the status ignore it
    -- (BCDA: import_status).
    imported          boolean     NOT NULL DEFAULT true
);

CREATE INDEX attribution_files_newest
    ON attribution_files (aco_id, kind, performance_year DESC, file_date DESC, id DESC);

-- The beneficiaries of each file. No foreign key to beneficiaries: files and
-- beneficiaries are loaded side by side.
CREATE TABLE attribution_members (
    file_id         bigint NOT NULL REFERENCES attribution_files (id) ON DELETE CASCADE,
    beneficiary_id  bigint NOT NULL,
    PRIMARY KEY (file_id, beneficiary_id)
);

-- Beneficiaries who told 1-800-MEDICARE not to share their data (BCDA: suppressions).
-- The preference is the beneficiary's, so it applies to every ACO; from its effective
-- date an opted-out beneficiary appears in no export and no progress count.
CREATE TABLE opt_outs (
    beneficiary_id  bigint      PRIMARY KEY,
    effective_date  date        NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);

-- The files a job reads, fixed at kick-off: its attribution file, and for
-- `Group/all?_since` the baseline file whose beneficiaries get only their changes
-- (the others are newly attributed and get full history).
-- A reload of the ACO's data deletes its files: a job still running then finds no file
-- and its keys fail rather than export nothing (bcda-worker's keys_repo).
ALTER TABLE jobs
    ADD COLUMN attribution_file_id bigint REFERENCES attribution_files (id) ON DELETE SET NULL,
    ADD COLUMN since_baseline_file_id bigint REFERENCES attribution_files (id) ON DELETE SET NULL;

CREATE INDEX jobs_by_attribution_file ON jobs (attribution_file_id);
CREATE INDEX jobs_by_since_baseline_file ON jobs (since_baseline_file_id);

-- Existing attributions become one current default file per ACO, so data loaded
-- before this migration keeps exporting; jobs still running read it.
INSERT INTO attribution_files (aco_id, kind, performance_year, file_date)
SELECT DISTINCT aco_id, 'default', extract(year FROM now() AT TIME ZONE 'UTC')::smallint, now()
FROM aco_beneficiaries WHERE ended_on IS NULL;

-- The table is new: each ACO has exactly the one file inserted above.
INSERT INTO attribution_members (file_id, beneficiary_id)
SELECT f.id, a.beneficiary_id
FROM attribution_files f JOIN aco_beneficiaries a ON a.aco_id = f.aco_id
WHERE a.ended_on IS NULL;

UPDATE jobs j SET attribution_file_id = f.id
FROM attribution_files f WHERE f.aco_id = j.aco_id;

DROP TABLE aco_beneficiaries;

-- Synthetic data sets generated before files existed lack the runout and earlier
-- files: the next `bcda seed` or `bcda synth` generates them again.
DELETE FROM synthetic_datasets;
