-- "Assigned to X" (My Tickets, a member, unassigned) without a status filter.
-- The (workspace_id, assignee_id, status, …) indexes cannot return one assignee's
-- tickets in created/updated order across all statuses, so Postgres sorted every
-- ticket of the assignee before taking a page (verified with EXPLAIN on 1M tickets,
-- see docs/scaling.md). These serve the keyset walk directly, for any assignee
-- (including IS NULL for "unassigned").
CREATE INDEX tickets_assignee_only_created_idx ON tickets (workspace_id, assignee_id, created_at, id);
CREATE INDEX tickets_assignee_only_updated_idx ON tickets (workspace_id, assignee_id, updated_at, id);
