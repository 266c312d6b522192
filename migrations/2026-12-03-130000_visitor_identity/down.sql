DROP INDEX visitors_workspace_external_id_key;
ALTER TABLE visitors DROP COLUMN verified_at;
ALTER TABLE visitors DROP COLUMN external_id;
ALTER TABLE workspaces DROP COLUMN identity_secret_created_at;
ALTER TABLE workspaces DROP COLUMN identity_secret;
