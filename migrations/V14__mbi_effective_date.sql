-- When the beneficiary's current MBI took effect (BFD's MBI identifier period): for most,
-- a day of the 2018-2019 transition from HICNs to MBIs; for those entitled since, their
-- entitlement. Rows loaded before have none (it is then not rendered); the next
-- `bcda seed` or `bcda synth` generates it.
ALTER TABLE beneficiaries ADD COLUMN mbi_effective_date date;

DELETE FROM synthetic_datasets;
