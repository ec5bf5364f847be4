-- Why Medicare paid nothing on an institutional claim (CLM_MDCR_NON_PMT_RSN_CD), e.g.
-- `00` another primary payer's coverage avoided the cost. NULL on a claim Medicare paid.
-- Claims loaded before have none until the next `bcda seed` or `bcda synth`.
ALTER TABLE claims ADD COLUMN non_payment_reason_cd text;

DELETE FROM synthetic_datasets;
