//! `conversation_reads`: what each member has read of each conversation (a ticket's read
//! state is its conversation's), the unread counts shown to whom a visitor's message is
//! for, and the reminder mail scheduled for them. Every query filters by `workspace_id`;
//! unread counts are bounded (`UNREAD_CAP`) and served by `messages_visitor_idx`.
//!
//! Whom a visitor's message is for: the agent who has the conversation taken over, and the
//! ticket's assignee, or every member while the ticket is unassigned (not for a closed
//! ticket). The SQL of that rule is `RESPONSIBLE` (one place, used by the counts, the
//! reminders' scheduling and their check at send time).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;

/// Unread counts stop counting here (the dashboard shows "99+").
pub const UNREAD_CAP: i64 = 100;

/// Whether member `$user` is one a visitor's message in conversation `c` (latest ticket
/// `t`, possibly none) is for.
const RESPONSIBLE: &str = "(c.taken_over_by = $2 OR (t.status IS NOT NULL AND t.status <> 'closed' AND (t.assignee_id = $2 OR t.assignee_id IS NULL)))";

#[derive(QueryableByName)]
struct Unread {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = BigInt)]
    unread: i64,
}

/// Unread visitor messages of tickets `ids` for `user`, bounded by `UNREAD_CAP`: only the
/// tickets that are `user`'s (assigned to them, or unassigned) and not closed; messages
/// since the ticket was created, or since `user` last read it.
pub async fn ticket_unread(
    conn: &mut Conn,
    workspace_id: Uuid,
    user: Uuid,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, i64)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let rows: Vec<Unread> = diesel::sql_query(
        "SELECT t.id, (SELECT count(*) FROM (
                SELECT 1 FROM messages m
                 WHERE m.workspace_id = t.workspace_id AND m.conversation_id = t.conversation_id
                   AND m.sender = 'visitor' AND m.created_at > GREATEST(t.created_at, r.read_at)
                 LIMIT $4) x) AS unread
           FROM tickets t
           LEFT JOIN conversation_reads r
             ON r.workspace_id = t.workspace_id AND r.user_id = $2 AND r.conversation_id = t.conversation_id
          WHERE t.workspace_id = $1 AND t.id = ANY($3) AND t.status <> 'closed'
            AND (t.assignee_id = $2 OR t.assignee_id IS NULL)",
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<SqlUuid, _>(user)
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<BigInt, _>(UNREAD_CAP)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.unread)).collect())
}

/// Unread visitor messages of conversations `ids` for `user`, bounded by `UNREAD_CAP`:
/// only those that are for `user` (see the module); messages since they took it over or
/// its ticket was created, or since they last read it.
pub async fn conversation_unread(
    conn: &mut Conn,
    workspace_id: Uuid,
    user: Uuid,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, i64)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT c.id, (SELECT count(*) FROM (
                SELECT 1 FROM messages m
                 WHERE m.workspace_id = c.workspace_id AND m.conversation_id = c.id
                   AND m.sender = 'visitor'
                   AND m.created_at > GREATEST(r.read_at, t.created_at,
                         CASE WHEN c.taken_over_by = $2 THEN c.taken_over_at END)
                 LIMIT $4) x) AS unread
           FROM conversations c
           LEFT JOIN LATERAL (
                SELECT t.created_at, t.assignee_id, t.status FROM tickets t
                 WHERE t.workspace_id = c.workspace_id AND t.conversation_id = c.id
                 ORDER BY t.created_at DESC LIMIT 1) t ON true
           LEFT JOIN conversation_reads r
             ON r.workspace_id = c.workspace_id AND r.user_id = $2 AND r.conversation_id = c.id
          WHERE c.workspace_id = $1 AND c.id = ANY($3) AND {RESPONSIBLE}"
    );
    let rows: Vec<Unread> = diesel::sql_query(sql)
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<SqlUuid, _>(user)
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<BigInt, _>(UNREAD_CAP)
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.unread)).collect())
}

