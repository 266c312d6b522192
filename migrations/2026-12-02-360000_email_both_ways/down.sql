DROP TABLE inbound_emails;
ALTER TABLE messages DROP COLUMN email, DROP COLUMN channel;
DROP TYPE message_channel;
ALTER TABLE tickets DROP COLUMN email_references;
ALTER TABLE workspaces DROP COLUMN email_replies, DROP COLUMN mail_sender_address, DROP COLUMN mail_sender_name;
