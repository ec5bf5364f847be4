-- Bulk Data IG kick-off parameters beyond BCDA's (issue #23): `_until` bounds a job's
-- updates from above; `patient` (POST) names some of the ACO's beneficiaries, kept as
-- their beneficiaries.id in the order named; `organizeOutputBy=Patient` groups each
-- beneficiary's resources in one file; `allowPartialManifests` lets status list the
-- files done while the job runs.
ALTER TABLE jobs ADD COLUMN until timestamptz;
ALTER TABLE jobs ADD COLUMN patient_ids bigint[];
ALTER TABLE jobs ADD COLUMN organize_by_patient boolean NOT NULL DEFAULT false;
ALTER TABLE jobs ADD COLUMN partial_manifests boolean NOT NULL DEFAULT false;

-- With partial manifests, the page of the job's manifest each done file was put on when
-- a poll first listed it: a page, once returned, never changes (the IG), so files done
-- later go on later pages.
ALTER TABLE job_keys ADD COLUMN manifest_page integer;
CREATE INDEX job_keys_by_manifest_page ON job_keys (job_id, manifest_page) WHERE manifest_page IS NOT NULL;
