-- Idempotency keys of widget messages (`Idempotency-Key` on POST /widget/messages), scoped
-- to the visitor's conversation: a retry with the same key returns `response` (the first
-- answer) and never stores the message twice. `message_id` is the visitor's message, stored
-- with the key in one transaction; `response` is written in the transaction that stores the
-- answer. While `response` is null a turn holds the key until `locked_until` (a retry after
-- a failed turn, or a crashed process, answers the stored message then). Kept for
-- `IDEMPOTENCY_RETENTION_HOURS` (the retention task deletes older ones).
CREATE TABLE widget_message_keys (
    conversation_id  uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    visitor_id       uuid NOT NULL REFERENCES visitors (id) ON DELETE CASCADE,
    idempotency_key  text NOT NULL,
    workspace_id     uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    body_sha256      text NOT NULL,
    message_id       uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    response         jsonb,
    locked_until     timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation_id, visitor_id, idempotency_key)
);
CREATE INDEX widget_message_keys_created_idx ON widget_message_keys (created_at);
CREATE INDEX widget_message_keys_visitor_idx ON widget_message_keys (visitor_id);
CREATE INDEX widget_message_keys_message_idx ON widget_message_keys (message_id);
