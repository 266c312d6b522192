//! Workspace tags and the tags of tickets. Every query filters by `workspace_id`; a tag
//! filter on the ticket list walks the `ticket_tags` indexes (the ticket's status,
//! priority and sort timestamps are copied there by triggers, see the migration
//! `tags_and_priority` and docs/scaling.md).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::Tag;
use crate::db::schema::{tags, ticket_tags, tickets, users};
use crate::db::tickets::{
    AssigneeFilter, ListQuery, SortColumns, TicketRow, keyset_filter, search_filter, ticket_select,
};
use crate::domain::tickets::TicketSort;

pub async fn list(conn: &mut Conn, workspace_id: Uuid) -> QueryResult<Vec<Tag>> {
    tags::table
        .filter(tags::workspace_id.eq(workspace_id))
        .order((tags::name.asc(), tags::id.asc()))
        .select(Tag::as_select())
        .load(conn)
        .await
}

pub async fn count(conn: &mut Conn, workspace_id: Uuid) -> QueryResult<i64> {
    tags::table
        .filter(tags::workspace_id.eq(workspace_id))
        .count()
        .get_result(conn)
        .await
}

pub async fn get(conn: &mut Conn, workspace_id: Uuid, id: Uuid) -> QueryResult<Option<Tag>> {
    tags::table
        .filter(tags::workspace_id.eq(workspace_id))
        .filter(tags::id.eq(id))
        .select(Tag::as_select())
        .first(conn)
        .await
        .optional()
}

/// The workspace's tags among `ids` (unknown and other workspaces' ids are left out).
pub async fn get_many(conn: &mut Conn, workspace_id: Uuid, ids: &[Uuid]) -> QueryResult<Vec<Tag>> {
    tags::table
        .filter(tags::workspace_id.eq(workspace_id))
        .filter(tags::id.eq_any(ids))
        .select(Tag::as_select())
        .load(conn)
        .await
}

pub async fn insert(
    conn: &mut Conn,
    workspace_id: Uuid,
    name: &str,
    colour: &str,
) -> QueryResult<Tag> {
    diesel::insert_into(tags::table)
        .values((
            tags::id.eq(Uuid::now_v7()),
            tags::workspace_id.eq(workspace_id),
            tags::name.eq(name),
            tags::colour.eq(colour),
        ))
        .returning(Tag::as_returning())
        .get_result(conn)
        .await
}

