-- Foundation schema: ACOs, export jobs, their job keys (units of worker work), and the
-- transactional outbox that carries job keys to RabbitMQ.

-- An Accountable Care Organization, known to CMS by its CMS id (A9994, ...).
CREATE TABLE acos (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    cms_id      text        NOT NULL UNIQUE CHECK (cms_id ~ '^[A-Z][0-9A-Z]{4,9}$'),
    name        text        NOT NULL,
    -- A denied ACO may still get tokens, but every export, job and data call is refused.
    denied_at   timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One bulk export request. Ids are numeric, as BCDA's are (`/api/v1/jobs/42`).
CREATE TABLE jobs (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    aco_id            uuid        NOT NULL REFERENCES acos (id),
    api_version       text        NOT NULL CHECK (api_version IN ('v1', 'v2')),
    -- The kick-off URL exactly as the client sent it; echoed as `request` in the manifest.
    request_url       text        NOT NULL,
    resource_types    text[]      NOT NULL CHECK (
        cardinality(resource_types) > 0
        AND resource_types <@ ARRAY['ExplanationOfBenefit', 'Patient', 'Coverage']
    ),
    -- Whether the client named `_type`: a job without it overlaps every other job.
    types_requested   boolean     NOT NULL,
    since             timestamptz,
    status            text        NOT NULL DEFAULT 'Pending' CHECK (
        status IN ('Pending', 'In Progress', 'Completed', 'Failed', 'Cancelled', 'Expired')
    ),
    -- The upper bound of the data this job exports, and the manifest's `transactionTime`.
    transaction_time  timestamptz NOT NULL,
    keys_total        integer     NOT NULL DEFAULT 0 CHECK (keys_total >= 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    completed_at      timestamptz,
    expires_at        timestamptz
);

-- The one-active-export rule and the job list look up an ACO's active jobs.
CREATE INDEX jobs_active_by_aco ON jobs (aco_id, api_version)
    WHERE status IN ('Pending', 'In Progress');
-- The expiry sweeper looks for completed jobs past their expiry.
CREATE INDEX jobs_expiring ON jobs (expires_at) WHERE status IN ('Completed', 'Failed');

-- One unit of worker work: a resource type over one batch of the job's beneficiaries.
-- Progress is the share of keys done, set idempotently, so redeliveries never
-- double-count.
CREATE TABLE job_keys (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id          bigint      NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    resource_type   text        NOT NULL CHECK (
        resource_type IN ('ExplanationOfBenefit', 'Patient', 'Coverage')
    ),
    batch_index     integer     NOT NULL CHECK (batch_index >= 0),
    -- The committed output object, once a worker has written it.
    object_key      text,
    resource_count  bigint      CHECK (resource_count >= 0),
    error_count     bigint      NOT NULL DEFAULT 0 CHECK (error_count >= 0),
    done_at         timestamptz,
    UNIQUE (job_id, resource_type, batch_index)
);

CREATE INDEX job_keys_pending ON job_keys (job_id) WHERE done_at IS NULL;

-- Messages committed with the job, published to RabbitMQ by a relay with publisher
-- confirms and deleted only after the broker confirmed them: a crash between commit
-- and publish loses nothing.
CREATE TABLE outbox (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    routing_key  text        NOT NULL,
    payload      jsonb       NOT NULL,
    -- AMQP headers, notably the W3C trace context of the request that created the row.
    headers      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now()
);
