-- /api/v3 (issue #22): jobs of the third API version, the ExplanationOfBenefit filter
-- each v3 job exports by (`_typeFilter` with BCDA's default added), the key of a job's
-- warnings-and-info file, and which ACOs have v3 access (all by default, as in BCDA's
-- sandbox; `bcda aco v3-access` turns it off).
ALTER TABLE jobs DROP CONSTRAINT jobs_api_version_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_api_version_check CHECK (api_version IN ('v1', 'v2', 'v3'));
ALTER TABLE jobs ADD COLUMN eob_filter text;

ALTER TABLE job_keys DROP CONSTRAINT job_keys_resource_type_check;
ALTER TABLE job_keys ADD CONSTRAINT job_keys_resource_type_check CHECK (
    resource_type IN ('ExplanationOfBenefit', 'Patient', 'Coverage', 'Claim', 'ClaimResponse',
                      'OperationOutcome')
);

ALTER TABLE acos ADD COLUMN v3_enabled boolean NOT NULL DEFAULT true;
