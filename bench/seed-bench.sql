-- Fills workspace :'ws' with :n tickets (default in run.sh: 1,000,000) for the benchmark.
-- :'me' is the benchmark user (a member): one ticket in 50 is assigned to them.
-- Counters (ticket_counts, ticket_counter) are rebuilt at the end, as the trigger would.
\set ON_ERROR_STOP on
ALTER TABLE tickets DISABLE TRIGGER tickets_counts_insert;
INSERT INTO visitors (id, workspace_id, email, country, browser, os, device_kind, page_url)
SELECT gen_random_uuid(), :'ws', 'visitor' || i || '@example' || (i % 97) || '.com', 'DE', 'Firefox', 'Linux', 'desktop', 'https://shop.example/p/' || i
  FROM generate_series(1, 50000) i;
CREATE TEMP TABLE bench_v AS
SELECT row_number() OVER (ORDER BY v.id) AS n, v.id AS visitor_id, v.email, gen_random_uuid() AS conversation_id
  FROM visitors v WHERE v.workspace_id = :'ws' AND v.email LIKE 'visitor%@example%';
INSERT INTO conversations (id, workspace_id, visitor_id, last_message_at)
SELECT conversation_id, :'ws', visitor_id, now() - (n || ' minutes')::interval FROM bench_v;
INSERT INTO tickets (id, workspace_id, number, status, summary, category, source, visitor_id,
                     visitor_email, conversation_id, assignee_id, created_at, updated_at)
SELECT gen_random_uuid(), :'ws', 10000 + i,
       (ARRAY['open','in_progress','resolved','closed'])[1 + (i % 4)]::ticket_status,
       (ARRAY['Refund for order ','Cannot change password on account ','Billing dispute about invoice ',
              'Wants to cancel subscription ','Shipping delay for parcel '])[1 + (i % 5)] || (i::bigint * 7919 % 100000),
       'other', 'ai', v.visitor_id, v.email, v.conversation_id,
       CASE WHEN i % 50 = 0 THEN :'me'::uuid END,
       now() - interval '3 years' + (i || ' seconds')::interval * 90,
       now() - interval '3 years' + (i || ' seconds')::interval * 90 + ((i * 37 % 10000) || ' minutes')::interval
  FROM generate_series(1, :n) i JOIN bench_v v ON v.n = 1 + i % 50000;
ALTER TABLE tickets ENABLE TRIGGER tickets_counts_insert;
DELETE FROM ticket_counts WHERE workspace_id = :'ws';
INSERT INTO ticket_counts (workspace_id, assignee_id, status, count)
SELECT workspace_id, coalesce(assignee_id, '00000000-0000-0000-0000-000000000000'), status, count(*)
  FROM tickets WHERE workspace_id = :'ws' GROUP BY 1, 2, 3;
UPDATE workspaces SET ticket_counter = (SELECT max(number) FROM tickets WHERE workspace_id = :'ws') WHERE id = :'ws';
