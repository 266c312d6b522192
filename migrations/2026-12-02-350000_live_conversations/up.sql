-- Live conversations (issue 12): an agent takes a conversation over (the assistant stays
-- silent until it is handed back, or until the agent has been idle for
-- TAKEOVER_IDLE_MINUTES), the visitor waiting for a human, the visitor's presence (the
-- widget's live stream, renewed by a heartbeat) and the members' presence (the dashboard's
-- live stream).

ALTER TABLE conversations
    -- Set while a human has the conversation: the assistant neither answers nor acknowledges.
    ADD COLUMN taken_over_at   timestamptz,
    ADD COLUMN taken_over_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN taken_over_name text,
    -- The taking-over agent's last action (take over, reply): the idle fallback counts from it.
    ADD COLUMN agent_active_at timestamptz,
    -- The visitor wrote while a human was expected (taken over, or an open ticket) and no
    -- agent has replied since.
    ADD COLUMN waiting_since   timestamptz,
    -- The visitor's widget is open (a live stream) until then; renewed by the stream's
    -- heartbeat at most every 30 s, set to now() when the visitor's last stream closes.
    ADD COLUMN visitor_online_until timestamptz;

CREATE INDEX conversations_taken_over_idx ON conversations (workspace_id, last_message_at DESC, id DESC)
    WHERE taken_over_at IS NOT NULL;
CREATE INDEX conversations_waiting_idx ON conversations (workspace_id, last_message_at DESC, id DESC)
    WHERE waiting_since IS NOT NULL;
CREATE INDEX conversations_online_idx ON conversations (workspace_id, visitor_online_until)
    WHERE visitor_online_until IS NOT NULL;
-- The idle-fallback sweep (all workspaces): taken-over conversations by last agent action.
CREATE INDEX conversations_takeover_idle_idx ON conversations (agent_active_at)
    WHERE taken_over_at IS NOT NULL;

-- A member's dashboard is open (its live stream) until then: "a human is online".
ALTER TABLE memberships ADD COLUMN online_until timestamptz;
CREATE INDEX memberships_online_idx ON memberships (workspace_id, online_until)
    WHERE online_until IS NOT NULL;
