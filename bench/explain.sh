#!/bin/bash
# EXPLAIN (ANALYZE, BUFFERS) of the ticket list query for every filter x sort, page 1 and a
# page 25,000 rows deep (page 1,000 at 25 per page). Prints the table of docs/scaling.md.
#
# Scratch database (dropped by you when done):
#   createdb -h 127.0.0.1 -U postgres tk_scratch
#   for f in migrations/*/up.sql; do psql -q -h 127.0.0.1 -U postgres tk_scratch -f $f; done
#   psql -q -h 127.0.0.1 -U postgres tk_scratch -f bench/scratch-1m.sql
#   psql -h 127.0.0.1 -U postgres tk_scratch -c "UPDATE tickets SET assignee_id='00000000-0000-0000-0000-000000000001' WHERE number % 2000 = 7" -c "VACUUM ANALYZE tickets"
#   DB=tk_scratch bash bench/explain.sh      (VERBOSE=1 prints whole plans; ME_ID=<user> picks "me")
#   dropdb -h 127.0.0.1 -U postgres tk_scratch
DB=${DB:-tk_scratch}
WS="'10000000-0000-0000-0000-000000000000'"
ME="'${ME_ID:-00000000-0000-0000-0000-000000000001}'"
# deep cursor: the row at position ~25000 (page 1000 at 25/page) of created_desc
IFS='|' read DTS DID < <(psql -h 127.0.0.1 -U postgres $DB -tA -c "select created_at, id from tickets where workspace_id=$WS order by created_at desc, id desc offset 25000 limit 1")
IFS='|' read UTS UID_ < <(psql -h 127.0.0.1 -U postgres $DB -tA -c "select updated_at, id from tickets where workspace_id=$WS order by updated_at desc, id desc offset 25000 limit 1")
IFS='|' read ATS AID < <(psql -h 127.0.0.1 -U postgres $DB -tA -c "select created_at, id from tickets where workspace_id=$WS order by created_at asc, id asc offset 25000 limit 1")
SEL="SELECT t.id, t.number, t.status, t.summary, t.visitor_email, t.created_at, t.updated_at, u.id AS uid, u.name, u.email FROM tickets t LEFT JOIN users u ON u.id = t.assignee_id"
run() { # name, where, order, keyset
  local name="$1" where="$2" sort="$3" key="$4"
  local order cond
  case $sort in
    created_desc) order="t.created_at DESC, t.id DESC"; cond="(t.created_at, t.id) < ('$DTS', '$DID')";;
    created_asc)  order="t.created_at ASC, t.id ASC";   cond="(t.created_at, t.id) > ('$ATS', '$AID')";;
    updated_desc) order="t.updated_at DESC, t.id DESC"; cond="(t.updated_at, t.id) < ('$UTS', '$UID_')";;
  esac
  for page in first deep; do
    local w="t.workspace_id = $WS $where"
    [ $page = deep ] && w="$w AND $cond"
    local q="$SEL WHERE $w ORDER BY $order LIMIT 26"
    local out; out=$(psql -h 127.0.0.1 -U postgres $DB -tA -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) $q")
    local nodes; nodes=$(echo "$out" | grep -E '^ *(->  )?[A-Z]' | grep -vE '^ *(Sort Key|Sort Method|Buffers|Planning|Execution|Index Cond|Filter|Rows Removed|Recheck|Heap Blocks|Cache Key|Cache Mode|Hits|Presorted|Full-sort|Pre-sorted|Join Filter|Hash Cond)' | grep -oE '(Index Only Scan|Index Scan Backward|Index Scan|Bitmap Heap Scan|Bitmap Index Scan|Seq Scan|Sort|Incremental Sort|Nested Loop Left Join|Nested Loop|Hash Join|Memoize|Merge Append|Limit)( using [a-z_]+)?( on [a-z_]+)?' | tr '\n' ';' | sed 's/;$//')
    local time; time=$(echo "$out" | grep -oE 'Execution Time: [0-9.]+ ms' | grep -oE '[0-9.]+')
    local bufs; bufs=$(echo "$out" | grep -m1 -oE 'Buffers: shared hit=[0-9]+( read=[0-9]+)?' | sed 's/Buffers: shared //')
    printf '| %-28s | %-12s | %-5s | %8s ms | %-18s | %s |\n' "$name" "$sort" "$page" "$time" "$bufs" "$nodes"
    [ -n "$VERBOSE" ] && echo "$out"
  done
}
printf '| %-28s | %-12s | %-5s | %11s | %-18s | %s |\n' filter sort page time buffers plan
for sort in created_desc created_asc updated_desc; do
  run "none" "" $sort
  run "status=open" "AND t.status = 'open'" $sort
  run "assignee=me" "AND t.assignee_id = $ME" $sort
  run "assignee=none" "AND t.assignee_id IS NULL" $sort
  run "status=open+assignee=me" "AND t.status = 'open' AND t.assignee_id = $ME" $sort
  run "status=resolved+none" "AND t.status = 'resolved' AND t.assignee_id IS NULL" $sort
  run "q=TKT-510001 (number)" "AND t.number = 510001" $sort
  run "q=visitor123@ (trgm)" "AND (t.visitor_email || ' ' || t.summary) ILIKE '%visitor123@%'" $sort
  run "q=refund (trgm, common)" "AND (t.visitor_email || ' ' || t.summary) ILIKE '%refund%'" $sort
  run "q=@example5.com (trgm, 1%)" "AND (t.visitor_email || ' ' || t.summary) ILIKE '%@example5.com%'" $sort
  run "q=refund+status=open" "AND t.status='open' AND (t.visitor_email || ' ' || t.summary) ILIKE '%refund%'" $sort
done
