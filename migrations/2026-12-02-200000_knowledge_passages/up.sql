-- The assistant's knowledge index: articles split into passages (a heading or paragraph of
-- a few sentences, the article's title kept with each), with the passage's sentence vector
-- when an embedding model is configured. Written only by the outbox worker
-- (`knowledge.index` jobs), never in a request.
CREATE TABLE knowledge_passages (
    id           uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    article_id   uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position     integer NOT NULL,
    title        text NOT NULL,
    body         text NOT NULL,
    -- The vector space: `builtin:all-MiniLM-L6-v2`, `openai:<model>`, or '' (no vector).
    model        text NOT NULL,
    dimension    integer NOT NULL,
    -- `dimension` little-endian f32 values, unit length; NULL without a model.
    vector       bytea,
    search       tsvector GENERATED ALWAYS AS (
                     setweight(to_tsvector('english', title), 'A') ||
                     setweight(to_tsvector('english', body), 'B')
                 ) STORED,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (article_id, position),
    CHECK (vector IS NULL OR octet_length(vector) = 4 * dimension)
);
CREATE INDEX knowledge_passages_workspace_idx ON knowledge_passages (workspace_id, model);
CREATE INDEX knowledge_passages_search_idx ON knowledge_passages USING gin (search);

-- The passages an assistant's answer was built from: [{"passage_id", "article_id", "title"}].
ALTER TABLE messages ADD COLUMN sources jsonb;
