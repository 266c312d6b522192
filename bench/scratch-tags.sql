-- Tags and priorities on the 1M-ticket scratch workspace (bench/scratch-1m.sql), for
-- bench/explain-tags.sh: priorities 5% urgent, 15% high, 60% normal, 20% low; tag
-- billing on 20% of the tickets (200k), vip on 1% (10k), rare on 100.
UPDATE tickets SET priority = CASE WHEN number % 20 = 0 THEN 'urgent' WHEN number % 20 < 4 THEN 'high' WHEN number % 20 < 8 THEN 'low' ELSE 'normal' END::ticket_priority
 WHERE workspace_id = '10000000-0000-0000-0000-000000000000';
INSERT INTO tags (id, workspace_id, name, colour) VALUES
 ('60000000-0000-0000-0000-000000000001', '10000000-0000-0000-0000-000000000000', 'billing', '#2563eb'),
 ('60000000-0000-0000-0000-000000000002', '10000000-0000-0000-0000-000000000000', 'vip', '#7c3aed'),
 ('60000000-0000-0000-0000-000000000003', '10000000-0000-0000-0000-000000000000', 'rare', '#dc2626');
-- The copied columns are overwritten from the ticket by the BEFORE INSERT trigger.
INSERT INTO ticket_tags (workspace_id, ticket_id, tag_id, ticket_status, ticket_priority, ticket_created_at, ticket_updated_at)
SELECT workspace_id, id, '60000000-0000-0000-0000-000000000001', status, priority, created_at, updated_at FROM tickets
 WHERE workspace_id = '10000000-0000-0000-0000-000000000000' AND number % 5 = 1;
INSERT INTO ticket_tags (workspace_id, ticket_id, tag_id, ticket_status, ticket_priority, ticket_created_at, ticket_updated_at)
SELECT workspace_id, id, '60000000-0000-0000-0000-000000000002', status, priority, created_at, updated_at FROM tickets
 WHERE workspace_id = '10000000-0000-0000-0000-000000000000' AND number % 100 = 3;
INSERT INTO ticket_tags (workspace_id, ticket_id, tag_id, ticket_status, ticket_priority, ticket_created_at, ticket_updated_at)
SELECT workspace_id, id, '60000000-0000-0000-0000-000000000003', status, priority, created_at, updated_at FROM tickets
 WHERE workspace_id = '10000000-0000-0000-0000-000000000000' AND number % 10000 = 9;
VACUUM ANALYZE;
