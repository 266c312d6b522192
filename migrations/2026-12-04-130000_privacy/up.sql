-- Privacy (issue 15): erasing a visitor, a retention policy per workspace, the audit log.

-- An erased visitor stays as an empty row (its tickets are kept as anonymous shells for
-- reports and point at it).
ALTER TABLE visitors ADD COLUMN erased_at TIMESTAMPTZ;
-- A ticket whose visitor was erased, or that the retention policy anonymised.
ALTER TABLE tickets ADD COLUMN anonymised_at TIMESTAMPTZ;

-- The workspace's retention policy; NULL keeps forever.
ALTER TABLE workspaces ADD COLUMN retain_conversations_days INTEGER
    CHECK (retain_conversations_days BETWEEN 1 AND 3650);
ALTER TABLE workspaces ADD COLUMN anonymise_closed_tickets_days INTEGER
    CHECK (anonymise_closed_tickets_days BETWEEN 1 AND 3650);
CREATE INDEX workspaces_retention_idx ON workspaces (id)
    WHERE retain_conversations_days IS NOT NULL OR anonymise_closed_tickets_days IS NOT NULL;
-- The policy's sweeps: conversations by last activity (conversations_workspace_activity_idx
-- serves them), closed tickets by closing time, not yet anonymised.
CREATE INDEX tickets_closed_retention_idx ON tickets (workspace_id, closed_at)
    WHERE closed_at IS NOT NULL AND anonymised_at IS NULL;

-- What the team did: settings, plan, members, keys, webhooks, exports, erasures.
CREATE TABLE audit_events (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    action       TEXT NOT NULL,
    actor_type   actor_type NOT NULL,
    actor_id     UUID,
    actor_name   TEXT,
    target_type  TEXT,
    target_id    UUID,
    data         JSONB NOT NULL DEFAULT '{}',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_workspace_idx ON audit_events (workspace_id, created_at DESC, id DESC);
