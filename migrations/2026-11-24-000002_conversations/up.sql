-- Visitors of a workspace's widget, their conversations and messages, and the
-- knowledge base the assistant answers from.

CREATE TYPE message_sender AS ENUM ('visitor', 'assistant', 'agent', 'system');

CREATE TABLE visitors (
    id            uuid PRIMARY KEY,
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email         text,
    name          text,
    country       text,
    browser       text,
    os            text,
    device_kind   text,
    user_agent    text,
    page_url      text,
    referrer      text,
    locale        text,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX visitors_workspace_email_idx ON visitors (workspace_id, lower(email)) WHERE email IS NOT NULL;
CREATE TRIGGER visitors_updated_at BEFORE UPDATE ON visitors FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE conversations (
    id                    uuid PRIMARY KEY,
    workspace_id          uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    visitor_id            uuid NOT NULL REFERENCES visitors (id) ON DELETE CASCADE,
    -- The assistant's ticket-flow state machine (see api/src/domain/handoff.rs).
    flow                  jsonb NOT NULL DEFAULT '{}',
    -- Agent messages the visitor has not seen yet (launcher badge).
    visitor_unread_count  integer NOT NULL DEFAULT 0,
    visitor_last_read_at  timestamptz,
    last_message_at       timestamptz NOT NULL DEFAULT now(),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_workspace_activity_idx ON conversations (workspace_id, last_message_at DESC, id DESC);
CREATE INDEX conversations_visitor_idx ON conversations (workspace_id, visitor_id, created_at DESC);
CREATE TRIGGER conversations_updated_at BEFORE UPDATE ON conversations FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE messages (
    id              uuid PRIMARY KEY,
    workspace_id    uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    sender          message_sender NOT NULL,
    author_user_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    author_name     text,
    body            text NOT NULL,
    action          jsonb,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_conversation_order_idx ON messages (workspace_id, conversation_id, created_at, id);

CREATE TABLE articles (
    id           uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    title        text NOT NULL,
    body         text NOT NULL,
    search       tsvector GENERATED ALWAYS AS (
                     setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
                     setweight(to_tsvector('english', coalesce(body, '')), 'B')
                 ) STORED,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX articles_workspace_idx ON articles (workspace_id, created_at DESC, id DESC);
CREATE INDEX articles_search_idx ON articles USING gin (search);
CREATE TRIGGER articles_updated_at BEFORE UPDATE ON articles FOR EACH ROW EXECUTE FUNCTION set_updated_at();
