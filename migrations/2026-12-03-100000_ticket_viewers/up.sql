-- Who has a ticket open in the dashboard right now (issue 13, collision awareness). A row is
-- a lease: the viewer's page renews it (`POST …/tickets/{ticket}/viewing`, every 20 s) and
-- gives it back when it leaves (`DELETE`); a page that vanished without a word lapses at
-- `expires_at`, and a sweep on every server deletes lapsed rows and tells the dashboards.
-- Every server reads the same rows, so no process keeps presence in its memory.
--
-- UNLOGGED: presence is rewritten every few seconds and worth nothing after a crash, so
-- its writes skip the WAL (and replicas). A crash or failover empties the table; the open
-- pages put themselves back at their next renewal.
CREATE UNLOGGED TABLE ticket_viewers (
    workspace_id uuid NOT NULL,
    ticket_id    uuid NOT NULL,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Since when this viewing (unbroken by a lapse) lasts.
    since        timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, ticket_id, user_id),
    FOREIGN KEY (workspace_id, ticket_id) REFERENCES tickets (workspace_id, id) ON DELETE CASCADE
);
-- The sweep of lapsed leases, oldest first.
CREATE INDEX ticket_viewers_expires_idx ON ticket_viewers (expires_at);
