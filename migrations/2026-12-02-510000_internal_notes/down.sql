DROP TABLE note_mentions;
DROP TABLE notes;
DROP INDEX conversations_workspace_id_id_idx;
