-- Articles can link to where they live on the website: the assistant links its answers.
ALTER TABLE articles ADD COLUMN url text
    CHECK (url IS NULL OR (url ~ '^https?://[^\s]+$' AND length(url) <= 2000));
