DROP INDEX IF EXISTS tickets_assignee_only_updated_idx;
DROP INDEX IF EXISTS tickets_assignee_only_created_idx;
