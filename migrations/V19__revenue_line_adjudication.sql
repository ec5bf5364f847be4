-- How an institutional revenue-center line was adjudicated (CCW revenue center variables
-- of the same meaning): the OPPS status indicator of an outpatient line
-- (REV_CNTR_STUS_IND_CD), whether its charges were subject to the deductible and
-- coinsurance (REV_CNTR_DDCTBL_COINSRNC_CD), and the first two ANSI claim adjustment
-- codes explaining why it was paid less than charged (REV_CNTR_1ST_ANSI_CD and
-- REV_CNTR_2ND_ANSI_CD, group and reason, e.g. CO45). NULL on carrier and DME lines;
-- lines loaded before have none until the next `bcda seed` or `bcda synth`.
ALTER TABLE claim_lines
    ADD COLUMN status_indicator_cd text,
    ADD COLUMN deductible_coinsurance_cd char(1),
    ADD COLUMN ansi_1st_cd text,
    ADD COLUMN ansi_2nd_cd text;

DELETE FROM synthetic_datasets;
