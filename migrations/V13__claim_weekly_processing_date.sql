-- The week a claim was processed into the National Claims History (NCH_WKLY_PROC_DT),
-- which BFD renders as the claim's received date. Rows loaded before have none (it is
-- then not rendered); the next `bcda seed` or `bcda synth` generates it.
ALTER TABLE claims ADD COLUMN nch_wkly_proc_dt date;

DELETE FROM synthetic_datasets;
