-- Instance operators (set plans; `handoff operator grant|revoke`) and verified email
-- addresses (new accounts confirm theirs before they can send invitations).
ALTER TABLE users ADD COLUMN is_operator boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
-- Accounts made before verification existed keep working as they did.
UPDATE users SET email_verified_at = created_at;

-- One pending verification per user. The token is minted when the mail is sent (the
-- outbox stores only the user id) and kept here as a SHA-256 hash.
CREATE TABLE email_verifications (
    user_id     uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash  text UNIQUE,
    expires_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- SIGNUP=invite looks up pending invitations by email.
CREATE INDEX invitations_pending_email_idx ON invitations (email) WHERE accepted_at IS NULL;
