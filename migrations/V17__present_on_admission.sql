-- Whether each diagnosis of an inpatient claim was present on admission (CLM_POA_IND_SW1
-- to 25, one character per diagnosis in the order of diagnosis_codes: Y, N, U, W or 1).
-- Claims loaded before report none until the next `bcda seed` or `bcda synth`.
ALTER TABLE claims ADD COLUMN poa_indicators text;

DELETE FROM synthetic_datasets;
