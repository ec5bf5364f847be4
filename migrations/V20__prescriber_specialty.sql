-- The CMS specialty of a Part D event's prescriber (as the provider files give it),
-- which BFD renders as the prescriber's NUCC taxonomy. Events loaded before have none
-- until the next `bcda seed` or `bcda synth`.
ALTER TABLE pde_events ADD COLUMN prescriber_specialty_cd text;

DELETE FROM synthetic_datasets;
