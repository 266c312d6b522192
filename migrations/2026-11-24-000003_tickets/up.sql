-- Tickets, their timeline, per-filter counters, and webhooks.

CREATE TYPE ticket_status AS ENUM ('open', 'in_progress', 'resolved', 'closed');
CREATE TYPE ticket_category AS ENUM ('cannot_perform_action', 'needs_human_judgment', 'other');
CREATE TYPE ticket_source AS ENUM ('ai', 'api', 'dashboard');

CREATE TABLE tickets (
    id                uuid PRIMARY KEY,
    workspace_id      uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    number            bigint NOT NULL,
    status            ticket_status NOT NULL DEFAULT 'open',
    summary           text NOT NULL,
    description       text NOT NULL DEFAULT '',
    category          ticket_category NOT NULL DEFAULT 'other',
    source            ticket_source NOT NULL,
    visitor_id        uuid NOT NULL REFERENCES visitors (id) ON DELETE CASCADE,
    visitor_email     text NOT NULL,
    conversation_id   uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    assignee_id       uuid REFERENCES users (id) ON DELETE SET NULL,
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    first_response_at timestamptz,
    resolved_at       timestamptz,
    closed_at         timestamptz,
    UNIQUE (workspace_id, number)
);
-- Keyset pagination for every filter and sort of the list.
CREATE INDEX tickets_created_idx ON tickets (workspace_id, created_at, id);
CREATE INDEX tickets_updated_idx ON tickets (workspace_id, updated_at, id);
CREATE INDEX tickets_status_created_idx ON tickets (workspace_id, status, created_at, id);
CREATE INDEX tickets_status_updated_idx ON tickets (workspace_id, status, updated_at, id);
CREATE INDEX tickets_assignee_created_idx ON tickets (workspace_id, assignee_id, status, created_at, id);
CREATE INDEX tickets_assignee_updated_idx ON tickets (workspace_id, assignee_id, status, updated_at, id);
CREATE INDEX tickets_conversation_idx ON tickets (workspace_id, conversation_id, created_at DESC);
-- Free-text search over visitor email and summary (number is matched exactly).
CREATE INDEX tickets_search_trgm_idx ON tickets USING gin ((visitor_email || ' ' || summary) gin_trgm_ops);

CREATE TABLE ticket_events (
    id           uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    ticket_id    uuid NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind         text NOT NULL,
    actor_type   text NOT NULL,
    actor_id     uuid,
    actor_name   text,
    data         jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_events_ticket_idx ON ticket_events (workspace_id, ticket_id, created_at, id);

-- Per-workspace counters behind the filter buttons, kept by a trigger so that the
-- counts never scan the tickets table (a workspace may hold a million tickets).
-- assignee_id uses the nil UUID for "unassigned" so it can be part of the key.
CREATE TABLE ticket_counts (
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    assignee_id  uuid NOT NULL,
    status       ticket_status NOT NULL,
    count        bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, assignee_id, status)
);

CREATE OR REPLACE FUNCTION tickets_maintain_counts() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE ticket_counts SET count = count - 1
         WHERE workspace_id = OLD.workspace_id
           AND assignee_id = coalesce(OLD.assignee_id, '00000000-0000-0000-0000-000000000000')
           AND status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO ticket_counts (workspace_id, assignee_id, status, count)
        VALUES (NEW.workspace_id, coalesce(NEW.assignee_id, '00000000-0000-0000-0000-000000000000'), NEW.status, 1)
        ON CONFLICT (workspace_id, assignee_id, status) DO UPDATE SET count = ticket_counts.count + 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tickets_counts_insert AFTER INSERT OR DELETE ON tickets
    FOR EACH ROW EXECUTE FUNCTION tickets_maintain_counts();
CREATE TRIGGER tickets_counts_update AFTER UPDATE OF status, assignee_id ON tickets
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id)
    EXECUTE FUNCTION tickets_maintain_counts();

CREATE TABLE webhooks (
    id           uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    url          text NOT NULL,
    events       text[] NOT NULL,
    secret       text NOT NULL,
    active       boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_workspace_idx ON webhooks (workspace_id, created_at);
CREATE TRIGGER webhooks_updated_at BEFORE UPDATE ON webhooks FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE webhook_deliveries (
    id            uuid PRIMARY KEY,
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    webhook_id    uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event         text NOT NULL,
    payload       jsonb NOT NULL,
    status_code   integer,
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text,
    delivered_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (workspace_id, webhook_id, created_at DESC, id DESC);
CREATE TRIGGER webhook_deliveries_updated_at BEFORE UPDATE ON webhook_deliveries FOR EACH ROW EXECUTE FUNCTION set_updated_at();
