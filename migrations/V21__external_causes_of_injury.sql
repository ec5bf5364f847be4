-- The external causes of an injury stay (ICD_DGNS_E_CD1..12, ICD-10-CM chapter 20: how
-- and where the injury happened, e.g. W19XXXA an unspecified fall) and whether each was
-- present on admission (CLM_E_POA_IND_SW1..12, one character per code, in order; `1`
-- for a code exempt from reporting). Claims loaded before have none until the next
-- `bcda seed` or `bcda synth`.
ALTER TABLE claims
    ADD COLUMN external_cause_codes text[],
    ADD COLUMN external_cause_poa   text;

DELETE FROM synthetic_datasets;
