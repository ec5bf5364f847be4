-- What BFD's institutional claims carry beyond the bill (CCW inpatient, SNF, outpatient,
-- home health and hospice claim variables of the same meaning):
--
-- * every Part A facility claim: the professional component billed by the facility
--   (NCH_PROFNL_CMPNT_CHRG_AMT), the blood deductible (NCH_BENE_BLOOD_DDCTBL_LBLTY_AM),
--   the attending physician's CMS specialty (AT_PHYSN_SPCLTY_CD);
-- * a stay (inpatient, SNF): pints of blood furnished, non-covered charges, coinsurance,
--   non-utilization and lifetime reserve days, and for SNF the qualifying hospital stay,
--   a verified non-covered stay and the day benefits were exhausted;
-- * an inpatient stay: how its DRG payment was made up (capital PPS parts and DRG weight,
--   outlier, pass-through per diem, operating IME and DSH, uncompensated care);
-- * home health: the LUPA indicator, referral source and visit count; hospice: the
--   beneficiary's hospice period count.
--
-- NULL where the claim kind has no such variable. Claims loaded before have none until the
-- next `bcda seed` or `bcda synth` regenerates them.
ALTER TABLE claims
    ADD COLUMN attending_specialty_cd        text,
    ADD COLUMN professional_component_cents  bigint,
    ADD COLUMN blood_deductible_cents        bigint,
    ADD COLUMN blood_pints                   smallint,
    ADD COLUMN noncovered_charge_cents       bigint,
    ADD COLUMN coinsurance_days              smallint,
    ADD COLUMN non_utilization_days          smallint,
    ADD COLUMN lifetime_reserve_days         smallint,
    ADD COLUMN qualifying_stay_from          date,
    ADD COLUMN qualifying_stay_thru          date,
    ADD COLUMN noncovered_stay_from          date,
    ADD COLUMN noncovered_stay_thru          date,
    ADD COLUMN benefits_exhausted_date       date,
    ADD COLUMN drg_weight_ten_thousandths    integer,
    ADD COLUMN capital_fsp_cents             bigint,
    ADD COLUMN capital_ime_cents             bigint,
    ADD COLUMN capital_dsh_cents             bigint,
    ADD COLUMN capital_outlier_cents         bigint,
    ADD COLUMN capital_exception_cents       bigint,
    ADD COLUMN capital_hold_harmless_cents   bigint,
    ADD COLUMN drg_outlier_cents             bigint,
    ADD COLUMN pass_thru_per_diem_cents      bigint,
    ADD COLUMN operating_ime_cents           bigint,
    ADD COLUMN operating_dsh_cents           bigint,
    ADD COLUMN uncompensated_care_cents      bigint,
    ADD COLUMN hha_lupa_cd                   char(1),
    ADD COLUMN hha_referral_cd               char(1),
    ADD COLUMN hha_visit_count               smallint,
    ADD COLUMN hospice_period_count          smallint;

DELETE FROM synthetic_datasets;
