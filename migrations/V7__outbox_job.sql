-- The job an outbox message belongs to, so the relay's pacing reads only the outbox and
-- the in-flight keys of the jobs waiting in it. Before this it joined every row of
-- `job_keys` (all keys of every job ever exported) to the outbox on each round, five
-- times a second: a cost that grew with history, not with the work waiting.
ALTER TABLE outbox ADD COLUMN job_id bigint REFERENCES jobs (id) ON DELETE CASCADE;

UPDATE outbox o SET job_id = k.job_id FROM job_keys k WHERE k.id = o.job_key_id;

CREATE INDEX outbox_by_job ON outbox (job_id, id);
