ALTER TABLE workspaces DROP COLUMN acknowledge_tickets;
DROP INDEX messages_visitor_idx;
DROP TABLE conversation_reads;
ALTER TABLE memberships DROP COLUMN notify_delay_minutes, DROP COLUMN notify_email;
DROP TYPE notify_email;
