-- Verified identity (issue 15): the host page signs its logged-in user's id with the
-- workspace's identity secret (HMAC-SHA256), and the widget's visitor becomes that user.
ALTER TABLE workspaces ADD COLUMN identity_secret TEXT;
ALTER TABLE workspaces ADD COLUMN identity_secret_created_at TIMESTAMPTZ;

-- The host's user id of a verified visitor: one visitor (one history) per user, across
-- devices. Anonymous visitors have none.
ALTER TABLE visitors ADD COLUMN external_id TEXT;
ALTER TABLE visitors ADD COLUMN verified_at TIMESTAMPTZ;
CREATE UNIQUE INDEX visitors_workspace_external_id_key
    ON visitors (workspace_id, external_id) WHERE external_id IS NOT NULL;
