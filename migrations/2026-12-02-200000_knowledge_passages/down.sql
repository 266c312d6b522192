ALTER TABLE messages DROP COLUMN sources;
DROP TABLE knowledge_passages;
