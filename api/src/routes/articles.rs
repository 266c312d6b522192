//! Knowledge-base articles (CRUD, keyset-paginated list, full-text search). Members and
//! API keys of the workspace read and write them.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::services::articles as service;
use crate::state::AppState;
use crate::views::articles::{ArticleIn, ArticleList, ArticleOut, ArticlePatch, ListQuery};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_articles)
        .service(create_article)
        .service(get_article)
        .service(replace_article)
        .service(update_article)
        .service(delete_article);
}

/// List articles, newest first, or search them with `q`.
#[utoipa::path(tag = "knowledge-base", security(("bearer" = []), ("api_key" = ["kb:read"])), params(("ws" = Uuid, Path), ListQuery),
    responses((status = 200, body = ArticleList), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/articles")]
async fn list_articles(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    q: web::Query<ListQuery>,
) -> ApiResult<web::Json<ArticleList>> {
    Ok(web::Json(
        service::list(&state, &principal, path.into_inner(), &q).await?,
    ))
}

/// Write an article.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "knowledge-base", security(("bearer" = []), ("api_key" = ["kb:write"])), params(("ws" = Uuid, Path)), request_body = ArticleIn,
    responses((status = 201, body = ArticleOut), (status = 403, description = "Only owners and admins write the knowledge base", body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/v1/workspaces/{ws}/articles")]
async fn create_article(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<Uuid>,
    body: web::Json<ArticleIn>,
) -> ApiResult<HttpResponse> {
    let article = service::create(&state, &principal, path.into_inner(), &body).await?;
    Ok(HttpResponse::Created().json(article))
}

/// Read an article.
#[utoipa::path(tag = "knowledge-base", security(("bearer" = []), ("api_key" = ["kb:read"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 200, body = ArticleOut), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/articles/{id}")]
async fn get_article(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<web::Json<ArticleOut>> {
    let (ws, id) = path.into_inner();
    Ok(web::Json(service::get(&state, &principal, ws, id).await?))
}

/// Replace an article's title, body and URL.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "knowledge-base", security(("bearer" = []), ("api_key" = ["kb:write"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)), request_body = ArticleIn,
    responses((status = 200, body = ArticleOut), (status = 403, description = "Only owners and admins write the knowledge base", body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/api/v1/workspaces/{ws}/articles/{id}")]
async fn replace_article(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ArticleIn>,
) -> ApiResult<web::Json<ArticleOut>> {
    let (ws, id) = path.into_inner();
    let body = body.into_inner();
    // PUT replaces: no URL sent is no URL.
    let patch = ArticlePatch {
        title: Some(body.title),
        body: Some(body.body),
        url: Some(body.url),
    };
    Ok(web::Json(
        service::update(&state, &principal, ws, id, &patch).await?,
    ))
}

/// Change an article's title, body and/or URL.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "knowledge-base", security(("bearer" = []), ("api_key" = ["kb:write"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)), request_body = ArticlePatch,
    responses((status = 200, body = ArticleOut), (status = 403, description = "Only owners and admins write the knowledge base", body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/api/v1/workspaces/{ws}/articles/{id}")]
async fn update_article(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ArticlePatch>,
) -> ApiResult<web::Json<ArticleOut>> {
    let (ws, id) = path.into_inner();
    Ok(web::Json(
        service::update(&state, &principal, ws, id, &body).await?,
    ))
}

/// Delete an article.
#[utoipa::path(extensions(("x-handoff-role" = json!("admin"))), tag = "knowledge-base", security(("bearer" = []), ("api_key" = ["kb:write"])), params(("ws" = Uuid, Path), ("id" = Uuid, Path)),
    responses((status = 204), (status = 403, description = "Only owners and admins write the knowledge base", body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/v1/workspaces/{ws}/articles/{id}")]
async fn delete_article(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (ws, id) = path.into_inner();
    service::delete(&state, &principal, ws, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
