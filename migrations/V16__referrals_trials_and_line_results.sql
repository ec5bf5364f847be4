-- The physician who referred a carrier claim's beneficiary or ordered a DME claim's items
-- (RFR_PHYSN_NPI), a carrier claim's clinical trial number (CLM_CLNCL_TRIL_NUM), and a
-- carrier or DME line's hemoglobin or hematocrit result (LINE_HCT_HGB_TYPE_CD, R1 or R2,
-- and LINE_HCT_HGB_RSLT_NUM, kept in tenths). DME claims loaded before named their
-- ordering physician as attending (not rendered); they have no referral, trial or result
-- until the next `bcda seed` or `bcda synth` regenerates them.
ALTER TABLE claims
    ADD COLUMN referring_npi      char(10),
    ADD COLUMN clinical_trial_num text;

ALTER TABLE claim_lines
    ADD COLUMN hct_hgb_type_cd      char(2),
    ADD COLUMN hct_hgb_result_tenths smallint;

DELETE FROM synthetic_datasets;
