-- Mail quotas (per workspace and per recipient, fixed hourly windows) and retention.

-- Why a due job waits instead of running (e.g. 'mail_quota'); not an error: the job keeps
-- its attempts and runs when the window opens.
ALTER TABLE outbox_jobs ADD COLUMN waiting text;

CREATE TABLE mail_quota (
    scope        text NOT NULL,        -- 'ws:<uuid>' or 'rcpt:<sha256 of the address>'
    window_start timestamptz NOT NULL,
    count        integer NOT NULL,
    PRIMARY KEY (scope, window_start)
);
CREATE INDEX mail_quota_window_idx ON mail_quota (window_start);

-- A workspace's queued mail (the dashboard's mail status), counted with a cap.
CREATE INDEX outbox_jobs_workspace_pending_idx ON outbox_jobs (workspace_id, kind)
    WHERE done_at IS NULL AND failed_at IS NULL;
-- Retention deletes and the /metrics failed count, index-served.
CREATE INDEX outbox_jobs_done_idx ON outbox_jobs (done_at) WHERE done_at IS NOT NULL;
CREATE INDEX outbox_jobs_failed_idx ON outbox_jobs (failed_at) WHERE failed_at IS NOT NULL;
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at);
CREATE INDEX visitors_last_seen_idx ON visitors (last_seen_at);
