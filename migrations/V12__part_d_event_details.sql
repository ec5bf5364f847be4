-- What BFD's Part D events carry beyond the fill: the prescription's reference number,
-- compound, dispensing, adjustment, format, pricing-exception, catastrophic-coverage,
-- origin, residence and submission-clarification codes, and the amounts that split the
-- gross drug cost and the beneficiary's liability (CCW PDE variables of the same names).
-- Rows loaded before get neutral values; the next `bcda seed` or `bcda synth` generates
-- them.
ALTER TABLE pde_events
    ADD COLUMN rx_srvc_rfrnc_num   bigint  NOT NULL DEFAULT 0,
    ADD COLUMN cmpnd_cd            char(1) NOT NULL DEFAULT '0',
    ADD COLUMN dspnsng_stus_cd     char(1),
    ADD COLUMN adjstmt_dltn_cd     char(1),
    ADD COLUMN nstd_frmt_cd        char(1),
    ADD COLUMN prcng_excptn_cd     char(1),
    ADD COLUMN ctstrphc_cvrg_cd    char(1),
    ADD COLUMN rx_orgn_cd          char(1) NOT NULL DEFAULT '0',
    ADD COLUMN ptnt_rsdnc_cd       char(2) NOT NULL DEFAULT '00',
    ADD COLUMN submsn_clr_cd       char(2),
    ADD COLUMN gdc_blw_oopt_cents  bigint  NOT NULL DEFAULT 0,
    ADD COLUMN gdc_abv_oopt_cents  bigint  NOT NULL DEFAULT 0,
    ADD COLUMN othr_troop_cents    bigint  NOT NULL DEFAULT 0,
    ADD COLUMN plro_cents          bigint  NOT NULL DEFAULT 0,
    ADD COLUMN rptd_gap_dscnt_cents bigint NOT NULL DEFAULT 0;

DELETE FROM synthetic_datasets;
