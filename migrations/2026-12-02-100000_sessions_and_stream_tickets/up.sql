-- Sessions end: a refresh-token family has an absolute end no rotation moves
-- (`family_expires_at`), and a used token remembers its successor (`replaced_by`), so a
-- client retrying a refresh whose response it lost is told apart from a thief.
ALTER TABLE refresh_tokens ADD COLUMN family_expires_at timestamptz;
UPDATE refresh_tokens SET family_expires_at = created_at + interval '90 days';
ALTER TABLE refresh_tokens ALTER COLUMN family_expires_at SET NOT NULL;
ALTER TABLE refresh_tokens ADD COLUMN replaced_by uuid;

-- Stream tickets: short-lived, single-use secrets (SHA-256 here) that open one SSE
-- stream, so no long-lived credential goes into a URL. Exactly one of user_id (with the
-- session), api_key_id or visitor_id names who minted it; `access_expires_at` is when the
-- credential that minted it expires (the stream ends then).
CREATE TABLE stream_tickets (
    token_hash        text PRIMARY KEY,
    workspace_id      uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id           uuid REFERENCES users (id) ON DELETE CASCADE,
    session_id        uuid,
    api_key_id        uuid REFERENCES api_keys (id) ON DELETE CASCADE,
    visitor_id        uuid REFERENCES visitors (id) ON DELETE CASCADE,
    access_expires_at timestamptz,
    expires_at        timestamptz NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(user_id, api_key_id, visitor_id) = 1)
);
CREATE INDEX stream_tickets_expires_idx ON stream_tickets (expires_at);
