-- What BFD's carrier and DME lines carry beyond the service and its amounts: the line's
-- BETOS category, type of service, what its units count, how it was processed, whether
-- the deductible applied and at what rate Medicare paid, the provider's participation
-- and state; for carrier lines the provider type, physician-assistant reduction, ZIP,
-- pricing locality and CLIA number; for DME lines the supplier, its type, the pricing
-- state, screening savings, purchase price and a primary payer's allowed amount (CCW
-- carrier and DME line variables of the same names). All NULL on institutional lines.
-- Lines loaded before have none; the next `bcda seed` or `bcda synth` generates them.
ALTER TABLE claim_lines
    ADD COLUMN betos_cd              text,
    ADD COLUMN type_srvc_cd          char(1),
    ADD COLUMN mtus_cd               char(1),
    ADD COLUMN prcsg_ind_cd          text,
    ADD COLUMN service_deductible_cd char(1),
    ADD COLUMN pmt_80_100_cd         char(1),
    ADD COLUMN prtcptng_ind_cd       char(1),
    ADD COLUMN prvdr_state_cd        char(2),
    ADD COLUMN prvdr_type_cd         char(1),
    ADD COLUMN rdcd_pmt_phys_astn_cd char(1),
    ADD COLUMN prvdr_zip             text,
    ADD COLUMN prcng_lclty_cd        char(2),
    ADD COLUMN clia_lab_num          text,
    ADD COLUMN suplrnum              text,
    ADD COLUMN supplr_type_cd        char(1),
    ADD COLUMN prcng_state_cd        char(2),
    ADD COLUMN scrn_svgs_cents       bigint,
    ADD COLUMN prchs_price_cents     bigint,
    ADD COLUMN prmry_alowd_cents     bigint;

DELETE FROM synthetic_datasets;
