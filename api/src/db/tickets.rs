//! Ticket storage: every query filters by `workspace_id` (the Citus distribution column;
//! see docs/scaling.md) and takes `&mut Conn` so the caller decides the transaction.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{Message, NewTicket, Ticket, TicketEvent, Visitor};
use crate::db::schema::sql_types::TicketPriority as SqlPriority;
use crate::db::schema::{
    conversations, messages, ticket_events, tickets, users, visitors, workspaces,
};
use crate::domain::enums::{Sender, TicketPriority, TicketStatus};
use crate::domain::ticket_number::TicketKey;
use crate::domain::tickets::TicketSort;

/// `(id, name, email)` of the assignee, from the join with `users`.
pub type AssigneeRow = (Uuid, String, String);

/// A ticket with its assignee, read in one query (no N+1 over a list).
pub type TicketRow = (Ticket, Option<AssigneeRow>);

/// Which assignee a list is restricted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Unassigned,
    User(Uuid),
}

/// What `q` matches: a ticket number exactly, or text in visitor email + summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    Number(i64),
    /// An ILIKE pattern, already escaped and wrapped in `%`.
    Text(String),
}

#[derive(Debug, Clone)]
pub struct ListQuery {
    pub workspace_id: Uuid,
    pub status: Option<TicketStatus>,
    pub assignee: Option<AssigneeFilter>,
    pub search: Option<Search>,
    pub order: TicketSort,
    /// Only tickets with this tag (`db::tags::list_tagged`, over the `ticket_tags` indexes).
    pub tag: Option<Uuid>,
    /// The keyset position `(sort timestamp, id)` to continue after.
    pub after: Option<(DateTime<Utc>, Uuid)>,
    /// With `TicketSort::PriorityDesc`: the priority of the row to continue after.
    pub after_priority: Option<TicketPriority>,
    /// Rows to fetch (the caller asks for one more than the page to know if there is more).
    pub fetch: i64,
}

/// Escapes LIKE wildcards so user text matches literally, and wraps it in `%…%`.
pub fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The next ticket number of the workspace. The row lock held until commit serialises
/// concurrent creations in one workspace, so numbers never repeat.
pub async fn next_number(conn: &mut Conn, workspace_id: Uuid) -> QueryResult<i64> {
    diesel::update(workspaces::table.find(workspace_id))
        .set(workspaces::ticket_counter.eq(workspaces::ticket_counter + 1))
        .returning(workspaces::ticket_counter)
        .get_result(conn)
        .await
}

pub async fn find_visitor_by_email(
    conn: &mut Conn,
    workspace_id: Uuid,
    email: &str,
) -> QueryResult<Option<Visitor>> {
    visitors::table
        .filter(visitors::workspace_id.eq(workspace_id))
        .filter(
            sql::<Bool>("lower(visitors.email) = lower(")
                .bind::<Text, _>(email)
                .sql(")"),
        )
        .order(visitors::last_seen_at.desc())
        .select(Visitor::as_select())
        .first(conn)
        .await
        .optional()
}

/// Records the email of a visitor that had none yet.
pub async fn set_visitor_email_if_missing(
    conn: &mut Conn,
    workspace_id: Uuid,
    visitor_id: Uuid,
    email: &str,
) -> QueryResult<usize> {
    diesel::update(
        visitors::table
            .filter(visitors::workspace_id.eq(workspace_id))
            .filter(visitors::id.eq(visitor_id))
            .filter(visitors::email.is_null()),
    )
    .set(visitors::email.eq(email))
    .execute(conn)
    .await
}

pub async fn insert_ticket(conn: &mut Conn, ticket: NewTicket) -> QueryResult<Ticket> {
    diesel::insert_into(tickets::table)
        .values(ticket)
        .returning(Ticket::as_returning())
        .get_result(conn)
        .await
}

pub async fn insert_event(conn: &mut Conn, event: TicketEvent) -> QueryResult<TicketEvent> {
    diesel::insert_into(ticket_events::table)
        .values(event)
        .returning(TicketEvent::as_returning())
        .get_result(conn)
        .await
}

