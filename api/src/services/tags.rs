//! Workspace tags: owners and admins manage them (create, rename, recolour, delete),
//! every member sees and applies them (applying is a ticket edit, services::ticket_edit).

use uuid::Uuid;

use crate::db::{Conn, tags as store};
use crate::domain::access::Principal;
use crate::domain::tags::{PALETTE, TAGS_PER_WORKSPACE, tag_colour, tag_name};
use crate::error::{ApiError, ApiResult};
use crate::services::access::{access, admin};
use crate::state::AppState;
use crate::views::tags::{TagIn, TagOut, TagPatch};
use crate::views::tickets::{TicketOut, attach_tags};

/// Puts their tags on tickets read from `tickets` (one query for the whole slice).
pub(crate) async fn fill(
    conn: &mut Conn,
    workspace_id: Uuid,
    tickets: &mut [TicketOut],
) -> ApiResult<()> {
    let ids: Vec<Uuid> = tickets.iter().map(|t| t.id).collect();
    let rows = store::of_tickets(conn, workspace_id, &ids).await?;
    attach_tags(tickets, rows);
    Ok(())
}

fn name_taken(e: diesel::result::Error) -> ApiError {
    match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => ApiError::conflict("tag_exists", "A tag with this name already exists."),
        other => other.into(),
    }
}

pub async fn list(state: &AppState, principal: &Principal, ws: Uuid) -> ApiResult<Vec<TagOut>> {
    let (mut conn, access) = access(state, principal, ws).await?;
    Ok(store::list(&mut conn, access.workspace_id)
        .await?
        .into_iter()
        .map(TagOut::from)
        .collect())
}

pub async fn create(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    body: TagIn,
) -> ApiResult<TagOut> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    let name = tag_name(&body.name)?;
    let existing = store::count(&mut conn, access.workspace_id).await?;
    if existing >= TAGS_PER_WORKSPACE {
        return Err(ApiError::conflict(
            "tag_limit",
            format!("A workspace can have at most {TAGS_PER_WORKSPACE} tags. Delete one first."),
        ));
    }
    let colour = match body.colour.as_deref() {
        Some(c) => tag_colour(c)?,
        None => PALETTE[usize::try_from(existing).unwrap_or(0) % PALETTE.len()].to_string(),
    };
    let tag = store::insert(&mut conn, access.workspace_id, &name, &colour)
        .await
        .map_err(name_taken)?;
    Ok(tag.into())
}

pub async fn update(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
    body: TagPatch,
) -> ApiResult<TagOut> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    let current = store::get(&mut conn, access.workspace_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("tag"))?;
    let name = match body.name.as_deref() {
        Some(n) => tag_name(n)?,
        None => current.name,
    };
    let colour = match body.colour.as_deref() {
        Some(c) => tag_colour(c)?,
        None => current.colour,
    };
    store::update(&mut conn, access.workspace_id, id, &name, &colour)
        .await
        .map_err(name_taken)?
        .map(TagOut::from)
        .ok_or_else(|| ApiError::not_found("tag"))
}

/// Deletes a tag and takes it off every ticket.
pub async fn delete(state: &AppState, principal: &Principal, ws: Uuid, id: Uuid) -> ApiResult<()> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    match store::delete(&mut conn, access.workspace_id, id).await? {
        0 => Err(ApiError::not_found("tag")),
        _ => Ok(()),
    }
}
