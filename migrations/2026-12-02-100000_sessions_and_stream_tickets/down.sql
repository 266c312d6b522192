DROP TABLE stream_tickets;
ALTER TABLE refresh_tokens DROP COLUMN replaced_by;
ALTER TABLE refresh_tokens DROP COLUMN family_expires_at;
