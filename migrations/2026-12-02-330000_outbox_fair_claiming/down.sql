CREATE INDEX outbox_jobs_due_idx ON outbox_jobs (run_at) WHERE done_at IS NULL AND failed_at IS NULL;
DROP INDEX outbox_jobs_leased_idx;
DROP INDEX outbox_jobs_fair_idx;
