-- scratch data: 3 users, 1 big workspace with 1M tickets, 20 small workspaces
INSERT INTO users (id,email,name,password_hash)
SELECT ('00000000-0000-0000-0000-00000000000'||i)::uuid, 'u'||i||'@x.test', 'User '||i, 'x' FROM generate_series(1,3) i;
INSERT INTO workspaces (id,name,plan,widget_key,tickets_enabled)
SELECT ('10000000-0000-0000-0000-'||lpad(i::text,12,'0'))::uuid, 'WS '||i, 'standard', 'wk'||i, true FROM generate_series(0,20) i;
INSERT INTO memberships SELECT '10000000-0000-0000-0000-000000000000', ('00000000-0000-0000-0000-00000000000'||i)::uuid, 'agent' FROM generate_series(1,3) i;
-- visitors: 50k in the big ws
INSERT INTO visitors (id, workspace_id, email)
SELECT ('20000000-0000-0000-0000-'||lpad(i::text,12,'0'))::uuid, '10000000-0000-0000-0000-000000000000', 'visitor'||i||'@example'||(i%97)||'.com'
FROM generate_series(1,50000) i;
INSERT INTO conversations (id, workspace_id, visitor_id, last_message_at)
SELECT ('30000000-0000-0000-0000-'||lpad(i::text,12,'0'))::uuid, '10000000-0000-0000-0000-000000000000', ('20000000-0000-0000-0000-'||lpad(i::text,12,'0'))::uuid, now() - (i||' minutes')::interval
FROM generate_series(1,50000) i;
ALTER TABLE tickets DISABLE TRIGGER tickets_counts_insert;
INSERT INTO tickets (id, workspace_id, number, status, summary, category, source, visitor_id, visitor_email, conversation_id, assignee_id, created_at, updated_at)
SELECT gen_random_uuid(), '10000000-0000-0000-0000-000000000000', 10000+i,
  (ARRAY['open','in_progress','resolved','closed'])[1 + (i % 4)]::ticket_status,
  (ARRAY['Refund for order ','Cannot change password on account ','Billing dispute about invoice ','Wants to cancel subscription ','Shipping delay for parcel '])[1+(i%5)] || (i::bigint*7919 % 100000),
  'other', 'ai', ('20000000-0000-0000-0000-'||lpad((1+i%50000)::text,12,'0'))::uuid,
  'visitor'||(1+i%50000)||'@example'||((1+i%50000)%97)||'.com',
  ('30000000-0000-0000-0000-'||lpad((1+i%50000)::text,12,'0'))::uuid,
  CASE WHEN i % 3 = 0 THEN NULL ELSE ('00000000-0000-0000-0000-00000000000'||(1+i%3))::uuid END,
  timestamp '2024-01-01' + (i||' seconds')::interval * 60,
  timestamp '2024-01-01' + (i||' seconds')::interval * 60 + ((i*37 % 10000)||' minutes')::interval
FROM generate_series(1,1000000) i;
ALTER TABLE tickets ENABLE TRIGGER tickets_counts_insert;
INSERT INTO ticket_counts (workspace_id, assignee_id, status, count)
SELECT workspace_id, coalesce(assignee_id,'00000000-0000-0000-0000-000000000000'), status, count(*) FROM tickets GROUP BY 1,2,3;
-- small workspaces
INSERT INTO visitors (id, workspace_id, email)
SELECT ('40000000-0000-0000-0000-'||lpad(i::text,12,'0'))::uuid, ('10000000-0000-0000-0000-'||lpad((1+i%20)::text,12,'0'))::uuid, 'v'||i||'@small.test' FROM generate_series(1,2000) i;
INSERT INTO conversations (id, workspace_id, visitor_id)
SELECT ('50000000-0000-0000-0000-'||lpad(i::text,12,'0'))::uuid, ('10000000-0000-0000-0000-'||lpad((1+i%20)::text,12,'0'))::uuid, ('40000000-0000-0000-0000-'||lpad(i::text,12,'0'))::uuid FROM generate_series(1,2000) i;
INSERT INTO tickets (id, workspace_id, number, status, summary, source, visitor_id, visitor_email, conversation_id, created_at)
SELECT gen_random_uuid(), ('10000000-0000-0000-0000-'||lpad((1+i%20)::text,12,'0'))::uuid, 10000+i, 'open', 'Small ws ticket '||i, 'api',
 ('40000000-0000-0000-0000-'||lpad(i::text,12,'0'))::uuid, 'v'||i||'@small.test', ('50000000-0000-0000-0000-'||lpad(i::text,12,'0'))::uuid, now() - (i||' minutes')::interval
FROM generate_series(1,2000) i;
VACUUM ANALYZE;
