//! Knowledge-base articles: keyset-paginated list, CRUD and full-text search on the
//! generated `search` tsvector (GIN-indexed). Every query filters by `workspace_id`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Float, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{Article, NewArticle};
use crate::db::schema::articles;

/// One page, newest first; fetches `limit` rows after `after`.
pub async fn list(
    conn: &mut Conn,
    workspace_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<Article>> {
    let mut q = articles::table
        .filter(articles::workspace_id.eq(workspace_id))
        .select(Article::as_select())
        .order((articles::created_at.desc(), articles::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some((created_at, id)) = after {
        q = q.filter(
            articles::created_at
                .lt(created_at)
                .or(articles::created_at.eq(created_at).and(articles::id.lt(id))),
        );
    }
    q.load(conn).await
}

pub async fn get(conn: &mut Conn, workspace_id: Uuid, id: Uuid) -> QueryResult<Option<Article>> {
    articles::table
        .filter(articles::workspace_id.eq(workspace_id))
        .filter(articles::id.eq(id))
        .select(Article::as_select())
        .first(conn)
        .await
        .optional()
}

/// The article's last change, its row held (`FOR KEY SHARE`) until the transaction ends: a
/// delete of the article then waits for the caller's passages instead of deadlocking with
/// them (it would lock the article, then its passages; inserting passages locks the
/// article after the old ones).
pub async fn updated_at_held(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<chrono::DateTime<chrono::Utc>>> {
    articles::table
        .filter(articles::workspace_id.eq(workspace_id))
        .filter(articles::id.eq(id))
        .select(articles::updated_at)
        .for_key_share()
        .first(conn)
        .await
        .optional()
}

pub async fn insert(
    conn: &mut Conn,
    workspace_id: Uuid,
    title: &str,
    body: &str,
    url: Option<&str>,
) -> QueryResult<Article> {
    diesel::insert_into(articles::table)
        .values(NewArticle {
            id: Uuid::new_v4(),
            workspace_id,
            title,
            body,
            url,
        })
        .returning(Article::as_returning())
        .get_result(conn)
        .await
}

pub async fn update(
    conn: &mut Conn,
    workspace_id: Uuid,
    id: Uuid,
    title: Option<&str>,
    body: Option<&str>,
    // `Some(None)` clears the link.
    url: Option<Option<&str>>,
) -> QueryResult<Option<Article>> {
    let target = articles::table
        .filter(articles::workspace_id.eq(workspace_id))
        .filter(articles::id.eq(id));
    diesel::update(target)
        .set((
            title.map(|t| articles::title.eq(t.to_string())),
            body.map(|b| articles::body.eq(b.to_string())),
            url.map(|u| articles::url.eq(u.map(str::to_string))),
            articles::updated_at.eq(Utc::now()),
        ))
        .returning(Article::as_returning())
        .get_result(conn)
        .await
        .optional()
}

pub async fn delete(conn: &mut Conn, workspace_id: Uuid, id: Uuid) -> QueryResult<bool> {
    let n = diesel::delete(
        articles::table
            .filter(articles::workspace_id.eq(workspace_id))
            .filter(articles::id.eq(id)),
    )
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// An article found by search, with its `ts_rank`.
#[derive(Debug, Clone, QueryableByName)]
pub struct Hit {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub url: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = Float)]
    pub rank: f32,
}

/// Search as people type it in a search box (`websearch_to_tsquery`: all words, "quoted
/// phrases", -exclusions), best first.
pub async fn search(
    conn: &mut Conn,
    workspace_id: Uuid,
    q: &str,
    limit: i64,
) -> QueryResult<Vec<Hit>> {
    diesel::sql_query(
        "SELECT id, title, body, url, created_at, updated_at, ts_rank(search, query) AS rank
           FROM articles, websearch_to_tsquery('english', $2) AS query
          WHERE workspace_id = $1 AND search @@ query
          ORDER BY rank DESC, id
          LIMIT $3",
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<Text, _>(q)
    .bind::<Integer, _>(limit.clamp(1, 100) as i32)
    .load(conn)
    .await
}

/// Candidates for the assistant: articles sharing *any* word with the visitor's message,
/// ranked by `ts_rank` (the assistant then judges whether the best one really answers).
/// The words are ORed in a tsquery built from alphanumeric tokens only, so no visitor
/// text reaches the tsquery parser unescaped.
pub async fn search_any(
    conn: &mut Conn,
    workspace_id: Uuid,
    words: &[String],
    limit: i64,
) -> QueryResult<Vec<Hit>> {
    let terms: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_alphanumeric()))
        .take(32)
        .collect();
    if terms.is_empty() {
        return Ok(vec![]);
    }
    diesel::sql_query(
        "SELECT id, title, body, url, created_at, updated_at, ts_rank(search, query) AS rank
           FROM articles, to_tsquery('english', $2) AS query
          WHERE workspace_id = $1 AND search @@ query
          ORDER BY rank DESC, id
          LIMIT $3",
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<Text, _>(terms.join(" | "))
    .bind::<Integer, _>(limit.clamp(1, 20) as i32)
    .load(conn)
    .await
}
