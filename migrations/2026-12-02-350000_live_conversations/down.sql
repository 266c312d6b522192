DROP INDEX memberships_online_idx;
ALTER TABLE memberships DROP COLUMN online_until;
DROP INDEX conversations_takeover_idle_idx;
DROP INDEX conversations_online_idx;
DROP INDEX conversations_waiting_idx;
DROP INDEX conversations_taken_over_idx;
ALTER TABLE conversations
    DROP COLUMN taken_over_at,
    DROP COLUMN taken_over_by,
    DROP COLUMN taken_over_name,
    DROP COLUMN agent_active_at,
    DROP COLUMN waiting_since,
    DROP COLUMN visitor_online_until;
