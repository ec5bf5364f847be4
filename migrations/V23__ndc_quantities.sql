-- How much of a drug an institutional drug line gave: the quantity of the product named
-- by the line's NDC (REV_CNTR_NDC_QTY) and its unit (REV_CNTR_NDC_QTY_QLFR_CD: UN a
-- unit such as a vial, ML, GR, F2 international units, ME milligrams). NULL on lines
-- without an NDC and on carrier and DME lines. Lines loaded before have none until the
-- next `bcda seed` or `bcda synth`.
ALTER TABLE claim_lines
    ADD COLUMN ndc_qty         integer,
    ADD COLUMN ndc_qty_qlfr_cd char(2);

DELETE FROM synthetic_datasets;
