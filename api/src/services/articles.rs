//! The knowledge base: articles for the assistant (CRUD, newest-first keyset list, ranked
//! full-text search). Members and API keys of the workspace read and write them.

use diesel_async::AsyncConnection;
use uuid::Uuid;
use validator::Validate;

use crate::db::articles;
use crate::domain::access::Principal;
use crate::domain::page::{Page, PageRequest};
use crate::error::{ApiError, ApiResult};
use crate::events::BusEvent;
use crate::services::access::{access, admin};
use crate::services::knowledge;
use crate::state::AppState;
use crate::views::articles::{
    ArticleIn, ArticleList, ArticleOut, ArticlePatch, ListQuery, article_url,
};

const CURSOR_TAG: &str = "articles";

/// Newest first, or the ranked search results for `q` (one page).
pub async fn list(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    q: &ListQuery,
) -> ApiResult<ArticleList> {
    let page = PageRequest::parse(q.limit, q.cursor.as_deref(), CURSOR_TAG)?;
    let (mut conn, access) = access(state, principal, ws).await?;
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let hits = articles::search(&mut conn, access.workspace_id, text, page.limit).await?;
        let items = hits
            .into_iter()
            .map(|h| ArticleOut {
                id: h.id,
                title: h.title,
                body: h.body,
                url: h.url,
                created_at: h.created_at,
                updated_at: h.updated_at,
            })
            .collect();
        return Ok(ArticleList {
            items,
            next_cursor: None,
        });
    }
    let rows = articles::list(
        &mut conn,
        access.workspace_id,
        page.after_key(),
        page.fetch(),
    )
    .await?;
    let Page { items, next_cursor } =
        Page::from_rows(rows, &page, CURSOR_TAG, |a| (a.created_at, a.id)).map(ArticleOut::from);
    Ok(ArticleList { items, next_cursor })
}

pub async fn create(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    body: &ArticleIn,
) -> ApiResult<ArticleOut> {
    body.validate()?;
    let url = article_url(body.url.as_deref()).map_err(|e| ApiError::validation("url", e))?;
    // The assistant answers visitors from these: writing them is an admin's job (a
    // stored prompt injection otherwise needs only an agent account).
    let (mut conn, access) = admin(state, principal, ws).await?;
    let ws = access.workspace_id;
    // The article and its indexing job commit together (the worker indexes it).
    let a = conn
        .transaction::<_, ApiError, _>(async |c| {
            let a = articles::insert(c, ws, body.title.trim(), body.body.trim(), url.as_deref())
                .await?;
            knowledge::enqueue(c, ws, a.id).await?;
            Ok(a)
        })
        .await?;
    Ok(a.into())
}

pub async fn get(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
) -> ApiResult<ArticleOut> {
    let (mut conn, access) = access(state, principal, ws).await?;
    let a = articles::get(&mut conn, access.workspace_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("article"))?;
    Ok(a.into())
}

/// Changes the title and/or the body (PUT sends both).
pub async fn update(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
    patch: &ArticlePatch,
) -> ApiResult<ArticleOut> {
    patch.validate()?;
    let url = match &patch.url {
        Some(u) => Some(article_url(u.as_deref()).map_err(|e| ApiError::validation("url", e))?),
        None => None,
    };
    // The assistant answers visitors from these: writing them is an admin's job (a
    // stored prompt injection otherwise needs only an agent account).
    let (mut conn, access) = admin(state, principal, ws).await?;
    let ws = access.workspace_id;
    let a = conn
        .transaction::<_, ApiError, _>(async |c| {
            let a = articles::update(
                c,
                ws,
                id,
                patch.title.as_deref().map(str::trim),
                patch.body.as_deref().map(str::trim),
                url.as_ref().map(Option::as_deref),
            )
            .await?
            .ok_or_else(|| ApiError::not_found("article"))?;
            knowledge::enqueue(c, ws, a.id).await?;
            Ok(a)
        })
        .await?;
    Ok(a.into())
}

pub async fn delete(state: &AppState, principal: &Principal, ws: Uuid, id: Uuid) -> ApiResult<()> {
    // The assistant answers visitors from these: writing them is an admin's job (a
    // stored prompt injection otherwise needs only an agent account).
    let (mut conn, access) = admin(state, principal, ws).await?;
    if !articles::delete(&mut conn, access.workspace_id, id).await? {
        return Err(ApiError::not_found("article"));
    }
    // Its passages went with it (ON DELETE CASCADE): every server drops its cache.
    drop(conn);
    state
        .publish_all(vec![BusEvent::knowledge(access.workspace_id)])
        .await;
    Ok(())
}