/// An agent's message, with the clock's time and a time-ordered id so that it sorts after
/// everything already in the conversation.
pub async fn insert_agent_message(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
    author_user_id: Option<Uuid>,
    author_name: &str,
    body: &str,
    at: DateTime<Utc>,
) -> QueryResult<Message> {
    diesel::insert_into(messages::table)
        .values((
            messages::id.eq(Uuid::now_v7()),
            messages::workspace_id.eq(workspace_id),
            messages::conversation_id.eq(conversation_id),
            messages::sender.eq(Sender::Agent),
            messages::author_user_id.eq(author_user_id),
            messages::author_name.eq(author_name),
            messages::body.eq(body),
            messages::created_at.eq(at),
        ))
        .returning(Message::as_returning())
        .get_result(conn)
        .await
}

/// The Message-IDs of the ticket's mail thread, its root first.
pub async fn email_references(
    conn: &mut Conn,
    workspace_id: Uuid,
    ticket_id: Uuid,
) -> QueryResult<Vec<String>> {
    tickets::table
        .filter(tickets::workspace_id.eq(workspace_id))
        .filter(tickets::id.eq(ticket_id))
        .select(tickets::email_references)
        .first(conn)
        .await
}

pub async fn set_email_references(
    conn: &mut Conn,
    workspace_id: Uuid,
    ticket_id: Uuid,
    refs: &[String],
) -> QueryResult<usize> {
    diesel::update(
        tickets::table
            .filter(tickets::workspace_id.eq(workspace_id))
            .filter(tickets::id.eq(ticket_id)),
    )
    .set(tickets::email_references.eq(refs))
    .execute(conn)
    .await
}

/// Moves the conversation's activity time and counts an agent message as unread for the
/// visitor (the launcher badge).
pub async fn touch_conversation_for_agent_message(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        conversations::table
            .filter(conversations::workspace_id.eq(workspace_id))
            .filter(conversations::id.eq(conversation_id)),
    )
    .set((
        conversations::visitor_unread_count.eq(conversations::visitor_unread_count + 1),
        conversations::last_message_at.eq(at),
    ))
    .execute(conn)
    .await
}

pub(crate) type TicketSelect = (
    diesel::helper_types::AsSelect<Ticket, diesel::pg::Pg>,
    diesel::dsl::Nullable<(users::id, users::name, users::email)>,
);

pub(crate) fn ticket_select() -> TicketSelect {
    (
        Ticket::as_select(),
        (users::id, users::name, users::email).nullable(),
    )
}

