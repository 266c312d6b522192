-- Saved replies (issue 13, part 2): a workspace's canned answers, inserted into a reply by
-- typing `/shortcut`. Owners and admins write them; every member reads them.

CREATE TABLE saved_replies (
    id           uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    -- Byte order ("C"): the list's order, and so its keyset, is the same on every server
    -- whatever the database's locale.
    shortcut     text COLLATE "C" NOT NULL CHECK (shortcut ~ '^[a-z0-9_-]{1,32}$'),
    body         text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    -- One shortcut per workspace; also the index of the list (keyset by shortcut).
    CONSTRAINT saved_replies_shortcut_key UNIQUE (workspace_id, shortcut)
);
CREATE TRIGGER saved_replies_updated_at BEFORE UPDATE ON saved_replies FOR EACH ROW EXECUTE FUNCTION set_updated_at();
