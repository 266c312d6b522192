//! Knowledge-base articles (CRUD, keyset-paginated list, full-text search). Members and
//! API keys of the workspace read and write them.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::app::AppState;
use crate::auth::{self, Principal};
use crate::db::articles::{self, Cursor};
use crate::db::models::Article;
use crate::db::{self};
use crate::error::{ApiError, ApiResult, ErrorBody};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_articles)
        .service(create_article)
        .service(get_article)
        .service(replace_article)
        .service(update_article)
        .service(delete_article);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleOut {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Article> for ArticleOut {
    fn from(a: Article) -> Self {
        ArticleOut {
            id: a.id,
            title: a.title,
            body: a.body,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleList {
    pub items: Vec<ArticleOut>,
    /// Pass as `cursor` for the next page; null on the last page (and for searches).
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    pub cursor: Option<String>,
    /// 1..100, default 25.
    pub limit: Option<i64>,
    /// Full-text search (words, "phrases", -exclusions); results ranked, one page.
    pub q: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ArticleIn {
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"))]
    pub title: String,
    #[validate(length(
        min = 1,
        max = 50000,
        message = "must be between 1 and 50000 characters"
    ))]
    pub body: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ArticlePatch {
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"))]
    pub title: Option<String>,
    #[validate(length(
        min = 1,
        max = 50000,
        message = "must be between 1 and 50000 characters"
    ))]
    pub body: Option<String>,
}

/// List articles, newest first, or search them with `q`.
#[utoipa::path(tag = "knowledge-base", security(("bearer" = [])), params(("ws" = Uuid, Path), ListQuery),
    responses((status = 200, body = ArticleList), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/articles")]
async fn list_articles(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    q: web::Query<ListQuery>,
) -> ApiResult<web::Json<ArticleList>> {
    let limit = q.limit.unwrap_or(25);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::validation("limit", "must be between 1 and 100"));
    }
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(raw) => Some(
            Cursor::decode(raw)
                .ok_or_else(|| ApiError::validation("cursor", "is not a valid cursor"))?,
        ),
        None => None,
    };
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let hits = articles::search(&mut conn, access.workspace_id, text, limit).await?;
        let items = hits
            .into_iter()
            .map(|h| ArticleOut {
                id: h.id,
                title: h.title,
                body: h.body,
                created_at: h.created_at,
                updated_at: h.updated_at,
            })
            .collect();
        return Ok(web::Json(ArticleList {
            items,
            next_cursor: None,
        }));
    }
    let mut rows = articles::list(&mut conn, access.workspace_id, after, limit + 1).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|a| {
            Cursor {
                created_at: a.created_at,
                id: a.id,
            }
            .encode()
        })
    } else {
        None
    };
    Ok(web::Json(ArticleList {
        items: rows.into_iter().map(ArticleOut::from).collect(),
        next_cursor,
    }))
}

/// Write an article.
#[utoipa::path(tag = "knowledge-base", security(("bearer" = [])), params(("ws" = Uuid, Path)), request_body = ArticleIn,
    responses((status = 201, body = ArticleOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/articles")]
async fn create_article(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<ArticleIn>,
) -> ApiResult<HttpResponse> {
    body.validate()?;
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, path.into_inner()).await?;
    let a = articles::insert(
        &mut conn,
        access.workspace_id,
        body.title.trim(),
        body.body.trim(),
    )
    .await?;
    Ok(HttpResponse::Created().json(ArticleOut::from(a)))
}

/// Read an article.
#[utoipa::path(tag = "knowledge-base", security(("bearer" = [])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = ArticleOut), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/articles/{id}")]
async fn get_article(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<web::Json<ArticleOut>> {
    let (ws, id) = path.into_inner();
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, ws).await?;
    let a = articles::get(&mut conn, access.workspace_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("article"))?;
    Ok(web::Json(a.into()))
}

/// Replace an article's title and body.
#[utoipa::path(tag = "knowledge-base", security(("bearer" = [])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)), request_body = ArticleIn,
    responses((status = 200, body = ArticleOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/api/v1/workspaces/{ws}/articles/{id}")]
async fn replace_article(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ArticleIn>,
) -> ApiResult<web::Json<ArticleOut>> {
    body.validate()?;
    let (ws, id) = path.into_inner();
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, ws).await?;
    let a = articles::update(
        &mut conn,
        access.workspace_id,
        id,
        Some(body.title.trim()),
        Some(body.body.trim()),
    )
    .await?
    .ok_or_else(|| ApiError::not_found("article"))?;
    Ok(web::Json(a.into()))
}

/// Change an article's title and/or body.
#[utoipa::path(tag = "knowledge-base", security(("bearer" = [])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)), request_body = ArticlePatch,
    responses((status = 200, body = ArticleOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/api/v1/workspaces/{ws}/articles/{id}")]
async fn update_article(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ArticlePatch>,
) -> ApiResult<web::Json<ArticleOut>> {
    body.validate()?;
    let (ws, id) = path.into_inner();
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, ws).await?;
    let a = articles::update(
        &mut conn,
        access.workspace_id,
        id,
        body.title.as_deref().map(str::trim),
        body.body.as_deref().map(str::trim),
    )
    .await?
    .ok_or_else(|| ApiError::not_found("article"))?;
    Ok(web::Json(a.into()))
}

/// Delete an article.
#[utoipa::path(tag = "knowledge-base", security(("bearer" = [])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/api/v1/workspaces/{ws}/articles/{id}")]
async fn delete_article(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (ws, id) = path.into_inner();
    let mut conn = db::conn(&state.pool).await?;
    let access = auth::access(&mut conn, &principal, ws).await?;
    if !articles::delete(&mut conn, access.workspace_id, id).await? {
        return Err(ApiError::not_found("article"));
    }
    Ok(HttpResponse::NoContent().finish())
}
