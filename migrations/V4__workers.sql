-- What workers record about job keys, and what the outbox relay needs to publish a job's
-- keys a few at a time so that one large export cannot starve the ones behind it.

ALTER TABLE job_keys
    -- The key's OperationOutcome file, when some or all of its work failed.
    ADD COLUMN error_object_key text,
    -- Whether the key gave up after its last attempt (its share decides a job's failure).
    ADD COLUMN failed           boolean     NOT NULL DEFAULT false,
    -- When the relay handed the key's message to RabbitMQ. A key published but not done
    -- is "in flight"; the relay keeps at most a few in flight per job.
    ADD COLUMN published_at     timestamptz,
    -- The key's beneficiaries, fixed at kick-off: attributed ones with ids from
    -- `first_beneficiary_id` up to (not including) `end_beneficiary_id` (NULL: no end).
    -- Workers read them by range, so later attribution changes never shift a batch.
    ADD COLUMN first_beneficiary_id bigint NOT NULL DEFAULT -9223372036854775808,
    ADD COLUMN end_beneficiary_id   bigint;

-- When the sweeper deleted a job's files (expired, failed or cancelled jobs).
ALTER TABLE jobs ADD COLUMN files_deleted_at timestamptz;
CREATE INDEX jobs_files_to_delete ON jobs (expires_at)
    WHERE files_deleted_at IS NULL AND status IN ('Completed', 'Failed', 'Cancelled');

CREATE INDEX job_keys_in_flight ON job_keys (job_id)
    WHERE published_at IS NOT NULL AND done_at IS NULL;

-- The job key an outbox message carries, so the relay can pace each job's keys.
ALTER TABLE outbox
    ADD COLUMN job_key_id bigint REFERENCES job_keys (id) ON DELETE CASCADE;

CREATE INDEX outbox_by_job_key ON outbox (job_key_id);
