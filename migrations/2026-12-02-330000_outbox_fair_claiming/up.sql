-- Fair claiming (worker.rs, db/outbox.rs `claim`): the outbox takes due jobs round-robin
-- by workspace with a cap on each workspace's jobs in flight, so one tenant's queue never
-- delays another's. Jobs of no workspace (e.g. sign-up verification mail) form one group
-- under the nil uuid.

-- Each workspace's pending jobs by due time: the distinct workspaces with work (a skip
-- scan) and each one's next due jobs.
CREATE INDEX outbox_jobs_fair_idx
    ON outbox_jobs ((COALESCE(workspace_id, '00000000-0000-0000-0000-000000000000'::uuid)), run_at)
    WHERE done_at IS NULL AND failed_at IS NULL;

-- The jobs under a lease (at most the workers' concurrency, plus leases of crashed
-- workers until they run out): the per-workspace in-flight count.
CREATE INDEX outbox_jobs_leased_idx
    ON outbox_jobs ((COALESCE(workspace_id, '00000000-0000-0000-0000-000000000000'::uuid)))
    WHERE locked_until IS NOT NULL AND done_at IS NULL AND failed_at IS NULL;

-- Superseded by outbox_jobs_fair_idx.
DROP INDEX outbox_jobs_due_idx;
