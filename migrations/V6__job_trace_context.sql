-- The W3C trace context of the kick-off that created each job, so that work done later
-- for the job (its downloads) joins the export's trace.
ALTER TABLE jobs ADD COLUMN trace_context jsonb NOT NULL DEFAULT '{}'::jsonb;
