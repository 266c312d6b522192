ALTER TABLE ticket_events ALTER COLUMN actor_type TYPE text USING actor_type::text;
DROP TYPE actor_type;
