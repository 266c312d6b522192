-- Who acted on a ticket is one of a closed set: make it a Postgres enum like the others,
-- so a typo can't be stored and the Rust side reads it as `ActorKind`.
CREATE TYPE actor_type AS ENUM ('user', 'assistant', 'visitor', 'api', 'system');
ALTER TABLE ticket_events
    ALTER COLUMN actor_type TYPE actor_type USING actor_type::actor_type;
