-- Internal notes and @mentions (issue 13, part 1). Notes live in their own table, not in
-- `messages`: nothing that serves the visitor (the widget, its stream and transcript,
-- visitor mail, the visitor-facing webhooks) reads this table, so a note can't leak there
-- through a missing filter.

-- Target of the composite foreign key of notes (every key starts with workspace_id).
CREATE UNIQUE INDEX conversations_workspace_id_id_idx ON conversations (workspace_id, id);

CREATE TABLE notes (
    id              uuid PRIMARY KEY,
    workspace_id    uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    conversation_id uuid NOT NULL,
    -- The ticket it was written on (none: a conversation without a ticket).
    ticket_id       uuid,
    author_user_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    author_name     text NOT NULL,
    body            text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    -- Who it mentions, as written: [{"user_id", "name"}] (the inbox is note_mentions).
    mentions        jsonb NOT NULL DEFAULT '[]',
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, conversation_id) REFERENCES conversations (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, ticket_id) REFERENCES tickets (workspace_id, id) ON DELETE CASCADE
);
-- A conversation's notes in order (the detail pages show them inline).
CREATE INDEX notes_conversation_idx ON notes (workspace_id, conversation_id, created_at, id);

-- A member mentioned in a note: their Mentions inbox, unread until they open the ticket
-- or conversation (or the mention itself).
CREATE TABLE note_mentions (
    workspace_id    uuid NOT NULL,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    note_id         uuid NOT NULL,
    conversation_id uuid NOT NULL,
    created_at      timestamptz NOT NULL,
    read_at         timestamptz,
    PRIMARY KEY (workspace_id, user_id, note_id),
    FOREIGN KEY (workspace_id, note_id) REFERENCES notes (workspace_id, id) ON DELETE CASCADE
);
-- The inbox, newest first, keyset-paginated.
CREATE INDEX note_mentions_inbox_idx ON note_mentions (workspace_id, user_id, created_at DESC, note_id DESC);
-- Unread ones, newest first: the badge (a bounded count), the inbox's Unread filter, and
-- "read the conversation" (a member has few unread mentions).
CREATE INDEX note_mentions_unread_idx ON note_mentions (workspace_id, user_id, created_at DESC, note_id DESC)
    WHERE read_at IS NULL;