/// `user` has read conversation `conversation_id` up to `at` (never backwards); a pending
/// reminder about it is cancelled.
pub async fn mark_read(
    conn: &mut Conn,
    workspace_id: Uuid,
    user: Uuid,
    conversation_id: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO conversation_reads (workspace_id, user_id, conversation_id, read_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (workspace_id, user_id, conversation_id) DO UPDATE
            SET read_at = GREATEST(conversation_reads.read_at, EXCLUDED.read_at),
                reminder_due_at = NULL",
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<SqlUuid, _>(user)
    .bind::<SqlUuid, _>(conversation_id)
    .bind::<Timestamptz, _>(at)
    .execute(conn)
    .await
}

#[derive(QueryableByName)]
pub struct Scheduled {
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub reminder_due_at: DateTime<Utc>,
}

/// A visitor wrote into conversation `conversation_id` at `at`: a reminder is scheduled
/// for each member it is for whose preference is on (at once, or after their delay),
/// unless one is scheduled and not yet due (a burst of messages makes one reminder). The
/// members whose reminder was (re)scheduled, with when it is due. One statement; the
/// rows' locks serialize concurrent messages.
pub async fn schedule_reminders(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<Vec<Scheduled>> {
    diesel::sql_query(
        "WITH c AS (SELECT id, taken_over_by FROM conversations WHERE workspace_id = $1 AND id = $2),
              t AS (SELECT assignee_id, status FROM tickets
                     WHERE workspace_id = $1 AND conversation_id = $2
                     ORDER BY created_at DESC LIMIT 1),
              who AS (
                SELECT mb.user_id, mb.notify_email, mb.notify_delay_minutes
                  FROM memberships mb CROSS JOIN c LEFT JOIN t ON true
                 WHERE mb.workspace_id = $1 AND mb.notify_email <> 'off'
                   AND (c.taken_over_by = mb.user_id
                        OR (t.status IS NOT NULL AND t.status <> 'closed'
                            AND (t.assignee_id = mb.user_id OR t.assignee_id IS NULL))))
         INSERT INTO conversation_reads (workspace_id, user_id, conversation_id, reminder_due_at)
         SELECT $1, who.user_id, $2,
                CASE WHEN who.notify_email = 'immediately' THEN $3
                     ELSE $3 + make_interval(mins => who.notify_delay_minutes) END
           FROM who
         ON CONFLICT (workspace_id, user_id, conversation_id) DO UPDATE
            SET reminder_due_at = EXCLUDED.reminder_due_at
          WHERE conversation_reads.reminder_due_at IS NULL
             OR conversation_reads.reminder_due_at <= $3
         RETURNING user_id, reminder_due_at",
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<SqlUuid, _>(conversation_id)
    .bind::<Timestamptz, _>(at)
    .load(conn)
    .await
}

/// What a reminder needs when it is sent.
#[derive(QueryableByName, Debug)]
pub struct ReminderState {
    /// Still the pending reminder (not cancelled by a read, not superseded).
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub pending: bool,
    /// The member is still one the conversation's visitor messages are for, and wants mail.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub responsible: bool,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub read_at: Option<DateTime<Utc>>,
}

/// The reminder due at `due` for `user` about `conversation_id`, as it stands now.
pub async fn reminder_state(
    conn: &mut Conn,
    workspace_id: Uuid,
    user: Uuid,
    conversation_id: Uuid,
    due: DateTime<Utc>,
) -> QueryResult<Option<ReminderState>> {
    let sql = format!(
        "SELECT r.reminder_due_at IS NOT DISTINCT FROM $4 AS pending,
                (mb.notify_email <> 'off' AND {RESPONSIBLE}) AS responsible,
                r.read_at
           FROM conversation_reads r
           JOIN conversations c ON c.workspace_id = r.workspace_id AND c.id = r.conversation_id
           JOIN memberships mb ON mb.workspace_id = r.workspace_id AND mb.user_id = r.user_id
           LEFT JOIN LATERAL (
                SELECT t.assignee_id, t.status FROM tickets t
                 WHERE t.workspace_id = c.workspace_id AND t.conversation_id = c.id
                 ORDER BY t.created_at DESC LIMIT 1) t ON true
          WHERE r.workspace_id = $1 AND r.user_id = $2 AND r.conversation_id = $3"
    );
    let rows: Vec<ReminderState> = diesel::sql_query(sql)
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<SqlUuid, _>(user)
        .bind::<SqlUuid, _>(conversation_id)
        .bind::<Timestamptz, _>(due)
        .load(conn)
        .await?;
    Ok(rows.into_iter().next())
}

/// The body of the conversation's latest visitor message.
pub async fn latest_visitor_message(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
) -> QueryResult<Option<String>> {
    use crate::db::schema::messages;
    use crate::domain::enums::Sender;
    messages::table
        .filter(messages::workspace_id.eq(workspace_id))
        .filter(messages::conversation_id.eq(conversation_id))
        .filter(messages::sender.eq(Sender::Visitor))
        .order((messages::created_at.desc(), messages::id.desc()))
        .select(messages::body)
        .first(conn)
        .await
        .optional()
}

/// Whom a new visitor message in the conversation is for, as the dashboard's live event
/// tells it: the agent who took it over and the ticket's assignee, and whether the whole
/// team (an unassigned ticket). `None` when it is for nobody (the assistant answers, no
/// open ticket).
pub async fn recipients(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
) -> QueryResult<Option<(bool, Vec<Uuid>)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Nullable<SqlUuid>)]
        taken_over_by: Option<Uuid>,
        #[diesel(sql_type = Nullable<SqlUuid>)]
        assignee_id: Option<Uuid>,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        open_ticket: bool,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT c.taken_over_by, t.assignee_id,
                COALESCE(t.status <> 'closed', false) AS open_ticket
           FROM conversations c
           LEFT JOIN LATERAL (
                SELECT t.assignee_id, t.status FROM tickets t
                 WHERE t.workspace_id = c.workspace_id AND t.conversation_id = c.id
                 ORDER BY t.created_at DESC LIMIT 1) t ON true
          WHERE c.workspace_id = $1 AND c.id = $2",
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<SqlUuid, _>(conversation_id)
    .load(conn)
    .await?;
    let Some(r) = rows.into_iter().next() else {
        return Ok(None);
    };
    let mut users: Vec<Uuid> = r.taken_over_by.into_iter().collect();
    let team = r.open_ticket && r.assignee_id.is_none();
    if r.open_ticket
        && let Some(a) = r.assignee_id
        && !users.contains(&a)
    {
        users.push(a);
    }
    Ok((team || !users.is_empty()).then_some((team, users)))
}
