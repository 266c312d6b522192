-- The visitor's language (issue 15): the widget and the builtin engine's fixed replies
-- speak en, de, fr, es, pt and nl. The workspace's default is used when the visitor's
-- browser language is none of them.
ALTER TABLE workspaces ADD COLUMN default_language TEXT NOT NULL DEFAULT 'en'
    CHECK (default_language IN ('en', 'de', 'fr', 'es', 'pt', 'nl'));

-- Detected languages, as ISO 639-1 codes (any language the detector knows, not only the
-- six the widget speaks): of a visitor's message (null: too short to tell, or not a
-- visitor message), of the conversation (its last detected message), of the ticket (the
-- conversation's when the ticket was opened).
ALTER TABLE messages ADD COLUMN language TEXT;
ALTER TABLE conversations ADD COLUMN language TEXT;
ALTER TABLE tickets ADD COLUMN language TEXT;
