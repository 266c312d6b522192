#!/bin/bash
# EXPLAIN (ANALYZE, BUFFERS) of the ticket list with `tag=` and with `sort=priority_desc`
# (issue 13), page 1 and a deep page, in the shape db::tags::list_tagged / db::tickets::list
# send. Scratch data: bench/scratch-1m.sql, then the tags and priorities below; see
# docs/scaling.md ("Tags and priority at 1,000,000 tickets").
#
#   psql … "$DB" -f bench/scratch-1m.sql
#   psql … "$DB" -c "UPDATE tickets SET assignee_id='00000000-0000-0000-0000-000000000001' WHERE number % 2000 = 7"
#   psql … "$DB" -f bench/scratch-tags.sql
#   DB=tk_scratch bash bench/explain-tags.sh      (VERBOSE=1 prints whole plans)
DB=${DB:-tk_scratch}
PSQL="psql -h 127.0.0.1 -U postgres $DB -tA"
WS="'10000000-0000-0000-0000-000000000000'"
ME="'00000000-0000-0000-0000-000000000001'"
declare -A TAG=([billing]="'60000000-0000-0000-0000-000000000001'" [vip]="'60000000-0000-0000-0000-000000000002'" [rare]="'60000000-0000-0000-0000-000000000003'")
SEL="SELECT t.id, t.number, t.status, t.priority, t.summary, t.visitor_email, t.created_at, t.updated_at, u.id AS uid, u.name, u.email"
JOIN="FROM ticket_tags tt INNER JOIN tickets t ON (t.workspace_id = tt.workspace_id AND t.id = tt.ticket_id) LEFT JOIN users u ON u.id = t.assignee_id"
plan() { # name sort page query
  local out; out=$($PSQL -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) $4")
  local nodes; nodes=$(echo "$out" | grep -oE '(Index Only Scan Backward|Index Only Scan|Index Scan Backward|Index Scan|Bitmap Heap Scan|Seq Scan|Sort|Incremental Sort|Nested Loop Left Join|Nested Loop|Hash Join|Memoize|Limit)( using [a-z_]+)?( on [a-z_]+)?' | tr '\n' ';' | sed 's/;$//')
  local time; time=$(echo "$out" | grep -oE 'Execution Time: [0-9.]+ ms' | grep -oE '[0-9.]+')
  local bufs; bufs=$(echo "$out" | grep -m1 -oE 'Buffers: shared hit=[0-9]+( read=[0-9]+)?' | sed 's/Buffers: shared //')
  printf '| %-30s | %-13s | %-5s | %8s | %-16s | %s |\n' "$1" "$2" "$3" "$time" "$bufs" "$nodes"
  [ -n "$VERBOSE" ] && echo "$out"
}
order_of() { case $1 in
  created_desc) echo "tt.ticket_created_at DESC, tt.ticket_id DESC";;
  created_asc) echo "tt.ticket_created_at ASC, tt.ticket_id ASC";;
  updated_desc) echo "tt.ticket_updated_at DESC, tt.ticket_id DESC";;
  priority_desc) echo "tt.ticket_priority DESC, tt.ticket_created_at DESC, tt.ticket_id DESC";;
esac; }
keyset_of() { # sort, row "p|c|u|id"
  IFS='|' read P C U I <<< "$2"
  case $1 in
    created_desc) echo "(tt.ticket_created_at, tt.ticket_id) < ('$C', '$I')";;
    created_asc) echo "(tt.ticket_created_at, tt.ticket_id) > ('$C', '$I')";;
    updated_desc) echo "(tt.ticket_updated_at, tt.ticket_id) < ('$U', '$I')";;
    priority_desc) echo "(tt.ticket_priority, tt.ticket_created_at, tt.ticket_id) < ('$P', '$C', '$I')";;
  esac; }
tagged() { # name tag extra sort deep
  local where="tt.workspace_id = $WS AND tt.tag_id = ${TAG[$2]} $3"
  local order; order=$(order_of $4)
  plan "$1" "$4" first "$SEL $JOIN WHERE $where ORDER BY $order LIMIT 26"
  local row; row=$($PSQL -c "SELECT tt.ticket_priority, tt.ticket_created_at, tt.ticket_updated_at, tt.ticket_id $JOIN WHERE $where ORDER BY $order OFFSET $5 LIMIT 1")
  [ -n "$row" ] && plan "$1" "$4" "+$5" "$SEL $JOIN WHERE $where AND $(keyset_of $4 "$row") ORDER BY $order LIMIT 26"
}
printf '| %-30s | %-13s | %-5s | %8s | %-16s | %s |\n' filter sort page "ms" buffers plan
for sort in created_desc created_asc updated_desc priority_desc; do
  tagged "tag=billing (200k)" billing "" $sort 25000
  tagged "tag=vip (10k)" vip "" $sort 5000
  tagged "tag=rare (100)" rare "" $sort 50
  tagged "tag=billing+status=open" billing "AND tt.ticket_status = 'open'" $sort 25000
  tagged "tag=vip+status=resolved" vip "AND tt.ticket_status = 'resolved'" $sort 1000
  tagged "tag=vip+assignee=me" vip "AND t.assignee_id = $ME" $sort 2
  tagged "tag=billing+q=refund" billing "AND (t.visitor_email || ' ' || t.summary) ILIKE '%refund%'" $sort 5000
done
# sort=priority_desc without a tag
TSEL="$SEL FROM tickets t LEFT JOIN users u ON u.id = t.assignee_id"
for f in "none|" "status=open|AND t.status = 'open'"; do
  name=${f%%|*}; extra=${f#*|}
  where="t.workspace_id = $WS $extra"
  order="t.priority DESC, t.created_at DESC, t.id DESC"
  plan "$name" priority_desc first "$TSEL WHERE $where ORDER BY $order LIMIT 26"
  IFS='|' read P C I < <($PSQL -c "SELECT t.priority, t.created_at, t.id FROM tickets t WHERE $where ORDER BY $order OFFSET 25000 LIMIT 1")
  plan "$name" priority_desc "+25000" "$TSEL WHERE $where AND (t.priority, t.created_at, t.id) < ('$P', '$C', '$I') ORDER BY $order LIMIT 26"
done
