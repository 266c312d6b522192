DROP TABLE audit_events;
DROP INDEX tickets_closed_retention_idx;
DROP INDEX workspaces_retention_idx;
ALTER TABLE workspaces DROP COLUMN anonymise_closed_tickets_days;
ALTER TABLE workspaces DROP COLUMN retain_conversations_days;
ALTER TABLE tickets DROP COLUMN anonymised_at;
ALTER TABLE visitors DROP COLUMN erased_at;
