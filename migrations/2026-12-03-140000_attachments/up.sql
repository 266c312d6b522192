-- Attachments (issue 13): files visitors and agents send with a message (and files that
-- came with an inbound email). The bytes live in the object store (STORAGE_URL); a row
-- is uploaded first (message_id NULL: pending, swept by the worker after a day), then
-- claimed by the message it is sent with.
CREATE TABLE attachments (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    message_id UUID REFERENCES messages (id) ON DELETE CASCADE,
    -- Who uploaded it: a member (dashboard, API key) or the visitor (widget); an inbound
    -- email's attachment has neither.
    uploaded_by_user_id UUID REFERENCES users (id) ON DELETE SET NULL,
    uploaded_by_visitor_id UUID REFERENCES visitors (id) ON DELETE CASCADE,
    filename TEXT NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CHECK (size_bytes >= 0),
    sha256 TEXT NOT NULL,
    width INT,
    height INT,
    has_thumbnail BOOLEAN NOT NULL DEFAULT FALSE,
    -- The object's key in the store (the thumbnail's is `<key>.thumb`).
    storage_key TEXT NOT NULL,
    -- Signs the attachment's download links (HMAC-SHA256 of id, variant and expiry).
    url_key TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX attachments_message_id_idx ON attachments (message_id) WHERE message_id IS NOT NULL;
-- The worker's sweep of uploads never sent.
CREATE INDEX attachments_pending_idx ON attachments (created_at) WHERE message_id IS NULL;
CREATE INDEX attachments_workspace_id_idx ON attachments (workspace_id);
CREATE INDEX attachments_visitor_idx ON attachments (uploaded_by_visitor_id)
    WHERE uploaded_by_visitor_id IS NOT NULL;

-- What a message shows of its attachments (id, name, type, size, dimensions), written
-- when the message claims them, so a page of messages reads no other table.
ALTER TABLE messages ADD COLUMN attachments JSONB;
