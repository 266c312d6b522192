DROP TRIGGER messages_follow_merge ON messages;
DROP FUNCTION messages_follow_merge();
DROP INDEX conversations_merged_into_idx;
ALTER TABLE conversations
    DROP CONSTRAINT conversations_merged_not_self,
    DROP CONSTRAINT conversations_merged_into_fk,
    DROP COLUMN merged_into_id;
DROP INDEX tickets_merged_into_idx;
ALTER TABLE tickets
    DROP CONSTRAINT tickets_merged_not_self,
    DROP CONSTRAINT tickets_merged_into_pair,
    DROP CONSTRAINT tickets_merged_into_fk,
    DROP COLUMN merged_into_number,
    DROP COLUMN merged_into_id;
