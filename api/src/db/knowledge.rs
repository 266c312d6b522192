//! The knowledge index's storage: passages with their vectors (`bytea`, little-endian
//! f32), per workspace and vector space (`model`). Every query filters by `workspace_id`.
//! Ranking by similarity happens in process (`assistant::knowledge`); this module is the
//! one place a pgvector column would replace.

use diesel::prelude::*;
use diesel::sql_types::{Float, Integer, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::schema::knowledge_passages as kp;

#[derive(Debug, Insertable)]
#[diesel(table_name = kp)]
pub struct NewPassage {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub article_id: Uuid,
    pub position: i32,
    pub title: String,
    pub body: String,
    pub model: String,
    pub dimension: i32,
    pub vector: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Queryable)]
pub struct PassageRow {
    pub id: Uuid,
    pub article_id: Uuid,
    pub position: i32,
    pub title: String,
    pub body: String,
    pub vector: Option<Vec<u8>>,
    /// The article's URL (joined: a link change needs no re-embedding).
    pub url: Option<String>,
}

pub fn encode(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

pub fn decode(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// Replaces an article's passages (in the caller's transaction).
pub async fn replace_article(
    conn: &mut Conn,
    workspace_id: Uuid,
    article_id: Uuid,
    rows: Vec<NewPassage>,
) -> QueryResult<()> {
    delete_article(conn, workspace_id, article_id).await?;
    if !rows.is_empty() {
        diesel::insert_into(kp::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(())
}

pub async fn delete_article(
    conn: &mut Conn,
    workspace_id: Uuid,
    article_id: Uuid,
) -> QueryResult<usize> {
    diesel::delete(
        kp::table
            .filter(kp::workspace_id.eq(workspace_id))
            .filter(kp::article_id.eq(article_id)),
    )
    .execute(conn)
    .await
}

/// A workspace's passages in one vector space (the in-process cache loads them).
pub async fn workspace_passages(
    conn: &mut Conn,
    workspace_id: Uuid,
    model: &str,
) -> QueryResult<Vec<PassageRow>> {
    use crate::db::schema::articles;
    kp::table
        .inner_join(articles::table)
        .filter(kp::workspace_id.eq(workspace_id))
        .filter(articles::workspace_id.eq(workspace_id))
        .filter(kp::model.eq(model))
        .order((kp::article_id, kp::position))
        .select((
            kp::id,
            kp::article_id,
            kp::position,
            kp::title,
            kp::body,
            kp::vector,
            articles::url,
        ))
        .load(conn)
        .await
}

#[derive(Debug, Clone, QueryableByName)]
pub struct LexicalHit {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Float)]
    pub rank: f32,
}

/// Full-text rank of the workspace's passages sharing any of `words` (ORed; only
/// alphanumeric words reach the tsquery), best first.
pub async fn lexical(
    conn: &mut Conn,
    workspace_id: Uuid,
    model: &str,
    words: &[String],
    limit: i64,
) -> QueryResult<Vec<LexicalHit>> {
    let terms: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_alphanumeric()))
        .collect();
    if terms.is_empty() {
        return Ok(vec![]);
    }
    diesel::sql_query(
        "SELECT id, ts_rank(search, query) AS rank
           FROM knowledge_passages, to_tsquery('english', $3) AS query
          WHERE workspace_id = $1 AND model = $2 AND search @@ query
          ORDER BY rank DESC, id
          LIMIT $4",
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<Text, _>(model)
    .bind::<Text, _>(terms.join(" | "))
    .bind::<Integer, _>(limit.clamp(1, 100) as i32)
    .load(conn)
    .await
}

#[derive(Debug, Clone, QueryableByName)]
pub struct Stale {
    #[diesel(sql_type = SqlUuid)]
    pub workspace_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub article_id: Uuid,
}

/// Articles with no passage in vector space `model` (new model, or never indexed),
/// after `after` in id order: `handoff reindex` walks them in pages.
pub async fn stale_articles(
    conn: &mut Conn,
    model: &str,
    after: Uuid,
    limit: i64,
) -> QueryResult<Vec<Stale>> {
    diesel::sql_query(
        "SELECT a.workspace_id, a.id AS article_id
           FROM articles a
          WHERE a.id > $2
            AND NOT EXISTS (SELECT 1 FROM knowledge_passages p
                             WHERE p.article_id = a.id AND p.model = $1)
          ORDER BY a.id
          LIMIT $3",
    )
    .bind::<Text, _>(model)
    .bind::<SqlUuid, _>(after)
    .bind::<Integer, _>(limit.clamp(1, 10_000) as i32)
    .load(conn)
    .await
}

/// Every article, after `after` in id order (`handoff reindex --all`).
pub async fn all_articles(conn: &mut Conn, after: Uuid, limit: i64) -> QueryResult<Vec<Stale>> {
    diesel::sql_query(
        "SELECT workspace_id, id AS article_id FROM articles WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind::<SqlUuid, _>(after)
    .bind::<Integer, _>(limit.clamp(1, 10_000) as i32)
    .load(conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_round_trip_through_bytes() {
        let v = vec![0.25f32, -1.5, 3.0e-7];
        assert_eq!(encode(&v).len(), 12);
        assert_eq!(decode(&encode(&v)), v);
    }
}
