DROP INDEX invitations_pending_email_idx;
DROP TABLE email_verifications;
ALTER TABLE users DROP COLUMN email_verified_at;
ALTER TABLE users DROP COLUMN is_operator;
