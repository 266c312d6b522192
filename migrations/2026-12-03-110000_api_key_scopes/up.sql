-- API keys with scopes (issue 15): what a key may do (domain/scopes.rs). Keys made before
-- scopes keep doing everything they could, so they get every scope, admin included; new
-- keys name theirs (the default of POST …/api-keys is tickets:read alone, set in code).
-- A constant default makes ADD COLUMN a catalogue change, not a table rewrite; dropping it
-- afterwards keeps the values the existing rows got.
ALTER TABLE api_keys ADD COLUMN scopes text[] NOT NULL
    DEFAULT ARRAY['tickets:read', 'tickets:write', 'conversations:read', 'kb:read', 'kb:write', 'admin'];
ALTER TABLE api_keys ALTER COLUMN scopes DROP DEFAULT;

-- At least one scope, and only known ones (a NULL element fails `<@` too).
ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_known CHECK (
    cardinality(scopes) > 0
    AND scopes <@ ARRAY['tickets:read', 'tickets:write', 'conversations:read', 'kb:read', 'kb:write', 'admin']::text[]
);
