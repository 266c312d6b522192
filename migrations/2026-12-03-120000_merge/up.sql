-- Merging tickets (issue 13, part 5). A merged ticket is closed and names the ticket it
-- survives in; its conversation's messages and notes move into the surviving ticket's
-- conversation, and the emptied conversation names the conversation that took them, so
-- that the visitor's widget (which opens the visitor's latest conversation) follows.

-- The surviving ticket's number is kept beside its id: ticket numbers never change, and
-- every list can then show "Merged into TKT-10002" without a self-join.
ALTER TABLE tickets
    ADD COLUMN merged_into_id uuid,
    ADD COLUMN merged_into_number bigint,
    ADD CONSTRAINT tickets_merged_into_fk FOREIGN KEY (workspace_id, merged_into_id)
        REFERENCES tickets (workspace_id, id),
    ADD CONSTRAINT tickets_merged_into_pair CHECK ((merged_into_id IS NULL) = (merged_into_number IS NULL)),
    ADD CONSTRAINT tickets_merged_not_self CHECK (merged_into_id <> id);
-- The tickets merged into one (the foreign key's checks, and re-pointing them when the
-- survivor is merged in turn): few, so a partial index.
CREATE INDEX tickets_merged_into_idx ON tickets (workspace_id, merged_into_id)
    WHERE merged_into_id IS NOT NULL;

ALTER TABLE conversations
    ADD COLUMN merged_into_id uuid,
    ADD CONSTRAINT conversations_merged_into_fk FOREIGN KEY (workspace_id, merged_into_id)
        REFERENCES conversations (workspace_id, id),
    ADD CONSTRAINT conversations_merged_not_self CHECK (merged_into_id <> id);
CREATE INDEX conversations_merged_into_idx ON conversations (workspace_id, merged_into_id)
    WHERE merged_into_id IS NOT NULL;

-- A message written to a merged conversation (a request that read the conversation just
-- before the merge committed, or a path that names the old conversation) lands in the
-- surviving one, so that nothing is stranded where nobody reads. One primary-key lookup
-- per message.
CREATE OR REPLACE FUNCTION messages_follow_merge() RETURNS trigger AS $$
DECLARE
    target uuid;
BEGIN
    SELECT c.merged_into_id INTO target
      FROM conversations c
     WHERE c.workspace_id = NEW.workspace_id AND c.id = NEW.conversation_id;
    IF target IS NOT NULL THEN
        NEW.conversation_id := target;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER messages_follow_merge BEFORE INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION messages_follow_merge();
