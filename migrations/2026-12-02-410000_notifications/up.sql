-- Notifications that reach the right person (issue 12, part 2): what each member has read
-- of each conversation (a ticket's is its conversation's), their mail preference, and the
-- visitor's acknowledgement mail.

-- How a member hears by email of a visitor's message they have not read: never, at once,
-- or when it is still unread after `notify_delay_minutes`.
CREATE TYPE notify_email AS ENUM ('off', 'immediately', 'delayed');
ALTER TABLE memberships
    ADD COLUMN notify_email         notify_email NOT NULL DEFAULT 'off',
    ADD COLUMN notify_delay_minutes integer      NOT NULL DEFAULT 15
        CHECK (notify_delay_minutes BETWEEN 1 AND 1440);

-- What a member has read of a conversation (up to `read_at`), and whether a reminder mail
-- about its unread messages is scheduled (at most one at a time: `reminder_due_at`).
CREATE TABLE conversation_reads (
    workspace_id    uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    read_at         timestamptz,
    reminder_due_at timestamptz,
    PRIMARY KEY (workspace_id, user_id, conversation_id)
);

-- Unread counts: the visitor's messages after a time, bounded (LIMIT), from this index.
CREATE INDEX messages_visitor_idx ON messages (workspace_id, conversation_id, created_at)
    WHERE sender = 'visitor';

-- The visitor's "We got your request TKT-10001" mail when a ticket is created.
ALTER TABLE workspaces ADD COLUMN acknowledge_tickets boolean NOT NULL DEFAULT false;
