-- The claim a replacement claim replaced (FI_ORIG_CLM_CNTL_NUM): the control number of
-- the earlier claim for the same services that this one, with type of bill frequency
-- `7`, superseded. NULL on an original claim. Claims loaded before have none until the
-- next `bcda seed` or `bcda synth`.
ALTER TABLE claims ADD COLUMN original_control_num text;

DELETE FROM synthetic_datasets;
