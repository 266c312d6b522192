DROP INDEX visitors_last_seen_idx;
DROP INDEX webhook_deliveries_created_idx;
DROP INDEX outbox_jobs_failed_idx;
DROP INDEX outbox_jobs_done_idx;
DROP INDEX outbox_jobs_workspace_pending_idx;
DROP TABLE mail_quota;
ALTER TABLE outbox_jobs DROP COLUMN waiting;
