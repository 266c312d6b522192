-- Ticket priority and workspace tags (issue 13, part 1).

CREATE TYPE ticket_priority AS ENUM ('low', 'normal', 'high', 'urgent');
-- A constant default: no table rewrite, even at a million tickets.
ALTER TABLE tickets ADD COLUMN priority ticket_priority NOT NULL DEFAULT 'normal';
-- sort=priority_desc (urgent first, newest first within a priority), with and without a
-- status filter: keyset walks like the other sorts.
CREATE INDEX tickets_priority_created_idx ON tickets (workspace_id, priority, created_at, id);
CREATE INDEX tickets_status_priority_created_idx ON tickets (workspace_id, status, priority, created_at, id);
-- Target of the composite foreign key of ticket_tags (every key starts with workspace_id,
-- the Citus distribution column).
CREATE UNIQUE INDEX tickets_workspace_id_id_idx ON tickets (workspace_id, id);

CREATE TABLE tags (
    id           uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    colour       text NOT NULL CHECK (colour ~ '^#[0-9a-f]{6}$'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id)
);
CREATE UNIQUE INDEX tags_name_idx ON tags (workspace_id, lower(name));
CREATE TRIGGER tags_updated_at BEFORE UPDATE ON tags FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- A tag on a ticket. The ticket's status, priority and sort timestamps are copied here
-- (by the triggers below) so that `tag=` pages are keyset walks over one index in every
-- sort order, like the other filters, instead of a join that sorts every tagged ticket.
CREATE TABLE ticket_tags (
    workspace_id      uuid NOT NULL,
    ticket_id         uuid NOT NULL,
    tag_id            uuid NOT NULL,
    ticket_status     ticket_status NOT NULL,
    ticket_priority   ticket_priority NOT NULL,
    ticket_created_at timestamptz NOT NULL,
    ticket_updated_at timestamptz NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, ticket_id, tag_id),
    FOREIGN KEY (workspace_id, ticket_id) REFERENCES tickets (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, tag_id) REFERENCES tags (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX ticket_tags_created_idx ON ticket_tags (workspace_id, tag_id, ticket_created_at, ticket_id);
CREATE INDEX ticket_tags_updated_idx ON ticket_tags (workspace_id, tag_id, ticket_updated_at, ticket_id);
CREATE INDEX ticket_tags_status_created_idx ON ticket_tags (workspace_id, tag_id, ticket_status, ticket_created_at, ticket_id);
CREATE INDEX ticket_tags_status_updated_idx ON ticket_tags (workspace_id, tag_id, ticket_status, ticket_updated_at, ticket_id);
CREATE INDEX ticket_tags_priority_idx ON ticket_tags (workspace_id, tag_id, ticket_priority, ticket_created_at, ticket_id);
CREATE INDEX ticket_tags_status_priority_idx ON ticket_tags (workspace_id, tag_id, ticket_status, ticket_priority, ticket_created_at, ticket_id);

-- A new ticket_tags row takes the ticket's current values.
CREATE OR REPLACE FUNCTION ticket_tags_copy_ticket() RETURNS trigger AS $$
BEGIN
    SELECT t.status, t.priority, t.created_at, t.updated_at
      INTO NEW.ticket_status, NEW.ticket_priority, NEW.ticket_created_at, NEW.ticket_updated_at
      FROM tickets t
     WHERE t.workspace_id = NEW.workspace_id AND t.id = NEW.ticket_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ticket_tags_copy BEFORE INSERT ON ticket_tags
    FOR EACH ROW EXECUTE FUNCTION ticket_tags_copy_ticket();

-- A ticket's change reaches its tag rows (primary key lookup: a ticket has few tags).
CREATE OR REPLACE FUNCTION tickets_sync_tags() RETURNS trigger AS $$
BEGIN
    UPDATE ticket_tags
       SET ticket_status = NEW.status, ticket_priority = NEW.priority,
           ticket_created_at = NEW.created_at, ticket_updated_at = NEW.updated_at
     WHERE workspace_id = NEW.workspace_id AND ticket_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER tickets_sync_tags AFTER UPDATE OF status, priority, created_at, updated_at ON tickets
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.priority IS DISTINCT FROM NEW.priority
                       OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.updated_at IS DISTINCT FROM NEW.updated_at)
    EXECUTE FUNCTION tickets_sync_tags();