pub async fn update(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
    name: &str,
    colour: &str,
) -> QueryResult<Option<Tag>> {
    diesel::update(
        tags::table
            .filter(tags::workspace_id.eq(workspace_id))
            .filter(tags::id.eq(id)),
    )
    .set((tags::name.eq(name), tags::colour.eq(colour)))
    .returning(Tag::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Deletes a tag; its ticket_tags rows go with it (composite foreign key, index
/// `ticket_tags_created_idx` leads with `(workspace_id, tag_id)`).
pub async fn delete(conn: &mut Conn, workspace_id: Uuid, id: Uuid) -> QueryResult<usize> {
    diesel::delete(
        tags::table
            .filter(tags::workspace_id.eq(workspace_id))
            .filter(tags::id.eq(id)),
    )
    .execute(conn)
    .await
}

/// `(ticket_id, tag)` for every tag of the given tickets, in one query (no N+1 over a list).
pub async fn of_tickets(
    conn: &mut Conn,
    workspace_id: Uuid,
    ticket_ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, Tag)>> {
    if ticket_ids.is_empty() {
        return Ok(vec![]);
    }
    ticket_tags::table
        .inner_join(
            tags::table.on(tags::workspace_id
                .eq(ticket_tags::workspace_id)
                .and(tags::id.eq(ticket_tags::tag_id))),
        )
        .filter(ticket_tags::workspace_id.eq(workspace_id))
        .filter(ticket_tags::ticket_id.eq_any(ticket_ids))
        .order((tags::name.asc(), tags::id.asc()))
        .select((ticket_tags::ticket_id, Tag::as_select()))
        .load(conn)
        .await
}

pub async fn add_to_ticket(
    conn: &mut Conn,
    workspace_id: Uuid,
    ticket_id: Uuid,
    tag_id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    // ticket_status … ticket_updated_at are overwritten from the ticket by the
    // BEFORE INSERT trigger; the values here only satisfy NOT NULL.
    diesel::insert_into(ticket_tags::table)
        .values((
            ticket_tags::workspace_id.eq(workspace_id),
            ticket_tags::ticket_id.eq(ticket_id),
            ticket_tags::tag_id.eq(tag_id),
            ticket_tags::ticket_status.eq(crate::domain::enums::TicketStatus::Open),
            ticket_tags::ticket_priority.eq(crate::domain::enums::TicketPriority::Normal),
            ticket_tags::ticket_created_at.eq(now),
            ticket_tags::ticket_updated_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
}

pub async fn remove_from_ticket(
    conn: &mut Conn,
    workspace_id: Uuid,
    ticket_id: Uuid,
    tag_id: Uuid,
) -> QueryResult<usize> {
    diesel::delete(
        ticket_tags::table
            .filter(ticket_tags::workspace_id.eq(workspace_id))
            .filter(ticket_tags::ticket_id.eq(ticket_id))
            .filter(ticket_tags::tag_id.eq(tag_id)),
    )
    .execute(conn)
    .await
}

const TAGGED_COLUMNS: SortColumns = SortColumns {
    priority: "ticket_tags.ticket_priority",
    created: "ticket_tags.ticket_created_at",
    updated: "ticket_tags.ticket_updated_at",
    id: "ticket_tags.ticket_id",
};

/// A page of the tickets that carry `tag`: a keyset walk over one `ticket_tags` index
/// (`(workspace_id, tag_id[, ticket_status|ticket_priority], sort key, ticket_id)`), each
/// row joined to its ticket by primary key. The other filters apply to the walked rows.
pub async fn list_tagged(
    conn: &mut Conn,
    query: &ListQuery,
    tag: Uuid,
) -> QueryResult<Vec<TicketRow>> {
    let mut q = ticket_tags::table
        .inner_join(
            tickets::table.on(tickets::workspace_id
                .eq(ticket_tags::workspace_id)
                .and(tickets::id.eq(ticket_tags::ticket_id))),
        )
        .left_join(users::table.on(users::id.nullable().eq(tickets::assignee_id)))
        .filter(ticket_tags::workspace_id.eq(query.workspace_id))
        .filter(ticket_tags::tag_id.eq(tag))
        .select(ticket_select())
        .into_boxed();
    if let Some(status) = query.status {
        q = q.filter(ticket_tags::ticket_status.eq(status));
    }
    match query.assignee {
        Some(AssigneeFilter::Unassigned) => q = q.filter(tickets::assignee_id.is_null()),
        Some(AssigneeFilter::User(id)) => q = q.filter(tickets::assignee_id.eq(id)),
        None => {}
    }
    if let Some(search) = search_filter(&query.search) {
        q = q.filter(search);
    }
    if let Some(after) = keyset_filter(query, &TAGGED_COLUMNS) {
        q = q.filter(after);
    }
    q = match query.order {
        TicketSort::CreatedDesc => q.order((
            ticket_tags::ticket_created_at.desc(),
            ticket_tags::ticket_id.desc(),
        )),
        TicketSort::CreatedAsc => q.order((
            ticket_tags::ticket_created_at.asc(),
            ticket_tags::ticket_id.asc(),
        )),
        TicketSort::UpdatedDesc => q.order((
            ticket_tags::ticket_updated_at.desc(),
            ticket_tags::ticket_id.desc(),
        )),
        TicketSort::PriorityDesc => q.order((
            ticket_tags::ticket_priority.desc(),
            ticket_tags::ticket_created_at.desc(),
            ticket_tags::ticket_id.desc(),
        )),
    };
    q.limit(query.fetch).load(conn).await
}

/// Sets a ticket's summary, category and priority and bumps its version.
pub async fn set_fields(
    conn: &mut Conn,
    workspace_id: Uuid,
    ticket_id: Uuid,
    fields: (
        &str,
        crate::domain::enums::TicketCategory,
        crate::domain::enums::TicketPriority,
    ),
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let (summary, category, priority) = fields;
    diesel::update(
        tickets::table
            .filter(tickets::workspace_id.eq(workspace_id))
            .filter(tickets::id.eq(ticket_id)),
    )
    .set((
        tickets::summary.eq(summary),
        tickets::category.eq(category),
        tickets::priority.eq(priority),
        tickets::version.eq(tickets::version + 1),
        tickets::updated_at.eq(now),
    ))
    .execute(conn)
    .await
}
