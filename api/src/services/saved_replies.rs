//! Saved replies: owners and admins (and API keys) write them, every member reads them
//! (the dashboard's `/` list in the reply box). The dashboard fills the variables when an
//! agent inserts one; the server stores the text as written.

use std::collections::BTreeMap;

use uuid::Uuid;

use crate::db::saved_replies::{self as store, Fields};
use crate::db::tickets::contains_pattern;
use crate::domain::FieldError;
use crate::domain::access::Principal;
use crate::domain::page::PageRequest;
use crate::domain::saved_replies::{
    CURSOR_TAG, ReplyChanged, SAVED_REPLIES_PER_WORKSPACE, body, check_version, decode_cursor,
    encode_cursor, query, shortcut, title,
};
use crate::error::{ApiError, ApiResult};
use crate::services::access::{access, admin};
use crate::state::AppState;
use crate::views::saved_replies::{
    SavedReplyIn, SavedReplyList, SavedReplyOut, SavedReplyPatch, SavedReplyQuery,
};

fn shortcut_taken(e: diesel::result::Error) -> ApiError {
    match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => ApiError::conflict(
            "shortcut_taken",
            "Another saved reply already uses this shortcut. Choose another one.",
        ),
        other => other.into(),
    }
}

/// The three fields, or every problem of them at once (422 with one entry per field).
fn validated(
    t: Result<String, FieldError>,
    s: Result<String, FieldError>,
    b: Result<String, FieldError>,
) -> ApiResult<(String, String, String)> {
    match (t, s, b) {
        (Ok(t), Ok(s), Ok(b)) => Ok((t, s, b)),
        (t, s, b) => {
            let mut fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for e in [t.err(), s.err(), b.err()].into_iter().flatten() {
                fields
                    .entry(e.field.to_string())
                    .or_default()
                    .push(e.problem);
            }
            Err(ApiError::Validation(fields))
        }
    }
}

/// One page by shortcut, optionally only the replies whose shortcut or title contains `q`.
pub async fn list(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    q: &SavedReplyQuery,
) -> ApiResult<SavedReplyList> {
    let page = PageRequest::parse(q.limit, None, CURSOR_TAG)?;
    let after = match q.cursor.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => {
            Some(decode_cursor(c).map_err(|e| ApiError::validation("cursor", e.to_string()))?)
        }
        None => None,
    };
    let pattern = query(q.q.as_deref())?.map(|t| contains_pattern(&t));
    let (mut conn, access) = access(state, principal, ws).await?;
    let mut rows = store::list(
        &mut conn,
        access.workspace_id,
        after.as_deref(),
        pattern.as_deref(),
        page.fetch(),
    )
    .await?;
    let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|r| encode_cursor(&r.shortcut))
    } else {
        None
    };
    Ok(SavedReplyList {
        items: rows.into_iter().map(SavedReplyOut::from).collect(),
        next_cursor,
    })
}

pub async fn get(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
) -> ApiResult<SavedReplyOut> {
    let (mut conn, access) = access(state, principal, ws).await?;
    store::get(&mut conn, access.workspace_id, id)
        .await?
        .map(SavedReplyOut::from)
        .ok_or_else(|| ApiError::not_found("saved reply"))
}

pub async fn create(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    input: SavedReplyIn,
) -> ApiResult<SavedReplyOut> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    let (t, s, b) = validated(
        title(&input.title),
        shortcut(&input.shortcut),
        body(&input.body),
    )?;
    if store::count(&mut conn, access.workspace_id).await? >= SAVED_REPLIES_PER_WORKSPACE {
        return Err(ApiError::conflict(
            "saved_reply_limit",
            format!(
                "A workspace can keep at most {SAVED_REPLIES_PER_WORKSPACE} saved replies. Delete one first."
            ),
        ));
    }
    let fields = Fields {
        title: &t,
        shortcut: &s,
        body: &b,
    };
    let reply = store::insert(&mut conn, access.workspace_id, fields, access.user_id)
        .await
        .map_err(shortcut_taken)?;
    Ok(reply.into())
}

pub async fn update(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
    input: SavedReplyPatch,
) -> ApiResult<SavedReplyOut> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    let current = store::get(&mut conn, access.workspace_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("saved reply"))?;
    // A field left out keeps its value (stored values are valid as they are).
    let keep = |new: Option<&str>, f: fn(&str) -> Result<String, FieldError>, old: &str| {
        new.map_or_else(|| Ok(old.to_string()), f)
    };
    let (t, s, b) = validated(
        keep(input.title.as_deref(), title, &current.title),
        keep(input.shortcut.as_deref(), shortcut, &current.shortcut),
        keep(input.body.as_deref(), body, &current.body),
    )?;
    check_version(current.version, input.version)?;
    if (t.as_str(), s.as_str(), b.as_str())
        == (
            current.title.as_str(),
            current.shortcut.as_str(),
            current.body.as_str(),
        )
    {
        // Nothing changes: nothing is written, the version stays.
        return Ok(current.into());
    }
    let fields = Fields {
        title: &t,
        shortcut: &s,
        body: &b,
    };
    match store::update(&mut conn, access.workspace_id, id, current.version, fields)
        .await
        .map_err(shortcut_taken)?
    {
        Some(r) => Ok(r.into()),
        // Changed (or deleted) between the read and the write.
        None => match store::get(&mut conn, access.workspace_id, id).await? {
            Some(now) => Err(ReplyChanged {
                had: current.version,
                now: now.version,
            }
            .into()),
            None => Err(ApiError::not_found("saved reply")),
        },
    }
}

pub async fn delete(state: &AppState, principal: &Principal, ws: Uuid, id: Uuid) -> ApiResult<()> {
    let (mut conn, access) = admin(state, principal, ws).await?;
    match store::delete(&mut conn, access.workspace_id, id).await? {
        0 => Err(ApiError::not_found("saved reply")),
        _ => Ok(()),
    }
}
