ALTER TABLE tickets DROP COLUMN language;
ALTER TABLE conversations DROP COLUMN language;
ALTER TABLE messages DROP COLUMN language;
ALTER TABLE workspaces DROP COLUMN default_language;