/// One ticket with its assignee, by id.
pub async fn ticket_row(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<TicketRow>> {
    ticket_row_by(conn, workspace_id, TicketKey::Id(id)).await
}

/// One ticket with its assignee, by id or number.
pub async fn ticket_row_by(
    conn: &mut Conn,
    workspace_id: Uuid,
    key: TicketKey,
) -> QueryResult<Option<TicketRow>> {
    let q = tickets::table
        .left_join(users::table.on(users::id.nullable().eq(tickets::assignee_id)))
        .filter(tickets::workspace_id.eq(workspace_id))
        .select(ticket_select())
        .into_boxed();
    let q = match key {
        TicketKey::Id(id) => q.filter(tickets::id.eq(id)),
        TicketKey::Number(n) => q.filter(tickets::number.eq(n)),
    };
    q.first(conn).await.optional()
}

/// The ticket a key names (within a workspace filter).
fn named(key: TicketKey) -> Box<dyn BoxableExpression<tickets::table, Pg, SqlType = Bool>> {
    match key {
        TicketKey::Id(id) => Box::new(tickets::id.eq(id)),
        TicketKey::Number(n) => Box::new(tickets::number.eq(n)),
    }
}

/// Locks the conversation `conversation_id` (until the transaction ends): done before its
/// ticket is locked. Every change takes these locks in one order, the conversation first,
/// then its ticket (a visitor's message locks its conversation, then reopens or touches the
/// ticket); an agent's reply or note that locked the ticket first and then wrote into the
/// conversation deadlocked with it.
pub async fn lock_conversation_of(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
) -> QueryResult<Option<Uuid>> {
    conversations::table
        .filter(conversations::workspace_id.eq(workspace_id))
        .filter(conversations::id.eq(conversation_id))
        .select(conversations::id)
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The id of the ticket a key names, if it is the workspace's.
pub async fn ticket_id_by(
    conn: &mut Conn,
    workspace_id: Uuid,
    key: TicketKey,
) -> QueryResult<Option<Uuid>> {
    tickets::table
        .filter(tickets::workspace_id.eq(workspace_id))
        .filter(named(key))
        .select(tickets::id)
        .first(conn)
        .await
        .optional()
}

/// Locks a ticket for a change (until the transaction ends), its conversation first (see
/// `lock_conversation_of`).
pub async fn lock_ticket(
    conn: &mut Conn,
    workspace_id: Uuid,
    key: TicketKey,
) -> QueryResult<Option<Ticket>> {
    let conversation: Option<Uuid> = tickets::table
        .filter(tickets::workspace_id.eq(workspace_id))
        .filter(named(key))
        .select(tickets::conversation_id)
        .first(conn)
        .await
        .optional()?;
    let Some(conversation) = conversation else {
        return Ok(None);
    };
    lock_conversation_of(conn, workspace_id, conversation).await?;
    tickets::table
        .filter(tickets::workspace_id.eq(workspace_id))
        .filter(named(key))
        .select(Ticket::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Status, timestamps and version after a workflow move.
pub async fn set_status(
    conn: &mut Conn,
    ticket: &Ticket,
    status: TicketStatus,
    resolved_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        tickets::table
            .filter(tickets::workspace_id.eq(ticket.workspace_id))
            .filter(tickets::id.eq(ticket.id)),
    )
    .set((
        tickets::status.eq(status),
        tickets::resolved_at.eq(resolved_at),
        tickets::closed_at.eq(closed_at),
        tickets::version.eq(tickets::version + 1),
        tickets::updated_at.eq(now),
    ))
    .execute(conn)
    .await
}

/// The tickets assigned to a user, locked until the transaction ends (index
/// `tickets (workspace_id, assignee_id, …)`).
pub async fn lock_assigned_to(
    conn: &mut Conn,
    workspace_id: Uuid,
    user_id: Uuid,
) -> QueryResult<Vec<Ticket>> {
    tickets::table
        .filter(tickets::workspace_id.eq(workspace_id))
        .filter(tickets::assignee_id.eq(user_id))
        .select(Ticket::as_select())
        .for_update()
        .load(conn)
        .await
}

pub async fn set_assignee(
    conn: &mut Conn,
    ticket: &Ticket,
    assignee_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        tickets::table
            .filter(tickets::workspace_id.eq(ticket.workspace_id))
            .filter(tickets::id.eq(ticket.id)),
    )
    .set((
        tickets::assignee_id.eq(assignee_id),
        tickets::version.eq(tickets::version + 1),
        tickets::updated_at.eq(now),
    ))
    .execute(conn)
    .await
}

/// After an agent reply: first response time (once) and activity time.
pub async fn mark_replied(
    conn: &mut Conn,
    ticket: &Ticket,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        tickets::table
            .filter(tickets::workspace_id.eq(ticket.workspace_id))
            .filter(tickets::id.eq(ticket.id)),
    )
    .set((
        tickets::first_response_at.eq(ticket.first_response_at.unwrap_or(now)),
        tickets::updated_at.eq(now),
    ))
    .execute(conn)
    .await
}

/// The newest ticket of a conversation (locked), if any.
pub async fn lock_latest_ticket_of_conversation(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
) -> QueryResult<Option<Ticket>> {
    tickets::table
        .filter(tickets::workspace_id.eq(workspace_id))
        .filter(tickets::conversation_id.eq(conversation_id))
        .order(tickets::created_at.desc())
        .select(Ticket::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Tickets changed after `since`, oldest change first (SSE resume after a reconnect).
pub async fn updated_since(
    conn: &mut Conn,
    workspace_id: Uuid,
    since: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<TicketRow>> {
    tickets::table
        .left_join(users::table.on(users::id.nullable().eq(tickets::assignee_id)))
        .filter(tickets::workspace_id.eq(workspace_id))
        .filter(tickets::updated_at.gt(since))
        .order((tickets::updated_at.asc(), tickets::id.asc()))
        .select(ticket_select())
        .limit(limit)
        .load(conn)
        .await
}

/// A page of the ticket list: one statement, served by an index in the requested order
/// (plans in docs/scaling.md). `query.tag` is ignored here: a tag's list is
/// `db::tags::list_tagged`, a walk over `ticket_tags`.
pub async fn list(conn: &mut Conn, query: &ListQuery) -> QueryResult<Vec<TicketRow>> {
    let mut q = tickets::table
        .left_join(users::table.on(users::id.nullable().eq(tickets::assignee_id)))
        .filter(tickets::workspace_id.eq(query.workspace_id))
        .select(ticket_select())
        .into_boxed();
    if let Some(status) = query.status {
        q = q.filter(tickets::status.eq(status));
    }
    match query.assignee {
        Some(AssigneeFilter::Unassigned) => q = q.filter(tickets::assignee_id.is_null()),
        Some(AssigneeFilter::User(id)) => q = q.filter(tickets::assignee_id.eq(id)),
        None => {}
    }
    if let Some(search) = search_filter(&query.search) {
        q = q.filter(search);
    }
    if let Some(after) = keyset_filter(query, &TICKET_COLUMNS) {
        q = q.filter(after);
    }
    q = match query.order {
        TicketSort::CreatedDesc => q.order((tickets::created_at.desc(), tickets::id.desc())),
        TicketSort::CreatedAsc => q.order((tickets::created_at.asc(), tickets::id.asc())),
        TicketSort::UpdatedDesc => q.order((tickets::updated_at.desc(), tickets::id.desc())),
        TicketSort::PriorityDesc => q.order((
            tickets::priority.desc(),
            tickets::created_at.desc(),
            tickets::id.desc(),
        )),
    };
    q.limit(query.fetch).load(conn).await
}

/// A `WHERE` condition for any query over `tickets` (alone or joined).
pub(crate) type Condition<QS> = Box<dyn BoxableExpression<QS, Pg, SqlType = Bool>>;

/// The `q` condition, written exactly as the expression of tickets_search_trgm_idx.
pub(crate) fn search_filter<QS: 'static>(search: &Option<Search>) -> Option<Condition<QS>> {
    match search {
        Some(Search::Number(n)) => Some(Box::new(
            sql::<Bool>("tickets.number = ").bind::<BigInt, _>(*n),
        )),
        Some(Search::Text(pattern)) => Some(Box::new(
            sql::<Bool>("(tickets.visitor_email || ' ' || tickets.summary) ILIKE ")
                .bind::<Text, _>(pattern.clone()),
        )),
        None => None,
    }
}

/// The columns a list is ordered by: `tickets`' own, or their copies in `ticket_tags`.
pub(crate) struct SortColumns {
    pub priority: &'static str,
    pub created: &'static str,
    pub updated: &'static str,
    pub id: &'static str,
}

pub(crate) const TICKET_COLUMNS: SortColumns = SortColumns {
    priority: "tickets.priority",
    created: "tickets.created_at",
    updated: "tickets.updated_at",
    id: "tickets.id",
};

/// "Strictly after the cursor" as a row comparison over the sort's columns, so that the
/// index range starts at the cursor.
pub(crate) fn keyset_filter<QS: 'static>(
    query: &ListQuery,
    c: &SortColumns,
) -> Option<Condition<QS>> {
    let (ts, id) = query.after?;
    let (created, updated, row_id) = (c.created, c.updated, c.id);
    let (column, cmp) = match query.order {
        TicketSort::CreatedDesc => (created, "<"),
        TicketSort::CreatedAsc => (created, ">"),
        TicketSort::UpdatedDesc => (updated, "<"),
        TicketSort::PriorityDesc => {
            let priority = query.after_priority?;
            return Some(Box::new(
                sql::<Bool>(&format!("({}, {created}, {row_id}) < (", c.priority))
                    .bind::<SqlPriority, _>(priority)
                    .sql(", ")
                    .bind::<Timestamptz, _>(ts)
                    .sql(", ")
                    .bind::<SqlUuid, _>(id)
                    .sql(")"),
            ));
        }
    };
    Some(Box::new(
        sql::<Bool>(&format!("({column}, {row_id}) {cmp} ("))
            .bind::<Timestamptz, _>(ts)
            .sql(", ")
            .bind::<SqlUuid, _>(id)
            .sql(")"),
    ))
}

#[derive(Debug, Clone, Copy, Default, QueryableByName)]
pub struct Counts {
    #[diesel(sql_type = BigInt)]
    pub all: i64,
    #[diesel(sql_type = BigInt)]
    pub mine: i64,
    #[diesel(sql_type = BigInt)]
    pub open: i64,
    #[diesel(sql_type = BigInt)]
    pub in_progress: i64,
    #[diesel(sql_type = BigInt)]
    pub resolved: i64,
    #[diesel(sql_type = BigInt)]
    pub closed: i64,
}

/// All six filter counts in one statement over the trigger-maintained `ticket_counts`
/// (never a COUNT over tickets). `me` is None for API keys ("mine" is then 0).
pub async fn counts(conn: &mut Conn, workspace_id: Uuid, me: Option<Uuid>) -> QueryResult<Counts> {
    diesel::sql_query(
        r#"SELECT coalesce(sum(count), 0)::bigint AS "all",
                  coalesce(sum(count) FILTER (WHERE assignee_id = $2), 0)::bigint AS mine,
                  coalesce(sum(count) FILTER (WHERE status = 'open'), 0)::bigint AS open,
                  coalesce(sum(count) FILTER (WHERE status = 'in_progress'), 0)::bigint AS in_progress,
                  coalesce(sum(count) FILTER (WHERE status = 'resolved'), 0)::bigint AS resolved,
                  coalesce(sum(count) FILTER (WHERE status = 'closed'), 0)::bigint AS closed
             FROM ticket_counts WHERE workspace_id = $1"#,
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<diesel::sql_types::Nullable<SqlUuid>, _>(me)
    .get_result(conn)
    .await
}

/// The most messages a ticket or conversation view returns: the latest ones, in order.
pub const MESSAGES_SHOWN: i64 = 1000;

/// The conversation's messages in order (the latest `MESSAGES_SHOWN` of them).
pub async fn messages_of(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
) -> QueryResult<Vec<Message>> {
    crate::db::conversations::messages(conn, workspace_id, conversation_id, MESSAGES_SHOWN).await
}

pub async fn message(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<Message>> {
    messages::table
        .filter(messages::workspace_id.eq(workspace_id))
        .filter(messages::id.eq(id))
        .select(Message::as_select())
        .first(conn)
        .await
        .optional()
}

/// The timeline of a ticket, oldest first.
pub async fn events_of(
    conn: &mut Conn,
    workspace_id: Uuid,
    ticket_id: Uuid,
) -> QueryResult<Vec<TicketEvent>> {
    ticket_events::table
        .filter(ticket_events::workspace_id.eq(workspace_id))
        .filter(ticket_events::ticket_id.eq(ticket_id))
        .order((ticket_events::created_at.asc(), ticket_events::id.asc()))
        .select(TicketEvent::as_select())
        .load(conn)
        .await
}

/// The newest ticket of a conversation, if any.
pub async fn ticket_of_conversation(
    conn: &mut Conn,
    workspace_id: Uuid,
    conversation_id: Uuid,
) -> QueryResult<Option<TicketRow>> {
    tickets::table
        .left_join(users::table.on(users::id.nullable().eq(tickets::assignee_id)))
        .filter(tickets::workspace_id.eq(workspace_id))
        .filter(tickets::conversation_id.eq(conversation_id))
        .order(tickets::created_at.desc())
        .select(ticket_select())
        .first(conn)
        .await
        .optional()
}

/// A visitor wrote into an open ticket's conversation: the ticket counts as updated.
pub async fn touch(conn: &mut Conn, workspace_id: Uuid, ticket_id: Uuid) -> QueryResult<usize> {
    diesel::update(
        tickets::table
            .filter(tickets::workspace_id.eq(workspace_id))
            .filter(tickets::id.eq(ticket_id)),
    )
    .set(tickets::updated_at.eq(chrono::Utc::now()))
    .execute(conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(contains_pattern("refund"), "%refund%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
